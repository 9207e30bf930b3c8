"""The action server's search words, segmented elsewhere (bot/catalogue/segmented.py): the NLU's
segments of a message (bot/nlp/search_segments.py) and the set-up's table of the knowledge base's
texts give exactly the words the spaCy tokenizer gives; what neither knows is cut into bigrams
with a warning; the action server's modules route without spaCy, thinc or TensorFlow."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot import paths
from bot.catalogue.segmented import PARSE_KEY, Segmentation, write_table
from bot.catalogue.tokens import STOP_TOKENS, SpacyTokenizer, bigram_tokenize
from bot.knowledge.lexical import TopicIndex, segmented_texts
from bot.knowledge.model import shared as shared_knowledge
from tests.fakes.residents import CONVERSATIONS, SINGLE

pytestmark = pytest.mark.skipif(not (paths.SPACY_PIPELINE / "meta.json").is_file(),
                                reason="the spaCy zh pipeline is not built (make setup)")
UNKNOWN = "is not known"


def story_messages() -> list[str]:
    stories = yaml.safe_load((paths.PROJECT / "tests" / "test_stories.yml").read_text(encoding="utf-8"))["stories"]
    return [str(step["user"]).strip() for story in stories for step in story["steps"] if "user" in step]


def messages() -> list[str]:
    """Ours, the test stories' and, as a resident might type them, the catalogue's names and aliases."""
    from bot.catalogue.files import load_services

    names = [name for service in load_services() for name in (service.name, *service.aliases, *service.examples)]
    own = [*SINGLE, *(text for conversation in CONVERSATIONS for text in conversation)]
    return [*own, *story_messages(), *names, "  ", "ＡＢＣ　１２３", "电话138-1234-5678回我"]


@pytest.fixture(scope="module")
def spacy_tokenize() -> SpacyTokenizer:
    return SpacyTokenizer()


@pytest.fixture(scope="module")
def table(tmp_path_factory: pytest.TempPathFactory, spacy_tokenize: SpacyTokenizer) -> Path:
    path = tmp_path_factory.mktemp("segments") / "segments.json"
    write_table(path, segmented_texts(shared_knowledge()), spacy_tokenize)
    return path


def test_the_nlus_segments_of_a_message_are_the_tokenizers_words(spacy_zh, spacy_tokenize, caplog) -> None:
    from bot.nlp.search_segments import segments

    texts = messages()
    segmentation = Segmentation({}, spacy_tokenize.name)
    with caplog.at_level(logging.WARNING), segmentation.of_message({PARSE_KEY: segments(spacy_zh, texts)}):
        differ = [text for text in texts if segmentation(text) != spacy_tokenize(text)]
    assert differ == [] and UNKNOWN not in caplog.text
    assert len(texts) > 500


def test_the_table_holds_every_knowledge_text_as_the_tokenizer_cuts_it(table, spacy_tokenize, caplog) -> None:
    segmentation = Segmentation.load(table)
    assert segmentation.name == spacy_tokenize.name  # what the catalogue database records
    knowledge = shared_knowledge()
    with caplog.at_level(logging.WARNING):
        differ = [t for t in segmented_texts(knowledge) if segmentation(t) != spacy_tokenize(t)]
        ours = TopicIndex(knowledge, segmentation, STOP_TOKENS)
    assert differ == [] and UNKNOWN not in caplog.text
    theirs = TopicIndex(knowledge, spacy_tokenize, STOP_TOKENS)
    assert ours.__dict__ | {"_tokenize": None} == theirs.__dict__ | {"_tokenize": None}


def test_a_text_known_to_neither_is_cut_into_bigrams_with_a_warning(table, caplog) -> None:
    segmentation = Segmentation.load(table)
    with caplog.at_level(logging.WARNING):
        assert segmentation("这句话谁也没切过") == bigram_tokenize("这句话谁也没切过")
    assert UNKNOWN in caplog.text
    assert segmentation("") == [] and segmentation(" ") == []


def test_a_buttons_payload_is_cut_into_bigrams_without_a_warning(table, spacy_tokenize, caplog) -> None:
    """Rasa passes "/intent" payloads on without the NLU's data; they hold no resident's words."""
    segmentation = Segmentation.load(table)
    with caplog.at_level(logging.WARNING):
        assert segmentation("/deny") == bigram_tokenize("/deny") == spacy_tokenize("/deny")
    assert UNKNOWN not in caplog.text


def test_a_missing_table_leaves_only_the_messages_segments(tmp_path, caplog) -> None:
    with caplog.at_level(logging.WARNING):
        segmentation = Segmentation.load(tmp_path / "none.json")
    assert segmentation.table == {} and "no segmentation table" in caplog.text


def test_a_stored_message_keeps_no_word_of_a_masked_number(spacy_zh) -> None:
    """The parse data carries spans, not words: the tracker store masks the text as a whole."""
    from bot.nlp.search_segments import segments
    from bot.privacy.tracker_store import masked_event_data

    text = "我的电话13912345678请回电"
    event = {"event": "user", "text": text, "parse_data": {"text": text, PARSE_KEY: segments(spacy_zh, [text])}}
    stored = json.dumps(masked_event_data(event), ensure_ascii=False)
    assert "13912345678" not in stored and "12345678" not in stored and "1391234" not in stored


ROUTE_IN_A_PLAIN_PROCESS = r"""
import asyncio, json, sys
from rasa_sdk import Tracker
from rasa_sdk.executor import ActionExecutor, CollectingDispatcher

ActionExecutor().register_package("actions")  # as the action server does
from actions.answers import answer_question

answers = []
for parse in json.loads(sys.stdin.read()):
    tracker = Tracker("t", {}, parse, [], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(answer_question(dispatcher, tracker))
    answers.append([m.get("text") or "" for m in dispatcher.messages])
loaded = sorted({m.split(".")[0] for m in sys.modules} & {"spacy", "thinc", "tensorflow", "pkuseg", "torch"})
print(json.dumps({"answers": answers, "loaded": loaded}, ensure_ascii=False))
"""


def test_the_action_servers_modules_answer_without_spacy_or_tensorflow(spacy_zh) -> None:
    from bot.model import quiet_env
    from bot.nlp.search_segments import segments

    if not paths.SEGMENTS.is_file() or not paths.CATALOGUE_DB.is_file():
        pytest.fail("build/segments.json or build/catalogue.db is missing; run `make setup`")
    asked = [("经纬人才计划主要扶持谁", "faq"), ("临时救助去哪儿申请", "ask_service")]
    parses = [{"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": [],
               PARSE_KEY: segments(spacy_zh, [text])} for text, intent in asked]
    result = subprocess.run([sys.executable, "-c", ROUTE_IN_A_PLAIN_PROCESS], input=json.dumps(parses),
                            capture_output=True, text=True, cwd=paths.PROJECT, timeout=120,
                            env=quiet_env() | {"PYTHONPATH": str(paths.PROJECT)})
    assert result.returncode == 0, result.stderr[-3000:]
    assert UNKNOWN not in result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["loaded"] == []
    knowledge, catalogue = found["answers"]
    assert "经纬" in "".join(knowledge) and "临时救助" in "".join(catalogue)
