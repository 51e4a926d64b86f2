"""Task proportions ``lambda`` and the prompts: how many examples of each task."""

from __future__ import annotations

import numpy as np

from skillgraph._resources import check_memory
from skillgraph._rng import as_generator
from skillgraph._validation import check_int

__all__ = ["LAMBDA_TOLERANCE", "parse_lambda", "check_lambda", "prompt_counts"]


#: ``lambda`` is accepted when its sum is within this of 1 (then divided by its sum).
LAMBDA_TOLERANCE = 1e-6


MAX_TASKS = 1000


MAX_PROMPTS = 10**7


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
        k = check_int("K in 'uniform:K'", k, 1, MAX_TASKS)
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
    if arr.ndim != 1 or not 1 <= arr.size <= MAX_TASKS:
        raise ValueError(
            f"lam (the task proportions lambda) must be one-dimensional with 1 to {MAX_TASKS} "
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


def check_n_examples(n_examples, n_tasks: int) -> int:
    """Examples per prompt: an integer, at least one per task."""
    n_examples = check_int("n_examples", n_examples, 1, 10**9)
    if n_examples < n_tasks:
        raise ValueError(
            f"n_examples must be >= the number of tasks K = {n_tasks} (one example per task "
            f"at least), got {n_examples}"
        )
    return n_examples


def check_competences(competences, n_tasks: int) -> np.ndarray:
    """Task competences: ``K`` real numbers in [0, 1] (float64 array)."""
    arr = np.asarray(competences)
    if arr.dtype == np.bool_ or arr.dtype.kind not in "iuf":
        raise TypeError(f"competences must hold real numbers, got dtype {arr.dtype}")
    arr = arr.astype(np.float64)
    if arr.shape != (n_tasks,):
        raise ValueError(f"competences must have shape (K,) = ({n_tasks},), got {arr.shape}")
    if not np.all(np.isfinite(arr)) or np.any((arr < 0) | (arr > 1)):
        raise ValueError(f"competences must lie in [0, 1], got {arr.tolist()}")
    return arr


def check_counts(counts) -> np.ndarray:
    """Example counts: a non-negative integer array of shape (n_prompts, K)."""
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


def check_prompt_memory(n_prompts: int, n_tasks: int) -> None:
    """Refuse, before any work, prompts whose arrays would not fit in memory."""
    # counts, weights, answer probabilities, top-K flags and temporaries: ~8 arrays (n_prompts, 2K)
    check_memory(8 * 8 * n_prompts * 2 * n_tasks, f"{n_prompts} prompts of {n_tasks} tasks")


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
    n_examples = check_n_examples(n_examples, lam.size)
    n_prompts = check_int("n_prompts", n_prompts, 1, MAX_PROMPTS)
    check_prompt_memory(n_prompts, lam.size)
    rng = as_generator(seed)
    return rng.multinomial(n_examples, lam, size=n_prompts).astype(np.int64)
