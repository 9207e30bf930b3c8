"""Where a request comes from, and whether that address is one of ours (no per-address limit).

Trusted are loopback (the host itself: tests, benchmarks, nginx on the same machine) and the
reverse proxies named in `TRUSTED_PROXIES` (addresses or networks, comma-separated). Behind a
proxy every request comes from the proxy, so the client's address is the one the proxy forwards,
read by Sanic as its settings say (`SANIC_PROXIES_COUNT=1` with nginx's X-Forwarded-For, or
`SANIC_REAL_IP_HEADER`, or `SANIC_FORWARDED_SECRET`; docs/deploy.md). A forwarded address is
believed only when the request really comes from a trusted proxy: anyone else could send the
header too.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterable, Mapping
from typing import Any

TRUSTED_PROXIES_ENV = "TRUSTED_PROXIES"
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class TrustedAddresses:
    """Loopback and the given addresses and networks (the configured proxies; or the REST
    channel's allowed clients)."""

    def __init__(self, proxies: Iterable[str] = ()) -> None:
        networks: list[Network] = []
        for proxy in proxies:
            try:
                networks.append(ipaddress.ip_network(proxy.strip(), strict=False))
            except ValueError as error:
                raise ValueError(f"{proxy!r} is not an address or network (e.g. 10.0.0.5 or 10.0.0.0/24; "
                                 f"{TRUSTED_PROXIES_ENV}, allowed_clients)") from error
        self.networks = networks

    @classmethod
    def parse(cls, value: str) -> TrustedAddresses:
        """Loopback and the addresses or networks in `value` (comma- or space-separated)."""
        return cls(part for part in value.replace(" ", ",").split(",") if part.strip())

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> TrustedAddresses:
        return cls.parse((os.environ if env is None else env).get(TRUSTED_PROXIES_ENV, ""))

    def trusts(self, address: str | None) -> bool:
        parsed = parse_address(address)
        if parsed is None:
            return False
        return parsed.is_loopback or any(parsed in network for network in self.networks)


def parse_address(address: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An IP address from Sanic's forms (`1.2.3.4`, `::1`, `[::1]`); None for anything else."""
    if not address:
        return None
    try:
        parsed = ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return None
    mapped = getattr(parsed, "ipv4_mapped", None)
    return mapped or parsed


def client_address(request: Any, trusted: TrustedAddresses) -> str:
    """The client's address of a Sanic request: the forwarded one when a trusted proxy sent it."""
    peer = request.ip or ""
    forwarded = request.remote_addr if trusted.trusts(peer) else ""
    return (forwarded or peer).strip("[]")
