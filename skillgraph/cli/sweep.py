"""``skillgraph sweep``: run a sweep spec into a resumable store."""

from __future__ import annotations

import sys

from skillgraph.cli._common import CommandError

__all__ = ["add_parser", "run"]


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "sweep",
        help="run a Monte Carlo sweep from a TOML spec into a resumable store",
        description="Run the work items of a sweep spec (format: sims/README.md) and store "
        "one shard per finished item in DIR, then the tidy table DIR/results.csv. "
        "Exit status: 0 all items ok, 1 some items failed, 2 invalid spec or options.",
    )
    p.add_argument("spec", help="sweep spec, a TOML file (see sims/)")
    p.add_argument("--out", required=True, metavar="DIR", help="store directory")
    p.add_argument(
        "--resume", action="store_true", help="continue the sweep in DIR (same spec only)"
    )
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--workers", type=int, metavar="N", help="local worker processes (default: all cores)"
    )
    where.add_argument(
        "--scheduler", metavar="ADDRESS", help="address of a running Dask scheduler (dask extra)"
    )
    where.add_argument(
        "--dask-local", type=int, metavar="N", help="start a local Dask cluster of N workers"
    )
    p.add_argument("--dry-run", action="store_true", help="validate the spec, count the items")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def run(args) -> int:
    from skillgraph.sweep.executors import make_executor
    from skillgraph.sweep.runner import SweepAborted, expand, load_spec, run_sweep

    spec = load_spec(args.spec)
    if args.dry_run:
        print(
            f"spec {args.spec!r} is valid: sweep {spec.name!r}, {len(expand(spec))} work items, "
            f"hash {spec.spec_hash[:12]}"
        )
        return 0
    try:
        with make_executor(args.workers, args.scheduler, args.dask_local) as executor:
            summary = run_sweep(
                spec,
                args.out,
                executor=executor,
                resume=args.resume,
                progress=not args.no_progress,
            )
    except ImportError as exc:
        raise CommandError(str(exc)) from None
    except SweepAborted as exc:
        print(f"skillgraph sweep: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(
            f"skillgraph sweep: interrupted; finished items are stored in {args.out!r}: "
            "rerun with --resume",
            file=sys.stderr,
        )
        return 130
    print(summary.report())
    return 0 if summary.ok else 1
