"""A lower bound from column generation on the problem *without* contiguity.

Dropping the contiguity rule only adds packages, so the set-partitioning LP over the larger
set is a valid lower bound on every plan, and its pricing becomes a 0-1 knapsack per option
(hub fixed, candidates within the radius, households up to the package limit) that a dynamic
programme solves in numpy, where the contiguous pricing (Python branch and bound, CP-SAT) takes
0.2–0.8 s per option on 120-community streets.

Pricing bound per option o (duals of the relaxed LP; the pieces of
:func:`sharedprop.models.pricing.linear_pieces`): every package has rc ≥ A(S) and rc ≥ B(S), so
lb(o) = max(min_S A(S), min_S B(S)) over S ∋ hub within the household limit. For all options at
once the programme runs on coarsened households w' = ⌊w / s⌋ with capacity ⌊(W − w_hub) / s⌋
(every feasible S stays feasible, since Σ⌊w/s⌋ ≤ ⌊Σw/s⌋, so the minimum can only drop and the
bound stays valid); the most promising options are then solved exactly in true households,
which gives both their exact lb and the columns to add. Every round the firm-aware Lagrangian
bound of :mod:`sharedprop.models.hub_matching` turns the lb(o) into a bound on the whole
problem, at the LP duals and at a smoothed point (Wentges 1997) around the best-bound duals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from sharedprop.models.clock import Clock
from sharedprop.models.columns import Column, ColumnPool, best_resources, make_column
from sharedprop.models.hub_matching import HubMatching
from sharedprop.models.master import Duals, LPFailure, LPMaster
from sharedprop.models.problem import Problem

STEPS = 100  # capacity cells per option in the all-options programme
LAMBDAS = (1.0, 0.0, 0.5, 0.25, 0.75)  # weights of the subsidy piece in the exact pricing


class _Knapsacks:
    """Every option's candidates (hub excluded) padded into one (options × items) table."""

    def __init__(self, p: Problem) -> None:
        self.p = p
        opts = p.options
        self.n_opt = len(opts)
        others = [o.candidates[o.candidates != o.hub] for o in opts]
        self.L = max((len(x) for x in others), default=0)
        self.item = np.zeros((self.n_opt, self.L), dtype=np.int64)
        self.mc = np.zeros((self.n_opt, self.L))
        self.mask = np.zeros((self.n_opt, self.L), dtype=bool)
        for j, (o, oth) in enumerate(zip(opts, others, strict=True)):
            k = len(oth)
            self.item[j, :k] = oth
            self.mc[j, :k] = o.member_cost[o.candidates != o.hub]
            self.mask[j, :k] = True
        self.hub = np.array([o.hub for o in opts], dtype=np.int64)
        self.hub_mc = np.array(
            [float(o.member_cost[np.searchsorted(o.candidates, o.hub)]) for o in opts]
        )
        self.firm = np.array([o.firm for o in opts], dtype=np.int64)
        self.margin = np.array([o.margin for o in opts])
        self.fixed = np.array([o.fixed for o in opts])
        wmax = p.firm_capacity[self.firm].astype(float)
        if p.package_max_weight is not None:
            wmax = np.minimum(wmax, float(p.package_max_weight))
        self.wmax = wmax
        w = p.weight.astype(np.int64)
        room = wmax - w[self.hub]
        self.ok = room >= 0  # the hub alone fits
        self.room = np.maximum(room, 0).astype(np.int64)
        self.scale = max(1, int(np.ceil(float(np.max(room, initial=1.0)) / STEPS)))
        self.cap = np.where(self.ok, self.room // self.scale, 0).astype(np.int64)
        self.wc = np.where(self.mask, w[self.item] // self.scale, 0)
        self.C = int(self.cap.max(initial=0))
        self.res = [o.resources for o in opts]
        self._subsets()

    def pieces(self, duals: Duals) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(a items, a constant, b items, b constant) of every option at ``duals``."""
        p = self.p
        wpm, wtc = p.w_public_money, p.w_total_cost
        alpha = duals.capacity[self.firm]
        v = duals.community[self.item] + alpha[:, None] * p.weight[self.item]
        v_hub = duals.community[self.hub] + alpha * p.weight[self.hub]
        k = (wpm * (1 + self.margin) + wtc)[:, None]
        a = np.where(self.mask, k * self.mc - wpm * p.revenue[self.item] - v, 0.0)
        b = np.where(self.mask, wtc * self.mc - v, 0.0)
        beta = duals.count[self.firm]
        k0 = wpm * (1 + self.margin) + wtc
        a0 = k0 * (self.fixed + self.hub_mc) - wpm * p.revenue[self.hub] - v_hub - beta
        b0 = wtc * (self.fixed + self.hub_mc) - v_hub - beta
        return a, a0, b, b0

    def combine(self, la: np.ndarray, lb_b: np.ndarray, duals: Duals) -> np.ndarray:
        """lb(o) = min over resource subsets R of max(min A − w_pm·inc(R), min B) + price(R)."""
        wpm = self.p.w_public_money
        price = self.sub_res @ (-duals.resource) if self.p.k else np.zeros(len(self.sub_opt))
        val = np.maximum(la[self.sub_opt] - wpm * self.sub_inc, lb_b[self.sub_opt]) + price
        out = np.full(self.n_opt, np.inf)
        np.minimum.at(out, self.sub_opt, val)
        return out

    def combine_one(self, o: int, mins: np.ndarray, duals: Duals) -> float:
        """lb(o) from the exact minima of λ·A + (1 − λ)·B for each λ of ``LAMBDAS``."""
        sel = np.flatnonzero(self.sub_opt == o)
        wpm = self.p.w_public_money
        price = self.sub_res[sel] @ (-duals.resource) if self.p.k else np.zeros(len(sel))
        lam = np.asarray(LAMBDAS)[None, :]
        per = mins[None, :] - lam * wpm * self.sub_inc[sel][:, None]
        return float(np.min(per.max(axis=1) + price))

    def _subsets(self) -> None:
        from itertools import combinations

        from scipy.sparse import csr_matrix

        owner, inc, rows, cols = [], [], [], []
        for j, r in enumerate(self.res):
            r = [int(x) for x in r]
            for size in range(len(r) + 1):
                for combo in combinations(r, size):
                    for x in combo:
                        rows.append(len(owner))
                        cols.append(x)
                    owner.append(j)
                    inc.append(float(self.p.resource_income[list(combo)].sum()) if combo else 0.0)
        self.sub_opt = np.array(owner, dtype=np.int64)
        self.sub_inc = np.array(inc)
        self.sub_res = csr_matrix(
            (np.ones(len(rows)), (rows, cols)), shape=(len(owner), max(self.p.k, 1))
        )[:, : self.p.k]

    def coarse(self, vals: np.ndarray) -> np.ndarray:
        """Min Σ vals over item sets within each option's coarse capacity, every option."""
        n, width = self.n_opt, self.C + 1
        dp = np.zeros(n * width)
        base = np.arange(n, dtype=np.int64) * width
        cols = np.arange(width, dtype=np.int64)[None, :]
        for k in range(self.L):
            v = vals[:, k]
            act = np.flatnonzero((v < 0) & self.mask[:, k])
            if len(act) == 0:
                continue
            src = cols - self.wc[act, k][:, None]
            ok = src >= 0
            here = base[act][:, None] + cols
            cand = dp[base[act][:, None] + np.where(ok, src, 0)] + v[act][:, None]
            cur = dp[here]
            dp[here] = np.where(ok & (cand < cur), cand, cur)
        return dp[base + self.cap]


def knapsack_exact(vals: np.ndarray, w: np.ndarray, cap: int) -> tuple[float, np.ndarray]:
    """(min Σ vals, chosen positions) over item sets within ``cap`` households (0-1 knapsack)."""
    dp = np.zeros(cap + 1)
    keep = np.zeros((len(vals), cap + 1), dtype=bool)
    for k in range(len(vals)):
        if vals[k] >= 0 or w[k] > cap:
            continue
        wk = int(w[k])
        cand = dp[: cap + 1 - wk] + vals[k]  # from the table before item k (0-1, not unbounded)
        better = cand < dp[wk:] - 1e-12
        keep[k, wk:] = better
        dp[wk:] = np.where(better, cand, dp[wk:])
    chosen = np.zeros(len(vals), dtype=bool)
    c = cap
    for k in range(len(vals) - 1, -1, -1):
        if keep[k, c]:
            chosen[k] = True
            c -= int(w[k])
    return float(dp[cap]), chosen


def _mix(a: Duals, b: Duals, alpha: float) -> Duals:
    return Duals(
        community=alpha * a.community + (1 - alpha) * b.community,
        capacity=alpha * a.capacity + (1 - alpha) * b.capacity,
        count=alpha * a.count + (1 - alpha) * b.count,
        resource=alpha * a.resource + (1 - alpha) * b.resource,
    )


class _Pricer:
    def __init__(self, q: Problem, ks: _Knapsacks, clock: Clock, per_round: int) -> None:
        self.q, self.ks, self.clock, self.per_round = q, ks, clock, per_round

    def price(self, duals: Duals) -> tuple[np.ndarray, list[Column]]:
        """Valid lb per option (coarse for all, exact for the most promising) and the exact
        best sets of those as columns."""
        q, ks = self.q, self.ks
        a, a0, b, b0 = ks.pieces(duals)
        la, lbb = a0 + ks.coarse(a), b0 + ks.coarse(b)
        lb = np.where(ks.ok, ks.combine(la, lbb, duals), np.inf)
        self.clock.charge(2e-9 * ks.n_opt * (ks.C + 1) * max(ks.L, 1))
        cols: list[Column] = []
        for o in np.argsort(lb, kind="stable")[: self.per_round]:
            if lb[o] >= -1e-6:
                break
            o = int(o)
            k = int(ks.mask[o].sum())
            items = ks.item[o, :k]
            w = q.weight[items].astype(np.int64)
            # min_S max(A_R, B) ≥ min_S (λ·A_R + (1 − λ)·B) for every λ in [0, 1]: a few λ give
            # a tighter bound and the columns where the subsidy just reaches zero.
            mins = []
            for lam in LAMBDAS:
                vals = lam * a[o, :k] + (1 - lam) * b[o, :k]
                val, chosen = knapsack_exact(vals, w, int(ks.room[o]))
                mins.append(lam * a0[o] + (1 - lam) * b0[o] + val)
                col = self._column(o, items[chosen], duals)
                if col is not None:
                    cols.append(col)
            lb[o] = max(lb[o], ks.combine_one(o, np.array(mins), duals))
            self.clock.charge(1e-4)
        return lb, cols

    def _column(self, o: int, chosen: np.ndarray, duals: Duals) -> Column | None:
        q = self.q
        opt = q.options[o]
        members = [int(opt.hub), *(int(i) for i in chosen)]
        if int(q.weight[members].sum()) < q.package_min_weight:
            return None
        base = make_column(q, o, members)
        deficit = (1 + opt.margin) * base.cost - float(q.revenue[list(base.members)].sum())
        res = best_resources(q, o, deficit, -duals.resource if q.k else None)
        return make_column(q, o, base.members, res) if res else base


def relaxed_lp_bound(
    p: Problem,
    *,
    time_limit: float,
    clock: Clock | None = None,
    stop: Callable[[], bool] | None = None,
    on_bound: Callable[[float], None] | None = None,
) -> tuple[float | None, dict]:
    """The best bound found within ``time_limit`` (None if none), with statistics."""
    stats: dict = {"rounds": 0, "columns": 0, "converged": False}
    if not p.options or any(o.hub < 0 for o in p.options):
        return None, stats
    clock = clock or Clock(deterministic=False)
    stop = stop or (lambda: False)
    start = clock.now()
    q = replace(p, adjacency=None)
    ks = _Knapsacks(q)
    pricer = _Pricer(q, ks, clock, per_round=max(60, q.n))
    matching = HubMatching(q)
    lp = LPMaster(q)
    pool = ColumnPool(q, on_new=lp.add)

    for o, opt in enumerate(q.options):
        if ks.ok[o] and q.weight[opt.hub] >= q.package_min_weight:
            pool.offer(make_column(q, o, (opt.hub,)))
    best = -np.inf
    centre: Duals | None = None
    centre_bound = -np.inf
    while clock.now() - start < time_limit and not stop():
        stats["rounds"] += 1
        try:
            clock.charge(0.002 + 1e-5 * len(pool))
            z, duals, _ = lp.solve()
        except LPFailure:
            break
        lb, cols = pricer.price(duals)
        bound = matching.bound(z, np.where(np.isfinite(lb), lb, 0.0))
        if not (lb < -1e-6).any():
            bound = max(bound, z)
            stats["converged"] = True
        if bound > centre_bound:
            centre, centre_bound = duals, bound
        if centre is not None and centre is not duals and not stats["converged"]:
            mid = _mix(centre, duals, 0.5)
            lb_m, cols_m = pricer.price(mid)
            b_m = matching.bound_at(mid, np.where(np.isfinite(lb_m), lb_m, 0.0))
            if b_m > centre_bound:
                centre, centre_bound = mid, b_m
            bound = max(bound, b_m)
            cols = cols_m + cols
        if bound > best:
            best = bound
            if on_bound is not None:
                on_bound(best)
        if stats["converged"]:
            break
        added = sum(pool.offer(c) for c in cols if duals.reduced_cost(q, c) < -1e-6)
        if added == 0:
            if pricer.per_round >= ks.n_opt:
                break
            # Coarse households hide no negative set among the options priced exactly: price
            # more of them exactly next round (the duals have not moved).
            pricer.per_round *= 2
    stats["columns"] = len(pool)
    stats["bound"] = float(best) if np.isfinite(best) else None
    return (float(best) if np.isfinite(best) else None), stats
