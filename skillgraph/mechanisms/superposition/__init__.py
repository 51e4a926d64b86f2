"""Tasks in superposition: what skill-graph competences predict for in-context task mixtures.

A **labelled toy model**.  Xiong et al. (arXiv 2410.05603) prompt language
models with in-context examples of several tasks at once and measure how much
probability the model puts on each task's answer.  This subpackage does not
reproduce those measurements of real language models; it shows which
assumptions about the *readout* turn skill-graph competences into that
signature (see :doc:`/theory/superposition`).

The toy
-------
* ``K`` tasks; task ``j`` needs a ``t``-tuple of skills of a sampled skill
  graph, and its competence ``c_j`` is that tuple's competence at failure rate ``theta`` in the
  tensor sense (the product of its skills' competences;
  :func:`~skillgraph.mechanisms.superposition.tasks.sample_task_set`,
  :func:`~skillgraph.mechanisms.superposition.tasks.task_competences`).
* A prompt holds ``n`` examples split among the tasks by the proportions
  ``lambda``: multinomial counts ``n_j``
  (:func:`~skillgraph.mechanisms.superposition.prompts.prompt_counts`).
* A readout turns the counts into task weights ``w_j`` and the answer
  probabilities ``r_j = w_j c_j``
  (:func:`~skillgraph.mechanisms.superposition.readout.answer_probabilities`): the model picks task
  ``j`` with probability ``w_j`` and then answers it correctly with probability ``c_j``.  The rest
  of the mass, ``1 - sum_j r_j``, goes to distractor answers with Zipf probabilities
  (:func:`~skillgraph.mechanisms.superposition.readout.zipf_distractors`).

  - ``"mixture"``: ``w_j = (n_j + b) / (n + K b)`` (smoothing ``b >= 0``);
  - ``"single"``: the posterior of a learner who believes the whole prompt
    shows *one* task (see
    :func:`~skillgraph.mechanisms.superposition.readout.answer_probabilities`); it collapses onto
    the most frequent task of the prompt;
  - ``"softmax"``: ``w = softmax(tau * (n_j / n) * c_j)``.

The metrics, as the paper's public code defines them
----------------------------------------------------
* ``kl``: ``sum_j lambda_j log(lambda_j / r_j)`` on the raw (unnormalised)
  answer probabilities, one value per prompt
  (:func:`~skillgraph.mechanisms.superposition.metrics.kl_divergence`).  Each ``r_j`` is replaced by
  ``max(r_j, eps)`` (default ``eps = 1e-12``) so that a task with no mass gives a large finite value
  instead of infinity; the share of prompts where this happened is reported (``clipped_fraction``).
* ``sorted_mean_prob``: the mean over prompts of ``r`` sorted in decreasing
  order within each prompt (:func:`~skillgraph.mechanisms.superposition.metrics.sorted_mean`).
* ``tasks_in_parallel``: the number of tasks whose answer is among the top
  ``K`` completions of the prompt
  (:func:`~skillgraph.mechanisms.superposition.metrics.tasks_in_top_k`).

Everything is vectorised over prompts.

Modules, one idea each: ``prompts`` (proportions and counts), ``readout`` (answer probabilities),
``metrics``, ``estimate`` (means with intervals), ``model``
(:func:`~skillgraph.mechanisms.superposition.model.superpose`), ``tasks`` (tasks on a skill graph),
``measure`` (one measurement as rows), and the ``skillgraph superpose`` pipeline: ``config``,
``result``, ``summary``, ``figures``, ``pipeline``
(:func:`~skillgraph.mechanisms.superposition.pipeline.run` a
:class:`~skillgraph.mechanisms.superposition.config.SuperposeConfig` into a
:class:`~skillgraph.mechanisms.superposition.result.SuperposeResult`,
:func:`~skillgraph.mechanisms.superposition.pipeline.write_outputs`), and ``sweep_adapter``.
"""

import skillgraph.mechanisms.superposition.config as _config
import skillgraph.mechanisms.superposition.estimate as _estimate
import skillgraph.mechanisms.superposition.figures as _figures
import skillgraph.mechanisms.superposition.measure as _measure
import skillgraph.mechanisms.superposition.metrics as _metrics
import skillgraph.mechanisms.superposition.model as _model
import skillgraph.mechanisms.superposition.pipeline as _pipeline
import skillgraph.mechanisms.superposition.prompts as _prompts
import skillgraph.mechanisms.superposition.readout as _readout
import skillgraph.mechanisms.superposition.result as _result
import skillgraph.mechanisms.superposition.summary as _summary
import skillgraph.mechanisms.superposition.tasks as _tasks
from skillgraph.mechanisms.superposition.config import *
from skillgraph.mechanisms.superposition.estimate import *
from skillgraph.mechanisms.superposition.figures import *
from skillgraph.mechanisms.superposition.measure import *
from skillgraph.mechanisms.superposition.metrics import *
from skillgraph.mechanisms.superposition.model import *
from skillgraph.mechanisms.superposition.pipeline import *
from skillgraph.mechanisms.superposition.prompts import *
from skillgraph.mechanisms.superposition.readout import *
from skillgraph.mechanisms.superposition.result import *
from skillgraph.mechanisms.superposition.summary import *
from skillgraph.mechanisms.superposition.tasks import *

# Each submodule lists its public names once, in its own __all__ (the modules under private
# aliases: a star import may bind a function of the same name, as ``measure``).
__all__ = [
    *_prompts.__all__,
    *_readout.__all__,
    *_metrics.__all__,
    *_estimate.__all__,
    *_model.__all__,
    *_tasks.__all__,
    *_measure.__all__,
    *_config.__all__,
    *_result.__all__,
    *_summary.__all__,
    *_figures.__all__,
    *_pipeline.__all__,
]
