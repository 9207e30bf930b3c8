"""The router of the dialogue tests: on the real catalogue (searched with the NLU's segmentation,
in a database of the test's own), the real knowledge base and sources/routing.yml."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.catalogue.fields import shared_fields
from bot.dialogue.router import Router
from bot.dialogue.rules import shared_rules
from bot.knowledge.model import shared as shared_knowledge


@pytest.fixture(scope="module")
def router(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Router]:
    from bot.catalogue.files import load_services
    from bot.catalogue.store import create_store
    from bot.catalogue.tokens import STOP_TOKENS, SpacyTokenizer
    from bot.knowledge.lexical import TopicIndex

    tokenize = SpacyTokenizer()
    store = create_store(f"sqlite:///{tmp_path_factory.mktemp('router') / 'c.db'}", tokenize=tokenize)
    store.replace_all(load_services())
    index = TopicIndex(shared_knowledge(), tokenize, STOP_TOKENS)
    yield Router(shared_rules(), store, shared_knowledge(), index.scores, shared_fields())
    store.close()
