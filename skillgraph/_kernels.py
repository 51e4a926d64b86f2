"""numba kernels: random skill draws, counting sorts.

Randomness here is *counter based*: every text piece ``i`` owns its own stream,
a SplitMix64 sequence started at a state hashed from ``(key, i)``.  A text's
skills therefore depend only on the key and on ``i``, never on which thread or
chunk drew it, so results are identical for any number of threads and any
chunking (design.md, Randomness).  SplitMix64 passes BigCrush; its 64-bit
outputs are turned into bounded integers with Lemire's multiply-shift and
rejection (exact for ``n < 2**32``) and into non-uniform draws with Walker's
alias method (O(1) per draw).

All kernels are compiled with ``cache=True``; the first call in a fresh
checkout compiles them (a few seconds), later processes load the cache.
"""

from __future__ import annotations

import numba as nb
import numpy as np

_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_LOW32 = np.uint64(0xFFFFFFFF)
_S27 = np.uint64(27)
_S30 = np.uint64(30)
_S31 = np.uint64(31)
_S32 = np.uint64(32)
_ONE = np.uint64(1)
_TWO32 = np.uint64(1 << 32)
# after this many rejected duplicate draws in a row, `replace=False` draws from
# the remaining mass directly (exact, O(n_skills)); keeps skewed measures from hanging
_MAX_DUPLICATE_REJECTIONS = 64


@nb.njit(inline="always", cache=True)
def _mix64(z):
    z = (z ^ (z >> _S30)) * _MIX1
    z = (z ^ (z >> _S27)) * _MIX2
    return z ^ (z >> _S31)


@nb.njit(inline="always", cache=True)
def _stream_start(key0, key1, index):
    """Start state of the stream of item ``index`` (a text piece) under key ``(key0, key1)``."""
    return _mix64(key0 + (np.uint64(index) + _ONE) * _GAMMA) ^ key1


@nb.njit(inline="always", cache=True)
def _next(state):
    """Advance a SplitMix64 state; returns (new_state, 64-bit output)."""
    state = state + _GAMMA
    return state, _mix64(state)


@nb.njit(inline="always", cache=True)
def _bounded(state, n):
    """Uniform integer in [0, n) for 0 < n < 2**32 (Lemire 2019, with rejection: exact)."""
    state, x = _next(state)
    m = (x >> _S32) * n
    low = m & _LOW32
    if low < n:
        threshold = (_TWO32 - n) % n
        while low < threshold:
            state, x = _next(state)
            m = (x >> _S32) * n
            low = m & _LOW32
    return state, np.int64(m >> _S32), x & _LOW32


@nb.njit(inline="always", cache=True)
def _draw_skill(state, n, alias_threshold, alias_index, use_alias):
    """One skill from the measure: uniform, or Walker's alias method.

    The bounded integer uses the high 32 bits of a draw; the alias coin uses
    the low 32 bits of the same draw, which are independent of the high ones.
    """
    state, s, coin = _bounded(state, n)
    if use_alias and coin >= alias_threshold[s]:
        s = np.int64(alias_index[s])
    return state, s


@nb.njit(cache=True)
def _draw_from_remaining(state, probs, row, filled):
    """Exact draw from ``probs`` restricted to skills not in ``row[:filled]``."""
    total = 0.0
    for s in range(probs.shape[0]):
        taken = False
        for j in range(filled):
            if row[j] == s:
                taken = True
                break
        if not taken:
            total += probs[s]
    state, x = _next(state)
    u = (x >> np.uint64(11)) * (1.0 / 9007199254740992.0) * total
    last = -1
    for s in range(probs.shape[0]):
        taken = False
        for j in range(filled):
            if row[j] == s:
                taken = True
                break
        if taken or probs[s] <= 0.0:
            continue
        last = s
        u -= probs[s]
        if u < 0.0:
            return state, s
    return state, last  # rounding at the end of the scan


@nb.njit(parallel=True, cache=True)
def sample_text_skills(
    key, first_text, n_texts, k, n_skills, alias_threshold, alias_index, probs, use_alias, replace
):
    """Skills of text pieces ``first_text .. first_text + n_texts - 1``.

    Returns an ``(n_texts, k)`` int32 array.  Row ``i`` depends only on ``key``
    and ``first_text + i`` (counter-based streams), so any split of the texts
    into calls or threads gives the same graph.
    """
    out = np.empty((n_texts, k), dtype=np.int32)
    n = np.uint64(n_skills)
    key0 = key[0]
    key1 = key[1]
    for i in nb.prange(n_texts):
        state = _stream_start(key0, key1, first_text + i)
        row = out[i]
        for j in range(k):
            state, s = _draw_skill(state, n, alias_threshold, alias_index, use_alias)
            if not replace:
                rejections = 0
                while True:
                    duplicate = False
                    for jj in range(j):
                        if row[jj] == s:
                            duplicate = True
                            break
                    if not duplicate:
                        break
                    rejections += 1
                    if rejections >= _MAX_DUPLICATE_REJECTIONS:
                        state, s = _draw_from_remaining(state, probs, row, j)
                        break
                    state, s = _draw_skill(state, n, alias_threshold, alias_index, use_alias)
            row[j] = s
    return out


@nb.njit(cache=True)
def counting_sort_by_skill(text_indptr, text_indices, n_skills):
    """Skill-side CSR of a text-side CSR, by a counting sort (O(n_edges + n_skills)).

    Texts are visited in increasing order, so each skill's text list comes out
    sorted; an edge of multiplicity m appears m times.
    """
    indptr = np.zeros(n_skills + 1, dtype=np.int64)
    for e in range(text_indices.shape[0]):
        indptr[text_indices[e] + 1] += 1
    for s in range(n_skills):
        indptr[s + 1] += indptr[s]
    fill = indptr[:-1].copy()
    indices = np.empty(text_indices.shape[0], dtype=np.int64)
    n_texts = text_indptr.shape[0] - 1
    for t in range(n_texts):
        for e in range(text_indptr[t], text_indptr[t + 1]):
            s = text_indices[e]
            indices[fill[s]] = t
            fill[s] += 1
    return indptr, indices


@nb.njit(cache=True)
def cooccurrence_counts(skill_indptr, skill_indices, tuples, failed):
    """For each tuple of skills, the texts that use all of them: (count, failed count).

    ``skill_indices`` holds each skill's texts sorted ascending (with
    multiplicity); a text is counted once per tuple.  Sorted-list intersection,
    O(sum of the tuple's degrees) per tuple.
    """
    n_tuples, t = tuples.shape
    total = np.zeros(n_tuples, dtype=np.int64)
    n_failed = np.zeros(n_tuples, dtype=np.int64)
    pos = np.empty(t, dtype=np.int64)
    for r in range(n_tuples):
        for j in range(t):
            pos[j] = skill_indptr[tuples[r, j]]
        first = tuples[r, 0]
        end0 = skill_indptr[first + 1]
        last_text = -1
        while pos[0] < end0:
            text = skill_indices[pos[0]]
            pos[0] += 1
            if text == last_text:
                continue
            last_text = text
            found = True
            for j in range(1, t):
                s = tuples[r, j]
                end = skill_indptr[s + 1]
                while pos[j] < end and skill_indices[pos[j]] < text:
                    pos[j] += 1
                if pos[j] >= end or skill_indices[pos[j]] != text:
                    found = False
                    if pos[j] >= end:
                        pos[0] = end0  # this skill has no texts left: no further matches
                    break
            if found:
                total[r] += 1
                if failed[text]:
                    n_failed[r] += 1
    return total, n_failed
