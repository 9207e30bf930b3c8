"""What no service guide holds (an amount received, an application round's dates, a quota, one's
own case), asked through REST of a service named or under discussion: the reply says so plainly,
names 12345 and the catalogue entry it speaks of, and gives no field that would look like an
answer ("收费：不收费" to an amount received). Ordinary field follow-ups keep their fields.
"""

from __future__ import annotations

import uuid

import pytest

from tests.button_walk import Assistant
from tests.names import NAME

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def api(servers) -> Assistant:
    return Assistant(servers.rasa_url, servers.auth_token)


def _beyond(text: str, name: str) -> None:
    first = text.splitlines()[0]
    assert f"「{name}」" in first and "没有" in first and "12345" in first, text
    assert f"事项目录“{name}”" in text, text  # where it comes from
    assert "收费：" not in text and "办理时限：" not in text, text


@pytest.mark.parametrize(("question", "name"), [
    ("办最低生活保障的话，每月发多少钱", "最低生活保障"),
    ("高龄津贴一年能领到多少", "高龄津贴"),
    ("创业贷款一般能贷几万", NAME["SZ-EMP-05"]),
])
def test_an_amount_received_is_no_fee(api: Assistant, question: str, name: str) -> None:
    reply = api.say(f"beyond-{uuid.uuid4().hex}", question)
    assert reply.decisions[:1] == ["service_detail"], (reply.decisions, reply.text)
    _beyond(reply.text, name)
    assert {b["title"] for b in reply.buttons} >= {"材料", "条件"}


def test_the_service_under_discussion_keeps_its_fields_and_gets_its_dates_and_case_said_plainly(
        api: Assistant) -> None:
    sender = f"beyond-{uuid.uuid4().hex}"
    card = api.say(sender, "小学一年级入学报名怎么办理")
    assert "【小学一年级入学报名】" in card.text, card.text
    period = api.say(sender, "每年大概几月份可以开始报名")
    assert period.decisions[:1] == ["service_detail"], (period.decisions, period.text)
    _beyond(period.text, "小学一年级入学报名")
    fee = api.say(sender, "收不收钱")
    assert fee.decisions[:1] == ["field_follow_up"] and "收费：" in fee.text, (fee.decisions, fee.text)
    case = api.say(sender, "申请交上去了，审到哪一步了")
    assert case.decisions[:1] == ["service_detail"], (case.decisions, case.text)
    assert "查不到个人办件" in case.text and "12345" in case.text, case.text
    days = api.say(sender, "一般几个工作日办完")
    assert days.decisions[:1] == ["field_follow_up"] and "办理时限：" in days.text, (days.decisions, days.text)
