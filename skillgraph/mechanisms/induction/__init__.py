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

import skillgraph.mechanisms.induction.config as _config
import skillgraph.mechanisms.induction.data as _data
import skillgraph.mechanisms.induction.figures as _figures
import skillgraph.mechanisms.induction.model as _model
import skillgraph.mechanisms.induction.pipeline as _pipeline
import skillgraph.mechanisms.induction.probes as _probes
import skillgraph.mechanisms.induction.result as _result
import skillgraph.mechanisms.induction.training as _training
from skillgraph.mechanisms.induction.config import *
from skillgraph.mechanisms.induction.data import *
from skillgraph.mechanisms.induction.figures import *
from skillgraph.mechanisms.induction.model import *
from skillgraph.mechanisms.induction.pipeline import *
from skillgraph.mechanisms.induction.probes import *
from skillgraph.mechanisms.induction.result import *
from skillgraph.mechanisms.induction.sweep_adapter import SWEEP_QUANTITIES, induction_measurement
from skillgraph.mechanisms.induction.training import *

# Each submodule lists its public names once, in its own __all__ (the modules under private
# aliases: a star import may bind a function of the same name, as ``measure``); of the sweep
# adapter only the measurement is exported (the sweep reaches the rest through its registry).
__all__ = [
    *_data.__all__,
    *_model.__all__,
    *_config.__all__,
    *_probes.__all__,
    *_result.__all__,
    *_training.__all__,
    *_figures.__all__,
    *_pipeline.__all__,
    "SWEEP_QUANTITIES",
    "induction_measurement",
]
