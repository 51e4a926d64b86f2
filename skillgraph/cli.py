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
    from skillgraph import bounds, competence, failures
    from skillgraph._rng import as_seed_sequence, child_seed
    from skillgraph.graph import sample_graph

    # validate everything before sampling
    master = as_seed_sequence(args.seed)
    bound = bounds.emergence_bound(args.theta, args.beta, args.k, t=args.t, form=args.form)
    graph = sample_graph(
        args.n_skills,
        args.n_texts,
        args.k,
        skill_measure=args.skill_measure,
        zipf_exponent=args.zipf_exponent,
        replace=not args.no_replace,
        seed=child_seed(master, 0),
    )
    model = getattr(failures, args.failure)
    failed = model(graph, args.theta, seed=child_seed(master, 1))
    estimate = competence.tuple_bad_fraction(
        graph, failed, args.t, args.beta, seed=child_seed(master, 2)
    )
    low, high = estimate.ci()
    if args.json:
        _print_json(
            {
                "graph": {
                    "n_skills": graph.n_skills,
                    "n_texts": graph.n_texts,
                    "k": graph.k,
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
        f"{graph!r}, failure={args.failure}, theta={args.theta:g} "
        f"({int(failed.sum())} failed text pieces), beta={args.beta:g}"
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
