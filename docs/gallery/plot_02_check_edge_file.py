"""
Check your own edge file
========================

``skillgraph check`` (and :func:`skillgraph.check`) holds the theory against
one graph: Theorem 1 in both forms, the finite-size certificate for the
graph's degrees, and the strongest failure sets the adversaries can find
(:doc:`/theory/certificates`, :doc:`/theory/failure_models`).  Here the
graph is a file of ``text_id,skill_id`` pairs, as you would export your own.
"""

# %%
# Write a small edge file.  Most text pieces draw 4 skills at random, but a
# "niche" of 150 text pieces uses only skills 0 to 5, and a few text pieces
# have 2 or 6 skills: the kind of structure a real corpus has and the random
# model does not.
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import skillgraph as sg

rng = np.random.default_rng(7)
n_skills, n_texts = 60, 3000
rows = []
for text in range(n_texts):
    if text < 150:
        skills = rng.integers(0, 6, size=4)  # the niche
    else:
        skills = rng.integers(0, n_skills, size=rng.choice([2, 4, 6], p=[0.1, 0.8, 0.1]))
    rows += [(text, int(s)) for s in skills]

folder = Path(tempfile.mkdtemp())
edge_file = folder / "my_graph.csv"
edge_file.write_text("text_id,skill_id\n" + "".join(f"{t},{s}\n" for t, s in rows))
print(edge_file.read_text().splitlines()[:4], "...", len(rows), "edges")

# %%
# Load it (errors name the file and the line) and check it at failure rate
# ``theta = 0.05`` and threshold ``beta = 0.3``.  The shell equivalent is
# ``skillgraph check --edges my_graph.csv --theta 0.05 --beta 0.3``.
graph = sg.load_edges(edge_file)
report = sg.check(graph, theta=0.05, beta=0.3, seed=0, source=edge_file.name)
print(report)

# %%
# The report lists which assumptions of the random-graph model this graph
# breaks, and compares the best adversary with the certificate.  A
# certificate is what the random-graph model would guarantee for these
# degrees; an adversary above it is the finding that the graph is far from
# that model.
names = list(report.adversaries)
alphas = [report.adversaries[name].alpha for name in names]
fig, ax = plt.subplots(figsize=(6.4, 3.2), layout="constrained")
ax.barh(names, alphas, color="C0", label="bad fraction reached (by count)")
ax.axvline(report.certificate.alpha, color="C3", ls="--", label="certificate")
ax.axvline(report.alpha_star_kl, color="k", ls=":", label="alpha_star (Theorem 1)")
verdict = "an adversary beats the certificate" if report.violated else "the certificate holds"
ax.set(xlabel="fraction of skills left bad", title=f"{edge_file.name}: {verdict}")
ax.legend(loc="lower right", fontsize="small")
