"""DIET and the ResponseSelector predict the same through the flat call (bot/patches/flat_predict.py).

The trained model parses the same messages once through Rasa's `tf.function` call and once through
the flat one: every parse (intents and their confidences, entities, the selected answers) must be
the same, and a batch that does not fit the traced signature must fail as Rasa's does.
"""

from __future__ import annotations

import asyncio
import json

import numpy as np
import pytest
import yaml
from rasa.core.agent import Agent
from rasa.utils.tensorflow.models import RasaModel

from bot import patches
from bot.patches import flat_predict
from bot.paths import PROJECT

# Our own wordings beside a sample of the training examples: short, long, mixed with Latin letters,
# traditional characters and a typo, so that batches of many lengths go through.
OWN = ["喂喂", "我闺女明年上初中，学籍的事找哪个部门问", "ok那就这样吧", "網上可以交材料嗎",
       "社保卡补办要多久才能拿到手", "你们几点下班啊", "落戶需要啥", "老旧小区改造今年搞几个",
       "我要投诉楼下烧烤摊太吵", "a"]


def sample_texts(count: int = 60) -> list[str]:
    texts = [line.strip().removeprefix("- ").strip()
             for path in sorted((PROJECT / "data" / "nlu").glob("*.yml"))
             for item in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", [])
             for line in str(item.get("examples", "")).splitlines() if line.strip()]
    return OWN + texts[:: max(1, len(texts) // count)][:count]


@pytest.fixture(scope="module")
def agent(trained_model) -> Agent:
    patches.install()
    return Agent.load(str(trained_model))


def parse_all(agent: Agent, texts: list[str]) -> list[str]:
    loop = asyncio.new_event_loop()
    try:
        return [json.dumps(loop.run_until_complete(agent.parse_message(text)), sort_keys=True, default=str)
                for text in texts]
    finally:
        loop.close()


def rasa_models(agent: Agent) -> list[RasaModel]:
    """The loaded DIET and ResponseSelector models of the agent's graph."""
    components = [node._component for node in agent.processor.graph_runner._instantiated_nodes.values()]
    return [component.model for component in components if isinstance(getattr(component, "model", None), RasaModel)]


def test_installing_the_patches_puts_it_in_place() -> None:
    patches.install()
    assert flat_predict.installed()
    assert RasaModel._rasa_predict is flat_predict.rasa_predict


def test_every_parse_is_the_same(agent: Agent, monkeypatch: pytest.MonkeyPatch) -> None:
    texts = sample_texts()
    parse_all(agent, texts[:1])  # the first call traces, as Rasa's own does
    flat = parse_all(agent, texts)
    assert len(rasa_models(agent)) == 2
    assert all(getattr(model, "_shizhong_flat_call", None) for model in rasa_models(agent))
    monkeypatch.setattr(RasaModel, "_rasa_predict", flat_predict.RASA_PREDICT)
    rasas = parse_all(agent, texts)
    assert [i for i, (ours, theirs) in enumerate(zip(flat, rasas, strict=True)) if ours != theirs] == []


def test_a_batch_that_does_not_fit_the_signature_fails_as_rasas(agent: Agent) -> None:
    parse_all(agent, ["你好"])
    model = rasa_models(agent)[0]
    flat_call = model._shizhong_flat_call
    batch = tuple(np.zeros((1,) * (rank or 1), dtype=dtype.as_numpy_dtype)
                  for rank, dtype in zip(flat_call.ranks, flat_call.dtypes, strict=True))
    wrong = (np.zeros((1, 1, 1, 1, 1)), *batch[1:])
    assert not flat_call.fits(wrong)
    with pytest.raises(ValueError) as theirs:
        flat_predict.RASA_PREDICT(model, wrong)
    with pytest.raises(ValueError) as ours:
        flat_predict.rasa_predict(model, wrong)
    assert str(ours.value) == str(theirs.value)
