"""``skillgraph emerge``: emergence of skill tuples against model scale."""

from __future__ import annotations

import os

from skillgraph.cli._common import CommandError, comma_list

__all__ = ["add_parser", "run"]


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "emerge",
        help="emergence of skill tuples against model scale: bound and simulation, figures",
        description="Sweep model scale under a scaling law, map the excess loss to a failure "
        "rate theta (theory.md §2), and compare the guaranteed fraction of competent t-tuples "
        "(Corollary 2, §5) with simulated graphs under random and deficit failures (§6). "
        "Writes emergence.png/.pdf, performance_curves.png, slingshot.png, results.csv and "
        "summary.md into DIR and prints a summary and the headline of the run.",
    )
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
    p.add_argument("--law", choices=("chinchilla", "epoch", "kaplan"), default="chinchilla",
                   help="scaling law (default chinchilla)")
    p.add_argument("--mapping", choices=("anchored", "linear", "pinsker"), default="anchored",
                   help="excess loss -> theta map (default anchored)")
    p.add_argument("--theta-ref", type=float, default=0.05,
                   help="theta of Chinchilla's own model for --mapping anchored (default 0.05)")
    p.add_argument("--c", type=float, default=1.0,
                   help="cloze-sufficiency factor for linear/pinsker (default 1)")
    p.add_argument("--tuples", type=comma_list(int, "--tuples"), default=(1, 2, 4, 8),
                   help="tuple sizes t, comma-separated (default 1,2,4,8)")
    p.add_argument("--betas", type=comma_list(float, "--betas"), default=(0.5,),
                   help="competence thresholds beta, comma-separated (default 0.5)")
    p.add_argument("--k", type=int, default=8, help="skills per text piece (default 8)")
    p.add_argument("--form", choices=("kl", "paper"), default="kl", help="bound form")
    p.add_argument("--n-skills", type=int, default=1000, help="skills per graph (default 1000)")
    p.add_argument("--n-texts", type=int, default=1_000_000,
                   help="text pieces per graph (default 1000000)")
    p.add_argument("--replicates", type=int, default=8, help="graphs per scale (default 8)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--points", type=int, default=81,
                   help="scales on the bound curves (default 81)")
    p.add_argument("--sim-points", type=int, default=21,
                   help="scales simulated (default 21; 0: bound only)")
    p.add_argument("--n-tuples", type=int, default=20_000,
                   help="tuples sampled per measurement for t >= 3 (default 20000)")
    p.add_argument("--failures", type=comma_list(str, "--failures"),
                   default=("random", "deficit"),
                   help="failure models simulated, comma-separated (default random,deficit)")
    p.add_argument("--engine", choices=("stream", "graph"), default="stream",
                   help="stream: O(n_skills) memory (default); graph: materialised graphs")
    p.add_argument("--out", metavar="DIR", default="emerge_out",
                   help="output directory (default emerge_out)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def run(args) -> int:
    from skillgraph.emergence.run import EmergeConfig, run_emerge, write_outputs

    # EmergeConfig validates every parameter before any work starts
    config = EmergeConfig(
        compute=tuple(args.compute),
        params=None if args.params is None else tuple(args.params),
        tokens_per_param=args.tokens_per_param,
        law=args.law,
        mapping=args.mapping,
        theta_ref=args.theta_ref,
        c=args.c,
        tuples=args.tuples,
        betas=args.betas,
        k=args.k,
        form=args.form,
        n_skills=args.n_skills,
        n_texts=args.n_texts,
        replicates=args.replicates,
        seed=args.seed,
        n_scales=args.points,
        n_empirical=args.sim_points,
        n_tuples=args.n_tuples,
        failure_models=args.failures,
        engine=args.engine,
    )
    if os.path.exists(args.out) and not os.path.isdir(args.out):
        raise CommandError(f"--out must be a directory, got the file {args.out!r}")
    result = run_emerge(config, progress=not args.no_progress)
    written = write_outputs(result, args.out)
    print(result.summary)
    print()
    print(result.headline)
    print()
    print(f"wrote {len(written)} files to {args.out}/: " + ", ".join(p.name for p in written))
    return 0
