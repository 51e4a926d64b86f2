"""
Associative memories: where the failure rate comes from
========================================================

A skill is an association ``x -> f(x)`` stored in a ``d x d`` matrix, and it is
learned when the memory recalls it.  Inputs follow a Zipf law with exponent
``a = 2``; storing the ``P = d / 8`` most frequent inputs makes the
frequency-weighted error fall as ``d ** -(a - 1)``, while storing every input
with weight ``q = p`` only reaches ``d ** -0.25``.  The same memory then
fails the text pieces of a skill graph that use an unrecalled skill, so its
size ``d`` sets ``theta`` directly.
"""

import matplotlib.pyplot as plt
import numpy as np

from skillgraph.mechanisms.memory import capacity_term, memory_error, memory_theta

d = np.unique(np.round(np.geomspace(16, 1024, 9)).astype(int))
curves = {
    scheme: memory_error(d, scheme=scheme, trials=8, seed=0)
    for scheme in ("threshold", "frequency", "all")
}

fig, ax = plt.subplots(figsize=(5, 3.6), layout="constrained")
labels = {"threshold": "threshold, P = d/8", "frequency": "q = p", "all": "q = 1"}
for scheme, curve in curves.items():
    fit = curve.fit_slope((32, 512))
    low = np.maximum(curve.ci_low, curve.error / 10)  # keep the bars on the log axis
    yerr = [curve.error - low, curve.ci_high - curve.error]
    ax.errorbar(d, curve.error, yerr=yerr, marker="o", capsize=2,
                label=f"{labels[scheme]} (fitted slope {fit.slope:.2f})")  # fmt: skip
ax.plot(d, capacity_term(d), "k:", label="capacity term (1 - 1/M) p(x >= P)")
ax.set_xscale("log")
ax.set_yscale("log")
ax.set_xlabel("memory size d")
ax.set_ylabel("error E (frequency weighted)")
ax.set_title("Associative memory: N = 1000, M = 5, a = 2", fontsize=10)
ax.legend(fontsize=8)

# %%
# Into the skill graph: with ``k = 8`` skills per text piece drawn from the
# same Zipf law, a text fails when one of its skills is unrecalled, so
# ``theta = 1 - (1 - E) ** 8``.
for size, error in zip(d, curves["threshold"].error, strict=True):
    print(f"d = {size:5d}: E = {error:.4f}, theta = {memory_theta(error, k=8):.3f}")
