"""The ``skillgraph memory`` pipeline: one mechanism from memory size to emergence of skill tuples.

It runs the associative memory of :mod:`skillgraph.mechanisms.memory` at
embedded defaults (``N = 1000`` inputs, ``M = 5`` labels, Zipf exponent
``a = 2``, ``kappa = 8``, 20 draws of the embeddings) and draws three figures,
each from the rows of one tidy table:

``memory_error_vs_d.png``
    the Monte Carlo error against memory size ``d`` for the three storage
    schemes, with the slope fitted in a stated window and the theory slope;
``memory_error_vs_T.png``
    the error against the amount of data ``T`` at several ``d`` (and an
    unbounded memory), with the data term (exact sum and asymptotic form) and
    the analytic approximation of each curve;
``memory_emergence.png``
    the fraction of competent ``t``-tuples of skills against ``d``, the data
    growing compute-optimally with it (``T ~ d^a``), under the structural
    coupling (unrecalled associations are the unlearned skills; the skill
    measure is the Zipf ``p``), beside the paper's guarantee (Corollary 2) at
    the same failure rate ``theta``.

Model size is identified with ``d`` and compute with ``d T`` (see
:func:`skillgraph.mechanisms.memory.compute_optimal_T`).  The headline
compares the fitted exponents with theory.  :func:`memory_measurement` is the
same computation as a plain function of one work item's parameters, for sweeps.

Examples
--------
>>> from skillgraph.mechanisms.memory_report import MemoryConfig, run_memory
>>> report = run_memory(MemoryConfig(trials=4, replicates=2))  # doctest: +SKIP
>>> print(report.headline)  # doctest: +SKIP
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from skillgraph._progress import progress_bar
from skillgraph._rng import as_seed_sequence, child_seed
from skillgraph._validation import check_int, check_real
from skillgraph.core.intervals import t_interval
from skillgraph.mechanisms import memory as mem
from skillgraph.plotting.style import save_figure
from skillgraph.tables import prepare_output_dir

__all__ = [
    "MemoryConfig",
    "MemoryReport",
    "COLUMNS",
    "scheme_label",
    "FILES",
    "run_memory",
    "write_outputs",
    "memory_measurement",
]

#: Columns of the tidy table: parameters, then ``quantity``, ``value``,
#: ``ci_low``, ``ci_high`` (NaN where none) and ``seed``.  ``figure`` names the
#: figure a row is drawn in (``error_vs_d``, ``error_vs_T``, ``emergence``);
#: ``source`` says where the number comes from (``monte_carlo``, ``analytic``,
#: ``exact``, ``asymptotic``, ``fit``, ``theory``, ``memory`` for the
#: structural coupling on sampled graphs, ``bound`` for Corollary 2).
COLUMNS = (
    "figure",
    "source",
    "scheme",
    "d",
    "T",
    "t",
    "beta",
    "k",
    "d_low",
    "d_high",
    "n_inputs",
    "n_labels",
    "zipf_exponent",
    "kappa",
    "rho",
    "trials",
    "quantity",
    "value",
    "ci_low",
    "ci_high",
    "seed",
)

#: Files written by :func:`write_outputs`.
FILES = (
    "memory_error_vs_d.png",
    "memory_error_vs_T.png",
    "memory_emergence.png",
    "results.csv",
    "summary.json",
    "summary.md",
)

# spawn keys of the run's seed: one child per part of the run
_KEY_D, _KEY_T, _KEY_EMERGENCE = 0, 1, 2
_LEVEL = 0.95


def scheme_label(scheme: str, *, kappa: float, rho: float) -> str:
    """A short human name for a storage scheme (``"q = p"``, ``"threshold P = d/8"``...)."""
    if scheme == "threshold":
        return f"threshold P = d/{kappa:g}"
    if scheme == "frequency":
        return "q = p" if rho == 1 else f"q = p^{rho:g}"
    return "q = 1"


def _log_grid(low: float, high: float, n: int) -> tuple[int, ...]:
    return tuple(int(v) for v in np.unique(np.round(np.geomspace(low, high, n))))


def _check_sizes(name: str, values, allow_inf: bool = False) -> tuple[float, ...]:
    arr = mem._check_d(values)
    if not allow_inf and np.isinf(arr).any():
        raise ValueError(f"{name} must be finite, got {values!r}")
    return tuple(float(v) if np.isinf(v) else int(v) for v in arr)


@dataclass(frozen=True)
class MemoryConfig:
    """Parameters of a ``skillgraph memory`` run (defaults: about a minute on two cores).

    Attributes
    ----------
    n_inputs, n_labels, zipf_exponent, kappa, rho, trials
        The memory, as in :func:`skillgraph.mechanisms.memory.memory_error`
        (``zipf_exponent > 1``: the laws need it).
    seed : int
        Master seed; every part of the run uses its own child.
    d : tuple of int
        Memory sizes of the error-against-``d`` figure.
    fit_window : (float, float)
        Inclusive window of ``d`` for the fitted slopes.
    T : tuple of int
        Amounts of data of the error-against-``T`` figure.
    T_d : tuple of float
        Memory sizes drawn against ``T`` (``inf``: stores every seen input).
    data_fit_window : (float, float)
        Inclusive window of ``T`` for the slope of the unbounded memory's
        error (with finite ``N`` the data term leaves its ``N = inf``
        asymptote once ``T`` approaches ``N ** a``).
    emergence_d : tuple of int
        Memory sizes of the emergence figure; ``T`` is compute-optimal at each.
    replicates : int
        Memories (and graphs) per memory size in the emergence figure, >= 2.
    n_texts, k : int
        Text pieces and skills per text piece of the sampled skill graphs.
    tuples : tuple of int
        Tuple sizes ``t``.
    beta : float
        Competence threshold: a tuple is competent when its competence is at
        least ``1 - beta``.
    """

    n_inputs: int = 1000
    n_labels: int = 5
    zipf_exponent: float = 2.0
    kappa: float = 8.0
    rho: float = 1.0
    trials: int = 20
    seed: int = 0
    d: tuple = field(default_factory=lambda: _log_grid(8, 2048, 17))
    fit_window: tuple = (32, 512)
    T: tuple = field(default_factory=lambda: _log_grid(10, 10**6, 11))
    T_d: tuple = (64, 256, 1024, math.inf)
    data_fit_window: tuple = (10, 10_000)
    emergence_d: tuple = field(default_factory=lambda: _log_grid(16, 4096, 25))
    replicates: int = 4
    n_texts: int = 100_000
    k: int = 8
    tuples: tuple = (1, 2, 4)
    beta: float = 0.5

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "n_inputs", check_int("n_inputs", self.n_inputs, 1, mem._MAX_INPUTS))
        set_(self, "n_labels", check_int("n_labels", self.n_labels, 2))
        set_(self, "zipf_exponent", mem._check_law_exponent(self.zipf_exponent))
        set_(self, "kappa", check_real("kappa", self.kappa, 0.0, None, open_low=True))
        set_(self, "rho", check_real("rho", self.rho, 0.0, None, open_low=True))
        set_(self, "trials", check_int("trials", self.trials, 2, mem._MAX_TRIALS))
        set_(self, "seed", check_int("seed", self.seed, 0))
        set_(self, "d", _check_sizes("d", self.d))
        set_(self, "fit_window", mem._check_window(self.fit_window))
        set_(self, "T", tuple(check_int("T", t, 1) for t in np.atleast_1d(self.T).tolist()))
        set_(self, "T_d", _check_sizes("T_d", self.T_d, allow_inf=True))
        set_(self, "data_fit_window", mem._check_window(self.data_fit_window))
        set_(self, "emergence_d", _check_sizes("emergence_d", self.emergence_d))
        set_(self, "replicates", check_int("replicates", self.replicates, 2, 10**4))
        set_(self, "n_texts", check_int("n_texts", self.n_texts, 1))
        set_(self, "k", check_int("k", self.k, 1))
        set_(self, "tuples", tuple(check_int("t", t, 1, 16) for t in self.tuples))
        set_(self, "beta", check_real("beta", self.beta, 0.0, 1.0, open_low=True, open_high=True))
        if not self.T or not self.tuples:
            raise ValueError("T and tuples must each hold at least one value")
        inside = [v for v in self.d if self.fit_window[0] <= v <= self.fit_window[1]]
        if len(set(inside)) < 3:
            raise ValueError(
                f"fit_window {self.fit_window} must contain at least 3 of the sizes d={self.d}"
            )
        if math.floor(min(self.emergence_d) / self.kappa) < 1:  # each size is its own memory
            raise ValueError(
                f"emergence_d must store at least one input at every size: the smallest, "
                f"{min(self.emergence_d)}, gives P = floor(d / kappa) = 0 with kappa={self.kappa:g}"
            )
        # the memory functions validate the rest (kappa against d, ...) before the run
        for sizes in (self.d, self.emergence_d, [v for v in self.T_d if math.isfinite(v)]):
            if sizes:
                mem._setup(sizes, None, self.n_inputs, self.n_labels, self.zipf_exponent,
                           "threshold", self.kappa, self.rho)  # fmt: skip

    def memory_kwargs(self) -> dict:
        """The keyword arguments shared by every memory of the run."""
        return {
            "n_inputs": self.n_inputs,
            "n_labels": self.n_labels,
            "zipf_exponent": self.zipf_exponent,
            "kappa": self.kappa,
            "rho": self.rho,
        }


@dataclass(frozen=True, eq=False)
class MemoryReport:
    """What a ``skillgraph memory`` run computed.

    Attributes
    ----------
    config : MemoryConfig
    rows : list of dict
        The tidy table (columns :data:`COLUMNS`): every number plotted.
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
        return _jsonable(
            {
                "config": asdict(cfg),
                "slopes": fits,
                "data_term": data,
                "headline": self.headline,
                "elapsed_seconds": round(self.elapsed, 2),
            }
        )

    def __repr__(self) -> str:
        slopes = ", ".join(
            f"{s}={f.slope:.3f}" if f is not None else f"{s}=n/a" for s, f in self.fits.items()
        )
        return f"MemoryReport(slopes: {slopes}; {len(self.rows)} rows, {self.elapsed:.1f} s)"


def _none_if_nan(x):
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else x


def _jsonable(obj):
    """Plain JSON values: tuples as lists, ``inf`` as the string ``"inf"``, NaN as None."""
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, float) and math.isinf(obj):
        return "inf"
    return _none_if_nan(obj)


# ---- the run -------------------------------------------------------------------------------


def _row(cfg: MemoryConfig, **values) -> dict:
    base = {**cfg.memory_kwargs(), "trials": cfg.trials, "seed": cfg.seed}
    return {**base, **values}


def _curve_rows(cfg: MemoryConfig, curve, figure: str) -> list[dict]:
    return [
        _row(cfg, figure=figure, source="monte_carlo", scheme=curve.scheme, d=_cell(d),
             T=curve.T, quantity="error", value=float(e), ci_low=float(lo), ci_high=float(hi))
        for d, e, lo, hi in zip(curve.d, curve.error, curve.ci_low, curve.ci_high, strict=True)
    ]  # fmt: skip


def _cell(d: float):
    """A memory size as a table cell: an int, or ``inf``."""
    return float(d) if math.isinf(d) else int(d)


def _error_vs_d(cfg: MemoryConfig, root, bar) -> tuple[list, dict, dict, dict]:
    rows, curves, fits, theory = [], {}, {}, {}
    seed = child_seed(root, _KEY_D)  # the same embeddings for every scheme
    for scheme in mem.SCHEMES:
        curve = mem.memory_error(cfg.d, None, scheme=scheme, trials=cfg.trials, seed=seed,
                                 **cfg.memory_kwargs())  # fmt: skip
        curves[scheme] = curve
        rows += _curve_rows(cfg, curve, "error_vs_d")
        theory[scheme] = _theory_slope(scheme, cfg)
        fits[scheme] = _try_fit(curve, cfg.fit_window)
        rows += _fit_rows(cfg, scheme, fits[scheme], theory[scheme])
        bar.update(1)
    capacity = mem.capacity_term(np.array(cfg.d, dtype=float), n_inputs=cfg.n_inputs,
                                 n_labels=cfg.n_labels, zipf_exponent=cfg.zipf_exponent,
                                 kappa=cfg.kappa)  # fmt: skip
    rows += [
        _row(cfg, figure="error_vs_d", source="analytic", scheme="threshold", d=int(d),
             quantity="capacity_term", value=float(v), ci_low=math.nan, ci_high=math.nan)
        for d, v in zip(cfg.d, capacity, strict=True)
    ]  # fmt: skip
    return rows, curves, fits, theory


def _theory_slope(scheme: str, cfg: MemoryConfig) -> float:
    try:
        return mem.theory_slope(scheme, cfg.zipf_exponent, cfg.rho)
    except ValueError:  # frequency scheme with 2 rho a <= 1: no power law
        return math.nan


def _try_fit(curve, window):
    try:
        return curve.fit_slope(window)
    except ValueError:  # a zero mean error inside the window: no log-log line
        return None


def _fit_rows(cfg: MemoryConfig, scheme: str, fit, theory: float) -> list[dict]:
    window = {"d_low": cfg.fit_window[0], "d_high": cfg.fit_window[1]}
    rows = [
        _row(cfg, figure="error_vs_d", source="theory", scheme=scheme, quantity="slope",
             value=theory, ci_low=math.nan, ci_high=math.nan, **window)
    ]  # fmt: skip
    if fit is not None:
        rows += [
            _row(cfg, figure="error_vs_d", source="fit", scheme=scheme, quantity="slope",
                 value=fit.slope, ci_low=fit.ci_low, ci_high=fit.ci_high, **window),
            _row(cfg, figure="error_vs_d", source="fit", scheme=scheme, quantity="log_intercept",
                 value=fit.intercept, ci_low=math.nan, ci_high=math.nan, **window),
        ]  # fmt: skip
    return rows


def _error_vs_T(cfg: MemoryConfig, root, bar) -> tuple[list, object]:
    rows, per_T = [], []
    d_arr = np.array(cfg.T_d, dtype=float)
    seed = child_seed(root, _KEY_T)  # the same embeddings at every T
    for T in cfg.T:
        curve = mem.memory_error(d_arr, T, scheme="threshold", trials=cfg.trials, seed=seed,
                                 **cfg.memory_kwargs())  # fmt: skip
        rows += _curve_rows(cfg, curve, "error_vs_T")
        per_T.append(curve)
        analytic = curve.analytic()
        rows += [
            _row(cfg, figure="error_vs_T", source="analytic", scheme="threshold", d=_cell(d),
                 T=T, quantity="analytic_error", value=float(v), ci_low=math.nan,
                 ci_high=math.nan)
            for d, v in zip(cfg.T_d, analytic, strict=True)
        ]  # fmt: skip
        bar.update(1)
    T_arr = np.array(cfg.T, dtype=float)
    exact = mem.data_term(T_arr, n_inputs=cfg.n_inputs, zipf_exponent=cfg.zipf_exponent)
    asym = mem.data_term_asymptotic(T_arr, cfg.zipf_exponent)
    for source, values in (("exact", exact), ("asymptotic", asym)):
        rows += [
            _row(cfg, figure="error_vs_T", source=source, T=int(T), quantity="data_term",
                 value=float(v), ci_low=math.nan, ci_high=math.nan)
            for T, v in zip(cfg.T, values, strict=True)
        ]  # fmt: skip
    return rows, _data_fit(cfg, per_T)


def _data_fit(cfg: MemoryConfig, per_T: list) -> tuple:
    """Slopes against ``T`` in ``data_fit_window``: the unbounded memory's error, the exact sum.

    ``(None, None)`` when ``inf`` is not among ``T_d`` or fewer than 3 amounts
    of data fall in the window.
    """
    T_arr = np.array(cfg.T, dtype=float)
    low, high = cfg.data_fit_window
    inside = (T_arr >= low) & (T_arr <= high)
    if not any(math.isinf(v) for v in cfg.T_d) or np.unique(T_arr[inside]).size < 3:
        return None, None
    col = [i for i, v in enumerate(cfg.T_d) if math.isinf(v)][0]
    errors = np.stack([c.errors[:, col] for c in per_T], axis=1)  # (trials, n_T)
    exact = mem.data_term(T_arr, n_inputs=cfg.n_inputs, zipf_exponent=cfg.zipf_exponent)
    try:
        return (mem.fit_slope(T_arr, errors, window=cfg.data_fit_window),
                mem.fit_slope(T_arr, exact, window=cfg.data_fit_window))  # fmt: skip
    except ValueError:  # a zero mean error in the window
        return None, None


def _emergence_one(cfg: MemoryConfig, d: int, T: int, seed) -> dict:
    """One memory and one skill graph at size ``d``: theta and the competent fractions."""
    from skillgraph.core.competence import tuple_bad_fraction
    from skillgraph.core.sampling import sample_graph

    recall = mem.memory_recall([d], T, scheme="threshold", seed=child_seed(seed, 0),
                               **cfg.memory_kwargs())  # fmt: skip
    graph = sample_graph(cfg.n_inputs, cfg.n_texts, cfg.k, skill_measure="zipf",
                         zipf_exponent=cfg.zipf_exponent, seed=child_seed(seed, 1))  # fmt: skip
    failed = mem.memory_failures(graph, recall.unrecalled[0])
    competent = {}
    for t in cfg.tuples:
        est = tuple_bad_fraction(graph, failed, t, cfg.beta, seed=child_seed(seed, 2, t))
        competent[t] = 1.0 - est.value
    return {
        "error": float(recall.error[0]),
        "theta": float(failed.mean()),
        "closed_form": mem.memory_theta(float(recall.error[0]), k=cfg.k),
        "competent": competent,
    }


def _guaranteed(theta: float, beta: float, k: int, t: int) -> float:
    """Corollary 2: at least ``1 - alpha_star(t theta, beta, k)`` of ``t``-tuples are competent.

    The bound's solver needs ``0 < theta < 1``; without failures every tuple
    is competent, and when every text piece fails none is.
    """
    from skillgraph.theory.bounds import tuple_alpha_star

    if theta <= 0.0:
        return 1.0
    if theta >= 1.0:
        return 0.0
    return 1.0 - float(tuple_alpha_star(theta, beta, k, t))


def _emergence(cfg: MemoryConfig, root, bar) -> list[dict]:
    rows = []
    T_opt = mem.compute_optimal_T(np.array(cfg.emergence_d, dtype=float), n_labels=cfg.n_labels,
                                  zipf_exponent=cfg.zipf_exponent, kappa=cfg.kappa)  # fmt: skip
    for i, (d, T) in enumerate(zip(cfg.emergence_d, T_opt.tolist(), strict=True)):
        reps = []
        for r in range(cfg.replicates):
            reps.append(_emergence_one(cfg, d, T, child_seed(root, _KEY_EMERGENCE, i, r)))
            bar.update(1)
        base = {"figure": "emergence", "d": int(d), "T": int(T), "k": cfg.k, "beta": cfg.beta}
        for quantity, source, key in (("memory_error", "monte_carlo", "error"),
                                      ("theta", "memory", "theta"),
                                      ("theta", "closed_form", "closed_form")):  # fmt: skip
            rows.append(_row(cfg, **base, source=source, quantity=quantity,
                             **_mean_ci([rep[key] for rep in reps])))  # fmt: skip
        theta = float(np.mean([rep["theta"] for rep in reps]))
        for t in cfg.tuples:
            values = [rep["competent"][t] for rep in reps]
            rows.append(_row(cfg, **base, t=t, source="memory", quantity="competent_fraction",
                             **_mean_ci(values)))  # fmt: skip
            rows.append(_row(cfg, **base, t=t, source="bound", quantity="competent_fraction",
                             value=_guaranteed(theta, cfg.beta, cfg.k, t), ci_low=math.nan,
                             ci_high=math.nan))  # fmt: skip
    return rows


def _mean_ci(values) -> dict:
    """Mean over replicates and its Student-t interval, as row cells."""
    v = np.asarray(values, dtype=float)
    low, high = t_interval(v[:, None], _LEVEL)
    return {"value": float(v.mean()), "ci_low": float(low[0]), "ci_high": float(high[0])}


def run_memory(
    config: MemoryConfig | None = None, *, out_dir=None, progress: bool = False
) -> MemoryReport:
    """Run the ``skillgraph memory`` pipeline; optionally write its files.

    Parameters
    ----------
    config : MemoryConfig, optional
        Defaults: :class:`MemoryConfig` ``()`` (about a minute on two cores).
    out_dir : str or path-like, optional
        When given, it is checked (created, writable) before any work and
        receives :data:`FILES` (see :func:`write_outputs`).
    progress : bool
        Show a progress bar.

    Returns
    -------
    MemoryReport

    Raises
    ------
    ValueError, TypeError
        On an invalid configuration or output directory, before any work.
    """
    cfg = MemoryConfig() if config is None else config
    if not isinstance(cfg, MemoryConfig):
        raise TypeError(f"config must be a MemoryConfig, got {type(cfg).__name__}")
    out = None if out_dir is None else prepare_output_dir(out_dir)
    start = time.perf_counter()
    root = as_seed_sequence(cfg.seed)
    steps = len(mem.SCHEMES) + len(cfg.T) + len(cfg.emergence_d) * cfg.replicates
    with progress_bar(steps, enabled=progress, desc="memory", unit="step", leave=False) as bar:
        rows, curves, fits, theory = _error_vs_d(cfg, root, bar)
        t_rows, (data_fit, exact_fit) = _error_vs_T(cfg, root, bar)
        rows += t_rows + _emergence(cfg, root, bar)
    report = MemoryReport(
        config=cfg, rows=rows, curves=curves, fits=fits, theory=theory,
        data_constant=mem.data_term_constant(cfg.zipf_exponent), data_fit=data_fit,
        data_exact_fit=exact_fit,
        elapsed=time.perf_counter() - start,
    )  # fmt: skip
    if out is not None:
        write_outputs(report, out)
    return report


# ---- headline and summary -------------------------------------------------------------------


def _fmt_slope(fit, theory: float) -> str:
    if fit is None:
        return "no fit (zero error in the window)"
    ci = f"[{fit.ci_low:.2f}, {fit.ci_high:.2f}]" if math.isfinite(fit.stderr) else "[n/a]"
    th = "no power law" if math.isnan(theory) else f"theory {theory:.2f}"
    return f"d^{fit.slope:.2f} {ci} ({th})"


def _crossings(report: MemoryReport, level: float = 0.5) -> dict:
    """Smallest simulated ``d`` at which each tuple size's competent fraction reaches ``level``."""
    out = {}
    for t in report.config.tuples:
        pts = [(r["d"], r["value"]) for r in report.rows if r.get("figure") == "emergence"
               and r.get("quantity") == "competent_fraction" and r.get("source") == "memory"
               and r.get("t") == t]  # fmt: skip
        reached = [d for d, v in sorted(pts) if v >= level]
        out[t] = reached[0] if reached else None
    return out


def _headline(report: MemoryReport) -> str:
    cfg = report.config
    a = cfg.zipf_exponent
    parts = [
        f"Associative memory (N={cfg.n_inputs}, M={cfg.n_labels}, a={a:g}, {cfg.trials} draws; "
        f"slopes fitted over d in [{cfg.fit_window[0]:g}, {cfg.fit_window[1]:g}]): "
        + "; ".join(
            f"{scheme_label(s, kappa=cfg.kappa, rho=cfg.rho)} errs as "
            f"{_fmt_slope(report.fits[s], report.theory[s])}"
            for s in mem.SCHEMES
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


def _summary_md(report: MemoryReport) -> str:
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
    for scheme in mem.SCHEMES:
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


# ---- files ------------------------------------------------------------------------------------


def write_outputs(report: MemoryReport, out_dir) -> list[Path]:
    """Write the figures, ``results.csv``, ``summary.json`` and ``summary.md`` atomically.

    Returns the paths written (:data:`FILES`, in that order).
    """
    from skillgraph.mechanisms import memory_figures as figs
    from skillgraph.tables import atomic_write, write_table

    out = prepare_output_dir(out_dir)
    paths = [
        save_figure(figs.error_vs_d_figure(report.rows), (out / FILES[0]).with_suffix(""))[0],
        save_figure(figs.error_vs_T_figure(report.rows), (out / FILES[1]).with_suffix(""))[0],
        save_figure(figs.emergence_figure(report.rows), (out / FILES[2]).with_suffix(""))[0],
        write_table(out / FILES[3], report.rows, COLUMNS),
    ]
    text = json.dumps(report.summary_json(), indent=2, allow_nan=False) + "\n"
    atomic_write(out / FILES[4], text)
    atomic_write(out / FILES[5], _summary_md(report))
    return paths + [out / FILES[4], out / FILES[5]]


# ---- sweeps ----------------------------------------------------------------------------------


def memory_measurement(
    *,
    d,
    T=None,
    n_inputs: int = 1000,
    n_labels: int = 5,
    zipf_exponent: float = 2.0,
    scheme: str = "threshold",
    kappa: float = 8,
    rho: float = 1.0,
    trials: int = 20,
    seed=None,
) -> list[dict]:
    """One sweep work item: the memory error at sizes ``d`` and the analytic terms, as tidy rows.

    Parameters
    ----------
    d, T, n_inputs, n_labels, zipf_exponent, scheme, kappa, rho, trials, seed
        As in :func:`skillgraph.mechanisms.memory.memory_error` (``seed`` is
        the work item's ``SeedSequence``).

    Returns
    -------
    list of dict
        Per ``d``: ``quantity = "memory_error"`` (Monte Carlo mean and 95%
        interval), and for thresholding ``"analytic_error"`` (and, with
        population frequencies, ``"capacity_term"``); with ``T``, one
        ``"data_term"`` row.  Every row carries the parameters.
    """
    curve = mem.memory_error(d, T, n_inputs=n_inputs, n_labels=n_labels,
                             zipf_exponent=zipf_exponent, scheme=scheme, kappa=kappa, rho=rho,
                             trials=trials, seed=seed)  # fmt: skip
    params = {"n_inputs": n_inputs, "n_labels": n_labels, "zipf_exponent": zipf_exponent,
              "scheme": scheme, "kappa": kappa, "rho": rho, "trials": trials, "T": T}  # fmt: skip
    nan = {"ci_low": math.nan, "ci_high": math.nan}
    rows = []
    analytic = curve.analytic() if scheme == "threshold" else None
    for i, dv in enumerate(curve.d):
        cell = _cell(dv)
        ci = {"ci_low": float(curve.ci_low[i]), "ci_high": float(curve.ci_high[i])}
        rows.append({**params, "d": cell, "quantity": "memory_error",
                     "value": float(curve.error[i]), **ci})  # fmt: skip
        if analytic is not None:
            name = "capacity_term" if T is None else "analytic_error"
            rows.append({**params, "d": cell, "quantity": name, "value": float(analytic[i]), **nan})
    if T is not None:
        value = mem.data_term(T, n_inputs=n_inputs, zipf_exponent=zipf_exponent)
        rows.append({**params, "d": None, "quantity": "data_term", "value": value, **nan})
    return rows
