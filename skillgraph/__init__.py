"""skillgraph: simulate and check the theory of skill emergence in language models.

Arora & Goyal (arXiv 2307.15936) model a language model's skills as a random
bipartite graph between skills and text pieces.  This package samples such
graphs, measures competence on skills and skill tuples under failure models,
computes the analytical bounds, and runs sweeps and plots.  The mathematics is
written down in the documentation's *Theory* pages (``docs/theory/``).

The subpackages follow the flow of data:

``core``
    skill graphs, sampling, streaming, failure models, competence, edge files;
``theory``
    bounds, certificates, scaling laws (plain numpy/scipy, no numba);
``audit``
    adversaries and the check report;
``mechanisms``
    where ``theta`` and emergence come from (associative memories, induction
    heads, tasks in superposition);
``emergence``, ``sweep``
    the pipelines;
``plotting``, ``cli``
    figures and the command line.

The public names below are imported lazily, so ``import skillgraph`` is cheap
and ``skillgraph.alpha_star`` never pulls in numba.  No public name is also the
name of a module.
"""

from __future__ import annotations

import importlib
import warnings

__version__ = "0.2.0"

# public name -> module that defines it
_LAZY = {
    "SkillGraph": "core.graph",
    "sample_graph": "core.sampling",
    "stream": "core.streaming",
    "stream_plan": "core.streaming",
    "random_failures": "core.failures",
    "deficit_failures": "core.failures",
    "competence": "core.competence",
    "bad_fraction": "core.competence",
    "performance_curve": "core.competence",
    "tuple_bad_fraction": "core.competence",
    "load_edges": "core.io",
    "alpha_star": "theory.bounds",
    "tuple_alpha_star": "theory.bounds",
    "averaging_bound": "theory.bounds",
    "emergence_bound": "theory.bounds",
    "certified_alpha": "theory.certificates",
    "alpha_sharp": "theory.sharp",
    "sharp_bound": "theory.sharp",
    "certified_sharp": "theory.sharp",
    "sharp_tuple_bound": "theory.sharp_tuples",
    "ScalingLaw": "theory.scaling",
    "CHINCHILLA": "theory.scaling",
    "EPOCH": "theory.scaling",
    "KAPLAN": "theory.scaling",
    "theta_from_excess": "theory.scaling",
    "check": "audit.report",
    "emerge": "emergence.run",
    "run_sweep": "sweep.runner",
    "load_spec": "sweep.spec",
    "memory_error": "mechanisms.memory",
}
_SUBPACKAGES = (
    "core",
    "theory",
    "audit",
    "mechanisms",
    "emergence",
    "sweep",
    "plotting",
    "cli",
    "tables",
    "testing",
)
# old flat module names (before 0.2) -> their new homes; kept for one release
_MOVED_MODULES = {
    "graph": "core.graph",
    "failures": "core.failures",
    "bounds": "theory.bounds",
    "certificates": "theory.certificates",
    "scaling": "theory.scaling",
    "adversary": "audit.adversary",
    "executors": "sweep.executors",
    "store": "sweep.store",
    "sweep_spec": "sweep.spec",
    "plots": "plotting.figures",
}

__all__ = sorted(_LAZY) + sorted(_SUBPACKAGES)


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
        globals()[name] = value  # later look-ups skip this function
        return value
    if name in _SUBPACKAGES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _MOVED_MODULES:
        new = _MOVED_MODULES[name]
        warnings.warn(
            f"skillgraph.{name} moved to skillgraph.{new}; the old name goes in the next release",
            DeprecationWarning,
            stacklevel=2,
        )
        return importlib.import_module(f"{__name__}.{new}")
    raise AttributeError(f"module 'skillgraph' has no attribute {name!r}")


def __dir__():
    return __all__
