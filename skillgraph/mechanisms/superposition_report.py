"""The ``skillgraph superpose`` pipeline: tasks in superposition against model scale (a toy model).

Along a range of training compute, a scaling law and a loss-to-theta map give
the failure rate ``theta`` of compute-optimal models (the scale grid of the
``emerge`` pipeline, :func:`skillgraph.emergence.scale_grid`).  At each
scale the task competences of :mod:`skillgraph.mechanisms.superposition` are
measured on sampled skill graphs, the same prompts are read out by each
readout, and the paper's metrics are averaged over prompts and graphs:
``kl``, ``tasks_in_parallel`` and ``sorted_mean_prob``.

This is a **toy model**: it shows which readout assumptions turn skill-graph
competences into the signature that Xiong et al. (arXiv 2410.05603) measured
on language models.  It does not reproduce measurements of real language
models.  See :doc:`/theory/superposition`.

Examples
--------
>>> from skillgraph.mechanisms.superposition_report import SuperposeConfig, run_superpose
>>> result = run_superpose(SuperposeConfig(n_scales=3, replicates=2))  # doctest: +SKIP
>>> print(result.headline)  # doctest: +SKIP
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from skillgraph._progress import progress_bar
from skillgraph._rng import as_seed_sequence, child_seed
from skillgraph._validation import check_int
from skillgraph.mechanisms import superposition as sp
from skillgraph.plotting.style import save_figure
from skillgraph.tables import prepare_output_dir

__all__ = [
    "COLUMNS",
    "TOY_LABEL",
    "DISCLAIMER",
    "SuperposeConfig",
    "SuperposeResult",
    "run_superpose",
    "shows_signature",
    "SIGNATURE_KL_FACTOR",
    "SIGNATURE_TASKS_MARGIN",
    "write_report",
    "scale_figure",
    "sorted_probs_figure",
]

#: The label every figure and summary carries.
TOY_LABEL = "toy model"
#: The sentence that says what the run does not show.
DISCLAIMER = (
    "This toy model shows what assumed readouts make of skill-graph competences; "
    "it does not reproduce measurements of real language models."
)

#: Columns of the tidy table: parameters, then ``quantity``, ``value``, ``ci_low``,
#: ``ci_high`` and ``seed``.  Quantities: ``kl``, ``tasks_in_parallel``,
#: ``sorted_mean_prob`` (``rank`` 1 = largest), ``task_competence`` (mean over
#: tasks and graphs; ``readout`` empty) and ``kl_clipped_fraction`` (share of
#: prompts in which ``kl`` floored an answer probability at ``eps``).
COLUMNS = (
    "readout",
    "rank",
    "compute",
    "params",
    "tokens",
    "excess_loss",
    "theta",
    "law",
    "mapping",
    "n_tasks",
    "lambda",
    "n_examples",
    "t",
    "k",
    "n_skills",
    "n_texts",
    "failure",
    "n_prompts",
    "n_replicates",
    "quantity",
    "value",
    "ci_low",
    "ci_high",
    "seed",
)

_SCALE_KEYS = ("compute", "params", "tokens", "excess_loss", "theta")


@dataclass(frozen=True)
class SuperposeConfig:
    """Parameters of a ``skillgraph superpose`` run; the defaults are the command's.

    Parameters
    ----------
    compute : (float, float)
        Range of training compute in FLOPs of compute-optimal models (default
        1e18 to 1e28: ``theta`` from about 0.37 to 0.011 under the defaults).
    n_scales : int
        Log-spaced scales (default 11, one per decade).
    law, mapping, theta_ref, c
        Scaling law and loss-to-theta map, as in ``skillgraph emerge``.
    lam : sequence of float
        Task proportions ``lambda`` (default three equal tasks); ``K = len(lam)``.
    n_examples : int
        Examples per prompt (default 60, as in the paper).
    t : int
        Skills per task (default 2).
    k, n_skills, n_texts : int
        The skill graphs (defaults 8, 1000, 100 000).
    failure : str
        Failure model (default ``"random"``; see
        :func:`skillgraph.mechanisms.superposition.task_competences`).
    replicates : int
        Independent graphs and task sets (default 5).
    n_prompts : int
        Prompts per graph and scale (default 2000); the same prompts at every
        scale and for every readout (common random numbers).
    readouts : sequence of str
        Readouts scored (default all three).
    smoothing, tau, noise, n_distractors, zipf_exponent, eps
        Readout and metric options (:func:`skillgraph.mechanisms.superposition.superpose`).
    n_curves : int
        Scales at which the sorted-probability curves are drawn (default 3:
        the smallest, the middle and the largest).
    seed : int
        Root seed; graph ``r`` uses child ``(r, 0)``, its failure sets ``(r, 1)``
        at every scale, its prompts ``(r, 2)``.
    """

    compute: tuple[float, float] = (1e18, 1e28)
    n_scales: int = 11
    law: str = "chinchilla"
    mapping: str = "anchored"
    theta_ref: float = 0.05
    c: float = 1.0
    lam: tuple[float, ...] = (1 / 3, 1 / 3, 1 / 3)
    n_examples: int = 60
    t: int = 2
    k: int = 8
    n_skills: int = 1000
    n_texts: int = 100_000
    failure: str = "random"
    replicates: int = 5
    n_prompts: int = 2000
    readouts: tuple[str, ...] = sp.READOUTS
    smoothing: float = sp.OPTION_DEFAULTS["smoothing"]
    tau: float = sp.OPTION_DEFAULTS["tau"]
    noise: float = sp.OPTION_DEFAULTS["noise"]
    n_distractors: int = sp.OPTION_DEFAULTS["n_distractors"]
    zipf_exponent: float = sp.OPTION_DEFAULTS["zipf_exponent"]
    eps: float = sp.OPTION_DEFAULTS["eps"]
    n_curves: int = 3
    seed: int = 0

    def __post_init__(self):
        # every parameter is checked here, before any work (the measure checks are reused)
        set_ = object.__setattr__
        lam = sp.check_lambda(self.lam)
        set_(self, "lam", tuple(float(x) for x in lam))
        self.scale_config()  # validates compute, law, mapping, theta_ref, c
        set_(self, "n_scales", check_int("n_scales", self.n_scales, 2, 1000))
        set_(self, "replicates", check_int("replicates", self.replicates, 1, 10_000))
        set_(self, "n_curves", check_int("n_curves", self.n_curves, 1, self.n_scales))
        set_(self, "seed", check_int("seed", self.seed, 0, 2**63 - 1))
        readouts = (self.readouts,) if isinstance(self.readouts, str) else tuple(self.readouts)
        set_(self, "readouts", readouts)
        sp.check_measure_params(self.measure_params(theta=0.0))

    @property
    def n_tasks(self) -> int:
        """``K``."""
        return len(self.lam)

    def scale_config(self):
        """The ``emerge`` configuration whose scale grid this run uses."""
        from skillgraph.emergence import EmergeConfig

        return EmergeConfig(
            compute=self.compute,
            law=self.law,
            mapping=self.mapping,
            theta_ref=self.theta_ref,
            cloze_factor=self.c,
        )

    def measure_params(self, theta: float) -> dict:
        """The parameters of :func:`skillgraph.mechanisms.superposition.measure` at ``theta``."""
        names = ("n_skills", "n_texts", "k", "t", "failure", "n_examples", "n_prompts")
        params = {name: getattr(self, name) for name in names}
        params.update({name: getattr(self, name) for name in sp.OPTION_DEFAULTS})
        return {**params, "theta": theta, "lam": self.lam, "readouts": self.readouts}


@dataclass
class SuperposeResult:
    """What :func:`run_superpose` returns.

    Attributes
    ----------
    config : SuperposeConfig
    scales : dict of ndarray
        ``compute``, ``params``, ``tokens``, ``excess_loss``, ``theta``, shape ``(n_scales,)``.
    rows : list of dict
        The tidy table (keys :data:`COLUMNS`).
    curve_indices : list of int
        The scales of the sorted-probability curves.
    headline : str
        One paragraph, computed from the run.
    findings : list of str
        One line per readout: how ``kl`` and ``tasks_in_parallel`` move with scale.
    """

    config: SuperposeConfig
    scales: dict = field(default_factory=dict)
    rows: list = field(default_factory=list)
    curve_indices: list = field(default_factory=list)
    headline: str = ""
    findings: list = field(default_factory=list)

    def estimate(self, quantity: str, readout: str, scale: int, rank=None) -> dict:
        """The row of ``quantity`` for ``readout`` at scale index ``scale``."""
        compute = float(self.scales["compute"][scale])
        for row in self.rows:
            if (
                row["quantity"] == quantity
                and row["readout"] == readout
                and row["compute"] == compute
                and (rank is None or row["rank"] == rank)
            ):
                return row
        raise KeyError(f"no {quantity!r} row for readout {readout!r} at scale {scale}")

    def summary_json(self) -> dict:
        """The machine-readable summary that ``skillgraph superpose --json`` prints.

        For each readout and each scale: ``theta``, mean ``kl`` and mean
        ``tasks_in_parallel`` with their 95% intervals.
        """
        readouts = {}
        for readout in self.config.readouts:
            entries = []
            for i in range(len(self.scales["theta"])):
                entry = {key: float(self.scales[key][i]) for key in _SCALE_KEYS}
                for quantity in ("kl", "tasks_in_parallel"):
                    row = self.estimate(quantity, readout, i)
                    entry[quantity] = {k: row[k] for k in ("value", "ci_low", "ci_high")}
                entries.append(entry)
            readouts[readout] = entries
        return {
            "model": TOY_LABEL,
            "disclaimer": DISCLAIMER,
            "headline": self.headline,
            "config": asdict(self.config),
            "readouts": readouts,
        }

    def __repr__(self) -> str:
        return (
            f"SuperposeResult({TOY_LABEL}, readouts={self.config.readouts}, "
            f"n_scales={len(self.scales.get('theta', ()))}, rows={len(self.rows)})"
        )


# ---------------------------------------------------------------------------
# the run


def _check_memory(config: SuperposeConfig) -> None:
    from skillgraph._resources import check_memory

    # one graph at a time: edges (int32) + edge texts (int64) + skill-side CSR (int64);
    # prompts: counts, answer probabilities and metrics per readout
    graph = 24 * config.k * config.n_texts
    prompts = 8 * config.n_prompts * config.n_tasks * 6 * len(config.readouts)
    kept = 8 * config.replicates * config.n_scales * config.n_prompts * (2 + config.n_tasks)
    check_memory(graph + prompts + kept * len(config.readouts), "a superpose run")


def _simulate(config: SuperposeConfig, thetas: np.ndarray, progress: bool) -> dict:
    """Per-prompt metrics: arrays ``[readout][quantity]`` of shape (replicates, scales, ...)."""
    R, S, P, K = config.replicates, thetas.size, config.n_prompts, config.n_tasks
    out = {
        ro: {
            "kl": np.empty((R, S, P)),
            "tasks_in_parallel": np.empty((R, S, P)),
            "sorted": np.empty((R, S, P, K)),
            "clipped": np.empty((R, S)),
        }
        for ro in config.readouts
    }
    out["competence"] = np.empty((R, S, K))
    options = {name: getattr(config, name) for name in sp.OPTION_DEFAULTS}
    root = as_seed_sequence(config.seed)
    bar = progress_bar(R * S, enabled=progress, desc="superpose")
    try:
        for r in range(R):
            tasks = sp.sample_task_set(
                K,
                config.t,
                n_skills=config.n_skills,
                n_texts=config.n_texts,
                k=config.k,
                seed=child_seed(root, r, 0),
            )
            for s, theta in enumerate(thetas):
                comp = sp.task_competences(
                    tasks, float(theta), failure=config.failure, seed=child_seed(root, r, 1)
                )
                out["competence"][r, s] = comp.competences
                for ro in config.readouts:
                    res = sp.superpose(
                        comp.competences,
                        config.lam,
                        config.n_examples,
                        readout=ro,
                        n_prompts=P,
                        seed=child_seed(root, r, 2),
                        **options,
                    )
                    out[ro]["kl"][r, s] = res.kl
                    out[ro]["tasks_in_parallel"][r, s] = res.tasks_in_parallel
                    out[ro]["sorted"][r, s] = -np.sort(-res.answer_probs, axis=1)
                    out[ro]["clipped"][r, s] = res.clipped_fraction
                bar.update(1)
    finally:
        bar.close()
    return out


def _rows(config: SuperposeConfig, scales: dict, sims: dict) -> list[dict]:
    base = {
        "law": config.law,
        "mapping": config.mapping,
        "n_tasks": config.n_tasks,
        "lambda": ",".join(f"{x:.6g}" for x in config.lam),
        "n_examples": config.n_examples,
        "t": config.t,
        "k": config.k,
        "n_skills": config.n_skills,
        "n_texts": config.n_texts,
        "failure": config.failure,
        "n_prompts": config.n_prompts,
        "n_replicates": config.replicates,
        "seed": config.seed,
    }
    rows = []
    for s in range(scales["theta"].size):
        at = {**base, **{key: float(scales[key][s]) for key in _SCALE_KEYS}}

        def add(quantity, readout, samples, rank=math.nan, at=at):
            est = sp.MeanEstimate.from_samples(samples)
            rows.append(
                {**at, "quantity": quantity, "readout": readout, "rank": rank, **est.as_dict()}
            )

        add("task_competence", "", sims["competence"][:, s, :])
        for ro in config.readouts:
            add("kl", ro, sims[ro]["kl"][:, s])
            add("tasks_in_parallel", ro, sims[ro]["tasks_in_parallel"][:, s])
            for j in range(config.n_tasks):
                add("sorted_mean_prob", ro, sims[ro]["sorted"][:, s, :, j], rank=j + 1)
            add("kl_clipped_fraction", ro, sims[ro]["clipped"][:, s])
    return rows


def _curve_indices(n_scales: int, n_curves: int) -> list[int]:
    """``n_curves`` scale indices spread evenly, both ends included."""
    return sorted({int(round(x)) for x in np.linspace(0, n_scales - 1, n_curves)})


def run_superpose(config: SuperposeConfig | None = None, *, progress: bool = False):
    """Run the superposition toy against model scale (no files written; see :func:`write_report`).

    Parameters
    ----------
    config : SuperposeConfig, optional
        Defaults to ``SuperposeConfig()``, the defaults of ``skillgraph superpose``.
    progress : bool
        Show a progress bar over graphs and scales.

    Returns
    -------
    SuperposeResult

    Raises
    ------
    TypeError
        If ``config`` is not a :class:`SuperposeConfig`.
    MemoryError
        If the run would not fit in memory (checked before any work).

    Notes
    -----
    Cost: ``replicates`` graphs of ``k n_texts`` edges, ``n_scales`` failure
    sets on each (O(k n_texts) each), and O(n_prompts K) per readout and
    scale.  The defaults take a few seconds.
    """
    from skillgraph.emergence import scale_grid

    if config is None:
        config = SuperposeConfig()
    if not isinstance(config, SuperposeConfig):
        raise TypeError(f"config must be a SuperposeConfig, got {type(config).__name__}")
    if not isinstance(progress, bool):
        raise TypeError(f"progress must be a bool, got {type(progress).__name__}")
    _check_memory(config)
    scales = scale_grid(config.scale_config(), config.n_scales)
    sims = _simulate(config, scales["theta"], progress)
    result = SuperposeResult(config=config, scales=scales)
    result.rows = _rows(config, scales, sims)
    result.curve_indices = _curve_indices(config.n_scales, config.n_curves)
    result.findings = [_finding(result, ro) for ro in config.readouts]
    result.headline = _headline(result)
    return result


# ---------------------------------------------------------------------------
# what the run shows, in words computed from the run


def _fmt_est(row: dict) -> str:
    return f"{row['value']:.3g} [{row['ci_low']:.3g}, {row['ci_high']:.3g}]"


def _fmt_scale(result: SuperposeResult, s: int) -> str:
    c = result.scales["compute"][s]
    return f"{c:.0e} FLOPs (theta {result.scales['theta'][s]:.3g})".replace("e+", "e")


def _trend(first: dict, last: dict) -> str:
    """``falls``/``rises`` when the two 95% intervals do not overlap, else ``stays``."""
    if last["ci_high"] < first["ci_low"]:
        return "falls"
    if last["ci_low"] > first["ci_high"]:
        return "rises"
    return "stays within its interval"


def _trends(result: SuperposeResult, readout: str) -> dict:
    last = len(result.scales["theta"]) - 1
    out = {}
    for quantity in ("kl", "tasks_in_parallel"):
        first_row = result.estimate(quantity, readout, 0)
        last_row = result.estimate(quantity, readout, last)
        out[quantity] = (_trend(first_row, last_row), first_row, last_row)
    return out


def _finding(result: SuperposeResult, readout: str) -> str:
    parts = []
    for quantity, (trend, first, last) in _trends(result, readout).items():
        parts.append(f"{quantity} {trend} ({_fmt_est(first)} -> {_fmt_est(last)})")
    scales = (
        f"from {_fmt_scale(result, 0)} to {_fmt_scale(result, len(result.scales['theta']) - 1)}"
    )
    return f"{readout}: " + "; ".join(parts) + f", {scales}."


#: The signature of the paper, as this run tests it: between the smallest and the largest
#: scale ``kl`` falls at least by this factor (with disjoint 95% intervals) ...
SIGNATURE_KL_FACTOR = 2.0
#: ... and ``tasks_in_parallel`` reaches at least ``K`` minus this at the largest scale.
SIGNATURE_TASKS_MARGIN = 0.5


def shows_signature(result: SuperposeResult, readout: str) -> bool:
    """Whether ``readout`` shows the signature in this run (see :data:`SIGNATURE_KL_FACTOR`)."""
    trends = _trends(result, readout)
    kl_trend, kl_first, kl_last = trends["kl"]
    tip_last = trends["tasks_in_parallel"][2]
    return (
        kl_trend == "falls"
        and kl_last["value"] * SIGNATURE_KL_FACTOR <= kl_first["value"]
        and tip_last["value"] >= result.config.n_tasks - SIGNATURE_TASKS_MARGIN
    )


def _movement(result: SuperposeResult, readout: str) -> str:
    trends = _trends(result, readout)
    kl_first, kl_last = trends["kl"][1:]
    tip_first, tip_last = trends["tasks_in_parallel"][1:]
    return (
        f"under the {readout} readout kl goes from {kl_first['value']:.3g} to "
        f"{kl_last['value']:.3g} and tasks_in_parallel from {tip_first['value']:.2f} to "
        f"{tip_last['value']:.2f} of K = {result.config.n_tasks}"
    )


def _headline(result: SuperposeResult) -> str:
    cfg = result.config
    last = len(result.scales["theta"]) - 1
    shown = [ro for ro in cfg.readouts if shows_signature(result, ro)]
    lines = [
        f"Toy model: K = {cfg.n_tasks} tasks, n = {cfg.n_examples} examples per prompt, "
        f"from {_fmt_scale(result, 0)} to {_fmt_scale(result, last)}:",
        "; ".join(_movement(result, ro) for ro in cfg.readouts) + ".",
    ]
    criterion = (
        f"(kl falling at least {SIGNATURE_KL_FACTOR:g}-fold and tasks_in_parallel reaching "
        f"K - {SIGNATURE_TASKS_MARGIN:g})"
    )
    if shown:
        lines.append(f"The signature {criterion} appears under: {', '.join(shown)}.")
    else:
        lines.append(f"No readout shows the signature {criterion} in this run.")
    missing = [ro for ro in cfg.readouts if ro not in shown]
    if missing and shown:
        lines.append(f"It does not appear under: {', '.join(missing)}.")
    lines.append(DISCLAIMER)
    return " ".join(lines)


# ---------------------------------------------------------------------------
# files


def _sorted_table(result: SuperposeResult) -> list[str]:
    k = result.config.n_tasks
    header = "| readout | scale | " + " | ".join(f"rank {j}" for j in range(1, k + 1))
    lines = [header + " | other |", "|" + "---|" * (k + 3)]
    for ro in result.config.readouts:
        for s in result.curve_indices:
            values = [
                result.estimate("sorted_mean_prob", ro, s, rank=j)["value"] for j in range(1, k + 1)
            ]
            cells = " | ".join(f"{v:.3f}" for v in values)
            lines.append(f"| {ro} | {_fmt_scale(result, s)} | {cells} | {1 - sum(values):.3f} |")
    return lines


def _summary_md(result: SuperposeResult, files: Sequence[str]) -> str:
    cfg = result.config
    lines = [
        f"# skillgraph superpose ({TOY_LABEL})",
        "",
        f"**{DISCLAIMER}**",
        "",
        result.headline,
        "",
        "## What the run shows",
        "",
        *(f"- {line}" for line in result.findings),
        "",
        "Values are means over prompts and graphs with 95% intervals in brackets "
        "(union of the Student-t intervals over graphs and over all prompts).",
        "`kl` = sum_j lambda_j log(lambda_j / max(r_j, eps)) on the raw answer probabilities "
        f"r (eps = {cfg.eps:g}); `tasks_in_parallel` = number of task answers among the top "
        f"K = {cfg.n_tasks} completions (answer j counts when r_j >= p_K - "
        f"{sp.TOP_K_TOLERANCE:g}).",
        "",
        "## sorted_mean_prob at three scales",
        "",
        "Mean over prompts of the answer probabilities sorted in decreasing order; "
        "`other` = mass on distractor answers.",
        "",
        *_sorted_table(result),
        "",
        "## Parameters",
        "",
        *(f"- `{key}`: {value!r}" for key, value in asdict(cfg).items()),
        "",
        "## Files",
        "",
        *(f"- `{name}`" for name in files),
        "",
    ]
    return "\n".join(lines)


def write_report(result: SuperposeResult, out_dir) -> list[Path]:
    """Write the figures, the tidy table and the summaries of a run into ``out_dir``.

    Files: ``superposition_scale.png`` (``kl`` and ``tasks_in_parallel``
    against scale), ``sorted_probs.png`` (``sorted_mean_prob`` at three
    scales), ``results.csv`` (:data:`COLUMNS`), ``summary.json`` (as printed
    by ``--json``) and ``summary.md``.  Every file is written atomically.

    Returns
    -------
    list of Path
    """
    from skillgraph.tables import atomic_write, write_table

    if not isinstance(result, SuperposeResult):
        raise TypeError(f"result must be a SuperposeResult, got {type(result).__name__}")
    out = prepare_output_dir(out_dir)
    written = [
        save_figure(scale_figure(result), out / "superposition_scale")[0],
        save_figure(sorted_probs_figure(result), out / "sorted_probs")[0],
        write_table(out / "results.csv", result.rows, COLUMNS),
    ]
    atomic_write(out / "summary.json", json.dumps(result.summary_json(), indent=2) + "\n")
    written.append(out / "summary.json")
    names = [p.name for p in written] + ["summary.md"]
    atomic_write(out / "summary.md", _summary_md(result, names))
    written.append(out / "summary.md")
    return written


# ---------------------------------------------------------------------------
# figures (matplotlib object-oriented API only)


def _footer(fig) -> None:
    """The disclaimer under the panels (constrained layout makes room for it)."""
    fig.supxlabel(DISCLAIMER, fontsize=6, style="italic")


def _series(result: SuperposeResult, quantity: str, readout: str, rank=None):
    rows = [result.estimate(quantity, readout, s, rank) for s in range(result.scales["theta"].size)]
    return (np.array([r[key] for r in rows]) for key in ("value", "ci_low", "ci_high"))


def scale_figure(result: SuperposeResult):
    """``kl`` and ``tasks_in_parallel`` against training compute, one line per readout.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from skillgraph.plotting.figures import COLUMN_WIDTH, new_figure, style

    cfg = result.config
    fig, axes = new_figure(1, 2, height=3.0, width=2 * COLUMN_WIDTH)
    with style():
        for ax, quantity in zip(axes[0], ("kl", "tasks_in_parallel"), strict=True):
            _scale_panel(ax, result, quantity)
        axes[0, 0].set_yscale("log")
        axes[0, 0].set_ylabel(r"kl $= \sum_j \lambda_j \log(\lambda_j / r_j)$")
        axes[0, 0].legend(title="readout", loc="center right")
        axes[0, 1].set_ylabel(f"tasks_in_parallel (answers in top {cfg.n_tasks})")
        axes[0, 1].set_ylim(0, cfg.n_tasks + 0.3)
        axes[0, 1].axhline(cfg.n_tasks, color="0.5", linewidth=0.6, linestyle="--")
        lam = ", ".join(f"{x:.2g}" for x in cfg.lam)
        fig.suptitle(
            f"Toy model: K = {cfg.n_tasks} tasks, n = {cfg.n_examples} examples, "
            rf"$\lambda$ = ({lam}); mean and 95% interval"
        )
        _footer(fig)
    return fig


_LINESTYLES = ("-", "--", "-.", ":")


def _scale_panel(ax, result: SuperposeResult, quantity: str) -> None:
    from skillgraph.plotting import MARKERS, PALETTE, theta_axis

    x = result.scales["compute"]
    for i, ro in enumerate(result.config.readouts):
        value, low, high = _series(result, quantity, ro)
        ax.plot(x, value, color=PALETTE[i], marker=MARKERS[i], linestyle=_LINESTYLES[i], label=ro)
        ax.fill_between(x, low, high, color=PALETTE[i], alpha=0.25, linewidth=0)
    ax.set_xscale("log")
    ax.set_xlabel("training compute (FLOPs), compute-optimal models")
    theta_axis(ax, x, result.scales["theta"])


def sorted_probs_figure(result: SuperposeResult):
    """``sorted_mean_prob`` at the curve scales, one panel per readout.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from skillgraph.plotting.figures import COLUMN_WIDTH, MARKERS, PALETTE, new_figure, style

    cfg = result.config
    n = len(cfg.readouts)
    fig, axes = new_figure(1, n, height=2.8, width=max(2, n) * COLUMN_WIDTH * 0.7, sharey=True)
    ranks = np.arange(1, cfg.n_tasks + 1)
    offsets = 0.1 * (np.arange(len(result.curve_indices)) - (len(result.curve_indices) - 1) / 2)
    with style():
        for ax, ro in zip(axes[0], cfg.readouts, strict=True):
            for i, s in enumerate(result.curve_indices):
                rows = [result.estimate("sorted_mean_prob", ro, s, rank=j) for j in ranks]
                value = np.array([r["value"] for r in rows])
                err = np.array(
                    [[r["value"] - r["ci_low"], r["ci_high"] - r["value"]] for r in rows]
                )
                ax.errorbar(
                    ranks + offsets[i],
                    value,
                    yerr=err.T,
                    color=PALETTE[i],
                    marker=MARKERS[i],
                    capsize=2,
                    label=_fmt_scale(result, s),
                )
            ax.axhline(1 / cfg.n_tasks, color="0.5", linewidth=0.6, linestyle="--")
            ax.set_xticks(ranks)
            ax.set_xlabel("rank within the prompt")
            ax.set_title(f"readout: {ro}")
            ax.set_ylim(0, 1)
        axes[0, 0].set_ylabel("sorted_mean_prob")
        axes[0, -1].legend(loc="upper right", title="scale")
        fig.suptitle(
            "Toy model: sorted_mean_prob, mean of the sorted answer probabilities (dashed: 1/K)"
        )
        _footer(fig)
    return fig
