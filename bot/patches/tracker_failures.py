"""A tracker store that fails loudly: a conversation that cannot be read or stored fails its turn.

Rasa 3.6 wraps every tracker store in `FailSafeTrackerStore` (`Agent._create_tracker_store`): when
the database cannot be read it hands the turn an empty conversation, and when a turn cannot be
stored it keeps it in the process's memory, both with a log line only. With PostgreSQL down the
assistant thus answers without the conversation's context, and the resident sees an answer the
database never gets — after the restart (or on the other instance) the turn never happened.

`StrictTrackerStore` logs the error as Rasa does and raises it, so the turn fails before its answer
goes out and every channel answers the apology naming 12345 (bot/guard/replies.py): nothing a
resident saw answered is missing from the conversation's record, and the next message after the
database is back is answered with the whole conversation.
"""

from __future__ import annotations

import logging

import rasa.core.agent
from rasa.core.tracker_store import FailSafeTrackerStore

logger = logging.getLogger(__name__)


class StrictTrackerStore(FailSafeTrackerStore):
    """Rasa's wrapper with its fallback (an empty or in-memory conversation) replaced by the error."""

    def on_tracker_store_error(self, error: Exception) -> None:
        logger.error("The tracker store (%s) failed; this turn fails with it: %s",
                     type(self._tracker_store).__name__, error)
        raise error

    on_tracker_store_retrieve_error = on_tracker_store_error


def install() -> None:
    rasa.core.agent.FailSafeTrackerStore = StrictTrackerStore  # what Agent._create_tracker_store wraps with


def installed() -> bool:
    return rasa.core.agent.FailSafeTrackerStore is StrictTrackerStore
