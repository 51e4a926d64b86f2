"""The built-in measurements and failure models of sweeps, declared in :data:`BUILTINS`.

Each measurement is a function ``fn(ctx) -> list of rows`` declared in
:data:`BUILTINS` (registered by
:func:`skillgraph.sweep.builtins.load_builtins`), together with its cost
model (rows, seconds, bytes of one work item) so that specs that cannot
finish are refused before any work.  The spec names them in
``measures = [...]``:

``bad_fraction``
    ``mu1``-mass of skills with ``fail(s) > beta``, per ``beta``
    (:doc:`/theory/graph`).
``curve``
    The performance curve, competent fraction at ``options.curve_betas``.
``tuple``
    Bad fraction of ``t``-tuples per ``(t, tuple_mode, beta)``
    (:doc:`/theory/tuples`); the ``tensor`` mode needs only the per-skill
    counts (either engine), ``cooccur`` needs the graph.
``bound``
    ``alpha_star`` of Theorem 1 / Corollary 2 and the averaging bound
    (:doc:`/theory/theorem1`).
``certificate``
    The finite-size certified alpha on the item's degrees
    (:doc:`/theory/certificates`).
``adversary``
    A worst-case failure set per ``beta`` by the greedy search (graph only).
``targeted``
    The same by the targeted adversary (graph only; :doc:`/theory/sharp`).
``sharp``
    The sharp limit ``alpha_sharp`` and ``alpha_star / alpha_sharp``
    (:doc:`/theory/sharp`).
``sharp_certificate``
    Certificate C, the finite-size bound that tends to ``alpha_sharp``.
``memory``, ``superposition``, ``induction``
    The mechanisms, declared by :mod:`skillgraph.sweep.mechanism_measures`.

The realised failure rate (:func:`failure_rate_rows`) is recorded for every item.
The failure models are those of :data:`skillgraph.core.failures.FAILURE_MODELS`.
"""

from __future__ import annotations

import inspect

import numpy as np

from skillgraph.audit import adversary as search
from skillgraph.audit.targeted import targeted
from skillgraph.audit.tuple_adversary import tuple_adversary
from skillgraph.core import competence
from skillgraph.core.failures import FAILURE_MODELS
from skillgraph.sweep.context import ItemContext, zipf_exponent_of
from skillgraph.sweep.cost import (
    SECONDS_PER_ROW,
    SECONDS_PER_SKILL,
    SKILL_INDEX_BYTES_PER_EDGE,
    Cost,
    edge_slots,
    n_log_n,
)
from skillgraph.sweep.registry import MeasurementSet
from skillgraph.theory import bounds, certificates
from skillgraph.theory.sharp import certified_sharp, sharp_bound
from skillgraph.theory.sharp_tuples import sharp_tuple_bound
from skillgraph.theory.tuple_certificate import tuple_certificate

__all__ = ["BUILTINS", "failure_rate_rows", "FAILURE_RATE_COLUMNS"]

#: the built-in measurements and failure models (registered by ``load_builtins``)
BUILTINS = MeasurementSet()

#: the library's default number of sampled tuples (a 95% CI half-width of 0.002)
_DEFAULT_TUPLES = 240_100
#: seconds per (sampled tuple x skill) in the tensor mode, and per edge visited in ``cooccur``
_SECONDS_PER_TENSOR_DRAW = 5e-8
_SECONDS_PER_COOCCUR_EDGE = 1.5e-8
#: certificate: seconds per skill and threshold; greedy adversary: fixed part and per edge slot
_SECONDS_PER_CERTIFIED_SKILL = 4e-5
_ADVERSARY_SECONDS = 5.0
_ADVERSARY_SECONDS_PER_EDGE = 2e-6
_ADVERSARY_BYTES_PER_EDGE = 16
#: the greedy adversary's size limit (its passes hold several edge-sized arrays)
MAX_ADVERSARY_EDGES = 10**7

#: columns of the failure-rate row beyond the item's parameters
FAILURE_RATE_COLUMNS = ("value", "n_bad", "n", "exact")


# ---------------------------------------------------------------------------
# failure models: the core's, with the spec's option ``bernoulli``


def _sweep_failure_model(model):
    """Adapt ``model(graph, theta, *, [exact,] seed)`` to ``fn(graph, theta, seed, settings)``."""
    takes_exact = "exact" in inspect.signature(model).parameters

    def run(graph, theta, seed, settings):
        if takes_exact:  # options.bernoulli: i.i.d. failures instead of an exact count
            return model(graph, theta, exact=not settings["bernoulli"], seed=seed)
        return model(graph, theta, seed=seed)

    run.__doc__ = model.__doc__
    return run


for _name, _model in FAILURE_MODELS.items():
    BUILTINS.failure_model(_name, _sweep_failure_model(_model))


# ---------------------------------------------------------------------------
# rows


def _estimate_row(ctx: ItemContext, quantity: str, est, **extra) -> dict:
    """A row from a ``FractionEstimate`` (its counts and its 95% interval)."""
    d = est.as_dict()
    keys = ("beta", "t", "value", "ci_low", "ci_high", "n_bad", "n", "n_undefined",
            "undefined_mass", "n_effective", "exact")  # fmt: skip
    return ctx.row(quantity, **{key: d[key] for key in keys}, **extra)


def _certificate_row(ctx: ItemContext, beta: float, cert) -> dict:
    """A row from a ``Certificate`` (any of the finite-size certificates)."""
    return ctx.row(
        "certified_alpha", source="certificate", beta=beta, t=1, method=cert.method,
        value=float(cert.alpha),
        n_bad=int(cert.n_bad_max), n=int(ctx.params["n_skills"]), vacuous=bool(cert.vacuous),
        log_fail_prob=float(cert.log_fail_prob),
    )  # fmt: skip


def _certificate_rows(ctx: ItemContext, certify, **options) -> list[dict]:
    """One :func:`_certificate_row` per ``beta``, from ``certify`` at the item's sizes."""
    p, delta_fail = ctx.params, ctx.settings["delta_fail"]
    return [
        _certificate_row(ctx, beta, certify(p["n_skills"], p["n_texts"], p["k"], p["theta"], beta,
                                            delta_fail=delta_fail, **options))
        for beta in ctx.settings["beta"]
    ]  # fmt: skip


def _adversary_row(ctx: ItemContext, beta: float, res) -> dict:
    """A row from an adversary's result: the bad mass it reaches, and its count."""
    return ctx.row("adversary_bad_fraction", source="adversary", beta=beta, t=1, method=res.method,
                   value=float(res.bad_fraction), n_bad=int(res.n_bad),
                   n=int(res.n_skills))  # fmt: skip


def failure_rate_rows(ctx: ItemContext) -> list[dict]:
    """The realised failure rate ``mu2(Y)``, recorded for every item.

    The graph engine fails exactly ``round(theta * n_texts)`` text pieces for
    ``random``; the stream engine a Bernoulli number: the rate says which.
    """
    counts = ctx.counts
    n_failed, n = int(counts.n_failed_texts), int(counts.n_texts)
    return [ctx.row("failure_rate", value=n_failed / n, n_bad=n_failed, n=n, exact=True)]


# ---------------------------------------------------------------------------
# cost models (see skillgraph.sweep.cost)


def _per_skill_pass_cost(n_rows: int, n_skills: int) -> Cost:
    return Cost(n_rows, n_rows * (SECONDS_PER_SKILL * n_skills + SECONDS_PER_ROW))


def _bad_fraction_cost(params: dict, settings: dict) -> Cost:
    return _per_skill_pass_cost(len(settings["beta"]), params["n_skills"])


def _curve_cost(params: dict, settings: dict) -> Cost:
    sort = Cost(0, SECONDS_PER_SKILL * n_log_n(params["n_skills"]))
    return sort + _per_skill_pass_cost(len(settings["curve_betas"]), params["n_skills"])


def _skill_collision(params: dict) -> float:
    """``sum_s mu1(s)^2``: the mean degree of a ``mu1``-drawn skill is ``n_edges`` times this.

    Zipf sums beyond the first million skills are replaced by their integral
    (the terms are smooth and tiny there).
    """
    n = int(params["n_skills"])
    if params["skill_measure"] != "zipf":
        return 1.0 / n
    a = float(zipf_exponent_of(params))
    m = min(n, 10**6)
    i = np.arange(1, m + 1, dtype=np.float64)
    mass = float(np.sum(i**-a))
    if n > m:  # integral of x^-a over [m + 1/2, n + 1/2]
        lo, hi = m + 0.5, n + 0.5
        mass += np.log(hi / lo) if a == 1.0 else (hi ** (1 - a) - lo ** (1 - a)) / (1 - a)
    return min(1.0, float(np.sum(i ** (-2 * a))) / mass**2)


def _tuple_cost(params: dict, settings: dict) -> Cost:
    n_skills, edges = params["n_skills"], edge_slots(params)
    n_draws = settings["n_tuples"] or _DEFAULT_TUPLES
    per_beta = len(settings["beta"])
    total = Cost()
    for t in settings["t"]:
        for mode in settings["tuple_mode"]:
            if mode == "cooccur":
                visits = n_draws * t * edges * _skill_collision(params)
                one = Cost(1, _SECONDS_PER_COOCCUR_EDGE * visits + SECONDS_PER_ROW,
                           SKILL_INDEX_BYTES_PER_EDGE * edges + 24 * n_draws * t)  # fmt: skip
            elif not settings["n_tuples"] and t <= 2:  # exact, by sorting
                one = Cost(1, 4 * SECONDS_PER_SKILL * n_log_n(n_skills) + SECONDS_PER_ROW)
            else:
                seconds = _SECONDS_PER_TENSOR_DRAW * n_draws * t + SECONDS_PER_SKILL * n_skills
                one = Cost(1, seconds + SECONDS_PER_ROW, 24 * n_draws * t)
            for _ in range(per_beta):
                total = total + one
    return total


def _bound_ts(settings: dict) -> list[int]:
    """Tuple sizes of the bound rows: 1, and the grid's ``t`` when tuples are measured."""
    return sorted({1, *settings["t"]}) if "tuple" in settings["measurements"] else [1]


def _bound_cost(params: dict, settings: dict) -> Cost:
    rows = len(settings["beta"]) * len(_bound_ts(settings)) * (len(settings["bound_form"]) + 1)
    return Cost(rows, rows * SECONDS_PER_ROW)


def _certificate_cost(params: dict, settings: dict) -> Cost:
    n_rows = len(settings["beta"])
    seconds = n_rows * (_SECONDS_PER_CERTIFIED_SKILL * params["n_skills"] + SECONDS_PER_ROW)
    return Cost(n_rows, seconds, 32 * params["n_skills"])


def _adversary_cost(params: dict, settings: dict) -> Cost:
    edges = edge_slots(params)
    n_rows = len(settings["beta"])
    seconds = n_rows * (_ADVERSARY_SECONDS + _ADVERSARY_SECONDS_PER_EDGE * edges)
    nbytes = (SKILL_INDEX_BYTES_PER_EDGE + _ADVERSARY_BYTES_PER_EDGE) * edges
    return Cost(n_rows, seconds, nbytes)


def _adversary_check(data: dict) -> list[tuple[str, str]]:
    grid = data["grid"]
    if max(grid["n_texts"]) * max(grid["k"]) > MAX_ADVERSARY_EDGES:
        return [("grid.n_texts", "the adversary measure needs graphs with n_texts * k <= 1e7")]
    return []


# ---------------------------------------------------------------------------
# the measurements


@BUILTINS.measurement("bad_fraction", cost=_bad_fraction_cost)
def bad_fraction(ctx: ItemContext) -> list[dict]:
    """``mu1``-mass of skills with ``fail(s) > beta``, for each ``beta``, with a Wilson interval."""
    return [
        _estimate_row(ctx, "bad_fraction", ctx.counts.bad_fraction(beta))
        for beta in ctx.settings["beta"]
    ]


@BUILTINS.measurement("curve", cost=_curve_cost)
def curve(ctx: ItemContext) -> list[dict]:
    """The performance curve ``beta -> competent fraction`` at ``options.curve_betas``."""
    result = ctx.performance_curve(ctx.settings["curve_betas"])
    undefined = float(result.undefined_mass)
    return [
        ctx.row("competent", beta=float(b), t=1, value=float(c), undefined_mass=undefined,
                exact=True)  # fmt: skip
        for b, c in zip(result.betas, result.competent, strict=True)
    ]


@BUILTINS.measurement("tuple", cost=_tuple_cost)
def tuple_fraction(ctx: ItemContext) -> list[dict]:
    """Bad fraction of ``t``-tuples per ``(t, tuple_mode, beta)``.

    ``tensor`` (product of the skills' competences) comes from the per-skill
    counts, so it works with either engine; ``cooccur`` (success rate over the
    text pieces holding all ``t`` skills) needs the graph.
    """
    settings = ctx.settings
    n_tuples = settings["n_tuples"] or None
    rows = []
    for ti, t in enumerate(settings["t"]):
        for mi, mode in enumerate(settings["tuple_mode"]):
            for bi, beta in enumerate(settings["beta"]):
                seed = ctx.seed_for("tuple", ti, mi, bi)
                if mode == "tensor":
                    est = ctx.counts.tuple_bad_fraction(t, beta, n_tuples=n_tuples, seed=seed)
                else:
                    graph = ctx.require_graph(f"tuple_mode {mode!r}")
                    est = competence.tuple_bad_fraction(
                        graph, ctx.failed, t, beta, mode=mode, n_tuples=n_tuples, seed=seed
                    )
                rows.append(_estimate_row(ctx, "tuple_bad_fraction", est, tuple_mode=mode))
    return rows


@BUILTINS.measurement("bound", cost=_bound_cost)
def bound(ctx: ItemContext) -> list[dict]:
    """``alpha_star`` (Theorem 1; Corollary 2 for ``t > 1``) and the averaging bound.

    The bounds depend only on ``(theta, beta, k, t)``; they are repeated on
    every replicate so that each item's rows stand alone.
    """
    params, settings = ctx.params, ctx.settings
    rows = []
    for beta in settings["beta"]:
        for t in _bound_ts(settings):
            for form in settings["bound_form"]:
                res = bounds.emergence_bound(params["theta"], beta, params["k"], t=t, form=form)
                rows.append(ctx.row("alpha_star", source="bound", beta=beta, t=t, form=form,
                                    value=float(res.value), vacuous=bool(res.vacuous)))  # fmt: skip
            rows.append(ctx.row("averaging_bound", source="averaging", beta=beta, t=t,
                                value=float(res.averaging)))  # fmt: skip
    return rows


@BUILTINS.measurement("certificate", cost=_certificate_cost)
def certificate(ctx: ItemContext) -> list[dict]:
    """The finite-size certified alpha on this item's skill degrees."""
    return _certificate_rows(ctx, certificates.certified_alpha, degrees=ctx.counts.degrees)


@BUILTINS.measurement(
    "adversary", needs_graph=True, cost=_adversary_cost, check=_adversary_check
)
def adversary(ctx: ItemContext) -> list[dict]:
    """A worst-case failure set per ``beta``, by the greedy search.

    Its failure set depends on ``beta``, so it is a measurement on the item's
    graph rather than a failure model.  The value is the ``mu1``-mass of bad
    skills (a lower bound on the true worst case); ``n_bad / n`` is the count
    fraction a certificate bounds.  Only the greedy search runs here: the
    exact MILP stops at a wall-clock limit, which would make results depend
    on the machine.
    """
    graph = ctx.require_graph("the adversary measurement")
    rows = []
    for bi, beta in enumerate(ctx.settings["beta"]):
        res = search.greedy(graph, ctx.params["theta"], beta, seed=ctx.seed_for("adversary", bi))
        rows.append(_adversary_row(ctx, beta, res))
    return rows


# ---------------------------------------------------------------------------
# the sharp worst case (docs: Theory > The sharp worst case, docs/theory/sharp.rst)

#: certificate C stops at its first certified size: well under a second per threshold
_SECONDS_PER_SHARP_CERTIFICATE = 0.5


def _sharp_cost(params: dict, settings: dict) -> Cost:
    n_rows = 2 * len(settings["beta"])
    return Cost(n_rows, n_rows * (SECONDS_PER_ROW + 0.01))


def _sharp_certificate_cost(params: dict, settings: dict) -> Cost:
    n_rows = len(settings["beta"])
    return Cost(n_rows, n_rows * (_SECONDS_PER_SHARP_CERTIFICATE + SECONDS_PER_ROW))


def _sharp_model(params: dict) -> dict:
    """``replace`` and ``n_skills`` as :func:`skillgraph.theory.sharp.alpha_sharp` takes them."""
    replace = params["replace"] is not False  # None (not in the grid) means the default, True
    return {"replace": replace, "n_skills": None if replace else int(params["n_skills"])}


@BUILTINS.measurement("sharp", cost=_sharp_cost)
def sharp(ctx: ItemContext) -> list[dict]:
    """The sharp limit ``alpha_sharp`` and ``alpha_star / alpha_sharp``, per ``beta``.

    ``alpha_sharp`` is the exact limit of the worst bad fraction (uniform
    ``mu1``, ``n_texts / n_skills -> inf``); the ratio (``form = "kl"``) says
    how far Theorem 1's bound lies above it (NaN where ``alpha_sharp`` is 0).
    Like ``bound``, these depend only on the parameters and repeat on every
    replicate.
    """
    p = ctx.params
    rows = []
    for beta in ctx.settings["beta"]:
        res = sharp_bound(p["theta"], beta, p["k"], **_sharp_model(p))
        ratio = res.looseness if np.isfinite(res.looseness) else float("nan")
        rows.append(ctx.row("alpha_sharp", source="sharp", beta=beta, t=1, value=float(res.value),
                            vacuous=bool(res.vacuous)))  # fmt: skip
        rows.append(ctx.row("alpha_star_over_sharp", source="sharp", beta=beta, t=1, form="kl",
                            value=float(ratio), vacuous=bool(res.vacuous)))  # fmt: skip
    return rows


@BUILTINS.measurement("sharp_certificate", cost=_sharp_certificate_cost)
def sharp_certificate(ctx: ItemContext) -> list[dict]:
    """Certificate C (no union over failure sets) for the item's sizes, per ``beta``.

    Proven for the uniform skill measure only: under Zipf the row is the
    trivial value with ``vacuous = true``.
    """
    p = ctx.params
    return _certificate_rows(ctx, certified_sharp, replace=_sharp_model(p)["replace"],
                             skill_measure=p["skill_measure"])  # fmt: skip


@BUILTINS.measurement(
    "targeted", needs_graph=True, cost=_adversary_cost, check=_adversary_check
)
def targeted_adversary(ctx: ItemContext) -> list[dict]:
    """A worst-case failure set per ``beta`` by the targeted adversary (graph only).

    Rows as those of ``adversary`` (quantity ``adversary_bad_fraction``), with
    ``method = "targeted"``: the failure set built around a skill set, which
    reaches the sharp limit on large graphs.
    """
    graph = ctx.require_graph("the targeted measurement")
    rows = []
    for bi, beta in enumerate(ctx.settings["beta"]):
        res = targeted(graph, ctx.params["theta"], beta, seed=ctx.seed_for("targeted", bi))
        rows.append(_adversary_row(ctx, beta, res))
    return rows


# ---------------------------------------------------------------------------
# the sharp worst case for tensor tuples (docs: Theory > The sharp worst case for
# tuples, docs/theory/sharp_tuples.rst): one row per (beta, t) of the grid

#: one sharp_tuple_bound (both sides) and one tuple certificate, in seconds (generous)
_SECONDS_PER_SHARP_TUPLE = 0.5
_SECONDS_PER_TUPLE_CERTIFICATE = 5.0
#: the tuple adversary per (beta, t) costs about two greedy adversaries (measured at 1e6 texts)
_TUPLE_ADVERSARY_GREEDY_RUNS = 2


def _tuple_rows_cost(seconds_each: float):
    def cost(params: dict, settings: dict) -> Cost:
        n_rows = len(settings["beta"]) * len(settings["t"])
        return Cost(n_rows, n_rows * (seconds_each + SECONDS_PER_ROW))

    return cost


def _tuple_adversary_cost(params: dict, settings: dict) -> Cost:
    one = _adversary_cost(params, settings)
    n = len(settings["t"]) * _TUPLE_ADVERSARY_GREEDY_RUNS
    return Cost(one.rows * len(settings["t"]), one.seconds * n, one.nbytes)


@BUILTINS.measurement("sharp_tuples", cost=_tuple_rows_cost(_SECONDS_PER_SHARP_TUPLE))
def sharp_tuples(ctx: ItemContext) -> list[dict]:
    """Both sides of the sharp tuple law per ``(beta, t)``: where the worst case's limit lies.

    Rows ``sharp_tuple_lower`` (the best two-level adversary, achievable) and
    ``sharp_tuple_upper`` (proven), bad masses of tensor ``t``-tuples as
    ``n_texts / n_skills -> inf``; like ``bound`` they depend on the
    parameters only.
    """
    p = ctx.params
    rows = []
    for beta in ctx.settings["beta"]:
        for t in ctx.settings["t"]:
            law = sharp_tuple_bound(p["theta"], beta, p["k"], t, **_sharp_model(p))
            for side in ("lower", "upper"):
                rows.append(ctx.row(f"sharp_tuple_{side}", source=f"sharp_{side}", beta=beta, t=t,
                                    value=float(getattr(law, side)), vacuous=bool(law.vacuous)))
    return rows  # fmt: skip


@BUILTINS.measurement(
    "tuple_certificate", cost=_tuple_rows_cost(_SECONDS_PER_TUPLE_CERTIFICATE)
)
def tuple_certificate_rows(ctx: ItemContext) -> list[dict]:
    """The tuple certificate for the item's sizes and skill measure, per ``(beta, t)``.

    Row ``tuple_certified_mass``: with probability ``1 - delta_fail`` over the
    random graph, no failure set leaves more bad tensor-tuple mass.
    """
    p, settings = ctx.params, ctx.settings
    rows = []
    for beta in settings["beta"]:
        for t in settings["t"]:
            cert = tuple_certificate(
                p["n_skills"], p["n_texts"], p["k"], p["theta"], beta, t,
                delta_fail=settings["delta_fail"], replace=_sharp_model(p)["replace"],
                skill_measure=p["skill_measure"], zipf_exponent=zipf_exponent_of(p),
            )
            rows.append(ctx.row("tuple_certified_mass", source="certificate", beta=beta, t=t,
                                method="tuple",
                                value=float(cert.bound), vacuous=bool(cert.vacuous)))
    return rows  # fmt: skip


@BUILTINS.measurement(
    "tuple_adversary", needs_graph=True, cost=_tuple_adversary_cost, check=_adversary_check
)
def tuple_adversary_rows(ctx: ItemContext) -> list[dict]:
    """The tuple adversary's bad tensor-tuple mass per ``(beta, t)`` (graph only).

    Row ``tuple_adversary_bad_mass`` (a lower bound on the worst case of the
    item's graph), ``method`` the winning construction, ``exact`` false for
    ``t >= 3`` (the value is then the lower end of a bracket).
    """
    graph = ctx.require_graph("the tuple_adversary measurement")
    rows = []
    for bi, beta in enumerate(ctx.settings["beta"]):
        for ti, t in enumerate(ctx.settings["t"]):
            res = tuple_adversary(graph, ctx.params["theta"], beta, t,
                                  seed=ctx.seed_for("tuple_adversary", bi, ti))
            rows.append(ctx.row("tuple_adversary_bad_mass", source="adversary", beta=beta, t=t,
                                method=res.strategy, value=float(res.bad_mass),
                                exact=bool(res.exact)))
    return rows  # fmt: skip
