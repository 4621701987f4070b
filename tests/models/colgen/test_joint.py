"""The joint model's settings and its one-worker clock (more of the joint model is tested
through ``solve`` in tests/test_solver.py and against brute force in test_brute_force.py).

Fixture: the shipped xiamen-pilot instance (29 communities, 94 package options).
"""

from pathlib import Path

import pytest

from sharedprop import load_instance
from sharedprop.models.colgen.joint import (
    SETUP_SECONDS_PER_EDGE,
    SETUP_SECONDS_PER_OPTION,
    JointParams,
    JointSearch,
    solve_joint,
)
from sharedprop.models.colgen.option_bounds import FlatOptions
from sharedprop.models.core.problem import problem_from_instance

PILOT = Path(__file__).resolve().parents[3] / "instances" / "xiamen-pilot"


def test_a_one_worker_joint_solve_charges_its_set_up_before_any_round() -> None:
    # The set-up (an LP column per option, the options' candidates and edges laid flat) once
    # ran uncharged: 1.8 s of wall at 400 communities, against a 4.5-s one-worker budget. With
    # a limit below its charge, no column-generation round may start (no package table: its
    # build is charged before the rounds too).
    problem, _ = problem_from_instance(load_instance(PILOT))
    setup = SETUP_SECONDS_PER_OPTION * len(problem.options)
    setup += SETUP_SECONDS_PER_EDGE * len(FlatOptions(problem).edge_u)
    result = solve_joint(problem, time_limit=0.5 * setup, workers=1, seed=0, package_table=False)
    assert result.stats["rounds"] == 0
    assert result.stats["work"] >= setup


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("time_limit", -1.0),
        ("time_limit", float("nan")),
        ("workers", 0),
        ("seed", -3),
        ("master_share", 1.5),
        ("enumeration_limit", -1),
        ("table_pool", 2.5),
    ],
)
def test_a_setting_out_of_range_is_refused_with_its_name_and_value(field: str, value) -> None:
    settings = {"time_limit": 10.0, field: value}
    with pytest.raises(ValueError, match=rf"JointParams\.{field} must be .*, not {value!r}"):
        JointParams(**settings)


@pytest.mark.parametrize(
    ("workers", "deterministic", "work_clock"),
    [(1, None, True), (2, None, False), (2, True, True), (1, False, False)],
)
def test_the_search_counts_work_with_one_worker_unless_told_otherwise(
    workers: int, deterministic: bool | None, work_clock: bool
) -> None:
    problem, _ = problem_from_instance(load_instance(PILOT))
    params = JointParams(time_limit=1.0, workers=workers, deterministic=deterministic)
    assert JointSearch(problem, params).clock.deterministic is work_clock


def test_solve_joint_passes_deterministic_on_so_two_workers_count_work_units() -> None:
    # On the work clock a limit below the set-up's charge leaves that charge as the whole work
    # done; a wall clock would read the seconds the set-up took instead.
    problem, _ = problem_from_instance(load_instance(PILOT))
    setup = SETUP_SECONDS_PER_OPTION * len(problem.options)
    setup += SETUP_SECONDS_PER_EDGE * len(FlatOptions(problem).edge_u)
    result = solve_joint(
        problem, time_limit=0.5 * setup, workers=2, deterministic=True, package_table=False
    )
    assert result.stats["rounds"] == 0
    assert result.stats["work"] == pytest.approx(setup, rel=1e-12)


def test_a_search_runs_once() -> None:
    problem, _ = problem_from_instance(load_instance(PILOT))
    search = JointSearch(problem, JointParams(time_limit=0.0, workers=1))
    search.run()
    with pytest.raises(RuntimeError, match="called twice"):
        search.run()
