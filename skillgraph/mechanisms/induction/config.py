"""The configuration of a testbed run: every parameter, the named presets, the memory it needs."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from skillgraph._resources import check_memory
from skillgraph._rng import as_seed_sequence, child_seed
from skillgraph._validation import check_choice, check_int, check_real
from skillgraph.mechanisms.induction.data import (
    MAX_TOKEN_ZIPF,
    OUTPUT_MODES,
    TRIGGER_MODES,
    InductionTask,
    induction_task,
)

__all__ = ["MEMORIES", "LOSS_POSITIONS", "PRESETS", "InductionConfig", "memory_estimate"]


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
        See :func:`~skillgraph.mechanisms.induction.data.induction_task`.
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
            "zipf_exponent": check_real("zipf_exponent", self.zipf_exponent, 0.0, MAX_TOKEN_ZIPF),
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
