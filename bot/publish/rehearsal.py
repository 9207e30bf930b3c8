"""The NLU data a fine-tuning trains on: the new questions and a sample of the old ones.

Rasa 3.6's `rasa train --finetune` featurises every example and runs every epoch over all of them,
so 20 new questions cost as much per epoch as the 5,300 the live model learnt already, and they
are 0.4 % of each epoch's batches (make bench-publish: 211 s, of which 80 s featurising and
preparing). Fine-tuning instead on the new questions plus a rehearsal of the old ones — a few
examples of every label, so that no intent, topic or entity is left out (Rasa refuses a
fine-tuning whose labels differ, and the classifiers must keep every label) — takes a fraction
of the time and gives the new questions a larger share of each epoch. The candidate is graded on
the dev questions and conversations before it goes live, as every candidate is.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from bot import paths

# Old examples kept for each label (an intent, or faq/<topic>): enough that the classifiers see
# every label in each epoch, few enough that the new questions weigh.
PER_LABEL = 8
SEED = 20200320


def knowledge_questions(sources: Path, article: Path = paths.SEED_ARTICLE) -> set[str]:
    """The knowledge topics' and the catalogue services' example questions of a sources tree."""
    from bot.catalogue.files import load_services
    from bot.knowledge.model import load

    knowledge = load(sources / "knowledge", article)
    questions = {q for topic in knowledge.topics.values() for q in topic.examples}
    return questions | {q for service in load_services(sources / "catalogue") for q in service.examples}


def new_questions(live_sources: Path, candidate_sources: Path, article: Path = paths.SEED_ARTICLE) -> set[str]:
    """The questions the candidate's sources hold and the live release's do not."""
    return knowledge_questions(candidate_sources, article) - knowledge_questions(live_sources, article)


def rehearsal(data: Any, new: Iterable[str], per_label: int = PER_LABEL, seed: int = SEED) -> Any:
    """`data` (Rasa TrainingData) cut to the examples whose text is in `new` and, of every label,
    `per_label` others chosen at random (fixed seed); lookup tables, synonyms, regexes and
    responses are kept whole."""
    from rasa.shared.nlu.training_data.training_data import TrainingData

    new = set(new)
    by_label: dict[str, list[Any]] = defaultdict(list)
    kept = []
    for example in data.intent_examples:
        if example.get("text") in new:
            kept.append(example)
        else:
            by_label[example.get_full_intent()].append(example)
    chooser = random.Random(seed)
    for label in sorted(by_label):
        examples = by_label[label]
        kept += examples if len(examples) <= per_label else chooser.sample(examples, per_label)
    kept += _entity_carriers(data.intent_examples, kept)
    return TrainingData(kept, entity_synonyms=data.entity_synonyms, regex_features=data.regex_features,
                        lookup_tables=data.lookup_tables, responses=data.responses)


def _entity_carriers(examples: list[Any], kept: list[Any]) -> list[Any]:
    """One example for each entity type the sample lacks: Rasa compares the entity labels too."""
    have = {e.get("entity") for example in kept for e in example.get("entities") or []}
    extra = []
    for example in examples:
        missing = {e.get("entity") for e in example.get("entities") or []} - have
        if missing:
            extra.append(example)
            have |= missing
    return extra


def write_rehearsal(generated: Path, new: Iterable[str], target: Path, per_label: int = PER_LABEL) -> tuple[int, int]:
    """The rehearsal of the NLU data (data/nlu and the candidate's generated data in `generated`)
    written as one Rasa YAML file at `target`; (examples written, of which new)."""
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter

    from bot.nlp.corpus import nlu_training_data

    new = set(new)
    cut = rehearsal(nlu_training_data(generated), new, per_label)
    target.parent.mkdir(parents=True, exist_ok=True)
    RasaYAMLWriter().dump(target, cut)
    return len(cut.intent_examples), sum(example.get("text") in new for example in cut.intent_examples)
