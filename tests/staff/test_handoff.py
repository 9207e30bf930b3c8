"""Handoff to a person, end to end over REST: the callback form's happy path, an invalid phone,
cancelling midway, and the offer after two failures in a row. The requests land in the staff
database; the tracker store never holds the phone number (more on the form: test_callback_form.py)."""

from __future__ import annotations

import json
import sqlite3

import pytest

from bot.requests.store import callback_drafts
from tests.names import NAME
from tests.staff.conftest import Resident

pytestmark = pytest.mark.server

PHONE = "13812345678"


def open_requests(staff_store, conversation_id: str):
    return [r for r in staff_store.callback_requests(None) if r.conversation_id == conversation_id]


def test_asking_for_a_person_leaves_a_callback_request(resident: Resident, staff_store, servers) -> None:
    offer = resident.say("转人工")
    assert "12345" in offer and "回电" in offer
    assert "/request_callback" in resident.payloads()
    assert "工作时间" in offer  # says when staff call back (now or the next opening)

    assert "哪方面" in resident.say("/request_callback")
    assert "描述" in resident.say("人才落户")
    assert "电话" in resident.say("我硕士毕业想把户口落到市中区，想问需要带哪些材料")

    invalid = resident.say("0531-1234")
    assert "格式不对" in invalid and "电话" in invalid
    assert open_requests(staff_store, resident.conversation_id) == []

    assert "称呼" in resident.say(f"我的手机是 {PHONE[:3]} {PHONE[3:7]} {PHONE[7:]}")
    summary = resident.say("跳过")
    assert "请核对" in summary and "尾号5678" in summary and "人才落户" in summary
    assert PHONE not in summary

    done = resident.say("确认提交")
    [request] = open_requests(staff_store, resident.conversation_id)
    assert f"编号 {request.id}" in done and "12345" in done and "尾号5678" in done
    assert (request.phone, request.topic, request.status) == (PHONE, "人才落户", "open")
    assert "户口" in request.description and request.channel == "rest"

    # The tracker store keeps the conversation, the number only masked.
    with sqlite3.connect(servers.tracker_db) as db:
        rows = db.execute("SELECT data FROM events WHERE sender_id = ?", (resident.conversation_id,))
        stored = " ".join(json.dumps(json.loads(row[0]), ensure_ascii=False) for row in rows)
    assert "尾号5678" in stored and PHONE not in stored

    # The form is over: the next question is answered as usual.
    assert "经纬人才" in resident.say("经纬人才计划讲的是啥")


def test_cancelling_midway_stores_nothing(resident: Resident, staff_store) -> None:
    assert "哪方面" in resident.say("我要留言")
    assert "描述" in resident.say("临时救助")
    assert "电话" in resident.say("家里有困难，想申请临时救助")
    assert "称呼" in resident.say(PHONE)
    cancelled = resident.say("取消")
    assert "已取消" in cancelled and "12345" in cancelled
    assert open_requests(staff_store, resident.conversation_id) == []
    with staff_store._transaction() as connection:  # the number given before cancelling is gone too
        drafts = connection.execute(callback_drafts.select().where(
            callback_drafts.c.conversation_id == resident.conversation_id)).all()
    assert drafts == []
    assert "经纬人才" in resident.say("经纬人才计划讲的是啥")


def test_two_failures_in_a_row_offer_a_callback(resident: Resident) -> None:
    first = resident.say("附近哪有好吃的火锅店")
    assert "12345" in first and "/request_callback" not in resident.payloads()
    second = resident.say("帮我订一张去北京的机票")
    assert "12345" in second and "/request_callback" in resident.payloads()
    assert "哪方面" in resident.say("好的")  # yes to the offer starts the form
    assert "已取消" in resident.say("取消")


def test_declining_the_offer(resident: Resident, staff_store) -> None:
    resident.say("转人工")
    declined = resident.say("不用了")
    assert "12345" in declined and "哪方面" not in declined
    assert open_requests(staff_store, resident.conversation_id) == []


def test_unclear_messages_in_a_row_never_stall_the_conversation(resident: Resident) -> None:
    # Gibberish the NLU cannot place (or places anywhere): the fallback's stages, then its last
    # one, again and again; each gets a reply, and the conversation is not stuck afterwards.
    replies = [resident.say(message) for message in ["'>", "yt", "qzx", "'>", "yt", "嗯嗯啊"]]
    assert all(replies), replies
    assert any("12345" in reply for reply in replies), replies
    assert "经纬人才" in resident.say("经纬人才计划讲的是啥")


def test_a_field_asked_where_the_form_asks_the_matter_while_options_wait(resident: Resident, staff_store) -> None:
    """Services offered, then the form, then a field where the form asks which matter it is:
    answered for the option the first question named whole (SZ-ENT-02), and the form asks its
    question again; the description step, though, takes such words as the description."""
    offered = resident.say("营业执照要怎么弄")
    assert NAME["SZ-ENT-02"] in offered and NAME["SZ-ENT-03"] in offered
    assert "哪方面" in resident.say("我要留言")
    answered = resident.say("那先讲讲得准备啥")
    assert f"【{NAME['SZ-ENT-02']}】申请材料" in answered and "接着填写" in answered and "哪方面" in answered
    assert "描述" in resident.say("营业执照")
    # (a field of the service now discussed would be answered here too: a description tells more)
    assert "电话" in resident.say("想问问开店办执照得准备哪些材料，我的材料不全能不能先受理")
    assert "已取消" in resident.say("算了")
    assert open_requests(staff_store, resident.conversation_id) == []


def test_a_question_inside_the_form_is_answered_and_the_form_goes_on(resident: Resident, staff_store) -> None:
    resident.say("我要留言")
    resident.say("人才落户")
    resident.say("想问落户需要的材料")
    answered = resident.say("经纬人才计划讲的是啥")  # asked instead of a phone number
    assert "经纬人才" in answered and "来源" in answered and "接着填写" in answered
    assert "电话" in answered  # … and the phone number is asked again
    assert "称呼" in resident.say(PHONE)
    assert "已取消" in resident.say("取消")
    assert open_requests(staff_store, resident.conversation_id) == []


def test_a_field_of_the_service_under_discussion_asked_inside_the_form(resident: Resident, staff_store) -> None:
    """A short question for another field of the service just answered ("那先讲讲得准备啥") is
    answered for that service, whatever the NLU's intent; the form asks its question again."""
    assert NAME["SZ-CIV-03"] in resident.say("居住证申领怎么弄")
    assert "哪方面" in resident.say("我要留言")
    answered = resident.say("那先讲讲得准备啥")
    assert "【居住证申领】申请材料" in answered and "接着填写" in answered
    assert "哪方面" in answered  # the topic is asked again, not filled with the question
    assert "描述" in resident.say("居住证")
    assert "电话" in resident.say("我在外地工作想咨询居住证办理的具体流程")
    days = resident.say("那多少天能办好")  # asked instead of a phone number
    assert "【居住证申领】办理时限" in days and "电话" in days
    assert "称呼" in resident.say(PHONE)
    summary = resident.say("张女士")  # a name, though the NLU may take it for a question
    assert "尾号5678" in summary and "称呼：张女士" in summary and "事项：居住证" in summary
    assert PHONE not in summary
    assert "已取消" in resident.say("算了")
    assert open_requests(staff_store, resident.conversation_id) == []


def test_a_phone_question_about_the_service_gets_its_phone_not_the_form(resident: Resident, staff_store) -> None:
    """The NLU takes "给个电话先问问" for a wish to be called back; while a service is discussed the
    form hands it to the answer at its start: the service's phone, no question of the form, nothing
    cancelled. A wish to be called back still opens the form."""
    assert NAME["SZ-CIV-03"] in resident.say("居住证申领怎么弄")
    for asked in ("能给个电话先问问不", "想先打电话咨询一下，有电话吗"):
        answered = resident.say(asked)
        assert "【居住证申领】咨询电话" in answered and "12345" in answered, answered
        assert "哪方面" not in answered and "已取消" not in answered
    assert "【居住证申领】办理时限" in resident.say("办这个要多久")  # no form waits for an answer
    assert "哪方面" in resident.say("麻烦让工作人员给我回个电话")
    assert "已取消" in resident.say("算了")
    assert open_requests(staff_store, resident.conversation_id) == []
