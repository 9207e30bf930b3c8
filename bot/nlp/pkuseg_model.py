"""Obtain, verify and prune the pkuseg `default` segmentation model.

The model ships only inside the PyPI source archive of `pkuseg==0.0.25` (the package itself does not
build on Python 3.10), so we download that archive with pip, check its SHA-256 and unpack just the
model folder. Loaded as is it costs about 0.8 GB, most of it a Python dict of its 2.6 million
feature strings. `prune` keeps every feature that the district corpus uses (so the corpus is
segmented exactly as by the full model, by construction, and checked) and, of the others, those
whose weight is large enough to matter on other text; docs/benchmarks.md has the trade-off.
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
# Of the features the district corpus does not use, keep those with a largest |weight| above this:
# 292 k of 2.64 M features (the corpus uses 32 k). On 339 questions written after the corpus, the
# full model's segmentation is kept for 338, 2,052 of 2,054 words (docs/benchmarks.md).
PRUNE_THRESHOLD = 0.2


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


def used_features(model_dir: Path, corpus: Iterable[str], user_dict: Path | None) -> set[int]:
    """Indices of the features that segmenting `corpus` looks up, with and without `user_dict`.

    pkuseg cuts each whitespace-separated piece, and with a user dictionary it first splits the
    piece at dictionary words and cuts only the rest: both kinds of text are looked at.
    """
    import spacy_pkuseg

    extractor = spacy_pkuseg.pkuseg(str(model_dir), user_dict=None).feature_extractor
    dictionary = spacy_pkuseg.Preprocesser(str(user_dict) if user_dict else None)
    used: set[int] = set()
    for text in corpus:
        for piece in text.split():
            parts, is_word, _ = dictionary.solve(piece)
            for part in [piece, *(p for p, word in zip(parts, is_word, strict=True) if not word)]:
                nodes = list(extractor.normalize_text(part))
                for index in range(len(nodes)):
                    used.update(extractor.get_node_features_idx(index, nodes))
    return used


def write_pruned(full_dir: Path, target: Path, threshold: float, keep_also: Iterable[int] = ()) -> int:
    """Write a model without the features whose largest |weight| is below `threshold`, except
    those in `keep_also`.

    Feature 0 (pkuseg's start feature, added to every character) keeps index 0. The bigram word
    list is dropped: inference never reads it. Returns the number of features kept.
    """
    import srsly

    features, w, n_tag, n_feature = _read_full(full_dir)
    node = w[: n_feature * n_tag].reshape(n_feature, n_tag)
    keep = np.abs(node).max(axis=1) > threshold if threshold else np.any(node != 0, axis=1)
    keep[0] = True
    keep[np.fromiter(keep_also, dtype=np.int64)] = True
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


def segmenter(model_dir: Path, user_dict: Path | None = None) -> Callable[[str], list[str]]:
    """A pkuseg segmenter for `model_dir`: plain, or with `user_dict` as spaCy's tokenizer uses it."""
    import spacy_pkuseg

    return spacy_pkuseg.pkuseg(str(model_dir), user_dict=str(user_dict) if user_dict else None).cut


def differing(reference: Callable[[str], list[str]], candidate: Callable[[str], list[str]],
              corpus: Iterable[str]) -> list[str]:
    """The sentences of `corpus` that the two segmenters cut differently."""
    return [text for text in corpus if reference(text) != candidate(text)]


def prune(full_dir: Path, target: Path, corpus: list[str], user_dict: Path | None,
          log: Callable[[str], None] = print) -> int:
    """Write the pruned model (see the module's docstring), check that it segments `corpus` as the
    full model does, and return the number of features kept."""
    dictionaries = (None, user_dict) if user_dict else (None,)
    expected = {}
    for dictionary in dictionaries:
        reference = segmenter(full_dir, dictionary)
        expected[dictionary] = {text: reference(text) for text in corpus}
        del reference
    used = used_features(full_dir, corpus, user_dict)
    kept = write_pruned(full_dir, target, PRUNE_THRESHOLD, keep_also=used)
    changed = [text for dictionary in dictionaries for text in differing(
        expected[dictionary].__getitem__, segmenter(target, dictionary), corpus)]
    log(f"{kept:,} features kept: the {len(used):,} the corpus uses and those with |weight| > "
        f"{PRUNE_THRESHOLD}; {len(changed)} of {len(corpus)} corpus sentences segmented "
        f"differently (with and without the district dictionary)")
    if changed:
        raise ModelUnavailable(f"the pruned model segments {changed[0]!r} differently")
    return kept
