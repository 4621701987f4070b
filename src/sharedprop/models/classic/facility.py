"""Single-source capacitated facility location through the joint model.

The standard benchmark family (Holmberg, Rönnqvist & Yuan 1999) maps onto the engine's own
problem: facilities are firms that may run one package from their own site, customers are
communities that must be covered
(:func:`sharedprop.models.core.problem.problem_from_facility_location`).
Column generation needs a first feasible plan to hand the integer master and the local search;
street-office instances get theirs from the manual and two-stage plans, here it comes from the
engine's generalized-assignment model (customers to facilities by assignment cost, capacities
respected, fixed costs ignored).

Pricing is exact by dynamic programming (:mod:`sharedprop.models.colgen.knapsack_pricing`, no
contiguity here),
subset-row cuts stay off (they would break that structure), and after column generation the
gap is closed by :mod:`sharedprop.models.colgen.knapsack_closing` through ``solve_joint``'s
``close_gap`` hook: Lagrangian bound from the master's duals, reduced-cost fixing of (facility,
customer) pairs, and the integer master over every package the pairs left can form.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sharedprop.models.classic.assignment import solve_assignment
from sharedprop.models.colgen import knapsack_closing as knapsack_master
from sharedprop.models.colgen.joint import solve_joint
from sharedprop.models.core.columns import Column, make_column
from sharedprop.models.core.problem import Problem, problem_from_facility_location
from sharedprop.models.core.result import JointResult

# Column generation gets 20 % of the limit: on the 30×150 and 30×200 files it does not
# converge within a minute, and the closing step needs its duals, not its convergence (the
# ascent from the master's duals ends at the same L(π) as from zero, a few tenths apart).
MASTER_SHARE = 0.8


def first_plan(problem: Problem, *, time_limit: float, workers: int, seed: int) -> list[Column]:
    """A feasible plan from the assignment model (empty if it finds none in time)."""
    m, n = problem.m, problem.n
    cost = np.zeros((m, n), dtype=np.int64)
    for opt in problem.options:
        cost[opt.firm, opt.candidates] = np.round(opt.member_cost).astype(np.int64)
    weight = np.broadcast_to(problem.weight, (m, n)).astype(np.int64)
    res = solve_assignment(
        cost,
        weight,
        problem.firm_capacity.astype(np.int64),
        time_limit=time_limit,
        workers=workers,
        seed=seed,
    )
    if res.objective is None:
        return []
    option_of_firm = {opt.firm: j for j, opt in enumerate(problem.options)}
    cols = []
    for f in sorted({int(a) for a in res.agent_of if a >= 0}):
        members = np.flatnonzero(res.agent_of == f)
        cols.append(make_column(problem, option_of_firm[f], members))
    return cols


def solve_facility_location(
    fixed: np.ndarray,
    capacity: np.ndarray,
    demand: np.ndarray,
    cost: np.ndarray,
    *,
    time_limit: float,
    workers: int = 2,
    seed: int = 0,
    on_progress: Callable[[float, float | None, float | None, str], None] | None = None,
) -> JointResult:
    problem = problem_from_facility_location(fixed, capacity, demand, cost)
    start = first_plan(problem, time_limit=min(5.0, 0.1 * time_limit), workers=workers, seed=seed)
    closing_stats: dict = {}

    def close_gap(
        starts: list[np.ndarray], incumbent: list[Column], ub: float, seconds: float
    ) -> tuple[list[Column] | None, float | None]:
        res = knapsack_master.close_gap(
            problem,
            starts,
            incumbent,
            ub,
            time_limit=seconds,
            workers=workers,
            seed=seed,
            deterministic=workers == 1,
        )
        closing_stats.update(res.stats)
        return res.columns, res.bound

    result = solve_joint(
        problem,
        time_limit=time_limit,
        workers=workers,
        seed=seed,
        initial=[start] if start else [],
        on_progress=on_progress,
        # Subset-row cuts would take pricing off the exact knapsack
        # (models/colgen/knapsack_pricing.py).
        use_cuts=False,
        master_share=MASTER_SHARE,
        close_gap=close_gap if knapsack_master.applies(problem) else None,
    )
    result.stats.update(closing_stats)
    return result
