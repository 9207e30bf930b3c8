"""NLU training time with a catalogue of a given size, in a scratch copy of the project.

The catalogue reaches training through the `service` lookup table and synonyms (build/data/lookups.yml)
and the segmenter's dictionary, so the copy regenerates both from a catalogue of that size (the
real services plus synthetic ones, tools/bench/catalogue_data.py) and trains there with its own
cache folder: the project, its build/ and the shared model cache are left as they are.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from bot import paths
from bot.catalogue import load_services
from bot.nlp import pkuseg_model
from tools.bench.catalogue_data import synthetic_catalogue

TRAIN = """
import time
from tools.setup import step_generate, step_pkuseg, step_spacy, step_train
step_generate(); step_pkuseg(); step_spacy()
started = time.monotonic()
step_train(force=True)
print(f"training seconds: {time.monotonic() - started:.1f}")
"""


def _copy_project(target: Path) -> None:
    """The tracked and untracked-but-not-ignored files, as they are in the working tree."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=paths.PROJECT,
                            capture_output=True, text=True, check=True).stdout.split("\0")
    for name in filter(None, listed):
        source = paths.PROJECT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def training_seconds(size: int) -> float:
    """Seconds `rasa train` takes (as tools.setup runs it) with a catalogue of `size` services."""
    real = load_services()
    with tempfile.TemporaryDirectory(prefix="bench-training-") as scratch:
        project, cache = Path(scratch) / "project", Path(scratch) / "cache"
        _copy_project(project)
        # Without the real services' situations and example questions: the catalogue's check
        # refuses a text two services share, and the generated NLU data keeps each one once
        # anyway (bot/catalogue/nlu.py), so the copies add names, aliases and synonyms only.
        extra = [dataclasses.replace(s, situations=(), examples=())
                 for s in synthetic_catalogue(real, size)[len(real):]]
        if extra:
            catalogue = project / paths.CATALOGUE_DATA.relative_to(paths.PROJECT) / "synthetic.yml"
            catalogue.write_text(yaml.safe_dump({"services": [s.to_dict() for s in extra]},
                                                allow_unicode=True, sort_keys=False), encoding="utf-8")
        cache.mkdir()
        archive = paths.CACHE / pkuseg_model.ARCHIVE_NAME
        if archive.exists():
            (cache / archive.name).symlink_to(archive)
        env = os.environ | {"PYTHONPATH": str(project), "SHIZHONG_CACHE": str(cache),
                            "SEED_ARTICLE": str(paths.SEED_ARTICLE)}
        done = subprocess.run([sys.executable, "-c", TRAIN], cwd=project, env=env, capture_output=True,
                              text=True)
        if done.returncode != 0:
            raise RuntimeError(f"bench: training with {size} services failed:\n{done.stdout[-2000:]}"
                               f"{done.stderr[-2000:]}")
        line = next(line for line in done.stdout.splitlines() if line.startswith("training seconds:"))
        return float(line.split(":")[1])
