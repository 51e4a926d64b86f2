"""``skillgraph simulate``: sample a graph, fail texts, compare the bad fraction with the bound."""

from __future__ import annotations

from skillgraph.cli import _vocabulary as vocab
from skillgraph.cli._common import CommandError, format_table
from skillgraph.cli._json import emit_json
from skillgraph.cli._subcommand import subcommand
from skillgraph.cli.bound import bound_rows
from skillgraph.core.engine import STREAM_ABOVE_EDGES, resolve_engine, simulate_counts
from skillgraph.core.failures import FAILURE_MODELS

__all__ = ["add_parser", "run"]


_HELP = "sample a skill graph and compare the empirical bad fraction with the bound"
_DESCRIPTION = (
    "Sample a text-skill graph, fail a fraction theta of its text pieces, and print the "
    "empirical fraction of bad skills (or t-tuples) with its 95% CI beside the bound."
)


def _options(p) -> None:
    """The options of ``skillgraph simulate``, in ``--help`` order."""
    vocab.add_graph_arguments(p)
    vocab.add_sampling_arguments(p)
    vocab.add_seed(p)
    vocab.add_theta(p)
    vocab.add_beta(p)
    p.add_argument(
        "--failure", choices=tuple(FAILURE_MODELS), default="random",
        help="failure model (default random)",
    )
    vocab.add_t(p)
    vocab.add_form(p)
    vocab.add_engine(p, auto=f"stream above {STREAM_ABOVE_EDGES:,} edge slots n_texts * k "
                     "(streamed random failures are Bernoulli, deficit exact in expectation)")
    vocab.add_json(p)


add_parser = subcommand(__name__, _options, help=_HELP, description=_DESCRIPTION)


def run(args) -> int:
    from skillgraph._rng import as_seed_sequence, child_seed
    from skillgraph.theory import bounds

    # validate everything before sampling
    master = as_seed_sequence(args.seed)
    bound = bounds.emergence_bound(args.theta, args.beta, args.k, t=args.t, form=args.form)
    if args.engine == "stream" and args.no_replace:
        raise CommandError("--engine stream draws skills with replacement; drop --no-replace")
    zipf_exponent = vocab.zipf_exponent(args)
    engine = resolve_engine(args.engine, args.n_texts, args.k, replace=not args.no_replace)
    counts = simulate_counts(
        args.n_skills, args.n_texts, args.k, args.theta, failure=args.failure,
        skill_measure=args.skill_measure, zipf_exponent=zipf_exponent,
        replace=not args.no_replace, engine=engine,
        graph_seed=child_seed(master, 0), failure_seed=child_seed(master, 1),
    )
    estimate = counts.tuple_bad_fraction(args.t, args.beta, seed=child_seed(master, 2))
    if args.json:
        emit_json("simulate", _summary(args, engine, zipf_exponent, estimate, bound))
    else:
        _print_text(args, engine, counts.n_failed_texts, estimate, bound)
    return 0


def _summary(args, engine: str, zipf_exponent: float, estimate, bound) -> dict:
    """Return the ``--json`` summary: the graph's parameters, the estimate and the bound."""
    return {
        "graph": {
            "n_skills": args.n_skills,
            "n_texts": args.n_texts,
            "k": args.k,
            "engine": engine,
            "skill_measure": args.skill_measure,
            "zipf_exponent": zipf_exponent,
            "replace": not args.no_replace,
            "seed": args.seed,
        },
        "theta": args.theta,
        "failure": args.failure,
        "empirical": estimate.as_dict(),
        "bound": bound.as_dict(),
    }


def _print_text(args, engine: str, n_failed: int, estimate, bound) -> None:
    """Print the readable result: the inputs, then the estimate beside the bound."""
    graph = (
        f"SkillGraph(n_skills={args.n_skills}, n_texts={args.n_texts}, k={args.k}) "
        f"[{engine}]"
    )
    low, high = estimate.ci()
    what = "skills" if args.t == 1 else f"{args.t}-tuples (tensor)"
    print(
        f"{graph}, failure={args.failure}, theta={args.theta:g} "
        f"({n_failed} failed text pieces), beta={args.beta:g}"
    )
    print(
        format_table(
            [
                (f"empirical bad fraction of {what}", f"{estimate.value:.6g}"),
                ("  95% CI", f"[{low:.4g}, {high:.4g}]"),
                ("  skills without edges", f"{estimate.n_undefined if args.t == 1 else '-'}"),
            ]
            + bound_rows(bound)
        )
    )
    if estimate.value > bound.value:
        print(
            "note: the empirical fraction exceeds alpha_star; Theorem 1 is asymptotic "
            "(see `skillgraph check` for finite-size certificates)"
        )
    return 0
