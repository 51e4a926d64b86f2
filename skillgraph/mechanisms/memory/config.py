"""The configuration of a ``skillgraph memory`` run."""

from __future__ import annotations

import functools
import math
import numbers
from dataclasses import dataclass, field

import numpy as np

from skillgraph._validation import MAX_K, MAX_TEXTS, check_int, check_real, check_sequence
from skillgraph.mechanisms.memory.fit import check_window
from skillgraph.mechanisms.memory.inputs import (
    MAX_TRIALS,
    PARAMETER_CHECKS,
    check_d,
    check_law_exponent,
)
from skillgraph.mechanisms.memory.model import MEMORY_ERROR_DEFAULTS, memory_setup

__all__ = ["scheme_label", "MemoryConfig"]


def scheme_label(scheme: str, *, kappa: float, rho: float) -> str:
    """A short human name for a storage scheme (``"q = p"``, ``"threshold P = d/8"``...)."""
    if scheme == "threshold":
        return f"threshold P = d/{kappa:g}"
    if scheme == "frequency":
        return "q = p" if rho == 1 else f"q = p^{rho:g}"
    return "q = 1"


#: the fields every memory of a run shares (:meth:`MemoryConfig.memory_kwargs`), in order
_MEMORY_KWARGS = ("n_inputs", "n_labels", "zipf_exponent", "kappa", "rho")


def _log_grid(low: float, high: float, n: int) -> tuple[int, ...]:
    return tuple(int(v) for v in np.unique(np.round(np.geomspace(low, high, n))))


def _check_sizes(name: str, values, allow_inf: bool = False) -> tuple[float, ...]:
    arr = check_d(values, name)
    if not allow_inf and np.isinf(arr).any():
        raise ValueError(f"{name} must be finite, got {values!r}")
    return tuple(float(v) if np.isinf(v) else int(v) for v in arr)


@dataclass(frozen=True)
class MemoryConfig:
    """Parameters of a ``skillgraph memory`` run (defaults: about a minute on two cores).

    Attributes
    ----------
    n_inputs, n_labels, zipf_exponent, kappa, rho, trials
        The memory, as in :func:`skillgraph.mechanisms.memory.memory_error`
        (``zipf_exponent > 1``: the laws need it).
    seed : int
        Master seed; every part of the run uses its own child.
    d : tuple of int
        Memory sizes of the error-against-``d`` figure.
    fit_window : (float, float)
        Inclusive window of ``d`` for the fitted slopes.
    T : tuple of int
        Amounts of data of the error-against-``T`` figure.
    T_d : tuple of float
        Memory sizes drawn against ``T`` (``inf``: stores every seen input).
    data_fit_window : (float, float)
        Inclusive window of ``T`` for the slope of the unbounded memory's
        error (with finite ``N`` the data term leaves its ``N = inf``
        asymptote once ``T`` approaches ``N ** a``).
    emergence_d : tuple of int
        Memory sizes of the emergence figure; ``T`` is compute-optimal at each.
    replicates : int
        Memories (and graphs) per memory size in the emergence figure, >= 2.
    n_texts, k : int
        Text pieces and skills per text piece of the sampled skill graphs.
    tuples : tuple of int
        Tuple sizes ``t``, in ``[1, 16]``, none repeated (one integer stands
        for itself).
    beta : float
        Competence threshold: a tuple is competent when its competence is at
        least ``1 - beta``.
    """

    n_inputs: int = MEMORY_ERROR_DEFAULTS["n_inputs"]
    n_labels: int = MEMORY_ERROR_DEFAULTS["n_labels"]
    zipf_exponent: float = MEMORY_ERROR_DEFAULTS["zipf_exponent"]
    kappa: float = float(MEMORY_ERROR_DEFAULTS["kappa"])
    rho: float = MEMORY_ERROR_DEFAULTS["rho"]
    trials: int = MEMORY_ERROR_DEFAULTS["trials"]
    seed: int = 0
    d: tuple = field(default_factory=lambda: _log_grid(8, 2048, 17))
    fit_window: tuple = (32, 512)
    T: tuple = field(default_factory=lambda: _log_grid(10, 10**6, 11))
    T_d: tuple = (64, 256, 1024, math.inf)
    data_fit_window: tuple = (10, 10_000)
    emergence_d: tuple = field(default_factory=lambda: _log_grid(16, 4096, 25))
    replicates: int = 4
    n_texts: int = 100_000
    k: int = 8
    tuples: tuple = (1, 2, 4)
    beta: float = 0.5

    def __post_init__(self):
        set_ = object.__setattr__
        for name in _MEMORY_KWARGS:  # the laws need zipf_exponent > 1
            check = check_law_exponent if name == "zipf_exponent" else PARAMETER_CHECKS[name]
            set_(self, name, check(getattr(self, name)))
        set_(self, "trials", check_int("trials", self.trials, 2, MAX_TRIALS))
        set_(self, "seed", check_int("seed", self.seed, 0))
        set_(self, "d", _check_sizes("d", self.d))
        set_(self, "fit_window", check_window(self.fit_window, "fit_window"))
        set_(self, "T", tuple(check_int("T", t, 1) for t in np.atleast_1d(self.T).tolist()))
        set_(self, "T_d", _check_sizes("T_d", self.T_d, allow_inf=True))
        set_(self, "data_fit_window", check_window(self.data_fit_window, "data_fit_window"))
        set_(self, "emergence_d", _check_sizes("emergence_d", self.emergence_d))
        set_(self, "replicates", check_int("replicates", self.replicates, 2, 10**4))
        set_(self, "n_texts", check_int("n_texts", self.n_texts, 1, MAX_TEXTS))
        set_(self, "k", check_int("k", self.k, 1, MAX_K))
        tuple_size = functools.partial(check_int, minimum=1, maximum=16)
        tuples = check_sequence("tuples", self.tuples, tuple_size, scalar=numbers.Integral)
        set_(self, "tuples", tuples)
        set_(self, "beta", check_real("beta", self.beta, 0.0, 1.0, open_low=True, open_high=True))
        if not self.T:
            raise ValueError("T must hold at least one value")
        inside = [v for v in self.d if self.fit_window[0] <= v <= self.fit_window[1]]
        if len(set(inside)) < 3:
            raise ValueError(
                f"fit_window {self.fit_window} must contain at least 3 of the sizes d={self.d}"
            )
        if math.floor(min(self.emergence_d) / self.kappa) < 1:  # each size is its own memory
            raise ValueError(
                f"emergence_d must store at least one input at every size: the smallest, "
                f"{min(self.emergence_d)}, gives P = floor(d / kappa) = 0 with kappa={self.kappa:g}"
            )
        # the memory functions validate the rest (kappa against d, ...) before the run
        for sizes in (self.d, self.emergence_d, [v for v in self.T_d if math.isfinite(v)]):
            if sizes:
                memory_setup(sizes, None, self.n_inputs, self.n_labels, self.zipf_exponent,
                           "threshold", self.kappa, self.rho)  # fmt: skip

    def memory_kwargs(self) -> dict:
        """The keyword arguments shared by every memory of the run."""
        return {name: getattr(self, name) for name in _MEMORY_KWARGS}
