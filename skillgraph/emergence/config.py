"""The parameters of an emergence run, validated before any work starts.

:class:`EmergeConfig` holds what ``skillgraph emerge`` asks for: the scale
range and the scaling law (see :doc:`/theory/loss_to_theta`), the tuple sizes
and thresholds (:doc:`/theory/tuples`), the graphs to simulate and the
failure models (:doc:`/theory/failure_models`).  The names of laws, maps,
bound forms, failure models and engines are read from their one home
(:mod:`skillgraph.theory.scaling`, :mod:`skillgraph.theory.bounds`,
:mod:`skillgraph.core.failures`, :mod:`skillgraph.core.engine`).
"""

from __future__ import annotations

import functools
import numbers
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

from skillgraph._validation import (
    MAX_K,
    MAX_SEED,
    MAX_SKILLS,
    MAX_T,
    MAX_TEXTS,
    check_choice,
    check_int,
    check_real,
    check_sequence,
)
from skillgraph.core.engine import engine_name, get_engine
from skillgraph.theory.bounds import FORMS
from skillgraph.theory.scaling import LAWS, MAPPINGS

__all__ = ["EmergeConfig", "RENAMED_PARAMETERS"]


#: Parameters renamed in 0.2, old name -> new name.  The old names are still
#: accepted (with a ``DeprecationWarning``) for one release.
RENAMED_PARAMETERS = {
    "c": "cloze_factor",
    "n_scales": "bound_points",
    "n_empirical": "sim_points",
}


def _accept_renamed(cls):
    """Let ``cls`` take and show its :data:`RENAMED_PARAMETERS` under their old names."""
    init = cls.__init__

    @functools.wraps(init)
    def __init__(self, *args, **kwargs):
        for old, new in RENAMED_PARAMETERS.items():
            if old in kwargs:
                if new in kwargs:
                    raise TypeError(f"give {new} only ({old} is its deprecated name), not both")
                _warn_renamed(old, new, stacklevel=3)
                kwargs[new] = kwargs.pop(old)
        init(self, *args, **kwargs)

    def __getattr__(self, name):  # only called for names the class does not have
        if name in RENAMED_PARAMETERS:
            _warn_renamed(name, RENAMED_PARAMETERS[name], stacklevel=3)
            return getattr(self, RENAMED_PARAMETERS[name])
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    cls.__init__ = __init__
    cls.__getattr__ = __getattr__
    return cls


def _warn_renamed(old: str, new: str, stacklevel: int) -> None:
    warnings.warn(
        f"EmergeConfig.{old} is now EmergeConfig.{new}; the old name goes in the next release",
        DeprecationWarning,
        stacklevel=stacklevel,
    )


def _positive(name: str, value) -> float:
    return check_real(name, value, 0.0, None, open_low=True)


def _range(name: str, value) -> tuple[float, float]:
    """A pair ``(low, high)`` of positive numbers with ``low < high``."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence) or len(value) != 2:
        raise TypeError(f"{name} must be a pair (low, high) of positive numbers, got {value!r}")
    low, high = _positive(f"{name}[0]", value[0]), _positive(f"{name}[1]", value[1])
    if not high > low:
        raise ValueError(f"{name} must have low < high, got ({low:g}, {high:g})")
    return low, high


def _failure_models(value, engine: str, sim_points: int) -> tuple[str, ...]:
    failures = get_engine(engine).failures
    models = check_sequence(
        "failure_models", value,
        lambda name, model: check_choice(f"{name} (engine {engine!r})", model, failures),
        scalar=str, allow_empty=True,
    )  # fmt: skip
    if sim_points and not models:
        # an empty list would silently skip the simulation the scales ask for
        raise ValueError(
            "failure_models must name at least one failure model when sim_points > 0, "
            "got (); sim_points=0 runs the bound only"
        )
    return models


@_accept_renamed
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
        Scaling law, a name of :data:`skillgraph.theory.scaling.LAWS`.
    mapping : {"anchored", "linear", "pinsker"}
        Excess loss to ``theta`` map, a name of :data:`skillgraph.theory.scaling.MAPPINGS`.
    theta_ref : float
        ``theta`` of the reference model (N = 70e9, D = 1.4e12) for ``anchored``.
    cloze_factor : float
        The cloze-sufficiency factor ``c`` of the ``linear`` map,
        ``theta = clip(c * delta, 0, 1)`` (also passed to ``pinsker``).
    tuples : sequence of int
        Tuple sizes ``t`` (default 1, 2, 4, 8), at most 64.
    betas : sequence of float
        Thresholds ``beta`` in (0, 1): a skill (tuple) is competent when its
        failure rate is at most ``beta``.  Default 0.5.
    k : int
        Skills per text piece (degree of the text nodes), default 8.
    form : {"kl", "paper"}
        Form of the bound, a name of :data:`skillgraph.theory.bound_values.FORMS`.
    n_skills, n_texts : int
        Size of the sampled skill graphs (defaults 1000 and 1 000 000: the
        theorems are about ``n_texts >> n_skills``).
    replicates : int
        Number of independent graphs (default 8).
    seed : int
        Root seed; graph ``r`` uses the child seed keyed ``(r, 0)``.
    bound_points : int
        Number of log-spaced scales of the bound curves (default 81).  The
        headline's doubling factors are read off this grid; below two points
        per decade of scale they depend on it (a warning says so).
    sim_points : int
        Number of log-spaced scales simulated (default 21, two per decade of
        the default compute range; 0: the bound only).
    n_tuples : int
        Tuples sampled per measurement for ``t >= 3`` (``t <= 2`` is exact),
        default 20 000: a 95% interval of half-width at most 0.007 per graph,
        pooled over the replicates.
    failure_models : sequence of str
        Failure models simulated, names of
        :data:`skillgraph.core.failures.FAILURE_MODELS` (with ``engine="stream"``,
        of :data:`~skillgraph.core.streaming.STREAM_FAILURES`); at least one
        unless ``sim_points`` is 0.
    engine : {"stream", "graph"}
        ``stream`` (default): per-skill counts from :func:`skillgraph.stream`,
        memory O(n_skills), so ``n_texts`` can be 1e8 and more.  ``graph``:
        materialised graphs (:func:`skillgraph.sample_graph` and the failure
        models, exact failure counts).  See :mod:`skillgraph.core.engine`.

    Other Parameters
    ----------------
    c, n_scales, n_empirical
        Deprecated names of ``cloze_factor``, ``bound_points`` and
        ``sim_points`` (:data:`RENAMED_PARAMETERS`), accepted until the next release.

    Raises
    ------
    TypeError, ValueError
        Naming the parameter, its value and the valid range, before any work.

    Examples
    --------
    >>> cfg = EmergeConfig(tuples=(1, 2), sim_points=0)
    >>> cfg.simulated, cfg.x_name
    ((), 'compute')
    """

    compute: tuple[float, float] = (1e20, 1e30)
    params: tuple[float, float] | None = None
    tokens_per_param: float | None = None
    law: str = "chinchilla"
    mapping: str = "anchored"
    theta_ref: float = 0.05
    cloze_factor: float = 1.0
    tuples: tuple[int, ...] = (1, 2, 4, 8)
    betas: tuple[float, ...] = (0.5,)
    k: int = 8
    form: str = "kl"
    n_skills: int = 1000
    n_texts: int = 1_000_000
    replicates: int = 8
    seed: int = 0
    bound_points: int = 81
    sim_points: int = 21
    n_tuples: int = 20_000
    failure_models: tuple[str, ...] = ("random", "deficit")
    engine: str = "stream"

    def __post_init__(self):
        set_ = functools.partial(object.__setattr__, self)
        set_("compute", _range("compute", self.compute))
        if self.params is not None:
            set_("params", _range("params", self.params))
        if self.tokens_per_param is not None:
            set_("tokens_per_param", _positive("tokens_per_param", self.tokens_per_param))
        check_choice("law", self.law, tuple(LAWS))
        check_choice("mapping", self.mapping, MAPPINGS)
        check_choice("form", self.form, FORMS)
        set_("engine", engine_name(self.engine))
        set_("theta_ref", check_real("theta_ref", self.theta_ref, 0.0, 1.0, open_low=True))
        set_("cloze_factor", _positive("cloze_factor", self.cloze_factor))
        tuple_size = functools.partial(check_int, minimum=1, maximum=MAX_T)
        tuples = check_sequence("tuples", self.tuples, tuple_size, scalar=numbers.Integral)
        set_("tuples", tuple(sorted(tuples)))
        fraction = functools.partial(check_real, low=0.0, high=1.0, open_low=True, open_high=True)
        betas = check_sequence("betas", self.betas, fraction, scalar=numbers.Real)
        set_("betas", tuple(sorted(betas)))
        set_("k", check_int("k", self.k, 1, MAX_K))
        set_("n_skills", check_int("n_skills", self.n_skills, 1, MAX_SKILLS))
        set_("n_texts", check_int("n_texts", self.n_texts, 1, MAX_TEXTS))
        set_("replicates", check_int("replicates", self.replicates, 1, 10_000))
        set_("seed", check_int("seed", self.seed, 0, MAX_SEED - 1))
        set_("bound_points", check_int("bound_points", self.bound_points, 2, 10_000))
        set_("sim_points", check_int("sim_points", self.sim_points, 0, 1000))
        set_("n_tuples", check_int("n_tuples", self.n_tuples, 1, 10**8))
        set_("failure_models", _failure_models(self.failure_models, self.engine, self.sim_points))

    @property
    def simulated(self) -> tuple[str, ...]:
        """The failure models actually simulated (none when ``sim_points == 0``)."""
        return self.failure_models if self.sim_points else ()

    @property
    def x_name(self) -> str:
        """The scale axis column: ``params`` with a parameter range, else ``compute``."""
        return "params" if self.params is not None else "compute"
