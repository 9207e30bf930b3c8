"""Fixtures for the production tests: REST over real HTTP, and assistants of our own.

`guarded` is an assistant of this package's own (own ports, tracker database and log folder),
with the guarded REST channel (bot/guard) wired into a copy of credentials.yml, Rasa logging at
DEBUG, so that user text reaches its log, and Sanic's access log on, so that request URLs do. The
shared `servers` (tests/conftest.py) is used where the brief is about the assistant everyone tests
(its tracker database and log).
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot import paths
from bot.serve import Servers
from tests.fakes.net import free_port
from tools.eval import reply_text

GUARD_CHANNEL = "bot.channels.rest.GuardedRestInput"
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def guard_wired(credentials: Path = paths.PROJECT / "credentials.yml") -> bool:
    """Whether credentials.yml already names the guarded REST channel."""
    return any(line.startswith(f"{GUARD_CHANNEL}:") for line in credentials.read_text().splitlines())


def guarded_credentials(folder: Path) -> Path:
    """A copy of credentials.yml with the plain `rest:` channel replaced by the guarded one."""
    lines = (paths.PROJECT / "credentials.yml").read_text().splitlines()
    if not guard_wired():
        lines = [f"{GUARD_CHANNEL}:" if line.strip() == "rest:" else line for line in lines]
    copy = folder / "credentials.yml"
    copy.write_text("\n".join(lines) + "\n")
    return copy


def start_own(folder: Path, model: Path, log_level: str = "INFO",
              extra_env: dict[str, str] | None = None) -> Servers:
    """An assistant and action server of our own under `folder` (the guarded REST channel wired),
    started (and up)."""
    own = Servers(model=model, rasa_port=free_port(), actions_port=free_port(), tracker_db=folder / "tracker.db",
                  log_dir=folder / "logs", extra_env={"LOG_LEVEL": log_level, **(extra_env or {})},
                  credentials=guarded_credentials(folder))
    try:
        own.start()
    except BaseException:
        own.stop()
        raise
    return own


@dataclass
class Reply:
    status: int
    body: object

    @property
    def text(self) -> str:
        return reply_text(self.body) if isinstance(self.body, list) else ""


class Rest:
    """The REST channel of one running assistant, spoken to over real HTTP."""

    def __init__(self, url: str) -> None:
        self.webhook = f"{url}/webhooks/rest/webhook"

    def post(self, body: bytes, content_type: str = "application/json", timeout: float = 60) -> Reply:
        request = urllib.request.Request(self.webhook, data=body, headers={"Content-Type": content_type})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        try:
            return Reply(status, json.loads(raw))
        except ValueError:
            return Reply(status, raw.decode("utf-8", "replace"))

    def send(self, message: object, sender: str | None = None, **extra: object) -> Reply:
        body = {"sender": sender or new_sender(), "message": message, **extra}
        return self.post(json.dumps(body).encode())

    def reply(self, message: str, sender: str | None = None) -> str:
        answer = self.send(message, sender)
        assert answer.status == 200, answer
        return answer.text


def postgres_events(url: str, sender: str) -> list[str]:
    """The stored data (JSON) of `sender`'s events in the PostgreSQL tracker store at `url`."""
    import sqlalchemy as sa

    engine = sa.create_engine(url, future=True)
    try:
        with engine.connect() as connection:
            return connection.execute(sa.text("SELECT data FROM events WHERE sender_id = :s ORDER BY id"),
                                      {"s": sender}).scalars().all()
    finally:
        engine.dispose()


def new_sender(prefix: str = "prod") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="package")
def guarded(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """Our own assistant: guarded REST channel, own tracker database, Rasa logging at DEBUG and
    Sanic's access log on (LOG_LEVEL_LIBRARIES=INFO), the WeChat channel on in 安全模式 (its API
    unreachable: these tests need no late answers)."""
    from tests.fakes.wechat_api import AES_KEY, APPID, SECRET, TOKEN

    wechat = {"WECHAT_TOKEN": TOKEN, "WECHAT_APPID": APPID, "WECHAT_SECRET": SECRET, "WECHAT_AES_KEY": AES_KEY,
              "WECHAT_API_BASE": f"http://127.0.0.1:{free_port()}"}
    own = start_own(tmp_path_factory.mktemp("guarded"), trained_model, log_level="DEBUG",
                    extra_env={"LOG_LEVEL_LIBRARIES": "INFO", **wechat})
    try:
        yield own
    finally:
        own.stop()
