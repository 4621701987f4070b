"""The Lagrangian bound, the pair fixing and the pair master against brute force.

Fixture: facility-location problems of 3 facilities and 8 customers with random integer costs,
demands 1–6 and tight capacities; every one of the 3⁸ assignments is scored to get the optimum.
"""

import numpy as np
import pytest

from sharedprop.models.colgen import knapsack_closing as knapsack_master
from sharedprop.models.colgen.reduced_cost import PricingCache
from sharedprop.models.core.problem import problem_from_facility_location
from tests.models.facility_cases import brute_force_optimum, facility_data


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_lagrangian_value_never_exceeds_the_optimum(seed: int) -> None:
    data = facility_data(seed)
    p = problem_from_facility_location(*data)
    opt = brute_force_optimum(*data)
    cache = PricingCache(p)
    rng = np.random.default_rng(seed)
    for _ in range(20):
        assert knapsack_master.lagrangian(p, cache, rng.uniform(0, 80, p.n)).value <= opt + 1e-9
    best = knapsack_master.ascend(p, cache, [np.zeros(p.n)], opt + 1, seconds=5.0)
    assert best.value <= opt + 1e-9


def test_closing_from_a_poor_incumbent_finds_and_proves_the_optimum() -> None:
    data = facility_data(2)
    p = problem_from_facility_location(*data)
    closing = knapsack_master.close_gap(
        p, [np.zeros(p.n)], [], 10_000.0, time_limit=10, workers=1, seed=0
    )
    assert closing.proven and closing.columns
    assert sum(c.objective for c in closing.columns) == pytest.approx(brute_force_optimum(*data))
    assert closing.bound == pytest.approx(brute_force_optimum(*data))


def test_pair_fixing_keeps_every_pair_of_the_optimal_plan() -> None:
    data = facility_data(3)
    p = problem_from_facility_location(*data)
    opt = brute_force_optimum(*data)
    closing = knapsack_master.close_gap(
        p, [np.zeros(p.n)], [], opt + 0.5, time_limit=10, workers=1, seed=0
    )
    assert closing.stats["pairs_left_1"] < closing.stats["pairs"]
    assert closing.proven
    assert closing.columns and sum(c.objective for c in closing.columns) == pytest.approx(opt)


def test_the_facility_shape_is_recognised_and_a_street_shape_is_not() -> None:
    p = problem_from_facility_location(*facility_data(1))
    assert knapsack_master.applies(p)
    from dataclasses import replace

    assert not knapsack_master.applies(replace(p, firm_max_packages=np.full(p.m, 2)))
