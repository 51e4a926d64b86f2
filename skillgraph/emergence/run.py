"""The emergence pipeline: scale -> theta -> bound and simulation -> tidy table and headline.

This is what ``skillgraph emerge`` runs.  Along a range of model scales
(compute-optimal models over a range of training compute, or a range of
parameter counts at a fixed number of tokens per parameter) a scaling law
gives the excess loss and a loss-to-theta map the failure rate ``theta``
(:doc:`/theory/loss_to_theta`).  At each scale, for each tuple size ``t`` and
threshold ``beta`` it computes

* the **guaranteed** fraction of ``t``-tuples of skills that are
  ``(1 - beta)``-competent, ``1 - alpha_star(t theta, beta, k)``
  (Corollary 2, :doc:`/theory/tuples`), and
* the **simulated** fraction on sampled skill graphs under failure models
  (:doc:`/theory/failure_models`), tuple competence in the ``tensor`` sense,
  averaged over replicate graphs with a confidence interval.

Everything goes into one tidy table (:data:`skillgraph.emergence.table.COLUMNS`);
the headline, computed from it by :mod:`skillgraph.emergence.report`, is how
much more scale a model needs before ``2t``-tuples reach the competence that
``t``-tuples had.

Examples
--------
>>> import skillgraph as sg
>>> result = sg.emerge(n_skills=200, n_texts=5000, replicates=2)  # doctest: +SKIP
>>> print(result.headline)  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from skillgraph._progress import progress_bar
from skillgraph._resources import check_memory, check_time
from skillgraph._rng import as_seed_sequence, child_seed
from skillgraph.core.counts import SkillCounts
from skillgraph.core.engine import get_engine
from skillgraph.core.failures import nested_failure_sets
from skillgraph.core.intervals import CI_LEVEL, replicate_interval
from skillgraph.emergence import report
from skillgraph.emergence.config import EmergeConfig
from skillgraph.emergence.guarantees import (
    performance_rows,
    sharp_rows,
    sharp_tuple_rows,
    slingshot_rows,
    tuple_bound_rows,
)
from skillgraph.emergence.result import EmergeResult
from skillgraph.emergence.scales import scale_grid
from skillgraph.emergence.table import new_row
from skillgraph.tables import prepare_output_dir

__all__ = ["EmergeResult", "INTERVAL_RULE", "run_emerge", "emerge", "nested_failure_sets"]

#: How the interval of a simulated mean is formed (a rule of
#: :data:`skillgraph.core.intervals.INTERVAL_RULES`): the union of a Student-t
#: interval over the replicate graphs and the Wilson interval of the pooled count.
INTERVAL_RULE = "replicate_t"


def _failure_set_counts(config: EmergeConfig, root, r: int, thetas) -> Iterator[tuple]:
    """``(model index, scale index, SkillCounts)`` of every failure set of replicate ``r``.

    Graph ``r`` is drawn from the child seed ``(r, 0)`` and reused at every
    scale and for every failure model; model ``m``'s failure sets (on engines
    that draw them apart from the graph) from ``(r, 1 + m)``.  See
    :meth:`skillgraph.core.engine.Engine.failure_sets`.
    """
    seeds = [child_seed(root, r, 1 + mi) for mi in range(len(config.failure_models))]
    shape = (config.n_skills, config.n_texts, config.k)
    engine = get_engine(config.engine)
    yield from engine.failure_sets(
        shape, config.failure_models, thetas, child_seed(root, r, 0), seeds
    )


@dataclass
class _Replicates:
    """Simulated competent fractions, indexed ``[model, scale, t, beta, replicate]``."""

    value: np.ndarray
    n_effective: np.ndarray
    undefined_mass: np.ndarray
    rows: list


def _simulate(config: EmergeConfig, scales: dict, progress: bool) -> _Replicates:
    """Measure the tensor tuple fractions of every failure set of every replicate graph."""
    models, n_scales = config.failure_models, len(scales["theta"])
    shape = (len(models), n_scales, len(config.tuples), len(config.betas), config.replicates)
    out = _Replicates(np.full(shape, np.nan), np.zeros(shape), np.zeros(shape), [])
    root = as_seed_sequence(config.seed)
    total = config.replicates * n_scales * len(models)
    with progress_bar(
        total, enabled=progress, desc="simulating", unit="failure set", leave=False
    ) as bar:
        for r in range(config.replicates):
            for mi, si, counts in _failure_set_counts(config, root, r, scales["theta"]):
                _measure(config, scales, root, (mi, si, r), counts, out)
                bar.update(1)
    return out


def _measure(config, scales, root, where: tuple, counts: SkillCounts, out: _Replicates) -> None:
    """Record the tuple fractions of one failure set (``where = (model, scale, replicate)``)."""
    mi, si, r = where
    for (ti, t), (bi, beta) in itertools.product(enumerate(config.tuples), enumerate(config.betas)):
        # the same sampled tuples at every scale (t >= 3 is sampled; t <= 2 exact):
        # common random numbers again
        est = counts.tuple_bad_fraction(
            t, beta, n_tuples=None if t <= 2 else config.n_tuples,
            seed=child_seed(root, r, 1 + mi, 1 + ti, bi),
        )  # fmt: skip
        # an exact tuple fraction is a sum of pair masses that can exceed 1 by round-off
        # (1 + 1e-15): clipped, so that no competent fraction is ever printed as -0.00
        competent = 1.0 - min(float(est.value), 1.0)
        index = (mi, si, ti, bi, r)
        out.value[index] = competent
        out.n_effective[index] = float(est.n_effective)
        out.undefined_mass[index] = float(est.undefined_mass)
        out.rows.append(
            new_row(
                config, scales, si, quantity="tuple_fraction", source=config.failure_models[mi],
                form="tensor", t=t, beta=beta, competence_level=1 - beta, value=competent,
                undefined_mass=float(est.undefined_mass), replicate=r,
                failed_fraction=counts.failure_rate,
            )
        )  # fmt: skip


def _mean_rows(config: EmergeConfig, scales: dict, sims: _Replicates) -> list[dict]:
    """One ``tuple_fraction`` row per model, scale, ``t`` and ``beta``: the replicates' mean."""
    rows = []
    for (mi, model), si, (ti, t), (bi, beta) in itertools.product(
        enumerate(config.failure_models),
        range(len(scales["theta"])),
        enumerate(config.tuples),
        enumerate(config.betas),
    ):
        values = sims.value[mi, si, ti, bi]
        low, high = replicate_interval(
            values, sims.n_effective[mi, si, ti, bi], rule=INTERVAL_RULE, confidence_level=CI_LEVEL
        )
        rows.append(
            new_row(
                config, scales, si, quantity="tuple_fraction", source=model, form="tensor",
                t=t, beta=beta, competence_level=1 - beta, value=float(values.mean()),
                ci_low=low, ci_high=high,
                std=float(values.std(ddof=1)) if values.size > 1 else 0.0,
                n_replicates=int(values.size),
                undefined_mass=float(sims.undefined_mass[mi, si, ti, bi].mean()),
            )
        )  # fmt: skip
    return rows


def _check_resources(config: EmergeConfig) -> None:
    """Refuse, before any work, a simulation too large for this machine."""
    if not config.simulated:
        return
    slots = config.k * config.n_texts
    sets_per_graph = len(config.simulated) * config.sim_points
    failure_sets = config.replicates * sets_per_graph
    shape = (config.n_skills, config.n_texts, config.k)
    nbytes, seconds = get_engine(config.engine).cost(shape, sets_per_graph)
    check_memory(nbytes, f"the {config.engine} engine on a graph of {slots:,} edge slots")
    sampled = [t for t in config.tuples if t > 2]
    if sampled:
        check_memory(
            32 * config.n_tuples * max(sampled), f"{config.n_tuples:,} sampled tuples",
            "Use fewer tuples (n_tuples) or smaller tuple sizes.",
        )  # fmt: skip
    check_time(
        config.replicates * seconds,
        f"simulating {failure_sets:,} failure sets of {slots:,} edge slots",
        "Use fewer text pieces (n_texts), replicates or simulated scales (sim_points).",
    )  # fmt: skip


def run_emerge(config: EmergeConfig | None = None, *, progress: bool = False) -> EmergeResult:
    """Run the emergence pipeline; no files are written.

    :func:`skillgraph.emergence.report.write_outputs` writes them.

    Parameters
    ----------
    config : EmergeConfig, optional
        Defaults to ``EmergeConfig()``, the defaults of ``skillgraph emerge``.
    progress : bool
        Show a progress bar over the simulated failure sets.

    Returns
    -------
    EmergeResult

    Raises
    ------
    TypeError
        ``config`` is not an :class:`~skillgraph.emergence.config.EmergeConfig`.
    skillgraph._resources.ResourceLimitError
        (a ``MemoryError`` for memory) The simulation would not fit in memory
        or not finish in time; refused before any work, with the estimate.

    Warns
    -----
    UserWarning
        When the bound grid has fewer than two points per decade of scale:
        the headline's factors then depend on the grid (``EmergeResult.notes``).

    Notes
    -----
    Scale to theta: :doc:`/theory/loss_to_theta`; the bounds:
    :doc:`/theory/theorem1`, :doc:`/theory/tuples`; failure models:
    :doc:`/theory/failure_models`.  Cost: the bound part is negligible; the
    simulation samples ``replicates`` graphs of ``k n_texts`` edges and
    measures ``len(failure_models) * sim_points`` failure sets on each, each
    in O(k n_texts + n_skills log n_skills) per ``(t, beta)``.
    """
    if config is None:
        config = EmergeConfig()
    if not isinstance(config, EmergeConfig):
        raise TypeError(f"config must be an EmergeConfig, got {type(config).__name__}")
    if not isinstance(progress, bool):
        raise TypeError(f"progress must be a bool, got {type(progress).__name__}")
    _check_resources(config)
    scales = scale_grid(config, config.bound_points)
    rows = tuple_bound_rows(config, scales)
    replicate_rows = []
    if config.simulated:
        sim_scales = scale_grid(config, config.sim_points)
        sims = _simulate(config, sim_scales, progress)
        rows += _mean_rows(config, sim_scales, sims)
        replicate_rows = sims.rows
    rows += performance_rows(config, scales)
    rows += slingshot_rows(config, scales)
    rows += sharp_rows(config, scales)  # last: the rows before keep their places
    rows += sharp_tuple_rows(config, scales)
    result = EmergeResult(config=config, rows=rows, replicate_rows=replicate_rows, scales=scales)
    doubling = report.doubling_factors(result)
    notes = report.grid_notes(config)
    result = dataclasses.replace(result, doubling=doubling, notes=notes)
    return dataclasses.replace(
        result, headline=report.headline(result), summary=report.summary_table(result, max_rows=11)
    )


def emerge(out_dir: str | os.PathLike | None = None, *, progress: bool = False, **params):
    """Run the emergence pipeline with ``EmergeConfig(**params)``; write its files into ``out_dir``.

    The top-level ``skillgraph.emerge``: what ``skillgraph emerge`` does.

    Parameters
    ----------
    out_dir : path-like, optional
        Where :func:`~skillgraph.emergence.report.write_outputs` writes the
        figures, tables and ``summary.md``; checked (a directory, creatable,
        writable) before any work.  ``None``: nothing is written.
    progress : bool
        Show a progress bar.
    **params
        Fields of :class:`~skillgraph.emergence.config.EmergeConfig`.

    Returns
    -------
    EmergeResult

    Raises
    ------
    TypeError, ValueError
        Bad parameters; before any work.
    OSError
        ``out_dir`` is a file, or cannot be created or written to; before any work.

    Examples
    --------
    >>> import skillgraph as sg
    >>> result = sg.emerge(sim_points=0, tuples=(1, 2, 4))
    >>> result.headline.startswith("Headline (chinchilla law")
    True
    """
    config = EmergeConfig(**params)
    if out_dir is not None:
        prepare_output_dir(out_dir)
    result = run_emerge(config, progress=progress)
    if out_dir is not None:
        report.write_outputs(result, out_dir)
    return result
