"""Exact references computed by brute force, shared by several test modules."""

import itertools
import math


def slot_tail_probability(n_texts: int, m: int, k: int, a: float, beta: float) -> float:
    """Exact ``P[top_m(X) > beta sum X]`` for ``X_1..X_n`` i.i.d. ``Binomial(k, a)``.

    Enumerates how many texts hold each value ``0..k`` (a multinomial), so it is
    independent of the Chernoff and saddle-point code it checks; tiny inputs only.
    """
    p = [math.comb(k, j) * a**j * (1 - a) ** (k - j) for j in range(k + 1)]
    total = 0.0
    for counts in itertools.product(range(n_texts + 1), repeat=k):
        rest = n_texts - sum(counts)
        if rest < 0:
            continue
        c = (rest, *counts)  # texts holding 0, 1, ..., k slots
        values = [v for v in range(k, -1, -1) for _ in range(c[v])]  # descending
        if sum(values[:m]) > beta * sum(values):
            coef = math.factorial(n_texts) // math.prod(math.factorial(ci) for ci in c)
            total += coef * math.prod(p[v] ** c[v] for v in range(k + 1))
    return total
