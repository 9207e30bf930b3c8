"""Sparse features joined by `hstack_coo` (bot/patches/sparse_features.py) are scipy's `hstack` exactly."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse
from hypothesis import given, settings
from hypothesis import strategies as st
from rasa.shared.nlu.training_data.features import Features

from bot.patches import sparse_features


def random_sparse(rng: np.random.Generator, rows: int, columns: int, fmt: str, dtype) -> scipy.sparse.spmatrix:
    dense = (rng.random((rows, columns)) > 0.9) * rng.integers(1, 5, (rows, columns))
    return scipy.sparse.coo_matrix(dense.astype(dtype)).asformat(fmt)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), rows=st.integers(1, 12), left=st.integers(0, 40),
       right=st.integers(0, 40), formats=st.sampled_from([("coo", "coo"), ("csr", "coo"), ("coo", "csr")]),
       dtypes=st.sampled_from([(np.float32, np.float32), (np.int64, np.float64), (np.float64, np.int32)]))
def test_the_same_matrix_as_scipys_hstack(seed, rows, left, right, formats, dtypes) -> None:
    rng = np.random.default_rng(seed)
    a, b = (random_sparse(rng, rows, n, fmt, dtype)
            for n, fmt, dtype in zip((left, right), formats, dtypes, strict=True))
    expected, ours = scipy.sparse.hstack([a, b]), sparse_features.hstack_coo(a, b)
    assert ours.format == expected.format == "coo"
    assert ours.shape == expected.shape and ours.dtype == expected.dtype
    assert np.array_equal(ours.row, expected.row) and np.array_equal(ours.col, expected.col)
    assert np.array_equal(ours.data, expected.data)


def test_rasas_features_combine_as_before() -> None:
    rng = np.random.default_rng(7)

    def pair() -> tuple[Features, Features]:
        return (Features(random_sparse(rng, 5, 30, "coo", np.float32), "sequence", "text", "CountVectorsFeaturizer"),
                Features(random_sparse(rng, 5, 12, "coo", np.float32), "sequence", "text", "RegexFeaturizer"))

    sparse_features.install()
    assert sparse_features.installed()
    ours, other = pair()
    expected = ours.features, other.features
    ours.combine_with_features(other)
    assert (ours.features != scipy.sparse.hstack(list(expected))).nnz == 0
    with pytest.raises(ValueError, match="sequence dimensions do not match"):
        ours.combine_with_features(Features(random_sparse(rng, 4, 3, "coo", np.float32), "sequence", "text", "x"))
