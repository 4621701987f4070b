"""What :func:`sharedprop.solve` returns: the plan, its figures, the progress trace and the run's
statistics."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from sharedprop.plan import Plan

Status = Literal["optimal", "feasible", "infeasible", "unknown"]
# What ended a run: a proof (optimal, or infeasible), the wall-clock limit, the work limit of a
# repeatable run, or the caller (Ctrl-C).
StopCause = Literal["proof", "time", "work", "interrupt"]
STATUSES: tuple[Status, ...] = ("optimal", "feasible", "infeasible", "unknown")


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


@dataclass
class StreetStatistics:
    """What the street-by-street strategy did: its streets (``block_status`` in the order
    solved, ``street_errors`` of forked solves that failed), the pairs of streets re-solved,
    and the recombination's pool (``recombined_columns``: the columns its master saw)."""

    blocks: int
    streets_in_pairs: bool = False
    block_status: list[str] = field(default_factory=list)
    street_errors: list[str] = field(default_factory=list)
    pairs_resolved: int = 0
    pairs_improved: int = 0
    pairs_in_parallel: int = 0
    pool: int = 0
    recombined_columns: int | None = None


@dataclass(frozen=True)
class SolveStatistics:
    """What a run measured besides its plan.

    ``capacity_bound``: the transportation LP's bound (every strategy). ``relaxed_*``: the
    bound without contiguity — its value, rounds, whether its root converged, its branches,
    whether it ran in a second process, and why it failed if it did. ``regions`` /
    ``regions_improved``: regions re-solved after the joint model and how many gave a cheaper
    plan. ``streets``: the street-by-street strategy's statistics. ``search``: the search
    model's own counters, as it reports them (the joint model's rounds, columns, ...).
    """

    capacity_bound: float | None = None
    relaxed_bound: float | None = None
    relaxed_rounds: int | None = None
    relaxed_converged: bool | None = None
    relaxed_branches: int | None = None
    relaxed_in_parallel: bool | None = None
    relaxed_error: str | None = None
    regions: int | None = None
    regions_improved: int | None = None
    streets: StreetStatistics | None = None
    search: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON values (no NaN or infinity): every field, of ``search`` only the numbers,
        strings and flags."""
        out = {k: _json_value(v) for k, v in asdict(self).items() if k != "search"}
        search = {k: _json_value(v) for k, v in self.search.items()}
        out["search"] = {k: v for k, v in search.items() if isinstance(v, bool | int | float | str)}
        return out


def _json_value(value: Any) -> Any:
    """``value`` with NumPy scalars as Python ones, non-finite numbers as None, recursively."""
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    if hasattr(value, "item") and callable(value.item) and getattr(value, "ndim", 1) == 0:
        value = value.item()  # a NumPy scalar
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


@dataclass(frozen=True)
class Result:
    """The outcome of one :func:`sharedprop.solve` run. Never raised: read ``status``.

    ``objective`` is the solver's own value of ``plan`` (integer-scaled money converted back to
    yuan); the evaluator agrees with it to the yuan. ``best_bound`` is a proven lower bound on
    the optimum of the whole problem; ``gap`` = (objective − best_bound) / objective.
    ``reasons`` explains infeasibility in words when there is no plan. ``time_limit`` (wall
    seconds) and ``work_limit`` (work units; None: the run searched on the wall clock) are the
    limits it ran under, ``stopped_by`` what ended it.
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
    stats: SolveStatistics = field(default_factory=SolveStatistics)
    work_limit: float | None = None
    stopped_by: StopCause | None = None

    @property
    def gap(self) -> float | None:
        if self.status == "optimal":
            return 0.0
        return relative_gap(self.objective, self.best_bound)

    @property
    def has_plan(self) -> bool:
        return self.plan is not None

    @property
    def repeatable(self) -> bool:
        """The run counted work (``work_limit``) and no wall-clock limit cut it: the same
        seed gives the same plan."""
        return self.work_limit is not None and self.stopped_by != "time"
