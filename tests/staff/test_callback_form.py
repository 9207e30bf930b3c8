"""The callback form end to end over REST (issue 19.5 with 18.3): topic buttons are answers, the
number is shown as 尾号… and can be corrected, an optional 称呼, "算了"/"不用了" leave at any step;
the full number goes to the staff database's draft in the turn it is typed and nowhere else — the
tracker database the assistant writes is read back to check."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from bot.privacy.normalise import normalise_char
from bot.requests.store import DRAFT_LIFETIME, callback_drafts, utc_now
from tests.staff.conftest import Resident

pytestmark = pytest.mark.server

DESCRIPTION = "我硕士毕业想把户口落到市中区，想问需要带哪些材料"


def digits_of(text: str) -> str:
    return "".join(c for char in text for c in normalise_char(char) if c.isdigit())


def stored(tracker_db: Path, conversation_id: str) -> list[str]:
    """The conversation's rows in the tracker database, as stored (JSON, \\u-escaped), decoded."""
    with sqlite3.connect(f"file:{tracker_db}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT data FROM events WHERE sender_id = ? ORDER BY id", (conversation_id,)).fetchall()
    return [json.dumps(json.loads(data), ensure_ascii=False) for (data,) in rows]


def assert_never_stored(tracker_db: Path, conversation_id: str, *numbers: str) -> None:
    for row in stored(tracker_db, conversation_id):
        for number in numbers:
            assert number not in digits_of(row), f"{number} stored in {row}"


def requests_of(staff_store, conversation_id: str):
    return [r for r in staff_store.callback_requests(None) if r.conversation_id == conversation_id]


def drafts_of(staff_store, conversation_id: str) -> list:
    with staff_store._transaction() as connection:
        return connection.execute(callback_drafts.select().where(
            callback_drafts.c.conversation_id == conversation_id)).all()


def start(resident: Resident) -> list[str]:
    """Starts the form; the topic buttons' payloads."""
    assert "哪方面" in resident.say("我要留言")
    return resident.payloads()


def test_topic_buttons_fill_the_topic_without_an_answer(servers) -> None:
    first = Resident(servers.rasa_url, "form")
    buttons = start(first)
    assert buttons == ["人才政策", "政务服务办理", "民生工程", "其他事项"]
    # A topic typed as a question is answered, and the form goes on.
    asked = first.say("经纬人才计划讲的是啥？")
    assert "经纬人才" in asked and "来源" in asked and "描述" in asked
    assert "已取消" in first.say("不用了")
    for button in buttons:
        resident = Resident(servers.rasa_url, "form")
        start(resident)
        reply = resident.say(button)
        assert "描述" in reply and "来源" not in reply and "接着填写" not in reply, reply
        assert "已取消" in resident.say("算了")


def test_the_number_is_shown_by_its_last_four_digits_and_can_be_corrected(resident: Resident, staff_store,
                                                                          servers) -> None:
    start(resident)
    resident.say("人才落户")
    assert "电话" in resident.say(DESCRIPTION)
    assert drafts_of(staff_store, resident.conversation_id) == []
    asked_name = resident.say("我的手机是 １３８ １２３４ ５６７８")
    assert "称呼" in asked_name and "跳过" in resident.payloads()
    [draft] = drafts_of(staff_store, resident.conversation_id)  # in the staff database from the turn it was typed
    assert draft.phone == "13812345678"

    summary = resident.say("王先生")
    assert "请核对" in summary and "尾号5678" in summary and "称呼：王先生" in summary
    assert "138" not in digits_of(summary) and "修改号码" in resident.payloads()

    corrected = resident.say("号码不对，换成139-1234-8000")
    assert "尾号8000" in corrected and "请核对" in corrected and "5678" not in corrected
    [draft] = drafts_of(staff_store, resident.conversation_id)
    assert draft.phone == "13912348000"

    done = resident.say("确认提交")
    [request] = requests_of(staff_store, resident.conversation_id)
    assert f"编号 {request.id}" in done and "尾号8000" in done and "称呼：王先生" in done and "12345" in done
    assert (request.phone, request.name, request.topic) == ("13912348000", "王先生", "人才落户")
    assert drafts_of(staff_store, resident.conversation_id) == []

    # Neither number is anywhere in the conversation as stored, in any shape; the slot is 尾号….
    assert_never_stored(servers.tracker_db, resident.conversation_id,
                        "13812345678", "13912348000", "1381234", "1391234")
    rows = [json.loads(row) for row in stored(servers.tracker_db, resident.conversation_id)]
    phone_slots = [row["value"] for row in rows if row["event"] == "slot" and row["name"] == "callback_phone"]
    assert "尾号8000" in phone_slots and set(phone_slots) <= {"尾号5678", "尾号8000", None}
    user_texts = [row["text"] for row in rows if row["event"] == "user"]
    assert "我的手机是 １３８ **** ５６７８" in user_texts


def test_the_change_number_button_asks_again_and_a_skipped_name_stays_empty(resident: Resident,
                                                                          staff_store) -> None:
    start(resident)
    resident.say("其他事项")
    resident.say("家里老人想申请临时救助")
    resident.say("0531-87654321")
    summary = resident.say("跳过")
    assert "尾号4321" in summary and "称呼：" not in summary
    assert "电话" in resident.say("修改号码")
    assert "尾号5678" in resident.say("13812345678")
    resident.say("确认提交")
    [request] = requests_of(staff_store, resident.conversation_id)
    assert (request.phone, request.name) == ("13812345678", None)


@pytest.mark.parametrize("step", range(5))
def test_the_form_can_be_left_at_any_step(step: int, resident: Resident, staff_store, servers) -> None:
    answers = ["民生工程", "想问老旧小区改造的事", "13812345678", "李女士"]
    start(resident)
    for answer in answers[:step]:
        resident.say(answer)
    left = resident.say("算了" if step % 2 == 0 else "不用了")
    assert "已取消" in left and "12345" in left, left
    assert requests_of(staff_store, resident.conversation_id) == []
    assert drafts_of(staff_store, resident.conversation_id) == []
    assert "经纬人才" in resident.say("经纬人才计划讲的是啥")
    assert_never_stored(servers.tracker_db, resident.conversation_id, "1381234")


def test_a_number_in_a_shape_the_form_refuses_is_still_masked_in_the_tracker(resident: Resident, servers) -> None:
    start(resident)
    resident.say("人才政策")
    resident.say(DESCRIPTION)
    refused = resident.say("1 3 8 1 2 3 4 5 6 7 8")  # no shape people write a number in
    assert "格式不对" in refused
    assert "称呼" in resident.say("13812345678")
    resident.say("算了")
    assert_never_stored(servers.tracker_db, resident.conversation_id, "1381234")


def test_a_draft_nobody_submits_is_purged_after_a_day(resident: Resident, staff_store) -> None:
    abandoned = f"abandoned-{resident.sender}"
    with staff_store._transaction() as connection:
        connection.execute(callback_drafts.insert().values(
            conversation_id=abandoned, phone="13700001111",
            created_at=utc_now() - DRAFT_LIFETIME - timedelta(minutes=1)))
    assert len(drafts_of(staff_store, abandoned)) == 1
    start(resident)
    resident.say("人才政策")
    resident.say(DESCRIPTION)
    resident.say("13812345678")  # any number kept purges the expired ones
    assert drafts_of(staff_store, abandoned) == []
    assert len(drafts_of(staff_store, resident.conversation_id)) == 1
    resident.say("算了")
