"""The tasks of the city search, as module-level functions an executor can run anywhere.

Each takes the whole problem as shared data (sent to each worker once, see
:mod:`sharedprop.execute`) and small arguments, and returns a small typed outcome in the whole
problem's indices. None of them keeps state between calls, so a task that runs twice (its
worker died and it ran again elsewhere) gives the same outcome on a work clock and an
equally valid one on the wall clock.

- :func:`improve_part`: a neighbourhood of the plan (a street, a pair of streets, a region)
  solved again by the joint model within the firm capacity, packages and resources it is
  allowed, warm-started by the plan's packages there;
- :func:`bound_part`: a lower bound of one part's priced problem
  (:mod:`sharedprop.models.decompose.prices`);
- :func:`recombine`: the integer master over a pool of packages, from the plan.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np

from sharedprop.models.bounds.transport import capacity_relaxation
from sharedprop.models.bounds.without_contiguity import relaxed_lp_bound
from sharedprop.models.colgen.joint import solve_joint
from sharedprop.models.colgen.master import LP_RANKED_COLUMNS, solve_integer_master
from sharedprop.models.core.clock import Clock
from sharedprop.models.core.columns import Column, ColumnPool, plan_objective
from sharedprop.models.core.problem import Problem
from sharedprop.models.decompose.parts import Part
from sharedprop.models.decompose.prices import CouplingPrices, priced_part
from sharedprop.models.decompose.subproblem import sub_problem

# A neighbourhood's solve hands back at most this many of the packages its column generation
# made besides its plan (those of least objective per household), so the pool the
# recombination ranks stays bounded over a long run.
POOL_PER_TASK = 1500


@dataclass(frozen=True)
class Neighbourhood:
    """What a task may change: the communities freed, the options hubbed among them, the
    firm capacity, package count and resources the packages there may use, and the households
    they must cover (their part of the coverage floor)."""

    communities: np.ndarray  # ascending
    options: np.ndarray
    capacity: np.ndarray  # per firm
    count: np.ndarray  # per firm
    free_resources: np.ndarray  # mask over resources
    min_covered: int = 0
    cover_all: bool = True  # keep the must-cover rule (False: only to feed the pool)


@dataclass(frozen=True)
class PartPlan:
    """A neighbourhood's new packages (the whole problem's indices) and what the solve took."""

    columns: list[Column]
    objective: float | None  # of the neighbourhood alone (its packages and its uncovered)
    pool: list[Column]
    seconds: float  # wall seconds on the worker
    work: float  # the solve's clock reading (work units on a work clock, else seconds)
    status: str


@dataclass(frozen=True)
class PartBound:
    """A proven lower bound of one part's priced problem, and how it was found."""

    part: int
    value: float
    method: str  # "transport" or "without contiguity"
    seconds: float
    work: float


@dataclass(frozen=True)
class Recombined:
    """The integer master's plan over a pool (None: nothing found in the time)."""

    columns: list[Column] | None
    objective: float | None
    seconds: float
    work: float


def improve_part(
    problem: Problem,
    where: Neighbourhood,
    warm: list[Column],
    limit: float,
    seed: int,
    deterministic: bool,
) -> PartPlan:
    """The joint model on the neighbourhood ``where`` within ``limit`` (work units on a work
    clock, else seconds), from ``warm`` (its packages in the plan, whole-problem indices)."""
    started = time.monotonic()
    out = _solve_neighbourhood(problem, where, warm, limit, seed, deterministic)
    asks = where.min_covered > 0 or bool(problem.must_cover[where.communities].any())
    if out.objective is None and asks and limit - out.work >= 0.5:
        # Its share of the coverage floor, or its must-cover communities, out of reach with what
        # is left to it: its packages without them still feed the recombination, whose master
        # holds the city's coverage rows.
        free = replace(where, min_covered=0, cover_all=False)
        again = _solve_neighbourhood(problem, free, warm, limit - out.work, seed, deterministic)
        out = replace(again, work=out.work + again.work)
    return replace(out, seconds=time.monotonic() - started)


def _solve_neighbourhood(
    problem: Problem,
    where: Neighbourhood,
    warm: list[Column],
    limit: float,
    seed: int,
    deterministic: bool,
) -> PartPlan:
    started = time.monotonic()
    sub = sub_problem(
        problem,
        where.communities,
        where.options,
        where.capacity,
        where.count,
        where.free_resources,
        where.min_covered,
    )
    if not where.cover_all:
        relaxed = replace(sub.problem, must_cover=np.zeros(len(where.communities), dtype=bool))
        sub = replace(sub, problem=relaxed)
    if not sub.problem.options:
        return PartPlan([], None, [], time.monotonic() - started, 0.0, "unknown")
    start = [c for c in (sub.to_sub(c) for c in warm) if c is not None]
    jr = solve_joint(
        sub.problem,
        time_limit=limit,
        workers=1,
        seed=seed,
        initial=[start] if start else [],
        deterministic=deterministic,
        # Neighbourhood solves are short: no enrichment of their pools nor the hub-matching
        # bound (as region search, docs/decisions-solver.md).
        table_pool=0,
        hub_matching=False,
    )
    work = float(jr.stats.get("work", limit))
    if jr.objective is None:
        return PartPlan([], None, [], time.monotonic() - started, work, jr.status)
    cols = [sub.to_full(problem, c) for c in jr.columns]
    keep = {c.key for c in jr.columns}
    rest = [c for c in jr.pool if c.key not in keep]
    rest.sort(key=lambda c: (c.objective / max(1, c.weight), c.key))
    pool = [sub.to_full(problem, c) for c in rest[:POOL_PER_TASK]]
    return PartPlan(cols, jr.objective, pool, time.monotonic() - started, work, jr.status)


def bound_part(
    problem: Problem,
    part: Part,
    prices: CouplingPrices,
    shared: np.ndarray,
    limit: float,
    deterministic: bool,
) -> PartBound:
    """The best lower bound of part ``part``'s priced problem found within ``limit``: its
    transportation LP, or the bound without contiguity (column generation and branching) when
    that is higher."""
    started = time.monotonic()
    sub = priced_part(problem, part, prices, shared).problem
    clock = Clock(deterministic=deterministic)
    relaxed_tr = capacity_relaxation(sub)
    best = (-np.inf, "transport") if relaxed_tr is None else (relaxed_tr.bound, "transport")
    clock.charge(1e-6 * sum(len(o.candidates) for o in sub.options))
    if sub.options and limit > 0:
        start = None if relaxed_tr is None else relaxed_tr.duals
        value, _ = relaxed_lp_bound(sub, time_limit=limit, clock=clock, start=start)
        if value is not None and value > best[0]:
            best = (value, "without contiguity")
    return PartBound(part.index, best[0], best[1], time.monotonic() - started, clock.now())


def recombine(
    problem: Problem,
    columns: list[Column],
    hint: list[Column],
    limit: float,
    seed: int,
    deterministic: bool,
) -> Recombined:
    """The integer master (CP-SAT) over ``columns`` and the plan ``hint``, on the
    ``LP_RANKED_COLUMNS`` the pool's LP prices cheapest when there are more."""
    started = time.monotonic()
    pool = ColumnPool(problem)
    for c in hint:
        pool.add(c)
    for c in columns:
        pool.add(c)
    clock = Clock(deterministic=deterministic)
    sol = solve_integer_master(
        pool,
        time_limit=limit,
        workers=1,
        seed=seed,
        hint=list(range(len(hint))) or None,
        clock=clock,
        rank=LP_RANKED_COLUMNS,
    )
    seconds = time.monotonic() - started
    if sol.objective is None:
        return Recombined(None, None, seconds, clock.now())
    chosen = [pool.columns[j] for j in sol.chosen]
    return Recombined(chosen, plan_objective(problem, chosen), seconds, clock.now())
