"""The Lagrangian bound, the pair fixing and the pair master against brute force.

Fixture: facility-location problems of 3 facilities and 8 customers with random integer costs,
demands 1–6 and tight capacities; every one of the 3⁸ assignments is scored to get the optimum.
"""

import itertools

import numpy as np
import pytest

from sharedprop.models import knapsack_master
from sharedprop.models.facility import solve_facility_location
from sharedprop.models.pricing import PricingCache
from sharedprop.models.problem import problem_from_facility_location


def _data(seed: int):
    rng = np.random.default_rng(seed)
    m, n = 3, 8
    demand = rng.integers(1, 7, n)
    capacity = np.full(m, int(demand.sum() * 0.55))
    return rng.integers(20, 80, m), capacity, demand, rng.integers(5, 40, (m, n))


def _optimum(fixed, capacity, demand, cost) -> float:
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


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_lagrangian_value_never_exceeds_the_optimum(seed: int) -> None:
    data = _data(seed)
    p = problem_from_facility_location(*data)
    opt = _optimum(*data)
    cache = PricingCache(p)
    rng = np.random.default_rng(seed)
    for _ in range(20):
        assert knapsack_master.lagrangian(p, cache, rng.uniform(0, 80, p.n)).value <= opt + 1e-9
    best = knapsack_master.ascend(p, cache, [np.zeros(p.n)], opt + 1, seconds=5.0)
    assert best.value <= opt + 1e-9


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_facility_location_is_solved_to_the_brute_force_optimum_and_proven(seed: int) -> None:
    data = _data(seed)
    res = solve_facility_location(*data, time_limit=10, workers=1, seed=0)
    opt = _optimum(*data)
    assert res.status == "optimal"
    assert res.objective == pytest.approx(opt)
    assert res.bound == pytest.approx(opt)


def test_closing_from_a_poor_incumbent_finds_and_proves_the_optimum() -> None:
    data = _data(2)
    p = problem_from_facility_location(*data)
    closing = knapsack_master.close_gap(
        p, [np.zeros(p.n)], [], 10_000.0, time_limit=10, workers=1, seed=0
    )
    assert closing.proven and closing.columns
    assert sum(c.objective for c in closing.columns) == pytest.approx(_optimum(*data))
    assert closing.bound == pytest.approx(_optimum(*data))


def test_pair_fixing_keeps_every_pair_of_the_optimal_plan() -> None:
    data = _data(3)
    p = problem_from_facility_location(*data)
    opt = _optimum(*data)
    closing = knapsack_master.close_gap(
        p, [np.zeros(p.n)], [], opt + 0.5, time_limit=10, workers=1, seed=0
    )
    assert closing.stats["pairs_left_1"] < closing.stats["pairs"]
    assert closing.proven
    assert closing.columns and sum(c.objective for c in closing.columns) == pytest.approx(opt)


def test_the_facility_shape_is_recognised_and_a_street_shape_is_not() -> None:
    p = problem_from_facility_location(*_data(1))
    assert knapsack_master.applies(p)
    from dataclasses import replace

    assert not knapsack_master.applies(replace(p, firm_max_packages=np.full(p.m, 2)))
