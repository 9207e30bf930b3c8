"""No query string in any log line: WeChat's signature and the HTTP API's `?token=` sign requests.

A WeChat signature covers only the token, a timestamp and a nonce, and the HTTP API takes its
token as `?token=`: a log line with a request's query string hands both to whoever reads the log.
The log filter of every process of ours (bot/privacy/logs.py, with the masking of personal
numbers) removes query strings with `strip_query_strings` from Sanic's access log (its `request`
field is `GET http://host/path?query`) and from every record's message and traceback (Sanic's
"Exception occurred while handling uri: '…?signature=…'", Rasa's, ours). It also blanks
`signature=`, `msg_signature=`, `token=`, `access_token=`, `echostr=` and `nonce=` values that
appear outside a URL. The path stays, so a log still says what was asked. No I/O.
"""

from __future__ import annotations

import re

REMOVED = "?[…]"
_URL_QUERY = re.compile(r"((?:[A-Za-z][A-Za-z0-9+.-]*://[^\s/?#'\"<>]+)?/[^\s?#'\"<>]*)\?[^\s#'\"<>]*")
_SECRET_PARAMETER = re.compile(r"\b((?:msg_)?signature|(?:access_)?token|echostr|nonce)=[^&\s'\"<>]+",
                               re.IGNORECASE)


def strip_query_strings(text: str) -> str:
    """`text` with every URL's query string replaced by `REMOVED`, and secret parameters blanked."""
    if "=" not in text and "?" not in text:
        return text
    return _SECRET_PARAMETER.sub(r"\1=[…]", _URL_QUERY.sub(lambda match: match[1] + REMOVED, text))
