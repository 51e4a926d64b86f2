"""Tasks on a skill graph: each a ``t``-tuple of skills, its competence at failure rate ``theta``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from skillgraph._rng import as_seed_sequence, child_seed
from skillgraph._validation import check_choice, check_int, check_real
from skillgraph.core.competence import competence
from skillgraph.core.failures import FAILURE_MODELS
from skillgraph.core.graph import (
    MAX_SKILLS,
    SkillGraph,  # the one Zipf measure of the package
)
from skillgraph.core.sampling import sample_graph
from skillgraph.mechanisms.superposition.model import frozen_array
from skillgraph.mechanisms.superposition.prompts import MAX_TASKS

__all__ = ["TaskSet", "TaskCompetences", "available_tuples", "sample_task_set", "task_competences"]


@dataclass(frozen=True, repr=False)
class TaskSet:
    """``K`` tasks, each a ``t``-tuple of distinct skills of one sampled skill graph.

    Attributes
    ----------
    graph : SkillGraph
    tuples : ndarray of int64, shape (K, t)
        Skill ids of each task, increasing within a row; no two rows equal.
    """

    graph: object
    tuples: np.ndarray

    @property
    def n_tasks(self) -> int:
        return int(self.tuples.shape[0])

    @property
    def t(self) -> int:
        return int(self.tuples.shape[1])

    def __repr__(self) -> str:
        return f"TaskSet(n_tasks={self.n_tasks}, t={self.t}, graph={self.graph!r})"


@dataclass(frozen=True, repr=False)
class TaskCompetences:
    """Task competences at one failure rate (what :func:`task_competences` returns).

    Attributes
    ----------
    competences : ndarray, shape (K,)
        ``c_j``: the product of the competences of task ``j``'s skills.
    theta : float
        Requested failure rate.
    failed_fraction : float
        Share of text pieces actually failed.
    failure : str
        Name of the failure model (``"custom"`` for a callable).
    """

    competences: np.ndarray
    theta: float
    failed_fraction: float
    failure: str

    def __repr__(self) -> str:
        cs = ", ".join(f"{c:.3f}" for c in self.competences)
        return (
            f"TaskCompetences(theta={self.theta:.4g}, failure={self.failure!r}, "
            f"failed_fraction={self.failed_fraction:.4g}, competences=({cs}))"
        )


def available_tuples(n_skills: int, t: int) -> int:
    """Number of distinct ``t``-tuples of distinct skills: ``C(n_skills, t)``."""
    return math.comb(check_int("n_skills", n_skills, 0), check_int("t", t, 0))


def check_task_shape(n_tasks, t, n_skills: int) -> tuple[int, int]:
    """``(n_tasks, t)`` checked: enough distinct ``t``-tuples of ``n_skills`` skills."""
    n_tasks = check_int("n_tasks", n_tasks, 1, MAX_TASKS)
    t = check_int("t", t, 1, 64)
    if t > n_skills:
        raise ValueError(f"t must be <= the number of skills ({n_skills}), got {t}")
    available = available_tuples(n_skills, t)
    if n_tasks > available:
        raise ValueError(
            f"n_tasks must be <= the number of distinct {t}-tuples of skills available, "
            f"C({n_skills}, {t}) = {available}, got {n_tasks}"
        )
    return n_tasks, t


def _choose_tuples(skills: np.ndarray, n_tasks: int, t: int, rng) -> np.ndarray:
    """``n_tasks`` distinct sorted ``t``-subsets of ``skills``, uniformly at random."""
    n = skills.size
    if math.comb(n, t) <= max(4 * n_tasks, 10_000):  # few subsets: enumerate them
        subsets = np.array(list(itertools.combinations(range(n), t)), dtype=np.int64)
        return skills[subsets[rng.choice(len(subsets), n_tasks, replace=False)]]
    chosen: dict[tuple, None] = {}  # at most 1/4 of subsets taken: rejection is cheap
    while len(chosen) < n_tasks:
        chosen.setdefault(tuple(np.sort(rng.choice(n, t, replace=False)).tolist()))
    return skills[np.array(list(chosen), dtype=np.int64)]


def sample_task_set(
    n_tasks: int,
    t: int,
    *,
    n_skills: int = 1000,
    n_texts: int = 100_000,
    k: int = 8,
    graph=None,
    seed=None,
) -> TaskSet:
    """Sample a skill graph (or take ``graph``) and ``n_tasks`` distinct ``t``-tuples of skills.

    Parameters
    ----------
    n_tasks : int
        Number of tasks ``K``, at most ``C(n_skills, t)``.
    t : int
        Skills per task, >= 1.
    n_skills, n_texts, k : int
        The graph, as in :func:`skillgraph.sample_graph` (ignored with ``graph``).
    graph : SkillGraph, optional
        Use this graph instead of sampling one.
    seed : int, SeedSequence, Generator or None
        The graph uses the child seed ``(0,)`` and the tuples ``(1,)``.

    Returns
    -------
    TaskSet

    Raises
    ------
    ValueError
        If ``n_tasks`` exceeds the tuples available (checked before sampling),
        or if the graph leaves fewer skills with edges than the tasks need.
    MemoryError
        If the graph would not fit in memory.

    Notes
    -----
    Tuples are uniform among the ``t``-subsets of the skills that have edges
    (a skill without edges has no competence).  O(k n_texts) for the graph.
    """
    if graph is None:
        n_skills = check_int("n_skills", n_skills, 1, MAX_SKILLS)
    elif not isinstance(graph, SkillGraph):
        raise TypeError(f"graph must be a SkillGraph, got {type(graph).__name__}")
    else:
        n_skills = graph.n_skills
    n_tasks, t = check_task_shape(n_tasks, t, n_skills)
    root = as_seed_sequence(seed)
    if graph is None:

        graph = sample_graph(n_skills, n_texts, k, seed=child_seed(root, 0))
    skills = np.flatnonzero(graph.degrees > 0)
    if n_tasks > available_tuples(skills.size, t):
        raise ValueError(
            f"the graph has {skills.size} skills with edges: only "
            f"{available_tuples(skills.size, t)} {t}-tuples for n_tasks={n_tasks}; "
            "use more text pieces or fewer tasks"
        )
    tuples = _choose_tuples(skills, n_tasks, t, np.random.default_rng(child_seed(root, 1)))
    return TaskSet(graph=graph, tuples=frozen_array(tuples))


def failure_function(failure) -> tuple[str, Callable]:
    """``(name, fn(graph, theta, seed))`` for a failure model name or a callable."""
    if callable(failure):
        return "custom", lambda graph, theta, seed: failure(graph, theta, seed)

    name = check_choice("failure", failure, tuple(FAILURE_MODELS))
    model = FAILURE_MODELS[name]
    return name, lambda graph, theta, seed: model(graph, theta, seed=seed)


def task_competences(task_set: TaskSet, theta: float, *, failure="random", seed=None):
    """Competence of each task at failure rate ``theta`` (tensor tuple competence).

    Parameters
    ----------
    task_set : TaskSet
    theta : float
        Failure rate in [0, 1].
    failure : str or callable
        A failure model of :data:`skillgraph.core.failures.FAILURE_MODELS`
        (``"random"``, ``"deficit"``, and any model registered there later,
        such as the sharp worst case), or a callable
        ``failure(graph, theta, seed) -> bool array (n_texts,)``.
    seed : int, SeedSequence, Generator or None
        For the failure set.  The ``deficit`` model with one seed nests its
        failure sets across ``theta`` (common random numbers along scale).

    Returns
    -------
    TaskCompetences

    Notes
    -----
    ``c_j = prod_{s in tuple j} competence(s)``: ``t`` independent text pieces,
    one per skill, all succeed (the tensor definition of tuple competence).
    O(k n_texts).
    """
    if not isinstance(task_set, TaskSet):
        raise TypeError(f"task_set must be a TaskSet, got {type(task_set).__name__}")
    theta = check_real("theta", theta, 0.0, 1.0)
    name, draw = failure_function(failure)
    failed = np.asarray(draw(task_set.graph, theta, seed))
    return TaskCompetences(
        competences=frozen_array(tensor_competences(task_set, failed)),
        theta=theta,
        failed_fraction=float(failed.mean()),
        failure=name,
    )


def tensor_competences(task_set: TaskSet, failed) -> np.ndarray:
    """``c_j``: the product of the competences of task ``j``'s skills under ``failed``."""
    per_skill = competence(task_set.graph, failed)  # validates the mask
    return np.prod(per_skill[task_set.tuples], axis=1)
