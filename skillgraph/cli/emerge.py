"""``skillgraph emerge``: emergence of skill tuples against model scale."""

from __future__ import annotations

import textwrap
import warnings

from skillgraph.cli import _vocabulary as vocab
from skillgraph.cli._common import comma_list, options_of, staged_output
from skillgraph.cli._json import absolute, emit_json
from skillgraph.cli._subcommand import subcommand
from skillgraph.theory.scaling import LAWS, MAPPINGS

__all__ = ["add_parser", "run"]

#: every file a run writes (a directory of only these is a run from before runs were marked)
FILES = frozenset({"emergence.png", "emergence.pdf", "performance_curves.png", "slingshot.png",
                   "results.csv", "replicates.csv", "summary.md"})  # fmt: skip

#: the fields of EmergeConfig that are options of the same name, as parsed
_CONFIG_OPTIONS = ("tokens_per_param", "law", "mapping", "theta_ref", "cloze_factor", "tuples",
                   "betas", "k", "form", "n_skills", "n_texts", "replicates", "seed",
                   "bound_points", "sim_points", "n_tuples", "failure_models")  # fmt: skip


def _add_scale_options(p) -> None:
    scale = p.add_mutually_exclusive_group()
    scale.add_argument(
        "--compute", type=float, nargs=2, metavar=("LOW", "HIGH"), default=(1e20, 1e30),
        help="training compute range in FLOPs (default 1e20 1e30); compute-optimal models",
    )
    scale.add_argument(
        "--params", type=float, nargs=2, metavar=("LOW", "HIGH"),
        help="parameter range instead, D = tokens-per-param * N (default ratio 20)",
    )
    p.add_argument(
        "--tokens-per-param", type=float, metavar="R",
        help="fixed tokens per parameter D/N (with --compute it replaces compute-optimal)",
    )
    p.add_argument("--law", choices=tuple(LAWS), default="chinchilla",
                   help="scaling law (default chinchilla)")
    p.add_argument("--mapping", choices=MAPPINGS, default="anchored",
                   help="excess loss -> theta map (default anchored)")
    p.add_argument("--theta-ref", type=float, default=0.05,
                   help="theta of Chinchilla's own model for --mapping anchored (default 0.05)")
    p.add_argument("--cloze-factor", type=float, default=1.0, metavar="C",
                   help="cloze-sufficiency factor c of linear/pinsker (default 1)")
    p.add_argument("--bound-points", type=vocab.integer, default=81, metavar="N",
                   help="scales on the bound curves (default 81; the headline's factors need "
                   "2 per decade of scale)")
    p.add_argument("--sim-points", type=vocab.integer, default=21, metavar="N",
                   help="scales simulated (default 21; 0: bound only)")


def _add_simulation_options(p) -> None:
    vocab.add_list(p, "--tuples", vocab.integer, (1, 2, 4, 8), "tuple sizes t")
    vocab.add_list(p, "--betas", float, (0.5,), "competence thresholds beta")
    vocab.add_graph_arguments(p, n_texts=1_000_000)
    vocab.add_form(p)
    p.add_argument("--replicates", type=vocab.integer, default=8,
                   help="graphs per scale (default 8)")
    vocab.add_seed(p)
    p.add_argument("--n-tuples", type=vocab.integer, default=20_000,
                   help="tuples sampled per measurement for t >= 3 (default 20000)")
    vocab.add_list(p, "--failure-models", str, ("random", "deficit"), "failure models simulated")
    vocab.add_engine(p, auto="stream (emerge's failure models and with-replacement draws are "
                     "the streaming engine's; graph draws nested failure sets on one graph)")


_HELP = "emergence of skill tuples against model scale: bound and simulation, figures"
_DESCRIPTION = textwrap.fill(
    "Sweep model scale under a scaling law, map the excess loss to a failure rate theta, and "
    "compare the guaranteed fraction of competent t-tuples (Corollary 2) with simulated "
    "graphs under random and deficit failures. Writes emergence.png/.pdf, "
    "performance_curves.png, slingshot.png, results.csv, replicates.csv and summary.md into "
    "DIR (checked before any work; every file written atomically) and prints a summary and "
    "the headline of the run.",
    79,
)


def _options(p) -> None:
    """The options of ``skillgraph emerge``, in ``--help`` order."""
    _add_scale_options(p)
    _add_simulation_options(p)
    vocab.deprecated_alias(p, "--points", "--bound-points", type=vocab.integer)
    vocab.deprecated_alias(p, "--c", "--cloze-factor", type=float)
    vocab.deprecated_alias(p, "--failures", "--failure-models",
                           type=comma_list(str, "--failures"))
    vocab.add_output(p, "emerge_out", "print a JSON summary (headline, doubling factors, absolute "
                     "file paths) on stdout; no progress bar")
    vocab.add_progress(p)


add_parser = subcommand(__name__, _options, help=_HELP, description=_DESCRIPTION)


def _config(args):
    from skillgraph.emergence import EmergeConfig

    return EmergeConfig(  # validates every parameter before any work starts
        compute=tuple(args.compute),
        params=None if args.params is None else tuple(args.params),
        engine="stream" if args.engine == "auto" else args.engine,
        **options_of(args, _CONFIG_OPTIONS),
    )


def run(args) -> int:
    import sys

    from skillgraph.emergence import run_emerge, write_outputs

    config = _config(args)
    with staged_output(args.out, "emerge", legacy=FILES.issuperset) as stage:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", UserWarning)
            result = run_emerge(config, progress=args.progress and not args.json)
        for warning in caught:  # one line each, on stderr
            print(f"skillgraph emerge: warning: {warning.message}", file=sys.stderr)
        written = stage.final(write_outputs(result, stage.path))
    if args.json:
        emit_json("emerge", {"headline": result.headline, "doubling": result.doubling,
                             "notes": list(result.notes), "seed": args.seed,
                             "out": absolute(args.out),
                             "files": [absolute(p) for p in written]})
        return 0
    print(result.summary)
    print()
    print(result.headline)
    print()
    print(f"wrote {len(written)} files to {args.out}/: " + ", ".join(p.name for p in written))
    return 0
