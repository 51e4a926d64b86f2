"""``skillgraph plot``: the figures of a sweep store."""

from __future__ import annotations

import sys

__all__ = ["add_parser", "run"]


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "plot",
        help="figures of a finished or partial sweep",
        description="Rebuild the figures of a sweep from its store DIR (finished or partial): "
        "emergence against scale, performance curves, bound against empirical.",
    )
    p.add_argument("dir", metavar="DIR", help="a sweep store (skillgraph sweep --out DIR)")
    p.add_argument("--out", metavar="FIGDIR", help="where to write figures (default DIR/figures)")
    p.add_argument("--format", choices=("png", "pdf", "svg"), default="png", help="file format")
    p.set_defaults(func=run)


def run(args) -> int:
    from skillgraph.plotting.sweep_figures import plot_store

    written = plot_store(args.dir, out=args.out, fmt=args.format)
    for path in written:
        print(path)
    if not written:
        print("no figures: the store holds no finished items yet", file=sys.stderr)
        return 1
    return 0
