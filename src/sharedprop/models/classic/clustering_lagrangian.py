"""Lagrangian lower bound and reduced-cost fixing for capacitated clustering.

Relaxing "each point is in exactly one cluster (or uncovered)" with multipliers λ leaves one
0-1 knapsack per candidate hub h (Ross & Soland 1977; for the capacitated p-median problem
e.g. Ceselli & Righini 2005, Lorena & Senne 2004)::

    v_h(λ) = hub_cost[h] + cost[h, h] − λ_h + min { Σ_{i∈S} (cost[i, h] − λ_i) : S ∌ h,
                                                   Σ_{i∈S} w_i ≤ max_weight − w_h }
    L(λ)   = Σ_i λ_i + Σ_i min(0, uncovered_cost[i] − λ_i) + (the p smallest v_h, or all v_h < 0)

L(λ) is a lower bound for every λ; subgradient optimisation maximises it. Contiguity, the
minimum weight and pair rules are simply dropped, which keeps the bound valid.

Reduced-cost fixing: forcing hub h open, or point i into hub h's cluster, gives a bound
``L_h`` / ``L_ih`` computed from the same knapsack tables; a pair or hub whose bound exceeds the
cost of a known solution cannot be in any solution at least as good, so it is removed. The
known solution itself always survives, which keeps the reduced model's proofs valid for the
whole problem.

Weights are scaled down (w → ⌊w/s⌋, capacity → ⌊capacity/s⌋) when the capacity is large; every
feasible cluster stays feasible after flooring, so the bound stays valid, only weaker.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
from numba import njit

from sharedprop.models.core.clock import Clock

_MAX_STATES = 40_000_000  # n × n × (capacity + 1) knapsack cells; beyond that no Lagrangian
_MAX_CAPACITY_STEPS = 400
# Work units (≈ seconds on an unloaded 2-core machine) per knapsack cell and evaluation, charged
# to a deterministic clock. Kept at the rate of the numpy tables that came before the compiled
# ones (pmedcap20, 1.2 M cells: about 400 evaluations a second), so that one-worker budgets and
# therefore their runs stay what they were; the compiled tables run faster than charged.
WORK_PER_CELL = 2.5e-9


@dataclass
class LagrangianProblem:
    """The arrays the relaxation needs; ``pair[i, h]`` says i may join hub h (diagonal: h may
    open)."""

    cost: np.ndarray
    weight: np.ndarray
    capacity: int | None
    pair: np.ndarray
    hub_cost: np.ndarray
    n_clusters: int | None
    uncovered_cost: np.ndarray | None


@dataclass
class LagrangianOutcome:
    bound: float
    multipliers: np.ndarray
    hub_sets: list[tuple[int, ...]]
    iterations: int
    seconds: float


class Relaxation:
    """Knapsack tables for one λ, reused for the bound, the subgradient and the fixing."""

    def __init__(self, problem: LagrangianProblem):
        self.p = problem
        n = problem.cost.shape[0]
        total = int(problem.weight.sum())
        cap = total if problem.capacity is None else min(int(problem.capacity), total)
        scale = max(1, math.ceil(cap / _MAX_CAPACITY_STEPS))
        self.scale = scale
        self.w = problem.weight // scale
        self.cap = cap // scale
        hub_weight = self.w.copy()
        self.cap_h = np.where(np.diag(problem.pair), self.cap - hub_weight, -1)
        self.n = n
        self.cells = n * n * (self.cap + 1)
        self.others = problem.pair.copy()
        np.fill_diagonal(self.others, False)

    @staticmethod
    def fits(problem: LagrangianProblem) -> bool:
        n = problem.cost.shape[0]
        total = int(problem.weight.sum())
        cap = total if problem.capacity is None else min(int(problem.capacity), total)
        steps = min(cap, _MAX_CAPACITY_STEPS) + 1
        return n * n * steps <= _MAX_STATES

    def evaluate(self, lam: np.ndarray, want_members: bool) -> dict:
        p = self.p
        n, cap = self.n, self.cap
        val = p.cost - lam[:, None]  # val[i, h]
        item = np.where(self.others, val, np.inf)
        dp = knapsack_tables(item, self.w, self.cap_h, cap)
        ok = self.cap_h >= 0
        vh = np.full(n, np.inf)
        idx = np.flatnonzero(ok)
        vh[idx] = p.hub_cost[idx] + np.diag(val)[idx] + dp[idx, self.cap_h[idx]]
        unc = np.zeros(n) if p.uncovered_cost is None else np.minimum(0.0, p.uncovered_cost - lam)
        order = np.argsort(vh, kind="stable")
        if p.n_clusters is None:
            selected = order[vh[order] < 0]
            feasible = True
        else:
            selected = order[: p.n_clusters]
            feasible = len(selected) == p.n_clusters and bool(np.isfinite(vh[selected]).all())
        bound = float(lam.sum() + unc.sum() + vh[selected].sum()) if feasible else math.inf
        out = {"bound": bound, "vh": vh, "dp": dp, "val": val, "selected": selected}
        if want_members and feasible:
            chosen = np.asarray(selected, dtype=np.int64)
            count = member_counts(item, self.w, self.cap_h, chosen)
            if p.uncovered_cost is not None:
                count += (p.uncovered_cost - lam < 0).astype(float)
            out["count"] = count
        return out


@njit(cache=True, nogil=True)
def knapsack_tables(item: np.ndarray, w: np.ndarray, cap_h: np.ndarray, cap: int) -> np.ndarray:
    """``dp[h, c]``: the cheapest members of hub h's cluster (items ``item[i, h] < 0``, weights
    ``w``) within capacity c ≤ ``cap_h[h]``. Only cells up to each hub's own capacity are
    filled, the only ones the bound and the fixing read."""
    n = item.shape[0]
    dp = np.zeros((n, cap + 1))
    for h in range(n):
        top = cap_h[h]
        if top < 0:
            continue
        row = dp[h]
        for i in range(n):
            v = item[i, h]
            wi = w[i]
            if not v < 0.0 or wi > top:
                continue
            for c in range(top, wi - 1, -1):
                candidate = row[c - wi] + v
                if candidate < row[c]:
                    row[c] = candidate
    return dp


@njit(cache=True, nogil=True)
def member_counts(
    item: np.ndarray, w: np.ndarray, cap_h: np.ndarray, selected: np.ndarray
) -> np.ndarray:
    """How many selected clusters (their hubs included) each point is in: each selected hub's
    knapsack solved again, recording which item improved which cell, and walked back."""
    n = item.shape[0]
    count = np.zeros(n)
    for h in selected:
        count[h] += 1.0
        top = cap_h[h]
        row = np.zeros(top + 1)
        take = np.zeros((n, top + 1), dtype=np.bool_)
        for i in range(n):
            v = item[i, h]
            wi = w[i]
            if not v < 0.0 or wi > top:
                continue
            for c in range(top, wi - 1, -1):
                candidate = row[c - wi] + v
                if candidate < row[c]:
                    row[c] = candidate
                    take[i, c] = True
        c = top
        for i in range(n - 1, -1, -1):
            if take[i, c]:
                count[i] += 1.0
                c -= w[i]
    return count


def warm_up() -> None:
    """Load (or compile) the two kernels with the argument types of :class:`Relaxation`."""
    item = np.array([[np.inf, -1.0], [-2.0, np.inf]])
    w = np.array([1, 1], dtype=np.int64)
    cap_h = np.array([1, 1], dtype=np.int64)
    knapsack_tables(item, w, cap_h, 2)
    member_counts(item, w, cap_h, np.array([0], dtype=np.int64))


def optimise(
    problem: LagrangianProblem,
    *,
    upper: float | None,
    time_budget: float,
    max_iterations: int = 800,
    start: np.ndarray | None = None,
    clock: Clock | None = None,
) -> LagrangianOutcome:
    """Subgradient ascent (Polyak steps towards ``upper``, halving after stalls).

    ``time_budget`` is measured on ``clock`` (wall-clock seconds by default; work units charged
    per evaluation when the clock is deterministic, so that the iterations repeat exactly).
    """
    started = time.perf_counter()
    clock = clock or Clock(deterministic=False)
    began = clock.now()
    relax = Relaxation(problem)
    per_evaluation = relax.cells * WORK_PER_CELL
    masked = np.where(relax.others, problem.cost, np.inf).astype(float)
    lam = masked.min(axis=1)
    if problem.uncovered_cost is not None:
        lam = np.minimum(lam, problem.uncovered_cost)
    lam = np.where(np.isfinite(lam), lam, np.diag(problem.cost)).astype(float)
    if start is not None:
        lam = np.asarray(start, dtype=float).copy()
    best, best_lam = -math.inf, lam.copy()
    alpha, stall = 2.0, 0
    hub_sets: list[tuple[int, ...]] = []
    iterations = 0
    for iterations in range(1, max_iterations + 1):
        out = relax.evaluate(lam, want_members=True)
        clock.charge(per_evaluation)
        bound = out["bound"]
        if not math.isfinite(bound):
            return LagrangianOutcome(
                math.inf, lam, hub_sets, iterations, time.perf_counter() - started
            )
        key = tuple(sorted(int(h) for h in out["selected"]))
        if key not in hub_sets:
            hub_sets.append(key)
        if bound > best + 1e-9:
            best, best_lam, stall = bound, lam.copy(), 0
        else:
            stall += 1
            if stall >= 30:
                alpha, stall = alpha / 2, 0
        if upper is not None and math.ceil(best - 1e-6) >= upper:
            break  # the bound meets the known solution: it is optimal
        g = 1.0 - out["count"]
        norm = float(g @ g)
        if norm == 0 or alpha < 5e-3 or clock.now() - began > time_budget:
            break
        target = upper if upper is not None else best + 0.05 * abs(best) + 1.0
        lam = lam + alpha * max(target - bound, 1e-3) / norm * g
    return LagrangianOutcome(best, best_lam, hub_sets, iterations, time.perf_counter() - started)


def reduce_pairs(
    problem: LagrangianProblem, lam: np.ndarray, upper: int, clock: Clock | None = None
) -> tuple[np.ndarray, float]:
    """Pairs (and hubs, on the diagonal) that can be part of a solution costing at most
    ``upper``."""
    relax = Relaxation(problem)
    out = relax.evaluate(lam, want_members=False)
    if clock is not None:
        clock.charge(2 * relax.cells * WORK_PER_CELL)
    bound, vh, dp, val = out["bound"], out["vh"], out["dp"], out["val"]
    keep = problem.pair.copy()
    if not math.isfinite(bound):
        return keep, bound
    n = relax.n
    if problem.n_clusters is None:
        forced_hub = bound - np.minimum(vh, 0.0) + vh
    else:
        selected = out["selected"]
        last = vh[selected[-1]] if len(selected) else 0.0
        is_selected = np.zeros(n, dtype=bool)
        is_selected[selected] = True
        forced_hub = np.where(is_selected, bound, bound - last + vh)
    eps = 1e-6 * max(1.0, abs(upper))
    with np.errstate(invalid="ignore"):
        base = forced_hub - vh + problem.hub_cost + np.diag(val)  # bound with h open, no members
    for h in range(n):
        if not keep[h, h]:
            continue
        if not np.isfinite(forced_hub[h]) or forced_hub[h] > upper + eps:
            keep[:, h] = False
            continue
        rest = relax.cap_h[h] - relax.w
        members = np.flatnonzero(relax.others[:, h] & (rest >= 0))
        forced = base[h] + val[members, h] + dp[h, rest[members]]
        drop = members[~(forced <= upper + eps)]  # NaN (∞ − ∞) counts as unbounded
        keep[drop, h] = False
        keep[np.flatnonzero(relax.others[:, h] & (rest < 0)), h] = False
    return keep, bound
