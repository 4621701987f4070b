"""The joint model's one-worker clock (more of the joint model is tested through ``solve`` in
tests/test_solver.py and against brute force in test_brute_force.py).

Fixture: the shipped xiamen-pilot instance (29 communities, 94 package options).
"""

from pathlib import Path

from sharedprop import load_instance
from sharedprop.models.colgen.joint import (
    SETUP_SECONDS_PER_EDGE,
    SETUP_SECONDS_PER_OPTION,
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
