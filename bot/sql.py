"""One way to open the project's SQL databases (catalogue, staff records): SQLite or PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine


def create_engine(url: URL) -> Engine:
    """An engine for `url`: SQLite gets its folder created; PostgreSQL checks pooled connections
    before use (a restarted server is no error) and gives up connecting after 5 s, so that a
    database that is down is reported quickly instead of hanging a resident's question."""
    options: dict[str, object] = {"future": True}
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    else:
        options.update(pool_pre_ping=True, connect_args={"connect_timeout": 5})
    return sa.create_engine(url, **options)
