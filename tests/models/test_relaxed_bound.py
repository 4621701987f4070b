"""The bound without contiguity: an exact knapsack, and a bound no plan can beat.

Fixtures: random small knapsacks checked against every subset; random tiny instances
(``tests/models/tiny_instances.py``) checked against exhaustive search
(``tests/models/brute_force.py``, which knows nothing of the models); the shipped
xiamen-pilot instance (proven optimum 563,820 yuan, docs/formulation.md).
"""

from itertools import combinations
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings

from sharedprop import Instance, load_instance
from sharedprop.models.bounds import capacity_bound
from sharedprop.models.problem import problem_from_instance
from sharedprop.models.relaxed_bound import knapsack_exact, relaxed_lp_bound
from tests.models.brute_force import brute_force
from tests.models.tiny_instances import instances

PILOT = Path(__file__).resolve().parents[2] / "instances" / "xiamen-pilot"
PILOT_OPTIMUM = 563_820.0


@pytest.mark.parametrize("seed", range(5))
def test_the_knapsack_finds_the_best_subset_within_the_households(seed: int) -> None:
    rng = np.random.default_rng(seed)
    vals = rng.normal(-5.0, 8.0, 9)
    w = rng.integers(10, 120, 9)
    cap = int(rng.integers(100, 400))
    value, chosen = knapsack_exact(vals, w, cap)
    best = min(
        (
            float(vals[list(s)].sum())
            for r in range(10)
            for s in combinations(range(9), r)
            if w[list(s)].sum() <= cap
        ),
        default=0.0,
    )
    assert value == pytest.approx(best)
    assert float(vals[chosen].sum()) == pytest.approx(best)
    assert int(w[chosen].sum()) <= cap


def test_on_the_pilot_the_bound_converges_between_the_capacity_bound_and_the_optimum() -> None:
    problem, _ = problem_from_instance(load_instance(PILOT))
    bound, stats = relaxed_lp_bound(problem, time_limit=20)
    assert stats["converged"]
    assert bound is not None
    assert capacity_bound(problem) <= bound <= PILOT_OPTIMUM


@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow],
)
@given(instances())
def test_no_plan_of_a_tiny_instance_beats_the_bound(instance: Instance) -> None:
    best = brute_force(instance).objective
    problem, _ = problem_from_instance(instance)
    bound, _ = relaxed_lp_bound(problem, time_limit=5)
    if best is not None and bound is not None:
        assert bound <= best + 0.01
