"""What each coverage floor costs: the least public money at every ``min_coverage`` level.

The floors are solved from the highest down, a wave of ``workers`` points at a time on the
executor, each wave warm-started with the plan of the nearest higher floor solved so far (a plan
that covers a higher floor meets every lower one). The curve is then made monotone the way the
problem is: the optimum can only rise with the floor, so each point keeps the cheapest plan of
any floor at or above it, and the largest proven bound of any floor at or below it. Both are
still exact statements about that point, so a point is proven optimal when the two meet.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from sharedprop.analysis.sweep import (
    Progress,
    ScenarioOutcome,
    ScenarioTask,
    SolveSettings,
    _executor,
    run_tasks,
)
from sharedprop.data import Instance
from sharedprop.execute import Executor
from sharedprop.plan import Plan

# A point is proven when its plan is within this of its bound (the solver's own rule).
RELATIVE_TOLERANCE = 1e-6
DEFAULT_FLOORS = "0.5:1.0:0.05"


@dataclass(frozen=True)
class FrontierPoint:
    """One coverage floor: the cheapest plan known that meets it and the proven bound."""

    min_coverage: float
    plan: Plan | None
    objective: float | None
    public_money: float | None
    coverage: float | None
    bound: float | None
    # The floor whose solve found the plan (this one, or a higher one whose plan was cheaper).
    plan_from: float | None
    outcome: ScenarioOutcome

    @property
    def proven(self) -> bool:
        if self.objective is None or self.bound is None:
            return False
        return self.objective - self.bound <= RELATIVE_TOLERANCE * max(1.0, abs(self.objective))

    @property
    def gap(self) -> float | None:
        if self.objective is None or self.bound is None:
            return None
        if self.objective <= 0:
            return 0.0 if self.bound >= self.objective else None
        return max(0.0, (self.objective - self.bound) / self.objective)

    @property
    def status(self) -> str:
        if self.objective is None:
            return self.outcome.result.status
        return "optimal" if self.proven else "feasible"


@dataclass(frozen=True)
class FrontierResult:
    points: tuple[FrontierPoint, ...]  # by rising floor

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "min_coverage": p.min_coverage,
                    "status": p.status,
                    "objective": p.objective,
                    "public_money": p.public_money,
                    "bound": p.bound,
                    "gap": p.gap,
                    "coverage": p.coverage,
                    "plan_from": p.plan_from,
                    "runtime_s": p.outcome.result.runtime_s,
                }
                for p in self.points
            ]
        )


def parse_floors(text: str) -> list[float]:
    """``"0.5:1.0:0.05"`` (start:stop:step, stop included), ``"50%:100%:10%"`` or a list
    ``"0.6,0.8,1"``, as shares from 0 to 1."""

    def share(part: str) -> float:
        part = part.strip()
        value = float(part[:-1]) / 100 if part.endswith("%") else float(part)
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"a coverage floor must be between 0 and 1, got {part!r}")
        return value

    try:
        if ":" in text:
            start, stop, step = (share(p) for p in text.split(":"))
            if step <= 0 or stop < start:
                raise ValueError(f"coverage {text!r}: write START:STOP:STEP with STOP >= START")
            count = math.floor((stop - start) / step + 1e-9) + 1
            floors = [round(start + k * step, 10) for k in range(count)]
        else:
            floors = [share(p) for p in re.split(r"[,\s]+", text.strip()) if p]
    except ValueError as exc:
        if "coverage" in str(exc) or "floor" in str(exc):
            raise
        raise ValueError(
            f"coverage {text!r}: write START:STOP:STEP such as 0.5:1.0:0.05, or a list such as "
            "0.6,0.8,1"
        ) from None
    if not floors:
        raise ValueError(f"coverage {text!r} lists no floor")
    return sorted(set(floors))


def frontier(
    instance: Instance,
    coverage: Sequence[float] | str = DEFAULT_FLOORS,
    *,
    time_limit: float = 60.0,
    work_limit: float | None = None,
    seed: int = 0,
    workers: int = 2,
    executor: Executor | str | None = None,
    on_progress: Progress | None = None,
) -> FrontierResult:
    """The least public money at each coverage floor, with plans and proven bounds.

    Parameters
    ----------
    instance
        The instance; its own ``min_coverage`` is replaced by each floor in turn.
    coverage
        The floors, as shares (``[0.5, 0.75, 1.0]``) or as text (:func:`parse_floors`).
    time_limit, work_limit, seed
        Per point, as :func:`sharedprop.solve` takes them (each point runs on one worker).
    workers, executor
        Points solved at once on the local pool, or a Dask scheduler address / an executor.
    on_progress
        Called as each point ends with (done, total, its outcome).

    Returns
    -------
    FrontierResult
        One point per floor, by rising floor: its plan, objective, public money, coverage and
        proven bound, monotone in the floor.
    """
    floors = parse_floors(coverage) if isinstance(coverage, str) else sorted(set(coverage))
    how = SolveSettings(time_limit, work_limit, seed)
    outcomes: dict[float, ScenarioOutcome] = {}
    with _executor(executor, workers) as ex:
        wave = max(1, ex.workers)
        descending = floors[::-1]
        for start in range(0, len(descending), wave):
            tasks = [
                ScenarioTask(
                    f"min_coverage={floor:g}",
                    {"policy.min_coverage": floor},
                    how,
                    hint=_nearest_higher_plan(outcomes, floor),
                )
                for floor in descending[start : start + wave]
            ]
            for outcome in run_tasks(instance, tasks, ex, on_progress):
                outcomes[outcome.settings["policy.min_coverage"]] = outcome
    return FrontierResult(_monotone(floors, outcomes))


def _nearest_higher_plan(outcomes: dict[float, ScenarioOutcome], floor: float) -> Plan | None:
    higher = sorted(f for f in outcomes if f > floor and outcomes[f].plan is not None)
    return outcomes[higher[0]].plan if higher else None


def _monotone(floors: list[float], outcomes: dict[float, ScenarioOutcome]) -> tuple:
    """Each floor's cheapest plan among floors at or above it, and its largest bound among
    floors at or below it."""
    points = []
    best_bound: float | None = None
    for k, floor in enumerate(floors):
        own = outcomes[floor]
        bound = own.result.best_bound
        if bound is not None:
            best_bound = bound if best_bound is None else max(best_bound, bound)
        cheapest = min(
            (f for f in floors[k:] if outcomes[f].result.objective is not None),
            key=lambda f: (outcomes[f].result.objective, f != floor, f),
            default=None,
        )
        src = outcomes[cheapest] if cheapest is not None else None
        ev = src.evaluation if src is not None else None
        points.append(
            FrontierPoint(
                min_coverage=floor,
                plan=src.plan if src is not None else None,
                objective=src.result.objective if src is not None else None,
                public_money=ev.public_money if ev is not None else None,
                coverage=ev.coverage if ev is not None else None,
                bound=best_bound,
                plan_from=cheapest,
                outcome=own,
            )
        )
    return tuple(points)
