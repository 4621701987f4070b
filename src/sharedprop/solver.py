"""``solve``: strategy choice, time budget, warm starts, progress and the :class:`Result`.

Strategies
----------
``joint``      column generation over whole packages (firm, hub, members, resources) with an
               exact LP/Lagrangian lower bound and a CP-SAT integer master
               (:mod:`sharedprop.models.colgen.joint`). Warm-started from the two-stage plan,
               the manual plan shipped with the instance and the caller's ``initial_plan``.
``two-stage``  stage 1 clusters communities into packages (CP-SAT, exact contiguity), stage 2
               assigns packages to firms (CP-SAT generalized assignment), then resources are
               bundled (:mod:`sharedprop.models.classic.two_stage`). Fast; no bound on the
               whole problem.
``streets``    streets solved in turn by ``joint``, each with the firm capacity, packages and
               resources the earlier ones left, then recombined by one master
               (:mod:`sharedprop.models.decompose.streets`); no bound of its own. Needs two or
               more streets that no package may cross.
``city``       the whole city at once: parts (streets, or regions of the graph when packages
               may cross streets) solved again and again against the plan as tasks on an
               executor, recombined by an integer master, and bounded part by part
               (:mod:`sharedprop.models.decompose.city`). Needs two or more parts.
``auto``       ``joint`` (which runs the two-stage model first as its warm start) up to
               ``AUTO_JOINT_MAX`` communities; beyond that ``city``.

Limits
------
``time_limit`` is wall-clock seconds and always ends the run. ``work_limit`` makes a run
repeatable: every step then budgets work units on a deterministic clock, with one worker
(:mod:`sharedprop.models.core.run`). One :class:`~sharedprop.models.core.run.RunContext`
carries the limits, the seed, the workers, the progress and the stop to every step.
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from sharedprop.data import Instance
from sharedprop.evaluate import best_hub
from sharedprop.execute.base import Executor
from sharedprop.execute.choose import executor_from
from sharedprop.execute.local import LocalExecutor
from sharedprop.feasibility import diagnose, explain_infeasible
from sharedprop.feasibility.conflict import MAX_COMMUNITIES as CONFLICT_MAX_COMMUNITIES
from sharedprop.io.instances import load_instance
from sharedprop.manual import manual_plan
from sharedprop.models.bounds.background import BackgroundBound
from sharedprop.models.bounds.transport import CapacityRelaxation, capacity_relaxation
from sharedprop.models.bounds.without_contiguity import relaxed_lp_bound
from sharedprop.models.classic.two_stage import solve_two_stage
from sharedprop.models.colgen.joint import is_valid_column, respects_master_rules, solve_joint
from sharedprop.models.core.clock import run_deadline
from sharedprop.models.core.columns import Column, make_column, plan_objective
from sharedprop.models.core.duals import Duals
from sharedprop.models.core.problem import InstanceMaps, Problem, problem_from_instance
from sharedprop.models.core.result import JointResult
from sharedprop.models.core.run import ProgressFn, RunContext, never
from sharedprop.models.decompose.city import solve_city
from sharedprop.models.decompose.parts import Part, parts_of
from sharedprop.models.decompose.regions import improve_by_regions
from sharedprop.models.decompose.streets import Block, solve_by_blocks, street_blocks
from sharedprop.models.kernels import warm_up
from sharedprop.plan import Package, Plan
from sharedprop.result import STATUSES, ProgressPoint, Result, SolveStatistics, Status

STRATEGIES = ("auto", "joint", "two-stage", "streets", "city")
# Above this many communities one joint model does not converge in a minute; street by street
# does far better (benchmarks/README.md, manual suite).
AUTO_JOINT_MAX = 500

# Region search after the joint model on instances with more than REGION_MIN_OPTIONS package
# options: there the joint model's own search gains little while regions keep improving to the
# end, so regions of about REGION_SIZE communities, REGION_TIME seconds each, get REGION_SHARE
# of the joint time (docs/decisions.md, docs/formulation.md).
REGION_MIN_OPTIONS = 400
REGION_SHARE = 0.85
REGION_SIZE = 7
REGION_TIME = 1.0
# Share of the limit for the bound without contiguity on those instances when no second process
# can carry it (one worker, or no fork).
RELAXED_SHARE = 0.35
# Branch and price after the root while a gap remains, on models up to REGION_MIN_OPTIONS
# options (beyond, the root LP does not converge within a minute: docs/decisions.md,
# 2026-12-07, has the street-scale figures with and without it).
BRANCH_AND_PRICE = True

ProgressCallback = Callable[[ProgressPoint], None]
# (objective, columns) of a plan handed in or the manual-like baseline that obeys every rule.
Hint = tuple[float, list[Column]]


def solve(
    instance: Instance | str | os.PathLike[str],
    *,
    time_limit: float = 60.0,
    work_limit: float | None = None,
    seed: int = 0,
    workers: int = 2,
    strategy: str = "auto",
    initial_plan: Plan | None = None,
    on_progress: ProgressCallback | None = None,
    stop: Callable[[], bool] | None = None,
    executor: Executor | str | None = None,
) -> Result:
    """Find the plan that needs the least public money under every rule of the instance.

    Parameters
    ----------
    instance : Instance or path
        The communities, firms, resources, locks and policy (:func:`sharedprop.load_instance`),
        or the path of an instance folder or workbook, which is loaded first.
    time_limit : float, default 60.0
        Wall-clock seconds for the whole run, hints, bounds and result included; it always
        ends the run (within about a second).
    work_limit : float or None, default None
        Ask for a repeatable run: the search counts work units on a deterministic clock
        (calibrated to about a second each on an unloaded 2-core machine) and stops after this
        many, so the same seed gives the same plan on any machine. Needs ``workers=1``.
        ``time_limit`` still ends the run; a run it cuts is not repeatable and says so
        (``Result.stopped_by == "time"``). None: the search runs on the wall clock.
    seed : int, default 0
        Random seed of every search.
    workers : int, default 2
        Parallel search workers (CP-SAT threads; with two or more the bound without
        contiguity and the streets of a pair also run in a second process).
    strategy : {"auto", "joint", "two-stage", "streets", "city"}, default "auto"
        How to search (module docstring).
    initial_plan : Plan or None
        A plan to start from (a hint, not a rule); the result is never worse than it if it
        obeys every rule.
    on_progress : callable or None
        Called with a :class:`ProgressPoint` at every better plan or bound.
    stop : callable or None
        Polled; when it returns True the run ends early and keeps the best plan found (the
        CLI's Ctrl-C).
    executor : Executor, str or None
        Where the city strategy's tasks run (:mod:`sharedprop.execute`): an open executor
        (left open), or an address — ``"local"`` or None for a local process pool over
        ``workers`` (inline with one), ``"tcp://HOST:PORT"`` for a Dask cluster (the extra
        ``sharedprop[distributed]``) — opened and closed by the run. Other strategies run in
        this process.

    Returns
    -------
    Result
        The plan (None when none was found), its objective, the best proven bound, the status
        (``"optimal"``, ``"feasible"``, ``"infeasible"`` or ``"unknown"``), the reasons in
        words when there is no plan, what ended the run (``stopped_by``) and the run's
        statistics. An infeasible or timed-out run is a result, never an exception.

    Raises
    ------
    ValueError
        For an unknown ``strategy``, a ``time_limit`` or ``work_limit`` that is not a
        positive number, or a ``work_limit`` with more than one worker.

    Examples
    --------
    >>> from sharedprop import load_instance, solve
    >>> pilot = load_instance("instances/xiamen-pilot")
    >>> result = solve(pilot, time_limit=60)
    >>> result.status, result.stopped_by
    ('optimal', 'proof')

    A repeatable run: 20 work units on one worker, the same plan every time, unless the
    wall-clock limit (here 120 s) cuts it first:

    >>> first = solve(pilot, time_limit=120, work_limit=20, workers=1, seed=3)
    >>> first.plan == solve(pilot, time_limit=120, work_limit=20, workers=1, seed=3).plan
    True
    """
    if isinstance(instance, str | os.PathLike):
        instance = load_instance(instance)
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {', '.join(STRATEGIES)}, got {strategy!r}")
    run = _run_context(time_limit, work_limit, seed, workers, stop)
    # Every CP-SAT search of the run ends at its deadline, in the models that take no run
    # context too (models/core/clock.py).
    with run_deadline(run.deadline):
        return _solve(instance, run, strategy, initial_plan, on_progress, executor)


def _solve(
    instance: Instance,
    run: RunContext,
    strategy: str,
    initial_plan: Plan | None,
    on_progress: ProgressCallback | None,
    executor: Executor | str | None = None,
) -> Result:
    """Diagnose, take the hints, choose and run the strategy, then the result."""
    # Compile or load the Numba kernels now, inside the run's time but before any search: a
    # first call inside a short region solve could trip its safety net (models/kernels.py).
    warm_up()
    problem, maps = problem_from_instance(instance)
    reasons = diagnose(instance, problem, maps)
    if reasons:
        return _infeasible(run, strategy, tuple(reasons))
    # A bound at every size, in about a second (models/bounds/transport.py); the search's own
    # bound takes over when it is stronger.
    relaxed = capacity_relaxation(problem)
    trace = _Trace(run, None if relaxed is None else relaxed.bound, on_progress)
    run = replace(run, on_progress=trace)
    warm, hints = _take_hints(instance, problem, maps, initial_plan, run)
    chosen, blocks, parts = _choose_strategy(problem, strategy)
    if chosen == "city":
        assert parts is not None
        jr = _solve_city(problem, parts, run, warm, relaxed, executor)
    else:
        jr, chosen = _run_strategy(chosen, blocks, problem, maps, run, warm, relaxed)
    _keep_the_best_hint(jr, hints, run)
    _apply_bounds(jr, trace.floor, run)
    strategy_run = f"{strategy}→{chosen}" if strategy == "auto" else chosen
    return _finish(instance, problem, maps, run, jr, trace, strategy_run)


def _run_context(
    time_limit: float,
    work_limit: float | None,
    seed: int,
    workers: int,
    stop: Callable[[], bool] | None,
) -> RunContext:
    """The run's context, its limits checked."""
    for name, value in (("time_limit", time_limit), ("work_limit", work_limit)):
        if value is not None and not (math.isfinite(value) and value > 0):
            raise ValueError(f"{name} must be a positive number of seconds, got {value!r}")
    return RunContext(
        time_limit=float(time_limit),
        work_limit=None if work_limit is None else float(work_limit),
        seed=seed,
        workers=max(1, int(workers)),
        stop=stop or never,
    )


def _infeasible(run: RunContext, strategy: str, reasons: tuple[str, ...]) -> Result:
    """The result of an instance that no plan can satisfy, with the reasons in words."""
    return Result(
        status="infeasible",
        plan=None,
        objective=None,
        best_bound=None,
        runtime_s=run.elapsed(),
        strategy=strategy,
        reasons=reasons,
        seed=run.seed,
        workers=run.workers,
        time_limit=run.time_limit,
        work_limit=run.work_limit,
        stopped_by="proof",
    )


def _finish(
    instance: Instance,
    problem: Problem,
    maps: InstanceMaps,
    run: RunContext,
    jr: JointResult,
    trace: _Trace,
    strategy: str,
) -> Result:
    """The search's plan in the instance's names, the reasons in words if it proved there is
    none, and what ended the run."""
    plan = None if jr.objective is None else columns_to_plan(problem, maps, instance, jr.columns)
    status, reasons = _no_plan_reasons(instance, run, jr) if plan is None else (jr.status, ())
    stopped_by = run.stopped_by(proven=status in ("optimal", "infeasible"))
    tti = None
    if jr.time_to_incumbent is not None:
        # The search began after the warm start's share; a repeatable run cut by the wall clock
        # counted its last moments at the overdue rate (models/core/clock.py).
        tti = jr.time_to_incumbent + (jr.stats.get("offset_s") or 0.0)
        if run.deterministic and stopped_by == "time":
            tti = min(tti, run.limit)
    return Result(
        status=_status(status),
        plan=plan,
        objective=jr.objective,
        # Public money and costs are never negative, so 0 is always a valid bound.
        best_bound=None if jr.bound is None else max(jr.bound, 0.0),
        runtime_s=run.elapsed(),
        strategy=strategy,
        trace=tuple(trace.points),
        reasons=reasons,
        seed=run.seed,
        workers=run.workers,
        time_limit=run.time_limit,
        time_to_incumbent_s=tti,
        stats=_statistics(jr.stats),
        work_limit=run.work_limit,
        stopped_by=stopped_by,
    )


def _no_plan_reasons(
    instance: Instance, run: RunContext, jr: JointResult
) -> tuple[str, tuple[str, ...]]:
    """Why a search that found no plan found none: a minimal set of rules that cannot hold
    together. The search's LP can stay feasible where no whole plan is (a floor met by a
    fraction of a package), so an ``unknown`` end is settled the same way when there is time."""
    if jr.status == "unknown" and (
        len(instance.communities) > CONFLICT_MAX_COMMUNITIES or run.left() <= 0.0
    ):
        return jr.status, ()
    if jr.status not in ("infeasible", "unknown"):
        return jr.status, ()
    explain = min(30.0, max(0.5, run.left()))
    reasons = tuple(explain_infeasible(instance, time_limit=explain))
    return ("infeasible" if reasons else jr.status), reasons


def _status(status: str) -> Status:
    if status not in STATUSES:
        raise ValueError(f"internal error: unknown search status {status!r}")
    return status  # type: ignore[return-value]


class _Trace:
    """The run's progress: every point, each showing the best plan known so far (a
    street-by-street run reports streets before it has a whole plan, and a hint may beat the
    search's first plans) and a bound no weaker than ``floor`` (the transportation LP's)."""

    def __init__(
        self, run: RunContext, floor: float | None, on_progress: ProgressCallback | None
    ) -> None:
        self.run, self.floor, self.on_progress = run, floor, on_progress
        self.points: list[ProgressPoint] = []
        self.best: float | None = None

    def __call__(self, seconds: float, obj: float | None, bound: float | None, msg: str) -> None:
        if self.floor is not None:
            bound = self.floor if bound is None else max(bound, self.floor)
        if obj is not None and (self.best is None or obj < self.best):
            self.best = obj
        point = ProgressPoint(self.run.elapsed(), self.best, bound, msg)
        self.points.append(point)
        if self.on_progress is not None:
            self.on_progress(point)


@dataclass(frozen=True)
class _WithBound:
    """``progress`` reporting the better of each bound and another one that holds throughout:
    ``poll()`` (a second process's, as it improves) or ``value``."""

    progress: ProgressFn
    poll: Callable[[], float | None] | None = None
    value: float | None = None

    def __call__(self, seconds: float, obj: float | None, bound: float | None, msg: str) -> None:
        other = self.poll() if self.poll is not None else self.value
        if other is not None:
            bound = other if bound is None else max(bound, other)
        self.progress(seconds, obj, bound, msg)


def _take_hints(
    instance: Instance,
    problem: Problem,
    maps: InstanceMaps,
    initial_plan: Plan | None,
    run: RunContext,
) -> tuple[list[list[Column]], list[Hint]]:
    """The plans to start from as columns (warm starts), and those that obey every rule with
    their objective: the progress starts from them and the result is never worse."""
    warm: list[list[Column]] = []
    kept: list[Hint] = []
    for plan in _hint_plans(instance, initial_plan):
        cols = plan_to_columns(problem, maps, instance, plan)
        if cols is None:
            continue
        warm.append(cols)
        obj = _hint_objective(problem, cols)
        if obj is not None:
            kept.append((obj, cols))
            run.report(
                obj, None, "plan handed in" if plan is initial_plan else "manual-like baseline"
            )
    return warm, kept


def _choose_strategy(
    problem: Problem, strategy: str
) -> tuple[str, list[Block] | None, list[Part] | None]:
    """The strategy to run for ``strategy`` and, for ``streets``, the streets as blocks, for
    ``city`` its parts (streets, or regions when packages may cross streets)."""
    chosen = "joint" if strategy == "auto" else strategy
    blocks = street_blocks(problem) if strategy == "streets" else None
    parts = None
    if strategy == "city" or (strategy == "auto" and problem.n > AUTO_JOINT_MAX):
        parts = parts_of(problem)
        chosen = "city" if parts is not None else "joint"
    elif strategy == "streets" and blocks is None:
        chosen = "joint"  # one street, or packages may cross streets: nothing to split
    return chosen, blocks, parts


def _solve_city(
    problem: Problem,
    parts: list[Part],
    run: RunContext,
    warm: list[list[Column]],
    relaxed: CapacityRelaxation | None,
    executor: Executor | str | None,
) -> JointResult:
    """The city strategy on ``executor`` (opened and closed here unless one was handed in)."""
    own = not isinstance(executor, Executor)
    ex = executor if isinstance(executor, Executor) else executor_from(executor, run.workers)
    name = "local" if isinstance(ex, LocalExecutor) else "dask"
    try:
        return solve_city(problem, parts, run, ex, warm=warm, transport=relaxed, executor_name=name)
    finally:
        if own:
            ex.close()


def _run_strategy(
    chosen: str,
    blocks: list[Block] | None,
    problem: Problem,
    maps: InstanceMaps,
    run: RunContext,
    warm: list[list[Column]],
    relaxed: CapacityRelaxation | None,
) -> tuple[JointResult, str]:
    """The chosen strategy's result, and its name as run."""
    if not problem.options:
        # No firm may run any package: leaving everyone uncovered is the only plan (diagnose
        # has already ruled out communities that must be covered).
        nothing = plan_objective(problem, [])
        run.report(nothing, nothing, "no package is possible")
        return JointResult("optimal", [], nothing, nothing, [], 0.0, {}), chosen
    if chosen == "streets":
        assert blocks is not None
        solve_block = _StreetSolver(maps, run)
        return solve_by_blocks(problem, blocks, solve_block, run, warm=warm, guide=relaxed), chosen
    if chosen == "two-stage":
        return _two_stage(problem, maps, run, warm)
    return _solve_joint_with_warm_start(problem, maps, run, warm, transport=relaxed), chosen


def _two_stage(
    problem: Problem, maps: InstanceMaps, run: RunContext, warm: list[list[Column]]
) -> tuple[JointResult, str]:
    """The two-stage strategy; if it finds no plan, the joint model in what it left."""
    jr = solve_two_stage(problem, maps, run, initial=warm)
    left = run.limit - jr.stats["work"] if run.deterministic else run.left()
    if jr.objective is not None or left <= 0.2 or run.stopped():
        return jr, "two-stage"
    # The stages decide separately, so they can miss a plan that exists (a cluster no firm may
    # take whole): the joint model, which cannot, takes the time left.
    jr = solve_joint(
        problem,
        time_limit=left,
        workers=run.workers,
        seed=run.seed,
        initial=warm,
        on_progress=run.on_progress,
        stop=run.stopped,
        deterministic=run.deterministic,
    )
    return jr, "two-stage→joint"


@dataclass(frozen=True)
class _StreetSolver:
    """Solves one street (or pair of streets) for the street-by-street strategy: the joint
    model with its warm start, within ``limit`` of the run's units, polling ``stop`` (None: the
    run's own); it proves nothing for the whole instance, so it skips the bound."""

    maps: InstanceMaps
    run: RunContext

    def __call__(
        self,
        sub: Problem,
        limit: float,
        warm: list[list[Column]],
        stop: Callable[[], bool] | None,
    ) -> JointResult:
        part = self.run.part(limit, stop=stop)
        return _solve_joint_with_warm_start(sub, self.maps, part, warm, bound_search=False)


def _solve_joint_with_warm_start(
    problem: Problem,
    maps: InstanceMaps,
    run: RunContext,
    warm: list[list[Column]],
    *,
    bound_search: bool = True,
    transport: CapacityRelaxation | None = None,
) -> JointResult:
    """The joint model within ``run.limit``, warm-started by the two-stage plan, with the bound
    without contiguity (beside it in a second process, or before it) and region search on
    large instances."""
    # Beyond street size the column generation does not converge within the limit
    # (docs/formulation.md): the bound comes from the relaxation without contiguity, and part
    # of the time goes to re-solving regions of the plan.
    large = len(problem.options) > REGION_MIN_OPTIONS
    # Smaller instances get the bound too when a second process can carry it: there the joint
    # model's column generation may converge (then it wins), or stall on exact pricing.
    parallel = run.workers >= 2 and bound_search and BackgroundBound.available()
    want_bound = bound_search and (large or parallel)
    # Start at the transportation LP's duals, not with the plans known so far as columns: a
    # plan's packages in the first master slowed the root (docs/decisions.md).
    start = transport.duals if want_bound and transport is not None else None
    background = None
    if parallel:
        # The bound takes a core of its own for the whole limit (models/bounds/background.py).
        background = BackgroundBound(problem, time_limit=max(0.5, run.left() - 0.5), start=start)
        run = replace(run, on_progress=_WithBound(run.on_progress, poll=background.poll))
    try:
        jr, (relaxed, rb_stats) = _search_plans(
            problem,
            maps,
            run,
            warm,
            large=large,
            # Without a second process the bound takes its share of the limit in turn.
            bound_first=want_bound and background is None,
            start=start,
        )
    finally:
        if background is not None:
            relaxed, rb_stats = background.finish(timeout=0.5)
    if background is not None and background.error is not None:
        jr.stats["relaxed_error"] = background.error
    if relaxed is not None:
        jr.stats["relaxed_bound"] = relaxed
        jr.stats["relaxed_rounds"] = rb_stats.get("rounds")
        jr.stats["relaxed_converged"] = rb_stats.get("converged")
        jr.stats["relaxed_branches"] = rb_stats.get("nodes")
        jr.stats["relaxed_in_parallel"] = background is not None
    return jr


def _search_plans(
    problem: Problem,
    maps: InstanceMaps,
    run: RunContext,
    warm: list[list[Column]],
    *,
    large: bool,
    bound_first: bool,
    start: Duals | None,
) -> tuple[JointResult, tuple[float | None, dict]]:
    """Two-stage warm start, the bound without contiguity if ``bound_first``, the joint model
    and region search; returns the joint result and (the bound, its statistics)."""
    # A short two-stage run gives the joint model a good first incumbent (and its columns).
    ts_budget = min(0.15 * run.limit, 20.0)
    ts = solve_two_stage(problem, maps, run.part(ts_budget), initial=warm)
    if ts.columns:
        warm = [*warm, ts.columns]
        run.report(ts.objective, None, "two-stage warm start")
    relaxed: tuple[float | None, dict] = (None, {})
    rb_budget = RELAXED_SHARE * run.limit if bound_first else 0.0
    if rb_budget > 0:
        relaxed = relaxed_lp_bound(
            problem, time_limit=rb_budget, clock=run.clock(), stop=run.stopped, start=start
        )
        if relaxed[0] is not None:
            run.report(ts.objective, relaxed[0], "bound without contiguity")
            run = replace(run, on_progress=_WithBound(run.on_progress, value=relaxed[0]))
    if run.stopped():
        # Stopped, or out of time: the warm start's plan is the search's (the hints are kept
        # by the caller).
        return ts, relaxed
    # A deterministic run's steps were given fixed shares; a wall-clock run has what is left.
    if run.deterministic:
        left = max(0.5, run.limit - ts_budget - rb_budget)
    else:
        left = max(0.5, run.left())
    joint_limit = left * (1.0 - (REGION_SHARE if large else 0.0))
    jr = solve_joint(
        problem,
        time_limit=joint_limit,
        workers=run.workers,
        seed=run.seed,
        initial=warm,
        on_progress=run.on_progress,
        stop=run.stopped,
        deterministic=run.deterministic,
        branch_and_price=BRANCH_AND_PRICE and not large,
    )
    jr.stats["offset_s"] = run.limit - left
    if large and jr.objective is not None and jr.status != "optimal":
        _improve_by_regions(problem, jr, run, joint_limit, left - joint_limit)
    return jr, relaxed


@dataclass(frozen=True)
class _RegionProgress:
    """Region search's better plans: dated after the joint model's share (``offset``, in the
    run's units, so a repeatable run's date repeats too) and reported with the joint bound."""

    jr: JointResult
    run: RunContext
    offset: float

    def __call__(self, obj: float, cols: list[Column], spent: float) -> None:
        self.jr.time_to_incumbent = self.offset + spent
        self.run.report(obj, self.jr.bound, "region search")


def _improve_by_regions(
    problem: Problem, jr: JointResult, run: RunContext, joint_limit: float, share: float
) -> None:
    """Large-neighbourhood search by regions on the joint model's plan (given ``joint_limit``),
    in ``share`` of the run's units (a wall-clock run: what is left); updates ``jr``."""
    budget = share if run.deterministic else run.left()
    if budget < 1.0:
        return
    out = improve_by_regions(
        problem,
        jr.columns,
        run.part(budget, on_progress=run.on_progress),
        size=REGION_SIZE,
        region_time=REGION_TIME,
        on_improve=_RegionProgress(jr, run, joint_limit),
        exact_pricing=False,
        # Region solves are a second each: no enrichment of their pools (measured only on
        # whole streets, models/colgen/joint.py), nor the hub-matching bound, which slowed
        # them for the same plans (docs/decisions.md).
        table_pool=0,
        hub_matching=False,
    )
    jr.stats["regions"] = out.regions
    jr.stats["regions_improved"] = out.improved
    if jr.objective is not None and out.objective < jr.objective - 1e-6:
        jr.columns, jr.objective = out.columns, out.objective


def _apply_bounds(jr: JointResult, floor: float | None, run: RunContext) -> None:
    """Raise ``jr.bound`` to the transportation-LP bound (``floor``, every strategy) or the bound
    without contiguity (large instances) where stronger, as they are where the joint model's
    column generation has not converged; a bound that meets the plan proves it optimal."""
    if floor is not None:
        jr.stats["capacity_bound"] = round(floor, 2)
    if jr.objective is None:
        return
    best = max((b for b in (floor, jr.stats.get("relaxed_bound")) if b is not None), default=None)
    if best is None or (jr.bound is not None and best <= jr.bound):
        return
    jr.bound = min(best, jr.objective)
    if jr.objective - best <= max(0.01, 1e-9 * abs(jr.objective)):
        jr.status, jr.bound = "optimal", jr.objective
    run.report(jr.objective, jr.bound, "bound")


def _keep_the_best_hint(jr: JointResult, hints: list[Hint], run: RunContext) -> None:
    """A hint (the caller's plan, the instance's manual plan) that obeys every rule and needs
    less than the search's plan becomes the result: whatever the strategy, a plan handed in is
    never made worse. The joint model starts from its hints anyway; the two-stage and
    street-by-street strategies use them only to steer, and can end above them."""
    for obj, cols in hints:
        if jr.objective is not None and obj >= jr.objective - 1e-6:
            continue
        jr.columns, jr.objective, jr.time_to_incumbent = list(cols), obj, 0.0
        jr.stats["offset_s"] = 0.0
        if jr.bound is not None and obj - jr.bound <= max(0.01, 1e-9 * abs(obj)):
            jr.status, jr.bound = "optimal", obj
        else:
            jr.status = "feasible"
        run.report(obj, jr.bound, "a plan handed in is better: kept")


_SOLVER_STATISTICS = (
    "capacity_bound",
    "relaxed_bound",
    "relaxed_rounds",
    "relaxed_converged",
    "relaxed_branches",
    "relaxed_in_parallel",
    "relaxed_error",
    "regions",
    "regions_improved",
    "streets",
    "city",
)


def _statistics(stats: dict) -> SolveStatistics:
    """The search's statistics, the solver's own typed and the model's counters as they are."""
    own = {k: stats[k] for k in _SOLVER_STATISTICS if k in stats}
    search = {k: v for k, v in stats.items() if k not in own}
    return SolveStatistics(**own, search=search)


def _hint_objective(problem: Problem, cols: list[Column]) -> float | None:
    """The objective of a hint's packages, or None if they break a rule."""
    if not all(is_valid_column(problem, c) for c in cols):
        return None
    return plan_objective(problem, cols) if respects_master_rules(problem, cols) else None


def _hint_plans(instance: Instance, initial_plan: Plan | None) -> list[Plan]:
    plans = [initial_plan] if initial_plan is not None else []
    # A baseline that fails is simply not used as a hint.
    with contextlib.suppress(Exception):
        plans.append(manual_plan(instance))
    return plans


def plan_to_columns(
    problem: Problem, maps: InstanceMaps, instance: Instance, plan: Plan
) -> list[Column] | None:
    """Map a plan onto the problem's options; None if some package has no matching option."""
    opt_index = {(o.firm, o.hub): j for j, o in enumerate(problem.options)}
    cidx = {c: i for i, c in enumerate(maps.community_ids)}
    fidx = {f: i for i, f in enumerate(maps.firm_ids)}
    ridx = {r: i for i, r in enumerate(maps.resource_ids)}
    cols = []
    for p in plan.packages:
        if p.firm_id not in fidx or any(m not in cidx for m in p.members):
            return None
        hub_id = p.hub_id
        if hub_id is None:
            firm = instance.firm(p.firm_id)
            hub_id = best_hub(instance, firm, [instance.community(m) for m in p.members]).id
        key = (fidx[p.firm_id], cidx.get(hub_id, -2))
        if key not in opt_index or any(r not in ridx for r in p.resources):
            return None
        cols.append(
            make_column(
                problem,
                opt_index[key],
                [cidx[m] for m in p.members],
                [ridx[r] for r in p.resources],
            )
        )
    return cols


def columns_to_plan(
    problem: Problem, maps: InstanceMaps, instance: Instance, cols: list[Column]
) -> Plan:
    """Name packages P01, P02, … in a stable order (firm, then hub) so equal plans print equal."""
    ordered = sorted(
        cols,
        key=lambda c: (problem.options[c.option].firm, problem.options[c.option].hub, c.members),
    )
    width = max(2, len(str(len(ordered))))
    pkgs = []
    for k, c in enumerate(ordered, start=1):
        opt = problem.options[c.option]
        pkgs.append(
            Package(
                id=f"P{k:0{width}d}",
                firm_id=maps.firm_ids[opt.firm],
                members=tuple(maps.community_ids[i] for i in c.members),
                hub_id=maps.community_ids[opt.hub] if opt.hub >= 0 else None,
                resources=tuple(maps.resource_ids[r] for r in c.resources),
            )
        )
    return Plan(packages=tuple(pkgs), name="optimized")


def uncovered_mask(problem: Problem, cols: list[Column]) -> np.ndarray:
    covered = np.zeros(problem.n, dtype=bool)
    for c in cols:
        covered[list(c.members)] = True
    return ~covered
