"""Training step of the induction-head testbed: hand-written numpy against PyTorch autograd.

Usage::

    python benchmarks/bench_induction.py [--repeats R] [--threads N] [--no-train]
                                         [--out FILE.json]

The work: one SGD step (forward, backward, momentum update) of the two-layer
model of :mod:`skillgraph.mechanisms.induction.model` at ``B = 32``,
``T = 128``, ``d = 128``, ``N = 65`` (the reference run), on the same batch,
the same frozen matrices and the same number of threads (BLAS through
threadpoolctl for numpy, ``torch.set_num_threads`` for torch).  Contenders:

* ``numpy``: :func:`skillgraph.mechanisms.induction.model.loss_and_grads` plus
  the update, float32;
* ``torch``: the model written plainly in PyTorch (``W_Q = I``, masked softmax,
  residual stream, final linear layer), gradients by autograd, ``torch.optim.SGD``
  with the same momentum and weight decay, float32.  Skipped with a message
  when torch is not installed (it is not a dependency of skillgraph).

Before timing, the two losses and gradients are compared on the same
parameters (they must agree to float32 rounding: the same model).  Each
contender is warmed up, then timed ``--repeats`` times round-robin (load from
other jobs falls on both alike); the best wall time counts, the median is
printed beside it.  Unless ``--no-train``, the full reference run
(:func:`skillgraph.mechanisms.induction.train_induction`, data generation
and evaluation included) is timed too, giving steps per second and the time to
the transition (first logged in-context accuracy >= 0.5); torch's time to the
transition is estimated as transition step times its step time.

Numbers are only comparable within one run: the machine may be shared.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from skillgraph.mechanisms.induction import InductionConfig, train_induction  # noqa: E402
from skillgraph.mechanisms.induction.model import init_model, loss_and_grads  # noqa: E402

B, T, D, N = 32, 128, 128, 65
LR, MOMENTUM, WEIGHT_DECAY = 0.2, 0.9, 1e-4


def _setup(seed: int = 0):
    config = InductionConfig(seed=seed)
    model = init_model(N, T, D, seed=seed)
    rng = np.random.default_rng(seed)
    params = {k: (0.05 * rng.standard_normal((D, D))).astype(np.float32) for k in model.trainable}
    batch = config.task().sample(B, seed=seed)
    weights = np.full((B, T - 1), 1.0 / (B * (T - 1)), dtype=np.float32)
    return model, params, batch.tokens, weights


def numpy_step(model, params, tokens, weights):
    """One step of the library's numpy model; returns a closure for timing."""
    params = {k: v.copy() for k, v in params.items()}
    velocity = {k: np.zeros_like(v) for k, v in params.items()}

    def step():
        loss, grads, _, _ = loss_and_grads(model, params, tokens, weights)
        for name, w in params.items():
            g = grads[name]
            g += WEIGHT_DECAY * w
            velocity[name] *= MOMENTUM
            velocity[name] += g
            w -= LR * velocity[name]
        return loss

    return step


def torch_step(model, params, tokens):
    """The same model written plainly in PyTorch with autograd, and an SGD step."""
    import torch

    frozen = {
        "E": model.embeddings, "P": model.positions, "OV1": model.ov1, "V2": model.v2,
        "U": model.unembedding,
    }
    f = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in frozen.items()}
    w = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    tok = torch.from_numpy(tokens)
    future = ~torch.ones(T, T, dtype=torch.bool).tril()
    scale = 1.0 / math.sqrt(D)
    optimizer = torch.optim.SGD(list(w.values()), lr=LR, momentum=MOMENTUM,
                                weight_decay=WEIGHT_DECAY)

    def attention(h, w_k):
        scores = (h @ w_k) @ h.transpose(1, 2) * scale
        return scores.masked_fill(future, float("-inf")).softmax(-1) @ h

    def loss_fn():
        x = f["E"][tok] + f["P"]
        h1 = x + attention(x, w["W_K1"]) @ f["OV1"].T
        h2 = h1 + attention(h1, w["W_K2"]) @ f["V2"].T @ w["W_O2"].T
        logits = (h2 + h2 @ w["W_F"].T) @ f["U"].T
        return torch.nn.functional.cross_entropy(
            logits[:, :-1].reshape(-1, N), tok[:, 1:].reshape(-1)
        )

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn()
        loss.backward()
        optimizer.step()
        return float(loss.detach())

    def gradients():
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn()
        loss.backward()
        return float(loss.detach()), {k: v.grad.numpy().copy() for k, v in w.items()}

    return step, gradients


def _same_model(model, params, tokens, weights, torch_gradients) -> float:
    """Largest relative difference of loss and gradients between numpy and torch."""
    loss, grads, _, _ = loss_and_grads(model, params, tokens, weights)
    t_loss, t_grads = torch_gradients()
    worst = abs(loss - t_loss) / abs(t_loss)
    for name, g in grads.items():
        worst = max(worst, float(np.abs(g - t_grads[name]).max() / np.abs(t_grads[name]).max()))
    return worst


def _time_round_robin(contenders: dict, repeats: int) -> dict:
    for fn in contenders.values():
        fn()
        fn()
    times = {name: [] for name in contenders}
    for _ in range(repeats):
        for name, fn in contenders.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: {"best": min(t), "median": statistics.median(t)} for name, t in times.items()}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20, help="timed steps per contender")
    parser.add_argument("--threads", type=int, default=1, help="BLAS / torch threads")
    parser.add_argument("--no-train", action="store_true", help="skip the full reference run")
    parser.add_argument("--out", help="also write the results as JSON")
    args = parser.parse_args(argv)

    model, params, tokens, weights = _setup()
    contenders = {"numpy": numpy_step(model, params, tokens, weights)}
    result = {"B": B, "T": T, "d": D, "N": N, "threads": args.threads,
              "machine": platform.processor() or platform.machine(), "python": sys.version}
    try:
        import torch
    except ImportError:
        torch = None
        print("torch is not installed: skipping the PyTorch comparison (pip install torch)")
    with threadpool_limits(limits=args.threads, user_api="blas"):
        if torch is not None:
            torch.set_num_threads(args.threads)
            step, gradients = torch_step(model, params, tokens)
            result["torch_version"] = torch.__version__
            result["max_relative_difference"] = _same_model(model, params, tokens, weights,
                                                            gradients)
            print(f"numpy vs torch, loss and gradients: max relative difference "
                  f"{result['max_relative_difference']:.1e} (float32)")
            contenders["torch"] = step
        timings = _time_round_robin(contenders, args.repeats)
    result["step_seconds"] = timings
    print(f"training step at B={B}, T={T}, d={D}, {args.threads} thread(s), "
          f"best (median) of {args.repeats}:")
    for name, t in timings.items():
        print(f"  {name:6s} {t['best'] * 1e3:7.1f} ms ({t['median'] * 1e3:.1f} ms)  "
              f"{1 / t['best']:6.1f} steps/s")
    if "torch" in timings:
        ratio = timings["torch"]["best"] / timings["numpy"]["best"]
        result["torch_over_numpy"] = ratio
        verdict = "MET" if ratio >= 1 else "MISS"
        print(f"  torch / numpy = {ratio:.2f}  (goal: numpy no slower than torch: {verdict})")
    if not args.no_train:
        summary = train_induction(threads=args.threads).summary()
        keys = ("steps", "seconds", "seconds_per_step", "transition_step", "seconds_to_transition")
        result["reference_run"] = {k: summary[k] for k in keys}
        print(f"reference run ({summary['steps']} steps, data and evaluation included): "
              f"{summary['seconds']:.1f} s, {1 / summary['seconds_per_step']:.1f} steps/s; "
              f"transition at step {summary['transition_step']} after "
              f"{_fmt_seconds(summary['seconds_to_transition'])}")
        if "torch" in timings and summary["transition_step"] is not None:
            estimate = summary["transition_step"] * timings["torch"]["best"]
            result["torch_seconds_to_transition_estimate"] = estimate
            print(f"  torch, model steps only (transition step x step time): {estimate:.1f} s")
    if args.out:
        with open(args.out, "w") as f:
            json.dump(result, f, indent=2)
    return 0


def _fmt_seconds(x) -> str:
    return "never" if x is None else f"{x:.1f} s"


if __name__ == "__main__":
    sys.exit(main())
