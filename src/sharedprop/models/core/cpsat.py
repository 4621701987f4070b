"""Running a CP-SAT model the same way for every array-level model: limits, seed, progress.

Both models report ``(seconds, objective, bound)`` to an optional ``on_progress`` callback each
time CP-SAT finds a better solution or proves a better bound, and record the wall time of the
last improving solution (``time_to_incumbent``). ``workers=1`` with a fixed ``seed`` makes a run
repeat exactly when the caller passes a deterministic :class:`~sharedprop.models.core.clock.Clock`:
the limit is then CP-SAT's deterministic time, not a wall-clock point that differs between runs.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

from ortools.sat.python import cp_model

from sharedprop.models.core.clock import Clock

Status = Literal["optimal", "feasible", "infeasible", "unknown"]
Progress = Callable[[float, int | None, int | None], None]

_STATUS: dict[int, Status] = {
    cp_model.OPTIMAL: "optimal",
    cp_model.FEASIBLE: "feasible",
    cp_model.INFEASIBLE: "infeasible",
    cp_model.UNKNOWN: "unknown",
}


@dataclass
class Run:
    """What one CP-SAT solve produced; ``solver`` holds the values of the final solution."""

    solver: cp_model.CpSolver
    status: Status
    objective: int | None
    bound: int | None
    seconds: float
    time_to_incumbent: float | None


class _Reporter(cp_model.CpSolverSolutionCallback):
    """Forwards improving solutions and bounds to ``on_progress``; CP-SAT calls it from its
    threads."""

    def __init__(
        self,
        on_progress: Progress | None,
        offset: float,
        started: float,
        stop_below: int | None = None,
    ):
        super().__init__()
        self._stop_below = stop_below
        self._on_progress = on_progress
        self._offset = offset
        self._started = started
        self._lock = threading.Lock()
        self.best: int | None = None
        self.bound: int | None = None
        self.last_solution_at: float | None = None

    def elapsed(self) -> float:
        return self._offset + time.perf_counter() - self._started

    def on_solution_callback(self) -> None:
        value = int(round(self.objective_value))
        with self._lock:
            if self.best is not None and value >= self.best:
                return
            self.best = value
            self.last_solution_at = self.elapsed()
            self._emit()
        if self._stop_below is not None and value < self._stop_below:
            self.stop_search()

    def on_bound(self, bound: float) -> None:
        value = _ceil(bound)
        with self._lock:
            if self.bound is not None and value <= self.bound:
                return
            self.bound = value
            self._emit()

    def _emit(self) -> None:
        if self._on_progress is not None:
            self._on_progress(self.elapsed(), self.best, self.bound)


def _ceil(value: float) -> int:
    # CP-SAT reports integral bounds for integral objectives as floats; guard float noise only.
    return int(math.ceil(value - 1e-6))


def solve_model(
    model: cp_model.CpModel,
    *,
    time_limit: float,
    workers: int,
    seed: int,
    on_progress: Progress | None = None,
    parameters: Mapping[str, object] | None = None,
    elapsed_before: float = 0.0,
    stop_below: int | None = None,
    clock: Clock | None = None,
    on_start: Callable[[cp_model.CpSolver], None] | None = None,
    seconds_per_dtime: float = 1.0,
) -> Run:
    """Solve ``model`` (a minimisation with an integer objective) and describe the outcome.

    ``elapsed_before`` shifts the reported times so that work done before the model (a
    heuristic, a bound) is part of ``seconds`` and ``time_to_incumbent``. ``stop_below`` ends
    the search at the first solution cheaper than it (the caller then tightens its model).
    With a deterministic ``clock`` (one worker) the limit is CP-SAT's deterministic time and the
    work is charged to the clock, so that the run repeats exactly. ``on_start`` receives the
    solver before the search starts (another thread may then call its ``stop_search``).
    ``seconds_per_dtime`` calibrates the model's deterministic time
    (:mod:`sharedprop.models.core.clock`).
    """
    solver = cp_model.CpSolver()
    # OR-Tools would install its own SIGINT handler and reset ours after each solve;
    # the CLI's handler must survive so Ctrl-C keeps the best plan.
    solver.parameters.catch_sigint_signal = False
    params = solver.parameters
    if clock is not None and clock.deterministic:
        time_limit = clock.charge_build(model, time_limit)
        clock.set_limit(params, time_limit, seconds_per_dtime)
    else:
        params.max_time_in_seconds = max(0.0, float(time_limit))
    params.num_workers = max(1, int(workers))
    params.random_seed = int(seed)
    for key, value in (parameters or {}).items():
        if isinstance(value, list | tuple):
            repeated = getattr(params, key)
            repeated.clear()
            repeated.extend(value)
        else:
            setattr(params, key, value)
    started = time.perf_counter()
    reporter = _Reporter(on_progress, elapsed_before, started, stop_below)
    solver.best_bound_callback = reporter.on_bound
    if on_start is not None:
        on_start(solver)
    code = solver.solve(model, reporter)
    if clock is not None:
        clock.charge_cpsat(solver, seconds_per_dtime)
    if code == cp_model.MODEL_INVALID:
        raise ValueError(f"internal error: CP-SAT rejected the model: {model.validate()}")
    status = _STATUS[code]
    has_solution = status in ("optimal", "feasible")
    objective = int(round(solver.objective_value)) if has_solution else None
    bound: int | None
    if status == "optimal":
        bound = objective
    elif status == "infeasible":
        bound = None
    else:
        raw = solver.best_objective_bound
        bound = _ceil(raw) if math.isfinite(raw) else None
    seconds = elapsed_before + time.perf_counter() - started
    tti = reporter.last_solution_at if has_solution else None
    if has_solution and tti is None:  # the hint itself was optimal: CP-SAT found it at once
        tti = elapsed_before
    if on_progress is not None and status == "optimal":
        on_progress(seconds, objective, bound)
    return Run(solver, status, objective, bound, seconds, tti)
