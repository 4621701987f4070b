"""What :func:`sharedprop.solve` returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from sharedprop.plan import Plan

Status = Literal["optimal", "feasible", "infeasible", "unknown"]


@dataclass(frozen=True, slots=True)
class ProgressPoint:
    """One line of the progress trace: elapsed seconds, incumbent objective, proven bound."""

    seconds: float
    objective: float | None
    bound: float | None
    message: str = ""

    @property
    def gap(self) -> float | None:
        return relative_gap(self.objective, self.bound)


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """(objective − bound) / |objective|, 0 when both are 0; None when either is unknown."""
    if objective is None or bound is None:
        return None
    if abs(objective) < 1e-9:
        return 0.0 if abs(bound) < 1e-9 else None
    return max(0.0, (objective - bound) / abs(objective))


@dataclass(frozen=True)
class Result:
    """The outcome of one :func:`sharedprop.solve` run. Never raised: read ``status``.

    ``objective`` is the solver's own value of ``plan`` (integer-scaled money converted back to
    yuan); the evaluator agrees with it to the yuan. ``best_bound`` is a proven lower bound on
    the optimum of the whole problem; ``gap`` = (objective − best_bound) / objective.
    ``reasons`` explains infeasibility in words when there is no plan.
    """

    status: Status
    plan: Plan | None
    objective: float | None
    best_bound: float | None
    runtime_s: float
    strategy: str
    trace: tuple[ProgressPoint, ...] = ()
    reasons: tuple[str, ...] = ()
    seed: int = 0
    workers: int = 1
    time_limit: float | None = None
    time_to_incumbent_s: float | None = None
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def gap(self) -> float | None:
        if self.status == "optimal":
            return 0.0
        return relative_gap(self.objective, self.best_bound)

    @property
    def has_plan(self) -> bool:
        return self.plan is not None
