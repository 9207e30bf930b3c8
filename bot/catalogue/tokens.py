"""Segmentation for catalogue search: the NLU's pkuseg (via its spaCy pipeline) or bigrams.

The store keeps pre-tokenized text, so the tokenizer used to build the database must be the one
used to query it; each tokenizer therefore carries a `name` that the store records.
"""

from __future__ import annotations

import logging
import os
import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from bot import paths

logger = logging.getLogger(__name__)
PIPELINE_ENV = "SHIZHONG_SPACY_PIPELINE"

Tokenize = Callable[[str], list[str]]

_RUNS = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+|[a-z0-9]+")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


# Question and function words (whole words, and the bigrams they leave): they say how a resident
# asks, not what about, and must not make "低保怎么办" match a service whose alias says 怎么.
STOP_TOKENS = frozenset({
    "怎么", "怎样", "么办", "么样", "如何", "哪些", "哪里", "在哪", "哪儿", "什么", "么时", "时候",
    "需要", "要带", "带哪", "我想", "想要", "我要", "可以", "能不", "不能", "请问", "一下", "多久",
    "多少", "了怎", "么证", "去哪", "哪办", "怎么办", "什么时候", "吗", "呢", "啊", "吧", "的",
    "了", "我", "你", "要", "想", "能", "请", "在", "哪", "去", "带", "是", "有", "和", "或",
})


# Characters that only say how a question is asked: a bigram holding one joins no name's words.
# 谁 asks whom to turn to ("找谁管") and 那 points ("那个啥"): neither says what a need is about.
_FUNCTION_CHARS = frozenset("吗呢啊吧的了我你要想能请在哪去带是有和或么啥咋什怎谁那")


def search_terms(tokenize: Tokenize, text: str) -> set[str]:
    """The tokens of `text` that carry meaning for search (stop tokens removed)."""
    return {t for t in tokenize(text) if t and t not in STOP_TOKENS}


def character_pairs(text: str) -> set[str]:
    """The character pairs of the Chinese runs of `text` (normalized)."""
    return {run[i:i + 2] for run in _RUNS.findall(normalize(text)) if _CJK.match(run)
            for i in range(len(run) - 1)}


def telling_pairs(text: str) -> set[str]:
    """The character pairs of `text` that say what it is about: none holding a function character
    (吗、怎、要 …) and no stop token."""
    return {pair for pair in character_pairs(text) if pair not in STOP_TOKENS
            and not (set(pair) & _FUNCTION_CHARS)}


def joining_bigrams(text: str, tokens: set[str]) -> set[str]:
    """Character bigrams of the query that its words do not already hold: the ones across word
    borders. A slip the segmenter cuts oddly ("人才落护" → 人才/落护, "上一年级" → 上/一/年级) still
    shares "才落" or "一年" with the name it means (names are indexed with their bigrams)."""
    return {pair for pair in telling_pairs(text) if pair not in tokens}


def normalize(text: str) -> str:
    """Full-width to half-width, lower case, no white space."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


# "开一家公司", "办一个营业执照": a count of one said between a verb and what it is done to is no
# part of a service's name (none holds one), so it stands between no name and the query.
_COUNT_OF_ONE = re.compile(r"一[个家间所张份本套辆处项座名]")


def compared(text: str) -> str:
    """The form names and queries are compared in: normalized, without counts of one."""
    return _COUNT_OF_ONE.sub("", normalize(text))


def bigram_tokenize(text: str) -> list[str]:
    """Dependency-free fallback: character bigrams of Chinese runs, whole latin words/numbers."""
    tokens: list[str] = []
    for run in _RUNS.findall(normalize(text)):
        if not _CJK.match(run) or len(run) == 1:
            tokens.append(run)
        else:
            tokens += [run[i:i + 2] for i in range(len(run) - 1)]
    return tokens


bigram_tokenize.name = "bigram"  # type: ignore[attr-defined]


class SpacyTokenizer:
    """The NLU's own segmentation: the tokenizer of the spaCy zh pipeline (pkuseg + dictionary)."""

    def __init__(self, pipeline: Path = paths.SPACY_PIPELINE) -> None:
        import spacy  # lazy: only the build and the action server need it

        from bot.nlp.pipeline import compact

        self.name = f"spacy+bigrams:{pipeline.name}"
        # compact: pkuseg's word list as hashes, as the NLU loads it (~35 MB less, same words)
        self._nlp = compact(spacy.load(pipeline, exclude=["parser", "ner", "tagger", "lemmatizer"]))

    def words(self, text: str) -> list[str]:
        """pkuseg's words of the normalized text: those with a letter or a digit."""
        return [token.text for token in self._nlp.make_doc(normalize(text)) if is_word(token.text)]

    def __call__(self, text: str) -> list[str]:
        return with_parts(self.words(text))


def is_word(token: str) -> bool:
    """Whether a segment counts as a search word: it holds a letter or a digit (no punctuation)."""
    return any(ch.isalnum() for ch in token)


def with_parts(words: list[str]) -> list[str]:
    """The words, plus the bigrams inside words of three or more Chinese characters.

    The district dictionary keeps names whole (开饭店, the talent flats' service name); their bigrams let
    "开个饭店" or "人才公寓" still meet them.
    """
    return words + [w[i:i + 2] for w in words if len(w) > 2 and _CJK.match(w) for i in range(len(w) - 1)]


def tokenizer_name(tokenize: Tokenize) -> str:
    """The name the store records next to the pre-tokenized text."""
    return str(getattr(tokenize, "name", getattr(tokenize, "__qualname__", repr(tokenize))))


def pipeline_path() -> Path:
    """The spaCy pipeline searches segment with: a release's (SHIZHONG_SPACY_PIPELINE, set for an
    action server that serves a release: bot/publish) or the set-up's build/spacy-zh."""
    return Path(os.environ.get(PIPELINE_ENV) or paths.SPACY_PIPELINE)


@lru_cache(maxsize=1)
def default_tokenizer() -> Tokenize:
    """pkuseg through the built spaCy pipeline when it exists, else the bigram fallback."""
    pipeline = pipeline_path()
    if (pipeline / "meta.json").is_file():
        try:
            return SpacyTokenizer(pipeline)
        except (ImportError, OSError, ValueError) as error:
            logger.warning("catalogue: cannot load %s (%s); searching with bigrams", pipeline, error)
    return bigram_tokenize
