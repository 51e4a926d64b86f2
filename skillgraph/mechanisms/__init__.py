"""Mechanisms: where ``theta`` and the unlearned skills come from.

Small models that can be simulated exactly and produce, from one mechanism,
both a failure rate ``theta`` and the set of skills a model has not learned:
associative memories (:mod:`skillgraph.mechanisms.memory`); emergence in
training time, in a two-layer transformer trained in numpy
(:mod:`skillgraph.mechanisms.induction`); and a labelled toy of tasks in
superposition (:mod:`skillgraph.mechanisms.superposition`).  The three never
import each other.  Each has one pipeline shape: a frozen ``Config`` in,
``run(config)`` returning a frozen result whose ``figures()`` draws it, and
``write_outputs(result, out_dir)``; and a ``sweep_adapter`` module that the
sweep engine registers.  The public names below are imported lazily, so
importing the subpackage stays cheap.
"""

from __future__ import annotations

import importlib

# public name -> module of this subpackage that defines it (one line per name)
_LAZY = {
    "memory_error": "memory",
    "memory_recall": "memory",
    "MemoryCurve": "memory",
    "data_term": "memory",
    "data_term_asymptotic": "memory",
    "capacity_term": "memory",
    "analytic_error": "memory",
    "memory_failures": "memory",
    "stream_memory_failures": "memory",
    "MemoryConfig": "memory",
    "MemoryResult": "memory",
    "superpose": "superposition",
    "SuperpositionResult": "superposition",
    "sample_task_set": "superposition",
    "task_competences": "superposition",
    "answer_probabilities": "superposition",
    "kl_divergence": "superposition",
    "tasks_in_top_k": "superposition",
    "sorted_mean": "superposition",
    "SuperposeConfig": "superposition",
    "SuperposeResult": "superposition",
    "InductionConfig": "induction",
    "InductionRun": "induction",
    "train_induction": "induction",
    # deprecated (0.3): the pipelines are memory.run, superposition.run, induction.run
    "run_memory": "_deprecated",
    "run_superpose": "_deprecated",
    "induction_report": "_deprecated",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
        globals()[name] = value  # later look-ups skip this function
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return __all__
