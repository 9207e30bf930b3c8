"""Phone numbers a resident leaves for a callback: normalised, validated and masked for display."""

from __future__ import annotations

import re
import unicodedata

from bot.privacy.masking import is_mobile

# Area code (3–4 digits starting with 0) and a 7–8 digit local number, e.g. 0531-87654321.
LANDLINE = re.compile(r"0\d{2,3}[2-9]\d{6,7}")
# What may separate the digits as people write them: spaces, dashes, dots, brackets.
SEPARATORS = re.compile(r"[\s\-－—.·()（）]")
COUNTRY_PREFIX = re.compile(r"^(?:\+?86)(?=1[3-9]\d{9}$)")


def normalise_phone(text: str) -> str | None:
    """The digits of a valid mobile (11 digits) or landline number with area code, else None.

    Full-width digits, separators and a +86 prefix are accepted; anything else (letters, too few
    or too many digits, a local number without area code) is not a number staff could call.
    """
    compact = SEPARATORS.sub("", unicodedata.normalize("NFKC", text or "")).strip()
    compact = COUNTRY_PREFIX.sub("", compact)
    if not compact.isdigit():
        return None
    if is_mobile(compact) or LANDLINE.fullmatch(compact):
        return compact
    return None


def find_phone(text: str) -> str | None:
    """The first valid number inside a sentence ("我的电话是138 1234 5678"), or None."""
    normalised = normalise_phone(text)
    if normalised:
        return normalised
    for candidate in re.findall(r"[+0-9０-９][0-9０-９\s\-－()（）]{5,20}[0-9０-９]", text or ""):
        normalised = normalise_phone(candidate)
        if normalised:
            return normalised
    return None


def mask_phone(phone: str) -> str:
    """138****5678 / 0531****5678: enough for a resident to recognise, not enough to call."""
    return phone[:-8] + "****" + phone[-4:] if len(phone) >= 11 else phone[:3] + "****" + phone[-4:]
