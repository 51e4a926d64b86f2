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
import importlib.abc
import importlib.util
import sys
import types
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
    "alpha_star": "theory.bound_values",
    "tuple_alpha_star": "theory.bound_values",
    "averaging_bound": "theory.bound_values",
    "emergence_bound": "theory.bound_result",
    "certified_alpha": "theory.certificates",
    "alpha_sharp": "theory.sharp",
    "sharp_bound": "theory.sharp",
    "certified_sharp": "theory.sharp_certificate",
    "sharp_tuple_bound": "theory.sharp_tuples",
    "tuple_certificate": "theory.tuple_certificate",
    "certified_sharp_mass": "theory.sharp_measure",
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
    "plotting.sweep_figures": "sweep.figures",  # moved so that plotting never imports sweep
}

__all__ = sorted(_LAZY) + sorted(_SUBPACKAGES)


def _moved_warning(old: str, new: str) -> None:
    warnings.warn(
        f"skillgraph.{old} moved to skillgraph.{new}; the old name goes in the next release",
        DeprecationWarning,
        stacklevel=3,
    )


class _MovedModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """``import skillgraph.bounds`` (and ``from skillgraph.bounds import x``) for one release.

    A finder on ``sys.meta_path`` that answers only for the old names of
    ``_MOVED_MODULES``: the old name becomes a small module holding the new
    module's names (a warning says where it moved); the new module itself is
    left as it is.
    """

    def find_spec(self, fullname, path=None, target=None):
        old = fullname.partition(".")[2]
        if fullname.startswith(f"{__name__}.") and old in _MOVED_MODULES:
            return importlib.util.spec_from_loader(fullname, self)
        return None

    def create_module(self, spec):
        return None  # the default: a fresh module named after the old name

    def exec_module(self, module: types.ModuleType) -> None:
        old = module.__name__.partition(".")[2]
        new = importlib.import_module(f"{__name__}.{_MOVED_MODULES[old]}")
        _moved_warning(old, _MOVED_MODULES[old])
        public = getattr(new, "__all__", [n for n in vars(new) if not n.startswith("_")])
        module.__dict__.update({name: getattr(new, name) for name in public})
        module.__dict__["__all__"] = list(public)
        module.__dict__["__getattr__"] = lambda name: getattr(new, name)


if not any(isinstance(finder, _MovedModules) for finder in sys.meta_path):
    sys.meta_path.append(_MovedModules())


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
        globals()[name] = value  # later look-ups skip this function
        return value
    if name in _SUBPACKAGES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _MOVED_MODULES:
        return importlib.import_module(f"{__name__}.{name}")  # warns through _MovedModules
    raise AttributeError(f"module 'skillgraph' has no attribute {name!r}")


def __dir__():
    return __all__
