"""Seeds: one normalisation for every random function in skillgraph.

Every random function takes ``seed``: ``None`` (fresh OS entropy), an ``int``,
a :class:`numpy.random.SeedSequence` or a :class:`numpy.random.Generator`.
Parallel work derives independent streams from a ``SeedSequence`` keyed by the
index of the work item (``child_seed``), so results never depend on how the
work is split among workers or threads.  No global RNG is ever seeded.
"""

from __future__ import annotations

import numbers

import numpy as np

from skillgraph._validation import MAX_SEED

SeedLike = "int | np.random.SeedSequence | np.random.Generator | None"


def as_seed_sequence(seed) -> np.random.SeedSequence:
    """Return a ``SeedSequence`` for ``seed``.

    A ``Generator`` is consumed once (one 128-bit draw) so that the caller's
    generator advances, as with any other random call.
    """
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, np.random.Generator):
        return np.random.SeedSequence(seed.integers(0, 2**63, size=2, dtype=np.int64).tolist())
    if seed is None:
        return np.random.SeedSequence()
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(
            f"seed must be None, an int in [0, 2**63), a numpy SeedSequence or a numpy "
            f"Generator, got {type(seed).__name__} {seed!r}"
        )
    if not 0 <= seed < MAX_SEED:
        raise ValueError(f"seed must be an int in [0, 2**63), got {seed}")
    return np.random.SeedSequence(int(seed))


def as_generator(seed) -> np.random.Generator:
    """Return a ``numpy.random.Generator`` for ``seed`` (a Generator is returned as is)."""
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(as_seed_sequence(seed))


def child_seed(seed_sequence: np.random.SeedSequence, *key: int) -> np.random.SeedSequence:
    """The child of ``seed_sequence`` keyed by ``key``, independent of how many siblings exist.

    Equivalent to the ``key``-th element of ``seed_sequence.spawn(...)`` when
    the sequence has not spawned before, but O(1) and order free.
    """
    return np.random.SeedSequence(
        seed_sequence.entropy,
        spawn_key=tuple(seed_sequence.spawn_key) + tuple(int(i) for i in key),
        pool_size=seed_sequence.pool_size,
    )


def kernel_key(seed_sequence: np.random.SeedSequence) -> np.ndarray:
    """Two 64-bit words of key material for the counter-based generator in ``_kernels``."""
    return seed_sequence.generate_state(2, dtype=np.uint64)
