"""What a ``skillgraph memory`` run computed, and how it reads: headline, summaries, figures."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

from matplotlib.figure import Figure

from skillgraph._display import Display, figure_dict, json_ready
from skillgraph.mechanisms.memory.config import MemoryConfig, scheme_label
from skillgraph.mechanisms.memory.figures import (
    emergence_figure,
    error_vs_d_figure,
    error_vs_T_figure,
)
from skillgraph.mechanisms.memory.inputs import SCHEMES

__all__ = ["FILES", "MemoryResult"]


#: Files written by :func:`~skillgraph.mechanisms.memory.pipeline.write_outputs`.
FILES = (
    "memory_error_vs_d.png",
    "memory_error_vs_T.png",
    "memory_emergence.png",
    "results.csv",
    "summary.json",
    "summary.md",
)


@dataclass(frozen=True, eq=False, repr=False)
class MemoryResult(Display):
    """What a ``skillgraph memory`` run computed.

    Attributes
    ----------
    config : MemoryConfig
    rows : list of dict
        The tidy table (columns :data:`~skillgraph.mechanisms.memory.pipeline.COLUMNS`): every
        number plotted.
    curves : dict
        ``scheme -> MemoryCurve`` of the error-against-``d`` figure.
    fits : dict
        ``scheme -> SlopeFit`` in ``config.fit_window`` (None where it cannot be
        fitted).
    theory : dict
        ``scheme -> theory slope`` (NaN: no power law).
    data_constant : float
        ``B`` of the data term ``B T ** -(1 - 1/a)``.
    data_fit : SlopeFit or None
        Slope of the unbounded memory's error against ``T`` in
        ``config.data_fit_window`` (when ``inf`` is in ``T_d``), to hold
        against ``-(1 - 1/a)``.
    data_exact_fit : SlopeFit or None
        Slope of the exact data term (finite ``N``) over the same window.
    elapsed : float
        Seconds.
    """

    config: MemoryConfig
    rows: list = field(repr=False)
    curves: dict = field(repr=False)
    fits: dict
    theory: dict
    data_constant: float
    data_fit: object
    data_exact_fit: object
    elapsed: float

    @property
    def headline(self) -> str:
        """The fitted exponents against theory, in one paragraph computed from the run."""
        return _headline(self)

    def figures(self) -> dict[str, Figure]:
        """The three figures, by file stem: error against ``d``, against ``T``, emergence."""
        return figure_dict({
            "memory_error_vs_d": error_vs_d_figure(self.rows),
            "memory_error_vs_T": error_vs_T_figure(self.rows),
            "memory_emergence": emergence_figure(self.rows),
        })  # fmt: skip

    def _display_rows(self) -> list[dict]:
        return self.rows

    def _display_title(self) -> str:
        return self.headline

    def summary_json(self) -> dict:
        """The machine-readable summary printed by ``skillgraph memory --json``."""
        cfg = self.config
        fits = {}
        for scheme, fit in self.fits.items():
            entry = {"fitted_slope": None, "ci": None, "window": list(cfg.fit_window)}
            if fit is not None:
                entry.update(fitted_slope=fit.slope, ci=[fit.ci_low, fit.ci_high])
            entry["theory_slope"] = self.theory[scheme]
            fits[scheme] = entry
        data = {
            "constant": self.data_constant,
            "theory_exponent": -(1.0 - 1.0 / cfg.zipf_exponent),
            "formula": "B * T ** -(1 - 1/a), B = (1/a) c^(1/a) Gamma(1 - 1/a), c = 1/zeta(a)",
        }
        if self.data_fit is not None:
            data["fitted_exponent"] = self.data_fit.slope
            data["fitted_exponent_ci"] = [self.data_fit.ci_low, self.data_fit.ci_high]
            data["exact_sum_exponent"] = self.data_exact_fit.slope
            data["fit_window"] = list(self.data_fit.window)
        # an unbounded memory (d = inf) is the string "inf" in this file
        return json_ready(
            {
                "config": asdict(cfg),
                "slopes": fits,
                "data_term": data,
                "headline": self.headline,
                "elapsed_seconds": round(self.elapsed, 2),
            },
            infinity="inf",
        )

    def __repr__(self) -> str:
        slopes = ", ".join(
            f"{s}={f.slope:.3f}" if f is not None else f"{s}=n/a" for s, f in self.fits.items()
        )
        return f"MemoryResult(slopes: {slopes}; {len(self.rows)} rows, {self.elapsed:.1f} s)"


def _fmt_slope(fit, theory: float) -> str:
    if fit is None:
        return "no fit (zero error in the window)"
    ci = f"[{fit.ci_low:.2f}, {fit.ci_high:.2f}]" if math.isfinite(fit.stderr) else "[n/a]"
    th = "no power law" if math.isnan(theory) else f"theory {theory:.2f}"
    return f"d^{fit.slope:.2f} {ci} ({th})"


def _crossings(report: MemoryResult, level: float = 0.5) -> dict:
    """Smallest simulated ``d`` at which each tuple size's competent fraction reaches ``level``."""
    out = {}
    for t in report.config.tuples:
        pts = [(r["d"], r["value"]) for r in report.rows if r.get("figure") == "emergence"
               and r.get("quantity") == "competent_fraction" and r.get("source") == "memory"
               and r.get("t") == t]  # fmt: skip
        reached = [d for d, v in sorted(pts) if v >= level]
        out[t] = reached[0] if reached else None
    return out


def _headline(report: MemoryResult) -> str:
    cfg = report.config
    a = cfg.zipf_exponent
    parts = [
        f"Associative memory (N={cfg.n_inputs}, M={cfg.n_labels}, a={a:g}, {cfg.trials} draws; "
        f"slopes fitted over d in [{cfg.fit_window[0]:g}, {cfg.fit_window[1]:g}]): "
        + "; ".join(
            f"{scheme_label(s, kappa=cfg.kappa, rho=cfg.rho)} errs as "
            f"{_fmt_slope(report.fits[s], report.theory[s])}"
            for s in SCHEMES
        )
        + "."
    ]
    data = f"The data term is {report.data_constant:.3f} T^-{1 - 1 / a:.2f}"
    if report.data_fit is not None:
        low, high = report.data_fit.window
        data += (
            f"; over T in [{low:g}, {high:g}] an unbounded memory's error falls as "
            f"T^{report.data_fit.slope:.2f} (exact sum for N = {cfg.n_inputs}: "
            f"T^{report.data_exact_fit.slope:.2f})"
        )
    parts.append(data + ".")
    reached = _crossings(report)
    if any(v is not None for v in reached.values()):
        said = ", ".join(
            f"{t}-tuples at d = {d}" if d is not None else f"{t}-tuples not in range"
            for t, d in reached.items()
        )
        parts.append(
            f"With compute-optimal data (T ~ d^{a:g}), half of all skill tuples are "
            f"{1 - cfg.beta:g}-competent: {said}."
        )
    return " ".join(parts)


def summary_markdown(report: MemoryResult) -> str:
    """``summary.md`` of a run: the headline, the slopes and the data term, computed from it."""
    cfg = report.config
    lines = [
        "# skillgraph memory",
        "",
        report.headline,
        "",
        "## Slopes of log E against log d",
        "",
        "| scheme | fitted slope | 95% CI | theory |",
        "|---|---|---|---|",
    ]
    for scheme in SCHEMES:
        fit, th = report.fits[scheme], report.theory[scheme]
        slope = "n/a" if fit is None else f"{fit.slope:.3f}"
        ci = "n/a" if fit is None else f"[{fit.ci_low:.3f}, {fit.ci_high:.3f}]"
        lines.append(f"| {scheme} | {slope} | {ci} | {'none' if math.isnan(th) else f'{th:.3f}'} |")
    lines += [
        "",
        f"Window: d in [{cfg.fit_window[0]:g}, {cfg.fit_window[1]:g}]; interval: "
        "leave-one-draw-out jackknife.  Within one draw every d uses prefixes of the same "
        "embeddings, so the curves are smoother than independent draws would give.",
        "",
        "## Model and run",
        "",
        f"Inputs x = 0..{cfg.n_inputs - 1} with Zipf frequencies "
        f"p(x) ∝ (x+1)^-{cfg.zipf_exponent:g}, "
        f"labels x mod {cfg.n_labels}, random embeddings, memory W = sum_x q(x) e_x u_f(x)^T. "
        f"Emergence figure: the unrecalled associations are the unlearned skills of a skill "
        f"graph with {cfg.n_inputs} skills (measure p), {cfg.n_texts} text pieces, k = {cfg.k}; "
        f"model size is identified with d and compute with d T, so the compute-optimal data "
        f"is T ~ d^{cfg.zipf_exponent:g} (the two error terms balanced).  The bound is the "
        f"paper's Corollary 2 at the simulated theta (stated for a uniform skill cluster).",
        "",
        f"Seed {cfg.seed}; {report.elapsed:.1f} s.",
        "",
        "Files: " + ", ".join(FILES),
        "",
    ]
    return "\n".join(lines)
