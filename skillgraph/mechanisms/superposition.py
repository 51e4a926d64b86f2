"""Tasks in superposition: what skill-graph competences predict for in-context task mixtures.

A **labelled toy model**.  Xiong et al. (arXiv 2410.05603) prompt language
models with in-context examples of several tasks at once and measure how much
probability the model puts on each task's answer.  This module does not
reproduce those measurements of real language models; it shows which
assumptions about the *readout* turn skill-graph competences into that
signature (see :doc:`/theory/superposition`).

The toy
-------
* ``K`` tasks; task ``j`` needs a ``t``-tuple of skills of a sampled skill
  graph, and its competence ``c_j`` is that tuple's competence at failure rate
  ``theta`` in the tensor sense (the product of its skills' competences;
  :func:`sample_task_set`, :func:`task_competences`).
* A prompt holds ``n`` examples split among the tasks by the proportions
  ``lambda``: multinomial counts ``n_j`` (:func:`prompt_counts`).
* A readout turns the counts into task weights ``w_j`` and the answer
  probabilities ``r_j = w_j c_j`` (:func:`answer_probabilities`): the model
  picks task ``j`` with probability ``w_j`` and then answers it correctly with
  probability ``c_j``.  The rest of the mass, ``1 - sum_j r_j``, goes to
  distractor answers with Zipf probabilities (:func:`zipf_distractors`).

  - ``"mixture"``: ``w_j = (n_j + b) / (n + K b)`` (smoothing ``b >= 0``);
  - ``"single"``: the posterior of a learner who believes the whole prompt
    shows *one* task (see :func:`answer_probabilities`); it collapses onto the
    most frequent task of the prompt;
  - ``"softmax"``: ``w = softmax(tau * (n_j / n) * c_j)``.

The metrics, as the paper's public code defines them
----------------------------------------------------
* ``kl``: ``sum_j lambda_j log(lambda_j / r_j)`` on the raw (unnormalised)
  answer probabilities, one value per prompt (:func:`kl_divergence`).  Each
  ``r_j`` is replaced by ``max(r_j, eps)`` (default ``eps = 1e-12``) so that a
  task with no mass gives a large finite value instead of infinity; the share
  of prompts where this happened is reported (``clipped_fraction``).
* ``sorted_mean_prob``: the mean over prompts of ``r`` sorted in decreasing
  order within each prompt (:func:`sorted_mean`).
* ``tasks_in_parallel``: the number of tasks whose answer is among the top
  ``K`` completions of the prompt (:func:`tasks_in_top_k`).

Everything is vectorised over prompts.
"""

from __future__ import annotations

import itertools
import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.special import logsumexp, xlogy

from skillgraph._rng import as_generator, as_seed_sequence, child_seed
from skillgraph._validation import check_choice, check_int, check_real
from skillgraph.core.intervals import ConfidenceInterval, confidence_level_argument, t_half_width

__all__ = [
    "READOUTS",
    "QUANTITIES",
    "KL_EPS",
    "TOP_K_TOLERANCE",
    "LAMBDA_TOLERANCE",
    "OPTION_DEFAULTS",
    "MeanEstimate",
    "TaskSet",
    "TaskCompetences",
    "SuperpositionResult",
    "parse_lambda",
    "check_lambda",
    "prompt_counts",
    "answer_probabilities",
    "zipf_distractors",
    "kl_divergence",
    "tasks_in_top_k",
    "sorted_mean",
    "superpose",
    "available_tuples",
    "sample_task_set",
    "task_competences",
    "superposition_rows",
    "measure",
    "measure_on_graph",
    "check_measure_params",
    "PROMPT_DEFAULTS",
    "GRAPH_DEFAULTS",
    "ROW_COLUMNS",
]

#: The readouts, in the order tables and figures list them.
READOUTS = ("mixture", "single", "softmax")
#: The metric names, the same in tables (``quantity`` column), JSON and figures.
QUANTITIES = ("kl", "tasks_in_parallel", "sorted_mean_prob")
#: Default floor on answer probabilities inside ``kl`` (the paper's code has none: log 0 = -inf).
KL_EPS = 1e-12
#: The paper's code counts answer ``j`` as in the top ``K`` when ``r_j >= p_K - 1e-5``.
TOP_K_TOLERANCE = 1e-5
#: ``lambda`` is accepted when its sum is within this of 1 (then divided by its sum).
LAMBDA_TOLERANCE = 1e-6
#: Defaults of the readout and distractor parameters (see :func:`superpose`).
OPTION_DEFAULTS = {
    "smoothing": 0.0,
    "tau": 5.0,
    "noise": 0.01,
    "n_distractors": 1000,
    "zipf_exponent": 1.5,
    "eps": KL_EPS,
}

_MAX_TASKS = 1000
_MAX_PROMPTS = 10**7
_CI_LEVEL = 0.95


# ---------------------------------------------------------------------------
# result objects


@dataclass(frozen=True)
class MeanEstimate:
    """A mean with its confidence interval.

    Attributes
    ----------
    value : float
    ci_low, ci_high : float
        Interval at confidence ``level`` (the table columns; :meth:`ci` gives
        it at any level).
    n : int
        Number of values averaged.
    std : float
        Standard deviation of the values (``ddof=1``; 0 for a single value).
    level : float
    spreads : tuple of (float, float, int)
        ``(mean, std, n)`` of each set of values whose Student-t interval
        enters the union (all values; the replicate means).
    """

    value: float
    ci_low: float
    ci_high: float
    n: int
    std: float
    level: float = _CI_LEVEL
    spreads: tuple = field(default=(), repr=False, compare=False)

    @classmethod
    def from_samples(
        cls, samples, confidence_level: float = _CI_LEVEL, *, level: float | None = None
    ) -> MeanEstimate:
        """Mean and interval of ``samples``.

        Parameters
        ----------
        samples : array_like, shape (n,) or (replicates, n)
            One-dimensional: i.i.d. values, Student-t interval.  Two-dimensional:
            rows are replicates (e.g. graphs) whose values share a source of
            variation; the interval is the union of the Student-t interval over
            the replicate means and the one over all values pooled, so it
            neither ignores the replicate-to-replicate spread nor collapses
            when the replicates happen to agree.
        confidence_level : float
            In (0, 1).
        level : float, optional
            Deprecated alias of ``confidence_level``.

        Returns
        -------
        MeanEstimate
        """
        confidence_level = confidence_level_argument(confidence_level, level, "from_samples")
        arr = np.asarray(samples, dtype=np.float64)
        if arr.ndim not in (1, 2) or arr.size == 0 or not np.all(np.isfinite(arr)):
            raise ValueError(
                f"samples must be a non-empty finite 1-D or 2-D array, got shape {arr.shape}"
            )
        flat = arr.ravel()
        spreads = (_spread(flat),)
        if arr.ndim == 2 and arr.shape[0] >= 2:
            spreads += (_spread(arr.mean(axis=1)),)
        std = float(flat.std(ddof=1)) if flat.size > 1 else 0.0
        low, high = _union(spreads, confidence_level)
        return cls(float(flat.mean()), low, high, int(flat.size), std, confidence_level, spreads)

    def ci(
        self, confidence_level: float = _CI_LEVEL, *, level: float | None = None
    ) -> ConfidenceInterval:
        """The interval at ``confidence_level`` (``level``: deprecated alias)."""
        confidence_level = confidence_level_argument(confidence_level, level, "ci")
        if not self.spreads:  # built by hand, without samples: only its own level
            if confidence_level != self.level:
                raise ValueError(
                    f"confidence_level must be {self.level} for an estimate built without "
                    f"samples, got {confidence_level}"
                )
            return ConfidenceInterval(self.ci_low, self.ci_high)
        return _union(self.spreads, confidence_level)

    def as_dict(self) -> dict:
        """``{"value", "ci_low", "ci_high"}`` (for tables and JSON)."""
        return {"value": self.value, "ci_low": self.ci_low, "ci_high": self.ci_high}

    def __repr__(self) -> str:
        return (
            f"MeanEstimate(value={self.value:.6g}, ci{round(100 * self.level)}="
            f"({self.ci_low:.4g}, {self.ci_high:.4g}), n={self.n})"
        )


def _spread(values: np.ndarray) -> tuple[float, float, int]:
    """``(mean, std, n)`` of ``values``: what their Student-t interval needs."""
    std = float(values.std(ddof=1)) if values.size > 1 else 0.0
    return float(values.mean()), std, int(values.size)


def _union(spreads, confidence_level: float) -> ConfidenceInterval:
    """Union of the Student-t intervals of ``spreads`` (a point for a single value)."""
    lows, highs = [], []
    for mean, std, n in spreads:
        half = t_half_width(std, n, confidence_level) if n >= 2 else 0.0
        lows.append(mean - half)
        highs.append(mean + half)
    return ConfidenceInterval(min(lows), max(highs))


def _frozen(array) -> np.ndarray:
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
        :func:`kl_divergence` of each prompt.
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
        self, confidence_level: float = _CI_LEVEL, *, level: float | None = None
    ) -> MeanEstimate:
        """Mean of ``kl`` over prompts, with a Student-t interval."""
        return MeanEstimate.from_samples(self.kl, confidence_level, level=level)

    def mean_tasks_in_parallel(
        self, confidence_level: float = _CI_LEVEL, *, level: float | None = None
    ) -> MeanEstimate:
        """Mean of ``tasks_in_parallel`` over prompts, with a Student-t interval."""
        return MeanEstimate.from_samples(self.tasks_in_parallel, confidence_level, level=level)

    def sorted_mean(
        self, confidence_level: float = _CI_LEVEL, *, level: float | None = None
    ) -> list[MeanEstimate]:
        """``sorted_mean_prob``: the mean of ``r`` sorted in decreasing order, rank by rank."""
        ranked = -np.sort(-self.answer_probs, axis=1)
        return [
            MeanEstimate.from_samples(ranked[:, j], confidence_level, level=level)
            for j in range(self.n_tasks)
        ]

    def task_mean(
        self, confidence_level: float = _CI_LEVEL, *, level: float | None = None
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


# ---------------------------------------------------------------------------
# validation


def parse_lambda(text: str) -> np.ndarray:
    """Task proportions from text: ``"0.5,0.3,0.2"`` or ``"uniform:K"``.

    Parameters
    ----------
    text : str
        Comma-separated proportions, or ``"uniform:K"`` for ``K`` equal ones.

    Returns
    -------
    ndarray of float64
        Validated by :func:`check_lambda`.

    Raises
    ------
    TypeError, ValueError
        On anything else, naming the text.

    Examples
    --------
    >>> parse_lambda("uniform:4")
    array([0.25, 0.25, 0.25, 0.25])
    """
    if not isinstance(text, str):
        raise TypeError(f"lambda text must be a str, got {type(text).__name__} {text!r}")
    spec = text.strip()
    if spec.startswith("uniform:"):
        try:
            k = int(spec.split(":", 1)[1])
        except ValueError:
            raise ValueError(
                f"lambda must be 'uniform:K' with an integer K, got {text!r}"
            ) from None
        k = check_int("K in 'uniform:K'", k, 1, _MAX_TASKS)
        return np.full(k, 1.0 / k)
    try:
        values = [float(v) for v in spec.split(",") if v.strip()]
    except ValueError:
        raise ValueError(
            f"lambda must be comma-separated numbers (e.g. 0.5,0.3,0.2) or 'uniform:K', "
            f"got {text!r}"
        ) from None
    return check_lambda(values)


def check_lambda(lam) -> np.ndarray:
    """Validate task proportions ``lambda``: 1 to 1000 non-negative numbers summing to 1.

    The sum may differ from 1 by at most :data:`LAMBDA_TOLERANCE` (typed
    decimals); the proportions are then divided by their sum.

    Parameters
    ----------
    lam : array_like of float, shape (K,)

    Returns
    -------
    ndarray of float64, shape (K,), summing to 1

    Raises
    ------
    TypeError
        If ``lam`` is not a sequence of real numbers.
    ValueError
        If it is empty, not one-dimensional, has a negative or non-finite entry,
        or does not sum to 1.
    """
    if isinstance(lam, (str, bytes)) or lam is None:
        raise TypeError(
            f"lam (the task proportions lambda) must be a sequence of numbers, got {lam!r}"
        )
    arr = np.asarray(lam)
    if arr.dtype == np.bool_ or arr.dtype.kind not in "iuf":
        raise TypeError(f"lam (the task proportions lambda) must hold real numbers, got {lam!r}")
    arr = arr.astype(np.float64)
    if arr.ndim != 1 or not 1 <= arr.size <= _MAX_TASKS:
        raise ValueError(
            f"lam (the task proportions lambda) must be one-dimensional with 1 to {_MAX_TASKS} "
            f"entries, got shape {arr.shape}"
        )
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ValueError(
            f"lam (the task proportions lambda) must have finite non-negative entries, got "
            f"{arr.tolist()}"
        )
    total = float(arr.sum())
    if abs(total - 1.0) > LAMBDA_TOLERANCE:
        raise ValueError(
            f"lam (the task proportions lambda) must sum to 1 (within {LAMBDA_TOLERANCE:g}), "
            f"got sum {total!r} for {arr.tolist()}"
        )
    return arr / total


def _check_n_examples(n_examples, n_tasks: int) -> int:
    n_examples = check_int("n_examples", n_examples, 1, 10**9)
    if n_examples < n_tasks:
        raise ValueError(
            f"n_examples must be >= the number of tasks K = {n_tasks} (one example per task "
            f"at least), got {n_examples}"
        )
    return n_examples


def _check_competences(competences, n_tasks: int) -> np.ndarray:
    arr = np.asarray(competences)
    if arr.dtype == np.bool_ or arr.dtype.kind not in "iuf":
        raise TypeError(f"competences must hold real numbers, got dtype {arr.dtype}")
    arr = arr.astype(np.float64)
    if arr.shape != (n_tasks,):
        raise ValueError(f"competences must have shape (K,) = ({n_tasks},), got {arr.shape}")
    if not np.all(np.isfinite(arr)) or np.any((arr < 0) | (arr > 1)):
        raise ValueError(f"competences must lie in [0, 1], got {arr.tolist()}")
    return arr


def _check_counts(counts) -> np.ndarray:
    arr = np.asarray(counts)
    if arr.dtype == np.bool_ or arr.dtype.kind not in "iu":
        raise TypeError(f"counts must be an integer array, got dtype {arr.dtype}")
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"counts must have shape (n_prompts, K) with both >= 1, got {arr.shape}")
    if np.any(arr < 0):
        raise ValueError("counts must be non-negative")
    totals = arr.sum(axis=1)
    if np.any(totals != totals[0]) or totals[0] == 0:
        raise ValueError(
            "every prompt must hold the same positive number of examples (equal row sums of "
            f"counts), got row sums from {int(totals.min())} to {int(totals.max())}"
        )
    return arr.astype(np.int64)


def _check_readout_settings(readout, smoothing, tau, noise, n_tasks: int) -> dict:
    check_choice("readout", readout, READOUTS)
    settings = {
        "smoothing": check_real("smoothing", smoothing, 0.0, 1e9),
        "tau": check_real("tau", tau, 0.0, 1e6, open_low=True),
        "noise": check_real("noise", noise, 0.0, 1.0, open_low=True, open_high=True),
    }
    if n_tasks >= 2 and settings["noise"] >= (n_tasks - 1) / n_tasks:
        raise ValueError(
            f"noise must be in (0, (K-1)/K) = (0, {(n_tasks - 1) / n_tasks:g}) so that a task's "
            f"own examples are the likeliest under it, got {settings['noise']:g}"
        )
    return settings


def _check_distractors(n_distractors, zipf_exponent) -> tuple[int, float]:
    return (
        check_int("n_distractors", n_distractors, 1, 10**7),
        check_real("zipf_exponent", zipf_exponent, 0.0, 50.0),
    )


def _check_prompt_memory(n_prompts: int, n_tasks: int) -> None:
    from skillgraph._resources import check_memory

    # counts, weights, answer probabilities, top-K flags and temporaries: ~8 arrays (n_prompts, 2K)
    check_memory(8 * 8 * n_prompts * 2 * n_tasks, f"{n_prompts} prompts of {n_tasks} tasks")


def _check_eps(eps) -> float:
    return check_real("eps", eps, 0.0, 1e-3, open_low=True)


# ---------------------------------------------------------------------------
# prompts, readouts, metrics


def prompt_counts(lam, n_examples: int, n_prompts: int, *, seed=None) -> np.ndarray:
    """Examples of each task in ``n_prompts`` prompts: multinomial ``(n, lambda)`` counts.

    Parameters
    ----------
    lam : array_like, shape (K,)
        Task proportions (:func:`check_lambda`).
    n_examples : int
        Examples per prompt ``n``, at least ``K``.
    n_prompts : int
        Number of prompts, >= 1.
    seed : int, SeedSequence, Generator or None

    Returns
    -------
    ndarray of int64, shape (n_prompts, K)

    Raises
    ------
    TypeError, ValueError
        On invalid input, before drawing.

    Notes
    -----
    O(n_prompts K).  The paper's prompts place the examples in random order;
    only the counts matter to the readouts here.

    Examples
    --------
    >>> prompt_counts([0.5, 0.3, 0.2], 60, 2, seed=0).sum(axis=1)
    array([60, 60])
    """
    lam = check_lambda(lam)
    n_examples = _check_n_examples(n_examples, lam.size)
    n_prompts = check_int("n_prompts", n_prompts, 1, _MAX_PROMPTS)
    _check_prompt_memory(n_prompts, lam.size)
    rng = as_generator(seed)
    return rng.multinomial(n_examples, lam, size=n_prompts).astype(np.int64)


def _task_weights(counts: np.ndarray, competences: np.ndarray, readout: str, s: dict):
    """The readout's probability of performing each task, shape (n_prompts, K)."""
    n_prompts, n_tasks = counts.shape
    n = counts[0].sum()
    if readout == "mixture":
        b = s["smoothing"]
        return (counts + b) / (n + n_tasks * b)
    if readout == "single":
        if n_tasks == 1:
            return np.ones((n_prompts, 1))
        eps = s["noise"]
        log_odds = math.log((1.0 - eps) * (n_tasks - 1) / eps)
        logits = log_odds * counts
    else:
        logits = s["tau"] * (counts / n) * competences
    return np.exp(logits - logsumexp(logits, axis=1, keepdims=True))


def answer_probabilities(
    counts,
    competences,
    readout: str = "mixture",
    *,
    smoothing: float = OPTION_DEFAULTS["smoothing"],
    tau: float = OPTION_DEFAULTS["tau"],
    noise: float = OPTION_DEFAULTS["noise"],
) -> np.ndarray:
    """Raw answer probabilities ``r_j = w_j c_j`` of each task in each prompt.

    Parameters
    ----------
    counts : array_like of int, shape (n_prompts, K)
        Examples of each task per prompt (equal row sums ``n``).
    competences : array_like, shape (K,)
        Task competences ``c_j`` in [0, 1].
    readout : {"mixture", "single", "softmax"}
        How the model weighs the tasks of a prompt (``w_j``):

        * ``"mixture"``: ``w_j = (n_j + b) / (n + K b)``, ``b = smoothing``.
        * ``"single"``: the posterior of a learner who believes the prompt shows
          one task and that each example is, independently, an example of
          that task with probability ``1 - noise`` and of each other task with
          probability ``noise / (K - 1)``.  With a uniform prior,
          ``w_j ∝ exp(gamma n_j)``, ``gamma = log((1 - noise)(K - 1) / noise)``:
          a lead of ``d`` examples multiplies the odds by ``exp(gamma d)``, so
          the posterior collapses onto the most frequent task (with
          ``noise = 0.01`` and ``K = 3``, a lead of one example already puts
          more than 0.99 on it; tied leaders share equally).
        * ``"softmax"``: ``w = softmax(tau * (n_j / n) * c_j)``: the prompt's own
          proportions ``n_j / n`` (the only ``lambda`` a model sees) weighted by
          competence, at inverse temperature ``tau``.
    smoothing : float
        ``b >= 0`` of the mixture readout (0: ``w_j = n_j / n``).
    tau : float
        Inverse temperature of the softmax readout, > 0.
    noise : float
        The single-task learner's example noise, in ``(0, (K-1)/K)``.

    Returns
    -------
    ndarray of float64, shape (n_prompts, K)
        ``r_j``; ``1 - sum_j r_j`` is the mass left for distractor answers.

    Raises
    ------
    TypeError, ValueError
        On invalid input, before any work.

    Notes
    -----
    The model performs task ``j`` with probability ``w_j`` (the ``w_j`` sum to
    1) and then answers it correctly with probability ``c_j``; a wrong answer
    is a distractor.  O(n_prompts K).

    Examples
    --------
    >>> answer_probabilities([[30, 18, 12]], [1.0, 1.0, 1.0])
    array([[0.5, 0.3, 0.2]])
    """
    counts = _check_counts(counts)
    competences = _check_competences(competences, counts.shape[1])
    settings = _check_readout_settings(readout, smoothing, tau, noise, counts.shape[1])
    return _task_weights(counts, competences, readout, settings) * competences


def zipf_distractors(
    remaining,
    n_distractors: int = OPTION_DEFAULTS["n_distractors"],
    zipf_exponent: float = OPTION_DEFAULTS["zipf_exponent"],
):
    """Distractor answer probabilities: the remaining mass split by Zipf weights.

    Distractor ``i`` (``i = 0 .. n_distractors - 1``) gets ``m q_i`` with
    ``q_i ∝ (i + 1) ** -zipf_exponent``, ``m`` the prompt's remaining mass.

    Parameters
    ----------
    remaining : array_like, shape (n_prompts,)
        Mass not on any task's answer, in [0, 1].
    n_distractors : int
        Number of distractor answers, >= 1.
    zipf_exponent : float
        Zipf exponent in [0, 50] (0: uniform).

    Returns
    -------
    ndarray, shape (n_prompts, n_distractors)
        Decreasing along each row.

    Notes
    -----
    O(n_prompts n_distractors); :func:`superpose` needs only the first ``K``
    columns (the largest), so it never builds the full array.
    """
    n_distractors, zipf_exponent = _check_distractors(n_distractors, zipf_exponent)
    m = np.asarray(remaining, dtype=np.float64)
    if m.ndim != 1 or not np.all((m >= 0) & (m <= 1)):
        raise ValueError("remaining must be a 1-D array of masses in [0, 1]")
    return m[:, None] * _zipf_weights(n_distractors, zipf_exponent)[None, :]


def _zipf_weights(n_distractors: int, zipf_exponent: float) -> np.ndarray:
    from skillgraph.core.graph import skill_measure_array  # the one Zipf measure of the package

    return skill_measure_array(n_distractors, "zipf", zipf_exponent)


def kl_divergence(lam, answer_probs, *, eps: float = KL_EPS) -> np.ndarray:
    """``kl = sum_j lambda_j log(lambda_j / max(r_j, eps))`` for each prompt.

    The paper's public code computes ``F.kl_div(r.log(), lambda, reduction="sum")``
    on the raw answer probabilities (not renormalised), which is this sum with
    ``0 log 0 = 0`` for ``lambda_j = 0`` and infinity when some ``r_j = 0``.
    Here ``r_j`` is floored at ``eps`` instead, so that a readout that drops a
    task scores large and finite.

    Parameters
    ----------
    lam : array_like, shape (K,)
        Task proportions.
    answer_probs : array_like, shape (n_prompts, K) or (K,)
        Raw answer probabilities ``r`` in [0, 1].
    eps : float
        Floor on ``r_j``, in (0, 1e-3] (default :data:`KL_EPS`).

    Returns
    -------
    ndarray, shape (n_prompts,) (or a 0-d array for one prompt)

    Notes
    -----
    Not a divergence between distributions when ``sum_j r_j < 1``, but never
    negative: by the log-sum inequality ``kl >= -log(sum_j r_j) >= 0`` (with the
    floor, ``kl >= -log(1 + K eps)``), and 0 when ``r = lambda``.  O(n_prompts K).

    Examples
    --------
    >>> float(kl_divergence([0.5, 0.5], [0.5, 0.5]))
    0.0
    """
    lam = check_lambda(lam)
    eps = _check_eps(eps)
    r = np.asarray(answer_probs, dtype=np.float64)
    if r.shape[-1:] != lam.shape or r.ndim > 2:
        raise ValueError(f"answer_probs must have shape (n_prompts, {lam.size}), got {r.shape}")
    if not np.all(np.isfinite(r)) or np.any((r < 0) | (r > 1)):
        raise ValueError("answer_probs must lie in [0, 1]")
    return np.sum(xlogy(lam, lam) - xlogy(lam, np.maximum(r, eps)), axis=-1)


def tasks_in_top_k(answer_probs, distractor_probs, *, tolerance: float = TOP_K_TOLERANCE):
    """Which task answers are among the top ``K`` completions of each prompt.

    As in the paper's public code: ``p_K`` is the ``K``-th largest probability
    among all completions (task answers and distractors), and answer ``j``
    counts when ``r_j >= p_K - tolerance``.

    Parameters
    ----------
    answer_probs : array_like, shape (n_prompts, K)
    distractor_probs : array_like, shape (n_prompts, M)
        Distractor probabilities; only the ``K`` largest of each row matter, so
        the first ``K`` columns of :func:`zipf_distractors` suffice.
    tolerance : float
        In [0, 1]; default :data:`TOP_K_TOLERANCE` (the paper's 1e-5).

    Returns
    -------
    ndarray of bool, shape (n_prompts, K)
        Its row sums are ``tasks_in_parallel``.
    """
    r = np.asarray(answer_probs, dtype=np.float64)
    d = np.asarray(distractor_probs, dtype=np.float64)
    if r.ndim != 2 or d.ndim != 2 or d.shape[0] != r.shape[0] or d.shape[1] == 0:
        raise ValueError(
            "answer_probs and distractor_probs must be 2-D with the same number of rows, got "
            f"shapes {r.shape} and {d.shape}"
        )
    tolerance = check_real("tolerance", tolerance, 0.0, 1.0)
    k = r.shape[1]
    everything = np.concatenate([r, d], axis=1)
    kth = -np.partition(-everything, k - 1, axis=1)[:, k - 1]
    return r >= kth[:, None] - tolerance


def sorted_mean(answer_probs) -> np.ndarray:
    """``sorted_mean_prob``: the mean over prompts of ``r`` sorted decreasingly in each prompt.

    It tells true superposition (every prompt spreads its mass: about
    ``(1/3, 1/3, 1/3)`` for three equal tasks) from a model that does one task
    per prompt, chosen at random (about ``(1, 0, 0)``), although both have
    per-task means near 1/3.

    Parameters
    ----------
    answer_probs : array_like, shape (n_prompts, K)

    Returns
    -------
    ndarray, shape (K,), non-increasing
    """
    r = np.asarray(answer_probs, dtype=np.float64)
    if r.ndim != 2 or r.size == 0:
        raise ValueError(f"answer_probs must have shape (n_prompts, K), got {r.shape}")
    return (-np.sort(-r, axis=1)).mean(axis=0)


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
        Task competences ``c_j`` in [0, 1] (e.g. from :func:`task_competences`).
    lam : array_like, shape (K,)
        Task proportions ``lambda`` (:func:`check_lambda`).
    n_examples : int
        Examples per prompt ``n >= K`` (the paper uses 60 or 80).
    readout : {"mixture", "single", "softmax"}
        See :func:`answer_probabilities`.
    n_prompts : int
        Number of prompts, >= 2 (for the intervals).
    smoothing, tau, noise
        Readout parameters, see :func:`answer_probabilities`.
    n_distractors, zipf_exponent
        Distractor answers, see :func:`zipf_distractors`.
    eps : float
        Floor on ``r_j`` in ``kl`` (:func:`kl_divergence`).
    seed : int, SeedSequence, Generator or None
        The prompts depend on ``seed`` only: the same seed gives the same
        prompts for every readout and every competence (common random numbers).

    Returns
    -------
    SuperpositionResult

    Raises
    ------
    TypeError, ValueError
        On invalid input, before any work.

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
    competences = _check_competences(competences, n_tasks)
    n_examples = _check_n_examples(n_examples, n_tasks)
    n_prompts = check_int("n_prompts", n_prompts, 2, _MAX_PROMPTS)
    settings = _check_readout_settings(readout, smoothing, tau, noise, n_tasks)
    n_distractors, zipf_exponent = _check_distractors(n_distractors, zipf_exponent)
    eps = _check_eps(eps)
    _check_prompt_memory(n_prompts, n_tasks)
    rng = as_generator(seed)

    counts = rng.multinomial(n_examples, lam, size=n_prompts).astype(np.int64)
    r = _task_weights(counts, competences, readout, settings) * competences
    # w sums to 1 and c <= 1, so the remainder is >= 0 up to rounding
    remaining = np.maximum(1.0 - r.sum(axis=1), 0.0)
    top = _zipf_weights(n_distractors, zipf_exponent)[:n_tasks]  # decreasing: the K largest
    settings.update(n_distractors=n_distractors, zipf_exponent=zipf_exponent)
    return SuperpositionResult(
        readout=readout,
        lam=_frozen(lam),
        n_examples=n_examples,
        competences=_frozen(competences),
        counts=_frozen(counts),
        answer_probs=_frozen(r),
        distractor_mass=_frozen(remaining),
        kl=_frozen(kl_divergence(lam, r, eps=eps)),
        in_top_k=_frozen(tasks_in_top_k(r, remaining[:, None] * top[None, :])),
        eps=eps,
        settings=settings,
    )


# ---------------------------------------------------------------------------
# task competences from a skill graph


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
    return math.comb(n_skills, t)


def _check_task_shape(n_tasks, t, n_skills: int) -> tuple[int, int]:
    n_tasks = check_int("n_tasks", n_tasks, 1, _MAX_TASKS)
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
    from skillgraph.core.graph import SkillGraph

    if graph is None:
        n_skills = check_int("n_skills", n_skills, 1, 2**31 - 1)
    elif not isinstance(graph, SkillGraph):
        raise TypeError(f"graph must be a SkillGraph, got {type(graph).__name__}")
    else:
        n_skills = graph.n_skills
    n_tasks, t = _check_task_shape(n_tasks, t, n_skills)
    root = as_seed_sequence(seed)
    if graph is None:
        from skillgraph.core.sampling import sample_graph

        graph = sample_graph(n_skills, n_texts, k, seed=child_seed(root, 0))
    skills = np.flatnonzero(graph.degrees > 0)
    if n_tasks > available_tuples(skills.size, t):
        raise ValueError(
            f"the graph has {skills.size} skills with edges: only "
            f"{available_tuples(skills.size, t)} {t}-tuples for n_tasks={n_tasks}; "
            "use more text pieces or fewer tasks"
        )
    tuples = _choose_tuples(skills, n_tasks, t, np.random.default_rng(child_seed(root, 1)))
    return TaskSet(graph=graph, tuples=_frozen(tuples))


def _failure_function(failure) -> tuple[str, Callable]:
    """``(name, fn(graph, theta, seed))`` for a failure model name or a callable."""
    if callable(failure):
        return "custom", lambda graph, theta, seed: failure(graph, theta, seed)
    from skillgraph.core.failures import FAILURE_MODELS

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
    name, draw = _failure_function(failure)
    failed = np.asarray(draw(task_set.graph, theta, seed))
    return TaskCompetences(
        competences=_frozen(_tensor_competences(task_set, failed)),
        theta=theta,
        failed_fraction=float(failed.mean()),
        failure=name,
    )


def _tensor_competences(task_set: TaskSet, failed) -> np.ndarray:
    """``c_j``: the product of the competences of task ``j``'s skills under ``failed``."""
    from skillgraph.core.competence import competence

    per_skill = competence(task_set.graph, failed)  # validates the mask
    return np.prod(per_skill[task_set.tuples], axis=1)


# ---------------------------------------------------------------------------
# sweep measurement: item parameters -> tidy rows

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
        As in :func:`superpose`.
    readouts : sequence of str
        Readouts scored, on the same prompts.
    seed : int, SeedSequence, Generator or None
    **options
        Passed to :func:`superpose` (``n_prompts``, ``smoothing``, ``tau``,
        ``noise``, ``n_distractors``, ``zipf_exponent``, ``eps``).

    Returns
    -------
    list of dict
        Keys :data:`ROW_COLUMNS`; ``rank`` (1 = largest) only for
        ``sorted_mean_prob``, NaN otherwise.
    """
    readouts = _check_readouts(readouts)
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


def _check_readouts(readouts) -> tuple[str, ...]:
    if isinstance(readouts, str):
        readouts = (readouts,)
    if not isinstance(readouts, Sequence) or len(readouts) == 0:
        raise TypeError(f"readouts must be a non-empty sequence of names, got {readouts!r}")
    out = tuple(check_choice(f"readouts[{i}]", r, READOUTS) for i, r in enumerate(readouts))
    if len(set(out)) != len(out):
        raise ValueError(f"readouts must not repeat a name, got {out}")
    return out


#: Defaults of the prompt parameters of :func:`measure` and :func:`measure_on_graph`
#: (besides :data:`OPTION_DEFAULTS`).
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
        n_skills = check_int("n_skills", p["n_skills"], 1, 2**31 - 1)
        _check_task_shape(lam.size, p["t"], n_skills)
        _failure_function(p["failure"])
    _check_n_examples(p["n_examples"], lam.size)
    check_int("n_prompts", p["n_prompts"], 2, _MAX_PROMPTS)
    for readout in _check_readouts(p["readouts"]):
        _check_readout_settings(readout, p["smoothing"], p["tau"], p["noise"], lam.size)
    _check_distractors(p["n_distractors"], p["zipf_exponent"])
    _check_eps(p["eps"])
    return {**p, "lam": lam}


def measure_on_graph(graph, failed, params: Mapping, seed=None) -> list[dict]:
    """The measurement on a given graph and failure set (what a sweep work item holds).

    Parameters
    ----------
    graph : SkillGraph
    failed : ndarray of bool, shape (n_texts,)
        The failure set.
    params : mapping
        ``t``, ``lam``, ``n_examples``, ``n_prompts``, ``readouts`` and the
        options of :func:`superpose` (defaults :data:`PROMPT_DEFAULTS`,
        :data:`OPTION_DEFAULTS`).
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
    competences = _tensor_competences(tasks, failed)
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
    from skillgraph.core.sampling import sample_graph

    p = check_measure_params(params)
    root = as_seed_sequence(seed)
    graph = sample_graph(p["n_skills"], p["n_texts"], p["k"], seed=child_seed(root, 0))
    _, draw = _failure_function(p["failure"])
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
