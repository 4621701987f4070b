"""What each coverage floor costs: the least public money at every ``min_coverage`` level.

The optimum can only rise with the floor, and a plan that covers a share c meets every floor up
to c. Both facts settle points without solving them:

1. **The lowest floor first**, alone and with every core of a local pool (the solver's own two
   processes prove far more in a minute than two one-core solves). When it is proven, its plan
   is optimal at every floor up to the coverage it reaches — on most instances the lower half
   of the curve.
2. **The rest from the highest down**, a wave of points at a time on the executor (one core
   each on a cluster; the local pool's cores shared out among the wave), each warm-started by
   the plan of the nearest higher floor solved so far. A point a proof has already settled is
   not solved.

Each point then keeps the cheapest plan known that meets it (found at any floor) and the largest
proven bound of any floor at or below it: both exact statements about that point, so a point is
proven optimal when the two meet, and the curve is monotone.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

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
from sharedprop.execute.local import LocalExecutor
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
    search = _FrontierSearch(instance, floors, SolveSettings(time_limit, work_limit, seed))
    with _executor(executor, workers) as ex:
        search.run(ex, on_progress)
    return FrontierResult(_monotone(instance, floors, search.outcomes))


class _FrontierSearch:
    """The points' solves in the order the module docstring gives, and what they found."""

    def __init__(self, instance: Instance, floors: list[float], how: SolveSettings) -> None:
        self.instance = instance
        self.floors = floors
        self.how = how
        self.outcomes: dict[float, ScenarioOutcome] = {}
        self.done = 0

    def run(self, ex: Executor, on_progress: Progress | None) -> None:
        # A repeatable run solves on one core (solve refuses work_limit with more).
        cores = ex.workers if isinstance(ex, LocalExecutor) and self.how.work_limit is None else 1
        self._wave(ex, [self.floors[0]], cores, on_progress)
        while open_ := [f for f in reversed(self.floors) if not self._settled(f)]:
            wave = open_[: max(1, ex.workers)]
            self._wave(ex, wave, max(1, cores // len(wave)), on_progress)

    def _wave(
        self, ex: Executor, wave: list[float], cores: int, on_progress: Progress | None
    ) -> None:
        how = replace(self.how, workers=cores)
        tasks = [
            ScenarioTask(
                f"min_coverage={floor:g}",
                {"policy.min_coverage": floor},
                how,
                hint=_nearest_higher_plan(self.outcomes, floor),
            )
            for floor in wave
        ]
        for outcome in run_tasks(self.instance, tasks, ex):
            self.outcomes[outcome.settings["policy.min_coverage"]] = outcome
            self.done += 1
            if on_progress is not None:
                on_progress(self.done, self.done + self._unsettled(), outcome)

    def _unsettled(self) -> int:
        return sum(not self._settled(f) for f in self.floors)

    def _settled(self, floor: float) -> bool:
        """Solved, or proven by a lower floor's optimal plan that meets it too (or proven
        infeasible at a lower floor)."""
        if floor in self.outcomes:
            return True
        for g, o in self.outcomes.items():
            if g > floor:
                continue
            if o.result.status == "infeasible" and g <= floor:
                return True
            if o.result.status == "optimal" and _meets(self.instance, o, floor):
                return True
        return False


def _meets(instance: Instance, outcome: ScenarioOutcome, floor: float) -> bool:
    """Whether ``outcome``'s plan covers the households ``floor`` asks for."""
    ev = outcome.evaluation
    if ev is None or outcome.plan is None:
        return False
    need = replace(instance.policy, min_coverage=floor).required_households
    return ev.coverage_households >= need(instance.total_households)


def _nearest_higher_plan(outcomes: dict[float, ScenarioOutcome], floor: float) -> Plan | None:
    higher = sorted(f for f in outcomes if f > floor and outcomes[f].plan is not None)
    return outcomes[higher[0]].plan if higher else None


def _monotone(
    instance: Instance, floors: list[float], outcomes: dict[float, ScenarioOutcome]
) -> tuple:
    """Each floor's cheapest plan among all plans that meet it, and its largest bound among
    floors at or below it (a floor settled by a lower one's proof takes that solve's
    outcome)."""
    points = []
    best_bound: float | None = None
    for floor in floors:
        own = outcomes.get(floor)
        if own is not None and own.result.best_bound is not None:
            b = own.result.best_bound
            best_bound = b if best_bound is None else max(best_bound, b)
        meeting = [
            f
            for f, o in outcomes.items()
            if o.result.objective is not None and (f >= floor or _meets(instance, o, floor))
        ]
        cheapest = min(
            meeting, key=lambda f: (outcomes[f].result.objective, f != floor, f), default=None
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
                outcome=own if own is not None else _settling(outcomes, floor),
            )
        )
    return tuple(points)


def _settling(outcomes: dict[float, ScenarioOutcome], floor: float) -> ScenarioOutcome:
    """The outcome of the nearest lower floor, whose proof settled an unsolved ``floor``."""
    return outcomes[max(f for f in outcomes if f <= floor)]
