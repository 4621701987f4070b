"""The whole city at once: a plan improved part by part, a bound proved part by part, every
task on an executor (a local process pool or a Dask cluster).

A city's streets (or, when packages may cross streets, regions of the proximity graph:
:mod:`sharedprop.models.decompose.parts`) are almost independent problems, tied only by the
firms' capacity and package counts and by the resources several of them can reach. The search
keeps one plan that obeys every rule from the start (the best hint, else the empty plan where
that is allowed) and runs three kinds of task, as many at once as the executor has workers:

1. **Neighbourhoods** (:func:`~sharedprop.models.decompose.city_tasks.improve_part`): a part's
   packages are freed and the part is solved again by the joint model, warm-started by them,
   within what it may use (:mod:`sharedprop.models.decompose.ledger`: its own packages' firms
   and resources plus a share of what nothing uses or holds). A better result replaces the
   part's packages at once, so the plan improves as soon as any part does. Passes go over
   every part with twice the time of the pass before (``CityParams``), from the second pass
   on with pairs of parts that share firms too (firms move between them), so a run's first
   minute is the same whatever its limit.
2. **Recombination** (:func:`~sharedprop.models.decompose.city_tasks.recombine`): after each
   pass, the integer master over the packages the parts' solves made lets the parts trade
   firms and resources at once.
3. **Bounds** (:func:`~sharedprop.models.decompose.city_tasks.bound_part`): from the second
   pass on, part by part, a lower bound of the part's problem priced at the transportation
   LP's duals (:mod:`sharedprop.models.decompose.prices`). The city's bound is the sum of the
   parts' bounds plus the prices' constant; a part without a finished task counts its share
   of the transportation LP, so the bound is valid at every moment and only rises.

A plan obeys the coverage floor and the must-cover rule throughout: a neighbourhood must
cover what its packages cover now, less its share of the plan's slack above the floor
(:mod:`~sharedprop.models.decompose.ledger`). When no starting plan obeys them, the parts'
results are kept as a draft (every other rule kept) until the draft, or a recombination, obeys
every rule; each part then covers its share of the floor. The bound's parts leave the floor out
(a relaxation).

Results are read as they come; with one worker on a work clock (a repeatable run) tasks go one
at a time and are read in the order submitted, so the run repeats whatever the executor.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np

from sharedprop.execute.base import Executor, Shared, Task
from sharedprop.models.bounds.transport import CapacityRelaxation
from sharedprop.models.colgen.joint import respects_master_rules
from sharedprop.models.core.columns import Column, plan_objective
from sharedprop.models.core.problem import Problem
from sharedprop.models.core.result import JointResult
from sharedprop.models.core.run import RunContext
from sharedprop.models.decompose.city_tasks import (
    Neighbourhood,
    PartBound,
    PartPlan,
    Recombined,
    bound_part,
    improve_part,
    recombine,
)
from sharedprop.models.decompose.ledger import Hold, Ledger
from sharedprop.models.decompose.parts import Part, part_reach
from sharedprop.models.decompose.prices import CouplingPrices, shared_communities
from sharedprop.result import CityStatistics, TaskRecord

JobKind = Literal["part", "bound", "recombine"]


@dataclass(frozen=True)
class CityParams:
    """The city search's schedule (seconds are work units on a work clock).

    ``first_seconds``: a part's solve in the first pass; each pass multiplies it by
    ``growth`` up to ``most_seconds``. ``recombine_seconds``: the integer master after the
    first pass, growing alike up to ``recombine_most_seconds``. ``bound_share``: the share of
    the task time that bound tasks may take once the first pass is done, each given
    ``bound_seconds`` (growing alike). ``pool_limit``: packages kept for the recombination
    (the newest). ``margin_seconds``: wall time kept free at the end for the last results.
    """

    first_seconds: float = 2.0
    growth: float = 2.0
    most_seconds: float = 30.0
    recombine_seconds: float = 6.0
    recombine_most_seconds: float = 30.0
    bound_share: float = 0.35
    bound_seconds: float = 10.0
    pool_limit: int = 60_000
    margin_seconds: float = 1.0

    def __post_init__(self) -> None:
        for name in ("first_seconds", "most_seconds", "recombine_seconds", "bound_seconds"):
            if not getattr(self, name) > 0:
                raise ValueError(f"CityParams.{name} must be positive, not {getattr(self, name)}")
        if not self.growth >= 1:
            raise ValueError(f"CityParams.growth must be at least 1, not {self.growth}")
        if not 0 <= self.bound_share < 1:
            raise ValueError(f"CityParams.bound_share must be in [0, 1), not {self.bound_share}")


@dataclass(frozen=True)
class _Job:
    kind: JobKind
    parts: tuple[int, ...]
    seconds: float


@dataclass
class _Flight:
    """A task in flight: its job, the communities it may change, its hold, when it left."""

    job: _Job
    region: np.ndarray  # community indices
    hold: Hold | None
    sent: float


@dataclass
class _Bound:
    """The city's bound: the prices, each part's best bound at them, the constant."""

    prices: CouplingPrices
    constant: float
    part: np.ndarray  # each part's best proven bound of its priced problem
    improved: np.ndarray  # parts whose bound beats their transportation-LP share
    value: float = -np.inf

    def total(self) -> float:
        return float(self.part.sum()) + self.constant


@dataclass
class _Schedule:
    """The jobs to come: the current pass of neighbourhoods, then the recombination; bounds
    from the second pass on."""

    plan: deque[_Job] = field(default_factory=deque)
    bounds: deque[_Job] = field(default_factory=deque)
    passes: int = 0
    pair_cursor: int = 0
    plan_seconds: float = 0.0
    bound_seconds: float = 0.0


class CitySearch:
    """One run of the city search (module docstring); :meth:`run` once.

    Parameters
    ----------
    problem
        The whole problem.
    parts
        Its streets or regions (:func:`sharedprop.models.decompose.parts.parts_of`).
    run
        The run's limits, seed, workers, progress and stop.
    executor
        Where tasks run; its ``workers`` tasks at once (one on a work clock).
    warm
        Plans to start from; the best that obeys every rule is the first plan.
    transport
        The transportation LP (its duals price the parts, its value bounds them).
    params
        The schedule.
    executor_name
        How the executor is named in the statistics (``"local"``, ``"dask"``, ...).
    """

    def __init__(
        self,
        problem: Problem,
        parts: list[Part],
        run: RunContext,
        executor: Executor,
        *,
        warm: Sequence[list[Column]] = (),
        transport: CapacityRelaxation | None = None,
        params: CityParams | None = None,
        executor_name: str = "local",
    ) -> None:
        p = problem
        self.problem, self.parts, self.run, self.executor = p, parts, run, executor
        self.params = params or CityParams()
        self.slots = 1 if run.deterministic else max(1, executor.workers)
        self.ledger = Ledger(p)
        # The rules a draft keeps (module docstring): all but coverage.
        self._drafting = replace(p, min_covered_weight=0, must_cover=np.zeros(p.n, dtype=bool))
        self.shared = shared_communities(parts, p.n)
        self.part_of = np.full(p.n, -1, dtype=np.int64)
        for part in parts:
            self.part_of[part.members] = part.index
        hubs = np.fromiter((o.hub for o in p.options), dtype=np.int64, count=len(p.options))
        self.options_by_hub = np.argsort(hubs, kind="stable")
        self.hub_start = np.searchsorted(hubs[self.options_by_hub], np.arange(p.n + 1))
        self.reach = [part_reach(p, part) for part in parts]
        self.plan: list[Column] = []
        self.objective: float | None = None
        self.found_at: float | None = None
        self._take_warm(list(warm))
        self.bound = self._first_bound(transport)
        self.pool: dict[tuple, Column] = {}
        self.schedule = _Schedule()
        self.flights: dict[int, _Flight] = {}
        self.busy = np.zeros(p.n, dtype=np.int64)
        self.spent = 0.0  # work units of the tasks read (a work clock)
        self.tasks_done = 0
        kind = "region" if len(self.shared) and self.shared.any() else "street"
        self.stats = CityStatistics(
            executor=executor_name, workers=executor.workers, parts=len(parts), part_kind=kind
        )
        self.ran = False

    # -- the start ------------------------------------------------------------------------

    def _take_warm(self, warm: list[list[Column]]) -> None:
        """The best warm plan that obeys every rule, else the empty plan where allowed, else
        the warm plan covering most that breaks only coverage rules, as a draft."""
        p = self.problem
        for cols in warm:
            if not respects_master_rules(p, cols):
                continue
            obj = plan_objective(p, cols)
            if self.objective is None or obj < self.objective - 1e-6:
                self.plan, self.objective = list(cols), obj
        if self.objective is None and respects_master_rules(p, []):
            self.plan, self.objective = [], plan_objective(p, [])
        if self.objective is None:  # the draft the parts complete (module docstring)
            drafts = [cols for cols in warm if respects_master_rules(self._drafting, cols)]
            self.plan = max(drafts, key=lambda cols: sum(c.weight for c in cols), default=[])
        self.found_at = 0.0 if self.objective is not None else None
        self.ledger.use(self.plan)

    def _first_bound(self, transport: CapacityRelaxation | None) -> _Bound | None:
        """The transportation LP's duals as the parts' prices, and each part's share of its
        dual value as the part's first bound (module docstring of ``prices``)."""
        if transport is None or transport.duals is None or transport.community_value is None:
            return None
        prices = CouplingPrices.from_duals(transport.duals)
        if self.shared.any():
            # A region's halo takes part in two regions' problems: the shares do not split.
            start = np.full(len(self.parts), -np.inf)
        else:
            start = np.array(
                [float(transport.community_value[part.members].sum()) for part in self.parts]
            )
        bound = _Bound(prices, transport.constant, start, np.zeros(len(self.parts), dtype=bool))
        bound.value = transport.bound
        return bound

    # -- the run --------------------------------------------------------------------------

    def run_search(self) -> JointResult:
        """Search until the limit, the caller's stop or a proof; the best plan found."""
        if self.ran:
            raise RuntimeError("CitySearch.run_search was called twice; make a new CitySearch")
        self.ran = True
        started = time.monotonic()
        if self.objective is not None:
            self.run.report(self.objective, self._bound_value(), "city search: first plan")
        problem_ref = self.executor.share(self.problem)
        tasks: dict[int, Task] = {}
        try:
            while not self._over():
                while len(tasks) < self.slots and not self._over():
                    job = self._next_job()
                    if job is None:
                        break
                    task = self._submit(problem_ref, job)
                    if task is None:
                        continue
                    tasks[task.index] = task
                if not tasks:
                    break
                done = self._wait(list(tasks.values()))
                if done is None:
                    break
                tasks.pop(done.index)
                self._read(done)
        finally:
            self.executor.cancel(list(tasks.values()))
            for index in list(tasks):
                self._land(index)
        self.stats.pool = len(self.pool)
        return self._result(time.monotonic() - started)

    def _over(self) -> bool:
        if self.run.stopped() or self._proven():
            return True
        if self.run.deterministic:
            return self.run.limit - self.spent < 0.5
        return self.run.left() < self.params.margin_seconds + 0.5

    def _proven(self) -> bool:
        b = self._bound_value()
        return (
            self.objective is not None
            and b is not None
            and self.objective - b <= max(0.01, 1e-9 * abs(self.objective))
        )

    def _left(self) -> float:
        if self.run.deterministic:
            return self.run.limit - self.spent
        return self.run.left() - self.params.margin_seconds

    def _wait(self, tasks: list[Task]) -> Task | None:
        """The next task to finish (in submission order on a work clock), or None when the
        run's time is up first."""
        ordered = self.run.deterministic
        timeout = None if ordered else max(0.0, self.run.left() - 0.2)
        try:
            for task in self.executor.as_completed(tasks, ordered=ordered, timeout=timeout):
                return task
        except TimeoutError:
            return None
        return None

    # -- the schedule ---------------------------------------------------------------------

    def _next_job(self) -> _Job | None:
        s, prm = self.schedule, self.params
        if not s.plan:
            self._next_pass()
        total = s.plan_seconds + s.bound_seconds
        want_bound = s.passes >= 2 and s.bound_seconds < prm.bound_share * total
        for queue in (s.bounds, s.plan) if want_bound else (s.plan, s.bounds):
            job = self._take_free(queue)
            if job is not None:
                return job
        return None

    def _take_free(self, queue: deque[_Job]) -> _Job | None:
        """The first job of ``queue`` whose communities no task in flight may change."""
        for k, job in enumerate(queue):
            if job.kind != "part" or not self.busy[self._region(job.parts)].any():
                del queue[k]
                return job
        return None

    def _next_pass(self) -> None:
        """The next pass's jobs: the recombination of what the last pass made (from the
        second pass on), every part, and from the second pass on as many pairs of parts
        that share firms; bounds once the first pass is done."""
        s, prm = self.schedule, self.params
        k = s.passes
        seconds = min(prm.most_seconds, prm.first_seconds * prm.growth**k)
        if k >= 1:
            rec = min(prm.recombine_most_seconds, prm.recombine_seconds * prm.growth ** (k - 1))
            s.plan.append(_Job("recombine", (), rec))
        order = self._by_gap()
        s.plan.extend(_Job("part", (i,), seconds) for i in order)
        if k >= 1:
            pairs = self._pairs()
            if pairs:
                take = [pairs[(s.pair_cursor + j) % len(pairs)] for j in range(len(order))]
                s.pair_cursor = (s.pair_cursor + len(order)) % len(pairs)
                s.plan.extend(_Job("part", pair, seconds) for pair in dict.fromkeys(take))
        if k >= 1 and self.bound is not None:
            bseconds = min(prm.most_seconds * 2, prm.bound_seconds * prm.growth ** (k - 1))
            s.bounds = deque(_Job("bound", (i,), bseconds) for i in self._by_bound_gap())
        s.passes += 1
        self.stats.passes = s.passes

    def _by_gap(self) -> list[int]:
        """Parts whose plan is furthest above their bound first (index order without one)."""
        if self.bound is None:
            return list(range(len(self.parts)))
        cost = self._part_costs()
        gap = cost - np.where(np.isfinite(self.bound.part), self.bound.part, 0.0)
        return [int(i) for i in np.lexsort((np.arange(len(gap)), -gap))]

    def _by_bound_gap(self) -> list[int]:
        """Parts with the largest gap between plan and bound, not yet improved, first."""
        order = self._by_gap()
        assert self.bound is not None
        return [i for i in order if not self.bound.improved[i]] + [
            i for i in order if self.bound.improved[i]
        ]

    def _part_costs(self) -> np.ndarray:
        """Each part's packages' objective plus its uncovered communities' fallback."""
        p = self.problem
        cost = np.zeros(len(self.parts))
        covered = np.zeros(p.n, dtype=bool)
        for c in self.plan:
            covered[list(c.members)] = True
            cost[self.part_of[p.options[c.option].hub]] += c.objective
        fallback = p.w_public_money * np.where(covered, 0.0, p.uncovered_cost)
        np.add.at(cost, self.part_of[self.part_of >= 0], fallback[self.part_of >= 0])
        return cost

    def _pairs(self) -> list[tuple[int, int]]:
        """Pairs of parts that share firms, those sharing the most first."""
        firms = [set(r[0].tolist()) for r in self.reach]
        ranked = sorted(
            (-len(firms[a] & firms[b]), a, b)
            for a in range(len(firms))
            for b in range(a + 1, len(firms))
            if firms[a] & firms[b]
        )
        return [(a, b) for _, a, b in ranked]

    # -- submitting -----------------------------------------------------------------------

    def _region(self, parts: tuple[int, ...]) -> np.ndarray:
        """The communities a neighbourhood of ``parts`` frees: their own and every community of
        a plan package that touches them (whole packages only)."""
        members = np.concatenate([self.parts[i].members for i in parts])
        if not self.shared.any():
            return members
        inside = np.zeros(self.problem.n, dtype=bool)
        inside[members] = True
        for c in self.plan:
            if inside[list(c.members)].any():
                inside[list(c.members)] = True
        return np.flatnonzero(inside)

    def _submit(self, problem_ref: Shared, job: _Job) -> Task | None:
        left = self._left()
        seconds = min(job.seconds, left)
        if seconds < 0.5:
            return None
        seed = self.run.seed + self.tasks_done + len(self.flights)
        det = self.run.deterministic
        region = np.zeros(0, dtype=np.int64)
        hold = None
        if job.kind == "part":
            region = self._region(job.parts)
            where, hold = self._neighbourhood(region, job.parts)
            warm = self._inside(region)
            task = self.executor.submit(improve_part, problem_ref, where, warm, seconds, seed, det)
            self.busy[region] += 1
            self.schedule.plan_seconds += seconds
        elif job.kind == "recombine":
            if not self.pool:
                return None
            columns = list(self.pool.values())
            task = self.executor.submit(
                recombine, problem_ref, columns, list(self.plan), seconds, seed, det
            )
            self.schedule.plan_seconds += seconds
        else:
            assert self.bound is not None
            part = self.parts[job.parts[0]]
            task = self.executor.submit(
                bound_part, problem_ref, part, self.bound.prices, self.shared, seconds, det
            )
            self.schedule.bound_seconds += seconds
        self.flights[task.index] = _Flight(
            _Job(job.kind, job.parts, seconds), region, hold, time.monotonic()
        )
        return task

    def _inside(self, region: np.ndarray) -> list[Column]:
        inside = np.zeros(self.problem.n, dtype=bool)
        inside[region] = True
        return [c for c in self.plan if inside[list(c.members)].all()]

    def _neighbourhood(
        self, region: np.ndarray, parts: tuple[int, ...]
    ) -> tuple[Neighbourhood, Hold]:
        lo, hi = self.hub_start[region], self.hub_start[region + 1]
        options = np.sort(
            np.concatenate([self.options_by_hub[a:b] for a, b in zip(lo, hi, strict=True)])
        )
        reach = np.unique(np.concatenate([self.reach[i][1] for i in parts]))
        busy_slots = sum(1 for f in self.flights.values() if f.hold is not None)
        allowance = self.ledger.allowance(
            self._inside(region), reach, max(1, self.slots - busy_slots)
        )
        where = Neighbourhood(
            communities=np.sort(region),
            options=options.astype(np.int64),
            capacity=allowance.capacity,
            count=allowance.count,
            free_resources=allowance.free_resources,
            min_covered=allowance.min_covered
            if self.objective is not None
            else self._floor_share(region),
        )
        return where, allowance.hold

    def _floor_share(self, region: np.ndarray) -> int:
        """Without a plan yet, the households a region's draft must cover: the floor's share of
        all households, of the region's (rounded up), so that drafts that all meet their share
        meet the floor; the recombination's master holds the city-wide row."""
        p = self.problem
        if p.min_covered_weight <= 0:
            return 0
        share = p.min_covered_weight / float(p.weight.sum())
        return math.ceil(share * int(p.weight[region].sum()) - 1e-9)

    # -- reading results ------------------------------------------------------------------

    def _land(self, index: int) -> _Flight:
        """Forget a task in flight: its communities and hold are free again."""
        flight = self.flights.pop(index)
        if len(flight.region):
            self.busy[flight.region] -= 1
        if flight.hold is not None:
            self.ledger.release(flight.hold)
        return flight

    def _read(self, task: Task) -> None:
        flight = self._land(task.index)
        job = flight.job
        try:
            outcome = task.result()
        except Exception as exc:  # a task that raised: its part keeps what it had
            self.stats.task_errors.append(f"{job.kind} {self._label(job)}: {exc!r}")
            self.spent += job.seconds
            return
        self.tasks_done += 1
        improved = False
        if isinstance(outcome, PartPlan):
            improved = self._take_part(job, flight.region, outcome)
        elif isinstance(outcome, Recombined):
            improved = self._take_recombined(outcome)
            self.stats.recombinations += 1
        elif isinstance(outcome, PartBound):
            improved = self._take_bound(outcome)
        self.spent += outcome.work if self.run.deterministic else 0.0
        self.stats.tasks.append(
            TaskRecord(
                kind=job.kind,
                label=self._label(job),
                ended_s=round(self.run.elapsed(), 3),
                seconds=round(outcome.seconds, 3),
                work=round(outcome.work, 3),
                improved=improved,
            )
        )

    def _label(self, job: _Job) -> str:
        return "+".join(str(i) for i in job.parts) if job.parts else "pool"

    def _take_part(self, job: _Job, region: np.ndarray, out: PartPlan) -> bool:
        self._pool_add(out.columns)
        self._pool_add(out.pool)
        if out.objective is None:
            return False
        inside = np.zeros(self.problem.n, dtype=bool)
        inside[region] = True
        kept = [c for c in self.plan if not inside[list(c.members)].all()]
        return self._offer(kept + out.columns, f"{self.stats.part_kind} {self._label(job)}")

    def _take_recombined(self, out: Recombined) -> bool:
        if out.columns is None:
            return False
        return self._offer(out.columns, "parts recombined")

    def _offer(self, plan: list[Column], what: str) -> bool:
        """Make ``plan`` the plan if it obeys every rule and costs less. Until there is a plan,
        one that breaks only the coverage floor or leaves a must-cover community out is kept
        as a draft that later parts complete."""
        p = self.problem
        if not respects_master_rules(p, plan):
            if self.objective is None and respects_master_rules(self._drafting, plan):
                self.plan = list(plan)
                self.ledger.use(self.plan)
            return False
        obj = plan_objective(p, plan)
        if self.objective is not None and obj >= self.objective - 1e-6:
            return False
        self.plan, self.objective = list(plan), obj
        self.found_at = self.spent if self.run.deterministic else self.run.elapsed()
        self.ledger.use(self.plan)
        self.run.report(obj, self._bound_value(), f"{what} improved the plan")
        return True

    def _take_bound(self, out: PartBound) -> bool:
        b = self.bound
        assert b is not None
        if not out.value > b.part[out.part] + 1e-6:
            return False
        b.part[out.part] = out.value
        b.improved[out.part] = True
        self.stats.bound_parts = int(b.improved.sum())
        total = b.total()
        if total > b.value + 1e-6:
            b.value = total
            self.stats.bound_method = "parts"
            self.run.report(self.objective, self._bound_value(), "bound of the parts")
        return True

    def _bound_value(self) -> float | None:
        if self.bound is None or not np.isfinite(self.bound.value):
            return None
        return max(0.0, self.bound.value)

    def _pool_add(self, cols: list[Column]) -> None:
        for c in cols:
            self.pool.pop(c.key, None)
            self.pool[c.key] = c  # newest last
        while len(self.pool) > self.params.pool_limit:
            self.pool.pop(next(iter(self.pool)))

    # -- the result -----------------------------------------------------------------------

    def _result(self, seconds: float) -> JointResult:
        bound = self._bound_value()
        if self.objective is None:
            status = "unknown"
            return JointResult(status, [], None, bound, stats={"city": self.stats})
        status = "optimal" if self._proven() else "feasible"
        if status == "optimal":
            bound = self.objective
        return JointResult(
            status,
            list(self.plan),
            self.objective,
            bound,
            [],
            self.found_at,
            {"city": self.stats, "offset_s": 0.0},
        )


def solve_city(
    problem: Problem,
    parts: list[Part],
    run: RunContext,
    executor: Executor,
    *,
    warm: Sequence[list[Column]] = (),
    transport: CapacityRelaxation | None = None,
    params: CityParams | None = None,
    executor_name: str = "local",
) -> JointResult:
    """The city search (module docstring) within ``run``'s limits on ``executor``.

    Parameters
    ----------
    problem
        The whole problem.
    parts
        Its streets or regions (:func:`sharedprop.models.decompose.parts.parts_of`).
    run
        Limits, seed, workers, progress and stop.
    executor
        Where the tasks run.
    warm
        Plans to start from.
    transport
        The transportation LP: its duals price the parts and its value is the first bound.
    params
        The schedule (:class:`CityParams`).
    executor_name
        The executor's name in the statistics.

    Returns
    -------
    JointResult
        The best plan, its objective, the bound, and ``stats["city"]``
        (:class:`sharedprop.result.CityStatistics`).
    """
    search = CitySearch(
        problem,
        parts,
        run,
        executor,
        warm=list(warm),
        transport=transport,
        params=params,
        executor_name=executor_name,
    )
    return search.run_search()
