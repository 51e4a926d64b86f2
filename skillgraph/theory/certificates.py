"""Rigorous finite-size certificates for the emergence bound (:doc:`/theory/certificates`).

Theorem 1 (:doc:`/theory/theorem1`) is asymptotic.  For the actual ``n_skills``,
``n_texts`` and ``k`` of a simulation, :func:`certified_alpha` returns a value
``alpha`` and a failure probability ``delta_fail`` such that, over the random
skill graph::

    P[ some Y with |Y| = m leaves MORE than alpha * n_skills skills bad ] <= delta_fail,

where ``m = round(theta * n_texts)`` and a skill is bad when ``fail(s) > beta``.

The reduction to a single set size
----------------------------------
If more than ``z`` skills are bad then some set ``Z`` of exactly ``z + 1``
skills is all bad.  So a union bound over ``Y`` and over the sets ``Z`` of
size ``z + 1`` alone bounds ``P[#bad > z]``; no monotonicity of the bound in
``z`` is needed.  ``certified_alpha`` returns ``z / n_skills`` for the smallest
``z`` whose size-``(z + 1)`` bound is at most ``log(delta_fail)`` (every ``z``
is evaluated, so this is the smallest such ``z`` even where the bound is not
monotone).  ``log_fail_prob`` is that size-``(z + 1)`` bound.

Notes
-----
This module never imports numba and works in log space throughout (``gammaln``,
``xlogy``, ``log1p``, ``logaddexp``), so ``n_texts`` up to 1e12 and beyond neither overflow nor
underflow.  Certificates A and B assume the paper's sampling model: each text
draws its ``k`` skills i.i.d. (with replacement); certificate B also assumes
the uniform skill measure.  Certificate C (``method="sharp"``, in
:mod:`skillgraph.theory.sharp`, :doc:`/theory/sharp`) takes no union over
``Y`` and tends to the sharp limit ``alpha_sharp``; it too assumes the uniform
skill measure.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import expit, xlogy

from skillgraph._docstrings import fill_doc
from skillgraph._validation import check_choice, check_probability
from skillgraph.theory._text import CERTIFICATE_DOCS
from skillgraph.theory.certificate_base import (
    Certificate,
    CertificateArgs,
    check_certificate_args,
    log_binomial,
    rounding_slack,
)
from skillgraph.theory.sharp_certificate import certified_sharp

__all__ = [
    "Certificate",
    "certified_alpha",
    "certified_alpha_ragged",
    "log_binomial",
    "rounding_slack",
]

_METHODS = ("best", "conditional", "unconditional", "sharp")
def _kl(q, p):
    """``KL(q || p)`` of Bernoulli laws, elementwise, for ``q`` in [0, 1], ``p`` in (0, 1)."""
    q = np.asarray(q, dtype=np.float64)
    p = np.asarray(p, dtype=np.float64)
    return xlogy(q, q) - xlogy(q, p) + xlogy(1.0 - q, 1.0 - q) - (1.0 - q) * np.log1p(-p)


def conditional_log_bounds(
    degrees: np.ndarray, n_draws: int, n_slots: int, log_choose_y: float, beta: float
) -> np.ndarray:
    """Certificate A's log bound on ``P[some Y, some |Z| = j all bad | degrees]``, j = 1..n_pos.

    Parameters
    ----------
    degrees : ndarray
        Skill degrees (with multiplicity); skills of degree 0 are ignored.
    n_draws : int
        The largest number of edge slots a failure set can hold (``k m`` for a
        ``k``-regular text side; the sum of the ``m`` largest text degrees
        otherwise).
    n_slots : int
        Total number of edge slots ``sum(degrees)``.
    log_choose_y : float
        ``log`` of the number of failure sets (``log C(n_texts, m)``).
    beta : float
        Bad threshold.

    Returns
    -------
    ndarray
        Entry ``j - 1`` bounds the log probability for sets ``Z`` of size ``j``
        (``-inf`` where no ``Z`` of that size can be all bad).

    Notes
    -----
    :ref:`theory-certificate-a`.  Given the degrees the slots are a uniform
    arrangement, so ``edges(Y, Z)`` is hypergeometric (``n_draws`` draws from
    ``n_slots`` slots of which ``deg(Z)`` are in ``Z``); Hoeffding (1963, Thm 4)
    bounds its upper tail by the binomial Chernoff bound
    ``exp(-n_draws KL(q || p))``, ``p = deg(Z)/n_slots``,
    ``q = beta deg(Z)/n_draws``.  ``Z`` all bad needs ``edges(Y, Z) > beta deg(Z)``;
    if ``q >= 1`` that is impossible.  The exponent grows with ``p``, so the
    ``j`` lowest-degree skills are the worst ``Z`` of size ``j``.  Cost
    ``O(n_skills log n_skills)``.
    """
    d = np.sort(np.asarray(degrees, dtype=np.float64)[np.asarray(degrees) > 0])
    n_pos = d.size
    sizes = np.arange(1, n_pos + 1, dtype=np.float64)
    deg_z = np.cumsum(d)
    p = deg_z / n_slots
    q = beta * deg_z / n_draws
    log_choose_z = log_binomial(n_pos, sizes)
    usable = (q > p) & (q < 1.0)
    # Evaluate KL only where it is used (placeholders elsewhere keep it finite).
    chernoff = np.zeros_like(p)
    chernoff[usable] = -n_draws * _kl(q[usable], p[usable])
    out = log_choose_y + log_choose_z + chernoff
    out = out + rounding_slack(log_choose_y, log_choose_z, chernoff)
    # Chernoff is useless for q <= p: the (true) probability bound is then 1.
    out = np.where(q > p, out, np.maximum(out, 0.0))
    out = np.where(q >= 1.0, -np.inf, out)
    return out


def _log_mgf_terms(lam, logit_p, log1m_p, a, b, beta):
    """``log M(lam)`` and its derivative (:ref:`theory-certificate-b`), elementwise."""
    x1 = lam * (1.0 - beta)
    x2 = -lam * beta
    log_p = logit_p + log1m_p
    # log(1 - p + p e^x) = logaddexp(log(1-p), log p + x): no overflow for large x.
    log_m = a * np.logaddexp(log1m_p, log_p + x1) + b * np.logaddexp(log1m_p, log_p + x2)
    deriv = a * (1.0 - beta) * expit(logit_p + x1) - b * beta * expit(logit_p + x2)
    return log_m, deriv


def unconditional_log_bounds(
    n_skills: int, n_texts: int, k: int, m: int, beta: float, log_choose_y: float
) -> np.ndarray:
    """Certificate B's log bound on ``P[some Y, some |Z| = j all bad]``, j = 1..n_skills.

    Notes
    -----
    :ref:`theory-certificate-b`: ``X = edges(Y, Z) ~ Bin(k m, p)`` and
    ``W = edges(V2 \\ Y, Z) ~ Bin(k (n_texts - m), p)`` are independent with
    ``p = j / n_skills`` (uniform skill measure); ``Z`` all bad implies
    ``(1 - beta) X - beta W >= 0``, whose probability is at most
    ``min_lam M(lam)``.  ``log M`` is convex in ``lam``, so instead of one
    bounded scalar minimisation per ``j`` we bisect the sign of its derivative
    for all ``j`` at once (vectorised; 200 steps).  Any ``lam > 0`` gives a
    valid bound, so the accuracy of the minimiser affects only tightness,
    never rigour.  Cost ``O(200 n_skills)``.
    """
    sizes = np.arange(1, n_skills + 1, dtype=np.float64)
    a = float(k) * m
    b = float(k) * (n_texts - m)
    log_choose_z = log_binomial(n_skills, sizes)
    out = np.empty(n_skills)
    # j = n_skills: p = 1, every slot is in Z; Z all bad iff m/n_texts >= beta.
    out[-1] = -np.inf if (1.0 - beta) * a - beta * b < 0 else 0.0
    js = sizes[:-1]
    if js.size:
        p = js / n_skills
        log1m_p = np.log1p(-p)
        logit_p = np.log(p) - log1m_p
        # Derivative at 0 is k p (m - beta n_texts) < 0 when m/n_texts < beta.
        if (1.0 - beta) * a - beta * b < 0:
            hi = np.ones_like(p)
            for _ in range(200):
                _, d_hi = _log_mgf_terms(hi, logit_p, log1m_p, a, b, beta)
                grow = d_hi < 0
                if not grow.any():
                    break
                hi = np.where(grow, hi * 2.0, hi)
            lo = np.zeros_like(p)
            for _ in range(200):
                mid = 0.5 * (lo + hi)
                _, d_mid = _log_mgf_terms(mid, logit_p, log1m_p, a, b, beta)
                lo = np.where(d_mid < 0, mid, lo)
                hi = np.where(d_mid < 0, hi, mid)
            log_m, _ = _log_mgf_terms(0.5 * (lo + hi), logit_p, log1m_p, a, b, beta)
            log_m = np.minimum(log_m, 0.0)  # lam -> 0 gives M = 1
        else:
            log_m = np.zeros_like(p)
        lc = log_choose_z[:-1]
        out[:-1] = log_choose_y + lc + log_m + rounding_slack(log_choose_y, lc, log_m)
    return out


def _smallest_certified(log_bounds: np.ndarray, log_delta: float, n_max: int) -> tuple[int, float]:
    """Smallest ``z`` in ``[0, n_max]`` with ``log_bounds[z] <= log_delta`` (bound for size z+1).

    ``z = n_max`` always qualifies: more than ``n_max`` bad skills is impossible.
    """
    ok = np.flatnonzero(log_bounds[:n_max] <= log_delta)
    if ok.size:
        z = int(ok[0])
        return z, float(log_bounds[z])
    return n_max, -math.inf


def _validate_degrees(degrees, n_skills: int, n_slots: int) -> np.ndarray:
    arr = np.asarray(degrees)
    if arr.ndim != 1 or arr.shape[0] != n_skills:
        raise ValueError(f"degrees must have shape ({n_skills},) (one per skill), got {arr.shape}")
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)) or not np.all(arr == np.round(arr)):
            raise ValueError("degrees must be non-negative integers, got non-integer values")
    elif arr.dtype.kind not in "iu":
        raise TypeError(f"degrees must be an integer array, got dtype {arr.dtype}")
    arr = arr.astype(np.int64)
    if arr.size and arr.min() < 0:
        raise ValueError(f"degrees must be non-negative, got minimum {arr.min()}")
    total = int(arr.sum())
    if total != n_slots:
        raise ValueError(
            f"degrees must sum to k * n_texts = {n_slots} (the number of edge slots), got {total}"
        )
    return arr


def _certificate_results(
    method: str, m: int, n_skills: int, n_texts: int, k: int, theta: float, beta: float,
    *, delta_fail: float, degrees: np.ndarray | None,
) -> dict[str, tuple[int, float, int]]:
    """Return ``{name: (n_bad_max, log_fail_prob, largest possible n_bad)}`` for ``method``."""
    results = {}
    if m == 0:
        # An empty failure set leaves no skill bad.
        for name in ("conditional", "unconditional", *(("sharp",) if method == "sharp" else ())):
            results[name] = (0, -math.inf, n_skills)
        return results
    log_delta = math.log(delta_fail)
    log_choose_y = float(log_binomial(n_texts, m))
    if degrees is not None and method in ("best", "conditional"):
        n_pos = int(np.count_nonzero(degrees))
        bounds_a = conditional_log_bounds(degrees, k * m, k * n_texts, log_choose_y, beta)
        z, lp = _smallest_certified(bounds_a, log_delta, n_pos)
        results["conditional"] = (z, lp, n_pos)
    if method in ("best", "unconditional"):
        bounds_b = unconditional_log_bounds(n_skills, n_texts, k, m, beta, log_choose_y)
        z, lp = _smallest_certified(bounds_b, log_delta, n_skills)
        results["unconditional"] = (z, lp, n_skills)
    if method == "sharp":
        c = certified_sharp(n_skills, n_texts, k, theta, beta, delta_fail=delta_fail)
        results["sharp"] = (c.n_bad_max, c.log_fail_prob, n_skills)
    return results


@fill_doc(**CERTIFICATE_DOCS)
def certified_alpha(
    n_skills: int,
    n_texts: int,
    k: int,
    theta: float,
    beta: float,
    *,
    delta_fail: float = 1e-6,
    degrees=None,
    method: str = "best",
) -> Certificate:
    """Certified bound on the bad fraction for a finite random skill graph.

    The mathematics is on the documentation page :doc:`/theory/certificates`.

    Parameters
    ----------
    %(inputs)s
    %(beta)s
    %(delta_fail)s
    degrees : array of int, optional
        Realised skill degrees (length ``n_skills``, summing to ``k * n_texts``);
        enables certificate A (conditional on the degrees).
    method : {"best", "conditional", "unconditional", "sharp"}
        ``"best"`` returns the smaller of the union-bound certificates that
        apply (A only with ``degrees``; B always) and names it in ``method``;
        ``"sharp"`` returns certificate C, which is far smaller once
        ``n_texts >> n_skills`` (:func:`skillgraph.audit.report.check` reports
        the best of all three).  B and C assume the uniform skill measure.

    Returns
    -------
    Certificate
        ``alpha`` such that ``P[some Y with |Y| = m leaves more than
        alpha * n_skills skills bad] <= delta_fail`` (for certificate A:
        conditionally on the degrees, hence also unconditionally).

    Raises
    ------
    ValueError, TypeError
        On invalid input (naming the parameter, value and valid range), and
        for ``method="conditional"`` without ``degrees``.

    Notes
    -----
    :doc:`/theory/certificates`.  With ``m' = m / n_texts``:

    * A: ``log P <= log C(n_texts, m) + log C(n_pos, j)
      - k m KL(beta p_min(j) / m' || p_min(j))`` with ``p_min(j)`` the degree
      share of the ``j`` lowest positive-degree skills (``n_pos`` of them);
      a ``Z`` with ``beta p_min(j) >= m'`` cannot be all bad.  We use
      ``C(n_pos, j)`` rather than ``C(n_skills, j)``: degree-0 skills are
      never bad, so this is the exact count of candidate sets.
    * B: ``log P <= log C(n_texts, m) + log C(n_skills, j) + min_lam log M(lam)``.
    * C (:ref:`theory-certificate-c`): ``log P <= log C(n_skills, j) +
      min_tau min_lam [lam m tau + n_texts log E exp(lam ((X - tau)_+ - beta X))]``
      with ``X ~ Binomial(k, j / n_skills)``: no union over ``Y``.

    Each bounds the probability that a given size ``j = z + 1`` of bad set
    occurs, which is all ``#bad > z`` needs (see the module docstring).
    The Chernoff steps need ``beta > m'``; otherwise only the trivial value
    is returned (``vacuous=True``).  Cost ``O(n_skills log n_skills)`` for A
    and B; C stops at its first certified size (well under a second).

    Examples
    --------
    >>> cert = certified_alpha(1000, 10**6, 8, 0.1, 0.5)
    >>> cert.method, cert.alpha
    ('unconditional', 0.092)
    >>> import numpy as np
    >>> degrees = np.full(1000, 8000)  # every skill at its expected degree
    >>> cert = certified_alpha(1000, 10**6, 8, 0.1, 0.5, degrees=degrees)
    >>> cert.method, cert.alpha, bool(cert.log_fail_prob < np.log(1e-6))
    ('conditional', 0.083, True)
    >>> certified_alpha(1000, 10**6, 8, 0.1, 0.5, method="sharp").alpha
    0.033
    """
    args = check_certificate_args(n_skills, n_texts, k, theta, beta, delta_fail)
    n_skills, n_texts, k, theta, beta, delta_fail = args
    method = check_choice("method", method, _METHODS)
    n_slots = k * n_texts
    if degrees is not None:
        degrees = _validate_degrees(degrees, n_skills, n_slots)
    elif method == "conditional":
        raise ValueError(
            "method='conditional' (certificate A) needs degrees= (the realised skill degrees); "
            "use method='unconditional' or 'best' without them"
        )

    m = args.n_failed
    results = _certificate_results(
        method, m, n_skills, n_texts, k, theta, beta, delta_fail=delta_fail, degrees=degrees
    )
    if method == "best":
        # The smaller alpha; on a tie prefer the smaller failure probability.
        name = min(results, key=lambda r: (results[r][0], results[r][1]))
    else:
        name = method
    z, lp, n_max = results[name]
    candidates = {r: results[r][0] / n_skills for r in results}
    return Certificate(
        alpha=z / n_skills,
        method=name,
        log_fail_prob=lp,
        n_bad_max=z,
        vacuous=(z >= n_max and m > 0),
        degrees_given=degrees is not None,
        candidates=candidates,
        **args.result_fields(),
    )


def certified_alpha_ragged(
    degrees, text_degrees, theta: float, beta: float, *, delta_fail: float = 1e-6
) -> Certificate:
    """Certificate A for a graph whose text pieces have unequal numbers of skills.

    Parameters
    ----------
    degrees : array of int
        Skill degrees (with multiplicity).
    text_degrees : array of int
        Number of skill slots of each text piece; ``sum(text_degrees)`` must
        equal ``sum(degrees)``.
    theta, beta, delta_fail : float
        As in :func:`certified_alpha`.

    Returns
    -------
    Certificate
        ``method="conditional"``, ``k=None``.

    Notes
    -----
    :ref:`theory-certificate-ragged`, for the model in which the edge slots (each
    text keeping its number of slots) are a uniformly random arrangement of
    the skill-degree multiset.  A failure set of ``m`` texts holds at most
    ``n_draws`` = the sum of the ``m`` largest text degrees slots, and the
    hypergeometric tail ``P[X > beta deg(Z)]`` grows with the number of
    draws, so every ``Y`` is covered by the bound for ``n_draws`` draws.
    For a ``k``-regular graph this is exactly certificate A of
    :func:`certified_alpha`.  This is the yardstick :func:`skillgraph.check`
    holds users' graphs against; it says what the random-graph model would
    certify for these degrees, not a property of the user's graph.
    """
    theta = check_probability("theta", theta)
    beta = check_probability("beta", beta)
    delta_fail = check_probability("delta_fail", delta_fail)
    text_degrees = np.asarray(text_degrees, dtype=np.int64)
    if text_degrees.ndim != 1 or text_degrees.size == 0 or text_degrees.min(initial=0) < 0:
        raise ValueError("text_degrees must be a non-empty 1-D array of non-negative integers")
    n_texts = int(text_degrees.size)
    n_slots = int(text_degrees.sum())
    if n_slots == 0:
        raise ValueError("the graph has no edges: nothing to certify")
    degrees = _validate_degrees(degrees, np.asarray(degrees).shape[0], n_slots)
    args = CertificateArgs(int(degrees.size), n_texts, None, theta, beta, delta_fail)
    n_skills, m = args.n_skills, args.n_failed
    common = dict(args.result_fields(), degrees_given=True, method="conditional")
    n_pos = int(np.count_nonzero(degrees))
    if m == 0:
        return Certificate(alpha=0.0, log_fail_prob=-math.inf, n_bad_max=0, vacuous=False,
                           candidates={"conditional": 0.0}, **common)
    n_draws = int(np.sort(text_degrees)[::-1][:m].sum())
    log_choose_y = float(log_binomial(n_texts, m))
    bounds_a = conditional_log_bounds(degrees, n_draws, n_slots, log_choose_y, beta)
    z, lp = _smallest_certified(bounds_a, math.log(delta_fail), n_pos)
    return Certificate(alpha=z / n_skills, log_fail_prob=lp, n_bad_max=z, vacuous=z >= n_pos,
                       candidates={"conditional": z / n_skills}, **common)
