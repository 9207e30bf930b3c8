"""Fixtures for the catalogue tests: the real catalogue, stores on SQLite and PostgreSQL.

Nothing here touches a database while pytest collects: databases are made by fixtures, and the
PostgreSQL one (fresh per session, dropped afterwards) only when a `postgres` test runs.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot import paths
from bot.catalogue.files import load_services
from bot.catalogue.schema import Service
from bot.catalogue.store import CatalogueStore, create_store
from bot.catalogue.tokens import bigram_tokenize

PG_ADMIN_URL = os.environ.get("CATALOGUE_TEST_PG_URL",
                              "postgresql://postgres@127.0.0.1:5432/postgres")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "postgres: needs the PostgreSQL server (CATALOGUE_TEST_PG_URL)")


@pytest.fixture(scope="session")
def services() -> list[Service]:
    return load_services(paths.CATALOGUE_DATA)


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh database on the PostgreSQL server for this session, dropped at the end."""
    name = f"catalogue_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", future=True,
                             connect_args={"connect_timeout": 5})
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as error:
        pytest.fail(f"PostgreSQL at {PG_ADMIN_URL} is unreachable ({error.orig}); "
                    "start it or deselect with -m 'not postgres'")
    url = sa.engine.make_url(PG_ADMIN_URL).set(database=name)
    yield url.render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(sa.text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"
        ), {"name": name})
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'catalogue.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def empty_store(store_url: str) -> Iterator[CatalogueStore]:
    store = create_store(store_url, tokenize=bigram_tokenize)
    yield store
    store.close()


@pytest.fixture
def store(empty_store: CatalogueStore, services: list[Service]) -> CatalogueStore:
    empty_store.replace_all(services)
    return empty_store


@pytest.fixture
def catalogue_dir(tmp_path: Path) -> Path:
    """A copy of sources/catalogue/ that a test may change."""
    folder = tmp_path / "catalogue"
    shutil.copytree(paths.CATALOGUE_DATA, folder)
    return folder
