"""What `make run` serves: the set-up's model adopted as a release, never over the editors' work."""

from __future__ import annotations

import io
import json
import shutil
import tarfile
from pathlib import Path

from bot import paths
from bot.publish.releases import ADOPTED, FINETUNE, Releases
from bot.publish.serving import live_for_launch


def model_file(path: Path, model_id: str) -> Path:
    """A model archive as far as a release reads it: its metadata's id."""
    data = json.dumps({"model_id": model_id}).encode()
    with tarfile.open(path, "w:gz") as archive:
        member = tarfile.TarInfo("metadata.json")
        member.size = len(data)
        archive.addfile(member, io.BytesIO(data))
    return path


def test_the_launcher_adopts_the_set_ups_model_and_keeps_a_published_release(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    shutil.copytree(paths.SOURCES, sources)
    releases = Releases(tmp_path / "releases")
    first_model = model_file(tmp_path / "first.tar.gz", "model-first")

    first, line = live_for_launch(releases, first_model, sources)
    assert releases.live.id == first.id and first.manifest.kind == ADOPTED and "first release" in line
    assert live_for_launch(releases, first_model, sources)[0].id == first.id  # nothing new to adopt

    # A developer retrained: `make run` serves the new model.
    second, line = live_for_launch(releases, model_file(tmp_path / "second.tar.gz", "model-second"), sources)
    assert second.id != first.id and "trained another model" in line
    assert (releases.live.id, releases.previous.id) == (second.id, first.id)
    assert releases.live.manifest.model_id == "model-second"

    # An editor published: a restart keeps serving it and says how to serve the set-up's model.
    second.manifest.kind = FINETUNE
    second.save_manifest()
    kept, line = live_for_launch(releases, model_file(tmp_path / "third.tar.gz", "model-third"), sources)
    assert kept.id == second.id and releases.live.id == second.id
    assert "python -m bot.publish adopt" in line

    # Rolled back to the adopted release: a restart does not adopt the set-up's model over it, since
    # the set-up trains on the working copy, which may hold what was rolled back.
    releases.go_live(first)
    kept, line = live_for_launch(releases, model_file(tmp_path / "third.tar.gz", "model-third"), sources)
    assert kept.id == first.id and releases.live.id == first.id and "python -m bot.publish adopt" in line
    releases.go_live(second)

    # Sources edited since are not made live by a restart; the line says they wait for a publish.
    record = sources / "service_centre.yml"
    record.write_text(record.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    kept, line = live_for_launch(releases, model_file(tmp_path / "third.tar.gz", "model-third"), sources)
    assert kept.id == second.id and "not yet published" in line


def test_a_second_launcher_on_the_same_releases_is_refused(tmp_path: Path) -> None:
    """Two `make run` on one releases folder: the second stops before it touches the live link."""
    import subprocess
    import sys

    from bot.publish.serving import hold_launcher_lock

    releases = Releases(tmp_path / "releases")
    assert hold_launcher_lock(releases)
    other = subprocess.run([sys.executable, "-c", "import sys; from pathlib import Path; "
                            "from bot.publish.releases import Releases; "
                            "from bot.publish.serving import hold_launcher_lock; "
                            f"sys.exit(0 if hold_launcher_lock(Releases(Path({str(releases.folder)!r}))) else 3)"],
                           cwd=paths.PROJECT, env={"PYTHONPATH": str(paths.PROJECT)}, timeout=60)
    assert other.returncode == 3
