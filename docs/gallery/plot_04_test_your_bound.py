"""
Test your own bound with hypothesis
===================================

:mod:`skillgraph.testing` exports the hypothesis strategies that skillgraph's
own tests use: arbitrary small skill graphs (not only typical samples of the
random model), failure sets of a given rate, and valid parameters of the
bound functions.  Put them in your test suite and hypothesis searches for the
graph on which your bound fails, then shrinks it to a minimal example.
"""

# %%
# A bound that is true on every graph: counting edges, the *degree-weighted*
# share of bad skills is below ``theta / beta`` (:ref:`theory-averaging`).
# Calling a ``@given`` test runs it on many examples; here we also record each
# example to plot it afterwards.
import matplotlib.pyplot as plt
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from skillgraph import alpha_star, competence
from skillgraph.testing import bound_params, failure_masks, skill_graphs

BETA = 0.5
seen = []


@settings(max_examples=40, derandomize=True, database=None, deadline=None)
@given(data=st.data(), graph=skill_graphs(max_skills=6, max_texts=24, k=3))
def test_averaging_bound_holds_on_every_graph(data, graph):
    failed = data.draw(failure_masks(graph, theta=0.25))
    bad = 1 - competence(graph, failed) > BETA  # NaN (no edges) is never bad
    share = graph.degrees[bad].sum() / graph.degrees.sum()
    seen.append((failed.mean() / BETA, share, bad.mean()))
    assert share <= failed.mean() / BETA


test_averaging_bound_holds_on_every_graph()
print(f"the averaging bound held on all {len(seen)} graphs hypothesis tried")

# %%
# A plausible but wrong bound.  On a random graph each skill's failed share
# concentrates around ``theta``, so one might conjecture that no skill fails
# on more than twice that share of its text pieces.  The theorems say nothing
# of the kind: they bound the *fraction* of bad skills, and a failure set can
# always be aimed at a few skills.  Hypothesis finds a counterexample and
# shrinks it to a minimal graph.


@settings(max_examples=40, derandomize=True, database=None, deadline=None)
@given(data=st.data(), graph=skill_graphs(max_skills=6, max_texts=24, k=3))
def test_no_skill_fails_more_than_twice_theta(data, graph):
    failed = data.draw(failure_masks(graph, theta=0.25))
    fail = 1 - competence(graph, failed)  # NaN (no edges) compares False
    assert not np.any(fail > 2 * 0.25)


try:
    test_no_skill_fails_more_than_twice_theta()
except AssertionError as error:
    print("hypothesis found a counterexample:")
    print("\n".join(getattr(error, "__notes__", [])))

# %%
# ``bound_params()`` draws valid ``(theta, beta, k)`` for the bound functions.
# A property of Theorem 1 (:doc:`/theory/theorem1`): ``alpha_star`` never
# exceeds the averaging bound, and it decreases as ``k`` grows.


@settings(max_examples=200, derandomize=True, database=None, deadline=None)
@given(params=bound_params())
def test_alpha_star_below_averaging_and_decreasing_in_k(params):
    theta, beta, k = params["theta"], params["beta"], params["k"]
    a = alpha_star(theta, beta, k)
    assert a <= min(theta / beta, 1.0)
    assert alpha_star(theta, beta, k + 1) <= a


test_alpha_star_below_averaging_and_decreasing_in_k()
print("alpha_star properties held")

# %%
# What hypothesis tried for the first test: every degree-weighted share
# (blue) lies below the diagonal; the plain fraction of bad skills (grey) is
# not what the averaging bound controls.
allowed, share, count = np.array(seen).T
fig, ax = plt.subplots(figsize=(4.6, 4.2), layout="constrained")
ax.scatter(allowed, count, s=10, color="0.6", label="fraction of bad skills (by count)")
ax.scatter(allowed, share, s=10, color="C0", label="degree-weighted share of bad skills")
top = max(allowed.max(), count.max()) * 1.05
ax.plot([0, top], [0, top], "k--", lw=1, label="theta / beta")
ax.set(xlabel="theta / beta of the failure set", ylabel="bad, at beta = 0.5",
       title="the averaging bound on hypothesis's graphs")
ax.legend(fontsize="small", loc="upper left")
