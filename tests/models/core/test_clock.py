"""The deterministic clock of one-worker runs: CP-SAT's deterministic time is converted to
seconds by each model's calibration, and building a model is charged from its size.

Fixture: a CP-SAT model of 2,000 free booleans (nothing to search, so building it is all the
work there is).
"""

import pytest
from ortools.sat.python import cp_model

from sharedprop.models.core.clock import BUILD_SECONDS_PER_VARIABLE, Clock
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
