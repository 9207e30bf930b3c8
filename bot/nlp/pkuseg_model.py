"""Obtain, verify and prune the pkuseg `default` segmentation model.

The model ships only inside the PyPI source archive of `pkuseg==0.0.25` (the package itself does not
build on Python 3.10), so we download that archive with pip, check its SHA-256 and unpack just the
model folder. Loaded as is it costs about 0.8 GB: most of its 2.6 million features carry weights too
small to change a single segmentation, so `prune` keeps the strongest features, and keeps a pruning
only if it segments a corpus of district sentences exactly as the full model does.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

ARCHIVE_NAME = "pkuseg-0.0.25.tar.gz"
ARCHIVE_SHA256 = "dd012bf93689721c9574bc2b2ba98fb4ac22790cec0af354a78e217828b81e91"
MODEL_MEMBER = "pkuseg-0.0.25/pkuseg/models/default/"
MODEL_FILES = ("features.pkl", "weights.npz")
# Weight magnitudes tried from the most to the least aggressive; 0 keeps every non-zero feature.
PRUNE_THRESHOLDS = (0.03, 0.02, 0.01, 0.005, 0.0)


class ModelUnavailable(RuntimeError):
    """The archive could not be fetched or does not match its published hash."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch_archive(cache: Path) -> Path:
    """Download the source archive into `cache` (once) with this venv's pip; verify its hash."""
    archive = cache / ARCHIVE_NAME
    if not archive.exists():
        cache.mkdir(parents=True, exist_ok=True)
        # pip runs the archive's setup.py to read its metadata; that imports numpy, which is only
        # found in this venv when build isolation is off.
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
                   "--no-build-isolation", "--quiet", "pkuseg==0.0.25", "-d", str(cache)]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0 or not archive.exists():
            raise ModelUnavailable(f"pip download pkuseg==0.0.25 failed:\n{result.stderr[-2000:]}")
    actual = sha256_of(archive)
    if actual != ARCHIVE_SHA256:
        archive.unlink()
        raise ModelUnavailable(f"{archive} has SHA-256 {actual}, expected {ARCHIVE_SHA256}")
    return archive


def unpack_model(archive: Path, target: Path) -> Path:
    """Extract only the `default` model's files from the archive into `target`."""
    target.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "r:gz") as tar:
        for name in MODEL_FILES:
            member = tar.getmember(MODEL_MEMBER + name)
            source = tar.extractfile(member)
            if source is None:
                raise ModelUnavailable(f"{member.name} is not a file in {archive}")
            with source, (target / name).open("wb") as out:
                shutil.copyfileobj(source, out)
    return target


def _read_full(model_dir: Path) -> tuple[dict, np.ndarray, int, int]:
    import pickle

    with (model_dir / "features.pkl").open("rb") as handle:
        features = pickle.load(handle)
    weights = np.load(model_dir / "weights.npz")
    n_tag, n_feature = (int(v) for v in weights["sizes"])
    return features, weights["w"], n_tag, n_feature


def write_pruned(full_dir: Path, target: Path, threshold: float) -> int:
    """Write a model without the features whose largest |weight| is below `threshold`.

    Feature 0 (pkuseg's start feature, added to every character) keeps index 0. The bigram word
    list is dropped: inference never reads it. Returns the number of features kept.
    """
    import srsly

    features, w, n_tag, n_feature = _read_full(full_dir)
    node = w[: n_feature * n_tag].reshape(n_feature, n_tag)
    keep = np.abs(node).max(axis=1) > threshold if threshold else np.any(node != 0, axis=1)
    keep[0] = True
    new_index = np.full(n_feature, -1, dtype=np.int64)
    kept = np.flatnonzero(keep)
    new_index[kept] = np.arange(len(kept))
    feature_to_idx = {
        name: int(new_index[idx]) for name, idx in features["feature_to_idx"].items() if keep[idx]
    }
    target.mkdir(parents=True, exist_ok=True)
    srsly.write_msgpack(
        target / "features.msgpack",
        {
            "unigram": sorted(features["unigram"]),
            "bigram": [],
            "feature_to_idx": feature_to_idx,
            "tag_to_idx": features["tag_to_idx"],
        },
    )
    np.savez(
        target / "weights.npz",
        sizes=np.array([n_tag, len(kept)]),
        w=np.concatenate([node[keep].reshape(-1), w[n_feature * n_tag :]]),
    )
    return len(kept)


def segmenter(model_dir: Path) -> Callable[[str], list[str]]:
    """A plain pkuseg segmenter for `model_dir`, without any user dictionary."""
    import spacy_pkuseg

    return spacy_pkuseg.pkuseg(str(model_dir), user_dict=None).cut


def differing(reference: Callable[[str], list[str]], candidate: Callable[[str], list[str]],
              corpus: Iterable[str]) -> list[str]:
    """The sentences of `corpus` that the two segmenters cut differently."""
    return [text for text in corpus if reference(text) != candidate(text)]


def prune(full_dir: Path, target: Path, corpus: list[str],
          log: Callable[[str], None] = print) -> float:
    """Write the most pruned model that segments `corpus` exactly as the full model; return its
    threshold."""
    reference = segmenter(full_dir)
    expected = {text: reference(text) for text in corpus}
    del reference
    for threshold in PRUNE_THRESHOLDS:
        kept = write_pruned(full_dir, target, threshold)
        changed = differing(expected.__getitem__, segmenter(target), corpus)
        log(f"threshold {threshold}: {kept:,} features kept, "
            f"{len(changed)} of {len(corpus)} corpus sentences segmented differently")
        if not changed:
            return threshold
    raise ModelUnavailable("even the unpruned model differs from itself: corpus is not stable")
