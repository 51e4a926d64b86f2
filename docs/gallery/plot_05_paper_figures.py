"""
The paper's figures
===================

``python -m paper_figs --out figures`` (run from the repository root)
rebuilds every figure of the paper; each script in ``paper_figs/`` states
the claim its figure illustrates.  This page runs them with ``small=True``
(reduced settings: seconds per figure) and shows the result; the full
settings give smoother curves and larger graphs.
"""

# %%
# A helper that runs one figure script into a temporary folder and shows
# the PNG it wrote, at its own resolution.
import importlib
import tempfile
from pathlib import Path

import matplotlib.image as mpimg
import matplotlib.pyplot as plt

import paper_figs

out = Path(tempfile.mkdtemp())
print("figure scripts:", ", ".join(paper_figs.figure_modules()))
shown = set()


def show(name):
    """Run ``paper_figs.<name>.main(out, small=True)`` and display its PNG figures."""
    module = importlib.import_module(f"paper_figs.{name}")
    shown.add(name)
    print(module.__doc__.strip().split("\n\n")[0])
    for path in module.main(out, small=True):
        if path.suffix == ".png":
            image = mpimg.imread(path)
            height, width = image.shape[:2]
            fig = plt.figure(figsize=(width / 100, height / 100), dpi=100)
            fig.add_axes((0, 0, 1, 1)).imshow(image)
            fig.axes[0].set_axis_off()


# %%
# Performance curves
# ------------------
# Theorem 1 in both forms: the fraction of skills on which every model of
# failure rate ``theta`` is guaranteed to be ``(1 - beta)``-competent
# (:ref:`theory-performance-curve-bound`).
show("performance_curves")

# %%
# The slingshot
# -------------
# ``alpha_star / (theta / beta)`` falls as ``k`` grows (:ref:`theory-slingshot`).
show("slingshot")

# %%
# Emergence of tuples
# -------------------
# Corollary 2 along compute-optimal Chinchilla models: the guaranteed
# fraction of competent ``t``-tuples against compute (:doc:`/theory/tuples`).
show("tuple_emergence")

# %%
# The bound against simulations
# -----------------------------
# Simulated bad fractions under several failure models stay below
# ``alpha_star`` (:doc:`/theory/theorem1`, :doc:`/theory/failure_models`).
show("bound_vs_empirical")

# %%
# Tightness
# ---------
# Adversaries (lower bounds on the worst case) against the certificate
# (an upper bound) on sampled graphs (:doc:`/theory/certificates`).
show("tightness")

# %%
# Any other figure scripts
# ------------------------
# Figure scripts added to ``paper_figs/`` since this page was written.
for name in paper_figs.figure_modules():
    if name not in shown:
        show(name)
