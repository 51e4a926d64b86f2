"""``skillgraph check``: hold the strongest adversaries against the certificates."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from skillgraph.cli import _vocabulary as vocab
from skillgraph.cli._common import EXIT_OUTPUT, CommandError
from skillgraph.cli._json import emit_json
from skillgraph.cli._subcommand import subcommand

if TYPE_CHECKING:
    from skillgraph.core.graph import SkillGraph

__all__ = ["add_parser", "run"]

_HELP = "hold the strongest adversaries against the finite-size certificates"
_DESCRIPTION = (
    "On a sampled graph (the options of `simulate`) or on your own edge list "
    "(--edges FILE: CSV/TSV of text_id,skill_id pairs, header optional), print the bound "
    "alpha_star in both forms and the sharp limit alpha_sharp (docs: Theory > The sharp "
    "worst case, docs/theory/sharp.rst), the best finite-size certificate (A, B or C; docs: "
    "Theory > Finite-size certificates, docs/theory/certificates.rst), the bad fractions "
    "reached by the greedy and targeted adversaries, deficit and random failures, and the "
    "exact MILP adversary on small graphs (docs: Theory > Failure models and adversaries, "
    "docs/theory/failure_models.rst), and the sandwich best adversary <= true worst case "
    "<= certificate. Exit status: 0 no adversary beats the "
    "certificate, 1 one does (a bug on a sampled graph; on your graph, the finding that it "
    "is far from the random-graph model), 2 invalid input. With --edges, --n-skills and "
    "--n-texts (optional) declare the sizes and --k the k used by the bounds."
)


def _options(p) -> None:
    """The options of ``skillgraph check``, in ``--help`` order."""
    vocab.add_graph_arguments(p)
    vocab.add_sampling_arguments(p)
    vocab.add_seed(p)
    p.add_argument("--edges", metavar="FILE", help="check this edge list instead of sampling")
    vocab.add_theta(p)
    vocab.add_beta(p)
    p.add_argument("--delta-fail", type=float, default=1e-6,
                   help="failure probability of the certificate (default 1e-6)")
    ex = p.add_mutually_exclusive_group()
    ex.add_argument("--exact", dest="exact", action="store_true", default=None,
                    help="run the exact MILP adversary (default: only on tiny graphs)")
    ex.add_argument("--no-exact", dest="exact", action="store_false",
                    help="never run the exact adversary")
    p.add_argument("--time-limit", type=float, default=None,
                   help="seconds for the exact adversary (default 30 automatic, 60 with --exact)")
    vocab.add_t(p, help="1 (default): single skills; T > 1: also check tensor T-tuples of "
                "skills: the tuple adversary <= true worst case <= tuple certificate, beside the "
                "sharp tuple law and the paper's alpha_star(T theta) (docs: Theory > The sharp "
                "worst case for tuples)")
    vocab.add_engine(p, help="graph: materialise the sampled graph and run every adversary; "
                     "stream: regenerate its text pieces pass after pass in O(n_skills) memory "
                     "(targeted, random and deficit on the stream; greedy and exact skipped); "
                     f"auto (default): stream past {STREAM_AUTO_EDGES:.0e} edge slots")
    p.add_argument("--scheduler", metavar="ADDRESS", default=None,
                   help="--engine stream: run each pass's shards on the Dask scheduler at "
                   "ADDRESS (dask extra); same report")
    vocab.add_reporting(p)


add_parser = subcommand(__name__, _options, help=_HELP, description=_DESCRIPTION)


def run(args) -> int:
    from skillgraph._progress import progress_bar
    from skillgraph._rng import as_seed_sequence, child_seed
    from skillgraph._validation import check_probability
    from skillgraph.audit.report import check

    master = as_seed_sequence(args.seed)
    for name in ("theta", "beta", "delta_fail"):  # refused before the bar and the sampling
        check_probability(name, getattr(args, name))
    engine = _engine(args)
    with progress_bar(2, enabled=args.progress, desc="check", unit="stage", delay=1.0) as bar:
        if args.edges is not None:
            graph, source = _edge_graph(args)
        elif engine == "stream":
            graph, source = _stream_plan(args, child_seed(master, 0))
        else:
            graph, source = _sampled_graph(args, child_seed(master, 0))
        bar.update(1)  # the graph (or its stream plan) is there; the searches follow
        report = check(
            graph, args.theta, args.beta, k=args.k if vocab.given(args, "k") else None,
            delta_fail=args.delta_fail, exact=args.exact, seed=child_seed(master, 1),
            time_limit=args.time_limit, source=source, t=_tuple_size(args),
            engine=engine, scheduler=args.scheduler,
        )
        bar.update(1)
    if args.edges is None and args.no_replace:
        import dataclasses

        note = (
            "sampled without replacement (k distinct skills per text): the certificates "
            "(docs/theory/certificates.rst) are proved for the paper's with-replacement "
            "model only"
        )
        report = dataclasses.replace(report, assumptions=[*report.assumptions, note])
    if args.json:
        emit_json("check", report.as_dict())
    else:
        print(report)
    if report.violated:
        print(f"skillgraph check: {report.message}", file=sys.stderr)
        return 1
    return 0


#: ``--engine auto`` streams a sampled graph with more edge slots than this (its arrays
#: alone would take about 4.5 bytes a slot, and the searches several times that)
STREAM_AUTO_EDGES = 2e8


def _tuple_size(args) -> int | None:
    """``--t`` for the report: ``None`` for single skills (the default 1), else the size."""
    return None if args.t == 1 else args.t


def _engine(args) -> str:
    """The engine: ``--engine``, or for ``auto`` the stream past :data:`STREAM_AUTO_EDGES`."""
    stream_only = [flag for flag, used in (("--scheduler", args.scheduler is not None),) if used]
    cannot = [flag for flag, used in (("--edges", args.edges is not None),
                                      ("--no-replace", args.no_replace), ("--exact", args.exact),
                                      ("--t", _tuple_size(args) is not None)) if used]  # fmt: skip
    if args.engine == "stream" and cannot:
        raise CommandError(f"--engine stream cannot take {', '.join(cannot)}: use --engine graph")
    if args.engine == "auto":
        big = args.n_texts * args.k > STREAM_AUTO_EDGES or stream_only
        engine = "stream" if big and not cannot else "graph"
    else:
        engine = args.engine
    if engine != "stream" and stream_only:
        raise CommandError("--scheduler runs the stream engine: add --engine stream")
    return engine


def _stream_plan(args, seed):
    """The stream plan of the graph the options sample (the same graph as `_sampled_graph`)."""
    from skillgraph.core.streaming import stream_plan

    plan = stream_plan(
        args.n_skills, args.n_texts, args.k, args.theta, skill_measure=args.skill_measure,
        zipf_exponent=vocab.zipf_exponent(args), seed=seed,
    )
    source = f"sampled, seed {args.seed}, streamed" + (
        f", {args.skill_measure} skills" if args.skill_measure != "uniform" else ""
    )
    return plan, source


def _edge_graph(args) -> tuple[SkillGraph, str]:
    """Return the graph of the ``--edges`` file and its source label for the report."""
    from skillgraph.core.io import load_edges

    _refuse_sampling_options(args)
    _estimate_edge_check(args)
    try:
        graph = load_edges(
            args.edges,
            n_texts=args.n_texts if vocab.given(args, "n_texts") else None,
            n_skills=args.n_skills if vocab.given(args, "n_skills") else None,
        )
    except OSError as exc:  # missing or unreadable file: a message, not a traceback
        raise CommandError(str(exc), EXIT_OUTPUT) from None
    _say_estimate(graph.n_texts, graph.n_skills, graph.n_edges)  # sizes read from the file
    return graph, f"edges from {args.edges}"


def _estimate_edge_check(args) -> None:
    """Refuse, before reading, a check too large for this machine; say when it will be long."""
    import os

    from skillgraph._resources import MIN_EDGE_LINE_BYTES, check_edge_audit
    from skillgraph._validation import check_int
    from skillgraph.cli._common import check_input

    check_input(args.edges, "edge file")
    for name in ("n_texts", "n_skills"):
        if vocab.given(args, name):
            check_int(name, getattr(args, name), 1)
    with open(args.edges, "rb") as f:
        head = f.read(1 << 16)
    line = max(len(head) / max(head.count(b"\n"), 1), MIN_EDGE_LINE_BYTES)
    edges = int(os.path.getsize(args.edges) / line)
    check_edge_audit(args.n_texts if vocab.given(args, "n_texts") else 0,
                     args.n_skills if vocab.given(args, "n_skills") else 0, edges)


def _say_estimate(n_texts: int, n_skills: int, n_edges: int) -> None:
    """Refuse the check of the graph read, or say how long it will take when that is long."""
    from skillgraph._resources import check_edge_audit

    hint = ("Ids are indices: the largest id (or --n-texts/--n-skills) sets the size; "
            "number the ids from 0.")  # fmt: skip
    seconds = check_edge_audit(n_texts, n_skills, n_edges, hint)
    if seconds > 60:
        print(f"skillgraph check: estimate: about {seconds / 60:.0f} minutes for "
              f"{n_texts:,} text pieces and {n_skills:,} skills", file=sys.stderr)  # fmt: skip


def _sampled_graph(args, seed) -> tuple[SkillGraph, str]:
    """Return a graph sampled from the options (defaults 1000, 100 000, 8) and its source label."""
    from skillgraph.core.sampling import sample_graph

    graph = sample_graph(
        args.n_skills, args.n_texts, args.k, skill_measure=args.skill_measure,
        zipf_exponent=vocab.zipf_exponent(args), replace=not args.no_replace, seed=seed,
    )
    source = f"sampled, seed {args.seed}" + (
        f", {args.skill_measure} skills" if args.skill_measure != "uniform" else ""
    ) + (", no replacement" if args.no_replace else "")
    return graph, source


def _refuse_sampling_options(args) -> None:
    """Options that describe a *sampled* graph mean nothing with ``--edges``: say so."""
    given = [
        flag
        for flag, used in (
            ("--skill-measure", args.skill_measure != "uniform"),
            ("--zipf-exponent", args.zipf_exponent is not None),
            ("--no-replace", args.no_replace),
        )
        if used
    ]
    if given:
        raise CommandError(
            f"{', '.join(given)} describe(s) a sampled graph and cannot apply to --edges; "
            "drop them (the edge file fixes the graph)"
        )
