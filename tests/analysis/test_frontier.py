"""The coverage frontier: every floor solved, monotone, each plan meeting its floor."""

from __future__ import annotations

import pytest

from sharedprop import evaluate
from sharedprop.analysis.frontier import frontier, parse_floors
from sharedprop.analysis.scenario import apply_settings
from sharedprop.execute import LocalExecutor
from tests.analysis.cases import two_communities

MONEY = 0.01


def test_on_two_communities_each_floor_costs_what_the_hand_computation_says() -> None:
    """Floor 0: nobody covered, 16,000. Any floor above 0 needs a package, and the package of
    both (18,000) is cheaper than one of one (22,000)."""
    instance = two_communities()

    result = frontier(instance, [0.0, 0.5, 1.0], time_limit=30, work_limit=5, workers=1)

    assert [p.min_coverage for p in result.points] == [0.0, 0.5, 1.0]
    assert [p.objective for p in result.points] == pytest.approx([16_000, 18_000, 18_000])
    assert all(p.proven and p.status == "optimal" for p in result.points)
    for p in result.points:
        scenario = apply_settings(instance, {"policy.min_coverage": p.min_coverage})
        ev = evaluate(scenario, p.plan)
        assert not ev.broken and ev.objective == pytest.approx(p.objective, abs=MONEY)


def test_a_proof_at_the_lowest_floor_settles_every_floor_its_plan_meets() -> None:
    """At 0.25 the package of both communities (18,000) is optimal and covers everyone, so
    0.5, 0.75 and 1.0 are proven by that one solve: the monotone curve needs no more."""
    instance = two_communities()
    solved: list[str] = []

    with LocalExecutor(2) as ex:
        result = frontier(
            instance,
            "0.25:1.0:0.25",
            time_limit=30,
            work_limit=5,
            executor=ex,
            on_progress=lambda done, total, outcome: solved.append(outcome.label),
        )

    assert solved == ["min_coverage=0.25"]
    assert [p.objective for p in result.points] == pytest.approx([18_000] * 4)
    assert all(p.proven and p.plan_from == 0.25 for p in result.points)
    for p in result.points:
        scenario = apply_settings(instance, {"policy.min_coverage": p.min_coverage})
        assert not evaluate(scenario, p.plan).broken


def test_points_solved_side_by_side_never_fall_as_the_floor_rises() -> None:
    """From floor 0 (nobody covered is optimal) the other floors run on two workers; the
    bounds never exceed the plans and every plan meets its own floor."""
    instance = two_communities()

    with LocalExecutor(2) as ex:
        result = frontier(instance, [0.0, 0.5, 1.0], time_limit=30, work_limit=5, executor=ex)

    objectives = [p.objective for p in result.points]
    assert objectives == sorted(objectives)
    assert all(p.bound is not None and p.bound <= p.objective + MONEY for p in result.points)
    for p in result.points:
        scenario = apply_settings(instance, {"policy.min_coverage": p.min_coverage})
        assert not evaluate(scenario, p.plan).broken


def test_the_same_seed_and_work_limit_give_the_same_frontier_on_one_worker_and_two() -> None:
    instance = two_communities()
    one = frontier(instance, [0.5, 1.0], time_limit=30, work_limit=5, workers=1)
    with LocalExecutor(2) as ex:
        two = frontier(instance, [0.5, 1.0], time_limit=30, work_limit=5, executor=ex)
    assert [p.plan for p in one.points] == [p.plan for p in two.points]
    assert [p.objective for p in one.points] == [p.objective for p in two.points]


@pytest.mark.parametrize(
    ("text", "floors"),
    [
        ("0.5:1.0:0.25", [0.5, 0.75, 1.0]),
        ("50%:100%:25%", [0.5, 0.75, 1.0]),
        ("1, 0.6,0.8", [0.6, 0.8, 1.0]),
        ("0.5:1.0:0.05", [round(0.5 + 0.05 * k, 10) for k in range(11)]),
    ],
)
def test_floors_are_read_as_ranges_or_lists(text: str, floors: list[float]) -> None:
    assert parse_floors(text) == pytest.approx(floors)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0.5:1.2:0.1", r"a coverage floor must be between 0 and 1, got '1.2'"),
        ("1.0:0.5:0.1", r"write START:STOP:STEP with STOP >= START"),
        ("half", r"write START:STOP:STEP such as 0.5:1.0:0.05"),
    ],
)
def test_a_wrong_coverage_spec_says_how_to_write_one(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_floors(text)
