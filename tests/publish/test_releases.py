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
