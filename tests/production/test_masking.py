"""The masking rules (bot/privacy/masking.py), numbers split over two messages, the log filter and
the stored event data; no server."""

from __future__ import annotations

import json
import logging
import re
import unicodedata

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.privacy import logs
from bot.privacy.continued import continuation
from bot.privacy.masking import mask_every_number, mask_text
from bot.privacy.normalise import normalise_char
from bot.privacy.numbers import ID_CHECK_DIGITS, ID_WEIGHTS, luhn_valid
from bot.privacy.tracker_store import masked_event_data
from bot.requests.phone import find_phone


def id_card(first17: str) -> str:
    return first17 + ID_CHECK_DIGITS[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def bank_card(prefix: str) -> str:
    return next(prefix + d for d in "0123456789" if luhn_valid(prefix + d))


def digits_of(text: str) -> str:
    """The digits of `text` as the masking reads them (full-width and other digits made ASCII)."""
    return "".join(c for char in text for c in normalise_char(char) if c.isdigit())


ID_18 = id_card("37010219900307123")  # 370102199003071238
ID_WRONG_CHECK = ID_18[:-1] + str((int(ID_18[-1]) + 1) % 10)


@pytest.mark.parametrize(("written", "masked"), [
    # the three kinds of the first version, as before
    (f"身份证{ID_18}", "身份证370102********1238"),
    ("11010519491231002X号", "110105********002X号"),
    ("电话13812345678。", "电话138****5678。"),
    ("卡号6222021234567894", "卡号6222********7894"),
    ("+8613812345678", "+86138****5678"),
    ("138 1234 5678 / 6222-0212-3456-7894", "138 **** 5678 / 6222-****-****-7894"),
    # full-width digits and separators (NFKC), other dashes, dots, ideographic spaces
    ("１３８１２３４５６７８", "１３８****５６７８"),
    ("１３８－１２３４－５６７８", "１３８－****－５６７８"),
    ("138.1234.5678", "138.****.5678"),
    ("138—1234—5678", "138—****—5678"),
    ("138\u30001234\u30005678", "138\u3000****\u30005678"),
    ("138·1234·5678", "138·****·5678"),
    ("1381 2345 678", "138* ***5 678"),
    ("0086 138 1234 5678", "0086 138 **** 5678"),
    # IDs in groups: 6-8-4, 6-4-4-4, fours
    ("370102 19900307 1238", "370102 ******** 1238"),
    ("370102 1990 0307 1238", "370102 **** **** 1238"),
    ("3701-0219-9003-0712-38", "3701-02**-****-**12-38"),
    # 15-digit IDs: by their shape alone, or after 身份证 whatever they are
    ("370102900307123", "370102******123"),
    ("身份证号370102999999123", "身份证号370102******123"),
    # an 18-character ID with a wrong check digit, and a partial one, after the keyword
    (f"身份证{ID_WRONG_CHECK}", f"身份证370102********{ID_WRONG_CHECK[-4:]}"),
    ("证件号码：370102199003", "证件号码：************"),
    # landlines with an area code, mobiles and cards in other groupings
    ("座机0531-87654321转123", "座机0531-****4321转123"),
    ("(0531)8765-4321", "(0531)****-4321"),
    ("（０５３１）８７６５４３２１", "（０５３１）****４３２１"),
    ("010-62345678", "010-****5678"),
    ("6222 0212 3456 7894", "6222 **** **** 7894"),
    ("银行卡号 6222 0212 3456 7890", "银行卡号 6222 **** **** 7890"),  # fails Luhn: the keyword says
    # e-mail addresses: the local part but its first character
    ("邮箱zhang.san@example.com。", "邮箱z********@example.com。"),
    ("１２３４５６７８９＠ｑｑ．ｃｏｍ", "１********＠ｑｑ．ｃｏｍ"),
])
def test_personal_numbers_in_every_shape_are_masked(written: str, masked: str) -> None:
    assert mask_text(written) == masked


@pytest.mark.parametrize("text", [
    "改造13个小区105万平方米，总用地3605公顷，2020年，事项编码SZ-TAL-01，热线12345",
    "2020.03.07 9:30", "2020-12-31", "版本3.6.21", "1712345678.123456", "1712345678.1",
    "370102199003071239",  # 18 digits, wrong check digit, no keyword
    "6222021234567895",  # fails Luhn, no keyword
    "12812345678",  # no mobile starts 12
    "0531-12345678",  # no local number starts 1
    "6222 0212 3456 7890",  # grouped like a card, fails Luhn
    "第1、2、3项，共 20 30 40 人",
])
def test_ordinary_figures_stay(text: str) -> None:
    assert mask_text(text) == text


def test_numbers_in_json_escaped_text_are_masked() -> None:
    rendered = json.dumps({"text": "手机号13812345678，身份证11010519491231002X，全角１３９１２３４５６７８"})
    masked = mask_text(rendered)
    assert "13812345678" not in masked and "138****5678" in masked
    assert "110105********002X" in masked
    assert digits_of(json.loads(masked)["text"]).endswith("1395678")
    json.loads(masked)  # still JSON


# Text around a number: no digits in any script, nothing that the view turns into one, no "@"
# (an e-mail address), no backslash (a "\u12" right before a number reads as a JSON escape).
surroundings = st.text(alphabet=st.characters(blacklist_categories=["Cs", "Nd", "No"], blacklist_characters="\\@＠﹫"),
                       max_size=20).filter(lambda text: not any(c.isdigit() for c in text for c in normalise_char(c)))
separators = st.sampled_from(["", " ", "-", ".", "－", "—", "\u3000", "·", " - "])


def written_in_groups(digits: str, sizes: tuple[int, ...], separator: str, full_width: bool) -> str:
    groups, start = [], 0
    for size in sizes:
        groups.append(digits[start:start + size])
        start += size
    text = separator.join(groups)
    return text.translate(str.maketrans("0123456789", "０１２３４５６７８９")) if full_width else text


@settings(max_examples=300)
@given(before=surroundings, after=surroundings, second=st.sampled_from("3456789"),
       rest=st.text(alphabet="0123456789", min_size=9, max_size=9), sizes=st.sampled_from([(11,), (3, 4, 4), (4, 4, 3),
                                                                                          (3, 8), (7, 4)]),
       separator=separators, full_width=st.booleans())
def test_any_mobile_however_written_is_masked(before, after, second, rest, sizes, separator, full_width) -> None:
    number = "1" + second + rest
    written = written_in_groups(number, sizes, separator, full_width)
    masked = mask_text(before + written + after)
    assert number not in digits_of(masked)
    assert digits_of(masked) == number[:3] + number[-4:]
    assert find_phone(before + written + after) == number  # what the form takes is what is masked


@settings(max_examples=200)
@given(before=surroundings, after=surroundings, body=st.text(alphabet="0123456789", min_size=16, max_size=16),
       sizes=st.sampled_from([(18,), (6, 8, 4), (6, 4, 4, 4), (4, 4, 4, 4, 2)]), separator=separators,
       full_width=st.booleans())
def test_any_valid_id_card_is_masked(before, after, body, sizes, separator, full_width) -> None:
    number = id_card("1" + body)
    masked = mask_text(before + written_in_groups(number, sizes, separator, full_width) + after)
    assert digits_of(masked) == digits_of(number[:6] + number[-4:])


@settings(max_examples=200)
@given(before=surroundings, after=surroundings, area=st.sampled_from(["010", "021", "0531", "0755"]),
       local=st.text(alphabet="0123456789", min_size=7, max_size=7), first=st.sampled_from("23456789"),
       separator=st.sampled_from(["", "-", " ", "－", ")"]))
def test_any_landline_with_area_code_is_masked(before, after, area, local, first, separator) -> None:
    local = first + local
    masked = mask_text(before + area + separator + local + after)
    assert digits_of(masked) == area + local[-4:]


@settings(max_examples=200)
@given(before=surroundings, after=surroundings, prefix=st.text(alphabet="0123456789", min_size=12, max_size=18))
@example(before="", after="", prefix="861300000000")
def test_any_luhn_number_of_13_to_19_digits_is_masked(before: str, after: str, prefix: str) -> None:
    number = bank_card(prefix)
    masked = mask_text(before + number + after)
    if re.fullmatch(r"861[3-9]\d{9}", number):
        # Also a mobile number after the country code 86 (hypothesis found "8613000000002"): as one.
        assert digits_of(masked) == number[:5] + number[-4:]
        return
    # As a card (4 + 4 kept), or as an ID when it also is one (a 15-digit one: 6 + 3 kept).
    assert number not in masked and number[:4] in masked and len(digits_of(masked)) <= len(number) - 5


@given(st.text())
def test_masking_is_idempotent(text: str) -> None:
    assert mask_text(mask_text(text)) == mask_text(text)


@given(st.text(alphabet=st.sampled_from("0123456789１３８ -.@ab身份证号卡X\\u"), max_size=60))
def test_masking_is_idempotent_on_digit_heavy_text(text: str) -> None:
    assert mask_text(mask_text(text)) == mask_text(text)


def test_an_answer_to_the_phone_question_has_every_number_masked() -> None:
    assert mask_every_number("13 81 23 45 67 8") == "** ** ** *5 67 8"  # a shape mask_text leaves
    assert mask_every_number("我的电话 138-1234-5678") == "我的电话 138-****-5678"  # as mask_text
    assert mask_every_number("共3人，2020年") == "共3人，2020年"  # fewer than five digits together


@pytest.mark.parametrize(("previous", "current", "earlier", "now"), [
    ("370102199003", "071238", ("370102199003", "370102******"), ("071238", "**1238")),  # check digit
    ("我的身份证号是370102199003", "071239 后几位", ("370102199003", "370102******"), ("071239", "**1239")),
    (mask_text("我的身份证号是370102199003"), "071239", None, ("071239", "**1239")),  # stored masked
    ("电话138 1234", "5678", ("138 1234", "138 ****"), ("5678", "5678")),
    ("我家座机0531", "87654321", None, ("87654321", "****4321")),
])
def test_a_number_split_over_two_messages_is_masked_in_both(previous, current, earlier, now) -> None:
    found = continuation(previous, current)
    assert found is not None and found.earlier == earlier and found.current == now


@pytest.mark.parametrize(("previous", "current"), [
    ("电话13812345678", "2020年来的"),  # the first is a number already, the second is no part of it
    ("我有2个孩子", "3个老人"), ("370102199003", "071239"),  # no ID: wrong check digit, no keyword
    ("人才落户", "13812345678"),  # a whole number in the second: masked by itself
])
def test_unrelated_figures_in_two_messages_are_no_number(previous: str, current: str) -> None:
    assert continuation(previous, current) is None


def test_stored_event_data_is_a_masked_copy() -> None:
    event = {"event": "user", "timestamp": 1.0, "message_id": "13812345678aa", "text": "手机13812345678",
             "parse_data": {"text": "手机13812345678",
                            "entities": [{"entity": "phone", "value": "13812345678", "start": 2}]},
             "metadata": {"card": "6222021234567894", "mail": "someone@example.org"}}
    original = json.dumps(event)
    masked = masked_event_data(event)
    assert json.dumps(event) == original, "the event itself is not changed"
    assert masked["text"] == masked["parse_data"]["text"] == "手机138****5678"
    assert masked["parse_data"]["entities"][0]["value"] == "138****5678"
    assert masked["metadata"] == {"card": "6222********7894", "mail": "s******@example.org"}
    assert masked["message_id"] == "13812345678aa" and masked["timestamp"] == 1.0
    loose = masked_event_data({"event": "user", "text": "1 3 8 1 2 3 4 5 6 7 8"}, answers_phone_question=True)
    assert digits_of(loose["text"]) == "5678"


def test_slot_values_are_masked() -> None:
    slot = {"event": "slot", "name": "phone", "value": ["13812345678", {"card": "6222021234567894"}]}
    assert masked_event_data(slot)["value"] == ["138****5678", {"card": "6222********7894"}]


def test_log_records_are_masked(caplog) -> None:
    logs.install()
    logger = logging.getLogger("rasa.test.privacy")
    with caplog.at_level(logging.INFO):
        logger.info("user said %s and %r", "手机１３８ １２３４ ５６７８", {"card": "6222021234567894"})
        try:
            raise ValueError("身份证11010519491231002X, mail a.person@example.com")
        except ValueError:
            logger.exception("failed on %s", "0531-87654321")
    text = unicodedata.normalize("NFKC", caplog.text)
    for raw in ("13812345678", "138 1234 5678", "6222021234567894", "11010519491231002X", "a.person@", "87654321"):
        assert raw not in text
    assert "138 **** 5678" in text and "6222********7894" in text and "110105********002X" in text
    assert "0531-****4321" in text and "a*******@example.com" in text
