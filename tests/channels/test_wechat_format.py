"""Rasa responses as WeChat text: markdown, numbered options, 2,048-byte parts."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.channels.wechat_format import (
    MAX_MESSAGE_BYTES,
    OPTIONS_HEADER,
    chosen_option,
    render_turn,
    split_message,
    strip_markdown,
)


@pytest.mark.parametrize(("markdown", "plain"), [
    ("**经纬人才**计划", "经纬人才计划"),
    ("__一窗办__ 和 *网上办*", "一窗办 和 网上办"),
    ("## 民生工程\n内容", "民生工程\n内容"),
    ("详见 [市中区政府网](http://www.shizhong.gov.cn)", "详见 市中区政府网 http://www.shizhong.gov.cn"),
    ("![地图](https://example.org/map.png)", "地图 https://example.org/map.png"),
    ("- 落户\n* 住房\n+ 就医", "• 落户\n• 住房\n• 就医"),
    ("> 引用\n---\n拨打`12345`", "引用\n\n拨打12345"),
    ("```\ncode\n```", "code"),
    ("第一行<br>第二行", "第一行\n第二行"),
    ("1. 人才政策：落户、住房\n2. 政务服务", "1. 人才政策：落户、住房\n2. 政务服务"),
    ("3*4*5 = 60, snake_case_name", "3*4*5 = 60, snake_case_name"),
])
def test_markdown_is_stripped(markdown: str, plain: str) -> None:
    assert strip_markdown(markdown) == plain


def test_buttons_become_numbered_options_across_messages() -> None:
    rendered = render_turn([
        {"text": "您好！", "buttons": [{"title": "人才政策", "payload": "市中区对人才有哪些服务保障"},
                                     {"title": "民生工程", "payload": "/ask_livelihood"}]},
        {"text": "还可以：", "buttons": [{"title": "**热线**", "payload": "我要找人工"}]},
    ])
    assert rendered.text == (f"您好！\n\n{OPTIONS_HEADER}\n1. 人才政策\n2. 民生工程\n\n还可以：\n\n"
                             f"{OPTIONS_HEADER}\n3. 热线")
    assert rendered.options == ["市中区对人才有哪些服务保障", "/ask_livelihood", "我要找人工"]


def test_images_and_empty_turns() -> None:
    assert render_turn([{"image": "https://example.org/a.png"}]).text == "图片：https://example.org/a.png"
    assert render_turn([]).text == ""
    assert render_turn([{"text": "无按钮"}]).options == []


@pytest.mark.parametrize(("reply", "expected"), [
    ("1", "a"), (" 2 ", "b"), ("１", "a"), ("2.", "b"), ("3、", "c"),
    ("0", None), ("4", None), ("一", None), ("1 2", None), ("", None), ("abc", None),
])
def test_a_number_chooses_an_option(reply: str, expected: str | None) -> None:
    assert chosen_option(reply, ["a", "b", "c"]) == expected


def test_no_options_no_choice() -> None:
    assert chosen_option("1", []) is None


def test_short_text_is_one_part() -> None:
    assert split_message("经纬人才计划") == ["经纬人才计划"]


def test_long_text_splits_between_paragraphs_first() -> None:
    paragraph = "人" * 400  # 1,200 bytes
    parts = split_message(f"{paragraph}\n\n{paragraph}\n\n短")
    assert parts == [paragraph, f"{paragraph}\n\n短"]


def test_a_long_line_without_breaks_splits_by_character() -> None:
    parts = split_message("经" * 1500)  # 4,500 bytes
    assert [len(part.encode()) for part in parts] == [2046, 2046, 408]
    assert "".join(parts) == "经" * 1500


@given(st.text(alphabet=st.sampled_from(["人", "a", "😀", "\n", " ", "。"]), max_size=3000),
       st.integers(min_value=4, max_value=MAX_MESSAGE_BYTES))
def test_parts_fit_and_keep_every_character(text: str, limit: int) -> None:
    parts = split_message(text, limit)
    assert all(len(part.encode("utf-8")) <= limit for part in parts)
    assert "".join(parts).replace("\n", "").replace(" ", "") == text.replace("\n", "").replace(" ", "")


def test_a_limit_below_one_character_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one character"):
        split_message("text", 3)
