"""Emergence in training time: train the induction-head testbed and measure it at every step.

:func:`~skillgraph.mechanisms.induction.training.train_induction` trains the two-layer model of
:mod:`skillgraph.mechanisms.induction.model` with SGD (momentum, weight
decay) on fresh batches of :mod:`skillgraph.mechanisms.induction.data`
sequences and records, on a fixed evaluation set:

* the loss on the *bigram* positions (tokens drawn from the bigram row of
  their predecessor) and its floor, the mean entropy of those rows;
* loss and accuracy on the *in-context* positions (after a repeated trigger),
  with two shortcut baselines that a plateau could be mistaken for: copying the
  current token, and the most frequent non-trigger token so far;
* the layer-1 attention on the previous token (uniform attention gives about
  ``1/t``), and the in-context accuracy on held-out output tokens;
* at every step, the memory-recall probes of ``W_O2``, ``W_K2`` and ``W_K1``.

:class:`~skillgraph.mechanisms.induction.result.InductionRun` holds the curves, derives the
transition step and the order in which the memories formed, and gives the tidy table and the figure.
The ``skillgraph induction`` pipeline is :func:`~skillgraph.mechanisms.induction.pipeline.run` (an
:class:`~skillgraph.mechanisms.induction.config.InductionConfig` in, an
:class:`~skillgraph.mechanisms.induction.result.InductionRun` out) and
:func:`~skillgraph.mechanisms.induction.pipeline.write_outputs`.  Modules, one idea each: ``data``,
``model``, ``config``, ``probes``, ``training``, ``result``, ``figures``, ``pipeline`` and
``sweep_adapter`` (the sweep measurement).  See the documentation page *The induction-head testbed*
(docs/theory/induction.rst).
"""

from skillgraph.mechanisms.induction.config import (
    LOSS_POSITIONS,
    MEMORIES,
    PRESETS,
    InductionConfig,
    memory_estimate,
)
from skillgraph.mechanisms.induction.data import (
    OUTPUT_MODES,
    TRIGGER_MODES,
    InductionBatch,
    InductionTask,
    TokenStatistics,
    in_context_mask,
    induction_task,
    token_statistics,
)
from skillgraph.mechanisms.induction.figures import induction_figure
from skillgraph.mechanisms.induction.model import (
    TRAINABLE,
    Forward,
    InductionModel,
    forward,
    init_model,
    loss_and_grads,
)
from skillgraph.mechanisms.induction.pipeline import (
    FILES,
    run,
    summary_markdown,
    write_diverged,
    write_outputs,
)
from skillgraph.mechanisms.induction.probes import evaluate, memory_probes
from skillgraph.mechanisms.induction.result import InductionRun
from skillgraph.mechanisms.induction.sweep_adapter import SWEEP_QUANTITIES, induction_measurement
from skillgraph.mechanisms.induction.training import InductionDivergedError, train_induction

__all__ = [
    "TRIGGER_MODES",
    "OUTPUT_MODES",
    "TokenStatistics",
    "token_statistics",
    "InductionBatch",
    "InductionTask",
    "in_context_mask",
    "induction_task",
    "TRAINABLE",
    "InductionModel",
    "init_model",
    "Forward",
    "forward",
    "loss_and_grads",
    "MEMORIES",
    "LOSS_POSITIONS",
    "PRESETS",
    "InductionConfig",
    "memory_estimate",
    "memory_probes",
    "evaluate",
    "InductionRun",
    "InductionDivergedError",
    "train_induction",
    "induction_figure",
    "FILES",
    "run",
    "write_outputs",
    "write_diverged",
    "summary_markdown",
    "SWEEP_QUANTITIES",
    "induction_measurement",
]
