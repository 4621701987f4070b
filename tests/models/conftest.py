"""Fixtures shared by the model tests.

``pilot``: the shipped xiamen-pilot instance (29 communities on a proximity graph, 8 firms,
resources) with its manual plan (``sharedprop.manual.manual_plan``) mapped onto the solver's
options, as (instance, problem, maps, columns). Three packages: enough for regions of whole
packages and for every kind of one-move neighbour.
"""

from pathlib import Path

import pytest

from sharedprop import load_instance
from sharedprop.manual import manual_plan
from sharedprop.models.core.problem import problem_from_instance
from sharedprop.solver import plan_to_columns

PILOT = Path(__file__).resolve().parents[2] / "instances" / "xiamen-pilot"


@pytest.fixture(scope="session")
def pilot():
    instance = load_instance(PILOT)
    problem, maps = problem_from_instance(instance)
    cols = plan_to_columns(problem, maps, instance, manual_plan(instance))
    assert cols is not None and len(cols) >= 2
    return instance, problem, maps, cols
