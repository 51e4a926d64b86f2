"""Associative memories: a mechanism that produces both ``theta`` and the unlearned skills.

Cabannes, Dohmatob & Bietti (*Scaling Laws for Associative Memories*, arXiv
2310.02984; the memory viewpoint of Bietti et al., *Birth of a Transformer*,
arXiv 2306.00802) study a model small enough to simulate exactly.  Inputs
``x in {0..N-1}`` come with Zipf frequencies ``p(x) ∝ (x + 1) ** -a`` and
deterministic labels ``f(x) = x mod M``.  Input embeddings ``e_x`` are i.i.d.
``N(0, I_d / d)``, output embeddings ``u_y`` i.i.d. uniform on the unit
sphere of ``R^d``.  The memory ``W = sum_x q(x) e_x u_{f(x)}^T`` (``d x d``)
predicts ``argmax_y e_x^T W u_y``, and its error is frequency weighted:
``E = sum_x p(x) 1{prediction(x) != f(x)}``.  A skill is an association; it is
*learned* when it is recalled.

The subpackage gives

* the Monte Carlo error ``E(d, T)`` over draws of the embeddings
  (:func:`~skillgraph.mechanisms.memory.model.memory_error`) and the recalled set of one memory
  (:func:`~skillgraph.mechanisms.memory.model.memory_recall`), for the storage schemes of
  :data:`~skillgraph.mechanisms.memory.inputs.SCHEMES`, with population frequencies (``T=None``) or
  ``T`` samples of data;
* the analytic terms: the data term (:func:`~skillgraph.mechanisms.memory.laws.data_term`, its
  asymptotic form :func:`~skillgraph.mechanisms.memory.laws.data_term_asymptotic`), the capacity
  term (:func:`~skillgraph.mechanisms.memory.laws.capacity_term`), their combination
  (:func:`~skillgraph.mechanisms.memory.laws.analytic_error`), the theory slopes
  (:func:`~skillgraph.mechanisms.memory.laws.theory_slope`), the compute-optimal amount of data
  (:func:`~skillgraph.mechanisms.memory.laws.compute_optimal_T`) and slope fits with a stated window
  (:func:`~skillgraph.mechanisms.memory.fit.fit_slope`);
* the coupling into the skill graph: the drop-in ``theta := E(d, T)`` and the
  structural failure model in which the unrecalled associations are the unlearned skills
  (:func:`~skillgraph.mechanisms.memory.failures.memory_theta`,
  :func:`~skillgraph.mechanisms.memory.failures.memory_failures`,
  :func:`~skillgraph.mechanisms.memory.failures.stream_memory_failures`).

and the ``skillgraph memory`` pipeline: :func:`~skillgraph.mechanisms.memory.pipeline.run` a
:class:`~skillgraph.mechanisms.memory.config.MemoryConfig` into a
:class:`~skillgraph.mechanisms.memory.result.MemoryResult`,
:func:`~skillgraph.mechanisms.memory.pipeline.write_outputs` its files.  Modules, one idea each:
``inputs`` (schemes, frequencies, checks), ``model`` (the simulation), ``laws`` (analytic terms),
``fit`` (slopes), ``failures`` (into the skill graph), ``config``, ``result``, ``pipeline``,
``figures`` and ``sweep_adapter`` (the sweep measurement).

The mathematics is on the documentation page *Associative memories*
(:doc:`/theory/memory`).

Examples
--------
>>> from skillgraph.mechanisms.memory import memory_error
>>> curve = memory_error([32, 128, 512], trials=4, seed=0)
>>> bool(curve.error[0] > curve.error[1] > curve.error[2])
True
"""

import skillgraph.mechanisms.memory.config as _config
import skillgraph.mechanisms.memory.failures as _failures
import skillgraph.mechanisms.memory.fit as _fit
import skillgraph.mechanisms.memory.inputs as _inputs
import skillgraph.mechanisms.memory.laws as _laws
import skillgraph.mechanisms.memory.model as _model
import skillgraph.mechanisms.memory.pipeline as _pipeline
import skillgraph.mechanisms.memory.result as _result
from skillgraph.mechanisms.memory.config import *
from skillgraph.mechanisms.memory.failures import *
from skillgraph.mechanisms.memory.fit import *
from skillgraph.mechanisms.memory.inputs import *
from skillgraph.mechanisms.memory.laws import *
from skillgraph.mechanisms.memory.model import *
from skillgraph.mechanisms.memory.pipeline import *
from skillgraph.mechanisms.memory.result import *

# Each submodule lists its public names once, in its own __all__ (the modules under private
# aliases: a star import may bind a function of the same name, as ``measure``).
__all__ = [
    *_model.__all__,
    *_inputs.__all__,
    *_laws.__all__,
    *_fit.__all__,
    *_failures.__all__,
    *_config.__all__,
    *_result.__all__,
    *_pipeline.__all__,
]
