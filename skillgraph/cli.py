"""The ``skillgraph`` command line.

Each subcommand is a pair ``_add_<name>_parser(subparsers)`` / ``_cmd_<name>(args)``
registered in :func:`_build_parser`.  Heavy modules (numba kernels, matplotlib)
are imported inside the commands that need them, so ``skillgraph bound``
starts fast.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

__all__ = ["main"]


class CommandError(Exception):
    """A user-facing error: printed without a traceback, exit status 2."""


def _print_json(payload: dict) -> None:
    print(json.dumps(payload, indent=2, sort_keys=False, default=_json_default))


def _json_default(obj):
    import numpy as np

    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def _format_table(rows: list[tuple[str, str]]) -> str:
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"  {name:<{width}}  {value}" for name, value in rows)


# ---- bound -----------------------------------------------------------------
def _add_bound_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "bound",
        help="the emergence bound alpha_star beside the averaging bound (theory.md §3, §5)",
        description="Print alpha_star(theta, beta, k) (or the t-tuple bound of Corollary 2) "
        "beside the averaging bound theta/beta.",
    )
    p.add_argument("--theta", type=float, required=True, help="failure rate, in (0, 1)")
    p.add_argument("--beta", type=float, required=True, help="competence threshold, in (0, 1)")
    p.add_argument("--k", type=int, required=True, help="skills per text piece, >= 1")
    p.add_argument("--t", type=int, default=1, help="tuple size (default 1: single skills)")
    p.add_argument("--form", choices=("kl", "paper"), default="kl", help="bound form")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_cmd_bound)


def _cmd_bound(args) -> int:
    from skillgraph import bounds

    result = bounds.emergence_bound(args.theta, args.beta, args.k, t=args.t, form=args.form)
    if args.json:
        _print_json(result.as_dict())
        return 0
    label = "single skills" if args.t == 1 else f"{args.t}-tuples of skills"
    print(f"Emergence bound for {label} (theory.md §3{', §5' if args.t > 1 else ''}):")
    print(_format_table(_bound_rows(result)))
    return 0


def _bound_rows(result) -> list[tuple[str, str]]:
    return [
        (f"alpha_star ({result.form} form)", f"{result.value:.6g}"),
        ("averaging bound theta/beta", f"{result.averaging:.6g}"),
        ("slingshot ratio", f"{result.slingshot_ratio:.4g}"),
        ("vacuous", "yes" if result.vacuous else "no"),
        ("guaranteed competent fraction", f"{result.guaranteed_competent:.6g}"),
    ]


# ---- simulate ----------------------------------------------------------------
# above this many edge slots, `simulate --engine auto` streams instead of materialising
_STREAM_ABOVE_EDGES = 50_000_000


def _add_simulate_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "simulate",
        help="sample a skill graph and compare the empirical bad fraction with the bound",
        description="Sample a text-skill graph, fail a fraction theta of its text pieces, and "
        "print the empirical fraction of bad skills (or t-tuples) with its 95%% CI beside "
        "the bound.",
    )
    _add_graph_arguments(p)
    p.add_argument("--theta", type=float, default=0.05, help="failure rate (default 0.05)")
    p.add_argument("--beta", type=float, default=0.2, help="competence threshold (default 0.2)")
    p.add_argument(
        "--failure", choices=("random", "deficit"), default="random", help="failure model"
    )
    p.add_argument("--t", type=int, default=1, help="tuple size (default 1)")
    p.add_argument("--form", choices=("kl", "paper"), default="kl", help="bound form")
    p.add_argument(
        "--engine",
        choices=("auto", "graph", "stream"),
        default="auto",
        help="graph: materialise the graph (exact failure counts); stream: per-skill counts "
        "in O(n_skills) memory (Bernoulli random failures, deficit exact in expectation); "
        f"auto (default): stream above {_STREAM_ABOVE_EDGES:,} edge slots",
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_cmd_simulate)


def _add_graph_arguments(p) -> None:
    """Options that describe a sampled graph (shared by simulate, check, ...)."""
    p.add_argument("--n-skills", type=int, default=1000, help="number of skills (default 1000)")
    p.add_argument(
        "--n-texts", type=int, default=100_000, help="number of text pieces (default 100000)"
    )
    p.add_argument("--k", type=int, default=8, help="skills per text piece (default 8)")
    p.add_argument(
        "--skill-measure", choices=("uniform", "zipf"), default="uniform", help="skill measure"
    )
    p.add_argument("--zipf-exponent", type=float, default=1.0, help="Zipf exponent (default 1)")
    p.add_argument(
        "--no-replace", action="store_true", help="k distinct skills per text piece"
    )
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")


def _cmd_simulate(args) -> int:
    from skillgraph import bounds, competence
    from skillgraph._rng import as_seed_sequence, child_seed

    # validate everything before sampling
    master = as_seed_sequence(args.seed)
    bound = bounds.emergence_bound(args.theta, args.beta, args.k, t=args.t, form=args.form)
    engine = args.engine
    if engine == "auto":
        large = args.n_texts * args.k > _STREAM_ABOVE_EDGES
        engine = "stream" if large and not args.no_replace else "graph"
    if engine == "stream" and args.no_replace:
        raise CommandError("--engine stream draws skills with replacement; drop --no-replace")
    simulate = _simulate_streamed if engine == "stream" else _simulate_materialised
    degrees, failed_edges, measure, n_failed = simulate(
        args, child_seed(master, 0), child_seed(master, 1)
    )
    estimate = competence.tuple_bad_fraction_from_counts(
        degrees, failed_edges, measure, args.t, args.beta, seed=child_seed(master, 2)
    )
    graph = (
        f"SkillGraph(n_skills={args.n_skills}, n_texts={args.n_texts}, k={args.k}) "
        f"[{engine}]"
    )
    low, high = estimate.ci()
    if args.json:
        _print_json(
            {
                "graph": {
                    "n_skills": args.n_skills,
                    "n_texts": args.n_texts,
                    "k": args.k,
                    "engine": engine,
                    "skill_measure": args.skill_measure,
                    "zipf_exponent": args.zipf_exponent,
                    "replace": not args.no_replace,
                    "seed": args.seed,
                },
                "theta": args.theta,
                "failure": args.failure,
                "empirical": estimate.as_dict(),
                "bound": bound.as_dict(),
            }
        )
        return 0
    what = "skills" if args.t == 1 else f"{args.t}-tuples (tensor)"
    print(
        f"{graph}, failure={args.failure}, theta={args.theta:g} "
        f"({n_failed} failed text pieces), beta={args.beta:g}"
    )
    print(
        _format_table(
            [
                (f"empirical bad fraction of {what}", f"{estimate.value:.6g}"),
                ("  95% CI", f"[{low:.4g}, {high:.4g}]"),
                ("  skills without edges", f"{estimate.n_undefined if args.t == 1 else '-'}"),
            ]
            + _bound_rows(bound)
        )
    )
    if estimate.value > bound.value:
        print(
            "note: the empirical fraction exceeds alpha_star; Theorem 1 is asymptotic "
            "(see `skillgraph check` for finite-size certificates)"
        )
    return 0


def _simulate_materialised(args, graph_seed, failure_seed):
    """Per-skill counts on a materialised graph (exact failure counts)."""
    from skillgraph import competence, failures
    from skillgraph.graph import sample_graph

    graph = sample_graph(
        args.n_skills,
        args.n_texts,
        args.k,
        skill_measure=args.skill_measure,
        zipf_exponent=args.zipf_exponent,
        replace=not args.no_replace,
        seed=graph_seed,
    )
    failed = getattr(failures, args.failure)(graph, args.theta, seed=failure_seed)
    counts = competence.failed_edge_counts(graph, failed)
    return graph.degrees, counts, graph.skill_measure, int(failed.sum())


def _simulate_streamed(args, graph_seed, failure_seed):
    """Per-skill counts streamed in O(n_skills) memory (theory.md §6 failure rates)."""
    from skillgraph.stream import stream

    result = stream(
        args.n_skills,
        args.n_texts,
        args.k,
        args.theta,
        failure=args.failure,
        skill_measure=args.skill_measure,
        zipf_exponent=args.zipf_exponent,
        seed=graph_seed,  # one seed drives the skills and the failures of a stream
    )
    return result.degrees, result.failed_edges, result.skill_measure, result.n_failed_texts


# ---- sweep -------------------------------------------------------------------
def _add_sweep_parser(subparsers) -> None:
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
    p.set_defaults(func=_cmd_sweep)


def _cmd_sweep(args) -> int:
    from skillgraph.executors import make_executor
    from skillgraph.sweep import SweepAborted, expand, load_spec, run_sweep

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


# ---- plot --------------------------------------------------------------------
def _add_plot_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "plot",
        help="figures of a finished or partial sweep",
        description="Rebuild the figures of a sweep from its store DIR (finished or partial): "
        "emergence against scale, performance curves, bound against empirical.",
    )
    p.add_argument("dir", metavar="DIR", help="a sweep store (skillgraph sweep --out DIR)")
    p.add_argument("--out", metavar="FIGDIR", help="where to write figures (default DIR/figures)")
    p.add_argument("--format", choices=("png", "pdf", "svg"), default="png", help="file format")
    p.set_defaults(func=_cmd_plot)


def _cmd_plot(args) -> int:
    from skillgraph.sweep_plots import plot_store

    written = plot_store(args.dir, out=args.out, fmt=args.format)
    for path in written:
        print(path)
    if not written:
        print("no figures: the store holds no finished items yet", file=sys.stderr)
        return 1
    return 0


# ---- emerge ------------------------------------------------------------------
def _comma_list(kind, name):
    """An argparse type for comma-separated lists, e.g. ``--tuples 1,2,4,8``."""

    def parse(text: str):
        try:
            return tuple(kind(v) for v in text.split(",") if v.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{name} must be comma-separated {kind.__name__}s, got {text!r}"
            ) from None

    return parse


def _add_emerge_parser(subparsers) -> None:
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
    p.add_argument("--tuples", type=_comma_list(int, "--tuples"), default=(1, 2, 4, 8),
                   help="tuple sizes t, comma-separated (default 1,2,4,8)")
    p.add_argument("--betas", type=_comma_list(float, "--betas"), default=(0.5,),
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
    p.add_argument("--failures", type=_comma_list(str, "--failures"),
                   default=("random", "deficit"),
                   help="failure models simulated, comma-separated (default random,deficit)")
    p.add_argument("--engine", choices=("stream", "graph"), default="stream",
                   help="stream: O(n_skills) memory (default); graph: materialised graphs")
    p.add_argument("--out", metavar="DIR", default="emerge_out",
                   help="output directory (default emerge_out)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_emerge)


def _cmd_emerge(args) -> int:
    from skillgraph.emerge import EmergeConfig, run_emerge, write_outputs

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


# ---- entry point -------------------------------------------------------------
def _build_parser() -> argparse.ArgumentParser:
    from skillgraph import __version__

    parser = argparse.ArgumentParser(
        prog="skillgraph",
        description="Simulate and check the theory of skill emergence in language models "
        "(Arora & Goyal, arXiv 2307.15936).",
    )
    parser.add_argument("--version", action="version", version=f"skillgraph {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    _add_bound_parser(subparsers)
    _add_simulate_parser(subparsers)
    _add_sweep_parser(subparsers)
    _add_plot_parser(subparsers)
    _add_emerge_parser(subparsers)
    from skillgraph.check import _add_check_parser  # check's CLI lives beside check()

    _add_check_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except CommandError as exc:
        print(f"skillgraph {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except (ValueError, TypeError, MemoryError) as exc:
        if os.environ.get("SKILLGRAPH_DEBUG"):
            raise
        print(f"skillgraph {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
