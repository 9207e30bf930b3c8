"""Fixtures for the staff console: databases (SQLite, and PostgreSQL where a test asks), accounts,
stored conversations, the console itself as a real process on a free port, and an HTTP client that
signs in like a browser does (cookies, the sign-in form's token, each form's CSRF token).

Conversations are written by the tracker store the assistant uses (bot.privacy's
MaskingSQLTrackerStore, Rasa's SQL tracker store underneath), so the console reads the same rows a
running assistant leaves; callback requests and ratings are made through the staff store's own
calls (the ones the actions make).
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests
import sqlalchemy as sa

from bot import paths
from bot.model import quiet_env
from bot.processes import stop_process_group
from bot.requests.store import StaffStore
from bot.staff.accounts import AccountStore
from tests.fakes.net import free_port
from tests.web.conftest import _wait as wait_for_health

POSTGRES = "postgresql://postgres@127.0.0.1:5432"
OUTPUT = paths.TEST_OUTPUT / "console"
SECRET = "console-test-secret-" + "0123456789" * 4
SHANGHAI = ZoneInfo("Asia/Shanghai")
PASSWORDS = {"staff": "staff-password-1", "editor": "editor-password-1", "admin": "admin-password-1"}
PHONE, ID_CARD = "13912345678", "11010519491231002X"


@contextmanager
def postgres_database(prefix: str) -> Iterator[str]:
    """A new, empty PostgreSQL database on the server running here; dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(f"{POSTGRES}/postgres", isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{POSTGRES}/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"), {"name": name})
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def staff_url(request, tmp_path: Path) -> Iterator[str]:
    """The staff database, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'staff.db'}"
        return
    with postgres_database("console_test") as url:
        yield url


# Conversations ----------------------------------------------------------------------------------

def at(text: str) -> float:
    """A Beijing time as the tracker store's timestamp."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI).timestamp()


@dataclass
class Said:
    """One resident message and what the assistant did about it."""

    text: str
    intent: str
    confidence: float
    actions: list[str]
    reply: str
    routing: dict | None = None
    slots: dict = field(default_factory=dict)
    buttons: list[str] = field(default_factory=list)


def rasa_events(when: float, turns: list[Said], channel: str) -> list:
    from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered

    events: list = [ActionExecuted("action_session_start", timestamp=when), SessionStarted(timestamp=when),
                    ActionExecuted("action_listen", timestamp=when)]
    for number, said in enumerate(turns):
        stamp = when + 10 * number
        intent = {"name": said.intent, "confidence": said.confidence}
        events.append(UserUttered(said.text, intent, parse_data={"intent": intent, "entities": [], "text": said.text},
                                  input_channel=channel, timestamp=stamp))
        for action in said.actions:
            events.append(ActionExecuted(action, policy="policy_2_RulePolicy", confidence=1.0, timestamp=stamp + 1))
        events += [SlotSet(name, value, timestamp=stamp + 2) for name, value in said.slots.items()]
        metadata = {"routing": said.routing} if said.routing else {}
        data = {"buttons": [{"title": b, "payload": f"/{b}"} for b in said.buttons]} if said.buttons else {}
        events.append(BotUttered(said.reply, data, metadata, timestamp=stamp + 3))
        events.append(ActionExecuted("action_listen", policy="policy_2_RulePolicy", confidence=1.0,
                                     timestamp=stamp + 4))
    return events


def store_conversations(tracker_url: str, conversations: dict[str, tuple[float, list[Said], str]]) -> None:
    """Writes conversations {sender: (start, turns, channel)} with the assistant's tracker store."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.privacy.tracker_store import MaskingSQLTrackerStore

    url = sa.engine.make_url(tracker_url)
    options = {"dialect": url.get_backend_name(), "db": url.database}
    if url.host:
        options.update(host=url.host, port=url.port, username=url.username)
    store = MaskingSQLTrackerStore(Domain.empty(), **options)

    async def save_all() -> None:
        for sender, (when, turns, channel) in conversations.items():
            await store.save(DialogueStateTracker.from_events(sender, rasa_events(when, turns, channel)))

    # In a thread of its own: Playwright's sync API keeps an event loop running in the test's thread.
    worker = ThreadPoolExecutor(max_workers=1)
    try:
        worker.submit(asyncio.run, save_all()).result()
    finally:
        worker.shutdown()
        store.engine.dispose()


FELL_BACK = Said("附近哪有好吃的火锅店", "out_of_scope", 0.41, ["action_default_fallback"],
                 "抱歉，这个问题我暂时答不了。请拨打 12345 市民服务热线。",
                 routing={"decision": "fallback", "reason": "no topic above threshold", "score": 0.41})
TALENT = Said("经纬人才计划讲的是啥", "faq", 0.97, ["action_answer_knowledge"],
              "经纬人才计划……（来源：区政府 2020 年工作安排）", slots={"knowledge_topic": "talent_plan"})
HUMAN = Said(f"转人工，我电话{PHONE}", "request_human", 0.88, ["callback_form"],
             "没有人工坐席在线，可以留言回电，或拨打 12345。", buttons=["好", "不用了"])

CONVERSATIONS = {
    "rest-fell-back": (at("2026-11-02T10:00"), [TALENT, FELL_BACK], "rest"),
    "web-talent": (at("2026-11-03T15:30"), [TALENT], "socketio"),
    "wx-human": (at("2026-11-05T09:10"), [HUMAN], "wechat"),
}


@pytest.fixture
def tracker_url(staff_url: str, tmp_path: Path) -> Iterator[str]:
    """The tracker store with CONVERSATIONS, in the same kind of database as `staff_url`."""
    if staff_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'tracker.db'}"
        store_conversations(url, CONVERSATIONS)
        yield url
        return
    with postgres_database("console_tracker") as url:
        store_conversations(url, CONVERSATIONS)
        yield url


# Accounts ---------------------------------------------------------------------------------------

def make_accounts(staff_url: str, *names: tuple[str, str]) -> None:
    """Accounts (name, role), each with PASSWORDS[role]."""
    accounts = AccountStore(staff_url)
    try:
        for name, role in names:
            accounts.add_user(name, role, PASSWORDS[role])
    finally:
        accounts.close()


def leave_callback(staff_url: str, conversation: str, topic: str, description: str, phone: str = PHONE) -> int:
    """A callback request as the callback form leaves it (draft with the number, then submit)."""
    store = StaffStore(staff_url)
    try:
        store.save_draft(conversation, phone)
        return store.submit_callback(conversation, topic, description, "rest").id
    finally:
        store.close()


def at_once(*calls: Callable[[], object]) -> list[object]:
    """Runs `calls` in threads released together by a barrier; their results, in order."""
    start, results = threading.Barrier(len(calls)), [None] * len(calls)

    def run(number: int) -> None:
        start.wait()
        results[number] = calls[number]()

    threads = [threading.Thread(target=run, args=(number,)) for number in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


# The console as a process -----------------------------------------------------------------------

@dataclass
class Console:
    url: str
    process: subprocess.Popen
    log: Path

    def stop(self) -> None:
        stop_process_group(self.process)


def start_console(staff_url: str, tracker_url: str, name: str = "console", **settings: str) -> Console:
    """`python -m bot.console` on a free port, with these databases and CONSOLE_* settings."""
    port = free_port()
    OUTPUT.mkdir(parents=True, exist_ok=True)
    log = OUTPUT / f"{name}.log"
    env = dict(quiet_env(), PYTHONPATH=str(paths.PROJECT), STAFF_DATABASE_URL=staff_url,
               TRACKER_STORE_URL=tracker_url, CONSOLE_SECRET=SECRET, **settings)
    process = subprocess.Popen([sys.executable, "-m", "bot.console", "--host", "127.0.0.1", "--port", str(port)],
                               cwd=paths.PROJECT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                               start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    wait_for_health(f"{url}/health", process, log, timeout=60)
    return Console(url, process, log)


@pytest.fixture
def console_factory() -> Iterator[Callable[..., Console]]:
    started: list[Console] = []

    def start(*args, **kwargs) -> Console:
        console = start_console(*args, **kwargs)
        started.append(console)
        return console

    yield start
    for console in started:
        console.stop()


# A browser-like HTTP client ---------------------------------------------------------------------

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
LOGIN_TOKEN = re.compile(r'name="login_token" value="([^"]+)"')


class Client:
    """requests.Session against the console, signing in through the form like a browser."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = requests.Session()

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.http.get(self.url + path, allow_redirects=False, timeout=30, **kwargs)

    def post(self, path: str, data: dict | None = None, **kwargs) -> requests.Response:
        return self.http.post(self.url + path, data=data or {}, allow_redirects=False, timeout=30, **kwargs)

    def login(self, name: str, password: str) -> requests.Response:
        form = self.get("/login")
        token = LOGIN_TOKEN.search(form.text).group(1)
        return self.post("/login", {"login_token": token, "name": name, "password": password, "next": "/callbacks"})

    def csrf(self, path: str = "/callbacks") -> str:
        page = self.get(path)
        assert page.status_code == 200, (path, page.status_code)
        return CSRF.search(page.text).group(1)

    def submit(self, path: str, data: dict | None = None, page: str = "/callbacks") -> requests.Response:
        """A form POST with the CSRF token of `page`, as the browser would send it."""
        return self.post(path, {"csrf_token": self.csrf(page), **(data or {})})


def signed_in(console: Console, name: str, role: str) -> Client:
    client = Client(console.url)
    response = client.login(name, PASSWORDS[role])
    assert response.status_code == 303, response.text[-500:]
    return client


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """The console is on 127.0.0.1: never through a proxy from the environment."""
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
