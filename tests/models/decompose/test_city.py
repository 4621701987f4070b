"""The city search (``sharedprop.models.decompose.city``): parts, the ledger of what tasks in
flight may use, the part-by-part bound and whole runs.

Instances: ``city30`` (generated, 30 communities in three streets, 4 firms, 4 resources; the
joint model proves its optimum in seconds); ``scarce30`` is the same with every firm's capacity
cut to 40 % of the households and two packages each, so the streets compete for the firms;
``crossing30`` lets packages cross streets within 50 km, so the parts are regions of the graph.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from sharedprop import Instance, evaluate, load_instance, solve
from sharedprop.execute.local import LocalExecutor
from sharedprop.generate import generate_instance
from sharedprop.models.bounds.transport import capacity_relaxation
from sharedprop.models.core.columns import make_column, plan_objective
from sharedprop.models.core.problem import Problem, problem_from_instance
from sharedprop.models.core.run import RunContext
from sharedprop.models.decompose.city import CityParams, solve_city
from sharedprop.models.decompose.city_tasks import bound_part
from sharedprop.models.decompose.ledger import Ledger
from sharedprop.models.decompose.parts import parts_of
from sharedprop.models.decompose.prices import CouplingPrices, priced_part, shared_communities
from tests.checks import assert_plan_obeys_every_rule_and_matches_evaluate

# A wall-clock limit that the repeatable (work-limited) runs here never reach.
WALL = 120.0


@pytest.fixture(scope="module")
def city30(tmp_path_factory: pytest.TempPathFactory) -> Instance:
    folder = generate_instance(
        tmp_path_factory.mktemp("city30"), communities=30, streets=3, firms=4, resources=4, seed=1
    )
    return load_instance(folder)


@pytest.fixture(scope="module")
def scarce30(city30: Instance) -> Instance:
    households = sum(c.households for c in city30.communities)
    firms = tuple(
        replace(f, capacity_households=int(0.4 * households) // len(city30.firms), max_packages=2)
        for f in city30.firms
    )
    return replace(city30, firms=firms)


@pytest.fixture(scope="module")
def crossing30(city30: Instance) -> Instance:
    policy = replace(city30.policy, cross_streets=True, package_max_radius_m=50_000.0)
    return replace(city30, policy=policy)


@pytest.fixture(scope="module")
def optimum(city30: Instance, scarce30: Instance) -> dict[str, float]:
    """The joint model's proven optimum of each street instance."""
    best = {}
    for name, instance in (("city30", city30), ("scarce30", scarce30)):
        result = solve(instance, time_limit=WALL, workers=1, strategy="joint", seed=0)
        assert result.status == "optimal", name
        best[name] = result.objective
    return best


def _run(problem: Problem, limit: float, seed: int = 0) -> RunContext:
    return RunContext(time_limit=WALL, work_limit=limit, seed=seed, workers=1)


def test_streets_are_the_parts_when_no_package_may_leave_its_street(city30: Instance) -> None:
    problem, _ = problem_from_instance(city30)
    parts = parts_of(problem)
    assert parts is not None and len(parts) == 3
    members = np.sort(np.concatenate([part.members for part in parts]))
    assert np.array_equal(members, np.arange(problem.n))
    options = np.sort(np.concatenate([part.options for part in parts]))
    assert np.array_equal(options, np.arange(len(problem.options)))
    assert all(len(part.halo) == 0 for part in parts)
    assert all(len(np.unique(problem.street[part.members])) == 1 for part in parts)


def test_regions_split_the_communities_when_packages_may_cross_streets(
    crossing30: Instance,
) -> None:
    problem, _ = problem_from_instance(crossing30)
    parts = parts_of(problem, region_size=10)
    assert parts is not None and len(parts) >= 2
    members = np.sort(np.concatenate([part.members for part in parts]))
    assert np.array_equal(members, np.arange(problem.n))
    for part in parts:
        assert not np.isin(part.halo, part.members).any()
        hubs = [problem.options[int(j)].hub for j in part.options]
        assert np.isin(hubs, part.members).all()
        reach = np.concatenate([problem.options[int(j)].candidates for j in part.options])
        assert np.isin(reach, part.communities).all()
    assert shared_communities(parts, problem.n).any()


def test_coupling_prices_above_zero_are_refused(city30: Instance) -> None:
    problem, _ = problem_from_instance(city30)
    zero = CouplingPrices.zero(problem)
    with pytest.raises(ValueError, match=r"CouplingPrices.capacity must be finite and ≤ 0"):
        CouplingPrices(np.ones(problem.m), zero.count, zero.resource)


def test_each_streets_transportation_lp_at_the_city_prices_is_at_least_its_share(
    scarce30: Instance,
) -> None:
    problem, _ = problem_from_instance(scarce30)
    relaxed = capacity_relaxation(problem)
    assert relaxed is not None and relaxed.community_value is not None
    prices = CouplingPrices.from_duals(relaxed.duals)
    # The prices' constant is the LP's: the firm rows' and the resources' part of its value.
    assert prices.constant(problem) == pytest.approx(relaxed.constant)
    parts = parts_of(problem)
    shared = shared_communities(parts, problem.n)
    total = relaxed.constant
    for part in parts:
        own = capacity_relaxation(priced_part(problem, part, prices, shared).problem)
        share = float(relaxed.community_value[part.members].sum())
        assert own.bound >= share - 1e-6
        total += own.bound
    assert total >= relaxed.bound - 1e-6


@pytest.mark.parametrize("name", ["city30", "scarce30"])
@pytest.mark.parametrize("prices_from", ["transport", "random"])
def test_the_parts_bounds_plus_the_constant_never_exceed_the_proven_optimum(
    name: str, prices_from: str, optimum: dict[str, float], request: pytest.FixtureRequest
) -> None:
    # Lagrangian relaxation holds at any prices of the right sign, not only at the LP's.
    problem, _ = problem_from_instance(request.getfixturevalue(name))
    parts = parts_of(problem)
    shared = shared_communities(parts, problem.n)
    if prices_from == "transport":
        prices = CouplingPrices.from_duals(capacity_relaxation(problem).duals)
    else:
        rng = np.random.default_rng(5)
        scale = float(problem.uncovered_cost.max()) * problem.w_public_money
        prices = CouplingPrices(
            -rng.random(problem.m) * scale / problem.weight.mean(),
            -rng.random(problem.m) * scale,
            -rng.random(problem.k) * scale,
        )
    bounds = [bound_part(problem, part, prices, shared, 10.0, True) for part in parts]
    city_bound = sum(b.value for b in bounds) + prices.constant(problem)
    assert city_bound <= optimum[name] + 1e-6


def test_two_allowances_at_once_never_give_more_than_a_firm_has_left(scarce30: Instance) -> None:
    problem, _ = problem_from_instance(scarce30)
    ledger = Ledger(problem)
    ledger.use([])
    everything = np.arange(problem.k)
    first = ledger.allowance([], everything, 2)
    second = ledger.allowance([], everything, 1)
    assert np.all(first.capacity + second.capacity <= problem.firm_capacity)
    assert np.all(first.count + second.count <= problem.firm_max_packages)
    assert not (first.free_resources & second.free_resources).any()
    ledger.release(first.hold)
    ledger.release(second.hold)
    assert not ledger.held_capacity.any() and not ledger.held_count.any()
    assert not ledger.held_resources.any()


@pytest.mark.parametrize("name", ["city30", "scarce30"])
def test_city_plans_obey_every_rule_and_their_bound_is_below_the_proven_optimum(
    name: str, optimum: dict[str, float], request: pytest.FixtureRequest
) -> None:
    instance = request.getfixturevalue(name)
    result = solve(instance, time_limit=WALL, work_limit=12, workers=1, strategy="city")
    assert result.strategy == "city" and result.stats.city is not None
    assert_plan_obeys_every_rule_and_matches_evaluate(instance, result)
    assert result.best_bound <= optimum[name] + 1e-6
    assert result.objective >= optimum[name] - 1e-6
    # Every pass after the first bounds the parts; a part's bound only counts when higher.
    assert result.stats.city.passes >= 2
    assert any(t.kind == "bound" for t in result.stats.city.tasks)


def test_city_plans_on_regions_obey_every_rule_with_a_bound_below_the_plan(
    crossing30: Instance,
) -> None:
    result = solve(crossing30, time_limit=WALL, work_limit=10, workers=1, strategy="city")
    assert result.stats.city.part_kind == "region"
    assert_plan_obeys_every_rule_and_matches_evaluate(crossing30, result)
    joint = solve(crossing30, time_limit=WALL, work_limit=10, workers=1, strategy="joint")
    assert result.best_bound <= min(result.objective, joint.objective) + 1e-6


def test_a_city_run_with_one_worker_and_a_work_limit_repeats_exactly(scarce30: Instance) -> None:
    runs = [
        solve(scarce30, time_limit=WALL, work_limit=6, workers=1, seed=2, strategy="city")
        for _ in range(2)
    ]
    assert runs[0].stopped_by == "work"
    assert runs[0].plan == runs[1].plan
    assert runs[0].objective == runs[1].objective
    assert runs[0].best_bound == runs[1].best_bound


def test_a_city_run_on_two_local_workers_obeys_every_rule(scarce30: Instance) -> None:
    result = solve(scarce30, time_limit=12, workers=2, strategy="city", executor="local")
    assert result.stats.city.executor == "local" and result.stats.city.workers == 2
    assert_plan_obeys_every_rule_and_matches_evaluate(scarce30, result)
    assert result.best_bound <= result.objective


def _broken_improve(*args: object, **kwargs: object) -> None:
    raise RuntimeError("the worker lost its way")


def test_parts_whose_tasks_fail_keep_their_packages_and_the_plan_obeys_every_rule(
    scarce30: Instance, monkeypatch: pytest.MonkeyPatch
) -> None:
    problem, _ = problem_from_instance(scarce30)
    monkeypatch.setattr("sharedprop.models.decompose.city.improve_part", _broken_improve)
    with LocalExecutor(1) as ex:
        jr = solve_city(problem, parts_of(problem), _run(problem, 4), ex)
    stats = jr.stats["city"]
    assert stats.task_errors and all("the worker lost its way" in e for e in stats.task_errors)
    # No part improved: the plan is the one the search started from, the empty plan.
    assert jr.columns == []
    assert jr.objective == pytest.approx(plan_objective(problem, []))
    assert jr.bound is None or jr.bound <= jr.objective


def test_city_params_refuse_a_schedule_that_cannot_run() -> None:
    with pytest.raises(ValueError, match="CityParams.growth must be at least 1"):
        CityParams(growth=0.5)
    with pytest.raises(ValueError, match=r"CityParams.first_seconds must be positive"):
        CityParams(first_seconds=0)


@pytest.fixture(scope="module")
def floored30(city30: Instance) -> Instance:
    """``city30`` with a coverage floor of 99 % of the households: its cheapest plan covers
    less (the test checks)."""
    return replace(city30, policy=replace(city30.policy, min_coverage=0.99))


def test_city_plans_keep_the_coverage_floor_the_cheapest_plan_would_break(
    city30: Instance, floored30: Instance, optimum: dict[str, float]
) -> None:
    free = solve(city30, time_limit=WALL, work_limit=8, workers=1, strategy="city")
    floor = 0.99 * floored30.total_households
    assert evaluate(city30, free.plan).coverage_households < floor
    result = solve(floored30, time_limit=WALL, work_limit=8, workers=1, strategy="city")
    assert result.strategy == "city"
    assert_plan_obeys_every_rule_and_matches_evaluate(floored30, result)
    assert evaluate(floored30, result.plan).coverage_households >= floor
    assert result.best_bound <= result.objective
    assert result.objective >= optimum["city30"] - 1e-6  # a floor only adds a rule


def test_without_a_starting_plan_the_parts_drafts_grow_into_one_that_keeps_the_floor(
    floored30: Instance,
) -> None:
    problem, _ = problem_from_instance(floored30)
    assert problem.min_covered_weight > 0
    with LocalExecutor(1) as ex:
        jr = solve_city(problem, parts_of(problem), _run(problem, 8), ex, warm=[])
    assert jr.objective is not None
    assert sum(c.weight for c in jr.columns) >= problem.min_covered_weight
    assert jr.objective == pytest.approx(plan_objective(problem, jr.columns))


def test_tasks_at_once_share_the_plans_slack_above_the_coverage_floor(
    floored30: Instance,
) -> None:
    problem, _ = problem_from_instance(floored30)
    parts = parts_of(problem)
    # A plan of every community alone where some option allows it, to have slack to share.
    singles = {}
    for j, o in enumerate(problem.options):
        if o.hub >= 0 and problem.weight[o.hub] >= problem.package_min_weight:
            singles.setdefault(o.hub, j)
    plan = [make_column(problem, j, (hub,)) for hub, j in sorted(singles.items())]
    ledger = Ledger(problem)
    ledger.use(plan)
    slack = ledger.covered - problem.min_covered_weight
    assert slack > 0
    inside = [[c for c in plan if set(c.members) <= set(part.members.tolist())] for part in parts]
    got = [
        ledger.allowance(cols, np.arange(problem.k), len(parts) - k)
        for k, cols in enumerate(inside)
    ]
    # Every part covering only its minimum still keeps the floor.
    assert (
        sum(a.min_covered for a in got)
        + sum(c.weight for c in plan if not any(c in cols for cols in inside))
        >= problem.min_covered_weight
    )
    assert sum(a.hold.slack for a in got) <= slack
