"""The pruned pkuseg model segments the district corpus exactly as the full model does."""

from __future__ import annotations

import pytest

from bot import paths
from bot.nlp import pkuseg_model
from bot.nlp.corpus import district_corpus

FULL = paths.BUILD / "pkuseg" / "full"


@pytest.fixture(scope="module")
def corpus() -> list[str]:
    return district_corpus()


def test_pruned_model_is_much_smaller() -> None:
    full_weights = (FULL / "weights.npz").stat().st_size
    pruned_weights = (paths.PKUSEG_MODEL / "weights.npz").stat().st_size
    assert pruned_weights < 0.75 * full_weights


def test_pruned_segmentation_unchanged_on_district_corpus(corpus: list[str]) -> None:
    assert len(corpus) > 1000
    changed = pkuseg_model.differing(pkuseg_model.segmenter(FULL),
                                     pkuseg_model.segmenter(paths.PKUSEG_MODEL), corpus)
    assert changed == []


def test_archive_hash_is_checked(tmp_path) -> None:
    """A corrupted archive in the cache is refused (and removed), never unpacked."""
    bad = tmp_path / pkuseg_model.ARCHIVE_NAME
    bad.write_bytes(b"not the archive")
    with pytest.raises(pkuseg_model.ModelUnavailable, match="SHA-256"):
        pkuseg_model.fetch_archive(tmp_path)
    assert not bad.exists()
