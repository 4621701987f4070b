"""What a search over packages returns: its plan as columns, objective, bound and trace."""

from __future__ import annotations

from dataclasses import dataclass, field

from sharedprop.models.core.columns import Column


@dataclass
class JointResult:
    status: str  # optimal / feasible / infeasible / unknown
    columns: list[Column]
    objective: float | None
    bound: float | None
    trace: list[tuple[float, float | None, float | None, str]] = field(default_factory=list)
    time_to_incumbent: float | None = None
    stats: dict = field(default_factory=dict)
    # Every column the run generated (for callers that combine runs, e.g. street by street).
    pool: list[Column] = field(default_factory=list)
