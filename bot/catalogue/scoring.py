"""How a service scores against a resident's words: one formula, used by search and its bounds.

Tiered: the exact name 100, an exact alias 90, a question editors placed on the service (an
example) asked again 85 or inside a longer query 55, a name inside the query 60–70, an alias inside
it 50–60, the query inside a name 40–50 (an alias 30–40); plus up to 40 for idf-weighted word
overlap. Every tier of a text inside the query (50 and up) outscores every tier of one holding it.
Sums run over terms in sorted order, so that a score, and the bound search compares it with, come
out the same to the last bit whatever order the database returns rows in.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

# How much a query token found in each field counts (names say most about a service). A word of a
# situation (a resident's description of a need the service meets) counts more than the guide's
# prose and less than the service's kind or any name or alias: those stay first, and the everyday
# words situations share (公司, 孩子, 工作) do not blur a name's lead (at 2.0 a question for the
# materials of registering a company no longer found 企业开办 clearly ahead).
FIELD_WEIGHTS = {"name": 3.0, "alias": 2.5, "situation": 1.25, "topic": 1.5, "text": 1.0}
# Names before aliases: every name holding the query outscores every alias holding it. (Examples
# hold no query: they are asked again whole or not at all.)
KIND_RANK = {"name": 0, "alias": 1}
EXAMPLE = "example"
EXAMPLE_TIERS = (85.0, 55.0)  # asked again as it stands; inside a longer message
OVERLAP_POINTS = 40


def name_tier(query: str, name: str, kind: str) -> float | None:
    """The tier score one name or alias (normalized) earns against the normalized query, or None
    when neither holds the other (or the query is one character inside a longer name). An
    example scores only when the query is it or holds it."""
    if kind == EXAMPLE:
        exact, inside = EXAMPLE_TIERS
        return exact if name == query else inside if name in query else None
    exact, inside = (100.0, 60.0) if kind == "name" else (90.0, 50.0)
    if name == query:
        return exact
    if name in query:
        return inside + 10 * len(name) / len(query)
    if len(query) >= 2 and query in name:
        return inside - 20 + 10 * len(query) / len(name)
    return None


def idf(services: int, holders: int) -> float:
    """A rare word says more: log(1 + n / holders); a word no service holds counts as rarest."""
    n = max(services, 1)
    return math.log(1 + n / holders) if holders else math.log(1 + n)


def ceiling(tokens: Iterable[str], idfs: Mapping[str, float]) -> float:
    """The overlap a service holding every query word in its name would reach (joining bigrams do
    not raise it: a question is not penalised for the word borders it has)."""
    return sum(idfs[t] for t in sorted(tokens)) * FIELD_WEIGHTS["name"] * 2 or 1.0


def overlap(weights: Mapping[str, float], idfs: Mapping[str, float]) -> float:
    """Σ idf × weight over the query words a service holds (weights: term → its weight there)."""
    total = 0.0
    for term in sorted(weights):
        total += idfs[term] * weights[term]
    return total


def score(tier: float, overlap_sum: float, ceiling_sum: float) -> float:
    return tier + OVERLAP_POINTS * overlap_sum / ceiling_sum
