"""The check report: hold the strongest adversaries against the certificates.

:func:`check` takes a skill graph (sampled, or the user's own), a failure rate
``theta`` and a threshold ``beta``, and reports side by side:

* Theorem 1's bound ``alpha_star`` in both forms and the averaging bound
  (:doc:`/theory/theorem1`);
* the finite-size certificate for this graph (:doc:`/theory/certificates`);
* the sharp limit ``alpha_sharp`` of the worst case (:doc:`/theory/sharp`);
* the bad fraction reached by the greedy and the targeted adversaries, by
  ``random`` and ``deficit`` failures, and by the exact adversary on small
  graphs (:doc:`/theory/failure_models`);
* the sandwich ``best adversary <= true worst case <= best certificate``, its
  width and ratio, and a ``violated`` flag when an adversary beats the
  certificate;
* the assumptions of the random-graph model that the graph breaks
  (:ref:`theory-assumptions`);
* with ``t``, the tuple sandwich ``best tuple adversary <= true worst case <=
  tuple certificate`` beside the two sides of the sharp tuple law and the
  paper's ``alpha_star(t theta)`` (:mod:`skillgraph.audit.tuple_check`).

Every number is labelled with what it claims and for which graph
(:mod:`skillgraph.audit.statements`): adversaries and the exact MILP hold for
this graph; certificates hold for it with probability ``1 - delta_fail`` only
when it was sampled from the random-graph model and its degrees pass the
model's goodness-of-fit test; otherwise, and for every limit, they are
statements about the model only.  A sandwich takes its upper end from the
statements that hold for this graph, so it is never inverted nor unfounded.

On a sampled graph a violation is a bug (or an event of probability at most
``delta_fail``); on a user's graph it is the finding that the graph is far
from the random-graph model.

Importing this module is cheap: the numba-backed modules are imported by the
functions that need them, so the command line starts fast.
"""


from __future__ import annotations

import dataclasses

import numpy as np

from skillgraph._docstrings import fill_doc
from skillgraph._rng import as_seed_sequence, child_seed
from skillgraph._validation import check_choice, check_int, check_probability, check_real
from skillgraph.audit import adversary, milp
from skillgraph.audit.assumptions import broken_assumptions, sampled_from_model
from skillgraph.audit.check_report import CheckReport
from skillgraph.audit.check_statements import graph_statements
from skillgraph.audit.outcome import AdversaryOutcome
from skillgraph.audit.streamed import (
    SKIPPED_NOTE,
    StreamedGraph,
    executor_for,
    streamed_adversaries,
)
from skillgraph.audit.targeted import targeted
from skillgraph.audit.tuple_check import tuple_check
from skillgraph.core import failures
from skillgraph.core.competence import bad_fraction, failed_edge_counts
from skillgraph.core.engine import ENGINES
from skillgraph.core.graph import SkillGraph
from skillgraph.core.streaming import StreamPlan
from skillgraph.theory import bounds
from skillgraph.theory.certificates import certified_alpha, certified_alpha_ragged
from skillgraph.theory.sharp import alpha_sharp
from skillgraph.theory.sharp_measure import certified_sharp_mass

# CheckReport, AdversaryOutcome and broken_assumptions are defined in their own
# modules; they stay importable from here, where the check's users look for them
__all__ = ["CheckReport", "AdversaryOutcome", "check", "broken_assumptions"]

#: graphs at most this large get the exact adversary when ``exact=None``
EXACT_AUTO_TEXTS = 200
EXACT_AUTO_SKILLS = 100
EXACT_AUTO_TIME_LIMIT = 30.0


def _engine_input(graph, engine: str, scheduler):
    """``(plan, graph, source)``: a StreamPlan (its stand-in graph, degrees not yet
    counted) for the stream engine, else ``(None, graph, source)``."""
    engine = check_choice("engine", engine, ("auto", *ENGINES))
    if isinstance(graph, StreamPlan):
        if engine == "graph":
            raise ValueError("engine='graph' needs a graph, got a StreamPlan: sample_graph(...)")
        return graph, StreamedGraph(plan=graph, degrees=None), "sampled (streamed)"
    if engine == "stream":
        raise ValueError(
            "engine='stream' needs a StreamPlan (skillgraph.stream_plan with the graph's "
            "sizes and seed), not a materialised graph"
        )
    if scheduler is not None:
        raise ValueError("scheduler applies to the stream engine only (a StreamPlan)")
    return (None, *_as_graph(graph))


def _as_graph(graph):
    if isinstance(graph, SkillGraph):
        return graph, "user"
    try:
        import networkx as nx
    except ImportError:  # pragma: no cover - networkx is a dependency
        nx = None
    if nx is not None and isinstance(graph, nx.Graph):
        return SkillGraph.from_networkx(graph), "networkx graph"
    raise TypeError(
        f"graph must be a SkillGraph or a networkx bipartite graph, got {type(graph).__name__}"
    )




def _mass_certificate(graph, theta, beta, k, delta_fail):
    """The certified bad mass for a ``k``-regular graph with non-uniform ``mu1`` (else None)."""
    uniform = np.allclose(graph.skill_measure, 1.0 / graph.n_skills, rtol=1e-9, atol=0)
    if uniform or not (graph.is_regular and graph.k == k):
        return None
    return certified_sharp_mass(graph.n_skills, graph.n_texts, k, theta, beta,
                                graph.skill_measure, delta_fail=delta_fail)  # fmt: skip


def _alpha_sharp(graph, theta: float, beta: float, k: int) -> float | None:
    """The sharp limit for this graph's model, or None where it is not defined."""
    uniform = np.allclose(graph.skill_measure, 1.0 / graph.n_skills, rtol=1e-9, atol=0)
    if not (graph.is_regular and graph.k == k and uniform):
        return None
    return float(alpha_sharp(theta, beta, k))


def _certificate(graph, theta, beta, k, delta_fail):
    """The best certificate for the graph, its ``candidates`` holding every one computed.

    A (given the degrees) always for a ``k``-regular graph; B and C, which
    assume uniform ``mu1`` (and the with-replacement model), only under it;
    A for ragged text degrees.  On a tie the smaller failure probability wins.
    """
    if not (graph.is_regular and graph.k == k):
        return certified_alpha_ragged(
            graph.degrees, graph.text_degrees, theta, beta, delta_fail=delta_fail
        )
    uniform = np.allclose(graph.skill_measure, 1.0 / graph.n_skills, rtol=1e-9, atol=0)
    args = (graph.n_skills, graph.n_texts, k, theta, beta)
    found = [certified_alpha(*args, delta_fail=delta_fail, degrees=graph.degrees,
                             method="best" if uniform else "conditional")]  # fmt: skip
    if uniform:
        found.append(certified_alpha(*args, delta_fail=delta_fail, method="sharp"))
    best = min(found, key=lambda c: (c.n_bad_max, c.log_fail_prob))
    candidates = {name: a for c in found for name, a in c.candidates.items()}
    return dataclasses.replace(best, candidates=candidates)


def _checked_k(graph, k: int | None) -> int:
    """Return the ``k`` of the bounds (default: the graph's), after checking the graph has edges."""
    if graph.n_edges == 0:
        raise ValueError("graph has no edges: nothing to check")
    if graph.n_texts == 0:
        raise ValueError("graph has no text pieces: nothing to check")
    if k is None:
        k = graph.k if graph.k is not None else max(1, int(round(graph.text_degrees.mean())))
    k = check_int("k", k, 1)
    if graph.k is not None and k != graph.k:
        raise ValueError(
            f"k={k} disagrees with the graph, whose text pieces all use k={graph.k} skills; "
            "leave k out to take it from the graph"
        )
    return k


def _exact_settings(graph, exact: bool | None, time_limit: float | None) -> tuple[bool, float]:
    """Return whether the exact adversary runs and its time limit (defaults by graph size)."""
    if exact is None:
        exact = graph.n_texts <= EXACT_AUTO_TEXTS and graph.n_skills <= EXACT_AUTO_SKILLS
        limit = EXACT_AUTO_TIME_LIMIT if time_limit is None else time_limit
    else:
        limit = 60.0 if time_limit is None else time_limit
    return exact, check_real("time_limit", limit, 0.0, None, open_low=True)


def _outcome(graph, beta: float, name: str, failed, optimal=None) -> AdversaryOutcome:
    """Return what the failure set ``failed`` (of the model ``name``) does to the graph."""
    est = bad_fraction(graph, failed, beta)
    has = graph.degrees > 0  # fail(s) > beta as bad_fraction computes it
    bad = np.flatnonzero(has)[failed_edge_counts(graph, failed)[has] / graph.degrees[has] > beta]
    names = graph.skill_names
    return AdversaryOutcome(
        name=name, n_bad=int(est.n_bad), alpha=est.n_bad / graph.n_skills,
        bad_fraction=float(est.value), optimal=optimal, failed=np.asarray(failed),
        bad_skills=tuple(int(s) for s in bad) if names is None else tuple(names[s] for s in bad),
    )


def _run_adversaries(
    graph, theta: float, beta: float, run_exact: bool, limit: float, master
) -> tuple[dict[str, AdversaryOutcome], float | None]:
    """Return the outcome of every failure model by name, and HiGHS's bound (exact only)."""
    outcomes = []
    exact_upper = None
    if run_exact:
        ex = milp.exact(graph, theta, beta, time_limit=limit)
        outcomes.append(_outcome(graph, beta, "exact", ex.failed, ex.optimal))
        exact_upper = ex.upper_bound
    gr = adversary.greedy(graph, theta, beta, seed=child_seed(master, 1))
    outcomes.append(_outcome(graph, beta, "greedy", gr.failed))
    tg = targeted(graph, theta, beta, seed=child_seed(master, 4))
    outcomes.append(_outcome(graph, beta, "targeted", tg.failed))
    deficit = failures.deficit_failures(graph, theta, seed=child_seed(master, 3))
    outcomes.append(_outcome(graph, beta, "deficit", deficit))
    random = failures.random_failures(graph, theta, seed=child_seed(master, 2))
    outcomes.append(_outcome(graph, beta, "random", random))
    return {o.name: o for o in outcomes}, exact_upper


@fill_doc()
def check(
    graph,
    theta: float,
    beta: float,
    *,
    k: int | None = None,
    delta_fail: float = 1e-6,
    exact: bool | None = None,
    seed=None,
    time_limit: float | None = None,
    source: str | None = None,
    t: int | None = None,
    sampled: bool | None = None,
    engine: str = "auto",
    scheduler=None,
) -> CheckReport:
    """Check the theory on one graph: bounds, certificate and adversaries side by side.

    Parameters
    ----------
    graph : SkillGraph or networkx.Graph
        A sampled graph or the user's own (ragged text degrees allowed; a
        networkx graph must be bipartite with ``bipartite`` node attributes 0
        for skills and 1 for texts, see :meth:`skillgraph.core.graph.SkillGraph.from_networkx`).
    theta : float
        Failure rate in (0, 1).
    beta : float
        Threshold in (0, 1): bad means ``fail(s) > beta``.
    k : int, optional
        Skills per text for the bounds; default the graph's ``k``, or the
        rounded mean text degree of a ragged graph.
    delta_fail : float, default 1e-6
        Failure probability of the certificate.
    exact : bool, optional
        Run the exact MILP adversary; default: only on graphs with at most
        200 texts and 100 skills.
    seed : int, SeedSequence, Generator or None
        For the greedy, random and deficit failure sets (independent streams).
    time_limit : float, optional
        Seconds for the exact adversary (default 30 when automatic, 60 when asked).
    source : str, optional
        Label for the report (defaults to "user" / "networkx graph").
    t : int, optional
        Also check tensor ``t``-tuples (``t >= 1``): the tuple adversary, the
        tuple certificate, both sides of the sharp tuple law and the paper's
        ``alpha_star(t theta)`` (:mod:`skillgraph.audit.tuple_check`).
    sampled : bool, optional
        Whether ``graph`` was sampled from the random-graph model (with
        replacement), e.g. by :func:`~skillgraph.core.sampling.sample_graph`.
        Only then do the certificates hold for this graph (with probability
        ``1 - delta_fail``), and only if its skill degrees pass the model's
        goodness-of-fit test; otherwise they are statements about the model.
        Default: True when ``source`` starts with ``"sampled"`` (and does not
        say ``"no replacement"``), else False.
    engine : {"auto", "graph", "stream"}
        ``"stream"`` (the default for a
        :class:`~skillgraph.core.streaming.StreamPlan`) checks a graph too large to
        hold: the plan regenerates its text pieces pass after pass, the
        targeted, random and deficit models run on the stream
        (:mod:`skillgraph.audit.streamed`), greedy and exact are skipped (the
        report says so).  ``"graph"`` (the default for a graph) runs every adversary.
    scheduler : str, distributed.Client or executor, optional
        Stream engine: where each pass's shards run (a Dask scheduler address,
        a client, or anything with ``map``; default this process).  The report
        is the same.

    Returns
    -------
    CheckReport
        ``str(report)`` renders it; ``report.violated`` says whether an
        adversary beat the certificate; ``report.as_dict()`` for JSON.

    %(raises_invalid)s

    Notes
    -----
    Bounds: :doc:`/theory/theorem1` and :doc:`/theory/sharp`.  Certificate
    (:doc:`/theory/certificates`): the best of A (given the degrees), B and C
    (:ref:`theory-certificate-c`) when the graph is ``k``-regular with uniform
    ``mu1``, A alone for another ``mu1``; for a ragged graph certificate A
    with the sum of the ``m`` largest text degrees as the number of draws.
    Adversaries: :ref:`theory-adversaries` and :ref:`theory-sharp-lower`
    (greedy and targeted always, exact on small graphs).  The certificate
    bounds the *number* of bad skills, so adversaries are compared by count,
    and the report prints the sandwich best adversary <= true worst case <=
    the best upper end that holds for this graph (:mod:`skillgraph.audit.statements`);
    for a non-uniform ``mu1`` also in bad mass (the mass certificate and
    certificate A on the heaviest skills), and with ``t`` for tensor tuples.
    ``report.violated``: an adversary beats an upper end that holds for this
    graph (a bug on a sampled graph), or the certificate of the model (the
    finding that a user's graph is far from it).  Cost: the greedy adversary
    dominates; the whole check takes about 10 s at ``n_texts = 1e6, k = 8`` and
    25 s at ``1e7`` on two cores (``benchmarks/bench_check.py``); the exact one is
    exponential in the worst case and bounded by ``time_limit``; the tuple
    adversary adds a few seconds to a minute at ``n_texts = 1e6``.

    Examples
    --------
    >>> from skillgraph import sample_graph
    >>> report = check(sample_graph(50, 5000, 8, seed=0), 0.05, 0.3, seed=0)
    >>> report.violated
    False
    """
    # --- engine (skillgraph.audit.streamed): a StreamPlan is checked on the stream
    plan, graph, default_source = _engine_input(graph, engine, scheduler)
    theta = check_probability("theta", theta)
    beta = check_probability("beta", beta)
    delta_fail = check_probability("delta_fail", delta_fail)
    if exact is not None and not isinstance(exact, bool):
        raise TypeError(f"exact must be True, False or None, got {exact!r}")
    if sampled is not None and not isinstance(sampled, bool):
        raise TypeError(f"sampled must be True, False or None, got {sampled!r}")
    if t is not None:
        t = check_int("t", t, 1)
    k = _checked_k(graph, k)
    if plan is not None and (exact or t is not None):
        raise ValueError("exact and t need the materialised graph: use engine='graph'")
    exact, limit = _exact_settings(graph, exact, time_limit)
    master = as_seed_sequence(seed)
    streamed_outcomes = None
    if plan is not None:
        exact = False
        with executor_for(scheduler) as executor:
            graph, streamed_outcomes = streamed_adversaries(plan, theta, beta, master,
                                                            executor=executor)  # fmt: skip

    kl = bounds.emergence_bound(theta, beta, k, form="kl")
    paper = bounds.emergence_bound(theta, beta, k, form="paper")
    cert = _certificate(graph, theta, beta, k, delta_fail)
    mass_cert = _mass_certificate(graph, theta, beta, k, delta_fail)
    if streamed_outcomes is None:
        adversaries, exact_upper = _run_adversaries(graph, theta, beta, exact, limit, master)
    else:
        adversaries, exact_upper = streamed_outcomes, None
    best = max(adversaries.values(), key=lambda o: o.n_bad).name
    best_n = adversaries[best].n_bad
    source = source or default_source
    assumptions = broken_assumptions(graph, theta, beta, k)
    is_sample = sampled_from_model(sampled, source, assumptions)
    tuples = None
    if t is not None:
        tuples = tuple_check(graph, theta, beta, k, t, delta_fail=delta_fail, sampled=is_sample,
                             seed=child_seed(master, 5))  # fmt: skip
    report = CheckReport(
        n_skills=graph.n_skills,
        n_texts=graph.n_texts,
        n_edges=graph.n_edges,
        k=k,
        regular=graph.is_regular,
        source=source,
        theta=theta,
        beta=beta,
        delta_fail=delta_fail,
        n_failed=failures.failure_count(graph.n_texts, theta),
        alpha_star_kl=kl.value,
        alpha_star_paper=paper.value,
        vacuous_kl=kl.vacuous,
        vacuous_paper=paper.vacuous,
        averaging=kl.averaging,
        certificate=cert,
        adversaries=adversaries,
        best=best,
        gap=(cert.n_bad_max - best_n) / graph.n_skills,
        violated=False,
        assumptions=assumptions,
        exact_upper_bound=exact_upper,
        alpha_sharp=_alpha_sharp(graph, theta, beta, k),
        sampled=is_sample,
        mass_certificate=mass_cert,
        tuples=tuples,
        extra_statements=graph_statements(graph, adversaries, exact_upper, cert, mass_cert,
                                           is_sample),
        notes=() if plan is None else (SKIPPED_NOTE,),
    )  # fmt: skip
    problems = [sw.inverted or sw.beyond_model for sw in report.sandwiches.values()]
    return dataclasses.replace(report, violated=any(problems))
