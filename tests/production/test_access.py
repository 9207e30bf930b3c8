"""Rasa's HTTP API needs the token while the channels stay public; the action server is loopback only."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

pytestmark = pytest.mark.server


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_api_needs_the_token(servers) -> None:
    assert status(f"{servers.rasa_url}/status") == 401
    assert status(f"{servers.rasa_url}/conversations/someone/tracker") == 401
    assert status(f"{servers.rasa_url}/status?token={servers.auth_token}") == 200


def test_channels_stay_public(servers, assistant) -> None:
    assert status(f"{servers.rasa_url}/webhooks/rest/") == 200
    assert "市中区" in assistant.reply("您好")


def _listening_addresses(port: int) -> set[str]:
    """Local addresses with a listening TCP socket on `port` (from /proc/net/tcp and tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as handle:
            next(handle)
            for line in handle:
                local, state = line.split()[1], line.split()[3]
                address, _, hex_port = local.partition(":")
                if state == "0A" and int(hex_port, 16) == port:
                    found.add(address)
    return found


def test_action_server_listens_on_loopback_only(servers) -> None:
    addresses = _listening_addresses(servers.actions_port)
    assert addresses == {"0100007F"}, addresses  # 127.0.0.1 only, not 0.0.0.0
    assert status(f"{servers.actions_url}/health") == 200
