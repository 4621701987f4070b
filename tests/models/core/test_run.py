"""The run context: limits, what a step of a run may take, when it stops, and what ended it."""

from __future__ import annotations

import time

import pytest

from sharedprop.models.core.run import RunContext


def test_a_work_limit_needs_one_worker() -> None:
    with pytest.raises(ValueError, match=r"needs workers=1 \(got workers=2\)"):
        RunContext(time_limit=10, work_limit=5, workers=2)


def test_the_steps_budget_work_on_a_repeatable_run_and_seconds_otherwise() -> None:
    repeatable = RunContext(time_limit=60, work_limit=5, workers=1)
    wall = RunContext(time_limit=60, workers=1)
    assert (repeatable.deterministic, repeatable.limit) == (True, 5)
    assert (wall.deterministic, wall.limit) == (False, 60)
    assert repeatable.clock().deterministic and not wall.clock().deterministic
    assert repeatable.clock().deadline == repeatable.deadline


def test_a_step_gets_its_own_budget_but_stops_at_the_runs_deadline() -> None:
    run = RunContext(time_limit=1.0, workers=1, started=time.monotonic() - 0.8)
    step = run.part(5.0)
    # On the wall clock a step cannot have more than the run has left.
    assert step.limit <= 0.2 + 1e-6
    assert step.deadline == run.deadline
    counted = RunContext(time_limit=1.0, work_limit=9, workers=1).part(3.0)
    assert counted.limit == 3.0 and counted.deterministic


def test_a_run_stops_at_its_deadline_or_when_the_caller_asks() -> None:
    asked = [False]
    run = RunContext(time_limit=60, workers=1, stop=lambda: asked[0])
    assert not run.stopped()
    asked[0] = True
    assert run.stopped() and run.interrupted()
    late = RunContext(time_limit=0.5, workers=1, started=time.monotonic() - 1.0)
    assert late.stopped() and late.out_of_time() and not late.interrupted()
    assert late.part(10.0, stop=lambda: False).stopped()  # the step keeps the run's deadline


@pytest.mark.parametrize(
    ("work_limit", "late", "asked", "proven", "cause"),
    [
        (None, False, True, True, "interrupt"),
        (None, False, False, True, "proof"),
        (None, False, False, False, "time"),
        (5.0, False, False, False, "work"),
        (5.0, True, False, False, "time"),
    ],
)
def test_what_ended_a_run(
    work_limit: float | None, late: bool, asked: bool, proven: bool, cause: str
) -> None:
    run = RunContext(
        time_limit=1.0,
        work_limit=work_limit,
        workers=1,
        stop=lambda: asked,
        started=time.monotonic() - (2.0 if late else 0.0),
    )
    assert run.stopped_by(proven) == cause
