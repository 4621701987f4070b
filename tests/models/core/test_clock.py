"""The clock of a run: CP-SAT's deterministic time is converted to seconds by each model's
calibration, building a model is charged from its size, and the run's deadline ends every
search on it.

Fixture: a CP-SAT model of 2,000 free booleans (nothing to search, so building it is all the
work there is).
"""

import time

import pytest
from ortools.sat.python import cp_model

from sharedprop.models.core.clock import BUILD_SECONDS_PER_VARIABLE, Clock, run_deadline
from sharedprop.models.core.cpsat import solve_model


@pytest.fixture
def wide_model() -> cp_model.CpModel:
    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x{i}") for i in range(2000)]
    model.minimize(sum(x))
    return model


def test_a_calibrated_limit_gives_cpsat_the_deterministic_time_that_lasts_as_long() -> None:
    params = cp_model.CpSolver().parameters
    Clock(deterministic=True).set_limit(params, 2.0, seconds_per_dtime=0.4)
    assert params.max_deterministic_time == pytest.approx(5.0)


def test_a_wall_clock_limit_ignores_the_calibration() -> None:
    params = cp_model.CpSolver().parameters
    Clock(deterministic=False).set_limit(params, 2.0, seconds_per_dtime=0.4)
    assert params.max_time_in_seconds == pytest.approx(2.0)


def test_cpsat_work_is_charged_in_calibrated_seconds_and_building_by_model_size(
    wide_model,
) -> None:
    fast, slow = Clock(deterministic=True), Clock(deterministic=True)
    runs = [
        solve_model(wide_model, time_limit=5.0, workers=1, seed=0, clock=c, seconds_per_dtime=s)
        for c, s in ((fast, 1.0), (slow, 3.0))
    ]
    built = 2000 * BUILD_SECONDS_PER_VARIABLE
    assert all(run.objective == 0 for run in runs)
    assert fast.now() >= built
    # The same search, charged at three times the rate: only the search part triples.
    assert slow.now() - built == pytest.approx(3 * (fast.now() - built), rel=1e-9)


def test_a_search_given_its_limit_on_a_clock_with_a_deadline_ends_there() -> None:
    """The run's wall-clock limit: 0.5 s left, though the search was given 2 s (or 2 units,
    which the safety net would let run 11 s)."""
    for deterministic in (False, True):
        params = cp_model.CpSolver().parameters
        clock = Clock(deterministic=deterministic, deadline=time.monotonic() + 0.5)
        clock.set_limit(params, 2.0)
        assert 0.4 < params.max_time_in_seconds <= 0.5


def test_past_its_deadline_a_deterministic_clock_spends_every_budget_at_once() -> None:
    before = Clock(deterministic=True, deadline=time.monotonic() + 60)
    before.charge(1.5)
    assert before.now() == 1.5
    late = Clock(deterministic=True, deadline=time.monotonic() - 0.01)
    began = late.now()
    time.sleep(0.002)
    assert late.now() - began > 100  # work units: more than any budget of a run


def test_clocks_made_within_a_run_take_its_deadline_and_no_other() -> None:
    at = time.monotonic() + 30
    with run_deadline(at):
        inside = Clock(deterministic=True)
        own = Clock(deterministic=True, deadline=at + 5)
    after = Clock(deterministic=True)
    assert (inside.deadline, own.deadline, after.deadline) == (at, at + 5, None)
