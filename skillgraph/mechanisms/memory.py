"""Associative memories: a mechanism that produces both ``theta`` and the unlearned skills.

Cabannes, Dohmatob & Bietti (*Scaling Laws for Associative Memories*, arXiv
2310.02984; the memory viewpoint of Bietti et al., *Birth of a Transformer*,
arXiv 2306.00802) study a model small enough to simulate exactly.  Inputs
``x in {0..N-1}`` come with Zipf frequencies ``p(x) ∝ (x + 1) ** -a`` and
deterministic labels ``f(x) = x mod M``.  Input embeddings ``e_x`` are i.i.d.
``N(0, I_d / d)``, output embeddings ``u_y`` i.i.d. uniform on the unit
sphere of ``R^d``.  The memory ``W = sum_x q(x) e_x u_{f(x)}^T`` (``d x d``)
predicts ``argmax_y e_x^T W u_y``, and its error is frequency weighted:
``E = sum_x p(x) 1{prediction(x) != f(x)}``.  A skill is an association; it is
*learned* when it is recalled.

This module gives

* the Monte Carlo error ``E(d, T)`` over draws of the embeddings
  (:func:`memory_error`) and the recalled set of one memory
  (:func:`memory_recall`), for the storage schemes of :data:`SCHEMES`, with
  population frequencies (``T=None``) or ``T`` samples of data;
* the analytic terms: the data term (:func:`data_term`, its asymptotic form
  :func:`data_term_asymptotic`), the capacity term (:func:`capacity_term`),
  their combination (:func:`analytic_error`), the theory slopes
  (:func:`theory_slope`), the compute-optimal amount of data
  (:func:`compute_optimal_T`) and slope fits with a stated window
  (:func:`fit_slope`);
* the coupling into the skill graph: the drop-in ``theta := E(d, T)`` and the
  structural failure model in which the unrecalled associations are the
  unlearned skills (:func:`memory_theta`, :func:`memory_failures`,
  :func:`stream_memory_failures`).

The mathematics is on the documentation page *Associative memories*
(:doc:`/theory/memory`).

Examples
--------
>>> from skillgraph.mechanisms.memory import memory_error
>>> curve = memory_error([32, 128, 512], trials=4, seed=0)
>>> bool(curve.error[0] > curve.error[1] > curve.error[2])
True
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
from scipy import special

from skillgraph._resources import check_memory, check_time
from skillgraph._rng import as_seed_sequence, child_seed
from skillgraph._validation import check_bool_array, check_choice, check_int, check_real
from skillgraph.core.intervals import (
    ConfidenceInterval,
    confidence_level_argument,
    t_interval,
    t_quantile,
)

__all__ = [
    "SCHEMES",
    "MemoryCurve",
    "MemoryRecall",
    "SlopeFit",
    "MemoryStreamCounts",
    "memory_error",
    "memory_recall",
    "zipf_probabilities",
    "data_term",
    "data_term_constant",
    "data_term_asymptotic",
    "capacity_term",
    "analytic_error",
    "theory_slope",
    "compute_optimal_T",
    "fit_slope",
    "memory_theta",
    "memory_failures",
    "stream_memory_failures",
]

#: Storage schemes: ``"threshold"`` stores the ``P = floor(d / kappa)`` most
#: frequent inputs with ``q = 1``; ``"frequency"`` stores every input with
#: ``q = p ** rho``; ``"all"`` stores every input with ``q = 1``.
SCHEMES = ("threshold", "frequency", "all")

_MAX_INPUTS = 2**31 - 1
_MAX_TRIALS = 10**6
# spawn keys below a trial's seed: the three independent draws of one memory
_INPUT_EMBEDDINGS, _OUTPUT_EMBEDDINGS, _DATA = 0, 1, 2


# ---- validation --------------------------------------------------------------------------


def _check_d(d) -> np.ndarray:
    """Memory sizes: whole numbers >= 1, or ``inf`` (float64 array, at least one value)."""
    if isinstance(d, str):
        raise TypeError(f"d must be a number or an array of numbers, got str {d!r}")
    arr = np.atleast_1d(np.asarray(d))
    if arr.dtype == bool or not (
        np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)
    ):
        raise TypeError(f"d must be whole numbers >= 1 (or inf), got dtype {arr.dtype}")
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"d must be a number or a non-empty 1-D array, got shape {arr.shape}")
    arr = arr.astype(np.float64)
    finite = np.isfinite(arr)
    bad = np.isnan(arr) | (arr < 1) | (finite & (arr != np.floor(arr)))
    if bad.any():
        raise ValueError(
            f"d must hold whole numbers >= 1 (or inf for an unbounded memory), got {arr[bad][0]!r}"
        )
    return arr


def _check_T(T) -> int | None:
    return None if T is None else check_int("T", T, 1)


def _check_law_exponent(zipf_exponent) -> float:
    """A Zipf exponent for the laws, which need ``a > 1`` (a normalisable infinite Zipf law)."""
    return check_real("zipf_exponent", zipf_exponent, 1.0, 50.0, open_low=True)


def _check_positive_reals(name: str, value, minimum: float) -> np.ndarray:
    arr = np.asarray(value, dtype=np.float64) if not isinstance(value, str) else None
    if arr is None or arr.ndim > 1 or arr.size == 0:
        raise TypeError(f"{name} must be a number or a 1-D array of numbers, got {value!r}")
    bad = ~(arr >= minimum)  # catches NaN
    if bad.any():
        raise ValueError(f"{name} must be >= {minimum:g}, got {np.atleast_1d(arr)[bad][0]!r}")
    return arr


@dataclass(frozen=True)
class _Setup:
    """The validated parameters of a memory, shared by the Monte Carlo functions."""

    d: np.ndarray
    T: int | None
    n_inputs: int
    n_labels: int
    zipf_exponent: float
    scheme: str
    kappa: float
    rho: float

    @property
    def finite_d(self) -> np.ndarray:
        """Sorted distinct finite memory sizes (ints)."""
        return np.unique(self.d[np.isfinite(self.d)]).astype(np.int64)


def _setup(d, T, n_inputs, n_labels, zipf_exponent, scheme, kappa, rho) -> _Setup:
    """Validate everything before any work; refuse what the model cannot mean."""
    d = _check_d(d)
    T = _check_T(T)
    n_inputs = check_int("n_inputs", n_inputs, 1, _MAX_INPUTS)
    n_labels = check_int("n_labels", n_labels, 2)
    zipf_exponent = check_real("zipf_exponent", zipf_exponent, 0.0, 50.0)
    scheme = check_choice("scheme", scheme, SCHEMES)
    kappa = check_real("kappa", kappa, 0.0, None, open_low=True)
    rho = check_real("rho", rho, 0.0, None, open_low=True)
    if T is None and np.isinf(d).any():
        raise ValueError(
            "d = inf needs a finite amount of data T: with population frequencies an "
            "unbounded memory stores every input and makes no error"
        )
    finite = d[np.isfinite(d)]
    if scheme == "threshold" and finite.size and math.floor(finite.max() / kappa) == 0:
        raise ValueError(
            f"kappa={kappa:g} makes P = floor(d / kappa) = 0 for every d (largest d = "
            f"{int(finite.max())}): the memory would store nothing; "
            f"use kappa <= {int(finite.max())}"
        )
    return _Setup(d, T, n_inputs, n_labels, zipf_exponent, scheme, kappa, rho)


def _check_fits(setup: _Setup, what: str, trials: int = 1) -> None:
    """Refuse, with estimates, a memory too large for the machine or for the time allowed."""
    n = setup.n_inputs
    finite = setup.finite_d
    d_max = int(finite.max()) if finite.size else 0
    shape = f"n_inputs={n} and largest finite d={d_max}"
    # float32 input embeddings (d_max x N) dominate; then O(N (M + 4)) scores and counts
    nbytes = 4 * n * d_max + 8 * n * (setup.n_labels + 4) + 4 * d_max * setup.n_labels
    check_memory(
        nbytes, f"{what} with {shape} (one draw of the embeddings)",
        "Lower n_inputs or the largest d.",
    )  # fmt: skip
    # generous per-trial cost: ~10 ns per drawn coordinate, ~2 ns per product term
    seconds = trials * (1e-8 * n * d_max + 2e-9 * n * setup.n_labels * float(finite.sum()))
    check_time(seconds, f"{what} with {shape} and {trials} trials", "Lower trials or d.")


# ---- one draw of a memory ----------------------------------------------------------------


def zipf_probabilities(n_inputs: int, zipf_exponent: float) -> np.ndarray:
    """``p(x) = (x + 1) ** -a / sum_y (y + 1) ** -a`` for ``x = 0..N-1`` (float64)."""
    from skillgraph.core.graph import skill_measure_array

    return skill_measure_array(n_inputs, "zipf", zipf_exponent)


def _one_hot(labels: np.ndarray, n_labels: int, weights=None) -> np.ndarray:
    """``(len(labels), M)`` float32 matrix with ``weights`` (default 1) at ``(i, labels[i])``."""
    out = np.zeros((labels.shape[0], n_labels), dtype=np.float32)
    out[np.arange(labels.shape[0]), labels] = 1.0 if weights is None else weights
    return out


def _recalled(scores_t: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Inputs whose true label scores strictly above every other label.

    ``scores_t`` is ``(M, N)``.  A tie is not a recall: an input whose scores
    all vanish (nothing stored, or an unseen input of an unbounded memory) has
    no association at all, so it counts as an error.
    """
    columns = np.arange(labels.shape[0])
    true = scores_t[labels, columns].copy()
    scores_t[labels, columns] = -np.inf
    return true > scores_t.max(axis=0)


def _decide(h_t: np.ndarray, ug: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Recalled inputs given ``h_t[y', x] = sum_{x' in class y'} q(x') e_x . e_x'``.

    The score of label ``y`` is ``sum_y' h[x, y'] u_y' . u_y``; the output
    embeddings are the normalised prefixes ``ug[:d]`` of Gaussian vectors
    (uniform on the sphere of ``R^d``).  Their ``M x M`` Gram matrix is formed
    in float64: it is tiny, and the normalisation divides.
    """
    gram = ug.T.astype(np.float64) @ ug.astype(np.float64)
    norms = np.sqrt(np.diag(gram))
    gamma = (gram / np.outer(norms, norms)).astype(np.float32)
    return _recalled(gamma @ h_t, labels)


@dataclass(frozen=True)
class _Draw:
    """One memory's randomness: embeddings (as Gaussian prefixes) and the data's counts."""

    zt: np.ndarray  # (d_max, N) float32: column x holds sqrt(d) e_x on its first d rows
    ug: np.ndarray  # (d_max, M) float32: column y normalised on its first d rows is u_y
    counts: np.ndarray | None  # (N,) int64 empirical counts of the T samples, or None
    order: np.ndarray | None  # seen inputs by decreasing count, random tie-break


def _draw(setup: _Setup, p: np.ndarray, trial_seed: np.random.SeedSequence) -> _Draw:
    """Draw a memory's embeddings at the largest finite d and its training data.

    Each draw has its own child seed, so the embeddings at a given ``d`` do not
    depend on the other memory sizes asked for, and the data does not depend
    on the embeddings.  Row-major ``(d_max, N)`` arrays are filled coordinate by
    coordinate, so the first ``d`` rows are exactly the draw at ``d``.
    """
    d_max = int(setup.finite_d.max()) if setup.finite_d.size else 0
    n, m = setup.n_inputs, setup.n_labels
    zt = np.random.default_rng(child_seed(trial_seed, _INPUT_EMBEDDINGS)).standard_normal(
        (d_max, n), dtype=np.float32
    )
    ug = np.random.default_rng(child_seed(trial_seed, _OUTPUT_EMBEDDINGS)).standard_normal(
        (d_max, m), dtype=np.float32
    )
    if setup.T is None:
        return _Draw(zt, ug, None, None)
    rng = np.random.default_rng(child_seed(trial_seed, _DATA))
    counts = rng.multinomial(setup.T, p)
    tie_break = rng.random(n)
    order = np.lexsort((tie_break, -counts))[: int(np.count_nonzero(counts))]
    return _Draw(zt, ug, counts, order)


def _weights(setup: _Setup, p: np.ndarray, draw: _Draw) -> np.ndarray:
    """Storage weights ``q`` of the schemes that do not depend on ``d`` (float32).

    With data, the empirical frequencies replace ``p``: ``"all"`` stores every
    seen input, ``"frequency"`` weighs it by ``(count / T) ** rho``.  Weights are
    scaled so that the largest is 1 (a common factor does not change the argmax).
    """
    freq = p if draw.counts is None else draw.counts / setup.T
    if setup.scheme == "all":
        q = (freq > 0).astype(np.float64)
    else:
        q = (freq / freq.max()) ** setup.rho
    return q.astype(np.float32)


def _stored_count(setup: _Setup, d: int, available: int) -> int:
    """``P = floor(d / kappa)``, at most the number of inputs that can be stored."""
    return min(math.floor(d / setup.kappa), available)


def _recalled_by_d(setup: _Setup, p: np.ndarray, draw: _Draw) -> Iterator[tuple[int, np.ndarray]]:
    """Yield ``(d, recalled mask)`` for each distinct finite ``d`` in increasing order.

    Schemes with ``d``-independent weights accumulate the scores over blocks of
    coordinates (O(N M d_max) in all); thresholding recomputes the products at
    each ``d`` from the shared prefixes (O(N M d) each), since the stored set
    grows with ``d``.  No ``N x N`` array is formed: scores go through the
    ``M`` class sums of the stored embeddings.
    """
    labels = np.arange(setup.n_inputs) % setup.n_labels
    if setup.scheme == "threshold":
        order = np.arange(setup.n_inputs) if draw.order is None else draw.order
        p_max = _stored_count(setup, int(setup.finite_d.max()), order.shape[0])
        stored_zt = draw.zt[:, order[:p_max]]
        stored_labels = _one_hot(labels[order[:p_max]], setup.n_labels)
        for d in setup.finite_d:
            n_stored = _stored_count(setup, int(d), order.shape[0])
            class_sums = stored_zt[:d, :n_stored] @ stored_labels[:n_stored]  # (d, M)
            yield int(d), _decide(class_sums.T @ draw.zt[:d], draw.ug[:d], labels)
        return
    weighted_labels = _one_hot(labels, setup.n_labels, _weights(setup, p, draw))
    h_t = np.zeros((setup.n_labels, setup.n_inputs), dtype=np.float32)
    previous = 0
    for d in setup.finite_d:
        block = draw.zt[previous:d]
        h_t += (block @ weighted_labels).T @ block
        previous = int(d)
        yield int(d), _decide(h_t, draw.ug[:d], labels)


def _recall_masks(setup: _Setup, p: np.ndarray, trial_seed) -> tuple[np.ndarray, np.ndarray]:
    """One draw: ``(len(d), N)`` recalled masks, and the number of stored inputs per ``d``."""
    draw = _draw(setup, p, trial_seed)
    by_d = dict(_recalled_by_d(setup, p, draw))
    available = setup.n_inputs if draw.order is None else draw.order.shape[0]
    if draw.counts is not None:
        by_d[math.inf] = draw.counts > 0  # unbounded memory: every seen input is recalled
    masks = np.stack([by_d[float(d)] if np.isinf(d) else by_d[int(d)] for d in setup.d])
    if setup.scheme != "threshold":
        return masks, np.full(setup.d.size, float(available))
    stored = [
        available if np.isinf(d) else _stored_count(setup, int(d), available) for d in setup.d
    ]
    return masks, np.array(stored, dtype=np.float64)


def _threadpool_limit():
    """One BLAS thread: small products in a loop run best on one, whatever the machine."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


# ---- results ----------------------------------------------------------------------------


def _short(values: np.ndarray) -> str:
    if values.size <= 4:
        return "[" + ", ".join(f"{v:.4g}" for v in values) + "]"
    return f"[{values[0]:.4g}, {values[1]:.4g}, ..., {values[-1]:.4g}] ({values.size} values)"


@dataclass(frozen=True, eq=False)
class SlopeFit:
    """A power law ``E ≈ exp(intercept) d ** slope`` fitted in a stated window.

    Attributes
    ----------
    slope, intercept : float
        Least squares line of ``log E`` against ``log d`` (natural logs) over
        the points with ``d`` in ``window``.
    stderr : float
        Jackknife standard error of the slope over the trials (leave one trial
        out); NaN with one trial or when a leave-one-out mean error is 0.
    ci_low, ci_high : float
        ``slope -/+ t_{n-1} stderr`` at confidence ``level`` (NaN with ``stderr``).
    window : tuple of float
        ``(d_low, d_high)``, inclusive.
    n_points : int
        Memory sizes inside the window.
    level : float
    """

    slope: float
    intercept: float
    stderr: float
    ci_low: float
    ci_high: float
    window: tuple[float, float]
    n_points: int
    level: float = 0.95
    n_trials: int = field(default=1, repr=False)

    def ci(
        self, confidence_level: float = 0.95, *, level: float | None = None
    ) -> ConfidenceInterval:
        """``slope -/+ t_{n-1} stderr`` over the ``n_trials`` trials (NaN with one trial)."""
        half = _slope_half_width(
            self.stderr, self.n_trials, confidence_level_argument(confidence_level, level, "ci")
        )
        return ConfidenceInterval(float(self.slope - half), float(self.slope + half))

    def __repr__(self) -> str:
        return (
            f"SlopeFit(slope={self.slope:.4f}, ci=({self.ci_low:.4f}, {self.ci_high:.4f}), "
            f"window={self.window}, n_points={self.n_points})"
        )


@dataclass(frozen=True, eq=False)
class MemoryCurve:
    """The Monte Carlo error ``E(d, T)`` of an associative memory against its size ``d``.

    Attributes
    ----------
    d : ndarray of float64, shape (n_d,)
        Memory sizes, in the order given (whole numbers; ``inf`` for an
        unbounded memory that stores every seen input).
    error : ndarray of float64, shape (n_d,)
        Mean over the trials of the frequency-weighted error.
    ci_low, ci_high : ndarray of float64, shape (n_d,)
        Student-t confidence interval of the mean at ``level``.
    errors : ndarray of float64, shape (trials, n_d)
        The error of each trial (draw of the embeddings and of the data).
        Trials share nothing; within a trial every ``d`` uses prefixes of the
        same embeddings, so the errors at different ``d`` are correlated.
    n_stored : ndarray of float64, shape (n_d,)
        Mean number of stored inputs (``P`` for thresholding, the seen inputs
        with data, ``N`` otherwise).
    T : int or None
        Samples of data; None for population frequencies.
    n_inputs, n_labels, zipf_exponent, scheme, kappa, rho, trials
        The inputs of :func:`memory_error`.
    level : float
        Confidence level of ``ci_low``/``ci_high``.
    """

    d: np.ndarray
    error: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    errors: np.ndarray = field(repr=False)
    n_stored: np.ndarray = field(repr=False)
    T: int | None
    n_inputs: int
    n_labels: int
    zipf_exponent: float
    scheme: str
    kappa: float
    rho: float
    trials: int
    level: float = 0.95

    @property
    def std(self) -> np.ndarray:
        """Standard deviation of the error over trials, per ``d``."""
        return self.errors.std(axis=0, ddof=1)

    @property
    def sem(self) -> np.ndarray:
        """Standard error of the mean error, per ``d``."""
        return self.std / math.sqrt(self.trials)

    def ci(
        self, confidence_level: float = 0.95, *, level: float | None = None
    ) -> ConfidenceInterval:
        """Student-t interval of the mean error, per ``d`` (``level``: deprecated alias)."""
        return t_interval(self.errors, confidence_level_argument(confidence_level, level, "ci"))

    def fit_slope(self, window=(32, 512)) -> SlopeFit:
        """Fit ``log E`` against ``log d`` over ``window``: see :func:`fit_slope`."""
        return fit_slope(self.d, self.errors, window=window, confidence_level=self.level)

    def analytic(self) -> np.ndarray:
        """:func:`analytic_error` at this curve's parameters and memory sizes."""
        return analytic_error(
            self.d, self.T, n_inputs=self.n_inputs, n_labels=self.n_labels,
            zipf_exponent=self.zipf_exponent, kappa=self.kappa,
        )  # fmt: skip

    def __repr__(self) -> str:
        data = "population" if self.T is None else f"T={self.T}"
        return (
            f"MemoryCurve(scheme={self.scheme!r}, n_inputs={self.n_inputs}, "
            f"n_labels={self.n_labels}, zipf_exponent={self.zipf_exponent:g}, "
            f"kappa={self.kappa:g}, rho={self.rho:g}, {data}, trials={self.trials}, "
            f"d={_short(self.d)}, error={_short(self.error)})"
        )


# ---- Monte Carlo ---------------------------------------------------------------------------


def memory_error(
    d,
    T: int | None = None,
    *,
    n_inputs: int = 1000,
    n_labels: int = 5,
    zipf_exponent: float = 2.0,
    scheme: str = "threshold",
    kappa: float = 8,
    rho: float = 1.0,
    trials: int = 20,
    seed=None,
) -> MemoryCurve:
    """Monte Carlo error ``E(d, T)`` of the associative memory, over draws of the embeddings.

    Parameters
    ----------
    d : int or array_like of int
        Memory sizes, >= 1; ``inf`` (with ``T``) for an unbounded memory that
        stores every seen input.
    T : int, optional
        Samples of training data, >= 1.  None: population frequencies
        (thresholding stores the ``P`` most frequent inputs).  An integer: the
        inputs are drawn ``T`` times from ``p``; thresholding stores the ``P``
        inputs with the largest counts (ties broken at random, unseen inputs
        never), ``"all"`` stores every seen input and ``"frequency"`` uses the
        empirical frequencies.
    n_inputs : int
        ``N``, the number of inputs (associations), >= 1.
    n_labels : int
        ``M``, the number of labels, >= 2; ``f(x) = x mod M``.
    zipf_exponent : float
        ``a`` in ``p(x) ∝ (x + 1) ** -a``, in [0, 50] (the laws need ``a > 1``;
        the simulation does not).
    scheme : {"threshold", "frequency", "all"}
        Storage scheme, see :data:`SCHEMES`.
    kappa : float
        Thresholding stores ``P = min(floor(d / kappa), N)`` inputs; > 0, and
        ``P >= 1`` for the largest finite ``d``.
    rho : float
        Exponent of ``q = p ** rho`` for ``"frequency"``, > 0.
    trials : int
        Independent draws of the embeddings (and of the data), >= 2.
    seed : int, SeedSequence, Generator or None
        Trial ``i`` uses the child ``i`` of the seed (embeddings, output
        embeddings and data from three grandchildren), so the same seed gives
        the same numbers whatever else is asked for.

    Returns
    -------
    MemoryCurve
        Mean error per ``d`` with its 95% confidence interval, the per-trial
        errors and the inputs.

    Raises
    ------
    ValueError, TypeError
        On invalid parameters (``d < 1``, ``M < 2``, ``T < 1``, a ``kappa``
        that stores nothing at every ``d``, ...), before any work.
    MemoryError
        When one draw of the embeddings would not fit in memory.

    Notes
    -----
    Vectorised over ``d``: each trial draws the embeddings once, at the
    largest finite ``d``, and the memory of size ``d`` uses their first ``d``
    coordinates (a Gaussian vector's prefix, rescaled, is the draw at ``d``;
    normalising a prefix gives a uniform point of the smaller sphere).  Each
    ``d`` is thus a correct draw, but within a trial the errors at different
    ``d`` share their randomness: curves are smoother than with independent
    draws at each ``d``, and the interval at each ``d`` is valid on its own,
    not jointly.

    Scores never form an ``N x N`` array: ``e_x^T W u_y`` is computed through
    the ``M`` class sums of the stored input embeddings, ``O(N M d)`` per
    ``d``; arrays are float32 (the argmax compares ``M`` scores, and a
    weight below float32 resolution belongs to an input buried in noise either
    way).  Memory: ``4 N d_max`` bytes per trial, trials one at a time.  See
    the documentation page *Associative memories* (:doc:`/theory/memory`).

    Examples
    --------
    >>> curve = memory_error([64, 256], trials=4, seed=1)
    >>> curve.error.shape
    (2,)
    """
    setup = _setup(d, T, n_inputs, n_labels, zipf_exponent, scheme, kappa, rho)
    trials = check_int("trials", trials, 2, _MAX_TRIALS)
    root = as_seed_sequence(seed)
    _check_fits(setup, "memory_error", trials)
    p = zipf_probabilities(setup.n_inputs, setup.zipf_exponent)
    errors = np.empty((trials, setup.d.size))
    n_stored = np.empty((trials, setup.d.size))
    with _threadpool_limit():
        for i in range(trials):
            recalled, n_stored[i] = _recall_masks(setup, p, child_seed(root, i))
            errors[i] = (~recalled).astype(np.float64) @ p
    low, high = t_interval(errors, 0.95)
    return MemoryCurve(
        d=setup.d, error=errors.mean(axis=0), ci_low=low, ci_high=high, errors=errors,
        n_stored=n_stored.mean(axis=0), T=setup.T, n_inputs=setup.n_inputs,
        n_labels=setup.n_labels, zipf_exponent=setup.zipf_exponent, scheme=setup.scheme,
        kappa=setup.kappa, rho=setup.rho, trials=trials,
    )  # fmt: skip


@dataclass(frozen=True, eq=False)
class MemoryRecall:
    """Which associations one memory recalls, at each memory size.

    Attributes
    ----------
    d : ndarray of float64, shape (n_d,)
    unrecalled : ndarray of bool, shape (n_d, N)
        ``True`` where input ``x`` is not recalled by the memory of size
        ``d[i]``: the unlearned skills of the structural coupling.
    error : ndarray of float64, shape (n_d,)
        ``p``-mass of the unrecalled inputs (the error of this memory).
    skill_measure : ndarray of float64, shape (N,)
        ``p``, the Zipf frequencies (the skill measure ``mu1`` of the coupling).
    T : int or None
    scheme : str
    """

    d: np.ndarray
    unrecalled: np.ndarray = field(repr=False)
    error: np.ndarray
    skill_measure: np.ndarray = field(repr=False)
    T: int | None
    scheme: str

    def __repr__(self) -> str:
        return (
            f"MemoryRecall(scheme={self.scheme!r}, T={self.T}, n_inputs="
            f"{self.skill_measure.size}, d={_short(self.d)}, error={_short(self.error)})"
        )


def memory_recall(
    d,
    T: int | None = None,
    *,
    n_inputs: int = 1000,
    n_labels: int = 5,
    zipf_exponent: float = 2.0,
    scheme: str = "threshold",
    kappa: float = 8,
    rho: float = 1.0,
    seed=None,
) -> MemoryRecall:
    """The recalled and unrecalled associations of one draw of the memory, per ``d``.

    Parameters
    ----------
    d, T, n_inputs, n_labels, zipf_exponent, scheme, kappa, rho
        As in :func:`memory_error`.
    seed : int, SeedSequence, Generator or None
        The memory is trial 0 of ``memory_error(..., seed=seed)``: its error
        is ``memory_error(..., seed=seed).errors[0]``.

    Returns
    -------
    MemoryRecall

    Raises
    ------
    ValueError, TypeError, MemoryError
        As in :func:`memory_error`.

    Notes
    -----
    O(N M sum(d)) time, ``4 N d_max + len(d) N`` bytes.  The unrecalled set is
    what the structural coupling (:func:`memory_failures`) needs.
    """
    setup = _setup(d, T, n_inputs, n_labels, zipf_exponent, scheme, kappa, rho)
    root = as_seed_sequence(seed)
    _check_fits(setup, "memory_recall")
    p = zipf_probabilities(setup.n_inputs, setup.zipf_exponent)
    with _threadpool_limit():
        unrecalled = ~_recall_masks(setup, p, child_seed(root, 0))[0]
    for array in (unrecalled, p):
        array.setflags(write=False)
    return MemoryRecall(
        d=setup.d, unrecalled=unrecalled, error=unrecalled.astype(np.float64) @ p,
        skill_measure=p, T=setup.T, scheme=setup.scheme,
    )  # fmt: skip


# ---- analytic terms ---------------------------------------------------------------------


def data_term(T, *, n_inputs: int = 1000, zipf_exponent: float = 2.0):
    """The data term ``E_T = sum_x p(x) (1 - p(x)) ** T``, summed exactly over ``N`` inputs.

    The expected ``p``-mass of the inputs that ``T`` samples never show: the
    error of an unbounded memory that stores every seen input.

    Parameters
    ----------
    T : float or array_like
        Samples, >= 1 (real values give a smooth curve).
    n_inputs : int
        ``N``, >= 1.
    zipf_exponent : float
        ``a``, in [0, 50].

    Returns
    -------
    float or ndarray
        Same shape as ``T``.

    Notes
    -----
    O(N) per value of ``T``, in float64 with ``log1p``.  For ``N -> inf`` and
    ``a > 1`` it tends to :func:`data_term_asymptotic`.

    Examples
    --------
    >>> round(data_term(1e4, n_inputs=10**6), 5)
    0.00691
    """
    t = _check_positive_reals("T", T, 1.0)
    n_inputs = check_int("n_inputs", n_inputs, 1, _MAX_INPUTS)
    p = zipf_probabilities(n_inputs, check_real("zipf_exponent", zipf_exponent, 0.0, 50.0))
    log_keep = np.log1p(-p)
    out = np.array([float(p @ np.exp(tv * log_keep)) for tv in np.atleast_1d(t)])
    return float(out[0]) if t.ndim == 0 else out


def data_term_constant(zipf_exponent: float) -> float:
    """``B = (1 / a) c ** (1 / a) Gamma(1 - 1 / a)`` with ``c = 1 / zeta(a)`` (``N = inf``).

    Raises
    ------
    ValueError
        When ``a <= 1`` (no normalisable infinite Zipf law).

    Examples
    --------
    >>> round(data_term_constant(2.0), 5)
    0.69099
    """
    a = _check_law_exponent(zipf_exponent)
    c = 1.0 / float(special.zeta(a))
    return c ** (1.0 / a) * float(special.gamma(1.0 - 1.0 / a)) / a


def data_term_asymptotic(T, zipf_exponent: float = 2.0):
    """Asymptotic data term ``B T ** -(1 - 1/a)`` for ``N = inf`` (``0.691 T ** -1/2`` at a = 2).

    Parameters
    ----------
    T : float or array_like
        Samples, >= 1.
    zipf_exponent : float
        ``a > 1``.

    Returns
    -------
    float or ndarray

    Notes
    -----
    Replace the sum over ``x`` by an integral and ``(1 - p)^T`` by
    ``exp(-p T)``; with ``p(x) = c x ** -a`` the substitution ``u = c T x ** -a``
    gives ``(1 / a) (c T) ** (1 / a) T ** -1 Gamma(1 - 1 / a)``.  The
    derivation is on the documentation page *Associative memories*.
    """
    t = _check_positive_reals("T", T, 1.0)
    a = _check_law_exponent(zipf_exponent)
    out = data_term_constant(a) * t ** -(1.0 - 1.0 / a)
    return float(out) if t.ndim == 0 else out


def _tail_mass(p: np.ndarray) -> np.ndarray:
    """``tail[P] = sum_{x >= P} p(x)`` for ``P = 0..N``, summed from the small end."""
    return np.concatenate([np.cumsum(p[::-1])[::-1], [0.0]])


def _population_stored(d: np.ndarray, kappa: float, n_inputs: int) -> np.ndarray:
    """``P(d) = min(floor(d / kappa), N)`` per ``d`` (``N`` for ``d = inf``), int64."""
    with np.errstate(invalid="ignore"):
        stored = np.where(np.isinf(d), n_inputs, np.floor(d / kappa))
    return np.minimum(stored, n_inputs).astype(np.int64)


def capacity_term(
    d, *, n_inputs: int = 1000, n_labels: int = 5, zipf_exponent: float = 2.0, kappa: float = 8
):
    """Capacity term ``(1 - 1/M) sum_{x >= P} p(x)`` of thresholding, ``P = floor(d / kappa)``.

    The inputs beyond the ``P`` most frequent are not stored; each is still
    right by chance about ``1/M`` of the time (its scores are noise).

    Parameters
    ----------
    d : float or array_like
        Memory sizes, whole numbers >= 1 (or inf).
    n_inputs, n_labels, zipf_exponent, kappa
        As in :func:`memory_error`.

    Returns
    -------
    float or ndarray

    Notes
    -----
    Inputs are numbered from 0, so the unstored ones are ``x >= P``.  For
    large ``P`` it behaves as ``(1 - 1/M) c kappa ** (a - 1) d ** -(a - 1) / (a - 1)``:
    the rate ``d ** -(a - 1)``.
    """
    d_arr = _check_d(d)
    n_inputs = check_int("n_inputs", n_inputs, 1, _MAX_INPUTS)
    n_labels = check_int("n_labels", n_labels, 2)
    kappa = check_real("kappa", kappa, 0.0, None, open_low=True)
    p = zipf_probabilities(n_inputs, check_real("zipf_exponent", zipf_exponent, 0.0, 50.0))
    out = (1.0 - 1.0 / n_labels) * _tail_mass(p)[_population_stored(d_arr, kappa, n_inputs)]
    return float(out[0]) if np.ndim(d) == 0 else out


def analytic_error(
    d,
    T: int | None = None,
    *,
    n_inputs: int = 1000,
    n_labels: int = 5,
    zipf_exponent: float = 2.0,
    kappa: float = 8,
):
    """Analytic approximation of the thresholding memory's error ``E(d, T)``.

    An input is lost for lack of room (it is not among the ``P`` most
    frequent) or for lack of data (``T`` samples never showed it)::

        E(d, T) ≈ (1 - 1/M) [ sum_{x >= P} p(x) + sum_{x < P} p(x) (1 - p(x)) ** T ]

    the capacity term plus the data term restricted to the inputs the memory
    has room for, so that no input is counted twice.  An unstored input of a
    finite memory is right by chance about ``1/M`` of the time; an unbounded
    memory (``d = inf``) has no noise, so its factor is 1 and the error is the
    data term :func:`data_term` exactly.

    Parameters
    ----------
    d : float or array_like
        Memory sizes (whole numbers >= 1, or inf with ``T``).
    T : int, optional
        Samples; None: population frequencies (the capacity term alone).
    n_inputs, n_labels, zipf_exponent, kappa
        As in :func:`memory_error`.

    Returns
    -------
    float or ndarray

    Notes
    -----
    It neglects the recall errors among stored inputs (small for ``kappa``
    around 8 or more) and the ranking errors of empirical counts (a stored set
    slightly off the ``P`` most frequent).  For ``d`` and ``T`` large it is
    the Chinchilla-shaped law ``A d ** -(a - 1) + B T ** -(1 - 1/a)`` (each
    term dominating where the other is negligible).
    """
    d_arr = _check_d(d)
    T = _check_T(T)
    if T is None and np.isinf(d_arr).any():
        raise ValueError("d = inf needs a finite amount of data T")
    n_inputs = check_int("n_inputs", n_inputs, 1, _MAX_INPUTS)
    n_labels = check_int("n_labels", n_labels, 2)
    kappa = check_real("kappa", kappa, 0.0, None, open_low=True)
    p = zipf_probabilities(n_inputs, check_real("zipf_exponent", zipf_exponent, 0.0, 50.0))
    stored = _population_stored(d_arr, kappa, n_inputs)
    lost = _tail_mass(p)[stored]
    if T is not None:
        unseen = np.concatenate([[0.0], np.cumsum(p * np.exp(T * np.log1p(-p)))])
        lost = lost + unseen[stored]
    chance = np.where(np.isinf(d_arr), 1.0, 1.0 - 1.0 / n_labels)
    out = chance * lost
    return float(out[0]) if np.ndim(d) == 0 else out


def theory_slope(scheme: str, zipf_exponent: float, rho: float = 1.0) -> float:
    """Exponent of ``E ~ d ** slope`` for a storage scheme (population frequencies).

    ``"threshold"``: ``-(a - 1)``, the optimal rate.  ``"frequency"``:
    ``-(a - 1) / (2 rho a)``, valid for ``2 rho a > 1``.  ``"all"``: NaN, no
    power law (the memory overflows once ``N >> d``).

    Raises
    ------
    ValueError
        When ``a <= 1``, or for ``"frequency"`` when ``2 rho a <= 1``.

    Examples
    --------
    >>> theory_slope("threshold", 2.0), theory_slope("frequency", 2.0)
    (-1.0, -0.25)
    """
    scheme = check_choice("scheme", scheme, SCHEMES)
    a = _check_law_exponent(zipf_exponent)
    rho = check_real("rho", rho, 0.0, None, open_low=True)
    if scheme == "all":
        return math.nan
    if scheme == "threshold":
        return -(a - 1.0)
    if 2.0 * rho * a <= 1.0:
        raise ValueError(
            f"the frequency scheme has a power law only for 2 rho a > 1, got rho={rho:g}, "
            f"zipf_exponent={a:g} (2 rho a = {2 * rho * a:g})"
        )
    return -(a - 1.0) / (2.0 * rho * a)


def compute_optimal_T(
    d, *, n_labels: int = 5, zipf_exponent: float = 2.0, kappa: float = 8
) -> np.ndarray:
    """Samples ``T`` that balance the data term against the capacity term at memory size ``d``.

    With model size identified with ``d`` and compute ``C ∝ d T``, minimising
    ``A d ** -alpha + B T ** -beta`` at fixed ``C`` (``alpha = a - 1``,
    ``beta = 1 - 1/a``) gives ``alpha A d ** -alpha = beta B T ** -beta``, so

        T = (B / (a A)) ** (a / (a - 1)) d ** a

    with ``A = c kappa ** (a - 1) / (a - 1)`` and ``B`` the data-term constant
    (:func:`data_term_constant`; the chance factor ``1 - 1/M`` multiplies both
    terms and cancels).  ``T ~ d ** a``, the compute-optimal allocation.

    Parameters
    ----------
    d : float or array_like
        Memory sizes, >= 1.
    n_labels : int
        ``M`` (validated; it cancels).
    zipf_exponent : float
        ``a > 1``.
    kappa : float
        As in :func:`memory_error`.

    Returns
    -------
    ndarray of int64
        ``T`` rounded up, at least 1.
    """
    d_arr = _check_d(d)
    if np.isinf(d_arr).any():
        raise ValueError("d must be finite for compute_optimal_T")
    check_int("n_labels", n_labels, 2)
    a = _check_law_exponent(zipf_exponent)
    kappa = check_real("kappa", kappa, 0.0, None, open_low=True)
    big_a = kappa ** (a - 1.0) / (float(special.zeta(a)) * (a - 1.0))
    ratio = data_term_constant(a) / (a * big_a)
    return np.maximum(np.ceil(ratio ** (a / (a - 1.0)) * d_arr**a), 1).astype(np.int64)


def fit_slope(
    d, errors, *, window=(32, 512), confidence_level: float = 0.95, level: float | None = None
) -> SlopeFit:
    """Fit ``log E = intercept + slope log d`` over the memory sizes in ``window``.

    Parameters
    ----------
    d : array_like, shape (n_d,)
        Memory sizes (``inf`` is ignored).
    errors : array_like, shape (trials, n_d) or (n_d,)
        Per-trial errors (or mean errors; then no interval).
    window : (float, float)
        Inclusive range of ``d`` used in the fit; at least 3 distinct sizes
        must fall inside.
    confidence_level : float
        Confidence level of the jackknife interval, in (0, 1).
    level : float, optional
        Deprecated alias of ``confidence_level``.

    Returns
    -------
    SlopeFit

    Raises
    ------
    ValueError
        On a window with fewer than 3 sizes, or a zero mean error inside it.

    Notes
    -----
    Ordinary least squares on the mean error per ``d``; the interval is a
    leave-one-trial-out jackknife, which respects the correlation of the
    errors across ``d`` within a trial (shared embedding prefixes).
    """
    d_arr = _check_d(d)
    err = np.asarray(errors, dtype=np.float64)
    err = err[None, :] if err.ndim == 1 else err
    if err.ndim != 2 or err.shape[1] != d_arr.size:
        raise ValueError(f"errors must have shape (trials, {d_arr.size}), got {err.shape}")
    low, high = _check_window(window)
    level = confidence_level_argument(confidence_level, level, "fit_slope")
    inside = np.isfinite(d_arr) & (d_arr >= low) & (d_arr <= high)
    if np.unique(d_arr[inside]).size < 3:
        raise ValueError(
            f"window must contain at least 3 distinct memory sizes, got {np.unique(d_arr[inside])} "
            f"in [{low:g}, {high:g}]"
        )
    x = np.log(d_arr[inside])
    mean = err[:, inside].mean(axis=0)
    if not np.all(mean > 0):
        raise ValueError(f"the mean error is 0 at d = {d_arr[inside][mean <= 0][0]:g}: no log")
    slope, intercept = np.polyfit(x, np.log(mean), 1)
    stderr = _jackknife_slope(x, err[:, inside])
    half = _slope_half_width(stderr, err.shape[0], level)
    return SlopeFit(
        slope=float(slope), intercept=float(intercept), stderr=stderr,
        ci_low=float(slope - half), ci_high=float(slope + half), window=(low, high),
        n_points=int(inside.sum()), level=level, n_trials=int(err.shape[0]),
    )  # fmt: skip


def _slope_half_width(stderr: float, n_trials: int, confidence_level: float) -> float:
    # t_{n-1} stderr: the jackknife stderr is already that of the mean
    return t_quantile(n_trials, confidence_level) * stderr if n_trials >= 2 else math.nan


def _check_window(window) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in window)
    except (TypeError, ValueError):
        raise TypeError(
            f"window must be a pair of numbers (d_low, d_high), got {window!r}"
        ) from None
    if not (1 <= low < high):
        raise ValueError(f"window must satisfy 1 <= d_low < d_high, got {window!r}")
    return low, high


def _jackknife_slope(x: np.ndarray, err: np.ndarray) -> float:
    n = err.shape[0]
    if n < 2:
        return math.nan
    loo = (err.sum(axis=0)[None, :] - err) / (n - 1)
    if not np.all(loo > 0):
        return math.nan
    slopes = np.array([np.polyfit(x, np.log(row), 1)[0] for row in loo])
    return float(math.sqrt((n - 1) / n * np.sum((slopes - slopes.mean()) ** 2)))


# ---- into the skill graph -----------------------------------------------------------------


def memory_theta(error, *, coupling: str = "structural", k: int = 8):
    """The failure rate ``theta`` a memory error ``E`` gives the skill graph.

    ``"drop-in"``: ``theta = E`` replaces ``theta`` from a scaling law.
    ``"structural"``: the unrecalled associations are the unlearned skills
    and a text piece fails when one of its ``k`` skills (i.i.d. from ``p``) is
    unlearned, so ``theta = 1 - (1 - E) ** k`` (in expectation over the text
    pieces, given the memory).

    Parameters
    ----------
    error : float or array_like
        ``E`` in [0, 1].
    coupling : {"structural", "drop-in"}
    k : int
        Skills per text piece, >= 1.

    Returns
    -------
    float or ndarray

    Examples
    --------
    >>> round(memory_theta(0.01, k=8), 6)
    0.077255
    """
    coupling = check_choice("coupling", coupling, ("structural", "drop-in"))
    k = check_int("k", k, 1)
    e = np.asarray(error, dtype=np.float64)
    if not np.all((e >= 0) & (e <= 1)):
        raise ValueError(f"error must be in [0, 1], got {error!r}")
    with np.errstate(divide="ignore"):  # E = 1: log1p(-1) = -inf, and theta = 1 exactly
        out = e if coupling == "drop-in" else -np.expm1(k * np.log1p(-e))
    return float(out) if out.ndim == 0 else out


def memory_failures(graph, unrecalled) -> np.ndarray:
    """Structural coupling on a materialised graph: a text fails when it uses an unrecalled skill.

    Parameters
    ----------
    graph : SkillGraph
        Skills are the memory's inputs (``graph.n_skills == N``); for the
        closed form of :func:`memory_theta` the skill measure must be ``p``
        (``sample_graph(N, n_texts, k, skill_measure="zipf", zipf_exponent=a)``).
    unrecalled : ndarray of bool, shape (n_skills,)
        The unlearned skills, e.g. ``memory_recall(...).unrecalled[i]``.

    Returns
    -------
    ndarray of bool, shape (n_texts,)
        Read-only failure mask (the ``deficit`` model of the failure models,
        with the unlearned set given by the memory instead of calibrated);
        feed it to :func:`skillgraph.competence` or
        :func:`skillgraph.tuple_bad_fraction`.

    Notes
    -----
    O(n_edges).  Text pieces without skills never fail.
    """
    from skillgraph.core.failures import as_mask
    from skillgraph.core.graph import SkillGraph

    if not isinstance(graph, SkillGraph):
        raise TypeError(f"graph must be a SkillGraph, got {type(graph).__name__}")
    unrecalled = check_bool_array("unrecalled", unrecalled, graph.n_skills)
    failed = np.zeros(graph.n_texts, dtype=bool)
    nonempty = graph.text_degrees > 0
    if graph.n_edges:
        starts = graph.text_indptr[:-1][nonempty]
        failed[nonempty] = np.logical_or.reduceat(unrecalled[graph.text_indices], starts)
    return as_mask(graph, failed)


@dataclass(frozen=True, eq=False)
class MemoryStreamCounts:
    """Per-skill counts of a streamed graph under the memory failure model.

    Attributes
    ----------
    degrees, failed_edges : ndarray of int64, shape (n_skills,)
        Edge slots per skill, and those in failed text pieces.
    n_failed_texts, n_texts, k : int
    skill_measure : ndarray of float64
        ``p``.
    """

    degrees: np.ndarray = field(repr=False)
    failed_edges: np.ndarray = field(repr=False)
    n_failed_texts: int
    n_texts: int
    k: int
    skill_measure: np.ndarray = field(repr=False)

    @property
    def failure_rate(self) -> float:
        """Fraction of text pieces that failed."""
        return self.n_failed_texts / self.n_texts

    def competence(self) -> np.ndarray:
        """Competence per skill (NaN without edges), as on the materialised graph."""
        from skillgraph.core.competence import competence_from_counts

        return competence_from_counts(self.degrees, self.failed_edges)

    def tuple_bad_fraction(self, t: int, beta: float, *, n_tuples=None, seed=None):
        """Bad fraction of ``t``-tuples (tensor definition), see ``tuple_bad_fraction``."""
        from skillgraph.core.competence import tuple_bad_fraction_from_counts

        return tuple_bad_fraction_from_counts(
            self.degrees, self.failed_edges, self.skill_measure, t, beta,
            n_tuples=n_tuples, seed=seed,
        )  # fmt: skip

    def __repr__(self) -> str:
        return (
            f"MemoryStreamCounts(n_skills={self.skill_measure.size}, n_texts={self.n_texts}, "
            f"k={self.k}, failure_rate={self.failure_rate:.6g})"
        )


def stream_memory_failures(
    unrecalled,
    n_texts: int,
    k: int,
    *,
    zipf_exponent: float = 2.0,
    seed=None,
    chunk_size: int = 2**18,
) -> MemoryStreamCounts:
    """Structural coupling, streamed: per-skill counts without holding the graph.

    Each of ``n_texts`` text pieces draws ``k`` skills i.i.d. from ``p`` (Zipf
    over ``len(unrecalled)`` skills), fails when one of them is unrecalled, and
    adds its edges to per-skill counts; memory is O(N + chunk_size k).

    Parameters
    ----------
    unrecalled : ndarray of bool, shape (N,)
    n_texts : int
        >= 1.
    k : int
        Skills per text piece, >= 1.
    zipf_exponent : float
        ``a`` of the skill measure ``p``, in [0, 50].
    seed : int, SeedSequence, Generator or None
        The counts do not depend on ``chunk_size``.
    chunk_size : int
        Text pieces per block, >= 1.

    Returns
    -------
    MemoryStreamCounts

    Notes
    -----
    A pure-numpy engine (inverse-CDF draws from one generator, consumed in
    order, so any ``chunk_size`` gives the same graph); it does not draw the
    graph that :func:`skillgraph.sample_graph` draws from the same seed.
    O(n_texts k log N) time.
    """
    unrecalled = np.asarray(unrecalled)
    if unrecalled.ndim != 1:
        raise ValueError(f"unrecalled must be 1-D, got shape {unrecalled.shape}")
    unrecalled = check_bool_array("unrecalled", unrecalled, unrecalled.shape[0])
    n_texts = check_int("n_texts", n_texts, 1)
    k = check_int("k", k, 1)
    chunk_size = check_int("chunk_size", chunk_size, 1)
    p = zipf_probabilities(unrecalled.shape[0], zipf_exponent)
    rng = np.random.default_rng(as_seed_sequence(seed))
    block = min(chunk_size, n_texts) * k
    check_memory(24 * block + 24 * p.size, f"streamed blocks of {block:,} edge slots",
                 "Lower chunk_size.")  # fmt: skip
    cdf = np.cumsum(p)
    cdf /= cdf[-1]
    n = p.shape[0]
    degrees = np.zeros(n, dtype=np.int64)
    failed_edges = np.zeros(n, dtype=np.int64)
    n_failed = 0
    for start in range(0, n_texts, chunk_size):
        m = min(chunk_size, n_texts - start)
        skills = np.minimum(np.searchsorted(cdf, rng.random(m * k), side="right"), n - 1)
        skills = skills.reshape(m, k)
        failed = unrecalled[skills].any(axis=1)
        degrees += np.bincount(skills.ravel(), minlength=n)
        failed_edges += np.bincount(skills[failed].ravel(), minlength=n)
        n_failed += int(failed.sum())
    return MemoryStreamCounts(
        degrees=degrees, failed_edges=failed_edges, n_failed_texts=n_failed,
        n_texts=n_texts, k=k, skill_measure=p,
    )  # fmt: skip
