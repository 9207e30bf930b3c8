"""The SQL reads of search, each following one index of index.py (SQLite and PostgreSQL alike).

They run on the DB-API cursor of SQLAlchemy's pooled connection: a search makes some eight small
statements, and SQLAlchemy's execution layer cost 60 µs a statement where the cursor costs 11
(measured on SQLite, 2026-12-04) — more than the statements' own work at 61 services. SQLAlchemy
still makes the tables, pools the connections and runs every write. On PostgreSQL, where each
statement is a round trip to the server, a search's rounds of reads go in one prepared statement
each (pg_reads.py: `read_ahead`, `round_rows`, `names_and_weights`), answering as these do.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from sqlalchemy.engine import Connection

from bot.catalogue.index import heads, pairs
from bot.catalogue.tables import (
    gram_stats_table,
    grams_table,
    meta_table,
    names_table,
    postings_table,
    services_table,
    term_stats_table,
)

_NAMED = re.compile(r":(\w+)")

STATS = (f"SELECT 'term', term, services FROM {term_stats_table.name} WHERE term IN :terms "
         f"UNION ALL SELECT 'pair', gram, names FROM {gram_stats_table.name} WHERE gram IN :pairs")
INSIDE = (f"SELECT code, text, kind, position FROM {names_table.name} "
          "WHERE head IN :heads AND length <= :length AND {name_in_query}")
TERM_LIST = (f"SELECT * FROM (SELECT term, code, weight, position FROM {postings_table.name} "
             f"WHERE term = :term{{i}} ORDER BY weight DESC, position, code "
             f"LIMIT :count OFFSET :start) AS list{{i}}")
HOLDING = (f"SELECT code, rank, length, position, text FROM {grams_table.name} "
           "WHERE gram = :pair AND length > :length AND {query_in_name} "
           "ORDER BY rank, length, position, text LIMIT :count OFFSET :start")
NAMES_OF = (f"SELECT code, text, kind FROM {names_table.name} "
            "WHERE code IN :codes AND ({name_in_query} OR {query_in_name})")
WEIGHTS_OF = f"SELECT code, term, weight FROM {postings_table.name} WHERE code IN :codes AND term IN :terms"
FACTS = f"SELECT key, value FROM {meta_table.name}"
SERVICES = f"SELECT code, data FROM {services_table.name} WHERE code IN :codes"


class Statements:
    """SQL text with :name parameters and `IN :list` lists, run on a DB-API cursor."""

    def __init__(self, connection: Connection) -> None:
        self._cursor = connection.connection.cursor()
        self._postgres = connection.dialect.name == "postgresql"

    def holds(self, haystack: str, needle: str) -> str:
        """SQL for "`needle` is a substring of `haystack`"."""
        if self._postgres:
            return f"strpos({haystack}, CAST({needle} AS TEXT)) > 0"
        return f"instr({haystack}, {needle}) > 0"

    def rows(self, sql: str, params: dict[str, object]) -> list[tuple]:
        """Run `sql`; a list parameter stands for `(:name_0, :name_1, …)` (never empty)."""
        flat: dict[str, object] = {}
        for name, value in params.items():
            if isinstance(value, list):
                names = [f"{name}_{i}" for i in range(len(value))] or [f"{name}_none"]
                sql = re.sub(rf":{name}\b", "(" + ", ".join(f":{n}" for n in names) + ")", sql)
                flat |= dict(zip(names, value or [None], strict=True))
            else:
                flat[name] = value
        if self._postgres:
            sql = _NAMED.sub(r"%(\1)s", sql)
        self._cursor.execute(sql, flat)
        return self._cursor.fetchall()


class IndexReader:
    """One search's reads, on one connection."""

    def __init__(self, connection: Connection) -> None:
        self.sql = Statements(connection)
        self._inside = INSIDE.format(name_in_query=self.sql.holds(":text", "text"))
        self._holding = HOLDING.format(query_in_name=self.sql.holds("text", ":text"))
        self._names_of = NAMES_OF.format(name_in_query=self.sql.holds(":text", "text"),
                                         query_in_name=self.sql.holds("text", ":text"))

    def read_ahead(self, terms: Sequence[str], text: str, depth: int) -> None:
        """Nothing here: each read is its own statement, which on SQLite is a function call
        (pg_reads.py reads a search's first round ahead on PostgreSQL)."""

    def facts(self) -> dict[str, str]:
        """What the build recorded (catalogue_meta)."""
        return dict(self.sql.rows(FACTS, {}))

    def service_data(self, codes: list[str]) -> dict[str, str]:
        """The stored JSON of each service."""
        return dict(self.sql.rows(SERVICES, {"codes": codes}))

    def stats(self, terms: list[str], text: str) -> tuple[dict[str, int], dict[str, int]]:
        """How many services hold each term, and how many names hold each character pair of
        `text` (absent: none)."""
        counts: dict[str, dict[str, int]] = {"term": {}, "pair": {}}
        for kind, key, count in self.sql.rows(STATS, {"terms": terms,
                                                      "pairs": sorted(set(pairs(text)))}):
            counts[kind][key] = count
        return counts["term"], counts["pair"]

    def names_inside(self, text: str) -> list[tuple]:
        """The names and aliases the query holds whole (or is): (code, text, kind, position)."""
        return self.sql.rows(self._inside, {"heads": sorted(heads(text)), "length": len(text),
                                            "text": text})

    def term_rows(self, terms: Sequence[str], start: int, depth: int) -> list[tuple]:
        """Rows start…depth of each term's list, through the impact index (term, weight DESC,
        position, code): (term, code, weight, position)."""
        if not terms:
            return []
        sql = " UNION ALL ".join(TERM_LIST.format(i=i) for i in range(len(terms)))
        params: dict[str, object] = {f"term{i}": term for i, term in enumerate(terms)}
        return self.sql.rows(sql, params | {"count": depth - start, "start": start})

    def holding_names(self, text: str, pair: str, start: int, depth: int) -> list[tuple]:
        """Rows start…depth of the names longer than the query that hold it, in tier order
        (names before aliases, shorter first), through the query's character `pair`:
        (code, rank, length, position, text)."""
        return self.sql.rows(self._holding, {"pair": pair, "length": len(text), "text": text,
                                   "count": depth - start, "start": start})

    def round_rows(self, terms: Sequence[str], text: str, pair: str | None, start: int,
                   depth: int) -> tuple[list[tuple], list[tuple]]:
        """One round of search's reading: rows start…depth of each term's list (`term_rows`) and,
        when `pair` is given, of the names holding the query (`holding_names`)."""
        holding = self.holding_names(text, pair, start, depth) if pair is not None else []
        return self.term_rows(terms, start, depth), holding

    def names_of(self, codes: Iterable[str], text: str) -> list[tuple]:
        """(code, text, kind) of each name, alias and example of the services that the query
        `text` holds or is held by (no other earns a tier: scoring.name_tier)."""
        codes = sorted(codes)
        return self.sql.rows(self._names_of, {"codes": codes, "text": text}) if codes else []

    def names_and_weights(self, named: Iterable[str], text: str, codes: Iterable[str],
                          terms: Iterable[str]) -> tuple[list[tuple], list[tuple]]:
        """What scoring services in full asks at once: `names_of(named, text)` and
        `weights_of(codes, terms)`."""
        return self.names_of(named, text), self.weights_of(codes, terms)

    def weights_of(self, codes: Iterable[str], terms: Iterable[str]) -> list[tuple]:
        """(code, term, weight) of each of the terms the services hold. (Asking for the pairs
        one needs instead, as OR-ed or VALUES pairs, was slower on both databases.)"""
        codes, terms = sorted(codes), sorted(terms)
        if not codes or not terms:
            return []
        return self.sql.rows(WEIGHTS_OF, {"codes": codes, "terms": terms})
