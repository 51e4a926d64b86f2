"""``skillgraph emerge``: emergence of skill tuples against model scale."""

from __future__ import annotations

import argparse
import textwrap
import warnings

from skillgraph.cli._common import comma_list, print_json, staged_output
from skillgraph.core.engine import ENGINES
from skillgraph.theory.scaling import LAWS, MAPPINGS

__all__ = ["add_parser", "run"]

#: every file a run writes (a directory of only these is a run from before runs were marked)
FILES = frozenset({"emergence.png", "emergence.pdf", "performance_curves.png", "slingshot.png",
                   "results.csv", "replicates.csv", "summary.md"})  # fmt: skip


def _hidden_alias(p, old: str, new: str, **kwargs) -> None:
    """``old``, the option's name before 0.2: still accepted, no longer listed."""
    dest = new.lstrip("-").replace("-", "_")
    p.add_argument(old, dest=dest, default=argparse.SUPPRESS, help=argparse.SUPPRESS, **kwargs)


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
    p.add_argument("--bound-points", type=int, default=81, metavar="N",
                   help="scales on the bound curves (default 81; the headline's factors need "
                   "2 per decade of scale)")
    p.add_argument("--sim-points", type=int, default=21, metavar="N",
                   help="scales simulated (default 21; 0: bound only)")


def _add_simulation_options(p) -> None:
    p.add_argument("--tuples", type=comma_list(int, "--tuples"), default=(1, 2, 4, 8),
                   help="tuple sizes t, comma-separated (default 1,2,4,8)")
    p.add_argument("--betas", type=comma_list(float, "--betas"), default=(0.5,),
                   help="competence thresholds beta, comma-separated (default 0.5)")
    p.add_argument("--k", type=int, default=8, help="skills per text piece (default 8)")
    p.add_argument("--form", default="kl", help="form of the bound: kl (default) or paper")
    p.add_argument("--n-skills", type=int, default=1000, help="skills per graph (default 1000)")
    p.add_argument("--n-texts", type=int, default=1_000_000,
                   help="text pieces per graph (default 1000000)")
    p.add_argument("--replicates", type=int, default=8, help="graphs per scale (default 8)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--n-tuples", type=int, default=20_000,
                   help="tuples sampled per measurement for t >= 3 (default 20000)")
    p.add_argument("--failure-models", type=comma_list(str, "--failure-models"),
                   default=("random", "deficit"),
                   help="failure models simulated, comma-separated (default random,deficit)")
    p.add_argument("--engine", choices=ENGINES, default="stream",
                   help="stream: O(n_skills) memory (default); graph: materialised graphs")


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "emerge",
        help="emergence of skill tuples against model scale: bound and simulation, figures",
        description=textwrap.fill(
            "Sweep model scale under a scaling law, map the excess loss to a failure rate "
            "theta, and compare the guaranteed fraction of competent t-tuples (Corollary 2) "
            "with simulated graphs under random and deficit failures. Writes "
            "emergence.png/.pdf, performance_curves.png, slingshot.png, results.csv, "
            "replicates.csv and summary.md into DIR (checked before any work; every file "
            "written atomically) and prints a summary and the headline of the run.",
            79,
        ),
    )
    _add_scale_options(p)
    _add_simulation_options(p)
    _hidden_alias(p, "--points", "--bound-points", type=int)
    _hidden_alias(p, "--c", "--cloze-factor", type=float)
    _hidden_alias(p, "--failures", "--failure-models", type=comma_list(str, "--failures"))
    p.add_argument("--out", metavar="DIR", default="emerge_out",
                   help="output directory (default emerge_out)")
    p.add_argument("--json", action="store_true",
                   help="print a JSON summary (headline, doubling factors, files) on stdout")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def _config(args):
    from skillgraph.emergence import EmergeConfig

    return EmergeConfig(  # validates every parameter before any work starts
        compute=tuple(args.compute),
        params=None if args.params is None else tuple(args.params),
        tokens_per_param=args.tokens_per_param,
        law=args.law,
        mapping=args.mapping,
        theta_ref=args.theta_ref,
        cloze_factor=args.cloze_factor,
        tuples=args.tuples,
        betas=args.betas,
        k=args.k,
        form=args.form,
        n_skills=args.n_skills,
        n_texts=args.n_texts,
        replicates=args.replicates,
        seed=args.seed,
        bound_points=args.bound_points,
        sim_points=args.sim_points,
        n_tuples=args.n_tuples,
        failure_models=args.failure_models,
        engine=args.engine,
    )


def run(args) -> int:
    import sys

    from skillgraph.emergence import run_emerge, write_outputs

    config = _config(args)
    with staged_output(args.out, "emerge", legacy=FILES.issuperset) as stage:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", UserWarning)
            result = run_emerge(config, progress=not (args.no_progress or args.json))
        for warning in caught:  # one line each, on stderr
            print(f"skillgraph emerge: warning: {warning.message}", file=sys.stderr)
        written = stage.final(write_outputs(result, stage.path))
    if args.json:
        print_json({"headline": result.headline, "doubling": result.doubling,
                    "notes": list(result.notes), "files": [str(p) for p in written]})
        return 0
    print(result.summary)
    print()
    print(result.headline)
    print()
    print(f"wrote {len(written)} files to {args.out}/: " + ", ".join(p.name for p in written))
    return 0
