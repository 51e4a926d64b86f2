"""The exact adversary: the worst failure set of a tiny graph, by integer programming.

The mathematics is on the documentation page :ref:`theory-adversary-exact`.
:func:`exact` solves the integer program with :func:`scipy.optimize.milp`
(HiGHS): the worst case itself when optimality is proven, otherwise a solution
and an upper bound.  It returns the same
:class:`~skillgraph.audit.search.AdversaryResult` as the greedy adversary of
:mod:`skillgraph.audit.adversary`, with a failure set of exactly
``round(theta * n_texts)`` text pieces.
"""

from __future__ import annotations

import threading
import time

import numpy as np

from skillgraph._validation import check_real
from skillgraph.audit.search import AdversaryResult, make_result, need_counts, validate_inputs
from skillgraph.core.failures import failure_count
from skillgraph.core.graph import SkillGraph

__all__ = ["exact"]


def _interruptible(function, *args, **kwargs):
    """Call ``function`` in a worker thread so that Ctrl-C reaches the caller at once.

    HiGHS (behind ``scipy.optimize.milp``) checks for signals only when its time
    limit expires; the main thread here waits in short slices instead, so a
    ``KeyboardInterrupt`` (or SIGTERM turned into one) unwinds within a fraction
    of a second.  The abandoned solver thread is a daemon: it ends with the process.
    """
    outcome: dict = {}

    def target():
        try:
            outcome["value"] = function(*args, **kwargs)
        except BaseException as exc:  # handed to the caller below
            outcome["error"] = exc

    worker = threading.Thread(target=target, name="skillgraph-milp", daemon=True)
    worker.start()
    while worker.is_alive():
        worker.join(0.1)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _milp_problem(
    graph: SkillGraph, m: int, need: np.ndarray, cand: np.ndarray
) -> tuple[np.ndarray, list]:
    """Return the objective and constraints of the worst-case MILP over the candidate skills."""
    from scipy import sparse
    from scipy.optimize import LinearConstraint

    n_texts, n_cand = graph.n_texts, cand.size
    # multiplicity matrix rows = candidate skills, columns = texts
    pos = np.full(graph.n_skills, -1, dtype=np.int64)
    pos[cand] = np.arange(n_cand)
    rows = pos[graph.text_indices]
    keep = rows >= 0
    mult = sparse.coo_matrix(
        (np.ones(int(keep.sum())), (rows[keep], graph.edge_texts[keep])), shape=(n_cand, n_texts)
    ).tocsr()  # duplicates add up: multiplicities
    mult.sum_duplicates()
    cover = sparse.hstack([mult, sparse.diags(-need[cand].astype(np.float64))], format="csr")
    budget = sparse.hstack(
        [sparse.csr_matrix(np.ones((1, n_texts))), sparse.csr_matrix((1, n_cand))], format="csr"
    )
    constraints = [
        LinearConstraint(cover, lb=0.0, ub=np.inf),
        LinearConstraint(budget, lb=-np.inf, ub=float(m)),
    ]
    mu = graph.skill_measure / graph.skill_measure.sum()
    return np.concatenate([np.zeros(n_texts), -mu[cand]]), constraints


def _padded_solution(x: np.ndarray | None, n_texts: int, m: int) -> np.ndarray:
    """Return the failure set of the MILP solution ``x`` (none: empty), padded to ``m`` texts."""
    failed = x[:n_texts] > 0.5 if x is not None else np.zeros(n_texts, dtype=bool)
    # pad to exactly m texts (extra failures never make a skill good)
    missing = m - int(failed.sum())
    if missing > 0:
        free = np.flatnonzero(~failed)
        failed[free[:missing]] = True
    return failed


def exact(
    graph: SkillGraph, theta: float, beta: float, *, time_limit: float = 60
) -> AdversaryResult:
    """The worst failure set, by integer programming (:ref:`theory-adversary-exact`).

    Solves, with :func:`scipy.optimize.milp` (HiGHS),

    ``max sum_s mu1(s) z_s`` subject to ``sum_t y_t <= m``,
    ``sum_t mult(s, t) y_t >= need(s) z_s`` for every skill, ``y, z`` binary,

    where ``mult(s, t)`` is the edge multiplicity and ``need(s)`` the least
    integer count with ``need / deg(s) > beta``
    (:func:`~skillgraph.audit.search.need_counts`; the
    integer form of ``beta deg(s) + eps``, with no ``eps`` to
    choose).  Skills of degree 0 can never be bad and are left out.

    Parameters
    ----------
    graph : SkillGraph
        A tiny graph (tens to a few hundred text pieces).
    theta : float
        Failure rate in [0, 1]; ``m = round(theta * n_texts)``.
    beta : float
        Threshold in [0, 1).
    time_limit : float, default 60
        Seconds for HiGHS; past it the best solution found is returned with
        ``optimal=False``.

    Returns
    -------
    AdversaryResult
        ``optimal`` says whether HiGHS proved optimality; ``upper_bound`` is its
        bound on the objective (equal to ``bad_fraction`` when optimal, up to
        the solver's tolerance).  If HiGHS found no solution in time, ``Y`` is
        an arbitrary set of ``m`` texts and ``optimal`` is False.

    Notes
    -----
    Worst-case exponential; the graph has ``n_texts + n_skills`` binary
    variables and ``n_skills + 1`` constraints.  The failure set returned is
    padded to exactly ``m`` texts (extra failures never make a skill good).
    """
    from scipy.optimize import Bounds, milp

    graph, theta, beta = validate_inputs(graph, theta, beta)
    time_limit = check_real("time_limit", time_limit, 0.0, None, open_low=True)
    n_texts = graph.n_texts
    m = failure_count(n_texts, theta)
    need = need_counts(graph.degrees, beta)
    cand = np.flatnonzero(need <= m * max(int(graph.text_degrees.max(initial=0)), 1))
    started = time.perf_counter()
    if m == 0 or cand.size == 0:
        failed = np.zeros(n_texts, dtype=bool)
        failed[:m] = True
        return make_result(
            graph, failed, theta, beta, "exact", optimal=True, upper_bound=0.0,
            details={"status": "trivial", "seconds": 0.0},
        )  # fmt: skip
    c, constraints = _milp_problem(graph, m, need, cand)
    res = _interruptible(
        milp,
        c,
        constraints=constraints,
        integrality=np.ones(c.size),
        bounds=Bounds(0, 1),
        options={"time_limit": float(time_limit), "disp": False},
    )
    seconds = time.perf_counter() - started
    failed = _padded_solution(res.x, n_texts, m)
    optimal = bool(res.status == 0)
    dual = getattr(res, "mip_dual_bound", None)
    upper = float(-dual) + 0.0 if dual is not None and np.isfinite(dual) else None
    return make_result(
        graph,
        failed,
        theta,
        beta,
        "exact",
        optimal=optimal,
        upper_bound=upper,
        details={"status": int(res.status), "message": str(res.message), "seconds": seconds},
    )
