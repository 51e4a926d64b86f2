"""The package's shape, measured from every import statement.

Every import counts: at module level, inside functions, under ``if
TYPE_CHECKING``, at the bottom of a module, absolute or relative.  There is no
exemption: imports run one way (a layer imports its own layer or lower ones),
there is no cycle between modules and none between subpackages, deferred
imports of the package's own modules are few, no module reads another's
private names, and public names are functions and classes (no callable
modules).
"""

from __future__ import annotations

import ast
import inspect
import subprocess
import sys
import types
from pathlib import Path

import pytest

import skillgraph

ROOT = Path(skillgraph.__file__).resolve().parent

# layer of each subpackage: a module may import from its own layer or lower ones only
LAYERS = {
    "_": 0,  # private helpers: _rng, _validation, _resources, _progress, _jit, _kernels, tables
    "schemas": 0,  # the JSON Schemas of the command line's --json output: data, no imports
    "core": 1,
    "theory": 2,
    "audit": 3,
    "plotting": 3,  # drawing primitives: pipelines draw their figures with them
    "mechanisms": 4,
    "emergence": 4,
    "sweep": 5,
    "testing": 5,
    "cli": 6,
}
# deferred imports (inside a function or an ``if``) of the package's own modules, outside
# the command line (whose subcommands load their pipeline when run); the numba boundary
# is one of them (skillgraph._jit)
MAX_DEFERRED = 10


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def _parse_imports(source: str, package: str) -> list[tuple[str, list[str], int, bool]]:
    """``(module imported, names, line, at module level?)`` of every skillgraph import.

    ``package`` resolves relative imports (the module's package).
    """
    tree = ast.parse(source)
    top = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            target = node.module or ""
            if node.level:  # relative: resolved against the module's package
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            if target.split(".")[0] == "skillgraph":
                found.append((target, [a.name for a in node.names], node.lineno, id(node) in top))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "skillgraph":
                    found.append((alias.name, [], node.lineno, id(node) in top))
    return sorted(found, key=lambda found: found[2])


def _imports(module: str) -> list[tuple[str, list[str], int, bool]]:
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    return _parse_imports(path.read_text(), package)


def _targets(target: str, names: list[str]) -> set[str]:
    """The modules whose code an import statement reads.

    ``from skillgraph.core import graph`` reads the module ``core.graph``;
    ``from skillgraph.core.graph import SkillGraph`` and ``import
    skillgraph.core.graph`` read ``core.graph``; a name that is not a
    submodule is read from the package itself.
    """
    subs = {f"{target}.{n}" for n in names if f"{target}.{n}" in MODULES}
    if not names or len(subs) < len(names):
        subs.add(target)
    return subs


GRAPH = {
    m: {t for target, names, _, _ in _imports(m) for t in _targets(target, names)} - {m}
    for m in MODULES
}


def _subpackage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "skillgraph"


def _layer(module: str) -> int:
    head = _subpackage(module)
    if head.startswith("_") or head in ("tables", "skillgraph"):
        return 0
    return LAYERS[head]


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_every_subpackage_has_a_layer():
    heads = {_subpackage(m) for m in MODULES}
    assert all(h.startswith("_") or h in LAYERS or h in ("tables", "skillgraph") for h in heads)


def test_the_import_counter_sees_every_kind_of_import():
    source = (
        "from typing import TYPE_CHECKING\n"
        "import skillgraph.core.graph\n"
        "if TYPE_CHECKING:\n    from skillgraph.theory import bounds\n"
        "def f():\n    from . import counts\n    from ..audit.report import check\n"
        "from skillgraph.sweep.spec import load_spec  # at the bottom\n"
    )
    found = _parse_imports(source, "skillgraph.core")
    assert [(t, top) for t, _, _, top in found] == [
        ("skillgraph.core.graph", True),
        ("skillgraph.theory", False),
        ("skillgraph.core", False),
        ("skillgraph.audit.report", False),
        ("skillgraph.sweep.spec", True),
    ]
    assert _targets("skillgraph.theory", ["bounds"]) == {"skillgraph.theory.bounds"}
    assert _targets("skillgraph.core", ["counts", "SkillGraph"]) == {
        "skillgraph.core.counts", "skillgraph.core"}  # fmt: skip


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_between_modules():
    assert _cycles(GRAPH) == []


def test_no_import_cycle_between_subpackages():
    heads: dict[str, set[str]] = {}
    for module, targets in GRAPH.items():
        heads.setdefault(_subpackage(module), set()).update(
            _subpackage(t) for t in targets if _subpackage(t) != _subpackage(module)
        )
    assert _cycles(heads) == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_run_one_way_and_read_no_private_names(module):
    own = _layer(module) if module not in ("skillgraph", "skillgraph.__main__") else 99
    for target, names, line, _ in _imports(module):
        for t in _targets(target, names):
            assert _layer(t) <= own, f"{module}:{line} (layer {own}) imports {t}"
        if _subpackage(target).startswith("_"):
            continue  # private helper modules exist to be imported
        private = [
            n for n in names
            if n.startswith("_") and not n.endswith("__") and f"{target}.{n}" not in MODULES
        ]  # fmt: skip  (a private module, or a dunder such as __version__, may be imported)
        assert not private, f"{module}:{line} reads private names {private} of {target}"


def test_few_deferred_imports_of_the_package_outside_the_command_line():
    deferred = [
        f"{m}:{line} {target}"
        for m in MODULES if _subpackage(m) != "cli"
        for target, _, line, top in _imports(m) if not top
    ]  # fmt: skip
    assert len(deferred) < MAX_DEFERRED, "\n".join(deferred)


def test_numba_is_imported_in_one_place():
    importers = sorted(
        m for m in MODULES for target, names, _, _ in _imports(m)
        if "skillgraph._kernels" in _targets(target, names)
    )  # fmt: skip
    assert importers == ["skillgraph._jit"], importers


def test_every_public_dataclass_is_frozen():
    """Results, configurations and parameter objects are values: none can be changed."""
    import dataclasses
    import importlib

    mutable = []
    for name in MODULES:
        if name in ("skillgraph._kernels", "skillgraph.__main__"):
            continue  # compiling the kernels is not needed to read the classes
        for obj in vars(importlib.import_module(name)).values():
            if (isinstance(obj, type) and obj.__module__ == name and dataclasses.is_dataclass(obj)
                    and not obj.__name__.startswith("_")
                    and not obj.__dataclass_params__.frozen):  # fmt: skip
                mutable.append(f"{name}.{obj.__name__}")
    assert mutable == []


def test_theory_never_needs_numba():
    for name in MODULES:
        if _subpackage(name) == "theory":
            for target, _, _, _ in _imports(name):
                # _display: the notebook mixin of the results (numpy only, never numba);
                # _docstrings: the shared numpydoc entries (standard library only);
                # _skill_measure: the measure mu1 the sampler also draws from (numpy only)
                allowed = ("theory", "_validation", "_display", "_docstrings", "_skill_measure")
                assert _subpackage(target) in allowed, f"{name} imports {target}"


def test_importing_the_spec_parser_loads_neither_numba_nor_the_mechanisms():
    code = (
        "import sys, skillgraph.sweep.spec\n"
        "heavy = [m for m in sys.modules if m.split('.')[0] == 'numba'"
        " or m.startswith(('skillgraph._kernels', 'skillgraph.mechanisms'))]\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


@pytest.mark.parametrize("name", sorted(skillgraph.__all__))
def test_public_names_are_what_they_say(name):
    value = getattr(skillgraph, name)
    if name in skillgraph._SUBPACKAGES:
        assert isinstance(value, types.ModuleType)
    else:
        assert not isinstance(value, types.ModuleType), f"skillgraph.{name} is a module"
    assert type(value).__name__ != "_CallableModule"


def test_functions_share_no_name_with_a_module():
    assert inspect.isfunction(skillgraph.stream)
    assert inspect.isfunction(skillgraph.check)
    assert inspect.isfunction(skillgraph.competence)
    assert inspect.isfunction(skillgraph.emerge)
    for path in ROOT.rglob("*.py"):
        assert "__class__ = " not in path.read_text(), f"{path}: a module class swap"


_OLD_NAMES = """
import importlib, warnings
import skillgraph
for old, new in sorted(skillgraph._MOVED_MODULES.items()):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        alias = importlib.import_module("skillgraph." + old)
    target = importlib.import_module("skillgraph." + new)
    assert [w.category for w in caught] == [DeprecationWarning], (old, caught)
    assert "skillgraph." + new in str(caught[0].message)
    assert all(getattr(alias, n) is getattr(target, n) for n in target.__all__), old
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    from skillgraph.bounds import alpha_star
assert alpha_star is skillgraph.theory.bounds.alpha_star and not caught  # imported once
print("ok")
"""


def test_old_module_names_import_with_a_deprecation_warning():
    out = subprocess.run([sys.executable, "-c", _OLD_NAMES], capture_output=True, text=True)
    assert out.stdout.strip() == "ok", out.stdout + out.stderr
    with pytest.warns(DeprecationWarning, match="skillgraph.theory.scaling"):
        assert skillgraph.scaling.KAPLAN is skillgraph.theory.scaling.KAPLAN
