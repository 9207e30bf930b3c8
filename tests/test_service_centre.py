"""Questions about the district service centre itself, through REST: answered from its record
(sources/service_centre.yml) with the sample notice and 12345, never from a passage of the article
or another service's counter, whatever words residents use (issue 19, point 4).

The routing decision each answer records in the tracker (metadata.routing) is checked too.
"""

from __future__ import annotations

import uuid

import pytest

from bot.catalogue.centre import LABELS, SAMPLE_NOTICE, load_centre
from tests.button_walk import Assistant
from tests.names import NAME

pytestmark = pytest.mark.server

# (question, the record's fields it asks: their labels must head the answer's lines)
WORDINGS = [
    ("区政务服务中心在哪儿啊，几点上班，星期六开不开", ("address", "hours")),
    ("请问政务大厅具体在什么位置", ("address",)),
    ("行政审批大厅怎么走", ("address",)),
    ("办事大厅中午休息不休息", ("hours",)),
    ("政务中心周末有人上班吗", ("hours",)),
    ("市民中心的电话是多少", ("phone",)),
    ("政务服务大厅有没有咨询电话", ("phone",)),
    ("区政务服务中心都能办些什么业务", ("handles",)),
    ("你好，政务服务中心", ()),
]


@pytest.fixture(scope="module")
def api(servers) -> Assistant:
    return Assistant(servers.rasa_url, servers.auth_token)


@pytest.mark.parametrize(("question", "asked"), WORDINGS, ids=[q for q, _ in WORDINGS])
def test_the_centre_is_answered_from_its_record(api: Assistant, question: str, asked: tuple[str, ...]) -> None:
    centre = load_centre()
    reply = api.say(f"centre-{uuid.uuid4().hex}", question)
    # A phone question the NLU takes for a wish to call answers from the same record (centre_phone).
    assert reply.decisions[:1] in (["service_centre"], ["centre_phone"]), (reply.decisions, reply.text)
    text = reply.text
    assert SAMPLE_NOTICE in text and text.count(SAMPLE_NOTICE) == 1 and "12345" in text
    assert "工作部署" not in text and "事项目录“" not in text  # no passage, no service's guide
    shown = asked or tuple(LABELS)
    for key in shown:
        assert f"{LABELS[key]}：" in text, (key, text)
    if asked:
        assert text.splitlines()[0].startswith(f"{centre.name}{LABELS[asked[0]]}：") or \
            text.splitlines()[1].startswith(f"{LABELS[asked[0]]}："), text
    # The other fields are a tap away, each asked of the centre by name.
    assert all(b["payload"].startswith(centre.name) for b in reply.buttons)


def test_a_follow_up_asks_the_centre_again_and_another_district_is_handed_on(api: Assistant) -> None:
    sender = f"centre-{uuid.uuid4().hex}"
    first = api.say(sender, "政务大厅在哪条路上")
    assert first.decisions[:1] == ["service_centre"]
    hours = api.say(sender, "那礼拜天开门吗")
    assert hours.decisions[:1] == ["centre_follow_up"] and f"{LABELS['hours']}：" in hours.text, hours.text
    phone = api.say(sender, "电话多少")
    assert phone.decisions[:1] == ["centre_follow_up"] and "12345" in phone.text, phone.text
    elsewhere = api.say(f"centre-{uuid.uuid4().hex}", "天桥区政务服务中心几点关门")
    assert elsewhere.decisions[:1] == ["centre_elsewhere"] and "12345" in elsewhere.text
    assert "市中区政务服务中心" not in elsewhere.text


# A wish to phone the centre, however said, is no wish to be called back: the centre's phone first.
CALL_WISHES = ["想打个电话问问政务服务大厅", "怎么打电话到政务中心", "市民中心的电话能给一个吗，我打过去问",
               "有没有办事大厅的号码，我自己打过去", "我要致电政务服务中心"]


@pytest.mark.parametrize("wish", CALL_WISHES)
def test_a_wish_to_phone_the_centre_gets_its_phone_not_the_callback_form(api: Assistant, wish: str) -> None:
    centre = load_centre()
    reply = api.say(f"centre-{uuid.uuid4().hex}", wish)
    assert reply.decisions[:1] in (["centre_phone"], ["service_centre"]), (reply.decisions, reply.text)
    assert reply.text.splitlines()[0].startswith(f"{centre.name}{LABELS['phone']}：") or \
        reply.text.splitlines()[1].startswith(f"{LABELS['phone']}："), reply.text
    assert reply.active_loop != "callback_form" and "尾号" not in reply.text
    assert SAMPLE_NOTICE in reply.text and "12345" in reply.text


def test_a_wish_to_be_called_back_still_opens_the_form(api: Assistant) -> None:
    reply = api.say(f"centre-{uuid.uuid4().hex}", "请你们给我回个电话")
    assert reply.active_loop == "callback_form", (reply.actions, reply.text)


def test_services_called_by_a_shared_word_follow_the_centre_answer(api: Assistant) -> None:
    """营业执照 is in the names of several services: the centre's hours answer, and those services
    follow as 相关办事, which "第一个" picks from."""
    sender = f"centre-{uuid.uuid4().hex}"
    reply = api.say(sender, "营业执照要去办事大厅弄的话，周末开门吗")
    assert reply.decisions[:1] == ["service_centre"] and f"{LABELS['hours']}：" in reply.text, reply.text
    licence = NAME["SZ-ENT-02"]  # not written out: an eval turn
    assert "相关办事：" in reply.text and f"【{licence}】" in reply.text, reply.text
    picked = api.say(sender, "第一个")
    assert f"【{licence}】" in picked.text.splitlines()[0], picked.text
    # The centre alone asked: no services follow.
    alone = api.say(f"centre-{uuid.uuid4().hex}", "办事大厅周末开门吗")
    assert "相关办事" not in alone.text
