"""Entity annotations of NLU training examples from the catalogue's own words.

DIET learns the entities `service` (a service's name or alias) and `field` (a word of the field
vocabulary, sources/fields.yml) from annotated examples. Annotated by hand they drift: one example
marks 低保, the next leaves it, and the model learns both. Here every occurrence is marked, in every
intent's examples (a service named in an out-of-scope question is a service all the same), on the
text as the NLU sees it (繁→简) and only where it spans whole tokens of the NLU's segmentation (Rasa
drops annotations that do not). The longest word wins where words overlap.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from bot.catalogue.fields import FieldVocabulary

SERVICE, FIELD = "service", "field"
# [text](entity) and [text]{"entity": …}: annotations of any entity, taken off before annotating.
ANNOTATION = re.compile(r"\[([^\]\[]+)\](?:\([^)]*\)|\{[^}]*\})")
Segment = Callable[[str], list[tuple[int, int]]]


def plain(example: str) -> str:
    """The example's text without annotations."""
    return ANNOTATION.sub(r"\1", example)


class Annotator:
    """Marks the service names and field words of an example that span whole tokens."""

    def __init__(self, service_terms: Iterable[str], fields: FieldVocabulary, segment: Segment,
                 simplify: Callable[[str], str] = lambda text: text) -> None:
        words = [(t.lower(), SERVICE) for t in service_terms if len(t) >= 2]
        words += [(w.lower(), FIELD) for w in fields.words()]
        # Longest first; a service name before a field word of the same length.
        self._words = sorted(set(words), key=lambda pair: (-len(pair[0]), pair[1] != SERVICE, pair[0]))
        self._segment = segment
        self._simplify = simplify

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, entity) of the names and field words in `text` that align with its tokens."""
        simplified = self._simplify(text)
        if len(simplified) != len(text):
            return []  # offsets would not carry over to the text as written
        lowered = simplified.lower()
        tokens = self._segment(simplified)
        starts, ends = {s for s, _ in tokens}, {e for _, e in tokens}
        taken = [False] * len(text)
        found = []
        for word, entity in self._words:
            start = lowered.find(word)
            while start >= 0:
                end = start + len(word)
                if start in starts and end in ends and not any(taken[start:end]):
                    taken[start:end] = [True] * (end - start)
                    found.append((start, end, entity))
                start = lowered.find(word, start + 1)
        return sorted(found)

    def annotate(self, example: str) -> str:
        """The example with every aligned name and field word marked (old annotations replaced).
        A span written in traditional characters gets its simplified form as the value: the
        pipeline simplifies the text before training, and Rasa would otherwise learn the
        simplified word as a synonym of the traditional one."""
        text = plain(example)
        if "[" in text or "]" in text:
            return text  # brackets of its own would read as annotations
        parts, last = [], 0
        for start, end, entity in self.spans(text):
            written, value = text[start:end], self._simplify(text[start:end])
            mark = f"({entity})" if value == written else json.dumps(
                {"entity": entity, "value": value}, ensure_ascii=False)
            parts += [text[last:start], f"[{written}]{mark}"]
            last = end
        return "".join(parts) + text[last:]


def spacy_segmenter(pipeline_path: object) -> Segment:
    """The NLU's segmentation (the built spaCy pipeline: pkuseg + district dictionary) as offsets."""
    from bot.nlp.pipeline import load

    nlp = load(pipeline_path)

    def segment(text: str) -> list[tuple[int, int]]:
        return [(token.idx, token.idx + len(token.text)) for token in nlp.make_doc(text)]

    return segment


def project_annotator(sources: Path | None = None, pipeline: Path | None = None) -> Annotator:
    """The annotator of this project: its catalogue, its field vocabulary, its built pipeline (or
    those of the sources tree `sources` and the pipeline `pipeline`: a release being built)."""
    import opencc

    from bot import paths
    from bot.catalogue.fields import load_fields
    from bot.catalogue.files import load_services
    from bot.nlp.width import half_width

    root = sources or paths.SOURCES
    terms = {t for service in load_services(root / "catalogue") for t in service.names()}
    convert = opencc.OpenCC("t2s").convert
    return Annotator(terms, load_fields(root / "fields.yml"), spacy_segmenter(pipeline or paths.SPACY_PIPELINE),
                     lambda text: half_width(convert(text)))
