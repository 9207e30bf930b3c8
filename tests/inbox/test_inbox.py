"""The unanswered inbox: what counts as unanswered, graders left out, alike questions grouped."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from pathlib import Path

from bot.inbox.collect import FELL_BACK, OUT_OF_SCOPE, RATED_BADLY, unanswered
from bot.inbox.groups import group
from bot.requests.store import BEIJING, StaffStore
from tests.console.conftest import Said, store_conversations


def said(text: str, intent: str, action: str, reply: str = "……") -> Said:
    return Said(text, intent, 0.4, [action], reply)


def test_fallbacks_out_of_scope_and_badly_rated_answers_are_found_graders_are_not(tmp_path: Path) -> None:
    tracker, staff = f"sqlite:///{tmp_path / 'tracker.db'}", StaffStore(f"sqlite:///{tmp_path / 'staff.db'}")
    hour_ago = time.time() - 3600
    answered = said("人才公寓如何申请", "ask_service", "action_answer_service")
    store_conversations(tracker, {
        "resident-1": (hour_ago, [said("区里的夜宵街在哪", "nlu_fallback", "action_two_stage_fallback"),
                                  said("/deny", "deny", "action_default_ask_rephrase")], "rest"),
        "resident-2": (hour_ago + 60, [said("帮我查下快递", "out_of_scope", "action_out_of_scope")], "socketio"),
        "resident-3": (hour_ago + 120, [answered], "wechat"),
        "rest:eval-0123456789abcdef": (hour_ago, [said("区里的夜宵街在哪", "nlu_fallback",
                                                       "action_default_fallback")], "rest"),
        "load-3-abcdef12": (hour_ago, [said("帮我查下快递", "out_of_scope", "action_out_of_scope")], "rest"),
    })
    staff.add_rating("resident-3", 1, "答非所问")
    staff.add_rating("rest:eval-0123456789abcdef", 1, "")
    found = unanswered(tracker, staff.ratings())
    assert [(m.sender_id, m.text, m.reason) for m in found] == [
        ("resident-3", "人才公寓如何申请", RATED_BADLY),
        ("resident-2", "帮我查下快递", OUT_OF_SCOPE),
        ("resident-1", "区里的夜宵街在哪", FELL_BACK),
    ]
    since = datetime.now(BEIJING) + timedelta(minutes=1)
    assert unanswered(tracker, staff.ratings(), since=since) == []
    staff.close()


def test_routed_turns_count_by_the_routers_decision_whichever_action_ran(tmp_path: Path) -> None:
    """Since the router records its decision on the reply (metadata.routing), an unsure offer or a
    service not found is unanswered although no fallback action ran, and an out-of-scope message
    the article answered after all is not."""
    tracker = f"sqlite:///{tmp_path / 'tracker.db'}"
    hour_ago = time.time() - 3600

    def routed(text: str, intent: str, action: str, decision: str) -> list[Said]:
        return [Said(text, intent, 0.5, [action], "……", routing={"decision": decision, "intent": intent})]

    store_conversations(tracker, {
        "resident-1": (hour_ago, routed("区里夜宵街咋走", "nlu_fallback", "action_answer_unsure", "unsure_offer"),
                       "rest"),
        "resident-2": (hour_ago + 60, routed("游艇驾照去哪考", "ask_service", "action_answer_service", "not_found"),
                       "rest"),
        "resident-3": (hour_ago + 120, routed("帮忙寄个快递呗", "out_of_scope", "action_out_of_scope", "out_of_scope"),
                       "rest"),
        "resident-4": (hour_ago + 180, routed("经纬人才计划是做啥的", "out_of_scope", "action_out_of_scope", "topic")
                       + routed("人才公寓要啥材料", "ask_service", "action_answer_service", "named_service"), "rest"),
    })
    found = unanswered(tracker, [])
    assert [(m.sender_id, m.text, m.reason) for m in found] == [
        ("resident-3", "帮忙寄个快递呗", OUT_OF_SCOPE),
        ("resident-2", "游艇驾照去哪考", FELL_BACK),
        ("resident-1", "区里夜宵街咋走", FELL_BACK),
    ]


def test_alike_questions_form_one_group_the_newest_group_first() -> None:
    from bot.inbox.collect import Unanswered

    now = datetime.now(BEIJING)
    messages = [
        Unanswered("人才公寓如何申请", now - timedelta(hours=5), "a", FELL_BACK),
        Unanswered("夜市在哪里", now - timedelta(hours=1), "b", FELL_BACK),
        Unanswered("申请人才公寓要啥材料", now - timedelta(hours=2), "c", RATED_BADLY),
        Unanswered("人才公寓如何申请？", now - timedelta(hours=3), "d", OUT_OF_SCOPE),
    ]
    groups = group(messages)
    assert [g.title for g in groups] == ["夜市在哪里", "申请人才公寓要啥材料"]
    talent = groups[1]
    assert talent.texts[0] == "申请人才公寓要啥材料" and len(talent.messages) == 3
    assert talent.conversations == 3 and set(talent.reasons) == {"差评", "转12345", "未能理解"}


def test_a_personal_number_never_reaches_the_inbox(tmp_path: Path) -> None:
    from bot.inbox.collect import _question

    assert "13912345678" not in _question({"text": "我电话13912345678，区里的夜宵街在哪"})
    assert _question({"text": "/deny"}) == ""
