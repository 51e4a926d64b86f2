"""The readouts: answer probabilities of the tasks of a prompt, and the distractors."""

from __future__ import annotations

import math

import numpy as np
from scipy.special import logsumexp

from skillgraph._docstrings import fill_doc
from skillgraph._validation import MAX_ZIPF_EXPONENT, check_choice, check_int, check_real
from skillgraph.core.graph import (
    skill_measure_array,  # the one Zipf measure of the package
)
from skillgraph.mechanisms.superposition.metrics import KL_EPS
from skillgraph.mechanisms.superposition.prompts import check_competences, check_counts

__all__ = ["READOUTS", "OPTION_DEFAULTS", "answer_probabilities", "zipf_distractors"]


#: The readouts, in the order tables and figures list them.
READOUTS = ("mixture", "single", "softmax")


#: Defaults of the readout and distractor parameters (see
#: :func:`~skillgraph.mechanisms.superposition.model.superpose`).
OPTION_DEFAULTS = {
    "smoothing": 0.0,
    "tau": 5.0,
    "noise": 0.01,
    "n_distractors": 1000,
    "zipf_exponent": 1.5,
    "eps": KL_EPS,
}


def check_readout_settings(readout, smoothing, tau, noise, n_tasks: int) -> dict:
    """The readout's name and its settings (smoothing, tau, noise), checked."""
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


def check_distractors(n_distractors, zipf_exponent) -> tuple[int, float]:
    """The number of distractor answers and the Zipf exponent of their probabilities."""
    return (
        check_int("n_distractors", n_distractors, 1, 10**7),
        check_real("zipf_exponent", zipf_exponent, 0.0, MAX_ZIPF_EXPONENT),
    )


def task_weights(counts: np.ndarray, competences: np.ndarray, readout: str, s: dict):
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


@fill_doc()
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

    %(raises_invalid)s

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
    counts = check_counts(counts)
    competences = check_competences(competences, counts.shape[1])
    settings = check_readout_settings(readout, smoothing, tau, noise, counts.shape[1])
    return task_weights(counts, competences, readout, settings) * competences


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
    O(n_prompts n_distractors); :func:`~skillgraph.mechanisms.superposition.model.superpose` needs
    only the first ``K`` columns (the largest), so it never builds the full array.
    """
    n_distractors, zipf_exponent = check_distractors(n_distractors, zipf_exponent)
    m = np.asarray(remaining, dtype=np.float64)
    if m.ndim != 1 or not np.all((m >= 0) & (m <= 1)):
        raise ValueError("remaining must be a 1-D array of masses in [0, 1]")
    return m[:, None] * zipf_weights(n_distractors, zipf_exponent)[None, :]


def zipf_weights(n_distractors: int, zipf_exponent: float) -> np.ndarray:
    """Distractor probabilities: the package's one Zipf measure."""
    return skill_measure_array(n_distractors, "zipf", zipf_exponent)
