"""The best services for a query, reading only the heads of the index's ordered lists.

A threshold algorithm (Fagin's, with the bounds of his "no random access" variant): each list —
the services holding one query word, heaviest first, and the names holding the whole query,
highest tier first — is read a chunk at a time. A service seen has an upper bound: what the lists
showed of it, plus where each list it has not shown up in stopped. Only services whose bound
reaches the last of the best `limit` so far are scored in full (scoring.py, from their own rows).
Reading stops once that last one outscores what a service no list has shown could still reach
(the sum of where every list stopped). A tie with that bound goes to the earlier service in the
catalogue, as in the final order: lists keep equal weights in catalogue order, so an unseen service
that ties comes after every list's stopping place. The answer is the one scoring every service
would give; the cost depends on how the best services stand out, not on how many there are.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.catalogue import scoring
from bot.catalogue.index import pairs
from bot.catalogue.reads import IndexReader

FIRST_DEPTH = 16  # rows read from each list at first
GROWTH = 4  # how much deeper each further round reads
SCORED_AT_ONCE = 64  # services scored in full by one pair of reads
# Bounds of services seen are summed in another order than scores: a margin far above rounding
# keeps them bounds.
MARGIN = 1e-9
KIND_OF_RANK = {rank: kind for kind, rank in scoring.KIND_RANK.items()}


@dataclass(frozen=True)
class Query:
    """A query as search compares it: the normalized text, its search words, and the joining
    bigrams (tokens.joining_bigrams) that add to the overlap but not to the ceiling."""

    text: str
    tokens: frozenset[str]
    joining: frozenset[str]

    @property
    def terms(self) -> list[str]:
        return sorted(self.tokens | self.joining)


@dataclass(frozen=True)
class Ranked:
    code: str
    score: float
    position: int


@dataclass
class _Cursor:
    """Where the reading of one ordered list stands."""

    term: str | None  # None: the names holding the query, found through their `pair`
    pair: str = ""
    exhausted: bool = False
    value: float = 0.0  # the weight (or tier) of the last row read: no later row has more
    position: int = -1  # that row's place in the catalogue: later rows of equal value come after


class _Search:
    """One search's state: the lists' cursors, what they showed, the services scored."""

    def __init__(self, reader: IndexReader, query: Query, services: int, longest_name: int,
                 limit: int) -> None:
        self.reader, self.query, self.limit = reader, query, limit
        holders, pair_names = reader.stats(query.terms, query.text)
        self.idfs = {t: scoring.idf(services, holders.get(t, 0)) for t in query.terms}
        self.ceiling = scoring.ceiling(query.tokens, self.idfs)
        self.cursors = [_Cursor(term) for term in query.terms if holders.get(term)]
        self.names_list: _Cursor | None = None
        wanted = set(pairs(query.text))
        if 2 <= len(query.text) < longest_name and wanted <= pair_names.keys():
            # Names holding the query hold each of its pairs: read those of the rarest pair.
            self.names_list = _Cursor(None, min(wanted, key=lambda p: (pair_names[p], p)))
            self.cursors.append(self.names_list)
        self.shown: dict[str, dict[str, float]] = {}  # code → term → weight, as the lists showed
        self.tiers: dict[str, float] = {}  # codes whose tier is known
        self.positions: dict[str, int] = {}
        self.scored: dict[str, Ranked] = {}

    def run(self) -> list[Ranked]:
        for code, text, kind, position in self.reader.names_inside(self.query.text):
            # A name inside the query outscores any name holding it (50+ against under 50).
            tier = scoring.name_tier(self.query.text, text, kind) or 0.0
            self.tiers[code] = max(self.tiers.get(code, 0.0), tier)
            self.positions[code] = position
        self._score(set(self.tiers))
        start, depth = 0, FIRST_DEPTH
        while True:
            self._read(start, depth)
            self._score_promising()
            best = self._best()
            if self._settled(best):
                return best
            start, depth = depth, depth * GROWTH

    def _open(self) -> list[_Cursor]:
        return [c for c in self.cursors if not c.exhausted]

    def _best(self) -> list[Ranked]:
        return sorted(self.scored.values(), key=lambda r: (-r.score, r.position))[:self.limit]

    def _read(self, start: int, depth: int) -> None:
        """Read rows start…depth of every open list."""
        words = [c for c in self._open() if c.term is not None]
        names = self.names_list if self.names_list is not None and not self.names_list.exhausted \
            else None
        term_rows, rows = self.reader.round_rows([c.term for c in words], self.query.text,
                                                 names.pair if names else None, start, depth)
        counts: dict[str, int] = {}
        last: dict[str, tuple[float, int, str]] = {}  # the last row in list order: the lowest
        for term, code, weight, position in term_rows:
            self.shown.setdefault(code, {})[term] = weight
            self.positions[code] = position
            counts[term] = counts.get(term, 0) + 1
            key = (-weight, position, code)
            if term not in last or key > last[term]:
                last[term] = key
        for cursor in words:
            weight, position = (-last[cursor.term][0], last[cursor.term][1]) \
                if cursor.term in last else (cursor.value, cursor.position)
            _advance(cursor, counts.get(cursor.term, 0) < depth - start, weight, position)
        if names is not None:
            tier = names.value
            for code, rank, _length, position, text in rows:
                tier = scoring.name_tier(self.query.text, text, KIND_OF_RANK[rank]) or 0.0
                self.tiers.setdefault(code, tier)  # the first row of a service is its best
                self.positions[code] = position
                self.shown.setdefault(code, {})
            _advance(names, len(rows) < depth - start, tier,
                     rows[-1][3] if rows else names.position)

    def _bounds(self) -> tuple[dict[str, float], float]:
        """The most each service seen but not scored may score, and the least the last of the
        best must score (the `limit`-th best of what the lists showed of each service)."""
        open_values = {c.term: c.value for c in self._open() if c.term is not None}
        base = sum(self.idfs[t] * v for t, v in open_values.items())
        names_open = self.names_list is not None and not self.names_list.exhausted
        upper: dict[str, float] = {}
        lower = [r.score for r in self.scored.values()]
        for code, weights in self.shown.items():
            if code in self.scored:
                continue
            shown = sum(self.idfs[t] * w for t, w in weights.items())
            tier = self.tiers.get(code, 0.0)
            lower.append(scoring.score(tier, shown, self.ceiling))
            if code not in self.tiers and names_open:
                tier = self.names_list.value
            overlap = base + shown - sum(self.idfs[t] * open_values.get(t, 0.0) for t in weights)
            upper[code] = scoring.score(tier, overlap, self.ceiling) * (1 + MARGIN) + MARGIN
        lower.sort(reverse=True)
        floor = lower[self.limit - 1] * (1 - MARGIN) - MARGIN if len(lower) >= self.limit else -1.0
        return upper, floor

    def _score_promising(self) -> None:
        """Score in full, most promising first, every service seen whose bound reaches the last
        of the best so far."""
        upper, floor = self._bounds()
        waiting = sorted((c for c in upper if upper[c] >= floor),
                         key=lambda code: (-upper[code], self.positions[code]))
        while waiting:
            self._score(set(waiting[:SCORED_AT_ONCE]))
            best = self._best()
            waiting = waiting[SCORED_AT_ONCE:]
            if len(best) == self.limit:
                waiting = [c for c in waiting if upper[c] >= best[-1].score]

    def _score(self, codes: set[str]) -> None:
        """Score each service in `codes` in full: the open lists it did not show up in yet are
        asked for it."""
        if not codes:
            return
        names_open = self.names_list is not None and not self.names_list.exhausted
        unknown_tier = {c for c in codes if c not in self.tiers} if names_open else set()
        open_terms = [c.term for c in self._open() if c.term is not None]
        weights = {code: dict(self.shown.get(code, {})) for code in codes}
        unknown = {term for code in codes for term in open_terms if term not in weights[code]}
        names, found = self.reader.names_and_weights(unknown_tier, self.query.text, codes, unknown)
        for code, text, kind in names:
            tier = scoring.name_tier(self.query.text, text, kind)
            if tier is not None:
                self.tiers[code] = max(self.tiers.get(code, 0.0), tier)
        for code, term, weight in found:
            weights[code][term] = weight
        for code in codes:
            total = scoring.score(self.tiers.get(code, 0.0),
                                  scoring.overlap(weights[code], self.idfs), self.ceiling)
            self.scored[code] = Ranked(code, total, self.positions[code])

    def _unseen_bound(self) -> float:
        """The most a service no list has shown may score (summed as a score is)."""
        open_cursors = self._open()
        tier = max((c.value for c in open_cursors if c.term is None), default=0.0)
        weights = {c.term: c.value for c in open_cursors if c.term is not None}
        return scoring.score(tier, scoring.overlap(weights, self.idfs), self.ceiling)

    def _settled(self, best: list[Ranked]) -> bool:
        open_cursors = self._open()
        if not open_cursors:
            return True
        if len(best) < self.limit:
            return False
        last, bound = best[-1], self._unseen_bound()
        return last.score > bound or (
            last.score == bound and last.position <= max(c.position for c in open_cursors))


def _advance(cursor: _Cursor, exhausted: bool, value: float, position: int) -> None:
    cursor.exhausted, cursor.value, cursor.position = exhausted, value, position


def best_services(reader: IndexReader, query: Query, services: int, longest_name: int,
                  limit: int) -> list[Ranked]:
    """The `limit` best services for `query`, best first (ties: catalogue order)."""
    return _Search(reader, query, services, longest_name, limit).run()
