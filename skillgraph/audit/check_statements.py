"""How the check report names its numbers, and the statements it computes from the graph.

The check (:func:`skillgraph.audit.report.check`) labels every number with
what it claims and for which graph (:mod:`skillgraph.audit.statements`).
This module holds the labels shared by the check and its report
(:class:`~skillgraph.audit.check_report.CheckReport`): the name of each
certificate and adversary, where a certificate holds, and
:func:`graph_statements`, the statements that need the graph itself (the
exact MILP's bound as a count, every bad mass).
"""

from __future__ import annotations

import math

import numpy as np

from skillgraph.audit.outcome import AdversaryOutcome
from skillgraph.audit.statements import (
    SCOPE_DEGREES,
    SCOPE_GRAPH,
    SCOPE_MODEL,
    SCOPE_SAMPLED,
    Statement,
)

__all__ = ["adversary_label", "certificate_scope", "graph_statements"]

#: absolute slack on HiGHS's bound before it is turned into a count (its tolerances)
_SOLVER_SLACK = 1e-7

#: how the report names each certificate (``Certificate.method``)
CERTIFICATE_NAMES = {
    "conditional": "A (given degrees)",
    "unconditional": "B (unconditional)",
    "sharp": "C (sharp)",
}
#: how the report names each failure model but the exact one
_ADVERSARY_LABELS = {
    "greedy": "greedy adversary",
    "targeted": "targeted adversary",
    "deficit": "deficit failures",
    "random": "random failures",
}


def adversary_label(name: str, outcome: AdversaryOutcome) -> str:
    """How the report names the failure model ``name`` (the exact one: whether proven optimal)."""
    if name == "exact":
        return "exact adversary (MILP)" + (", optimal" if outcome.optimal else
                                           ", not proven optimal")  # fmt: skip
    return _ADVERSARY_LABELS[name]


def certificate_scope(sampled: bool, method: str) -> str:
    """Where a certificate holds: this graph if sampled; else the model (given the degrees: A)."""
    if sampled:
        return SCOPE_SAMPLED
    return SCOPE_DEGREES if method == "conditional" else SCOPE_MODEL


def _count_within_mass(graph, mass: float) -> int:
    """The most skills (of positive degree) whose total ``mu1``-mass is at most ``mass``."""
    mu = np.sort(graph.skill_measure[graph.degrees > 0] / graph.skill_measure.sum())
    return int(np.searchsorted(np.cumsum(mu), mass + _SOLVER_SLACK, side="right"))


def _mass_of_count(graph, count: int) -> float:
    """The largest total ``mu1``-mass of ``count`` skills of positive degree."""
    mu = np.sort(graph.skill_measure[graph.degrees > 0] / graph.skill_measure.sum())[::-1]
    return float(min(1.0, math.fsum(mu[:count])))


def graph_statements(
    graph, adversaries: dict, exact_upper: float | None, cert, mass_cert, sampled: bool
) -> tuple:
    """Statements that need the graph: the exact bound as a count, and every bad mass.

    Masses only for a non-uniform ``mu1`` (for the uniform one they are the
    counts over ``n_skills``).  Certificate A bounds a count; the mass of the
    heaviest skills of that count bounds the bad mass.

    Parameters
    ----------
    graph : SkillGraph
        The checked graph.
    adversaries : dict[str, AdversaryOutcome]
        Every failure model that was run, by name.
    exact_upper : float or None
        HiGHS's bound on the worst bad mass, when the exact adversary ran.
    cert : Certificate
        The best certificate (:func:`skillgraph.theory.certificates.certified_alpha`).
    mass_cert : MassCertificate or None
        The certified bad mass (non-uniform ``mu1`` only).
    sampled : bool
        Whether the graph counts as a sample of the model (:func:`certificate_scope`).

    Returns
    -------
    tuple of Statement
        In the order the report lists them.
    """
    out = []
    uniform = np.allclose(graph.skill_measure, 1.0 / graph.n_skills, rtol=1e-9, atol=0)
    if exact_upper is not None:
        out.append(Statement("exact MILP (solver bound)", "upper",
                             _count_within_mass(graph, exact_upper), "skills", SCOPE_GRAPH))
    if uniform:
        return tuple(out)
    out += [Statement(adversary_label(name, a), "lower", a.bad_fraction, "mass", SCOPE_GRAPH)
            for name, a in adversaries.items()]
    if exact_upper is not None:
        out.append(Statement("exact MILP (solver bound)", "upper",
                             min(1.0, exact_upper + _SOLVER_SLACK), "mass", SCOPE_GRAPH))
    out.append(Statement(f"certificate {CERTIFICATE_NAMES[cert.method]} (heaviest skills)",
                         "upper", _mass_of_count(graph, cert.n_bad_max), "mass",
                         certificate_scope(sampled, cert.method)))
    if mass_cert is not None:
        out.append(Statement("mass certificate", "upper", float(mass_cert.mass_max), "mass",
                             certificate_scope(sampled, "sharp")))
    return tuple(out)  # fmt: skip

