"""A grid of scenarios, each solved on an executor: the general what-if.

Every scenario is the instance with some settings changed (:mod:`sharedprop.analysis.scenario`),
solved by :func:`sharedprop.solve` as its own task, one worker each, so the scenarios run side
by side on the cores of this machine (the default local pool) or on a Dask cluster
(:mod:`sharedprop.execute`). The instance goes to each worker once. Each task scores its plan
with :func:`sharedprop.evaluate` under its own scenario, so every figure in the table is the
evaluator's. With a ``work_limit`` and a seed every scenario repeats exactly, on any executor.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sharedprop.analysis.scenario import (
    Variation,
    apply_settings,
    parse_variation,
    scenario_grid,
    scenario_label,
)
from sharedprop.data import Instance
from sharedprop.evaluate import Evaluation, evaluate
from sharedprop.execute import Executor, executor_from
from sharedprop.plan import Plan
from sharedprop.result import Result
from sharedprop.solver import solve


@dataclass(frozen=True)
class SolveSettings:
    """How each scenario is solved: the options ``sharedprop solve`` takes, per solve."""

    time_limit: float = 60.0
    work_limit: float | None = None
    seed: int = 0
    strategy: str = "auto"
    workers: int = 1  # cores of one solve (a local pool's task may use more than its own)

    def __post_init__(self) -> None:
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1, got {self.workers!r}")
        if not self.time_limit > 0:
            raise ValueError(f"time_limit must be > 0 seconds, got {self.time_limit!r}")
        if self.work_limit is not None and not self.work_limit > 0:
            raise ValueError(f"work_limit must be > 0, got {self.work_limit!r}")


@dataclass(frozen=True)
class ScenarioOutcome:
    """One scenario solved: its settings, the solver's result and the evaluator's figures."""

    label: str
    settings: Mapping[str, Any]
    result: Result
    evaluation: Evaluation | None

    @property
    def plan(self) -> Plan | None:
        return self.result.plan

    def row(self) -> dict[str, Any]:
        """The scenario as one row of the sweep's table."""
        ev, res = self.evaluation, self.result
        return {
            "scenario": self.label,
            **dict(self.settings),
            "status": res.status,
            "objective": res.objective,
            "bound": res.best_bound,
            "gap": res.gap,
            "public_money": ev.public_money if ev else None,
            "subsidy": ev.subsidy if ev else None,
            "total_cost": ev.total_cost if ev else None,
            "coverage": ev.coverage if ev else None,
            "coverage_households": ev.coverage_households if ev else None,
            "packages": len(ev.packages) if ev else None,
            "broken": len(ev.broken) if ev else None,
            "runtime_s": res.runtime_s,
            "stopped_by": res.stopped_by,
        }


@dataclass(frozen=True)
class ScenarioTask:
    """What a worker needs besides the shared instance: one scenario and how to solve it."""

    label: str
    settings: Mapping[str, Any]
    solve: SolveSettings
    hint: Plan | None = None


def run_scenario(instance: Instance, task: ScenarioTask) -> ScenarioOutcome:
    """Solve and score one scenario (the task an executor runs)."""
    scenario = apply_settings(instance, task.settings)
    s = task.solve
    result = solve(
        scenario,
        time_limit=s.time_limit,
        work_limit=s.work_limit,
        seed=s.seed,
        workers=s.workers,
        strategy=s.strategy,
        initial_plan=task.hint,
    )
    ev = evaluate(scenario, result.plan) if result.plan is not None else None
    return ScenarioOutcome(task.label, dict(task.settings), result, ev)


Progress = Callable[[int, int, ScenarioOutcome], None]


@dataclass
class SweepResult:
    """Every scenario's outcome, in the grid's order, with a table of them."""

    outcomes: list[ScenarioOutcome] = field(default_factory=list)

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([o.row() for o in self.outcomes])

    @property
    def plans(self) -> dict[str, Plan]:
        return {o.label: o.plan for o in self.outcomes if o.plan is not None}


def run_tasks(
    instance: Instance,
    tasks: Sequence[ScenarioTask],
    executor: Executor,
    on_progress: Progress | None = None,
) -> list[ScenarioOutcome]:
    """Run ``tasks`` on ``executor`` (the instance shared once); outcomes in task order."""
    shared = executor.share(instance)
    submitted = [executor.submit(run_scenario, shared, t) for t in tasks]
    # Task.index counts the executor's tasks since it opened, not this batch's.
    position = {task.index: k for k, task in enumerate(submitted)}
    outcomes: list[ScenarioOutcome | None] = [None] * len(tasks)
    for done, task in enumerate(executor.as_completed(submitted, ordered=executor.workers == 1)):
        outcome = task.result()
        outcomes[position[task.index]] = outcome
        if on_progress is not None:
            on_progress(done + 1, len(tasks), outcome)
    return [o for o in outcomes if o is not None]


def _variations(vary: Sequence[Variation | str] | Mapping[str, Sequence[Any]]) -> list[Variation]:
    if isinstance(vary, Mapping):
        out = []
        for name, values in vary.items():
            table, _, key = name.partition(".")
            text = ",".join("none" if v is None else str(v) for v in values)
            out.append(parse_variation(f"{table}.{key}={text}"))
        return out
    return [v if isinstance(v, Variation) else parse_variation(v) for v in vary]


def sweep(
    instance: Instance,
    vary: Sequence[Variation | str] | Mapping[str, Sequence[Any]],
    *,
    time_limit: float = 60.0,
    work_limit: float | None = None,
    seed: int = 0,
    workers: int = 2,
    executor: Executor | str | None = None,
    on_progress: Progress | None = None,
) -> SweepResult:
    """Solve every combination of the varied settings.

    Parameters
    ----------
    instance
        The base instance.
    vary
        The settings to vary: ``["policy.package_max_households=900,1200"]`` as on the command
        line, :class:`Variation` objects, or ``{"policy.package_max_households": [900, 1200]}``.
    time_limit, work_limit, seed
        Per solve, as :func:`sharedprop.solve` takes them (each solve runs on one worker).
    workers
        Scenarios solved at once on the local pool (ignored for a cluster).
    executor
        An :class:`~sharedprop.execute.Executor`, a Dask scheduler address (``tcp://...``), or
        None for the local pool.
    on_progress
        Called as each scenario ends with (done, total, its outcome).

    Returns
    -------
    SweepResult
        Each scenario's settings, result, evaluation and plan; ``to_frame()`` the table.

    Raises
    ------
    InstanceError
        For a variation that names no setting, or a value the contract refuses.
    """
    grid = scenario_grid(_variations(vary))
    for settings in grid:
        apply_settings(instance, settings)  # refuse a bad value before anything runs
    how = SolveSettings(time_limit, work_limit, seed)
    tasks = [ScenarioTask(scenario_label(s), s, how) for s in grid]
    with _executor(executor, workers) as ex:
        return SweepResult(run_tasks(instance, tasks, ex, on_progress))


class _Borrowed:
    """A caller's executor, used but not closed."""

    def __init__(self, executor: Executor) -> None:
        self.executor = executor

    def __enter__(self) -> Executor:
        return self.executor

    def __exit__(self, *exc: object) -> None:
        return None


def _executor(executor: Executor | str | None, workers: int) -> Any:
    """A context giving the executor to use: the caller's (left open) or a new one."""
    if isinstance(executor, Executor):
        return _Borrowed(executor)
    return executor_from(executor, max(1, int(workers)))
