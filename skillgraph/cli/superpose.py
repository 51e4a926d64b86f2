"""``skillgraph superpose``: tasks in superposition against model scale (a labelled toy model)."""

from __future__ import annotations

import argparse

from skillgraph.cli import _vocabulary as vocab
from skillgraph.cli._common import CommandError, staged_output
from skillgraph.cli._json import absolute, emit_json
from skillgraph.cli._subcommand import subcommand

__all__ = ["add_parser", "run"]

#: every file a run writes (a directory of only these is a run from before runs were marked)
FILES = frozenset({"superposition_scale.png", "sorted_probs.png", "results.csv", "summary.json",
                   "summary.md"})  # fmt: skip


_HELP = "toy model: tasks in superposition against model scale (kl, tasks_in_parallel)"
_DESCRIPTION = (
    "A labelled toy model after Xiong et al. (arXiv 2410.05603): K tasks, each needing a "
    "t-tuple of skills of a sampled skill graph, prompted together with n examples split by "
    "lambda. Along compute-optimal model scale (theta from the Chinchilla law, as in "
    "'skillgraph emerge') it scores three readouts (mixture, single, softmax) with the "
    "paper's metrics: kl, tasks_in_parallel and sorted_mean_prob. Writes "
    "superposition_scale.png, sorted_probs.png, results.csv, summary.json and summary.md "
    "into DIR. It does not reproduce measurements of real language models."
)


def _options(p) -> None:
    """The options of ``skillgraph superpose``, in ``--help`` order."""
    vocab.add_output(
        p, "superpose_out",
        "print the machine-readable summary (JSON) instead of the text summary",
    )
    p.add_argument(
        "--tasks",
        type=vocab.integer,
        metavar="K",
        help="number of tasks K, equal proportions unless --lambda (default 3)",
    )
    p.add_argument(
        "--examples",
        type=vocab.integer,
        metavar="N",
        default=60,
        help="in-context examples per prompt (default 60)",
    )
    p.add_argument(
        "--lambda",
        dest="lam",
        metavar="A,B,...",
        help="task proportions, comma-separated, summing to 1 (e.g. 0.5,0.3,0.2)",
    )
    vocab.add_seed(p)
    vocab.add_progress(p)


add_parser = subcommand(__name__, _options, help=_HELP, description=_DESCRIPTION)


def _proportions(args) -> tuple[float, ...]:
    """``lambda`` from ``--tasks`` and ``--lambda`` (which must agree when both are given)."""
    from skillgraph.mechanisms.superposition import parse_lambda

    if args.lam is None:
        tasks = 3 if args.tasks is None else args.tasks
        if isinstance(tasks, bool) or not isinstance(tasks, int) or tasks < 1:
            raise CommandError(f"--tasks must be a positive integer, got {tasks!r}")
        return tuple(parse_lambda(f"uniform:{tasks}"))
    lam = parse_lambda(args.lam)
    if args.tasks is not None and args.tasks != lam.size:
        raise CommandError(
            f"--tasks {args.tasks} disagrees with --lambda {args.lam!r} ({lam.size} proportions)"
        )
    return tuple(lam)


def run(args: argparse.Namespace) -> int:
    """Run ``skillgraph superpose``; returns the exit status (0)."""
    from skillgraph.mechanisms import superposition

    # every parameter and the output directory are checked before the work
    config = superposition.SuperposeConfig(
        lam=_proportions(args), n_examples=args.examples, seed=args.seed
    )
    with staged_output(args.out, "superpose", legacy=FILES.issuperset) as stage:
        result = superposition.run(config, progress=args.progress)
        written = stage.final(superposition.write_outputs(result, stage.path))
    if args.json:
        emit_json("superpose", {**result.summary_json(), "out": absolute(args.out),
                                "files": [absolute(p) for p in written]})
        return 0
    print(result.headline)
    print()
    print("\n".join(result.findings))
    print()
    print(f"wrote {len(written)} files to {args.out}/: " + ", ".join(p.name for p in written))
    return 0
