"""`Event.resolve_by_type` remembered (bot/patches/event_types.py) answers exactly as Rasa's own."""

from __future__ import annotations

import pytest
import rasa.shared.utils.common
from rasa.shared.core.events import Event, SlotSet, UserUttered

from bot.patches import event_types

NAMES = sorted({cls.type_name for cls in rasa.shared.utils.common.all_subclasses(Event)})


@pytest.fixture(autouse=True, scope="module")
def installed():
    event_types.install()
    assert event_types.installed()


@pytest.mark.parametrize("name", NAMES)
def test_every_event_type_resolves_to_rasas_class(name) -> None:
    assert Event.resolve_by_type(name) is event_types.RASA_RESOLVE(name)
    assert Event.resolve_by_type(name) is event_types.RASA_RESOLVE(name)  # the remembered one


def test_names_without_a_class_get_rasas_answer() -> None:
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("no_such_event", default=SlotSet) is SlotSet
    with pytest.raises(ValueError, match="Unknown event name 'no_such_event'"):
        Event.resolve_by_type("no_such_event")


def test_events_deserialise_as_before() -> None:
    stored = UserUttered("今年改造多少个老旧小区", {"name": "faq", "confidence": 0.9}).as_dict()
    assert Event.from_parameters(stored) == UserUttered("今年改造多少个老旧小区", {"name": "faq", "confidence": 0.9})
