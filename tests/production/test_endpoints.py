"""The endpoints file for PostgreSQL + Redis (bot/endpoints.py); the database is created when missing."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
import yaml

from bot import paths
from bot.endpoints import StoreConfigError, StoreURLs, endpoints_file, ensure_database

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def test_the_defaults_keep_endpoints_yml() -> None:
    assert endpoints_file(StoreURLs()) == paths.PROJECT / "endpoints.yml"
    assert not StoreURLs.from_env({"TRACKER_STORE_URL": "", "REDIS_URL": ""}).shared


def test_postgresql_and_redis_replace_only_the_stores(tmp_path) -> None:
    stores = StoreURLs.from_env({"TRACKER_STORE_URL": "postgresql://rasa:s%40cret@db.internal:6543/tracker?sslmode=require",
                                 "REDIS_URL": "redis://:pw@cache.internal:6380/3"})
    path = endpoints_file(stores, tmp_path)
    assert stores.shared and path.parent == tmp_path and oct(path.stat().st_mode & 0o777) == "0o600"
    written = yaml.safe_load(path.read_text())
    template = yaml.safe_load((paths.PROJECT / "endpoints.yml").read_text())
    assert written["action_endpoint"] == template["action_endpoint"] == {
        "url": "${ACTION_ENDPOINT_URL}", "enable_selective_domain": True}
    assert written["tracker_store"] == {
        "type": "bot.privacy.tracker_store.MaskingSQLTrackerStore", "dialect": "postgresql",
        "url": "db.internal", "port": 6543, "db": "tracker", "username": "rasa", "password": "s@cret",
        "query": {"sslmode": "require"}}
    assert written["lock_store"] == {"type": "bot.lock_store.ConcurrentRedisLockStore", "url": "cache.internal",
                                     "port": 6380, "db": 3, "key_prefix": "shizhong", "password": "pw"}
    assert endpoints_file(stores, tmp_path) == path  # same stores, same file


@pytest.mark.parametrize(("variables", "message"), [
    ({"TRACKER_STORE_URL": "mysql://h/db"}, "postgresql://"),
    ({"TRACKER_STORE_URL": "postgresql://127.0.0.1:5432/"}, "a database"),
    ({"REDIS_URL": "http://127.0.0.1:6379"}, "redis://"),
    ({"REDIS_URL": "redis://127.0.0.1:6379/x"}, "a number"),
])
def test_unusable_urls_name_the_variable(tmp_path, variables, message) -> None:
    with pytest.raises(StoreConfigError, match=message):
        endpoints_file(StoreURLs.from_env(variables), tmp_path)


@pytest.mark.postgres
def test_the_database_is_created_when_missing() -> None:
    name = f"tracker_test_{uuid.uuid4().hex[:10]}"
    url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT", future=True)
    try:
        assert ensure_database(url) is True
        assert ensure_database(url) is False
        with admin.connect() as connection:
            assert connection.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()
