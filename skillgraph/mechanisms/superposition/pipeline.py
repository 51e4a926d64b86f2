"""The ``skillgraph superpose`` pipeline: :func:`run` a configuration, :func:`write_outputs`."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import numpy as np

from skillgraph._progress import progress_bar
from skillgraph._resources import check_memory
from skillgraph._rng import as_seed_sequence, child_seed
from skillgraph._run_arguments import run_arguments
from skillgraph.emergence import scale_grid
from skillgraph.mechanisms.superposition.config import SuperposeConfig
from skillgraph.mechanisms.superposition.estimate import MeanEstimate
from skillgraph.mechanisms.superposition.model import superpose
from skillgraph.mechanisms.superposition.readout import OPTION_DEFAULTS
from skillgraph.mechanisms.superposition.result import SCALE_KEYS, SuperposeResult
from skillgraph.mechanisms.superposition.summary import (
    finding_text,
    headline_text,
    summary_markdown,
)
from skillgraph.mechanisms.superposition.tasks import sample_task_set, task_competences
from skillgraph.plotting.style import save_figure
from skillgraph.tables import atomic_write, prepare_output_dir, write_table

__all__ = ["FILES", "COLUMNS", "run", "write_outputs"]

#: the files :func:`write_outputs` writes, in order
FILES = ("superposition_scale.png", "sorted_probs.png", "results.csv", "summary.json", "summary.md")


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


def _check_memory(config: SuperposeConfig) -> None:
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
    options = {name: getattr(config, name) for name in OPTION_DEFAULTS}
    root = as_seed_sequence(config.seed)
    bar = progress_bar(R * S, enabled=progress, desc="superpose")
    try:
        for r in range(R):
            tasks = sample_task_set(
                K,
                config.t,
                n_skills=config.n_skills,
                n_texts=config.n_texts,
                k=config.k,
                seed=child_seed(root, r, 0),
            )
            for s, theta in enumerate(thetas):
                comp = task_competences(
                    tasks, float(theta), failure=config.failure, seed=child_seed(root, r, 1)
                )
                out["competence"][r, s] = comp.competences
                for ro in config.readouts:
                    res = superpose(
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
        at = {**base, **{key: float(scales[key][s]) for key in SCALE_KEYS}}

        def add(quantity, readout, samples, rank=math.nan, at=at):
            est = MeanEstimate.from_samples(samples)
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


def run(config: SuperposeConfig | None = None, *, progress: bool = False) -> SuperposeResult:
    """Run the superposition toy against model scale (no files: see :func:`write_outputs`).

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
        If ``config`` is not a :class:`~skillgraph.mechanisms.superposition.config.SuperposeConfig`.
    MemoryError
        If the run would not fit in memory (checked before any work).

    Notes
    -----
    Cost: ``replicates`` graphs of ``k n_texts`` edges, ``n_scales`` failure
    sets on each (O(k n_texts) each), and O(n_prompts K) per readout and
    scale.  The defaults take a few seconds.
    """
    config = run_arguments(config, SuperposeConfig, progress)
    _check_memory(config)
    scales = scale_grid(config.scale_config(), config.n_scales)
    sims = _simulate(config, scales["theta"], progress)
    result = SuperposeResult(
        config=config,
        scales=scales,
        rows=_rows(config, scales, sims),
        curve_indices=_curve_indices(config.n_scales, config.n_curves),
    )
    # the words are read off the numbers: a second, complete result
    findings = [finding_text(result, ro) for ro in config.readouts]
    result = dataclasses.replace(result, findings=findings)
    return dataclasses.replace(result, headline=headline_text(result))


def write_outputs(result: SuperposeResult, out_dir) -> list[Path]:
    """Write the figures, the tidy table and the summaries of a run into ``out_dir``.

    Files: ``superposition_scale.png`` (``kl`` and ``tasks_in_parallel``
    against scale), ``sorted_probs.png`` (``sorted_mean_prob`` at three
    scales), ``results.csv`` (:data:`COLUMNS`), ``summary.json`` (as printed
    by ``--json``) and ``summary.md``.  Every file is written atomically.

    Returns
    -------
    list of Path
    """
    if not isinstance(result, SuperposeResult):
        raise TypeError(f"result must be a SuperposeResult, got {type(result).__name__}")
    out = prepare_output_dir(out_dir)
    written = [save_figure(fig, out / stem)[0] for stem, fig in result.figures().items()]
    written.append(write_table(out / "results.csv", result.rows, COLUMNS))
    summary = json.dumps(result.summary_json(), indent=2, allow_nan=False)
    atomic_write(out / "summary.json", summary + "\n")
    written.append(out / "summary.json")
    names = [p.name for p in written] + ["summary.md"]
    atomic_write(out / "summary.md", summary_markdown(result, names))
    written.append(out / "summary.md")
    return written
