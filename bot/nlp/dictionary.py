"""The district user dictionary for pkuseg, generated from the project's data.

Words come from the knowledge files (`terms`), the service catalogue (names, aliases) and its field
vocabulary (sources/fields.yml: 多少钱, 礼拜天 …), so a new service, topic or field word reaches the
segmenter at the next set-up without being written down twice (and an entity annotation of one
spans whole tokens: Rasa drops annotations that do not).
"""

from __future__ import annotations

from bot.knowledge.model import KnowledgeBase

# Longer than this is a phrase, not a word: pkuseg would force it whole and hide its parts.
MAX_WORD_CHARS = 12


def catalogue_terms() -> set[str]:
    """Service names and aliases of the catalogue, and the words of its field vocabulary."""
    from bot.catalogue import dictionary_terms, load_services
    from bot.catalogue.fields import load_fields

    return dictionary_terms(load_services(), load_fields())


def district_words(knowledge: KnowledgeBase) -> list[str]:
    """Every district word, sorted, without blanks or over-long phrases."""
    words = knowledge.terms() | catalogue_terms()
    return sorted(w.strip() for w in words if 2 <= len(w.strip()) <= MAX_WORD_CHARS)


def user_dict_text(words: list[str]) -> str:
    """One word a line: the format spacy-pkuseg's `Preprocesser` reads."""
    return "".join(f"{w}\n" for w in words)
