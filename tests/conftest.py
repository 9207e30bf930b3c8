"""Shared fixtures. Expensive ones (a running assistant, the spaCy pipeline) are session-scoped.

The set-up (`make test` runs `python -m tools.setup` first) has built the artefacts these fixtures
use; nothing here trains or downloads.

One assistant (`servers`) serves the whole session, configured for every test that talks to it:
REST (tests/test_*.py), the web widget (tests/web: Rasa accepts `widget_origin`, where `widget`
serves the page) and WeChat (tests/channels: the channel on with the test account's credentials,
its API pointed at the fake WeChat API, which therefore starts first; 安全模式, as the key is set).
It trusts one proxy's X-Forwarded-For, as the cluster's instances do behind nginx.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot import paths
from tests.fakes.net import free_port
from tests.fakes.redis_keys import delete_keys
from tests.fakes.wechat_api import AES_KEY, APPID, SECRET, TOKEN, FakeWeChatAPI
from tools.loop_thread import LoopThread

OUTPUT = paths.TEST_OUTPUT


class Assistant:
    """A running assistant as a client sees it: REST over real HTTP."""

    def __init__(self, url: str, actions_url: str) -> None:
        self.url = url
        self.actions_url = actions_url

    def ask(self, message: str, sender: str | None = None) -> list[dict]:
        from tools.eval import ask

        return ask(self.url, message, sender or f"test-{uuid.uuid4().hex}")

    def reply(self, message: str, sender: str | None = None) -> str:
        from tools.eval import reply_text

        return reply_text(self.ask(message, sender))


@pytest.fixture(scope="session")
def trained_model() -> Path:
    from bot.model import model_path

    model = model_path()
    if not model.exists():
        pytest.fail(f"no trained model for the current data ({model.name}); run `make test`")
    return model


@pytest.fixture(scope="session")
def loop_thread() -> Iterator[LoopThread]:
    """An event loop in a background thread for the in-process fakes (WeChat API, channel server)."""
    thread = LoopThread()
    yield thread
    thread.stop()


@pytest.fixture(scope="session")
def fake_api_server(loop_thread: LoopThread) -> Iterator[FakeWeChatAPI]:
    """The fake WeChat API on a free port; the assistant's WeChat channel sends through it."""
    fake = FakeWeChatAPI()
    loop_thread.run(fake.start())
    yield fake
    loop_thread.run(fake.stop())


@pytest.fixture
def fake_api(fake_api_server: FakeWeChatAPI) -> FakeWeChatAPI:
    fake_api_server.reset()
    return fake_api_server


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of this test's own in the real Redis; its keys are deleted afterwards."""
    name = f"test:{uuid.uuid4().hex[:10]}"
    yield name
    delete_keys(name)


@pytest.fixture(scope="session")
def web_port() -> int:
    """The port the test widget (tests/web) serves its page on, chosen before the assistant starts."""
    return free_port()


@pytest.fixture(scope="session")
def widget_origin(web_port: int) -> str:
    return f"http://127.0.0.1:{web_port}"


@pytest.fixture(scope="session")
def servers(trained_model: Path, widget_origin: str, fake_api_server: FakeWeChatAPI,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    """The action server and the assistant on free ports, with their own tracker and staff databases,
    accepting the test widget's origin and with the WeChat channel on (its API being the fake one)."""
    from bot.serve import Servers

    folder = tmp_path_factory.mktemp("assistant")
    running = Servers(model=trained_model, rasa_port=free_port(), actions_port=free_port(),
                      tracker_db=folder / "tracker.db", log_dir=OUTPUT / "logs", web_origin=widget_origin,
                      extra_env={"STAFF_DATABASE_URL": f"sqlite:///{folder / 'staff.db'}",
                                 "WECHAT_TOKEN": TOKEN, "WECHAT_APPID": APPID, "WECHAT_SECRET": SECRET,
                                 "WECHAT_AES_KEY": AES_KEY, "WECHAT_API_BASE": fake_api_server.url,
                                 # as behind nginx: a loopback client's X-Forwarded-For names the
                                 # client (tests/production/test_limits.py)
                                 "SANIC_PROXIES_COUNT": "1"})
    running.start()
    try:
        yield running
    finally:
        running.stop()


@contextmanager
def action_server_down(servers) -> Iterator[None]:
    """The shared assistant's action server stopped (by its supervisord) for the block, then started
    (and warm) again."""
    servers.stop_program("actions")
    try:
        yield
    finally:
        servers.start_program("actions")
        servers.wait_until_up()
        servers.warm_up_actions()


@pytest.fixture(scope="session")
def assistant(servers) -> Assistant:
    return Assistant(servers.rasa_url, servers.actions_url)


@pytest.fixture(scope="session")
def spacy_zh():
    from bot.nlp.pipeline import load

    if not (paths.SPACY_PIPELINE / ".stamp").exists():
        pytest.fail("the spaCy pipeline is not built; run `make test`")
    return load(paths.SPACY_PIPELINE)


@pytest.fixture(scope="module")
def chromium():
    """Debian's chromium under Playwright (the set-up installs it for `make test`)."""
    from playwright.sync_api import sync_playwright

    from tools.browser import CHROMIUM, launch

    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing; `make test` installs it (tools.browser.ensure_chromium)")
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            yield browser
        finally:
            browser.close()
