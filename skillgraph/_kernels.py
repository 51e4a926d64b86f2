"""numba kernels: random skill draws, streaming counts, alias tables, counting sorts.

Randomness here is *counter based*: every text piece ``i`` owns its own stream,
a SplitMix64 sequence started at a state hashed from ``(key, i)``.  A text's
skills therefore depend only on the key and on ``i``, never on which thread or
chunk drew it, so results are identical for any number of threads and any
chunking (design.md, Randomness).  SplitMix64 passes BigCrush.  Under the
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
  (``skillgraph.stream``), O(threads n_skills) memory; ``stream_draws_only``
  is the same kernel without the counting, the benchmark's hardware limit;
* ``bernoulli_failures`` (the random failure rule of streaming, materialised),
* ``alias_table`` (Vose, O(n)), ``skill_degrees``, ``failed_edge_counts`` (parallel),
  ``counting_sort_by_skill`` (skill-side CSR), ``cooccurrence_counts``.

All kernels are compiled with ``cache=True``; the first call in a fresh
checkout compiles them (tens of seconds for all), later processes load the
cache (a fraction of a second).
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


# ---------------------------------------------------------------------------
# Block generation: the hot path of the materialised sampler and of streaming.
#
# Text pieces are generated ``_BLOCK`` at a time, slot-major: the loop over the
# texts of a block is innermost, so LLVM vectorises the SplitMix64 mixing and
# the Lemire product (AVX2/AVX-512 where the CPU has them).  Uniform draws take
# one 32-bit word each, so one mixed output serves two slots; alias draws take
# a whole output (column and coin), and their table look-up runs in a separate
# scalar pass over the block, written branch free (the coin is a fair coin
# flip for many skills: a branch would be mispredicted half the time).
# The result is bit-identical to the scalar per-text sequence of
# ``_draw_skill``: a text whose draws might need Lemire's rejection step (the
# cheap pre-test ``low < n``, probability ``n / 2**32`` per draw) is redrawn
# by the scalar code.  Packed alias entries hold ``threshold | alias << 33``
# (the threshold needs 33 bits: ``2**32`` means "always keep").
# ---------------------------------------------------------------------------

_BLOCK = 256  # texts per block: buffers of a few kB stay in L1
_MASK33 = np.uint64((1 << 33) - 1)
_S11 = np.uint64(11)
_S33 = np.uint64(33)
_INV53 = 1.0 / 9007199254740992.0  # 2**-53: top 53 bits of a draw -> uniform in [0, 1)
_ALWAYS = np.uint64(1 << 32)
_SAMPLER_PARTS = 64  # contiguous ranges of blocks in the parallel materialised sampler
_CSR_PARTS = 16  # at most this many parallel parts in the skill-side counting sort
_ITEM = 64 * _BLOCK  # texts per work item of the streaming kernels (~0.1 ms at k = 8)

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
def _uniform_rows(m, n32, start, step, words, skills, row):
    """Two slots of uniform draws for texts ``0 .. m - 1`` of a block, from one output each.

    The high word of output ``start[b] + step`` goes to ``skills[row + b]``,
    its low word to ``skills[row + m + b]``.  Returns a nonzero value when some
    draw may need Lemire's rejection step.  (The output is stored in
    ``words`` between the two passes: one pass writing both rows vectorises
    poorly.)
    """
    maybe_rejected = np.uint64(0)
    for b in range(m):
        words[b] = _mix64(start[b] + step)
    for b in range(m):
        prod = (words[b] >> _S32) * n32
        skills[row + b] = np.uint32(prod >> _S32)
        maybe_rejected |= np.uint64((prod & _LOW32) < n32)
    row += m
    for b in range(m):
        prod = (words[b] & _LOW32) * n32
        skills[row + b] = np.uint32(prod >> _S32)
        maybe_rejected |= np.uint64((prod & _LOW32) < n32)
    return maybe_rejected


@nb.njit(inline="always", cache=True)
def _generate_block(key0, key1, first, m, k, n, packed, use_alias, start, words, skills):
    """Skills of texts ``first .. first + m - 1`` into ``skills[j * m + b]`` (slot-major).

    Identical to drawing each text with ``_stream_start`` and ``k`` calls of
    ``_draw_skill`` (with replacement).  ``start`` and ``words`` (uint64) are
    scratch buffers of at least ``m`` entries.
    """
    # n < 2**32: written as a zero-extended 32-bit value, so that LLVM multiplies
    # 32 x 32 -> 64 bits (one vpmuludq) instead of a full 64-bit product
    n32 = np.uint64(np.uint32(n))
    for b in range(m):
        start[b] = _stream_start(key0, key1, first + b)
    maybe_rejected = np.uint64(0)
    if use_alias:
        for j in range(k):
            step = np.uint64(j + 1) * _GAMMA
            row = j * m
            for b in range(m):
                x = _mix64(start[b] + step)
                prod = (x >> _S32) * n32
                skills[row + b] = np.uint32(prod >> _S32)
                words[b] = x & _LOW32  # the coin
                maybe_rejected |= np.uint64((prod & _LOW32) < n32)
            for b in range(m):
                s = np.uint64(skills[row + b])
                p = packed[s]
                # keep s when coin < threshold: then coin - threshold wraps around and
                # its high half is all ones; arithmetic, not a select, which LLVM would
                # turn back into a branch
                keep = (words[b] - (p & _MASK33)) >> _S32
                other = p >> _S33
                skills[row + b] = np.uint32(other ^ ((s ^ other) & keep))
    else:
        for jj in range(k // 2):
            maybe_rejected |= _uniform_rows(
                m, n32, start, np.uint64(jj + 1) * _GAMMA, words, skills, 2 * jj * m
            )
        if k % 2:
            step = np.uint64(k // 2 + 1) * _GAMMA
            row = (k - 1) * m
            for b in range(m):
                prod = (_mix64(start[b] + step) >> _S32) * n32
                skills[row + b] = np.uint32(prod >> _S32)
                maybe_rejected |= np.uint64((prod & _LOW32) < n32)
    if maybe_rejected:
        # rare (probability ~ m k n / 2**32 per block): find the texts whose draws may
        # need Lemire's rejection step and redraw them exactly, one at a time
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
def _decide_failures(
    fkey0, fkey1, first, m, k, mode, theta, status, fraction, skills, flags, failed
):
    """Which texts of a block fail; their block offsets go to ``failed``, the count is returned.

    ``random``: text ``i`` fails when the first output of its failure stream
    (key ``fkey``, independent of the skill key) is below ``theta``.
    ``deficit``: it fails when one of its skills is unlearned, or, for each
    slot holding the partly learned skill, with probability ``fraction``
    (successive outputs of its failure stream) -- per-skill error rates
    ``p_s`` in {0, fraction, 1}, theory.md §6.
    """
    if mode == MODE_RANDOM:
        for b in range(m):
            u = (_stream_start(fkey0, fkey1, first + b) >> _S11) * _INV53
            flags[b] = np.uint8(u < theta)
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
    nf = 0
    for b in range(m):
        if flags[b]:
            failed[nf] = b
            nf += 1
    return nf


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
    # hand the parts to whichever thread is free (dynamic scheduling), see stream.py
    previous = nb.get_parallel_chunksize()
    nb.set_parallel_chunksize(1)
    try:
        fill_text_skills(
            out, key, first_text, n_skills, alias_threshold, alias_index, probs, use_alias,
            replace, indptr, local,
        )  # fmt: skip
    finally:
        nb.set_parallel_chunksize(previous)
    degrees = local.sum(axis=0, dtype=np.int64) if fuse_degrees else None
    return out, (indptr if with_csr else None), degrees


@nb.njit(parallel=True, cache=True)
def fill_text_skills(
    out,
    key,
    first_text,
    n_skills,
    alias_threshold,
    alias_index,
    probs,
    use_alias,
    replace,
    indptr,
    local_degrees,
):
    """Fill ``out`` (``(n_texts, k)`` int32) with the skills of texts ``first_text ..``.

    With replacement the texts are drawn in vectorised blocks
    (``_generate_block``), in parallel over contiguous ranges of blocks;
    without replacement one text at a time, rejecting duplicates.  When
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
    packed = pack_alias(alias_threshold, alias_index, use_alias)
    if replace:
        n_blocks = (n_texts + _BLOCK - 1) // _BLOCK
        # a fixed number of contiguous parts (not the thread count, which would keep the
        # kernel out of numba's cache); prange shares them among the threads
        parts = min(_SAMPLER_PARTS, n_blocks)
        per = (n_blocks + parts - 1) // parts if parts > 0 else 0
        for part in nb.prange(parts):
            start = np.empty(_BLOCK, dtype=np.uint64)
            words = np.empty(_BLOCK, dtype=np.uint64)
            skills = np.empty(_BLOCK * k, dtype=np.uint32)
            if count:
                deg = local_degrees[nb.get_thread_id()]
            for blk in range(part * per, min((part + 1) * per, n_blocks)):
                b0 = blk * _BLOCK
                m = min(_BLOCK, n_texts - b0)
                _generate_block(
                    key0, key1, first_text + b0, m, k, n, packed, use_alias, start, words, skills
                )
                # slot-major block -> row-major rows, counting degrees on the way
                if count:
                    for b in range(m):
                        for j in range(k):
                            s = skills[j * m + b]
                            out[b0 + b, j] = np.int32(s)
                            deg[s] += np.uint32(1)
                else:
                    for b in range(m):
                        for j in range(k):
                            out[b0 + b, j] = np.int32(skills[j * m + b])
                if fill_indptr:
                    for b in range(m):
                        indptr[b0 + b] = (b0 + b) * k
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
    parts = min(_SAMPLER_PARTS, n)
    per = (n + parts - 1) // parts if parts > 0 else 0
    for part in nb.prange(parts):
        for i in range(part * per, min((part + 1) * per, n)):
            out[i] = (_stream_start(key0, key1, i) >> _S11) * _INV53 < theta


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


def failed_edge_counts(text_indptr, text_indices, failed, n_skills):
    """For each skill, its edge slots in failed texts (int64); O(failed edges + n_texts).

    In parallel over contiguous parts of the texts (per-thread count rows,
    summed: the same for any number of threads) when the graph is large beside
    ``n_skills``; serially otherwise.
    """
    threads = nb.get_num_threads()
    n_texts = text_indptr.shape[0] - 1
    if threads == 1 or threads * n_skills * 16 > n_texts:
        return _failed_edge_counts_serial(text_indptr, text_indices, failed, n_skills)
    local = np.zeros((threads, n_skills), dtype=np.int64)
    previous = nb.get_parallel_chunksize()
    nb.set_parallel_chunksize(1)
    try:
        _failed_edge_counts_parallel(text_indptr, text_indices, failed, local)
    finally:
        nb.set_parallel_chunksize(previous)
    return local.sum(axis=0)


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
    Results are added to the int64 arrays ``degrees`` and ``failed_edges`` in
    place: integer sums, so the same for any number of threads, any schedule
    and any chunking.  Returns the number of failed texts.
    """
    threads, n_skills = local_degrees.shape
    n = np.uint64(n_skills)
    key0 = key[0]
    key1 = key[1]
    fkey0 = fail_key[0]
    fkey1 = fail_key[1]
    # One parallel loop per call and nothing else parallel: each parallel region ends
    # in a barrier, and on a busy machine a barrier waits for a descheduled thread.
    # (Array expressions such as ``a[:] = 0`` or ``a.sum()`` would each be one.)
    for t in range(threads):
        for s in range(n_skills):
            local_degrees[t, s] = 0
            local_failed[t, s] = 0
    n_failed = np.empty(threads, dtype=np.int64)
    for t in range(threads):
        n_failed[t] = 0
    n_items = (n_texts + _ITEM - 1) // _ITEM
    for item in nb.prange(n_items):
        tid = nb.get_thread_id()
        deg = local_degrees[tid]
        fail = local_failed[tid]
        start = np.empty(_BLOCK, dtype=np.uint64)
        words = np.empty(_BLOCK, dtype=np.uint64)
        skills = np.empty(_BLOCK * k, dtype=np.uint32)
        flags = np.empty(_BLOCK, dtype=np.uint8)
        failed = np.empty(_BLOCK, dtype=np.int64)
        lo = item * _ITEM
        hi = min(lo + _ITEM, n_texts)
        total_failed = 0
        for b0 in range(lo, hi, _BLOCK):
            m = min(_BLOCK, hi - b0)
            first = first_text + b0
            _generate_block(key0, key1, first, m, k, n, packed, use_alias, start, words, skills)
            nf = _decide_failures(
                fkey0, fkey1, first, m, k, mode, theta, status, fraction, skills, flags, failed
            )
            for e in range(m * k):
                deg[skills[e]] += np.uint32(1)
            for q in range(nf):
                b = failed[q]
                for j in range(k):
                    fail[skills[j * m + b]] += np.uint32(1)
            total_failed += nf
        n_failed[tid] += total_failed
    # O(threads n_skills), serial: small beside a chunk's O(chunk k) draws
    total_failed = 0
    for t in range(threads):
        total_failed += n_failed[t]
        for s in range(n_skills):
            degrees[s] += np.int64(local_degrees[t, s])
            failed_edges[s] += np.int64(local_failed[t, s])
    return total_failed


@nb.njit(parallel=True, cache=True)
def stream_draws_only(key, fail_key, first_text, n_texts, k, n_skills, packed, use_alias, theta):
    """:func:`stream_counts` (random failures) with the counting stripped: the random draws alone.

    Same work items, blocks, generation and failure decisions, no per-skill
    counting; returns a checksum so that nothing is optimised away.  The
    benchmark's "hardware limit" for the streaming kernel.
    """
    n = np.uint64(n_skills)
    key0 = key[0]
    key1 = key[1]
    fkey0 = fail_key[0]
    fkey1 = fail_key[1]
    n_items = (n_texts + _ITEM - 1) // _ITEM
    sums = np.empty(n_items, dtype=np.int64)
    status = np.empty(1, dtype=np.uint8)
    status[0] = 0
    for item in nb.prange(n_items):
        start = np.empty(_BLOCK, dtype=np.uint64)
        words = np.empty(_BLOCK, dtype=np.uint64)
        skills = np.empty(_BLOCK * k, dtype=np.uint32)
        flags = np.empty(_BLOCK, dtype=np.uint8)
        failed = np.empty(_BLOCK, dtype=np.int64)
        lo = item * _ITEM
        hi = min(lo + _ITEM, n_texts)
        check = 0
        for b0 in range(lo, hi, _BLOCK):
            m = min(_BLOCK, hi - b0)
            first = first_text + b0
            _generate_block(key0, key1, first, m, k, n, packed, use_alias, start, words, skills)
            nf = _decide_failures(
                fkey0, fkey1, first, m, k, MODE_RANDOM, theta, status, 0.0, skills, flags, failed
            )
            check += nf + np.int64(skills[m * k - 1])
        sums[item] = check
    total = 0
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

    Each skill's text list comes out sorted ascending; an edge of multiplicity
    m appears m times.  The texts are split into contiguous parts; each part
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
    indices = np.empty(n_edges, dtype=np.int64)
    for p in nb.prange(parts):
        lo = min(p * per, n_texts)
        hi = min(lo + per, n_texts)
        fill = counts[p]
        for t in range(lo, hi):
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
