"""numba kernels: random skill draws, streaming counts, alias tables, counting sorts.

Randomness here is *counter based*: every text piece ``i`` owns its own stream,
a SplitMix64 sequence started at a state hashed from ``(key, i)``.  A text's
skills therefore depend only on the key and on ``i``, never on which thread or
chunk drew it, so results are identical for any number of threads and any
chunking (:ref:`conventions-seeds`).  SplitMix64 passes BigCrush.  Under the
uniform measure each 64-bit output is cut into two 32-bit words (high half
first), each word giving one skill by Lemire's multiply-shift with rejection
(exact for ``n < 2**32``); under any other measure each skill takes a whole
output, its high half choosing a column of Walker's alias table (Lemire
again) and its low half the coin (O(1) per draw).

Kernels:

* ``sample_text_skills`` / ``sample_graph_arrays`` / ``fill_text_skills``: the
  materialised sampler, parallel over contiguous ranges of texts, which also
  writes the CSR row pointers and counts the skill degrees in the same pass;
* ``stream_counts``: draw, fail and count text pieces without storing them
  (``skillgraph.stream``), O(threads n_skills) memory; alias draws with
  random failures are counted per alias-table column and turned into skill
  counts at the end; ``stream_draws_only`` is the same kernel without the
  counting, the benchmark's hardware limit;
* ``bernoulli_failures`` (the random failure rule of streaming, materialised),
* ``alias_table`` (Vose, O(n)), ``skill_degrees``, ``failed_edge_counts``
  (parallel; regular graphs without reading the row pointers),
  ``counting_sort_by_skill`` (skill-side CSR), ``cooccurrence_counts``.

Where the time goes, and why the kernels look the way they do, is written
next to the code and measured by ``benchmarks/bench_stream.py``.

All kernels are compiled with ``cache=True``; the first call in a fresh
checkout compiles them (tens of seconds for all), later processes load the
cache (a fraction of a second).
"""

from __future__ import annotations

import contextlib
import math

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
    """Uniform integer in [0, n) from whole 64-bit outputs (the alias method's draws).

    The integer comes from the high 32 bits of an output by Lemire's
    multiply-shift, with rejection (exact for 0 < n < 2**32); a rejected
    output is replaced by the next one.  Returns ``(state, integer, coin)``,
    the coin being the low 32 bits of the output that was used.
    """
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
def _next_word(state, pending, has_pending):
    """The next 32-bit word of a stream: high half of an output, then its low half.

    Returns ``(state, pending, has_pending, word)``; start a stream with
    ``pending = 0, has_pending = False``.
    """
    if has_pending:
        return state, pending, False, pending
    state, x = _next(state)
    return state, x & _LOW32, True, x >> _S32


@nb.njit(inline="always", cache=True)
def _bounded_word(state, pending, has_pending, n):
    """Uniform integer in [0, n) from 32-bit words (the uniform measure's draws).

    Lemire's multiply-shift with rejection, exact for 0 < n < 2**32; a
    uniform draw uses one word, so one 64-bit output serves two draws.
    Returns ``(state, pending, has_pending, integer)``.
    """
    state, pending, has_pending, w = _next_word(state, pending, has_pending)
    m = w * n
    low = m & _LOW32
    if low < n:
        threshold = (_TWO32 - n) % n
        while low < threshold:
            state, pending, has_pending, w = _next_word(state, pending, has_pending)
            m = w * n
            low = m & _LOW32
    return state, pending, has_pending, np.int64(m >> _S32)


@nb.njit(inline="always", cache=True)
def _in_row(row, filled, s):
    """Whether skill ``s`` is among ``row[:filled]``, the skills a text has drawn so far."""
    for j in range(filled):
        if row[j] == s:
            return True
    return False


@nb.njit(cache=True)
def _draw_from_remaining(state, probs, row, filled):
    """Exact draw from ``probs`` restricted to skills not in ``row[:filled]``."""
    total = 0.0
    for s in range(probs.shape[0]):
        if not _in_row(row, filled, s):
            total += probs[s]
    state, x = _next(state)
    u = (x >> np.uint64(11)) * (1.0 / 9007199254740992.0) * total
    last = -1
    for s in range(probs.shape[0]):
        if probs[s] <= 0.0 or _in_row(row, filled, s):
            continue
        last = s
        u -= probs[s]
        if u < 0.0:
            return state, s
    return state, last  # rounding at the end of the scan


# ---------------------------------------------------------------------------
# Block generation: the hot path of the materialised sampler and of streaming.
#
# Text pieces are generated ``_BLOCK`` at a time, slot-major: the loop over the
# texts of a block is innermost, so LLVM vectorises the SplitMix64 mixing and
# the Lemire product (AVX2/AVX-512 where the CPU has them).  Uniform draws take
# one 32-bit word each, so one mixed output serves two slots; alias draws take
# a whole output (column and coin), and their table look-up runs in a separate
# scalar pass, written branch free (the coin is a fair coin flip for many
# skills: a branch would be mispredicted half the time).
# Each slot's row is drawn ``_GROUP`` texts at a time, and the skills of a
# group are counted (``deg[s] += 1``) right after it is drawn: the counting is
# scalar loads and stores, the drawing vector arithmetic, and interleaved in
# short stretches the core runs both at once (whole rows of 256 texts leave
# too little of one in flight while the other runs).  Array indices are
# unsigned: with a signed index whose sign LLVM cannot prove, numba's
# negative-index wrap-around turns the vector loads and stores into gathers
# and scatters.
# The result is bit-identical to the scalar per-text sequence of
# ``_draw_skill``: a text whose draws might need Lemire's rejection step (the
# cheap pre-test ``low < n``, probability ``n / 2**32`` per draw) is redrawn
# by the scalar code, and its counts corrected.  Packed alias entries hold
# ``threshold | alias << 33`` (the threshold needs 33 bits: ``2**32`` means
# "always keep").
# ---------------------------------------------------------------------------

_BLOCK = 256  # texts per block: buffers of a few kB stay in L1
_GROUP = 64  # texts per group: a group's draws are counted before the next is drawn
_MASK33 = np.uint64((1 << 33) - 1)
_HIGH32 = np.uint64(0xFFFFFFFF00000000)
_S58 = np.uint64(58)
_S11 = np.uint64(11)
_S33 = np.uint64(33)
_INV53 = 1.0 / 9007199254740992.0  # 2**-53: top 53 bits of a draw -> uniform in [0, 1)
_ALWAYS = np.uint64(1 << 32)
_SAMPLER_PARTS = 64  # contiguous ranges of blocks in the parallel materialised sampler
_CSR_PARTS = 16  # at most this many parallel parts in the skill-side counting sort
_ITEM = 64 * _BLOCK  # texts per work item of the streaming kernels (~0.1 ms at k = 8)
_WORDS = _BLOCK // 64  # 64-bit failure masks per block
_FAILED_WORDS = 16  # failure masks per batch of failed-edge copies (1024 texts)
# ctz by de Bruijn: (lowest set bit * _DE_BRUIJN) >> 58 differs for each of the 64 bits
_DE_BRUIJN = np.uint64(0x03F79D71B4CA8B09)
_BIT_INDEX = tuple(
    sorted(range(64), key=lambda i: ((1 << i) * 0x03F79D71B4CA8B09 % 2**64) >> 58)
)  # _BIT_INDEX[(bit * _DE_BRUIJN) >> 58] == log2(bit)

# failure modes of the streaming kernel
MODE_RANDOM = 0  # each text fails with probability theta (its own failure stream)
MODE_DEFICIT = 1  # a text fails through its unlearned / partly learned skills
# per-skill status in the deficit mode
LEARNED = 0
UNLEARNED = 1
PARTIAL = 2  # the one skill learned in part: each of its slots fails with probability `fraction`


@nb.njit(cache=True)
def pack_alias(alias_threshold, alias_index, use_alias):
    """One uint64 per skill, ``threshold | alias << 33``: a single load per draw."""
    if not use_alias:
        return np.zeros(1, dtype=np.uint64)
    n = alias_threshold.shape[0]
    packed = np.empty(n, dtype=np.uint64)
    for s in range(n):
        packed[s] = alias_threshold[s] | (np.uint64(alias_index[s]) << _S33)
    return packed


@nb.njit(inline="always", cache=True)
def _count(deg, skills, lo, hi):
    """``deg[s] += 1`` for each skill ``s`` in ``skills[lo:hi]`` (uint64 bounds)."""
    for e in range(lo, hi):
        deg[skills[e]] += np.uint32(1)


@nb.njit(inline="always", cache=True)
def _alias_columns(start, j, mu, n32, skills, row, coins, coin_row, low):
    """Slot ``j`` of a block's ``mu`` alias draws, before the table look-up.

    Columns go to ``skills[row + b]``, coins to ``coins[coin_row + b]``
    (truncated to the array's type); returns ``low`` lowered to the smallest
    low half of a Lemire product of the row (see :func:`_generate_block`).
    """
    step = np.uint64(j + 1) * _GAMMA
    for b in range(mu):
        x = _mix64(start[b] + step)
        prod = (x >> _S32) * n32
        skills[row + b] = np.uint32(prod >> _S32)
        coins[coin_row + b] = x & _LOW32
        low = min(low, prod & _LOW32)
    return low


@nb.njit(inline="always", cache=True)
def _generate_block(
    key0, key1, first, m, k, n, packed, use_alias, start, words, skills, deg, count
):
    """Skills of texts ``first .. first + m - 1`` into ``skills[j * m + b]`` (slot-major).

    Identical to drawing each text with ``_stream_start`` and ``k`` calls of
    ``_draw_skill`` (with replacement).  ``start`` and ``words`` (uint64) are
    scratch buffers of at least ``m`` entries.  With ``count`` the block's
    skills are also added to the uint32 counts ``deg``.
    """
    # n < 2**32: written as a zero-extended 32-bit value, so that LLVM multiplies
    # 32 x 32 -> 64 bits (one vpmuludq) instead of a full 64-bit product
    n32 = np.uint64(np.uint32(n))
    for b in range(m):
        start[b] = _stream_start(key0, key1, first + b)
    mu = np.uint64(m)
    # smallest low half of a Lemire product in the block: below n32, some draw
    # may need the rejection step (a min is one vector instruction, an "or" of
    # comparisons four)
    low = _LOW32
    if use_alias:
        for j in range(k):
            row = np.uint64(j) * mu
            low = _alias_columns(start, j, mu, n32, skills, row, words, np.uint64(0), low)
            # the scalar look-up (a whole row: it does not overlap with vector work anyway)
            for b in range(mu):
                s = np.uint64(skills[row + b])
                p = packed[s]
                # keep s when coin < threshold: then coin - threshold wraps around and
                # its high half is all ones; arithmetic, not a select, which LLVM would
                # turn back into a branch
                keep = (words[b] - (p & _MASK33)) >> _S32
                other = p >> _S33
                s = other ^ ((s ^ other) & keep)
                skills[row + b] = np.uint32(s)
                if count:
                    deg[s] += np.uint32(1)
    else:
        for jj in range(k // 2):
            step = np.uint64(jj + 1) * _GAMMA
            row = np.uint64(2 * jj) * mu
            row2 = row + mu
            # constant trip counts: LLVM vectorises them without run-time checks
            for gi in range(m // _GROUP):
                g = np.uint64(gi * _GROUP)
                for i in range(_GROUP):
                    b = g + np.uint64(i)
                    x = _mix64(start[b] + step)
                    high = (x >> _S32) * n32  # the high word serves slot 2 jj
                    lower = (x & _LOW32) * n32  # the low word slot 2 jj + 1
                    skills[row + b] = np.uint32(high >> _S32)
                    skills[row2 + b] = np.uint32(lower >> _S32)
                    low = min(low, min(high & _LOW32, lower & _LOW32))
                if count:
                    _count(deg, skills, row + g, row + g + np.uint64(_GROUP))
                    _count(deg, skills, row2 + g, row2 + g + np.uint64(_GROUP))
            for b in range(np.uint64(m - m % _GROUP), mu):  # the rest of a short last block
                x = _mix64(start[b] + step)
                high = (x >> _S32) * n32
                lower = (x & _LOW32) * n32
                skills[row + b] = np.uint32(high >> _S32)
                skills[row2 + b] = np.uint32(lower >> _S32)
                low = min(low, min(high & _LOW32, lower & _LOW32))
                if count:
                    deg[skills[row + b]] += np.uint32(1)
                    deg[skills[row2 + b]] += np.uint32(1)
        if k % 2:
            step = np.uint64(k // 2 + 1) * _GAMMA
            row = np.uint64(k - 1) * mu
            for b in range(mu):
                prod = (_mix64(start[b] + step) >> _S32) * n32
                skills[row + b] = np.uint32(prod >> _S32)
                low = min(low, prod & _LOW32)
            if count:
                _count(deg, skills, row, row + mu)
    if low < n32:
        _redraw_rejected(start, m, k, n, packed, use_alias, skills, deg, count)


@nb.njit(cache=True)
def _redraw_rejected(start, m, k, n, packed, use_alias, skills, deg, count):
    """Redraw, exactly and one at a time, the texts whose draws may need Lemire's rejection.

    Rare (probability about ``m k n / 2**32`` per block); counts in ``deg``
    move from the vector draws to the exact ones.
    """
    for b in range(m):
        redo = False
        for j in range(k):
            if use_alias:
                word = _mix64(start[b] + np.uint64(j + 1) * _GAMMA) >> _S32
            else:
                x = _mix64(start[b] + np.uint64(j // 2 + 1) * _GAMMA)
                word = x & _LOW32 if j % 2 else x >> _S32
            if (word * n) & _LOW32 < n:
                redo = True
                break
        if redo:
            state = start[b]
            pending = np.uint64(0)
            has_pending = False
            for j in range(k):
                state, pending, has_pending, s = _draw_skill(
                    state, pending, has_pending, n, packed, use_alias
                )
                if count:
                    deg[skills[j * m + b]] -= np.uint32(1)
                    deg[s] += np.uint32(1)
                skills[j * m + b] = np.uint32(s)


@nb.njit(inline="always", cache=True)
def _draw_skill(state, pending, has_pending, n, packed, use_alias):
    """One skill from the measure, the next draw of a text's stream (scalar).

    Uniform measure: one 32-bit word (:func:`_bounded_word`).  Any other
    measure: Walker's alias method (``packed`` from :func:`pack_alias`) on
    one whole 64-bit output, its high half choosing the column and its low
    half the coin (:func:`_bounded`); in this mode no word is ever left
    pending.  Returns ``(state, pending, has_pending, skill)``.
    """
    if use_alias:
        state, s, coin = _bounded(state, n)
        p = packed[s]
        if coin >= (p & _MASK33):
            s = np.int64(p >> _S33)
        return state, pending, has_pending, s
    return _bounded_word(state, pending, has_pending, n)


@nb.njit(inline="always", cache=True)
def _below53(p):
    """``T`` with ``(x >> 11) * 2**-53 < p`` exactly when ``(x >> 11) < T`` (``0 <= p <= 1``).

    ``(x >> 11) * 2**-53`` and ``p * 2**53`` are exact in floating point, so
    the integer test is the same test without the conversion to float.
    """
    return np.uint64(math.ceil(p * 9007199254740992.0))


@nb.njit(inline="always", cache=True)
def _decide_failures(
    fkey0, fkey1, first, m, k, mode, fail_below, status, fraction, skills, flags, failed
):
    """Which texts of a block fail: bit ``i`` of ``failed[w]`` is set when text ``64 w + i`` fails.

    ``random``: text ``i`` fails when the first output of its failure stream
    (key ``fkey``, independent of the skill key), as a uniform in [0, 1) from
    its top 53 bits, is below ``theta`` (``fail_below = _below53(theta)``).
    ``deficit``: it fails when one of its skills is unlearned, or, for each
    slot holding the partly learned skill, with probability ``fraction``
    (successive outputs of its failure stream) -- per-skill error rates
    ``p_s`` in {0, fraction, 1} (docs/theory/failure_models.rst, the deficit model streamed).
    """
    if mode == MODE_RANDOM:
        for w in range((m + 63) // 64):
            base = w * 64
            bits = np.uint64(0)
            for i in range(min(64, m - base)):
                fails = (_stream_start(fkey0, fkey1, first + base + i) >> _S11) < fail_below
                bits |= np.uint64(fails) << np.uint64(i)
            failed[w] = bits
        return
    else:
        for b in range(m):
            flags[b] = 0
        for j in range(k):
            row = j * m
            for b in range(m):
                flags[b] |= status[skills[row + b]]
        for b in range(m):
            if flags[b] & UNLEARNED:
                flags[b] = 1
            elif flags[b] & PARTIAL:
                state = _stream_start(fkey0, fkey1, first + b)
                fails = 0
                for j in range(k):
                    if status[skills[j * m + b]] == PARTIAL:
                        state, x = _next(state)
                        if (x >> _S11) * _INV53 < fraction:
                            fails = 1
                flags[b] = fails
            else:
                flags[b] = 0
    for w in range((m + 63) // 64):
        base = w * 64
        bits = np.uint64(0)
        for i in range(min(64, m - base)):
            bits |= np.uint64(flags[base + i] != 0) << np.uint64(i)
        failed[w] = bits


@nb.njit(inline="always", cache=True)
def _next_failed(bits):
    """``(b, rest)``: the lowest set bit's index in a failure mask, and the mask without it.

    Walking the set bits of 64-text masks costs a few operations per failed
    text and one mispredicted branch per mask, where a branch per text would
    be mispredicted on each failure.
    """
    low_bit = bits & (~bits + _ONE)
    return _BIT_INDEX[(low_bit * _DE_BRUIJN) >> _S58], bits ^ low_bit


def sample_text_skills(
    key, first_text, n_texts, k, n_skills, alias_threshold, alias_index, probs, use_alias, replace
):
    """Skills of text pieces ``first_text .. first_text + n_texts - 1``.

    Returns an ``(n_texts, k)`` int32 array, allocated by numpy (which asks the
    OS for huge pages on large arrays: fewer page faults than a numba
    allocation) and filled by :func:`fill_text_skills`.  Row ``i`` depends only
    on ``key`` and ``first_text + i`` (counter-based streams), so any split of
    the texts into calls or threads gives the same graph.
    """
    out, _, _ = sample_graph_arrays(
        key, first_text, n_texts, k, n_skills, alias_threshold, alias_index, probs, use_alias,
        replace, with_csr=False,
    )  # fmt: skip
    return out


def sample_graph_arrays(
    key,
    first_text,
    n_texts,
    k,
    n_skills,
    alias_threshold,
    alias_index,
    probs,
    use_alias,
    replace,
    with_csr=True,
):
    """:func:`sample_text_skills` plus, in the same pass, the CSR row pointers and skill degrees.

    Returns ``(text_skills, indptr, degrees)``: ``indptr`` is ``arange(0,
    (n_texts + 1) k, k)`` (int64) and ``degrees`` the per-skill edge counts
    (``bincount`` of ``text_skills``, int64), both ``None`` when
    ``with_csr=False``.  ``degrees`` is also ``None`` when per-thread count rows
    would be large beside the graph (``threads * n_skills > n_texts k / 16``)
    or when the graph has ``2**32`` edges or more (the rows are uint32);
    counting afterwards (:func:`skill_degrees`) is then the better choice.  Counting
    while the freshly drawn block is in L1 saves a second pass over the
    ``4 n_texts k`` bytes of edges; writing ``indptr`` from the sampling threads
    spreads its page faults over them.  Integer sums: the same for any number
    of threads and any schedule.
    """
    out = np.empty((n_texts, k), dtype=np.int32)
    threads = nb.get_num_threads()
    # uint32 rows: half the cache footprint of int64 (1e4 skills fit in L1), and no
    # row can overflow while the graph has fewer than 2**32 edges
    fuse_degrees = with_csr and threads * n_skills * 16 <= n_texts * k < 2**32
    indptr = np.empty(n_texts + 1 if with_csr else 0, dtype=np.int64)
    local = np.zeros((threads if fuse_degrees else 0, n_skills), dtype=np.uint32)
    # hand the parts to whichever thread is free (dynamic scheduling), see streaming.py
    packed = pack_alias(alias_threshold, alias_index, use_alias)
    with _dynamic_schedule():
        fill_text_skills(
            out, key, first_text, n_skills, packed, probs, use_alias, replace, indptr, local
        )
    degrees = local.sum(axis=0, dtype=np.int64) if fuse_degrees else None
    return out, (indptr if with_csr else None), degrees


@nb.njit(inline="always", cache=True)
def _transpose_block(skills, m, k, rows):
    """Slot-major ``skills[j * m + b]`` to row-major ``rows[b * k + j]`` (uint32, in L1).

    Even ``k``: two slots per 64-bit store, row by row of slots (vectorisable).
    """
    mu = np.uint64(m)
    ku = np.uint64(k)
    if k % 2 == 0:
        half = np.uint64(k // 2)
        rows64 = rows.view(np.uint64)
        for jj in range(half):
            r0 = (jj + jj) * mu
            r1 = r0 + mu
            for b in range(mu):
                rows64[b * half + jj] = np.uint64(skills[r0 + b]) | (
                    np.uint64(skills[r1 + b]) << _S32
                )
    else:
        for j in range(ku):
            r = j * mu
            for b in range(mu):
                rows[b * ku + j] = skills[r + b]


@nb.njit(parallel=True, cache=True)
def fill_text_skills(
    out, key, first_text, n_skills, packed, probs, use_alias, replace, indptr, local_degrees
):
    """Fill ``out`` (``(n_texts, k)`` int32) with the skills of texts ``first_text ..``.

    ``packed`` is the alias table (:func:`pack_alias`) and ``probs`` the
    measure (for draws without replacement).  With replacement the texts are
    drawn in vectorised blocks (``_generate_block``), in parallel over
    contiguous ranges of blocks; without replacement one text at a time,
    rejecting duplicates.  When
    ``indptr`` has ``n_texts + 1`` entries it receives the regular CSR row
    pointers ``i * k``; when ``local_degrees`` has rows (one per numba thread,
    zeroed by the caller) each thread adds the degrees of the skills it draws
    to its row (``numba.get_thread_id()``).
    """
    n_texts, k = out.shape
    n = np.uint64(n_skills)
    key0 = key[0]
    key1 = key[1]
    fill_indptr = indptr.shape[0] == n_texts + 1
    count = local_degrees.shape[0] > 0
    if fill_indptr:
        indptr[n_texts] = n_texts * k
    if replace:
        flat = out.reshape(n_texts * k)
        n_blocks = (n_texts + _BLOCK - 1) // _BLOCK
        # a fixed number of contiguous parts (not the thread count, which would keep the
        # kernel out of numba's cache); prange shares them among the threads
        parts = min(_SAMPLER_PARTS, n_blocks)
        per = (n_blocks + parts - 1) // parts if parts > 0 else 0
        for part in nb.prange(parts):
            start = np.empty(_BLOCK, dtype=np.uint64)
            words = np.empty(_BLOCK, dtype=np.uint64)
            skills = np.empty(_BLOCK * k, dtype=np.uint32)
            rows = np.empty(_BLOCK * k, dtype=np.uint32)
            deg = local_degrees[nb.get_thread_id()] if count else np.zeros(1, dtype=np.uint32)
            for blk in range(part * per, min((part + 1) * per, n_blocks)):
                b0 = blk * _BLOCK
                m = min(_BLOCK, n_texts - b0)
                _generate_block(
                    key0, key1, first_text + b0, m, k, n, packed, use_alias, start, words,
                    skills, deg, count,
                )  # fmt: skip
                _transpose_block(skills, m, k, rows)
                # the rows go out in one contiguous (vectorised) copy: whole cache lines
                # of the large output, written once
                base = np.uint64(b0 * k)
                for e in range(np.uint64(m * k)):
                    flat[base + e] = np.int32(rows[e])
                if fill_indptr:
                    for b in range(np.uint64(b0), np.uint64(b0 + m)):
                        indptr[b] = np.int64(b) * k
        return
    for i in nb.prange(n_texts):
        state = _stream_start(key0, key1, first_text + i)
        pending = np.uint64(0)
        has_pending = False
        row = out[i]
        for j in range(k):
            state, pending, has_pending, s = _draw_skill(
                state, pending, has_pending, n, packed, use_alias
            )
            rejections = 0
            while _in_row(row, j, s):
                rejections += 1
                if rejections >= _MAX_DUPLICATE_REJECTIONS:
                    state, s = _draw_from_remaining(state, probs, row, j)
                    break
                state, pending, has_pending, s = _draw_skill(
                    state, pending, has_pending, n, packed, use_alias
                )
            row[j] = s
        if count:
            deg = local_degrees[nb.get_thread_id()]
            for j in range(k):
                deg[row[j]] += np.uint32(1)
        if fill_indptr:
            indptr[i] = i * k


@nb.njit(parallel=True, cache=True)
def bernoulli_failures(fail_key, theta, out):
    """``out[i] = True`` when text ``i`` fails: its failure stream starts below ``theta``.

    The rule of :func:`stream_counts` in ``MODE_RANDOM`` (and
    ``_decide_failures``): the top 53 bits of ``_stream_start(fail_key, i)``
    as a uniform in [0, 1).  Counter based, in parallel over fixed parts: the
    same mask for any number of threads.
    """
    n = out.shape[0]
    key0 = fail_key[0]
    key1 = fail_key[1]
    below = _below53(theta)
    parts = min(_SAMPLER_PARTS, n)
    per = (n + parts - 1) // parts if parts > 0 else 0
    for part in nb.prange(parts):
        for i in range(part * per, min((part + 1) * per, n)):
            out[i] = (_stream_start(key0, key1, i) >> _S11) < below


@nb.njit(parallel=True, cache=True)
def skill_degrees(text_indices, n_skills):
    """``np.bincount(text_indices, minlength=n_skills)`` as int64, in parallel.

    Each of a fixed number of contiguous parts counts into its own row, the
    rows are summed: exact, and the same for any number of threads.
    """
    n = text_indices.shape[0]
    parts = max(1, min(_SAMPLER_PARTS // 8, n // (16 * n_skills + 1)))
    local = np.zeros((parts, n_skills), dtype=np.int64)
    per = (n + parts - 1) // parts
    for part in nb.prange(parts):
        row = local[part]
        for e in range(part * per, min((part + 1) * per, n)):
            row[text_indices[e]] += 1
    out = np.zeros(n_skills, dtype=np.int64)
    for part in range(parts):
        out += local[part]
    return out


def failed_edge_counts(text_indptr, text_indices, failed, n_skills, k=None):
    """For each skill, its edge slots in failed texts (int64); O(failed edges + n_texts).

    In parallel over contiguous parts of the texts (per-thread count rows,
    summed: the same for any number of threads) when the graph is large beside
    ``n_skills``; serially otherwise.  ``k``: the graph is regular, text ``t``
    holding edges ``t k .. t k + k - 1`` (the row pointers are then not read).
    """
    threads = nb.get_num_threads()
    n_texts = text_indptr.shape[0] - 1
    serial = threads == 1 or threads * n_skills * 16 > n_texts
    if k is not None:
        local = np.zeros((1 if serial else threads, n_skills), dtype=np.int64)
        kernel = _failed_edge_counts_regular_serial if serial else _failed_edge_counts_regular
        with _dynamic_schedule():
            kernel(text_indices, failed, k, local)
        return local.sum(axis=0)
    if serial:
        return _failed_edge_counts_serial(text_indptr, text_indices, failed, n_skills)
    local = np.zeros((threads, n_skills), dtype=np.int64)
    with _dynamic_schedule():
        _failed_edge_counts_parallel(text_indptr, text_indices, failed, local)
    return local.sum(axis=0)


@contextlib.contextmanager
def _dynamic_schedule():
    """numba's ``prange`` hands out work one part at a time (restored afterwards)."""
    previous = nb.get_parallel_chunksize()
    nb.set_parallel_chunksize(1)
    try:
        yield
    finally:
        nb.set_parallel_chunksize(previous)


@nb.njit(inline="always", cache=True)
def _count_failed_regular(text_indices, failed, k, w_lo, w_hi, row):
    """Edges of the failed texts among texts ``64 w_lo .. 64 w_hi - 1`` of a regular graph.

    The failure flags are packed 64 to a mask and the set bits walked (a
    vectorised scan, no branch per text).  A failed text's edges are a cache
    miss each, far apart: they are first copied, 1024 texts' worth at a time,
    by loads that depend on nothing (many misses in flight at once), then
    counted; counting straight from the graph would hold each miss behind the
    stores of the previous text's counts.
    """
    n_texts = failed.shape[0]
    ku = np.uint64(k)
    firsts = np.empty(64 * _FAILED_WORDS, dtype=np.uint64)
    edges = np.empty(64 * _FAILED_WORDS * k, dtype=np.int32)
    for w0 in range(w_lo, w_hi, _FAILED_WORDS):
        nf = 0
        for w in range(w0, min(w0 + _FAILED_WORDS, w_hi)):
            base = w * 64
            bits = np.uint64(0)
            for i in range(min(64, n_texts - base)):
                bits |= np.uint64(failed[base + i]) << np.uint64(i)
            while bits:
                i, bits = _next_failed(bits)
                firsts[nf] = np.uint64(base + i) * ku
                nf += 1
        n_edges = np.uint64(0)
        for q in range(nf):
            first = firsts[q]
            for j in range(ku):
                edges[n_edges + j] = text_indices[first + j]
            n_edges += ku
        for e in range(n_edges):
            row[edges[e]] += 1


@nb.njit(cache=True)
def _failed_edge_counts_regular_serial(text_indices, failed, k, local):
    _count_failed_regular(text_indices, failed, k, 0, (failed.shape[0] + 63) // 64, local[0])


@nb.njit(parallel=True, cache=True)
def _failed_edge_counts_regular(text_indices, failed, k, local):
    """Per-thread rows of :func:`_count_failed_regular` over fixed parts of the texts."""
    n_words = (failed.shape[0] + 63) // 64
    parts = min(_SAMPLER_PARTS, n_words)
    per = (n_words + parts - 1) // parts
    for part in nb.prange(parts):
        row = local[nb.get_thread_id()]
        _count_failed_regular(
            text_indices, failed, k, part * per, min((part + 1) * per, n_words), row
        )


@nb.njit(cache=True)
def _failed_edge_counts_serial(text_indptr, text_indices, failed, n_skills):
    out = np.zeros(n_skills, dtype=np.int64)
    for t in range(failed.shape[0]):
        if failed[t]:
            for e in range(text_indptr[t], text_indptr[t + 1]):
                out[text_indices[e]] += 1
    return out


@nb.njit(parallel=True, cache=True)
def _failed_edge_counts_parallel(text_indptr, text_indices, failed, local):
    """Add each failed text's edges to the row of the numba thread that scans it.

    The failed texts of a stretch are listed first (a branch-free scan), then
    their edges counted: with the scan and its mispredicted branches out of
    the way, the cache misses of many failed texts are in flight at once.
    """
    n_texts = failed.shape[0]
    parts = min(_SAMPLER_PARTS, n_texts)
    per = (n_texts + parts - 1) // parts
    for part in nb.prange(parts):
        row = local[nb.get_thread_id()]
        ids = np.empty(_ITEM, dtype=np.int64)
        hi_part = min((part + 1) * per, n_texts)
        for lo in range(part * per, hi_part, _ITEM):
            hi = min(lo + _ITEM, hi_part)
            nf = 0
            for t in range(lo, hi):
                ids[nf] = t
                nf += np.int64(failed[t] != 0)
            for q in range(nf):
                t = ids[q]
                for e in range(text_indptr[t], text_indptr[t + 1]):
                    row[text_indices[e]] += 1


@nb.njit(inline="always", cache=True)
def _block_scratch(threads, k):
    """Block buffers of the streaming kernels, one row per numba thread, allocated once per call.

    ``(start, words, skills, coins, flags, failed)``; rows are whole multiples
    of 64 bytes, so two threads share a cache line at most at a row's ends.
    """
    return (
        np.empty((threads, _BLOCK), dtype=np.uint64),
        np.empty((threads, _BLOCK), dtype=np.uint64),
        np.empty((threads, _BLOCK * k), dtype=np.uint32),
        np.empty((threads, _BLOCK * k), dtype=np.uint32),
        np.empty((threads, _BLOCK), dtype=np.uint8),
        np.empty((threads, _WORDS), dtype=np.uint64),
    )


@nb.njit(inline="always", cache=True)
def _scratch_rows(scratch, tid):
    """Thread ``tid``'s rows of :func:`_block_scratch`."""
    start, words, skills, coins, flags, failed = scratch
    return start[tid], words[tid], skills[tid], coins[tid], flags[tid], failed[tid]


# ---------------------------------------------------------------------------
# Alias draws counted per column.  Under Walker's alias method a draw is a
# uniform column c and a coin; the skill is c when the coin is below c's
# threshold ("kept"), else alias[c].  Streaming needs only how many draws land
# on each skill, so a draw adds ``1 - kept * 2**32`` (mod 2**64) to a per-column
# 64-bit pair: the low half counts the column's draws D, minus the high half
# its kept draws K.  At the end skill s gets K[s] plus D[c] - K[c] of every
# column c whose alias is s (:func:`_add_column_counts`).  The same integers as
# counting skills, at one threshold load and one count per draw instead of a
# look-up, a select, a store and a count; and the columns are uniform, so no
# skill's counter is hot.  (D < 2**32 per call: the driver keeps
# n_texts * k < 2**32, so the halves never carry into each other.)
# ---------------------------------------------------------------------------


@nb.njit(inline="always", cache=True)
def _pair_increment(thresholds, c, coin):
    """``1 - kept * 2**32`` (mod 2**64) for a draw of column ``c`` with ``coin``.

    ``coin - threshold`` wraps around exactly when the draw keeps ``c``: its
    high half is then all ones.  Arithmetic, not a comparison, which LLVM
    would turn into a branch mispredicted on half the draws.  ``thresholds``
    from :func:`_thresholds32`.
    """
    return _ONE + ((coin - np.uint64(thresholds[c])) & _HIGH32)


@nb.njit(cache=True)
def _thresholds32(packed):
    """The alias thresholds as uint32 (half the cache of the packed table), ``2**32`` clipped.

    A clipped threshold ``2**32 - 1`` sends the coin ``2**32 - 1`` to the
    alias; :func:`_add_column_counts` gives such a column all its draws, as
    the threshold ``2**32`` ("always keep") does.
    """
    out = np.empty(packed.shape[0], dtype=np.uint32)
    for c in range(packed.shape[0]):
        out[c] = np.uint32(min(packed[c] & _MASK33, _LOW32))
    return out


@nb.njit(inline="always", cache=True)
def _generate_columns(key0, key1, first, m, k, n, thresholds, start, skills, coins, pairs, count):
    """Alias draws of a block as columns ``skills[j * m + b]`` and coins ``coins[j * m + b]``.

    The draws of :func:`_generate_block` before the look-up.  With ``count``
    each draw adds :func:`_pair_increment` to ``pairs[column]``; returns the
    sum of the increments (a checksum when not counting).
    """
    n32 = np.uint64(np.uint32(n))
    for b in range(m):
        start[b] = _stream_start(key0, key1, first + b)
    mu = np.uint64(m)
    low = _LOW32
    check = np.uint64(0)
    for j in range(k):
        row = np.uint64(j) * mu
        low = _alias_columns(start, j, mu, n32, skills, row, coins, row, low)
        for e in range(row, row + mu):
            c = np.uint64(skills[e])
            increment = _pair_increment(thresholds, c, np.uint64(coins[e]))
            if count:
                pairs[c] += increment
            else:
                check += increment
    if low < n32:  # rare: redraw exactly the texts that may need Lemire's rejection step
        for b in range(m):
            redo = False
            for j in range(k):
                if ((_mix64(start[b] + np.uint64(j + 1) * _GAMMA) >> _S32) * n) & _LOW32 < n:
                    redo = True
                    break
            if redo:
                state = start[b]
                for j in range(k):
                    e = j * m + b
                    c = np.uint64(skills[e])
                    if count:
                        pairs[c] -= _pair_increment(thresholds, c, np.uint64(coins[e]))
                    state, drawn, coin = _bounded(state, n)
                    c = np.uint64(drawn)
                    skills[e] = np.uint32(c)
                    coins[e] = np.uint32(coin)
                    if count:
                        pairs[c] += _pair_increment(thresholds, c, coin)
    return check


@nb.njit(cache=True)
def _add_column_counts(pairs, packed, out):
    """Add per-skill counts from per-column pairs (one row per thread) to the int64 ``out``."""
    for t in range(pairs.shape[0]):
        for c in range(pairs.shape[1]):
            p = pairs[t, c]
            kept = (~(p >> _S32) + _ONE) & _LOW32
            if packed[c] & _MASK33 == _ALWAYS:  # see _thresholds32
                kept = p & _LOW32
            out[c] += np.int64(kept)
            out[np.int64(packed[c] >> _S33)] += np.int64((p & _LOW32) - kept)


@nb.njit(inline="always", cache=True)
def _item_blocks(item, n_texts):
    """The first texts of the blocks of work item ``item`` of the streaming kernels.

    ``_ITEM`` is a whole number of blocks, so a block of ``min(_BLOCK,
    n_texts - first)`` texts never reaches into the next item.
    """
    lo = item * _ITEM
    return range(lo, min(lo + _ITEM, n_texts), _BLOCK)


@nb.njit(inline="always", cache=True)
def _block_draws(
    keys, first, m, k, n, packed, thresholds, use_alias, per_column, rule, rows, deg, pair, count
):
    """The draws and failure decisions of a block of the streaming kernels; returns a checksum.

    ``keys`` is ``(key0, key1, fkey0, fkey1)``, ``rule`` ``(mode,
    fail_below, status, fraction)`` of :func:`_decide_failures`, ``rows``
    the thread's :func:`_scratch_rows`.  ``per_column``: alias draws as
    columns and coins (:func:`_generate_columns`, counted into ``pair``);
    otherwise skills (:func:`_generate_block`, counted into ``deg``).  The
    checksum is :func:`_generate_columns`' (0 with skills).
    """
    key0, key1, fkey0, fkey1 = keys
    mode, fail_below, status, fraction = rule
    start, words, skills, coins, flags, failed = rows
    check = np.uint64(0)
    if per_column:
        check = _generate_columns(
            key0, key1, first, m, k, n, thresholds, start, skills, coins, pair, count
        )
    else:
        _generate_block(
            key0, key1, first, m, k, n, packed, use_alias, start, words, skills, deg, count
        )
    _decide_failures(
        fkey0, fkey1, first, m, k, mode, fail_below, status, fraction, skills, flags, failed
    )
    return check


@nb.njit(parallel=True, cache=True)
def stream_counts(
    key,
    fail_key,
    first_text,
    n_texts,
    k,
    packed,
    use_alias,
    mode,
    theta,
    status,
    fraction,
    local_degrees,
    local_failed,
    degrees,
    failed_edges,
):
    """Add the edge counts of texts ``first_text .. first_text + n_texts - 1``; O(n_skills) memory.

    Draws each text's skills (as :func:`sample_text_skills` with replacement:
    the same graph for the same key), decides its failure
    (:func:`_decide_failures`) and adds its edges to per-skill counts, never
    storing the texts.  The texts are cut into work items of ``_ITEM`` texts,
    handed to the threads as they become free (the caller sets numba's
    parallel chunk size to 1): a thread slowed by other processes on its core
    does less of the work.  ``local_degrees`` / ``local_failed`` are
    ``(threads, n_skills)`` uint32 scratch arrays, one row per numba thread
    (``numba.get_thread_id()``; the caller allocates ``numba.get_num_threads()``
    rows); the caller keeps ``n_texts * k < 2**32`` so they cannot overflow.
    Alias draws with random failures are counted per column instead, in
    ``(threads, n_skills)`` uint64 pairs allocated here (see
    :func:`_pair_increment`; the scratch rows may then have no columns).
    Results are added to the int64 arrays ``degrees`` and ``failed_edges`` in
    place: integer sums, so the same for any number of threads, any schedule
    and any chunking.  Returns the number of failed texts.
    """
    threads, width = local_degrees.shape
    n_skills = degrees.shape[0]
    n = np.uint64(n_skills)
    per_column = use_alias and mode == MODE_RANDOM
    keys = (key[0], key[1], fail_key[0], fail_key[1])
    # One parallel loop per call and nothing else parallel: each parallel region ends
    # in a barrier, and on a busy machine a barrier waits for a descheduled thread.
    # (Array expressions such as ``a[:] = 0``, ``np.zeros`` or ``a.sum()`` would each
    # be one.)
    columns = n_skills if per_column else 0
    pairs = np.empty((threads, columns), dtype=np.uint64)
    failed_pairs = np.empty((threads, columns), dtype=np.uint64)
    n_failed = np.empty(threads, dtype=np.int64)
    for t in range(threads):
        n_failed[t] = 0
        for s in range(width):
            local_degrees[t, s] = 0
            local_failed[t, s] = 0
        for c in range(columns):
            pairs[t, c] = 0
            failed_pairs[t, c] = 0
    scratch = _block_scratch(threads, k)
    rule = (mode, _below53(theta), status, fraction)
    thresholds = _thresholds32(packed[:columns])
    for item in nb.prange((n_texts + _ITEM - 1) // _ITEM):
        tid = nb.get_thread_id()
        deg = local_degrees[tid]
        fail = local_failed[tid]
        pair = pairs[tid]
        failed_pair = failed_pairs[tid]
        rows = _scratch_rows(scratch, tid)
        _, _, skills, coins, _, failed = rows
        total_failed = 0
        for b0 in _item_blocks(item, n_texts):
            m = min(_BLOCK, n_texts - b0)
            _block_draws(
                keys, first_text + b0, m, k, n, packed, thresholds, use_alias, per_column,
                rule, rows, deg, pair, True,
            )  # fmt: skip
            for w in range((m + 63) // 64):
                bits = failed[w]
                while bits:
                    i, bits = _next_failed(bits)
                    b = w * 64 + i
                    total_failed += 1
                    for j in range(k):
                        e = j * m + b
                        c = np.uint64(skills[e])
                        if per_column:
                            failed_pair[c] += _pair_increment(thresholds, c, np.uint64(coins[e]))
                        else:
                            fail[c] += np.uint32(1)
        n_failed[tid] += total_failed
    # O(threads n_skills), serial: small beside a chunk's O(chunk k) draws
    _add_column_counts(pairs, packed, degrees)
    _add_column_counts(failed_pairs, packed, failed_edges)
    total_failed = 0
    for t in range(threads):
        total_failed += n_failed[t]
        for s in range(width):
            degrees[s] += np.int64(local_degrees[t, s])
            failed_edges[s] += np.int64(local_failed[t, s])
    return total_failed


def stream_draws_only(key, fail_key, first_text, n_texts, k, n_skills, packed, use_alias, theta):
    """:func:`stream_counts` (random failures) with the counting stripped: the random draws alone.

    Same work items, blocks, draws and failure decisions, no counting (alias
    draws: the columns, coins and threshold loads of the per-column counting,
    summed instead of counted); returns a checksum so that nothing is
    optimised away.  The benchmark's "hardware limit" for the streaming kernel.
    """
    return _stream_draws_only(
        key, fail_key, first_text, n_texts, k, n_skills, packed, use_alias, theta,
        nb.get_num_threads(),
    )  # fmt: skip


@nb.njit(parallel=True, cache=True)
def _stream_draws_only(
    key, fail_key, first_text, n_texts, k, n_skills, packed, use_alias, theta, threads
):
    n = np.uint64(n_skills)
    keys = (key[0], key[1], fail_key[0], fail_key[1])
    n_items = (n_texts + _ITEM - 1) // _ITEM
    sums = np.empty(n_items, dtype=np.uint64)
    rule = (MODE_RANDOM, _below53(theta), np.zeros(1, dtype=np.uint8), 0.0)
    no_counts = np.zeros(1, dtype=np.uint32)
    no_pairs = np.zeros(1, dtype=np.uint64)
    scratch = _block_scratch(threads, k)
    thresholds = _thresholds32(packed)
    for item in nb.prange(n_items):
        rows = _scratch_rows(scratch, nb.get_thread_id())
        _, _, skills, _, _, failed = rows
        check = np.uint64(0)
        for b0 in _item_blocks(item, n_texts):
            m = min(_BLOCK, n_texts - b0)
            check += _block_draws(
                keys, first_text + b0, m, k, n, packed, thresholds, use_alias, use_alias, rule,
                rows, no_counts, no_pairs, False,
            )  # fmt: skip
            check += failed[0] + np.uint64(skills[m * k - 1])
        sums[item] = check
    total = np.uint64(0)
    for item in range(n_items):  # a plain loop: no second parallel region
        total += sums[item]
    return total


@nb.njit(cache=True)
def alias_table(probs):
    """Walker's alias table by Vose's construction, O(n).

    Returns ``(threshold, alias)`` (uint64, int64): draw ``s`` uniform and a
    32-bit coin ``c``; the result is ``s`` if ``c < threshold[s]`` else
    ``alias[s]``.  Thresholds are probabilities scaled to ``2**32``;
    ``2**32`` means always keep.  Stacks are processed last-in first-out,
    from the initial ascending lists of small and large entries.
    """
    n = probs.shape[0]
    scaled = probs * n
    threshold = np.zeros(n, dtype=np.uint64)
    alias = np.arange(n).astype(np.int64)
    small = np.empty(n, dtype=np.int64)
    large = np.empty(n, dtype=np.int64)
    n_small = 0
    n_large = 0
    for i in range(n):
        if scaled[i] < 1.0:
            small[n_small] = i
            n_small += 1
        else:
            large[n_large] = i
            n_large += 1
    while n_small > 0 and n_large > 0:
        n_small -= 1
        s = small[n_small]
        g = large[n_large - 1]
        v = scaled[s] * 4294967296.0
        if v <= 0.0:
            threshold[s] = 0
        elif v >= 4294967296.0:
            threshold[s] = _ALWAYS
        else:
            threshold[s] = np.uint64(v)
        alias[s] = g
        scaled[g] -= 1.0 - scaled[s]
        if scaled[g] < 1.0:
            n_large -= 1
            small[n_small] = g
            n_small += 1
    for i in range(n_small):  # numerically ~1: always keep
        threshold[small[i]] = _ALWAYS
    for i in range(n_large):
        threshold[large[i]] = _ALWAYS
    return threshold, alias


@nb.njit(parallel=True, cache=True)
def counting_sort_by_skill(text_indptr, text_indices, n_skills):
    """Skill-side CSR of a text-side CSR, by a parallel counting sort (O(n_edges + n_skills)).

    Each skill's text list (int32 text ids) comes out sorted ascending; an edge
    of multiplicity m appears m times.  The texts are split into contiguous parts; each part
    counts its edges per skill, the counts are turned into per-(skill, part)
    starting positions (parts in text order within each skill), and each part
    fills its positions in text order: the output is the same for any number
    of parts or threads.  Extra memory: ``parts * n_skills`` int64, with at
    most ``_CSR_PARTS`` parts and fewer when skills outnumber edges / 8.
    """
    n_texts = text_indptr.shape[0] - 1
    n_edges = text_indices.shape[0]
    parts = max(1, min(_CSR_PARTS, n_edges // (8 * n_skills + 1), n_texts))
    per = (n_texts + parts - 1) // parts
    counts = np.zeros((parts, n_skills), dtype=np.int64)
    for p in nb.prange(parts):
        lo = min(p * per, n_texts)
        hi = min(lo + per, n_texts)
        row = counts[p]
        for e in range(text_indptr[lo], text_indptr[hi]):
            row[text_indices[e]] += 1
    indptr = np.empty(n_skills + 1, dtype=np.int64)
    total = 0
    for s in range(n_skills):
        indptr[s] = total
        for p in range(parts):
            c = counts[p, s]
            counts[p, s] = total  # from here on: part p's next position in skill s
            total += c
    indptr[n_skills] = total
    # int32 text ids: half the memory of the largest array a search holds beside the graph
    if n_texts > 2**31 - 1:
        raise ValueError("the skill-side CSR holds text ids as int32: at most 2**31 - 1 texts")
    indices = np.empty(n_edges, dtype=np.int32)
    for p in nb.prange(parts):
        lo = min(p * per, n_texts)
        hi = min(lo + per, n_texts)
        fill = counts[p]
        for t in range(lo, hi):
            for e in range(text_indptr[t], text_indptr[t + 1]):
                s = text_indices[e]
                indices[fill[s]] = np.int32(t)
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


# ---------------------------------------------------------------------------
# Adversary kernels on a materialised graph (text-side CSR).  With ``k > 0``
# the graph is regular and text ``t`` holds slots ``t k .. t k + k - 1``: the
# row pointers are not read (one cache miss less per text visited out of order).
# Each replaces a numpy expression of the adversary searches that built
# O(n_edges) temporaries (a gathered copy of the slots, an owner array, a float
# copy of the weights): the same numbers, computed in one pass over the slots
# with O(n_texts) or O(n_skills) memory.
# ---------------------------------------------------------------------------


@nb.njit(inline="always", cache=True)
def _slot_range(indptr, k, t):
    """Slots ``first .. last - 1`` of text ``t`` (``k > 0``: a regular graph)."""
    if k > 0:
        return t * k, t * k + k
    return indptr[t], indptr[t + 1]


#: rows below which the row kernels run serially: on a busy machine a parallel region
#: waits at its barrier for a descheduled thread, far longer than a small pass takes
_SERIAL_ROWS = 1 << 18


def row_sums(indptr, indices, k, weights, out, rows=None, positive=False, plus=None):
    """``out[r]`` = sum of ``weights[skill]`` over the slots of text ``rows[r]`` (all texts
    when ``rows`` is None); with ``positive`` only the positive weights; with ``plus``
    (float64, by text) ``plus[text]`` is added to the sum.

    The sums are accumulated in ``out``'s dtype slot by slot from 0 (float32
    weights into float64 ``out``: each converted exactly), so they equal a
    ``bincount`` of the gathered weights bit for bit, for any number of
    threads, and ``sum + plus[text]`` is the float addition numpy would do
    after.  Integer weights into an integer ``out`` count slots exactly.
    One pass over the CSR arrays, no temporary of the size of the slots.
    """
    use_rows = rows is not None
    rows = np.asarray(rows, dtype=np.int64) if use_rows else np.zeros(0, dtype=np.int64)
    use_plus = plus is not None
    plus = plus if use_plus else np.zeros(0, dtype=np.float64)
    n = out.shape[0]
    kernel = _row_sums_serial if n < _SERIAL_ROWS or nb.get_num_threads() == 1 else _row_sums
    with _dynamic_schedule():
        kernel(indptr, indices, k, rows, use_rows, weights, positive, plus, use_plus, out)
    return out


@nb.njit(inline="always", cache=True)
def _row_sums_range(indptr, indices, k, rows, use_rows, weights, positive, plus, use_plus, out,
                    lo, hi):  # fmt: skip
    for r in range(lo, hi):
        t = rows[r] if use_rows else r
        out[r] = 0
        first, last = _slot_range(indptr, k, t)
        for e in range(first, last):
            w = weights[indices[e]]
            if not positive or w > 0:
                out[r] += w
        if use_plus:
            out[r] += plus[t]


@nb.njit(cache=True)
def _row_sums_serial(indptr, indices, k, rows, use_rows, weights, positive, plus, use_plus, out):
    _row_sums_range(indptr, indices, k, rows, use_rows, weights, positive, plus, use_plus, out,
                    0, out.shape[0])  # fmt: skip


@nb.njit(parallel=True, cache=True)
def _row_sums(indptr, indices, k, rows, use_rows, weights, positive, plus, use_plus, out):
    n = out.shape[0]
    parts = min(_SAMPLER_PARTS, n)
    per = (n + parts - 1) // parts if parts > 0 else 0
    for part in nb.prange(parts):
        lo = part * per
        _row_sums_range(indptr, indices, k, rows, use_rows, weights, positive, plus, use_plus,
                        out, lo, min(lo + per, n))  # fmt: skip


_DIGIT = np.uint64(2047)  # the 11 bits of one radix pass


@nb.njit(inline="always", cache=True)
def _radix_pass(keys, idx, keys_out, idx_out, shift, count):
    """One stable counting-sort pass of ``(keys, idx)`` by the 11 bits of the keys from
    ``shift`` into ``(keys_out, idx_out)``; returns whether it moved anything (a digit
    that all keys share is skipped)."""
    count[:] = 0
    for i in range(keys.shape[0]):
        count[(keys[i] >> shift) & _DIGIT] += 1
    if count.max() == keys.shape[0]:
        return False
    total = 0
    for d in range(2048):
        c = count[d]
        count[d] = total
        total += c
    for i in range(keys.shape[0]):
        d = (keys[i] >> shift) & _DIGIT
        keys_out[count[d]] = keys[i]
        idx_out[count[d]] = idx[i]
        count[d] += 1
    return True


@nb.njit(inline="always", cache=True)
def _radix_passes(buffers, n_bits, count):
    """The radix passes over the low ``n_bits`` bits of the keys, 11 bits a pass.

    ``buffers = (keys, idx, keys_out, idx_out)``; returns them in the same
    roles after the passes: ``keys`` sorted (stably) and ``idx`` moved with
    them, the other two free for further passes.
    """
    keys, idx, keys_out, idx_out = buffers
    for shift in range(0, n_bits, 11):
        if _radix_pass(keys, idx, keys_out, idx_out, np.uint64(shift), count):
            idx, idx_out, keys, keys_out = idx_out, idx, keys_out, keys
    return keys, idx, keys_out, idx_out


@nb.njit(cache=True)
def order_by_key(keys):
    """Positions ordered by the uint64 ``keys`` ascending (stable), by an LSD radix sort
    of 11 bits a pass that skips the digits all keys share; ``keys`` is reordered."""
    n = keys.shape[0]
    buffers = (keys, np.arange(n), np.empty(n, dtype=np.uint64), np.empty(n, dtype=np.int64))
    return _radix_passes(buffers, 64, np.empty(2048, dtype=np.int64))[1]


@nb.njit(cache=True)
def order_by_score(score, rank):
    """Positions ordered by ``score`` descending, then ``rank`` ascending: the order of
    ``np.lexsort((rank, -score))`` for scores ``>= 0`` and distinct ranks ``>= 0``.

    An LSD radix sort, 11 bits a pass, keys moved with the positions: the
    ranks first, then the scores' bits (for non-negative floats their order
    as integers), inverted; digits that all entries share are skipped.  O(n)
    for the millions of candidates a claim ranks, several times faster than
    the comparison sort.
    """
    n = score.shape[0]
    count = np.empty(2048, dtype=np.int64)
    buffers = (rank.astype(np.uint64), np.arange(n), np.empty(n, dtype=np.uint64),
               np.empty(n, dtype=np.int64))  # fmt: skip
    keys, idx, keys_out, idx_out = _radix_passes(buffers, 33, count)  # ranks < 2**31
    bits = score.view(np.uint64)
    for i in range(n):
        keys[i] = ~bits[idx[i]]
    return _radix_passes((keys, idx, keys_out, idx_out), 64, count)[1]


@nb.njit(cache=True)
def rows_skill_counts(indptr, indices, k, rows, n_skills):
    """``bincount`` of the skills of the text pieces ``rows`` (int64, with multiplicity)."""
    out = np.zeros(n_skills, dtype=np.int64)
    for r in range(rows.shape[0]):
        first, last = _slot_range(indptr, k, rows[r])
        for e in range(first, last):
            out[indices[e]] += 1
    return out


@nb.njit(cache=True)
def quota_pick(indptr, indices, k, ranked, quota, budget):
    """Texts of ``ranked`` (best first) claimed by the skills' quotas, at most ``budget``.

    Slot by slot in rank order, each skill with ``quota[s] > 0`` claims the
    texts holding its first ``quota[s]`` slots (a text with two slots of
    ``s`` takes one place in the count per slot); a text is picked when one
    of its skills claims it.  Returns the first ``budget`` picked texts, in
    rank order.
    """
    seen = np.zeros(quota.shape[0], dtype=np.int64)
    out = np.empty(min(ranked.shape[0], max(budget, 0)), dtype=np.int64)
    n_out = 0
    for r in range(ranked.shape[0]):
        if n_out >= out.shape[0]:
            break
        t = ranked[r]
        picked = False
        first, last = _slot_range(indptr, k, t)
        for e in range(first, last):
            s = indices[e]
            if quota[s] > 0:
                if seen[s] < quota[s]:
                    picked = True
                seen[s] += 1
        if picked:
            out[n_out] = t
            n_out += 1
    return out[:n_out]


@nb.njit(cache=True)
def over_surplus(indptr, indices, k, ranked, member, surplus):
    """Per text of ``ranked``: True when, counting the member slots of the texts up to and
    including it, one of its member skills ``s`` exceeds ``surplus[s]``."""
    used = np.zeros(member.shape[0], dtype=np.int64)
    out = np.zeros(ranked.shape[0], dtype=np.bool_)
    for r in range(ranked.shape[0]):
        first, last = _slot_range(indptr, k, ranked[r])
        for e in range(first, last):
            s = indices[e]
            if member[s]:
                used[s] += 1
                if used[s] > surplus[s]:
                    out[r] = True
    return out


@nb.njit(cache=True)
def lowest_ranked(mask, rank, count):
    """The ``count`` texts of ``mask`` of smallest ``rank`` (ascending ids; ranks distinct).

    A histogram of the masked ranks by their high bits finds the bucket of the
    ``count``-th smallest, whose few ranks are sorted for the exact cut: two
    passes over the texts and no array of the size of the mask's texts.
    """
    n = mask.shape[0]
    shift = 0
    while (n >> shift) > (1 << 16):
        shift += 1
    hist = np.zeros((n >> shift) + 1, dtype=np.int64)
    for t in range(n):
        if mask[t]:
            hist[rank[t] >> shift] += 1
    before = 0
    b = 0
    while before + hist[b] < count:
        before += hist[b]
        b += 1
    inside = np.empty(hist[b], dtype=np.int64)
    j = 0
    for t in range(n):
        if mask[t] and (rank[t] >> shift) == b:
            inside[j] = rank[t]
            j += 1
    cut = np.sort(inside)[count - before - 1]
    out = np.empty(count, dtype=np.int64)
    j = 0
    for t in range(n):
        if mask[t] and rank[t] <= cut:
            out[j] = t
            j += 1
    return out


@nb.njit(cache=True)
def bucket_ranks(values, rank):
    """``rank[i]`` = position of ``values[i]`` in ascending order, for values spread evenly
    over ``[0, max]`` (a bucket sort: one value per bucket on average, O(n)).

    Returns False, leaving ``rank`` unspecified, when two values are equal:
    their order is then the caller's to decide.
    """
    n = values.shape[0]
    top = 0.0
    for i in range(n):
        top = max(top, values[i])
    scale = n / top if top > 0 else 0.0
    start = np.zeros(n + 1, dtype=np.int32)
    for i in range(n):
        start[min(int(values[i] * scale), n - 1) + 1] += 1  # monotone in the value
    for b in range(n):
        start[b + 1] += start[b]
    order = np.empty(n, dtype=np.int32)
    for i in range(n):
        b = min(int(values[i] * scale), n - 1)
        order[start[b]] = i
        start[b] += 1
    lo = 0
    for b in range(n):  # insertion sort of each bucket (start[b]: its end now)
        hi = start[b]
        for j in range(lo + 1, hi):
            item = order[j]
            v = values[item]
            q = j
            while q > lo and values[order[q - 1]] > v:
                order[q] = order[q - 1]
                q -= 1
            order[q] = item
        lo = hi
    for j in range(n):
        if j > 0 and values[order[j]] == values[order[j - 1]]:
            return False
        rank[order[j]] = j
    return True


@nb.njit(parallel=True, cache=True)
def row_min_counts(indptr, indices, k, values, empty, out):
    """``out[t]`` = least ``values[skill]`` over the slots of text ``t`` (``empty`` for a
    text without slots); returns how many texts have each least value (int64,
    ``empty + 1`` entries: values in ``0 .. empty``).

    The deficit failure model's earliest unlearned skill per text, without the
    gathered per-slot copy of the values (the size of the slots) nor an int64
    copy of ``out`` for the histogram.  Parts of the texts count into their own
    rows, summed in part order: the same for any number of threads.
    """
    n = out.shape[0]
    parts = max(1, min(_SAMPLER_PARTS, n // (16 * (empty + 1) + 1)))
    per = (n + parts - 1) // parts
    local = np.zeros((parts, empty + 1), dtype=np.int64)
    for part in nb.prange(parts):
        row = local[part]
        for t in range(part * per, min((part + 1) * per, n)):
            least = empty
            first, last = _slot_range(indptr, k, t)
            for e in range(first, last):
                least = min(least, values[indices[e]])
            out[t] = least
            row[least] += 1
    return local.sum(axis=0)


# ---------------------------------------------------------------------------
# The targeted adversary on the stream (skillgraph.audit.streamed).  A batch
# of nested skill sets S_0 c S_1 c ... (sizes ascending) is attacked at once.
# Each skill carries its ``bucket``: the first set it belongs to, so that X_z,
# the slots of a text in S_z, is the number of its slots with bucket <= z.
# Few slots fall in any set of a batch: a pass costs one stream of draws plus
# one table look-up per slot, and only the texts with a slot in some set do
# work beyond that.  The look-up adds ``2**20 + bucket`` (0 for a skill in no
# set) into a per-text sum, a vectorised gather-and-add: the sum is 0 for a
# text with no slot in the batch and below 2**21 exactly when it has one such
# slot, whose bucket is then the low bits (most listed texts), so only texts
# with two or more slots in the batch sort their buckets.  The first pass
# counts, for each x, how many texts have their x-th smallest bucket at each
# size: X_z >= x for a text exactly when that bucket is <= z, so the
# histograms of X_z for every z are prefix sums of these counts (one count
# per slot in the batch, whatever the number of sizes).  The second fails the
# text under z when X_z > tau_z, or X_z = tau_z and its tie draw is below
# cut_z, and counts its k slots as runs over z (+1 where a run of failures
# starts, -1 where it ends before the last size).  With a single size X is
# the sum's count of slots: the first pass histograms it as is, and the
# second's listing applies the rule itself (the listed texts are the failure
# set).  The tie draw of text i is
# the top 53 bits of its own stream under a separate key: the failure set is
# a function of the keys alone, for any threads, chunks or shards.  Where the
# time goes: benchmarks/bench_check.py --only passes.
# ---------------------------------------------------------------------------

_ONE_SLOT = 1 << 20  # the look-up's unit: a sum below 2 * _ONE_SLOT has one slot in the batch
_BUCKET_BITS = np.uint64(_ONE_SLOT - 1)
_S20 = np.uint64(20)


def stream_targeted_pass(
    key, tie_key, first_text, n_texts, k, packed, use_alias, rank, sizes, tau, cut,
    hist, counts, n_failed,
):  # fmt: skip
    """One pass of the streamed targeted adversary over texts ``first_text ..``.

    ``rank`` (int32, one per skill; ``n_skills`` or more for a skill in no set)
    and ``sizes`` (ascending, the batch) fix the sets ``S_z = {s : rank[s] <
    sizes[z]}``.  With an empty ``tau`` it adds each size's histogram of
    ``X_z`` to ``hist`` (int64, ``(Z, k + 1)``); otherwise it adds each size's
    failed slots per skill to ``counts`` (int64, ``(Z, n_skills)``) and its
    failed texts to ``n_failed`` (int64, ``(Z,)``), ``tau`` (int64) and
    ``cut`` (uint64, ``2**53`` scale) giving the rule.  Integer sums in place:
    the same for any number of threads and any split of the texts.
    O(threads Z n_skills) memory.
    """
    sizes = np.asarray(sizes, dtype=np.int64)
    if np.any(np.diff(sizes) < 0):
        raise ValueError("sizes must be ascending")
    if tau.shape[0] and np.any(np.diff(tau) < 0):
        raise ValueError("tau must be nondecreasing in the size (nested sets)")
    bucket = np.searchsorted(sizes, np.asarray(rank, dtype=np.int64), side="right")
    table = np.where(bucket < sizes.shape[0], _ONE_SLOT + bucket, 0).astype(np.uint32)
    threads = nb.get_num_threads()
    with _dynamic_schedule():
        _stream_targeted_pass(
            key, tie_key, first_text, n_texts, k, packed, use_alias, table, sizes.shape[0],
            tau, cut, hist, counts, n_failed, threads,
        )  # fmt: skip


@nb.njit(inline="always", cache=True)
def _slot_sums(table, skills, m, k, sums):
    """``sums[b]`` = the sum of ``table`` over text ``b``'s skills (uint64; slot-major rows)."""
    mu = np.uint64(m)
    for b in range(mu):
        sums[b] = np.uint64(table[skills[b]])
    for j in range(1, k):
        row = np.uint64(j) * mu
        for b in range(mu):
            sums[b] += np.uint64(table[skills[row + b]])


# which texts of a block _list_texts lists
_ANY_SLOT = 0  # a slot in the batch (the first pass)
_MAY_FAIL = 1  # those that can fail under some size (the second)
_EVERY = 2  # all (the second, when texts with no slot in the batch can fail)
_FAILS = 3  # those that fail (the second, one size: X is the text's count of slots)


@nb.njit(inline="always", cache=True)
def _list_texts(sums, ties, m, screen, listed):
    """The texts of the block that need a closer look, into ``listed``; their number.

    ``screen = (mode, above, tie_below)``.  ``_MAY_FAIL``: texts with a slot
    in the batch and more such slots than ``above`` (the smallest ``tau``) or
    a tie draw below ``tie_below`` (the largest cut); ``sums >> 20`` never
    counts fewer slots than there are.  ``_FAILS`` (a single size, where
    ``sums >> 20`` is X): the rule itself, ``X > tau`` or ``X = tau`` and a
    tie draw below the cut.  Branch free: a test per text would be
    mispredicted for many of them.
    """
    mode, above, tie_below = screen
    n_listed = 0
    for b in range(m):
        total = sums[b]
        listed[n_listed] = b
        if mode == _ANY_SLOT:
            keep = total != 0
        elif mode == _FAILS:
            x = total >> _S20
            keep = (x > above) | ((x == above) & (ties[b] < tie_below))
        else:
            keep = (total != 0) & (((total >> _S20) > above) | (ties[b] < tie_below))
        n_listed += np.int64(keep | (mode == _EVERY))
    return n_listed


@nb.njit(inline="always", cache=True)
def _text_buckets(table, skills, m, k, b, total, mine):
    """The buckets of text ``b``'s slots in the batch, sorted into ``mine``; their number."""
    if total == 0:
        return 0
    if total >> _S20 == 1:  # one slot in the batch: its bucket is in the low bits
        mine[0] = np.int64(total & _BUCKET_BITS)
        return 1
    r = 0
    for j in range(k):
        v = np.uint64(table[skills[j * m + b]])
        if v:
            c = np.int64(v & _BUCKET_BITS)
            i = r  # insertion sort: a text has few such slots
            while i > 0 and mine[i - 1] > c:
                mine[i] = mine[i - 1]
                i -= 1
            mine[i] = c
            r += 1
    return r


@nb.njit(inline="always", cache=True)
def _add_run(diff, skills, m, k, b, lower, upper, n_sizes):
    """Text ``b``'s slots fail for sizes ``lower .. upper - 1``: +1 at lower, -1 at upper."""
    for j in range(k):
        diff[lower, skills[j * m + b]] += 1
    if upper < n_sizes:  # the prefix sums over sizes never read row n_sizes
        for j in range(k):
            diff[upper, skills[j * m + b]] -= 1


@nb.njit(inline="always", cache=True)
def _close_run(diff, failed, skills, m, k, b, lower, upper):
    """Text ``b`` fails for sizes ``lower .. upper - 1``: its slots and itself counted."""
    _add_run(diff, skills, m, k, b, lower, upper, failed.shape[0] - 1)
    failed[lower] += 1
    failed[upper] -= 1


@nb.njit(inline="always", cache=True)
def _fail_runs(diff, failed, skills, m, k, b, mine, r, tau_at, cut, u):
    """Add text ``b``'s runs of failures over the sizes to ``diff`` and ``failed``.

    The text fails under size ``zi`` when ``X > tau[zi]``, or ``X = tau[zi]``
    and its tie draw ``u`` is below ``cut[zi]``.  ``tau_at[x]`` is the first
    size with ``tau >= x`` (tau grows with the size): on a stretch of sizes
    where ``X = x`` the text fails below ``tau_at[x]``, compares ``u`` with
    the cut up to ``tau_at[x + 1]``, and fails nowhere after that until X
    grows -- sizes one at a time only where they tie.
    """
    n_sizes = cut.shape[0]
    run = -1  # first size of the current run of failures
    x = 0
    lo = 0 if tau_at[1] > 0 else mine[0]  # X = 0 can fail only where tau = 0
    while x < r and mine[x] <= lo:
        x += 1
    while True:
        hi = mine[x] if x < r else n_sizes  # X = x on sizes lo .. hi - 1
        if lo < min(hi, tau_at[x]):  # tau < X: fails
            if run < 0:
                run = lo
            lo = min(hi, tau_at[x])
        for zi in range(lo, min(hi, tau_at[x + 1])):  # tau = X: the tie draw decides
            fails = u < cut[zi]
            if fails != (run >= 0):
                if fails:
                    run = zi
                else:
                    _close_run(diff, failed, skills, m, k, b, run, zi)
                    run = -1
            lo = zi + 1
        if lo < hi and run >= 0:  # tau > X: no failure until X grows
            _close_run(diff, failed, skills, m, k, b, run, lo)
            run = -1
        if x == r:
            break
        lo = hi
        while x < r and mine[x] <= lo:
            x += 1
    if run >= 0:
        _close_run(diff, failed, skills, m, k, b, run, n_sizes)


@nb.njit(inline="always", cache=True)
def _tie_draws(tkey0, tkey1, first, m, out):
    """``out[b]`` = the tie draw of text ``first + b``: 53 bits of its own stream (vectorised)."""
    for b in range(m):
        out[b] = _stream_start(tkey0, tkey1, first + b) >> _S11


@nb.njit(parallel=True, cache=True)
def _stream_targeted_pass(
    key, tie_key, first_text, n_texts, k, packed, use_alias, table, n_sizes, tau, cut,
    hist, counts, n_failed, threads,
):  # fmt: skip
    n_skills = counts.shape[1]
    n = np.uint64(table.shape[0])
    key0, key1 = key[0], key[1]
    second = tau.shape[0] > 0
    # tau is nondecreasing in the size (the sets are nested): a text with no slot in any
    # set can fail only under the first n_zero sizes, those with tau = 0
    n_zero = 0
    while second and n_zero < n_sizes and tau[n_zero] == 0:
        n_zero += 1
    # a text that fails somewhere has more slots than tau[0], or a tie draw below some cut
    tie_below = np.uint64(0)
    for zi in range(tau.shape[0]):  # a loop, not cut.max(): no second parallel region
        tie_below = max(tie_below, cut[zi])
    screen = (_ANY_SLOT, np.uint64(0), tie_below)
    if second:
        mode = _FAILS if n_sizes == 1 else (_EVERY if n_zero > 0 else _MAY_FAIL)
        screen = (mode, np.uint64(tau[0]), cut[0] if mode == _FAILS else tie_below)
    tau_at = np.full(k + 2, n_sizes, dtype=np.int64)  # tau_at[x]: first size with tau >= x
    for zi in range(tau.shape[0] - 1, -1, -1):
        for x in range(min(tau[zi], k + 1) + 1):
            tau_at[x] = zi
    # per thread: texts whose x-th smallest bucket is zi (first pass); failed slots per
    # skill as runs over the sizes (second; no columns in the first)
    nth = np.zeros((threads, k, n_sizes), dtype=np.int64)
    diff = np.zeros((threads, n_sizes + 1, n_skills), dtype=np.int64)
    local_failed = np.zeros((threads, n_sizes + 1), dtype=np.int64)
    scratch = _block_scratch(threads, k)
    no_counts = np.zeros(1, dtype=np.uint32)
    for item in nb.prange((n_texts + _ITEM - 1) // _ITEM):
        tid = nb.get_thread_id()
        start, sums, skills, _, _, _ = _scratch_rows(scratch, tid)
        ties = np.zeros(_BLOCK, dtype=np.uint64)  # not read in the first pass
        thread_diff = diff[tid]
        mine = np.empty(k + 1, dtype=np.int64)
        listed = np.empty(_BLOCK, dtype=np.int64)
        # the item's own counters, added to the thread's at its end: counters of two
        # threads side by side in memory would share cache lines (written per text)
        item_nth = np.zeros((k, n_sizes), dtype=np.int64)
        item_failed = np.zeros(n_sizes + 1, dtype=np.int64)
        lo = item * _ITEM
        hi = min(lo + _ITEM, n_texts)
        for b0 in range(lo, hi, _BLOCK):
            m = min(_BLOCK, hi - b0)
            first = first_text + b0
            _generate_block(
                key0, key1, first, m, k, n, packed, use_alias, start, sums, skills, no_counts,
                False,
            )  # fmt: skip
            _slot_sums(table, skills, m, k, sums)
            if second:
                _tie_draws(tie_key[0], tie_key[1], first, m, ties)
            for q in range(_list_texts(sums, ties, m, screen, listed)):
                b = listed[q]
                if n_sizes == 1:  # X is the sum's count of slots: no buckets to sort
                    if second:  # the listing applied the rule: the listed texts fail
                        _close_run(thread_diff, item_failed, skills, m, k, b, 0, 1)
                    for x in range(0 if second else np.int64(sums[b] >> _S20)):
                        item_nth[x, 0] += 1
                    continue
                r = _text_buckets(table, skills, m, k, b, sums[b], mine)
                if second:
                    _fail_runs(
                        thread_diff, item_failed, skills, m, k, b, mine, r, tau_at, cut, ties[b],
                    )  # fmt: skip
                else:
                    for x in range(r):
                        item_nth[x, mine[x]] += 1
        for zi in range(n_sizes + 1):
            local_failed[tid, zi] += item_failed[zi]
        for x in range(k):
            for zi in range(n_sizes):
                nth[tid, x, zi] += item_nth[x, zi]
    _pass_totals(n_texts, nth, diff, local_failed, second, hist, counts, n_failed)


@nb.njit(inline="always", cache=True)
def _pass_totals(n_texts, nth, diff, local_failed, second, hist, counts, n_failed):
    """The pass's per-thread counters into ``hist``, ``counts`` and ``n_failed`` (serial:
    O(threads Z (n_skills + k)), small beside the texts)."""
    threads, k, n_sizes = nth.shape
    for t in range(threads):
        running = 0
        for zi in range(n_sizes):
            running += local_failed[t, zi]
            n_failed[zi] += running
        if second:
            for s in range(counts.shape[1]):
                running = 0
                for zi in range(n_sizes):
                    running += diff[t, zi, s]
                    counts[zi, s] += running
    if second:
        return
    # at_least[x] = texts with X_z >= x: those whose x-th smallest bucket is <= zi
    at_least = np.zeros(k + 2, dtype=np.int64)
    at_least[0] = n_texts
    for zi in range(n_sizes):
        for x in range(k):
            for t in range(threads):
                at_least[x + 1] += nth[t, x, zi]
        for x in range(k + 1):
            hist[zi, x] += at_least[x] - at_least[x + 1]
