"""Cross-references for the site: short public paths, the top-level table, the CLI epilog.

* A reference to a short public path (``skillgraph.stream``, the top-level
  name) lands on the page of the object's definition
  (``skillgraph.core.streaming.stream``).
* ``.. skillgraph-top-level::`` renders the table of ``skillgraph.__all__``.
* ``.. skillgraph-cli-epilog::`` renders the epilog of ``skillgraph --help``.
"""

from __future__ import annotations

import importlib
import re

from sphinx.util.docutils import SphinxDirective


class TopLevelNames(SphinxDirective):
    """``.. skillgraph-top-level::``: a table of ``skillgraph.__all__`` linking to each definition.

    Generated from the package itself, so a name added to the top level shows
    up here without editing the page.
    """

    def run(self):
        import skillgraph

        lines = [".. list-table::", "   :header-rows: 1", "   :widths: 30 70", "",
                 "   * - name", "     - what it is"]
        for name in skillgraph.__all__:
            value = getattr(skillgraph, name)
            if isinstance(value, type(skillgraph)):
                target, summary = value.__name__, _first_line(value.__doc__)
                role = "mod"
                if name == "cli":
                    lines += [f"   * - :doc:`skillgraph.{name} </cli>`", f"     - {summary}"]
                    continue
            else:
                target = f"skillgraph.{skillgraph._LAZY[name]}.{name}"
                summary = _first_line(getattr(value, "__doc__", None)) if callable(value) else ""
                role = "obj"
            lines += [f"   * - :{role}:`skillgraph.{name} <{target}>`", f"     - {summary}"]
        return self.parse_text_to_nodes("\n".join(lines))


class CliEpilog(SphinxDirective):
    """``.. skillgraph-cli-epilog::``: the epilog of ``skillgraph --help``, verbatim.

    Read from the parser itself, so the page and ``--help`` cannot disagree.
    """

    def run(self):
        from docutils import nodes

        from skillgraph.cli import build_parser

        text = build_parser().epilog or ""
        return [nodes.literal_block(text, text)]


def _first_line(doc: str | None) -> str:
    """The first line of a docstring (its summary), roles turned into literals, or ''."""
    line = doc.strip().splitlines()[0] if doc and doc.strip() else ""
    # a relative role (:func:`run_emerge`) has no module context in this table
    return re.sub(r":[a-z:]+:`~?([^`<]*?)\s*(?:<[^>]*>)?`", r"``\1``", line)


def _import_path(path: str):
    """The object a dotted path names, by importing and following attributes, or None.

    A deprecated alias (one that warns on access) counts as not found: the
    documentation must use the current name.
    """
    import warnings

    parts = path.split(".")
    for split in range(len(parts), 0, -1):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                obj = importlib.import_module(".".join(parts[:split]))
                for attr in parts[split:]:
                    obj = getattr(obj, attr)
            return obj
        except (ImportError, AttributeError, Warning):
            continue
    return None


def canonical_name(path: str) -> str | None:
    """Where the object that ``path`` names is documented (``module.qualname``), or None.

    ``skillgraph.stream`` names the function defined in
    ``skillgraph.core.streaming``; this returns that name, so a reference to
    the short public path lands on the page of the definition.
    """
    import skillgraph

    obj = _import_path(path)
    if obj is None:
        return None
    if isinstance(obj, type(skillgraph)):
        return obj.__name__
    module, qualname = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
    if module and qualname and module.startswith("skillgraph"):
        return f"{module}.{qualname}"
    head, _, name = path.rpartition(".")
    if head == "skillgraph" and name in skillgraph._LAZY:  # a top-level constant
        return f"skillgraph.{skillgraph._LAZY[name]}.{name}"
    return None


def _missing_reference(app, env, node, contnode):
    """Resolve a short public path to the name its object is documented under.

    A reference to ``skillgraph.stream`` (the top-level name), or to any path
    under which an object is importable, lands on the page of the definition
    (``skillgraph.core.streaming.stream``).  Anything else is left to Sphinx,
    which reports it (``nitpicky``).
    """
    if node.get("refdomain") != "py":
        return None
    target = node.get("reftarget", "")
    if not target.startswith("skillgraph."):
        return None
    canonical = canonical_name(target)
    if not canonical or canonical == target:
        return None
    domain = env.get_domain("py")
    resolved = domain.resolve_xref(
        env, node["refdoc"], app.builder, node["reftype"], canonical, node, contnode
    )
    if resolved is None and node["reftype"] != "obj":
        resolved = domain.resolve_xref(
            env, node["refdoc"], app.builder, "obj", canonical, node, contnode
        )
    return resolved


def setup(app):
    app.add_directive("skillgraph-top-level", TopLevelNames)
    app.add_directive("skillgraph-cli-epilog", CliEpilog)
    app.connect("missing-reference", _missing_reference)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
