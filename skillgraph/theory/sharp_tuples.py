"""The sharp worst case for tensor tuples of skills: both sides of the limit law.

A tensor ``t``-tuple ``(s_1, ..., s_t)`` of skills drawn i.i.d. from ``mu1`` is
bad when ``prod_j (1 - f_{s_j}) < 1 - beta``, ``f_s`` the failure share of
skill ``s``; with ``h(f) = -log(1 - f)`` and ``c = -log(1 - beta)`` that is
``sum_j h(f_{s_j}) > c``.  The bad fraction is a function of the law of ``f``
over skills (the *profile*) alone, so the worst case over failure sets is the
worst achievable profile (:doc:`/theory/sharp_tuples`).  This module computes

* the **lower side**: the best two-level adversary (a set of mass ``a`` takes
  the top-``theta`` text pieces by its slot count, every member gets share
  ``f_in``, every other skill ``f_out``) or "spread" (every share ``theta``),
  both achievable in the limit;
* the **upper side**: the dominance bound (the profile is stochastically below
  the law with survival ``alpha_sharp(theta, x, k)``; a ``t``-fold convolution
  on a lattice of thresholds, rounding shares up), tightened where it can be by
  a bound that uses the majorisation constraint
  ``int_0^a f <= G_k(a, theta) / k``;
* the paper's ``alpha_star(t theta, beta, k)`` beside them.

Both sides equal :func:`~skillgraph.theory.sharp.alpha_sharp` at ``t = 1``.
Pure numpy/scipy; never imports numba.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import betainc

from skillgraph._display import JsonRecord
from skillgraph._validation import (
    all_scalar,
    broadcast_with_n_skills,
    int_array,
    real_array,
    scalar_or_array,
)
from skillgraph.theory._text import bound_repr
from skillgraph.theory.bounds import tuple_alpha_star
from skillgraph.theory.share import top_share
from skillgraph.theory.sharp import alpha_sharp

__all__ = [
    "SharpTupleBound",
    "dominance_from_survival",
    "lattice_thresholds",
    "sharp_tuple_bound",
    "tuple_lower",
    "tuple_upper",
    "two_level_profile",
]

#: lattice steps of ``h`` over ``[0, c]`` for the convolution of the upper side
GRID = 1024
#: masses ``a`` scanned by the two-level lower side (then bisected)
#: (``a = 1`` ends the grid so that a condition still holding at ``1 - 1e-7`` is bisected
#: up to the true supremum instead of stopping there; at ``a = 1`` no skill is outside ``S``)
_A_GRID = np.unique(
    np.concatenate([np.geomspace(1e-7, 0.5, 384), 1.0 - np.geomspace(0.5, 1e-7, 128), [1.0]])
)
#: bisection steps of the two-level mass (the bracket shrinks below one ulp)
_BISECT_STEPS = 60
#: relative shrink of the interior lattice thresholds: makes ``h(x_g) <= g c / L``
#: hold in floating point (far above the rounding of ``expm1``/``log1p``)
_THRESHOLD_SHRINK = 1e-12
#: absolute slack added to a convolved bad mass (rounding of ``1 - sum`` of the good mass)
_CONVOLUTION_SLACK = 1e-13
#: masses tabulated per row for the survival, and bisection steps of its brackets
_SURVIVAL_POINTS = 2049
_SURVIVAL_BISECT = 40
#: mass points of the majorisation bound's ``Phi*`` and its ``s`` grid
_PHI_POINTS = 2049
_S_POINTS = 256


def _h(f):
    """``-log(1 - f)``: ``inf`` at ``f = 1``."""
    with np.errstate(divide="ignore"):
        return -np.log1p(-np.asarray(f, dtype=np.float64))


def two_level_profile(a, theta, k, *, replace: bool = True, n_skills=None):
    """Limit failure shares ``(f_in, f_out)`` of the two-level adversary.

    A skill set ``S`` of mass ``a`` takes the ``theta``-fraction of text pieces
    with the most slots in ``S``: every member gets ``f_in = G_k(a, theta) /
    (k a)`` (:func:`~skillgraph.theory.share.top_share`) and every other skill
    ``f_out = (theta - a f_in) / (1 - a)`` (the shares average to ``theta``).

    Parameters
    ----------
    a : float or array_like
        Mass of ``S``, in ``(0, 1)``.
    theta : float or array_like
        Failure rate, in ``(0, 1)``.
    k : int or array_like of int
        Skills per text piece.
    replace, n_skills
        As in :func:`~skillgraph.theory.share.top_share`.

    Returns
    -------
    tuple of float or numpy.ndarray
        ``(f_in, f_out)``, ``f_in >= theta >= f_out >= 0``.

    Examples
    --------
    >>> f_in, f_out = two_level_profile(0.03, 0.05, 8)
    >>> round(f_in, 4), round(f_out, 4)
    (0.3073, 0.042)
    """
    real_array("a", a, 0.0, 1.0, True, True)
    f_in = top_share(a, theta, k, replace=replace, n_skills=n_skills)
    aa, th = np.broadcast_arrays(np.asarray(a, dtype=np.float64), np.asarray(theta, dtype=float))
    f_out = np.maximum(th - aa * f_in, 0.0) / (1.0 - aa)
    if np.ndim(f_in) == 0 and np.ndim(f_out) == 0:
        return float(f_in), float(f_out)
    return np.asarray(f_in), f_out


# --------------------------------------------------------------------------- lower side


def _shares(a, theta, k, n):
    """``(f_in, f_out)`` on validated rows; ``a`` rounded down to ``z / n`` without
    replacement (``nan`` rows where that leaves no skill or all of them)."""
    if n is None:
        f_in = top_share(a, theta, k)
        aa = a
    else:
        z = np.floor(a * n)
        ok = (z >= 1) & (z <= n - 1)
        aa = np.where(ok, z, 1.0) / n
        f_in = np.where(
            ok, top_share(aa, theta, k, replace=False, n_skills=n), np.nan
        )  # fmt: skip
    with np.errstate(divide="ignore", invalid="ignore"):  # aa = 1: f_out undefined (nan/inf)
        f_out = np.maximum(theta - aa * f_in, 0.0) / (1.0 - aa)
    return f_in, np.where(aa < 1.0, f_out, np.nan), aa


def _holds(a, theta, k, t, i, c, n):
    """Whether a tuple with ``i`` of ``t`` members in ``S`` (mass ``a``) is bad (``>= c``)."""
    f_in, f_out, _ = _shares(a, theta, k, n)
    with np.errstate(invalid="ignore"):
        q = i * _h(f_in) + np.where(t > i, (t - i) * _h(f_out), 0.0)
    return np.nan_to_num(q, nan=-np.inf) >= c


def tuple_lower(theta, beta, k, t, *, replace: bool = True, n_skills=None):
    """The best two-level adversary (or spread): an achievable bad fraction of tuples.

    Parameters
    ----------
    theta, beta : float or array_like
        Failure rate and threshold, in ``(0, 1)``.
    k, t : int or array_like of int
        Skills per text piece and tuple size, ``>= 1``.
    replace, n_skills
        As in :func:`~skillgraph.theory.sharp.alpha_sharp`.

    Returns
    -------
    tuple of numpy.ndarray
        ``(value, a, i0, construction)`` broadcast over the inputs:
        the bad fraction, the mass of ``S``, the members of ``S`` that make a
        tuple bad, and ``0`` (none), ``1`` (two-level) or ``2`` (spread).

    Notes
    -----
    :ref:`theory-tuples-lower`.  For each ``i0 = 1..t`` the mass is the
    supremum of ``{a : i0 h(f_in) + (t - i0) h(f_out) >= c}`` (a scan of
    ``_A_GRID``, last point that holds, then bisection of the bracket that
    follows); the value is ``P[Binomial(t, a) >= i0]``.  Spread wins (value 1)
    when ``t h(theta) >= c``.  Cost O(t * 600 * k) per element.
    """
    th, be, kk, tt, nn = _broadcast(theta, beta, k, t, replace, n_skills)
    shape = th.shape
    th, be, kk, tt = th.ravel(), be.ravel(), kk.ravel(), tt.ravel()
    nn = None if nn is None else nn.ravel().astype(np.float64)
    c = _h(be)
    rows = th.size
    value, mass = np.zeros(rows), np.zeros(rows)
    i0, kind = np.zeros(rows, dtype=np.int64), np.zeros(rows, dtype=np.int64)
    grid = np.broadcast_to(_A_GRID, (rows, _A_GRID.size))
    rep = _A_GRID.size

    def rep_rows(x):
        return None if x is None else np.repeat(x, rep)

    f_in, f_out, _ = _shares(grid.ravel(), rep_rows(th), rep_rows(kk), rep_rows(nn))
    h_in, h_out = _h(f_in).reshape(grid.shape), _h(f_out).reshape(grid.shape)
    for i in range(1, int(tt.max()) + 1):
        live = np.flatnonzero(tt >= i)
        with np.errstate(invalid="ignore"):
            q = i * h_in[live] + (tt[live, None] - i) * h_out[live]
        cond = np.nan_to_num(q, nan=-np.inf) >= c[live, None]
        found = cond.any(axis=1)
        last = rep - 1 - np.argmax(cond[:, ::-1], axis=1)
        a = np.where(found, _A_GRID[last], 0.0)
        todo = np.flatnonzero(found & (last < rep - 1))
        if todo.size:
            lo, hi = _A_GRID[last[todo]], _A_GRID[last[todo] + 1]
            r = live[todo]
            sub_n = None if nn is None else nn[r]
            for _ in range(_BISECT_STEPS):
                mid = 0.5 * (lo + hi)
                ok = _holds(mid, th[r], kk[r], tt[r], i, c[r], sub_n)
                lo, hi = np.where(ok, mid, lo), np.where(ok, hi, mid)
            a[todo] = lo
        if nn is not None:
            a = np.floor(a * nn[live]) / nn[live]
        v = np.where(found, betainc(i, tt[live] - i + 1, a), 0.0)
        better = v > value[live]
        idx = live[better]
        value[idx], mass[idx], i0[idx], kind[idx] = v[better], a[better], i, 1
    spread = tt * _h(th) >= c
    value[spread], mass[spread], i0[spread], kind[spread] = 1.0, 1.0, 0, 2
    return tuple(x.reshape(shape) for x in (value, mass, i0, kind))


# --------------------------------------------------------------------------- upper side


def lattice_thresholds(beta, grid: int) -> np.ndarray:
    """The thresholds ``x_0 = 0``, ``x_1``, up to ``x_L = beta`` of the upper side (``L = grid``).

    ``x_g = (1 - (1 - beta)^(g / L)) (1 - 1e-12)`` for ``0 < g < L``: the shrink
    makes ``h(x_g) <= g c / L`` hold in floating point, which the rounding
    argument of :func:`dominance_from_survival` needs.  Shape
    ``beta.shape + (grid + 1,)``.
    """
    be = np.asarray(beta, dtype=np.float64)
    c = _h(be)[..., None]
    g = np.arange(grid + 1, dtype=np.float64)
    x = -np.expm1(-g * c / grid) * (1.0 - _THRESHOLD_SHRINK)
    x[..., -1] = be
    return x


def dominance_from_survival(survival, t: int) -> float:
    """Bad fraction of ``t``-tuples whose shares are i.i.d. with a lattice survival.

    Parameters
    ----------
    survival : array_like, shape (L + 1,)
        ``survival[g]`` bounds the mass of skills with share above the lattice
        threshold ``x_g = 1 - (1 - beta)^(g / L)`` (``x_0 = 0``, ``x_L = beta``).
        Non-increasing order is enforced by a running minimum (valid: the
        mass above ``x_g`` is at most the mass above any lower threshold).
    t : int
        Tuple size.

    Returns
    -------
    float
        ``P[sum_j g_j > L]`` with ``g_j`` the shares rounded up to the lattice:
        an upper bound on the bad fraction of any profile the survival
        dominates.  Exactly ``survival[L]`` at ``t = 1``.

    Notes
    -----
    :ref:`theory-tuples-dominance`.  A share in ``(x_{g-1}, x_g]`` is rounded
    up to index ``g`` (``h(x_g) <= g c / L``), a share above ``beta`` to the
    index ``L + 1`` (bad on its own).  ``t - 1`` truncated convolutions of
    length ``L + 1``: O(t L^2).
    """
    s = np.minimum.accumulate(np.clip(np.asarray(survival, dtype=np.float64), 0.0, 1.0))
    if t == 1:
        return float(s[-1])
    p = np.concatenate([[1.0 - s[0]], s[:-1] - s[1:]])  # index 0..L; s[-1] is bad alone
    good = p
    for _ in range(t - 1):
        good = np.convolve(good, p)[: p.size]
    return float(min(1.0, max(0.0, 1.0 - good.sum()) + _CONVOLUTION_SLACK))


def _phi_star_upper(theta, k, x, n):
    """Rigorous upper bound on ``sup_a [G_k(a, theta)/k - a x]`` for each ``x`` (one row).

    ``G`` is non-decreasing in ``a``, so on ``[a_j, a_{j+1}]`` the function is at
    most ``G(a_{j+1})/k - a_j x``.
    """
    a = np.linspace(0.0, 1.0, _PHI_POINTS)
    if n is not None:
        a = np.unique(np.round(a * n)) / n
    inner = a[1:]
    share = top_share(inner, theta, k, **({} if n is None else dict(replace=False, n_skills=n)))
    phi = np.concatenate([[0.0], inner * share])
    return np.max(phi[None, 1:] - a[None, :-1] * x[:, None], axis=1)


def _majorisation_bound(theta, beta, k, t, n):
    """``min_s t Phi*(f_s) / (f_1 - f_s)``: the chord bound of the docs (one row)."""
    c = float(_h(beta))
    s = np.linspace(0.0, c / t, _S_POINTS, endpoint=False)
    f_s = -np.expm1(-s)
    f_1 = -np.expm1(-(c - (t - 1) * s))
    return float(np.min(t * _phi_star_upper(theta, k, f_s, n) / (f_1 - f_s)))


def _survival(theta, beta, k, n, grid: int) -> np.ndarray:
    """``alpha_sharp(theta, x_g, k)`` (or a value at most ``2**-40`` of a bracket above it)
    at every lattice threshold, one row per ``(theta, beta, k)``.

    With replacement the share ``G_k(a, theta)/(ka)`` is tabulated once per row
    on ``_SURVIVAL_POINTS`` masses; its running maximum from the right gives,
    for every threshold, the last tabulated mass where the condition holds,
    and a vectorised bisection of the bracket that follows returns its upper
    end (an upper bound on the supremum: the share is non-increasing,
    :ref:`theory-sharp-share`).  Without replacement :func:`alpha_sharp` is
    called per threshold.
    """
    x = lattice_thresholds(beta, grid)
    rows, cols = x.shape
    if n is not None:
        inner = np.maximum(x[:, 1:], 1e-300)  # x_0 = 0 has survival 1
        surv = alpha_sharp(np.repeat(theta, cols - 1), inner.ravel(), np.repeat(k, cols - 1),
                           replace=False, n_skills=np.repeat(n, cols - 1))  # fmt: skip
        return np.concatenate([np.ones((rows, 1)), np.reshape(surv, inner.shape)], axis=1)
    a0 = -np.expm1(np.log1p(-theta) / k)  # share 1 up to here
    a = np.exp(np.linspace(np.log(a0), 0.0, _SURVIVAL_POINTS, axis=1))  # (rows, P)
    a[:, -1] = 1.0
    share = top_share(a, theta[:, None], k[:, None])
    best = np.maximum.accumulate(share[:, ::-1], axis=1)[:, ::-1]  # non-increasing
    # last tabulated mass with share >= x: count of entries of `best` that are >= x
    last = (
        np.stack([np.searchsorted(-b, -xr, side="right") for b, xr in zip(best, x, strict=True)])
        - 1
    )
    full = last >= _SURVIVAL_POINTS - 1  # holds at a = 1 (x <= theta): survival 1
    j = np.clip(last, 0, _SURVIVAL_POINTS - 2)
    r = np.repeat(np.arange(rows), cols).reshape(rows, cols)
    lo, hi = a[r, j], a[r, j + 1]
    th_b, k_b = np.broadcast_to(theta[:, None], x.shape), np.broadcast_to(k[:, None], x.shape)
    todo = ~full & (last >= 0)
    lo, hi, xs, th_t, k_t = lo[todo], hi[todo], x[todo], th_b[todo], k_b[todo]
    for _ in range(_SURVIVAL_BISECT):
        mid = 0.5 * (lo + hi)
        ok = top_share(mid, th_t, k_t) >= xs
        lo, hi = np.where(ok, mid, lo), np.where(ok, hi, mid)
    surv = np.where(full, 1.0, a0[:, None])  # below a0 the share is 1 > x: never last < 0
    surv[todo] = hi
    surv[:, 0] = 1.0
    return surv


def tuple_upper(theta, beta, k, t, *, replace: bool = True, n_skills=None, grid: int = GRID):
    """Upper side of the tuple law: ``(upper, dominance)``, proven in the limit.

    Parameters
    ----------
    theta, beta, k, t, replace, n_skills
        As in :func:`tuple_lower`.
    grid : int, default ``GRID``
        Lattice steps ``L`` of ``h`` over ``[0, c]`` (``>= 2``); finer is tighter.

    Returns
    -------
    tuple of numpy.ndarray
        ``(upper, dominance)``: the dominance bound (convolution of the law with
        survival ``alpha_sharp(theta, x, k)``, shares rounded up to the lattice)
        and ``upper = min(dominance, majorisation chord bound)``.

    Notes
    -----
    :ref:`theory-tuples-dominance` and :ref:`theory-tuples-majorisation`.
    Cost: one vectorised :func:`~skillgraph.theory.sharp.alpha_sharp` over
    ``L`` thresholds per element, ``t - 1`` convolutions of length ``L + 1``,
    and ``_PHI_POINTS`` shares for the chord bound when ``t >= 2``.
    """
    if isinstance(grid, bool) or not isinstance(grid, (int, np.integer)) or grid < 2:
        raise ValueError(f"grid must be an integer >= 2, got {grid!r}")
    th, be, kk, tt, nn = _broadcast(theta, beta, k, t, replace, n_skills)
    shape = th.shape
    th, be, kk, tt = th.ravel(), be.ravel(), kk.ravel(), tt.ravel()
    nn = None if nn is None else nn.ravel()
    # the survival depends on (theta, beta, k, n) only: solve each distinct row once
    key = np.stack([th, be, kk, np.zeros_like(th) if nn is None else nn], axis=1)
    distinct, inverse = np.unique(key, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    dn = None if nn is None else distinct[:, 3].astype(np.int64)
    surv = _survival(distinct[:, 0], distinct[:, 1], distinct[:, 2].astype(np.int64), dn, grid)
    surv = surv[inverse]
    # t = 1: the survival at beta is alpha_sharp itself (no lattice)
    one = np.flatnonzero(tt == 1)
    if one.size:
        extra = {} if nn is None else dict(replace=False, n_skills=nn[one])
        surv[one, -1] = alpha_sharp(th[one], be[one], kk[one], **extra)
    pairs = zip(surv, tt, strict=True)
    dominance = np.array([dominance_from_survival(s, int(ti)) for s, ti in pairs])
    upper = dominance.copy()
    for r in np.flatnonzero((tt >= 2) & (dominance > 0)):
        n_r = None if nn is None else int(nn[r])
        chord = _majorisation_bound(th[r], be[r], int(kk[r]), int(tt[r]), n_r)
        upper[r] = min(upper[r], chord)
    return upper.reshape(shape), dominance.reshape(shape)


# --------------------------------------------------------------------------- the result


def _broadcast(theta, beta, k, t, replace, n_skills):
    """Validated, broadcast ``(theta, beta, k, t, n_skills or None)``."""
    if not isinstance(replace, (bool, np.bool_)):
        raise TypeError(f"replace must be a bool, got {type(replace).__name__} {replace!r}")
    arrays = dict(
        theta=real_array("theta", theta, 0.0, 1.0, True, True),
        beta=real_array("beta", beta, 0.0, 1.0, True, True),
        k=int_array("k", k, 1),
        t=int_array("t", t, 1),
    )
    return broadcast_with_n_skills(arrays, replace, n_skills, minimum=2)


_CONSTRUCTIONS = np.array(["none", "two-level", "spread"])


@dataclass(frozen=True, repr=False)
class SharpTupleBound(JsonRecord):
    """Both sides of the sharp tuple law for ``(theta, beta, k, t)``, beside the paper's.

    Fields are Python scalars for scalar input, arrays for array input.

    Attributes
    ----------
    lower : float
        The best two-level adversary (or spread): achievable in the limit.
    upper : float
        Proven upper side: ``min(dominance, majorisation chord bound)``.
    dominance : float
        The dominance bound alone (``t``-fold convolution, shares rounded up).
    paper : float
        ``alpha_star(t theta, beta, k)`` (KL form), the paper's Corollary 2.
    lower_construction : str
        ``"two-level"``, ``"spread"`` or ``"none"`` (nothing is bad).
    lower_mass : float
        Mass ``a`` of the set ``S`` of the winning two-level construction.
    lower_i0 : int
        Members of ``S`` that make a tuple bad (0 for spread).
    ratio : float
        ``upper / lower`` (``inf`` when ``lower`` is 0 and ``upper`` is not; 1 when both are 0).
    looseness : float
        ``paper / upper``: how far the paper's bound lies above the proven upper side.
    vacuous : bool
        ``upper >= 1``: nothing is excluded.
    theta, beta, k, t, replace, n_skills : the inputs.
    """

    lower: float
    upper: float
    dominance: float
    paper: float
    lower_construction: str
    lower_mass: float
    lower_i0: int
    ratio: float
    looseness: float
    vacuous: bool
    theta: float
    beta: float
    k: int
    t: int
    replace: bool
    n_skills: int | None

    def __repr__(self) -> str:
        if np.ndim(self.lower) == 0:
            head = f"lower={self.lower:.4g} ({self.lower_construction}), upper={self.upper:.4g}"
            tail = f"paper={self.paper:.4g}, theta={self.theta:g}, beta={self.beta:g}, k={self.k}"
            return bound_repr(self, head, f"{tail}, t={self.t}")
        return (
            f"SharpTupleBound(shape={np.shape(self.lower)}, lower={self.lower!r}, "
            f"upper={self.upper!r})"
        )


def sharp_tuple_bound(
    theta, beta, k, t, *, replace: bool = True, n_skills=None, grid: int = GRID
) -> SharpTupleBound:
    """The sharp worst case for tensor ``t``-tuples: both sides and the paper's bound.

    Parameters
    ----------
    theta : float or array_like
        Failure rate of single text pieces, in ``(0, 1)``.
    beta : float or array_like
        Threshold in ``(0, 1)``: a tuple is bad when its competence (the product
        of its skills' competences) is below ``1 - beta``.
    k : int or array_like of int
        Skills per text piece, ``>= 1``.
    t : int or array_like of int
        Tuple size, ``>= 1``.
    replace : bool, default True
        Skills drawn with replacement (the paper) or ``k`` distinct skills.
    n_skills : int or array_like of int, optional
        Required with ``replace=False``, refused otherwise.
    grid : int, default ``GRID``
        Lattice steps of the upper side's convolution.

    Returns
    -------
    SharpTupleBound
        ``lower <= worst case <= upper`` in the limit ``n_texts / n_skills ->
        inf`` (uniform ``mu1``, or any ``mu1`` with bad tuples counted by mass),
        beside ``paper = alpha_star(t theta, beta, k)``.  Broadcast over the
        inputs; Python scalars for scalar input.

    Raises
    ------
    TypeError, ValueError
        Non-numeric input, values out of range, ``n_skills`` missing or
        superfluous, shapes that do not broadcast, ``grid < 2``.

    Notes
    -----
    :doc:`/theory/sharp_tuples`.  At ``t = 1`` both sides equal
    :func:`~skillgraph.theory.sharp.alpha_sharp`.

    Examples
    --------
    >>> r = sharp_tuple_bound(0.05, 0.5, 8, 2)
    >>> round(r.lower, 4), round(r.upper, 4), round(r.paper, 4)
    (0.029, 0.0327, 0.0832)
    """
    scalar = all_scalar(theta, beta, k, t, n_skills)
    th, be, kk, tt, nn = _broadcast(theta, beta, k, t, replace, n_skills)
    extra = {} if nn is None else dict(replace=False, n_skills=nn)
    lower, mass, i0, kind = tuple_lower(th, be, kk, tt, **extra)
    upper, dominance = tuple_upper(th, be, kk, tt, grid=grid, **extra)
    paper = np.asarray(tuple_alpha_star(th, be, kk, tt), dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(lower > 0, upper / np.where(lower > 0, lower, 1.0),
                         np.where(upper > 0, np.inf, 1.0))  # fmt: skip
        looseness = np.where(upper > 0, paper / np.where(upper > 0, upper, 1.0), np.inf)

    def out(x):
        return scalar_or_array(np.asarray(x), scalar)

    return SharpTupleBound(
        lower=out(lower),
        upper=out(upper),
        dominance=out(dominance),
        paper=out(paper),
        lower_construction=out(_CONSTRUCTIONS[kind]),
        lower_mass=out(mass),
        lower_i0=out(i0),
        ratio=out(ratio),
        looseness=out(looseness),
        vacuous=out(upper >= 1.0),
        theta=out(th),
        beta=out(be),
        k=out(kk),
        t=out(tt),
        replace=bool(replace),
        n_skills=None if nn is None else out(nn),
    )
