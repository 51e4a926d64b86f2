"""What each number of a check report claims, and for which graph.

Every bound, certificate and adversary of :func:`skillgraph.check` is a
:class:`Statement`: a side (``lower``: some failure set of this graph reaches
it; ``upper``: no failure set exceeds it; ``limit``: a value of the
random-graph model as ``n_texts / n_skills`` grows), a unit and a *scope*:

* ``"this graph"`` -- holds for the graph at hand, whatever it is: the
  adversaries (each exhibits a failure set) and the exact MILP's solver bound;
* ``"this graph w.p. 1 - delta_fail"`` -- a certificate on a graph sampled
  from the random-graph model (with replacement) whose skill degrees pass the
  model's goodness-of-fit test: it holds with probability at least
  ``1 - delta_fail`` over the sampling;
* ``"model given these degrees"`` -- certificate A on a graph that is not a
  sample of the model: what a random arrangement of this graph's degrees
  would allow (it would hold for this graph if its edges were placed at
  random given the degrees, which no test of the degrees can tell);
* ``"model only"`` -- a statement about random graphs: the limits
  (``alpha_star``, ``alpha_sharp``, the sharp tuple law) always, and the
  other certificates on a user's graph (or a sampled one whose degrees fail
  the test): there they say what a random graph of this size would allow,
  not what this graph allows.

:class:`Sandwich` puts the best lower statement of this graph under the best
upper statement that holds for it, so a report can never print an inverted or
unfounded sandwich: an upper end about the model is shown apart, as a
yardstick the graph is held against (:ref:`theory-assumptions`): the model of
this size, and the model given the graph's degrees where there is one.
"""

from __future__ import annotations

from dataclasses import dataclass

from skillgraph._display import JsonRecord

__all__ = [
    "SCOPE_DEGREES",
    "SCOPE_GRAPH",
    "SCOPE_MODEL",
    "SCOPE_SAMPLED",
    "Sandwich",
    "Statement",
    "sandwich",
]

SCOPE_GRAPH = "this graph"
SCOPE_SAMPLED = "this graph w.p. 1 - delta_fail"
SCOPE_DEGREES = "model given these degrees"
SCOPE_MODEL = "model only"
#: the scopes that hold for the graph at hand
_HOLDS = (SCOPE_GRAPH, SCOPE_SAMPLED)
#: how each unit is named in the text
UNIT_WORDS = {
    "skills": "bad skills",
    "mass": "mu1-mass of bad skills",
    "tuple mass": "mu1-mass of bad tensor t-tuples",
}


@dataclass(frozen=True)
class Statement(JsonRecord):
    """One number of a report and what it claims.

    Attributes
    ----------
    name : str
        What it is (``"targeted adversary"``, ``"certificate C (sharp)"``, ...).
    side : str
        ``"lower"``, ``"upper"`` or ``"limit"``.
    value : float
        In ``unit``: a count of bad skills, or a bad mass in ``[0, 1]``.
    unit : str
        ``"skills"``, ``"mass"`` or ``"tuple mass"``.
    scope : str
        :data:`SCOPE_GRAPH`, :data:`SCOPE_SAMPLED`, :data:`SCOPE_DEGREES` or
        :data:`SCOPE_MODEL`.
    """

    name: str
    side: str
    value: float
    unit: str
    scope: str


@dataclass(frozen=True)
class Sandwich:
    """``best lower <= true worst case <= best upper`` of one unit, for this graph.

    Attributes
    ----------
    unit : str
        As in :class:`Statement`.
    lower : Statement
        The largest lower statement (always of scope :data:`SCOPE_GRAPH`).
    upper : Statement or None
        The smallest upper statement that holds for this graph (scope
        :data:`SCOPE_GRAPH` or :data:`SCOPE_SAMPLED`); None when none does.
    yardsticks : tuple of Statement
        The smallest upper statement of each scope about the model
        (:data:`SCOPE_MODEL`, :data:`SCOPE_DEGREES`) that lies below ``upper``
        (or all, when there is no ``upper``): what a random graph would allow.
    """

    unit: str
    lower: Statement
    upper: Statement | None
    yardsticks: tuple = ()

    @property
    def inverted(self) -> bool:
        """An upper statement that holds for this graph lies below a lower one (a bug)."""
        return self.upper is not None and self.lower.value > self.upper.value

    @property
    def beyond_model(self) -> bool:
        """The graph goes beyond what the random-graph model allows (a yardstick is beaten)."""
        return any(self.lower.value > y.value for y in self.yardsticks)

    @property
    def ratio(self) -> float | None:
        """``upper / lower`` (None without an upper end or with a zero lower end)."""
        if self.upper is None or self.lower.value <= 0:
            return None
        return self.upper.value / self.lower.value

    def as_dict(self) -> dict:
        """Plain Python types for JSON."""
        return {
            "unit": self.unit,
            "lower": self.lower.as_dict(),
            "upper": None if self.upper is None else self.upper.as_dict(),
            "model_yardsticks": [y.as_dict() for y in self.yardsticks],
            "ratio": self.ratio,
            "inverted": self.inverted,
            "beyond_model": self.beyond_model,
        }

    def lines(self, fmt) -> list[str]:
        """The sandwich in words; ``fmt`` renders a value of the unit."""
        low, up = self.lower, self.upper
        head = (
            f"sandwich ({UNIT_WORDS[self.unit]}) for this graph: best {low.name} "
            f"{fmt(low.value)} <= true worst case"
        )
        if up is None:
            hint = "" if self.unit == "tuple mass" else " (the exact MILP bounds it when it runs)"
            lines = [f"{head}; no upper end holds for this graph itself{hint}"]
        else:
            lines = [f"{head} <= {fmt(up.value)} {up.name} [{up.scope}]"]
            if self.ratio is not None:
                lines.append(f"  upper / lower = {self.ratio:.3g}")
        for y in self.yardsticks:
            verdict = "beyond it" if low.value > y.value else "within it"
            lines.append(
                f"  {y.scope}: a random graph like this one allows <= {fmt(y.value)} "
                f"({y.name}); this graph is {verdict}"
            )
        return lines


def sandwich(statements: list[Statement], unit: str) -> Sandwich | None:
    """The sandwich of ``unit`` from ``statements`` (None without a lower statement)."""
    mine = [s for s in statements if s.unit == unit]
    lows = [s for s in mine if s.side == "lower" and s.scope == SCOPE_GRAPH]
    if not lows:
        return None
    lower = max(lows, key=lambda s: s.value)
    uppers = [s for s in mine if s.side == "upper"]
    holds = [s for s in uppers if s.scope in _HOLDS]
    upper = min(holds, key=lambda s: s.value) if holds else None
    yardsticks = []
    for scope in (SCOPE_MODEL, SCOPE_DEGREES):
        about = [s for s in uppers if s.scope == scope]
        best = min(about, key=lambda s: s.value) if about else None
        if best is not None and (upper is None or best.value < upper.value):
            yardsticks.append(best)
    return Sandwich(unit=unit, lower=lower, upper=upper, yardsticks=tuple(yardsticks))
