"""The paper's metrics of a prompt: ``kl``, ``tasks_in_parallel`` and ``sorted_mean_prob``."""

from __future__ import annotations

import numpy as np
from scipy.special import xlogy

from skillgraph._validation import check_real
from skillgraph.mechanisms.superposition.prompts import check_lambda

__all__ = [
    "QUANTITIES",
    "KL_EPS",
    "TOP_K_TOLERANCE",
    "kl_divergence",
    "tasks_in_top_k",
    "sorted_mean",
]


#: The metric names, the same in tables (``quantity`` column), JSON and figures.
QUANTITIES = ("kl", "tasks_in_parallel", "sorted_mean_prob")


#: Default floor on answer probabilities inside ``kl`` (the paper's code has none: log 0 = -inf).
KL_EPS = 1e-12


#: The paper's code counts answer ``j`` as in the top ``K`` when ``r_j >= p_K - 1e-5``.
TOP_K_TOLERANCE = 1e-5


def check_eps(eps) -> float:
    """The floor of ``kl`` on the answer probabilities, in (0, 1e-3]."""
    return check_real("eps", eps, 0.0, 1e-3, open_low=True)


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
    eps = check_eps(eps)
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
        Distractor probabilities; only the ``K`` largest of each row matter, so the first ``K``
        columns of :func:`~skillgraph.mechanisms.superposition.readout.zipf_distractors` suffice.
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
