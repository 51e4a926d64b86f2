"""
Sample a skill graph and read competence
========================================

Sample the paper's random text--skill graph, let a model fail a fraction
``theta`` of the text pieces, and read the competence of every skill: how
many skills are bad at threshold ``beta``, and how the measured performance
curve compares with the curve that Theorem 1 guarantees for *every* failure
set (:doc:`/theory/graph`, :doc:`/theory/theorem1`).
"""

# %%
# A graph: 500 skills, 50,000 text pieces, each using ``k = 8`` skills drawn
# i.i.d. from the uniform skill measure.  The same seed gives the same graph,
# whatever the number of threads.
import matplotlib.pyplot as plt
import numpy as np

import skillgraph as sg

n_skills, n_texts, k = 500, 50_000, 8
graph = sg.sample_graph(n_skills, n_texts, k, seed=0)
print(graph)
print("mean degree", graph.degrees.mean(), "= k n_texts / n_skills =", k * n_texts / n_skills)

# %%
# Two failure sets of the same rate ``theta = 0.1``: text pieces failed at
# random, and the *deficit* model, in which the model has not learned a few
# skills and fails every text piece that uses one of them
# (:doc:`/theory/failure_models`).
theta, beta = 0.1, 0.5
random_failed = sg.random_failures(graph, theta, seed=1)
deficit_failed = sg.deficit_failures(graph, theta, seed=1)
print("failed text pieces:", random_failed.sum(), deficit_failed.sum())

# %%
# Competence of each skill is its success rate on the text pieces that use
# it.  A skill is bad when its competence is below ``1 - beta``; the bad
# fraction comes with its counts and a confidence interval.
for name, failed in [("random", random_failed), ("deficit", deficit_failed)]:
    estimate = sg.bad_fraction(graph, failed, beta)
    print(f"{name:8s}", estimate)

print("Theorem 1 allows at most", round(sg.alpha_star(theta, beta, k), 4),
      "of the skills to be bad; counting alone allows", sg.averaging_bound(theta, beta))

# %%
# The performance curve ``beta -> 1 - bad fraction`` of each failure set,
# against the guaranteed curve ``1 - alpha_star(theta, beta, k)``: both
# simulated curves stay above it, the random one far above.
betas = np.linspace(0.02, 0.98, 97)
fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.6), layout="constrained")
bins = np.linspace(0, 1, 41)
for name, failed, colour in [("random", random_failed, "C0"), ("deficit", deficit_failed, "C3")]:
    competence = sg.competence(graph, failed)
    left.hist(competence, bins=bins, alpha=0.6, color=colour, label=name)
    curve = sg.performance_curve(graph, failed, betas)
    right.plot(1 - betas, curve.competent, color=colour, label=f"simulated, {name}")
right.plot(1 - betas, 1 - sg.alpha_star(theta, betas, k), "k--", label="guaranteed (Theorem 1)")
left.set(xlabel="competence of a skill", ylabel="number of skills", yscale="log",
         title=f"theta = {theta}, k = {k}")
left.legend()
right.set(xlabel="competence level 1 - beta", ylabel="fraction of skills at least that competent",
          title="performance curves")
right.legend(loc="lower left")
