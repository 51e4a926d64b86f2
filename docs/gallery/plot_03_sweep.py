"""
Run a sweep and plot it
=======================

A sweep samples skill graphs over a grid of parameters, with replicates,
and writes one tidy table: one row per measured number, with every parameter
in the row.  Specs are TOML files (the format is in ``sims/README.md``; the
standard experiments are in ``sims/``).  This example writes a small spec,
runs it, and plots the table: the simulated bad fraction against the bound
of Theorem 1 and the finite-size certificate (:doc:`/theory/theorem1`,
:doc:`/theory/certificates`).
"""

# %%
# The spec: graphs of 200 skills and 20,000 text pieces, ``k`` in 2, 4, 8,
# random and deficit failures at four failure rates, three replicate graphs
# per point, and three measurements on each graph.
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import skillgraph as sg

spec_text = """
name = "gallery"
seed = 1
replicates = 3
measures = ["bad_fraction", "bound", "certificate"]

[grid]
n_skills = 200
n_texts = 20000
k = [2, 4, 8]
failure = ["random", "deficit"]
theta = [0.02, 0.05, 0.1, 0.2]
beta = 0.3
"""
folder = Path(tempfile.mkdtemp())
spec_path = folder / "gallery.toml"
spec_path.write_text(spec_text)

# %%
# Run it into a store directory.  The shell equivalent is
# ``skillgraph sweep gallery.toml --out runs/gallery``; add ``--resume``
# after a crash, or ``--dask-local 2`` to use a Dask cluster.  Each work item
# draws its randomness from a seed keyed by its index, so the table is the
# same for any executor and any number of workers.
summary = sg.run_sweep(spec_path, folder / "store", progress=False)
print(summary)

# %%
# The tidy table, one row per number.
table = sg.tables.read_table(summary.table)
columns = list(table[0])
print(len(table), "rows; columns:", ", ".join(columns))


def mean_over_replicates(quantity, **where):
    """Mean ``value`` per theta of the rows with this quantity and these parameters."""
    chosen = [
        row for row in table
        if row["quantity"] == quantity and all(row[key] == value for key, value in where.items())
    ]
    thetas = sorted({row["theta"] for row in chosen})
    means = [np.mean([row["value"] for row in chosen if row["theta"] == th]) for th in thetas]
    return np.array(thetas), np.array(means)


# %%
# Plot: for each ``k``, the bad fraction under deficit failures (markers),
# under random failures (which leave almost nothing bad), Theorem 1's
# ``alpha_star`` (solid) and the certified value on these graphs (dashed).
fig, axes = plt.subplots(1, 3, figsize=(10, 3.4), sharey=True, layout="constrained")
for ax, k in zip(axes, (2, 4, 8), strict=True):
    for failure, marker in (("deficit", "o"), ("random", "s")):
        th, bad = mean_over_replicates("bad_fraction", k=k, failure=failure)
        ax.plot(th, bad, marker, label=f"simulated, {failure}")
    th, bound = mean_over_replicates("alpha_star", k=k, failure="random", form="kl")
    ax.plot(th, bound, "k-", label="alpha_star")
    th, cert = mean_over_replicates("certified_alpha", k=k, failure="random")
    ax.plot(th, cert, "C3--", label="certified")
    ax.set(title=f"k = {k}", xlabel="failure rate theta", xscale="log")
    ax.set_xticks(th, labels=[f"{x:g}" for x in th], minor=False)
    ax.minorticks_off()
axes[0].set_ylabel("fraction of bad skills (beta = 0.3)")
axes[0].legend(fontsize="small")
