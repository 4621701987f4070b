"""Tiny facility-location problems and their brute-force optimum, shared by the tests of
``models/colgen/knapsack_closing.py`` and ``models/classic/facility.py``.

Each problem has 3 facilities and 8 customers with random integer costs (5–39), fixed costs
(20–79), demands 1–6 and every capacity at 55 % of the total demand, so at least two facilities
must open and capacity binds; all 3⁸ assignments are scored for the optimum.
"""

import itertools

import numpy as np


def facility_data(seed: int):
    rng = np.random.default_rng(seed)
    m, n = 3, 8
    demand = rng.integers(1, 7, n)
    capacity = np.full(m, int(demand.sum() * 0.55))
    return rng.integers(20, 80, m), capacity, demand, rng.integers(5, 40, (m, n))


def brute_force_optimum(fixed, capacity, demand, cost) -> float:
    best = np.inf
    m, n = cost.shape
    for assign in itertools.product(range(m), repeat=n):
        a = np.array(assign)
        load = np.bincount(a, weights=demand, minlength=m)
        if np.any(load > capacity):
            continue
        value = fixed[np.unique(a)].sum() + cost[a, np.arange(n)].sum()
        best = min(best, value)
    return float(best)
