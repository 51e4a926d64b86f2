"""The check report: hold the strongest adversaries against the certificates.

:func:`check` takes a skill graph (sampled, or the user's own), a failure rate
``theta`` and a threshold ``beta``, and reports side by side:

* Theorem 1's bound ``alpha_star`` in both forms and the averaging bound
  (:doc:`/theory/theorem1`);
* the finite-size certificate for this graph (:doc:`/theory/certificates`);
* the sharp limit ``alpha_sharp`` of the worst case (:doc:`/theory/sharp`);
* the bad fraction reached by the greedy and the targeted adversaries, by
  ``random`` and ``deficit`` failures, and by the exact adversary on small
  graphs (:doc:`/theory/failure_models`);
* the sandwich ``best adversary <= true worst case <= best certificate``, its
  width and ratio, and a ``violated`` flag when an adversary beats the
  certificate;
* the assumptions of the random-graph model that the graph breaks
  (:ref:`theory-assumptions`);
* with ``t``, the tuple sandwich ``best tuple adversary <= true worst case <=
  tuple certificate`` beside the two sides of the sharp tuple law and the
  paper's ``alpha_star(t theta)`` (:mod:`skillgraph.audit.tuple_check`).

Every number is labelled with what it claims and for which graph
(:mod:`skillgraph.audit.statements`): adversaries and the exact MILP hold for
this graph; certificates hold for it with probability ``1 - delta_fail`` only
when it was sampled from the random-graph model and its degrees pass the
model's goodness-of-fit test; otherwise, and for every limit, they are
statements about the model only.  A sandwich takes its upper end from the
statements that hold for this graph, so it is never inverted nor unfounded.

On a sampled graph a violation is a bug (or an event of probability at most
``delta_fail``); on a user's graph it is the finding that the graph is far
from the random-graph model.

Importing this module is cheap: the numba-backed modules are imported by the
functions that need them, so the command line starts fast.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from skillgraph._display import Display
from skillgraph._rng import as_seed_sequence, child_seed
from skillgraph._validation import check_choice, check_int, check_probability, check_real
from skillgraph.audit import adversary
from skillgraph.audit.outcome import AdversaryOutcome
from skillgraph.audit.statements import (
    SCOPE_DEGREES,
    SCOPE_GRAPH,
    SCOPE_MODEL,
    SCOPE_SAMPLED,
    UNIT_WORDS,
    Statement,
    sandwich,
)
from skillgraph.audit.streamed import (
    SKIPPED_NOTE,
    StreamedGraph,
    executor_for,
    streamed_adversaries,
)
from skillgraph.audit.targeted import targeted
from skillgraph.audit.tuple_check import tuple_check
from skillgraph.core import failures
from skillgraph.core.competence import bad_fraction, failed_edge_counts
from skillgraph.core.graph import SkillGraph
from skillgraph.core.streaming import StreamPlan
from skillgraph.theory import bounds
from skillgraph.theory.certificates import certified_alpha, certified_alpha_ragged
from skillgraph.theory.sharp import alpha_sharp
from skillgraph.theory.sharp_measure import certified_sharp_mass

__all__ = ["CheckReport", "AdversaryOutcome", "check", "broken_assumptions"]

#: graphs at most this large get the exact adversary when ``exact=None``
EXACT_AUTO_TEXTS = 200
EXACT_AUTO_SKILLS = 100
EXACT_AUTO_TIME_LIMIT = 30.0
#: ``n_texts`` below this multiple of ``n_skills`` is flagged (:ref:`theory-assumptions`)
TEXTS_PER_SKILL_MIN = 10
#: p-value below which the skill degrees are flagged as uneven
DEGREE_P_VALUE = 1e-3
#: how that assumption starts (a graph that breaks it is not treated as a sample of the model)
UNEVEN_DEGREES = "skill degrees are far more uneven"
#: absolute slack on HiGHS's bound before it is turned into a count (its tolerances)
_SOLVER_SLACK = 1e-7


@dataclass(frozen=True, repr=False)
class CheckReport(Display):
    """The result of :func:`check`; ``str(report)`` is the readable rendering.

    Attributes
    ----------
    n_skills, n_texts, n_edges : int
        Graph size.
    k : int
        Skills per text used by the bounds (the graph's ``k``, the ``k``
        argument, or the rounded mean text degree of a ragged graph).
    regular : bool
        Every text has the same number of skills.
    source : str
        Where the graph came from (``"sampled ..."``, a file name, ``"user"``).
    theta, beta, delta_fail : float
        Inputs; ``n_failed = round(theta * n_texts)``.
    alpha_star_kl, alpha_star_paper : float
        Theorem 1 in both forms (:doc:`/theory/theorem1`); ``vacuous_kl``/``vacuous_paper``.
    averaging : float
        ``min(theta / beta, 1)``.
    certificate : Certificate
        The best finite-size certificate for this graph (:doc:`/theory/certificates`,
        :ref:`theory-certificate-c`); ``certificate.method`` names it and
        ``certificate.candidates`` holds every one computed.
    adversaries : dict[str, AdversaryOutcome]
        Every failure model that was run, strongest first.
    best : str
        Name of the adversary that left the most skills bad.
    gap : float
        ``certificate.alpha - adversaries[best].alpha`` (negative: violated).
    violated : bool
        Some adversary left more skills bad than the certificate allows.
    assumptions : list of str
        The assumptions of the random-graph model (:ref:`theory-assumptions`)
        this graph breaks (empty: none).
    exact_upper_bound : float or None
        When the exact adversary ran: HiGHS's bound on the worst case (mass).
    alpha_sharp : float or None
        The sharp limit of the worst bad fraction (:doc:`/theory/sharp`); None
        where it is not defined (ragged text degrees, non-uniform ``mu1``).
    sampled : bool
        Whether the graph counts as a sample of the random-graph model (then
        the certificates hold for it with probability ``1 - delta_fail``).
    mass_certificate : MassCertificate or None
        For a non-uniform ``mu1``: the certified bad mass
        (:func:`skillgraph.theory.sharp_measure.certified_sharp_mass`).
    tuples : TupleCheck or None
        With ``t``: the tuple sandwich (:mod:`skillgraph.audit.tuple_check`).
    extra_statements : tuple of Statement
        The statements computed from the graph at check time (bad masses, the
        exact MILP's bound); :attr:`statements` lists them all.
    """

    n_skills: int
    n_texts: int
    n_edges: int
    k: int
    regular: bool
    source: str
    theta: float
    beta: float
    delta_fail: float
    n_failed: int
    alpha_star_kl: float
    alpha_star_paper: float
    vacuous_kl: bool
    vacuous_paper: bool
    averaging: float
    certificate: object
    adversaries: dict
    best: str
    gap: float
    violated: bool
    assumptions: list
    exact_upper_bound: float | None = None
    alpha_sharp: float | None = None
    sampled: bool = True
    mass_certificate: object | None = None
    tuples: object | None = None
    extra_statements: tuple = ()

    @property
    def statements(self) -> list:
        """Every number of the report as a :class:`~skillgraph.audit.statements.Statement`."""
        out = _skill_statements(self)
        if self.tuples is not None:
            out += self.tuples.statements()
        return out

    @property
    def sandwiches(self) -> dict:
        """The :class:`~skillgraph.audit.statements.Sandwich` of each unit, by unit.

        ``"skills"`` always; ``"mass"`` for a non-uniform ``mu1``; ``"tuple
        mass"`` with ``t``.
        """
        statements = self.statements
        units = dict.fromkeys(st.unit for st in statements if st.side == "lower")
        return {u: sandwich(statements, u) for u in units}

    @property
    def sandwich(self) -> tuple[int, int | None]:
        """``(best adversary, best upper end)`` in bad skills, the upper end from the
        statements that hold for this graph (None when none does: a user's graph too
        large for the exact MILP)."""
        sw = self.sandwiches["skills"]
        return int(sw.lower.value), None if sw.upper is None else int(sw.upper.value)

    @property
    def sandwich_ratio(self) -> float:
        """``upper / best adversary`` in bad skills (``inf`` when no skill is bad or
        no upper end holds for this graph)."""
        lower, upper = self.sandwich
        return upper / lower if lower > 0 and upper is not None else math.inf

    def bad_skills(self, adversary: str | None = None) -> tuple:
        """The skills that ``adversary`` (default: the best) leaves bad, by name or position."""
        return self.adversaries[self.best if adversary is None else adversary].bad_skills

    @property
    def ok(self) -> bool:
        """True when no adversary beats the certificate."""
        return not self.violated

    @property
    def message(self) -> str:
        """One sentence: the verdict."""
        best = self.adversaries[self.best]
        if not self.violated:
            sw = self.sandwiches["skills"]
            top = min([sw.upper] * (sw.upper is not None) + list(sw.yardsticks),
                      key=lambda st: st.value, default=None)  # fmt: skip
            if top is None or top.name.startswith("certificate"):
                bound = self.certificate.n_bad_max if top is None else int(top.value)
                return (
                    f"OK: no adversary beats the certificate (best: {self.best}, {best.n_bad} "
                    f"bad skills <= {bound} certified)."
                )
            return (
                f"OK: no adversary beats the {top.name} (best: {self.best}, {best.n_bad} bad "
                f"skills <= {int(top.value)})."
            )
        sw = next(sw for sw in self.sandwiches.values() if sw.inverted or sw.beyond_model)
        upper = sw.upper if sw.inverted else min(sw.yardsticks, key=lambda st: st.value)
        fmt = _UNIT_FORMAT[sw.unit]
        sampled = self.source.startswith("sampled")
        why = (
            "On a sampled graph this is a bug in skillgraph (or an event of probability "
            f"<= {self.delta_fail:g}): please report it."
            if sampled
            else "The graph is far from the random-graph model (docs: Theory > The skill graph "
            "and competence, docs/theory/graph.rst): the theorems' guarantees do not apply to it."
        )
        return (
            f"VIOLATED: the {sw.lower.name} leaves {fmt(sw.lower.value)} "
            f"({_UNIT_WORDS[sw.unit]}), more than the {upper.name} allows "
            f"({fmt(upper.value)}). {why}"
        )

    def as_dict(self) -> dict:
        """JSON-ready summary (failure masks left out)."""
        cert = self.certificate
        return {
            "graph": {
                "n_skills": self.n_skills,
                "n_texts": self.n_texts,
                "n_edges": self.n_edges,
                "k": self.k,
                "regular": self.regular,
                "source": self.source,
            },
            "theta": self.theta,
            "beta": self.beta,
            "delta_fail": self.delta_fail,
            "n_failed": self.n_failed,
            "bound": {
                "alpha_star_kl": self.alpha_star_kl,
                "alpha_star_paper": self.alpha_star_paper,
                "vacuous_kl": self.vacuous_kl,
                "vacuous_paper": self.vacuous_paper,
                "averaging": self.averaging,
                "alpha_sharp": self.alpha_sharp,
            },
            "sandwich": self._sandwich_dict(),
            "certificate": {
                "alpha": cert.alpha,
                "n_bad_max": cert.n_bad_max,
                "method": cert.method,
                "log_fail_prob": cert.log_fail_prob if math.isfinite(cert.log_fail_prob) else None,
                "vacuous": cert.vacuous,
                "candidates": dict(cert.candidates),
            },
            "adversaries": {
                name: {
                    "n_bad": a.n_bad,
                    "alpha": a.alpha,
                    "bad_fraction": a.bad_fraction,
                    **({"optimal": a.optimal} if a.optimal is not None else {}),
                }
                for name, a in self.adversaries.items()
            },
            "exact_upper_bound": self.exact_upper_bound,
            "best": self.best,
            "gap": self.gap,
            "violated": self.violated,
            "assumptions": list(self.assumptions),
            "message": self.message,
            "sampled_from_model": self.sampled,
            "statements": [st.as_dict() for st in self.statements],
            "sandwiches": {u: sw.as_dict() for u, sw in self.sandwiches.items()},
            "tuples": None if self.tuples is None else self.tuples.as_dict(),
            "mass_certificate": _mass_certificate_dict(self.mass_certificate),
        }

    def _sandwich_dict(self) -> dict:
        """The single-skill sandwich in bad skills (the upper end None when none holds here)."""
        sw = self.sandwiches["skills"]
        lower, upper = self.sandwich
        sharp = self.alpha_sharp
        return {
            "lower": lower,
            "lower_by": self.best,
            "upper": upper,
            "upper_by": None if sw.upper is None else _METHOD_OF.get(sw.upper.name, "exact"),
            "upper_scope": None if sw.upper is None else sw.upper.scope,
            "width": None if upper is None else upper - lower,
            "ratio": sw.ratio,
            "alpha_sharp_skills": None if sharp is None else sharp * self.n_skills,
            "alpha_star_skills": self.alpha_star_kl * self.n_skills,
            "alpha_star_over_alpha_sharp": (
                self.alpha_star_kl / sharp if sharp is not None and sharp > 0 else None
            ),
        }

    def _sandwich_lines(self) -> list[str]:
        """Every sandwich in words, each followed by the model's limits for its unit."""
        sws = self.sandwiches
        lines = sws["skills"].lines(_UNIT_FORMAT["skills"])
        lower, upper = self.sandwich
        if upper is not None:
            gap = (upper - lower) / self.n_skills
            lines.append(f"  gap: upper end - best adversary = {gap:.4g} ({upper - lower} skills)")
        star = self.alpha_star_kl * self.n_skills
        if self.alpha_sharp is not None:
            sharp = self.alpha_sharp * self.n_skills
            looseness = f"{self.alpha_star_kl / self.alpha_sharp:.3g}x" if sharp > 0 else "inf"
            lines += [
                f"  as n_texts/n_skills -> inf (model) the worst case tends to alpha_sharp "
                f"n_skills = {sharp:.4g};",
                f"  the paper allows alpha_star n_skills = {star:.4g} ({looseness} alpha_sharp)",
            ]
        else:
            lines += [
                f"  the paper allows alpha_star n_skills = {star:.4g};",
                "  alpha_sharp is not defined here in bad skills (ragged text degrees or "
                "non-uniform mu1; for a non-uniform mu1 it is the limit of the bad mass)",
            ]
        if "mass" in sws:
            lines += sws["mass"].lines(_UNIT_FORMAT["mass"])
            if self.regular:
                lines.append(f"  as n_texts/n_skills -> inf (model) the worst bad mass tends "
                             f"to alpha_sharp = {_alpha_sharp_mass(self):.4g}")  # fmt: skip
        if self.tuples is not None:
            lines.append(f"t-tuples (tensor, t = {self.tuples.t}):")
            lines += sws["tuple mass"].lines(_UNIT_FORMAT["tuple mass"])
            lines += self.tuples.limit_lines()
        return lines

    def _title_lines(self) -> list[str]:
        """Return the heading: graph size and source, the inputs, a blank line."""
        return [
            f"skillgraph check: n_skills={self.n_skills}, n_texts={self.n_texts}, "
            f"k={self.k}{'' if self.regular else ' (ragged: mean text degree)'}, "
            f"{self.n_edges} edges [{self.source}]",
            f"theta={self.theta:g} ({self.n_failed} failed text pieces), beta={self.beta:g}, "
            f"delta_fail={self.delta_fail:g}",
            "",
        ]

    def _entries(self) -> list[dict]:
        """The table's rows as numbers, bounds first: ``row`` (its label), ``source`` (as
        in :mod:`skillgraph.tables`), ``bad_fraction``, ``bad_skills`` (a certified
        maximum for certificates; None for the asymptotic bounds), ``holds_for``."""
        cert = self.certificate
        vac = " (vacuous)"
        n = self.n_skills
        entries = [
            ("alpha_star, KL form (Theorem 1)" + (vac if self.vacuous_kl else ""), "bound",
             self.alpha_star_kl, None, SCOPE_MODEL),
            ("alpha_star, paper form" + (vac if self.vacuous_paper else ""), "bound",
             self.alpha_star_paper, None, SCOPE_MODEL),
        ]  # fmt: skip
        if self.alpha_sharp is not None:
            entries.append(("alpha_sharp, sharp limit", "sharp", self.alpha_sharp, None,
                            SCOPE_MODEL))  # fmt: skip
        entries.append(("averaging bound theta/beta", "averaging", self.averaging, None,
                        SCOPE_MODEL))  # fmt: skip
        entries += [
            (f"certificate {_CERTIFICATE_NAMES[name]}", "certificate", value, round(value * n),
             _certificate_scope(self.sampled, name))
            for name, value in cert.candidates.items()
            if name != cert.method and value is not None
        ]  # fmt: skip
        entries.append((f"certificate {_CERTIFICATE_NAMES[cert.method]}, best"
                        + (" (trivial)" if cert.vacuous else ""), "certificate", cert.alpha,
                        cert.n_bad_max, _certificate_scope(self.sampled, cert.method)))  # fmt: skip
        entries += [
            (_adversary_label(name, a), name if name in ("deficit", "random") else "adversary",
             a.alpha, a.n_bad, SCOPE_GRAPH)
            for name, a in self.adversaries.items()
        ]  # fmt: skip
        return [{"row": r, "source": s, "bad_fraction": float(f), "bad_skills": c,
                 "holds_for": h} for r, s, f, c, h in entries]  # fmt: skip

    def _table_rows(self) -> list[tuple[str, str, str, str]]:
        """Return the table's ``(name, bad fraction, bad skills, holds for)`` rows, bounds first."""
        rows = []
        for e in self._entries():
            if e["source"] in ("bound", "sharp"):
                count = "asymptotic"
            elif e["source"] == "averaging":
                count = ""
            elif e["source"] == "certificate":
                count = f"<= {e['bad_skills']}"
            else:
                count = str(e["bad_skills"])
            rows.append((e["row"], f"{e['bad_fraction']:.4g}", count, e["holds_for"]))
        return rows

    # ---- notebook display (skillgraph._display) --------------------------------
    def _display_rows(self) -> list[dict]:
        return self._entries()

    def _display_title(self) -> str:
        return " ".join(line for line in self._title_lines() if line) + " -- " + self.message

    def _display_record(self) -> dict:
        lower, upper = self.sandwich
        return {"n_skills": self.n_skills, "n_texts": self.n_texts, "k": self.k,
                "theta": self.theta, "beta": self.beta, "best": self.best,
                "sandwich": (lower, upper), "violated": self.violated}  # fmt: skip

    def _table_lines(self) -> list[str]:
        """Return the table of bounds, certificates and adversaries, column titles first."""
        rows = self._table_rows()
        width = max(len(r[0]) for r in rows) + 2
        return [
            f"  {'':<{width}}{'bad fraction':>13}{'bad skills':>12}  holds for",
            *(f"  {n:<{width}}{f:>13}{c:>12}  {h}" for n, f, c, h in rows),
        ]

    def _scope_lines(self) -> list[str]:
        """Return which statements hold for this graph and which for the model only."""
        if self.sampled:
            return [
                "Scope: this graph was sampled from the random-graph model and its degrees pass "
                "the model's goodness-of-fit test, so the certificates hold for it with "
                f"probability >= 1 - {self.delta_fail:g}; the limits (alpha_star, alpha_sharp, "
                "the sharp tuple law) are statements about the model."
            ]
        return [
            "Scope: this graph is not a sample of the random-graph model (a user's graph, or "
            "degrees that fail the model's goodness-of-fit test): the adversaries and the exact "
            "MILP hold for it; the certificates and limits are statements about the model only "
            "(what a random graph would allow), not upper ends for this graph."
        ]

    def _assumption_lines(self) -> list[str]:
        """Return the closing lines: the model assumptions this graph breaks, or that none are."""
        if not self.assumptions:
            return [
                "Assumptions of the random-graph model (docs/theory/graph.rst): none broken "
                "that check can detect."
            ]
        return [
            "Assumptions of the random-graph model this graph breaks (docs: Theory > "
            "The skill graph and competence > Assumptions, docs/theory/graph.rst):",
            *(f"  - {a}" for a in self.assumptions),
        ]

    def __str__(self) -> str:
        cert = self.certificate
        lines = [*self._title_lines(), *self._table_lines(), ""]
        if cert.log_fail_prob > -math.inf:
            lines.append(
                f"certificate: P[some Y leaves more than {cert.n_bad_max} skills bad] "
                f"<= exp({cert.log_fail_prob:.4g})"
            )
        if self.exact_upper_bound is not None:
            lines.append(
                "exact adversary: solver bound on the worst bad fraction (mu1-mass) "
                f"<= {max(self.exact_upper_bound, 0.0) + 0.0:.4g}"
            )
        lines.extend(self._sandwich_lines())
        if any(not math.isclose(a.alpha, a.bad_fraction, rel_tol=1e-9, abs_tol=1e-12)
               for a in self.adversaries.values()):
            lines.append(
                "note: 'bad fraction' columns are skill counts / n_skills (what the "
                "certificate bounds); mu1-masses are in --json"
            )
        lines.append(self.message)
        lines.extend(self._scope_lines())
        lines.extend(self._assumption_lines())
        return "\n".join(lines)


# ---------------------------------------------------------------------------
# assumptions
# ---------------------------------------------------------------------------


def broken_assumptions(graph, theta: float, beta: float, k: int) -> list[str]:
    """The assumptions of the random-graph model that ``graph`` visibly breaks.

    The list is on the documentation page :ref:`theory-assumptions`.

    Checks: equal text degrees; texts without skills; uniform skill measure
    (needed by certificates B and C); skill degrees consistent with the multinomial
    of the random model (chi-square test, p < 1e-3 flagged); ``n_texts`` much
    larger than ``n_skills``; skills without edges; ``beta > theta``.
    """
    from scipy import stats

    out = []
    td = graph.text_degrees
    if not graph.is_regular and td.size:
        out.append(
            f"text pieces have unequal numbers of skills (min {int(td.min())}, max "
            f"{int(td.max())}, mean {td.mean():.3g}); the random-graph model gives every "
            f"text k skills. The bounds use k={k}; the certificate uses these text degrees"
        )
    empty = int(np.count_nonzero(td == 0))
    if empty:
        out.append(
            f"{empty} text pieces have no skills (ids are used as indices: a text id that "
            "never appears is an empty text piece; it still counts in n_texts and theta)"
        )
    mu = graph.skill_measure
    if not np.allclose(mu, 1.0 / graph.n_skills, rtol=1e-9, atol=0):
        out.append(
            "the skill measure mu1 is not uniform: certificates B and C (uniform mu1) do not "
            "apply; the certificate bounds the number of bad skills, alpha_star their mu1-mass"
        )
    degrees = graph.degrees
    expected = graph.n_edges * mu / mu.sum()
    pos = expected > 0
    if graph.n_skills > 1 and graph.n_edges > 0:
        chi2 = float(np.sum((degrees[pos] - expected[pos]) ** 2 / expected[pos]))
        p_value = float(stats.chi2.sf(chi2, int(pos.sum()) - 1))
        if p_value < DEGREE_P_VALUE:
            out.append(
                f"{UNEVEN_DEGREES} than in the random model (chi-square "
                f"p = {p_value:.2g}; degrees {int(degrees.min())}..{int(degrees.max())}, "
                f"expected about {expected.mean():.3g}): low-degree skills are cheap to "
                "make bad"
            )
    if graph.n_texts < TEXTS_PER_SKILL_MIN * graph.n_skills:
        out.append(
            f"n_texts ({graph.n_texts}) is not much larger than n_skills ({graph.n_skills}); "
            "Theorem 1 (alpha_star) is asymptotic in that regime: trust the certificate"
        )
    zero = int(np.count_nonzero(degrees == 0))
    if zero:
        out.append(f"{zero} skills have no edges (competence undefined; never counted bad)")
    if beta <= theta:
        out.append(
            f"beta ({beta:g}) <= theta ({theta:g}): a random failure set already makes "
            "skills bad; no bound below the trivial one exists"
        )
    return out


# ---------------------------------------------------------------------------
# check
# ---------------------------------------------------------------------------


def _engine_input(graph, engine: str, scheduler):
    """``(plan, graph, source)``: a StreamPlan (its stand-in graph, degrees not yet
    counted) for the stream engine, else ``(None, graph, source)``."""
    engine = check_choice("engine", engine, ("auto", "graph", "stream"))
    if isinstance(graph, StreamPlan):
        if engine == "graph":
            raise ValueError("engine='graph' needs a graph, got a StreamPlan: sample_graph(...)")
        return graph, StreamedGraph(plan=graph, degrees=None), "sampled (streamed)"
    if engine == "stream":
        raise ValueError(
            "engine='stream' needs a StreamPlan (skillgraph.stream_plan with the graph's "
            "sizes and seed), not a materialised graph"
        )
    if scheduler is not None:
        raise ValueError("scheduler applies to the stream engine only (a StreamPlan)")
    return (None, *_as_graph(graph))


def _as_graph(graph):
    if isinstance(graph, SkillGraph):
        return graph, "user"
    try:
        import networkx as nx
    except ImportError:  # pragma: no cover - networkx is a dependency
        nx = None
    if nx is not None and isinstance(graph, nx.Graph):
        return SkillGraph.from_networkx(graph), "networkx graph"
    raise TypeError(
        f"graph must be a SkillGraph or a networkx bipartite graph, got {type(graph).__name__}"
    )


#: how the report names each certificate (``Certificate.method``)
_CERTIFICATE_NAMES = {
    "conditional": "A (given degrees)",
    "unconditional": "B (unconditional)",
    "sharp": "C (sharp)",
}
#: the method of a certificate from its statement's name
_METHOD_OF = {f"certificate {name}": method for method, name in _CERTIFICATE_NAMES.items()}
_UNIT_WORDS = UNIT_WORDS
_UNIT_FORMAT = {
    "skills": lambda v: str(int(round(v))),
    "mass": lambda v: f"{v:.4g}",
    "tuple mass": lambda v: f"{v:.4g}",
}
_ADVERSARY_LABELS = {
    "greedy": "greedy adversary",
    "targeted": "targeted adversary",
    "deficit": "deficit failures",
    "random": "random failures",
}


def _adversary_label(name: str, outcome: AdversaryOutcome) -> str:
    if name == "exact":
        return "exact adversary (MILP)" + (", optimal" if outcome.optimal else
                                           ", not proven optimal")  # fmt: skip
    return _ADVERSARY_LABELS[name]


def _skill_statements(report: CheckReport) -> list[Statement]:
    """The single-skill numbers of ``report`` as statements, then its extra ones."""
    n = report.n_skills
    out = [Statement(_adversary_label(name, a), "lower", a.n_bad, "skills", SCOPE_GRAPH)
           for name, a in report.adversaries.items()]  # fmt: skip
    cert = report.certificate
    for method, value in cert.candidates.items():
        if value is not None:
            count = cert.n_bad_max if method == cert.method else int(round(value * n))
            out.append(Statement(f"certificate {_CERTIFICATE_NAMES[method]}", "upper", count,
                                 "skills", _certificate_scope(report.sampled, method)))  # fmt: skip
    out.append(Statement("alpha_star n_skills (Theorem 1)", "limit", report.alpha_star_kl * n,
                         "skills", SCOPE_MODEL))  # fmt: skip
    if report.alpha_sharp is not None:
        out.append(Statement("alpha_sharp n_skills", "limit", report.alpha_sharp * n, "skills",
                             SCOPE_MODEL))  # fmt: skip
    return out + list(report.extra_statements)


def _certificate_scope(sampled: bool, method: str) -> str:
    """Where a certificate holds: this graph if sampled; else the model (given the degrees: A)."""
    if sampled:
        return SCOPE_SAMPLED
    return SCOPE_DEGREES if method == "conditional" else SCOPE_MODEL


def _alpha_sharp_mass(report: CheckReport) -> float:
    """The sharp limit of the bad mass (any ``mu1``, :ref:`theory-sharp-law`)."""
    return float(alpha_sharp(report.theta, report.beta, report.k))


def _mass_certificate_dict(cert) -> dict | None:
    if cert is None:
        return None
    return {"mass_max": float(cert.mass_max), "vacuous": bool(cert.vacuous),
            "limit": float(cert.limit)}  # fmt: skip


def _sampled_from_model(sampled: bool | None, source: str, assumptions: list[str]) -> bool:
    """Whether the graph counts as a sample of the model (see :func:`check`, ``sampled``)."""
    if sampled is None:
        sampled = source.startswith("sampled") and "no replacement" not in source
    return bool(sampled) and not any(a.startswith(UNEVEN_DEGREES) for a in assumptions)


def _count_within_mass(graph, mass: float) -> int:
    """The most skills (of positive degree) whose total ``mu1``-mass is at most ``mass``."""
    mu = np.sort(graph.skill_measure[graph.degrees > 0] / graph.skill_measure.sum())
    return int(np.searchsorted(np.cumsum(mu), mass + _SOLVER_SLACK, side="right"))


def _mass_of_count(graph, count: int) -> float:
    """The largest total ``mu1``-mass of ``count`` skills of positive degree."""
    mu = np.sort(graph.skill_measure[graph.degrees > 0] / graph.skill_measure.sum())[::-1]
    return float(min(1.0, math.fsum(mu[:count])))


def _graph_statements(graph, adversaries, exact_upper, cert, mass_cert, sampled) -> tuple:
    """Statements that need the graph: the exact bound as a count, and every bad mass.

    Masses only for a non-uniform ``mu1`` (for the uniform one they are the
    counts over ``n_skills``).  Certificate A bounds a count; the mass of the
    heaviest skills of that count bounds the bad mass.
    """
    out = []
    uniform = np.allclose(graph.skill_measure, 1.0 / graph.n_skills, rtol=1e-9, atol=0)
    if exact_upper is not None:
        out.append(Statement("exact MILP (solver bound)", "upper",
                             _count_within_mass(graph, exact_upper), "skills", SCOPE_GRAPH))
    if uniform:
        return tuple(out)
    out += [Statement(_adversary_label(name, a), "lower", a.bad_fraction, "mass", SCOPE_GRAPH)
            for name, a in adversaries.items()]
    if exact_upper is not None:
        out.append(Statement("exact MILP (solver bound)", "upper",
                             min(1.0, exact_upper + _SOLVER_SLACK), "mass", SCOPE_GRAPH))
    out.append(Statement(f"certificate {_CERTIFICATE_NAMES[cert.method]} (heaviest skills)",
                         "upper", _mass_of_count(graph, cert.n_bad_max), "mass",
                         _certificate_scope(sampled, cert.method)))
    if mass_cert is not None:
        out.append(Statement("mass certificate", "upper", float(mass_cert.mass_max), "mass",
                             _certificate_scope(sampled, "sharp")))
    return tuple(out)  # fmt: skip


def _mass_certificate(graph, theta, beta, k, delta_fail):
    """The certified bad mass for a ``k``-regular graph with non-uniform ``mu1`` (else None)."""
    uniform = np.allclose(graph.skill_measure, 1.0 / graph.n_skills, rtol=1e-9, atol=0)
    if uniform or not (graph.is_regular and graph.k == k):
        return None
    return certified_sharp_mass(graph.n_skills, graph.n_texts, k, theta, beta,
                                graph.skill_measure, delta_fail=delta_fail)  # fmt: skip


def _alpha_sharp(graph, theta: float, beta: float, k: int) -> float | None:
    """The sharp limit for this graph's model, or None where it is not defined."""
    uniform = np.allclose(graph.skill_measure, 1.0 / graph.n_skills, rtol=1e-9, atol=0)
    if not (graph.is_regular and graph.k == k and uniform):
        return None
    return float(alpha_sharp(theta, beta, k))


def _certificate(graph, theta, beta, k, delta_fail):
    """The best certificate for the graph, its ``candidates`` holding every one computed.

    A (given the degrees) always for a ``k``-regular graph; B and C, which
    assume uniform ``mu1`` (and the with-replacement model), only under it;
    A for ragged text degrees.  On a tie the smaller failure probability wins.
    """
    import dataclasses

    if not (graph.is_regular and graph.k == k):
        return certified_alpha_ragged(
            graph.degrees, graph.text_degrees, theta, beta, delta_fail=delta_fail
        )
    uniform = np.allclose(graph.skill_measure, 1.0 / graph.n_skills, rtol=1e-9, atol=0)
    args = (graph.n_skills, graph.n_texts, k, theta, beta)
    found = [certified_alpha(*args, delta_fail=delta_fail, degrees=graph.degrees,
                             method="best" if uniform else "conditional")]  # fmt: skip
    if uniform:
        found.append(certified_alpha(*args, delta_fail=delta_fail, method="sharp"))
    best = min(found, key=lambda c: (c.n_bad_max, c.log_fail_prob))
    candidates = {name: a for c in found for name, a in c.candidates.items()}
    return dataclasses.replace(best, candidates=candidates)


def _checked_k(graph, k: int | None) -> int:
    """Return the ``k`` of the bounds (default: the graph's), after checking the graph has edges."""
    if graph.n_edges == 0:
        raise ValueError("graph has no edges: nothing to check")
    if graph.n_texts == 0:
        raise ValueError("graph has no text pieces: nothing to check")
    if k is None:
        k = graph.k if graph.k is not None else max(1, int(round(graph.text_degrees.mean())))
    k = check_int("k", k, 1)
    if graph.k is not None and k != graph.k:
        raise ValueError(
            f"k={k} disagrees with the graph, whose text pieces all use k={graph.k} skills; "
            "leave k out to take it from the graph"
        )
    return k


def _exact_settings(graph, exact: bool | None, time_limit: float | None) -> tuple[bool, float]:
    """Return whether the exact adversary runs and its time limit (defaults by graph size)."""
    if exact is None:
        exact = graph.n_texts <= EXACT_AUTO_TEXTS and graph.n_skills <= EXACT_AUTO_SKILLS
        limit = EXACT_AUTO_TIME_LIMIT if time_limit is None else time_limit
    else:
        limit = 60.0 if time_limit is None else time_limit
    return exact, check_real("time_limit", limit, 0.0, None, open_low=True)


def _outcome(graph, beta: float, name: str, failed, optimal=None) -> AdversaryOutcome:
    """Return what the failure set ``failed`` (of the model ``name``) does to the graph."""
    est = bad_fraction(graph, failed, beta)
    has = graph.degrees > 0  # fail(s) > beta as bad_fraction computes it
    bad = np.flatnonzero(has)[failed_edge_counts(graph, failed)[has] / graph.degrees[has] > beta]
    names = graph.skill_names
    return AdversaryOutcome(
        name=name, n_bad=int(est.n_bad), alpha=est.n_bad / graph.n_skills,
        bad_fraction=float(est.value), optimal=optimal, failed=np.asarray(failed),
        bad_skills=tuple(int(s) for s in bad) if names is None else tuple(names[s] for s in bad),
    )


def _run_adversaries(
    graph, theta: float, beta: float, run_exact: bool, limit: float, master
) -> tuple[dict[str, AdversaryOutcome], float | None]:
    """Return the outcome of every failure model by name, and HiGHS's bound (exact only)."""
    outcomes = []
    exact_upper = None
    if run_exact:
        ex = adversary.exact(graph, theta, beta, time_limit=limit)
        outcomes.append(_outcome(graph, beta, "exact", ex.failed, ex.optimal))
        exact_upper = ex.upper_bound
    gr = adversary.greedy(graph, theta, beta, seed=child_seed(master, 1))
    outcomes.append(_outcome(graph, beta, "greedy", gr.failed))
    tg = targeted(graph, theta, beta, seed=child_seed(master, 4))
    outcomes.append(_outcome(graph, beta, "targeted", tg.failed))
    deficit = failures.deficit_failures(graph, theta, seed=child_seed(master, 3))
    outcomes.append(_outcome(graph, beta, "deficit", deficit))
    random = failures.random_failures(graph, theta, seed=child_seed(master, 2))
    outcomes.append(_outcome(graph, beta, "random", random))
    return {o.name: o for o in outcomes}, exact_upper


def check(
    graph,
    theta: float,
    beta: float,
    *,
    k: int | None = None,
    delta_fail: float = 1e-6,
    exact: bool | None = None,
    seed=None,
    time_limit: float | None = None,
    source: str | None = None,
    t: int | None = None,
    sampled: bool | None = None,
    engine: str = "auto",
    scheduler=None,
) -> CheckReport:
    """Check the theory on one graph: bounds, certificate and adversaries side by side.

    Parameters
    ----------
    graph : SkillGraph or networkx.Graph
        A sampled graph or the user's own (ragged text degrees allowed; a
        networkx graph must be bipartite with ``bipartite`` node attributes 0
        for skills and 1 for texts, see :meth:`skillgraph.core.graph.SkillGraph.from_networkx`).
    theta : float
        Failure rate in (0, 1).
    beta : float
        Threshold in (0, 1): bad means ``fail(s) > beta``.
    k : int, optional
        Skills per text for the bounds; default the graph's ``k``, or the
        rounded mean text degree of a ragged graph.
    delta_fail : float, default 1e-6
        Failure probability of the certificate.
    exact : bool, optional
        Run the exact MILP adversary; default: only on graphs with at most
        200 texts and 100 skills.
    seed : int, SeedSequence, Generator or None
        For the greedy, random and deficit failure sets (independent streams).
    time_limit : float, optional
        Seconds for the exact adversary (default 30 when automatic, 60 when asked).
    source : str, optional
        Label for the report (defaults to "user" / "networkx graph").
    t : int, optional
        Also check tensor ``t``-tuples (``t >= 1``): the tuple adversary, the
        tuple certificate, both sides of the sharp tuple law and the paper's
        ``alpha_star(t theta)`` (:mod:`skillgraph.audit.tuple_check`).
    sampled : bool, optional
        Whether ``graph`` was sampled from the random-graph model (with
        replacement), e.g. by :func:`~skillgraph.core.sampling.sample_graph`.
        Only then do the certificates hold for this graph (with probability
        ``1 - delta_fail``), and only if its skill degrees pass the model's
        goodness-of-fit test; otherwise they are statements about the model.
        Default: True when ``source`` starts with ``"sampled"`` (and does not
        say ``"no replacement"``), else False.
    engine : {"auto", "graph", "stream"}
        ``"stream"`` (the default for a
        :class:`~skillgraph.core.streaming.StreamPlan`) checks a graph too large to
        hold: the plan regenerates its text pieces pass after pass, the
        targeted, random and deficit models run on the stream
        (:mod:`skillgraph.audit.streamed`), greedy and exact are skipped (the
        report says so).  ``"graph"`` (the default for a graph) runs every adversary.
    scheduler : str, distributed.Client or executor, optional
        Stream engine: where each pass's shards run (a Dask scheduler address,
        a client, or anything with ``map``; default this process).  The report
        is the same.

    Returns
    -------
    CheckReport
        ``str(report)`` renders it; ``report.violated`` says whether an
        adversary beat the certificate; ``report.as_dict()`` for JSON.

    Raises
    ------
    TypeError, ValueError
        On invalid input, before any work.

    Notes
    -----
    Bounds: :doc:`/theory/theorem1` and :doc:`/theory/sharp`.  Certificate
    (:doc:`/theory/certificates`): the best of A (given the degrees), B and C
    (:ref:`theory-certificate-c`) when the graph is ``k``-regular with uniform
    ``mu1``, A alone for another ``mu1``; for a ragged graph certificate A
    with the sum of the ``m`` largest text degrees as the number of draws.
    Adversaries: :ref:`theory-adversaries` and :ref:`theory-sharp-lower`
    (greedy and targeted always, exact on small graphs).  The certificate
    bounds the *number* of bad skills, so adversaries are compared by count,
    and the report prints the sandwich best adversary <= true worst case <=
    the best upper end that holds for this graph (:mod:`skillgraph.audit.statements`);
    for a non-uniform ``mu1`` also in bad mass (the mass certificate and
    certificate A on the heaviest skills), and with ``t`` for tensor tuples.
    ``report.violated``: an adversary beats an upper end that holds for this
    graph (a bug on a sampled graph), or the certificate of the model (the
    finding that a user's graph is far from it).  Cost: the greedy adversary
    dominates (about 15 s at ``n_texts = 1e6, k = 8``, the targeted one a few
    seconds); the exact one is
    exponential in the worst case and bounded by ``time_limit``; the tuple
    adversary adds a few seconds to a minute at ``n_texts = 1e6``.

    Examples
    --------
    >>> from skillgraph import sample_graph
    >>> report = check(sample_graph(50, 5000, 8, seed=0), 0.05, 0.3, seed=0)
    >>> report.violated
    False
    """
    # --- engine (skillgraph.audit.streamed): a StreamPlan is checked on the stream
    plan, graph, default_source = _engine_input(graph, engine, scheduler)
    theta = check_probability("theta", theta)
    beta = check_probability("beta", beta)
    delta_fail = check_probability("delta_fail", delta_fail)
    if exact is not None and not isinstance(exact, bool):
        raise TypeError(f"exact must be True, False or None, got {exact!r}")
    if sampled is not None and not isinstance(sampled, bool):
        raise TypeError(f"sampled must be True, False or None, got {sampled!r}")
    if t is not None:
        t = check_int("t", t, 1)
    k = _checked_k(graph, k)
    if plan is not None and (exact or t is not None):
        raise ValueError("exact and t need the materialised graph: use engine='graph'")
    exact, limit = _exact_settings(graph, exact, time_limit)
    master = as_seed_sequence(seed)
    streamed_outcomes = None
    if plan is not None:
        exact = False
        with executor_for(scheduler) as executor:
            graph, streamed_outcomes = streamed_adversaries(plan, theta, beta, master,
                                                            executor=executor)  # fmt: skip

    kl = bounds.emergence_bound(theta, beta, k, form="kl")
    paper = bounds.emergence_bound(theta, beta, k, form="paper")
    cert = _certificate(graph, theta, beta, k, delta_fail)
    mass_cert = _mass_certificate(graph, theta, beta, k, delta_fail)
    if streamed_outcomes is None:
        adversaries, exact_upper = _run_adversaries(graph, theta, beta, exact, limit, master)
    else:
        adversaries, exact_upper = streamed_outcomes, None
    best = max(adversaries.values(), key=lambda o: o.n_bad).name
    best_n = adversaries[best].n_bad
    source = source or default_source
    assumptions = broken_assumptions(graph, theta, beta, k)
    if plan is not None:
        assumptions.append(SKIPPED_NOTE)
    is_sample = _sampled_from_model(sampled, source, assumptions)
    tuples = None
    if t is not None:
        tuples = tuple_check(graph, theta, beta, k, t, delta_fail=delta_fail, sampled=is_sample,
                             seed=child_seed(master, 5))  # fmt: skip
    report = CheckReport(
        n_skills=graph.n_skills,
        n_texts=graph.n_texts,
        n_edges=graph.n_edges,
        k=k,
        regular=graph.is_regular,
        source=source,
        theta=theta,
        beta=beta,
        delta_fail=delta_fail,
        n_failed=int(round(theta * graph.n_texts)),
        alpha_star_kl=kl.value,
        alpha_star_paper=paper.value,
        vacuous_kl=kl.vacuous,
        vacuous_paper=paper.vacuous,
        averaging=kl.averaging,
        certificate=cert,
        adversaries=adversaries,
        best=best,
        gap=(cert.n_bad_max - best_n) / graph.n_skills,
        violated=False,
        assumptions=assumptions,
        exact_upper_bound=exact_upper,
        alpha_sharp=_alpha_sharp(graph, theta, beta, k),
        sampled=is_sample,
        mass_certificate=mass_cert,
        tuples=tuples,
        extra_statements=_graph_statements(graph, adversaries, exact_upper, cert, mass_cert,
                                           is_sample),
    )  # fmt: skip
    problems = [sw.inverted or sw.beyond_model for sw in report.sandwiches.values()]
    return dataclasses.replace(report, violated=any(problems))
