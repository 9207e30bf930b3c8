"""A topic answer leads on to its catalogue services, a how-to question about such a topic gets the
service, and a short question about the topic under discussion stays in the article: on the real
catalogue, knowledge base and sources/routing.yml (turns built as the NLU hands them over)."""

from __future__ import annotations

import pytest

from bot import paths
from bot.dialogue.router import OFFER, SERVICE, TOPIC, Router
from bot.dialogue.rules import shared_rules
from bot.dialogue.turn import State, Turn
from tests.names import NAME

pytestmark = pytest.mark.skipif(not (paths.SPACY_PIPELINE / "meta.json").is_file(),
                                reason="the spaCy zh pipeline is not built (make setup)")




def turn(text: str, intent: str = "faq", ranking: tuple[tuple[str, float], ...] = (), **state) -> Turn:
    return Turn(text, intent, ranking=ranking, state=State(**state))


def names(services) -> list[str]:
    return [s.name for s in services]


# — which services a topic leads on to —

def test_a_topic_links_the_services_its_title_names_and_those_quoting_its_passage(router: Router) -> None:
    assert names(router.topic_services("talent_medical")) == ["人才就医绿色通道"]
    # SZ-CUL-03's source line quotes the fitness passage; the title names no service.
    assert names(router.topic_services("livelihood_fitness")) == [NAME["SZ-CUL-03"]]
    assert NAME["SZ-ENT-08"] in names(router.topic_services("industry_building_economy"))


def test_a_quote_many_services_share_links_none_and_at_most_three_are_named(router: Router) -> None:
    # The 一窗办 sentence stands behind every enterprise service: it says nothing of which is meant.
    assert router.topic_services("business_one_window") == ()
    most = int(shared_rules().related_services_at_most)
    assert all(len(router.topic_services(t)) <= most for t in router.knowledge.topics)


def test_a_topic_answer_carries_its_services_and_the_record_names_them(router: Router) -> None:
    asked = turn("区里的全民健身设施建得咋样", ranking=(("livelihood_fitness", 0.9),))
    decision = router.route(asked)
    assert decision.reply == TOPIC and decision.topic == "livelihood_fitness"
    assert names(decision.services) == [NAME["SZ-CUL-03"]]
    assert decision.record(asked)["related"] == [decision.services[0].code]


def test_a_topic_without_services_carries_none(router: Router) -> None:
    decision = router.route(turn("四个引领指的哪四个", ranking=(("overview_four_leads", 0.9),)))
    assert decision.reply == TOPIC and decision.services == ()


# — a how-to question about a topic that has a service —

def test_a_channel_question_about_a_topic_gets_its_service(router: Router) -> None:
    decision = router.route(turn("引进的专家去医院看病有没有快速通道", ranking=(("talent_medical", 0.8),)))
    assert decision.reply == SERVICE and decision.service.name == "人才就医绿色通道"


def test_where_to_turn_about_a_topic_gets_its_service(router: Router) -> None:
    decision = router.route(turn("厂子经营上碰到难题找谁帮忙", ranking=(("business_visit_private", 0.7),)))
    assert decision.reply == SERVICE and decision.service.name == "民营企业诉求反映"


def test_a_subsidy_question_picks_the_topic_service_its_words_fit(router: Router) -> None:
    decision = router.route(turn("来市中工作的人才租房子给不给补贴，有补贴吗", ranking=(("talent_housing", 0.8),)))
    assert decision.reply == SERVICE and decision.service.name == "人才住房补贴申领"


def test_a_question_about_the_article_itself_stays_in_the_article(router: Router) -> None:
    # What the district wants, not what the resident wants to do.
    decision = router.route(turn("楼宇经济要吸引哪些企业进来入驻", ranking=(("industry_building_economy", 0.8),)))
    assert decision.reply == TOPIC and decision.topic == "industry_building_economy"


def test_another_city_is_not_the_topics_service(router: Router) -> None:
    decision = router.route(turn("在青岛看病有人才绿色通道吗", ranking=(("talent_medical", 0.6),)))
    assert decision.name != "topic_own_service"


# — a short question about the topic under discussion —

def test_a_figure_asked_of_the_topic_under_discussion(router: Router) -> None:
    # The part of its passage that gives the area on its own (its scope), not the whole again.
    decision = router.route(turn("面积多大", "out_of_scope", subject="knowledge", knowledge_topic="platform_new_city",
                                 topics_shown=("platform_new_city",)))
    assert decision.name == "topic_question" and decision.topic == "platform_new_city_scope"
    assert "公顷" in router.knowledge.topics[decision.topic].answer


def test_a_figure_the_overview_lacks_comes_from_its_related_topic(router: Router) -> None:
    # 一带一城 itself gives no area; its related 南部科创新城 does.
    decision = router.route(turn("有多大呀", "out_of_scope", subject="knowledge", knowledge_topic="platform_overview"))
    assert decision.name == "topic_question" and decision.topic == "platform_new_city"


def test_names_asked_come_from_the_area_topic_whose_words_the_question_uses(router: Router) -> None:
    decision = router.route(turn("都和哪些机构合作", "nlu_fallback", subject="knowledge",
                                 knowledge_topic="investment_mechanism"))
    assert decision.name == "topic_question" and decision.topic == "investment_partners"


@pytest.mark.parametrize("text", ["明天几号", "外面多少度", "汽油多少钱一升", "你们食堂有啥菜"])
def test_a_short_question_of_other_things_is_not_swallowed(router: Router, text: str) -> None:
    decision = router.route(turn(text, "out_of_scope", subject="knowledge", knowledge_topic="platform_city_projects"))
    assert decision.name != "topic_question" and decision.reply != TOPIC


def test_a_short_question_naming_a_service_or_another_city_is_not_the_topics(router: Router) -> None:
    named = router.route(turn("结婚登记要多少钱", "ask_service", subject="knowledge",
                              knowledge_topic="platform_city_projects"))
    assert named.name != "topic_question"
    elsewhere = router.route(turn("北京有多少个", "out_of_scope", subject="knowledge",
                                  knowledge_topic="platform_city_projects"))
    assert elsewhere.name != "topic_question"


def test_without_a_topic_under_discussion_nothing_is_assumed(router: Router) -> None:
    decision = router.route(turn("有多大", "out_of_scope"))
    assert decision.name == "out_of_scope"
    during_service = router.route(turn("有多大", "out_of_scope", subject="service",
                                       service_code="SZ-CIV-01", knowledge_topic="platform_new_city"))
    assert during_service.name != "topic_question"


def test_several_topic_services_without_a_telling_word_are_offered(router: Router) -> None:
    decision = router.route(turn("这几个馆的事情找谁问", ranking=(("livelihood_culture_venues", 0.8),)))
    assert decision.name == "topic_own_services" and decision.reply == OFFER
    assert {o.title for o in decision.offers} == {"图书馆读者证办理", NAME["SZ-CUL-02"], "档案查询"}


def test_a_service_the_question_names_wins_over_the_topics_link(router: Router) -> None:
    # The topic of private firms links 民营企业诉求反映; the question names 双招双引.
    decision = router.route(turn("双招双引的项目落地找谁对接", ranking=(("business_visit_private", 0.7),)))
    assert decision.reply == SERVICE and decision.service.name == "双招双引项目咨询"


def test_a_topics_only_service_is_not_assumed_when_the_words_lean_elsewhere(router: Router) -> None:
    # Investing in a project is not a private firm's complaint: no guess at 民营企业诉求反映; whom
    # to ask is the catalogue's service its words find clearly.
    decision = router.route(turn("我们公司打算到市中区投资上项目，该找谁问问",
                                 ranking=(("business_visit_private", 0.7),)))
    assert decision.service is not None and decision.service.name == "双招双引项目咨询"
