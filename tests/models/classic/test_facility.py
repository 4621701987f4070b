"""Facility location through the joint model: proven optima that match brute force, and
repeatable runs with one worker.

Fixtures: problems of 3 facilities and 8 customers with random integer costs, demands 1–6 and
capacities at 55 % of the total demand (every one of the 3⁸ assignments is scored for the
optimum), and one of 6 facilities and 40 customers for the repeatability check, large enough
that column generation does not finish the job and the gap-closing step runs.
"""

import numpy as np
import pytest

from sharedprop.models.classic.facility import solve_facility_location
from tests.models.facility_cases import brute_force_optimum, facility_data


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_facility_location_is_solved_to_the_brute_force_optimum_and_proven(seed: int) -> None:
    data = facility_data(seed)
    res = solve_facility_location(*data, time_limit=10, workers=1, seed=0)
    opt = brute_force_optimum(*data)
    assert res.status == "optimal"
    assert res.objective == pytest.approx(opt)
    assert res.bound == pytest.approx(opt)


def test_one_worker_and_a_seed_repeat_the_same_plan_and_bound() -> None:
    rng = np.random.default_rng(11)
    m, n = 6, 40
    demand = rng.integers(5, 35, n)
    data = (
        rng.integers(300, 900, m),
        np.full(m, int(demand.sum() * 0.3)),
        demand,
        rng.integers(10, 90, (m, n)),
    )
    runs = [solve_facility_location(*data, time_limit=4, workers=1, seed=3) for _ in range(2)]
    assert [c.key for c in runs[0].columns] == [c.key for c in runs[1].columns]
    assert runs[0].bound == runs[1].bound
    assert runs[0].bound is not None and runs[0].bound <= runs[0].objective + 1e-9
