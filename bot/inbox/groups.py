"""Unanswered messages grouped by how alike they are, so an editor decides once for a whole group.

Cheap on purpose (it runs on every page view): two messages are alike when their character bigrams
overlap (Dice coefficient ≥ SIMILAR) after folding case, width, script and punctuation. Chinese
questions about one thing share its words ("人才公寓如何申请" / "申请人才公寓要啥材料"), and
bigrams see shared words without a segmenter. A message joins the group it is most alike to; the
newest message of a group names it, and the newest groups come first.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from bot.editing.eval_texts import normalise
from bot.inbox.collect import Unanswered

SIMILAR = 0.5
MAX_GROUPS = 200


def bigrams(text: str) -> frozenset[str]:
    folded = normalise(text)
    if len(folded) < 2:
        return frozenset({folded}) if folded else frozenset()
    return frozenset(folded[i:i + 2] for i in range(len(folded) - 1))


def dice(a: frozenset[str], b: frozenset[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


@dataclass
class Group:
    """Alike messages; `messages` newest first."""

    messages: list[Unanswered] = field(default_factory=list)
    _grams: list[frozenset[str]] = field(default_factory=list, repr=False)

    @property
    def key(self) -> str:
        """Stable while the group's newest message is: the anchor for links to the group."""
        return normalise(self.messages[0].text)[:64] or self.messages[0].text[:64]

    @property
    def title(self) -> str:
        return self.messages[0].text

    @property
    def last(self) -> datetime:
        return self.messages[0].at

    @property
    def texts(self) -> list[str]:
        """Each distinct text once, the most frequent first."""
        counts = Counter(message.text for message in self.messages)
        return [text for text, _ in counts.most_common()]

    @property
    def reasons(self) -> list[str]:
        return sorted({message.reason_name for message in self.messages})

    @property
    def conversations(self) -> int:
        return len({message.sender_id for message in self.messages})

    def likeness(self, grams: frozenset[str]) -> float:
        return max((dice(grams, own) for own in self._grams), default=0.0)

    def add(self, message: Unanswered, grams: frozenset[str]) -> None:
        self.messages.append(message)
        self._grams.append(grams)


def group(messages: list[Unanswered], similar: float = SIMILAR) -> list[Group]:
    """`messages` (newest first) in groups, the group with the newest message first."""
    groups: list[Group] = []
    for message in sorted(messages, key=lambda m: m.at, reverse=True):
        grams = bigrams(message.text)
        best, score = None, 0.0
        for candidate in groups:
            likeness = candidate.likeness(grams)
            if likeness > score:
                best, score = candidate, likeness
        if best is not None and score >= similar:
            best.add(message, grams)
        elif len(groups) < MAX_GROUPS:
            created = Group()
            created.add(message, grams)
            groups.append(created)
    return groups
