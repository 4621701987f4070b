"""The two-stage model within a run: fixed shares of a work limit, and no stage started that the
wall-clock limit leaves no time for.

Fixture: a generated street of 30 communities, 4 firms and 3 resources (seed 1), with its
manual-like baseline as the plan stage 1 starts from (as ``solve`` hands it in).
"""

from __future__ import annotations

import time

import pytest

from sharedprop import load_instance
from sharedprop.generate import generate_instance
from sharedprop.manual import manual_plan
from sharedprop.models.classic import two_stage
from sharedprop.models.classic.two_stage import STAGE_SHARES, solve_two_stage
from sharedprop.models.core.problem import problem_from_instance
from sharedprop.models.core.run import RunContext
from sharedprop.solver import plan_to_columns


@pytest.fixture(scope="module")
def street30(tmp_path_factory: pytest.TempPathFactory):
    folder = generate_instance(
        tmp_path_factory.mktemp("street30"), communities=30, streets=1, firms=4, resources=3, seed=1
    )
    instance = load_instance(folder)
    problem, maps = problem_from_instance(instance)
    baseline = plan_to_columns(problem, maps, instance, manual_plan(instance))
    assert baseline is not None
    return problem, maps, [baseline]


def test_a_repeatable_run_gives_each_stage_its_share_and_repeats(street30) -> None:
    problem, maps, initial = street30
    repeatable = RunContext(time_limit=120, work_limit=5, workers=1)
    runs = [solve_two_stage(problem, maps, repeatable, initial=initial) for _ in range(2)]
    assert runs[0].objective is not None
    assert runs[0].columns == runs[1].columns
    assert runs[0].stats["work"] == pytest.approx(5 * sum(STAGE_SHARES))


def test_on_the_wall_clock_a_stage_1_model_that_cannot_be_built_in_time_is_not_started(
    street30, monkeypatch: pytest.MonkeyPatch
) -> None:
    problem, maps, initial = street30
    monkeypatch.setattr(two_stage, "BUILD_SECONDS_PER_ARC", 1.0)  # every model is too large
    began = time.monotonic()

    jr = solve_two_stage(problem, maps, RunContext(time_limit=30, workers=1), initial=initial)

    assert jr.objective is None and jr.status == "unknown"
    assert jr.stats["stage1"] == "skipped: no time to build the model"
    assert time.monotonic() - began < 5.0


def test_the_stage_1_build_estimate_counts_an_arc_per_member_and_neighbour(street30) -> None:
    problem, maps, _ = street30
    inp = two_stage._stage1_input(problem, maps)
    arcs = sum(
        1
        for h in range(inp.n)
        for i in range(inp.n)
        if inp.allowed[i, h]
        for j in inp.adjacency[i]
        if inp.allowed[j, h]
    )
    assert arcs > 0
    assert two_stage._build_seconds(inp) == pytest.approx(two_stage.BUILD_SECONDS_PER_ARC * arcs)
