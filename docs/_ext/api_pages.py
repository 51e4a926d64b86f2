"""Write the API reference pages from the package itself, so they never fall behind it.

At the start of every build this extension writes one page per subpackage of
``skillgraph`` into ``docs/api/packages/`` (generated, not tracked): the
subpackage's docstring (or the short introduction below), then one section
per public module with its docstring and an ``autosummary`` table of the names
in its ``__all__`` that the module *defines*.  A name a module merely
re-exports is documented once, where it is defined (or, when that is a private
module, where a public module exports it).  autosummary then writes
one stub page per name into ``docs/api/generated/``; stubs of names that
moved or left ``__all__`` are deleted, since autosummary never deletes one.

A public module (no ``_`` in its dotted name) without ``__all__`` is a
warning: its public names would be unknown, and ``-W`` fails the build.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

from sphinx.util import logging

logger = logging.getLogger(__name__)

#: Subpackages in reading order, with the introduction used when a subpackage's
#: own docstring is only a placeholder (a single word).
SUBPACKAGES = {
    "core": (
        "Graphs, failures, competence",
        "The skill graph, how it is sampled or streamed, where its failure sets come "
        "from, and the competence they leave (:doc:`/theory/graph`, "
        ":doc:`/theory/failure_models`, :doc:`/theory/tuples`).",
    ),
    "theory": (
        "Bounds, certificates, scaling laws",
        "The paper's bounds (:doc:`/theory/theorem1`, :doc:`/theory/tuples`), the "
        "finite-size certificates (:doc:`/theory/certificates`), the sharp worst case "
        "(:doc:`/theory/sharp`) and the scaling laws that turn model scale into a failure "
        "rate (:doc:`/theory/loss_to_theta`).  Plain numpy and scipy: importing this "
        "subpackage never imports numba, so your own test suite can use the bounds "
        "without the simulator.",
    ),
    "audit": (
        "Adversaries and the check report",
        "Searches for the worst failure set (:ref:`theory-adversaries`) and the check "
        "report, which holds them against the certificates on one graph, sampled or the "
        "user's own (:doc:`/theory/certificates`).",
    ),
    "mechanisms": (
        "Where theta comes from",
        "Small models that can be simulated exactly (:doc:`/theory/memory`, "
        ":doc:`/theory/induction`, :doc:`/theory/superposition`).",
    ),
    "emergence": (
        "The emerge pipeline",
        "What ``skillgraph emerge`` runs (:doc:`/theory/loss_to_theta`, :doc:`/theory/tuples`).",
    ),
    "sweep": (
        "Simulation sweeps",
        "Grids of simulations from a TOML spec (format: ``sims/README.md``), run on any "
        "executor with a ``map`` method into a crash-safe, resumable store.  The gallery "
        "example :doc:`/auto_gallery/plot_03_sweep` runs one.",
    ),
    "plotting": (
        "Figures",
        "One implementation of each figure, from a tidy table, with matplotlib's "
        "object-oriented API (each function returns a :class:`matplotlib.figure.Figure`).",
    ),
}
#: Top-level modules, each on its own page.
MODULES = {
    "tables": "Tidy tables",
    "testing": "Hypothesis strategies",
    "schemas": "JSON Schemas of the --json outputs",
}
#: Documented elsewhere: the command line has its own reference page.
EXCLUDED = ("skillgraph.cli",)

OUT_DIR = Path("api") / "packages"
STUBS = "../generated"


def _public_submodules(package: str) -> list[str]:
    """Dotted names of the public modules inside ``package`` (not itself), sorted."""
    root = importlib.import_module(package)
    if not hasattr(root, "__path__"):
        return []
    names = []
    for info in pkgutil.walk_packages(root.__path__, prefix=f"{package}."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        if not info.name.startswith(EXCLUDED):
            names.append(info.name)
    return sorted(names)


def _assigned_names(module) -> set[str]:
    """Names bound by a top-level assignment in the module's source."""
    try:
        tree = ast.parse(inspect.getsource(module))
    except (OSError, TypeError):
        return set()
    names = set()
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else (
            [node.target] if isinstance(node, ast.AnnAssign) else []
        )
        for target in targets:
            if isinstance(target, ast.Name):
                names.add(target.id)
    return names


def _private(dotted: str | None) -> bool:
    """Whether a dotted module name is private (has a part starting with ``_``)."""
    return bool(dotted) and any(part.startswith("_") for part in dotted.split("."))


def defined_names(module) -> list[str]:
    """The names of ``module.__all__`` that the module defines (re-exports left out).

    A function or class defined in a private module (``skillgraph._executors``)
    counts as defined by the public module that exports it: private modules have
    no page, so that is where it is documented.
    """
    assigned = _assigned_names(module)
    out = []
    for name in getattr(module, "__all__", ()):
        value = getattr(module, name, None)
        if inspect.ismodule(value):
            continue
        if inspect.isfunction(value) or inspect.isclass(value):
            home = getattr(value, "__module__", None)
            if home == module.__name__ or (_private(home) and not _private(module.__name__)):
                out.append(name)
        elif name in assigned:
            out.append(name)
        elif callable(value) and getattr(value, "__module__", None) == module.__name__:
            out.append(name)  # a decorated function (hypothesis strategies, caches)
    return out


def _first_line(doc: str | None) -> str:
    return doc.strip().splitlines()[0].strip() if doc and doc.strip() else ""


def _module_section(name: str, level: str) -> list[str]:
    """rst for one module: its docstring and a table of the names it defines."""
    module = importlib.import_module(name)
    if not hasattr(module, "__all__"):
        logger.warning("public module %s has no __all__: its public names are unknown", name)
    title = f"``{name}``"
    lines = [title, level * len(title), "", f".. automodule:: {name}", "   :no-members:", ""]
    names = defined_names(module)
    if names:
        lines += [f".. currentmodule:: {name}", "", ".. autosummary::",
                  f"   :toctree: {STUBS}", "   :nosignatures:", ""]
        lines += [f"   {n}" for n in names]
        lines.append("")
    return lines


def _intro(package: str, fallback: str) -> list[str]:
    module = importlib.import_module(package)
    doc = (module.__doc__ or "").strip()
    if len(doc.split()) > 3:  # a real docstring, not a placeholder
        return [f".. automodule:: {package}", "   :no-members:", ""]
    return [f".. module:: {package}", "", fallback, ""]


def package_page(short: str) -> str:
    """The rst page of ``skillgraph.<short>``."""
    package = f"skillgraph.{short}"
    title, fallback = SUBPACKAGES[short]
    heading = f"``{package}``: {title.lower()}" if title else f"``{package}``"
    lines = [f".. _api-{short}:", "", heading, "=" * len(heading), ""]
    lines += _intro(package, fallback)
    for name in _public_submodules(package):
        lines += _module_section(name, "-")
    return "\n".join(lines)


def module_page(short: str) -> str:
    """The rst page of the top-level module ``skillgraph.<short>``."""
    name = f"skillgraph.{short}"
    heading = f"``{name}``: {MODULES[short].lower()}"
    lines = [f".. _api-{short}:", "", heading, "=" * len(heading), ""]
    section = _module_section(name, "-")
    return "\n".join(lines + section[3:])  # the page title replaces the section title


def unplaced_modules() -> list[str]:
    """Public modules that no generated page covers (a new subpackage, say)."""
    covered = {f"skillgraph.{s}" for s in SUBPACKAGES} | {f"skillgraph.{m}" for m in MODULES}
    out = []
    for name in _public_submodules("skillgraph"):
        if not any(name == c or name.startswith(c + ".") for c in covered):
            out.append(name)
    return out


def documented_names() -> set[str]:
    """Dotted names of every object the generated pages give a stub page."""
    modules = [name for s in SUBPACKAGES for name in _public_submodules(f"skillgraph.{s}")]
    modules += [f"skillgraph.{m}" for m in MODULES]
    out = set()
    for name in modules:
        out.update(f"{name}.{n}" for n in defined_names(importlib.import_module(name)))
    return out


def remove_stale_stubs(stub_dir: Path) -> None:
    """Delete the stub pages of names that moved or left ``__all__``.

    autosummary writes stubs but never deletes one, and a stub left behind is
    a page in no toctree (a warning, hence a failed build) that documents a
    name at a path where it no longer lives.
    """
    if not stub_dir.is_dir():
        return
    keep = documented_names()
    for path in stub_dir.glob("skillgraph.*.rst"):
        if path.stem not in keep:
            path.unlink()


def write_pages(app) -> None:
    """Write ``api/packages/*.rst`` (only files whose content changed), drop stale stubs."""
    out = Path(app.srcdir) / OUT_DIR
    out.mkdir(parents=True, exist_ok=True)
    pages = {f"{s}.rst": package_page(s) for s in SUBPACKAGES}
    pages.update({f"{m}.rst": module_page(m) for m in MODULES})
    for filename, text in pages.items():
        path = out / filename
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
    remove_stale_stubs((out / STUBS).resolve())
    for name in unplaced_modules():
        logger.warning("public module %s is on no API page (docs/_ext/api_pages.py)", name)
    # the environment listed the source files before this handler ran; autosummary
    # generates stubs for the listed files only
    app.env.find_files(app.config, app.builder)


def setup(app):
    # before autosummary (priority 500) generates the stubs of the pages written here
    app.connect("builder-inited", write_pages, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
