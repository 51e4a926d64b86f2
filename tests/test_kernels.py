"""Tests of the numba kernels against an independent pure-Python generator.

The reference below re-implements, from the published algorithms, SplitMix64
(Steele, Lea & Flood 2014), Lemire's bounded integers with rejection (Lemire
2019) and Walker's alias draw, one text piece at a time in plain Python
integers.  The kernels (vectorised blocks, packed alias tables, per-thread
counts) must reproduce it bit for bit.
"""

from __future__ import annotations

import numba
import numpy as np
import pytest
from scipy import stats

from skillgraph import _kernels
from skillgraph.core.graph import skill_measure_array
from skillgraph.core.sampling import alias_table, sample_graph

M64 = (1 << 64) - 1
GAMMA = 0x9E3779B97F4A7C15


def mix(z: int) -> int:
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


def start_state(key, i: int) -> int:
    return mix((int(key[0]) + (i + 1) * GAMMA) & M64) ^ int(key[1])


class Stream:
    """SplitMix64 stream of one text piece."""

    def __init__(self, key, i):
        self.state = start_state(key, i)

    def next(self) -> int:
        self.state = (self.state + GAMMA) & M64
        return mix(self.state)

    def bounded(self, n: int) -> tuple[int, int]:
        """Lemire on whole outputs: uniform in [0, n) from the high 32 bits; the low 32 bits
        (of the output finally used) are the coin."""
        while True:
            x = self.next()
            m = (x >> 32) * n
            if (m & 0xFFFFFFFF) >= ((1 << 32) - n) % n:
                return m >> 32, x & 0xFFFFFFFF

    def words(self):
        """32-bit words: the high half of each output, then its low half."""
        while True:
            x = self.next()
            yield x >> 32
            yield x & 0xFFFFFFFF


def bounded_word(words, n: int) -> int:
    """Lemire on 32-bit words: uniform in [0, n), rejected words replaced by the next."""
    while True:
        m = next(words) * n
        if (m & 0xFFFFFFFF) >= ((1 << 32) - n) % n:
            return m >> 32


def reference_text_skills(key, first, n_texts, k, n_skills, threshold=None, alias=None):
    """Uniform measure (no table): one word per skill; otherwise one output per skill."""
    out = np.empty((n_texts, k), dtype=np.int64)
    for t in range(n_texts):
        s_stream = Stream(key, first + t)
        words = s_stream.words()
        for j in range(k):
            if threshold is None:
                out[t, j] = bounded_word(words, n_skills)
                continue
            s, coin = s_stream.bounded(n_skills)
            if coin >= int(threshold[s]):
                s = int(alias[s])
            out[t, j] = s
    return out


def reference_failures(fail_key, first, skills, mode, theta, status=None, fraction=0.0):
    """Failure of each text: Bernoulli(theta) from its failure stream, or the deficit rule."""
    failed = np.zeros(skills.shape[0], dtype=bool)
    for t in range(skills.shape[0]):
        i = first + t
        if mode == "random":
            failed[t] = (start_state(fail_key, i) >> 11) * 2.0**-53 < theta
            continue
        row_status = [int(status[s]) for s in skills[t]]
        if 1 in row_status:
            failed[t] = True
        elif 2 in row_status:
            f_stream = Stream(fail_key, i)
            coins = [(f_stream.next() >> 11) * 2.0**-53 for st in row_status if st == 2]
            failed[t] = any(c < fraction for c in coins)
    return failed


def implied_probabilities(threshold, alias) -> np.ndarray:
    """The distribution an alias table encodes: exact, from the table alone."""
    n = threshold.shape[0]
    keep = threshold.astype(np.float64) / 2.0**32
    p = keep / n
    np.add.at(p, alias, (1.0 - keep) / n)
    return p


KEY = np.array([0x0123456789ABCDEF, 0xFEDCBA9876543210], dtype=np.uint64)
FAIL_KEY = np.array([0x1111111111111111, 0x2222222222222222], dtype=np.uint64)
NO_ALIAS = (np.zeros(1, dtype=np.uint64), np.zeros(1, dtype=np.int64))


@pytest.mark.parametrize(
    ("n_skills", "k", "first", "n_texts"),
    [
        (10, 3, 0, 700),  # several blocks, a partial last block
        (10_000, 8, 12345, 300),  # offset start (a shard of a bigger graph)
        (2**31 - 1, 5, 0, 300),  # Lemire's pre-test fires on about half the draws
        # 2**32 mod n is about n: a third of the draws are rejected and redrawn
        (1_431_655_766, 5, 0, 300),
        (3, 1, 0, 257),
        (1_431_655_766, 8, 7, 300),  # rejections with an even k: words shift within a text
        (1000, 7, 0, 513),  # odd k: the last slot uses the high word of its output
    ],
)
def test_uniform_sampler_matches_reference(n_skills, k, first, n_texts):
    ref = reference_text_skills(KEY, first, n_texts, k, n_skills)
    probs = np.full(1, 1.0)  # unused with replacement
    got = _kernels.sample_text_skills(
        KEY, first, n_texts, k, n_skills, *NO_ALIAS, probs, False, True
    )
    np.testing.assert_array_equal(got, ref)


@pytest.mark.parametrize(
    ("n_skills", "k", "n_texts"),
    [
        (7, 4, 600),
        (1000, 3, 600),
        # 2**32 mod n / 2**32 ~ 5e-4 of the draws are rejected: a dozen in 16000 draws
        (3_000_000, 8, 2000),
    ],
)
def test_alias_sampler_matches_reference(n_skills, k, n_texts):
    probs = skill_measure_array(n_skills, "zipf", 1.3)
    threshold, alias = alias_table(probs)
    ref = reference_text_skills(KEY, 5, n_texts, k, n_skills, threshold, alias)
    got = _kernels.sample_text_skills(
        KEY, 5, n_texts, k, n_skills, threshold, alias, probs, True, True
    )
    np.testing.assert_array_equal(got, ref)


@pytest.mark.parametrize(
    "probs",
    [
        np.array([0.5, 0.25, 0.125, 0.0625, 0.0625]),
        np.array([0.0, 0.7, 0.0, 0.2, 0.1, 0.0]),  # zero-mass skills
        np.array([1.0]),
        skill_measure_array(100_000, "zipf", 1.0),
        np.random.default_rng(3).random(5000) ** 8,
    ],
)
def test_alias_table_encodes_the_measure(probs):
    probs = probs / probs.sum()
    threshold, alias = alias_table(probs)
    assert threshold.dtype == np.uint64 and alias.dtype == np.int64
    assert np.all(threshold <= 2**32) and np.all((alias >= 0) & (alias < probs.size))
    np.testing.assert_allclose(implied_probabilities(threshold, alias), probs, rtol=0, atol=1e-9)
    never = probs == 0
    assert np.all(threshold[never] == 0) or probs.size == 1  # a zero-mass skill is never kept


@pytest.mark.parametrize("path", ["materialised", "stream"])
def test_alias_sampler_frequencies_chi_square(path):
    probs = np.array([0.6, 0.25, 0.1, 0.04, 0.01, 0.0])
    n_texts, k = 40_000, 3
    if path == "materialised":
        g = sample_graph(probs.size, n_texts, k, skill_measure=probs, seed=2024)
        counts = g.degrees
    else:
        from skillgraph.core.streaming import stream

        counts = stream(probs.size, n_texts, k, 0.1, skill_measure=probs, seed=2024).degrees
    assert counts[-1] == 0  # zero mass: never drawn
    # draws are i.i.d. from probs: chi-square goodness of fit on the positive-mass skills
    expected = n_texts * k * probs[:-1]
    result = stats.chisquare(counts[:-1], expected)
    assert result.pvalue > 1e-3, result


def _stream_kernel(
    first, n_texts, k, n_skills, mode, theta, packed, use_alias, status, fraction, threads
):
    degrees = np.zeros(n_skills, dtype=np.int64)
    failed_edges = np.zeros(n_skills, dtype=np.int64)
    previous = numba.get_num_threads(), numba.get_parallel_chunksize()
    numba.set_num_threads(threads)
    numba.set_parallel_chunksize(1)  # as stream() runs it: dynamic schedule
    local = np.empty((threads, n_skills), dtype=np.uint32)  # a row per thread
    try:
        n_failed = _kernels.stream_counts(
            KEY, FAIL_KEY, first, n_texts, k, packed, use_alias, mode, theta, status, fraction,
            local, local.copy(), degrees, failed_edges,
        )  # fmt: skip
    finally:
        numba.set_num_threads(previous[0])
        numba.set_parallel_chunksize(previous[1])
    return degrees, failed_edges, n_failed


def _reference_counts(skills, failed, n_skills):
    degrees = np.bincount(skills.ravel(), minlength=n_skills)
    failed_edges = np.bincount(skills[failed].ravel(), minlength=n_skills)
    return degrees, failed_edges, int(failed.sum())


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("measure", ["uniform", "zipf"])
def test_stream_counts_random_match_reference(threads, measure):
    if threads > numba.config.NUMBA_NUM_THREADS:
        pytest.skip("needs 2 numba threads")
    # more texts than one work item (_ITEM), so that the threads share them
    n_skills, k, first, n_texts, theta = 50, 2, 1000, _kernels._ITEM + 900, 0.2
    use_alias = measure == "zipf"
    if use_alias:
        threshold, alias = alias_table(skill_measure_array(n_skills, "zipf", 1.0))
    else:
        threshold, alias = NO_ALIAS
    skills = reference_text_skills(
        KEY, first, n_texts, k, n_skills, *((threshold, alias) if use_alias else (None, None))
    )
    failed = reference_failures(FAIL_KEY, first, skills, "random", theta)
    packed = _kernels.pack_alias(threshold, alias, use_alias)
    status = np.zeros(1, dtype=np.uint8)
    got = _stream_kernel(
        first, n_texts, k, n_skills, _kernels.MODE_RANDOM, theta, packed, use_alias, status, 0.0,
        threads,
    )  # fmt: skip
    want = _reference_counts(skills, failed, n_skills)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])
    assert got[2] == want[2]


def test_stream_counts_deficit_match_reference():
    n_skills, k, n_texts, fraction = 20, 3, _kernels._ITEM + 1500, 0.4
    status = np.zeros(n_skills, dtype=np.uint8)
    status[[2, 7]] = _kernels.UNLEARNED
    status[11] = _kernels.PARTIAL
    skills = reference_text_skills(KEY, 0, n_texts, k, n_skills)
    failed = reference_failures(FAIL_KEY, 0, skills, "deficit", 0.0, status, fraction)
    packed = _kernels.pack_alias(*NO_ALIAS, False)
    got = _stream_kernel(
        0, n_texts, k, n_skills, _kernels.MODE_DEFICIT, 0.0, packed, False, status, fraction,
        min(2, numba.config.NUMBA_NUM_THREADS),
    )  # fmt: skip
    want = _reference_counts(skills, failed, n_skills)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])
    assert got[2] == want[2]
    # unlearned skills fail on every edge; the partial skill on some but not all
    np.testing.assert_array_equal(got[1][[2, 7]], got[0][[2, 7]])
    assert 0 < got[1][11] < got[0][11]


def test_draws_only_kernel_runs_the_same_draws():
    # the checksum depends on the last skill of each block: equal keys, equal sums
    packed = _kernels.pack_alias(*NO_ALIAS, False)
    a = _kernels.stream_draws_only(KEY, FAIL_KEY, 0, 5000, 8, 100, packed, False, 0.05)
    b = _kernels.stream_draws_only(KEY, FAIL_KEY, 0, 5000, 8, 100, packed, False, 0.05)
    c = _kernels.stream_draws_only(FAIL_KEY, KEY, 0, 5000, 8, 100, packed, False, 0.05)
    assert a == b and a != c


def test_counting_sort_by_skill_brute_force():
    rng = np.random.default_rng(5)
    degrees = rng.integers(0, 4, size=40)
    indptr = np.concatenate([[0], np.cumsum(degrees)]).astype(np.int64)
    indices = rng.integers(0, 9, size=indptr[-1]).astype(np.int32)
    s_indptr, s_indices = _kernels.counting_sort_by_skill(indptr, indices, 10)
    for s in range(10):
        want = sorted(
            t for t in range(40) for e in range(indptr[t], indptr[t + 1]) if indices[e] == s
        )
        assert list(s_indices[s_indptr[s] : s_indptr[s + 1]]) == want
    assert s_indptr[-1] == indices.size


@pytest.mark.parametrize(("n_texts", "n_skills", "max_degree"), [(3000, 10, 4), (5000, 1, 2)])
def test_parallel_counting_sort_matches_stable_argsort(n_texts, n_skills, max_degree):
    # enough edges per skill for several parallel parts; ragged text degrees
    rng = np.random.default_rng(n_texts)
    degrees = rng.integers(0, max_degree + 1, size=n_texts)
    indptr = np.concatenate([[0], np.cumsum(degrees)]).astype(np.int64)
    indices = rng.integers(0, n_skills, size=indptr[-1]).astype(np.int32)
    edge_texts = np.repeat(np.arange(n_texts), degrees)
    order = np.argsort(indices, kind="stable")  # by skill, text order kept within a skill
    want_indptr = np.concatenate([[0], np.cumsum(np.bincount(indices, minlength=n_skills))])
    got_indptr, got_indices = _kernels.counting_sort_by_skill(indptr, indices, n_skills)
    np.testing.assert_array_equal(got_indptr, want_indptr)
    np.testing.assert_array_equal(got_indices, edge_texts[order])


def test_streamed_zipf_counts_with_alias_rejections_match_the_graph():
    # 3e6 Zipf skills: the alias-column counting path meets Lemire rejections and redraws;
    # the streamed degrees must be the materialised graph's, slot for slot
    from skillgraph import sample_graph, stream

    g = sample_graph(3_000_000, 20_000, 8, skill_measure="zipf", seed=5)
    r = stream(3_000_000, 20_000, 8, 0.1, skill_measure="zipf", seed=5)
    expected = np.bincount(g.text_skills.ravel(), minlength=3_000_000)
    np.testing.assert_array_equal(r.degrees, expected)


@pytest.mark.parametrize("k", [1, 3, 8])
def test_regular_failed_edge_counts_fast_path_matches_the_general_path(k):
    from skillgraph import _kernels, sample_graph

    g = sample_graph(500, 7_001, k, seed=k)
    failed = np.random.default_rng(k).random(g.n_texts) < 0.3
    fast = _kernels.failed_edge_counts(g.text_indptr, g.text_indices, failed, g.n_skills, k)
    general = _kernels.failed_edge_counts(g.text_indptr, g.text_indices, failed, g.n_skills)
    brute = np.bincount(g.text_skills[failed].ravel(), minlength=500)
    np.testing.assert_array_equal(fast, brute)
    np.testing.assert_array_equal(general, brute)
