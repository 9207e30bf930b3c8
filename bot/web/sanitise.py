"""Make bot messages safe to render in rasa-webchat, on the server, before they reach a browser.

rasa-webchat renders bot text as markdown with link sanitising switched off, and turns `url` / `src`
fields of buttons, carousels and videos into live `href` / `src` attributes. Anything a catalogue
editor (or, through an echo, a resident) types could therefore become a `javascript:` link.

The rules, in order of strength:
- a URL field whose scheme is not http, https, mailto or tel is removed;
- a text that could carry markup or an unsafe link (an HTML tag, or a `scheme:` other than those
  four, after the decoding a browser or a markdown parser would do) loses its markdown: the ASCII
  characters links, autolinks, entities and tags are made of become their full-width forms, which
  read naturally in Chinese and which no markdown parser or browser treats as syntax.

Ordinary answers (Chinese text, http links, **bold**) pass unchanged. The page adds its own
defences (a patched link transform and a Content-Security-Policy without inline scripts).
"""

from __future__ import annotations

import html
import re
from typing import Any

SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
# Keys whose string values rasa-webchat puts into href / src attributes.
URL_KEYS = frozenset({"url", "src", "href", "image_url"})
TEXT_KEYS = frozenset({"text"})

_SCHEME = re.compile(r"(?<![A-Za-z0-9+.\-])([A-Za-z][A-Za-z0-9+.\-]*):")
_TAG = re.compile(r"<\s*[A-Za-z!/?]")
# Browsers drop ASCII tab and newline anywhere in a URL, and C0 controls and spaces around it.
_URL_IGNORED = re.compile(r"[\x00-\x20\x7f]")
_FULL_WIDTH = str.maketrans({"<": "＜", ">": "＞", "[": "［", "]": "］", "(": "（", ")": "）",
                             "&": "＆", ":": "：", "\\": "＼", "`": "｀"})


def _decoded(value: str) -> str:
    """What a browser or markdown parser may see: entities decoded, escapes and tabs gone."""
    previous = None
    while previous != value:  # entities can be nested: &amp;#106; → &#106; → j
        previous, value = value, html.unescape(value)
    return value.replace("\\", "").replace("\t", "").replace("\n", "").replace("\r", "")


def unsafe_schemes(text: str) -> set[str]:
    """The URL schemes in `text` (after decoding) that are not on the safe list."""
    return {match.group(1).lower() for match in _SCHEME.finditer(_decoded(text))} - SAFE_SCHEMES


def is_safe_url(value: str) -> bool:
    """True for relative URLs and for http, https, mailto and tel ones."""
    probe = _URL_IGNORED.sub("", _decoded(value))
    match = re.match(r"([A-Za-z][A-Za-z0-9+.\-]*):", probe)
    return match is None or match.group(1).lower() in SAFE_SCHEMES


def safe_text(text: str) -> str:
    """`text` unchanged when it is harmless, else with its markup characters made full-width."""
    if not unsafe_schemes(text) and not _TAG.search(_decoded(text)) and not _TAG.search(text):
        return text
    return text.translate(_FULL_WIDTH)


def sanitise_message(message: Any) -> Any:
    """A copy of a bot message (dicts, lists, strings) with texts made safe and unsafe URLs removed."""
    if isinstance(message, dict):
        cleaned = {}
        for key, value in message.items():
            if key in URL_KEYS and isinstance(value, str):
                if is_safe_url(value):
                    cleaned[key] = value
            elif key in TEXT_KEYS and isinstance(value, str):
                cleaned[key] = safe_text(value)
            else:
                cleaned[key] = sanitise_message(value)
        return cleaned
    if isinstance(message, list):
        return [sanitise_message(item) for item in message]
    return message
