"""What every finite-size certificate shares: its result type and its log-space arithmetic.

:mod:`skillgraph.theory.certificates` (certificates A and B) and
:mod:`skillgraph.theory.sharp` (certificate C) both build on these, so they
live below both.  Pure numpy/scipy, no numba.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from scipy.special import gammaln

from skillgraph._display import Display
from skillgraph._validation import check_int, check_probability

__all__ = [
    "Certificate",
    "CertificateArgs",
    "check_certificate_args",
    "log_binomial",
    "rounding_slack",
    "ROUNDING_SLACK",
]

# Relative slack added to each computed log bound before it is compared with
# log(delta_fail): the terms reach ~1e13 at n_texts = 1e12, where float
# round-off (~1e-16 relative per operation) could otherwise decide the
# comparison in the unsafe direction.
ROUNDING_SLACK = 1e-12


@dataclass(frozen=True)
class Certificate(Display):
    """A finite-size certificate (:doc:`/theory/certificates`).

    Returned by :func:`~skillgraph.theory.certificates.certified_alpha` and
    :func:`~skillgraph.theory.sharp_certificate.certified_sharp`.

    Attributes
    ----------
    alpha : float
        ``z / n_skills``: with probability at least ``1 - delta_fail`` over the
        random graph, no failure set of size ``n_failed`` leaves more than
        ``alpha * n_skills`` skills bad.
    method : str
        ``"conditional"`` (certificate A, given the skill degrees),
        ``"unconditional"`` (certificate B) or ``"sharp"`` (certificate C,
        :func:`skillgraph.theory.sharp_certificate.certified_sharp`).
    log_fail_prob : float
        Natural log of the union bound on ``P[#bad > alpha * n_skills]``; at
        most ``log(delta_fail)``; ``-inf`` when exceeding ``alpha`` is impossible
        (for instance ``alpha`` is the trivial value).
    delta_fail : float
        The failure probability asked for.
    n_skills, n_texts, k, theta, beta : the inputs (``k`` is None for a
        ragged graph, see
        :func:`~skillgraph.theory.certificates.certified_alpha_ragged`).
    n_failed : int
        ``m = round(theta * n_texts)``, the size of the failure sets covered.
    n_bad_max : int
        ``alpha * n_skills``, the certified maximum number of bad skills.
    vacuous : bool
        True when nothing beyond the trivial value was certified (``alpha`` is
        1, or the fraction of skills with positive degree for certificate A).
    degrees_given : bool
        Whether a realised degree sequence was supplied.
    candidates : dict
        ``{method: alpha}`` for every certificate that was computed.
    """

    alpha: float
    method: str
    log_fail_prob: float
    delta_fail: float
    n_skills: int
    n_texts: int
    k: int | None
    theta: float
    beta: float
    n_failed: int
    n_bad_max: int
    vacuous: bool
    degrees_given: bool
    candidates: dict = field(default_factory=dict, compare=False)

    @property
    def inputs(self) -> dict:
        """The arguments the certificate was computed from."""
        return {name: getattr(self, name) for name in (*CertificateArgs._fields, "degrees_given")}

    @property
    def fail_prob(self) -> float:
        """``exp(log_fail_prob)`` (may underflow to 0.0; the log is exact)."""
        return math.exp(self.log_fail_prob) if self.log_fail_prob > -745 else 0.0

    def __repr__(self) -> str:
        return (
            f"Certificate(alpha={self.alpha:.6g}, method={self.method!r}, "
            f"log_fail_prob={self.log_fail_prob:.6g}, delta_fail={self.delta_fail:g}, "
            f"n_skills={self.n_skills}, n_texts={self.n_texts}, k={self.k}, "
            f"theta={self.theta:g}, beta={self.beta:g}, vacuous={self.vacuous})"
        )


def log_binomial(n, r):
    """``log C(n, r)`` elementwise, for real ``0 <= r <= n`` (gammaln, no overflow)."""
    n = np.asarray(n, dtype=np.float64)
    r = np.asarray(r, dtype=np.float64)
    return gammaln(n + 1.0) - gammaln(r + 1.0) - gammaln(n - r + 1.0)


def rounding_slack(*terms):
    """A safety margin for round-off: ``ROUNDING_SLACK * sum(|terms|) + 1e-9``.

    Every certificate adds it to its log bound before comparing with
    ``log(delta_fail)``, so that float round-off can never decide that
    comparison in the unsafe direction.  Non-finite terms count as 0; the
    absolute ``1e-9`` is a floor for when the terms are small (see
    :ref:`theory-certificate-reduction`).  It costs a factor of at most
    ``exp(1e-9)`` in the failure probability a certificate can claim.
    """
    total = 0.0
    for t in terms:
        total = total + np.abs(np.where(np.isfinite(t), t, 0.0))
    return ROUNDING_SLACK * total + 1e-9


class CertificateArgs(NamedTuple):
    """The arguments every finite-size certificate takes, validated, in signature order.

    ``k`` is None for a ragged graph
    (:func:`~skillgraph.theory.certificates.certified_alpha_ragged`).
    """

    n_skills: int
    n_texts: int
    k: int | None
    theta: float
    beta: float
    delta_fail: float

    @property
    def n_failed(self) -> int:
        """``m = round(theta * n_texts)``, the size of the failure sets covered."""
        return int(round(self.theta * self.n_texts))

    def result_fields(self) -> dict:
        """These inputs and ``n_failed``: the fields every certificate result records."""
        return {**self._asdict(), "n_failed": self.n_failed}


def check_certificate_args(n_skills, n_texts, k, theta, beta, delta_fail) -> CertificateArgs:
    """Validated ``(n_skills, n_texts, k, theta, beta, delta_fail)`` of a certificate.

    The arguments every finite-size certificate takes, checked in this order
    (sizes and ``k`` integers >= 1; ``theta``, ``beta``, ``delta_fail`` in (0, 1)).
    """
    return CertificateArgs(
        check_int("n_skills", n_skills, 1),
        check_int("n_texts", n_texts, 1),
        check_int("k", k, 1),
        check_probability("theta", theta),
        check_probability("beta", beta),
        check_probability("delta_fail", delta_fail),
    )
