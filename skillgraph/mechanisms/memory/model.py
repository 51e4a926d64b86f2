"""The associative memory simulated: embeddings, storage, recall, and its Monte Carlo error."""

from __future__ import annotations

import inspect
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
from threadpoolctl import threadpool_limits

from skillgraph._resources import check_memory, check_time
from skillgraph._rng import as_seed_sequence, child_seed
from skillgraph._validation import check_int
from skillgraph.core.intervals import (
    CI_LEVEL,
    ConfidenceInterval,
    confidence_level_argument,
    t_interval,
)
from skillgraph.mechanisms.memory.fit import SlopeFit, fit_slope
from skillgraph.mechanisms.memory.inputs import (
    MAX_TRIALS,
    check_d,
    check_parameters,
    check_T,
    short,
    zipf_probabilities,
)
from skillgraph.mechanisms.memory.laws import analytic_error

__all__ = ["MemoryCurve", "memory_error", "MemoryRecall", "memory_recall"]


# spawn keys below a trial's seed: the three independent draws of one memory
_INPUT_EMBEDDINGS, _OUTPUT_EMBEDDINGS, _DATA = 0, 1, 2


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


def memory_setup(d, T, n_inputs, n_labels, zipf_exponent, scheme, kappa, rho) -> _Setup:
    """Validate everything before any work; refuse what the model cannot mean."""
    d = check_d(d)
    T = check_T(T)
    n_inputs, n_labels, zipf_exponent, scheme, kappa, rho = check_parameters(
        n_inputs=n_inputs, n_labels=n_labels, zipf_exponent=zipf_exponent, scheme=scheme,
        kappa=kappa, rho=rho,
    )  # fmt: skip
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


def _trials(
    setup: _Setup, seed, trials: int, what: str
) -> tuple[np.ndarray, Iterator[tuple[np.ndarray, np.ndarray]]]:
    """``p``, and an iterator over trials ``0..trials-1`` of :func:`_recall_masks`.

    The seed and the size of one draw (``what`` names the caller in the
    message) are checked at once, before any work; trial ``i`` is drawn from
    child ``i`` of ``seed`` when the iterator reaches it.
    """
    root = as_seed_sequence(seed)
    _check_fits(setup, what, trials)
    p = zipf_probabilities(setup.n_inputs, setup.zipf_exponent)

    def draws():
        # one BLAS thread: small products in a loop run best on one, whatever the machine
        with threadpool_limits(limits=1, user_api="blas"):
            for i in range(trials):
                yield _recall_masks(setup, p, child_seed(root, i))

    return p, draws()


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
    level: float = CI_LEVEL

    @property
    def std(self) -> np.ndarray:
        """Standard deviation of the error over trials, per ``d``."""
        return self.errors.std(axis=0, ddof=1)

    @property
    def sem(self) -> np.ndarray:
        """Standard error of the mean error, per ``d``."""
        return self.std / math.sqrt(self.trials)

    def ci(
        self, confidence_level: float = CI_LEVEL, *, level: float | None = None
    ) -> ConfidenceInterval:
        """Student-t interval of the mean error, per ``d`` (``level``: deprecated alias)."""
        return t_interval(self.errors, confidence_level_argument(confidence_level, level, "ci"))

    def fit_slope(self, window=(32, 512)) -> SlopeFit:
        """Fit ``log E`` against ``log d`` over ``window``: see :func:`fit_slope`."""
        return fit_slope(self.d, self.errors, window=window, confidence_level=self.level)

    def analytic(self) -> np.ndarray:
        """The analytic error law at this curve's parameters and memory sizes.

        See :func:`~skillgraph.mechanisms.memory.laws.analytic_error`.
        """
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
            f"d={short(self.d)}, error={short(self.error)})"
        )


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
        Storage scheme, see :data:`~skillgraph.mechanisms.memory.inputs.SCHEMES`.
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
    setup = memory_setup(d, T, n_inputs, n_labels, zipf_exponent, scheme, kappa, rho)
    trials = check_int("trials", trials, 2, MAX_TRIALS)
    p, draws = _trials(setup, seed, trials, "memory_error")
    errors = np.empty((trials, setup.d.size))
    n_stored = np.empty((trials, setup.d.size))
    for i, (recalled, stored) in enumerate(draws):
        errors[i] = (~recalled).astype(np.float64) @ p
        n_stored[i] = stored
    low, high = t_interval(errors, CI_LEVEL)
    return MemoryCurve(
        d=setup.d, error=errors.mean(axis=0), ci_low=low, ci_high=high, errors=errors,
        n_stored=n_stored.mean(axis=0), T=setup.T, n_inputs=setup.n_inputs,
        n_labels=setup.n_labels, zipf_exponent=setup.zipf_exponent, scheme=setup.scheme,
        kappa=setup.kappa, rho=setup.rho, trials=trials,
    )  # fmt: skip


#: the keyword defaults of :func:`memory_error`, written once in its signature (a run's
#: and a sweep item's defaults too); read-only
MEMORY_ERROR_DEFAULTS = MappingProxyType({
    name: parameter.default
    for name, parameter in inspect.signature(memory_error).parameters.items()
    if parameter.default is not inspect.Parameter.empty
})  # fmt: skip


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
            f"{self.skill_measure.size}, d={short(self.d)}, error={short(self.error)})"
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
    O(N M sum(d)) time, ``4 N d_max + len(d) N`` bytes.  The unrecalled set is what the structural
    coupling (:func:`~skillgraph.mechanisms.memory.failures.memory_failures`) needs.
    """
    setup = memory_setup(d, T, n_inputs, n_labels, zipf_exponent, scheme, kappa, rho)
    p, draws = _trials(setup, seed, 1, "memory_recall")
    ((recalled, _),) = draws  # unpacking runs the one trial to the end
    unrecalled = ~recalled
    for array in (unrecalled, p):
        array.setflags(write=False)
    return MemoryRecall(
        d=setup.d, unrecalled=unrecalled, error=unrecalled.astype(np.float64) @ p,
        skill_measure=p, T=setup.T, scheme=setup.scheme,
    )  # fmt: skip
