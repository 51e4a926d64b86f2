"""The package's shape: imports run one way, no cycles, no private names across modules,
public names are functions and classes (no callable modules)."""

from __future__ import annotations

import ast
import inspect
import types
from pathlib import Path

import pytest

import skillgraph

ROOT = Path(skillgraph.__file__).resolve().parent

# layer of each subpackage: a module may import from its own layer or lower ones only
LAYERS = {
    "_": 0,  # private helpers: _rng, _validation, _resources, _progress, _kernels, tables
    "core": 1,
    "theory": 2,
    "audit": 3,
    "mechanisms": 4,
    "emergence": 4,
    "sweep": 5,
    "plotting": 3,  # drawing primitives: pipelines draw their figures with them
    "testing": 5,
    "cli": 6,
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[str, list[str], bool]]:
    """(module imported, names, at module level?) for every skillgraph import of ``path``."""
    tree = ast.parse(path.read_text())
    top = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "skillgraph" or node.module.startswith("skillgraph."):
                names = [a.name for a in node.names]
                found.append((node.module, names, id(node) in top))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("skillgraph."):
                    found.append((alias.name, [], id(node) in top))
    return found


# modules that sit above their subpackage's layer
LAYER_OF_MODULE = {"skillgraph.plotting.sweep_figures": 5}  # reads sweep stores


def _layer(module: str) -> int:
    if module in LAYER_OF_MODULE:
        return LAYER_OF_MODULE[module]
    parts = module.split(".")
    if len(parts) == 1:
        return 0
    head = parts[1]
    if head.startswith("_") or head == "tables":
        return 0
    return LAYERS[head]


MODULES = {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def _resolve(module: str, names: list[str]) -> list[str]:
    """The modules an import statement loads (``from skillgraph.core import graph`` -> graph)."""
    targets = [module]
    for name in names:
        if f"{module}.{name}" in MODULES:
            targets.append(f"{module}.{name}")
    return targets


def test_every_subpackage_has_a_layer():
    heads = {m.split(".")[1] for m in MODULES if m.count(".") >= 1}
    assert all(h.startswith("_") or h in LAYERS or h == "tables" for h in heads), heads


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_run_one_way_and_read_no_private_names(module):
    if module == "skillgraph" or module.endswith("__main__"):
        return  # the package's lazy table and the entry point sit above every layer
    own = _layer(module)
    for target, names, _ in _imports(MODULES[module]):
        if target == "skillgraph":
            continue  # ``from skillgraph import __version__`` and the like
        assert _layer(target) <= own, f"{module} (layer {own}) imports {target}"
        if target.split(".")[1].startswith("_") and target != "skillgraph._kernels":
            continue  # private helper modules exist to be imported
        private = [n for n in names if n.startswith("_") and n != "_kernels"]
        assert not private, f"{module} reads private names {private} of {target}"


def test_module_level_imports_have_no_cycles():
    graph = {
        m: {t for target, names, top in _imports(p) if top for t in _resolve(target, names)
            if t in MODULES and t != m}
        for m, p in MODULES.items()
    }
    # a package __init__ importing its own submodules is how packages are assembled
    for m in graph:
        graph[m] = {t for t in graph[m] if not t.startswith(m + ".")}
    state: dict[str, int] = {}

    def visit(node, stack):
        state[node] = 1
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt):] + [nxt]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = 2

    for m in graph:
        if m not in state:
            visit(m, [m])


def test_theory_never_needs_numba():
    for name, path in MODULES.items():
        if name.startswith("skillgraph.theory"):
            for target, _, _ in _imports(path):
                assert "_kernels" not in target and not target.startswith("skillgraph.core"), (
                    f"{name} imports {target}"
                )


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
