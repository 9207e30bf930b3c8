"""One way to open the project's SQL databases (catalogue, staff records): SQLite or PostgreSQL.

`create_engine` opens one; `SQLStore` is the base of the stores whose tables live in such a
database (the staff store, the console's accounts): the engine is made on first use, tables are
created then (and columns added since are added to older tables), work happens in short
transactions, and a driver's error is re-raised as the store's own exception.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.privacy.files import private_sqlite, sqlite_path


def create_engine(url: URL, *, keep_sqlite_open: bool = False, generic_plans: bool = False) -> Engine:
    """An engine for `url`: an SQLite file is created owner-only (0600) before SQLite opens it,
    its folder too; PostgreSQL checks pooled connections before use (a restarted server is no
    error) and gives up connecting after 5 s, so that a database that is down is reported quickly
    instead of hanging a resident's question.

    SQLAlchemy opens a SQLite file anew for every connection; `keep_sqlite_open` pools them
    instead (for a database read on every message: opening it and reading its schema took more
    than the catalogue search itself). `generic_plans` has PostgreSQL plan a prepared statement
    once rather than at every execution (plan_cache_mode; for statements written to be planned
    without their values: bot/catalogue/pg_reads.py)."""
    options: dict[str, object] = {"future": True}
    if url.get_backend_name() == "sqlite":
        path = sqlite_path(url.database)
        if path is not None:
            private_sqlite(path)
            if keep_sqlite_open:
                options.update(poolclass=sa.pool.QueuePool, pool_size=4, max_overflow=4,
                               connect_args={"check_same_thread": False})
    else:
        connect_args: dict[str, object] = {"connect_timeout": 5}
        if generic_plans:
            connect_args["options"] = "-c plan_cache_mode=force_generic_plan"
        options.update(pool_pre_ping=True, connect_args=connect_args)
    return sa.create_engine(url, **options)


def utc_now() -> datetime:
    """Naive UTC, as both databases store it."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def add_missing_columns(connection: Connection, table: sa.Table) -> list[str]:
    """Adds to an existing `table` the (nullable) columns its definition gained since it was
    created; returns their names. Two processes may do it at once: PostgreSQL's IF NOT EXISTS
    and SQLite's "duplicate column" make the second one a no-op."""
    present = {column["name"] for column in sa.inspect(connection).get_columns(table.name)}
    added = []
    for column in table.columns:
        if column.name in present:
            continue
        if not column.nullable:
            raise ValueError(f"{table.name}.{column.name} cannot be added to existing rows (NOT NULL)")
        kind = column.type.compile(dialect=connection.dialect)
        guard = "IF NOT EXISTS " if connection.dialect.name == "postgresql" else ""
        try:  # (a failed ALTER leaves a SQLite transaction usable; PostgreSQL never fails here)
            connection.exec_driver_sql(f'ALTER TABLE {table.name} ADD COLUMN {guard}"{column.name}" {kind}')
        except sa.exc.OperationalError as error:
            if "duplicate column" not in str(error):
                raise
        added.append(column.name)
    return added


class SQLStore:
    """Base of a store whose `metadata` tables live in the database at `url`.

    Creating a store touches no database; the first call does, and every call while the database
    is down raises `unavailable` (the driver's error chained)."""

    metadata: sa.MetaData
    unavailable: type[Exception] = RuntimeError
    description = "database"
    # Tables whose definition gained nullable columns after databases were made with it.
    grown_tables: tuple[sa.Table, ...] = ()

    def __init__(self, url: str | URL) -> None:
        self.url = sa.engine.make_url(url)
        self._engine: Engine | None = None

    @property
    def safe_url(self) -> str:
        return self.url.render_as_string(hide_password=True)

    def _get_engine(self) -> Engine:
        if self._engine is None:
            engine = create_engine(self.url)
            try:
                self.metadata.create_all(engine)
                if self.grown_tables:
                    with engine.begin() as connection:
                        for table in self.grown_tables:
                            add_missing_columns(connection, table)
            except SQLAlchemyError as error:
                engine.dispose()
                raise self.unavailable(f"{self.description} {self.safe_url}: {error}") from error
            self._engine = engine
        return self._engine

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        try:
            with self._get_engine().begin() as connection:
                yield connection
        except SQLAlchemyError as error:
            raise self.unavailable(f"{self.description} {self.safe_url}: {error}") from error

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
