"""Mistyped district words are put right by their sound; everyday words and the district's own
words stay as written (bot/nlp/homophones.py, on the table the set-up builds from the sources)."""

from __future__ import annotations

import json

import pytest
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot import paths
from bot.nlp.homophones import HomophoneCorrector, Homophones

WORDS = ("申请", "办理", "报名", "怎么办", "怎么申请", "在哪办")


@pytest.fixture(scope="module")
def homophones() -> Homophones:
    if not paths.HOMOPHONES.exists():
        from bot.training_data import district_words
        from tools.setup import write_homophones

        write_homophones(district_words())
    return Homophones(json.loads(paths.HOMOPHONES.read_text(encoding="utf-8")), WORDS)


@pytest.mark.parametrize(("typed", "meant"), [
    ("老人的高岭津贴去哪儿领", "老人的高龄津贴去哪儿领"),  # a service's name
    ("居驻证过期了咋续", "居住证过期了咋续"),  # an alias
    ("我想问问低宝的事", "我想问问低保的事"),
    ("灵活就叶要交社保吗", "灵活就业要交社保吗"),
    ("口代公园建了几个", "口袋公园建了几个"),  # an article term
    ("临时救助咋申情", "临时救助咋申请"),  # one of the config's words
    ("营业纸照和公章都要带吗", "营业执照和公章都要带吗"),  # a word two names share (营业执照)
])
def test_a_district_word_mistyped_by_its_sound_is_put_right(homophones: Homophones, typed: str, meant: str) -> None:
    assert homophones.correct(typed) == meant


@pytest.mark.parametrize("text", [
    "事业单位招聘考试在哪报名",  # 事业 sounds like 失业
    "这个先不办了",  # 不办 sounds like 补办
    "政府对人才有哪些服务保障",  # 服务保障 holds the sound of 五保
    "市中区哪家馆子好吃",  # 区哪 sounds like 去哪, across two words
    "那个计划叫什么名字",
    "退伍军人的优待证在哪领",  # a part of a district word (the elderly's 优待证) as written
    "低包怎么申请",  # a slip the catalogue lists as an alias stays for the search to find
    "我想问问就业的政策",  # 问 before 就业, no slip of the article's 稳就业
    "星期天办不办",  # a two-character part (补办) is put in from pinyin only
    "一年几次体检",  # nor a three-character one (一年级) mistyped in characters
    "我们学校有两个xiaoqu",  # a part (小区) that sounds like an everyday word (校区) is never put in
    "Wang上周来问过",  # a capitalised name is no half of a word (网上)
])
def test_everyday_and_district_words_stay(homophones: Homophones, text: str) -> None:
    assert homophones.correct(text) == text


@pytest.mark.parametrize(("typed", "meant"), [
    ("jiuye dengji zai na ban", "就业登记在哪办"),
    ("Dong Yuan Da Hui 开在哪天", "动员大会开在哪天"),
    ("我想办shebaoka", "我想办社保卡"),
    ("shebao断交了怎么补", "社保断交了怎么补"),  # a word two names share
    ("离hun要带什么", "离婚要带什么"),  # half in characters, half in pinyin
    ("jie婚证丢了", "结婚证丢了"),
    ("我想问问 tuixiujin 咋领", "我想问问退休金咋领"),
    ("hello翻译成中文", "hello翻译成中文"),  # no pinyin
    ("Tell me a joke", "Tell me a joke"),  # no district word spelt
])
def test_district_words_typed_as_pinyin_are_written_in_characters(homophones: Homophones, typed: str,
                                                                  meant: str) -> None:
    assert homophones.correct(typed).replace(" ", "") == meant.replace(" ", "")


def test_the_component_rewrites_messages_with_the_set_ups_table(homophones: Homophones) -> None:
    corrector = HomophoneCorrector({"table": str(paths.HOMOPHONES), "words": list(WORDS)})
    [message] = corrector.process([Message(data={TEXT: "结婚登计要带啥"})])
    assert message.get(TEXT) == "结婚登记要带啥"
