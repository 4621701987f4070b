"""Closing the gap when every package is a knapsack: Lagrangian bound, reduced-cost fixing of
(option, member) pairs, and the integer master over the pairs left.

This applies to the facility-location shape of the problem (Holmberg's SSCFLP): no contiguity,
no resources, every option a site that is not a member (hub = −1), one option per firm, at most
one package per firm, and a deficit that never changes sign, so that a package's objective is
linear, obj(S) = const_o + Σ_{i∈S} cost_oi (see :mod:`sharedprop.models.colgen.knapsack_pricing`).

*Bound.* Dualising the cover rows with multipliers π gives the Lagrangian function

    L(π) = Σ_i π_i + Σ_o min(0, h*_o(π)),   h*_o(π) = min over packages S of o of
                                             const_o + Σ_{i∈S} (cost_oi − π_i)

(a 0/1 knapsack per option), a lower bound on every plan for any π; max_π L(π) is the
Dantzig–Wolfe bound of the joint model's master. Column generation hands over its duals; a
short subgradient ascent (Polyak steps toward the incumbent) improves them.

*Fixing.* Every plan's value is L(π) + Σ_o (h_o(S_o) − min(0, h*_o)) with non-negative terms
(a closed option counts h = 0). So a plan better than the incumbent UB cannot put member i in
option o when the best package of o containing i already exceeds the gap UB − L(π)
(Beasley 1993, "Lagrangean relaxation", in *Modern Heuristic Techniques for Combinatorial
Problems*; Holmberg, Rönnqvist & Yuan 1999 use the same tests). The best package through i comes
from a prefix and a suffix knapsack table in O(W) per pair.

*Master.* Every package of a better plan uses only pairs left open, and the set of packages over
those pairs is exactly described by x_oi ≤ y_o, Σ_i w_i x_oi ≤ W_o y_o: the set-partitioning
master restricted to all such packages is therefore the assignment model below, which CP-SAT
solves with the incumbent as a hint. Its optimum is the optimum of the whole instance.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from sharedprop.models.colgen.knapsack_pricing import LinearOption, best_packages, linear_option
from sharedprop.models.colgen.reduced_cost import PricingCache
from sharedprop.models.core.columns import Column, make_column, plan_objective
from sharedprop.models.core.duals import FEN, Duals
from sharedprop.models.core.problem import Problem

LADDER = 1.5  # growth of the target gap t between rungs
CPSAT_PARAMS: dict = {}  # extra CP-SAT parameters for the pair master (see docs/formulation.md)


def applies(p: Problem) -> bool:
    """Is ``p`` of the facility-location shape this module handles?"""
    if p.adjacency is not None or p.k or not p.options or p.min_covered_weight > 0:
        return False
    firms = [o.firm for o in p.options]
    if len(set(firms)) != len(firms) or np.any(p.firm_max_packages[firms] != 1):
        return False
    if any(o.hub >= 0 or len(o.resources) for o in p.options):
        return False
    zero = _duals(p, np.zeros(p.n))
    cache = PricingCache(p)
    return all(linear_option(p, zero, o, cache) is not None for o in range(len(p.options)))


def _duals(p: Problem, pi: np.ndarray) -> Duals:
    return Duals(
        community=np.asarray(pi, dtype=float),
        capacity=np.zeros(p.m),
        count=np.zeros(p.m),
        resource=np.zeros(p.k),
    )


@dataclass
class LagrangianPoint:
    value: float  # L(π)
    pi: np.ndarray
    best: list[float]  # h*_o(π) per option (inf if the option has no package)
    chosen: list[tuple[int, ...]]  # a minimiser per option (positions), () if none


def lagrangian(p: Problem, cache: PricingCache, pi: np.ndarray) -> LagrangianPoint:
    """L(π) with every option priced exactly (see the module docstring)."""
    d = _duals(p, pi)
    unc = p.w_public_money * p.uncovered_cost
    total = float(np.where(p.must_cover, pi, np.minimum(pi, unc)).sum())
    best, chosen = [], []
    for o in range(len(p.options)):
        lin = linear_option(p, d, o, cache)
        assert lin is not None
        found = best_packages(lin)
        if not found:
            best.append(float("inf"))
            chosen.append(())
            continue
        val, pos = found[0]
        best.append(val)
        chosen.append(pos)
        total += min(0.0, val)
    return LagrangianPoint(total, np.asarray(pi, dtype=float).copy(), best, chosen)


def ascend(
    p: Problem,
    cache: PricingCache,
    starts: list[np.ndarray],
    ub: float,
    *,
    seconds: float,
    iterations: int = 400,
) -> LagrangianPoint:
    """Subgradient ascent on L from the best of ``starts`` (Held, Wolfe & Crowder 1974 with
    Polyak steps toward ``ub``); returns the best point met."""
    t_end = time.perf_counter() + seconds
    pts = [lagrangian(p, cache, s) for s in starts]
    best = max(pts, key=lambda q: q.value)
    cur, lam, stall = best, 1.0, 0
    unc = p.w_public_money * p.uncovered_cost
    for _ in range(iterations):
        if time.perf_counter() > t_end or ub - best.value <= 1e-6:
            break
        g = np.ones(p.n)
        for o, pos in enumerate(cur.chosen):
            if cur.best[o] < 0 and pos:
                g[p.options[o].candidates[list(pos)]] -= 1.0
        # an optional community left uncovered in the relaxation has no cover to lose
        g[(~p.must_cover) & (cur.pi > unc)] -= 1.0
        norm = float(g @ g)
        if norm == 0:
            break  # the relaxation's solution is a plan: L(π) is its value
        step = lam * (ub - cur.value) / norm
        cur = lagrangian(p, cache, cur.pi + step * g)
        if cur.value > best.value + 1e-9:
            best, stall = cur, 0
        else:
            stall += 1
            if stall >= 15:
                lam, stall = lam / 2, 0
                cur = best
                if lam < 1e-4:
                    break
    return best


def _prefix_suffix_best(lin: LinearOption) -> np.ndarray:
    """min over packages of the option that contain position i, for every i (inf if none)."""
    coef, w, W = lin.coef, lin.w, lin.cap
    n = len(coef)
    pre = np.zeros((n + 1, W + 1))  # pre[k][r]: best of items < k within weight r
    for k in range(n):
        pre[k + 1] = pre[k]
        wk = int(w[k])
        if coef[k] < 0 and wk <= W:
            pre[k + 1, wk:] = np.minimum(pre[k, wk:], coef[k] + pre[k, : W + 1 - wk])
    suf = np.zeros((n + 1, W + 1))  # suf[k][r]: best of items ≥ k within weight r
    for k in range(n - 1, -1, -1):
        suf[k] = suf[k + 1]
        wk = int(w[k])
        if coef[k] < 0 and wk <= W:
            suf[k, wk:] = np.minimum(suf[k + 1, wk:], coef[k] + suf[k + 1, : W + 1 - wk])
    out = np.full(n, np.inf)
    for i in range(n):
        R = W - int(w[i])
        if R < 0:
            continue
        out[i] = lin.const + coef[i] + float(np.min(pre[i, : R + 1] + suf[i + 1, R::-1]))
    return out


@dataclass
class Closing:
    columns: list[Column] | None  # the best plan found (None: none better than the incumbent)
    bound: float  # a valid lower bound on every plan
    proven: bool  # ``bound`` is the optimum (the incumbent or ``columns`` attain it)
    stats: dict


def close_gap(
    p: Problem,
    starts: list[np.ndarray],
    incumbent: list[Column],
    ub: float,
    *,
    time_limit: float,
    workers: int,
    seed: int,
    deterministic: bool = False,
) -> Closing:
    """Bound, fix and solve the master over the pairs left (see the module docstring).

    ``deterministic`` (one worker): the ascent is bounded by iterations only and CP-SAT by its
    deterministic time, so a seed repeats exactly.
    """
    t0 = time.perf_counter()
    cache = PricingCache(p)
    ascent_s = float("inf") if deterministic else min(0.25 * time_limit, 8.0)
    pt = ascend(p, cache, starts, ub, seconds=ascent_s)
    stats: dict = {"lagrangian": round(pt.value, 3), "ascent_s": round(time.perf_counter() - t0, 2)}
    d = _duals(p, pt.pi)
    through = []  # per pair: how far the best plan through it must stay above L(π)
    for o in range(len(p.options)):
        lin = linear_option(p, d, o, cache)
        assert lin is not None
        through.append(_prefix_suffix_best(lin) - min(0.0, pt.best[o]))
    stats["pairs"] = int(sum(len(o.candidates) for o in p.options))
    best_cols: list[Column] | None = None
    bound = pt.value
    # Fixing is only as strong as the value it fixes against, and the incumbent is often poor.
    # So the master is first asked for a plan of value ≤ T for targets T = L + t below the
    # incumbent, t doubling from 0.1 % of L: fixing against T leaves few pairs; "no such plan"
    # proves the bound T, and a plan found is the optimum (the model holds every plan ≤ T).
    step = max(0.5, 1e-3 * abs(pt.value))
    rung = 0
    while True:
        full = ub - pt.value
        if full <= max(0.01, 1e-9 * abs(ub)):
            return Closing(best_cols, ub, True, stats)
        t = min(step, full)
        target = ub if t >= full else pt.value + t
        allowed = [np.flatnonzero(th <= t + 1e-6) for th in through]
        must_open = np.array([-min(0.0, b) > t + 1e-6 for b in pt.best])
        rung += 1
        stats[f"pairs_left_{rung}"] = int(sum(len(a) for a in allowed))
        spent = stats.get("pair_master_dtime", 0.0) if deterministic else time.perf_counter() - t0
        left = time_limit - spent
        if left <= 0.1:
            break
        t_rung = time.perf_counter()
        res = _solve_pairs(
            p,
            allowed,
            must_open,
            best_cols or incumbent,
            target,
            pt,
            left,
            workers,
            seed,
            stats,
            deterministic,
            bound,
        )
        stats.setdefault("rungs", []).append(
            (round(target, 2), stats["pair_master"], round(time.perf_counter() - t_rung, 2))
        )
        bound = max(bound, res.bound)
        if res.columns:
            value = plan_objective(p, res.columns)
            if value < ub - 1e-9 or best_cols is None:
                best_cols, ub = res.columns, min(ub, value)
        if not res.proven:
            break  # out of time
        if res.columns or target >= ub:
            return Closing(best_cols, ub, True, stats)
        step *= LADDER  # no plan of value ≤ target: the bound is the target now
    return Closing(best_cols, min(bound, ub), False, stats)


def _lagrangian_cut(model, lin: LinearOption, pi, allowed, y, xs) -> None:
    big = 1e12  # a pair fixed to 0 never enters the knapsack below
    red = np.full(len(lin.coef), big)
    red[allowed] = np.round(FEN * (lin.coef[allowed] - pi[allowed]))
    const = float(round(FEN * lin.const))
    best = best_packages(LinearOption(red, const, lin.w, lin.cap, lin.min_w, lin.hub_pos), keep=1)
    if not best or best[0][0] >= big / 2:
        return
    h = int(round(best[0][0]))
    model.Add(
        sum(int(red[j]) * v for j, v in zip(allowed, xs, strict=True)) + (int(const) - h) * y >= 0
    )


def _solve_pairs(
    p: Problem, allowed, must_open, incumbent, ub, pt, time_limit, workers, seed, stats, det, floor
) -> Closing:
    """The master over every package built from the pairs left (CP-SAT, money in fen).

    Each option also gets its Lagrangian cut Σ_i ā_i x_oi + ā_0 y_o ≥ h̄*_o y_o, with ā the
    reduced costs at π in whole fen and h̄* the knapsack optimum of exactly those integers (so
    the cut is valid as written): with the cover rows, CP-SAT's LP relaxation then reaches L(π)
    at the root instead of the weak bound of x_oi ≤ y_o alone.
    """
    lb = pt.value
    pairs = _PairMaster(p, allowed, must_open, pt)
    if not pairs.cover():
        return Closing(None, ub, True, stats)  # no better plan can cover i
    pairs.minimise(ub, floor)
    pairs.hint(incumbent)
    solver = _pair_solver(time_limit, workers, seed, det)
    t_solve = time.perf_counter()
    status = solver.Solve(pairs.model)
    stats["pair_master_s"] = stats.get("pair_master_s", 0.0) + round(
        time.perf_counter() - t_solve, 2
    )
    stats["pair_master"] = solver.StatusName(status)
    stats["pair_master_dtime"] = stats.get("pair_master_dtime", 0.0) + float(
        solver.deterministic_time
    )
    exact = pairs.exact
    # Rounding to the fen can move a plan's value by half a fen per term.
    slack = 0.0 if exact else (p.n + len(p.options)) * 0.5 / FEN
    if status == cp_model.INFEASIBLE:
        return Closing(None, ub, exact, stats)  # nothing better than the incumbent
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Closing(None, lb, False, stats)
    cols = pairs.plan(solver)
    value = plan_objective(p, cols)
    bound = max(lb, solver.BestObjectiveBound() / FEN + pairs.offset - slack)
    proven = status == cp_model.OPTIMAL and exact
    if proven:
        bound = max(bound, value - 1e-9)
    return Closing(cols, min(bound, value), proven, stats)


class _PairMaster:
    """The assignment model over the pairs left: y_o opens option o, x_oi puts member i in
    it, with the option's household limits and Lagrangian cut; ``exact`` when every money
    coefficient is a whole number of fen."""

    def __init__(self, p: Problem, allowed, must_open, pt) -> None:
        self.p, self.allowed = p, allowed
        m_opt = len(p.options)
        zero = _duals(p, np.zeros(p.n))
        cache = PricingCache(p)
        model = self.model = cp_model.CpModel()
        self.y = y = [model.NewBoolVar(f"y{o}") for o in range(m_opt)]
        self.x: dict[tuple[int, int], cp_model.IntVar] = {}
        self.by_comm: list[list] = [[] for _ in range(p.n)]
        self.terms: list = []
        self.exact = True
        self.unc = p.w_public_money * p.uncovered_cost
        for o in range(m_opt):
            lin = linear_option(p, zero, o, cache)  # at π = 0 the pieces are the objective itself
            assert lin is not None
            if must_open[o]:
                model.Add(y[o] == 1)
            if not len(allowed[o]):
                model.Add(y[o] == 0)
                continue
            self._option(o, lin, pt.pi[p.options[o].candidates])
        self.offset = float(self.unc.sum())

    def _option(self, o: int, lin: LinearOption, pi: np.ndarray) -> None:
        model, y, cand = self.model, self.y, self.p.options[o].candidates
        xs = []
        for j in self.allowed[o]:
            v = model.NewBoolVar("")
            self.x[o, int(j)] = v
            self.by_comm[int(cand[j])].append(v)
            model.AddImplication(v, y[o])
            xs.append((int(lin.w[j]), v))
            c = FEN * (float(lin.coef[j]) - float(self.unc[cand[j]]))
            self.exact &= abs(c - round(c)) < 1e-6
            self.terms.append(round(c) * v)
        model.Add(sum(wj * v for wj, v in xs) <= lin.cap * y[o])
        if lin.min_w > 1:
            model.Add(sum(wj * v for wj, v in xs) >= lin.min_w * y[o])
        model.AddBoolOr([v for _, v in xs]).OnlyEnforceIf(y[o])
        _lagrangian_cut(model, lin, pi, self.allowed[o], y[o], [v for _, v in xs])
        c0 = FEN * lin.const
        self.exact &= abs(c0 - round(c0)) < 1e-6
        self.terms.append(round(c0) * y[o])

    def cover(self) -> bool:
        """The cover rows; False when a community that must be covered has no pair left."""
        p = self.p
        for i in range(p.n):
            if p.must_cover[i]:
                if not self.by_comm[i]:
                    return False
                self.model.AddExactlyOne(self.by_comm[i])
            elif len(self.by_comm[i]) > 1:
                self.model.AddAtMostOne(self.by_comm[i])
        return True

    def minimise(self, ub: float, floor: float) -> None:
        """The objective; only plans of value ≤ ub are of interest, and none is below the
        proven ``floor`` (rounded down a fen, so a plan exactly on it stays feasible)."""
        obj = sum(self.terms)
        self.model.Minimize(obj)
        self.model.Add(obj <= round(FEN * (ub - self.offset)))
        if self.exact and floor > -np.inf:
            self.model.Add(obj >= round(FEN * (floor - self.offset)) - 1)

    def hint(self, incumbent: list[Column]) -> None:
        for col in incumbent:
            o = col.option
            self.model.AddHint(self.y[o], 1)
            pos = np.searchsorted(self.p.options[o].candidates, col.members)
            for j in pos:
                if (o, int(j)) in self.x:
                    self.model.AddHint(self.x[o, int(j)], 1)

    def plan(self, solver: cp_model.CpSolver) -> list[Column]:
        cols = []
        for o in range(len(self.p.options)):
            if solver.Value(self.y[o]):
                cand = self.p.options[o].candidates
                members = [int(cand[j]) for j in self.allowed[o] if solver.Value(self.x[o, int(j)])]
                cols.append(make_column(self.p, o, members))
        return cols


def _pair_solver(time_limit: float, workers: int, seed: int, det: bool) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.catch_sigint_signal = False
    if det:
        solver.parameters.max_deterministic_time = max(0.1, time_limit)
        solver.parameters.interleave_search = False
    else:
        solver.parameters.max_time_in_seconds = max(0.1, time_limit)
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.random_seed = seed
    for key, value in CPSAT_PARAMS.items():
        setattr(solver.parameters, key, value)
    return solver
