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
import math
import os
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql.expression import ColumnElement

from bot import paths
from bot.catalogue.schema import CHANNELS, Service, parse_service
from bot.catalogue.tokens import (
    Tokenize,
    default_tokenizer,
    joining_bigrams,
    normalize,
    search_terms,
    tokenizer_name,
)
from bot.sql import create_engine

logger = logging.getLogger(__name__)

URL_ENV = "CATALOGUE_DATABASE_URL"
BUILD_HINT = "build it with `python -m bot.catalogue build`"

# How much a query token found in each field counts (names say most about a service).
FIELD_WEIGHTS = {"name": 3.0, "alias": 2.5, "topic": 1.5, "text": 1.0}
MAX_TERM = 100


class CatalogueUnavailable(RuntimeError):
    """The catalogue database cannot be reached or is not built; the cause is chained."""


@dataclass(frozen=True)
class SearchHit:
    """A service found by `search`, with its score (higher is better; a name or alias in the
    query scores at least 50, word overlap alone at most 40)."""

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

    @abc.abstractmethod
    def replace_all(self, services: Iterable[Service]) -> None:
        """Replace the whole catalogue in one transaction: readers see the old or the new."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release the store's connections."""


_meta = sa.MetaData()
services_table = sa.Table(
    "catalogue_services", _meta,
    sa.Column("code", sa.String(64), primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("data", sa.Text, nullable=False),
)
names_table = sa.Table(
    "catalogue_names", _meta,
    sa.Column("code", sa.String(64), primary_key=True),
    sa.Column("text", sa.Text, primary_key=True),
    sa.Column("kind", sa.String(8), nullable=False),
)
terms_table = sa.Table(
    "catalogue_terms", _meta,
    sa.Column("term", sa.String(MAX_TERM), primary_key=True),
    sa.Column("code", sa.String(64), primary_key=True),
    sa.Column("field", sa.String(8), primary_key=True),
    # The share of a name or alias this term makes up: "低保" is more of 低保申请 than of
    # 低保边缘家庭认定, so the shorter alias wins. 0 for topic and full text.
    sa.Column("share", sa.Float, nullable=False),
)
channels_table = sa.Table(
    "catalogue_channels", _meta,
    sa.Column("code", sa.String(64), primary_key=True),
    sa.Column("channel", sa.String(8), primary_key=True),
)
meta_table = sa.Table(
    "catalogue_meta", _meta,
    sa.Column("key", sa.String(32), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)


def _search_fields(service: Service) -> dict[str, list[str]]:
    """The texts each search field holds (the full-text part is the guide's prose)."""
    return {
        "name": [service.name],
        "alias": list(service.aliases),
        "topic": [service.topic],
        "text": [service.department, *service.conditions,
                 *(m.name for m in service.materials), service.legal_basis],
    }


class SqlCatalogueStore(CatalogueStore):
    """The catalogue in five small tables, through SQLAlchemy Core (SQLite or PostgreSQL)."""

    def __init__(self, url: str, tokenize: Tokenize | None = None) -> None:
        self.url = sa.engine.make_url(url)
        self._tokenize = tokenize
        self._engine: Engine | None = None
        self._built_with: str | None = None

    @property
    def tokenize(self) -> Tokenize:
        if self._tokenize is None:
            self._tokenize = default_tokenizer()
        return self._tokenize

    def _get_engine(self) -> Engine:
        if self._engine is None:
            try:
                self._engine = create_engine(self.url)
            except (SQLAlchemyError, ImportError) as error:
                raise CatalogueUnavailable(f"catalogue: cannot use {self._safe_url}: {error}") \
                    from error
        return self._engine

    @property
    def _safe_url(self) -> str:
        return self.url.render_as_string(hide_password=True)

    @contextmanager
    def _connect(self, *, write: bool = False) -> Iterator[Connection]:
        """A connection (a transaction when writing); driver errors become CatalogueUnavailable."""
        try:
            engine = self._get_engine()
            with (engine.begin() if write else engine.connect()) as connection:
                yield connection
        except SQLAlchemyError as error:
            raise CatalogueUnavailable(
                f"catalogue database {self._safe_url} unavailable or not built "
                f"({type(error).__name__}); {BUILD_HINT}"
            ) from error

    @staticmethod
    def _service(data: str) -> Service:
        service, problems = parse_service(json.loads(data))
        if service is None:
            raise CatalogueUnavailable(f"catalogue database holds an invalid service: {problems}; "
                                       f"{BUILD_HINT}")
        return service

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
        rows, names, channels = [], [], []
        terms: dict[tuple[str, str, str], float] = {}
        for position, service in enumerate(services):
            rows.append({"code": service.code, "position": position, "name": service.name,
                         "data": json.dumps(service.to_dict(), ensure_ascii=False)})
            texts = {normalize(service.name): "name"}
            for alias in service.aliases:
                texts.setdefault(normalize(alias), "alias")
            for example in service.examples:
                texts.setdefault(normalize(example), "example")
            names += [{"code": service.code, "text": t, "kind": k} for t, k in texts.items()]
            for field_name, texts in _search_fields(service).items():
                for text in texts:
                    tokens = {t for t in search_terms(self.tokenize, text) if len(t) <= MAX_TERM}
                    share = 1 / len(tokens) if tokens and field_name in ("name", "alias") else 0
                    for token in tokens:
                        key = (token, service.code, field_name)
                        terms[key] = max(terms.get(key, 0.0), share)
            channels += [{"code": service.code, "channel": c} for c in service.channels]
        term_rows = [{"term": t, "code": c, "field": f, "share": share}
                     for (t, c, f), share in sorted(terms.items())]
        with self._connect(write=True) as connection:
            _meta.create_all(connection)
            for table in (terms_table, names_table, channels_table, services_table, meta_table):
                connection.execute(table.delete())
            for table, batch in ((services_table, rows), (names_table, names),
                                 (terms_table, term_rows), (channels_table, channels)):
                if batch:
                    connection.execute(table.insert(), batch)
            connection.execute(meta_table.insert(),
                               [{"key": "tokenizer", "value": tokenizer_name(self.tokenize)}])
        self._built_with = None

    def _check_tokenizer(self, connection: Connection) -> None:
        """Warn once when the database was built with another segmentation than ours."""
        if self._built_with is not None:
            return
        query = sa.select(meta_table.c.value).where(meta_table.c.key == "tokenizer")
        self._built_with = connection.execute(query).scalar_one_or_none() or ""
        if self._built_with != tokenizer_name(self.tokenize):
            logger.warning("catalogue: database built with tokenizer %r, queried with %r; "
                           "rebuild it (python -m bot.catalogue build) for full-text ranking",
                           self._built_with, tokenizer_name(self.tokenize))

    def _contains(self, haystack: ColumnElement, needle: ColumnElement) -> ColumnElement:
        if self.url.get_backend_name() == "postgresql":
            return sa.func.strpos(haystack, needle) > 0
        return sa.func.instr(haystack, needle) > 0

    def search(self, query: str, limit: int = 5) -> list[SearchHit]:
        text = normalize(query)
        tokens = search_terms(self.tokenize, query)
        joining = joining_bigrams(query, tokens)
        if not text or limit <= 0:
            return []
        literal = sa.literal(text, sa.Text)
        names_query = sa.select(names_table).where(sa.or_(
            self._contains(literal, names_table.c.text),
            self._contains(names_table.c.text, literal),
        ))
        terms_query = sa.select(terms_table).where(terms_table.c.term.in_(sorted(tokens | joining)))
        with self._connect() as connection:
            self._check_tokenizer(connection)
            count = sa.select(sa.func.count()).select_from(services_table)
            total = connection.execute(count).scalar_one()
            name_rows = connection.execute(names_query).all() if text else []
            term_rows = connection.execute(terms_query).all() if tokens or joining else []
            scores = _scores(text, tokens, total, name_rows, term_rows, joining)
            best = sorted(scores.items(), key=lambda item: -item[1])[:limit]
            if not best:
                return []
            rows = connection.execute(
                sa.select(services_table.c.code, services_table.c.data, services_table.c.position)
                .where(services_table.c.code.in_([code for code, _ in best]))
            ).all()
        found = {row.code: (self._service(row.data), row.position) for row in rows}
        hits = [SearchHit(found[code][0], round(score, 2)) for code, score in best if code in found]
        hits.sort(key=lambda hit: (-hit.score, found[hit.service.code][1]))
        return hits

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def _scores(text: str, tokens: set[str], total: int, name_rows: list, term_rows: list,
            joining: frozenset[str] | set[str] = frozenset()) -> dict[str, float]:
    """Tiered score: exact name 100, exact alias 90, a question editors placed on the service 85
    (55 inside a longer query), a name inside the query 60–70, an alias inside it 50–60, the query
    inside a name 40–50; plus up to 40 for weighted token overlap.
    Joining bigrams (tokens.joining_bigrams) add to the overlap when they meet a name, but do not
    raise the ceiling: a question is not penalised for the word borders it has."""
    tier: dict[str, float] = defaultdict(float)
    for row in name_rows:
        exact, inside = (100.0, 60.0) if row.kind == "name" else (90.0, 50.0)
        if row.kind == "example":  # a resident's whole question: asked again, not a word of a query
            if row.text in text:
                tier[row.code] = max(tier[row.code], 85.0 if row.text == text else 55.0)
            continue
        if row.text == text:
            score = exact
        elif row.text in text:
            score = inside + 10 * len(row.text) / len(text)
        elif len(text) >= 2:
            score = inside - 20 + 10 * len(text) / len(row.text)
        else:
            continue
        tier[row.code] = max(tier[row.code], score)
    holders: dict[str, set[str]] = defaultdict(set)
    best_weight: dict[tuple[str, str], float] = defaultdict(float)
    for row in term_rows:
        holders[row.term].add(row.code)
        key = (row.code, row.term)
        best_weight[key] = max(best_weight[key], FIELD_WEIGHTS[row.field] * (1 + row.share))
    n = max(total, 1)
    idf = {t: math.log(1 + n / len(holders[t])) if holders.get(t) else math.log(1 + n)
           for t in tokens | joining}
    ceiling = sum(idf[t] for t in tokens) * FIELD_WEIGHTS["name"] * 2 or 1.0
    overlap: dict[str, float] = defaultdict(float)
    for (code, term), weight in best_weight.items():
        overlap[code] += idf[term] * weight
    codes = set(tier) | set(overlap)
    return {code: tier.get(code, 0.0) + 40 * overlap.get(code, 0.0) / ceiling for code in codes}


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
