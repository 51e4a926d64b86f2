"""The sharp worst case: the exact limit ``alpha_sharp`` and certificate C.

Theorem 1 (:doc:`/theory/theorem1`) takes a union bound over every failure set
``Y``.  For a fixed skill set ``S`` that union is slack: the ``Y`` that helps
``S`` most is simply the ``m = round(theta n_texts)`` text pieces with the most
slots in ``S``.  This module computes what is left without it
(:doc:`/theory/sharp`):

* :func:`~skillgraph.theory.share.top_share`, the share ``G_k(a, theta) / (k a)``
  of the edges of a set of skills of mass ``a`` that the best ``theta``-fraction
  of text pieces holds;
* :func:`alpha_sharp`, the exact limit of the worst bad fraction,
  ``sup {a : G_k(a, theta) >= beta k a}``, and :func:`sharp_bound`, the same as a
  result object beside ``alpha_star``;
* :func:`~skillgraph.theory.sharp_certificate.certified_sharp`, certificate C: a
  rigorous finite-size bound on the number of bad skills with no union over
  ``Y``, which tends to ``alpha_sharp``.

Conventions (broadcasting, Python scalars for scalar input, errors naming the
parameter) are those of :mod:`skillgraph.theory.bound_values`.  Pure
numpy/scipy; never imports numba.

The share is monotone
---------------------
``G_k(a, theta) / (k a)`` is non-increasing in ``a`` (the proof is in
:mod:`skillgraph.theory.share`).  So the set where
the condition holds is an initial segment and ``alpha_sharp`` is its unique
end.  The solver does not rely on this: it scans a grid, takes the *last* grid
point where the condition holds, bisects the bracket that follows it, and
reports (``condition_is_interval`` of :class:`SharpBound`) whether the scan found the
condition set to be an initial segment of the grid.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from skillgraph._display import Display, JsonRecord
from skillgraph._validation import (
    all_scalar,
    check_int,
    check_probability,
    scalar_or_array,
)
from skillgraph.theory._text import bound_repr
from skillgraph.theory.bounds import alpha_star
from skillgraph.theory.share import share_rows, top_share, validated
from skillgraph.theory.sharp_certificate import (
    certified_sharp,
    chernoff_log_bounds,
    sharp_log_bounds,
)

# top_share (skillgraph.theory.share) and certificate C (skillgraph.theory.sharp_certificate)
# are re-exported: code imports them from here
__all__ = [
    "SharpBound",
    "alpha_sharp",
    "certified_sharp",
    "chernoff_log_bounds",
    "sharp_bound",
    "sharp_log_bounds",
    "top_share",
]

#: points of the scan that brackets the last sign change (endpoints included)
SCAN_POINTS = 129
#: steps of the continuous bisection (the bracket shrinks by 2**-64: below one ulp)
_BISECT_STEPS = 64
#: rows x (k + 1) cells per block of the vectorised share (about 8 MB per array)


def _scan_and_bisect(theta, beta, k, n):
    """Largest ``u`` in ``[lo, hi]`` with share ``>= beta``, for 1-D non-trivial rows.

    Returns ``(u, holds_at_hi, interval)``.  Continuous ``u = a`` with
    replacement, integer ``u = z`` without (``n`` given).
    """
    rows = theta.size
    if n is None:
        lo = -np.expm1(np.log1p(-theta) / k)  # P[X >= 1] = theta: share exactly 1
        hi = theta / beta
        grid = lo[:, None] + (hi - lo)[:, None] * np.linspace(0.0, 1.0, SCAN_POINTS)
    else:
        lo = np.ones(rows)
        hi = np.minimum(np.floor(theta * n / beta), n).astype(np.float64)
        grid = np.round(lo[:, None] + (hi - lo)[:, None] * np.linspace(0.0, 1.0, SCAN_POINTS))
    grid[:, -1] = hi  # exact endpoint

    def holds(u, rep):
        share = share_rows(u.ravel(), np.repeat(theta, rep), np.repeat(k, rep),
                            None if n is None else np.repeat(n, rep))  # fmt: skip
        return share.reshape(u.shape) >= np.repeat(beta, rep).reshape(u.shape)

    cond = holds(grid, SCAN_POINTS)
    any_true = cond.any(axis=1)
    last = SCAN_POINTS - 1 - np.argmax(cond[:, ::-1], axis=1)
    last = np.where(any_true, last, -1)
    cols = np.arange(SCAN_POINTS)
    interval = np.all(cond == (cols[None, :] <= last[:, None]), axis=1)
    at_hi = last == SCAN_POINTS - 1
    value = np.where(any_true, grid[np.arange(rows), np.maximum(last, 0)], 0.0)
    todo = np.flatnonzero(any_true & ~at_hi)
    if todo.size:
        a = grid[todo, last[todo]]
        b = grid[todo, last[todo] + 1]
        th, kk, be = theta[todo], k[todo], beta[todo]
        nn = None if n is None else n[todo]
        for _ in range(_BISECT_STEPS if n is None else 64):
            if n is None:
                mid = 0.5 * (a + b)
            else:
                if not (b - a > 1).any():
                    break
                mid = np.floor(0.5 * (a + b))
            ok = share_rows(mid, th, kk, nn) >= be
            a = np.where(ok, mid, a)
            b = np.where(ok, b, mid)
        value[todo] = a
    if n is not None:
        value = value / n
    return value, at_hi, interval


def _alpha_sharp_arrays(theta, beta, k, n):
    """Vectorised core on validated broadcast arrays: ``(value, vacuous, interval)``."""
    shape = theta.shape
    th, be, kk = theta.ravel(), beta.ravel(), k.ravel()
    nn = None if n is None else n.ravel()
    value = np.ones(th.size)
    vacuous = np.ones(th.size, dtype=bool)
    interval = np.ones(th.size, dtype=bool)
    idx = np.flatnonzero(be > th)  # beta <= theta: every skill can be bad (value 1)
    if nn is not None:
        # G <= theta k caps z at theta n / beta: below one skill, no set can be all bad
        none = (be > th) & (th * nn < be)
        value[none], vacuous[none] = 0.0, False
        idx = np.flatnonzero((be > th) & ~none)
    if idx.size:
        v, at_hi, ok = _scan_and_bisect(th[idx], be[idx], kk[idx], None if nn is None else nn[idx])
        value[idx], vacuous[idx], interval[idx] = v, at_hi, ok
    return value.reshape(shape), vacuous.reshape(shape), interval.reshape(shape)


def alpha_sharp(theta, beta, k, *, replace: bool = True, n_skills=None):
    """The sharp worst case: the limit of the largest bad fraction of skills.

    ``alpha_sharp = sup {a in (0, 1] : G_k(a, theta) >= beta k a}`` with ``G``
    the top-``theta`` sum of :func:`~skillgraph.theory.share.top_share`; ``1`` when
    ``beta <= theta``.
    For the uniform skill measure, fixed ``k`` and ``n_texts / n_skills -> inf``,
    the largest fraction of skills that any failure set of measure ``theta``
    leaves with ``fail(s) > beta`` converges to it (up to the rounding of the
    number of skills); for any other skill measure ``mu1`` the same holds with
    bad skills counted by their ``mu1``-mass (:ref:`theory-sharp-any-measure`).
    Always at most :func:`~skillgraph.theory.bounds.alpha_star`.

    Parameters
    ----------
    theta : float or array_like
        Failure rate, in ``(0, 1)``.
    beta : float or array_like
        Threshold, in ``(0, 1)``: bad means ``fail(s) > beta``.
    k : int or array_like of int
        Skills per text piece, ``>= 1``.
    replace : bool, default True
        Skills drawn with replacement (the paper) or ``k`` distinct skills.
    n_skills : int or array_like of int, optional
        Required with ``replace=False`` (the hypergeometric law depends on it;
        then the supremum runs over ``a = z / n_skills``, ``z`` integer, and
        ``k <= n_skills``); refused with ``replace=True``.

    Returns
    -------
    float or numpy.ndarray
        Broadcast over the inputs; a ``float`` when all inputs are scalars.
        Equals the edge-counting value ``theta / beta`` (``floor(theta n /
        beta) / n`` without replacement) when even that mass satisfies the
        condition (for instance ``k = 1``), see :func:`sharp_bound`.

    Raises
    ------
    TypeError, ValueError
        Non-numeric input, ``theta`` or ``beta`` outside ``(0, 1)``, NaN,
        ``k < 1``, ``n_skills`` missing or superfluous, ``k > n_skills``
        without replacement, shapes that do not broadcast.

    Notes
    -----
    :ref:`theory-sharp-law`.  The condition holds on ``(0, a0]``,
    ``a0 = 1 - (1 - theta)^(1/k)`` (share 1), and fails beyond ``theta / beta``
    (``G <= theta k``).  The solver evaluates it on a grid of
    ``SCAN_POINTS`` points of ``[a0, theta / beta]``, takes the last grid
    point where it holds and bisects the following bracket to one ulp (integer
    bisection without replacement).  It does not assume that the condition set
    is an interval; :func:`sharp_bound` reports whether the scan found it to be
    one (it always is: the module docstring proves the share monotone).

    Complexity: ``(SCAN_POINTS + 64) * (k + 1)`` operations per element,
    vectorised over elements in blocks of bounded memory.

    Examples
    --------
    >>> round(alpha_sharp(0.1, 0.5, 8), 4)
    0.0315
    >>> alpha_sharp(0.1, [0.5, 0.05], 8).round(4)
    array([0.0315, 1.    ])
    """
    scalar = all_scalar(theta, beta, k, n_skills)
    th, be, kk, nn = validated(replace, n_skills, theta=theta, beta=beta, k=k)
    value, _, _ = _alpha_sharp_arrays(th, be, kk, nn)
    return scalar_or_array(value, scalar)


@dataclass(frozen=True, repr=False)
class SharpBound(Display, JsonRecord):
    """The sharp worst case for one ``(theta, beta, k)``, beside the paper's bound.

    Attributes
    ----------
    value : float
        ``alpha_sharp``: the limit of the worst bad fraction of skills.
    vacuous : bool
        True when ``value`` is just the edge-counting value ``min(theta/beta, 1)``
        (``beta <= theta``, ``k = 1``, ...): no gain from the structure of the graph.
    averaging : float
        ``min(theta / beta, 1)``.
    alpha_star : float
        The paper's bound (Theorem 1, KL form) for the same inputs.
    looseness : float
        ``alpha_star / value``: how far the paper's bound lies above the truth
        (``inf`` if ``value`` is 0).
    condition_is_interval : bool
        Whether the solver's scan found ``{a : G_k(a, theta) >= beta k a}`` to be
        an initial segment of its grid (it must be; see the module docstring).
    theta, beta : float
        The inputs.
    k : int
        Skills per text piece.
    replace : bool
        Sampling with replacement.
    n_skills : int or None
        Number of skills (only without replacement).
    """

    value: float
    vacuous: bool
    averaging: float
    alpha_star: float
    looseness: float
    condition_is_interval: bool
    theta: float
    beta: float
    k: int
    replace: bool
    n_skills: int | None

    @property
    def inputs(self) -> dict:
        """The arguments the bound was computed from."""
        return {"theta": self.theta, "beta": self.beta, "k": self.k,
                "replace": self.replace, "n_skills": self.n_skills}  # fmt: skip

    def __repr__(self) -> str:
        n = "" if self.replace else f", n_skills={self.n_skills}"
        return bound_repr(
            self,
            f"value={self.value:.6g}",
            f"alpha_star={self.alpha_star:.6g}, looseness={self.looseness:.4g}, "
            f"theta={self.theta:g}, beta={self.beta:g}, k={self.k}, replace={self.replace}{n}",
        )


def sharp_bound(theta, beta, k, *, replace: bool = True, n_skills=None) -> SharpBound:
    """:func:`alpha_sharp` for scalar inputs, as a result object beside ``alpha_star``.

    Parameters
    ----------
    theta, beta, k, replace, n_skills
        As in :func:`alpha_sharp`, scalars only.

    Returns
    -------
    SharpBound
        Value, vacuity flag, the averaging bound, the paper's ``alpha_star``
        (KL form) and the ratio of the two.

    Raises
    ------
    TypeError, ValueError
        As in :func:`alpha_sharp`, and for array input.

    Notes
    -----
    :ref:`theory-sharp-law`.  Cost of one :func:`alpha_sharp` and one
    ``alpha_star`` solve.

    Examples
    --------
    >>> r = sharp_bound(0.1, 0.5, 8)
    >>> round(r.value, 4), round(r.alpha_star, 4), round(r.looseness, 2)
    (0.0315, 0.0832, 2.64)
    """
    theta = check_probability("theta", theta)
    beta = check_probability("beta", beta)
    k = check_int("k", k, 1)
    if n_skills is not None:
        n_skills = check_int("n_skills", n_skills, 1)
    th, be, kk, nn = validated(replace, n_skills, theta=theta, beta=beta, k=k)
    value, vacuous, interval = _alpha_sharp_arrays(th, be, kk, nn)
    value = float(value)
    star = float(alpha_star(theta, beta, k))
    return SharpBound(
        value=value,
        vacuous=bool(vacuous),
        averaging=min(theta / beta, 1.0),
        alpha_star=star,
        looseness=star / value if value > 0 else math.inf,
        condition_is_interval=bool(interval),
        theta=theta,
        beta=beta,
        k=k,
        replace=bool(replace),
        n_skills=n_skills,
    )
