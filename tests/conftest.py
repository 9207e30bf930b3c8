"""Shared fixtures. Expensive ones (a running assistant, the spaCy pipeline) are session-scoped.

The set-up (`make test` runs `python -m bot.setup` first) has built the artefacts these fixtures
use; nothing here trains or downloads.
"""

from __future__ import annotations

import json
import socket
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import paths

OUTPUT = paths.TEST_OUTPUT


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Assistant:
    """A running assistant as a client sees it: REST over real HTTP."""

    def __init__(self, url: str, actions_url: str) -> None:
        self.url = url
        self.actions_url = actions_url

    def ask(self, message: str, sender: str | None = None) -> list[dict]:
        body = json.dumps({"sender": sender or f"test-{uuid.uuid4().hex}", "message": message})
        request = urllib.request.Request(f"{self.url}/webhooks/rest/webhook", data=body.encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def reply(self, message: str, sender: str | None = None) -> str:
        from bot.eval import reply_text

        return reply_text(self.ask(message, sender))


@pytest.fixture(scope="session")
def trained_model() -> Path:
    from bot.setup import model_path

    model = model_path()
    if not model.exists():
        pytest.fail(f"no trained model for the current data ({model.name}); run `make test`")
    return model


@pytest.fixture(scope="session")
def servers(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    """The action server and the assistant on free ports, with their own tracker database."""
    from bot.serve import Servers

    folder = tmp_path_factory.mktemp("assistant")
    running = Servers(model=trained_model, rasa_port=free_port(), actions_port=free_port(),
                      tracker_db=folder / "tracker.db", log_dir=OUTPUT / "logs")
    try:
        running.start()
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="session")
def assistant(servers) -> Assistant:
    return Assistant(servers.rasa_url, servers.actions_url)


@pytest.fixture(scope="session")
def spacy_zh():
    from bot.nlp.pipeline import load

    if not (paths.SPACY_PIPELINE / ".stamp").exists():
        pytest.fail("the spaCy pipeline is not built; run `make test`")
    return load(paths.SPACY_PIPELINE)
