"""Pressing every button a running assistant shows, breadth-first, as a resident's tap sends it.

A press continues the conversation that showed the button: that conversation's events (Rasa's HTTP
API, `GET …/tracker`) are copied into a new one (`PUT …/tracker/events`), and the button's payload
is sent there through the REST channel, so every button of a reply is pressed from the same state
without replaying the turns before it. The turn's events tell what the reply was: the routing
decision in the bot messages' metadata (actions/replies.py), the response a message came from
(`utter_action`), and whether the turn was counted as a failure (the `last_failure_turn` slot,
actions/failures.py).
"""

from __future__ import annotations

import json
import urllib.request
import uuid
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from bot.channels.conversations import rest_conversation

# What a reply that falls back looks like, whichever way it was made.
FALLBACK_DECISIONS = frozenset({"rephrase", "unsure_offer", "nothing_fits", "not_found", "out_of_scope",
                                "centre_elsewhere", "nothing_offered", "which_more", "nothing_more",
                                "catalogue_unavailable"})
FALLBACK_RESPONSES = frozenset({"utter_ask_rephrase", "utter_default", "utter_out_of_scope"})
FALLBACK_WORDS = ("没有找到", "没能理解", "不太确定您想问什么")


@dataclass
class Reply:
    """One turn as the tracker recorded it: the bot messages, the actions run, the slots set."""

    said: str
    messages: list[dict[str, Any]]
    actions: list[str]
    slots: dict[str, Any]
    events: list[dict[str, Any]]  # the whole conversation after this turn

    @property
    def routing(self) -> list[dict[str, Any]]:
        return [m["metadata"]["routing"] for m in self.messages if (m.get("metadata") or {}).get("routing")]

    @property
    def decisions(self) -> list[str]:
        return [r["decision"] for r in self.routing]

    @property
    def responses(self) -> list[str]:
        return [m["metadata"]["utter_action"] for m in self.messages if (m.get("metadata") or {}).get("utter_action")]

    @property
    def buttons(self) -> list[dict[str, str]]:
        return [b for m in self.messages for b in (m.get("data") or {}).get("buttons") or []]

    @property
    def text(self) -> str:
        return "\n".join(m.get("text") or "" for m in self.messages)

    @property
    def active_loop(self) -> str | None:
        loops = [e.get("name") for e in self.events if e.get("event") == "active_loop"]
        return loops[-1] if loops else None

    def fallback(self) -> str | None:
        """Why this reply counts as falling back, or None."""
        if not self.messages:
            return "no reply"
        if "last_failure_turn" in self.slots:
            return "counted as a failure (last_failure_turn)"
        bad = set(self.decisions) & FALLBACK_DECISIONS or set(self.responses) & FALLBACK_RESPONSES
        if bad:
            return f"fell back: {sorted(bad)}"
        words = [w for w in FALLBACK_WORDS if w in self.text]
        return f"says {words}" if words else None


@dataclass
class Press:
    """A button pressed: where it was shown and what its press got."""

    title: str
    payload: str
    shown_by: str  # what the reply showing it was: its decision or response
    path: tuple[str, ...]  # what was said and pressed before, from the start
    reply: Reply


@dataclass
class Walk:
    presses: list[Press] = field(default_factory=list)
    starts: list[Reply] = field(default_factory=list)

    def failures(self) -> list[str]:
        return [f"{' → '.join((*p.path, p.payload))} (button {p.title!r} of {p.shown_by}): {p.reply.fallback()}"
                f"\n    got: {p.reply.text[:200]!r}" for p in self.presses if p.reply.fallback()]


class Assistant:
    """A running assistant: its REST channel and (with the token) Rasa's HTTP API."""

    def __init__(self, url: str, token: str, timeout: float = 30) -> None:
        self.url, self.token, self.timeout = url.rstrip("/"), token, timeout

    def _request(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
        request = urllib.request.Request(f"{self.url}{path}", data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            return json.loads(response.read() or b"null")

    def _conversation(self, sender: str) -> str:
        return f"/conversations/{quote(rest_conversation(sender), safe=':')}"

    def events(self, sender: str) -> list[dict[str, Any]]:
        return self._request("GET", f"{self._conversation(sender)}/tracker?token={self.token}")["events"]

    def copy(self, events: list[dict[str, Any]], sender: str) -> None:
        self._request("PUT", f"{self._conversation(sender)}/tracker/events?token={self.token}", events)

    def say(self, sender: str, text: str) -> Reply:
        """Send `text` as `sender` through the REST channel; the turn as the tracker recorded it."""
        self._request("POST", "/webhooks/rest/webhook", {"sender": sender, "message": text})
        events = self.events(sender)
        last_user = max(i for i, e in enumerate(events) if e.get("event") == "user")
        turn = events[last_user + 1:]
        return Reply(said=text, messages=[e for e in turn if e.get("event") == "bot"],
                     actions=[e["name"] for e in turn if e.get("event") == "action"],
                     slots={e["name"]: e.get("value") for e in turn if e.get("event") == "slot"},
                     events=events)


def shown_by(reply: Reply) -> str:
    """What made the reply, in words a failure message can name."""
    return "/".join(reply.decisions or reply.responses or [a for a in reply.actions if a != "action_listen"][-1:])


def new_sender() -> str:
    return f"walk-{uuid.uuid4().hex[:16]}"


def walk(assistant: Assistant, starts: Iterable[tuple[str, ...]], most: int = 5000) -> Walk:
    """Say each start's turns in a new conversation, then press every button reached, breadth-first;
    a button is pressed once for each payload (once more inside a form, whose answers differ)."""
    result = Walk()
    queue: deque[tuple[Reply, tuple[str, ...]]] = deque()
    for turns in starts:
        sender = new_sender()
        reply = None
        for text in turns:
            reply = assistant.say(sender, text)
        assert reply is not None, "a start needs at least one turn"
        result.starts.append(reply)
        queue.append((reply, turns))
    pressed: set[tuple[str | None, str]] = set()
    while queue and len(result.presses) < most:
        parent, path = queue.popleft()
        if parent.fallback():
            continue  # a start that fell back is reported by the test; its buttons are no answer
        for button in parent.buttons:
            key = (parent.active_loop, button["payload"])
            if key in pressed:
                continue
            pressed.add(key)
            sender = new_sender()
            assistant.copy(parent.events, sender)
            reply = assistant.say(sender, button["payload"])
            result.presses.append(Press(button["title"], button["payload"], shown_by(parent), path, reply))
            queue.append((reply, (*path, button["payload"])))
    return result
