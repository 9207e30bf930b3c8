"""A need described instead of a service named, and a service's name asked bare with a slip: the
router's decisions on the real catalogue (its `situations`), the real knowledge base and
sources/routing.yml. The messages are worded apart from the catalogue's situations."""

from __future__ import annotations

import pytest

from bot import paths
from bot.dialogue.router import OUT_OF_SCOPE, SERVICE, TOPIC, Router
from bot.dialogue.turn import State, Turn
from tests.names import NAME

pytestmark = pytest.mark.skipif(not (paths.SPACY_PIPELINE / "meta.json").is_file(),
                                reason="the spaCy zh pipeline is not built (make setup)")

TOPIC_GUESS = (("talent_plan", 0.3),)


def turn(text: str, intent: str, fields: tuple[str, ...] = (), ranking=TOPIC_GUESS, **state) -> Turn:
    return Turn(text, intent, fields=fields, ranking=ranking, state=State(**state))


@pytest.mark.parametrize(("text", "name"), [
    ("工地一天到晚灰尘飞扬", NAME["SZ-URB-03"]),
    ("孤寡老人无儿无女没人赡养", "特困人员救助供养"),
    ("邻居在楼顶私自搭了个棚子", NAME["SZ-URB-01"]),
    ("家里老人一个人在家做饭成问题", NAME["SZ-ELD-05"]),
])
@pytest.mark.parametrize("intent", ["out_of_scope", "nlu_fallback"])
def test_a_described_need_is_its_service_though_the_nlu_put_it_out_of_scope(
        router: Router, text: str, name: str, intent: str) -> None:
    decision = router.route(turn(text, intent))
    assert (decision.name, decision.reply, decision.service.name) == ("situation_service", SERVICE, name)


@pytest.mark.parametrize("text", ["明天会下雨吗", "手机话费怎么充值", "我家猫丢了", "附近哪家饭店好吃",
                                  "医院怎么挂号"])
def test_true_out_of_scope_questions_stay_handed_on(router: Router, text: str) -> None:
    assert router.route(turn(text, "out_of_scope")).reply == OUT_OF_SCOPE


def test_an_article_question_stays_with_the_article_unless_it_tells_of_ones_own_life(router: Router) -> None:
    own = router.route(turn("我五十多了身体也不好工作一直找不着", "faq"))
    assert own.name == "situation_service" and own.service.name == "就业困难人员认定"
    for text in ("养老服务方面今年有什么打算", "我们公司打算来区里投资看重哪些条件"):
        assert router.route(turn(text, "faq")).reply == TOPIC, text


def test_a_service_named_in_passing_gives_way_to_the_one_the_need_describes(router: Router) -> None:
    # 下岗了 is an alias of 失业登记, 医保 of the medical insurance: the need is another service's.
    jobless = router.route(turn("我们家两口子都下岗了没人挣钱", "ask_service"))
    assert jobless.name == "situation_beside_name" and jobless.service.name == NAME["SZ-EMP-01"]
    bills = router.route(turn("医保报销完自己还要掏一大笔药费", "ask_service"))
    assert bills.service.name == "医疗救助"
    # A service asked for by its name, with a field: that service.
    assert router.route(turn("低保申请得准备哪些材料", "ask_service")).service.name == "最低生活保障"


@pytest.mark.parametrize(("text", "named", "name"), [
    ("孩子明年要上幼儿园，报名得准备什么", "幼儿园", NAME["SZ-EDU-03"]),
    ("孩子明年要上初中了，报名咋弄", "初中", "初中入学"),
    # The NLU's value is the service's own name (its synonym), and the wish's verb begins an alias.
    ("孩子明年要上初中了，报名咋弄", "初中入学", "初中入学"),
])
def test_a_service_the_resident_wishes_to_go_to_is_not_named_in_passing(
        router: Router, text: str, named: str, name: str) -> None:
    decision = router.route(Turn(text, "ask_service", services=(named,), ranking=TOPIC_GUESS, state=State()))
    assert (decision.name, decision.service.name) == ("named_service", name)


@pytest.mark.parametrize("intent", ["faq", "ask_service", "out_of_scope"])
def test_a_bare_name_with_a_slip_is_that_service_whatever_the_intent(router: Router, intent: str) -> None:
    card = NAME["SZ-ELD-06"]
    for text, name in (("结婚登计", "结婚登记"), ("高龄津帖", "高龄津贴"), (card.removesuffix("办理"), card)):
        decision = router.route(turn(text, intent))
        assert decision.reply == SERVICE and decision.service.name == name, (text, intent)


def test_a_name_inside_an_article_question_or_an_article_term_is_no_bare_name(router: Router) -> None:
    assert router.route(turn("老旧小区今年改造了几个", "faq")).name != "near_name"
    assert router.route(turn("经纬人才", "faq")).reply == TOPIC


@pytest.mark.parametrize("intent", ["ask_service", "deny", "out_of_scope"])
def test_a_yes_no_field_question_is_the_field_of_the_service_under_discussion(router: Router, intent: str) -> None:
    current = next(h.service.code for h in router.catalogue.search(NAME["SZ-CIV-03"], 1))
    for text, field in (("要不要交钱", "fee"), ("用不用本人到场", "visits"), ("材料需不需要复印", "materials")):
        decision = router.route(turn(text, intent, fields=(field,), subject="service", service_code=current))
        assert decision.name == "field_follow_up" and decision.fields == (field,), (text, intent)


def test_of_two_services_named_the_one_asked_after_its_name_is_meant(router: Router) -> None:
    # 小学 is named in passing, 升初中 (an alias of 初中入学) is asked about in its own clause.
    passing = Turn("孩子小学快毕业了，升初中要准备什么", "ask_service", services=("小学", "升初中"),
                   ranking=TOPIC_GUESS, state=State())
    assert router.route(passing).service.name == "初中入学"
    # Asked of the first and only elliptically of the second: the first.
    first = Turn("低保要带什么材料，临时救助呢", "ask_service", services=("低保", "临时救助"),
                 ranking=TOPIC_GUESS, state=State())
    assert router.route(first).service.name == "最低生活保障"


def test_a_kind_asked_for_beside_a_service_named_in_passing(router: Router) -> None:
    # 医保 is named in passing; 救助 is asked for: of the assistance services, the one the need fits.
    bills = Turn("老伴医保报销完还差好几万，能申请点救助不", "ask_service", services=("医保",),
                 ranking=TOPIC_GUESS, state=State())
    decision = router.route(bills)
    assert (decision.name, decision.service.name) == ("kind_beside_name", "医疗救助")
    # Asked as what there is ("有什么救助", nothing after it), the kind is asked all the same.
    what_there_is = Turn("老伴住院自费部分太多，医保报销以后还差好几万，有什么救助", "ask_service",
                         services=("城乡居民基本医疗保险参保登记",), ranking=TOPIC_GUESS, state=State())
    assert router.route(what_there_is).service.name == "医疗救助"
    # Asked bare, it asks for the kind's list: offered to choose from.
    bare = router.route(Turn("有什么救助", "nlu_fallback", ranking=TOPIC_GUESS, state=State()))
    assert bare.reply != SERVICE and len(bare.offers) >= 2
    # Nothing of the need fits one of them: the kind's services are offered.
    jobless = Turn("我已经办了失业登记，家里实在困难，能申请什么救助", "ask_service", services=("失业登记",),
                   ranking=TOPIC_GUESS, state=State())
    offered = router.route(jobless)
    assert offered.name == "kind_beside_name" and offered.reply != SERVICE and offered.offers
    # A kind's word in a clause whose words find the named service first asks of that service.
    flexible = Turn("我在开网约车，算灵活就业，交社保有没有补贴", "ask_service", services=("灵活就业",),
                    ranking=TOPIC_GUESS, state=State())
    assert router.route(flexible).service.name == "灵活就业人员社会保险补贴"
    # 养老金 is a pension (社会保障), not a service for the elderly (养老服务).
    pension = Turn("刚办完退休，养老金怎么领", "ask_service", services=("退休",), ranking=TOPIC_GUESS, state=State())
    assert router.route(pension).name != "kind_beside_name"
    # The kind asked right after the named service's name is that service's question.
    assert router.route(Turn("医保能报销住院费吗", "ask_service", services=("医保",), ranking=TOPIC_GUESS,
                             state=State())).name != "kind_beside_name"


def test_a_question_asked_of_a_longer_thing_than_the_name_is_no_question_of_the_named_service(
        router: Router) -> None:
    # 低保 is named, but 低保边缘户 is asked about: the need is another service's.
    edge = Turn("家里收入刚过低保线一点，低保边缘户咋认定", "ask_service", services=("低保",),
                ranking=TOPIC_GUESS, state=State())
    assert router.route(edge).service.name == NAME["SZ-SA-04"]


def test_a_clause_that_tells_and_one_that_asks_the_service_named_in_the_question_is_answered(
        router: Router) -> None:
    # The situation (out of work) is one service's; the question names another.
    told = Turn("厂子倒闭了没活干，这种算不算就业困难", "ask_service", services=("就业困难人员认定",),
                ranking=TOPIC_GUESS, state=State())
    assert router.route(told).service.name == "就业困难人员认定"
    both = Turn("下岗都三年了一直没找着工作，可以认定为就业困难的不", "ask_service",
                services=("失业登记", "就业困难人员认定"), ranking=TOPIC_GUESS, state=State())
    assert router.route(both).service.name == "就业困难人员认定"


def test_of_two_services_named_the_one_wished_for_is_answered(router: Router) -> None:
    # The first tells what happened; a wish stands before the second.
    both = Turn("上个月刚领了结婚证，现在要做生育登记，去哪里弄", "ask_service",
                services=("结婚登记", "生育登记"), ranking=TOPIC_GUESS, state=State())
    assert router.route(both).service.name == "生育登记"
