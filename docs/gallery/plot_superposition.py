"""
Tasks in superposition: a toy model
===================================

Xiong et al. (arXiv 2410.05603) prompt language models with in-context
examples of several tasks at once and find probability on every task's
answer.  This **toy model** asks which assumptions about the model's
*readout* turn skill-graph competences into that signature, and how it moves
with scale (:doc:`/theory/superposition`).  It does not reproduce
measurements of real language models.
"""

# %%
# Three tasks, each needing a pair of skills of one sampled skill graph.  A
# task's competence is the product of its skills' competences at failure
# rate ``theta``: high for a large model (small ``theta``), lower for a small
# one.
import numpy as np

from skillgraph.mechanisms import superposition as sp

tasks = sp.sample_task_set(3, 2, n_skills=500, n_texts=50_000, k=8, seed=0)
small = sp.task_competences(tasks, 0.3, seed=1)
large = sp.task_competences(tasks, 0.02, seed=1)
print(small)
print(large)

# %%
# Prompts of ``n = 60`` examples with proportions ``lambda = (0.5, 0.3, 0.2)``,
# read out three ways on the *same* prompts.  ``kl`` compares ``lambda``
# with the raw answer probabilities; ``tasks_in_parallel`` counts the task
# answers among the top 3 completions (distractor answers take the rest of
# the mass, with Zipf probabilities).
lam = (0.5, 0.3, 0.2)
for readout in sp.READOUTS:
    res = sp.superpose(large.competences, lam, 60, readout=readout, n_prompts=2000, seed=2)
    print(res)

# %%
# The sorted-mean curve tells real superposition from a model that does one
# task per prompt, picked at random with probability ``lambda``: both have
# per-task means near ``lambda_j c_j``, but only the mixture keeps several
# answers probable *within* a prompt.
mixture = sp.superpose(large.competences, lam, 60, readout="mixture", n_prompts=2000, seed=2)
rng = np.random.default_rng(3)
picked = np.eye(3)[rng.choice(3, size=2000, p=lam)] * large.competences
print("per-task mean, mixture:   ", np.round(mixture.answer_probs.mean(axis=0), 3))
print("per-task mean, one task:  ", np.round(picked.mean(axis=0), 3))
print("sorted_mean_prob, mixture:", np.round(sp.sorted_mean(mixture.answer_probs), 3))
print("sorted_mean_prob, one task:", np.round(sp.sorted_mean(picked), 3))

# %%
# Against scale: compute-optimal models under the Chinchilla law, ``theta``
# from the anchored map (as in ``skillgraph emerge``).  A small run; the
# command ``skillgraph superpose`` runs the full one in seconds.
config = sp.SuperposeConfig(
    lam=lam, n_scales=6, replicates=2, n_prompts=500, n_skills=500, n_texts=50_000
)
result = sp.run(config)
print(result.headline)
figures = result.figures()
scale_fig = figures["superposition_scale"]

# %%
# The sorted answer probabilities at the smallest, a middle and the largest scale.
sorted_fig = figures["sorted_probs"]
