"""The materialised row kernels of the adversaries against plain-Python references.

Each kernel replaces a numpy expression of the searches (a gathered copy of the
slots, an argsort, a partition) to save memory or time; the reference is the
definition written out text by text, on small graphs with ragged rows, empty
rows and repeated slots.
"""

from __future__ import annotations

import numpy as np
import pytest

from skillgraph import _kernels


def _ragged(seed: int, n_texts: int = 300, n_skills: int = 17):
    rng = np.random.default_rng(seed)
    degrees = rng.integers(0, 6, n_texts)  # some texts have no slot
    indptr = np.concatenate([[0], np.cumsum(degrees)]).astype(np.int64)
    indices = rng.integers(0, n_skills, indptr[-1]).astype(np.int32)
    return indptr, indices, n_skills


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_row_min_counts_is_the_least_value_per_text_and_its_histogram(seed):
    indptr, indices, n_skills = _ragged(seed)
    values = np.random.default_rng(seed + 10).permutation(n_skills).astype(np.int32)
    out = np.empty(indptr.size - 1, dtype=np.int32)
    hist = _kernels.row_min_counts(indptr, indices, 0, values, n_skills, out)
    expected = [min((int(values[s]) for s in indices[a:b]), default=n_skills)
                for a, b in zip(indptr[:-1], indptr[1:], strict=True)]  # fmt: skip
    assert out.tolist() == expected
    assert hist.tolist() == np.bincount(expected, minlength=n_skills + 1).tolist()


def test_row_min_counts_regular_rows_skip_the_row_pointers():
    rng = np.random.default_rng(5)
    k, n_texts, n_skills = 3, 200, 9
    indices = rng.integers(0, n_skills, k * n_texts).astype(np.int32)
    values = rng.permutation(n_skills).astype(np.int32)
    out = np.empty(n_texts, dtype=np.int32)
    bogus = np.zeros(n_texts + 1, dtype=np.int64)  # k > 0: never read
    _kernels.row_min_counts(bogus, indices, k, values, n_skills, out)
    assert out.tolist() == values[indices.reshape(n_texts, k)].min(axis=1).tolist()


@pytest.mark.parametrize("count", [1, 7, 40, 133])
def test_lowest_ranked_takes_the_masked_texts_of_least_rank(count):
    rng = np.random.default_rng(count)
    n = 200_000  # several rank buckets
    rank = rng.permutation(n).astype(np.int32)
    mask = rng.random(n) < 0.001
    got = _kernels.lowest_ranked(mask, rank, count)
    masked = np.flatnonzero(mask)
    expected = sorted(masked[np.argsort(rank[masked])[:count]].tolist())
    assert got.tolist() == expected


def test_bucket_ranks_orders_the_values_and_refuses_ties():
    rng = np.random.default_rng(3)
    values = rng.random(5000) ** 3 * 1e-3  # uneven over the range: crowded buckets
    rank = np.empty(values.size, dtype=np.int32)
    assert _kernels.bucket_ranks(values, rank)
    assert rank.tolist() == np.argsort(np.argsort(values)).tolist()
    values[17] = values[4000]
    assert not _kernels.bucket_ranks(values, rank)


@pytest.mark.parametrize("n", [0, 1, 6, 5000])
def test_order_by_score_is_lexsort_of_score_descending_then_rank(n):
    rng = np.random.default_rng(n)
    score = rng.integers(1, 9, n) / rng.integers(3, 7, n)  # few distinct values: many ties
    score[: n // 3] = rng.random(n // 3) * 1e6  # and some spread over many exponents
    rank = rng.permutation(4 * n + 1)[:n].astype(np.int32)
    got = _kernels.order_by_score(score, rank)
    assert got.tolist() == np.lexsort((rank, -score)).tolist()


def test_order_by_key_is_a_stable_sort_of_the_keys():
    rng = np.random.default_rng(4)
    keys = (rng.integers(0, 5, 3000).astype(np.uint64) << np.uint64(40)) | rng.integers(
        0, 1 << 20, 3000
    ).astype(np.uint64)
    keys[::7] = keys[3]  # equal keys keep their positions' order
    expected = np.argsort(keys, kind="stable")
    assert _kernels.order_by_key(keys.copy()).tolist() == expected.tolist()


def test_row_sums_adds_plus_as_numpy_would_after_the_sum():
    indptr, indices, n_skills = _ragged(9)
    rng = np.random.default_rng(9)
    weights = rng.random(n_skills).astype(np.float32)
    plus = rng.random(indptr.size - 1) * 1e-3
    got = _kernels.row_sums(indptr, indices, 0, weights, np.empty(plus.size), plus=plus)
    sums = np.array([sum(float(weights[s]) for s in indices[a:b])
                     for a, b in zip(indptr[:-1], indptr[1:], strict=True)])  # fmt: skip
    assert np.array_equal(got, sums + plus)  # bit for bit: the same float additions
