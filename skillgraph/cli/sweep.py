"""``skillgraph sweep``: run a sweep spec into a resumable store."""

from __future__ import annotations

import contextlib
import os
import sys

from skillgraph.cli import _vocabulary as vocab
from skillgraph.cli._common import (
    EXIT_FINDING,
    EXIT_INVALID,
    EXIT_OUTPUT,
    CommandError,
    check_input,
    check_output_dir,
)
from skillgraph.cli._json import absolute, emit_json
from skillgraph.cli._subcommand import subcommand

__all__ = ["add_parser", "run"]

_HELP = "run a Monte Carlo sweep from a TOML spec into a resumable store"
_DESCRIPTION = (
    "Run the work items of a sweep spec (format: sims/README.md) and store one shard per "
    "finished item in DIR, then the tidy table DIR/results.csv. The spec, the size of the "
    "work and the output directory are checked before any work."
)
_EPILOG = """\
what the exit status means for sweep:
  1 is a finding, not an error: some work items failed (they are listed at the end and in
  DIR/failures.json), or the executor failed part way (a worker died); the finished items
  are stored, and rerunning with --resume computes the rest.
  Ctrl-C (130), SIGTERM (143) and SIGHUP (129) shut the workers down and keep the finished
  items: rerun with --resume.  A spec whose work cannot finish or fit is refused with status 3
  and the estimate (SKILLGRAPH_MAX_HOURS raises the time limit, default 24 hours).  A store
  in use by another run (its lock names the holder) is refused with status 4; a store whose
  files are damaged or misplaced is refused with status 2 before any work, and --resume
  rewrites a damaged manifest.json that still names this spec."""


def _options(p) -> None:
    """The options of ``skillgraph sweep``, in ``--help`` order."""
    p.add_argument("spec", nargs="?",
                   help="sweep spec, a TOML file (format: sims/README.md); or --example NAME")
    p.add_argument("--example", metavar="NAME",
                   help="run a spec shipped with skillgraph instead of a file (e.g. smoke: "
                   "small graphs, every measurement, seconds); see --list-examples")
    vocab.add_flag(p, "--list-examples", "list the shipped example specs with their descriptions "
                   "and paths, and exit")
    p.add_argument("--out", metavar="DIR", help="store directory (required to run)")
    vocab.add_flag(p, "--resume", "continue the sweep in DIR (same spec only)")
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--workers", type=vocab.integer, metavar="N",
        help="local worker processes (default: all cores)",
    )
    where.add_argument(
        "--scheduler", metavar="ADDRESS", help="address of a running Dask scheduler (dask extra)"
    )
    where.add_argument(
        "--dask-local", type=vocab.integer, metavar="N",
        help="start a local Dask cluster of N workers",
    )
    vocab.add_flag(p, "--dry-run",
                   "validate the spec, count the items and estimate the work; write nothing")
    vocab.add_reporting(p, "print the run's summary (or with --dry-run the estimate) as JSON")


add_parser = subcommand(__name__, _options, help=_HELP, description=_DESCRIPTION, epilog=_EPILOG)


def _local_workers(args) -> int | None:
    """Items run at once on this machine; ``None`` for a remote Dask scheduler."""
    from skillgraph._validation import check_int

    if args.scheduler is not None:
        return None
    if args.dask_local is not None:
        return check_int("--dask-local", args.dask_local, 1, 4096)
    if args.workers is not None:
        return check_int("--workers", args.workers, 1, 4096)
    return os.cpu_count() or 1


def _spec_path(args) -> str:
    """The spec to run: the file given, or the shipped ``--example`` (exactly one of them)."""
    from skillgraph.cli._examples import example_path

    if (args.spec is None) == (args.example is None):
        raise CommandError("give a spec file or --example NAME (one of them; "
                           "see skillgraph sweep --list-examples)")  # fmt: skip
    return args.spec if args.example is None else str(example_path(args.example))


def _list_examples() -> int:
    from skillgraph.cli._examples import example_descriptions, example_path

    for name, text in example_descriptions().items():
        print(f"{name:<20} {text}\n{'':<20} {example_path(name)}")
    return 0


def _dry_run(args, spec, workers: int | None) -> int:
    from skillgraph.sweep.runner import check_resources

    cost = check_resources(spec, workers=workers or 1, local=workers is not None)
    if args.json:  # the same numbers as the text: wall-clock seconds on these workers
        emit_json("sweep-dry-run", {
            "spec": absolute(args.spec), "name": spec.name, "valid": True,
            "n_items": cost.n_items, "rows": cost.rows, "workers": workers or 1,
            "estimated_seconds": cost.seconds / (workers or 1),
            "estimated_cpu_seconds": cost.seconds,
            "item_seconds": cost.item.seconds, "item_bytes": cost.item.nbytes,
            "spec_hash": spec.spec_hash}, command="sweep")  # fmt: skip
        return 0
    print(
        f"spec {args.spec!r} is valid: sweep {spec.name!r}, {cost.n_items} work items, "
        f"hash {spec.spec_hash[:12]}\nestimate: {cost.describe(workers or 1)}"
    )
    return 0


def run(args) -> int:
    """Validate, check the size and the output directory, then run the sweep."""
    from skillgraph.sweep.runner import check_resources, load_spec

    if args.list_examples:
        return _list_examples()
    args.spec = _spec_path(args)
    check_input(args.spec, "spec")
    spec = load_spec(args.spec)
    workers = _local_workers(args)
    if args.dry_run:
        return _dry_run(args, spec, workers)
    if args.out is None:
        raise CommandError("--out DIR is required to run a sweep (--dry-run writes nothing)")
    if workers is not None and not args.resume:  # a Dask cluster is checked once connected
        check_resources(spec, workers=workers)
    created = not os.path.exists(args.out)
    check_output_dir(args.out)
    try:
        summary = _run(args, spec)
    except BaseException:
        if created:  # refused or interrupted before the store was made: leave nothing behind
            with contextlib.suppress(OSError):
                os.rmdir(args.out)  # only an empty directory goes
        raise
    if summary is None:
        return EXIT_FINDING
    if args.json:
        record = {k: v for k, v in summary.as_dict().items() if k != "elapsed"}
        emit_json("sweep", {**record, "out": absolute(args.out), "table": absolute(
            record["table"]) if record.get("table") else None, "failed": summary.failed})
    else:
        print(summary.report())
    return 0 if summary.ok else EXIT_FINDING


def _run(args, spec):
    """The sweep on the executor of the options; ``None`` when the executor failed."""
    from skillgraph.sweep.executors import make_executor
    from skillgraph.sweep.runner import SweepAborted, run_sweep
    from skillgraph.sweep.store import NotAStoreError

    try:
        with make_executor(args.workers, args.scheduler, args.dask_local) as executor:
            return run_sweep(spec, args.out, executor=executor, resume=args.resume,
                             progress=args.progress)  # fmt: skip
    except ImportError as exc:
        raise CommandError(str(exc)) from None
    except NotAStoreError as exc:  # as every command refuses a directory that is not its own
        raise CommandError(str(exc), EXIT_OUTPUT) from None
    except ConnectionError as exc:
        raise CommandError(str(exc), EXIT_INVALID) from None
    except SweepAborted as exc:
        print(f"skillgraph sweep: {exc}", file=sys.stderr)
        return None
    except OSError as exc:  # a full disk, a store made read-only meanwhile
        from skillgraph._outdir import reworded

        if not os.path.isfile(os.path.join(args.out, "manifest.json")):
            raise
        raise reworded(exc, f"finished items are stored in {args.out!r}: make room, then "
                            "rerun with --resume") from None  # fmt: skip
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM/SIGHUP unwound by skillgraph.cli.main
        exc.args = (f"{str(exc) or 'interrupted'}; finished items are stored in {args.out!r}: "
                    "rerun with --resume",)  # fmt: skip
        raise
