"""Training the testbed: SGD with momentum on the synthetic task, the curves logged as it goes."""

from __future__ import annotations

import dataclasses
import math
import time

import numpy as np
from threadpoolctl import threadpool_limits

from skillgraph._progress import progress_bar
from skillgraph._rng import as_generator, as_seed_sequence, child_seed
from skillgraph._validation import check_int
from skillgraph.mechanisms.induction.config import MEMORIES, InductionConfig
from skillgraph.mechanisms.induction.data import InductionBatch
from skillgraph.mechanisms.induction.model import init_model, loss_and_grads
from skillgraph.mechanisms.induction.probes import EvalSet, evaluate, make_eval_set, memory_probes
from skillgraph.mechanisms.induction.result import InductionRun

__all__ = ["InductionDivergedError", "train_induction"]


class InductionDivergedError(ValueError):
    """Training produced a non-finite loss or parameter; ``run`` holds what was logged.

    Attributes
    ----------
    step : int
        The step at which the loss or a parameter stopped being finite.
    run : InductionRun
        The run up to the last good step (``run.diverged_at == step``).
    """

    def __init__(self, message: str, step: int, run: InductionRun):
        super().__init__(message)
        self.step = step
        self.run = run


class _Log:
    """Accumulates the curves while training; turns them into an :class:`InductionRun`."""

    def __init__(self, config: InductionConfig, constants: dict):
        self.config = config
        self.constants = constants
        self.steps: list[int] = []
        self.curves: dict[str, list[float]] = {}
        self.probes: dict[str, list[float]] = {name: [] for name in MEMORIES}
        self.start = time.perf_counter()

    def probe(self, values: dict) -> None:
        for name in MEMORIES:
            self.probes[name].append(values[name])

    def log(self, step: int, values: dict) -> None:
        self.steps.append(step)
        for name, value in values.items():
            self.curves.setdefault(name, []).append(value)

    def run(self, diverged_at: int | None = None) -> InductionRun:
        n_probes = len(self.probes["W_O2"])
        return InductionRun(
            self.config,
            np.asarray(self.steps, dtype=np.int64),
            {k: np.asarray(v, dtype=np.float64) for k, v in self.curves.items()},
            np.arange(n_probes, dtype=np.int64),
            {k: np.asarray(v, dtype=np.float64) for k, v in self.probes.items()},
            dict(self.constants),
            time.perf_counter() - self.start,
            diverged_at,
        )


def _loss_weights(batch: InductionBatch, loss_on: str, dtype) -> np.ndarray:
    """``(B, T - 1)`` weights of the targets: a mean over the positions in the loss."""
    if loss_on == "all":
        shape = (batch.tokens.shape[0], batch.tokens.shape[1] - 1)
        return np.full(shape, 1.0 / (shape[0] * shape[1]), dtype=dtype)
    mask = batch.in_context[:, 1:]
    return (mask / max(int(mask.sum()), 1)).astype(dtype)


def train_induction(
    config: InductionConfig | None = None,
    *,
    progress: bool = False,
    threads: int | None = 1,
    **overrides,
) -> InductionRun:
    """Train the induction-head testbed and record its curves.

    Parameters
    ----------
    config : InductionConfig, optional
        Defaults to ``InductionConfig()`` (the reference run); keyword
        ``overrides`` replace fields of it.
    progress : bool
        Show a progress bar over the steps.
    threads : int or None
        BLAS threads during training (``None``: leave the BLAS library alone).
        One by default: the products are small, so more threads mostly add overhead.

    Returns
    -------
    InductionRun

    Raises
    ------
    ValueError, TypeError
        For an invalid parameter, before any work.
    MemoryError
        When the run would not fit in memory (refused when the configuration is built).
    InductionDivergedError
        When the loss or a parameter stops being finite; its ``run``
        attribute holds the curves logged up to then, and its message names the step.

    Notes
    -----
    Cost per step ``O(B T^2 d + B T d^2)``; about 0.05 s on one core for the
    reference run (``B = 32, T = d = 128``).  The same seed gives the same
    numbers whatever the number of BLAS threads only up to floating-point
    rounding in the products.

    Examples
    --------
    >>> run = train_induction(n_tokens=12, seq_len=16, dim=16, batch=8, n_triggers=2,
    ...                       steps=5, seed=0)
    >>> int(run.probe_steps[-1]), len(run.steps)
    (5, 2)
    """
    if config is not None and not isinstance(config, InductionConfig):
        raise TypeError(f"config must be an InductionConfig or None, got {type(config).__name__}")
    config = dataclasses.replace(config or InductionConfig(), **overrides)
    if threads is not None:
        threads = check_int("threads", threads, 1)
    if threads is None:
        return _train(config, progress)

    with threadpool_limits(limits=threads, user_api="blas"):
        return _train(config, progress)


def _train(config: InductionConfig, progress: bool) -> InductionRun:
    root = as_seed_sequence(config.seed)
    task = config.task()
    model = init_model(
        config.n_tokens, config.seq_len, config.dim, final_layer=config.loss_on == "all",
        seed=child_seed(root, 1), dtype=np.dtype(config.dtype),
    )
    params = model.zero_params()
    velocity = {name: np.zeros_like(w) for name, w in params.items()}
    lr = {name: config.lr * scale for name, scale in config.lr_scales().items()}
    eval_set = make_eval_set(task, config.eval_sequences, child_seed(root, 2))
    ood_batch = None
    if task.held_out.size:
        ood_batch = task.sample(config.eval_sequences, child_seed(root, 3), held_out=True)
    log = _Log(config, _constants(eval_set, config.seq_len))
    tokens = {"outputs": task.output_tokens(), "triggers": task.trigger_tokens()}
    log.probe(memory_probes(model, params, **tokens))
    _record(log, 0, model, params, eval_set, ood_batch, math.nan)
    bar = progress_bar(config.steps, enabled=progress, desc="training", unit="step")
    try:
        for step in range(1, config.steps + 1):
            batch = task.sample(config.batch, as_generator(child_seed(root, 4, step)))
            weights = _loss_weights(batch, config.loss_on, model.dtype)
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                loss, grads, _, _ = loss_and_grads(model, params, batch.tokens, weights)
                _sgd_update(params, grads, velocity, lr, config)
            bad = _non_finite(loss, params)
            if bad:
                raise InductionDivergedError(
                    f"training diverged at step {step}: {bad} (lr = {config.lr:g}); "
                    f"{len(log.steps)} logged steps kept (up to step {log.steps[-1]}); "
                    "try a smaller lr",
                    step,
                    log.run(diverged_at=step),
                )
            log.probe(memory_probes(model, params, **tokens))
            if step % config.log_every == 0 or step == config.steps:
                _record(log, step, model, params, eval_set, ood_batch, loss)
            bar.update(1)
    finally:
        bar.close()
    return log.run()


def _constants(eval_set: EvalSet, seq_len: int) -> dict[str, float]:
    uniform = float(np.mean(1.0 / np.arange(2, seq_len + 1)))  # 1/(t+1) at t = 1..T-1
    return {
        "bigram_entropy": eval_set.bigram_entropy,
        "copy_baseline_accuracy": eval_set.copy_baseline,
        "frequency_baseline_accuracy": eval_set.frequency_baseline,
        "uniform_previous_token_attention": uniform,
    }


def _record(log, step, model, params, eval_set, ood_batch, loss) -> None:
    values = {"train_loss": loss, **evaluate(model, params, eval_set.batch)}
    if ood_batch is not None:
        ood = evaluate(model, params, ood_batch)
        values["ood_in_context_accuracy"] = ood["in_context_accuracy"]
    log.log(step, values)


def _sgd_update(params: dict, grads: dict, velocity: dict, lr: dict, config) -> None:
    """SGD with momentum and L2 weight decay (PyTorch's ``SGD`` convention), in place."""
    for name, w in params.items():
        g = grads[name]
        if config.weight_decay:
            g += config.weight_decay * w
        v = velocity[name]
        v *= config.momentum
        v += g
        w -= lr[name] * v


def _non_finite(loss: float, params: dict) -> str:
    """A description of what stopped being finite, or the empty string."""
    if not math.isfinite(loss):
        return f"the loss became {loss}"
    for name, w in params.items():
        if not np.isfinite(w).all():
            return f"{name} has non-finite entries"
    return ""
