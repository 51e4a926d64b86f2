"""Emergence in training time: train the induction-head testbed and measure it at every step.

:func:`train_induction` trains the two-layer model of
:mod:`skillgraph.mechanisms.induction_model` with SGD (momentum, weight
decay) on fresh batches of :mod:`skillgraph.mechanisms.induction_data`
sequences and records, on a fixed evaluation set:

* the loss on the *bigram* positions (tokens drawn from the bigram row of
  their predecessor) and its floor, the mean entropy of those rows;
* loss and accuracy on the *in-context* positions (after a repeated trigger),
  with two shortcut baselines that a plateau could be mistaken for: copying the
  current token, and the most frequent non-trigger token so far;
* the layer-1 attention on the previous token (uniform attention gives about
  ``1/t``), and the in-context accuracy on held-out output tokens;
* at every step, the memory-recall probes of ``W_O2``, ``W_K2`` and ``W_K1``.

:class:`InductionRun` holds the curves, derives the transition step and the
order in which the memories formed, and writes the tidy table.  See the
documentation page *The induction-head testbed* (docs/theory/induction.rst).
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from skillgraph._progress import progress_bar
from skillgraph._rng import as_generator, as_seed_sequence, child_seed
from skillgraph._validation import check_choice, check_int, check_real
from skillgraph.mechanisms.induction_data import (
    OUTPUT_MODES,
    TRIGGER_MODES,
    InductionBatch,
    InductionTask,
    induction_task,
)
from skillgraph.mechanisms.induction_model import (
    InductionModel,
    forward,
    init_model,
    loss_and_grads,
)

__all__ = [
    "MEMORIES",
    "PRESETS",
    "LOSS_POSITIONS",
    "InductionConfig",
    "InductionRun",
    "InductionDivergedError",
    "train_induction",
    "memory_probes",
    "evaluate",
    "induction_measurement",
    "memory_estimate",
    "SWEEP_QUANTITIES",
]

#: the three memories of the induction head, in the order the paper says they form
MEMORIES = ("W_O2", "W_K2", "W_K1")
#: which positions the training loss covers
LOSS_POSITIONS = ("all", "in_context")
#: a bigram loss this close to its floor (nats) counts as learned
BIGRAM_GAP = 0.35
#: the in-context accuracy that marks the transition
TRANSITION_LEVEL = 0.5

#: named configurations; every other parameter keeps its default
PRESETS: dict[str, dict] = {
    # the measured reference run: N = 65, K = 5 fixed triggers, uniform outputs
    "reference": {},
    # bigram statistics learned before the induction head (measured): outputs are never
    # triggers, so no trigger-to-trigger loops give the in-context accuracy an early
    # shortcut, and the keys of both layers learn 10 times slower than the rest
    "paper_order": {"output_mode": "non_trigger", "lr_scale_k1": 0.1, "lr_scale_k2": 0.1},
}


@dataclass(frozen=True)
class InductionConfig:
    """Every parameter of a testbed run (validated on construction).

    Parameters
    ----------
    n_tokens, seq_len, dim, batch : int
        Vocabulary ``N >= 2``, sequence length ``T >= 2``, width ``d >= 1``,
        sequences per step ``B >= 1``.
    n_triggers : int
        Triggers per sequence ``K``, from 1 to ``N``.
    trigger_mode, output_mode : str
        See :func:`~skillgraph.mechanisms.induction_data.induction_task`.
    ood_fraction : float
        Share of tokens held out as outputs for the out-of-distribution test, ``[0, 1)``.
    zipf_exponent, concentration : float
        Data statistics; ``concentration=None`` means ``N``.
    steps : int
        Training steps, at least 1.
    lr, momentum, weight_decay : float
        SGD step size (positive), momentum ``[0, 1)``, weight decay ``>= 0``.
    lr_scale_k1, lr_scale_k2, lr_scale_o2, lr_scale_f : float
        Per-matrix multipliers of ``lr`` (``>= 0``; 0 freezes the matrix at zero).
    loss_on : {"all", "in_context"}
        Positions in the loss; ``"all"`` adds the linear final layer ``W_F``.
    log_every : int
        Evaluate every this many steps (the probes are recorded at every step).
    eval_sequences : int
        Size of the fixed evaluation batch (and of the out-of-distribution one).
    dtype : {"float32", "float64"}
    seed : int
        Seed of everything: statistics, embeddings, batches.

    Raises
    ------
    ValueError, TypeError
        For a parameter out of range (naming it, its value and the valid range).
    MemoryError
        When the run would not fit in memory (with the estimate).
    """

    n_tokens: int = 65
    seq_len: int = 128
    dim: int = 128
    batch: int = 32
    n_triggers: int = 5
    trigger_mode: str = "fixed"
    output_mode: str = "uniform"
    ood_fraction: float = 0.1
    zipf_exponent: float = 1.1
    concentration: float | None = None
    steps: int = 800
    lr: float = 0.2
    momentum: float = 0.9
    weight_decay: float = 1e-4
    lr_scale_k1: float = 1.0
    lr_scale_k2: float = 1.0
    lr_scale_o2: float = 1.0
    lr_scale_f: float = 1.0
    loss_on: str = "all"
    log_every: int = 10
    eval_sequences: int = 64
    dtype: str = "float32"
    seed: int = 0

    def __post_init__(self):
        checked = {
            "n_tokens": check_int("n_tokens", self.n_tokens, 2),
            "seq_len": check_int("seq_len", self.seq_len, 2),
            "dim": check_int("dim", self.dim, 1),
            "batch": check_int("batch", self.batch, 1),
            "n_triggers": check_int("n_triggers", self.n_triggers, 1),
            "trigger_mode": check_choice("trigger_mode", self.trigger_mode, TRIGGER_MODES),
            "output_mode": check_choice("output_mode", self.output_mode, OUTPUT_MODES),
            "ood_fraction": check_real("ood_fraction", self.ood_fraction, 0.0, 1.0,
                                       open_high=True),
            "zipf_exponent": check_real("zipf_exponent", self.zipf_exponent, 0.0, 10.0),
            "steps": check_int("steps", self.steps, 1),
            "lr": check_real("lr", self.lr, 0.0, None, open_low=True),
            "momentum": check_real("momentum", self.momentum, 0.0, 1.0, open_high=True),
            "weight_decay": check_real("weight_decay", self.weight_decay, 0.0),
            "loss_on": check_choice("loss_on", self.loss_on, LOSS_POSITIONS),
            "log_every": check_int("log_every", self.log_every, 1),
            "eval_sequences": check_int("eval_sequences", self.eval_sequences, 1),
            "dtype": check_choice("dtype", self.dtype, ("float32", "float64")),
            "seed": check_int("seed", self.seed, 0),
        }
        if self.concentration is not None:
            checked["concentration"] = check_real(
                "concentration", self.concentration, 0.0, None, open_low=True
            )
        for name in ("lr_scale_k1", "lr_scale_k2", "lr_scale_o2", "lr_scale_f"):
            checked[name] = check_real(name, getattr(self, name), 0.0)
        for name, value in checked.items():  # store the normalised values (ints as int...)
            object.__setattr__(self, name, value)
        from skillgraph._resources import check_memory

        check_memory(memory_estimate(self), "the induction testbed with these sizes")
        # the vocabulary constraints (K <= N, the held-out split) are the task builder's
        self.task()

    @classmethod
    def from_preset(cls, name: str = "reference", **overrides) -> InductionConfig:
        """The configuration named ``name`` in :data:`PRESETS`, with ``overrides`` applied."""
        check_choice("preset", name, PRESETS)
        return cls(**{**PRESETS[name], **overrides})

    def task(self) -> InductionTask:
        """The sequence distribution of this run (statistics drawn from the seed)."""
        return induction_task(
            self.n_tokens, self.seq_len, self.n_triggers,
            trigger_mode=self.trigger_mode, output_mode=self.output_mode,
            ood_fraction=self.ood_fraction, zipf_exponent=self.zipf_exponent,
            concentration=self.concentration, seed=child_seed(as_seed_sequence(self.seed), 0),
        )

    def lr_scales(self) -> dict[str, float]:
        """Step-size multiplier of each trainable matrix."""
        return {"W_K1": self.lr_scale_k1, "W_K2": self.lr_scale_k2,
                "W_O2": self.lr_scale_o2, "W_F": self.lr_scale_f}

    def parameters(self) -> dict:
        """Every parameter as a table column (``concentration`` resolved to its value)."""
        params = dataclasses.asdict(self)
        if params["concentration"] is None:
            params["concentration"] = float(self.n_tokens)
        return params


class InductionDivergedError(ValueError):
    """Training produced a non-finite loss or parameter; ``run`` holds what was logged.

    Attributes
    ----------
    step : int
        The step at which the loss or a parameter stopped being finite.
    run : InductionRun
        The run up to the last good step (``run.diverged_at == step``).
    """

    def __init__(self, message: str, step: int, run: InductionRun):
        super().__init__(message)
        self.step = step
        self.run = run


# -- measurements ------------------------------------------------------------------------


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
class _EvalSet:
    """A fixed evaluation batch with the data-only numbers it is judged against."""

    batch: InductionBatch
    bigram_entropy: float
    copy_baseline: float
    frequency_baseline: float


def _eval_set(task: InductionTask, n: int, seed, *, held_out: bool = False) -> _EvalSet:
    batch = task.sample(n, seed, held_out=held_out)
    tokens, targets = batch.tokens[:, :-1], batch.tokens[:, 1:]
    bigram, in_context = batch.bigram_positions[:, 1:], batch.in_context[:, 1:]
    entropy = task.statistics.row_entropy()[tokens]
    frequent = _most_frequent_so_far(batch, task.n_tokens)
    return _EvalSet(
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
        <skillgraph.mechanisms.induction_data.InductionTask.sample>`).

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


# -- the run -------------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class InductionRun:
    """The logged curves of one training run, and what follows from them.

    Attributes
    ----------
    config : InductionConfig
    steps : numpy.ndarray
        Logged steps (0 is the initial model; step ``s`` is after ``s`` updates).
    curves : dict of str to numpy.ndarray
        One value per logged step for each measured quantity.
    probe_steps : numpy.ndarray
        Every step from 0 on.
    probes : dict of str to numpy.ndarray
        Recall of ``W_O2``, ``W_K2``, ``W_K1`` at every step.
    constants : dict of str to float
        Numbers of the evaluation data: ``bigram_entropy`` (the loss floor),
        ``copy_baseline_accuracy``, ``frequency_baseline_accuracy``,
        ``uniform_previous_token_attention``.
    seconds : float
        Wall-clock time of the training loop.
    diverged_at : int or None
        Step at which training diverged (the curves stop before it).
    """

    config: InductionConfig
    steps: np.ndarray
    curves: dict
    probe_steps: np.ndarray
    probes: dict
    constants: dict
    seconds: float
    diverged_at: int | None = None

    def __repr__(self) -> str:
        acc = self.final("in_context_accuracy")
        return (
            f"InductionRun(steps={int(self.probe_steps[-1])}, seed={self.config.seed}, "
            f"final_in_context_accuracy={acc:.3f}, transition_step={self.transition_step()}, "
            f"memory_order={self.memory_order()}, diverged_at={self.diverged_at})"
        )

    def final(self, quantity: str) -> float:
        """Last logged value of ``quantity`` (NaN when nothing was logged)."""
        values = self.curves.get(quantity)
        return float(values[-1]) if values is not None and len(values) else math.nan

    def transition_step(self, level: float = TRANSITION_LEVEL) -> int | None:
        """First logged step with in-context accuracy ``>= level``, or ``None``."""
        return _first_step(self.steps, self.curves["in_context_accuracy"] >= level)

    def bigram_step(self, gap: float = BIGRAM_GAP) -> int | None:
        """First logged step with bigram loss within ``gap`` nats of its floor, or ``None``."""
        floor = self.constants["bigram_entropy"]
        return _first_step(self.steps, self.curves["bigram_loss"] <= floor + gap)

    def bigram_first(self) -> bool | None:
        """Whether the bigram loss reached its floor at a logged step before the transition.

        ``None`` when either never happened.
        """
        bigram, transition = self.bigram_step(), self.transition_step()
        if bigram is None or transition is None:
            return None
        return bigram < transition

    def memory_steps(self) -> dict[str, int | None]:
        """Step at which each probe first reaches half its final value."""
        return {
            name: _first_step(self.probe_steps, values >= 0.5 * values[-1])
            for name, values in self.probes.items()
        }

    def memory_order(self) -> list[str]:
        """The three memories sorted by the (interpolated) step at which they reach half.

        Interpolating between steps breaks ties of memories that cross in the same step.
        """
        def crossing(name):
            values = self.probes[name]
            return _crossing(self.probe_steps, values, 0.5 * values[-1])

        return sorted(self.probes, key=crossing)

    def summary(self) -> dict:
        """The headline numbers as a JSON-ready dict (see the ``skillgraph induction`` docs)."""
        transition = self.transition_step()
        per_step = self.seconds / max(int(self.probe_steps[-1]), 1)
        return {
            "bigram_entropy": self.constants["bigram_entropy"],
            "final_bigram_loss": self.final("bigram_loss"),
            "final_in_context_loss": self.final("in_context_loss"),
            "final_in_context_accuracy": self.final("in_context_accuracy"),
            "final_ood_in_context_accuracy": _or_none(self.final("ood_in_context_accuracy")),
            "copy_baseline_accuracy": self.constants["copy_baseline_accuracy"],
            "frequency_baseline_accuracy": self.constants["frequency_baseline_accuracy"],
            "final_previous_token_attention": self.final("previous_token_attention"),
            "uniform_previous_token_attention": self.constants["uniform_previous_token_attention"],
            "transition_step": transition,
            "bigram_step": self.bigram_step(),
            "bigram_before_induction": self.bigram_first(),
            "memory_order": self.memory_order(),
            "memory_steps": self.memory_steps(),
            "final_recall": {name: float(v[-1]) for name, v in self.probes.items()},
            "steps": int(self.probe_steps[-1]),
            "diverged_at": self.diverged_at,
            "seconds": self.seconds,
            "seconds_per_step": per_step,
            "seconds_to_transition": None if transition is None else transition * per_step,
            "seed": self.config.seed,
            "config": self.config.parameters(),
        }

    def rows(self) -> list[dict]:
        """The tidy table: one row per logged number (see :data:`columns`)."""
        params = self.config.parameters()
        rows = []
        for i, step in enumerate(self.steps.tolist()):
            for quantity, values in self.curves.items():
                rows.append(_row(params, step, quantity, values[i]))
            for quantity, value in self.constants.items():
                rows.append(_row(params, step, quantity, value))
        for i, step in enumerate(self.probe_steps.tolist()):
            for name, values in self.probes.items():
                rows.append(_row(params, step, f"recall_{name}", values[i]))
        return rows

    @property
    def columns(self) -> list[str]:
        """Columns of :meth:`rows`: every parameter, then step, quantity, value, ci, seed."""
        params = [k for k in self.config.parameters() if k != "seed"]
        return params + ["step", "quantity", "value", "ci_low", "ci_high", "seed"]


def _row(params: dict, step: int, quantity: str, value) -> dict:
    return {**params, "step": step, "quantity": quantity, "value": float(value),
            "ci_low": math.nan, "ci_high": math.nan}


def _or_none(x: float) -> float | None:
    return None if math.isnan(x) else x


def _first_step(steps: np.ndarray, reached: np.ndarray) -> int | None:
    hits = np.flatnonzero(reached)
    return int(steps[hits[0]]) if hits.size else None


def _crossing(steps: np.ndarray, values: np.ndarray, level: float) -> float:
    """Linearly interpolated first step at which ``values`` reaches ``level`` (inf if never)."""
    hits = np.flatnonzero(values >= level)
    if not hits.size:
        return math.inf
    i = int(hits[0])
    if i == 0 or values[i] == values[i - 1]:
        return float(steps[i])
    frac = (level - values[i - 1]) / (values[i] - values[i - 1])
    return float(steps[i - 1] + frac * (steps[i] - steps[i - 1]))


# -- training ------------------------------------------------------------------------------


class _Log:
    """Accumulates the curves while training; turns them into an :class:`InductionRun`."""

    def __init__(self, config: InductionConfig, constants: dict):
        self.config = config
        self.constants = constants
        self.steps: list[int] = []
        self.curves: dict[str, list[float]] = {}
        self.probes: dict[str, list[float]] = {name: [] for name in MEMORIES}
        self.start = time.perf_counter()

    def probe(self, values: dict) -> None:
        for name in MEMORIES:
            self.probes[name].append(values[name])

    def log(self, step: int, values: dict) -> None:
        self.steps.append(step)
        for name, value in values.items():
            self.curves.setdefault(name, []).append(value)

    def run(self, diverged_at: int | None = None) -> InductionRun:
        n_probes = len(self.probes["W_O2"])
        return InductionRun(
            self.config,
            np.asarray(self.steps, dtype=np.int64),
            {k: np.asarray(v, dtype=np.float64) for k, v in self.curves.items()},
            np.arange(n_probes, dtype=np.int64),
            {k: np.asarray(v, dtype=np.float64) for k, v in self.probes.items()},
            dict(self.constants),
            time.perf_counter() - self.start,
            diverged_at,
        )


def _loss_weights(batch: InductionBatch, loss_on: str, dtype) -> np.ndarray:
    """``(B, T - 1)`` weights of the targets: a mean over the positions in the loss."""
    if loss_on == "all":
        shape = (batch.tokens.shape[0], batch.tokens.shape[1] - 1)
        return np.full(shape, 1.0 / (shape[0] * shape[1]), dtype=dtype)
    mask = batch.in_context[:, 1:]
    return (mask / max(int(mask.sum()), 1)).astype(dtype)


def memory_estimate(config: InductionConfig) -> int:
    """Bytes of the largest arrays of a run: statistics, one step, one evaluation.

    The attention matrices (``B T^2``), the activations (``B T d``), the logits
    and the frequency counts of the evaluation (``B T N``, in float64 and int32)
    and the bigram table (``N^2``, a few float64 copies) dominate.
    """
    b = max(config.batch, config.eval_sequences)
    t, d, n = config.seq_len, config.dim, config.n_tokens
    itemsize = 4 if config.dtype == "float32" else 8
    per_step = b * (6 * t * t + 12 * t * d + 4 * t * n) * itemsize
    evaluation = b * t * n * (3 * 8 + 4) + b * t * t  # logits in float64, counts, masks
    return per_step + evaluation + 4 * n * n * 8


def train_induction(
    config: InductionConfig | None = None,
    *,
    progress: bool = False,
    threads: int | None = 1,
    **overrides,
) -> InductionRun:
    """Train the induction-head testbed and record its curves.

    Parameters
    ----------
    config : InductionConfig, optional
        Defaults to ``InductionConfig()`` (the reference run); keyword
        ``overrides`` replace fields of it.
    progress : bool
        Show a progress bar over the steps.
    threads : int or None
        BLAS threads during training (``None``: leave the BLAS library alone).
        One by default: the products are small, so more threads mostly add overhead.

    Returns
    -------
    InductionRun

    Raises
    ------
    ValueError, TypeError
        For an invalid parameter, before any work.
    MemoryError
        When the run would not fit in memory (refused when the configuration is built).
    InductionDivergedError
        When the loss or a parameter stops being finite; its ``run``
        attribute holds the curves logged up to then, and its message names the step.

    Notes
    -----
    Cost per step ``O(B T^2 d + B T d^2)``; about 0.05 s on one core for the
    reference run (``B = 32, T = d = 128``).  The same seed gives the same
    numbers whatever the number of BLAS threads only up to floating-point
    rounding in the products.

    Examples
    --------
    >>> run = train_induction(n_tokens=12, seq_len=16, dim=16, batch=8, n_triggers=2,
    ...                       steps=5, seed=0)
    >>> int(run.probe_steps[-1]), len(run.steps)
    (5, 2)
    """
    config = dataclasses.replace(config or InductionConfig(), **overrides)
    if threads is not None:
        threads = check_int("threads", threads, 1)
    if threads is None:
        return _train(config, progress)
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=threads, user_api="blas"):
        return _train(config, progress)


def _train(config: InductionConfig, progress: bool) -> InductionRun:
    root = as_seed_sequence(config.seed)
    task = config.task()
    model = init_model(
        config.n_tokens, config.seq_len, config.dim, final_layer=config.loss_on == "all",
        seed=child_seed(root, 1), dtype=np.dtype(config.dtype),
    )
    params = model.zero_params()
    velocity = {name: np.zeros_like(w) for name, w in params.items()}
    lr = {name: config.lr * scale for name, scale in config.lr_scales().items()}
    eval_set = _eval_set(task, config.eval_sequences, child_seed(root, 2))
    ood_batch = None
    if task.held_out.size:
        ood_batch = task.sample(config.eval_sequences, child_seed(root, 3), held_out=True)
    log = _Log(config, _constants(eval_set, config.seq_len))
    tokens = {"outputs": task.output_tokens(), "triggers": task.trigger_tokens()}
    log.probe(memory_probes(model, params, **tokens))
    _record(log, 0, model, params, eval_set, ood_batch, math.nan)
    bar = progress_bar(config.steps, enabled=progress, desc="training", unit="step")
    try:
        for step in range(1, config.steps + 1):
            batch = task.sample(config.batch, as_generator(child_seed(root, 4, step)))
            weights = _loss_weights(batch, config.loss_on, model.dtype)
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                loss, grads, _, _ = loss_and_grads(model, params, batch.tokens, weights)
                _sgd_update(params, grads, velocity, lr, config)
            bad = _non_finite(loss, params)
            if bad:
                raise InductionDivergedError(
                    f"training diverged at step {step}: {bad} (lr = {config.lr:g}); "
                    f"{len(log.steps)} logged steps kept (up to step {log.steps[-1]}); "
                    "try a smaller lr",
                    step,
                    log.run(diverged_at=step),
                )
            log.probe(memory_probes(model, params, **tokens))
            if step % config.log_every == 0 or step == config.steps:
                _record(log, step, model, params, eval_set, ood_batch, loss)
            bar.update(1)
    finally:
        bar.close()
    return log.run()


def _constants(eval_set: _EvalSet, seq_len: int) -> dict[str, float]:
    uniform = float(np.mean(1.0 / np.arange(2, seq_len + 1)))  # 1/(t+1) at t = 1..T-1
    return {
        "bigram_entropy": eval_set.bigram_entropy,
        "copy_baseline_accuracy": eval_set.copy_baseline,
        "frequency_baseline_accuracy": eval_set.frequency_baseline,
        "uniform_previous_token_attention": uniform,
    }


def _record(log, step, model, params, eval_set, ood_batch, loss) -> None:
    values = {"train_loss": loss, **evaluate(model, params, eval_set.batch)}
    if ood_batch is not None:
        ood = evaluate(model, params, ood_batch)
        values["ood_in_context_accuracy"] = ood["in_context_accuracy"]
    log.log(step, values)


def _sgd_update(params: dict, grads: dict, velocity: dict, lr: dict, config) -> None:
    """SGD with momentum and L2 weight decay (PyTorch's ``SGD`` convention), in place."""
    for name, w in params.items():
        g = grads[name]
        if config.weight_decay:
            g += config.weight_decay * w
        v = velocity[name]
        v *= config.momentum
        v += g
        w -= lr[name] * v


def _non_finite(loss: float, params: dict) -> str:
    """A description of what stopped being finite, or the empty string."""
    if not math.isfinite(loss):
        return f"the loss became {loss}"
    for name, w in params.items():
        if not np.isfinite(w).all():
            return f"{name} has non-finite entries"
    return ""


# -- sweeps -------------------------------------------------------------------------------

#: the per-run numbers a sweep item reports (keys of :meth:`InductionRun.summary`)
SWEEP_QUANTITIES = (
    "bigram_entropy",
    "final_bigram_loss",
    "final_in_context_accuracy",
    "final_ood_in_context_accuracy",
    "copy_baseline_accuracy",
    "frequency_baseline_accuracy",
    "final_previous_token_attention",
    "transition_step",
    "bigram_step",
)


def induction_measurement(item: Mapping, seed) -> list[dict]:
    """One sweep work item: train with the item's parameters and report the run's numbers.

    Parameters
    ----------
    item : mapping
        Any fields of :class:`InductionConfig` (except ``seed``), plus optionally
        ``preset``; unknown keys are refused.
    seed : int or SeedSequence
        The replicate's seed (a ``SeedSequence`` is reduced to one 32-bit int).

    Returns
    -------
    list of dict
        Tidy rows: the item's parameters, ``quantity``, ``value``, ``ci_low``,
        ``ci_high`` (NaN), ``seed``; quantities are :data:`SWEEP_QUANTITIES`, the
        half-recall steps ``memory_step_W_O2`` (...) and ``memory_rank_W_O2`` (...)
        (position in the order of formation, 0 first).  A step never reached is NaN.

    Examples
    --------
    >>> rows = induction_measurement({"n_tokens": 12, "seq_len": 16, "dim": 16,
    ...                               "batch": 8, "n_triggers": 2, "steps": 4}, seed=0)
    >>> sorted({r["quantity"] for r in rows})[:2]
    ['bigram_entropy', 'bigram_step']
    """
    fields = {f.name for f in dataclasses.fields(InductionConfig)} - {"seed"}
    unknown = sorted(set(item) - fields - {"preset"})
    if unknown:
        raise ValueError(
            f"unknown induction parameters {unknown}; valid: preset, {', '.join(sorted(fields))}"
        )
    if not isinstance(seed, int):
        seed = int(as_seed_sequence(seed).generate_state(1)[0])
    params = {k: v for k, v in item.items() if k != "preset"}
    config = InductionConfig.from_preset(item.get("preset", "reference"), **params, seed=seed)
    summary = train_induction(config).summary()
    values = {name: summary[name] for name in SWEEP_QUANTITIES}
    order = summary["memory_order"]
    for name in MEMORIES:
        values[f"memory_step_{name}"] = summary["memory_steps"][name]
        values[f"memory_rank_{name}"] = order.index(name)
    base = {**item, "seed": seed}
    return [
        {**base, "quantity": name, "value": math.nan if value is None else float(value),
         "ci_low": math.nan, "ci_high": math.nan}
        for name, value in values.items()
    ]
