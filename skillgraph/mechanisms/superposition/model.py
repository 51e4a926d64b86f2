"""The toy model run on many prompts: :func:`superpose` and its result."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from skillgraph._docstrings import fill_doc
from skillgraph._rng import as_generator
from skillgraph._validation import check_int
from skillgraph.core.intervals import CI_LEVEL
from skillgraph.mechanisms.superposition.estimate import MeanEstimate
from skillgraph.mechanisms.superposition.metrics import (
    check_eps,
    kl_divergence,
    sorted_mean,
    tasks_in_top_k,
)
from skillgraph.mechanisms.superposition.prompts import (
    MAX_PROMPTS,
    check_competences,
    check_lambda,
    check_n_examples,
    check_prompt_memory,
)
from skillgraph.mechanisms.superposition.readout import (
    OPTION_DEFAULTS,
    check_distractors,
    check_readout_settings,
    task_weights,
    zipf_weights,
)

__all__ = ["SuperpositionResult", "superpose"]


def frozen_array(array) -> np.ndarray:
    """A read-only copy of ``array``."""
    out = np.array(array)
    out.setflags(write=False)
    return out


@dataclass(frozen=True, repr=False)
class SuperpositionResult:
    """Prompts of one readout and their metrics (what :func:`superpose` returns).

    Attributes
    ----------
    readout : str
        ``"mixture"``, ``"single"`` or ``"softmax"``.
    lam : ndarray, shape (K,)
        Task proportions ``lambda`` of the prompts.
    n_examples : int
        Examples per prompt ``n``.
    competences : ndarray, shape (K,)
        Task competences ``c_j``.
    counts : ndarray of int64, shape (n_prompts, K)
        Examples of each task in each prompt ``n_j``.
    answer_probs : ndarray, shape (n_prompts, K)
        Raw answer probabilities ``r_j`` (not renormalised).
    distractor_mass : ndarray, shape (n_prompts,)
        ``1 - sum_j r_j``: the mass on distractor answers.
    kl : ndarray, shape (n_prompts,)
        :func:`~skillgraph.mechanisms.superposition.metrics.kl_divergence` of each prompt.
    in_top_k : ndarray of bool, shape (n_prompts, K)
        Whether task ``j``'s answer is among the top ``K`` completions.
    eps : float
        Floor on ``r_j`` inside ``kl``.
    settings : dict
        The readout and distractor parameters (``smoothing``, ``tau``, ``noise``,
        ``n_distractors``, ``zipf_exponent``).
    """

    readout: str
    lam: np.ndarray
    n_examples: int
    competences: np.ndarray
    counts: np.ndarray
    answer_probs: np.ndarray
    distractor_mass: np.ndarray
    kl: np.ndarray
    in_top_k: np.ndarray
    eps: float
    settings: dict = field(default_factory=dict)

    @property
    def n_prompts(self) -> int:
        """Number of prompts."""
        return int(self.counts.shape[0])

    @property
    def n_tasks(self) -> int:
        """Number of tasks ``K``."""
        return int(self.counts.shape[1])

    @property
    def tasks_in_parallel(self) -> np.ndarray:
        """Number of task answers in the top ``K`` completions, per prompt (int64)."""
        return self.in_top_k.sum(axis=1)

    @property
    def clipped_fraction(self) -> float:
        """Share of prompts in which ``kl`` floored some ``r_j`` (with ``lambda_j > 0``) at eps."""
        floored = (self.answer_probs < self.eps) & (self.lam > 0)
        return float(floored.any(axis=1).mean())

    def mean_kl(
        self, confidence_level: float = CI_LEVEL, *, level: float | None = None
    ) -> MeanEstimate:
        """Mean of ``kl`` over prompts, with a Student-t interval."""
        return MeanEstimate.from_samples(self.kl, confidence_level, level=level)

    def mean_tasks_in_parallel(
        self, confidence_level: float = CI_LEVEL, *, level: float | None = None
    ) -> MeanEstimate:
        """Mean of ``tasks_in_parallel`` over prompts, with a Student-t interval."""
        return MeanEstimate.from_samples(self.tasks_in_parallel, confidence_level, level=level)

    def sorted_mean(
        self, confidence_level: float = CI_LEVEL, *, level: float | None = None
    ) -> list[MeanEstimate]:
        """``sorted_mean_prob``: the mean of ``r`` sorted in decreasing order, rank by rank."""
        ranked = -np.sort(-self.answer_probs, axis=1)
        return [
            MeanEstimate.from_samples(ranked[:, j], confidence_level, level=level)
            for j in range(self.n_tasks)
        ]

    def task_mean(
        self, confidence_level: float = CI_LEVEL, *, level: float | None = None
    ) -> list[MeanEstimate]:
        """The mean of ``r_j`` over prompts, task by task (the paper's unsorted ``mean``)."""
        return [
            MeanEstimate.from_samples(self.answer_probs[:, j], confidence_level, level=level)
            for j in range(self.n_tasks)
        ]

    def __repr__(self) -> str:
        ranked = ", ".join(f"{v:.3f}" for v in sorted_mean(self.answer_probs))
        return (
            f"SuperpositionResult(readout={self.readout!r}, K={self.n_tasks}, "
            f"n_examples={self.n_examples}, n_prompts={self.n_prompts}, "
            f"kl={self.mean_kl()!r}, tasks_in_parallel={self.mean_tasks_in_parallel()!r}, "
            f"sorted_mean_prob=({ranked}), clipped_fraction={self.clipped_fraction:.3g})"
        )


@fill_doc()
def superpose(
    competences,
    lam,
    n_examples: int,
    *,
    readout: str = "mixture",
    n_prompts: int = 1000,
    smoothing: float = OPTION_DEFAULTS["smoothing"],
    tau: float = OPTION_DEFAULTS["tau"],
    noise: float = OPTION_DEFAULTS["noise"],
    n_distractors: int = OPTION_DEFAULTS["n_distractors"],
    zipf_exponent: float = OPTION_DEFAULTS["zipf_exponent"],
    eps: float = OPTION_DEFAULTS["eps"],
    seed=None,
) -> SuperpositionResult:
    """Simulate prompts of ``K`` tasks in superposition and score one readout.

    Parameters
    ----------
    competences : array_like, shape (K,)
        Task competences ``c_j`` in [0, 1] (e.g. from
        :func:`~skillgraph.mechanisms.superposition.tasks.task_competences`).
    lam : array_like, shape (K,)
        Task proportions ``lambda``
        (:func:`~skillgraph.mechanisms.superposition.prompts.check_lambda`).
    n_examples : int
        Examples per prompt ``n >= K`` (the paper uses 60 or 80).
    readout : {"mixture", "single", "softmax"}
        See :func:`~skillgraph.mechanisms.superposition.readout.answer_probabilities`.
    n_prompts : int
        Number of prompts, >= 2 (for the intervals).
    smoothing, tau, noise
        Readout parameters, see
        :func:`~skillgraph.mechanisms.superposition.readout.answer_probabilities`.
    n_distractors, zipf_exponent
        Distractor answers, see
        :func:`~skillgraph.mechanisms.superposition.readout.zipf_distractors`.
    eps : float
        Floor on ``r_j`` in ``kl``
        (:func:`~skillgraph.mechanisms.superposition.metrics.kl_divergence`).
    seed : int, SeedSequence, Generator or None
        The prompts depend on ``seed`` only: the same seed gives the same
        prompts for every readout and every competence (common random numbers).

    Returns
    -------
    SuperpositionResult

    %(raises_invalid)s

    Notes
    -----
    O(n_prompts K) time and memory.  See :doc:`/theory/superposition`.

    Examples
    --------
    >>> res = superpose([0.9, 0.8, 0.7], [1/3, 1/3, 1/3], 60, n_prompts=500, seed=1)
    >>> res.n_prompts, res.n_tasks
    (500, 3)
    """
    lam = check_lambda(lam)
    n_tasks = lam.size
    competences = check_competences(competences, n_tasks)
    n_examples = check_n_examples(n_examples, n_tasks)
    n_prompts = check_int("n_prompts", n_prompts, 2, MAX_PROMPTS)
    settings = check_readout_settings(readout, smoothing, tau, noise, n_tasks)
    n_distractors, zipf_exponent = check_distractors(n_distractors, zipf_exponent)
    eps = check_eps(eps)
    check_prompt_memory(n_prompts, n_tasks)
    rng = as_generator(seed)

    counts = rng.multinomial(n_examples, lam, size=n_prompts).astype(np.int64)
    r = task_weights(counts, competences, readout, settings) * competences
    # w sums to 1 and c <= 1, so the remainder is >= 0 up to rounding
    remaining = np.maximum(1.0 - r.sum(axis=1), 0.0)
    top = zipf_weights(n_distractors, zipf_exponent)[:n_tasks]  # decreasing: the K largest
    settings.update(n_distractors=n_distractors, zipf_exponent=zipf_exponent)
    return SuperpositionResult(
        readout=readout,
        lam=frozen_array(lam),
        n_examples=n_examples,
        competences=frozen_array(competences),
        counts=frozen_array(counts),
        answer_probs=frozen_array(r),
        distractor_mass=frozen_array(remaining),
        kl=frozen_array(kl_divergence(lam, r, eps=eps)),
        in_top_k=frozen_array(tasks_in_top_k(r, remaining[:, None] * top[None, :])),
        eps=eps,
        settings=settings,
    )
