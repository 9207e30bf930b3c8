"""What the assistant answers when a message cannot be answered normally; no I/O, no Rasa.

A channel passes what the user sent through `bot.guard.gate.Gate` (which calls `clean_text`,
`check_text` and the rate limits), answers `EMPTY`, `TOO_LONG` or `RATE_LIMITED` itself when it
says so, and passes the assistant's replies through `ensure_reply`, so that a resident
never gets silence: when the assistant produced nothing (the action server down, an error in the
dialogue) or the turn failed (a store down), the resident gets `UNAVAILABLE`, which names the
12345 hotline.
"""

from __future__ import annotations

import re
from typing import Any

# The longest question answered; longer ones are asked to be shortened (a real question is a few
# dozen characters; Rasa answers 10,000 but the answer means nothing, and 1,000,000 crash spaCy).
MAX_MESSAGE_CHARS = 2000

EMPTY = "您好，请输入您要咨询的问题，例如“经纬人才计划讲的是什么”或“临时救助在哪申请”。"
TOO_LONG = ("您的消息太长了（超过{limit}字），请用一两句话说明您要咨询的问题，"
            "例如“人才落户要带什么材料”；也可以拨打12345市民服务热线咨询。")
UNAVAILABLE = ("抱歉，系统暂时无法回答这个问题，请稍后再试，"
               "或拨打12345市民服务热线咨询，工作人员会为您解答。")
# A conversation (or an address) over its rate limit (bot/guard/rate.py).
RATE_LIMITED = ("您发送消息太快了，请稍等{seconds}秒左右再继续提问。"
                "如有急事，也可以拨打12345市民服务热线。")
# A widget message whose session id the server did not issue (or none): bot/channels/socketio.py.
SESSION_INVALID = "抱歉，这个会话已失效，请刷新页面后重新提问；也可以拨打12345市民服务热线咨询。"

# C0 and C1 control characters except tab and newline, and lone surrogates (not encodable in
# UTF-8, so neither storable nor loggable). A control character becomes a space.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """`text` without control characters or lone surrogates, stripped."""
    return _SURROGATE.sub("", _CONTROL.sub(" ", text)).strip()


def check_text(text: str, limit: int = MAX_MESSAGE_CHARS) -> str | None:
    """The answer for a cleaned message the assistant should not see, or None to pass it on."""
    if not text:
        return EMPTY
    if len(text) > limit:
        return TOO_LONG.format(limit=limit)
    return None


def is_command(text: str) -> bool:
    """"/intent{...}" payloads (buttons, /restart) may legitimately be answered with nothing."""
    return text.startswith("/")


def ensure_reply(messages: list[dict[str, Any]], recipient_id: str, text: str,
                 failed: bool = False) -> list[dict[str, Any]]:
    """`messages`, or `UNAVAILABLE` when the assistant answered a question with nothing.

    A turn that `failed` (raised: its conversation could not be read, stored or locked) gets
    `UNAVAILABLE` even if it had produced replies: they may not be in the conversation's record,
    and a resident must never see an answer the next turn does not know was given."""
    if failed:
        return [{"recipient_id": recipient_id, "text": UNAVAILABLE}]
    if messages or is_command(text):
        return messages
    return [{"recipient_id": recipient_id, "text": UNAVAILABLE}]
