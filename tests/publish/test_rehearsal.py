"""A fine-tuning trains on the editors' new questions and a rehearsal of the old ones: every new
question, every label (Rasa refuses a fine-tuning whose labels differ), every lookup table and
response, and far fewer examples than the whole data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rasa.shared.nlu.training_data.loading import load_data

from bot import paths
from bot.editing import changes
from bot.editing.tree import SourceTree
from bot.nlp.corpus import nlu_training_data
from bot.publish.rehearsal import PER_LABEL, new_questions, rehearsal, write_rehearsal


@pytest.fixture
def tree(tmp_path: Path) -> SourceTree:
    shutil.copytree(paths.SOURCES, tmp_path / "sources")
    return SourceTree(tmp_path / "sources")


def saved(tree: SourceTree, change) -> None:
    tree.save(change, tree.base(list(change.files)))


def test_new_questions_are_those_the_live_sources_lack(tree: SourceTree) -> None:
    assert new_questions(paths.SOURCES, tree.root) == set()
    saved(tree, changes.topic_examples(tree, "business_visit_private", ["开店的老板区里去不去走访呀"]))
    saved(tree, changes.service_examples(tree, "SZ-TAL-01", ["户口想迁到市中咋弄呀"]))
    assert new_questions(paths.SOURCES, tree.root) == {"开店的老板区里去不去走访呀", "户口想迁到市中咋弄呀"}


def test_the_rehearsal_keeps_new_questions_every_label_and_what_is_not_an_example() -> None:
    data = nlu_training_data()
    new = {example.get("text") for example in data.intent_examples[:: len(data.intent_examples) // 20]}
    cut = rehearsal(data, new)
    texts = {example.get("text") for example in cut.intent_examples}
    assert new <= texts
    assert cut.label_fingerprint() == data.label_fingerprint()
    assert {e.get_full_intent() for e in cut.intent_examples} == {e.get_full_intent() for e in data.intent_examples}
    labels = len({e.get_full_intent() for e in data.intent_examples})
    assert len(cut.intent_examples) <= len(new) + labels * PER_LABEL + 2
    assert len(cut.intent_examples) < len(data.intent_examples) / 3
    assert cut.lookup_tables == data.lookup_tables
    assert cut.responses == data.responses
    assert cut.entity_synonyms == data.entity_synonyms
    assert rehearsal(data, new).intent_examples == cut.intent_examples  # the same sample each time


def test_the_written_rehearsal_reads_back_as_rasa_training_data(tmp_path: Path) -> None:
    data = nlu_training_data()
    new = {data.intent_examples[0].get("text"), data.intent_examples[-1].get("text")}
    target = tmp_path / "nlu.yml"
    examples, fresh = write_rehearsal(paths.GENERATED_DATA, new, target)
    read = load_data(str(target))
    assert fresh == 2 and len(read.intent_examples) == examples
    assert read.label_fingerprint() == data.label_fingerprint()
    assert {e.get("text") for e in read.intent_examples} >= new
    assert set(read.responses) == set(data.responses)
