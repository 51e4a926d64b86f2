"""The ``skillgraph memory`` pipeline: :func:`run` a configuration, :func:`write_outputs`."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import numpy as np

from skillgraph._progress import progress_bar
from skillgraph._rng import as_seed_sequence, child_seed
from skillgraph._run_arguments import run_arguments
from skillgraph.core.competence import (
    tuple_bad_fraction,
)
from skillgraph.core.intervals import CI_LEVEL, t_interval
from skillgraph.core.sampling import sample_graph
from skillgraph.mechanisms.memory.config import MemoryConfig
from skillgraph.mechanisms.memory.failures import memory_failures, memory_theta
from skillgraph.mechanisms.memory.fit import fit_slope
from skillgraph.mechanisms.memory.inputs import SCHEMES
from skillgraph.mechanisms.memory.laws import (
    capacity_term,
    compute_optimal_T,
    data_term,
    data_term_asymptotic,
    data_term_constant,
    theory_slope,
)
from skillgraph.mechanisms.memory.model import memory_error, memory_recall
from skillgraph.mechanisms.memory.result import FILES, MemoryResult, summary_markdown
from skillgraph.plotting.style import save_figure
from skillgraph.tables import atomic_write, prepare_output_dir, write_table
from skillgraph.theory.bounds import tuple_alpha_star

__all__ = ["COLUMNS", "run", "write_outputs"]


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


# spawn keys of the run's seed: one child per part of the run
_KEY_D, _KEY_T, _KEY_EMERGENCE = 0, 1, 2


def _row(cfg: MemoryConfig, **values) -> dict:
    base = {**cfg.memory_kwargs(), "trials": cfg.trials, "seed": cfg.seed}
    return {**base, **values}


def _curve_rows(cfg: MemoryConfig, curve, figure: str) -> list[dict]:
    return [
        _row(cfg, figure=figure, source="monte_carlo", scheme=curve.scheme, d=size_cell(d),
             T=curve.T, quantity="error", value=float(e), ci_low=float(lo), ci_high=float(hi))
        for d, e, lo, hi in zip(curve.d, curve.error, curve.ci_low, curve.ci_high, strict=True)
    ]  # fmt: skip


def size_cell(d: float):
    """A memory size as a table cell: an int, or ``inf``."""
    return float(d) if math.isinf(d) else int(d)


def _error_vs_d(cfg: MemoryConfig, root, bar) -> tuple[list, dict, dict, dict]:
    rows, curves, fits, theory = [], {}, {}, {}
    seed = child_seed(root, _KEY_D)  # the same embeddings for every scheme
    for scheme in SCHEMES:
        curve = memory_error(cfg.d, None, scheme=scheme, trials=cfg.trials, seed=seed,
                                 **cfg.memory_kwargs())  # fmt: skip
        curves[scheme] = curve
        rows += _curve_rows(cfg, curve, "error_vs_d")
        theory[scheme] = _theory_slope(scheme, cfg)
        fits[scheme] = _try_fit(curve, cfg.fit_window)
        rows += _fit_rows(cfg, scheme, fits[scheme], theory[scheme])
        bar.update(1)
    capacity = capacity_term(np.array(cfg.d, dtype=float), n_inputs=cfg.n_inputs,
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
        return theory_slope(scheme, cfg.zipf_exponent, cfg.rho)
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
        curve = memory_error(d_arr, T, scheme="threshold", trials=cfg.trials, seed=seed,
                                 **cfg.memory_kwargs())  # fmt: skip
        rows += _curve_rows(cfg, curve, "error_vs_T")
        per_T.append(curve)
        analytic = curve.analytic()
        rows += [
            _row(cfg, figure="error_vs_T", source="analytic", scheme="threshold", d=size_cell(d),
                 T=T, quantity="analytic_error", value=float(v), ci_low=math.nan,
                 ci_high=math.nan)
            for d, v in zip(cfg.T_d, analytic, strict=True)
        ]  # fmt: skip
        bar.update(1)
    T_arr = np.array(cfg.T, dtype=float)
    exact = data_term(T_arr, n_inputs=cfg.n_inputs, zipf_exponent=cfg.zipf_exponent)
    asym = data_term_asymptotic(T_arr, cfg.zipf_exponent)
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
    exact = data_term(T_arr, n_inputs=cfg.n_inputs, zipf_exponent=cfg.zipf_exponent)
    try:
        return (fit_slope(T_arr, errors, window=cfg.data_fit_window),
                fit_slope(T_arr, exact, window=cfg.data_fit_window))  # fmt: skip
    except ValueError:  # a zero mean error in the window
        return None, None


def _emergence_one(cfg: MemoryConfig, d: int, T: int, seed) -> dict:
    """One memory and one skill graph at size ``d``: theta and the competent fractions."""
    recall = memory_recall([d], T, scheme="threshold", seed=child_seed(seed, 0),
                               **cfg.memory_kwargs())  # fmt: skip
    graph = sample_graph(cfg.n_inputs, cfg.n_texts, cfg.k, skill_measure="zipf",
                         zipf_exponent=cfg.zipf_exponent, seed=child_seed(seed, 1))  # fmt: skip
    failed = memory_failures(graph, recall.unrecalled[0])
    competent = {}
    for t in cfg.tuples:
        est = tuple_bad_fraction(graph, failed, t, cfg.beta, seed=child_seed(seed, 2, t))
        competent[t] = 1.0 - est.value
    return {
        "error": float(recall.error[0]),
        "theta": float(failed.mean()),
        "closed_form": memory_theta(float(recall.error[0]), k=cfg.k),
        "competent": competent,
    }


def _guaranteed(theta: float, beta: float, k: int, t: int) -> float:
    """Corollary 2: at least ``1 - alpha_star(t theta, beta, k)`` of ``t``-tuples are competent.

    The bound's solver needs ``0 < theta < 1``; without failures every tuple
    is competent, and when every text piece fails none is.
    """
    if theta <= 0.0:
        return 1.0
    if theta >= 1.0:
        return 0.0
    return 1.0 - float(tuple_alpha_star(theta, beta, k, t))


def _emergence(cfg: MemoryConfig, root, bar) -> list[dict]:
    rows = []
    T_opt = compute_optimal_T(np.array(cfg.emergence_d, dtype=float), n_labels=cfg.n_labels,
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
    low, high = t_interval(v[:, None], CI_LEVEL)
    return {"value": float(v.mean()), "ci_low": float(low[0]), "ci_high": float(high[0])}


def run(config: MemoryConfig | None = None, *, progress: bool = False) -> MemoryResult:
    """Run the ``skillgraph memory`` pipeline (no files: see :func:`write_outputs`).

    Parameters
    ----------
    config : MemoryConfig, optional
        Defaults: :class:`~skillgraph.mechanisms.memory.config.MemoryConfig` ``()`` (about a minute
        on two cores).
    progress : bool
        Show a progress bar.

    Returns
    -------
    MemoryResult

    Raises
    ------
    TypeError
        If ``config`` is not a :class:`~skillgraph.mechanisms.memory.config.MemoryConfig` (which
        validated its fields when it was built).
    """
    cfg = run_arguments(config, MemoryConfig, progress)
    start = time.perf_counter()
    root = as_seed_sequence(cfg.seed)
    steps = len(SCHEMES) + len(cfg.T) + len(cfg.emergence_d) * cfg.replicates
    with progress_bar(steps, enabled=progress, desc="memory", unit="step", leave=False) as bar:
        rows, curves, fits, theory = _error_vs_d(cfg, root, bar)
        t_rows, (data_fit, exact_fit) = _error_vs_T(cfg, root, bar)
        rows += t_rows + _emergence(cfg, root, bar)
    return MemoryResult(
        config=cfg, rows=rows, curves=curves, fits=fits, theory=theory,
        data_constant=data_term_constant(cfg.zipf_exponent), data_fit=data_fit,
        data_exact_fit=exact_fit,
        elapsed=time.perf_counter() - start,
    )  # fmt: skip


def write_outputs(result: MemoryResult, out_dir) -> list[Path]:
    """Write the figures, ``results.csv``, ``summary.json`` and ``summary.md`` atomically.

    Parameters
    ----------
    result : MemoryResult
    out_dir : str or path-like
        Created if needed; it must be writable.

    Returns
    -------
    list of Path
        The paths written (:data:`~skillgraph.mechanisms.memory.result.FILES`, in that order).
    """
    if not isinstance(result, MemoryResult):
        raise TypeError(f"result must be a MemoryResult, got {type(result).__name__}")
    out = prepare_output_dir(out_dir)
    paths = [save_figure(fig, out / stem)[0] for stem, fig in result.figures().items()]
    paths.append(write_table(out / FILES[3], result.rows, COLUMNS))
    text = json.dumps(result.summary_json(), indent=2, allow_nan=False) + "\n"
    atomic_write(out / FILES[4], text)
    atomic_write(out / FILES[5], summary_markdown(result))
    return paths + [out / FILES[4], out / FILES[5]]
