"""Whose conversation a message belongs to: decided by the server, one namespace per channel.

A conversation id (Rasa's `sender_id`, the key of the tracker store and of the staff records) is
`wx:<openid>` for a WeChat follower (the openid WeChat signed for), `rest:<sender>` for a REST
client (the trusted integration names its own users, but cannot reach another channel's
conversations) and `web:<id>` for the widget, where `<id>` is a random id the server issued and
signed: the widget gets `<id>.<signature>` (its session id) and must present it with every message,
so a browser can resume only a conversation whose signed id it was given. The signing key is the
deployment's secret `conversation-signing-key` (bot/secrets.py, `CONVERSATION_SIGNING_KEY`),
shared by every instance.
"""

from __future__ import annotations

import hashlib
import re
import uuid

from itsdangerous import BadSignature, Signer

from bot import secrets

WECHAT_PREFIX, REST_PREFIX, WEB_PREFIX = "wx:", "rest:", "web:"
SIGNING_KEY_SECRET, SIGNING_KEY_ENV = "conversation-signing-key", "CONVERSATION_SIGNING_KEY"
_SALT = "shizhong.web-conversation"
_WEB_ID = re.compile(r"[0-9a-f]{32}")


def wechat_conversation(openid: str) -> str:
    """The conversation of a WeChat follower."""
    return WECHAT_PREFIX + openid


def rest_conversation(sender: str) -> str:
    """The conversation a REST client calls `sender` (Rasa's HTTP API reads its tracker by this id)."""
    return REST_PREFIX + sender


class WebSessions:
    """Issues the widget's signed session ids and turns a presented one back into its conversation."""

    def __init__(self, key: str | None = None) -> None:
        self._signer = Signer(key or secrets.secret(SIGNING_KEY_SECRET, SIGNING_KEY_ENV), salt=_SALT,
                              digest_method=hashlib.sha256)

    def issue(self) -> str:
        """A new session id (`<id>.<signature>`) for a new conversation."""
        return self._signer.sign(uuid.uuid4().hex).decode("ascii")

    def conversation(self, session_id: object) -> str | None:
        """`web:<id>` for a session id this deployment signed; None for anything else."""
        if not isinstance(session_id, str) or len(session_id) > 200:
            return None
        try:
            raw = self._signer.unsign(session_id).decode("ascii")
        except (BadSignature, UnicodeError):
            return None
        return WEB_PREFIX + raw if _WEB_ID.fullmatch(raw) else None
