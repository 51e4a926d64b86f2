"""The simplified two-layer attention-only transformer of *Birth of a Transformer*, in numpy.

Tokens ``z_1..z_T`` enter as ``x_t = E[z_t] + P[t]`` with frozen random
embeddings (i.i.d. ``N(0, 1)`` coordinates).  Two causal attention layers with
``W_Q = I`` and scores scaled by ``1/sqrt(d)`` write into a residual stream
without layer norm::

    h1_t = x_t  + W_O1 W_V1 sum_s softmax_s(x_t' W_K1 x_s / sqrt d) x_s
    h2_t = h1_t + W_O2 W_V2 sum_s softmax_s(h1_t' W_K2 h1_s / sqrt d) h1_s
    h3_t = h2_t + W_F h2_t          (only with a final linear layer)
    logits_t = W_U h3_t

``W_O1 W_V1``, ``W_V2`` and the unembedding ``W_U`` are frozen random with
entries of size ``1/sqrt(d)``; ``W_K1``, ``W_K2``, ``W_O2`` (and ``W_F``) are
trained, starting from zero.  The forward and backward passes are written out
by hand (batched matrix products, one BLAS call per sequence at most) and
checked against finite differences in the tests.  See the documentation page
*The induction-head testbed* (docs/theory/induction.rst).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from skillgraph._rng import as_generator
from skillgraph._validation import check_int

__all__ = ["TRAINABLE", "InductionModel", "init_model", "Forward", "forward", "loss_and_grads"]


#: names of the trainable matrices, in the order the memories form in the paper's story
#: (the final layer ``W_F`` exists only when the loss covers every position)
TRAINABLE = ("W_O2", "W_K2", "W_K1", "W_F")


@dataclass(frozen=True, repr=False)
class InductionModel:
    """The frozen part of the model: embeddings, layer-1 value/output, layer-2 value, unembedding.

    Attributes
    ----------
    embeddings : numpy.ndarray
        ``(N, d)`` token embeddings, ``N(0, 1)`` entries.
    positions : numpy.ndarray
        ``(T, d)`` absolute positional embeddings, ``N(0, 1)`` entries.
    ov1 : numpy.ndarray
        ``(d, d)`` product ``W_O1 W_V1`` of layer 1.
    v2 : numpy.ndarray
        ``(d, d)`` value matrix ``W_V2`` of layer 2.
    unembedding : numpy.ndarray
        ``(N, d)`` ``W_U``.
    final_layer : bool
        Whether the model has the trainable linear layer ``W_F``.
    """

    embeddings: np.ndarray
    positions: np.ndarray
    ov1: np.ndarray
    v2: np.ndarray
    unembedding: np.ndarray
    final_layer: bool

    @property
    def dim(self) -> int:
        """Width ``d`` of the residual stream."""
        return self.embeddings.shape[1]

    @property
    def seq_len(self) -> int:
        """Longest sequence the positional embeddings cover."""
        return self.positions.shape[0]

    @property
    def trainable(self) -> tuple[str, ...]:
        """Names of the trainable matrices of this model."""
        return TRAINABLE if self.final_layer else TRAINABLE[:3]

    @property
    def dtype(self) -> np.dtype:
        """Floating-point type of every array."""
        return self.embeddings.dtype

    def zero_params(self) -> dict[str, np.ndarray]:
        """The trainable matrices at their initial value, zero."""
        d = self.dim
        return {name: np.zeros((d, d), dtype=self.dtype) for name in self.trainable}

    def __repr__(self) -> str:
        n, d = self.embeddings.shape
        return (
            f"InductionModel(n_tokens={n}, seq_len={self.seq_len}, dim={d}, "
            f"final_layer={self.final_layer}, dtype={self.dtype})"
        )


def init_model(
    n_tokens: int,
    seq_len: int,
    dim: int,
    *,
    final_layer: bool = True,
    seed=None,
    dtype=np.float32,
) -> InductionModel:
    """Draw the frozen random matrices of the model.

    Parameters
    ----------
    n_tokens, seq_len, dim : int
        Vocabulary size ``N >= 2``, sequence length ``T >= 2``, width ``d >= 1``.
    final_layer : bool
        Add the trainable linear layer ``W_F`` (for a loss on every position).
    seed : int, SeedSequence or Generator, optional
    dtype : numpy float type
        ``float32`` for training, ``float64`` for gradient checks; the random
        draws are the same (made in float64, then cast).

    Returns
    -------
    InductionModel

    Examples
    --------
    >>> model = init_model(10, 8, 4, seed=0)
    >>> model.embeddings.shape, model.trainable
    ((10, 4), ('W_O2', 'W_K2', 'W_K1', 'W_F'))
    """
    n_tokens = check_int("n_tokens", n_tokens, 2)
    seq_len = check_int("seq_len", seq_len, 2)
    dim = check_int("dim", dim, 1)
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise TypeError(f"dtype must be float32 or float64, got {dtype}")
    rng = as_generator(seed)
    scale = 1.0 / math.sqrt(dim)
    embeddings = rng.standard_normal((n_tokens, dim))
    positions = rng.standard_normal((seq_len, dim))
    v1, o1, v2 = (rng.standard_normal((dim, dim)) * scale for _ in range(3))
    unembedding = rng.standard_normal((n_tokens, dim)) * scale
    arrays = (embeddings, positions, o1 @ v1, v2, unembedding)
    return InductionModel(*(np.ascontiguousarray(a, dtype=dtype) for a in arrays), final_layer)


@dataclass(frozen=True, repr=False)
class Forward:
    """Activations of one forward pass, kept for the backward pass and the measurements.

    ``x``, ``h1``, ``x_ov`` (``x W_O1' W_V1'``) and ``h1_keys`` (``h1 W_K2 / sqrt d``)
    are ``(B, T, d)``; ``attn1``, ``attn2`` are the ``(B, T, T)`` causal attention
    matrices; ``h1_read`` (``h1`` read out through layer 2's value/output and the
    unembedding) and ``logits`` are ``(B, T, N)``; position ``t`` predicts token ``t + 1``.
    """

    x: np.ndarray
    x_ov: np.ndarray
    attn1: np.ndarray
    h1: np.ndarray
    h1_keys: np.ndarray
    attn2: np.ndarray
    h1_read: np.ndarray
    logits: np.ndarray

    def __repr__(self) -> str:
        return f"Forward(batch={self.x.shape[0]}, seq_len={self.x.shape[1]})"


def _readouts(model: InductionModel, params: dict) -> tuple[np.ndarray, np.ndarray]:
    """The two ``(N, d)`` maps from the layer-1 stream to the logits.

    Layer 2 writes only into the logits, so its value/output and the final
    layer fold into small matrices: ``logits = h1 R' + (attn2 h1) L'`` with
    ``R = W_U (I + W_F)`` and ``L = R W_O2 W_V2``.  Products with ``N x d``
    matrices replace products with ``d x d`` ones (``N < d`` in the testbed),
    which is what makes the hand-written step faster than autograd.
    """
    readout = model.unembedding
    if model.final_layer:
        readout = readout + readout @ params["W_F"]
    return readout, readout @ (params["W_O2"] @ model.v2)


def _causal_softmax(scores: np.ndarray) -> np.ndarray:
    """Softmax over the last axis of ``(B, T, T)`` scores with future positions masked, in place."""
    t = scores.shape[-1]
    scores += np.where(np.tri(t, dtype=bool), 0.0, -np.inf).astype(scores.dtype)
    scores -= scores.max(axis=-1, keepdims=True)
    np.exp(scores, out=scores)
    scores /= scores.sum(axis=-1, keepdims=True)
    return scores


def _softmax_backward(attn: np.ndarray, d_attn: np.ndarray) -> np.ndarray:
    """Gradient with respect to the scores given the one to the attention, in ``d_attn``."""
    d_attn -= (d_attn * attn).sum(axis=-1, keepdims=True)
    d_attn *= attn
    return d_attn


def _flat(a: np.ndarray) -> np.ndarray:
    return a.reshape(-1, a.shape[-1])


def _transposed(a: np.ndarray) -> np.ndarray:
    return a.transpose(0, 2, 1)


def forward(model: InductionModel, params: dict, tokens: np.ndarray) -> Forward:
    """Run the model on ``tokens`` (``(B, T)`` ints, ``T`` at most ``model.seq_len``).

    Returns
    -------
    Forward
        Every activation the backward pass and the measurements need.

    Notes
    -----
    Cost ``O(B T^2 d + B T d^2)``: seven batched products of size ``B x T x T x d``
    or ``B T x d x d`` and three of size ``B x T x T x N`` or ``B T x d x N``.
    """
    tokens = np.asarray(tokens)
    t = tokens.shape[1]
    scale = 1.0 / math.sqrt(model.dim)
    x = model.embeddings[tokens]
    x += model.positions[:t]
    # layer 1: score(t, s) = x_t' W_K1 x_s / sqrt(d)
    attn1 = _causal_softmax((x @ (params["W_K1"] * scale)) @ _transposed(x))
    x_ov = x @ model.ov1.T
    h1 = attn1 @ x_ov
    h1 += x
    h1_keys = h1 @ (params["W_K2"] * scale)
    attn2 = _causal_softmax(h1_keys @ _transposed(h1))
    readout, layer2_readout = _readouts(model, params)
    h1_read = h1 @ layer2_readout.T
    logits = attn2 @ h1_read
    logits += h1 @ readout.T
    return Forward(x, x_ov, attn1, h1, h1_keys, attn2, h1_read, logits)


def loss_and_grads(
    model: InductionModel, params: dict, tokens: np.ndarray, weights: np.ndarray
) -> tuple[float, dict[str, np.ndarray], Forward, np.ndarray]:
    """Weighted cross-entropy of next-token prediction and its gradients.

    Parameters
    ----------
    model : InductionModel
    params : dict of str to numpy.ndarray
        The trainable matrices (``model.trainable``).
    tokens : numpy.ndarray
        ``(B, T)`` token ids.
    weights : numpy.ndarray
        ``(B, T - 1)`` non-negative weights of the targets ``tokens[:, 1:]``
        (typically ``1 / count`` on the positions in the loss, 0 elsewhere).

    Returns
    -------
    loss : float
        ``-sum(weights * log p(target))``.
    grads : dict of str to numpy.ndarray
        Gradient of ``loss`` with respect to each trainable matrix.
    fwd : Forward
        The forward activations.
    log_p : numpy.ndarray
        ``(B, T - 1)`` log-probabilities of the targets (for the measurements).

    Notes
    -----
    About twice the cost of :func:`forward`.
    """
    fwd = forward(model, params, tokens)
    log_p, d_logits = _cross_entropy(fwd.logits, tokens, weights)
    loss = -float(np.sum(weights * log_p, dtype=np.float64))
    return loss, _backward(model, params, fwd, d_logits), fwd, log_p


def _cross_entropy(logits: np.ndarray, tokens: np.ndarray, weights) -> tuple:
    """Target log-probabilities and the gradient of the weighted loss w.r.t. ``logits``."""
    target = tokens[:, 1:, None]
    d_logits = np.zeros_like(logits)
    shifted = d_logits[:, :-1]
    np.subtract(logits[:, :-1], logits[:, :-1].max(axis=-1, keepdims=True), out=shifted)
    np.exp(shifted, out=shifted)
    norm = shifted.sum(axis=-1, keepdims=True)
    shifted /= norm
    log_p = np.log(np.take_along_axis(shifted, target, axis=-1)[..., 0])
    np.put_along_axis(shifted, target, np.take_along_axis(shifted, target, axis=-1) - 1, -1)
    shifted *= np.asarray(weights, dtype=logits.dtype)[..., None]
    return log_p, d_logits


def _backward(model: InductionModel, params: dict, fwd: Forward, d_logits) -> dict:
    """Gradients of every trainable matrix given the gradient w.r.t. the logits."""
    scale = 1.0 / math.sqrt(model.dim)
    readout, layer2_readout = _readouts(model, params)
    grads = {}
    # readouts: logits = h1 R' + attn2 (h1 L')
    d_h1_read = _transposed(fwd.attn2) @ d_logits
    d_readout = _flat(d_logits).T @ _flat(fwd.h1)
    d_layer2_readout = _flat(d_h1_read).T @ _flat(fwd.h1)
    ov2 = params["W_O2"] @ model.v2
    grads["W_O2"] = (readout.T @ d_layer2_readout) @ model.v2.T
    if model.final_layer:
        d_readout += d_layer2_readout @ ov2.T
        grads["W_F"] = model.unembedding.T @ d_readout
    d_h1 = d_logits @ readout
    d_h1 += d_h1_read @ layer2_readout
    # layer 2 keys: scores = h1 (W_K2 / sqrt d) h1'
    d_scores = _softmax_backward(fwd.attn2, d_logits @ _transposed(fwd.h1_read))
    right = d_scores @ fwd.h1
    grads["W_K2"] = scale * (_flat(fwd.h1).T @ _flat(right))
    d_h1 += right @ (params["W_K2"] * scale).T
    d_h1 += _transposed(d_scores) @ fwd.h1_keys
    # layer 1: h1 = x + attn1 (x W_O1' W_V1'); only the keys W_K1 are trained
    d_scores = _softmax_backward(fwd.attn1, d_h1 @ _transposed(fwd.x_ov))
    grads["W_K1"] = scale * (_flat(fwd.x).T @ _flat(d_scores @ fwd.x))
    return grads
