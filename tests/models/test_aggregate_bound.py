"""The aggregate bound: valid without any pricing, and exact where the relaxation is exact.

Fixtures: the shipped xiamen-pilot instance (proven optimum 563,820 yuan, docs/formulation.md)
and a two-community example small enough to price by hand (numbers in its docstring).
"""

from pathlib import Path

import numpy as np
import pytest

from sharedprop import load_instance
from sharedprop.models.aggregate_bound import aggregate_bound
from sharedprop.models.problem import PackageOption, Problem, problem_from_instance

PILOT = Path(__file__).resolve().parents[2] / "instances" / "xiamen-pilot"
PILOT_OPTIMUM = 563_820.0


def one_firm_two_communities(fallback: float) -> Problem:
    """Two communities of 100 households with 20,000 yuan of fees each; one firm (margin 0,
    fixed cost 30,000, 150 yuan per household, no travel) that may run one package of at most
    200 households from either hub. Covering both costs 30,000 + 30,000 − 40,000 = 20,000;
    leaving both out costs 2 × 100 × ``fallback``."""
    both = np.array([0, 1], dtype=np.int64)
    opts = tuple(
        PackageOption(
            firm=0,
            hub=h,
            fixed=30_000.0,
            candidates=both,
            member_cost=np.full(2, 15_000.0),
            margin=0.0,
        )
        for h in (0, 1)
    )
    return Problem(
        weight=np.array([100, 100]),
        revenue=np.array([20_000.0, 20_000.0]),
        uncovered_cost=np.full(2, 100 * fallback),
        must_cover=np.zeros(2, dtype=bool),
        firm_capacity=np.array([200]),
        firm_max_packages=np.array([1]),
        options=opts,
        package_max_weight=200,
    )


def test_the_bound_is_the_plan_value_when_one_full_package_is_the_best_plan() -> None:
    assert aggregate_bound(one_firm_two_communities(fallback=400.0)) == pytest.approx(20_000.0)


def test_the_bound_takes_the_fallback_money_when_it_is_cheaper_than_any_package() -> None:
    assert aggregate_bound(one_firm_two_communities(fallback=50.0)) == pytest.approx(10_000.0)


def test_the_bound_on_the_pilot_is_positive_and_below_its_proven_optimum() -> None:
    problem, _ = problem_from_instance(load_instance(PILOT))
    bound = aggregate_bound(problem)
    assert bound is not None
    assert 0 < bound <= PILOT_OPTIMUM
