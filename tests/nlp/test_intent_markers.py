"""A chitchat intent only for a message holding one of its words (bot/nlp/intent_markers.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot import paths
from bot.nlp.greeting import without_leading_greeting
from bot.nlp.intent_markers import IntentMarkerFeaturizer, IntentMarkers, compile_markers, unmarked
from bot.nlp.traditional import converter

COMPONENT = "bot.nlp.intent_markers.IntentMarkers"
FEATURIZER = "bot.nlp.intent_markers.IntentMarkerFeaturizer"


def configured_markers(config: Path = paths.CONFIG, component_name: str = COMPONENT) -> dict:
    pipeline = yaml.safe_load(config.read_text(encoding="utf-8"))["pipeline"]
    [component] = [c for c in pipeline if c["name"] == component_name]
    return component["markers"]


def examples(intent: str) -> list[str]:
    found = []
    for path in paths.NLU.glob("*.yml"):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
            if block.get("intent") == intent:
                found += [line.strip()[2:].strip() for line in block["examples"].splitlines() if line.strip()]
    return found


def as_the_pipeline_reads(text: str) -> str:
    """繁→简 and a leading greeting off, as the components before the classifier do."""
    return without_leading_greeting(converter().convert(text))


def test_diet_is_given_the_same_markers_as_features() -> None:
    assert configured_markers(paths.CONFIG, FEATURIZER) == configured_markers(paths.CONFIG)


def featurized(featurizer: IntentMarkerFeaturizer, text: str) -> dict[str, float]:
    """The featurizer's sentence features of `text` (one token a character), by marker name."""
    message = Message(data={TEXT: text})
    message.set(TOKENS_NAMES[TEXT], [Token(character, index) for index, character in enumerate(text)])
    featurizer.process([message])
    _, sentence = message.get_sparse_features(TEXT)
    names = [pattern["name"] for pattern in featurizer.known_patterns]
    return dict(zip(names, sentence.features.toarray()[0], strict=True))


def test_the_featurizer_marks_each_intent_whose_words_a_message_holds(tmp_path: Path) -> None:
    storage, resource = LocalModelStorage(tmp_path), Resource("intent_marker_featurizer")
    context = ExecutionContext(GraphSchema({}), node_name="intent_marker_featurizer")
    config = {**IntentMarkerFeaturizer.get_default_config(), "markers": configured_markers()}
    IntentMarkerFeaturizer.create(config, storage, resource, context).train(TrainingData())
    # What a trained model holds: the markers as they were when it was trained.
    featurizer = IntentMarkerFeaturizer.load(config, storage, resource, context)
    assert {p["name"] for p in featurizer.known_patterns} == {f"marker_{i}" for i in configured_markers()}
    insult = featurized(featurizer, "你这破助手")
    assert insult["marker_insult"] == 1 and insult["marker_thank"] == 0
    assert featurized(featurizer, "Hi，在吗")["marker_greet"] == 1  # case-insensitive, as IntentMarkers
    assert not any(featurized(featurizer, "临时救助如何申请").values())


@pytest.mark.parametrize("intent", sorted(configured_markers()))
def test_every_training_example_of_a_marked_intent_holds_a_marker(intent: str) -> None:
    markers = compile_markers(configured_markers())
    lacking = [text for text in examples(intent) if unmarked(as_the_pipeline_reads(text), intent, markers)]
    assert examples(intent) and not lacking, lacking


def message(text: str, ranking: list[tuple[str, float]]) -> Message:
    entries = [{"name": name, "confidence": confidence} for name, confidence in ranking]
    return Message(data={TEXT: text, INTENT: dict(entries[0]), INTENT_RANKING_KEY: entries})


def test_an_unmarked_chitchat_intent_gives_way_to_the_next() -> None:
    component = IntentMarkers({"markers": configured_markers()})
    [asked] = component.process([message("历下区政务服务中心几点关门",
                                          [("greet", 0.83), ("out_of_scope", 0.1), ("faq", 0.05)])])
    assert asked.get(INTENT) == {"name": "out_of_scope", "confidence": 0.1}
    assert [e["name"] for e in asked.get(INTENT_RANKING_KEY)] == ["out_of_scope", "faq"]
    [identity] = component.process([message("市中区怎么对接北京跟雄安",
                                             [("bot_identity", 0.57), ("thank", 0.2), ("faq", 0.2)])])
    assert identity.get(INTENT)["name"] == "faq"  # thank lacks its markers too


@pytest.mark.parametrize(("text", "intent"), [
    ("你好", "greet"), ("Hi，在吗", "greet"), ("早上好", "greet"), ("谢谢啦", "thank"),
    ("请问你是不是机器人", "bot_identity"), ("这是AI在回复吗", "bot_identity"),
    ("怎么用", "help"), ("转人工", "request_human"), ("你这破助手", "insult"), ("那住房呢？", "ask_more"),
    ("临时救助如何申请", "faq"),  # an intent without markers is never touched
])
def test_a_marked_or_unmarked_intent_stays(text: str, intent: str) -> None:
    component = IntentMarkers({"markers": configured_markers()})
    [kept] = component.process([message(text, [(intent, 0.9), ("out_of_scope", 0.05)])])
    assert kept.get(INTENT)["name"] == intent


@pytest.mark.parametrize(("text", "intent"), [
    # out-of-scope questions of fold 1 of `make bench-nlu` that DIET gave a chitchat intent
    ("梅西和C罗谁更厉害", "bot_identity"), ("民政局局长叫啥名字", "bot_identity"),
    ("血压高该注意点啥", "help"), ("这两天会不会下大雨", "help"),
    ("我想找个保姆", "request_human"), ("来个绕口令", "request_human"),
    ("你会跳舞吗", "insult"), ("水压太小了，洗澡水都上不去楼", "insult"),
    ("珠穆朗玛峰多高", "ask_more"),
    ("韩永军书记的手机号能给我吗", "request_callback"),  # a held-out question, request_callback 0.91
    # a follow-up naming a talent service or asking on is no question about the assistant or farewell
    ("我问的是人才引进的落户手续", "bot_identity"), ("想咨询下孩子转学的手续", "help"),
    ("再问一句，居住证到期了怎么续签", "goodbye"),
])
def test_a_question_without_the_intents_words_gives_way(text: str, intent: str) -> None:
    component = IntentMarkers({"markers": configured_markers()})
    [asked] = component.process([message(text, [(intent, 0.7), ("out_of_scope", 0.2)])])
    assert asked.get(INTENT) == {"name": "out_of_scope", "confidence": 0.2}


@pytest.mark.parametrize(("text", "goodbye"), [
    ("好的88", True), ("那就88啦", True), ("886，先下了", True),
    ("我姥爷都88了，有啥补贴能领", False),  # an age, in a question: no goodbye
    ("今年88岁的老人去哪申请津贴", False),
    ("房租一个月1880块能申请补贴吗", False),
])
def test_88_says_goodbye_only_in_a_short_message(text: str, goodbye: bool) -> None:
    """"88" (拜拜) is a goodbye word in a message of a few characters, and an age or an amount
    in a longer question, which a goodbye would leave unanswered."""
    assert unmarked(text, "goodbye", compile_markers(configured_markers())) is not goodbye


@pytest.mark.parametrize(("text", "goodbye"), [
    ("好的，我先走了", True), ("那我走啦", True),
    ("开个公司要走哪些程序", False),  # 走程序 / 走流程: a procedure asked
    ("办这个证得走什么手续", False),
    ("去区政务中心怎么走", False),  # the way asked
])
def test_walking_says_goodbye_only_when_one_leaves(text: str, goodbye: bool) -> None:
    """走 is a farewell ("我先走了"), not a procedure to go through or the way to a place, which a
    goodbye would leave unanswered."""
    assert unmarked(text, "goodbye", compile_markers(configured_markers())) is not goodbye


@pytest.mark.parametrize(("text", "affirm"), [
    ("要的", True), ("是的，需要", True), ("中，就这样", True),
    ("我要打给区里的办事大厅问问", False),  # a wish, not a yes
    ("那个要收钱不", False),  # a question about a fee
    ("联系一下市民服务中心", False),  # 中心 is no 中 (行)
])
def test_a_long_wish_with_yao_or_a_centre_is_no_affirmation(text: str, affirm: bool) -> None:
    """要 says yes only beside yes-words (要的, 是的，需要), and 中 (Shandong's 行) stands alone:
    "我要…" asking for something, "…要交钱吗" asking a fee or a 服务中心 named would otherwise let a
    yes through and go unanswered."""
    assert unmarked(text, "affirm", compile_markers(configured_markers())) is not affirm


@pytest.mark.parametrize(("text", "cancel"), [
    ("不办了", True), ("算了，电话不留了", True), ("先不弄了吧", True),
    ("领了结婚证还得办点啥不", False),  # 不 at the end asks, as 吗 does (Shandong's …不)
    ("周六办事大厅开门不？", False),
])
def test_a_question_ending_in_bu_is_no_cancel(text: str, cancel: bool) -> None:
    """A 不 that ends a question is its question word, not a refusal: read as cancel, the question
    would get "nothing to cancel", or end the callback form a resident is filling in."""
    assert unmarked(text, "cancel", compile_markers(configured_markers())) is not cancel
