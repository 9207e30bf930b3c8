"""Fixtures for the staff side: a resident's conversation over REST, and the staff database the
shared assistant (tests/conftest.py `servers`) stores its callback requests and ratings in."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from bot.channels.conversations import rest_conversation
from bot.requests.store import StaffStore
from tools.eval import ask, reply_text


class Resident:
    """One resident talking to the running assistant over its REST channel, with one sender id."""

    def __init__(self, url: str, prefix: str = "staff") -> None:
        self.url = url
        self.sender = f"{prefix}-{uuid.uuid4().hex[:12]}"
        self.conversation_id = rest_conversation(self.sender)  # what the server files it under
        self.last: list[dict] = []

    def say(self, message: str) -> str:
        self.last = ask(self.url, message, self.sender, timeout=60)
        return reply_text(self.last)

    def payloads(self) -> list[str]:
        """The payloads of the buttons in the last reply."""
        return [button["payload"] for message in self.last for button in message.get("buttons") or []]


@pytest.fixture
def resident(servers) -> Resident:
    return Resident(servers.rasa_url)


@pytest.fixture(scope="session")
def staff_url(servers) -> str:
    return servers.extra_env["STAFF_DATABASE_URL"]


@pytest.fixture
def staff_store(staff_url: str) -> Iterator[StaffStore]:
    store = StaffStore(staff_url)
    yield store
    store.close()
