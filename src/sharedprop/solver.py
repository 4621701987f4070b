"""``solve``: strategy choice, time budget, warm starts, progress and the :class:`Result`.

Strategies
----------
``joint``      column generation over whole packages (firm, hub, members, resources) with an
               exact LP/Lagrangian lower bound and a CP-SAT integer master
               (:mod:`sharedprop.models.colgen.joint`). Warm-started from the two-stage plan, the
               manual
               plan shipped with the instance and the caller's ``initial_plan``.
``two-stage``  stage 1 clusters communities into packages (CP-SAT, exact contiguity), stage 2
               assigns packages to firms (CP-SAT generalized assignment), then resources are
               bundled (:mod:`sharedprop.models.classic.two_stage`). Fast; no bound on the whole
               problem.
``streets``    streets solved in turn by ``joint``, each with the firm capacity, packages and
               resources the earlier ones left, then recombined by one master
               (:mod:`sharedprop.models.decompose.streets`); no bound of its own. Needs two or more
               streets that no package may cross.
``auto``       ``joint`` (which runs the two-stage model first as its warm start) up to
               ``AUTO_JOINT_MAX`` communities; beyond that ``streets`` when the instance has
               streets that packages may not cross, else ``joint``.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable

import numpy as np

from sharedprop.data import Instance
from sharedprop.evaluate import best_hub
from sharedprop.feasibility import diagnose, explain_infeasible
from sharedprop.io.instances import load_instance
from sharedprop.manual import manual_plan
from sharedprop.models.bounds.background import BackgroundBound
from sharedprop.models.bounds.transport import CapacityRelaxation, capacity_relaxation
from sharedprop.models.bounds.without_contiguity import relaxed_lp_bound
from sharedprop.models.classic.two_stage import solve_two_stage
from sharedprop.models.colgen.joint import is_valid_column, respects_master_rules, solve_joint
from sharedprop.models.core.clock import Clock
from sharedprop.models.core.columns import Column, make_column, plan_objective
from sharedprop.models.core.duals import Duals
from sharedprop.models.core.problem import InstanceMaps, Problem, problem_from_instance
from sharedprop.models.core.result import JointResult
from sharedprop.models.decompose.regions import improve_by_regions
from sharedprop.models.decompose.streets import solve_by_blocks, street_blocks
from sharedprop.models.kernels import warm_up
from sharedprop.plan import Package, Plan
from sharedprop.result import ProgressPoint, Result

STRATEGIES = ("auto", "joint", "two-stage", "streets")
# Above this many communities one joint model does not converge in a minute (measured in
# benchmarks/README.md, manual suite); street by street it does far better.
AUTO_JOINT_MAX = 500

# Region search after the joint model (see docs/formulation.md for the measurements): on
# instances with more than REGION_MIN_OPTIONS package options, REGION_SHARE of the joint time
# re-solves regions of about REGION_SIZE communities, REGION_TIME seconds each. The joint
# model's own search gains ~1 % there while regions keep improving to the end, so they get
# most of the time (0.85 against 0.5: 120-community streets, seeds 1-5, 60 s, cheaper plan on
# every seed, 1.1 % in all; 0.95 no better than 0.5).
REGION_MIN_OPTIONS = 400
REGION_SHARE = 0.85
REGION_SIZE = 7
REGION_TIME = 1.0
# Share of the limit for the bound without contiguity on those instances.
RELAXED_SHARE = 0.35
# Branch and price after the root while a gap remains, on models up to REGION_MIN_OPTIONS
# options (beyond, the root LP does not converge within a minute: docs/decisions.md,
# 2026-12-07, has the street-scale figures with and without it).
BRANCH_AND_PRICE = True

ProgressCallback = Callable[[ProgressPoint], None]


def solve(
    instance: Instance | str | os.PathLike[str],
    *,
    time_limit: float = 60.0,
    seed: int = 0,
    workers: int = 2,
    strategy: str = "auto",
    initial_plan: Plan | None = None,
    on_progress: ProgressCallback | None = None,
    stop: Callable[[], bool] | None = None,
) -> Result:
    """Find the plan that needs the least public money under every rule of the instance.

    Never raises for an infeasible or timed-out run: the :class:`Result` says what happened.
    ``seed`` with ``workers=1`` makes a run repeat exactly. ``stop`` (polled) ends the search
    early and keeps the best plan found, which is how the CLI handles Ctrl-C.
    """
    if isinstance(instance, str | os.PathLike):
        instance = load_instance(instance)
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {', '.join(STRATEGIES)}, got {strategy!r}")
    t0 = time.monotonic()
    workers = max(1, int(workers))
    # Compile or load the Numba kernels now, inside the run's time but before any search: a
    # first call inside a one-worker region solve could trip its wall-clock safety net and
    # break exact repetition (models/kernels.py).
    warm_up()
    problem, maps = problem_from_instance(instance)

    reasons = diagnose(instance, problem, maps)
    if reasons:
        return Result(
            status="infeasible",
            plan=None,
            objective=None,
            best_bound=None,
            runtime_s=time.monotonic() - t0,
            strategy=strategy,
            reasons=tuple(reasons),
            seed=seed,
            workers=workers,
            time_limit=time_limit,
        )

    trace: list[ProgressPoint] = []
    # A bound at every size, in about a second: models/bounds/transport.py. The search's own bound
    # takes
    # over when it is stronger (a converged column generation always is).
    relaxed = capacity_relaxation(problem)
    floor = None if relaxed is None else relaxed.bound

    best_seen: list[float] = []  # the best plan's objective so far, hints included

    def progress(sec: float, obj: float | None, bound: float | None, msg: str) -> None:
        if floor is not None:
            bound = floor if bound is None else max(bound, floor)
        # Progress shows the best plan known, never one worse than it: a street-by-street run
        # reports streets before it has a whole plan, and a hint may beat its first plans.
        if obj is not None and (not best_seen or obj < best_seen[0]):
            best_seen[:] = [obj]
        obj = best_seen[0] if best_seen else None
        pt = ProgressPoint(time.monotonic() - t0, obj, bound, msg)
        trace.append(pt)
        if on_progress is not None:
            on_progress(pt)

    warm: list[list[Column]] = []
    # Each hint that obeys every rule, with its objective: the progress starts from it and the
    # result is never worse than it.
    kept_hints: list[tuple[float, list[Column]]] = []
    for plan in _hint_plans(instance, initial_plan):
        cols = plan_to_columns(problem, maps, instance, plan)
        if cols is not None:
            warm.append(cols)
            hint_obj = _hint_objective(problem, cols)
            if hint_obj is not None:
                kept_hints.append((hint_obj, cols))
                label = "plan handed in" if plan is initial_plan else "manual-like baseline"
                progress(0.0, hint_obj, None, label)

    chosen = "joint" if strategy == "auto" else strategy
    blocks = street_blocks(problem) if strategy in ("auto", "streets") else None
    if strategy == "auto" and blocks is not None and problem.n > AUTO_JOINT_MAX:
        chosen = "streets"
    elif strategy == "streets" and blocks is None:
        chosen = "joint"  # one street, or packages may cross streets: nothing to split
    if not problem.options:
        # No firm may run any package: leaving everyone uncovered is the only plan (diagnose
        # has already ruled out communities that must be covered).
        jr = JointResult(
            "optimal", [], plan_objective(problem, []), plan_objective(problem, []), [], 0.0, {}
        )
        progress(0.0, jr.objective, jr.bound, "no package is possible")
    elif chosen == "streets":
        assert blocks is not None

        def solve_block(
            sub: Problem,
            limit: float,
            sub_warm: list[list[Column]],
            sub_stop: Callable[[], bool] | None,
        ) -> JointResult:
            return _solve_joint_with_warm_start(
                sub,
                maps,
                limit,
                workers,
                seed,
                sub_warm,
                lambda *a: None,
                sub_stop or stop,
                time.monotonic(),
                bound_search=False,
            )

        jr = solve_by_blocks(
            problem,
            blocks,
            solve_block,
            time_limit=time_limit,
            workers=workers,
            seed=seed,
            warm=warm,
            progress=progress,
            elapsed=lambda: time.monotonic() - t0,
            stop=stop,
            guide=relaxed,
        )
    elif chosen == "two-stage":
        jr = solve_two_stage(
            problem,
            maps,
            time_limit=time_limit,
            workers=workers,
            seed=seed,
            initial=warm,
            on_progress=progress,
            stop=stop,
        )
        left = time_limit - (time.monotonic() - t0)
        if jr.objective is None and left > 0.2:
            # The stages decide separately, so they can miss a plan that exists (a cluster no
            # firm may take whole): the joint model, which cannot, takes the time left.
            jr = solve_joint(
                problem,
                time_limit=left,
                workers=workers,
                seed=seed,
                initial=warm,
                on_progress=progress,
                stop=stop,
            )
            chosen = "two-stage→joint"
    else:
        jr = _solve_joint_with_warm_start(
            problem, maps, time_limit, workers, seed, warm, progress, stop, t0, transport=relaxed
        )
    _apply_bounds(jr, floor, progress)
    _keep_the_best_hint(jr, kept_hints, progress)
    plan = (
        columns_to_plan(problem, maps, instance, jr.columns) if jr.objective is not None else None
    )
    reasons_out: tuple[str, ...] = ()
    if plan is None and jr.status == "infeasible":
        reasons_out = tuple(explain_infeasible(instance, time_limit=min(30.0, time_limit)))
    return Result(
        status=jr.status,  # type: ignore[arg-type]
        plan=plan,
        objective=jr.objective,
        # Public money and costs are never negative, so 0 is always a valid bound.
        best_bound=None if jr.bound is None else max(jr.bound, 0.0),
        runtime_s=time.monotonic() - t0,
        strategy=f"{strategy}→{chosen}" if strategy == "auto" else chosen,
        trace=tuple(trace),
        reasons=reasons_out,
        seed=seed,
        workers=workers,
        time_limit=time_limit,
        time_to_incumbent_s=(
            jr.time_to_incumbent + (jr.stats.get("offset_s") or 0.0)
            if jr.time_to_incumbent is not None
            else None
        ),
        stats=jr.stats,
    )


def _solve_joint_with_warm_start(
    problem: Problem,
    maps: InstanceMaps,
    time_limit: float,
    workers: int,
    seed: int,
    warm: list[list[Column]],
    progress: Callable[[float, float | None, float | None, str], None],
    stop: Callable[[], bool] | None,
    t0: float,
    bound_search: bool = True,
    transport: CapacityRelaxation | None = None,
) -> JointResult:
    # Beyond street size the column generation does not converge within the limit (measured:
    # docs/formulation.md): the bound comes from the relaxation without contiguity, and part of
    # the time goes to re-solving regions of the plan. A street solved inside the
    # street-by-street strategy proves nothing for the whole instance, so it skips the bound.
    large = len(problem.options) > REGION_MIN_OPTIONS
    # Smaller instances get the bound too when a second process can carry it: there the joint
    # model's column generation may converge (then it wins), or stall on exact pricing of
    # connected packages (30-community streets: measured in docs/formulation.md).
    parallel = workers >= 2 and bound_search and BackgroundBound.available()
    want_bound = bound_search and (large or parallel)
    # Start at the transportation LP's duals. Not with the plans known so far as columns: a
    # plan's packages in the first master slowed the root on every 120-community seed (bound
    # alone, 55 s: seed 4 370,125 against 448,101 yuan; seeds 1 / 3 / 5 converged in 53.3 /
    # 30.3 / 46.0 s against 45.6 / 24.9 / 41.5 s; docs/formulation.md).
    start = transport.duals if want_bound and transport is not None else None
    background = None
    if parallel:
        # The bound takes a core of its own for the whole limit (models/bounds/background.py).
        background = BackgroundBound(
            problem,
            time_limit=max(0.5, time_limit - (time.monotonic() - t0) - 0.5),
            start=start,
        )
        progress = _with_bound(progress, background.poll)

    try:
        jr, (relaxed, rb_stats) = _search_plans(
            problem,
            maps,
            time_limit,
            workers,
            seed,
            warm,
            progress,
            stop,
            t0,
            large,
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
    time_limit: float,
    workers: int,
    seed: int,
    warm: list[list[Column]],
    progress: Callable[[float, float | None, float | None, str], None],
    stop: Callable[[], bool] | None,
    t0: float,
    large: bool,
    bound_first: bool,
    start: Duals | None,
) -> tuple[JointResult, tuple[float | None, dict]]:
    """Two-stage warm start, the bound without contiguity if ``bound_first``, the joint model
    and region search; returns the joint result and (the bound, its statistics)."""
    # A short two-stage run gives the joint model a good first incumbent (and its columns).
    ts_budget = min(0.15 * time_limit, 20.0)
    ts_obj: float | None = None
    if problem.options:
        ts = solve_two_stage(
            problem,
            maps,
            time_limit=ts_budget,
            workers=workers,
            seed=seed,
            initial=warm,
            on_progress=None,
            stop=stop,
        )
        if ts.columns:
            warm = [*warm, ts.columns]
            ts_obj = ts.objective
            progress(0.0, ts.objective, None, "two-stage warm start")
    relaxed: tuple[float | None, dict] = (None, {})
    rb_budget = RELAXED_SHARE * time_limit if bound_first else 0.0
    if rb_budget > 0:
        relaxed = relaxed_lp_bound(
            problem,
            time_limit=rb_budget,
            clock=Clock(deterministic=workers == 1),
            stop=stop,
            start=start,
        )
        if relaxed[0] is not None:
            progress(0.0, ts_obj, relaxed[0], "bound without contiguity")
    # One worker: deterministic budgets (the two-stage run counts work, not seconds).
    left = (
        max(0.5, time_limit - ts_budget - rb_budget)
        if workers == 1
        else max(0.5, time_limit - (time.monotonic() - t0))
    )
    share = REGION_SHARE if large else 0.0
    if relaxed[0] is not None:
        value = relaxed[0]
        progress = _with_bound(progress, lambda: value)

    joint_limit = left * (1.0 - share)
    t_joint = time.monotonic()
    jr = solve_joint(
        problem,
        time_limit=joint_limit,
        workers=workers,
        seed=seed,
        initial=warm,
        on_progress=progress,
        stop=stop,
        branch_and_price=BRANCH_AND_PRICE and not large,
    )
    jr.stats["offset_s"] = time_limit - left
    if share and jr.objective is not None and jr.status != "optimal":
        _improve_by_regions(problem, jr, left, joint_limit, t_joint, workers, seed, progress, stop)
    return jr, relaxed


def _with_bound(
    progress: Callable[[float, float | None, float | None, str], None],
    bound_now: Callable[[], float | None],
) -> Callable[[float, float | None, float | None, str], None]:
    """``progress`` reporting the better of each bound and ``bound_now()`` (the bound without
    contiguity, which holds throughout)."""

    def report(sec: float, obj: float | None, bound: float | None, msg: str) -> None:
        other = bound_now()
        if other is not None:
            bound = other if bound is None else max(bound, other)
        progress(sec, obj, bound, msg)

    return report


def _improve_by_regions(
    problem: Problem,
    jr: JointResult,
    left: float,
    joint_limit: float,
    t_joint: float,
    workers: int,
    seed: int,
    progress: Callable[[float, float | None, float | None, str], None],
    stop: Callable[[], bool] | None,
) -> None:
    """Large-neighbourhood search by regions on the joint model's plan; updates ``jr``."""

    deterministic = workers == 1
    budget = left - joint_limit if deterministic else left - (time.monotonic() - t_joint)
    if budget < 1.0:
        return
    began = time.monotonic()
    # With one worker the region search's own deterministic clock dates its plans (in about
    # seconds, like the joint model's), so the reported time repeats exactly too.
    clock = Clock(deterministic=True) if deterministic else None

    def improved(obj: float, cols: list[Column]) -> None:
        jr.time_to_incumbent = joint_limit + (
            clock.now() if clock is not None else time.monotonic() - began
        )
        progress(0.0, obj, jr.bound, "region search")

    out = improve_by_regions(
        problem,
        jr.columns,
        time_limit=budget,
        workers=workers,
        seed=seed,
        size=REGION_SIZE,
        region_time=REGION_TIME,
        stop=stop,
        on_improve=improved,
        clock=clock,
        exact_pricing=False,
        # Region solves are a second each: no enrichment of their pools (measured only on
        # whole streets, models/colgen/joint.py).
        table_pool=0,
        # nor the hub-matching bound: on 60 fixed regions of seeds 1, 3 and 4 the solves took
        # 23-27 s without it against 29-30 s with it, for the same plans (docs/formulation.md).
        hub_matching=False,
    )
    jr.stats["regions"] = out.regions
    jr.stats["regions_improved"] = out.improved
    if jr.objective is not None and out.objective < jr.objective - 1e-6:
        jr.columns, jr.objective = out.columns, out.objective


def _apply_bounds(
    jr: JointResult,
    floor: float | None,
    progress: Callable[[float, float | None, float | None, str], None],
) -> None:
    """Raise ``jr.bound`` to the transportation-LP bound (``floor``, every strategy) or the bound
    without contiguity (large instances) where stronger, as they are where the joint model's
    column generation has not converged; a bound that meets the plan proves it optimal."""
    if jr.objective is None:
        return
    if floor is not None:
        jr.stats["capacity_bound"] = round(floor, 2)
    best = max((b for b in (floor, jr.stats.get("relaxed_bound")) if b is not None), default=None)
    if best is None or (jr.bound is not None and best <= jr.bound):
        return
    jr.bound = min(best, jr.objective)
    if jr.objective - best <= max(0.01, 1e-9 * abs(jr.objective)):
        jr.status, jr.bound = "optimal", jr.objective
    progress(0.0, jr.objective, jr.bound, "bound")


def _keep_the_best_hint(
    jr: JointResult,
    hints: list[tuple[float, list[Column]]],
    progress: Callable[[float, float | None, float | None, str], None],
) -> None:
    """A hint (the caller's plan, the instance's manual plan) that obeys every rule
    (``hints``: each with its objective) and needs less than the search's plan becomes the
    result: whatever the strategy, a plan handed in is never made worse. The joint model
    starts from its hints anyway; the two-stage and street-by-street strategies use them only
    to steer, and can end above them."""
    for obj, cols in hints:
        if jr.objective is not None and obj >= jr.objective - 1e-6:
            continue
        jr.columns, jr.objective, jr.time_to_incumbent = list(cols), obj, 0.0
        jr.stats["offset_s"] = 0.0
        if jr.bound is not None and obj - jr.bound <= max(0.01, 1e-9 * abs(obj)):
            jr.status, jr.bound = "optimal", obj
        else:
            jr.status = "feasible"
        progress(0.0, obj, jr.bound, "a plan handed in is better: kept")


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
