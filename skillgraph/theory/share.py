"""The top-``theta`` share ``G_k(a, theta) / (k a)`` of a skill set's edges.

For a set ``S`` of skills of mass ``a``, :func:`top_share` is the share of the
edges of ``S`` that the best ``theta``-fraction of text pieces holds
(:doc:`/theory/sharp`).  It is the quantity behind the sharp worst case
:func:`~skillgraph.theory.sharp.alpha_sharp` and certificate C
(:func:`~skillgraph.theory.sharp_certificate.certified_sharp`), which share its
pmf helpers and argument checks from here.

Conventions (broadcasting, Python scalars for scalar input, errors naming the
parameter) are those of :mod:`skillgraph.theory.bound_values`.  Pure
numpy/scipy; never imports numba.

The share is monotone
---------------------
``G_k(a, theta) / (k a)`` is non-increasing in ``a`` (with replacement, and in
the number of marked skills without).  Proof by thinning: keep each of the
``X ~ Binomial(k, a)`` marked slots with probability ``r = a' / a`` to get
``X' ~ Binomial(k, a')``; selecting by the optimal rule for ``X`` captures
``r G_k(a, theta)`` of ``X'`` in expectation, and ``G_k(a', theta)`` is the
best any (even randomised) rule of mass ``theta`` does, so
``G_k(a') / (k a') >= G_k(a) / (k a)``.  Unmarking a random subset of the marked
skills gives the same argument for the hypergeometric law.  So the set where
``G_k(a, theta) >= beta k a`` holds is an initial segment, and
:func:`~skillgraph.theory.sharp.alpha_sharp` is its unique end.
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln, xlog1py, xlogy

from skillgraph._validation import (
    all_scalar,
    broadcast_with_n_skills,
    int_array,
    real_array,
    scalar_or_array,
)

__all__ = ["top_share"]

#: rows x (k + 1) cells per block of the vectorised share (about 8 MB per array)
BLOCK_CELLS = 1 << 20


def _log_choose_k(k: np.ndarray, width: int) -> np.ndarray:
    """``log C(k, j)``, ``j = 0..width-1``, one row per entry of ``k`` (``-inf`` for ``j > k``).

    Computed once per distinct ``k`` (rows mostly share one) and gathered.
    """
    distinct, inverse = np.unique(k, return_inverse=True)
    j = np.arange(width, dtype=np.float64)
    kk = distinct[:, None].astype(np.float64)
    table = gammaln(kk + 1.0) - gammaln(j + 1.0) - gammaln(np.maximum(kk - j, 0.0) + 1.0)
    return np.where(j <= kk, table, -np.inf)[inverse.ravel()]


def log_pmf(u: np.ndarray, k: np.ndarray, n: np.ndarray | None, width: int) -> np.ndarray:
    """``log P[X = j]``, ``j = 0..width-1``, one row per entry of ``u`` (``-inf`` off support).

    With replacement (``n is None``) ``X ~ Binomial(k, u)``.  Without,
    ``X ~ Hypergeometric``: ``k`` draws from ``n`` skills of which ``u`` are
    marked, written with falling factorials ``[z]_j = prod_{i<j} (z - i)``
    accumulated in log space, so huge ``n`` loses no precision to cancelling
    ``gammaln`` terms.
    """
    j = np.arange(width, dtype=np.float64)
    kk = k[:, None].astype(np.float64)
    log_choose = _log_choose_k(k, width)
    if n is None:
        a = u[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            logp = log_choose + xlogy(j, a) + xlog1py(np.maximum(kk - j, 0.0), -a)
        return np.where(j <= kk, logp, -np.inf)
    z = u[:, None].astype(np.float64)
    nn = n[:, None].astype(np.float64)
    i = np.arange(width - 1, dtype=np.float64)

    def log_falling(top: np.ndarray) -> np.ndarray:
        # [top]_j for j = 0..width-1; -inf once a factor reaches 0
        with np.errstate(divide="ignore"):
            steps = np.log(np.maximum(top - i, 0.0))
        return np.concatenate([np.zeros((top.shape[0], 1)), np.cumsum(steps, axis=1)], axis=1)

    lz, lrest, ln = log_falling(z), log_falling(nn - z), log_falling(nn)
    kint = k.astype(np.int64)
    rows = np.arange(u.shape[0])[:, None]
    other = np.clip(kint[:, None] - np.arange(width), 0, width - 1)
    logp = log_choose + lz + lrest[rows, other] - ln[rows, kint[:, None]]
    return np.where(j <= kk, logp, -np.inf)


def _share_block(u, theta, k, n) -> np.ndarray:
    """``G_k / E[X]`` for one block of rows (see :func:`share_rows`)."""
    width = int(k.max()) + 1
    p = np.exp(log_pmf(u, k, n, width))
    # P[X >= t] and E (X - t)_+ = sum_{v > t} P[X >= v]: sums of positive terms
    # accumulated from the tail, so no cancellation even far in the tail.
    tail = np.cumsum(p[:, ::-1], axis=1)[:, ::-1]
    excess = np.cumsum(tail[:, :0:-1], axis=1)[:, ::-1]
    excess = np.concatenate([excess, np.zeros((u.shape[0], 1))], axis=1)
    t = np.arange(width, dtype=np.float64)
    g = np.min(theta[:, None] * t + excess, axis=1)
    # E X as summed here (tau = 0 is one of the candidates), so the share is <= 1 exactly
    return g / excess[:, 0]


def share_rows(u, theta, k, n=None) -> np.ndarray:
    """``G_k(a, theta) / (k a)`` for 1-D rows, in blocks of bounded memory.

    ``u`` is the mass ``a`` with replacement (``n is None``), the number of
    marked skills ``z`` without.  Rows are processed sorted by ``k`` so a block
    pads to a ``k`` close to its own.  The minimum over ``tau`` of the convex
    piecewise-linear ``theta tau + E (X - tau)_+`` is attained at an integer,
    so the integers ``0..k`` suffice.  Cost O(rows * k).
    """
    out = np.empty(u.shape[0])
    order = np.argsort(k, kind="stable")
    start = 0
    while start < order.size:
        width = int(k[order[start]]) + 1
        stop = min(order.size, start + max(1, BLOCK_CELLS // width))
        # the block pads to its largest k; stop early if that would blow the budget
        while stop - start > 1 and (stop - start) * (int(k[order[stop - 1]]) + 1) > 4 * BLOCK_CELLS:
            stop = start + (stop - start) // 2
        idx = order[start:stop]
        out[idx] = _share_block(u[idx], theta[idx], k[idx], None if n is None else n[idx])
        start = stop
    return out


def check_replace(replace) -> bool:
    if not isinstance(replace, (bool, np.bool_)):
        raise TypeError(f"replace must be a bool, got {type(replace).__name__} {replace!r}")
    return bool(replace)


# how each array argument is checked: (low, high, open_low, open_high), or an integer >= 1
_RANGES = {"a": (0.0, 1.0, True, False), "theta": (0.0, 1.0, True, True),
           "beta": (0.0, 1.0, True, True)}  # fmt: skip


def validated(replace, n_skills, **named):
    """Validate and broadcast the ``named`` arrays (ranges in ``_RANGES``; ``k`` integer).

    Returns the broadcast arrays in the order given, then ``n`` (None with
    replacement, where ``n_skills`` is refused: the law does not depend on it).
    """
    replace = check_replace(replace)
    arrays = {
        name: int_array(name, value, 1) if name == "k" else real_array(name, value, *_RANGES[name])
        for name, value in named.items()
    }
    return broadcast_with_n_skills(arrays, replace, n_skills)


def top_share(a, theta, k, *, replace: bool = True, n_skills=None):
    """Share of a skill set's edges that the best ``theta``-fraction of text pieces holds.

    For a set ``S`` of skills of mass ``a``, let ``X`` be the number of slots of
    a random text piece that hold a skill of ``S``.  The top-``theta`` share is

    ``G_k(a, theta) / (k a)``,  ``G_k(a, theta) = min_tau [theta tau + E (X - tau)_+]``,

    the expected number of ``S``-slots in the best ``theta``-fraction of text
    pieces, per text, divided by its total ``E X = k a``.

    Parameters
    ----------
    a : float or array_like
        Mass of ``S``, in ``(0, 1]``.  Without replacement ``a * n_skills``
        must be an integer (the number of marked skills).
    theta : float or array_like
        Fraction of text pieces selected, in ``(0, 1)``.
    k : int or array_like of int
        Skills per text piece, ``>= 1``.
    replace : bool, default True
        ``True``: ``X ~ Binomial(k, a)`` (the paper's model).  ``False``:
        ``X ~ Hypergeometric(n_skills, a n_skills, k)`` (``k`` distinct skills).
    n_skills : int or array_like of int, optional
        Number of skills; required with ``replace=False``, refused otherwise.

    Returns
    -------
    float or numpy.ndarray
        The share, in ``[theta, 1]``; ``1`` while ``P[X >= 1] <= theta``.

    Raises
    ------
    TypeError, ValueError
        Non-numeric input, values out of range, ``n_skills`` missing or
        superfluous, ``a n_skills`` not an integer, ``k > n_skills`` without
        replacement, shapes that do not broadcast.

    Notes
    -----
    :ref:`theory-sharp-share`.  ``theta tau + E (X - tau)_+`` is convex and
    piecewise linear in ``tau`` with kinks at the integers, so ``G`` is the
    minimum over ``tau = 0..k``, computed exactly from the pmf as a finite sum
    (tail sums accumulated from the top, no cancellation).  O(k) per element.

    Examples
    --------
    >>> top_share(0.01, 0.5, 8)
    1.0
    >>> round(top_share(1.0, 0.1, 8), 12)
    0.1
    """
    scalar = all_scalar(a, theta, k, n_skills)
    aa, th, kk, nn = validated(replace, n_skills, a=a, theta=theta, k=k)
    u = aa
    if nn is not None:
        u = aa * nn
        if (np.abs(u - np.round(u)) > 1e-9 * np.maximum(u, 1.0)).any():
            bad = aa.ravel()[np.argmax(np.abs(u - np.round(u)).ravel())]
            raise ValueError(
                f"a * n_skills must be an integer without replacement (a number of skills), "
                f"got a={bad!r}"
            )
        u = np.round(u)
    shape = aa.shape
    share = share_rows(u.ravel(), th.ravel(), kk.ravel(), None if nn is None else nn.ravel())
    return scalar_or_array(share.reshape(shape), scalar)
