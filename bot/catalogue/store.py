"""The catalogue store: one interface, one SQL implementation for SQLite and PostgreSQL.

SQLite (a file under build/) is the embedded default; PostgreSQL is used when
CATALOGUE_DATABASE_URL names one. Creating a store touches no database: the first call does, so
an action server starts even while the database is down, and each call reports that as
`CatalogueUnavailable` (the actions apologise and name 12345).
"""

from __future__ import annotations

import abc
import json
import logging
import os
import threading
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from bot import paths
from bot.catalogue import search as search_rounds
from bot.catalogue.index import index_rows
from bot.catalogue.pg_reads import PostgresReader
from bot.catalogue.reads import IndexReader
from bot.catalogue.schema import CHANNELS, Service, parse_service
from bot.catalogue.search import Query, best_services
from bot.catalogue.tables import (
    INDEX_TABLES,
    INDEX_VERSION,
    LEGACY_TABLES,
    channels_table,
    meta_table,
    metadata,
    services_table,
)
from bot.catalogue.tokens import (
    Tokenize,
    compared,
    default_tokenizer,
    joining_bigrams,
    search_terms,
    tokenizer_name,
)
from bot.privacy.files import sqlite_path
from bot.sql import create_engine

logger = logging.getLogger(__name__)

URL_ENV = "CATALOGUE_DATABASE_URL"
FOUND_KEPT = 512  # services found whose stored JSON a store keeps (as many as _parsed keeps parsed)
BUILD_HINT = "build it with `python -m bot.catalogue build`"


class CatalogueUnavailable(RuntimeError):
    """The catalogue database cannot be reached or is not built; the cause is chained."""


@dataclass(frozen=True)
class SearchHit:
    """A service found by `search`, with its score (higher is better; a name, alias or example
    question in the query scores at least 50, word overlap alone at most 40)."""

    service: Service
    score: float


class CatalogueStore(abc.ABC):
    """What actions and the CLI may ask of the catalogue, whatever the database."""

    @abc.abstractmethod
    def get(self, code: str) -> Service | None:
        """The service with this code, or None."""

    @abc.abstractmethod
    def search(self, query: str, limit: int = 5) -> list[SearchHit]:
        """Services matching a resident's words, best first; empty when nothing matches."""

    @abc.abstractmethod
    def by_channel(self, channel: str) -> list[Service]:
        """Services offered through `channel` (one of schema.CHANNELS), in catalogue order."""

    @abc.abstractmethod
    def all(self) -> list[Service]:
        """Every service in catalogue order."""

    def by_topic(self, topic: str) -> list[Service]:
        """Services of one kind (their `topic`, e.g. 养老服务), in catalogue order. Read from `all`:
        a kind is asked for rarely and the catalogue holds a few thousand services at most."""
        return [service for service in self.all() if service.topic == topic]

    @abc.abstractmethod
    def replace_all(self, services: Iterable[Service]) -> None:
        """Replace the whole catalogue in one transaction: readers see the old or the new."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release the store's connections."""


class SqlCatalogueStore(CatalogueStore):
    """The catalogue and its search index (index.py) through SQLAlchemy Core, SQLite or PostgreSQL."""

    def __init__(self, url: str, tokenize: Tokenize | None = None) -> None:
        self.url = sa.engine.make_url(url)
        self._tokenize = tokenize
        self._engine: Engine | None = None
        self._built_with: str | None = None
        self._file: tuple[int, int] | None = None  # the SQLite file the engine's connections read
        self._engine_lock = threading.Lock()
        self._found: tuple[str | None, dict[str, str]] = (None, {})  # _found_data's
        # True: every read its own statement, the services found read each time, as before
        # pg_reads.py and _found_data (make bench-catalogue measures both on PostgreSQL).
        self.plain_reads = False

    @property
    def tokenize(self) -> Tokenize:
        if self._tokenize is None:
            self._tokenize = default_tokenizer()
        return self._tokenize

    def _get_engine(self) -> Engine:
        """The engine; made anew when the SQLite file behind the URL is another file than the one
        its pooled connections hold open: a release's `live` link moved (bot/publish/switch.py)
        or the file was replaced, and the new catalogue is read from the next query on."""
        with self._engine_lock:
            current = self._sqlite_file()
            if self._engine is not None and current != self._file:
                self._engine.dispose()
                self._engine, self._built_with = None, None
            if self._engine is None:
                try:
                    self._engine = create_engine(self.url, keep_sqlite_open=True, generic_plans=True)
                except (SQLAlchemyError, ImportError) as error:
                    raise CatalogueUnavailable(f"catalogue: cannot use {self._safe_url}: {error}") \
                        from error
                self._file = current
            return self._engine

    def _sqlite_file(self) -> tuple[int, int] | None:
        """The device and inode of the SQLite file, through any link (a stat: microseconds); None
        for PostgreSQL, an in-memory database or a file not there yet."""
        path = sqlite_path(self.url.database) if self.url.get_backend_name() == "sqlite" else None
        try:
            found = os.stat(path) if path is not None else None
        except OSError:
            return None
        return (found.st_dev, found.st_ino) if found else None

    @property
    def _safe_url(self) -> str:
        return self.url.render_as_string(hide_password=True)

    @contextmanager
    def _connect(self, *, write: bool = False) -> Iterator[Connection]:
        """A connection (a transaction when writing); driver errors — SQLAlchemy's, or the DB-API's
        of search's reads (reads.py) — become CatalogueUnavailable."""
        engine = self._get_engine()
        try:
            with (engine.begin() if write else engine.connect()) as connection:
                yield connection
        except (SQLAlchemyError, engine.dialect.dbapi.Error) as error:
            raise CatalogueUnavailable(
                f"catalogue database {self._safe_url} unavailable or not built "
                f"({type(error).__name__}); {BUILD_HINT}"
            ) from error

    @staticmethod
    def _service(data: str) -> Service:
        return _parsed(data)

    def get(self, code: str) -> Service | None:
        query = sa.select(services_table.c.data).where(services_table.c.code == code)
        with self._connect() as connection:
            data = connection.execute(query).scalar_one_or_none()
        return None if data is None else self._service(data)

    def all(self) -> list[Service]:
        query = sa.select(services_table.c.data).order_by(services_table.c.position)
        with self._connect() as connection:
            return [self._service(d) for d in connection.execute(query).scalars()]

    def by_channel(self, channel: str) -> list[Service]:
        if channel not in CHANNELS:
            raise ValueError(f"{channel!r} is not one of {CHANNELS}")
        query = (
            sa.select(services_table.c.data)
            .join(channels_table, channels_table.c.code == services_table.c.code)
            .where(channels_table.c.channel == channel)
            .order_by(services_table.c.position)
        )
        with self._connect() as connection:
            return [self._service(d) for d in connection.execute(query).scalars()]

    def replace_all(self, services: Iterable[Service]) -> None:
        services = list(services)
        codes = [s.code for s in services]
        if len(set(codes)) != len(codes):
            raise ValueError("replace_all: service codes must be unique")
        rows = [{"code": s.code, "position": position, "name": s.name,
                 "data": json.dumps(s.to_dict(), ensure_ascii=False)}
                for position, s in enumerate(services)]
        channels = [{"code": s.code, "channel": c} for s in services for c in s.channels]
        index = index_rows(services, self.tokenize)
        facts = {"tokenizer": tokenizer_name(self.tokenize), "services": str(len(services)),
                 "longest_name": str(index.longest_name), "index_version": INDEX_VERSION,
                 "built": uuid.uuid4().hex}
        with self._connect(write=True) as connection:
            _drop_outdated_index(connection)
            metadata.create_all(connection)
            for table in (*INDEX_TABLES, channels_table, services_table, meta_table):
                connection.execute(table.delete())
            for table, batch in [(services_table, rows), *index.by_table(),
                                 (channels_table, channels)]:
                if batch:
                    connection.execute(table.insert(), batch)
            connection.execute(meta_table.insert(),
                               [{"key": k, "value": v} for k, v in facts.items()])
        self._built_with = None
        if self.url.get_backend_name() == "postgresql":
            self._vacuum(INDEX_TABLES)

    def _vacuum(self, tables: Iterable[sa.Table]) -> None:
        """VACUUM ANALYZE on PostgreSQL, now rather than when autovacuum comes by: the planner's
        statistics, and the visibility map that lets the index's lists be read from the index
        alone (without them search p50 was 11 ms at 3,000 services, with them 8)."""
        engine = self._get_engine()
        try:
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                for table in tables:
                    connection.execute(sa.text(f"VACUUM ANALYZE {table.name}"))
        except SQLAlchemyError as error:
            logger.warning("catalogue: VACUUM ANALYZE after the build failed (%s); searches are "
                           "slower until autovacuum runs", error)

    def _facts(self, reader: IndexReader) -> dict[str, str]:
        """The build's figures (services, longest name); warns once when the database was built
        with another segmentation than ours."""
        facts = reader.facts()
        if facts.get("index_version") != INDEX_VERSION:
            raise CatalogueUnavailable(f"catalogue database {self._safe_url} was built by an "
                                       f"earlier version; {BUILD_HINT}")
        if self._built_with is None:
            self._built_with = facts.get("tokenizer", "")
            if self._built_with != tokenizer_name(self.tokenize):
                logger.warning("catalogue: database built with tokenizer %r, queried with %r; "
                               "rebuild it (python -m bot.catalogue build) for full-text ranking",
                               self._built_with, tokenizer_name(self.tokenize))
        return facts

    def search(self, query: str, limit: int = 5) -> list[SearchHit]:
        text = compared(query)
        if not text or limit <= 0:
            return []
        tokens = search_terms(self.tokenize, query)
        asked = Query(text, frozenset(tokens), frozenset(joining_bigrams(query, tokens)))
        with self._connect() as connection:
            reader = self._reader(connection)
            reader.read_ahead(asked.terms, text, search_rounds.FIRST_DEPTH)
            facts = self._facts(reader)
            best = best_services(reader, asked, int(facts["services"]), int(facts["longest_name"]),
                                 limit)
            data = self._found_data(reader, facts.get("built"), [r.code for r in best])
        ranked = sorted((r for r in best if r.code in data),
                        key=lambda r: (-round(r.score, 2), r.position))
        return [SearchHit(self._service(data[r.code]), round(r.score, 2)) for r in ranked]

    def _found_data(self, reader: IndexReader, built: str | None, codes: list[str]) -> dict[str, str]:
        """The stored JSON of the services found: kept from earlier searches of the same build
        (`built`, a build's own stamp), read for the others (on PostgreSQL a round trip less for
        the services residents ask about again and again)."""
        kept_build, kept = self._found if not self.plain_reads else (None, {})
        if built is None or built != kept_build:
            kept = {}
        missing = [code for code in codes if code not in kept]
        if missing:
            kept = ({} if len(kept) + len(missing) > FOUND_KEPT else kept) | reader.service_data(missing)
        if built is not None and not self.plain_reads:
            self._found = (built, kept)  # a new dict: threads reading the old one are not disturbed
        return {code: kept[code] for code in codes if code in kept}

    def _reader(self, connection: Connection) -> IndexReader:
        """On PostgreSQL, rounds of reads in one prepared statement each (pg_reads.py), unless
        `plain_reads`."""
        if connection.dialect.name == "postgresql" and not self.plain_reads:
            return PostgresReader(connection)
        return IndexReader(connection)

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


@lru_cache(maxsize=512)
def _parsed(data: str) -> Service:
    """A stored service, checked as the files are (parsed once per text: a search's answers are
    mostly the same few services)."""
    service, problems = parse_service(json.loads(data))
    if service is None:
        raise CatalogueUnavailable(f"catalogue database holds an invalid service: {problems}; "
                                   f"{BUILD_HINT}")
    return service


def _drop_outdated_index(connection: Connection) -> None:
    """Drop the search tables of a database built by an earlier version (their shape differs);
    replace_all then creates them anew. Only the first rebuild after an upgrade does this."""
    if not sa.inspect(connection).has_table(meta_table.name):
        return
    query = sa.select(meta_table.c.value).where(meta_table.c.key == "index_version")
    if connection.execute(query).scalar_one_or_none() == INDEX_VERSION:
        return
    for name in (*(t.name for t in reversed(INDEX_TABLES)), *LEGACY_TABLES):
        connection.execute(sa.text(f"DROP TABLE IF EXISTS {name}"))


def default_url() -> str:
    """CATALOGUE_DATABASE_URL if set, else the SQLite file the set-up builds under build/."""
    return os.environ.get(URL_ENV) or f"sqlite:///{paths.CATALOGUE_DB}"


def create_store(url: str | None = None, tokenize: Tokenize | None = None) -> CatalogueStore:
    """The store for `url` (default: `default_url()`); `tokenize` defaults to the NLU's pkuseg."""
    url = url or default_url()
    backend = sa.engine.make_url(url).get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise ValueError(f"catalogue: unsupported database {backend!r} (use sqlite or postgresql)")
    return SqlCatalogueStore(url, tokenize)
