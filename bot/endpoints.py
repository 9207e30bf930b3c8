"""The endpoints file Rasa starts with: endpoints.yml, or one generated for PostgreSQL and Redis.

By default every assistant keeps its conversations in SQLite (endpoints.yml, `TRACKER_DB`) and
locks them in memory: one instance. With `TRACKER_STORE_URL` (a PostgreSQL URL) the tracker store
is the same masking SQL store on PostgreSQL, and with `REDIS_URL` the lock store is a Redis ticket
lock (Rasa's, made atomic: bot/lock_store.py) — Rasa's own architecture for several instances
serving one conversation. The file is generated under build/endpoints/ from endpoints.yml
(everything else in it stays as written), and the PostgreSQL database is created when missing.

    TRACKER_STORE_URL=postgresql://postgres@127.0.0.1:5432/shizhong_tracker
    REDIS_URL=redis://127.0.0.1:6379/0
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml

from bot import paths

TRACKER_STORE_URL_ENV = "TRACKER_STORE_URL"
REDIS_URL_ENV = "REDIS_URL"
DEFAULT_ENDPOINTS = paths.PROJECT / "endpoints.yml"
GENERATED = paths.BUILD / "endpoints"
# Rasa's Redis lock store with atomic tickets (bot/lock_store.py: Rasa's own is not safe for
# several processes); like Rasa's, it takes an alphanumeric key prefix only.
LOCK_STORE_TYPE = "bot.lock_store.ConcurrentRedisLockStore"
LOCK_KEY_PREFIX = "shizhong"
EVENTS_TABLE = "events"
DEFAULT_TRACKER_DB = paths.BUILD / "tracker.db"


class StoreConfigError(ValueError):
    """A store URL that cannot be used; the message names the variable."""


@dataclass(frozen=True)
class StoreURLs:
    """Where conversations are kept and locked; None for the defaults (SQLite, in memory)."""

    tracker_store: str | None = None
    redis: str | None = None

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> StoreURLs:
        env = os.environ if env is None else env
        return cls(env.get(TRACKER_STORE_URL_ENV) or None, env.get(REDIS_URL_ENV) or None)

    @property
    def shared(self) -> bool:
        """Whether several instances may serve one conversation (both stores outside the process)."""
        return bool(self.tracker_store and self.redis)


def tracker_store_config(url: str) -> dict[str, object]:
    """endpoints.yml's `tracker_store` for a PostgreSQL URL: the masking SQL store on it."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres", "postgresql+psycopg2"):
        raise StoreConfigError(f"{TRACKER_STORE_URL_ENV} must be a postgresql:// URL, not {parts.scheme or url!r}")
    database = parts.path.lstrip("/")
    if not database or not parts.hostname:
        raise StoreConfigError(f"{TRACKER_STORE_URL_ENV} must name a host and a database: {safe_url(url)}")
    config: dict[str, object] = {
        "type": "bot.privacy.tracker_store.MaskingSQLTrackerStore",
        "dialect": "postgresql",
        "url": parts.hostname,
        "port": parts.port or 5432,
        "db": unquote(database),
    }
    if parts.username:
        config["username"] = unquote(parts.username)
    if parts.password:
        config["password"] = unquote(parts.password)
    query = dict(pair.split("=", 1) for pair in parts.query.split("&") if "=" in pair)
    if query:
        config["query"] = query
    return config


def lock_store_config(url: str) -> dict[str, object]:
    """endpoints.yml's `lock_store` for a Redis URL: the Redis ticket lock of bot/lock_store.py."""
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss"):
        raise StoreConfigError(f"{REDIS_URL_ENV} must be a redis:// URL, not {parts.scheme or url!r}")
    database = parts.path.lstrip("/") or "0"
    if not database.isdigit():
        raise StoreConfigError(f"{REDIS_URL_ENV}: the database must be a number: {safe_url(url)}")
    config: dict[str, object] = {"type": LOCK_STORE_TYPE, "url": parts.hostname or "127.0.0.1",
                                 "port": parts.port or 6379, "db": int(database),
                                 "key_prefix": LOCK_KEY_PREFIX}
    if parts.password:
        config["password"] = unquote(parts.password)
    if parts.scheme == "rediss":
        config["use_ssl"] = True
    return config


def endpoints_file(stores: StoreURLs, folder: Path = GENERATED, template: Path = DEFAULT_ENDPOINTS) -> Path:
    """endpoints.yml itself for the defaults; otherwise a generated copy with the stores replaced.

    The copy is named by its content (several assistants with other stores can run at once) and
    readable by its owner only (it may hold passwords)."""
    if not stores.tracker_store and not stores.redis:
        return template
    endpoints = yaml.safe_load(template.read_text(encoding="utf-8")) or {}
    if stores.tracker_store:
        endpoints["tracker_store"] = tracker_store_config(stores.tracker_store)
    if stores.redis:
        endpoints["lock_store"] = lock_store_config(stores.redis)
    text = ("# Generated by bot/endpoints.py from endpoints.yml for TRACKER_STORE_URL / REDIS_URL; "
            "do not edit.\n" + yaml.safe_dump(endpoints, allow_unicode=True, sort_keys=False))
    # ${VARIABLES} of the template stay for Rasa to expand; safe_dump keeps them as plain strings.
    name = f"endpoints-{hashlib.sha256(text.encode()).hexdigest()[:12]}.yml"
    path = folder / name
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        folder.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(text, encoding="utf-8")
    return path


def tracker_store_url() -> str:
    """The tracker store's SQLAlchemy URL, for tools that read it: TRACKER_STORE_URL, else the
    SQLite default build/tracker.db."""
    return os.environ.get(TRACKER_STORE_URL_ENV) or f"sqlite:///{DEFAULT_TRACKER_DB}"


def ensure_database(url: str, timeout: float = 10) -> bool:
    """Create the PostgreSQL database of `url` unless it exists; True when it was created."""
    import sqlalchemy as sa

    target = sa.engine.make_url(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT", future=True,
                             connect_args={"connect_timeout": int(timeout)})
    try:
        with admin.connect() as connection:
            exists = connection.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                        {"name": target.database}).first()
            if exists:
                return False
            connection.execute(sa.text(f'CREATE DATABASE "{_identifier(target.database)}"'))
            return True
    except sa.exc.ProgrammingError as error:  # created meanwhile by another process
        if "already exists" in str(error.orig):
            return False
        raise
    finally:
        admin.dispose()


def drop_database(url: str) -> None:
    """Drop the PostgreSQL database of `url` (its open connections ended first), if it exists."""
    import sqlalchemy as sa

    name = _identifier(sa.engine.make_url(url).database)
    admin = sa.create_engine(sa.engine.make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT",
                             future=True)
    try:
        with admin.connect() as connection:
            connection.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                               {"n": name})
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
    finally:
        admin.dispose()


def wait_for_events_table(url: str, is_alive, timeout: float = 180) -> None:
    """Wait until the first assistant has created the tracker store's table.

    Rasa's SQL store creates its table at start-up; two instances starting on an empty database
    at once would both try and one would fail, so the cluster starts the second one after this."""
    import sqlalchemy as sa

    engine = sa.create_engine(url, future=True, connect_args={"connect_timeout": 5})
    deadline = time.monotonic() + timeout
    try:
        while not sa.inspect(engine).has_table(EVENTS_TABLE):
            if not is_alive():
                raise RuntimeError("the first assistant stopped before it created the tracker store's table")
            if time.monotonic() > deadline:
                raise TimeoutError(f"no table {EVENTS_TABLE!r} in {safe_url(url)} after {timeout:.0f} s")
            time.sleep(0.5)
            engine.dispose()
    finally:
        engine.dispose()


def _identifier(name: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_\-]+", name or ""):
        raise StoreConfigError(f"{TRACKER_STORE_URL_ENV}: database name {name!r} must be letters, digits, _ or -")
    return name


def safe_url(url: str) -> str:
    """`url` without its password, for messages."""
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@")
    return url
