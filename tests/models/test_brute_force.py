"""The solver against exhaustive search on tiny instances.

``brute_force`` (tests/models/brute_force.py) knows nothing of ``sharedprop.models``: it scores
packages with ``sharedprop.evaluate`` and enumerates every partition. It is itself checked twice:
against a hand-computed example and against literally scoring every whole plan.
"""

from __future__ import annotations

from dataclasses import replace

import networkx as nx
import pytest
from hypothesis import HealthCheck, Phase, given, note, settings

from sharedprop import (
    Community,
    Firm,
    Instance,
    Lock,
    ObjectiveWeights,
    Policy,
    Resource,
    evaluate,
    solve,
)
from tests.models.brute_force import best_of_every_plan, brute_force
from tests.models.tiny_instances import instances

MONEY_TOLERANCE = 0.01  # yuan: an optimal plan is the optimum, not merely close to it
YUAN = 0.5  # the solver's own objective agrees with the evaluator to the yuan

# Shrinking re-solves every smaller example and took minutes on a failure; the unshrunk
# example is printed in full, which is enough to rebuild it.
PROPERTY_SETTINGS = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow],
)


def two_communities(
    *, allow_uncovered: bool = True, resources: tuple[Resource, ...] = ()
) -> Instance:
    """Two communities 300 m apart (100 households, 6,000 yuan of fees a year each) and one firm
    on top of the first: fixed cost 10,000, 100 yuan per household, no travel cost, no margin,
    at most one package; the street office pays 80 yuan per uncovered household.

    By hand: both uncovered 16,000; one package of both 10,000 + 20,000 − 12,000 = 18,000;
    one package of one plus the other uncovered 14,000 + 8,000 = 22,000.
    """
    cs = tuple(
        Community(
            id=f"C{i}", name=f"小区{i}", street="筼筜街道", neighbourhood="社区",
            lon=300.0 * (i - 1), lat=0.0, households=100, floor_area_m2=1000.0,
            fee_rate=0.5, collection_rate=1.0,
        )
        for i in (1, 2)
    )  # fmt: skip
    firm = Firm(
        id="F1", name="物业", lon=0.0, lat=0.0, capacity_households=1000, max_packages=1,
        service_radius_m=5000.0, package_fixed_cost=10_000.0, cost_per_household=100.0,
        travel_cost_per_km=0.0, min_margin=0.0,
    )  # fmt: skip
    g = nx.Graph([("C1", "C2")])
    return Instance(
        name="two",
        communities=cs,
        firms=(firm,),
        resources=resources,
        policy=Policy(allow_uncovered=allow_uncovered, fallback_cost_per_household=80.0),
        graph=g,
        distance="euclidean",
    )


PARKING = Resource(
    id="R1", name="停车场", kind="parking", lon=0.0, lat=0.0, annual_income=5_000.0,
    max_distance_m=100.0,
)  # fmt: skip


@pytest.mark.parametrize(
    ("instance", "optimum"),
    [
        (two_communities(), 16_000.0),
        (two_communities(allow_uncovered=False), 18_000.0),
        # The parking (5,000 a year) only reaches a hub at C1: 18,000 − 5,000 = 13,000 beats 16,000.
        (two_communities(resources=(PARKING,)), 13_000.0),
    ],
    ids=["uncovered-is-cheapest", "coverage-forced", "resource-makes-the-package-pay"],
)
def test_brute_force_finds_the_hand_computed_optimum(instance: Instance, optimum: float) -> None:
    assert brute_force(instance).objective == pytest.approx(optimum, abs=1e-6)


@settings(max_examples=15, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate])
@given(instances(n=(3, 4), m=(1, 2), k=(0, 1)))
def test_brute_force_agrees_with_scoring_every_whole_plan(instance: Instance) -> None:
    found = brute_force(instance).objective
    every = best_of_every_plan(instance)
    if every is None:
        assert found is None
    else:
        assert found == pytest.approx(every, abs=1e-6)


@PROPERTY_SETTINGS
@given(instances())
def test_solve_agrees_with_brute_force_on_tiny_instances(instance: Instance) -> None:
    best = brute_force(instance)
    note(f"brute force: {best.objective} with {best.plan}")
    result = solve(instance, time_limit=120, work_limit=10, workers=1)
    note(f"solve: {result.status} {result.objective} bound {result.best_bound} {result.plan}")

    if best.objective is None:
        assert result.plan is None
        assert result.status == "infeasible"
        return
    assert result.status != "infeasible", "the solver calls a feasible instance infeasible"
    assert result.plan is not None
    ev = evaluate(instance, result.plan)
    assert not ev.broken
    assert result.objective == pytest.approx(ev.objective, abs=YUAN)
    assert ev.objective >= best.objective - MONEY_TOLERANCE
    if result.status == "optimal":
        assert result.objective == pytest.approx(best.objective, abs=MONEY_TOLERANCE)
    if result.best_bound is not None:
        assert result.best_bound <= best.objective + MONEY_TOLERANCE


def test_an_unreachable_community_that_must_be_covered_makes_both_say_infeasible() -> None:
    """C2 is moved 10 km away from the only firm (service radius 5 km) and packages may reach
    1 km from their hub, so no package can hold C2; coverage is forced."""
    base = two_communities(allow_uncovered=False)
    far = replace(base.communities[1], lon=10_000.0)
    policy = replace(base.policy, package_max_radius_m=1000.0)
    instance = replace(base, communities=(base.communities[0], far), policy=policy)
    assert brute_force(instance).objective is None
    result = solve(instance, time_limit=120, work_limit=10, workers=1)
    assert result.status == "infeasible"
    assert result.plan is None
    assert any("C2" in r for r in result.reasons)


def test_an_infeasibility_only_search_can_prove_is_reported_not_raised() -> None:
    """Coverage is forced but the two communities lie in different streets and the only firm may
    run one package: no single fact shows it (each community is reachable, capacity suffices),
    so the solver must prove it by search and still return a Result."""
    base = two_communities(allow_uncovered=False)
    other = replace(base.communities[1], street="嘉莲街道")
    instance = replace(base, communities=(base.communities[0], other))
    assert brute_force(instance).objective is None
    result = solve(instance, time_limit=120, work_limit=2, workers=1)
    assert result.status == "infeasible"
    assert result.plan is None
    assert result.reasons


def test_a_joint_search_with_nothing_left_to_try_stops_before_its_limit() -> None:
    """The instance above: its column generation converges at once with every package priced,
    the master over them is infeasible and there is no plan to search around. A second pass or
    master can change nothing, so the search must stop there; it once re-solved the same
    infeasible master 8,628 times, until its wall-clock safety net (5x the limit)."""
    from sharedprop.models.colgen.joint import solve_joint
    from sharedprop.models.core.problem import problem_from_instance

    base = two_communities(allow_uncovered=False)
    other = replace(base.communities[1], street="嘉莲街道")
    problem, _ = problem_from_instance(replace(base, communities=(base.communities[0], other)))
    result = solve_joint(problem, time_limit=5.0, workers=1, seed=0)
    assert result.status == "infeasible"
    assert result.stats["ls_rounds"] <= 2
    assert result.stats.get("passes", 1) <= 2
    assert result.stats["work"] < 0.5


def lp_regression_instance() -> Instance:
    """Found by hypothesis: four communities, one firm, two resources, coverage forced, total cost
    weighted above public money; brute force gives 105,802.74 yuan."""
    rows = [
        ("C1", "嘉莲街道", 350.0, 188.0, 10, 540.0, 0.3, 0.5),
        ("C2", "筼筜街道", 115.0, 365.0, 99, 6237.0, 0.8, 0.5),
        ("C3", "筼筜街道", 404.0, 190.0, 193, 13124.0, 0.65, 0.75),
        ("C4", "嘉莲街道", 500.0, 1021.0, 100, 6300.0, 0.45, 0.5),
    ]
    cs = tuple(
        Community(cid, cid, street, "社区", x, y, hh, area, fee, coll)
        for cid, street, x, y, hh, area, fee, coll in rows
    )
    firm = Firm("F1", "物业1", 514.0, 103.0, 2000, 3, 1500.0, 20_000.0, 153.0, 3000.0, 0.08)
    res = (
        Resource("R1", "资源1", "parking", 585.0, 2.0, 90_000.0, 1500.0),
        Resource("R2", "资源2", "parking", 163.0, 36.0, 100_000.0, 1500.0),
    )
    return Instance(
        name="lp-regression",
        communities=cs,
        firms=(firm,),
        resources=res,
        locks=(Lock("C3", "F1", "must"),),
        policy=Policy(
            package_max_households=300,
            package_max_radius_m=1500.0,
            link_max_m=1500.0,
            cross_streets=True,
            allow_uncovered=False,
            fallback_cost_per_household=0.0,
        ),
        objective=ObjectiveWeights(weight_public_money=0.5, weight_total_cost=1.0),
        graph=nx.complete_graph(["C1", "C2", "C3", "C4"]),
        distance="euclidean",
    )


def test_a_feasible_instance_with_total_cost_weighted_gets_its_optimum() -> None:
    instance = lp_regression_instance()
    best = brute_force(instance)
    assert best.objective == pytest.approx(105_802.739, abs=0.01)
    result = solve(instance, time_limit=120, work_limit=10, workers=1)
    assert result.plan is not None
    assert not evaluate(instance, result.plan).broken
    assert result.objective == pytest.approx(best.objective, abs=MONEY_TOLERANCE)


@settings(PROPERTY_SETTINGS, max_examples=15)
@given(instances())
def test_two_stage_plans_obey_every_rule_and_never_beat_brute_force(
    instance: Instance,
) -> None:
    best = brute_force(instance)
    result = solve(instance, time_limit=120, work_limit=2, workers=1, strategy="two-stage")
    if best.objective is None:
        assert result.plan is None
        assert result.status in {"infeasible", "unknown"}
        return
    assert result.status != "infeasible", "two-stage calls a feasible instance infeasible"
    assert result.plan is not None
    ev = evaluate(instance, result.plan)
    assert not ev.broken
    assert result.objective == pytest.approx(ev.objective, abs=YUAN)
    assert ev.objective >= best.objective - MONEY_TOLERANCE


def test_two_stage_without_any_possible_package_returns_the_all_uncovered_plan() -> None:
    """The firm may run no package; leaving both communities uncovered (16,000) is the
    only plan, and a feasible one."""
    base = two_communities()
    instance = replace(base, firms=(replace(base.firms[0], max_packages=0),))
    assert brute_force(instance).objective == pytest.approx(16_000.0)

    result = solve(instance, time_limit=120, work_limit=2, workers=1, strategy="two-stage")

    assert result.plan is not None and result.plan.packages == ()
    assert result.objective == pytest.approx(16_000.0, abs=MONEY_TOLERANCE)
