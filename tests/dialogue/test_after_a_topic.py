"""Kinds of turn after an article topic, and a few where the NLU marked less than was said: a field
asked alone, a pick of no button, a need of one's own the topic's service meets, which one the
article names, a pick with nothing offered, a field asked in the vocabulary's words only, the rent,
how long a card stays valid.
On the real catalogue, knowledge base and sources/routing.yml (tests/dialogue/conftest.py)."""

from __future__ import annotations

import pytest

from bot import paths
from bot.dialogue.router import SERVICE, SERVICE_BEYOND, TOPIC, Router
from bot.dialogue.turn import State, Turn
from tests.names import NAME

pytestmark = pytest.mark.skipif(not (paths.SPACY_PIPELINE / "meta.json").is_file(),
                                reason="the spaCy zh pipeline is not built (make setup)")

SETTLEMENT = {"subject": "knowledge", "knowledge_topic": "talent_settlement"}
TALENT_BUTTONS = {"subject": "knowledge", "knowledge_topic": "talent_services",
                  "options": ("topic:talent_plan", "topic:talent_settlement", "topic:talent_housing")}
OLD_HOUSING = {"subject": "knowledge", "knowledge_topic": "environment_old_communities"}


def turn(text: str, intent: str = "ask_service", services: tuple[str, ...] = (), fields: tuple[str, ...] = (),
         **state) -> Turn:
    return Turn(text, intent, services=services, fields=fields, state=State(**state))


@pytest.mark.parametrize(("text", "fields"), [
    ("一般多长时间能办完", ("time_limit",)), ("大概得多长时间", ("time_limit",))])
def test_a_field_alone_after_a_topic_with_one_service_asks_that_service(router: Router, text: str,
                                                                       fields: tuple[str, ...]) -> None:
    """Its words score for another topic ("时间"), yet they are a field's own."""
    decision = router.route(turn(text, fields=fields, **SETTLEMENT))
    assert decision.reply == SERVICE and decision.service.code == "SZ-TAL-01", decision
    assert decision.fields == fields


@pytest.mark.parametrize(("text", "code"), [
    ("就医那块怎么申请", "SZ-TAL-04"), ("就医的那个咋办理", "SZ-TAL-04")])
def test_a_how_to_read_as_a_pick_of_no_button_asks_the_topics_service(router: Router, text: str, code: str) -> None:
    decision = router.route(turn(text, "choose_option", **TALENT_BUTTONS))
    assert decision.reply == SERVICE and decision.service.code == code, decision


def test_a_pick_of_no_button_without_a_how_to_asks_the_article_and_a_bare_one_gets_the_buttons(
        router: Router) -> None:
    schooling = router.route(turn("孩子念书那个", "choose_option", **TALENT_BUTTONS))
    assert schooling.reply == TOPIC and schooling.topic == "talent_schooling", schooling
    bare = router.route(turn("那个吧", "choose_option", **TALENT_BUTTONS))
    assert bare.name == "options_pending", bare
    button = router.route(turn("住房那个", "choose_option", **TALENT_BUTTONS))
    assert button.name == "pick_by_name" and button.topic == "talent_housing", button


@pytest.mark.parametrize("text", ["我家那个小区也挺破的，能给改吗", "想咨询一下我们那个小区能不能给改"])
def test_ones_own_need_after_a_topic_is_the_service_the_topic_leads_to(router: Router, text: str) -> None:
    decision = router.route(turn(text, **OLD_HOUSING))
    assert decision.reply == SERVICE and decision.service.code == "SZ-URB-02", decision


@pytest.mark.parametrize("text", ["旧小区整治的文件里点到了哪个社区", NAME["SZ-URB-02"] + "那部分提到的是哪个社区"])
def test_which_one_the_article_names_is_the_articles_though_a_service_is_named(router: Router, text: str) -> None:
    decision = router.route(turn(text, services=(NAME["SZ-URB-02"],)))
    assert decision.reply == TOPIC and decision.topic == "environment_old_communities", decision


@pytest.mark.parametrize(("text", "code"), [("家里老人过了九十，有那种长寿补助吗", "SZ-ELD-02"),
                                           ("俺爸今年八十八，那个高龄的钱能领不", "SZ-ELD-02"),
                                           ("我奶奶快一百岁了，有那个长寿的钱吗", "SZ-ELD-02")])
def test_a_pick_with_nothing_offered_is_a_question_of_its_own(router: Router, text: str, code: str) -> None:
    decision = router.route(turn(text, "choose_option"))
    assert decision.reply == SERVICE and decision.service.code == code, decision
    assert router.route(turn("就那个吧", "choose_option")).name == "nothing_offered"


@pytest.mark.parametrize(("text", "state", "field"), [
    ("居住证申领需要带些啥", {}, "materials"), ("结婚登记收不收钱", {}, "fee"),
    ("还要交钱不", {"subject": "service", "service_code": "SZ-CIV-03"}, "fee")])
def test_fields_in_the_vocabularys_words_count_where_the_nlu_marked_none(router: Router, text: str, state: dict,
                                                                        field: str) -> None:
    decision = router.route(turn(text, **state))
    assert decision.reply == SERVICE and field in decision.fields, decision


def test_a_field_word_beside_other_words_is_left_to_the_nlu(router: Router) -> None:
    decision = router.route(turn("结婚登记的材料丢了怎么补"))
    assert decision.fields == (), decision


def test_a_repair_of_ones_own_after_a_topic_is_no_service_of_it(router: Router) -> None:
    decision = router.route(turn("我家小区路灯坏了好几天了", **OLD_HOUSING))
    assert decision.name != "topic_related_hit", decision


@pytest.mark.parametrize("text", ["每个月交多少租", "房租贵不贵啊", "一年租金多少钱"])
def test_the_rent_is_no_guides_field(router: Router, text: str) -> None:
    decision = router.route(turn(text, subject="service", service_code="SZ-TAL-03"))
    assert decision.reply == SERVICE_BEYOND and decision.service.code == "SZ-TAL-03", decision
    assert any("租" in detail.what for detail in decision.details)


@pytest.mark.parametrize(("text", "services"), [("社保卡办下来能用几年", ("社保卡",)),
                                               ("居住证多长时间就过期了", ("居住证",)),
                                               ("营业执照有效期是多少年", ("营业执照",))])
def test_how_long_a_card_stays_valid_is_no_time_limit(router: Router, text: str, services: tuple[str, ...]) -> None:
    """多久 / 几年 ask how long the card lasts, not how long handling takes: no guide gives that."""
    decision = router.route(turn(text, services=services, fields=("time_limit",)))
    assert decision.reply == SERVICE_BEYOND, decision
    assert any("有效期" in detail.what for detail in decision.details)


def test_how_long_handling_takes_is_still_the_time_limit(router: Router) -> None:
    decision = router.route(turn("社保卡多久能办下来", services=("社保卡",), fields=("time_limit",)))
    assert decision.reply == SERVICE and decision.fields == ("time_limit",), decision


@pytest.mark.parametrize(("text", "services"), [("可以用多长时间办好", ("社保卡",)),
                                               ("低保批下来能管几年", ("低保",))])
def test_how_long_handling_or_a_benefit_takes_is_no_question_of_validity(router: Router, text: str,
                                                                        services: tuple[str, ...]) -> None:
    decision = router.route(turn(text, services=services, fields=("time_limit",)))
    assert not any("有效期" in detail.what for detail in decision.details), decision


def test_a_card_within_its_validity_told_as_a_condition_is_no_question_of_validity(router: Router) -> None:
    decision = router.route(turn("身份证还在有效期内就能办吗", services=("居住证",)))
    assert decision.reply == SERVICE, decision


# — decoys: what each kind must leave alone (an independent review's cases) —

def test_what_a_term_means_after_a_topic_is_no_field_of_its_service(router: Router) -> None:
    decision = router.route(turn("网上办是啥", "faq", fields=("online",), **SETTLEMENT))
    assert decision.name != "topic_service", decision


@pytest.mark.parametrize("text", ["算了", "另外一个", "刚才说的那个"])
def test_a_pick_that_asks_nothing_with_nothing_offered_is_told_so(router: Router, text: str) -> None:
    assert router.route(turn(text, "choose_option")).name == "nothing_offered"


@pytest.mark.parametrize("text", ["上面那个", "不要了", "重新选"])
def test_a_pick_of_no_button_with_no_topics_words_gets_the_buttons_again(router: Router, text: str) -> None:
    assert router.route(turn(text, "choose_option", **TALENT_BUTTONS)).name == "options_pending"


def test_a_service_named_in_a_pick_of_no_button_is_that_service(router: Router) -> None:
    decision = router.route(turn("结婚登记那个", "choose_option", services=("结婚登记",), **TALENT_BUTTONS))
    assert decision.reply == SERVICE and decision.service.code == "SZ-CIV-01", decision


def test_a_part_of_a_name_the_search_finds_first_in_another_service_is_no_topics_service(router: Router) -> None:
    decision = router.route(turn("我爸生病住院花了很多钱，想申请救助", subject="knowledge",
                                 knowledge_topic="livelihood_social_assistance"))
    assert decision.name != "topic_related_hit", decision


@pytest.mark.parametrize("text", ["养老服务补贴提到的是哪类老人", "医疗救助说到的是哪些病"])
def test_who_or_what_a_service_covers_is_no_mention_of_the_article(router: Router, text: str) -> None:
    assert router.route(turn(text)).name != "article_figure"


@pytest.mark.parametrize(("text", "field"), [("低保多少钱", "fee"), ("社保卡号码", "phone"),
                                             ("营业执照改地址", "place")])
def test_an_amount_paid_out_or_a_cards_own_number_is_no_field(router: Router, text: str, field: str) -> None:
    assert field not in router.route(turn(text)).fields


@pytest.mark.parametrize("text", ["交不起房租了能申请临时救助吗", "租房补贴要提交租赁合同吗",
                                  "我是租房住的，每月交房租，能办居住证吗"])
def test_rent_told_as_a_situation_is_no_question_of_the_rent(router: Router, text: str) -> None:
    assert router.route(turn(text)).reply != SERVICE_BEYOND


@pytest.mark.parametrize("text", ["得去哪个地方弄", "在啥地方交"])
def test_the_place_asked_in_other_words_of_the_service_discussed_read_as_the_articles(router: Router,
                                                                                     text: str) -> None:
    """DIET marked no `field` and put it in the article: only the place of the service discussed."""
    decision = router.route(turn(text, "faq", subject="service", service_code="SZ-CIV-03"))
    assert decision.reply == SERVICE and decision.fields == ("place",), decision
    elsewhere = router.route(turn("什么地方好玩", "out_of_scope", subject="service", service_code="SZ-CIV-03"))
    assert elsewhere.reply != SERVICE, elsewhere


@pytest.mark.parametrize("text", ["说到了哪个社区呢", "点名了哪个社区"])
def test_which_one_the_topic_names_asked_short_is_the_topics_though_another_topic_shares_the_word(
        router: Router, text: str) -> None:
    """社区 scores about as well for the culture centres: the topic discussed is asked."""
    decision = router.route(turn(text, "nlu_fallback", fields=("place",), **OLD_HOUSING))
    assert decision.reply == TOPIC and decision.topic == "environment_old_communities", decision


@pytest.mark.parametrize("text", ["孩子上学有关的手续都有啥", "养老方面的手续都有哪些"])
def test_which_procedures_of_a_kind_lists_its_services_though_the_nlu_read_the_article(router: Router,
                                                                                      text: str) -> None:
    decision = router.route(turn(text, "faq"))
    assert decision.name == "kind_list", decision
    assert router.route(turn("结婚登记要办什么手续", services=("结婚登记",))).name == "named_service"
    # A thing to do named ("办个养老院…") is searched, not its whole kind listed.
    assert router.route(turn("办个养老院要办哪些手续")).name != "kind_list"


@pytest.mark.parametrize("text", ["资金合计是多少", "总计投了多少", "投资金额有多少"])
def test_a_total_asked_in_words_of_its_own_is_the_topics_figure(router: Router, text: str) -> None:
    """合计, 总计, 金额 only say which figure (measure_words), as 总投资 does: the topic's."""
    projects = {"subject": "knowledge", "knowledge_topic": "platform_city_projects"}
    decision = router.route(Turn(text, "out_of_scope", ranking=(("platform_city_projects", 0.12),),
                                 state=State(**projects)))
    assert (decision.reply, decision.topic) == (TOPIC, "platform_city_projects"), decision.name
    # Words the topic's text lacks beside them ask of something else.
    other = router.route(Turn("炒股投资多少合适", "out_of_scope", ranking=(("platform_city_projects", 0.12),),
                              state=State(**projects)))
    assert other.reply != TOPIC
