"""The knowledge answers with real trackers, the real knowledge base and the built catalogue
(no server needed): the actions ask the router (bot/dialogue/router.py) and phrase its decision."""

from __future__ import annotations

import asyncio

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import ActionAnswerKnowledge, ActionTellMore, router
from bot.knowledge.model import shared as knowledge
from tests.names import NAME


def topics():
    return router().topics


def beyond_the_article(question, topic):
    return topics().beyond_the_article(question, topic)


def another_place(question, topic):
    return topics().another_place(question, topic)


def another_year(question, topic):
    return topics().another_year(question, topic)


def tracker(text: str, ranking: list[tuple[str, float]], intent: str = "faq", **slots) -> Tracker:
    parse = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": [],
             "response_selector": {"faq": {"ranking": [
                 {"intent_response_key": f"faq/{topic}", "confidence": conf} for topic, conf in ranking]}}}
    return Tracker("user", slots, parse, [], False, None, {}, "action_listen")


def run(action, tr: Tracker) -> tuple[list[dict], list[dict]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tr, {}))
    return dispatcher.messages, events


def test_answer_sets_the_topic() -> None:
    messages, events = run(ActionAnswerKnowledge(), tracker("经纬人才计划讲的是啥", [("talent_plan", 0.9)]))
    assert messages[0]["response"] == "utter_faq/talent_plan"
    assert {"event": "slot", "timestamp": None, "name": "knowledge_topic", "value": "talent_plan"} in events


def test_elliptical_question_prefers_the_previous_area() -> None:
    ranked = [("environment_old_communities", 0.45), ("talent_housing", 0.35)]
    messages, _ = run(ActionAnswerKnowledge(), tracker("那住房呢？", ranked, knowledge_topic="talent_settlement"))
    assert messages[0]["response"] == "utter_faq/talent_housing"


def test_full_question_keeps_the_selector_choice() -> None:
    ranked = [("environment_old_communities", 0.45), ("talent_housing", 0.35)]
    text = "今年咱们区老旧小区改造的规模有多大"
    messages, _ = run(ActionAnswerKnowledge(), tracker(text, ranked, knowledge_topic="talent_settlement"))
    assert messages[0]["response"] == "utter_faq/environment_old_communities"


def test_more_walks_the_related_topics_once() -> None:
    topic = knowledge().topics["platform_new_city"]
    shown = ["platform_new_city"]
    for expected in topic.related:
        messages, events = run(ActionTellMore(), tracker("还有吗", [], "ask_more", knowledge_topic=topic.id,
                                                              subject="knowledge", topics_shown=shown))
        assert messages[0]["response"] == f"utter_faq/{expected}"
        shown = next(e["value"] for e in events if e.get("name") == "topics_shown")
    messages, _ = run(ActionTellMore(), tracker("还有吗", [], "ask_more", knowledge_topic=topic.id,
                                                     subject="knowledge", topics_shown=shown))
    assert "12345" in messages[0]["text"]


def test_questions_beyond_the_article_are_said_so() -> None:
    school = knowledge().topics["livelihood_dougou_school"]
    assert "时间" in beyond_the_article("陡沟学校什么时候建好", school)
    assert "12345" in beyond_the_article("陡沟学校负责人电话多少", school)
    assert beyond_the_article("陡沟学校要怎么建", school) is None
    scope = knowledge().topics["platform_new_city_scope"]
    assert beyond_the_article("南部科创新城在哪里", scope) is None
    # Figures the article never gives are named as asked, not guessed from the nearest topic.
    assert "房价" in beyond_the_article("南部科创新城那块房价现在多少一平", scope)
    assert "GDP" in beyond_the_article("2019年市中区GDP有多少", knowledge().topics["overview_context"])
    assert beyond_the_article("南部科创新城规划面积多大", scope) is None


def test_questions_about_another_year_are_handed_on() -> None:
    focus = knowledge().topics["overview_focus_year"]
    assert "2021" in another_year("市中区2021年的工作计划有哪些", focus)
    assert "12345" in another_year("明年有什么工作计划", focus)
    assert another_year("市中区2020年的工作主题是什么", focus) is None
    # 2019 is the article's "去年": answered where the passage speaks of it.
    assert another_year("2019年市中区的工作主题是什么", focus) is None
    assert "2019" in another_year("2019年开工了几所学校", knowledge().topics["livelihood_new_schools"])


def test_questions_about_another_place_are_handed_on() -> None:
    schools = knowledge().topics["livelihood_new_schools"]
    assert "历下" in another_place("历下区今年要开工建设几所学校", schools)
    assert "12345" in another_place("历下区今年要开工建设几所学校", schools)
    assert another_place("市中区今年要新建几所学校", schools) is None
    # Beijing is in the article's own plan: no note there.
    beijing = knowledge().topics["investment_beijing_xiongan"]
    assert another_place("承接北京疏解非首都功能是怎么回事", beijing) is None
    # A question that shares only the place with that plan is about Beijing itself.
    assert "12345" in another_place("北京的菜市场几点关门", beijing)


def test_another_place_note_follows_the_answer() -> None:
    messages, _ = run(ActionAnswerKnowledge(),
                      tracker("历下区今年要开工建设几所学校", [("livelihood_new_schools", 0.9)]))
    assert messages[0]["response"] == "utter_faq/livelihood_new_schools"
    assert "历下" in messages[1]["text"] and "12345" in messages[1]["text"]


def test_distinct_words_correct_a_wrong_selector_choice() -> None:
    """口袋公园 belongs to one topic: its words outweigh a mistaken, unsure ResponseSelector."""
    ranked = [("environment_flower_avenues", 0.40), ("environment_pocket_parks", 0.30)]
    messages, _ = run(ActionAnswerKnowledge(), tracker("今年要新修几处口袋公园", ranked))
    assert messages[0]["response"] == "utter_faq/environment_pocket_parks"


def test_traditional_question_is_scored_in_simplified() -> None:
    messages, _ = run(ActionAnswerKnowledge(), tracker("口袋公園建幾個", []))
    assert messages[0]["response"] == "utter_faq/environment_pocket_parks"


def test_question_no_topic_fits_is_handed_on_to_12345() -> None:
    """DIET may put an unrelated question in faq; unsure selector + no shared word → 12345."""
    messages, events = run(ActionAnswerKnowledge(), tracker("芙蓉街有啥小吃", [("environment_air", 0.03)]))
    assert messages[0]["response"] == "utter_out_of_scope"
    assert not any(e.get("name") == "knowledge_topic" for e in events)
    assert any(e.get("name") == "last_failure_turn" for e in events)


def test_elliptical_follow_up_is_never_handed_on() -> None:
    messages, _ = run(ActionAnswerKnowledge(), tracker("那就医呢", [], knowledge_topic="talent_settlement"))
    assert messages[0]["response"] == "utter_faq/talent_medical"


def test_a_repair_or_complaint_of_ones_own_is_handed_on() -> None:
    # The NLU took it for knowledge (遍访民企 解决实际问题), but a leak is the hotline's work.
    messages, _ = run(ActionAnswerKnowledge(), tracker("卫生间水管漏水了，谁能上门修修",
                                                       [("business_visit_private", 0.6)]))
    assert [m.get("response") for m in messages] == ["utter_out_of_scope"]


def test_a_how_to_question_about_a_topic_gets_the_catalogue_guide() -> None:
    # The article's 经纬人才 plan says what it is; "怎么申报" (with a typo) asks for the service.
    messages, _ = run(ActionAnswerKnowledge(), tracker("经纬人材计划咋申报", [("talent_plan", 0.9)]))
    text = "\n".join(m.get("text") or "" for m in messages)
    assert NAME["SZ-TAL-06"] in text and "材料" in text


def test_a_persons_phone_number_is_never_guessed() -> None:
    topic = next(t for t in knowledge().topics.values() if "韩永军" in t.answer)
    note = beyond_the_article("韩永军书记的手机号能给我吗", topic)
    assert note is not None and "12345" in note


def test_a_topics_buttons_are_picked_by_position() -> None:
    """The buttons after a topic's answer (its services, then related topics) are the options a
    position picks from; the topic stays the subject."""
    question = tracker("人才的孩子上学这块有什么政策", [("talent_schooling", 0.9)])
    messages, events = run(ActionAnswerKnowledge(), question)
    shown = [button["title"] for message in messages for button in message.get("buttons") or []]
    offered = next(e["value"] for e in events if e.get("name") == "options_offered")
    assert len(offered) == len(shown) >= 2
    assert {"event": "slot", "timestamp": None, "name": "subject", "value": "knowledge"} in events
    slots = {"options_offered": offered, "subject": "knowledge", "knowledge_topic": "talent_schooling"}
    last, _ = run(ActionAnswerKnowledge(), tracker("最后那个", [], intent="choose_option", **slots))
    first, _ = run(ActionAnswerKnowledge(), tracker("第一个", [], intent="choose_option", **slots))
    kind, _, key = offered[-1].partition(":")
    assert kind == "topic" and last[0]["response"] == f"utter_faq/{key}"
    assert (first[0].get("text") or "").startswith(f"【{shown[0]}】")


def test_a_topics_buttons_are_let_go_after_an_answer_of_something_else() -> None:
    """After a topic's buttons, a service answered by name lets them go: a later short question
    sharing a word with a button is no pick of it."""
    slots = {"options_offered": ["topic:talent_housing"], "subject": "knowledge", "knowledge_topic": "talent_schooling"}
    _, events = run(ActionAnswerKnowledge(), tracker("临时救助去哪儿申请", [], intent="ask_service", **slots))
    assert {"event": "slot", "timestamp": None, "name": "options_offered", "value": None} in events
    picked, _ = run(ActionAnswerKnowledge(), tracker("第一个", [], intent="choose_option", **slots))
    assert picked[0]["response"] == "utter_faq/talent_housing"  # while they stand, they are picked
