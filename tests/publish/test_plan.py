"""What a publish takes: nothing, the catalogue database only, a fine-tuning, or a full training."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from bot import paths
from bot.editing import changes
from bot.editing.tree import SourceTree
from bot.publish.plan import RASA_DIGEST, UNKNOWN, Inputs, plan
from bot.publish.releases import ADOPTED, CATALOGUE, FINETUNE, FULL, Manifest


@pytest.fixture
def tree(tmp_path: Path) -> SourceTree:
    shutil.copytree(paths.SOURCES, tmp_path / "sources")
    return SourceTree(tmp_path / "sources")


@pytest.fixture
def live(tree: SourceTree) -> Manifest:
    inputs = Inputs.of(tree.root)
    return Manifest(id="r0", kind=ADOPTED, created="", digests=inputs.digests, labels=inputs.labels)


def saved(tree: SourceTree, change) -> None:
    tree.save(change, tree.base(list(change.files)))


def planned(tree: SourceTree, live: Manifest, **options) -> str | None:
    return plan(live, Inputs.of(tree.root), **options).kind


def test_nothing_changed_is_nothing_to_publish(tree: SourceTree, live: Manifest) -> None:
    assert planned(tree, live) is None
    assert planned(tree, live, full=True) == FULL


def test_questions_on_topics_or_services_are_fine_tuned(tree: SourceTree, live: Manifest) -> None:
    saved(tree, changes.topic_examples(tree, "business_visit_private", ["开店的老板区里去不去走访"]))
    assert planned(tree, live) == FINETUNE
    saved(tree, changes.service_examples(tree, "SZ-TAL-01", ["户口想迁到市中咋弄"]))
    assert planned(tree, live) == FINETUNE


def test_the_catalogue_alone_needs_no_training(tree: SourceTree, live: Manifest) -> None:
    from bot.catalogue.files import load_catalogue

    def service(code: str) -> dict:
        return next(s for s in load_catalogue(tree.catalogue_dir).services if s.code == code).to_dict()

    saved(tree, changes.service_update(tree, "SZ-TAL-01", {**service("SZ-TAL-01"), "hours": "工作日 9:00—17:00"}))
    assert planned(tree, live) == CATALOGUE
    renamed = {**service("SZ-TAL-02"), "aliases": ["人才住房补贴", "人才安家补贴"]}
    saved(tree, changes.service_update(tree, "SZ-TAL-02", renamed))
    chosen = plan(live, Inputs.of(tree.root))
    assert chosen.kind == CATALOGUE and any("下次完整训练" in note for note in chosen.notes)


def test_new_labels_other_rasa_data_or_an_unknown_base_train_in_full(tree: SourceTree, live: Manifest) -> None:
    saved(tree, changes.topic_examples(tree, "business_visit_private", ["开店的老板区里去不去走访"]))
    assert planned(tree, dataclasses.replace(live, labels=[*live.labels, "a_new_topic"])) == FULL
    assert planned(tree, dataclasses.replace(live, digests={**live.digests, RASA_DIGEST: "other"})) == FULL
    assert planned(tree, dataclasses.replace(live, digests=dict.fromkeys(live.digests, UNKNOWN))) == FULL
    assert plan(None, Inputs.of(tree.root)).kind == FULL


def test_a_changed_field_vocabulary_trains_in_full(tree: SourceTree, live: Manifest) -> None:
    """The field words are the field lookup, its synonyms and the entities marked in every question
    (bot/training_data.py): fine-tuning on them would keep the live pipeline's dictionary."""
    fields = tree.root / "fields.yml"
    fields.write_text(fields.read_text(encoding="utf-8").replace("要啥, 要什么东西", "要啥, 要些啥, 要什么东西"),
                      encoding="utf-8")
    chosen = plan(live, Inputs.of(tree.root))
    assert chosen.kind == FULL and any("字段词表" in reason for reason in chosen.reasons)
