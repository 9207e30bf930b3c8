"""What a launcher needs to serve the live release, so that a publish from the console reaches it.

`make run` (bot/serve.py) and `make run-cluster` (tools/cluster) start the assistant on
`build/releases/live/model.tar.gz`, give the action server the release's files through the link
(`action_env`) and describe their instances for the publish job (bot/publish/instances.py).
`live_for_launch` makes sure there is a live release first: the set-up's model adopted as the
first one, and adopted again when it has been retrained (a developer's change) — only while
nothing was ever published here: once editors publish, only a publish (or an explicit
`python -m bot.publish adopt`) changes what is live, so a restart never makes unpublished edits
or a rolled-back release live.
"""

from __future__ import annotations

import fcntl
import filecmp
import os
import sys
from pathlib import Path

from bot import paths
from bot.publish.releases import ADOPTED, CATALOGUE_DB, LIVE, MODEL, SEGMENTS, Release, Releases

RELEASES_ENV = "PUBLISH_RELEASES"
# The action server's settings that follow the `live` link (read again once it moves).
CATALOGUE_URL_ENV, CENTRE_ENV, SEGMENTS_ENV, KNOWLEDGE_ENV = (
    "CATALOGUE_DATABASE_URL", "SHIZHONG_SERVICE_CENTRE", "SHIZHONG_SEGMENTS", "SHIZHONG_KNOWLEDGE")


def default_releases() -> Releases:
    """The deployment's releases: PUBLISH_RELEASES or build/releases (as the console's), as an
    absolute path (the programs run in the project folder, the launcher perhaps elsewhere)."""
    return Releases(Path(os.environ.get(RELEASES_ENV) or paths.BUILD / "releases").resolve())


def live_model(releases: Releases) -> Path:
    """The model path every instance is started with: through the link, so a restart loads the
    release that is live then (with its own pipeline: bot/patches/release_pipeline.py)."""
    return releases.folder / LIVE / MODEL


def release_env(folder: Path) -> dict[str, str]:
    """The action server's settings for the release in `folder` (a release's own folder, or the
    `live` link, read again at the next question once it moves)."""
    return {CATALOGUE_URL_ENV: f"sqlite:///{folder / CATALOGUE_DB}",
            CENTRE_ENV: str(folder / "sources" / "service_centre.yml"),
            KNOWLEDGE_ENV: str(folder / "sources" / "knowledge"),
            SEGMENTS_ENV: str(folder / SEGMENTS)}


def action_env(releases: Releases, staff_url: str | None = None) -> dict[str, str]:
    """What the action server needs to serve the live release: its catalogue database, the
    service centre's record, the knowledge base and its texts segmented with the release's
    pipeline, each through the link, so that a switched release is read at the next question."""
    env = release_env(releases.folder / LIVE)
    if staff_url:
        env["STAFF_DATABASE_URL"] = staff_url
    return env


def same_tree(left: Path, right: Path) -> bool:
    """Whether two folders hold the same files with the same bytes (hidden files aside)."""
    compared = filecmp.dircmp(left, right, ignore=[".git", "__pycache__"])
    if any(not name.startswith(".") for name in (*compared.left_only, *compared.right_only, *compared.funny_files)):
        return False
    _, mismatch, errors = filecmp.cmpfiles(left, right, compared.common_files, shallow=False)
    if [name for name in (*mismatch, *errors) if not name.startswith(".")]:
        return False
    return all(same_tree(left / name, right / name) for name in compared.common_dirs if not name.startswith("."))


def live_for_launch(releases: Releases, model: Path, sources: Path = paths.SOURCES) -> tuple[Release, str]:
    """The release to serve, made when needed, and a line saying which (for the launcher's output).

    - none yet: the set-up's model is adopted as the first release;
    - only adoptions so far (nothing ever published here) and the set-up has trained another
      model since (a developer's change): adopted again, so `make run` serves what `make setup`
      built, as it did before releases;
    - otherwise the live one is served: once editors publish, a restart never replaces what is
      live (their published work, or a rollback) and never makes sources edited since live — only a
      publish does; `python -m bot.publish adopt` serves the set-up's model on purpose."""
    from bot.publish.build import adopt, model_id

    live, built = releases.live, model_id(model)
    only_adopted = all(release.manifest.kind == ADOPTED for release in releases.all())
    if live is None or (only_adopted and live.manifest.model_id != built):
        release = adopt(releases, sources, model)
        releases.go_live(release)
        releases.prune(staging=False)  # a publish may be staging meanwhile
        why = "the first release" if live is None else "the set-up trained another model"
        return release, f"release {release.id} adopts the set-up's model {model.name} ({why})"
    line = f"the live release {live.id} ({live.manifest.kind_name})"
    if live.manifest.model_id != built:
        line += (f"; the set-up's model {model.name} is not live: `python -m bot.publish adopt` serves it "
                 "(what editors published is then live again only once published again)")
    if not same_tree(live.sources, sources):
        line += "; sources/ has changes not yet published (the console's 发布 page, or `python -m bot.publish publish`)"
    return live, line


_held: list = []  # the launcher's lock file, open for the life of the process


def hold_launcher_lock(releases: Releases) -> bool:
    """One launcher per releases folder: a second would move the live link under the first's
    instances and remove their description for the publish job when its ports turn out taken.
    The lock is the kernel's, released when the process ends however it ends."""
    releases.folder.mkdir(parents=True, exist_ok=True)
    handle = (releases.folder / ".launcher.lock").open("a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return False
    _held.append(handle)
    return True


def releases_for_launcher(prefix: str, model: Path) -> Releases | None:
    """For a launcher (`prefix`: serve, cluster): the deployment's releases with a live one to
    serve, which it names on the output; None, with the reason on stderr, when there can be none."""
    if not model.exists():
        print(f"{prefix}: no trained model at {model}; run `make run`", file=sys.stderr)
        return None
    releases = default_releases()
    if not hold_launcher_lock(releases):
        print(f"{prefix}: another launcher already serves the releases in {releases.folder} "
              "(make run or make run-cluster); stop it first, or give this one its own PUBLISH_RELEASES",
              file=sys.stderr)
        return None
    try:
        _, serving = live_for_launch(releases, model)
    except (OSError, RuntimeError, ValueError) as error:  # BuildFailed, ReleaseError, invalid sources
        print(f"{prefix}: cannot prepare the live release in {releases.folder}: {error}", file=sys.stderr)
        return None
    print(f"{prefix}: serving {serving}", flush=True)
    return releases
