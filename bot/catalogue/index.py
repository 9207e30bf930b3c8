"""The catalogue's search index: the rows of the inverted tables of tables.py, from the services.

Why our own tables rather than SQLite FTS5 or PostgreSQL's text search: search ranks by whole
names and aliases found in the question (or the question found in them) and by idf-weighted word
overlap (scoring.py); bm25 and ts_rank rank otherwise, and substrings of two characters — most
Chinese words — are beyond both trigram indexes (SQLite 3.40's trigram table even answers LIKE
'%公寓%' with no row). Plain tables with B-tree indexes are read the same way on both databases,
so both give the same answers, and each list search reads comes out of its index already in the
order search wants it (search.py), so a search reads the heads of lists, not the catalogue:

- names: every name, alias and example question, found by its first two characters (the question
  holds it whole);
- name grams: the character pairs of names and aliases, in tier order, for the names that hold the
  question (an example question is never found by a part of it);
- postings: each search word's services, heaviest first (impact order), with word statistics.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache

import sqlalchemy as sa

from bot.catalogue.schema import Service
from bot.catalogue.scoring import FIELD_WEIGHTS, KIND_RANK
from bot.catalogue.tables import (
    MAX_TERM,
    gram_stats_table,
    grams_table,
    names_table,
    postings_table,
    term_stats_table,
)
from bot.catalogue.tokens import Tokenize, compared, search_terms


def search_fields(service: Service) -> dict[str, list[str]]:
    """The texts each search field holds (the full-text part is the guide's prose; situations are
    residents' descriptions of their need, found by their words, never as names)."""
    return {
        "name": [service.name],
        "alias": list(service.aliases),
        "topic": [service.topic],
        "situation": list(service.situations),
        "text": [service.department, *service.conditions,
                 *(m.name for m in service.materials), service.legal_basis],
    }


def name_texts(service: Service) -> dict[str, str]:
    """The service's names in the form compared (tokens.compared), each with its kind; an alias equal
    to the name (once normalized) counts as the name. Residents' questions editors placed on the
    service (`examples`) come last, of kind "example": found whole in a query, never by a part."""
    texts = {compared(service.name): "name"}
    for alias in service.aliases:
        texts.setdefault(compared(alias), "alias")
    for example in service.examples:
        texts.setdefault(compared(example), "example")
    return texts


def pairs(text: str) -> list[str]:
    """The character pairs of `text`, in order (repeats kept)."""
    return [text[i:i + 2] for i in range(len(text) - 1)]


def heads(text: str) -> set[str]:
    """Every first-two-characters a name held whole in `text` may have (one-character names:
    the character)."""
    return set(text) | set(pairs(text))


def situation_words(tokens: frozenset[str]) -> frozenset[str]:
    """The words of a situation search holds: those of two characters or more. A situation is a
    sentence; its one-character words (办、都、给、还 …) say how it is told, not what it is about,
    and held by many services' situations they would make "都能办啥" look like a description."""
    return frozenset(t for t in tokens if len(t) >= 2)


def term_weights(service: Service, words: Callable[[str], frozenset[str]]) -> dict[str, float]:
    """Each search word of the service (`words` of a text) and its weight: a word that makes up
    more of a name or alias weighs more ("低保" is more of 低保申请 than of 低保边缘家庭认定)."""
    shares: dict[tuple[str, str], float] = {}
    for field_name, texts in search_fields(service).items():
        for text in texts:
            tokens = situation_words(words(text)) if field_name == "situation" else words(text)
            share = 1 / len(tokens) if tokens and field_name in ("name", "alias") else 0
            for token in tokens:
                key = (token, field_name)
                shares[key] = max(shares.get(key, 0.0), share)
    weights: dict[str, float] = {}
    for (token, field_name), share in shares.items():
        weights[token] = max(weights.get(token, 0.0), FIELD_WEIGHTS[field_name] * (1 + share))
    return weights


@dataclass
class IndexRows:
    """The rows of every index table for one catalogue, and the figures search needs."""

    names: list[dict[str, object]] = field(default_factory=list)
    grams: list[dict[str, object]] = field(default_factory=list)
    gram_stats: list[dict[str, object]] = field(default_factory=list)
    postings: list[dict[str, object]] = field(default_factory=list)
    term_stats: list[dict[str, object]] = field(default_factory=list)
    longest_name: int = 0

    def by_table(self) -> list[tuple[sa.Table, list[dict[str, object]]]]:
        return [(names_table, self.names), (grams_table, self.grams),
                (gram_stats_table, self.gram_stats), (postings_table, self.postings),
                (term_stats_table, self.term_stats)]


def index_rows(services: Iterable[Service], tokenize: Tokenize) -> IndexRows:
    """Segment and index every service (the costly part of a build: pkuseg runs here, once for
    each distinct text — services share materials, departments and conditions)."""

    @cache
    def words(text: str) -> frozenset[str]:
        return frozenset(t for t in search_terms(tokenize, text) if len(t) <= MAX_TERM)

    rows = IndexRows()
    gram_names: Counter[str] = Counter()
    term_services: Counter[str] = Counter()
    for position, service in enumerate(services):
        for text, kind in name_texts(service).items():
            rows.names.append({"code": service.code, "text": text, "kind": kind,
                               "head": text[:2], "length": len(text), "position": position})
            if kind not in KIND_RANK:  # an example: matched whole or not at all, never holding
                continue
            rows.longest_name = max(rows.longest_name, len(text))
            if len(text) < 3:  # holds no question of two characters or more but its own
                continue
            for gram in sorted(set(pairs(text))):
                rows.grams.append({"gram": gram, "rank": KIND_RANK[kind], "length": len(text),
                                   "position": position, "text": text, "code": service.code})
                gram_names[gram] += 1
        for term, weight in sorted(term_weights(service, words).items()):
            rows.postings.append({"code": service.code, "term": term, "weight": weight,
                                  "position": position})
            term_services[term] += 1
    rows.gram_stats = [{"gram": g, "names": n} for g, n in sorted(gram_names.items())]
    rows.term_stats = [{"term": t, "services": n} for t, n in sorted(term_services.items())]
    return rows
