"""The joint model: packages, firms and resources decided together by column generation.

Formulation (set partitioning over packages; see ``docs/formulation.md``): a column is a whole
package (firm, hub, members, resources) with its exact objective, so the nonlinear subsidy
``max(0, (1+m)·cost − revenue)`` is carried exactly. The LP master (GLOP) gives duals; pricing
(:mod:`sharedprop.models.colgen.pricing`) finds packages with negative reduced cost. The best proven
lower bound is the Lagrangian (Lasdon / Farley) bound

    LB = z_LP + Σ_g κ_g · min(0, min_{o ∈ g} lb_rc(o))

where g groups options that can be used at most κ_g times together (all options with hub h:
κ = 1, since h is in at most one package; options with a non-member site: the firm's
max_packages), and lb_rc(o) is a proven lower bound on option o's reduced costs (exact pricing
when time allows, the knapsack relaxation otherwise). When pricing finds nothing negative,
LB = z_LP. Plans come from the integer master over the pool (CP-SAT, price-and-branch), warm
started from any plan the caller gives (manual plan, two-stage plan).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from sharedprop.models.colgen.enumeration import enumerate_option
from sharedprop.models.colgen.hub_matching import HubMatching
from sharedprop.models.colgen.limits import EnumerationLimit
from sharedprop.models.colgen.master import (
    LPFailure,
    LPMaster,
    solve_integer_master,
    solve_integer_master_mip,
)
from sharedprop.models.colgen.neighbourhood import NeighbourhoodBuilder
from sharedprop.models.colgen.option_bounds import FlatOptions
from sharedprop.models.colgen.package_table import WITHIN_SECONDS_PER_PACKAGE, PackageTable
from sharedprop.models.colgen.pricing import exact_price, greedy_price
from sharedprop.models.colgen.reduced_cost import EPS, PricingCache
from sharedprop.models.core.clock import SAFETY, Clock
from sharedprop.models.core.columns import Column, ColumnPool, make_column, plan_objective
from sharedprop.models.core.duals import Duals
from sharedprop.models.core.problem import Problem, is_connected
from sharedprop.models.core.result import JointResult

ProgressFn = Callable[[float, float | None, float | None, str], None]
# Up to this many options the connected packages of the small ones are enumerated once and
# priced by table (models/colgen/package_table.py); beyond, building the table costs more than it
# saves
# (400 communities: 11 s for 148 of 5,876 options).
TABLE_MAX_OPTIONS = 400
# A one-worker clock's costs of the proof by enumeration, per package, measured in the region
# search of a 40-community street (one worker) and halved as WITHIN_SECONDS_PER_PACKAGE is:
# adding one to the pool and the LP (63,267 in 3.6 s), a reduced cost over the pool (184,151
# in 5.9 s), and all in — costed (about three per package kept), pooled, priced and solved
# over by SCIP — which caps how many packages a proof may enumerate in the time left.
POOL_SECONDS_PER_PACKAGE = 3e-5
REDUCED_COST_SECONDS = 1.6e-5
ENUMERATED_SECONDS_PER_PACKAGE = 2.5e-4
# ... and of the set-up, per option and per edge of the options' local graphs (solve_joint).
SETUP_SECONDS_PER_OPTION = 2.5e-5
SETUP_SECONDS_PER_EDGE = 3.5e-7
# Beyond this many columns in the pool the integer master runs on the columns of least LP
# reduced cost only (master.lp_ranked_columns), as the streets' recombination does. Measured on
# the 400-community manual-suite instance (whole solve, 60 s, 2 workers, four runs each): the
# first masters had 16,800-27,000 columns; whole pool 4,271,077-4,359,552 yuan (mean
# 4,305,500), the 6,000 cheapest 4,179,168-4,244,052 (mean 4,218,400), 10,000 cheapest
# 4,318,682 (one run), 3,000 cheapest 4,289,751-4,289,933 (three runs).
RANKED_MASTER_COLUMNS = 6_000
# Before the local search, the packages of least reduced cost at the last duals (negative or
# not, at most 25 an option) join the pool from the table, so the integer master can combine
# packages column generation never needed. Measured on the 30-community streets (60 s, seeds
# 1-5): seed 3's plan 85,148 → 81,489 yuan in two runs out of two, the others unchanged.
TABLE_POOL = 2000
# Not in short solves (regions, the streets of the street-by-street strategy: a second or so
# each): with it, the 1,414-community manual-suite instance came out at 0.806 of manual
# against 0.776-0.784 without.
TABLE_POOL_MIN_SECONDS = 10.0
CloseGapFn = Callable[
    [list[np.ndarray], list[Column], float, float], tuple[list[Column] | None, float | None]
]


def _groups(problem: Problem) -> tuple[list[int], list[int]]:
    """Group id per option and κ per group (see module docstring)."""
    gid: dict[tuple[str, int], int] = {}
    group_of, kappa = [], []
    for opt in problem.options:
        key = ("hub", opt.hub) if opt.hub >= 0 else ("firm", opt.firm)
        if key not in gid:
            gid[key] = len(kappa)
            kappa.append(
                1 if opt.hub >= 0 else int(min(problem.firm_max_packages[opt.firm], problem.n))
            )
        group_of.append(gid[key])
    return group_of, kappa


def lagrangian_bound(
    lp_value: float, option_lb: np.ndarray, group_of: list[int], kappa: list[int]
) -> float:
    worst = np.zeros(len(kappa))
    np.minimum.at(worst, np.asarray(group_of, dtype=np.int64), np.minimum(option_lb, 0.0))
    return lp_value + float(np.dot(worst, kappa))


def is_valid_column(problem: Problem, col: Column) -> bool:
    """A column obeys every package-level rule (firm-level rules belong to the master)."""
    opt = problem.options[col.option]
    if not col.members:
        return False
    if opt.hub >= 0 and opt.hub not in col.members:
        return False
    cand = set(int(c) for c in opt.candidates)
    if any(i not in cand for i in col.members):
        return False
    if any(r not in set(int(x) for x in opt.resources) for r in col.resources):
        return False
    w = col.weight
    if problem.package_max_weight is not None and w > problem.package_max_weight:
        return False
    if w < problem.package_min_weight or w > problem.firm_capacity[opt.firm]:
        return False
    return is_connected(problem.adjacency, col.members)


def solve_joint(
    problem: Problem,
    *,
    time_limit: float,
    workers: int = 2,
    seed: int = 0,
    initial: Iterable[list[Column]] = (),
    on_progress: ProgressFn | None = None,
    stop: Callable[[], bool] | None = None,
    exact_pricing: bool = True,
    master_share: float | None = None,
    use_cuts: bool = True,
    enumerate_gap: bool = True,
    enumeration_limit: int = 60_000,
    close_gap: CloseGapFn | None = None,
    package_table: bool = True,
    table_pool: int = TABLE_POOL,
    hub_matching: bool = True,
    deterministic: bool | None = None,
) -> JointResult:
    """Column generation + integer master within ``time_limit`` seconds.

    ``close_gap(starts, incumbent, ub, seconds)``, when given, runs once after the first column
    generation pass with the community duals met so far (``starts``); it returns a plan (or
    None) and a valid lower bound (or None), e.g. :mod:`sharedprop.models.colgen.knapsack_closing`.
    ``package_table``: price the options with few candidates by table
    (:mod:`sharedprop.models.colgen.package_table`, models of at most ``TABLE_MAX_OPTIONS``
    options);
    ``table_pool``: how many of the table's nearest packages join the pool before the local
    search (solves of ``TABLE_POOL_MIN_SECONDS`` or more; 0: none). ``hub_matching``: tighten
    the bound each round with :class:`sharedprop.models.colgen.hub_matching.HubMatching`.
    ``deterministic``: count ``time_limit`` in work units, so a seed repeats exactly (None:
    with one worker).
    """
    clock = Clock(deterministic=workers == 1 if deterministic is None else deterministic)
    t0 = 0.0
    deadline = float(time_limit)
    user_stop = stop or (lambda: False)

    def stop() -> bool:
        return user_stop() or (clock.deterministic and clock.wall() > SAFETY * time_limit + 1.0)

    rng = np.random.default_rng(seed)
    p = problem
    trace: list[tuple[float, float | None, float | None, str]] = []
    stats: dict = {"rounds": 0, "exact_calls": 0, "columns": 0, "options": len(p.options)}
    best_obj: float | None = None
    best_cols: list[Column] = []
    best_lb = -np.inf
    tti: float | None = None

    def elapsed() -> float:
        return clock.now()

    def report(msg: str) -> None:
        lb = None if not np.isfinite(best_lb) else float(best_lb)
        trace.append((elapsed(), best_obj, lb, msg))
        if on_progress is not None:
            on_progress(elapsed(), best_obj, lb, msg)

    lp = LPMaster(p)
    pool = ColumnPool(p, on_new=lp.add)

    hint: list[int] = []
    for cols in initial:
        cols = [c for c in cols if is_valid_column(p, c)]
        idx = []
        for c in cols:
            pool.offer(c)
            idx.append(pool.index_of(c))
        obj = plan_objective(p, cols)
        if respects_master_rules(p, cols) and (best_obj is None or obj < best_obj - 1e-9):
            best_obj, best_cols, hint = obj, list(cols), [int(j) for j in idx]
            tti = elapsed()
    for o in range(len(p.options)):  # every single-community package: keeps the LP honest
        opt = p.options[o]
        if opt.hub >= 0 and p.weight[opt.hub] >= p.package_min_weight:
            pool.offer(make_column(p, o, (opt.hub,)))
    if best_obj is not None:
        report("initial plan")

    cache = PricingCache(p)
    flat = FlatOptions(p)
    # The set-up above: the LP with a column per option, and the options' candidates and their
    # edges laid flat: 23-43 µs an option and 0.33 µs an edge from 30 to 1,414 communities,
    # 1.8 s at 400, where nothing charged it before (the machine of
    # relaxed_bound.LP_SECONDS_PER_CELL).
    clock.charge(
        SETUP_SECONDS_PER_OPTION * len(p.options) + SETUP_SECONDS_PER_EDGE * len(flat.edge_u)
    )
    table: PackageTable | None = None
    charged_scans = 0.0

    def charge_scans() -> None:
        """Charge the clock the table's scans since the last charge (PackageTable.work)."""
        nonlocal charged_scans
        if table is not None:
            clock.charge(table.work - charged_scans)
            charged_scans = table.work

    if package_table and p.adjacency is not None and 0 < len(p.options) <= TABLE_MAX_OPTIONS:
        # The build may take a tenth of the limit (about 20 ns a set visited): a street of the
        # street-by-street strategy, solved in a second, must not spend it enumerating.
        table = PackageTable(p, cache, max_work=int(0.1 * time_limit / 2e-8))
        clock.charge(0.01 + 2e-8 * table.enumerated + 2e-7 * len(table))
        stats["table_options"], stats["table_packages"] = len(table.options), len(table)
        if len(table.options) == 0:
            table = None
    all_tabled = table is not None and bool(table.covered.all())
    group_of, kappa = _groups(p)
    # hub_matching=False: no hub-matching bound (region search's small solves, where its LP
    # each round cost more time than the proofs it brought forward; docs/formulation.md).
    matching = HubMatching(p, clock) if hub_matching else None
    n_opt = len(p.options)
    if master_share is None:
        # Where column generation can converge (street-sized option sets) the bound deserves
        # most of the time; beyond that the plan does (measured: benchmarks/README.md).
        master_share = 0.35 if len(p.options) <= 400 else 0.6
    cg_deadline = t0 + time_limit * (1.0 - master_share)
    converged = False
    last_master = -1
    lp_value = None
    max_new = max(30, p.n)
    centre = None
    smoothing = 0.5
    final: tuple[float, Duals] | None = None
    prev_complete: float | None = None
    last_duals: Duals | None = None

    def run_master(limit: float, tag: str, columns=None, mip: bool = False) -> bool:
        """Solve the integer master over the pool (or ``columns`` of it); True if it proved
        its optimum over those columns. A pool above ``RANKED_MASTER_COLUMNS`` is cut to its
        LP-ranked columns first, so "proved" is over those; the same pool and incumbent rank
        the same way again, which is all the local search's stopping rule needs."""
        nonlocal best_obj, best_cols, hint, tti, master_status
        if mip:
            sol = solve_integer_master_mip(
                pool, columns=columns, time_limit=limit, hint=hint or None, stop=stop, clock=clock
            )
        else:
            sol = solve_integer_master(
                pool,
                time_limit=limit,
                workers=workers,
                seed=seed,
                hint=hint or None,
                stop=stop,
                columns=columns,
                clock=clock,
                # a large pool's master does better on the LP's cheapest columns
                rank=RANKED_MASTER_COLUMNS,
            )
            if sol.ranked_columns is not None:
                stats["ranked_masters"] = stats.get("ranked_masters", 0) + 1
        if sol.objective is not None and (best_obj is None or sol.objective < best_obj - 1e-6):
            best_obj = sol.objective
            best_cols = [pool.columns[j] for j in sol.chosen]
            hint = list(sol.chosen)
            tti = elapsed()
            report(tag)
        master_status = sol.status
        return sol.status == "optimal"

    master_status = ""
    neighbours = NeighbourhoodBuilder(p)

    def bounds_of(d: Duals) -> np.ndarray:
        """Each option's lower bound on its reduced costs at ``d``: exact for the options of the
        package table (whose scan also leaves their packages' reduced costs in the table), the
        knapsack relaxation for the others."""
        clock.charge(0.002 + 1e-6 * len(flat.cand))
        out = flat.bounds(d)
        if table is not None:
            out[table.options] = np.maximum(out[table.options], table.price(d))
            charge_scans()
        return out

    def add_neighbours(second_order: bool = False) -> int:
        """Packages one move from the incumbent; with ``second_order``, also two moves away
        from a random sample of those (a wider neighbourhood once the first is exhausted)."""
        if not best_cols:
            return 0
        first = neighbours.around(best_cols)
        clock.charge(2e-5 * len(first))
        fresh = sum(pool.offer(c) for c in first)
        if second_order and first:
            pick = rng.choice(len(first), size=min(120, len(first)), replace=False)
            for j in pick:
                more = neighbours.around([first[int(j)]])
                clock.charge(2e-5 * len(more))
                fresh += sum(pool.offer(c) for c in more)
        return fresh

    # Passes: column generation (bound) → enumeration (proof) → local search (plans). When the
    # local search settles early, the time left goes back to the bound (more cuts).
    enumerated_at: float | None = None
    cut_tail = 0.02
    while True:
        while clock.now() < cg_deadline and not stop():
            stats["rounds"] += 1
            try:
                clock.charge(0.002 + 1e-5 * len(pool))
                lp_value, duals, values = lp.solve()
                last_duals = duals
            except LPFailure:
                stats["lp_failure"] = True  # no bound from here on; the master still finds plans
                break
            # Cheap valid bound every round: the knapsack relaxation of every option.
            relax = bounds_of(duals)
            lb = lagrangian_bound(lp_value, relax, group_of, kappa) if n_opt else lp_value
            if matching is not None:
                lb = max(lb, matching.bound(lp_value, relax))
            if lb > best_lb + 1e-9:
                best_lb = lb
                report("bound")
            # Dual smoothing (Wentges 1997; Pessoa et al. 2018): price at a point between the
            # stability centre and the LP duals, which cuts the tail of column generation. When
            # the smoothed point finds nothing, price at the LP duals themselves (no mispricing).
            added = 0
            smooth_points = [duals] if centre is None else [_mix(centre, duals, smoothing), duals]
            for point in smooth_points:
                relax_pt = relax if point is duals else bounds_of(point)
                if point is not duals and matching is not None:
                    lb_pt = matching.bound_at(point, relax_pt)
                    if lb_pt > best_lb + 1e-9:
                        best_lb = lb_pt
                        report("bound (smoothed duals)")
                if table is not None:
                    cands = table.columns(point, max_new)
                    skip = table.covered
                else:
                    cands, skip = [], None
                cands += _greedy_round(
                    p, point, cache, relax_pt, max_new, stats, rng, cg_deadline, stop, clock, skip
                )
                cands.sort(key=lambda t: t[0])
                added = sum(pool.offer(c) for _, c in cands[:max_new])
                if added:
                    break
            centre = duals if centre is None else _mix(centre, duals, smoothing)
            if added == 0 and (exact_pricing or all_tabled) and clock.now() < cg_deadline:
                if all_tabled:  # the table priced every option exactly at these duals
                    lb_exact, complete = relax, True
                else:
                    added, lb_exact, complete = _exact_round(
                        p,
                        duals,
                        cache,
                        relax,
                        cg_deadline,
                        seed,
                        stop,
                        pool.offer,
                        stats,
                        workers=workers,
                        enough=max(8, p.n // 8),
                        clock=clock,
                        skip=None if table is None else table.covered,
                    )
                lb = lagrangian_bound(lp_value, lb_exact, group_of, kappa)
                if matching is not None:
                    lb = max(lb, matching.bound(lp_value, lb_exact))
                if lb > best_lb + 1e-9:
                    best_lb = lb
                    report("bound (exact pricing)")
                if added == 0 and complete:
                    # Pricing is proven complete: the LP value is a bound. Tighten it with cuts.
                    best_lb = max(best_lb, lp_value)
                    # An integral LP optimum is itself the optimal plan.
                    lp_plan = _integral_plan(p, lp, values)
                    if lp_plan is not None:
                        obj = plan_objective(p, lp_plan)
                        if best_obj is None or obj < best_obj - 1e-6:
                            best_obj, best_cols = obj, lp_plan
                            hint = [pool.index_of(c) for c in lp_plan]
                            tti = elapsed()
                            report("integral LP optimum")
                    # Cut while cuts pay: stop once a round closes < 2 % of the remaining gap.
                    tailing = (
                        prev_complete is not None
                        and best_obj is not None
                        and lp_value - prev_complete < cut_tail * max(best_obj - lp_value, 1e-9)
                    )
                    prev_complete = lp_value
                    n_cuts = lp.separate_subset_rows(values) if use_cuts and not tailing else 0
                    stats["cuts"] = stats.get("cuts", 0) + n_cuts
                    if n_cuts == 0:
                        converged = True
                        final = (lp_value, duals)
                        break
                    report(f"bound; {n_cuts} subset-row cuts added")
            elif added == 0:
                break
            if stats["rounds"] - last_master >= 8 and clock.now() + 1 < cg_deadline:
                last_master = stats["rounds"]
                add_neighbours()
                run_master(min(2.0, cg_deadline - clock.now()), "integer master")

        stats["converged"] = converged
        stats["cg_done_s"] = round(elapsed(), 2)
        stats["columns"] = len(pool)
        stats["lp_value"] = lp_value
        if close_gap is not None and best_obj is not None and last_duals is not None:
            starts = [q.community for q in (centre, last_duals) if q is not None]
            cols, bound = close_gap(starts, best_cols, best_obj, deadline - clock.now() - 0.5)
            close_gap = None
            if cols and respects_master_rules(p, cols):
                for c in cols:
                    pool.offer(c)
                idx = [pool.index_of(c) for c in cols]
                obj = plan_objective(p, cols)
                if obj < best_obj - 1e-6:
                    best_obj, best_cols, hint, tti = obj, list(cols), idx, elapsed()
                    report("plan from closing the gap")
            if bound is not None and bound > best_lb + 1e-9:
                best_lb = bound
                report("bound from closing the gap")
        open_gap = best_obj is None or best_obj - best_lb > max(0.01, 1e-9 * abs(best_obj))
        if final is not None and best_obj is not None and enumerate_gap and open_gap and not stop():
            enumerated_at = final[0]
            proven = _close_gap_by_enumeration(
                p,
                pool,
                cache,
                flat,
                final,
                best_obj,
                deadline,
                stop,
                pool.offer,
                run_master,
                stats,
                clock,
                limit=enumeration_limit,
                table=table,
                charge_scans=charge_scans,
            )
            if proven and best_obj is not None:
                best_lb = best_obj
                report("optimal: every package within the gap enumerated")

        if (
            table_pool
            and time_limit >= TABLE_POOL_MIN_SECONDS
            and table is not None
            and last_duals is not None
            and not stop()
        ):
            near = table.columns(last_duals, table_pool, per_option=25, below=np.inf)
            fresh = sum(pool.offer(c) for _, c in near)
            clock.charge(0.005 + 2e-5 * len(near))
            charge_scans()  # a rescan, if the table was last priced at other duals
            stats["table_pool"] = stats.get("table_pool", 0) + fresh
        # Large-neighbourhood search: packages one move from the incumbent, recombined exactly by
        # the master, until the time is up or the master proves nothing nearby is better.
        wide = False
        while (remaining := deadline - clock.now()) > 0.05 and not stop():
            if best_obj is not None and best_obj - best_lb <= max(0.01, 1e-9 * abs(best_obj)):
                break
            before = best_obj
            fresh = add_neighbours(second_order=wide)
            proven = run_master(
                min(remaining, max(3.0, remaining / 3)), "integer master (local search)"
            )
            stats["ls_rounds"] = stats.get("ls_rounds", 0) + 1
            improved = before is None or (best_obj is not None and best_obj < before - 1e-6)
            if fresh == 0 and (proven and wide or master_status == "infeasible"):
                # Nothing new to recombine: the same master would say the same again. (An
                # infeasible pool without an incumbent gets no neighbours; a one-worker run
                # once re-solved such a master 8,628 times until its wall-clock safety net.)
                break
            # Nothing better one move away: widen to two moves until something improves.
            wide = not improved
        if best_obj is not None and best_obj - best_lb <= max(0.01, 1e-9 * abs(best_obj)):
            break
        remaining = deadline - clock.now()
        if remaining < min(1.0, 0.1 * time_limit) or stop() or stats.get("lp_failure"):
            break
        if (
            converged
            and (final is None or enumerated_at == final[0] or best_obj is None)
            and cut_tail == 0.0
        ):
            # Nothing left to try: without a plan there is nothing to enumerate against and
            # no neighbourhood to search, and the converged LP prices out nothing new.
            break
        # Another pass: more column generation and cuts with most of the time left.
        converged, final = False, None
        cut_tail = 0.0
        prev_complete = None
        cg_deadline = clock.now() + 0.7 * remaining
        stats["passes"] = stats.get("passes", 1) + 1
    # The work this solve did, in its clock's units: a caller on a deterministic clock (region
    # search) charges it, not the whole budget, so a region proven early leaves time to others.
    stats["work"] = clock.now()
    if best_obj is None:
        status = "unknown"
        if converged and lp.artificial_in_use():
            status = "infeasible"  # the LP over all packages cannot cover what must be covered
        return JointResult(status, [], None, _fin(best_lb), trace, None, stats, pool.columns)
    lb = _fin(best_lb)
    gap_ok = lb is not None and best_obj - lb <= max(0.01, 1e-9 * abs(best_obj))
    status = "optimal" if gap_ok else "feasible"
    if gap_ok:
        lb = best_obj
    report("done")
    return JointResult(status, best_cols, best_obj, lb, trace, tti, stats, pool.columns)


def _close_gap_by_enumeration(
    p,
    pool,
    cache,
    flat,
    final,
    ub,
    deadline,
    stop,
    add,
    run_master,
    stats,
    clock,
    limit=60_000,
    table=None,
    charge_scans=lambda: None,
) -> bool:
    """Enumerate every package with reduced cost ≤ UB − z_LP and solve the master over them.

    True when that master is proven optimal: then the incumbent is a proven optimum of the
    whole instance (see :mod:`sharedprop.models.colgen.enumeration`).
    """
    lp_value, duals = final
    gap = ub - lp_value
    if gap <= 0:
        return True
    # No more packages than the time left can cost, enumerate and prove over: a region's
    # second-long solve once spent 5 s making 60,000 packages it had no time to use.
    limit = min(limit, int(max(0.0, deadline - clock.now()) / ENUMERATED_SECONDS_PER_PACKAGE))
    bounds = flat.bounds(duals)
    found = 0
    if table is not None:  # the table's options at once, by scan
        cols = table.within(duals, gap, limit)
        charge_scans()  # a rescan, if the table was last priced at other duals
        clock.charge(0.01 + POOL_SECONDS_PER_PACKAGE * len(cols or ()))
        if cols is None:
            stats["enumeration"] = f"more than {limit} packages within the gap"
            return False
        found = len(cols)
        for c in cols:
            add(c)
    try:
        for o in np.argsort(bounds, kind="stable"):
            if bounds[o] > gap + 1e-6:
                break
            if table is not None and table.covered[o]:
                continue
            if clock.now() > deadline - 1.0 or stop():
                stats["enumeration"] = "out of time"
                return False
            cols = enumerate_option(p, duals, int(o), cache, gap, limit - found)
            clock.charge(
                0.001 + (WITHIN_SECONDS_PER_PACKAGE + POOL_SECONDS_PER_PACKAGE) * len(cols)
            )
            found += len(cols)
            for c in cols:
                add(c)
    except EnumerationLimit as exc:
        stats["enumeration"] = str(exc)
        return False
    stats["enumeration"] = f"{found} packages within the gap of {gap:,.2f}"
    stats["enumeration_done_s"] = round(clock.now(), 2)
    left = deadline - clock.now()
    if left <= 0.1:
        return False
    # Only packages within the gap can be in a better plan: the master needs no others.
    within = [j for j, c in enumerate(pool.columns) if duals.reduced_cost(p, c) <= gap + 1e-6]
    clock.charge(REDUCED_COST_SECONDS * len(pool.columns))
    return run_master(
        left, "integer master (all packages within the gap)", columns=within, mip=True
    )


def _mix(a: Duals, b: Duals, alpha: float) -> Duals:
    """α·a + (1−α)·b, row by row (cuts added since ``a`` take b's value)."""

    def mix(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        if len(x) != len(y):
            x = np.concatenate([x, y[len(x) :]])
        return alpha * x + (1 - alpha) * y

    return Duals(
        community=mix(a.community, b.community),
        capacity=mix(a.capacity, b.capacity),
        count=mix(a.count, b.count),
        resource=mix(a.resource, b.resource),
        cuts=b.cuts,
        cut=mix(a.cut, b.cut),
    )


def _greedy_round(p, duals, cache, relax, max_new, stats, rng, deadline, stop, clock, skip=None):
    """Greedy pricing, most promising options first (partial pricing: stop when there is
    plenty to add). Columns are kept when negative at ``duals``. Options marked in ``skip``
    (priced exactly by the package table) are left out."""
    cands: list[tuple[float, Column]] = []
    for o in np.argsort(relax, kind="stable"):
        if relax[o] >= -EPS or len(cands) >= 3 * max_new:
            break
        if skip is not None and skip[o]:
            continue
        cands.extend(greedy_price(p, duals, int(o), cache, keep=2))
        clock.charge(3e-4)
        if stats["rounds"] % 3 == 0:  # a randomised pass now and then for diversity
            cands.extend(greedy_price(p, duals, int(o), cache, keep=1, rng=rng))
            clock.charge(3e-4)
        if clock.now() > deadline or stop():
            break
    return cands


def _integral_plan(p: Problem, lp: LPMaster, values: np.ndarray) -> list[Column] | None:
    """The LP's columns when its solution is 0/1 (and obeys the master's rules), else None."""
    if len(values) and np.any(np.minimum(values, 1 - values) > 1e-6):
        return None
    if lp.artificial_in_use():
        return None
    cols = [lp.cols[j] for j in range(len(values)) if values[j] > 0.5]
    return cols if respects_master_rules(p, cols) else None


def _fin(v: float) -> float | None:
    return float(v) if np.isfinite(v) else None


def respects_master_rules(p: Problem, cols: list[Column]) -> bool:
    """Firm capacity, max packages, one package per community and resource, must-cover."""
    seen = np.zeros(p.n, dtype=bool)
    res_seen: set[int] = set()
    hh = np.zeros(p.m, dtype=np.int64)
    cnt = np.zeros(p.m, dtype=np.int64)
    for c in cols:
        mem = list(c.members)
        if seen[mem].any():
            return False
        seen[mem] = True
        if res_seen.intersection(c.resources):
            return False
        res_seen.update(c.resources)
        f = p.options[c.option].firm
        hh[f] += c.weight
        cnt[f] += 1
    return bool(
        np.all(hh <= p.firm_capacity)
        and np.all(cnt <= p.firm_max_packages)
        and np.all(seen[p.must_cover])
    )


def _exact_round(
    p,
    duals,
    cache,
    relax,
    deadline,
    seed,
    stop,
    add,
    stats,
    workers=1,
    enough=None,
    clock=None,
    skip=None,
):
    """Exact pricing over the options whose relaxation bound is negative, most promising first.

    Stops early once ``enough`` improving columns are found (partial pricing: the LP moves on
    sooner); only a round that prices every such option proves the LP value is a bound.
    Returns (columns added, per-option proven lower bounds, whether the round was complete).
    Options left unpriced keep their relaxation bound, which is still valid. CP-SAT releases
    the GIL while it searches, so ``workers`` threads price options side by side. Options in
    ``skip`` are already priced exactly (package table): their bound in ``relax`` is exact.
    """
    from concurrent.futures import ThreadPoolExecutor
    from functools import partial

    clock = clock or Clock(deterministic=False)
    lb = relax.copy()
    added = 0
    complete = True
    todo = [
        int(o)
        for o in np.argsort(relax, kind="stable")
        if relax[o] < -EPS and (skip is None or not skip[o])
    ]
    enough = enough or len(todo) + 1
    batch = max(1, workers) * 4
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for start in range(0, len(todo), batch):
            left = deadline - clock.now()
            if left <= 0.05 or stop() or added >= enough:
                complete = False
                break
            chunk = todo[start : start + batch]
            lim = min(2.0, left)
            results = list(
                pool.map(
                    partial(
                        exact_price, p, duals, cache=cache, time_limit=lim, seed=seed, clock=clock
                    ),
                    chunk,
                )
            )
            for o, ep in zip(chunk, results, strict=True):
                stats["exact_calls"] += 1
                clock.charge(0.004)
                lb[o] = max(relax[o], ep.lower_bound)
                if not ep.proven:
                    complete = False
                if ep.column is not None and ep.reduced_cost is not None and ep.reduced_cost < -EPS:
                    added += int(add(ep.column))
    return added, lb, complete
