"""The tuple part of a check: tuple adversary, tuple certificate and the sharp tuple law.

For tensor ``t``-tuples (:ref:`theory-sharp-tuples`) :func:`tuple_check`
holds the best failure set of :func:`skillgraph.audit.tuple_adversary.tuple_adversary`
(a lower side on this graph) against the tuple certificate (an upper side
with probability ``1 - delta_fail`` over a random graph), beside the two
sides of the limit law :func:`skillgraph.theory.sharp_tuples.sharp_tuple_bound`
and the paper's ``alpha_star(t theta, beta, k)`` (Corollary 2).  All values
are ``mu1``-masses of bad tuples (fractions of tuples for uniform ``mu1``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from skillgraph.audit.statements import SCOPE_GRAPH, SCOPE_MODEL, SCOPE_SAMPLED, Statement
from skillgraph.audit.tuple_adversary import tuple_adversary
from skillgraph.theory.bounds import tuple_alpha_star
from skillgraph.theory.sharp_tuples import sharp_tuple_bound
from skillgraph.theory.tuple_certificate import tuple_certificate

__all__ = ["TupleCheck", "tuple_check"]


@dataclass(frozen=True)
class TupleCheck:
    """The tuple sandwich of one graph.

    Attributes
    ----------
    t : int
        Tuple size.
    adversary : TupleAdversaryResult
        The best failure set found and its bad tuple mass (lower side on this graph).
    certificate : TupleCertificate or None
        The tuple certificate for a random graph of this size and measure;
        None for ragged text degrees (no ``k``).
    limit : SharpTupleBound
        Both sides of the sharp tuple law (``n_texts / n_skills -> inf``).
    paper : float
        ``alpha_star(t theta, beta, k)``, Corollary 2 (KL form).
    certificate_scope : str
        Where the certificate holds (:mod:`skillgraph.audit.statements`).
    """

    t: int
    adversary: object = field(repr=False)
    certificate: object | None
    limit: object
    paper: float
    certificate_scope: str

    def statements(self) -> list[Statement]:
        """The tuple numbers as statements (unit ``"tuple mass"``)."""
        unit = "tuple mass"
        adv = self.adversary
        out = [Statement(f"tuple adversary ({adv.strategy})", "lower", adv.bad_mass, unit,
                         SCOPE_GRAPH)]  # fmt: skip
        if self.certificate is not None:
            out.append(Statement("tuple certificate", "upper", float(self.certificate.bound),
                                 unit, self.certificate_scope))  # fmt: skip
        out += [
            Statement("sharp tuple law, lower side", "limit", float(self.limit.lower), unit,
                      SCOPE_MODEL),
            Statement("sharp tuple law, upper side", "limit", float(self.limit.upper), unit,
                      SCOPE_MODEL),
            Statement(f"paper alpha_star({self.t} theta)", "limit", self.paper, unit,
                      SCOPE_MODEL),
        ]  # fmt: skip
        return out

    def as_dict(self) -> dict:
        """Plain Python types for JSON (the failure mask left out)."""
        adv = self.adversary
        cert = self.certificate
        return {
            "t": self.t,
            "adversary": {
                "bad_mass": adv.bad_mass,
                "bad_mass_high": adv.bad_mass_high,
                "exact": adv.exact,
                "strategy": adv.strategy,
                "by_strategy": dict(adv.details.get("by_strategy", {})),
            },
            "certificate": None if cert is None else {
                "bound": float(cert.bound), "vacuous": bool(cert.vacuous),
                "scope": self.certificate_scope,
            },
            "limit": {"lower": float(self.limit.lower), "upper": float(self.limit.upper),
                      "lower_construction": self.limit.lower_construction},
            "paper_alpha_star": self.paper,
        }  # fmt: skip

    def limit_lines(self) -> list[str]:
        """The model's limits beside the sandwich."""
        lim = self.limit
        return [
            f"  as n_texts/n_skills -> inf (model): the worst case lies in [{lim.lower:.4g}, "
            f"{lim.upper:.4g}] (sharp tuple law, lower side {lim.lower_construction});",
            f"  the paper allows alpha_star({self.t} theta) = {self.paper:.4g}"
            + (f" ({self.paper / lim.upper:.3g}x the upper side)" if lim.upper > 0 else ""),
        ]


def tuple_check(
    graph, theta: float, beta: float, k: int, t: int, *, delta_fail: float, sampled: bool, seed
) -> TupleCheck:
    """Run the tuple adversary and compute the tuple certificate and limits for ``graph``.

    Parameters
    ----------
    graph : SkillGraph
    theta, beta : float
        Failure rate and threshold, in ``(0, 1)``.
    k : int
        Skills per text piece of the bounds.
    t : int
        Tuple size, ``>= 1``.
    delta_fail : float
        Failure probability of the certificate.
    sampled : bool
        Whether the graph counts as a sample of the random-graph model (then
        the certificate holds for it with probability ``1 - delta_fail``;
        otherwise it is a statement about the model only).
    seed : SeedSequence
        For the adversary.

    Returns
    -------
    TupleCheck
    """
    adversary = tuple_adversary(graph, theta, beta, t, seed=seed)
    cert = None
    if graph.is_regular and graph.k == k:
        cert = tuple_certificate(
            graph.n_skills, graph.n_texts, k, theta, beta, t, delta_fail=delta_fail,
            skill_measure=graph.skill_measure,
        )  # fmt: skip
    return TupleCheck(
        t=t, adversary=adversary, certificate=cert, limit=sharp_tuple_bound(theta, beta, k, t),
        paper=float(tuple_alpha_star(theta, beta, k, t)),
        certificate_scope=SCOPE_SAMPLED if sampled else SCOPE_MODEL,
    )  # fmt: skip
