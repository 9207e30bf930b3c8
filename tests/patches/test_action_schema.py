"""The compiled action-response check (bot/patches/action_schema.py) decides exactly as Rasa's own."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from bot import patches
from bot.patches import action_schema

ACTION = RemoteAction("action_answer_knowledge", None)
VALID = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "knowledge_topic", "value": "talent_housing", "timestamp": None}],
     "responses": [{"text": "市中区" * 100, "buttons": [{"title": "住房", "payload": "/ask"}], "image": None}]},
    {"events": [{"event": "followup", "name": "action_listen"}, {"event": "active_loop", "name": None}]},
    {},
]
INVALID = [
    {"events": {"event": "slot"}},
    {"events": [{"event": "no_such_event"}]},
    {"events": [{"event": "slot"}]},  # a slot event without its name
    {"responses": "text"},
    {"responses": ["text"]},
    [],
]

@pytest.mark.parametrize("result", VALID)
def test_valid_responses_pass_both(result) -> None:
    assert action_schema.RASA_VALIDATE(ACTION, result) is True
    assert action_schema.validate_action_result(ACTION, result) is True

@pytest.mark.parametrize("result", INVALID)
def test_invalid_responses_fail_both_with_rasas_message(result) -> None:
    with pytest.raises(ValidationError) as rasa_error:
        action_schema.RASA_VALIDATE(ACTION, result)
    with pytest.raises(ValidationError) as our_error:
        action_schema.validate_action_result(ACTION, result)
    assert our_error.value.message == rasa_error.value.message
    assert list(our_error.value.path) == list(rasa_error.value.path)

def test_installing_the_patches_puts_it_in_place() -> None:
    patches.install()
    assert action_schema.installed()
    assert ACTION._validate_action_result(VALID[1]) is True
