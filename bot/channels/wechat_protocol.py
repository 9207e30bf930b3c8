"""The WeChat Official Account message protocol: signatures, 安全模式 crypto, safe XML, replies.

wechatpy supplies the AES cipher and the message classes; this module adds what it lacks for a
server facing the internet: constant-time signature checks, timestamps that must be recent (a
signature covers only token, timestamp and nonce, so an old one must not sign a new message), key
validation with real errors, XML parsing that refuses DOCTYPE and entity declarations, fields of
the shape a message has (one piece of text each), and CDATA-safe reply rendering. No I/O.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import struct
import time
from typing import Any
from xml.parsers.expat import ExpatError

import xmltodict
from wechatpy.crypto import PrpCrypto
from wechatpy.events import EVENT_TYPES, BaseEvent
from wechatpy.exceptions import InvalidAppIdException
from wechatpy.messages import MESSAGE_TYPES, BaseMessage, UnknownMessage

MAX_BODY_BYTES = 64 * 1024
AES_KEY_LENGTH = 43
# How far a request's timestamp may be from this server's clock, either way (seconds).
TIMESTAMP_WINDOW_SECONDS = 300
REQUIRED_FIELDS = ("ToUserName", "FromUserName", "CreateTime", "MsgType")
_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_OPENID = re.compile(r"[A-Za-z0-9_-]{1,64}")


class WeChatRequestError(Exception):
    """A request this channel refuses; `status` is the HTTP status to answer with."""

    status = 400


class SignatureError(WeChatRequestError):
    """A missing or wrong signature: the request does not come from WeChat."""

    status = 403


def signature(token: str, *parts: str) -> str:
    """WeChat's signature: SHA-1 of the token and the parts, sorted and joined."""
    return hashlib.sha1("".join(sorted([token, *parts])).encode("utf-8")).hexdigest()


def check_signature(token: str, claimed: str | None, *parts: str | None) -> None:
    """Raise `SignatureError` unless `claimed` is the signature of `parts` under `token`."""
    if not claimed or any(not part for part in parts):
        raise SignatureError("signature, timestamp or nonce missing")
    if not hmac.compare_digest(signature(token, *parts).encode(), claimed.lower().encode()):
        raise SignatureError("signature does not match")


def check_timestamp(timestamp: str | None, now: float | None = None,
                    window: float = TIMESTAMP_WINDOW_SECONDS) -> None:
    """Raise `SignatureError` unless `timestamp` (seconds) is within `window` of `now`."""
    if not timestamp or not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        raise SignatureError("the timestamp is not a number of seconds")
    drift = int(timestamp) - (time.time() if now is None else now)
    if abs(drift) > window:
        raise SignatureError(f"the timestamp is {drift:+.0f} s from now (more than {window:g} s)")


def check_fields(fields: dict[str, Any]) -> None:
    """Raise `WeChatRequestError` unless every field is one piece of text (not repeated, not
    nested) and the fields every message has are there (and `Content` for text)."""
    shaped = sorted(name for name, value in fields.items() if value is not None and not isinstance(value, str))
    if shaped:
        raise WeChatRequestError(f"fields repeated or nested: {', '.join(shaped)}")
    missing = [name for name in REQUIRED_FIELDS if not fields.get(name)]
    kind = str(fields.get("MsgType") or "").lower()
    if kind == "text" and "Content" not in fields:
        missing.append("Content")
    if kind == "event" and not fields.get("Event"):
        missing.append("Event")
    if missing:
        raise WeChatRequestError(f"fields missing: {', '.join(missing)}")
    if not _OPENID.fullmatch(fields["FromUserName"]):
        raise WeChatRequestError("FromUserName is not an openid")


def decode_aes_key(encoding_aes_key: str) -> bytes:
    """The 32-byte AES key behind an EncodingAESKey (43 characters of base64)."""
    if len(encoding_aes_key) != AES_KEY_LENGTH:
        raise ValueError(f"the EncodingAESKey has {AES_KEY_LENGTH} characters, "
                         f"this one has {len(encoding_aes_key)}")
    try:
        key = base64.b64decode(encoding_aes_key + "=", validate=True)
    except binascii.Error as error:
        raise ValueError(f"the EncodingAESKey is not base64: {error}") from error
    if len(key) != 32:
        raise ValueError(f"the EncodingAESKey decodes to {len(key)} bytes, not 32")
    return key


def parse_xml(body: bytes | str) -> dict[str, Any]:
    """The fields of a WeChat `<xml>` document; DOCTYPE, entities and bad XML raise."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    if len(raw) > MAX_BODY_BYTES:
        raise WeChatRequestError(f"body over {MAX_BODY_BYTES} bytes")
    if _DECLARATION.search(raw):
        raise WeChatRequestError("DOCTYPE and ENTITY declarations are not accepted")
    try:
        document = xmltodict.parse(raw, disable_entities=True)
    except (ExpatError, ValueError) as error:
        raise WeChatRequestError(f"malformed XML: {error}") from error
    fields = document.get("xml") if isinstance(document, dict) else None
    if not isinstance(fields, dict):
        raise WeChatRequestError("the document is not a WeChat <xml> message")
    return fields


def message_from(fields: dict[str, Any]) -> BaseMessage:
    """The wechatpy message or event object for parsed fields (as `wechatpy.parse_message`)."""
    message_type = str(fields.get("MsgType") or "").lower()
    if message_type != "event":
        return MESSAGE_TYPES.get(message_type, UnknownMessage)(fields)
    event = str(fields.get("Event") or "").lower()
    return EVENT_TYPES.get(event, BaseEvent)(fields)


class MessageCrypto:
    """安全模式 (and compatible mode): decrypt requests and encrypt replies with the account's key."""

    def __init__(self, token: str, encoding_aes_key: str, appid: str) -> None:
        self.token = token
        self.key = decode_aes_key(encoding_aes_key)
        self.appid = appid

    def decrypt(self, fields: dict[str, Any], msg_signature: str | None, timestamp: str | None,
                nonce: str | None) -> dict[str, Any]:
        """The plaintext fields inside an encrypted request, after checking its msg_signature."""
        encrypted = fields.get("Encrypt")
        if not isinstance(encrypted, str) or not encrypted:
            raise WeChatRequestError("encrypt_type=aes but no <Encrypt> in the body")
        check_signature(self.token, msg_signature, timestamp, nonce, encrypted)
        try:
            plaintext = PrpCrypto(self.key).decrypt(encrypted, self.appid)
        except InvalidAppIdException as error:
            raise SignatureError("the message is for another AppID") from error
        except (ValueError, IndexError, struct.error) as error:
            raise WeChatRequestError(f"cannot decrypt the message: {error}") from error
        return parse_xml(plaintext)

    def encrypt(self, reply_xml: str, nonce: str, timestamp: str | None = None) -> str:
        """The encrypted envelope WeChat expects for `reply_xml`."""
        timestamp = timestamp or str(int(time.time()))
        encrypted = PrpCrypto(self.key).encrypt(reply_xml, self.appid).decode("ascii")
        return ("<xml>"
                f"<Encrypt>{_cdata(encrypted)}</Encrypt>"
                f"<MsgSignature>{_cdata(signature(self.token, timestamp, nonce, encrypted))}</MsgSignature>"
                f"<TimeStamp>{int(timestamp)}</TimeStamp>"
                f"<Nonce>{_cdata(nonce)}</Nonce>"
                "</xml>")


def text_reply(to_user: str, from_user: str, content: str, created: int | None = None) -> str:
    """A passive text reply (被动回复) as XML."""
    return ("<xml>"
            f"<ToUserName>{_cdata(to_user)}</ToUserName>"
            f"<FromUserName>{_cdata(from_user)}</FromUserName>"
            f"<CreateTime>{int(created if created is not None else time.time())}</CreateTime>"
            "<MsgType><![CDATA[text]]></MsgType>"
            f"<Content>{_cdata(content)}</Content>"
            "</xml>")


def _cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"
