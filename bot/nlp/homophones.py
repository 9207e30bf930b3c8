"""District words mistyped with a pinyin input method ("低宝咋申情" → "低保咋申请"), put right
before the message is tokenized; so are district words typed as pinyin ("jiuye dengji zai na ban").

Residents type Chinese by its sound, and the input method offers several characters for it: a
wrong pick gives a word that sounds like a district word (a service's name or alias, an article
term, a field word) but is not one, and then neither the NLU nor the catalogue's search knows it.
The catalogue lists a few such slips as aliases; this component puts right any of them, for
training and prediction alike: a span of the message that is no word of its own, sounds exactly
like one district word (tones aside) and differs from it in at most half its characters is
replaced by that word. Pinyin written in characters is shorter than typed: an annotated training
example's entities move with the text (bot/nlp/text_rewriter.py).

What may be replaced and with what is a table the set-up builds (`build_table`, build/homophones.json):
the readings of every character, the district words with their syllables, and the everyday words
that sound like one of them (事业 sounds like 失业), which are never replaced.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe

from bot import paths
from bot.nlp.text_rewriter import MessageTextRewriter

MIN_WORD_CHARS, MAX_WORD_CHARS = 2, 12
# A word that names share (`shared_parts`) is put right when mistyped in characters from this length.
MIN_PART_CHARS = 4
# Of Jieba's dictionary, the words at least this frequent count as everyday words (never replaced);
# two-character ones at least COMMON_FREQUENCY frequent are words a replacement may not cut through
# ("服务保障" holds no 五保).
EVERYDAY_FREQUENCY = 5
COMMON_FREQUENCY = 1000


_LATIN_RUN = re.compile(r"[A-Za-z]+(?:\s+[A-Za-z]+)*")
# A word typed half in characters, half in pinyin ("公司注xiao", "shebao卡"): the characters beside a
# latin word, up to HALF_TYPED_CHARS on each side, spaces between allowed.
HALF_TYPED_CHARS = 4
_BESIDE = rf"[\u4e00-\u9fff]{{0,{HALF_TYPED_CHARS}}}"
_HALF_TYPED = re.compile(rf"({_BESIDE})(\s*)([A-Za-z]+)(\s*)({_BESIDE})")


def _cjk(text: str) -> bool:
    return all("\u4e00" <= ch <= "\u9fff" for ch in text)


def build_table(names: Iterable[str], words: Iterable[str], corpus: Iterable[str],
                lexicon: dict[str, int]) -> dict[str, Any]:
    """The table the component reads. `names`: what may be put in (services' names and aliases,
    the article's terms; not the field words, which are everyday phrases: 去哪, 交什么); `words`:
    every district word, never replaced as written; `corpus`: district text, whose counts choose
    among names that sound alike (the official 低保 over the listed slip 低包); `lexicon`: everyday
    words and their frequencies (Jieba's dictionary)."""
    from pypinyin import lazy_pinyin
    from pypinyin.pinyin_dict import pinyin_dict

    shared = shared_parts(names) - set(names)
    parts = set(shared)
    # A part whose sound another everyday word shares is left out: 食品 sounds like 视频, 失业 like
    # 事业, 部队 like 不对; a name says more than a part of one, so names keep their own rule below.
    heard = {}
    for word, frequency in lexicon.items():
        if frequency >= EVERYDAY_FREQUENCY and _cjk(word) and MIN_WORD_CHARS <= len(word) <= MAX_WORD_CHARS:
            heard.setdefault(" ".join(lazy_pinyin(word)), set()).add(word)
    parts = {part for part in parts if heard.get(" ".join(lazy_pinyin(part)), {part}) <= {part}}
    names = set(names) | parts
    readings: dict[str, str] = {}
    for code, value in pinyin_dict.items():
        ch = chr(code)
        if _cjk(ch):
            readings[ch] = _toneless(value.split(",")[0])  # what the character is typed for
    district = sorted({w for w in words if MIN_WORD_CHARS <= len(w) <= MAX_WORD_CHARS and _cjk(w)})
    text = "\n".join(corpus)
    by_sound: dict[str, list[str]] = {}
    for word in sorted({w for w in names if MIN_WORD_CHARS <= len(w) <= MAX_WORD_CHARS and _cjk(w)}):
        by_sound.setdefault(" ".join(lazy_pinyin(word)), []).append(word)
    targets: dict[str, str] = {}
    for sound, alike in by_sound.items():
        counts = sorted(((text.count(w), w) for w in alike), reverse=True)
        if counts[0][0] > 0 and (len(counts) == 1 or counts[0][0] > counts[1][0]):
            targets[counts[0][1]] = sound
        elif len(counts) == 1:
            targets[alike[0]] = sound
    # A name that sounds like a common everyday word is a listed slip of it (an alias 证府 of 政府):
    # putting it in would break the word.
    common = {" ".join(lazy_pinyin(w)): w for w, frequency in lexicon.items()
              if frequency >= COMMON_FREQUENCY and _cjk(w) and len(w) >= MIN_WORD_CHARS}
    targets = {name: sound for name, sound in targets.items() if common.get(sound, name) == name}
    sounds = set(targets.values())
    lengths = {len(w) for w in targets}
    everyday = sorted(w for w, frequency in lexicon.items()
                      if frequency >= EVERYDAY_FREQUENCY and len(w) in lengths and _cjk(w)
                      and w not in targets and " ".join(lazy_pinyin(w)) in sounds)
    pairs = sorted(w for w, frequency in lexicon.items()
                   if frequency >= COMMON_FREQUENCY and len(w) == 2 and _cjk(w))
    return {"readings": readings, "targets": targets, "words": sorted(set(district) | set(targets)),
            "everyday": everyday, "common_pairs": pairs, "parts": sorted(parts & set(targets)),
            "shared": sorted(shared)}


def shared_parts(names: Iterable[str]) -> set[str]:
    """The words that two or more names are made of (营业执照 of 个体户营业执照 and 营业执照补办,
    社保 of 社保卡 and 灵活就业社保补贴): residents type such a word alone ("营业只照怎么办",
    "shebao 卡"), and it is as much the district's as the names it stands in. Words as Jieba cuts the
    names, so that no fragment across two words (营业执 of 营业执照) becomes one."""
    import jieba

    jieba.setLogLevel(60)
    counts: dict[str, int] = {}
    for name in set(names):
        for word in set(jieba.lcut(name, HMM=False)):
            if MIN_WORD_CHARS <= len(word) < len(name) and _cjk(word):
                counts[word] = counts.get(word, 0) + 1
    return {word for word, count in counts.items() if count >= 2}


def district_names() -> set[str]:
    """The services' names and aliases and the article's terms (what `build_table` may put in)."""
    from bot.catalogue.files import load_services
    from bot.knowledge.model import load

    return load().terms() | {name for service in load_services() for name in service.names()}


def _toneless(reading: str) -> str:
    """"lǘ" → "lv", as pypinyin's plain style writes it."""
    marks = {"\u0300", "\u0301", "\u0304", "\u030c"}
    bare = "".join(ch for ch in unicodedata.normalize("NFD", reading) if ch not in marks)
    return unicodedata.normalize("NFC", bare).replace("ü", "v")


def jieba_lexicon() -> dict[str, int]:
    """Jieba's dictionary (installed with Rasa): word → frequency."""
    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()
    return dict(jieba.dt.FREQ)


class Homophones:
    """The replacements of one table."""

    def __init__(self, table: dict[str, Any], extra_words: Iterable[str] = ()) -> None:
        self.readings: dict[str, str] = table["readings"]
        targets = dict(table["targets"])
        for word in extra_words:  # the config's own words: the first reading of each character
            if _cjk(word) and all(ch in self.readings for ch in word):
                targets.setdefault(word, " ".join(self.readings[ch] for ch in word))
        # Every part of a district word is one as written (优待证, the end of an elderly card's name).
        self.keep = {word[i:j] for word in {*table["words"], *targets}
                     for i in range(len(word)) for j in range(i + MIN_WORD_CHARS, len(word) + 1)}
        self.keep |= set(table["everyday"])
        # Whole district words: the dictionary's, the names, and the words names share (就业).
        self.whole = set(table["words"]) | set(targets) | set(table.get("shared", ()))
        self.common_pairs = set(table["common_pairs"])
        self.index: dict[tuple[int, str], list[tuple[str, list[str]]]] = {}
        # A part of names shorter than MIN_PART_CHARS is put in from pinyin only: mistyped in
        # characters, everyday phrases sound like it (不办 like 补办, 一年几 like 一年级).
        short_parts = {word for word in table.get("parts", ()) if len(word) < MIN_PART_CHARS}
        for word, sound in targets.items():
            if word in short_parts:
                continue
            syllables = sound.split()
            self.index.setdefault((len(word), syllables[0]), []).append((word, syllables))
        self.longest = max((length for length, _ in self.index), default=0)
        # Typed as pinyin ("jiuye dengji zai na ban"): a run of syllables that sounds like words.
        self.syllables = set(self.readings.values())
        self.by_sound: dict[str, str] = {}
        for word, sound in sorted(targets.items()):
            self.by_sound.setdefault(sound, word)
        self.most_syllables = max((len(sound.split()) for sound in self.by_sound), default=0)

    def _match(self, span: str) -> str | None:
        """The one district word the span sounds like (`correct` has checked it is no word itself)."""
        found = {word for word, syllables in self.index.get((len(span), self.readings.get(span[0], "")), ())
                 if all(s == self.readings.get(ch) for s, ch in zip(syllables, span, strict=True))
                 and sum(a != b for a, b in zip(word, span, strict=True)) <= max(1, len(span) // 2)}
        return found.pop() if len(found) == 1 else None

    def _after_a_word(self, span: str, word: str) -> bool:
        """Whether the span is a district word as written after a word of the message's own ("问就业":
        问 asks about 就业, no slip of 稳就业): the characters that differ all at the start, and the
        rest a whole district word. A slip at the end stays a slip (网上半, 失业等级)."""
        differ = [i for i, (a, b) in enumerate(zip(span, word, strict=True)) if a != b]
        return differ == [0] and span[1:] in self.whole  # two slips (设包补贴) are a slip of the whole

    def _cuts_a_word(self, text: str, start: int, end: int) -> bool:
        """Whether the span's first character ends, or its last begins, a common word beside it."""
        return (start > 0 and text[start - 1:start + 1] in self.common_pairs) or \
            (end < len(text) and text[end - 1:end + 1] in self.common_pairs)

    def _split(self, latin: str) -> list[str] | None:
        """A latin word as pinyin syllables, the fewest that spell it ("zhizhao" → zhi zhao); None
        when it is no pinyin."""
        best: list[list[str] | None] = [[]] + [None] * len(latin)
        for end in range(1, len(latin) + 1):
            for start in range(max(0, end - 6), end):
                before = best[start]
                if before is not None and latin[start:end] in self.syllables and (
                        best[end] is None or len(before) + 1 < len(best[end])):
                    best[end] = [*before, latin[start:end]]
        return best[-1]

    def _from_pinyin(self, run: str) -> str:
        """A run of latin words with the words whose syllables spell a district word (or one of
        the config's words) written in characters; the rest as typed."""
        typed = run.split()
        spelt = [self._split(word.lower()) for word in typed]
        out, i = [], 0
        while i < len(typed):
            for j in range(len(typed), i, -1):
                parts = spelt[i:j]
                sound = " ".join(s for part in parts if part for s in part)
                if all(parts) and len(sound.split()) <= self.most_syllables and sound in self.by_sound:
                    out.append(self.by_sound[sound])
                    i = j
                    break
            else:
                out.append(typed[i] + " ")
                i += 1
        return "".join(out).strip()

    def _half_typed(self, match: re.Match[str]) -> str:
        """A district word typed partly in characters and partly in pinyin, in characters: the
        characters it keeps as written, the latin word's syllables between ("注xiao" → 注销); the
        most characters beside the latin word that make one; the match as typed when none does."""
        before, space_before, latin, space_after, after = match.groups()
        syllables = self._split(latin.lower())
        if not syllables or latin[0].isupper():  # a name ("Wang上周"), not half of a word
            return match.group()
        for size in range(len(before) + len(after), 0, -1):
            for left in range(min(size, len(before)), -1, -1):
                right = size - left
                if right > len(after):
                    continue
                head, tail = before[len(before) - left:], after[:right]
                sound = " ".join([*(self.readings.get(ch, "?") for ch in head), *syllables,
                                  *(self.readings.get(ch, "?") for ch in tail)])
                word = self.by_sound.get(sound)
                # The characters borrowed may not be the first or last of a common word beside them
                # ("小Wang上午": 上 belongs to 上午, no 网上).
                start = len(before) - left
                cuts = (right and after[right - 1:right + 1] in self.common_pairs) or (
                    0 < left < len(before) and before[start - 1:start + 1] in self.common_pairs)
                if word and word.startswith(head) and word.endswith(tail) and not cuts:
                    return (before[:len(before) - left] + (space_before if not left else "") + word
                            + (space_after if not right else "") + after[right:])
        return match.group()

    def correct(self, text: str) -> str:
        """The text with each mistyped district word put right (longest first, left to right) and
        district words typed as pinyin, wholly or in part, written in characters."""
        text = _HALF_TYPED.sub(self._half_typed, text)
        text = _LATIN_RUN.sub(lambda m: self._from_pinyin(m.group()), text)
        out, start = list(text), 0
        while start < len(text):
            for length in range(min(self.longest, len(text) - start), MIN_WORD_CHARS - 1, -1):
                span = text[start:start + length]
                if not _cjk(span):
                    continue
                if span in self.keep:  # a word as written: none of its parts is put right
                    start += length
                    break
                word = self._match(span)
                if word is not None and not self._cuts_a_word(text, start, start + length) \
                        and not self._after_a_word(span, word):
                    out[start:start + length] = word
                    start += length
                    break
            else:
                start += 1
        return "".join(out)


@lru_cache(maxsize=4)
def load(path: str, extra_words: tuple[str, ...] = ()) -> Homophones:
    return Homophones(json.loads(Path(path).read_text(encoding="utf-8")), extra_words)


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False
)
class HomophoneCorrector(MessageTextRewriter):
    """Rewrites each message's text with its mistyped district words put right."""

    shifts_offsets = True  # pinyin is longer than its characters

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"table": "build/homophones.json", "words": []}

    def rewrite(self, text: str) -> str:
        # A relative path is the project's (Rasa may run in a scratch folder: a release's training).
        table = paths.PROJECT / self.config["table"]
        return load(str(table), tuple(self.config.get("words") or ())).correct(text)
