"""``skillgraph memory``: associative memories, from memory size to emergence of skill tuples."""

from __future__ import annotations

import argparse

from skillgraph.cli import _vocabulary as vocab
from skillgraph.cli._common import options_of, staged_output
from skillgraph.cli._json import absolute, emit_json
from skillgraph.cli._subcommand import subcommand

__all__ = ["add_parser", "run"]

#: the fields of MemoryConfig that are options of the same name (the others keep their defaults)
_CONFIG_OPTIONS = ("n_inputs", "n_labels", "zipf_exponent", "kappa", "rho", "trials", "seed",
                   "replicates", "tuples")  # fmt: skip

_HELP = "associative memories: error laws in memory size d and data T, and emergence"
_DESCRIPTION = (
    "Simulate the associative memory of Cabannes, Dohmatob & Bietti (arXiv "
    "2310.02984): Zipf inputs, labels x mod M, random embeddings, a d x d memory. Draws "
    "the error against d for three storage schemes (thresholding, q = p^rho, q = 1) with "
    "fitted and theory slopes, the error against the amount of data T with the data "
    "term, and the fraction of competent t-tuples of skills against d when the unrecalled "
    "associations are the unlearned skills of a skill graph (compute-optimal T ~ d^a), "
    "beside the paper's guarantee. Writes memory_error_vs_d.png, memory_error_vs_T.png, "
    "memory_emergence.png, results.csv, summary.json and summary.md into DIR. The "
    "defaults run in about a minute on two cores."
)


def _options(p) -> None:
    """The options of ``skillgraph memory``, in ``--help`` order."""
    vocab.add_output(
        p, "memory_out", "print the machine-readable summary (JSON) instead of the headline"
    )
    vocab.add_seed(p)
    p.add_argument(
        "--trials", type=vocab.integer, default=20,
        help="draws of the embeddings per point (default 20)",
    )
    p.add_argument("--n-inputs", type=vocab.integer, default=1000, help="inputs N (default 1000)")
    p.add_argument("--n-labels", type=vocab.integer, default=5, help="labels M (default 5)")
    p.add_argument(
        "--zipf-exponent", type=float, default=2.0, help="Zipf exponent a > 1 (default 2)"
    )
    p.add_argument(
        "--kappa", type=float, default=8.0, help="thresholding stores P = d/kappa (default 8)"
    )
    p.add_argument("--rho", type=float, default=1.0, help="q = p^rho scheme (default 1)")
    p.add_argument(
        "--replicates",
        type=vocab.integer,
        default=4,
        help="memories and graphs per size in the emergence figure (default 4)",
    )
    vocab.add_list(p, "--tuples", vocab.integer, (1, 2, 4), "tuple sizes t")
    vocab.add_progress(p)


add_parser = subcommand(__name__, _options, help=_HELP, description=_DESCRIPTION)


def run(args: argparse.Namespace) -> int:
    """Run ``skillgraph memory``; returns the exit status (0)."""
    from skillgraph.mechanisms import memory

    # MemoryConfig validates every parameter, staged_output the output directory, before any work
    config = memory.MemoryConfig(**options_of(args, _CONFIG_OPTIONS))
    with staged_output(args.out, "memory", legacy=frozenset(memory.FILES).issuperset) as stage:
        report = memory.run(config, progress=args.progress)
        memory.write_outputs(report, stage.path)
    if args.json:
        emit_json("memory", {**report.summary_json(), "out": absolute(args.out),
                             "files": [absolute(f"{args.out}/{name}") for name in memory.FILES]})
        return 0
    print(report.headline)
    print()
    print(f"wrote {args.out}/: " + ", ".join(memory.FILES))
    return 0
