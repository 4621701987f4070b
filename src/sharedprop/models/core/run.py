"""One run's limits, clock, progress and stop, handed down as one object.

``time_limit`` is wall-clock seconds from ``started`` and always ends the run: :meth:`stopped`
turns true at the deadline, whatever the clock counts, and every CP-SAT search on a clock from
:meth:`RunContext.clock` ends there too. ``work_limit`` asks for a repeatable run: its steps
then budget *work units* on a deterministic clock (:mod:`sharedprop.models.core.clock`), which
only one worker can keep, and the same seed takes the same path unless the wall-clock limit
cuts it first (``stopped_by`` then says ``"time"``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from sharedprop.models.core.clock import Clock
from sharedprop.result import StopCause

# (seconds, objective, bound, message): what a model reports while it searches.
ProgressFn = Callable[[float, float | None, float | None, str], None]


def never() -> bool:
    return False


def ignore_progress(seconds: float, objective: float | None, bound: float | None, msg: str) -> None:
    return None


@dataclass(frozen=True)
class RunContext:
    """What every step of a run needs: its limits, its seed and workers, where to report, when
    to stop.

    ``limit`` is the budget the steps share, in their clock's units: ``work_limit`` on a
    deterministic clock, else ``time_limit``. ``stop`` is the caller's (Ctrl-C): polled, it ends
    the run early with the best plan found. A step of a run (:meth:`part`) has a budget of its
    own but keeps the run's ``deadline`` (``ends_at``).
    """

    time_limit: float
    work_limit: float | None = None
    seed: int = 0
    workers: int = 1
    on_progress: ProgressFn = ignore_progress
    stop: Callable[[], bool] = never
    started: float = field(default_factory=time.monotonic)
    ends_at: float | None = None

    def __post_init__(self) -> None:
        if self.work_limit is not None and self.workers != 1:
            raise ValueError(
                f"work_limit makes a run repeatable, which needs workers=1 (got workers="
                f"{self.workers}): pass workers=1, or no work_limit for a wall-clock run"
            )

    @property
    def deterministic(self) -> bool:
        """Whether the steps count work (repeatable) rather than wall-clock seconds."""
        return self.work_limit is not None

    @property
    def limit(self) -> float:
        """The steps' budget in their clock's units."""
        return self.work_limit if self.work_limit is not None else self.time_limit

    @property
    def deadline(self) -> float:
        """The :func:`time.monotonic` instant at which the whole run must end."""
        return self.started + self.time_limit if self.ends_at is None else self.ends_at

    def elapsed(self) -> float:
        """Wall-clock seconds since the run started."""
        return time.monotonic() - self.started

    def left(self) -> float:
        """Wall-clock seconds left of ``time_limit`` (negative past it)."""
        return self.started + self.time_limit - time.monotonic()

    def interrupted(self) -> bool:
        """The caller asked the run to stop."""
        return bool(self.stop())

    def out_of_time(self) -> bool:
        return time.monotonic() >= self.deadline

    def stopped(self) -> bool:
        """Polled by every step: the caller's stop, or the wall-clock limit reached."""
        return self.interrupted() or self.out_of_time()

    def clock(self) -> Clock:
        """A clock for one step, starting now: work units on a repeatable run, else seconds;
        CP-SAT searches on it end at the run's deadline."""
        return Clock(deterministic=self.deterministic, deadline=self.deadline)

    def report(self, objective: float | None, bound: float | None, message: str) -> None:
        self.on_progress(self.elapsed(), objective, bound, message)

    def part(
        self,
        limit: float,
        *,
        on_progress: ProgressFn = ignore_progress,
        stop: Callable[[], bool] | None = None,
    ) -> RunContext:
        """A step of this run given ``limit`` (this run's units) from now, reporting to
        ``on_progress`` and polling ``stop`` (default: the caller's). It stops at this run's
        deadline at the latest."""
        now = time.monotonic()
        left = max(0.0, self.deadline - now)
        return replace(
            self,
            time_limit=left if self.deterministic else min(limit, left),
            work_limit=limit if self.deterministic else None,
            on_progress=on_progress,
            stop=self.stop if stop is None else stop,
            started=now,
            ends_at=self.deadline,
        )

    def stopped_by(self, proven: bool) -> StopCause:
        """What ended a search that is over now: the caller, a proof (optimal or infeasible),
        the wall-clock limit, or the work limit. A search that ended before either limit
        without a proof (a strategy without a bound) counts under the limit it ran on."""
        if self.interrupted():
            return "interrupt"
        if proven:
            return "proof"
        if self.deterministic and not self.out_of_time():
            return "work"
        return "time"
