"""Time for the search: wall-clock seconds, or deterministic work for repeatable runs.

With one worker a run must repeat exactly for the same seed (a planner re-running last week's
plan must get the same bytes). Wall-clock limits break that on a busy machine: a slower run
stops at a different point. So with ``deterministic=True`` the search measures its time in
*work units* charged by each step — CP-SAT's own deterministic time for its searches and fixed
estimates for the Python steps (LP solves, pricing calls, enumerated packages) — calibrated to
be roughly seconds on an unloaded 2-core machine. A wall-clock safety net (``SAFETY`` × the
limit) still ends a run that is far slower than expected; only then is it not repeatable.
"""

from __future__ import annotations

import time

SAFETY = 5.0


class Clock:
    def __init__(self, deterministic: bool) -> None:
        self.deterministic = deterministic
        self._t0 = time.monotonic()
        self._work = 0.0

    def now(self) -> float:
        """Seconds (or work units) since the clock started."""
        return self._work if self.deterministic else time.monotonic() - self._t0

    def wall(self) -> float:
        return time.monotonic() - self._t0

    def charge(self, units: float) -> None:
        if self.deterministic:
            self._work += units

    def set_limit(self, params, limit: float) -> None:  # noqa: ANN001 - a CP-SAT parameter proto
        """Give a CP-SAT search ``limit`` seconds (or deterministic time)."""
        limit = max(0.01, float(limit))
        if self.deterministic:
            params.max_deterministic_time = limit
            params.max_time_in_seconds = SAFETY * limit + 1.0
        else:
            params.max_time_in_seconds = limit

    def charge_cpsat(self, solver) -> None:  # noqa: ANN001
        self.charge(float(solver.deterministic_time))
