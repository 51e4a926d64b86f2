"""One measurement of the toy on a graph and failure set, as tidy rows."""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence

import numpy as np

from skillgraph._rng import as_seed_sequence, child_seed
from skillgraph._validation import check_choice, check_int, check_real, check_sequence
from skillgraph.core.graph import MAX_SKILLS
from skillgraph.core.sampling import sample_graph
from skillgraph.mechanisms.superposition.metrics import check_eps
from skillgraph.mechanisms.superposition.model import superpose
from skillgraph.mechanisms.superposition.prompts import (
    MAX_PROMPTS,
    check_lambda,
    check_n_examples,
    parse_lambda,
)
from skillgraph.mechanisms.superposition.readout import (
    OPTION_DEFAULTS,
    READOUTS,
    check_distractors,
    check_readout_settings,
)
from skillgraph.mechanisms.superposition.tasks import (
    check_task_shape,
    failure_function,
    sample_task_set,
    tensor_competences,
)

__all__ = [
    "ROW_COLUMNS",
    "superposition_rows",
    "PROMPT_DEFAULTS",
    "GRAPH_DEFAULTS",
    "check_measure_params",
    "measure_on_graph",
    "measure",
]


#: Columns of the rows of :func:`superposition_rows` (before the item's parameters).
ROW_COLUMNS = (
    "quantity",
    "readout",
    "rank",
    "value",
    "ci_low",
    "ci_high",
    "n_prompts",
    "clipped_fraction",
)


def superposition_rows(
    competences, lam, n_examples: int, *, readouts: Sequence[str] = READOUTS, seed=None, **options
) -> list[dict]:
    """Tidy rows of ``kl``, ``tasks_in_parallel`` and ``sorted_mean_prob`` for each readout.

    Parameters
    ----------
    competences, lam, n_examples
        As in :func:`~skillgraph.mechanisms.superposition.model.superpose`.
    readouts : sequence of str
        Readouts scored, on the same prompts.
    seed : int, SeedSequence, Generator or None
    **options
        Passed to :func:`~skillgraph.mechanisms.superposition.model.superpose` (``n_prompts``,
        ``smoothing``, ``tau``, ``noise``, ``n_distractors``, ``zipf_exponent``, ``eps``).

    Returns
    -------
    list of dict
        Keys :data:`ROW_COLUMNS`; ``rank`` (1 = largest) only for
        ``sorted_mean_prob``, NaN otherwise.
    """
    readouts = check_readouts(readouts)
    root = as_seed_sequence(seed)
    rows = []
    for readout in readouts:
        res = superpose(competences, lam, n_examples, readout=readout, seed=root, **options)
        base = {"readout": readout, "n_prompts": res.n_prompts}
        base["clipped_fraction"] = res.clipped_fraction
        means = (("kl", res.mean_kl()), ("tasks_in_parallel", res.mean_tasks_in_parallel()))
        for quantity, est in means:
            rows.append({**base, "quantity": quantity, "rank": math.nan, **est.as_dict()})
        for rank, est in enumerate(res.sorted_mean(), start=1):
            rows.append({**base, "quantity": "sorted_mean_prob", "rank": rank, **est.as_dict()})
    return rows


def check_readouts(readouts) -> tuple[str, ...]:
    """Names of :data:`~skillgraph.mechanisms.superposition.readout.READOUTS`, none repeated.

    One name stands for itself.
    """
    return check_sequence(
        "readouts", readouts, lambda name, r: check_choice(name, r, READOUTS), scalar=str
    )


#: Defaults of the prompt parameters of :func:`measure` and :func:`measure_on_graph`
#: (besides :data:`~skillgraph.mechanisms.superposition.readout.OPTION_DEFAULTS`).
PROMPT_DEFAULTS = {
    "t": 2,
    "lam": "uniform:3",
    "n_examples": 60,
    "n_prompts": 1000,
    "readouts": READOUTS,
}


#: Defaults of the graph parameters of :func:`measure`.
GRAPH_DEFAULTS = {"n_skills": 1000, "n_texts": 100_000, "k": 8, "failure": "random"}


def check_measure_params(params: Mapping, *, graph: bool = True) -> dict:
    """Validate the parameters of :func:`measure` and fill in the defaults, before any work.

    Parameters
    ----------
    params : mapping
        As in :func:`measure` (``graph=True``) or :func:`measure_on_graph`
        (``graph=False``: no graph keys, no ``theta``).
    graph : bool
        Whether the graph parameters and ``theta`` belong to ``params``.

    Returns
    -------
    dict
        Every parameter (defaults filled in), ``lam`` as a validated float array.

    Raises
    ------
    TypeError, ValueError
        On a missing ``theta``, an unknown key or a bad value, naming it.
    """
    if not isinstance(params, Mapping):
        raise TypeError(f"params must be a mapping, got {type(params).__name__}")
    defaults = {**PROMPT_DEFAULTS, **OPTION_DEFAULTS}
    if graph:
        defaults.update(GRAPH_DEFAULTS)
    known = set(defaults) | ({"theta"} if graph else set())
    unknown = sorted(set(params) - known)
    if unknown:
        raise ValueError(f"unknown superposition parameters {unknown}; known: {sorted(known)}")
    if graph and "theta" not in params:
        raise ValueError("params must give theta, the failure rate")
    p = {**defaults, **params}
    lam = parse_lambda(p["lam"]) if isinstance(p["lam"], str) else check_lambda(p["lam"])
    if graph:
        check_real("theta", p["theta"], 0.0, 1.0)
        check_int("n_texts", p["n_texts"], 1)
        check_int("k", p["k"], 1)
        n_skills = check_int("n_skills", p["n_skills"], 1, MAX_SKILLS)
        check_task_shape(lam.size, p["t"], n_skills)
        failure_function(p["failure"])
    check_n_examples(p["n_examples"], lam.size)
    check_int("n_prompts", p["n_prompts"], 2, MAX_PROMPTS)
    for readout in check_readouts(p["readouts"]):
        check_readout_settings(readout, p["smoothing"], p["tau"], p["noise"], lam.size)
    check_distractors(p["n_distractors"], p["zipf_exponent"])
    check_eps(p["eps"])
    return {**p, "lam": lam}


def measure_on_graph(graph, failed, params: Mapping, seed=None) -> list[dict]:
    """The measurement on a given graph and failure set (what a sweep work item holds).

    Parameters
    ----------
    graph : SkillGraph
    failed : ndarray of bool, shape (n_texts,)
        The failure set.
    params : mapping
        ``t``, ``lam``, ``n_examples``, ``n_prompts``, ``readouts`` and the options of
        :func:`~skillgraph.mechanisms.superposition.model.superpose` (defaults
        :data:`PROMPT_DEFAULTS` and
        :data:`~skillgraph.mechanisms.superposition.readout.OPTION_DEFAULTS`).
    seed : int, SeedSequence, Generator or None
        Tasks from child ``(0,)``, prompts from child ``(1,)``.

    Returns
    -------
    list of dict
        :func:`superposition_rows` plus one row per task of quantity
        ``task_competence`` (``rank`` = task index + 1), each with ``t``,
        ``lam``, ``n_examples`` and ``failed_fraction``.

    Raises
    ------
    TypeError, ValueError
        On a bad parameter, before any work.
    """
    p = check_measure_params(params, graph=False)
    lam = p["lam"]
    root = as_seed_sequence(seed)
    tasks = sample_task_set(lam.size, p["t"], graph=graph, seed=child_seed(root, 0))
    competences = tensor_competences(tasks, failed)
    options = {key: p[key] for key in OPTION_DEFAULTS}
    rows = superposition_rows(
        competences,
        lam,
        p["n_examples"],
        readouts=p["readouts"],
        seed=child_seed(root, 1),
        n_prompts=p["n_prompts"],
        **options,
    )
    for j, c in enumerate(competences):
        nan = math.nan
        row = {"quantity": "task_competence", "readout": "", "rank": j + 1, "value": float(c)}
        rows.append({**row, "ci_low": nan, "ci_high": nan, "n_prompts": nan})
    item = {key: _cell(p[key]) for key in ("t", "lam", "n_examples")}
    failed_fraction = float(np.mean(failed))
    return [{**item, "failed_fraction": failed_fraction, **row} for row in rows]


def measure(params: Mapping, seed=None) -> list[dict]:
    """The sweep measurement from scratch: one work item's parameters -> tidy rows.

    Parameters
    ----------
    params : mapping
        ``theta`` (required); the graph (``n_skills``, ``n_texts``, ``k``,
        ``failure``: a name; defaults :data:`GRAPH_DEFAULTS`); and the
        parameters of :func:`measure_on_graph`.  ``lam`` is ``"uniform:K"`` or
        ``"a,b,c"``: a string, so that a sweep grid does not take it for an axis.
    seed : int or SeedSequence
        The item's seed: graph from child ``(0,)``, failure set ``(1,)``,
        tasks and prompts ``(2,)``.

    Returns
    -------
    list of dict
        The rows of :func:`measure_on_graph` with ``theta`` and the graph
        parameters in every row.

    Raises
    ------
    TypeError, ValueError
        On a missing ``theta``, an unknown key or a bad value, before any work.
    MemoryError
        If the graph would not fit in memory.

    Examples
    --------
    >>> rows = measure({"theta": 0.1, "n_skills": 100, "n_texts": 2000}, seed=0)
    >>> sorted({row["quantity"] for row in rows})
    ['kl', 'sorted_mean_prob', 'task_competence', 'tasks_in_parallel']
    """
    p = check_measure_params(params)
    root = as_seed_sequence(seed)
    graph = sample_graph(p["n_skills"], p["n_texts"], p["k"], seed=child_seed(root, 0))
    _, draw = failure_function(p["failure"])
    failed = draw(graph, p["theta"], child_seed(root, 1))
    prompt_params = {key: p[key] for key in (*PROMPT_DEFAULTS, *OPTION_DEFAULTS)}
    rows = measure_on_graph(graph, failed, prompt_params, seed=child_seed(root, 2))
    item = {key: _cell(p[key]) for key in ("theta", *GRAPH_DEFAULTS)}
    return [{**item, **row} for row in rows]


def _cell(value):
    """A parameter as a table cell (arrays and sequences joined by commas)."""
    if isinstance(value, (str, numbers.Number)):
        return value
    return ",".join(f"{v:g}" if isinstance(v, float) else str(v) for v in np.ravel(value).tolist())
