"""Street by street (``sharedprop.models.decompose.streets``): blocks, sub-problems, and combined
plans.

Instances: ``street40`` (generated, 40 communities in two streets, 4 firms, 4 resources);
``scarce40`` is the same instance with every firm's capacity cut to 40 % of the households and
two packages each, so the streets must share the firms and some communities stay uncovered;
``street40`` with ``cross_streets = true`` and a 50 km radius has no blocks.
"""

from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from sharedprop import Instance, evaluate, load_instance, solve
from sharedprop.generate import generate_instance
from sharedprop.models.bounds.transport import capacity_relaxation
from sharedprop.models.colgen.joint import solve_joint
from sharedprop.models.core.columns import ColumnPool, make_column, plan_objective
from sharedprop.models.core.problem import problem_from_instance
from sharedprop.models.core.result import JointResult
from sharedprop.models.core.run import RunContext
from sharedprop.models.decompose import streets as blocks
from sharedprop.models.decompose.streets import restrict, solve_by_blocks, street_blocks
from sharedprop.result import StreetStatistics
from tests.checks import assert_plan_obeys_every_rule_and_matches_evaluate

# A wall-clock limit that the repeatable (work-limited) runs here never reach.
WALL = 120.0


@pytest.fixture(scope="module")
def street40(tmp_path_factory: pytest.TempPathFactory) -> Instance:
    folder = generate_instance(
        tmp_path_factory.mktemp("street40"), communities=40, streets=2, firms=4, resources=4, seed=2
    )
    return load_instance(folder)


@pytest.fixture(scope="module")
def scarce40(street40: Instance) -> Instance:
    households = sum(c.households for c in street40.communities)
    firms = tuple(
        replace(f, capacity_households=int(0.4 * households) // len(street40.firms), max_packages=2)
        for f in street40.firms
    )
    return replace(street40, firms=firms)


def test_two_streets_make_two_blocks_that_split_the_communities_and_the_options(
    street40: Instance,
) -> None:
    problem, _ = problem_from_instance(street40)
    blocks = street_blocks(problem)
    assert blocks is not None and len(blocks) == 2
    members = np.sort(np.concatenate([b.members for b in blocks]))
    assert members.tolist() == list(range(problem.n))
    options = np.sort(np.concatenate([b.options for b in blocks]))
    assert options.tolist() == list(range(len(problem.options)))
    for b in blocks:
        assert set(problem.street[b.members].tolist()) == {b.street}


def test_packages_that_may_cross_streets_leave_no_blocks(street40: Instance) -> None:
    # The generated streets lie apart: only with a wide radius can a package reach across.
    policy = replace(street40.policy, cross_streets=True, package_max_radius_m=50_000.0)
    problem, _ = problem_from_instance(replace(street40, policy=policy))
    assert street_blocks(problem) is None


def test_streets_too_far_apart_for_any_package_are_blocks_even_when_crossing_is_allowed(
    street40: Instance,
) -> None:
    crossing = replace(street40, policy=replace(street40.policy, cross_streets=True))
    problem, _ = problem_from_instance(crossing)
    blocks = street_blocks(problem)
    assert blocks is not None and len(blocks) == 2


def test_a_package_of_a_sub_problem_costs_what_it_costs_in_the_whole_problem(
    street40: Instance,
) -> None:
    problem, _ = problem_from_instance(street40)
    block = street_blocks(problem)[1]
    part = restrict(
        problem,
        block,
        problem.firm_capacity,
        problem.firm_max_packages,
        np.ones(problem.k, dtype=bool),
    )
    sub, option_map = part.problem, part.option
    assert len(sub.options) == len(block.options)
    for so, go in list(enumerate(option_map))[::7]:
        opt = sub.options[so]
        members = opt.candidates[:3]
        local = make_column(sub, so, members, opt.resources[:1])
        whole = make_column(problem, int(go), block.members[members], opt.resources[:1])
        assert local.objective == pytest.approx(whole.objective, abs=1e-6)
        assert problem.options[int(go)].hub == block.members[opt.hub]


def test_a_firm_without_packages_left_has_no_option_in_the_sub_problem(
    street40: Instance,
) -> None:
    problem, _ = problem_from_instance(street40)
    block = street_blocks(problem)[0]
    left = problem.firm_max_packages.copy()
    left[0] = 0
    sub = restrict(
        problem, block, problem.firm_capacity, left, np.ones(problem.k, dtype=bool)
    ).problem
    assert sub.options and all(o.firm != 0 for o in sub.options)


@pytest.mark.parametrize("name", ["street40", "scarce40"])
def test_street_by_street_plans_obey_every_rule_and_match_evaluate(
    name: str, request: pytest.FixtureRequest
) -> None:
    instance = request.getfixturevalue(name)
    result = solve(instance, time_limit=4, workers=2, strategy="streets")
    assert result.strategy == "streets" and result.plan is not None
    assert result.stats.streets.streets_in_pairs is True  # two workers: the streets run at once
    assert_plan_obeys_every_rule_and_matches_evaluate(instance, result)
    # The streets in turn are a restriction: they claim no bound of their own; the only bound
    # is the transportation LP's, computed before the search (models/bounds/transport.py).
    assert result.best_bound == pytest.approx(min(result.stats.capacity_bound, result.objective))


def test_a_recombination_over_the_lp_ranked_columns_still_obeys_every_rule(
    scarce40: Instance, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The 40-community pool is far below LP_RANKED_COLUMNS; cut the ranking to 30 columns so
    # that the recombination runs on a subset (plus the combined plan's packages).
    monkeypatch.setattr(blocks, "LP_RANKED_COLUMNS", 30)
    result = solve(scarce40, time_limit=WALL, work_limit=3, workers=1, seed=1, strategy="streets")
    # The combined plan's packages join the 30; there are at most as many as communities.
    n = len(scarce40.communities)
    streets = result.stats.streets
    assert 30 <= streets.recombined_columns <= min(30 + n, streets.pool - 1)
    assert_plan_obeys_every_rule_and_matches_evaluate(scarce40, result)


def test_street_by_street_repeats_exactly_with_one_worker(scarce40: Instance) -> None:
    # The streets' tiny solves must end inside their wall-clock safety nets to repeat, which
    # needs every step (the proof by enumeration too) charged what it costs.
    runs = [
        solve(scarce40, time_limit=WALL, work_limit=2, workers=1, seed=3, strategy="streets")
        for _ in range(2)
    ]
    assert runs[0].stopped_by == "work"
    assert runs[0].plan == runs[1].plan
    assert runs[0].objective == runs[1].objective


def test_streets_on_an_instance_without_blocks_falls_back_to_the_joint_model(
    street40: Instance,
) -> None:
    policy = replace(street40.policy, cross_streets=True, package_max_radius_m=50_000.0)
    crossing = replace(street40, policy=policy)
    result = solve(crossing, time_limit=2, workers=2, strategy="streets")
    assert result.strategy == "joint"
    assert result.plan is not None and evaluate(crossing, result.plan).broken == ()


def test_progress_names_each_street_in_turn(street40: Instance, tmp_path: Path) -> None:
    messages: list[str] = []
    solve(
        street40,
        time_limit=3,
        workers=2,
        strategy="streets",
        on_progress=lambda p: messages.append(p.message),
    )
    assert [m.split(" done")[0] for m in messages if m.startswith("street ")] == [
        "street 1 of 2",
        "street 2 of 2",
    ]


def test_two_streets_solved_at_once_split_the_firms_they_share_and_their_resources(
    scarce40: Instance,
) -> None:
    problem, _ = problem_from_instance(scarce40)
    pair = street_blocks(problem)
    assert pair is not None
    guide = capacity_relaxation(problem)
    assert guide is not None
    given = {b.street: guide.firm_households(problem.weight, b.members, problem.m) for b in pair}
    capacity, max_packages = problem.firm_capacity.copy(), problem.firm_max_packages.copy()
    free = np.ones(problem.k, dtype=bool)
    parts = blocks._split_pair(
        problem, pair, [capacity, capacity], capacity, max_packages, free, given
    )
    firms = [{problem.options[int(j)].firm for j in part.option} for part in parts]
    shared = sorted(firms[0] & firms[1])
    assert shared  # scarce40's four firms reach both streets
    for f in shared:
        a, b = (part.problem for part in parts)
        assert a.firm_capacity[f] + b.firm_capacity[f] <= capacity[f]
        assert a.firm_max_packages[f] + b.firm_max_packages[f] <= max_packages[f]
    reach = [{int(r) for o in part.problem.options for r in o.resources} for part in parts]
    assert not reach[0] & reach[1]


def test_a_street_whose_child_process_fails_is_left_uncovered_and_the_plan_obeys_every_rule(
    scarce40: Instance,
) -> None:
    """The second street of the pair runs in a forked child; there the solver raises."""
    problem, _ = problem_from_instance(scarce40)
    parent = os.getpid()

    def solve_block(sub, limit, warm, stop):
        if os.getpid() != parent:
            raise RuntimeError("the child fails")
        return solve_joint(sub, time_limit=limit, workers=1, seed=0)

    jr = solve_by_blocks(
        problem,
        street_blocks(problem),
        solve_block,
        RunContext(time_limit=2, workers=2),
        guide=capacity_relaxation(problem),
    )
    streets = jr.stats["streets"]
    assert streets.streets_in_pairs is True
    assert streets.block_status[1] == "unknown"
    assert streets.street_errors == ["RuntimeError: the child fails"]
    covered = {i for c in jr.columns for i in c.members}
    # The first street's communities only (the scarcity order may put either street first).
    assert any(covered <= {int(i) for i in b.members} for b in street_blocks(problem))
    assert jr.objective is not None


def test_an_odd_street_out_of_the_pairs_is_solved_alone_and_every_street_is_reported(
    tmp_path: Path,
) -> None:
    """Three streets with two workers: a pair, then the third street on its own."""
    folder = generate_instance(
        tmp_path / "three", communities=45, streets=3, firms=4, resources=3, seed=5
    )
    instance = load_instance(folder)
    messages: list[str] = []
    result = solve(
        instance,
        time_limit=4,
        workers=2,
        strategy="streets",
        on_progress=lambda p: messages.append(p.message),
    )
    assert result.stats.streets.streets_in_pairs is True
    assert len(result.stats.streets.block_status) == 3
    assert sorted(m.split(" done")[0] for m in messages if m.startswith("street ")) == [
        "street 1 of 3",
        "street 2 of 3",
        "street 3 of 3",
    ]
    assert_plan_obeys_every_rule_and_matches_evaluate(instance, result)


def test_a_stop_during_a_pair_asks_the_child_for_its_best_plan_and_keeps_it(
    scarce40: Instance,
) -> None:
    """The child's solver waits for its stop signal; the parent's stop rises as soon as the
    parent's own street is solved. The child must then hand in its plan (its share is 42 s, and
    it would never end without the signal)."""
    problem, _ = problem_from_instance(scarce40)
    parent = os.getpid()
    stopped = [False]

    def solve_block(sub, limit, warm, stop):
        if os.getpid() != parent:
            while not stop():
                time.sleep(0.01)
        jr = solve_joint(sub, time_limit=0.5, workers=1, seed=0)
        stopped[0] = os.getpid() == parent
        return jr

    jr = solve_by_blocks(
        problem,
        street_blocks(problem),
        solve_block,
        RunContext(time_limit=60, workers=2, stop=lambda: stopped[0]),
        guide=capacity_relaxation(problem),
    )
    # A child that never heard the stop would still be waiting at the parent's time-out, and
    # its street would come back "unknown".
    assert all(s in ("feasible", "optimal") for s in jr.stats["streets"].block_status)
    covered = {i for c in jr.columns for i in c.members}
    for block in street_blocks(problem):  # both streets, the child's too, have packages
        assert covered & {int(i) for i in block.members}
    assert jr.objective is not None


def test_street_pairs_share_firms_and_come_most_shared_first(tmp_path: Path) -> None:
    """Three generated streets: every pair offered shares a firm, in falling order of firms."""
    folder = generate_instance(
        tmp_path / "three", communities=45, streets=3, firms=4, resources=3, seed=5
    )
    problem, _ = problem_from_instance(load_instance(folder))
    streets = street_blocks(problem)
    firms = {b.street: {problem.options[int(j)].firm for j in b.options} for b in streets}
    pairs = blocks.street_pairs(problem, streets)
    shared = [len(firms[a.street] & firms[b.street]) for a, b in pairs]
    assert pairs and all(s > 0 for s in shared)
    assert shared == sorted(shared, reverse=True)
    assert len({(a.street, b.street) for a, b in pairs}) == len(pairs)


def pair_search(problem, streets, solve_block, pool, *, deterministic: bool, **options):
    """The pair search on a run of its own: pairs counted in advance (work units, one worker)
    when ``deterministic``, else timed on the wall clock."""
    run = RunContext(time_limit=WALL, work_limit=1.0 if deterministic else None, workers=1)
    return blocks.PairSearch(problem, streets, solve_block, pool, run, **options)


def _firm_rules_hold(problem, cols) -> bool:
    members = [i for c in cols for i in c.members]
    resources = [r for c in cols for r in c.resources]
    load = np.zeros(problem.m, dtype=np.int64)
    count = np.zeros(problem.m, dtype=np.int64)
    for c in cols:
        load[problem.options[c.option].firm] += c.weight
        count[problem.options[c.option].firm] += 1
    return (
        len(members) == len(set(members))
        and len(resources) == len(set(resources))
        and bool(np.all(load <= problem.firm_capacity))
        and bool(np.all(count <= problem.firm_max_packages))
    )


def test_re_solving_a_pair_of_streets_keeps_a_better_plan_and_pools_its_columns(
    scarce40: Instance,
) -> None:
    """From the empty plan (every community left to the street office) the joint model on both
    streets at once finds a cheaper plan, which is kept, and whose columns join the pool."""
    problem, _ = problem_from_instance(scarce40)
    pool = ColumnPool(problem)

    def solve_block(sub, limit, warm, stop):
        return solve_joint(sub, time_limit=0.5, workers=1, seed=0)

    before = plan_objective(problem, [])
    search = pair_search(problem, street_blocks(problem), solve_block, pool, deterministic=True)
    cols, obj = search.run_pairs([], pair_time=blocks.PAIR_SECONDS * blocks.PAIR_WALL_PER_UNIT)
    assert obj < before and search.stats.pairs_improved >= 1  # one pair, improved
    assert obj == pytest.approx(plan_objective(problem, cols))
    assert _firm_rules_hold(problem, cols)
    assert all(pool.index_of(c) is not None for c in cols)


def test_a_worse_re_solve_of_a_pair_of_streets_leaves_the_plan_as_it_was(
    scarce40: Instance,
) -> None:
    """A re-solve that leaves both streets uncovered costs more than the streets' own plan."""
    problem, _ = problem_from_instance(scarce40)
    plan = solve_by_blocks(
        problem,
        street_blocks(problem),
        lambda sub, limit, warm, stop: solve_joint(sub, time_limit=0.5, workers=1, seed=0),
        RunContext(time_limit=WALL, work_limit=2, workers=1),
    ).columns
    assert plan

    def nothing(sub, limit, warm, stop):
        return JointResult("feasible", [], plan_objective(sub, []), None)

    search = pair_search(
        problem, street_blocks(problem), nothing, ColumnPool(problem), deterministic=True
    )
    cols, obj = search.run_pairs(plan, pair_time=blocks.PAIR_SECONDS * blocks.PAIR_WALL_PER_UNIT)
    assert cols == plan and obj == pytest.approx(plan_objective(problem, plan))
    # One pair, tried once: with nothing improved since, it is not solved again.
    stats = search.stats
    assert (stats.pairs_resolved, stats.pairs_improved, stats.pairs_in_parallel) == (1, 0, 0)


def test_time_beyond_the_street_caps_goes_to_pairs_of_streets_and_the_plan_obeys_every_rule(
    scarce40: Instance, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the caps cut to half a second, most of a 12-s solve is left for pairs of streets.
    (A street's solve may overrun its half second, building its package table; the ranking's
    reserve, tested below, is left out here so that the pairs surely get time.)"""
    monkeypatch.setattr(blocks, "STREET_SECONDS_CAP", 0.5)
    monkeypatch.setattr(blocks, "RECOMBINATION_SECONDS_CAP", 0.5)
    monkeypatch.setattr(blocks, "PAIR_SECONDS", 1.0)
    monkeypatch.setattr(blocks, "ranking_seconds", lambda columns: 0.0)
    result = solve(scarce40, time_limit=12, workers=2, seed=2, strategy="streets")
    assert result.stats.streets.pairs_resolved >= 1
    assert any(p.message == "streets combined" for p in result.trace)
    assert_plan_obeys_every_rule_and_matches_evaluate(scarce40, result)


def test_pairs_of_streets_with_one_worker_are_counted_in_advance_and_repeat(
    scarce40: Instance,
) -> None:
    """One worker: as many pairs as the time buys at the calibrated rate, the same plan twice."""
    problem, _ = problem_from_instance(scarce40)

    def solve_block(sub, limit, warm, stop):
        return solve_joint(sub, time_limit=0.5, workers=1, seed=0, initial=warm)

    def run():
        search = pair_search(
            problem, street_blocks(problem), solve_block, ColumnPool(problem), deterministic=True
        )
        cols, _ = search.run_pairs(
            [], pair_time=2.5 * blocks.PAIR_SECONDS * blocks.PAIR_WALL_PER_UNIT
        )
        return cols, search.stats

    first, second = run(), run()
    assert 1 <= first[1].pairs_resolved <= 2  # the time buys two; one may end the round
    assert first[0] == second[0] and first[1] == second[1]


def _two_copies(problem):
    """The problem twice side by side: communities, firms, resources and streets of the second
    copy renumbered after the first's, so that nothing links the copies."""
    n, m, k = problem.n, problem.m, problem.k
    twice = lambda a: np.concatenate([a, a])  # noqa: E731
    options = problem.options + tuple(
        replace(
            o,
            firm=o.firm + m,
            hub=o.hub + n,
            candidates=o.candidates + n,
            resources=o.resources + k,
        )
        for o in problem.options
    )
    return replace(
        problem,
        weight=twice(problem.weight),
        revenue=twice(problem.revenue),
        uncovered_cost=twice(problem.uncovered_cost),
        must_cover=twice(problem.must_cover),
        firm_capacity=twice(problem.firm_capacity),
        firm_max_packages=twice(problem.firm_max_packages),
        resource_income=twice(problem.resource_income),
        options=options,
        adjacency=problem.adjacency + tuple(a + n for a in problem.adjacency),
        street=np.concatenate([problem.street, problem.street + problem.street.max() + 1]),
    )


def test_pairs_that_share_no_street_firm_or_resource_are_re_solved_at_once(
    scarce40: Instance,
) -> None:
    """Two unlinked copies of ``scarce40``: each copy's two streets form the only pair sharing
    firms, the two pairs share nothing, so the second runs in a forked child beside the first
    and both results apply."""
    problem = _two_copies(problem_from_instance(scarce40)[0])
    streets = street_blocks(problem)
    assert len(streets) == 4 and len(blocks.street_pairs(problem, streets)) == 2

    def solve_block(sub, limit, warm, stop):
        return solve_joint(sub, time_limit=0.5, workers=1, seed=0)

    search = pair_search(
        problem, streets, solve_block, ColumnPool(problem), deterministic=False, parallel=True
    )
    cols, obj = search.run_pairs([], pair_time=3 * blocks.PAIR_SECONDS)
    # Forking is used only where it is safe (Linux, one thread): the CI runs there.
    assert (search.stats.pairs_in_parallel >= 1) == blocks._StreetInChild.available()
    assert search.stats.pairs_improved >= 2  # each copy got packages
    halves = {int(problem.options[c.option].firm >= problem.m // 2) for c in cols}
    assert halves == {0, 1}
    assert obj == pytest.approx(plan_objective(problem, cols))
    assert _firm_rules_hold(problem, cols)


def test_pairs_of_streets_leave_the_time_the_recombination_needs_to_rank_the_pool(
    scarce40: Instance,
) -> None:
    """With the whole pair time reserved for the ranking, no pair is solved at all."""
    problem, _ = problem_from_instance(scarce40)
    calls: list[float] = []

    def solve_block(sub, limit, warm, stop):
        calls.append(limit)
        return solve_joint(sub, time_limit=0.5, workers=1, seed=0)

    streets = street_blocks(problem)
    pair_time = 2 * blocks.PAIR_SECONDS

    def pairs_with(reserved: float) -> StreetStatistics:
        search = pair_search(
            problem,
            streets,
            solve_block,
            ColumnPool(problem),
            deterministic=False,
            reserve=lambda: reserved,
        )
        search.run_pairs([], pair_time=pair_time)
        return search.stats

    stats = pairs_with(pair_time)
    assert stats.pairs_resolved == 0 and calls == []
    # Reserving all but 2 s leaves one pair a 2-s solve.
    stats = pairs_with(pair_time - 2.0)
    assert stats.pairs_resolved >= 1 and calls[0] == pytest.approx(2.0, abs=0.2)
    assert blocks.ranking_seconds(300_000) > 4 * blocks.ranking_seconds(75_000)
