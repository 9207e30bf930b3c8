"""The sequential graph runner (bot/patches/graph_runner.py) gives exactly what Rasa's dask runner gives.

Both run the same loaded nodes of the trained model: every NLU parse and every policy prediction
of a few conversations must be equal, and the runner that the assistant's parts install must be ours.
"""

from __future__ import annotations

import asyncio

import numpy as np
import rasa.core.processor
from rasa.core.agent import Agent
from rasa.core.channels import UserMessage
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import patches
from bot.patches.graph_runner import SequentialGraphRunner

CONVERSATIONS = [
    ["您好", "今年要改造多少个老旧小区", "还有吗", "谢谢"],
    ["人才落户要带什么材料", "在哪办", "再见"],
    ["哪些事情可以一证通办", "转人工", "不用了"],
    ["附近哪有好吃的火锅店", "qazwsxedc", "你是谁", "網上辦能辦哪些事"],
    ["我要给工作人员留言让他回电话", "取消", "五星", "南部科创新城规划有哪些产业组团"],
]


def runner_like(cls: type[DaskGraphRunner], loaded: DaskGraphRunner) -> DaskGraphRunner:
    """A runner of class `cls` over the very nodes `loaded` holds (same components, same weights)."""
    runner = cls.__new__(cls)
    runner.__dict__.update(loaded.__dict__)
    if cls is SequentialGraphRunner:
        runner._plans = {}
    return runner


def test_installing_the_patches_puts_it_in_place() -> None:
    patches.install()
    assert patches.installed()
    assert rasa.core.processor.DaskGraphRunner is SequentialGraphRunner


def test_every_parse_and_prediction_is_the_same(trained_model) -> None:
    processor = Agent.load(str(trained_model)).processor
    domain = processor.domain
    runners = [runner_like(DaskGraphRunner, processor.graph_runner),
               runner_like(SequentialGraphRunner, processor.graph_runner)]

    async def converse(runner: DaskGraphRunner, texts: list[str]) -> list:
        processor.graph_runner = runner
        tracker = DialogueStateTracker.from_events("runner", [ActionExecuted(ACTION_LISTEN_NAME)], domain.slots)
        seen = []
        for text in texts:
            parse = await processor.parse_message(UserMessage(text))
            tracker.update(UserUttered(text, parse["intent"], parse["entities"], parse))
            for _ in range(3):  # the action, and what comes after it, until the assistant listens
                prediction = processor._predict_next_with_tracker(tracker)
                action = domain.action_names_or_texts[int(np.argmax(prediction.probabilities))]
                seen.append((parse["intent"], parse.get("response_selector"), prediction.policy_name,
                             [round(p, 6) for p in prediction.probabilities]))
                tracker.update(ActionExecuted(action))
                if action == ACTION_LISTEN_NAME:
                    break
        return seen

    for texts in CONVERSATIONS:
        dask_seen, ours_seen = (asyncio.run(converse(runner, texts)) for runner in runners)
        assert ours_seen == dask_seen
        assert len(ours_seen) > len(texts)
