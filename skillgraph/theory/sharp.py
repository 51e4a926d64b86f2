"""The sharp worst case: the exact limit ``alpha_sharp`` and certificate C.

Theorem 1 (:doc:`/theory/theorem1`) takes a union bound over every failure set
``Y``.  For a fixed skill set ``S`` that union is slack: the ``Y`` that helps
``S`` most is simply the ``m = round(theta n_texts)`` text pieces with the most
slots in ``S``.  This module computes what is left without it
(:doc:`/theory/sharp`):

* :func:`top_share`, the share ``G_k(a, theta) / (k a)`` of the edges of a set
  of skills of mass ``a`` that the best ``theta``-fraction of text pieces holds;
* :func:`alpha_sharp`, the exact limit of the worst bad fraction,
  ``sup {a : G_k(a, theta) >= beta k a}``, and :func:`sharp_bound`, the same as a
  result object beside ``alpha_star``;
* :func:`certified_sharp`, certificate C: a rigorous finite-size bound on the
  number of bad skills with no union over ``Y``, which tends to ``alpha_sharp``.

Conventions are those of :mod:`skillgraph.theory.bounds`: inputs broadcast like
numpy ufuncs, all-scalar input gives Python scalars, bad input raises a
``TypeError``/``ValueError`` naming the parameter before any work.  Pure
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
the condition holds is an initial segment and ``alpha_sharp`` is its unique
end.  The solver does not rely on this: it scans a grid, takes the *last* grid
point where the condition holds, bisects the bracket that follows it, and
reports (``condition_is_interval`` of :class:`SharpBound`) whether the scan found the
condition set to be an initial segment of the grid.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
from scipy.special import gammaln, logsumexp, xlog1py, xlogy

from skillgraph._display import Display
from skillgraph._validation import (
    all_scalar,
    broadcast_with_n_skills,
    check_int,
    check_probability,
    int_array,
    real_array,
    scalar_or_array,
)
from skillgraph.theory.bounds import alpha_star
from skillgraph.theory.certificate_base import (
    Certificate,
    check_certificate_args,
    log_binomial,
    rounding_slack,
)

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
_BLOCK_CELLS = 1 << 20
#: tau grid of certificate C: multiples of 1/_TAU_STEPS in [0, k] (contains 0..k)
TAU_STEPS = 8
#: iterations of the safeguarded Newton search for the Chernoff parameter lam
_NEWTON_STEPS = 40
#: golden-section steps of the two-law Chernoff search (the bracket shrinks 0.618x a step)
_GOLDEN_STEPS = 24
#: relative error allowed per text in the moment generating function (far above
#: the rounding error of the pmf), multiplied by n_texts into the safety slack
_MGF_RELATIVE_SLACK = 1e-12


# --------------------------------------------------------------------------- the share


def _log_choose_k(k: np.ndarray, width: int) -> np.ndarray:
    """``log C(k, j)``, ``j = 0..width-1``, one row per entry of ``k`` (``-inf`` for ``j > k``).

    Computed once per distinct ``k`` (rows mostly share one) and gathered.
    """
    distinct, inverse = np.unique(k, return_inverse=True)
    j = np.arange(width, dtype=np.float64)
    kk = distinct[:, None].astype(np.float64)
    table = gammaln(kk + 1.0) - gammaln(j + 1.0) - gammaln(np.maximum(kk - j, 0.0) + 1.0)
    return np.where(j <= kk, table, -np.inf)[inverse.ravel()]


def _log_pmf(u: np.ndarray, k: np.ndarray, n: np.ndarray | None, width: int) -> np.ndarray:
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
    """``G_k / E[X]`` for one block of rows (see :func:`_share_rows`)."""
    width = int(k.max()) + 1
    p = np.exp(_log_pmf(u, k, n, width))
    # P[X >= t] and E (X - t)_+ = sum_{v > t} P[X >= v]: sums of positive terms
    # accumulated from the tail, so no cancellation even far in the tail.
    tail = np.cumsum(p[:, ::-1], axis=1)[:, ::-1]
    excess = np.cumsum(tail[:, :0:-1], axis=1)[:, ::-1]
    excess = np.concatenate([excess, np.zeros((u.shape[0], 1))], axis=1)
    t = np.arange(width, dtype=np.float64)
    g = np.min(theta[:, None] * t + excess, axis=1)
    # E X as summed here (tau = 0 is one of the candidates), so the share is <= 1 exactly
    return g / excess[:, 0]


def _share_rows(u, theta, k, n=None) -> np.ndarray:
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
        stop = min(order.size, start + max(1, _BLOCK_CELLS // width))
        # the block pads to its largest k; stop early if that would blow the budget
        while (
            stop - start > 1 and (stop - start) * (int(k[order[stop - 1]]) + 1) > 4 * _BLOCK_CELLS
        ):
            stop = start + (stop - start) // 2
        idx = order[start:stop]
        out[idx] = _share_block(u[idx], theta[idx], k[idx], None if n is None else n[idx])
        start = stop
    return out


def _check_replace(replace) -> bool:
    if not isinstance(replace, (bool, np.bool_)):
        raise TypeError(f"replace must be a bool, got {type(replace).__name__} {replace!r}")
    return bool(replace)


# how each array argument is checked: (low, high, open_low, open_high), or an integer >= 1
_RANGES = {"a": (0.0, 1.0, True, False), "theta": (0.0, 1.0, True, True),
           "beta": (0.0, 1.0, True, True)}  # fmt: skip


def _validated(replace, n_skills, **named):
    """Validate and broadcast the ``named`` arrays (ranges in ``_RANGES``; ``k`` integer).

    Returns the broadcast arrays in the order given, then ``n`` (None with
    replacement, where ``n_skills`` is refused: the law does not depend on it).
    """
    replace = _check_replace(replace)
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
    aa, th, kk, nn = _validated(replace, n_skills, a=a, theta=theta, k=k)
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
    share = _share_rows(u.ravel(), th.ravel(), kk.ravel(), None if nn is None else nn.ravel())
    return scalar_or_array(share.reshape(shape), scalar)


# --------------------------------------------------------------------------- alpha_sharp


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
        share = _share_rows(u.ravel(), np.repeat(theta, rep), np.repeat(k, rep),
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
            ok = _share_rows(mid, th, kk, nn) >= be
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
    the top-``theta`` sum of :func:`top_share`; ``1`` when ``beta <= theta``.
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
    th, be, kk, nn = _validated(replace, n_skills, theta=theta, beta=beta, k=k)
    value, _, _ = _alpha_sharp_arrays(th, be, kk, nn)
    return scalar_or_array(value, scalar)


@dataclass(frozen=True, repr=False)
class SharpBound(Display):
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

    def as_dict(self) -> dict:
        """Plain Python types, ready for ``json.dumps`` (``looseness`` inf -> None)."""
        out = asdict(self)
        if not math.isfinite(out["looseness"]):
            out["looseness"] = None
        return out

    def __repr__(self) -> str:
        tag = " (vacuous)" if self.vacuous else ""
        n = "" if self.replace else f", n_skills={self.n_skills}"
        return (
            f"SharpBound(value={self.value:.6g}{tag}, alpha_star={self.alpha_star:.6g}, "
            f"looseness={self.looseness:.4g}, theta={self.theta:g}, beta={self.beta:g}, "
            f"k={self.k}, replace={self.replace}{n})"
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
    th, be, kk, nn = _validated(replace, n_skills, theta=theta, beta=beta, k=k)
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


# --------------------------------------------------------------------------- certificate C


def _tau_grid(k: int) -> np.ndarray:
    """Multiples of ``1 / TAU_STEPS`` in ``[0, k]``: fixed before the graph, contains ``0..k``."""
    return np.arange(TAU_STEPS * k + 1, dtype=np.float64) / TAU_STEPS


def _tilted(logp, penalty, lam):
    """``log E exp(lam D)`` and the mean and variance of ``D`` under the tilted law.

    ``logp`` is ``(rows, K)``, ``penalty`` the values ``D`` (``(rows, K)``),
    ``lam`` ``(rows,)``.
    """
    w = logp + lam[:, None] * penalty
    lse = logsumexp(w, axis=1)
    prob = np.exp(w - lse[:, None])
    mean = np.sum(prob * penalty, axis=1)
    var = np.sum(prob * (penalty - mean[:, None]) ** 2, axis=1)
    return lse, mean, var


def _chernoff_min(logp, penalty, c):
    """``min_{lam >= 0} [lam c + log E exp(lam D)]`` per row, and the ``lam`` used.

    The objective is convex with derivative ``c + E_lam[D]`` (the tilted mean)
    and second derivative the tilted variance.  Rows whose derivative at 0 is
    ``>= 0`` take ``lam = 0`` (value 0).  The others bracket the root of the
    derivative by growing ``lam`` fourfold from 1, then run a safeguarded
    Newton search inside the bracket.  Any ``lam >= 0`` gives a valid bound, so
    the accuracy of the search affects tightness only, never rigour.
    """
    rows = c.shape[0]
    lam = np.zeros(rows)
    _, mean0, _ = _tilted(logp, penalty, lam)
    active = np.flatnonzero(c + mean0 < 0.0)
    if active.size:
        lp, pen, cc = logp[active], penalty[active], c[active]
        lo = np.zeros(active.size)
        hi = np.ones(active.size)
        for _ in range(32):  # up to 4**32: beyond, the event is impossible in all but name
            _, mean, _ = _tilted(lp, pen, hi)
            grow = cc + mean < 0.0
            if not grow.any():
                break
            lo = np.where(grow, hi, lo)
            hi = np.where(grow, 4.0 * hi, hi)
        x = 0.5 * (lo + hi)
        for _ in range(_NEWTON_STEPS):
            _, mean, var = _tilted(lp, pen, x)
            deriv = cc + mean
            lo = np.where(deriv < 0.0, x, lo)
            hi = np.where(deriv < 0.0, hi, x)
            with np.errstate(divide="ignore", invalid="ignore"):
                step = x - deriv / var
            x = np.where((step > lo) & (step < hi), step, 0.5 * (lo + hi))
        # keep the better end of the final bracket (both are valid choices)
        lse_x, _, _ = _tilted(lp, pen, x)
        lse_lo, _, _ = _tilted(lp, pen, lo)
        better_lo = lo * cc + lse_lo < x * cc + lse_x
        lam[active] = np.where(better_lo, lo, x)
    lse, _, _ = _tilted(logp, penalty, lam)
    return lam * c + lse, lam


def sharp_log_bounds(
    n_skills: int,
    n_texts: int,
    k: int,
    n_failed: int,
    beta: float,
    sizes,
    *,
    replace: bool = True,
) -> np.ndarray:
    """Certificate C's log bound on ``P[some set of z skills is all bad]``, per size ``z``.

    Parameters
    ----------
    n_skills, n_texts, k : int
        Graph size (uniform skill measure, ``k`` skills per text piece).
    n_failed : int
        ``m``, the size of the failure sets, ``0 <= m <= n_texts``.
    beta : float
        Threshold in ``(0, 1)``.
    sizes : array_like of int
        Set sizes ``z`` in ``1..n_skills``.
    replace : bool, default True
        Skills drawn with replacement (binomial ``X``) or distinct (hypergeometric).

    Returns
    -------
    numpy.ndarray
        One log bound per size (``<= 0`` is informative; values above 0 are
        returned as computed, they bound nothing).

    Notes
    -----
    :ref:`theory-certificate-c`.  For a fixed ``S`` of ``z`` skills the slot
    counts ``X_i`` of the text pieces are i.i.d. (``Binomial(k, z/n_skills)``
    or hypergeometric) and "all of ``S`` bad under some ``Y``" implies, for
    every ``tau``, ``sum_i [(X_i - tau)_+ - beta X_i] + m tau > 0``.  Chernoff
    and a union over the ``C(n_skills, z)`` sets ``S`` give, with
    ``D = (X - tau)_+ - beta X``,

    ``log C(n_skills, z) + min_tau min_lam [lam m tau + n_texts log E exp(lam D)]``

    with ``tau`` on the grid of multiples of ``1/8`` in ``[0, k]``.  Each bound is
    raised by the rounding slack of :mod:`skillgraph.theory.certificates` plus
    ``n_texts * 1e-12``.  Cost O(len(sizes) * 8k * k * 40).
    """
    sizes = np.asarray(sizes, dtype=np.int64)
    ks = np.full(sizes.size, k)
    if replace:
        logp_z = _log_pmf(sizes / n_skills, ks, None, k + 1)
    else:
        logp_z = _log_pmf(sizes.astype(np.float64), ks, np.full(sizes.size, n_skills), k + 1)
    out = chernoff_log_bounds(logp_z, n_texts, n_failed, beta)
    log_choose = log_binomial(n_skills, sizes)
    return log_choose + out + rounding_slack(log_choose)


def _tau_rows(logp, beta):
    """Rows repeated once per ``tau`` of the grid, with ``D`` and ``tau`` per row."""
    k = logp.shape[1] - 1
    taus = _tau_grid(k)
    j = np.arange(k + 1, dtype=np.float64)
    penalty = np.maximum(j[None, :] - taus[:, None], 0.0) - beta * j[None, :]
    rows = logp.shape[0]
    return np.repeat(logp, taus.size, axis=0), np.tile(penalty, (rows, 1)), np.tile(taus, rows)


def _finish(lam, lse, tau, n_texts, n_failed, n_tau):
    """``lam m tau + n (lse)`` plus the rounding slack, minimised over each row's taus."""
    first = n_failed * lam * tau
    second = n_texts * lse
    slack = rounding_slack(first, second) + n_texts * _MGF_RELATIVE_SLACK
    return np.min((first + second + slack).reshape(-1, n_tau), axis=1)


def _lse(lp, pen, x):
    """``log sum exp(lp + x D)`` per row (numpy only: the hot loop of the pair search)."""
    w = lp + x[:, None] * pen
    top = np.max(w, axis=1)
    return top + np.log(np.sum(np.exp(w - top[:, None]), axis=1))


def _minimax_lambda(lp, hp, pen, c, lam_a, lam_b):
    """``lam`` near the minimiser of ``lam c + max(lse_lo, lse_hi)``, and that max.

    The objective is convex; its minimiser lies between the two single
    minimisers ``lam_a`` and ``lam_b``.  Golden-section search,
    ``_GOLDEN_STEPS`` steps (any ``lam`` is valid: accuracy is tightness only).
    """

    def worst(x):
        return np.maximum(_lse(lp, pen, x), _lse(hp, pen, x))

    a, b = np.minimum(lam_a, lam_b), np.maximum(lam_a, lam_b)
    golden = (math.sqrt(5.0) - 1.0) / 2.0
    for _ in range(_GOLDEN_STEPS):
        x1, x2 = b - golden * (b - a), a + golden * (b - a)
        left = x1 * c + worst(x1) <= x2 * c + worst(x2)
        a, b = np.where(left, a, x1), np.where(left, x2, b)
    x = 0.5 * (a + b)
    return x, worst(x)


def chernoff_log_bounds(
    log_weights, n_texts: int, n_failed: int, beta: float, log_weights_high=None
) -> np.ndarray:
    """Certificate C's exponent for one set, from the (log) law of its slot count.

    Parameters
    ----------
    log_weights : array_like, shape (rows, k + 1)
        ``log P[X = j]``, ``j = 0..k``: the log pmf of a text piece's slot count
        ``X`` in the set.
    n_texts, n_failed : int
        ``n`` and ``m``.
    beta : float
        Threshold in ``(0, 1)``.
    log_weights_high : array_like, shape (rows, k + 1), optional
        A second pmf per row: the bound then holds for both laws and, for
        ``Binomial(k, a)`` rows at ``a_lo`` and ``a_hi``, for every
        ``Binomial(k, a)`` with ``a`` between them (see Notes).

    Returns
    -------
    numpy.ndarray
        Per row, ``min_tau min_lam [lam m tau + n log max_law E exp(lam D)]``
        with ``D = (X - tau)_+ - beta X`` and ``tau`` on the grid of multiples of
        ``1/8`` in ``[0, k]``, raised by the rounding slack: a bound on the log
        probability that one fixed set is all bad under some failure set of
        ``m`` text pieces.

    Notes
    -----
    :ref:`theory-certificate-c` and :ref:`theory-sharp-mass-certificate`.
    ``exp(lam D_j)`` is convex in ``j`` (``D`` is convex piecewise linear), and
    the Bernstein polynomial of a convex sequence is convex, so
    ``a -> E_a exp(lam D)`` is convex and its maximum over ``[a_lo, a_hi]`` is
    at an end.  With two laws the minimiser of the maximum lies between the two
    single minimisers; a golden-section search (24 steps) finds it there (any
    ``lam`` is valid).  Cost O(rows * 8k * k * 40) per law.
    """
    logp = np.atleast_2d(np.asarray(log_weights, dtype=np.float64))
    n_tau = _tau_grid(logp.shape[1] - 1).size
    out = np.empty(logp.shape[0])
    block = max(1, _BLOCK_CELLS // (4 * n_tau * logp.shape[1]))
    high = None if log_weights_high is None else np.atleast_2d(log_weights_high)
    for start in range(0, logp.shape[0], block):
        lp, pen, tau = _tau_rows(logp[start : start + block], beta)
        c = n_failed * tau / n_texts
        rate, lam = _chernoff_min(lp, pen, c)
        if high is None:
            out[start : start + block] = _finish(lam, rate - lam * c, tau, n_texts, n_failed, n_tau)
            continue
        hp, _, _ = _tau_rows(high[start : start + block], beta)
        _, lam_hi = _chernoff_min(hp, pen, c)

        x, lse = _minimax_lambda(lp, hp, pen, c, lam, lam_hi)
        out[start : start + block] = _finish(x, lse, tau, n_texts, n_failed, n_tau)
    return out


def _uniform_measure(skill_measure, n_skills: int) -> bool:
    """Whether ``skill_measure`` (None, a name or weights) is the uniform measure."""
    if skill_measure is None or (isinstance(skill_measure, str) and skill_measure == "uniform"):
        return True
    if isinstance(skill_measure, str):
        if skill_measure == "zipf":
            return False
        raise ValueError(
            f"skill_measure must be None, 'uniform', 'zipf' or an array of {n_skills} "
            f"weights, got {skill_measure!r}"
        )
    w = np.asarray(skill_measure, dtype=np.float64)
    if w.shape != (n_skills,) or not np.all(np.isfinite(w)) or np.any(w < 0) or not w.sum() > 0:
        raise ValueError(
            f"skill_measure must be {n_skills} finite non-negative weights with a positive sum"
        )
    return bool(np.allclose(w / w.sum(), 1.0 / n_skills, rtol=1e-9, atol=0.0))


def _first_certified(n_skills, n_texts, k, m, beta, log_delta, replace) -> tuple[int, float]:
    """Smallest ``z0`` whose bound is ``<= log_delta``, searched in growing blocks from 1.

    Returns ``(z0 - 1, bound)``, or ``(n_skills, -inf)`` when no size qualifies
    (more than ``n_skills`` bad skills is impossible).
    """
    start, width = 1, 32
    while start <= n_skills:
        sizes = np.arange(start, min(n_skills, start + width - 1) + 1)
        bounds = sharp_log_bounds(n_skills, n_texts, k, m, beta, sizes, replace=replace)
        ok = np.flatnonzero(bounds <= log_delta)
        if ok.size:
            return int(sizes[ok[0]]) - 1, float(bounds[ok[0]])
        start, width = int(sizes[-1]) + 1, 2 * width
    return n_skills, -math.inf


def certified_sharp(
    n_skills: int,
    n_texts: int,
    k: int,
    theta: float,
    beta: float,
    *,
    delta_fail: float = 1e-6,
    replace: bool = True,
    skill_measure=None,
) -> Certificate:
    """Certificate C: a finite-size bound on the bad skills that tends to ``alpha_sharp``.

    Parameters
    ----------
    n_skills : int
        Number of skills, ``>= 1``.
    n_texts : int
        Number of text pieces, ``>= 1`` (1e12 and beyond is fine).
    k : int
        Skills per text piece, ``>= 1`` (``<= n_skills`` when ``replace=False``).
    theta : float
        Failure rate in ``(0, 1)``; failure sets have ``m = round(theta n_texts)``
        text pieces.
    beta : float
        Threshold in ``(0, 1)``: a skill is bad when ``fail(s) > beta``.
    delta_fail : float, default 1e-6
        Failure probability of the certificate, in ``(0, 1)``.
    replace : bool, default True
        The sampling model of the graph (with replacement, as in the paper, or
        ``k`` distinct skills per text piece).
    skill_measure : None, "uniform", "zipf" or array_like, optional
        The skill measure ``mu1`` of the graph (by name or as weights).
        Certificate C is proven for the uniform measure only; for any other it
        returns the trivial value, flagged ``vacuous`` (see Notes).

    Returns
    -------
    Certificate
        ``method="sharp"``: with probability at least ``1 - delta_fail`` over
        the random graph, no failure set of ``m`` text pieces leaves more than
        ``n_bad_max = alpha * n_skills`` skills bad.

    Raises
    ------
    TypeError, ValueError
        On invalid input (naming the parameter, value and valid range).

    Notes
    -----
    :ref:`theory-certificate-c`.  More than ``z`` bad skills means some set of
    exactly ``z + 1`` skills is all bad, so ``n_bad_max = z0 - 1`` for the
    smallest ``z0`` whose bound (:func:`sharp_log_bounds`) is at most
    ``log(delta_fail)``; sizes are searched upwards in growing blocks and the
    search stops at the first that qualifies.  No union over ``Y`` is taken.

    Non-uniform ``mu1``: the slot counts of a set ``S`` are then
    ``Binomial(k, mu1(S))``, and covering all ``z``-sets would need the bound
    at its worst over the masses a ``z``-set can have.  The bound is not
    monotone in the mass in any way we can prove (its Chernoff function
    ``exp(lam D(X))`` is not monotone in ``X``), so no count is claimed: the
    result is the trivial value with ``vacuous=True`` and
    ``candidates={"sharp": None}``.  The bad *mass* is certified by
    :func:`~skillgraph.theory.sharp_measure.certified_sharp_mass`.

    Cost: O(z0 * 8k * k * 40) operations; well under a second for ``k = 8``
    at any ``n_texts``.

    Examples
    --------
    >>> cert = certified_sharp(1000, 10**7, 8, 0.1, 0.5)
    >>> cert.method, cert.n_bad_max
    ('sharp', 32)
    """
    n_skills, n_texts, k, theta, beta, delta_fail = check_certificate_args(
        n_skills, n_texts, k, theta, beta, delta_fail
    )
    replace = _check_replace(replace)
    if not replace and k > n_skills:
        raise ValueError(
            f"k must be <= n_skills when replace=False, got k={k} > n_skills={n_skills}"
        )
    uniform = _uniform_measure(skill_measure, n_skills)
    m = int(round(theta * n_texts))
    common = dict(
        method="sharp", delta_fail=delta_fail, n_skills=n_skills, n_texts=n_texts, k=k,
        theta=theta, beta=beta, n_failed=m, degrees_given=False,
    )  # fmt: skip
    if m == 0:
        z, lp = 0, -math.inf  # an empty failure set leaves no skill bad
    elif not uniform or m >= beta * n_texts:
        # m / n_texts >= beta: every bound is >= log C(n_skills, z) >= 0 (docs)
        z, lp = n_skills, -math.inf
    else:
        z, lp = _first_certified(n_skills, n_texts, k, m, beta, math.log(delta_fail), replace)
    return Certificate(
        alpha=z / n_skills,
        log_fail_prob=lp,
        n_bad_max=z,
        vacuous=z >= n_skills and m > 0,
        candidates={"sharp": z / n_skills if uniform else None},
        **common,
    )
