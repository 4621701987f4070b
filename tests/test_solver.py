"""``sharedprop.solve``: locks, repeatability, hints, infeasibility in words, time-outs, progress,
and plans that obey every rule on the shipped pilot and on generated streets.

Instances: ``street20`` (generated, 20 communities in one street, 3 firms, 2 resources) for the
quick checks; ``street40`` (generated, 40 communities in two streets, 4 firms, 4 resources),
solved once per module with its progress recorded; the tiny instance of ``conftest.py`` made
infeasible on purpose; ``instances/xiamen-pilot``.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from sharedprop import (
    Instance,
    Lock,
    Package,
    Plan,
    ProgressPoint,
    Result,
    evaluate,
    load_instance,
    read_plan,
    solve,
    write_plan,
)
from sharedprop.generate import generate_instance
from sharedprop.io.plans import canonical_plan
from sharedprop.models.colgen import joint
from tests.checks import YUAN, assert_plan_obeys_every_rule_and_matches_evaluate

REPO = Path(__file__).resolve().parents[1]
PILOT = REPO / "instances" / "xiamen-pilot"
STATUSES = {"optimal", "feasible", "infeasible", "unknown"}
# A wall-clock limit that the repeatable (work-limited) runs here never reach: they must end on
# their work limit to repeat.
WALL = 120.0


@pytest.fixture(scope="module")
def street20(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated street: 20 communities, 1 street, 3 firms, 2 resources (seed 1)."""
    return generate_instance(
        tmp_path_factory.mktemp("street20"), communities=20, streets=1, firms=3, resources=2, seed=1
    )


@pytest.fixture(scope="module")
def street40(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated district corner: 40 communities, 2 streets, 4 firms, 4 resources (seed 2)."""
    return generate_instance(
        tmp_path_factory.mktemp("street40"), communities=40, streets=2, firms=4, resources=4, seed=2
    )


@dataclass(frozen=True)
class Solved:
    instance: Instance
    result: Result
    progress: list[ProgressPoint]


@pytest.fixture(scope="module")
def solved40(street40: Path) -> Solved:
    """``street40`` solved once (4 s, 2 workers) with every progress point kept."""
    instance = load_instance(street40)
    points: list[ProgressPoint] = []
    result = solve(instance, time_limit=4, workers=2, seed=0, on_progress=points.append)
    return Solved(instance, result, points)


def firm_of(plan: Plan) -> dict[str, str]:
    return {m: p.firm_id for p in plan.packages for m in p.members}


# -- locks ------------------------------------------------------------------------------------


def test_must_and_forbid_locks_hold_in_the_solved_plan(street20: Path) -> None:
    instance = load_instance(street20)
    manual = read_plan(street20 / "plans" / "manual.csv", instance)
    manual_firm = firm_of(manual)
    # Forbid the firm the manual planner chose for one community ...
    forbidden_cid, forbidden_firm = sorted(manual_firm.items())[0]
    # ... and require, for another, a firm other than the manual one that can put a hub on it.
    must = next(
        (c.id, f.id)
        for c in instance.communities
        if c.id != forbidden_cid
        for f in instance.firms
        if f.id != manual_firm.get(c.id)
        and f.max_packages > 0
        and f.capacity_households >= c.households
        and instance.distance_m(f, c) <= f.service_radius_m
    )
    locked = replace(
        instance,
        locks=(Lock(forbidden_cid, forbidden_firm, "forbid"), Lock(must[0], must[1], "must")),
    )

    result = solve(locked, time_limit=WALL, work_limit=3, workers=1)

    assert_plan_obeys_every_rule_and_matches_evaluate(locked, result)
    served_by = firm_of(result.plan)
    assert served_by[must[0]] == must[1]
    assert served_by.get(forbidden_cid) != forbidden_firm


# -- repeatability and hints -----------------------------------------------------------------


def test_the_same_seed_with_one_worker_gives_the_same_plan_and_the_same_bytes(
    street20: Path, tmp_path: Path
) -> None:
    instance = load_instance(street20)
    runs = [solve(instance, time_limit=WALL, work_limit=2, workers=1, seed=7) for _ in range(2)]
    assert runs[0].plan is not None
    assert runs[0].plan == runs[1].plan
    for k, run in enumerate(runs):
        write_plan(canonical_plan(run.plan), tmp_path / f"run{k}" / "plan.csv")
    for name in ("plan.csv", "plan_resources.csv"):
        assert (tmp_path / "run0" / name).read_bytes() == (tmp_path / "run1" / name).read_bytes()


def test_the_manual_plan_as_a_hint_is_accepted_and_never_beaten_by_the_result(
    street20: Path,
) -> None:
    instance = load_instance(street20)
    manual = read_plan(street20 / "plans" / "manual.csv", instance)
    hint = evaluate(instance, manual)
    assert hint.broken == ()

    result = solve(instance, time_limit=WALL, work_limit=2, workers=1, initial_plan=manual)

    assert_plan_obeys_every_rule_and_matches_evaluate(instance, result)
    assert result.objective <= hint.objective + YUAN


def test_a_good_hint_carries_a_short_run(solved40: Solved) -> None:
    """Half a second is too little to find the 4-second plan again; starting from it, the
    result can only be as good or better."""
    hint = solved40.result.plan
    assert hint is not None
    hint_objective = evaluate(solved40.instance, hint).objective

    result = solve(solved40.instance, time_limit=WALL, work_limit=0.5, workers=1, initial_plan=hint)

    assert_plan_obeys_every_rule_and_matches_evaluate(solved40.instance, result)
    assert result.objective <= hint_objective + YUAN


def test_a_hint_without_hubs_is_accepted(street20: Path) -> None:
    """Manual plans carry no hub: the evaluator's best hub is used for the hint."""
    instance = load_instance(street20)
    manual = read_plan(street20 / "plans" / "manual.csv", instance)
    no_hubs = Plan(tuple(replace(p, hub_id=None) for p in manual.packages), name="no-hubs")
    hint_objective = evaluate(instance, no_hubs).objective

    result = solve(instance, time_limit=WALL, work_limit=1, workers=1, initial_plan=no_hubs)

    assert_plan_obeys_every_rule_and_matches_evaluate(instance, result)
    assert result.objective <= hint_objective + YUAN


# -- infeasibility in words -------------------------------------------------------------------


def test_a_community_beyond_every_firms_reach_is_named_with_its_distance(
    tiny_files, write_instance
) -> None:
    """玉亭里 (C06) moves about 20 km east; packages may reach only 1 km from their hub."""
    tiny_files.toml = tiny_files.toml.replace(
        "[policy]\n", "[policy]\nallow_uncovered = false\npackage_max_radius_m = 1000\n"
    )
    tiny_files.set("communities", 5, "lon", 118.32)
    instance = load_instance(write_instance(tiny_files))

    result = solve(instance, time_limit=5, workers=1)

    assert result.status == "infeasible"
    assert result.stopped_by == "proof"
    assert result.plan is None and result.objective is None
    c06 = instance.community("C06")
    nearest = min(instance.distance_m(f, c06) for f in instance.firms)
    (reason,) = [r for r in result.reasons if "C06" in r]
    match = re.fullmatch(
        r"community C06 \(玉亭里\) must be covered \(allow_uncovered = false\) but no firm can "
        r"place a hub within reach: the closest firm relative to its service radius is (F\d) "
        r"\(.+\) at ([\d,]+) m with service_radius_m = 3,000",
        reason,
    )
    assert match, reason
    assert int(match.group(2).replace(",", "")) == pytest.approx(nearest, abs=1)


def test_capacity_below_the_households_to_cover_is_reported_with_both_numbers(
    tiny_files, write_instance
) -> None:
    """Every household must be covered (470) but the firms can take 100 + 200 = 300."""
    tiny_files.toml = tiny_files.toml.replace("[policy]\n", "[policy]\nallow_uncovered = false\n")
    tiny_files.set("firms", 0, "capacity_households", 100)
    tiny_files.set("firms", 1, "capacity_households", 200)
    instance = load_instance(write_instance(tiny_files))

    result = solve(instance, time_limit=5, workers=1)

    assert result.status == "infeasible"
    assert result.plan is None
    assert any(
        re.fullmatch(
            r"470 households must be covered but all firms together can take only 300 "
            r"\(sum of capacity_households\)",
            r,
        )
        for r in result.reasons
    ), result.reasons


# -- time-outs and progress -------------------------------------------------------------------


def test_a_tiny_time_limit_returns_a_result_instead_of_raising(street40: Path) -> None:
    instance = load_instance(street40)

    result = solve(instance, time_limit=0.05, workers=1)

    assert isinstance(result, Result)
    assert result.status in STATUSES
    assert (result.plan is None) == (result.objective is None)
    if result.plan is not None:
        assert_plan_obeys_every_rule_and_matches_evaluate(instance, result)


def test_progress_points_report_an_objective_that_never_gets_worse(solved40: Solved) -> None:
    objectives = [p.objective for p in solved40.progress if p.objective is not None]
    assert objectives, "no progress point carried an objective"
    assert all(isinstance(p, ProgressPoint) for p in solved40.progress)
    assert all(b <= a + 1e-6 for a, b in zip(objectives, objectives[1:], strict=False))
    assert objectives[-1] == pytest.approx(solved40.result.objective, abs=YUAN)


def test_progress_time_runs_forward(solved40: Solved) -> None:
    seconds = [p.seconds for p in solved40.progress]
    assert seconds == sorted(seconds)


# -- plans on realistic instances -------------------------------------------------------------


def test_the_generated_40_community_plan_obeys_every_rule_and_matches_evaluate(
    solved40: Solved,
) -> None:
    assert solved40.result.status in {"optimal", "feasible"}
    assert_plan_obeys_every_rule_and_matches_evaluate(solved40.instance, solved40.result)
    if solved40.result.best_bound is not None:
        assert solved40.result.best_bound <= solved40.result.objective + YUAN


def test_the_xiamen_pilot_plan_obeys_every_rule_and_beats_the_manual_plan() -> None:
    instance = load_instance(PILOT)
    manual = evaluate(instance, read_plan(PILOT / "plans" / "manual.csv", instance))

    result = solve(instance, time_limit=8, workers=2)

    assert_plan_obeys_every_rule_and_matches_evaluate(instance, result)
    assert result.objective <= manual.objective + YUAN
    if result.best_bound is not None:
        assert result.best_bound <= result.objective + YUAN


def test_an_unknown_strategy_is_refused_by_name(street20: Path) -> None:
    with pytest.raises(
        ValueError, match=r"strategy must be one of auto, joint, two-stage, streets, got 'x'"
    ):
        solve(load_instance(street20), time_limit=1, strategy="x")


def test_a_package_of_the_plan_is_well_formed(solved40: Solved) -> None:
    """Every package names its hub among its members and the plan covers no community twice."""
    plan = solved40.result.plan
    assert plan is not None
    members = [m for p in plan.packages for m in p.members]
    assert len(members) == len(set(members))
    assert all(isinstance(p, Package) and p.hub_id in p.members for p in plan.packages)


def test_the_two_stage_strategy_gives_a_plan_that_obeys_every_rule(street40: Path) -> None:
    instance = load_instance(street40)

    result = solve(instance, time_limit=WALL, work_limit=3, workers=1, strategy="two-stage")

    assert result.strategy == "two-stage"
    assert_plan_obeys_every_rule_and_matches_evaluate(instance, result)


# -- region search (used above REGION_MIN_OPTIONS options; forced here on a small street) -----


def test_region_search_and_the_bound_without_contiguity_keep_every_rule_and_repeat(
    street40: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sharedprop.solver as solver_module

    monkeypatch.setattr(solver_module, "REGION_MIN_OPTIONS", 0)
    # 0.7-s regions: each region's solve must end well inside its wall-clock safety net
    # (5 x 0.7 + 1 s) for the runs to repeat: every step of the search must be charged what it
    # costs.
    monkeypatch.setattr(solver_module, "REGION_TIME", 0.7)
    monkeypatch.setattr(solver_module, "RELAXED_SHARE", 0.1)
    instance = load_instance(street40)
    # The first of these may be the process's first solve, with a cold numba cache on a fresh
    # checkout: solve compiles its kernels before searching (models/kernels.py), else the
    # compile could trip a region solve's wall-clock safety net and the runs could differ.
    runs = [solve(instance, time_limit=WALL, work_limit=4, workers=1, seed=2) for _ in range(2)]
    assert (runs[0].stats.regions or 0) >= 1
    assert runs[0].stats.relaxed_bound is not None
    assert runs[0].best_bound is not None
    assert runs[0].best_bound <= runs[0].objective
    assert_plan_obeys_every_rule_and_matches_evaluate(instance, runs[0])
    assert runs[0].plan == runs[1].plan


def test_with_two_workers_the_solver_runs_the_bound_beside_the_search(
    street40: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sharedprop.solver as solver_module

    monkeypatch.setattr(solver_module, "REGION_MIN_OPTIONS", 0)
    monkeypatch.setattr(solver_module, "REGION_TIME", 0.7)
    instance = load_instance(street40)
    assert threading.active_count() == 1  # else the solver may not fork

    result = solve(instance, time_limit=6, workers=2, seed=1)

    assert result.stats.relaxed_in_parallel is True
    assert result.stats.relaxed_bound <= result.objective + 0.01
    assert result.best_bound is not None and result.best_bound <= result.objective
    assert_plan_obeys_every_rule_and_matches_evaluate(instance, result)


def test_below_400_options_only_a_second_process_adds_the_bound_without_contiguity(
    street40: Path,
) -> None:
    """One worker must repeat exactly, so it spends no time on that bound below 400 options;
    with two the bound costs the search nothing and is reported."""
    instance = load_instance(street40)
    assert threading.active_count() == 1  # else the solver may not fork

    one = solve(instance, time_limit=WALL, work_limit=3, workers=1, seed=1)
    two = solve(instance, time_limit=3, workers=2, seed=1)

    assert one.stats.relaxed_bound is None
    assert two.stats.relaxed_in_parallel is True
    assert two.best_bound is not None and two.best_bound <= two.objective
    assert_plan_obeys_every_rule_and_matches_evaluate(instance, two)


@pytest.mark.parametrize("strategy", ["auto", "two-stage", "streets"])
def test_a_run_stopped_at_once_still_returns_the_plan_it_was_handed(
    solved40: Solved, strategy: str
) -> None:
    """Ctrl-C at the first poll: every strategy returns a plan at least as good as the hint.
    (The two-stage and street-by-street strategies only steer by a hint; stopped at once they
    returned 562,543 and 1,233,200 yuan against a 440,000-yuan hint before the result kept it.)"""
    hint = solved40.result.plan
    assert hint is not None
    hint_objective = evaluate(solved40.instance, hint).objective

    result = solve(
        solved40.instance,
        time_limit=5,
        workers=1,
        strategy=strategy,
        initial_plan=hint,
        stop=lambda: True,
    )

    assert result.stopped_by == "interrupt"
    assert result.status == "feasible" or result.status == "optimal"
    assert_plan_obeys_every_rule_and_matches_evaluate(solved40.instance, result)
    assert result.objective <= hint_objective + YUAN


def test_joint_masters_on_the_lp_ranked_columns_keep_every_rule_and_repeat(
    street40: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The 40-community pools stay far below ``RANKED_MASTER_COLUMNS``; at 50 the joint model's
    integer masters run on the LP's 50 cheapest columns (and the incumbent's)."""
    monkeypatch.setattr(joint, "RANKED_MASTER_COLUMNS", 50)
    instance = load_instance(street40)
    runs = [
        solve(instance, time_limit=WALL, work_limit=3, workers=1, seed=2, strategy="joint")
        for _ in range(2)
    ]
    assert runs[0].stats.search["ranked_masters"] >= 1
    assert runs[0].plan == runs[1].plan
    assert_plan_obeys_every_rule_and_matches_evaluate(instance, runs[0])


# -- limits: wall-clock time always, work for repeatable runs --------------------------------


def test_a_work_limit_with_two_workers_is_refused_by_name(street20: Path) -> None:
    with pytest.raises(
        ValueError,
        match=r"work_limit makes a run repeatable, which needs workers=1 \(got workers=2",
    ):
        solve(load_instance(street20), time_limit=5, work_limit=2, workers=2)


@pytest.mark.parametrize(
    ("limits", "message"),
    [
        ({"time_limit": 0}, r"time_limit must be a positive number of seconds, got 0"),
        ({"time_limit": float("nan")}, r"time_limit must be a positive number of seconds"),
        ({"work_limit": -1.0}, r"work_limit must be a positive number of seconds, got -1\.0"),
    ],
    ids=["zero-time", "nan-time", "negative-work"],
)
def test_a_limit_that_is_not_a_positive_number_is_refused_by_name(
    street20: Path, limits: dict, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        solve(load_instance(street20), workers=1, **limits)


def test_a_repeatable_run_ends_on_its_work_limit_and_records_both_limits(street20: Path) -> None:
    result = solve(load_instance(street20), time_limit=WALL, work_limit=1, workers=1, seed=4)

    assert result.stopped_by == ("proof" if result.status == "optimal" else "work")
    assert (result.time_limit, result.work_limit, result.workers) == (WALL, 1.0, 1)
    assert result.repeatable is True


def test_the_wall_clock_limit_cuts_a_repeatable_run_and_the_result_says_so(
    street40: Path,
) -> None:
    """A thousand work units cannot be spent in 1.5 s: the wall-clock limit ends the run (a
    proof could come first, never the work limit), within about a second."""
    instance = load_instance(street40)

    result = solve(instance, time_limit=1.5, work_limit=1000, workers=1)

    assert result.stopped_by == ("proof" if result.status == "optimal" else "time")
    assert result.repeatable is (result.stopped_by == "proof")
    assert result.runtime_s < 1.5 + 2.0
    assert_plan_obeys_every_rule_and_matches_evaluate(instance, result)


def test_one_worker_without_a_work_limit_searches_on_the_wall_clock(
    street40: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every model hears the run's choice: the joint model and both stages of the warm start
    count wall seconds with one worker unless a work limit asks for a repeatable run."""
    import sharedprop.models.classic.two_stage as two_stage
    import sharedprop.solver as solver_module

    seen: list[tuple[str, bool]] = []

    def recording(name: str, model):
        def call(*args, **kwargs):
            seen.append((name, kwargs["deterministic"]))
            return model(*args, **kwargs)

        return call

    monkeypatch.setattr(solver_module, "solve_joint", recording("joint", solver_module.solve_joint))
    for name in ("solve_clustering", "solve_assignment"):
        monkeypatch.setattr(two_stage, name, recording(name, getattr(two_stage, name)))
    instance = load_instance(street40)

    wall = solve(instance, time_limit=2, workers=1)
    counted = dict(seen)
    seen.clear()
    work = solve(instance, time_limit=WALL, work_limit=2, workers=1)

    assert counted == {"joint": False, "solve_clustering": False, "solve_assignment": False}
    assert dict(seen) == {"joint": True, "solve_clustering": True, "solve_assignment": True}
    assert (wall.work_limit, work.work_limit) == (None, 2.0)
    assert wall.stopped_by in ("time", "proof")
