"""Search's reads on PostgreSQL: each round of reads in one prepared statement.

Why: a search makes some eight to ten small reads (reads.py). On SQLite each is a function call;
on PostgreSQL each was a round trip to another process and a statement parsed and planned anew:
measured at 3,000 services on this machine (2 cores, busy), 0.3–0.7 ms a statement of which the
execution took 0.05–0.3 — the planning (0.15–0.45 ms) and the wait for the server process, not the
reading, made search slower than on SQLite. So on PostgreSQL a search's reads go in three
statements, each prepared once per connection and planned once (the catalogue's engine asks for
generic plans: bot/sql.py), written so that a plan made without the values reads through the
right index (LATERAL … OFFSET 0 keeps the planner from turning a read by key into a scan):
- the first round (`FIRST_ROUND`): what search reads before it knows anything — the build's facts,
  the words' and pairs' statistics, the names inside the query and those services' weights, the
  first rows of every word's list and of the names holding the query;
- a later round (`NEXT_ROUND`): the next rows of every open list, names holding the query included;
- scoring services in full (`SCORING`): their names and weights together.
A read none of them covers goes to the database as on SQLite. Either way a read returns what its
own statement of reads.py would, so the answers are the same
(tests/catalogue/test_catalogue_search_equivalence.py runs on both databases). Reading more ahead
was measured slower: the weights of every service the first rows show made the first statement
cost more than the reads it saved (3,000 services, the bench's 200 queries asked in turn, p50:
reads one by one 5.70 ms, weights of every service shown 4.58, of the names inside 3.98, none 4.03).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy.engine import Connection

from bot.catalogue.index import heads, pairs
from bot.catalogue.reads import IndexReader
from bot.catalogue.tables import (
    gram_stats_table,
    grams_table,
    meta_table,
    names_table,
    postings_table,
    term_stats_table,
)

# Named for the index's shape: a database rebuilt with another shape never meets an old plan.
FIRST, NEXT, SCORE = "catalogue_first_round_v1", "catalogue_next_round_v1", "catalogue_scoring_v1"
PREPARED_KEY = "catalogue_prepared"  # in the pooled connection's `info`: prepared there already
# $1 the query's words, $2 its character pairs (distinct), $3 the heads of names it may hold,
# $4 the query, $5 its length, $6 the rows of each list read first, $7 how many pairs it has.
# Rows: (part, code, key, text, weight, position, rank, count); each part's SQL is its read's in
# reads.py. The rarest pair is chosen as search.py chooses it (fewest names, then code-point order:
# COLLATE "C"), and read only when search will read it (every pair held by some name, the query
# of two characters or more and shorter than the longest name). The services weighed are those
# whose names the query holds: search scores them in full before reading any list.
FIRST_ROUND = f"""
WITH facts AS (SELECT key, value FROM {meta_table.name}),
term_stats AS (SELECT term, services FROM {term_stats_table.name} WHERE term = ANY($1)),
pair_stats AS (SELECT gram, names FROM {gram_stats_table.name} WHERE gram = ANY($2)),
inside AS (SELECT code, text, kind, position FROM {names_table.name}
           WHERE head = ANY($3) AND length <= $5 AND strpos($4, text) > 0),
lists AS (SELECT s.term, l.code, l.weight, l.position FROM term_stats AS s CROSS JOIN LATERAL (
            SELECT code, weight, position FROM {postings_table.name} WHERE term = s.term
            ORDER BY weight DESC, position, code LIMIT $6) AS l),
rarest AS (SELECT gram FROM pair_stats
           WHERE $5 >= 2 AND (SELECT count(*) FROM pair_stats) = $7
             AND $5 < (SELECT CAST(value AS INTEGER) FROM facts WHERE key = 'longest_name')
           ORDER BY names, gram COLLATE "C" LIMIT 1),
holding AS (SELECT code, rank, length, position, text FROM {grams_table.name}
            WHERE gram = (SELECT gram FROM rarest) AND length > $5 AND strpos(text, $4) > 0
            ORDER BY rank, length, position, text LIMIT $6),
weighed AS (SELECT DISTINCT code FROM inside)
SELECT 'fact', NULL, key, value, NULL::float8, NULL::integer, NULL::integer, NULL::integer FROM facts
UNION ALL SELECT 'term', NULL, term, NULL, NULL, NULL, NULL, services FROM term_stats
UNION ALL SELECT 'pair', NULL, gram, NULL, NULL, NULL, NULL, names FROM pair_stats
UNION ALL SELECT 'inside', code, kind, text, NULL, position, NULL, NULL FROM inside
UNION ALL SELECT 'list', code, term, NULL, weight, position, NULL, NULL FROM lists
UNION ALL SELECT 'rarest', NULL, gram, NULL, NULL, NULL, NULL, NULL FROM rarest
UNION ALL SELECT 'holding', code, NULL, text, NULL, position, rank, length FROM holding
UNION ALL SELECT 'weight', w.code, p.term, NULL, p.weight, NULL, NULL, NULL
          FROM weighed AS w CROSS JOIN LATERAL (SELECT term, weight FROM {postings_table.name}
                                               WHERE code = w.code AND term = ANY($1) OFFSET 0) AS p
UNION ALL SELECT 'weighed', code, NULL, NULL, NULL, NULL, NULL, NULL FROM weighed
"""
FIRST_PARAMETERS = "text[], text[], text[], text, integer, integer, integer"
# A later round: $1 the open words, $2 the pair whose names are read (NULL: none), $3 the query,
# $4 its length, $5 the first row, $6 the rows to read. Only the lists: the services a later round
# shows are many (a deeper slice of every list), few of them are scored, and those few are read
# as IndexReader reads them.
NEXT_ROUND = f"""
SELECT 'list', l.code, t.term, NULL, l.weight, l.position, NULL::integer, NULL::integer
FROM unnest($1) AS t(term) CROSS JOIN LATERAL (
     SELECT code, weight, position FROM {postings_table.name} WHERE term = t.term
     ORDER BY weight DESC, position, code LIMIT $6 OFFSET $5) AS l
UNION ALL SELECT 'holding', h.code, NULL, h.text, NULL, h.position, h.rank, h.length FROM (
     SELECT code, rank, length, position, text FROM {grams_table.name}
     WHERE gram = $2 AND length > $4 AND strpos(text, $3) > 0
     ORDER BY rank, length, position, text LIMIT $6 OFFSET $5) AS h
"""
NEXT_PARAMETERS = "text[], text, text, integer, integer, integer"
# Scoring services in full: the names of $1 that the query $3 holds or is held by, the weights of
# $4 in the services $2 (names_of and weights_of of reads.py, in one statement). Each service's
# weights are read through its key (code, term): planned without its values, the statement would
# otherwise read the words' whole lists (OFFSET 0 keeps the planner from merging the two).
SCORING = f"""
SELECT 'name', code, kind, text, NULL::float8 FROM {names_table.name}
WHERE code = ANY($1) AND (strpos($3, text) > 0 OR strpos(text, $3) > 0)
UNION ALL SELECT 'weight', c.code, p.term, NULL, p.weight FROM unnest($2) AS c(code) CROSS JOIN LATERAL (
     SELECT term, weight FROM {postings_table.name} WHERE code = c.code AND term = ANY($4) OFFSET 0) AS p
"""
SCORING_PARAMETERS = "text[], text[], text, text[]"


class PostgresReader(IndexReader):
    """IndexReader reading a search's rounds in one prepared statement each (the module's
    docstring); a read they do not cover goes to the database as IndexReader's."""

    def __init__(self, connection: Connection) -> None:
        super().__init__(connection)
        self._dbapi = connection.connection
        self._first: _FirstRound | None = None

    def _execute(self, name: str, parameters: str, sql: str, values: tuple) -> list[tuple]:
        """EXECUTE the statement `name`, prepared on this connection at its first use."""
        prepared = self._dbapi.info.setdefault(PREPARED_KEY, set())
        cursor = self._dbapi.cursor()
        try:
            if name not in prepared:
                cursor.execute(f"PREPARE {name} ({parameters}) AS {sql}")
                prepared.add(name)
            cursor.execute(f"EXECUTE {name} ({', '.join(['%s'] * len(values))})", values)
            return cursor.fetchall()
        finally:
            cursor.close()

    def read_ahead(self, terms: Sequence[str], text: str, depth: int) -> None:
        """Read, in one statement, what a search for `text` (its words `terms`) reads before it
        knows anything, `depth` rows of each list. A database of another shape (not built, built
        by an earlier version) is left to the reads one by one, which say so."""
        import psycopg2

        wanted = sorted(set(pairs(text)))
        try:
            rows = self._execute(FIRST, FIRST_PARAMETERS, FIRST_ROUND,
                                 (list(terms), wanted, sorted(heads(text)), text, len(text), depth,
                                  len(wanted)))
        except psycopg2.ProgrammingError:  # a table or column missing (class 42): not our shape
            self._dbapi.rollback()
            return
        self._first = _FirstRound(tuple(terms), text, depth, rows)

    def facts(self) -> dict[str, str]:
        return dict(self._first.facts) if self._first is not None else super().facts()

    def stats(self, terms: list[str], text: str) -> tuple[dict[str, int], dict[str, int]]:
        first = self._first
        if first is not None and tuple(terms) == first.terms and text == first.text:
            return dict(first.term_stats), dict(first.pair_stats)
        return super().stats(terms, text)

    def names_inside(self, text: str) -> list[tuple]:
        first = self._first
        return list(first.inside) if first is not None and text == first.text else super().names_inside(text)

    def round_rows(self, terms: Sequence[str], text: str, pair: str | None, start: int,
                   depth: int) -> tuple[list[tuple], list[tuple]]:
        first = self._first
        if first is None or text != first.text:
            return super().round_rows(terms, text, pair, start, depth)
        if start == 0 and depth == first.depth and set(terms) <= first.lists.keys() \
                and (pair is None or pair == first.pair):
            return [row for term in terms for row in first.lists[term]], \
                list(first.holding) if pair is not None else []
        rows = self._execute(NEXT, NEXT_PARAMETERS, NEXT_ROUND,
                             (list(terms), pair, text, len(text), start, depth - start))
        term_rows = [(key, code, weight, position) for part, code, key, _, weight, position, _, _ in rows
                     if part == "list"]
        holding = [(code, rank, count, position, text_)
                   for part, code, _, text_, _, position, rank, count in rows if part == "holding"]
        return term_rows, _in_order(holding)

    def names_and_weights(self, named: Iterable[str], text: str, codes: Iterable[str],
                          terms: Iterable[str]) -> tuple[list[tuple], list[tuple]]:
        named, codes, terms, first = sorted(named), sorted(codes), sorted(terms), self._first
        if first is None or text != first.text:
            return super().names_and_weights(named, text, codes, terms)
        if not named and set(codes) <= first.weights.keys() and set(terms) <= set(first.terms):
            return [], [(code, term, first.weights[code][term]) for code in codes for term in terms
                        if term in first.weights[code]]
        if not terms:
            codes = []
        rows = self._execute(SCORE, SCORING_PARAMETERS, SCORING, (named, codes, text, terms)) \
            if named or codes else []
        return [(code, text_, kind) for part, code, kind, text_, _ in rows if part == "name"], \
            [(code, term, weight) for part, code, term, _, weight in rows if part == "weight"]


class _FirstRound:
    """The rows of the first round, sorted into the reads they answer."""

    def __init__(self, terms: tuple[str, ...], text: str, depth: int, rows: list[tuple]) -> None:
        self.terms, self.text, self.depth = terms, text, depth
        self.facts: dict[str, str] = {}
        self.term_stats: dict[str, int] = {}
        self.pair_stats: dict[str, int] = {}
        self.inside: list[tuple] = []
        self.lists: dict[str, list[tuple]] = {}
        self.pair: str | None = None  # the pair whose names were read (None: none were)
        # The services weighed (every one, those holding none of the words too): word → weight.
        self.weights: dict[str, dict[str, float]] = {}
        holding = []
        for part, code, key, text_, weight, position, rank, count in rows:
            if part == "fact":
                self.facts[key] = text_
            elif part == "term":
                self.term_stats[key] = count
                self.lists.setdefault(key, [])
            elif part == "pair":
                self.pair_stats[key] = count
            elif part == "inside":
                self.inside.append((code, text_, key, position))
            elif part == "list":
                self.lists.setdefault(key, []).append((key, code, weight, position))
            elif part == "rarest":
                self.pair = key
            elif part == "holding":
                holding.append((code, rank, count, position, text_))
            elif part == "weighed":
                self.weights.setdefault(code, {})
            else:
                self.weights.setdefault(code, {})[key] = weight
        self.holding = _in_order(holding)


def _in_order(holding: list[tuple]) -> list[tuple]:
    """Rows of names holding the query in their read's order where search depends on it: names
    before aliases, shorter first (rows of one service of equal rank and length score alike,
    whatever their text)."""
    return sorted(holding, key=lambda row: (row[1], row[2], row[3]))
