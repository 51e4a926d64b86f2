"""The result of the check: :class:`CheckReport` and its renderings.

:func:`skillgraph.audit.report.check` fills a :class:`CheckReport`; the report
turns its numbers into statements (:mod:`skillgraph.audit.statements`) and
sandwiches, and renders them as text (``str(report)``), as JSON
(:meth:`CheckReport.as_dict`) and as a notebook table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from skillgraph._display import Display
from skillgraph.audit.check_statements import (
    CERTIFICATE_NAMES,
    adversary_label,
    certificate_scope,
)
from skillgraph.audit.statements import (
    SCOPE_GRAPH,
    SCOPE_MODEL,
    UNIT_WORDS,
    Statement,
    sandwich,
)
from skillgraph.theory.sharp import alpha_sharp

__all__ = ["CheckReport"]

#: the method of a certificate from its statement's name
_METHOD_OF = {f"certificate {name}": method for method, name in CERTIFICATE_NAMES.items()}
_UNIT_FORMAT = {
    "skills": lambda v: str(int(round(v))),
    "mass": lambda v: f"{v:.4g}",
    "tuple mass": lambda v: f"{v:.4g}",
}


@dataclass(frozen=True, repr=False)
class CheckReport(Display):
    """The result of :func:`~skillgraph.audit.report.check`; ``str(report)`` renders it.

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
    notes : tuple of str
        How the check ran where it differs from the full one (the stream
        engine: which adversaries were skipped and how the others ran); empty
        otherwise.
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
    notes: tuple = ()

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
            f"({UNIT_WORDS[sw.unit]}), more than the {upper.name} allows "
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
            "notes": list(self.notes),
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
            (f"certificate {CERTIFICATE_NAMES[name]}", "certificate", value, round(value * n),
             certificate_scope(self.sampled, name))
            for name, value in cert.candidates.items()
            if name != cert.method and value is not None
        ]  # fmt: skip
        entries.append((f"certificate {CERTIFICATE_NAMES[cert.method]}, best"
                        + (" (trivial)" if cert.vacuous else ""), "certificate", cert.alpha,
                        cert.n_bad_max, certificate_scope(self.sampled, cert.method)))  # fmt: skip
        entries += [
            (adversary_label(name, a), name if name in ("deficit", "random") else "adversary",
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
        if self.notes:
            lines += ["Notes:", *(f"  - {note}" for note in self.notes)]
        return "\n".join(lines)



def _skill_statements(report: CheckReport) -> list[Statement]:
    """The single-skill numbers of ``report`` as statements, then its extra ones."""
    n = report.n_skills
    out = [Statement(adversary_label(name, a), "lower", a.n_bad, "skills", SCOPE_GRAPH)
           for name, a in report.adversaries.items()]  # fmt: skip
    cert = report.certificate
    for method, value in cert.candidates.items():
        if value is not None:
            count = cert.n_bad_max if method == cert.method else int(round(value * n))
            out.append(Statement(f"certificate {CERTIFICATE_NAMES[method]}", "upper", count,
                                 "skills", certificate_scope(report.sampled, method)))  # fmt: skip
    out.append(Statement("alpha_star n_skills (Theorem 1)", "limit", report.alpha_star_kl * n,
                         "skills", SCOPE_MODEL))  # fmt: skip
    if report.alpha_sharp is not None:
        out.append(Statement("alpha_sharp n_skills", "limit", report.alpha_sharp * n, "skills",
                             SCOPE_MODEL))  # fmt: skip
    return out + list(report.extra_statements)



def _alpha_sharp_mass(report: CheckReport) -> float:
    """The sharp limit of the bad mass (any ``mu1``, :ref:`theory-sharp-law`)."""
    return float(alpha_sharp(report.theta, report.beta, report.k))


def _mass_certificate_dict(cert) -> dict | None:
    if cert is None:
        return None
    return {"mass_max": float(cert.mass_max), "vacuous": bool(cert.vacuous),
            "limit": float(cert.limit)}  # fmt: skip

