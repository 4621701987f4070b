"""The branch-and-price tree must find the optimum and prove it, and its global bound must
never pass the optimum, not even when the pricing at its nodes is cut short.

References: exhaustive search on tiny instances (tests/models/brute_force.py, which knows
nothing of the models) and, on a generated street, the joint model run to its own proof. Every
plan the tree's host keeps is scored again by ``sharedprop.evaluate``.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st

from sharedprop import Instance, evaluate, load_instance
from sharedprop.generate import generate_instance
from sharedprop.models.colgen.joint import is_valid_column, respects_master_rules, solve_joint
from sharedprop.models.colgen.tree.branch_and_price import (
    BranchAndPrice,
    TreeSettings,
    TreeStatistics,
)
from sharedprop.models.colgen.tree.node_pricing import PricingSettings
from sharedprop.models.core.clock import Clock
from sharedprop.models.core.columns import Column, ColumnPool, plan_objective
from sharedprop.models.core.problem import Problem, problem_from_instance
from sharedprop.solver import columns_to_plan
from tests.models.brute_force import brute_force
from tests.models.tiny_instances import instances, with_candidates

MONEY = 0.01  # yuan: the tree's optimum is the optimum
YUAN = 0.5  # the model's objective agrees with the evaluator to the yuan

PROPERTY = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow],
)
# Pricing cut short at every node: a handful of search nodes, CP-SAT for a moment.
STARVED = PricingSettings(heuristic_nodes=1, exact_nodes=2, cpsat_seconds=0.01, keep=1)


class Host:
    """The tree's host as the joint search would be, reduced to what the tree asks of it:
    the best plan it was offered, and every bound the tree reported."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.best: list[Column] | None = None
        self.objective = np.inf
        self.bounds: list[float] = []

    def incumbent(self) -> float:
        return self.objective

    def offer_plan(self, columns: list[Column], source: str) -> bool:
        p = self.problem
        if not all(is_valid_column(p, c) for c in columns):
            return False
        if not respects_master_rules(p, columns):
            return False
        obj = plan_objective(p, columns)
        if obj < self.objective:
            self.best, self.objective = list(columns), obj
        return True

    def search_plans(self, seconds: float) -> None:
        pass

    def bound_raised(self, bound: float, message: str) -> None:
        self.bounds.append(bound)


def run_tree(
    problem: Problem, settings: TreeSettings, seconds: float = 10.0
) -> tuple[Host, TreeStatistics]:
    # The trees of these instances finish in well under a second; one with no plan at all
    # searches to its deadline, which is all the time such an example costs.
    host = Host(problem)
    clock = Clock(deterministic=False)
    tree = BranchAndPrice(problem, ColumnPool(problem), host, clock, settings)
    stats = tree.run(clock.now() + seconds)
    return host, stats


def assert_scored_alike(instance: Instance, problem: Problem, host: Host) -> None:
    """The host's plan breaks no rule and costs what the evaluator says."""
    assert host.best is not None
    _, maps = problem_from_instance(instance)
    ev = evaluate(instance, columns_to_plan(problem, maps, instance, host.best))
    assert not ev.broken
    assert ev.objective == pytest.approx(host.objective, abs=YUAN)


def assert_the_finished_tree_is_exhaustive_searchs(instance: Instance) -> None:
    """The tree ends, at exhaustive search's optimum, with no bound above it, and its plan
    scores as the evaluator says (or finds no plan where none exists)."""
    problem, _ = problem_from_instance(instance)
    if not problem.options:
        return
    best = brute_force(instance)
    host, stats = run_tree(problem, TreeSettings(pricing=PricingSettings(workers=1)))
    note(f"brute force {best.objective}, tree {host.objective}, {stats}")

    if best.objective is None:
        assert host.best is None
        return
    assert stats.finished
    assert host.objective == pytest.approx(best.objective, abs=MONEY)
    assert all(b <= best.objective + MONEY for b in host.bounds)
    assert_scored_alike(instance, problem, host)


@PROPERTY
@given(instances(n=(3, 7), m=(1, 2), k=(0, 2)))
def test_the_finished_tree_holds_the_brute_force_optimum(instance: Instance) -> None:
    assert_the_finished_tree_is_exhaustive_searchs(instance)


@PROPERTY
@given(with_candidates(n=(3, 7), m=(1, 2), k=(0, 2)), st.sampled_from((0.3, 0.6, 0.9)))
def test_the_tree_keeps_the_coverage_floor_and_candidate_resources(
    base: Instance, floor: float
) -> None:
    """The December contract: the tree's master carries the coverage row, its pricing never
    bundles a candidate resource, and its optimum is still exhaustive search's."""
    instance = replace(base, policy=replace(base.policy, min_coverage=floor))
    assert_the_finished_tree_is_exhaustive_searchs(instance)


@PROPERTY
@given(instances(n=(4, 7), m=(1, 2), k=(0, 2)))
def test_the_bound_stays_below_the_optimum_when_node_pricing_is_cut_short(
    instance: Instance,
) -> None:
    problem, _ = problem_from_instance(instance)
    best = brute_force(instance)
    if not problem.options or best.objective is None:
        return
    tree_settings = TreeSettings(pricing=STARVED, plans_every=1)
    host, stats = run_tree(problem, tree_settings, seconds=3.0)
    note(f"brute force {best.objective}, bounds {host.bounds}, {stats}")

    assert all(b <= best.objective + MONEY for b in host.bounds)
    if stats.bound is not None:
        assert stats.bound <= best.objective + MONEY
    if stats.finished:
        assert host.objective == pytest.approx(best.objective, abs=MONEY)


@pytest.fixture(scope="module")
def street(tmp_path_factory: pytest.TempPathFactory) -> tuple[Instance, Problem, float]:
    """A generated 12-community street and its optimum, proven by the joint model."""
    folder = generate_instance(
        Path(tmp_path_factory.mktemp("street")) / "s",
        communities=12,
        streets=1,
        firms=4,
        resources=3,
        seed=3,
    )
    instance = load_instance(folder)
    problem, _ = problem_from_instance(instance)
    exact = solve_joint(problem, time_limit=120, workers=1)
    assert exact.status == "optimal"
    assert exact.objective is not None and exact.objective > 0
    return instance, problem, exact.objective


def test_the_tree_branches_and_proves_the_joint_models_optimum_on_a_street(street) -> None:
    instance, problem, optimum = street
    host, stats = run_tree(problem, TreeSettings(pricing=PricingSettings(workers=1)), 120.0)

    assert stats.finished
    assert stats.nodes > 1
    assert host.objective == pytest.approx(optimum, abs=MONEY)
    assert host.bounds and max(host.bounds) <= optimum + MONEY
    assert host.bounds == sorted(host.bounds)
    assert_scored_alike(instance, problem, host)


def test_the_joint_search_closes_its_gap_with_the_tree_when_asked(street) -> None:
    instance, problem, optimum = street
    res = solve_joint(
        problem, time_limit=120, workers=1, enumerate_gap=False, branch_and_price=True
    )

    assert res.status == "optimal"
    assert res.objective == pytest.approx(optimum, abs=MONEY)
    assert res.stats["tree_nodes"] >= 1
    assert res.bound is not None and res.bound <= optimum + MONEY


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("plans_every", 0, "plans_every must be ≥ 1"),
        ("time_share", 0.0, r"time_share must be in \(0, 1\]"),
        ("plans_every_s", -1.0, "plans_every_s must be > 0"),
        ("max_new", 0, "max_new must be None or ≥ 1"),
    ],
)
def test_a_tree_setting_out_of_range_is_refused_with_its_name(field, value, message) -> None:
    with pytest.raises(ValueError, match=message):
        TreeSettings(**{field: value})
