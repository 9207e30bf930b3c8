"""Release folders and the live/previous links; a release's model loads with its own pipeline."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from bot.publish.releases import ADOPTED, CATALOGUE, Manifest, ReleaseError, Releases


def staged(releases: Releases, release_id: str, kind: str = CATALOGUE) -> Manifest:
    folder = releases.staging(release_id)
    (folder / "model.tar.gz").write_bytes(b"model")
    (folder / "catalogue.db").write_bytes(b"db")
    (folder / "segments.json").write_text("{}")
    (folder / "spacy-zh").mkdir()
    (folder / "spacy-zh" / "meta.json").write_text("{}")
    manifest = Manifest(id=release_id, kind=kind, created="now")
    releases.complete(folder, manifest)
    return manifest


def test_going_live_keeps_the_one_before_as_previous_and_pruning_spares_both(tmp_path: Path) -> None:
    releases = Releases(tmp_path)
    for release_id in ("20260101-000000", "20260102-000000", "20260103-000000"):
        staged(releases, release_id)
    first, second, third = (releases.load(i) for i in ("20260101-000000", "20260102-000000", "20260103-000000"))
    releases.go_live(first)
    assert releases.live.id == first.id and releases.previous is None
    releases.go_live(third)
    releases.go_live(second)
    assert (releases.live.id, releases.previous.id) == (second.id, third.id)
    assert os.readlink(tmp_path / "live") == second.id  # relative: the folder can move
    assert releases.prune(keep=0) == [first.id]
    assert [r.id for r in releases.all()] == [third.id, second.id]


def test_an_incomplete_release_is_refused(tmp_path: Path) -> None:
    releases = Releases(tmp_path)
    folder = releases.staging("20260101-000000")
    (folder / "model.tar.gz").write_bytes(b"model")
    with pytest.raises(ReleaseError, match="catalogue.db"):
        releases.complete(folder, Manifest(id="20260101-000000", kind=ADOPTED, created="now"))
    # The action server's search words go with the catalogue database (bot/catalogue/segmented.py).
    (folder / "catalogue.db").write_bytes(b"db")
    with pytest.raises(ReleaseError, match="segments.json"):
        releases.complete(folder, Manifest(id="20260101-000000", kind=ADOPTED, created="now"))
    assert releases.all() == []


def test_a_release_model_is_given_its_own_pipeline(tmp_path: Path, trained_model: Path) -> None:
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.nlu.utils.spacy_utils import SpacyNLP

    from bot.patches.release_pipeline import point_at, release_pipeline

    releases = Releases(tmp_path / "releases")
    staged(releases, "20260101-000000")
    release = releases.load("20260101-000000")
    releases.go_live(release)
    assert release_pipeline(trained_model) is None  # a model outside a release loads as before
    through_link = releases.live_link / "model.tar.gz"
    assert release_pipeline(through_link) == release.pipeline.resolve()
    _, metadata = LocalModelStorage.from_model_archive(tmp_path / "storage", trained_model)
    spacy_nodes = [n for n in metadata.predict_schema.nodes.values() if issubclass(n.uses, SpacyNLP)]
    assert spacy_nodes and {n.config["model"] for n in spacy_nodes} == {"build/spacy-zh"}
    assert point_at(metadata, release.pipeline) == len(spacy_nodes)
    assert {n.config["model"] for n in spacy_nodes} == {str(release.pipeline)}


def test_the_action_servers_service_centre_record_follows_the_live_link(tmp_path: Path, monkeypatch) -> None:
    import shutil

    from bot import paths
    from bot.catalogue.centre import CENTRE_ENV, default_centre

    releases = Releases(tmp_path)
    for release_id, hours in (("20260101-000000", "以中心窗口公布的为准"), ("20260102-000000", "以区政府公告为准")):
        staged(releases, release_id)
        shutil.copytree(paths.SOURCES, tmp_path / release_id / "sources")
        record = tmp_path / release_id / "sources" / "service_centre.yml"
        record.write_text(re.sub(r"(?m)^hours: .*$", f"hours: {hours}", record.read_text(encoding="utf-8")),
                          encoding="utf-8")
    monkeypatch.setenv(CENTRE_ENV, str(tmp_path / "live" / "sources" / "service_centre.yml"))
    releases.go_live(releases.load("20260101-000000"))
    assert default_centre().hours == "以中心窗口公布的为准"
    releases.go_live(releases.load("20260102-000000"))
    assert default_centre().hours == "以区政府公告为准"


class _Segmenter:
    """A release's pipeline as the segments table sees it: its name and its words of a text."""

    def __init__(self, name: str, size: int) -> None:
        self.name, self.size = name, size

    def words(self, text: str) -> list[str]:
        return [text[i:i + self.size] for i in range(0, len(text), self.size)]


def test_the_action_servers_search_words_follow_the_live_link(tmp_path: Path, monkeypatch) -> None:
    """The action server is not restarted by a publish: at the next question its segmentation
    reads the table of the release the `live` link now points at, and the topic index it
    searches the knowledge base with is built again from it (bot/catalogue/segmented.py)."""
    from actions import answers
    from bot.catalogue.segmented import TABLE_ENV, write_table
    from bot.catalogue.tokens import with_parts
    from bot.knowledge.lexical import segmented_texts
    from bot.knowledge.model import shared

    texts = segmented_texts(shared())
    title = next(topic.title for topic in shared().topics.values() if len(topic.title) >= 4)
    releases = Releases(tmp_path)
    for release_id, segmenter in (("20260101-000000", _Segmenter("pipeline-a", 1)),
                                  ("20260102-000000", _Segmenter("pipeline-b", 4))):
        staged(releases, release_id)
        write_table(tmp_path / release_id / "segments.json", texts, segmenter)
    monkeypatch.setenv(TABLE_ENV, str(tmp_path / "live" / "segments.json"))
    answers.segmentation.cache_clear()
    try:
        releases.go_live(releases.load("20260101-000000"))
        with answers.segmentation().of_message({}):
            first_index = answers.topic_index()
            assert answers.segmentation().name == "pipeline-a"
            assert first_index.terms(title) == [w for w in with_parts(list(title)) if w not in answers.STOP_TOKENS]
        releases.go_live(releases.load("20260102-000000"))
        with answers.segmentation().of_message({}):
            second_index = answers.topic_index()
            assert answers.segmentation().name == "pipeline-b"
            words = with_parts([title[i:i + 4] for i in range(0, len(title), 4)])
            assert second_index.terms(title) == [w for w in words if w not in answers.STOP_TOKENS]
        assert second_index is not first_index
        with answers.segmentation().of_message({}):
            assert answers.topic_index() is second_index  # the same table: nothing read again
    finally:
        answers.segmentation.cache_clear()


def test_the_action_servers_knowledge_base_follows_the_live_link(tmp_path: Path, monkeypatch) -> None:
    """An editor's questions assigned to a topic are searched by the running action server once
    their release is live: the knowledge base, and the router reading it, follow the link."""
    import shutil

    import yaml

    from actions import answers
    from bot import paths
    from bot.knowledge.model import KNOWLEDGE_ENV, shared

    added = "区里那个一二一零零到底管哪些事"
    releases = Releases(tmp_path)
    for release_id in ("20260101-000000", "20260102-000000"):
        staged(releases, release_id)
        shutil.copytree(paths.SOURCES, tmp_path / release_id / "sources")
    area = tmp_path / "20260102-000000" / "sources" / "knowledge" / "livelihood.yml"
    data = yaml.safe_load(area.read_text(encoding="utf-8"))
    data["topics"]["livelihood_12100"]["examples"].append(added)
    area.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    monkeypatch.setenv(KNOWLEDGE_ENV, str(tmp_path / "live" / "sources" / "knowledge"))

    releases.go_live(releases.load("20260101-000000"))
    first = answers.router()
    assert first.knowledge is shared() and added not in shared().topics["livelihood_12100"].examples
    assert answers.router() is first  # the same release: nothing is loaded again
    releases.go_live(releases.load("20260102-000000"))
    second = answers.router()
    assert second is not first and second.knowledge is shared()
    assert added in second.knowledge.topics["livelihood_12100"].examples
    monkeypatch.delenv(KNOWLEDGE_ENV)
    assert added not in shared().topics["livelihood_12100"].examples  # sources/ again
