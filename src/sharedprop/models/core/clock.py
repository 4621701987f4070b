"""Time for the search: wall-clock seconds, or deterministic work for repeatable runs.

A repeatable run (``solve(work_limit=...)``) must give the same plan for the same seed on any
machine, busy or not, so its steps cannot stop at a wall-clock point. On a deterministic clock
(``deterministic=True``) the search measures *work units* charged by each step — CP-SAT's own
deterministic time for its searches and fixed estimates for the Python steps (LP solves,
pricing calls, enumerated packages) — calibrated to be roughly seconds on an unloaded 2-core
machine (docs/decisions.md). A wall-clock safety net (``SAFETY`` × a search's limit)
still ends a CP-SAT search that is far slower than expected, and a ``deadline`` (the run's
wall-clock limit) ends every search that gets its limit here; past it, a deterministic clock
counts so fast that every budget on it is spent at once. A clock made inside
:func:`run_deadline` takes the run's deadline by default, so that the models a run calls (the
clustering, the joint model) end their searches there too without carrying it themselves.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

# A deterministic search may take this many times its limit on the wall clock: 3 was reached on
# a busy test machine and broke repeatability. SHAREDPROP_WORK_SAFETY sets another factor, for
# a machine known to be far slower than the calibration (the test suite uses it: a loaded
# machine must not change what a repeatable run finds).
SAFETY = float(os.environ.get("SHAREDPROP_WORK_SAFETY") or 5.0)


def safety_limit(limit: float) -> float:
    """The wall seconds a deterministic search of ``limit`` units may take before the safety net
    ends it (and the run stops being repeatable)."""
    return SAFETY * limit + 1.0


# Wall seconds per unit of CP-SAT's deterministic time, by kind of model, so that a
# deterministic run ends near its limit: CP-SAT's unit is not a second and differs by model.
# Set-partitioning masters; a higher rate gives each master less search for its share.
MASTER_SECONDS_PER_DTIME = 0.7
# Masters slow per unit as they grow: the rate doubles per this many columns.
MASTER_COLUMNS_DOUBLING = 75_000
# Masters over the columns an LP ranked cheapest (master.lp_ranked_columns) run at their own rate.
RANKED_MASTER_SECONDS_PER_DTIME = 1.0
# Exact pricing models, and those with the contiguity flow (slower per unit).
PRICING_SECONDS_PER_DTIME = 1.0
FLOW_PRICING_SECONDS_PER_DTIME = 1.5
# The clustering search below the incumbent, and the whole contiguous clustering model (its
# presolve and flows cost far more than its deterministic time says).
CLUSTERING_SECONDS_PER_DTIME = 1.5
FLOW_MODEL_SECONDS_PER_DTIME = 5.0
# Building a CP-SAT model in Python, per variable: CP-SAT's deterministic time does not count it.
BUILD_SECONDS_PER_VARIABLE = 1e-5

# Past its deadline a deterministic clock counts this many work units a wall-clock second, so
# that every budget measured on it runs out at once and the run ends (it is not repeatable then).
OVERDUE_UNITS_PER_SECOND = 1e6

# The deadline of the run in progress (a time.monotonic() instant), set by run_deadline.
_RUN_DEADLINE: ContextVar[float | None] = ContextVar("sharedprop_run_deadline", default=None)


@contextmanager
def run_deadline(at: float) -> Iterator[None]:
    """Within, every :class:`Clock` made without a deadline of its own takes ``at``."""
    token = _RUN_DEADLINE.set(at)
    try:
        yield
    finally:
        _RUN_DEADLINE.reset(token)


class Clock:
    """Seconds since the clock started, or the work units charged to it (``deterministic``).

    ``deadline`` (a :func:`time.monotonic` instant; default: the run's, see
    :func:`run_deadline`): no CP-SAT search given its limit by :meth:`set_limit` runs past it,
    whatever the clock counts.
    """

    def __init__(self, deterministic: bool, deadline: float | None = None) -> None:
        self.deterministic = deterministic
        self.deadline = deadline if deadline is not None else _RUN_DEADLINE.get()
        self._t0 = time.monotonic()
        self._work = 0.0

    def now(self) -> float:
        """Seconds (or work units) since the clock started."""
        if not self.deterministic:
            return time.monotonic() - self._t0
        if self.deadline is not None:
            late = time.monotonic() - self.deadline
            if late > 0:
                return self._work + OVERDUE_UNITS_PER_SECOND * late
        return self._work

    def wall(self) -> float:
        return time.monotonic() - self._t0

    def charge(self, units: float) -> None:
        if self.deterministic:
            self._work += units

    def set_limit(self, params, limit: float, seconds_per_dtime: float = 1.0) -> None:
        """Give a CP-SAT search ``limit`` seconds; on a deterministic clock, the deterministic
        time that takes about as long (``seconds_per_dtime``: the model's calibration)."""
        limit = max(0.01, float(limit))
        if self.deterministic:
            params.max_deterministic_time = limit / seconds_per_dtime
            wall = safety_limit(limit)
        else:
            wall = limit
        if self.deadline is not None:
            wall = min(wall, max(0.01, self.deadline - time.monotonic()))
        params.max_time_in_seconds = wall

    def charge_build(self, model, limit: float) -> float:
        """On a deterministic clock, charge building ``model`` (done before, uncharged) from its
        size and return what is left of ``limit``; a wall clock has counted it already."""
        if not self.deterministic:
            return limit
        built = BUILD_SECONDS_PER_VARIABLE * len(model.Proto().variables)
        self.charge(built)
        return max(0.0, limit - built)

    def charge_cpsat(self, solver, seconds_per_dtime: float = 1.0) -> None:
        self.charge(float(solver.deterministic_time) * seconds_per_dtime)
