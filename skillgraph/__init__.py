"""skillgraph: simulate and check the theory of skill emergence in language models.

Arora & Goyal (arXiv 2307.15936) model a language model's skills as a random
bipartite graph between skills and text pieces.  This package samples such
graphs, measures competence on skills and skill tuples under failure models,
computes the analytical bounds (see ``theory.md``), and runs sweeps and plots.

Submodules are imported lazily so that, for example, ``skillgraph.bounds``
never pulls in numba: ``import skillgraph`` is cheap.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# public name -> submodule that defines it
_LAZY = {
    "SkillGraph": "graph",
    "sample_graph": "graph",
    "bad_fraction": "competence",
    "performance_curve": "competence",
    "tuple_bad_fraction": "competence",
    "alpha_star": "bounds",
    "tuple_alpha_star": "bounds",
    "averaging_bound": "bounds",
    "ScalingLaw": "scaling",
    "CHINCHILLA": "scaling",
    "EPOCH": "scaling",
    "KAPLAN": "scaling",
    "theta_from_excess": "scaling",
    "check": "check",
    "stream": "stream",
}
_SUBMODULES = {
    "graph",
    "failures",
    "competence",
    "bounds",
    "scaling",
    "testing",
    "cli",
    "adversary",
    "certificates",
    "check",
    "emerge",
    "plots",
    "sweep",
    "sweep_spec",
    "store",
    "executors",
    "sweep_plots",
    "stream",
}

__all__ = sorted(_LAZY) + sorted(_SUBMODULES)


def __getattr__(name: str):
    if name in _LAZY:
        module = importlib.import_module(f"{__name__}.{_LAZY[name]}")
        return getattr(module, name)
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'skillgraph' has no attribute {name!r}")


def __dir__():
    return __all__
