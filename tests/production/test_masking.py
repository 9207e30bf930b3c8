"""The masking rules (bot/privacy/masking.py), the log filter and the stored event data; no server."""

from __future__ import annotations

import json
import logging

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.privacy import logs
from bot.privacy.masking import ID_CHECK_DIGITS, ID_WEIGHTS, luhn_valid, mask_text
from bot.privacy.tracker_store import masked_event_data


def id_card(first17: str) -> str:
    return first17 + ID_CHECK_DIGITS[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def bank_card(prefix: str) -> str:
    return next(prefix + d for d in "0123456789" if luhn_valid(prefix + d))


def test_the_three_kinds_are_masked_as_specified() -> None:
    assert mask_text("身份证370102199003071238") == "身份证370102********1238"
    assert mask_text("11010519491231002X号") == "110105********002X号"
    assert mask_text("电话13812345678。") == "电话138****5678。"
    assert mask_text("卡号6222021234567894") == "卡号6222********7894"
    assert mask_text("+8613812345678") == "+86138****5678"
    assert mask_text("138 1234 5678 / 6222-0212-3456-7894") == "138 **** 5678 / 6222-****-****-7894"


def test_ordinary_figures_stay() -> None:
    text = "改造13个小区105万平方米，总用地3605公顷，2020年，事项编码SZ-TAL-01，热线12345，电话0531-12345678"
    assert mask_text(text) == text
    assert mask_text("370102199003071239") == "370102199003071239"  # wrong check digit
    assert mask_text("6222021234567895") == "6222021234567895"  # fails Luhn
    assert mask_text("12812345678") == "12812345678"  # no mobile starts 12


def test_numbers_in_json_escaped_text_are_masked() -> None:
    rendered = json.dumps({"text": "手机号13812345678，身份证11010519491231002X"})
    assert "13812345678" not in mask_text(rendered) and "138****5678" in mask_text(rendered)
    assert "110105********002X" in mask_text(rendered)


# Any text around a number but digits, and backslashes (a "\\u12" right before a number reads as a
# JSON escape that the number continues: documented in docs/privacy.md).
surroundings = st.text(alphabet=st.characters(blacklist_categories=["Cs", "Nd"], blacklist_characters="\\"),
                       max_size=20)


@settings(max_examples=200)
@given(before=surroundings, after=surroundings,
       body=st.text(alphabet="0123456789", min_size=16, max_size=16))
def test_any_valid_id_card_is_masked(before: str, after: str, body: str) -> None:
    number = id_card("1" + body)
    masked = mask_text(before + number + after)
    assert number not in masked and number[:6] + "*" * 8 + number[-4:] in masked


@settings(max_examples=200)
@given(before=surroundings, after=surroundings, second=st.sampled_from("3456789"),
       rest=st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_any_mobile_is_masked(before: str, after: str, second: str, rest: str) -> None:
    number = "1" + second + rest
    expected = mask_text(before) + number[:3] + "****" + number[-4:] + mask_text(after)
    assert mask_text(before + number + after) == expected


@settings(max_examples=200)
@given(before=surroundings, after=surroundings, prefix=st.text(alphabet="0123456789", min_size=12, max_size=18))
def test_any_luhn_number_of_13_to_19_digits_is_masked(before: str, after: str, prefix: str) -> None:
    number = bank_card(prefix)
    masked = mask_text(before + number + after)
    assert number not in masked and number[:4] in masked and number[-4:] in masked


@given(st.text())
def test_masking_is_idempotent(text: str) -> None:
    assert mask_text(mask_text(text)) == mask_text(text)


def test_stored_event_data_is_a_masked_copy() -> None:
    event = {"event": "user", "timestamp": 1.0, "message_id": "13812345678aa", "text": "手机13812345678",
             "parse_data": {"text": "手机13812345678",
                            "entities": [{"entity": "phone", "value": "13812345678", "start": 2}]},
             "metadata": {"card": "6222021234567894"}}
    original = json.dumps(event)
    masked = masked_event_data(event)
    assert json.dumps(event) == original, "the event itself is not changed"
    assert masked["text"] == masked["parse_data"]["text"] == "手机138****5678"
    assert masked["parse_data"]["entities"][0]["value"] == "138****5678"
    assert masked["metadata"]["card"] == "6222********7894"
    assert masked["message_id"] == "13812345678aa" and masked["timestamp"] == 1.0


def test_slot_values_are_masked() -> None:
    slot = {"event": "slot", "name": "phone", "value": ["13812345678", {"card": "6222021234567894"}]}
    assert masked_event_data(slot)["value"] == ["138****5678", {"card": "6222********7894"}]


def test_log_records_are_masked(caplog) -> None:
    logs.install()
    logger = logging.getLogger("rasa.test.privacy")
    with caplog.at_level(logging.INFO):
        logger.info("user said %s and %r", "手机13812345678", {"card": "6222021234567894"})
        try:
            raise ValueError("身份证11010519491231002X")
        except ValueError:
            logger.exception("failed on %s", "13812345678")
    text = caplog.text
    for raw in ("13812345678", "6222021234567894", "11010519491231002X"):
        assert raw not in text
    assert "138****5678" in text and "6222********7894" in text and "110105********002X" in text
