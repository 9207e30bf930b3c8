"""bot/nlp/lean.py and the compacted pipeline save memory without changing a single answer."""

from __future__ import annotations

import json
import subprocess
import sys

import spacy

from bot import paths
from bot.model import quiet_env
from bot.nlp.corpus import district_corpus
from bot.nlp.pipeline import WordSet, words

MESSAGES = ["您好", "经纬人才计划讲的是啥", "那住房呢", "臨時救助在哪申請", "人才公寓咋样申请啊", "今天天气怎么样",
            "一证通办能办哪些事", "口袋公园建几个", "谢谢", "转人工"]

# Parses MESSAGES with the trained model, loaded as we load it or (argument "stock") as stock Rasa
# 3.6 does; in a subprocess of its own, so that undoing our loading stays there.
PARSE = """
import asyncio, json, sys
if sys.argv[2] == "stock":
    from tools.bench.stock_rasa import undo_lean_loading
    undo_lean_loading()
from rasa.core.agent import Agent
agent = Agent.load(sys.argv[1])
async def parse():
    return [await agent.parse_message(text) for text in json.loads(sys.argv[3])]
results = asyncio.run(parse())
print(json.dumps([[r["intent"]["name"], r["intent"]["confidence"],
                   r.get("response_selector", {}).get("faq", {}).get("response", {}).get("intent_response_key"),
                   r.get("response_selector", {}).get("faq", {}).get("response", {}).get("confidence")]
                  for r in results]))
"""


def test_word_set_answers_as_a_set() -> None:
    chosen = {"一窗办", "经纬人才", "中华人民共和国", "a"}
    compact = WordSet(chosen)
    assert len(compact) == 4
    for word in [*chosen, "一窗", "经纬", "", "b", "人才经纬"]:
        assert (word in compact) == (word in chosen)
    assert 1 not in compact


def test_compacted_pipeline_segments_as_the_saved_one(spacy_zh) -> None:
    saved = spacy.load(paths.SPACY_PIPELINE)
    assert not isinstance(saved.tokenizer.pkuseg_seg.postprocesser.other_words, WordSet)
    assert isinstance(spacy_zh.tokenizer.pkuseg_seg.postprocesser.other_words, WordSet)
    corpus = district_corpus()
    assert [words(spacy_zh, text) for text in corpus] == [words(saved, text) for text in corpus]


def test_lean_loading_predicts_as_stock_rasa(trained_model) -> None:
    env = quiet_env() | {"PYTHONPATH": str(paths.PROJECT)}

    def parse(how: str) -> list[list]:
        result = subprocess.run([sys.executable, "-c", PARSE, str(trained_model), how, json.dumps(MESSAGES)],
                                cwd=paths.PROJECT, env=env, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stderr[-3000:]
        return json.loads(result.stdout.strip().splitlines()[-1])

    ours, stock = parse("lean"), parse("stock")
    assert [(intent, topic) for intent, _, topic, _ in ours] == [(intent, topic) for intent, _, topic, _ in stock]
    for (_, confidence, _, topic_confidence), (_, expected, _, expected_topic) in zip(ours, stock, strict=True):
        assert abs(confidence - expected) < 1e-6
        assert abs((topic_confidence or 0) - (expected_topic or 0)) < 1e-6
