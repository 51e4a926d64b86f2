"""``skillgraph plot``: the figures of a sweep store, after saying what the store holds."""

from __future__ import annotations

import sys

from skillgraph.cli import _vocabulary as vocab
from skillgraph.cli._common import EXIT_FINDING, EXIT_INVALID, CommandError
from skillgraph.cli._json import absolute, emit_json
from skillgraph.cli._subcommand import subcommand

__all__ = ["add_parser", "run"]

_HELP = "figures of a finished or partial sweep"
_DESCRIPTION = (
    "Rebuild the figures of a sweep from its store DIR (finished or partial): emergence "
    "against scale, performance curves, bound against empirical. The store is checked "
    "first; what is missing or damaged is reported."
)
_EPILOG = """\
damaged and partial stores:
  A store with corrupt shards (truncated, failed checksum) or foreign files in DIR/shards
  (a shard of another sweep, an unknown name) is refused with status 2: rerun
  'skillgraph sweep SPEC --out DIR --resume' to recompute them, or pass --allow-damaged to
  plot the intact items (the skipped files are listed).  A partial store (items not run yet,
  or failed) is plotted with a warning on stderr that says how many items the figures show.
  Status 1: nothing to draw (no finished item yet, or none with a plottable quantity)."""


def _options(p) -> None:
    """The options of ``skillgraph plot``, in ``--help`` order."""
    p.add_argument("dir", metavar="DIR", help="a sweep store (skillgraph sweep --out DIR)")
    p.add_argument("--out", metavar="FIGDIR", help="where to write figures (default DIR/figures)")
    p.add_argument("--format", choices=("png", "pdf", "svg"), default="png", help="file format")
    vocab.add_flag(p, "--allow-damaged",
                   "plot the intact items of a store with corrupt or foreign shards (listed)")
    vocab.add_reporting(p, "print the files written (absolute paths) and the store's state as JSON")


add_parser = subcommand(__name__, _options, help=_HELP, description=_DESCRIPTION, epilog=_EPILOG)


def _only_figures(names: list[str]) -> bool:
    """Whether a directory of these files is figures drawn before runs were marked."""
    return all(name.endswith((".png", ".pdf", ".svg")) for name in names)


def _listed(names: list[str], most: int = 3) -> str:
    more = f", and {len(names) - most} more" if len(names) > most else ""
    return "; ".join(names[:most]) + more


def _damage(state: dict) -> str | None:
    """One sentence on the corrupt shards and foreign files, or ``None``."""
    parts = []
    if state["corrupt"]:
        parts.append(f"{len(state['corrupt'])} corrupt shard(s) ({_listed(state['problems'])})")
    if state["foreign"]:
        parts.append(f"{len(state['foreign'])} foreign file(s) in shards/ "
                     f"({_listed(state['foreign'])})")  # fmt: skip
    return " and ".join(parts) or None


def check_store(path, *, allow_damaged: bool = False) -> dict:
    """Scan a store before plotting it: refuse damage, warn about missing items.

    Returns
    -------
    dict
        :meth:`SweepStore.scan` of the store, with ``n_items``.

    Raises
    ------
    CommandError
        (status 2) The store has corrupt or foreign shards and ``allow_damaged``
        is false.
    StoreError
        ``path`` is not a sweep store, or its manifest is damaged.
    """
    from skillgraph.sweep.store import StoreError, SweepStore

    try:
        store = SweepStore.open(path)
    except StoreError as exc:
        if "manifest.json' is damaged" not in str(exc):
            raise
        raise StoreError(f"{exc}; 'skillgraph sweep SPEC --out {path} --resume' repairs it "
                         "from the spec") from None  # fmt: skip
    state = store.scan()
    damage = _damage(state)
    if damage and not allow_damaged:
        raise CommandError(
            f"the store {str(path)!r} is damaged: {damage}; rerun 'skillgraph sweep SPEC "
            f"--out {path} --resume' to recompute them, or pass --allow-damaged to plot the "
            "intact items",
            EXIT_INVALID,
        )
    if damage:
        print(f"skillgraph plot: warning: skipping {damage}", file=sys.stderr)
    n_left = store.n_items - len(state["ok"])
    if n_left:
        print(
            f"skillgraph plot: warning: the figures show {len(state['ok'])} of {store.n_items} "
            f"items ({len(state['missing'])} not run yet, {len(state['error'])} failed, "
            f"{len(state['corrupt'])} damaged)",
            file=sys.stderr,
        )
    return {**state, "n_items": store.n_items}


def run(args) -> int:
    """Check the store and the output directory, then draw the figures."""
    from skillgraph.cli._common import staged_output
    from skillgraph.sweep.figures import plot_store

    state = check_store(args.dir, allow_damaged=args.allow_damaged)
    written = []
    if state["ok"]:
        out = args.out if args.out is not None else f"{args.dir}/figures"
        with staged_output(out, "plot", legacy=_only_figures) as stage:
            written = stage.final(plot_store(args.dir, out=stage.path, fmt=args.format,
                                               progress=args.progress))
    if args.json:
        summary = {key: len(state[key]) for key in ("ok", "error", "corrupt", "missing")}
        emit_json("plot", {"store": absolute(args.dir), "written": [absolute(p) for p in written],
                           "n_items": state["n_items"], "items": summary,
                           "foreign": state["foreign"]})
    else:
        for path in written:
            print(path)
    if not written:
        why = (
            "its finished items hold no quantity these figures draw (mechanism sweeps: "
            "read results.csv)"
            if state["ok"]
            else "the store holds no finished items yet"
        )
        print(f"skillgraph plot: no figures: {why}", file=sys.stderr)
        return EXIT_FINDING
    return 0
