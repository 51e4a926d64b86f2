"""A finite-size certificate for the bad fraction of tensor tuples of skills.

Certificate C (:func:`~skillgraph.theory.sharp_certificate.certified_sharp`, or
:func:`~skillgraph.theory.sharp_measure.certified_sharp_mass` for a
non-uniform ``mu1``) is run at every threshold ``x_g`` of a lattice fixed in
advance, with ``delta_fail`` split evenly over the thresholds (a union bound).
With probability at least ``1 - delta_fail`` all of them hold at once: for
every failure set, the mass of skills with share above ``x_g`` is at most the
certified value.  The dominance convolution of :doc:`/theory/sharp_tuples`
with these values in place of ``alpha_sharp`` then bounds the bad mass of
tensor ``t``-tuples for every failure set at once
(:ref:`theory-tuples-certificate`).  Pure numpy/scipy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from skillgraph._display import JsonRecord
from skillgraph._docstrings import fill_doc
from skillgraph._validation import check_int
from skillgraph.theory._text import CERTIFICATE_DOCS, bound_repr
from skillgraph.theory.bounds import tuple_alpha_star
from skillgraph.theory.certificate_base import CertificateArgs, check_certificate_args
from skillgraph.theory.sharp_certificate import certified_sharp
from skillgraph.theory.sharp_measure import certified_sharp_mass, measure_weights
from skillgraph.theory.sharp_tuples import (
    dominance_from_survival,
    lattice_thresholds,
    sharp_tuple_bound,
)

__all__ = ["TupleCertificate", "tuple_certificate"]

#: lattice steps of the certificate (each costs one certificate C)
CERTIFICATE_GRID = 24


@dataclass(frozen=True, repr=False)
class TupleCertificate(JsonRecord):
    """A certified bound on the bad fraction of tensor ``t``-tuples.

    Attributes
    ----------
    bound : float
        With probability at least ``1 - delta_fail`` over the random graph, no
        failure set of ``n_failed`` text pieces makes more than this
        ``mu1``-mass of tensor ``t``-tuples bad (tuples drawn i.i.d. from
        ``mu1``; undefined tuples count in the denominator, as in
        ``tuple_bad_fraction``).
    thresholds : numpy.ndarray
        The lattice ``x_0..x_L`` (fixed before the graph is drawn).
    certified : numpy.ndarray
        Certified mass of skills with share above each threshold (1 at
        ``x_0 = 0`` and wherever nothing was certified).
    n_certified : int
        Thresholds that carried a certificate (``delta_fail`` was split over them).
    limit_lower, limit_upper : float
        The limit law of :func:`~skillgraph.theory.sharp_tuples.sharp_tuple_bound`.
    paper : float
        ``alpha_star(t theta, beta, k)``, the paper's Corollary 2.
    vacuous : bool
        ``bound >= 1``.
    delta_fail, n_skills, n_texts, k, theta, beta, t, n_failed : the inputs.
    measure : str
        ``"uniform"`` (certificate C counts) or ``"weights"`` (certified masses).
    """

    bound: float
    thresholds: np.ndarray
    certified: np.ndarray
    n_certified: int
    limit_lower: float
    limit_upper: float
    paper: float
    vacuous: bool
    delta_fail: float
    n_skills: int
    n_texts: int
    k: int
    theta: float
    beta: float
    t: int
    n_failed: int
    measure: str

    def __repr__(self) -> str:
        limit = f"limit=[{self.limit_lower:.4g}, {self.limit_upper:.4g}]"
        return bound_repr(
            self,
            f"bound={self.bound:.4g}",
            f"{limit}, paper={self.paper:.4g}, t={self.t}, n_skills={self.n_skills}, "
            f"n_texts={self.n_texts}, delta_fail={self.delta_fail:g}",
        )


def _certified_masses(x, args: CertificateArgs, weights, uniform: bool, replace: bool):
    """Certified mass above each threshold; ``delta_fail`` split over the non-trivial ones."""
    n_skills, n_texts, k, theta, _, delta = args
    m = args.n_failed
    live = np.flatnonzero((x > 0) & (m < x * n_texts))  # elsewhere certificate C is vacuous
    out = np.ones(x.size)
    if m == 0:
        out[1:] = 0.0
        return out, 0
    each = delta / max(live.size, 1)
    for g in live:
        if uniform:
            cert = certified_sharp(n_skills, n_texts, k, theta, float(x[g]),
                                   delta_fail=each, replace=replace)  # fmt: skip
            out[g] = cert.n_bad_max / n_skills
        else:
            out[g] = certified_sharp_mass(n_skills, n_texts, k, theta, float(x[g]), weights,
                                          delta_fail=each).mass_max  # fmt: skip
    return out, int(live.size)


@fill_doc(**CERTIFICATE_DOCS)
def tuple_certificate(
    n_skills: int,
    n_texts: int,
    k: int,
    theta: float,
    beta: float,
    t: int,
    *,
    delta_fail: float = 1e-6,
    replace: bool = True,
    skill_measure=None,
    zipf_exponent: float = 1.0,
    grid: int = CERTIFICATE_GRID,
) -> TupleCertificate:
    """Certified upper bound on the bad fraction of tensor ``t``-tuples, at finite size.

    Parameters
    ----------
    %(inputs)s
    beta : float
        Threshold in ``(0, 1)``: a tuple is bad when its competence (the product
        of its skills' competences) is below ``1 - beta``.
    t : int
        Tuple size, ``>= 1``.
    delta_fail : float, default 1e-6
        Failure probability of the whole certificate, split over the thresholds.
    replace : bool, default True
        Sampling with replacement (required for a non-uniform measure).
    skill_measure : None, "uniform", "zipf" or array_like, optional
        ``mu1`` of the graph; non-uniform measures use certified masses.
    zipf_exponent : float, default 1.0
        Exponent for ``skill_measure="zipf"``, in [0, 50] (checked whatever the
        measure).
    grid : int, default ``CERTIFICATE_GRID``
        Lattice steps ``L`` (``>= 2``): ``L`` certificates, each at
        ``delta_fail`` over the number of non-trivial ones.

    Returns
    -------
    TupleCertificate

    %(raises_invalid)s

    Notes
    -----
    :ref:`theory-tuples-certificate`.  Cost: ``grid`` certificates C (about a
    second each at ``k = 8``) and ``t - 1`` convolutions of length ``grid + 1``.

    Examples
    --------
    >>> c = tuple_certificate(1000, 10**6, 8, 0.05, 0.5, 2, grid=8)
    >>> c.limit_upper <= c.bound < c.paper
    True
    """
    args = check_certificate_args(n_skills, n_texts, k, theta, beta, delta_fail)
    n_skills, n_texts, k, theta, beta, delta_fail = args
    t = check_int("t", t, 1)
    grid = check_int("grid", grid, 2, 4096)
    if not isinstance(replace, (bool, np.bool_)):
        raise TypeError(f"replace must be a bool, got {replace!r}")
    weights = measure_weights(n_skills, skill_measure, zipf_exponent)
    uniform = bool(np.all(weights == weights[0]))
    if not uniform and not replace:
        raise ValueError("a non-uniform skill_measure needs replace=True (skills drawn from mu1)")
    x = lattice_thresholds(beta, grid)
    certified, live = _certified_masses(x, args, weights, uniform, bool(replace))
    # no failed text piece: every share is 0 and no tuple is bad
    bound = 0.0 if args.n_failed == 0 else dominance_from_survival(certified, t)
    extra = {} if replace else dict(replace=False, n_skills=n_skills)
    limit = sharp_tuple_bound(theta, beta, k, t, **extra)
    return TupleCertificate(
        bound=bound,
        thresholds=x,
        certified=certified,
        n_certified=live,
        limit_lower=float(limit.lower),
        limit_upper=float(limit.upper),
        paper=float(tuple_alpha_star(theta, beta, k, t)),
        vacuous=bound >= 1.0,
        t=t,
        measure="uniform" if uniform else "weights",
        **args.result_fields(),
    )
