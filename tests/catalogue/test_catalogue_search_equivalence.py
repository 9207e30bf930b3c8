"""The indexed search gives the answers of the search it replaced, on SQLite and PostgreSQL.

`OldSearch` is the store's search as it was before the index (commit 6422e1f): every name holding
the query or held by it, every row of the query's words, scored by `_old_scores` — kept here
verbatim but for two things that only made it unrepeatable: sums run in sorted term order (they ran
in set or row order, which moves the last bit of a score), and a tie at the `limit` cut goes to
the earlier service (it went to whichever came first out of a set). Example questions (residents'
questions editors placed on a service) are scored as the editors' branch scored them in that
search (b7eb1fe): 85 asked again, 55 inside a longer query, never found by a part of the query.
"""

from __future__ import annotations

import dataclasses
import math
import random
from collections import defaultdict
from collections.abc import Iterator
from typing import NamedTuple

import pytest

from bot import paths
from bot.catalogue import search as search_module
from bot.catalogue.schema import Service
from bot.catalogue.store import CatalogueStore, create_store
from bot.catalogue.tokens import Tokenize, bigram_tokenize, compared, joining_bigrams, normalize, search_terms
from tools.bench.catalogue_data import synthetic_catalogue, varied_queries

# Situations (residents' descriptions of a need, added after that search) weigh between aliases and
# the topic, as bot/catalogue/scoring.py says.
FIELD_WEIGHTS = {"name": 3.0, "alias": 2.5, "situation": 1.25, "topic": 1.5, "text": 1.0}
MAX_TERM = 100


class NameRow(NamedTuple):
    code: str
    text: str
    kind: str


class TermRow(NamedTuple):
    term: str
    code: str
    field: str
    share: float


def _search_fields(service: Service) -> dict[str, list[str]]:
    return {
        "name": [service.name],
        "alias": list(service.aliases),
        "topic": [service.topic],
        "situation": list(service.situations),
        "text": [service.department, *service.conditions,
                 *(m.name for m in service.materials), service.legal_basis],
    }


def _old_scores(text: str, tokens: set[str], total: int, name_rows: list, term_rows: list,
                joining: frozenset[str] | set[str] = frozenset()) -> dict[str, float]:
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
    ceiling = sum(idf[t] for t in sorted(tokens)) * FIELD_WEIGHTS["name"] * 2 or 1.0  # sorted: see above
    overlap: dict[str, float] = defaultdict(float)
    for (code, term), weight in best_weight.items():
        overlap[code] += idf[term] * weight
    codes = set(tier) | set(overlap)
    return {code: tier.get(code, 0.0) + 40 * overlap.get(code, 0.0) / ceiling for code in codes}


class OldSearch:
    """The former search over in-memory rows: what its SQL selected, scored as it scored."""

    def __init__(self, services: list[Service], tokenize: Tokenize) -> None:
        self.tokenize = tokenize
        self.total = len(services)
        self.position = {s.code: i for i, s in enumerate(services)}
        self.names: list[NameRow] = []
        shares: dict[tuple[str, str, str], float] = {}
        for service in services:
            texts = {compared(service.name): "name"}
            for alias in service.aliases:
                texts.setdefault(compared(alias), "alias")
            for example in service.examples:
                texts.setdefault(compared(example), "example")
            self.names += [NameRow(service.code, t, k) for t, k in texts.items()]
            for field_name, field_texts in _search_fields(service).items():
                for text in field_texts:
                    tokens = {t for t in search_terms(tokenize, text) if len(t) <= MAX_TERM}
                    if field_name == "situation":  # a situation's words of two characters or more
                        tokens = {t for t in tokens if len(t) >= 2}
                    share = 1 / len(tokens) if tokens and field_name in ("name", "alias") else 0
                    for token in tokens:
                        key = (token, service.code, field_name)
                        shares[key] = max(shares.get(key, 0.0), share)
        self.terms: dict[str, list[TermRow]] = defaultdict(list)
        for (term, code, field_name), share in sorted(shares.items()):
            self.terms[term].append(TermRow(term, code, field_name, share))

    def search(self, query: str, limit: int) -> list[tuple[str, float]]:
        text = compared(query)
        tokens = search_terms(self.tokenize, query)
        joining = joining_bigrams(query, tokens)
        if not text or limit <= 0:
            return []
        name_rows = [row for row in self.names if row.text in text or text in row.text]
        term_rows = sorted((row for term in tokens | joining for row in self.terms.get(term, [])),
                           key=lambda row: (row.code, row.term, row.field))  # sorted: see above
        scores = _old_scores(text, tokens, self.total, name_rows, term_rows, joining)
        best = sorted(scores.items(), key=lambda item: (-item[1], self.position[item[0]]))[:limit]
        hits = [(code, round(score, 2)) for code, score in best]
        hits.sort(key=lambda hit: (-hit[1], self.position[hit[0]]))
        return hits


def _found(store: CatalogueStore, query: str, limit: int) -> list[tuple[str, float]]:
    return [(hit.service.code, hit.score) for hit in store.search(query, limit)]


def _differences(store: CatalogueStore, old: OldSearch, queries: list[str],
                 limits: tuple[int, ...]) -> list[tuple[str, int, list, list]]:
    differences = []
    for query in queries:
        for limit in limits:
            found, expected = _found(store, query, limit), old.search(query, limit)
            if found != expected:
                differences.append((query, limit, found, expected))
    return differences


@pytest.fixture(scope="module")
def spacy_tokenize() -> Tokenize:
    if not (paths.SPACY_PIPELINE / "meta.json").is_file():
        pytest.skip("the spaCy pipeline is not built (make setup)")
    from bot.catalogue.tokens import SpacyTokenizer

    return SpacyTokenizer()


@pytest.fixture(params=["bigram", "pkuseg"])
def tokenize(request: pytest.FixtureRequest) -> Tokenize:
    return bigram_tokenize if request.param == "bigram" else request.getfixturevalue("spacy_tokenize")


@pytest.fixture
def built(store_url: str, tokenize: Tokenize, services: list[Service]) -> Iterator[CatalogueStore]:
    store = create_store(store_url, tokenize=tokenize)
    store.replace_all(services)
    yield store
    store.close()


def test_the_queries_hold_every_name_and_alias(services: list[Service]) -> None:
    queries = varied_queries(services)
    assert {text for s in services for text in s.names()} <= set(queries)
    assert len(queries) >= len({text for s in services for text in s.names()}) + 300


def test_same_results_as_the_old_search(built: CatalogueStore, tokenize: Tokenize,
                                        services: list[Service]) -> None:
    queries = varied_queries(services)
    assert _differences(built, OldSearch(services, tokenize), queries, (3, 5)) == []


def test_same_results_reading_the_lists_one_row_at_a_time(
        built: CatalogueStore, tokenize: Tokenize, services: list[Service],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """With 61 services most lists end within the first read; reading one row, then two, four…
    makes every search stop on the bound instead."""
    monkeypatch.setattr(search_module, "FIRST_DEPTH", 1)
    monkeypatch.setattr(search_module, "GROWTH", 2)
    queries = varied_queries(services)[::2]
    assert _differences(built, OldSearch(services, tokenize), queries, (1, 3, 10)) == []


def test_same_results_with_example_questions(store_url: str, services: list[Service]) -> None:
    """Residents' questions on ten services (each holding another service's name, to compete with
    it): asked again, inside a longer message, in part; and the usual queries around them."""
    asked = {s.code: (f"想问一下{other.name}在哪办", f"{s.name}咋弄") for s, other in
             zip(services[:10], services[10:20], strict=True)}
    catalogue = [dataclasses.replace(s, examples=asked.get(s.code, ())) for s in services]
    store = create_store(store_url, tokenize=bigram_tokenize)
    store.replace_all(catalogue)
    try:
        questions = [q for pair in asked.values() for q in pair]
        queries = questions + [f"您好，{q}？" for q in questions] + [q[2:] for q in questions]
        queries += varied_queries(services)[::5]
        assert _differences(store, OldSearch(catalogue, bigram_tokenize), queries, (1, 3, 5)) == []
    finally:
        store.close()


def test_same_results_on_a_synthetic_catalogue_of_1000(store_url: str, services: list[Service]) -> None:
    """Many services sharing words (numbered variants of the real ones): long lists, many ties,
    searches of several rounds (on PostgreSQL: rounds read by pg_reads.py's statements)."""
    catalogue = synthetic_catalogue(services, 1000)
    store = create_store(store_url, tokenize=bigram_tokenize)
    store.replace_all(catalogue)
    try:
        queries = varied_queries(services)[::3] + varied_queries(catalogue[61:160])[::7]
        assert _differences(store, OldSearch(catalogue, bigram_tokenize), queries, (3, 5)) == []
    finally:
        store.close()


ALPHABET = "甲乙丙丁戊"


def _dictionary_tokenizer(words: set[str]) -> Tokenize:
    """Greedy longest match over `words`, other characters one by one: a segmenter whose words
    need not be a name's substrings the way bigrams are."""
    def tokenize(text: str) -> list[str]:
        text, tokens, i = normalize(text), [], 0
        while i < len(text):
            size = next((n for n in (3, 2) if text[i:i + n] in words), 1)
            tokens.append(text[i:i + size])
            i += size
        return tokens
    return tokenize


def _random_catalogue(rng: random.Random, template: Service, size: int) -> list[Service]:
    def text(low: int, high: int) -> str:
        return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(low, high)))

    services, used = [], set()
    for number in range(size):
        names, examples = [], []
        while len(names) < 1 + rng.randint(0, 3):
            name = text(1, 7)
            if name not in used:
                used.add(name)
                names.append(name)
        while len(examples) < rng.randint(0, 2):  # example questions, one service each
            example = text(3, 9)
            if example not in used:
                used.add(example)
                examples.append(example)
        services.append(dataclasses.replace(
            template, code=f"R-{number:03d}", name=names[0], aliases=tuple(names[1:]),
            examples=tuple(examples),
            topic=text(2, 4), department=text(2, 5), conditions=(text(2, 8),), materials=(),
            legal_basis=""))
    return services


def test_same_results_on_random_catalogues(store_url: str, services: list[Service],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Catalogues of random names and example questions over five characters and a random
    segmenter: names holding the question that no word list shows early, example questions asked
    again, inside a longer query or only in part, ties everywhere, lists of every length."""
    monkeypatch.setattr(search_module, "FIRST_DEPTH", 1)
    monkeypatch.setattr(search_module, "GROWTH", 2)
    rng = random.Random(23)
    differences = []
    for _ in range(30):
        words = {"".join(rng.choice(ALPHABET) for _ in range(rng.choice((2, 3)))) for _ in range(12)}
        tokenize = _dictionary_tokenizer(words)
        catalogue = _random_catalogue(rng, services[0], rng.randint(5, 60))
        store = create_store(store_url, tokenize=tokenize)
        store.replace_all(catalogue)
        try:
            queries = [s.name[rng.randint(0, len(s.name) - 1):] for s in catalogue[:15]]
            queries += ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 7)))
                        for _ in range(25)]
            asked = [e for s in catalogue for e in s.examples][:10]
            queries += asked + [f"{rng.choice(ALPHABET)}{e}" for e in asked] + [e[1:] for e in asked]
            differences += _differences(store, OldSearch(catalogue, tokenize), queries, (1, 2, 4))
        finally:
            store.close()
    assert differences == []
