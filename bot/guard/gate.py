"""The same checks for every channel before a message reaches the assistant.

A channel hands the gate the conversation id it decided, the text as received and, where it has
one, the client's address; the gate counts the message against the rate limits (bot/guard/rate.py)
and applies the text rules (bot/guard/replies.py: control characters removed, empty and too long
refused). What it refuses comes back as a `Refusal` with the Chinese answer; each channel delivers
it in its own way (REST: 200 with the answer, 429 when over the limit; socket.io: a bot message;
WeChat: the passive reply).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass

from bot.guard import replies
from bot.guard.rate import RateLimits

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Refusal:
    reason: str  # "EmptyMessage", "MessageTooLong", "TooManyRequests"
    text: str  # the answer in Chinese
    retry_after: int | None = None  # seconds, when over a rate limit

    @property
    def status(self) -> int:
        """The HTTP status for a channel that answers with one (REST)."""
        return 429 if self.reason == "TooManyRequests" else 200


@dataclass(frozen=True)
class Verdict:
    text: str  # the cleaned text, what the assistant gets
    refusal: Refusal | None = None


class Gate:
    """Rate limits, then the text rules, for one channel."""

    def __init__(self, limits: RateLimits, max_message_chars: int = replies.MAX_MESSAGE_CHARS) -> None:
        if max_message_chars < 1:
            raise ValueError("max_message_chars must be positive")
        self.limits = limits
        self.max_message_chars = max_message_chars

    @classmethod
    def from_env(cls, max_message_chars: int = replies.MAX_MESSAGE_CHARS,
                 env: Mapping[str, str] | None = None) -> Gate:
        return cls(RateLimits.from_env(env), max_message_chars)

    async def check(self, conversation_id: str, text: str, address: str | None = None) -> Verdict:
        """What to do with a message: pass `Verdict.text` on, or answer `Verdict.refusal`."""
        cleaned = replies.clean_text(text)
        if not await self.limits.admit(conversation_id, address):
            logger.warning("Rate limit reached by %s%s; the message was not passed on", conversation_id,
                           f" from {address}" if address else "")
            seconds = math.ceil(max(rate.seconds for rate in (self.limits.per_conversation, self.limits.per_address)
                                    if rate))
            return Verdict(cleaned, Refusal("TooManyRequests", replies.RATE_LIMITED.format(seconds=seconds), seconds))
        answer = replies.check_text(cleaned, self.max_message_chars)
        if answer is not None:
            return Verdict(cleaned, Refusal("EmptyMessage" if not cleaned else "MessageTooLong", answer))
        return Verdict(cleaned)

    async def close(self) -> None:
        await self.limits.close()
