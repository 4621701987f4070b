"""The two-stage strategy: cluster, then assign, then bundle.

Stage 1 (:func:`sharedprop.models.classic.clustering.solve_clustering`) groups communities into
packages around hubs with every package-level rule — household limits, radius, one street,
contiguity (exact flow formulation) — at a *firm-averaged* cost: the subsidy is replaced by its
linear part, the deficit (1 + m̄)·cost − revenue with the firms' mean margin and rates, and the
hub pays the fixed cost plus the travel from the nearest firm that may serve it.

Stage 2 (:func:`sharedprop.models.classic.assignment.solve_assignment`) gives each package to a
firm —
a generalized assignment (jobs = packages, agents = firms) with each firm's own exact package
objective, its capacity, max_packages, service radius and the locks.

Stage 3 bundles resources: every package gets one variant per subset of the resources that
may reach its hub, and the set-partitioning master picks the best variant per package with
each resource used once. The plan obeys every rule; there is no bound on the whole problem.
"""

from __future__ import annotations

import time
from itertools import combinations

import numpy as np

from sharedprop.models.classic.assignment import solve_assignment
from sharedprop.models.classic.clustering import ClusteringInput, solve_clustering
from sharedprop.models.colgen.master import solve_integer_master
from sharedprop.models.core.columns import Column, ColumnPool, make_column, plan_objective
from sharedprop.models.core.duals import FEN
from sharedprop.models.core.problem import InstanceMaps, Problem
from sharedprop.models.core.result import JointResult
from sharedprop.models.core.run import RunContext

BIG = 10**12  # fen: the cost of leaving a must-cover community out (never chosen if avoidable)
# Shares of the limit for stages 1, 2 and 3 on a deterministic clock: fixed in advance, so that
# the same seed takes the same path.
STAGE_SHARES = (0.5, 0.35, 0.15)
# Building stage 1's contiguous model in Python costs about this much per flow arc (a member's
# neighbour among its hub's candidates); on the wall clock stage 1 is skipped when the build
# alone would run past the run's deadline (docs/decisions.md).
BUILD_SECONDS_PER_ARC = 2e-5


def _stage1_input(problem: Problem, maps: InstanceMaps) -> ClusteringInput:
    p = problem
    n = p.n
    hub_ok = np.zeros(n, dtype=bool)
    allowed = np.zeros((n, n), dtype=bool)
    hub_fixed = np.full(n, np.inf)
    margins: list[float] = []
    firm_seen: set[int] = set()
    for o in p.options:
        hub_ok[o.hub] = True
        allowed[o.candidates, o.hub] = True
        hub_fixed[o.hub] = min(hub_fixed[o.hub], o.fixed * (1 + o.margin))
        if o.firm not in firm_seen:
            firm_seen.add(o.firm)
            margins.append(o.margin)
    if not firm_seen:
        margins = [0.0]
    mean_margin = float(np.mean(margins))
    # Firm-averaged member cost: mean over options at that hub of each firm's member cost.
    cost = np.zeros((n, n))
    count = np.zeros((n, n))
    for o in p.options:
        cost[o.candidates, o.hub] += o.member_cost
        count[o.candidates, o.hub] += 1
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_cost = np.where(count > 0, cost / np.maximum(count, 1), 0.0)
    deficit = (1 + mean_margin) * mean_cost - p.revenue[:, None]
    cost_fen = np.round(p.w_public_money * FEN * deficit).astype(np.int64)
    hub_cost = np.where(np.isfinite(hub_fixed), hub_fixed, 0.0)
    hub_fen = np.round(p.w_public_money * FEN * hub_cost).astype(np.int64)
    unc = np.round(p.w_public_money * FEN * p.uncovered_cost).astype(np.int64)
    unc[p.must_cover] = BIG
    np.fill_diagonal(allowed, hub_ok)
    return ClusteringInput(
        cost=cost_fen,
        weight=p.weight.astype(np.int64),
        max_weight=p.package_max_weight,
        min_weight=int(p.package_min_weight),
        allowed=allowed,
        hub_cost=hub_fen,
        can_be_hub=hub_ok,
        uncovered_cost=unc,
        adjacency=[list(map(int, a)) for a in p.adjacency] if p.adjacency is not None else None,
    )


def solve_two_stage(
    problem: Problem,
    maps: InstanceMaps,
    run: RunContext,
    *,
    initial: list[list[Column]] | None = None,
) -> JointResult:
    """Cluster, assign, bundle within ``run.limit``; the plan is reported to ``run``.

    On a deterministic clock each stage gets a fixed share of the limit (``STAGE_SHARES``), so
    the same seed takes the same path; on the wall clock each takes what the clock leaves.
    ``stats["work"]`` is the part of the limit the stages were given, for a caller that goes on
    in the same units. ``initial``: plans whose first one's hubs start stage 1.
    """
    p = problem
    stats: dict = {"strategy": "two-stage", "work": 0.0}
    if not p.options:
        return JointResult("unknown", [], None, None, [], None, stats)
    groups = _cluster(p, maps, run, initial, stats)
    if groups is None:
        return _no_plan(stats, "stage1")
    chosen = _assign(p, groups, run, stats)
    if chosen is None:
        return _no_plan(stats, "stage2")
    final = _bundle(p, chosen, run, stats)
    if not _meets_the_cover_rules(p, final):
        return JointResult("unknown", [], None, None, [], None, stats)
    obj = plan_objective(p, final)
    run.report(obj, None, "two-stage plan")
    trace = [(run.elapsed(), obj, None, "two-stage plan")]
    return JointResult("feasible", final, obj, None, trace, run.elapsed(), stats)


def _share(run: RunContext, stage: int) -> float:
    """What a stage may take: its fixed share on a deterministic clock, else what is left."""
    if run.deterministic:
        return STAGE_SHARES[stage] * run.limit
    left = max(0.2, run.left())
    return left * 0.7 if stage == 1 else left


def _cluster(
    p: Problem,
    maps: InstanceMaps,
    run: RunContext,
    initial: list[list[Column]] | None,
    stats: dict,
) -> list[tuple[int, tuple[int, ...]]] | None:
    """Stage 1: the packages' hubs and members (clustering at firm-averaged cost), or None."""
    inp = _stage1_input(p, maps)
    if not run.deterministic and _build_seconds(inp) > run.deadline - time.monotonic():
        stats["stage1"] = "skipped: no time to build the model"
        return None
    hint = None
    if initial:
        hint = np.full(p.n, -1, dtype=np.int64)
        for c in initial[0]:
            hint[list(c.members)] = p.options[c.option].hub
    s1 = solve_clustering(
        inp,
        time_limit=max(0.2, STAGE_SHARES[0] * run.limit),
        workers=run.workers,
        seed=run.seed,
        hint=hint,
        deterministic=run.deterministic,
    )
    stats["stage1"] = s1.status
    stats["work"] += STAGE_SHARES[0] * run.limit
    if s1.objective is None:
        return None
    hubs = sorted({int(h) for h in s1.hub_of if h >= 0})
    return [(h, tuple(int(i) for i in np.flatnonzero(s1.hub_of == h))) for h in hubs]


def _build_seconds(inp: ClusteringInput) -> float:
    """About how long building stage 1's model takes: its contiguity flows have an arc per
    member and neighbour among the same hub's candidates."""
    if inp.adjacency is None:
        return 0.0
    linked = np.zeros((inp.n, inp.n), dtype=np.float32)
    for i, neighbours in enumerate(inp.adjacency):
        linked[i, list(neighbours)] = 1.0
    may_join = inp.allowed.astype(np.float32)
    return BUILD_SECONDS_PER_ARC * float((may_join * (linked @ may_join)).sum())


def _assign(
    p: Problem, groups: list[tuple[int, tuple[int, ...]]], run: RunContext, stats: dict
) -> list[Column] | None:
    """Stage 2: each package to a firm at that firm's exact package objective, or None."""
    by_pair = {(o.firm, o.hub): j for j, o in enumerate(p.options)}
    m, k = p.m, len(groups)
    cost = np.zeros((m, k), dtype=np.int64)
    allowed = np.zeros((m, k), dtype=bool)
    weight = np.zeros((m, k), dtype=np.int64)
    cols: dict[tuple[int, int], Column] = {}
    cand_sets = [set(map(int, o.candidates)) for o in p.options]
    for kk, (h, members) in enumerate(groups):
        weight[:, kk] = int(p.weight[list(members)].sum())
        for f in range(m):
            o = by_pair.get((f, h))
            if o is None or not set(members) <= cand_sets[o]:
                continue
            col = make_column(p, o, members)
            cols[(f, kk)] = col
            allowed[f, kk] = True
            cost[f, kk] = round(FEN * col.objective)
    unassigned = np.array(
        [
            BIG
            if p.must_cover[list(g)].any()
            else round(FEN * p.w_public_money * float(p.uncovered_cost[list(g)].sum()))
            for _, g in groups
        ],
        dtype=np.int64,
    )
    s2 = solve_assignment(
        cost,
        weight,
        p.firm_capacity.astype(np.int64),
        max_jobs=p.firm_max_packages.astype(np.int64),
        allowed=allowed,
        unassigned_cost=unassigned,
        time_limit=_share(run, 1),
        workers=run.workers,
        seed=run.seed,
        deterministic=run.deterministic,
    )
    stats["stage2"] = s2.status
    stats["work"] += STAGE_SHARES[1] * run.limit
    if s2.objective is None:
        return None
    return [cols[(int(f), kk)] for kk, f in enumerate(s2.agent_of) if f >= 0]


def _bundle(p: Problem, chosen: list[Column], run: RunContext, stats: dict) -> list[Column]:
    """Stage 3: every subset of the resources that may reach each hub, chosen by the master."""
    pool = ColumnPool(p)
    for c in chosen:
        res = [int(r) for r in p.options[c.option].resources]
        for size in range(min(len(res), 3) + 1):
            for combo in combinations(res, size):
                pool.add(make_column(p, c.option, c.members, combo))
    base_hint = [pool.index_of(c) for c in chosen]
    sol = solve_integer_master(
        pool,
        time_limit=_share(run, 2),
        workers=run.workers,
        seed=run.seed,
        hint=[j for j in base_hint if j is not None],
        stop=run.stopped,
        clock=run.clock(),
    )
    stats["work"] += STAGE_SHARES[2] * run.limit
    return [pool.columns[j] for j in sol.chosen] if sol.objective is not None else chosen


def _meets_the_cover_rules(p: Problem, cols: list[Column]) -> bool:
    """Every community that must be covered is, and the packages meet the coverage floor (the
    stages do not know the floor: a plan below it is left to the joint model)."""
    covered = np.zeros(p.n, dtype=bool)
    for c in cols:
        covered[list(c.members)] = True
    return (
        bool(covered[p.must_cover].all()) and int(p.weight[covered].sum()) >= p.min_covered_weight
    )


def _no_plan(stats: dict, stage: str) -> JointResult:
    status = "infeasible" if stats.get(stage) == "infeasible" else "unknown"
    return JointResult(status, [], None, None, [], None, stats)
