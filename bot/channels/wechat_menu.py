"""What to ask the assistant for each kind of WeChat message, from `wechat_menu.yml`.

Text goes to the assistant as it is; voice goes as its speech recognition (语音识别) when WeChat
supplies one; `subscribe` and menu `CLICK` keys become the questions the YAML file names; other
message types get a fixed polite text; other events (unsubscribe, VIEW, ...) get no reply.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from wechatpy.messages import BaseMessage

DEFAULT_MENU = Path(__file__).with_name("wechat_menu.yml")


@dataclass(frozen=True)
class Incoming:
    """What a WeChat message means here: a question for the assistant, or a fixed reply."""

    question: str | None = None
    reply: str | None = None


@dataclass(frozen=True)
class Menu:
    subscribe: str
    unsupported: str
    unknown_menu: str
    click: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path = DEFAULT_MENU) -> Menu:
        """Read and check the menu file; a missing entry raises `ValueError` naming it."""
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as error:
            raise ValueError(f"cannot read the WeChat menu file {path}: {error}") from error
        replies = raw.get("replies") or {}
        click = raw.get("click") or {}
        required = {"subscribe": raw.get("subscribe"), "replies.unsupported": replies.get("unsupported"),
                    "replies.unknown_menu": replies.get("unknown_menu")}
        missing = [name for name, value in required.items() if not isinstance(value, str) or not value]
        if missing or not isinstance(click, dict):
            raise ValueError(f"{path}: needs text for {', '.join(missing) or 'click (a mapping)'}")
        bad = [str(key) for key, question in click.items() if not isinstance(question, str) or not question]
        if bad:
            raise ValueError(f"{path}: menu keys without a question: {', '.join(bad)}")
        return cls(raw["subscribe"], replies["unsupported"], replies["unknown_menu"],
                   {str(key): question for key, question in click.items()})

    def incoming(self, message: BaseMessage) -> Incoming:
        """What to do with `message`; `Incoming()` (both None) means answer nothing."""
        if message.type == "text":  # an empty text is answered by the gate (bot/guard/gate.py)
            return Incoming(question=(message.content or "").strip())
        if message.type == "voice" and (message.recognition or "").strip():
            return Incoming(question=message.recognition.strip())
        if message.type != "event":
            return Incoming(reply=self.unsupported)
        if message.event in ("subscribe", "subscribe_scan"):
            return Incoming(question=self.subscribe)
        if message.event == "click":
            question = self.click.get(message.key or "")
            return Incoming(question=question) if question else Incoming(reply=self.unknown_menu)
        return Incoming()
