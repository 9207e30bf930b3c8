"""District text: what the pruned pkuseg model must segment exactly as the full model does.

Used to prune the model (every feature this text uses is kept), to check the pruning, and in tests.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from bot import paths

if TYPE_CHECKING:
    from rasa.shared.nlu.training_data.training_data import TrainingData

_SENTENCE_END = re.compile(r"[。！？；，、\n“”（）()□·—①②③④⑤]+")


def article_sentences() -> list[str]:
    """The seed article cut at punctuation, each piece at least two characters long."""
    text = paths.SEED_ARTICLE.read_text(encoding="utf-8")
    return [piece.strip() for piece in _SENTENCE_END.split(text) if len(piece.strip()) >= 2]


def nlu_training_data(generated: Path = paths.GENERATED_DATA) -> TrainingData:
    """Every NLU training example, lookup table and response as `rasa train` reads them: data/nlu and
    what the set-up generates into build/data (the knowledge questions, the catalogue's lookups), or
    into `generated` (a release being built)."""
    from rasa.shared.nlu.training_data.loading import load_data

    return load_data(str(paths.NLU)).merge(load_data(str(generated)))


def training_texts() -> list[str]:
    """The text of every NLU training example (the generated knowledge questions too)."""
    return [example.get("text") for example in nlu_training_data().intent_examples]


def catalogue_texts() -> list[str]:
    """The catalogue's names, aliases, conditions and materials (the catalogue search segments them)."""
    from bot.catalogue import load_services

    texts: list[str] = []
    for service in load_services():
        texts += [*service.names(), *service.conditions, *(m.name for m in service.materials)]
    return texts


def district_corpus() -> list[str]:
    """The article's sentences, every NLU training example and the catalogue's texts, each also in
    its simplified form (the segmenter sees text after the pipeline's 繁→简 step), without
    duplicates."""
    import opencc  # as bot.nlp.traditional's default, without importing Rasa's graph (TensorFlow)

    texts = article_sentences() + training_texts() + catalogue_texts()
    simplify = opencc.OpenCC("t2s").convert
    return list(dict.fromkeys(text for text in texts + [simplify(text) for text in texts] if text.strip()))
