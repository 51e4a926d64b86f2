"""The emergence pipeline: scale -> theta -> bound and simulation -> table, figures, headline.

This is what ``skillgraph emerge`` runs.  Along a range of model scales
(compute-optimal models over a range of training compute, or a range of
parameter counts at a fixed number of tokens per parameter) a scaling law
gives the excess loss and a loss-to-theta map gives the failure rate
``theta`` (theory.md §2).  At each scale, for each tuple size ``t`` and each
threshold ``beta`` it computes

* the **guaranteed** fraction of ``t``-tuples of skills that are
  ``(1 - beta)``-competent, ``1 - alpha_star(t theta, beta, k)``
  (theory.md §5, Corollary 2), and
* the **empirical** fraction on sampled skill graphs under the ``random`` and
  ``deficit`` failure models (theory.md §6), tuple competence in the
  ``tensor`` sense, averaged over replicate graphs with a confidence interval.

Everything it plots goes into one tidy table (one row per number, parameters
in every row; see :data:`COLUMNS`).  The headline, computed from that table,
is how much more scale a model needs before ``2t``-tuples reach the
competence that ``t``-tuples had.

Examples
--------
>>> from skillgraph.emerge import EmergeConfig, run_emerge
>>> result = run_emerge(EmergeConfig(n_skills=200, n_texts=5000, replicates=2))  # doctest: +SKIP
>>> print(result.headline)  # doctest: +SKIP
"""

from __future__ import annotations

import csv
import math
import numbers
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from skillgraph._rng import as_seed_sequence, child_seed
from skillgraph._validation import check_choice, check_int, check_real

__all__ = [
    "EmergeConfig",
    "EmergeResult",
    "COLUMNS",
    "LAWS",
    "MAPPINGS",
    "FAILURE_MODELS",
    "run_emerge",
    "write_outputs",
    "emerge",
    "scale_grid",
    "doubling_factors",
]

LAWS = ("chinchilla", "epoch", "kaplan")
MAPPINGS = ("anchored", "linear", "pinsker")
FAILURE_MODELS = ("random", "deficit")
FORMS = ("kl", "paper")
ENGINES = ("stream", "graph")

#: Columns of the tidy table, in order.  ``quantity`` says which figure a row
#: belongs to; a column that does not apply to a quantity is empty (NaN).
#:
#: * ``tuple_fraction`` (emergence.png): ``value`` is the fraction of
#:   ``t``-tuples that are ``(1 - beta)``-competent at the scale of the row;
#:   ``source`` is ``bound`` (guaranteed, Corollary 2) or a failure model
#:   (``random``, ``deficit``: mean over replicates, with ``ci_low``/``ci_high``).
#: * ``performance_curve`` (performance_curves.png): ``value`` is the guaranteed
#:   fraction of skills that are ``competence_level``-competent at ``theta``.
#: * ``slingshot`` (slingshot.png): ``value`` is ``alpha_star(theta, beta, k)``
#:   (``source = bound``) or the averaging bound ``min(theta / beta, 1)``
#:   (``source = averaging``).
COLUMNS = (
    "quantity",
    "source",
    "form",
    "law",
    "mapping",
    "theta_ref",
    "compute",
    "params",
    "tokens",
    "excess_loss",
    "theta",
    "t",
    "beta",
    "competence_level",
    "k",
    "value",
    "ci_low",
    "ci_high",
    "std",
    "n_replicates",
    "undefined_mass",
    "n_skills",
    "n_texts",
    "seed",
)

_MAX_TUPLE = 64
_CI_LEVEL = 0.95


def _check_range(name: str, value) -> tuple[float, float]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence) or len(value) != 2:
        raise TypeError(f"{name} must be a pair (low, high) of positive numbers, got {value!r}")
    low = check_real(f"{name}[0]", value[0], 0.0, None, open_low=True)
    high = check_real(f"{name}[1]", value[1], 0.0, None, open_low=True)
    if not high > low:
        raise ValueError(f"{name} must have low < high, got ({low:g}, {high:g})")
    return low, high


def _check_int_tuple(name: str, value, minimum: int, maximum: int) -> tuple[int, ...]:
    if isinstance(value, numbers.Integral):
        value = (value,)
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence) or len(value) == 0:
        raise TypeError(f"{name} must be a non-empty sequence of integers, got {value!r}")
    out = tuple(check_int(f"{name}[{i}]", v, minimum, maximum) for i, v in enumerate(value))
    if len(set(out)) != len(out):
        raise ValueError(f"{name} must not repeat a value, got {out}")
    return tuple(sorted(out))


def _check_float_tuple(name: str, value) -> tuple[float, ...]:
    if isinstance(value, numbers.Real):
        value = (value,)
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence) or len(value) == 0:
        raise TypeError(f"{name} must be a non-empty sequence of numbers in (0, 1), got {value!r}")
    out = tuple(
        check_real(f"{name}[{i}]", v, 0.0, 1.0, open_low=True, open_high=True)
        for i, v in enumerate(value)
    )
    if len(set(out)) != len(out):
        raise ValueError(f"{name} must not repeat a value, got {out}")
    return tuple(sorted(out))


@dataclass(frozen=True)
class EmergeConfig:
    """Parameters of an emergence run; the defaults are those of ``skillgraph emerge``.

    Parameters
    ----------
    compute : (float, float)
        Range of training compute ``C = 6 N D`` in FLOPs (default 1e20 to 1e30).
        Models are compute-optimal under ``law`` unless ``tokens_per_param`` is set.
    params : (float, float) or None
        Instead of ``compute``: a range of parameter counts ``N``, each trained on
        ``D = tokens_per_param * N`` tokens (``tokens_per_param`` defaults to 20).
    tokens_per_param : float or None
        Fixed tokens-per-parameter ratio ``D / N``; with ``compute`` it replaces
        the compute-optimal allocation.
    law : {"chinchilla", "epoch", "kaplan"}
        Scaling law (theory.md §2).
    mapping : {"anchored", "linear", "pinsker"}
        Excess loss to ``theta`` map (theory.md §2).
    theta_ref : float
        ``theta`` of the reference model (N = 70e9, D = 1.4e12) for ``anchored``.
    c : float
        Slope of the ``linear`` map, ``theta = clip(c * delta, 0, 1)``.
    tuples : sequence of int
        Tuple sizes ``t`` (default 1, 2, 4, 8).
    betas : sequence of float
        Thresholds ``beta``: a skill (tuple) is competent when its failure rate is
        at most ``beta``.  Default 0.5.
    k : int
        Skills per text piece (degree of the text nodes), default 8.
    form : {"kl", "paper"}
        Form of the bound (theory.md §3).
    n_skills, n_texts : int
        Size of the sampled skill graphs (defaults 1000 and 1 000 000: the
        theorems are about ``n_texts >> n_skills``).
    replicates : int
        Number of independent graphs (default 8).
    seed : int
        Root seed; graph ``r`` uses the child seed keyed ``(r,)``.
    n_scales : int
        Number of log-spaced scales for the bound curves (default 81).
    n_empirical : int
        Number of log-spaced scales simulated (default 21, two per decade of
        the default compute range).
    n_tuples : int
        Tuples sampled per measurement for ``t >= 3`` (``t <= 2`` is exact),
        default 20 000: a 95% interval of half-width at most 0.007 per graph,
        pooled over the replicates.
    failure_models : sequence of str
        Failure models simulated, from ``random`` and ``deficit``.
    engine : {"stream", "graph"}
        ``stream`` (default): per-skill counts from :func:`skillgraph.stream.stream`,
        memory O(n_skills), so ``n_texts`` can be 1e8 and more.  ``graph``:
        materialised graphs (:func:`skillgraph.graph.sample_graph` and
        :mod:`skillgraph.failures`, exact failure counts).
    """

    compute: tuple[float, float] = (1e20, 1e30)
    params: tuple[float, float] | None = None
    tokens_per_param: float | None = None
    law: str = "chinchilla"
    mapping: str = "anchored"
    theta_ref: float = 0.05
    c: float = 1.0
    tuples: tuple[int, ...] = (1, 2, 4, 8)
    betas: tuple[float, ...] = (0.5,)
    k: int = 8
    form: str = "kl"
    n_skills: int = 1000
    n_texts: int = 1_000_000
    replicates: int = 8
    seed: int = 0
    n_scales: int = 81
    n_empirical: int = 21
    n_tuples: int = 20_000
    failure_models: tuple[str, ...] = FAILURE_MODELS
    engine: str = "stream"

    def __post_init__(self):
        # Validate and normalise everything before any work (design.md, Errors).
        set_ = object.__setattr__
        set_(self, "compute", _check_range("compute", self.compute))
        if self.params is not None:
            set_(self, "params", _check_range("params", self.params))
        if self.tokens_per_param is not None:
            set_(
                self,
                "tokens_per_param",
                check_real("tokens_per_param", self.tokens_per_param, 0.0, None, open_low=True),
            )
        check_choice("law", self.law, LAWS)
        check_choice("mapping", self.mapping, MAPPINGS)
        check_choice("form", self.form, FORMS)
        check_choice("engine", self.engine, ENGINES)
        set_(self, "theta_ref", check_real("theta_ref", self.theta_ref, 0.0, 1.0, open_low=True))
        set_(self, "c", check_real("c", self.c, 0.0, None, open_low=True))
        set_(self, "tuples", _check_int_tuple("tuples", self.tuples, 1, _MAX_TUPLE))
        set_(self, "betas", _check_float_tuple("betas", self.betas))
        set_(self, "k", check_int("k", self.k, 1, 4096))
        set_(self, "n_skills", check_int("n_skills", self.n_skills, 1, 2**31 - 1))
        set_(self, "n_texts", check_int("n_texts", self.n_texts, 1, 2**40))
        set_(self, "replicates", check_int("replicates", self.replicates, 1, 10_000))
        set_(self, "seed", check_int("seed", self.seed, 0, 2**63 - 1))
        set_(self, "n_scales", check_int("n_scales", self.n_scales, 2, 10_000))
        set_(self, "n_empirical", check_int("n_empirical", self.n_empirical, 0, 1000))
        set_(self, "n_tuples", check_int("n_tuples", self.n_tuples, 1, 10**8))
        models = self.failure_models
        if isinstance(models, str):
            models = (models,)
        models = tuple(models)
        for i, m in enumerate(models):
            check_choice(f"failure_models[{i}]", m, FAILURE_MODELS)
        if len(set(models)) != len(models):
            raise ValueError(f"failure_models must not repeat a value, got {models}")
        set_(self, "failure_models", models)

    @property
    def simulated(self) -> tuple[str, ...]:
        """The failure models actually simulated (none when ``n_empirical == 0``)."""
        return self.failure_models if self.n_empirical else ()

    @property
    def x_name(self) -> str:
        """The scale axis column: ``params`` with a parameter range, else ``compute``."""
        return "params" if self.params is not None else "compute"


@dataclass
class EmergeResult:
    """What :func:`run_emerge` returns.

    Attributes
    ----------
    config : EmergeConfig
    rows : list of dict
        The tidy table (keys :data:`COLUMNS`; NaN where a column does not apply).
    replicate_rows : list of dict
        One row per replicate graph, scale, failure model, ``t`` and ``beta``
        (the numbers behind the empirical means and intervals).
    scales : dict of ndarray
        ``compute``, ``params``, ``tokens``, ``excess_loss``, ``theta`` on the
        fine grid of the bound curves.
    doubling : list of dict
        The scale factors behind the headline (see :func:`doubling_factors`).
    headline : str
    summary : str
        The printed summary table (plain text).
    """

    config: EmergeConfig
    rows: list = field(default_factory=list)
    replicate_rows: list = field(default_factory=list)
    scales: dict = field(default_factory=dict)
    doubling: list = field(default_factory=list)
    headline: str = ""
    summary: str = ""

    def column(self, name: str, **where) -> np.ndarray:
        """Column ``name`` of the rows matching ``where`` (e.g. ``quantity="tuple_fraction"``)."""
        sel = [r for r in self.rows if all(r.get(k) == v for k, v in where.items())]
        return np.array([r[name] for r in sel])


def _law(name: str):
    from skillgraph.theory import scaling

    return {"chinchilla": scaling.CHINCHILLA, "epoch": scaling.EPOCH, "kaplan": scaling.KAPLAN}[
        name
    ]


def scale_grid(config: EmergeConfig, n: int) -> dict[str, np.ndarray]:
    """``n`` log-spaced model scales and their ``theta`` (theory.md §2).

    Returns
    -------
    dict of ndarray
        ``compute`` (FLOPs, ``6 N D``), ``params`` ``N``, ``tokens`` ``D``,
        ``excess_loss`` ``delta`` and ``theta``, each of shape ``(n,)``.

    Notes
    -----
    With ``params`` set, ``N`` is log-spaced over that range and
    ``D = tokens_per_param * N`` (default ratio 20).  Otherwise ``C`` is
    log-spaced over ``compute`` and split into ``(N, D)`` compute-optimally
    under the law (or at the fixed ``tokens_per_param``: ``N = sqrt(C / (6 r))``).
    """
    law = _law(config.law)
    if config.params is not None:
        ratio = 20.0 if config.tokens_per_param is None else config.tokens_per_param
        params = np.geomspace(*config.params, n)
        tokens = ratio * params
    else:
        compute = np.geomspace(*config.compute, n)
        if config.tokens_per_param is None:
            params, tokens = (np.asarray(a, dtype=float) for a in law.compute_optimal(compute))
        else:
            params = np.sqrt(compute / (6.0 * config.tokens_per_param))
            tokens = config.tokens_per_param * params
    compute = 6.0 * params * tokens
    excess = np.asarray(law.excess(params, tokens), dtype=float)
    theta = np.asarray(
        law.theta(params, tokens, mapping=config.mapping, c=config.c, theta_ref=config.theta_ref),
        dtype=float,
    )
    if not np.all(np.isfinite(theta)):
        raise ValueError(
            f"the {config.law} law gives a non-finite theta somewhere in the scale range; "
            "check compute/params"
        )
    return {
        "compute": compute,
        "params": params,
        "tokens": tokens,
        "excess_loss": excess,
        "theta": theta,
    }


def _empty_row(config: EmergeConfig) -> dict:
    row = dict.fromkeys(COLUMNS, math.nan)
    row.update(
        source="",
        form=config.form,
        law=config.law,
        mapping=config.mapping,
        theta_ref=config.theta_ref,
        k=config.k,
        n_skills=config.n_skills,
        n_texts=config.n_texts,
        seed=config.seed,
    )
    return row


def _replicate_interval(values: np.ndarray, n_effective: np.ndarray) -> tuple[float, float]:
    """A 95% interval for the mean competent fraction over replicate graphs.

    The union of a Student-t interval over the replicates (graph-to-graph
    variation) and the Wilson interval of the pooled count (the sampling of
    skills/tuples within a graph).  The union keeps an honest width when all
    replicates agree, where the Student-t interval collapses to a point.
    """
    from scipy.special import stdtrit

    from skillgraph.core.competence import wilson_interval

    mean = float(values.mean())
    lo, hi = wilson_interval(mean, float(n_effective.sum()), _CI_LEVEL)
    if values.size >= 2:
        half = (
            float(stdtrit(values.size - 1, 0.5 + _CI_LEVEL / 2))
            * float(values.std(ddof=1))
            / math.sqrt(values.size)
        )
        lo, hi = min(lo, mean - half), max(hi, mean + half)
    return max(0.0, lo), min(1.0, hi)


def _nested_random_failures(n_texts: int, rng: np.random.Generator):
    """Common random numbers for the ``random`` model across scales.

    ``random`` fails a uniformly random set of ``round(theta n_texts)`` text
    pieces (theory.md §6).  Taking the first ``m`` of one random permutation
    gives exactly that law at every ``theta`` while nesting the failure sets
    across scales, so each replicate's curve is monotone in scale and the
    differences between scales are not drowned by independent noise.
    """
    order = rng.permutation(n_texts)

    def failed(theta: float) -> np.ndarray:
        from skillgraph.core.failures import failure_count

        mask = np.zeros(n_texts, dtype=bool)
        mask[order[: failure_count(n_texts, theta)]] = True
        return mask

    return failed


def _tuple_alpha(theta: np.ndarray, beta: float, k: int, t: int, form: str) -> np.ndarray:
    """``tuple_alpha_star`` extended to the clipped ends of the theta map.

    A map may clip ``theta`` to 1 (a model that fails every text piece, e.g.
    small models under ``linear``): then every tuple may be bad, alpha = 1.
    ``theta = 0`` fails nothing: alpha = 0.  The bound functions accept only
    the open interval (theory.md §3), so the ends are filled in here.
    """
    from skillgraph.theory.bounds import tuple_alpha_star

    theta = np.asarray(theta, dtype=float)
    alpha = np.where(theta >= 1.0, 1.0, 0.0)
    inside = (theta > 0.0) & (theta < 1.0)
    if inside.any():
        alpha[inside] = np.asarray(tuple_alpha_star(theta[inside], beta, k, t, form=form))
    return alpha


def _bound_rows(config: EmergeConfig, scales: dict) -> list[dict]:
    rows = []
    for beta in config.betas:
        for t in config.tuples:
            alpha = _tuple_alpha(scales["theta"], beta, config.k, t, config.form)
            for i in range(len(scales["theta"])):
                row = _empty_row(config)
                row.update({name: float(scales[name][i]) for name in scales})
                row.update(
                    quantity="tuple_fraction",
                    source="bound",
                    t=t,
                    beta=beta,
                    competence_level=1 - beta,
                    value=float(1.0 - alpha[i]),
                )
                rows.append(row)
    return rows


def _failure_sets(config: EmergeConfig, root, r: int, thetas: np.ndarray):
    """Yield ``(model index, scale index, failed fraction, measure)`` for replicate ``r``.

    ``measure(t, beta, seed)`` returns the tensor :class:`FractionEstimate` of
    bad ``t``-tuples.  Both engines draw graph ``r`` from the child seed
    ``(r, 0)`` and reuse it at every scale and for both failure models; the
    failure sets are nested across scales (common random numbers: each
    replicate's curve is monotone in scale up to tuple sampling, and the
    differences between scales are not drowned by independent noise).

    * ``stream``: :func:`skillgraph.stream.stream`, memory O(n_skills); its
      ``random`` model fails each text with probability ``theta``
      (Bernoulli) and its ``deficit`` model has expected failure rate
      ``theta`` (theory.md §6).  Text ``i``'s failure depends on the seed and
      ``i`` only, so the sets are nested.
    * ``graph``: :func:`skillgraph.graph.sample_graph` then
      :mod:`skillgraph.failures` (exactly ``round(theta n_texts)`` failures).
    """
    from skillgraph.core import competence as comp

    gseed = child_seed(root, r, 0)
    if config.engine == "stream":
        from skillgraph.core.streaming import stream

        for mi, model in enumerate(config.failure_models):
            for si, theta in enumerate(thetas):
                res = stream(
                    config.n_skills,
                    config.n_texts,
                    config.k,
                    float(theta),
                    failure=model,
                    seed=gseed,
                )

                def measure(t, beta, seed, _res=res):
                    return comp.tuple_bad_fraction_from_counts(
                        _res.degrees,
                        _res.failed_edges,
                        _res.skill_measure,
                        t,
                        beta,
                        n_tuples=None if t <= 2 else config.n_tuples,  # exact for t <= 2
                        seed=seed,
                    )

                yield mi, si, res.failure_rate, measure
        return

    from skillgraph.core import failures
    from skillgraph.core.sampling import sample_graph

    graph = sample_graph(config.n_skills, config.n_texts, config.k, seed=gseed)
    for mi, model in enumerate(config.failure_models):
        fseed = child_seed(root, r, 1 + mi)
        if model == "random":
            draw = _nested_random_failures(config.n_texts, np.random.default_rng(fseed))
        else:
            # deficit's random skill order comes first from its generator, so the
            # same seed gives nested failure sets across theta
            def draw(theta, _s=fseed):
                return failures.deficit_failures(graph, theta, seed=np.random.default_rng(_s))

        for si, theta in enumerate(thetas):
            failed = draw(float(theta))

            def measure(t, beta, seed, _failed=failed):
                return comp.tuple_bad_fraction(
                    graph,
                    _failed,
                    t,
                    beta,
                    mode="tensor",
                    n_tuples=None if t <= 2 else config.n_tuples,
                    seed=seed,
                )

            yield mi, si, float(failed.mean()), measure


def _empirical(config: EmergeConfig, scales: dict, progress: bool):
    """Simulate at each scale; tuple competence in the tensor sense (theory.md §5, §6)."""
    thetas = scales["theta"]
    n_sc = len(thetas)
    models = config.failure_models
    # value[model, scale, t, beta, replicate] and the extras for the intervals
    shape = (len(models), n_sc, len(config.tuples), len(config.betas), config.replicates)
    value = np.full(shape, np.nan)
    n_eff = np.zeros(shape)
    undefined = np.zeros(shape)
    root = as_seed_sequence(config.seed)
    bar = _progress_bar(config.replicates * n_sc * len(models), progress)
    replicate_rows = []
    try:
        for r in range(config.replicates):
            for mi, si, failed_fraction, measure in _failure_sets(config, root, r, thetas):
                model = models[mi]
                for ti, t in enumerate(config.tuples):
                    for bi, beta in enumerate(config.betas):
                        # the same sampled tuples at every scale (t >= 3 is
                        # sampled): common random numbers again
                        est = measure(t, beta, child_seed(root, r, 1 + mi, 1 + ti, bi))
                        v = 1.0 - float(est.value)
                        value[mi, si, ti, bi, r] = v
                        n_eff[mi, si, ti, bi, r] = float(est.n_effective)
                        undefined[mi, si, ti, bi, r] = float(est.undefined_mass)
                        row = _empty_row(config)
                        row.update({name: float(scales[name][si]) for name in scales})
                        row.update(
                            quantity="tuple_fraction",
                            source=model,
                            form="tensor",
                            t=t,
                            beta=beta,
                            competence_level=1 - beta,
                            value=v,
                            undefined_mass=float(est.undefined_mass),
                            replicate=r,
                            failed_fraction=failed_fraction,
                        )
                        replicate_rows.append(row)
                bar.update(1)
    finally:
        bar.close()

    rows = []
    for mi, model in enumerate(models):
        for si in range(n_sc):
            for ti, t in enumerate(config.tuples):
                for bi, beta in enumerate(config.betas):
                    vals = value[mi, si, ti, bi]
                    lo, hi = _replicate_interval(vals, n_eff[mi, si, ti, bi])
                    row = _empty_row(config)
                    row.update({name: float(scales[name][si]) for name in scales})
                    row.update(
                        quantity="tuple_fraction",
                        source=model,
                        form="tensor",
                        t=t,
                        beta=beta,
                        competence_level=1 - beta,
                        value=float(vals.mean()),
                        ci_low=lo,
                        ci_high=hi,
                        std=float(vals.std(ddof=1)) if vals.size > 1 else 0.0,
                        n_replicates=int(vals.size),
                        undefined_mass=float(undefined[mi, si, ti, bi].mean()),
                    )
                    rows.append(row)
    return rows, replicate_rows


class _NoBar:
    def update(self, n=1):
        pass

    def close(self):
        pass


def _progress_bar(total: int, enabled: bool):
    if not enabled:
        return _NoBar()
    try:
        from tqdm.auto import tqdm
    except ImportError:  # tqdm is a dependency, but the bar is never essential
        return _NoBar()
    return tqdm(total=total, desc="simulating", unit="failure set", leave=False)


def _representative_indices(n: int, count: int) -> list[int]:
    """``count`` indices spread evenly over ``range(n)``, ends included."""
    if n <= count:
        return list(range(n))
    return sorted({int(round(x)) for x in np.linspace(0, n - 1, count)})


def _representative_scales(x: np.ndarray, count: int) -> list[int]:
    """Indices of ``count`` scales spread evenly in log ``x``, snapped to whole decades.

    Round labels (1e20, 1e23, ...) read better in a legend than 2.4e23; the
    snap moves a point only when a whole decade lies within the grid.
    """
    logx = np.log10(x)
    picks = []
    for target in np.linspace(logx[0], logx[-1], count):
        decade = round(target)
        goal = decade if logx[0] <= decade <= logx[-1] else target
        picks.append(int(np.argmin(np.abs(logx - goal))))
    return sorted(set(picks))


def _performance_rows(config: EmergeConfig, scales: dict, n_curves: int = 4) -> list[dict]:
    from skillgraph.theory.bounds import performance_curve_bound

    # thresholds beta from 0.5 down to 1e-3, log-spaced: the curves drop at
    # beta near theta, and theta spans decades over the scale range
    betas = np.geomspace(0.5, 1e-3, 120)
    levels = 1.0 - betas
    rows = []
    for i in _representative_scales(scales["compute"], n_curves):
        theta = float(scales["theta"][i])
        if 0.0 < theta < 1.0:
            guaranteed = np.asarray(
                performance_curve_bound(theta, config.k, betas, form=config.form), dtype=float
            )
        else:  # clipped ends of the theta map (see _tuple_alpha)
            guaranteed = np.full(betas.shape, 0.0 if theta >= 1.0 else 1.0)
        for beta, level, g in zip(betas, levels, guaranteed, strict=True):
            row = _empty_row(config)
            row.update({name: float(scales[name][i]) for name in scales})
            row.update(
                quantity="performance_curve",
                source="bound",
                t=1,
                beta=float(beta),
                competence_level=float(level),
                value=float(g),
            )
            rows.append(row)
    return rows


def _slingshot_rows(config: EmergeConfig, scales: dict, n_curves: int = 3) -> list[dict]:
    from skillgraph.theory.bounds import alpha_star, averaging_bound

    ks = np.unique(np.round(np.geomspace(1, 256, 33)).astype(int))
    beta = config.betas[-1]
    rows = []
    # alpha_star is defined for theta in (0, 1) only: skip clipped ends of the map
    usable = np.flatnonzero((scales["theta"] > 0) & (scales["theta"] < 1))
    if usable.size == 0:
        return rows
    picks = _representative_scales(scales["compute"][usable], n_curves)
    for i in usable[picks]:
        theta = float(scales["theta"][i])
        alpha = np.asarray(alpha_star(theta, beta, ks, form=config.form), dtype=float)
        avg = float(averaging_bound(theta, beta))
        for kk, a in zip(ks, alpha, strict=True):
            for source, v in (("bound", float(a)), ("averaging", avg)):
                row = _empty_row(config)
                row.update({name: float(scales[name][i]) for name in scales})
                row.update(
                    quantity="slingshot",
                    source=source,
                    form=config.form if source == "bound" else "",
                    t=1,
                    beta=beta,
                    competence_level=1 - beta,
                    k=int(kk),
                    value=v,
                )
                rows.append(row)
    return rows


def _crossing(logx: np.ndarray, y: np.ndarray, level: float) -> float:
    """The log-scale at which a nondecreasing curve first reaches ``level`` (NaN if never).

    Linear interpolation between the two grid points that bracket the level.
    """
    above = np.flatnonzero(y >= level)
    if above.size == 0:
        return math.nan
    j = int(above[0])
    if j == 0:
        return math.nan if y[0] > level else float(logx[0])  # reached before the range
    y0, y1 = y[j - 1], y[j]
    frac = (level - y0) / (y1 - y0) if y1 > y0 else 1.0
    return float(logx[j - 1] + frac * (logx[j] - logx[j - 1]))


def doubling_factors(result: EmergeResult, level: float = 0.5) -> list[dict]:
    """How much more scale ``2t``-tuples need to reach the competence ``t``-tuples had.

    For every pair ``(t, 2t)`` of tuple sizes in the run, every ``beta`` and
    every source (the bound and each simulated failure model), the scale at
    which the fraction of competent ``t``-tuples first reaches a level ``L``
    is compared with the scale at which ``2t``-tuples reach it.  Scales are
    interpolated linearly in log scale between the points of the run.

    ``L`` is ``level`` when both curves cross it inside the range of the run;
    otherwise the level nearest to it that both curves cross (kept 10% of
    the way inside the common range).  Under Corollary 2 the bound gives the
    same factor at every level (the ``2t`` curve is the ``t`` curve at half
    the ``theta``); the simulated curves need not.

    Returns
    -------
    list of dict
        Keys ``source, beta, t, level, compute_factor, params_factor,
        tokens_factor`` (NaN where the two curves share no level inside the
        range of the run).
    """
    cfg = result.config
    out = []
    for source in ("bound",) + cfg.simulated:
        for beta in cfg.betas:
            for t in cfg.tuples:
                if 2 * t not in cfg.tuples:
                    continue
                entry = {"source": source, "beta": beta, "t": t, "level": math.nan}
                curves = {}
                for tt in (t, 2 * t):
                    sel = dict(quantity="tuple_fraction", source=source, beta=beta, t=tt)
                    logs = {
                        n: np.log10(result.column(n, **sel))
                        for n in ("compute", "params", "tokens")
                    }
                    order = np.argsort(logs["compute"])
                    logs = {n: v[order] for n, v in logs.items()}
                    # tiny non-monotone noise (sampled tuples) must not create early crossings
                    y = np.maximum.accumulate(result.column("value", **sel)[order])
                    curves[tt] = (logs, y)
                lo = max(curves[t][1][0], curves[2 * t][1][0])
                hi = min(curves[t][1][-1], curves[2 * t][1][-1])
                factors = dict.fromkeys(("compute", "params", "tokens"), math.nan)
                if hi - lo > 0.02:
                    margin = 0.1 * (hi - lo)
                    L = float(min(max(level, lo + margin), hi - margin))
                    entry["level"] = L
                    cross = {}
                    for tt, (logs, y) in curves.items():
                        lc = _crossing(logs["compute"], y, L)
                        cross[tt] = {
                            "compute": lc,
                            "params": float(np.interp(lc, logs["compute"], logs["params"])),
                            "tokens": float(np.interp(lc, logs["compute"], logs["tokens"])),
                        }
                    if all(np.isfinite(cross[tt]["compute"]) for tt in cross):
                        factors = {n: float(10 ** (cross[2 * t][n] - cross[t][n])) for n in factors}
                entry.update({f"{n}_factor": v for n, v in factors.items()})
                out.append(entry)
    return out


def _fmt_factor(x: float) -> str:
    if not np.isfinite(x):
        return "n/a"
    if x >= 1e4:
        return f"{x:.1e}x".replace("e+0", "e").replace("e+", "e")
    return f"{x:.0f}x" if x >= 10 else f"{x:.1f}x"


def _fmt_pair(d: dict) -> str:
    txt = f"{d['t']}->{2 * d['t']}: {_fmt_factor(d['compute_factor'])}"
    if np.isfinite(d["compute_factor"]):
        txt += f" (at {d['level']:.2f})"
    return txt


def _headline(result: EmergeResult) -> str:
    cfg = result.config
    beta = cfg.betas[0]
    lines = []
    bound = [d for d in result.doubling if d["source"] == "bound" and d["beta"] == beta]
    finite = [d for d in bound if np.isfinite(d["compute_factor"])]
    law = f"{cfg.law} law, {cfg.mapping} theta"
    if cfg.mapping == "anchored":
        law += f" (theta_ref={cfg.theta_ref:g})"
    if not finite:
        return (
            f"Headline ({law}, beta={beta:g}, k={cfg.k}): the guaranteed fraction of competent "
            "t-tuples does not cross 50% for both t and 2t inside the scale range of this run; "
            "widen --compute/--params."
        )
    cf = float(np.median([d["compute_factor"] for d in finite]))
    pf = float(np.median([d["params_factor"] for d in finite]))
    tf = float(np.median([d["tokens_factor"] for d in finite]))
    pairs = ", ".join(_fmt_pair(d) for d in bound)
    scale_word = "more training compute" if cfg.x_name == "compute" else "more compute"
    lines.append(
        f"Headline ({law}, beta={beta:g}, k={cfg.k}): for 2t-tuples of skills to reach the "
        f"guaranteed competence that t-tuples had, a model needs about {_fmt_factor(cf)} "
        f"{scale_word} ({_fmt_factor(pf)} parameters, {_fmt_factor(tf)} tokens)."
    )
    lines.append(f"  Bound (Corollary 2), compute factor t -> 2t (at fraction competent): {pairs}.")
    for model in cfg.simulated:
        sim = [d for d in result.doubling if d["source"] == model and d["beta"] == beta]
        if sim:
            txt = ", ".join(_fmt_pair(d) for d in sim)
            lines.append(f"  Simulation, {model} failures: {txt}.")
    if any("n/a" in line for line in lines[1:]):
        lines.append("  (n/a: the two curves share no level inside the scale range of the run.)")
    return "\n".join(lines)


def _fmt_sci(x: float) -> str:
    return f"{x:.0e}".replace("e+", "e")


def _summary_table(
    result: EmergeResult, markdown: bool = False, max_rows: int | None = None
) -> str:
    """Guaranteed / random / deficit fractions of competent t-tuples at the simulated scales."""
    cfg = result.config
    beta = cfg.betas[0]
    srcs = ("bound",) + cfg.simulated
    short = {"bound": "g", "random": "r", "deficit": "d"}
    emp_rows = [
        r
        for r in result.rows
        if r["quantity"] == "tuple_fraction" and r["source"] == srcs[-1] and r["beta"] == beta
    ]
    # the simulated scales (or, without simulation, every tenth bound point)
    if cfg.simulated:
        scale_values = sorted({r["compute"] for r in emp_rows})
        if max_rows and len(scale_values) > max_rows:
            # keep whole decades when the grid has them, else thin evenly
            decades = [c for c in scale_values if abs(math.log10(c) - round(math.log10(c))) < 1e-6]
            keep = (
                decades
                if 2 <= len(decades) <= max_rows
                else [scale_values[i] for i in _representative_indices(len(scale_values), max_rows)]
            )
            scale_values = keep
    else:
        comp = result.scales["compute"]
        scale_values = [float(comp[i]) for i in _representative_indices(len(comp), 11)]

    def lookup(source, t, compute):
        rows = [
            r
            for r in result.rows
            if r["quantity"] == "tuple_fraction"
            and r["source"] == source
            and r["t"] == t
            and r["beta"] == beta
        ]
        if source == "bound":
            comps = np.array([r["compute"] for r in rows])
            vals = np.array([r["value"] for r in rows])
            order = np.argsort(comps)
            return float(np.interp(np.log(compute), np.log(comps[order]), vals[order]))
        for r in rows:
            if r["compute"] == compute:
                return r["value"]
        return math.nan

    header = ["compute (FLOPs)", "params", "theta"] + [
        f"t={t} " + "/".join(short[s] for s in srcs) for t in cfg.tuples
    ]
    body = []
    for c in scale_values:
        theta = float(
            np.interp(np.log(c), np.log(result.scales["compute"]), result.scales["theta"])
        )
        params = float(
            np.exp(
                np.interp(
                    np.log(c), np.log(result.scales["compute"]), np.log(result.scales["params"])
                )
            )
        )
        cells = [_fmt_sci(c), _fmt_sci(params), f"{theta:.4f}"]
        for t in cfg.tuples:
            cells.append(" ".join(f"{lookup(s, t, c):.2f}" for s in srcs))
        body.append(cells)
    widths = [max(len(h), *(len(b[j]) for b in body)) for j, h in enumerate(header)]
    legend = (
        f"Fraction of t-tuples that are {1 - beta:g}-competent (beta={beta:g}, k={cfg.k}): "
        + ", ".join(
            {
                "g": "g = guaranteed by the bound",
                "r": "r = simulated, random failures",
                "d": "d = simulated, deficit failures",
            }[short[s]]
            for s in srcs
        )
    )
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
        lines += ["| " + " | ".join(b) + " |" for b in body]
        return legend + "\n\n" + "\n".join(lines)
    fmt = "  ".join(f"{{:>{w}}}" for w in widths)
    lines = [fmt.format(*header)] + [fmt.format(*b) for b in body]
    return legend + "\n" + "\n".join(lines)


def run_emerge(config: EmergeConfig | None = None, *, progress: bool = False) -> EmergeResult:
    """Run the emergence pipeline (no files written; see :func:`write_outputs`).

    Parameters
    ----------
    config : EmergeConfig, optional
        Defaults to ``EmergeConfig()``, the defaults of ``skillgraph emerge``.
    progress : bool
        Show a tqdm progress bar over the simulated failure sets.

    Returns
    -------
    EmergeResult

    Notes
    -----
    theory.md §2 (scale to theta), §3 and §5 (the bounds, Corollary 2), §6
    (failure models).  Cost: the bound part is negligible; the simulation
    samples ``replicates`` graphs of ``k n_texts`` edges and measures
    ``len(failure_models) * n_empirical`` failure sets on each, each in
    O(k n_texts + n_skills log n_skills) per ``(t, beta)``.
    """
    if config is None:
        config = EmergeConfig()
    if not isinstance(config, EmergeConfig):
        raise TypeError(f"config must be an EmergeConfig, got {type(config).__name__}")
    if config.simulated and config.engine == "graph":
        from skillgraph._resources import check_memory

        # edges (int32) + edge texts (int64) + skill-side CSR (int64), roughly
        check_memory(24 * config.k * config.n_texts, "a skill graph of k * n_texts edges")
    scales = scale_grid(config, config.n_scales)
    result = EmergeResult(config=config, scales=scales)
    result.rows.extend(_bound_rows(config, scales))
    if config.simulated:
        emp_scales = scale_grid(config, config.n_empirical)
        rows, rep_rows = _empirical(config, emp_scales, progress)
        result.rows.extend(rows)
        result.replicate_rows = rep_rows
    result.rows.extend(_performance_rows(config, scales))
    result.rows.extend(_slingshot_rows(config, scales))
    result.doubling = doubling_factors(result)
    result.headline = _headline(result)
    result.summary = _summary_table(result, max_rows=11)
    return result


def _write_csv(path: Path, rows: list[dict], columns: Sequence[str]) -> None:
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(columns)
        for r in rows:
            writer.writerow(["" if _is_nan(r.get(c)) else r.get(c) for c in columns])


def _is_nan(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _write_parquet(path: Path, rows: list[dict], columns: Sequence[str]) -> bool:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        return False
    table = pa.table({c: [r.get(c) for r in rows] for c in columns})
    pq.write_table(table, path)
    return True


def _summary_md(result: EmergeResult, files: list[str]) -> str:
    cfg = result.config
    params = asdict(cfg)
    lines = [
        "# skillgraph emerge",
        "",
        result.headline,
        "",
        "## Parameters",
        "",
        *(f"- `{k}`: {v!r}" for k, v in params.items()),
        "",
        "## Competent fraction of t-tuples",
        "",
        _summary_table(result, markdown=True),
        "",
        "Guaranteed: `1 - alpha_star(t theta, beta, k)` (theory.md §5, Corollary 2).",
        "Simulated: mean over replicate graphs of the tensor tuple competence (theory.md §5),",
        "95% interval = union of a Student-t interval over replicates and the Wilson",
        "interval of the pooled count.",
        "",
        "## Scale needed for 2t-tuples to match t-tuples",
        "",
        "Level: the fraction of competent tuples at which the two curves are compared.",
        "",
        "| source | beta | t -> 2t | level | compute | params | tokens |",
        "|---|---|---|---|---|---|---|",
        *(
            f"| {d['source']} | {d['beta']:g} | {d['t']} -> {2 * d['t']} | {d['level']:.2f} | "
            f"{_fmt_factor(d['compute_factor'])} | {_fmt_factor(d['params_factor'])} | "
            f"{_fmt_factor(d['tokens_factor'])} |"
            for d in result.doubling
        ),
        "",
        "## Files",
        "",
        *(f"- `{f}`" for f in files),
        "",
    ]
    return "\n".join(lines)


def write_outputs(result: EmergeResult, out_dir: str | os.PathLike) -> list[Path]:
    """Write the figures, tables and ``summary.md`` of a run into ``out_dir``.

    Files: ``emergence.png``, ``emergence.pdf``, ``performance_curves.png``,
    ``slingshot.png``, ``results.csv`` (the tidy table, :data:`COLUMNS`),
    ``replicates.csv`` (one row per replicate), ``results.parquet`` when
    pyarrow is installed, ``summary.md``.

    Returns
    -------
    list of Path
        The files written.
    """
    from skillgraph.plotting import figures as plots

    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ValueError(f"out_dir must be a directory, got the file {str(out)!r}")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    fig = plots.emergence_figure(result.rows, x=result.config.x_name)
    written += plots.save_figure(fig, out / "emergence", formats=("png", "pdf"))
    fig = plots.performance_curves_figure(result.rows)
    written += plots.save_figure(fig, out / "performance_curves", formats=("png",))
    if any(r["quantity"] == "slingshot" for r in result.rows):  # none if theta is clipped
        fig = plots.slingshot_figure(result.rows)
        written += plots.save_figure(fig, out / "slingshot", formats=("png",))
    _write_csv(out / "results.csv", result.rows, COLUMNS)
    written.append(out / "results.csv")
    if result.replicate_rows:
        rep_cols = [*COLUMNS, "replicate", "failed_fraction"]
        _write_csv(out / "replicates.csv", result.replicate_rows, rep_cols)
        written.append(out / "replicates.csv")
    if _write_parquet(out / "results.parquet", result.rows, COLUMNS):
        written.append(out / "results.parquet")
    names = [p.name for p in written] + ["summary.md"]
    (out / "summary.md").write_text(_summary_md(result, names))
    written.append(out / "summary.md")
    return written


def emerge(out_dir: str | os.PathLike | None = None, *, progress: bool = False, **params):
    """Run :func:`run_emerge` with ``EmergeConfig(**params)`` and write into ``out_dir``.

    Returns the :class:`EmergeResult`; with ``out_dir=None`` nothing is written.
    """
    result = run_emerge(EmergeConfig(**params), progress=progress)
    if out_dir is not None:
        write_outputs(result, out_dir)
    return result
