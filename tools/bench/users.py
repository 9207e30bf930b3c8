"""`make bench-load`'s simulated residents: closed-loop users of one channel, and what they counted.

Each user holds one conversation of a few messages at a time, sends one message, waits for the
whole answer and sends the next at once (a closed loop: N users keep N messages in flight), and
starts a new conversation until the time is up. A channel (REST here; socket.io in
tools/bench/socketio_users.py, WeChat in tools/bench/wechat_users.py) says how a conversation is
opened and how one message is asked; this module times the turns and counts as errors what a
resident would see as a failure: no answer (HTTP errors, timeouts, a connection refused), an empty
or unreadable answer, the apology naming 12345, a rate-limit or invalid-session refusal.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

import aiohttp

from bot import graders
from bot.guard import replies

REQUEST_TIMEOUT = 30
# After a conversation could not be opened (a refused connection), before the user tries again.
OPEN_RETRY_SECONDS = 0.2


class Conversations(Protocol):
    def conversation(self, rng: random.Random) -> list[str]: ...


class Answer(NamedTuple):
    texts: list[str]
    late: bool = False  # came after the channel's passive window (WeChat's customer-service API)


class TurnFailed(Exception):
    """A message (or opening a conversation) that got no usable answer; `answered` when the server
    did answer (an HTTP error), so that the turn's time counts as a latency, as it does over REST."""

    def __init__(self, kind: str, answered: bool = False) -> None:
        super().__init__(kind)
        self.kind = kind
        self.answered = answered


Ask = Callable[[str], Awaitable[Answer]]


class Channel:
    """How simulated users reach the assistant: resources for one run (`async with`), and a
    conversation as a function that asks one message and returns the whole answer."""

    name = ""

    async def __aenter__(self) -> Channel:
        return self

    async def __aexit__(self, *_: Any) -> None:
        return None

    def conversation(self, number: int) -> AbstractAsyncContextManager[Ask]:
        raise NotImplementedError


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    late: int = 0  # answers that came after the passive window (WeChat)

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


def merge(total: Result, part: Result) -> None:
    total.latencies += part.latencies
    total.seconds += part.seconds
    total.late += part.late
    for kind, count in part.errors.items():
        total.errors[kind] = total.errors.get(kind, 0) + count


_RATE_LIMITED = replies.RATE_LIMITED.split("{", 1)[0]


def wrong_answer(texts: list[str]) -> str | None:
    """The error a resident would see in this answer, or None for a real answer."""
    if not texts:
        return "empty reply"
    if replies.UNAVAILABLE in texts:
        return "apology"
    if replies.SESSION_INVALID in texts:
        return "session refused"
    if any(text.startswith(_RATE_LIMITED) for text in texts):
        return "rate limited"
    return None


async def closed_loop(channel: Channel, users: int, seconds: float, questions: Conversations,
                      seed: int = 1) -> Result:
    """`users` closed-loop users of `channel` for `seconds`; the messages they sent."""
    result = Result()
    deadline = time.monotonic() + seconds

    async def user(number: int) -> None:
        rng = random.Random(seed * 100_003 + number)
        while time.monotonic() < deadline:
            texts = questions.conversation(rng)
            try:
                async with channel.conversation(number) as ask:
                    for text in texts:
                        if time.monotonic() >= deadline:
                            return
                        await turn(ask, text)
            except TurnFailed as failure:  # the conversation could not be opened
                result.error(failure.kind)
                await asyncio.sleep(OPEN_RETRY_SECONDS)

    async def turn(ask: Ask, text: str) -> None:
        started = time.monotonic()
        try:
            answer = await ask(text)
        except TurnFailed as failure:
            if failure.answered:
                result.latencies.append(time.monotonic() - started)
            result.error(failure.kind)
            return
        result.latencies.append(time.monotonic() - started)
        result.late += answer.late
        kind = wrong_answer(answer.texts)
        if kind:
            result.error(kind)

    started = time.monotonic()
    async with channel:
        await asyncio.gather(*(user(number) for number in range(users)))
    result.seconds = time.monotonic() - started
    return result


class HTTPChannel(Channel):
    """A channel of plain HTTP requests: one client session for the run."""

    def __init__(self) -> None:
        self.session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> HTTPChannel:
        self.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0),
                                             timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT))
        return self

    async def __aexit__(self, *_: Any) -> None:
        await self.session.close()

    async def post(self, url: str, **request: Any) -> str:
        """The body of the answer to a POST; `TurnFailed` when there is none, or not with 200."""
        try:
            async with self.session.post(url, **request) as response:
                body, status = await response.text(), response.status
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            raise TurnFailed(type(error).__name__) from error
        if status != 200:
            raise TurnFailed(f"HTTP {status}", answered=True)
        return body


class RestChannel(HTTPChannel):
    """The REST channel (bot/channels/rest.py): one POST per message, the answer in its body."""

    name = "REST"

    def __init__(self, url: str) -> None:
        super().__init__()
        self.webhook = f"{url}/webhooks/rest/webhook"

    @asynccontextmanager
    async def conversation(self, number: int) -> AsyncIterator[Ask]:
        sender = f"{graders.LOAD}{number}-{uuid.uuid4().hex[:8]}"

        async def ask(text: str) -> Answer:
            body = await self.post(self.webhook, json={"sender": sender, "message": text})
            try:
                return Answer([str(message.get("text") or "") for message in json.loads(body)])
            except (ValueError, AttributeError, TypeError) as error:
                raise TurnFailed("unreadable reply", answered=True) from error

        yield ask
