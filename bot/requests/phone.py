"""Phone numbers a resident leaves for a callback: found, validated and shown masked.

A number is found by the same rules that mask it (bot/privacy/masking.py): whatever the form takes
for a phone number, the tracker store and the logs mask too.
"""

from __future__ import annotations

import re
import unicodedata

from bot.privacy.masking import find_numbers

PHONE_KINDS = frozenset({"mobile", "landline"})
# What may surround the digits of a number written on its own: spaces, dashes, dots, brackets, +.
SEPARATORS = re.compile(r"[\s\-－—.·()（）+]")
MOBILE_DIGITS = 11


def find_phone(text: str) -> str | None:
    """The digits of the first mobile (11 digits, a 86/0086 prefix dropped) or landline with area
    code in `text` ("我的电话是138 1234 5678"), or None."""
    for found in find_numbers(text or ""):
        if found.kind.name in PHONE_KINDS:
            return found.chars[-MOBILE_DIGITS:] if found.kind.name == "mobile" else found.chars
    return None


def normalise_phone(text: str) -> str | None:
    """The digits of `text` when it is a phone number and nothing else, else None.

    Full-width digits, separators and a +86 prefix are accepted; anything else (letters, too few
    or too many digits, a local number without area code) is not a number staff could call.
    """
    phone = find_phone(text)
    if phone is None:
        return None
    compact = SEPARATORS.sub("", unicodedata.normalize("NFKC", text))
    return phone if compact in (phone, f"86{phone}", f"0086{phone}") else None


def mask_phone(phone: str) -> str:
    """138****5678 / 0531****5678: enough for a resident to recognise, not enough to call."""
    return phone[:-8] + "****" + phone[-4:] if len(phone) >= 11 else phone[:3] + "****" + phone[-4:]


def last_four(phone: str) -> str:
    """"尾号5678": how the assistant shows a number back to the resident who gave it."""
    return f"尾号{phone[-4:]}"
