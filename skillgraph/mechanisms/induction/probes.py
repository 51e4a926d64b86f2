"""What is measured during training: the recall of the three memories and the evaluations."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from skillgraph.mechanisms.induction.data import InductionBatch, InductionTask
from skillgraph.mechanisms.induction.model import InductionModel, forward

__all__ = ["memory_probes", "evaluate"]


def memory_probes(
    model: InductionModel, params: Mapping, *, outputs=None, triggers=None
) -> dict[str, float]:
    """Recall of the three memories of the induction head, each in ``[0, 1]``.

    * ``W_O2``: fraction of output tokens ``k`` with ``argmax_j (W_U W_O2 W_V2 e_k)_j = k``
      (layer 2 copies the token it attends to);
    * ``W_K2``: fraction of trigger tokens ``k`` with ``argmax_j e_k' W_K2 W_O1 W_V1 e_j = k``
      (a trigger's query matches the layer-1 output that carries that trigger);
    * ``W_K1``: fraction of positions ``t >= 1`` with ``argmax_{s <= t} p_t' W_K1 p_s
      = t - 1`` (layer 1 attends to the previous position).

    Parameters
    ----------
    model : InductionModel
    params : mapping of str to numpy.ndarray
    outputs, triggers : array_like of int, optional
        The tokens that serve as outputs and as triggers in training (the only
        ones whose associations the gradients store); default every token.

    Returns
    -------
    dict
        ``{"W_O2": ..., "W_K2": ..., "W_K1": ...}``.

    Notes
    -----
    Cost ``O(N d^2 + T d^2 + T^2 d)``: cheap enough to run at every step.
    A tie with another token or position counts as a miss, so the all-zero
    matrices of the initialisation have recall 0.
    """
    e, p = model.embeddings, model.positions
    everything = np.arange(e.shape[0])
    outputs = everything if outputs is None else np.asarray(outputs)
    triggers = everything if triggers is None else np.asarray(triggers)
    copy = (e[outputs] @ model.v2.T @ params["W_O2"].T) @ model.unembedding.T
    match = (e[triggers] @ params["W_K2"]) @ (e @ model.ov1.T).T
    scores = (p @ params["W_K1"]) @ p.T
    scores[~np.tri(p.shape[0], dtype=bool)] = -np.inf
    return {
        "W_O2": _recall(copy, outputs),
        "W_K2": _recall(match, triggers),
        "W_K1": _recall(scores[1:], np.arange(p.shape[0] - 1)),
    }


def _recall(scores: np.ndarray, targets: np.ndarray) -> float:
    """Fraction of rows whose target column beats every other column strictly.

    Strictly: the all-zero matrices of the initialisation recall nothing
    (an argmax would credit the first index with every tie).
    """
    rows = np.arange(scores.shape[0])
    hit = scores[rows, targets].copy()
    others = scores.copy()
    others[rows, targets] = -np.inf
    return float(np.mean(hit > others.max(axis=1)))


@dataclass(frozen=True, repr=False)
class EvalSet:
    """A fixed evaluation batch with the data-only numbers it is judged against."""

    batch: InductionBatch
    bigram_entropy: float
    copy_baseline: float
    frequency_baseline: float


def make_eval_set(task: InductionTask, n: int, seed, *, held_out: bool = False) -> EvalSet:
    """The fixed evaluation data of a run: ``n`` sequences, their targets, masks and baselines."""
    batch = task.sample(n, seed, held_out=held_out)
    tokens, targets = batch.tokens[:, :-1], batch.tokens[:, 1:]
    bigram, in_context = batch.bigram_positions[:, 1:], batch.in_context[:, 1:]
    entropy = task.statistics.row_entropy()[tokens]
    frequent = _most_frequent_so_far(batch, task.n_tokens)
    return EvalSet(
        batch,
        bigram_entropy=_masked_mean(entropy, bigram),
        copy_baseline=_masked_mean(tokens == targets, in_context),
        frequency_baseline=_masked_mean(frequent == targets, in_context),
    )


def _most_frequent_so_far(batch: InductionBatch, n_tokens: int) -> np.ndarray:
    """``(B, T - 1)``: the most frequent non-trigger token among ``tokens[:t + 1]``.

    The prediction for target ``t + 1``; ties go to the smallest token id.
    """
    tokens = batch.tokens
    counts = np.zeros(tokens.shape + (n_tokens,), dtype=np.int32)
    np.put_along_axis(counts, tokens[..., None], 1, axis=-1)
    np.cumsum(counts, axis=1, out=counts)
    rows = np.arange(tokens.shape[0])[:, None]
    counts[rows, :, batch.triggers] = -1  # triggers never win
    return counts[:, :-1].argmax(axis=-1)


def _masked_mean(values, mask) -> float:
    count = int(np.count_nonzero(mask))
    return float(np.sum(np.where(mask, values, 0), dtype=np.float64) / count) if count else math.nan


def evaluate(model: InductionModel, params: Mapping, batch: InductionBatch) -> dict[str, float]:
    """Losses, accuracy and previous-token attention of the model on a batch.

    Parameters
    ----------
    model : InductionModel
    params : mapping of str to numpy.ndarray
        The trainable matrices.
    batch : InductionBatch
        Sequences with their masks (:meth:`InductionTask.sample
        <skillgraph.mechanisms.induction.data.InductionTask.sample>`).

    Returns
    -------
    dict
        ``bigram_loss`` (mean cross-entropy on the bigram positions),
        ``in_context_loss`` and ``in_context_accuracy`` (on the in-context
        positions; NaN when the batch has none) and ``previous_token_attention``
        (mean layer-1 attention of position ``t >= 1`` on position ``t - 1``).

    Notes
    -----
    One forward pass; the log-softmax is taken in float64.
    """
    tokens = batch.tokens
    fwd = forward(model, params, tokens)
    logits = fwd.logits[:, :-1].astype(np.float64)
    logits -= logits.max(axis=-1, keepdims=True)
    log_norm = np.log(np.exp(logits).sum(axis=-1))
    log_p = np.take_along_axis(logits, tokens[:, 1:, None], axis=-1)[..., 0] - log_norm
    correct = logits.argmax(axis=-1) == tokens[:, 1:]
    previous = np.diagonal(fwd.attn1, offset=-1, axis1=1, axis2=2)
    bigram, in_context = batch.bigram_positions[:, 1:], batch.in_context[:, 1:]
    return {
        "bigram_loss": -_masked_mean(log_p, bigram),
        "in_context_loss": -_masked_mean(log_p, in_context),
        "in_context_accuracy": _masked_mean(correct, in_context),
        "previous_token_attention": float(previous.mean(dtype=np.float64)),
    }
