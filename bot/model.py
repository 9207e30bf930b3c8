"""Which trained model serves the current data, and the environment Rasa's processes run in.

The model's file name is the hash of everything that shapes it, so a server finds the model that
fits the checkout it runs from, and the set-up (tools/setup.py) knows when to train.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

from bot import paths


def fingerprint(files: Iterable[Path], *extra: str) -> str:
    """A hash of the files' paths and contents (and of `extra` strings)."""
    digest = hashlib.sha256()
    for path in sorted(set(files)):
        digest.update(str(path.relative_to(paths.PROJECT)).encode())
        digest.update(path.read_bytes())
    for value in extra:
        digest.update(value.encode())
    return digest.hexdigest()[:16]


def training_inputs() -> list[Path]:
    """Everything that shapes the trained model."""
    files = [paths.CONFIG, paths.DOMAIN, paths.SPACY_PIPELINE / ".stamp", paths.HOMOPHONES]
    files += [path for folder in paths.TRAINING_DATA for path in folder.rglob("*.yml")]
    files += (paths.PROJECT / "bot" / "nlp").glob("*.py")
    return files


def model_path() -> Path:
    return paths.MODELS / f"shizhong-{fingerprint(training_inputs())}.tar.gz"


# TensorFlow settings of the assistant's serving processes, not of training (so a trained model does
# not depend on them): oneDNN's custom ops off. With our model that is 70 MB less resident after
# loading and a faster start, predictions the same to 1e-5 (docs/benchmarks.md).
SERVING_TF_ENV = {"TF_ENABLE_ONEDNN_OPTS": "0"}


def quiet_env(training: bool = False) -> dict[str, str]:
    """The environment for Rasa subprocesses: no TensorFlow chatter, no telemetry, and unless
    `training`, our serving TensorFlow settings (a variable already set wins)."""
    env = dict(os.environ)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    if not training:
        for name, value in SERVING_TF_ENV.items():
            env.setdefault(name, value)
    return env
