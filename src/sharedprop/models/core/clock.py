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

# Wall seconds per unit of CP-SAT's deterministic time, by model, so that one worker's run
# ends near its limit. CP-SAT's own unit is not a second and differs by model. Measured on an
# unloaded 2-core machine, one-worker ``solve`` (``--time-limit 30``), wall seconds against
# deterministic time summed over each kind of model:
# set-partitioning masters 0.7 / 3.2 / 3.2 / 1.6 s for 1.2 / 13.0 / 6.4 / 4.2 units
# (pilot, 30-, 120-, 400-community instances); exact pricing 4.9 / 28.4 s for 7.0 / 29.8
# units (30-community streets, seeds 4 and 3); the clustering search below the incumbent
# 1.7 / 2.1 / 3.6 s for 1.2 / 1.8 / 1.9 units; the whole contiguous clustering model,
# presolve and flows, 12.1 s for 2.4 units (400 communities).
# Re-measured on one-worker solves of 30- and 120-community streets (docs/decisions.md).
MASTER_SECONDS_PER_DTIME = 0.7
# ... and per column of the master: the 1,414-community recombination (74,068 columns) took
# about 14 s for 18 units, twice the small masters' rate.
MASTER_COLUMNS_DOUBLING = 75_000
# ... but not for a master over the columns an LP ranked cheapest (master.lp_ranked_columns:
# the streets' recombination, the joint model's large pools): the recombination's 15,000
# took 32.8 s for 32 units at 1,414 communities (one worker, unloaded).
RANKED_MASTER_SECONDS_PER_DTIME = 1.0
PRICING_SECONDS_PER_DTIME = 1.0
# ... but a pricing model with the contiguity flow runs slower per unit: 48 such models took
# 31.7 s for 17.4 units and 43 took 19.9 s for 16.6 (30-community streets, seeds 5 and 4, one
# worker, on a machine about 1.15 times slower than the calibration above).
FLOW_PRICING_SECONDS_PER_DTIME = 1.5
CLUSTERING_SECONDS_PER_DTIME = 1.5
FLOW_MODEL_SECONDS_PER_DTIME = 5.0
# Building a CP-SAT model in Python, per variable: 3.0 s for the 306,286 variables of the
# 400-community contiguous clustering model, 0.53 s for 65,416 at 120 communities.
BUILD_SECONDS_PER_VARIABLE = 1e-5


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

    def set_limit(self, params, limit: float, seconds_per_dtime: float = 1.0) -> None:
        """Give a CP-SAT search ``limit`` seconds; on a deterministic clock, the deterministic
        time that takes about as long (``seconds_per_dtime``: the model's calibration)."""
        limit = max(0.01, float(limit))
        if self.deterministic:
            params.max_deterministic_time = limit / seconds_per_dtime
            params.max_time_in_seconds = SAFETY * limit + 1.0
        else:
            params.max_time_in_seconds = limit

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
