"""A lower bound from column generation on the problem *without* contiguity.

Dropping the contiguity rule only adds packages, so the set-partitioning LP over the larger
set is a valid lower bound on every plan, and its pricing becomes a 0-1 knapsack per option
(hub fixed, candidates within the radius, households up to the package limit) that a dynamic
programme solves in numpy, where the contiguous pricing (Python branch and bound, CP-SAT) takes
0.2–0.8 s per option on 120-community streets.

Pricing bound per option o (duals of the relaxed LP; the pieces of
:func:`sharedprop.models.colgen.pricing.linear_pieces`): every package has rc ≥ A(S) and rc ≥ B(S),
so
lb(o) = max(min_S A(S), min_S B(S)) over S ∋ hub within the household limit. For all options at
once the programme runs on coarsened households w' = ⌊w / s⌋ with capacity ⌊(W − w_hub) / s⌋
(every feasible S stays feasible, since Σ⌊w/s⌋ ≤ ⌊Σw/s⌋, so the minimum can only drop and the
bound stays valid); the most promising options are then solved exactly in true households,
which gives both their exact lb and the columns to add. Every round the firm-aware Lagrangian
bound of :mod:`sharedprop.models.colgen.hub_matching` turns the lb(o) into a bound on the whole
problem, at the LP duals and at a smoothed point (Wentges 1997) around the best-bound duals.

The knapsack minima bound max(A, B) from below through λ·A + (1 − λ)·B, which can leave an
option with lb(o) < 0 and no λ-set of negative reduced cost; when that stalls the column
generation, those options are decided one by one: first by the same knapsacks on a fine grid
of λ (which settles about half of them), then by CP-SAT
(:func:`sharedprop.models.colgen.pricing.exact_price`, the true ``max(0, ·)``), asked only whether a
package of negative reduced cost exists. Only a complete such round lets the LP value count as
the bound. The knapsack tables are compiled (:mod:`sharedprop.models.bounds.knapsack_tables`).
A run may start from given duals (``CapacityRelaxation.duals``, the transportation LP's: the
first smoothing centre is then already worth about that LP's bound) and given columns (any
plan's).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from itertools import combinations

import numpy as np
from scipy.sparse import csr_matrix

from sharedprop.models.bounds.knapsack_tables import knapsack_rows, option_minima
from sharedprop.models.colgen.exact_round import ExactRoundSettings, exact_round
from sharedprop.models.colgen.hub_matching import HubMatching
from sharedprop.models.colgen.master import LPFailure, LPMaster
from sharedprop.models.colgen.reduced_cost import PricingCache
from sharedprop.models.core.clock import Clock
from sharedprop.models.core.columns import Column, ColumnPool, best_resources, make_column
from sharedprop.models.core.duals import Duals
from sharedprop.models.core.problem import Problem

STEPS = 100  # capacity cells per option in the all-options programme
# Weights of the subsidy piece in the knapsack pricing: three converge sooner than five once
# the fine grid below settles stalls (docs/decisions.md, 2026-11-27).
LAMBDAS = (1.0, 0.0, 0.5)
# The finer grid tried on an option before CP-SAT decides it (see _FineLambdas).
FINE_LAMBDAS = tuple(float(x) for x in np.linspace(0.0, 1.0, 33))
MAX_NEW_PER_N = 2  # columns added per pricing call, per community
# The firm capacity cuts (master.WeightCut) from this many options: at 120 communities they
# lift the root LP and the bound after branching with it; on the 30-community streets the
# branching, which is what lifts the bound there, slowed down with them (docs/decisions.md,
# 2026-11-27).
WEIGHT_CUTS_MIN_OPTIONS = 400
# What one worker's deterministic clock charges for the work below, in seconds, measured in
# one-worker solves of 120 and 400 communities (docs/decisions.md, 2026-11-28): the master LP
# (GLOP) per row × column; the all-options coarse programme per cell; one option's exact
# λ-knapsacks and set estimates, fixed and per (λ, candidate, household of room) cell; building
# and offering a priced column.
LP_SECONDS_PER_CELL = 1.2e-7
COARSE_SECONDS_PER_CELL = 2.5e-9
EXACT_OPTION_SECONDS = 6e-5
EXACT_SECONDS_PER_CELL = 1.8e-9
COLUMN_SECONDS = 9e-5
SMOOTHING = 0.5  # weight of the best-bound duals in the smoothed point (Wentges 1997)


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
        self.hub_w = w[self.hub]
        self.width = int(np.max(wmax, initial=0.0)) + 1  # package weights 0 … max room
        self.excluded = np.zeros((self.n_opt, self.L), dtype=bool)  # a branch's (o, i) pairs
        self._subsets()

    def exclude(self, pairs: frozenset[tuple[int, int]]) -> None:
        """Leave community i out of option o's packages for every (o, i) in ``pairs``."""
        self.excluded[:] = False
        for o, i in pairs:
            self.excluded[o] |= self.mask[o] & (self.item[o] == i)

    def pieces(self, duals: Duals) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(a items, a constant, b items, b constant) of every option at ``duals``."""
        p = self.p
        wpm, wtc = p.w_public_money, p.w_total_cost
        alpha = duals.capacity[self.firm]
        v = duals.community[self.item] + alpha[:, None] * p.weight[self.item]
        v_hub = duals.community[self.hub] + alpha * p.weight[self.hub]
        k = (wpm * (1 + self.margin) + wtc)[:, None]
        # An excluded item is worth 0: the programmes take only items of negative value.
        keep = self.mask & ~self.excluded
        a = np.where(keep, k * self.mc - wpm * p.revenue[self.item] - v, 0.0)
        b = np.where(keep, wtc * self.mc - v, 0.0)
        beta = duals.fixed_prices(self.firm)
        k0 = wpm * (1 + self.margin) + wtc
        a0 = k0 * (self.fixed + self.hub_mc) - wpm * p.revenue[self.hub] - v_hub - beta
        b0 = wtc * (self.fixed + self.hub_mc) - v_hub - beta
        return a, a0, b, b0

    def penalties(self, duals: Duals) -> np.ndarray | None:
        """P[f, w]: what a package of firm f and w households pays the capacity cuts at
        ``duals`` (non-decreasing in w), or None when no cut has a nonzero dual."""
        firms = [f for f in range(self.p.m) if duals.weighs(f)]
        if not firms:
            return None
        table = np.zeros((self.p.m, self.width))
        weights = np.arange(self.width)
        for f in firms:
            table[f] = duals.weight_penalties(f, weights)
        return table

    def option_penalty(self, o: int, pen: np.ndarray | None) -> np.ndarray | None:
        """Option o's penalty by the weight of its items besides the hub, 0 … room."""
        if pen is None:
            return None
        w = self.hub_w[o] + np.arange(int(self.room[o]) + 1)
        return pen[self.firm[o], np.minimum(w, self.width - 1)]

    def subset_prices(self, duals: Duals) -> np.ndarray:
        """price(R) = −Σ_{r∈R} ρ_r of every resource subset of every option."""
        if not self.p.k:
            return np.zeros(len(self.sub_opt))
        return self.sub_res @ (-duals.resource)

    def combine(self, la: np.ndarray, lb_b: np.ndarray, price: np.ndarray) -> np.ndarray:
        """lb(o) = min over resource subsets R of max(min A − w_pm·inc(R), min B) + price(R)."""
        wpm = self.p.w_public_money
        val = np.maximum(la[self.sub_opt] - wpm * self.sub_inc, lb_b[self.sub_opt]) + price
        out = np.full(self.n_opt, np.inf)
        np.minimum.at(out, self.sub_opt, val)
        return out

    def lambda_minima(
        self,
        o: int,
        pieces: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
        lambdas: Sequence[float],
        pen: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per λ: min_S λ·A(S) + (1 − λ)·B(S) + P(S) over option o's item sets within its
        room (P: the capacity cuts' :meth:`penalties`, paid in both pieces alike), and the
        item mask (over its candidates besides the hub) of a set that attains it."""
        a, a0, b, b0 = pieces
        k = int(self.mask[o].sum())  # the candidates fill the first k places of the row
        w = self.p.weight[self.item[o, :k]].astype(np.int64)
        lam = np.asarray(lambdas)[:, None]
        mins, chosen = knapsack_rows(
            lam * a[o, :k] + (1 - lam) * b[o, :k],
            w,
            int(self.room[o]),
            self.option_penalty(o, pen),
        )
        return mins + lam[:, 0] * a0[o] + (1 - lam[:, 0]) * b0[o], chosen

    def members(self, o: int, mask: np.ndarray) -> np.ndarray:
        """The communities of option o's item mask (over its first candidates, hub excluded)."""
        return self.item[o, : len(mask)][mask]

    def set_reduced_costs(
        self,
        o: int,
        sets: np.ndarray,
        pieces: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
        price: np.ndarray,
        pen: np.ndarray | None = None,
    ) -> np.ndarray:
        """Reduced cost of each row of ``sets`` (item masks of option o) with its best
        resource subset: min_R max(A − w_pm·inc(R), B) + price(R) + P(S)."""
        a, a0, b, b0 = pieces
        k = sets.shape[1]
        big_a = a0[o] + sets @ a[o, :k]
        big_b = b0[o] + sets @ b[o, :k]
        if pen is not None:
            weight = self.hub_w[o] + sets @ self.p.weight[self.item[o, :k]]
            paid = pen[self.firm[o], np.minimum(weight, self.width - 1).astype(np.int64)]
            big_a, big_b = big_a + paid, big_b + paid
        sel = slice(self.sub_start[o], self.sub_start[o + 1])
        wpm = self.p.w_public_money
        per = np.maximum(big_a[:, None] - wpm * self.sub_inc[sel][None, :], big_b[:, None])
        return (per + price[sel][None, :]).min(axis=1)

    def combine_one(
        self, o: int, mins: np.ndarray, price: np.ndarray, lambdas: Sequence[float] = LAMBDAS
    ) -> float:
        """lb(o) from the exact minima of λ·A + (1 − λ)·B for each λ of ``lambdas``."""
        sel = slice(self.sub_start[o], self.sub_start[o + 1])  # option o's subsets, in a row
        wpm = self.p.w_public_money
        lam = np.asarray(lambdas)[None, :]
        per = mins[None, :] - lam * wpm * self.sub_inc[sel][:, None]
        return float(np.min(per.max(axis=1) + price[sel]))

    def _subsets(self) -> None:
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
        # Subsets are listed option by option: option o's are sub_start[o] : sub_start[o + 1].
        self.sub_start = np.searchsorted(self.sub_opt, np.arange(self.n_opt + 1))
        self.sub_inc = np.array(inc)
        self.sub_res = csr_matrix(
            (np.ones(len(rows)), (rows, cols)), shape=(len(owner), max(self.p.k, 1))
        )[:, : self.p.k]

    def coarse(self, vals: np.ndarray, pen: np.ndarray | None = None) -> np.ndarray:
        """Min Σ vals (+ the capacity cuts' penalty) over item sets within each option's
        coarse capacity, every option.

        A set of coarse weight c weighs at least w_hub + scale · c households (the coarse
        weights round down), so charging it the penalty of that weight keeps a lower bound.
        """
        if pen is None:
            return option_minima(vals, self.wc, self.mask, self.cap)
        c = np.arange(self.C + 1)
        w = self.hub_w[:, None] + self.scale * c[None, :]
        coarse_pen = pen[self.firm[:, None], np.minimum(w, self.width - 1)]
        return option_minima(vals, self.wc, self.mask, self.cap, coarse_pen)


def knapsack_exact(vals: np.ndarray, w: np.ndarray, cap: int) -> tuple[float, np.ndarray]:
    """(min Σ vals, chosen positions) over item sets within ``cap`` households (0-1 knapsack)."""
    mins, chosen = knapsack_rows(np.asarray(vals, dtype=float)[None, :], w, cap)
    return float(mins[0]), chosen[0]


class _Pricer:
    def __init__(self, q: Problem, ks: _Knapsacks, clock: Clock, per_round: int) -> None:
        self.q, self.ks, self.clock, self.per_round = q, ks, clock, per_round
        self.off = np.zeros(ks.n_opt, dtype=bool)  # options a branch leaves unused
        # What pricing one option exactly is charged: its λ-knapsack tables have (room + 1)
        # cells per candidate and λ, then a pass over the sets. Fixed per option, so once here.
        cells = len(LAMBDAS) * ks.mask.sum(axis=1) * (ks.room + 1)
        self.exact_charge = EXACT_OPTION_SECONDS + EXACT_SECONDS_PER_CELL * cells

    def price(self, duals: Duals) -> tuple[np.ndarray, list[tuple[int, np.ndarray]]]:
        """Valid lb per option (coarse for all, exact for the most promising) and the exact
        best sets of those of negative reduced cost, as (option, mask over its items)."""
        ks = self.ks
        pieces = ks.pieces(duals)
        a, a0, b, b0 = pieces
        pen = ks.penalties(duals)
        la, lbb = a0 + ks.coarse(a, pen), b0 + ks.coarse(b, pen)
        price = ks.subset_prices(duals)
        lb = np.where(ks.ok & ~self.off, ks.combine(la, lbb, price), np.inf)
        self.clock.charge(COARSE_SECONDS_PER_CELL * ks.n_opt * (ks.C + 1) * max(ks.L, 1))
        # (option, mask over its items) of negative reduced cost; :meth:`columns` builds the
        # best of them.
        found: list[tuple[int, np.ndarray]] = []
        for o in np.argsort(lb, kind="stable")[: self.per_round]:
            if lb[o] >= -1e-6:
                break
            o = int(o)
            # min_S max(A_R, B) ≥ min_S (λ·A_R + (1 − λ)·B) for every λ in [0, 1]: a few λ give
            # a tighter bound and the columns where the subsidy just reaches zero.
            mins, chosen = ks.lambda_minima(o, pieces, LAMBDAS, pen)
            est = ks.set_reduced_costs(o, chosen, pieces, price, pen)
            seen: set[bytes] = set()
            for e, row in zip(est, chosen, strict=True):
                key = row.tobytes()
                if e < -1e-6 and key not in seen:  # several λ often pick the same set
                    seen.add(key)
                    found.append((o, row))
            lb[o] = max(lb[o], ks.combine_one(o, mins, price, LAMBDAS))
            self.clock.charge(float(self.exact_charge[o]))
        return lb, found

    def columns(
        self, found: list[tuple[int, np.ndarray]], duals: Duals, limit: int
    ) -> list[Column]:
        """Columns of the ``limit`` sets in ``found`` (option, mask over its items) of lowest
        reduced cost at ``duals``: building a column costs more than its knapsack."""
        if not found:
            return []
        ks = self.ks
        pieces = ks.pieces(duals)
        price = ks.subset_prices(duals)
        pen = ks.penalties(duals)
        est = [
            float(ks.set_reduced_costs(o, row[None, :], pieces, price, pen)[0]) for o, row in found
        ]
        order = np.argsort(est, kind="stable")[:limit]
        # Building a column and pricing it (in ``offer``), charged here so that the columns
        # priced at the start, which bypass ``offer``, are charged too.
        self.clock.charge(COLUMN_SECONDS * len(order))
        cols = [
            self.column(o, ks.members(o, row), duals) for o, row in map(found.__getitem__, order)
        ]
        return [c for c in cols if c is not None]

    def refine(self, duals: Duals) -> _FineLambdas:
        """Per option: (lb, a column of negative reduced cost or None) from the λ-knapsacks
        on ``FINE_LAMBDAS`` (:class:`_FineLambdas`)."""
        return _FineLambdas(self, duals)

    def column(self, o: int, chosen: np.ndarray, duals: Duals) -> Column | None:
        """Option o's package of the hub and ``chosen``, with its best resources at ``duals``
        (None below the package's minimum households)."""
        q = self.q
        opt = q.options[o]
        members = [int(opt.hub), *(int(i) for i in chosen)]
        if int(q.weight[members].sum()) < q.package_min_weight:
            return None
        base = make_column(q, o, members)
        deficit = (1 + opt.margin) * base.cost - float(q.revenue[list(base.members)].sum())
        res = best_resources(q, o, deficit, -duals.resource if q.k else None)
        return make_column(q, o, base.members, res) if res else base


class _FineLambdas:
    """An option's λ-knapsacks on the fine grid ``FINE_LAMBDAS`` at one point of duals:
    (lb, a column of negative reduced cost or None), tried before an option goes to CP-SAT.

    The finer grid settles about half the options CP-SAT would be asked, in a fraction of its
    time (docs/decisions.md, 2026-11-27); the rest are the options where min_S max(A, B)
    exceeds every λ-minimum, which only the exact model settles.
    """

    def __init__(self, pricer: _Pricer, duals: Duals) -> None:
        ks = pricer.ks
        self.pricer, self.ks, self.duals = pricer, ks, duals
        self.pieces = ks.pieces(duals)
        self.price = ks.subset_prices(duals)
        self.pen = ks.penalties(duals)

    def __call__(self, o: int) -> tuple[float, Column | None]:
        ks = self.ks
        mins, chosen = ks.lambda_minima(o, self.pieces, FINE_LAMBDAS, self.pen)
        self.pricer.clock.charge(1e-3)
        lb = ks.combine_one(o, mins, self.price, FINE_LAMBDAS)
        est = ks.set_reduced_costs(o, chosen, self.pieces, self.price, self.pen)
        j = int(np.argmin(est))
        if est[j] >= -1e-6:
            return lb, None
        return lb, self.pricer.column(o, ks.members(o, chosen[j]), self.duals)


def _finite(lb: np.ndarray) -> np.ndarray:
    """``lb`` with its infinite entries (options a branch leaves out) as 0."""
    return np.where(np.isfinite(lb), lb, 0.0)


@dataclass
class _LPRun:
    """One :meth:`_ColumnGeneration.run`: its best bound (told to ``note`` whenever it rises),
    the LP's last values, and, when it smooths, the stability centre and its bound."""

    note: Callable[[float], None]
    best: float
    smooth: bool = False
    centre: Duals | None = None
    centre_bound: float = -np.inf
    values: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def raise_to(self, bound: float) -> None:
        if bound > self.best:
            self.best = bound
            self.note(self.best)

    def outcome(self, converged: bool) -> tuple[float, bool, np.ndarray]:
        return self.best, converged, self.values


class _ColumnGeneration:
    """Column generation on the master LP as its count limits stand (the root or a branch)."""

    def __init__(
        self,
        q: Problem,
        clock: Clock,
        stop: Callable[[], bool],
        stats: dict,
        weight_cuts: bool,
    ) -> None:
        self.q = q
        self.ks = _Knapsacks(q)
        self.lp = LPMaster(q)
        self.pool = ColumnPool(q, on_new=self.lp.add)
        self.clock, self.stop, self.stats = clock, stop, stats
        self.pricer = _Pricer(q, self.ks, clock, per_round=max(60, q.n))
        self.matching = HubMatching(q, clock)
        self.cache = PricingCache(q)
        self.per_call = 1.0  # seconds of exact pricing per option
        self.weight_cuts = weight_cuts  # separate the firm capacity cuts (a stall, convergence)
        # The master starts from the one-community packages only (a plan's packages there
        # slowed the root: docs/formulation.md).
        for o, opt in enumerate(q.options):
            if self.ks.ok[o] and q.weight[opt.hub] >= q.package_min_weight:
                self.pool.offer(make_column(q, o, (opt.hub,)))

    def with_cuts(
        self,
        result: tuple[float, bool, np.ndarray],
        deadline: float,
        note: Callable[[float], None],
        **kw,
    ) -> tuple[float, bool, np.ndarray]:
        """After :meth:`run` gave ``result``: while the converged LP breaks a firm capacity
        cut (:meth:`LPMaster.separate_weight_cuts`), the cut joins it and :meth:`run` again.

        The cuts hold for every plan, so each LP with them is a relaxation too, worth at least
        the one before; they join once for all branches. A firm has fewer possible cuts than
        its ``max_packages``, so this ends.
        """
        bound, converged, values = result
        while self.weight_cuts and converged and self.clock.now() < deadline and not self.stop():
            added = self.lp.separate_weight_cuts(values)
            if not added:
                break
            self.stats["weight_cuts"] += added
            bound, converged, values = self.run(deadline, note, floor=bound, **kw)
        return bound, converged, values

    def enter(self, b: _Branch) -> None:
        """Price and solve within branch ``b`` from now on."""
        self.lp.set_branch(b.total, b.firm, b.fixed, b.excluded, b.covered)
        self.ks.exclude(b.excluded)
        off = np.zeros(self.ks.n_opt, dtype=bool)
        off[list(self.lp.unused)] = True
        off[[o for o, i in b.excluded if self.q.options[o].hub == i]] = True
        self.pricer.off = off

    def offer(self, cols: list[Column], duals: Duals) -> int:
        # (Building and pricing these columns was charged in _Pricer.columns.)
        # The 2·n most negative only: the master LP's time grows with its columns, and this
        # gave more rounds and better bounds (docs/decisions.md, 2026-11-27).
        rc = [(duals.reduced_cost(self.q, c), i) for i, c in enumerate(cols)]
        best = sorted(t for t in rc if t[0] < -1e-6)[: MAX_NEW_PER_N * self.q.n]
        return sum(self.pool.offer(cols[i]) for _, i in best)

    def run(
        self,
        deadline: float,
        note: Callable[[float], None],
        floor: float = -np.inf,
        smooth: bool = False,
        centre: Duals | None = None,
        centre_bound: float = -np.inf,
    ) -> tuple[float, bool, np.ndarray]:
        """(this LP's best bound, at least ``floor``; whether it converged; its last values).

        ``smooth`` prices at points between the LP's duals and the best-bound ones (``centre``
        at first, if given): only at the root, where :meth:`HubMatching.bound_at` knows every
        row's right-hand side.
        """
        state = _LPRun(note, floor, smooth, centre, centre_bound)
        while self.clock.now() < deadline and not self.stop():
            converged = self._round(state, deadline)
            if converged is not None:
                return state.outcome(converged)
        return state.outcome(False)

    def _round(self, state: _LPRun, deadline: float) -> bool | None:
        """One round of the LP and its pricing: True once the LP has converged, False when it
        failed, None to go on."""
        self.stats["rounds"] += 1
        try:
            # GLOP on this master, by rows × columns (so one worker's deterministic budget
            # stays near the wall clock).
            self.clock.charge(
                0.01 + LP_SECONDS_PER_CELL * self.lp.solver.NumConstraints() * len(self.pool)
            )
            z, duals, state.values = self.lp.solve()
        except LPFailure:
            self.stats["lp_failure"] = True
            return False
        lb, found = self.pricer.price(duals)
        bound = self.matching.bound(z, _finite(lb))
        if not (lb < -1e-6).any():
            state.raise_to(max(bound, z))
            return True
        if state.smooth:
            bound, found = self._price_smoothed(state, duals, bound, found)
        state.raise_to(bound)
        # Twice what the master takes: the estimate may pick sets the pool already holds.
        cols = self.pricer.columns(found, duals, 2 * MAX_NEW_PER_N * self.q.n)
        if self.offer(cols, duals) == 0:
            return self._unstall(state, z, duals, lb, deadline)
        return None

    def _price_smoothed(
        self,
        state: _LPRun,
        duals: Duals,
        bound: float,
        found: list[tuple[int, np.ndarray]],
    ) -> tuple[float, list[tuple[int, np.ndarray]]]:
        """Price at a smoothed point too (Wentges 1997), which moves less than the LP's duals:
        the better bound, and the sets found at both points. (Pricing only there, and at the
        LP's duals only on a mis-price, took twice the rounds to converge.)"""
        if bound > state.centre_bound:
            state.centre, state.centre_bound = duals, bound
        if state.centre is None or state.centre is duals:
            return bound, found
        mid = state.centre.mix(duals, SMOOTHING)
        lb_m, found_m = self.pricer.price(mid)
        b_m = self.matching.bound_at(mid, _finite(lb_m))
        if b_m > state.centre_bound:
            state.centre, state.centre_bound = mid, b_m
        return max(bound, b_m), found_m + found

    def _unstall(
        self, state: _LPRun, z: float, duals: Duals, lb: np.ndarray, deadline: float
    ) -> bool | None:
        """No column joined the pool: price more options exactly, else add the capacity cuts
        the LP breaks, else let CP-SAT decide. True once the LP has converged."""
        if self.pricer.per_round < self.ks.n_opt:
            # Coarse households hide no negative set among the options priced exactly:
            # price more of them exactly next round (the duals have not moved).
            self.pricer.per_round *= 2
            return None
        if self.weight_cuts and (cuts := self.lp.separate_weight_cuts(state.values)):
            # Stuck, but the LP is close to its optimum by now and breaks capacity cuts: they
            # join now, not after the exact pricing has proven this LP optimal, which is what
            # CP-SAT's time would buy (docs/decisions.md, 2026-11-28).
            self.stats["weight_cuts"] += cuts
            return None
        return self._price_exactly(state, z, duals, lb, deadline)

    def _price_exactly(
        self, state: _LPRun, z: float, duals: Duals, lb: np.ndarray, deadline: float
    ) -> bool | None:
        """The λ-pricing is stuck: its sets have rc ≥ 0 while lb(o) < 0 (min max(A, B) is not
        max_λ min λ·A + (1−λ)·B). CP-SAT decides those options exactly, each first through the
        fine λ grid; it asks only for negative packages, and without contiguity skips the
        branch and bound of connected packages, which hit its node limit on nearly every call
        (docs/decisions.md, 2026-11-27)."""
        self.stats["exact_rounds"] += 1
        result = exact_round(
            self.q,
            duals,
            lb,
            self.cache,
            self.clock,
            deadline=deadline,
            stop=self.stop,
            enough=max(8, self.q.n // 8),
            settings=ExactRoundSettings(per_call=self.per_call, search_nodes=0, negative_only=True),
            exclude=self.lp.banned,
            refine=self.pricer.refine(duals),
        )
        added = sum(self.pool.offer(c) for c in result.columns)
        self.stats["exact_calls"] += len(result.columns)
        state.raise_to(self.matching.bound(z, _finite(result.bounds)))
        if result.complete and added == 0:
            # Every option is decided and none prices out: the LP is at its optimum. The
            # bound keeps the exact pricing's rounding slack (about a yuan per option).
            state.raise_to(z)
            return True
        if added == 0:
            # Some option was not decided in its time: the duals stay, so the next round
            # repeats the exact pricing with twice the time per option.
            self.per_call *= 2
        return None


class _BestBound:
    """The best bound of a run, told to ``on_bound`` whenever it rises."""

    def __init__(self, on_bound: Callable[[float], None] | None) -> None:
        self.value = -np.inf
        self.on_bound = on_bound

    def note(self, bound: float) -> None:
        if bound > self.value:
            self.value = bound
            if self.on_bound is not None:
                self.on_bound(self.value)

    def finite(self) -> float | None:
        return float(self.value) if np.isfinite(self.value) else None


def _never() -> bool:
    return False


def relaxed_lp_bound(
    p: Problem,
    *,
    time_limit: float,
    clock: Clock | None = None,
    stop: Callable[[], bool] | None = None,
    on_bound: Callable[[float], None] | None = None,
    start: Duals | None = None,
    branch: bool = True,
    before_branching: Callable[[], None] | None = None,
    weight_cuts: bool | None = None,
    stats: dict | None = None,
) -> tuple[float | None, dict]:
    """The best bound found within ``time_limit`` (None if none), with statistics.

    ``stats``: a dict to fill with the statistics as the run goes (the one returned), so a
    caller can read them mid-run, from ``on_bound``. ``on_bound`` is called with the best
    bound whenever it rises, and once more when the root LP is settled.

    ``start`` (for example ``capacity_relaxation(p).duals``) is priced first and is the first
    centre of the smoothing; the master starts from the one-community packages only (a plan's
    packages there slowed the root: docs/formulation.md). Once the LP
    has converged, the time left goes to branching (``branch``; :class:`_BranchAndBound`),
    after a call to ``before_branching`` (the second process lowers its priority there).
    ``weight_cuts``: separate the firm capacity cuts whenever an LP converges or its
    λ-pricing stalls (None: on problems of more than ``WEIGHT_CUTS_MIN_OPTIONS`` options).
    """
    stats = {} if stats is None else stats
    stats |= {
        "rounds": 0,
        "columns": 0,
        "converged": False,
        "exact_rounds": 0,
        "exact_calls": 0,
        "nodes": 0,
        "weight_cuts": 0,
    }
    if not p.options or any(o.hub < 0 for o in p.options):
        return None, stats
    clock = clock or Clock(deterministic=False)
    stop = stop or _never
    deadline = clock.now() + time_limit
    q = replace(p, adjacency=None)
    if weight_cuts is None:
        weight_cuts = len(q.options) > WEIGHT_CUTS_MIN_OPTIONS
    cg = _ColumnGeneration(q, clock, stop, stats, weight_cuts)
    best = _BestBound(on_bound)
    root, converged, values = _solve_root(cg, start, deadline, best.note)
    stats["converged"] = converged
    stats["root_bound"] = float(root) if np.isfinite(root) else None
    if on_bound is not None and np.isfinite(best.value):
        on_bound(best.value)  # once more, so a reader of ``stats`` learns the root is settled
    if converged and branch:
        if before_branching is not None:
            before_branching()
        _BranchAndBound(cg, deadline, best.note).run(root, values)
    stats["columns"] = len(cg.pool)
    stats["bound"] = best.finite()
    return best.finite(), stats


def _solve_root(
    cg: _ColumnGeneration,
    start: Duals | None,
    deadline: float,
    note: Callable[[float], None],
) -> tuple[float, bool, np.ndarray]:
    """The root LP column-generated (from ``start``'s duals and columns, if given) and cut
    until it converges or the time is up: (its bound, whether it converged, its values)."""
    centre: Duals | None = None
    centre_bound = -np.inf
    if start is not None:
        lb_s, found_s = cg.pricer.price(start)
        centre = start
        centre_bound = cg.matching.bound_at(start, _finite(lb_s))
        cg.stats["start_bound"] = float(centre_bound)
        for c in cg.pricer.columns(found_s, start, len(found_s)):
            cg.pool.offer(c)
        note(centre_bound)
    first = cg.run(deadline, note, smooth=True, centre=centre, centre_bound=centre_bound)
    if first[1]:
        # The root LP's first optimum: before any cut, unless the pricing stalled first
        # (cuts then join on the stall, see _ColumnGeneration._unstall).
        cg.stats["lp_bound"] = float(first[0])
    return cg.with_cuts(first, deadline, note, smooth=True)


@dataclass(frozen=True)
class _Branch:
    """The limits of one branch (see :meth:`LPMaster.set_branch`)."""

    total: tuple[int, int] | None = None
    firm: dict[int, tuple[int, int]] = field(default_factory=dict)
    fixed: dict[int, int] = field(default_factory=dict)  # option → used (1) or not (0)
    excluded: frozenset[tuple[int, int]] = frozenset()  # (option, community) kept apart
    covered: frozenset[int] = frozenset()  # communities that must be covered


def _note_capped(note: Callable[[float], None], rest: float, bound: float) -> None:
    """Tell ``note`` a branch's bound, capped by ``rest``, the lowest of the other branches."""
    note(min(bound, rest))


class _BranchAndBound:
    """Raise the bound by branching, best branch first, until the time is up.

    Every plan runs a whole number of packages, in all and per firm, and uses each option
    (firm, hub) once or not at all. When the converged LP's total Σx is fractional, every plan
    has Σx ≤ ⌊Σx⌋ or ≥ ⌈Σx⌉; else the same on the firm whose count is most fractional; else
    option o is used or not, for the o whose Σ_{c of o} x is nearest ½; else community i is in
    option o's package or not. Each branch is the LP with those limits
    (``LPMaster.set_branch``; an option that is not used is also left out of pricing),
    column-generated to convergence from the pool so far, and the bound on all plans is the
    lowest bound over the open and finished branches. A branch with whole counts and whole
    options is finished: its LP value is the best this scheme says there. On the street-sized
    instances the LP runs a few packages' worth of fractional packages, and its value rises
    most when the count is fixed (docs/decisions.md, 2026-11-27).
    """

    def __init__(
        self, cg: _ColumnGeneration, deadline: float, note: Callable[[float], None]
    ) -> None:
        q = cg.q
        self.cg, self.deadline, self.note = cg, deadline, note
        self.kmax = np.minimum(q.firm_max_packages, q.n).astype(int)
        self.total_max = int(min(q.n, self.kmax.sum()))
        self.firm_of_option = np.array([o.firm for o in q.options], dtype=np.int64)
        self.holders: list[list[int]] = [[] for _ in range(q.n)]  # options that may hold i
        for j, opt in enumerate(q.options):
            for i in opt.candidates:
                self.holders[int(i)].append(j)
        self.heap: list[tuple[float, int, _Branch]] = []  # (bound, serial, branch): open
        self.finished: list[float] = []
        self.serial = 0

    def run(self, root: float, values: np.ndarray) -> None:
        """Branch from the converged root LP (``root``, its ``values``)."""
        cg = self.cg
        if not self._split(root, _Branch(), values):
            return
        while self.heap and cg.clock.now() < self.deadline and not cg.stop():
            bound, _, b = heapq.heappop(self.heap)
            if not self._solve(bound, b):
                break
        stats = cg.stats
        stats["branch_bound"] = float(self._lowest()) if self.heap or self.finished else None
        stats["branches_open"] = len(self.heap)
        stats["branches_finished"] = len(self.finished)
        stats["lowest_finished"] = float(min(self.finished)) if self.finished else None

    def _solve(self, bound: float, b: _Branch) -> bool:
        """Column-generate branch ``b`` (its parent's bound ``bound``) and split it; False
        when the time ran out first (the branch then keeps the bound it reached)."""
        cg = self.cg
        cg.enter(b)
        at_node = partial(_note_capped, self.note, self._lowest())
        node, converged, x = cg.with_cuts(
            cg.run(self.deadline, at_node, floor=bound), self.deadline, at_node
        )
        cg.stats["nodes"] += 1
        if not converged:
            self._push(node, b)
            return False
        if not self._split(node, b, x):
            self.finished.append(node)
        self.note(self._lowest())
        return True

    def _push(self, bound: float, b: _Branch) -> None:
        self.serial += 1
        heapq.heappush(self.heap, (bound, self.serial, b))

    def _lowest(self) -> float:
        return min([h[0] for h in self.heap] + self.finished, default=np.inf)

    def _possible(self, b: _Branch) -> bool:
        """Whether some counts meet the branch's limits, in all and per firm."""
        kmax, m = self.kmax, self.cg.q.m
        lo_t, hi_t = b.total if b.total is not None else (0, self.total_max)
        lows = [b.firm.get(f, (0, int(kmax[f])))[0] for f in range(m)]
        highs = [min(b.firm.get(f, (0, int(kmax[f])))[1], int(kmax[f])) for f in range(m)]
        if lo_t > hi_t or any(lo > hi for lo, hi in zip(lows, highs, strict=True)):
            return False
        return sum(lows) <= hi_t and lo_t <= sum(highs)

    def _split(self, bound: float, b: _Branch, x: np.ndarray) -> bool:
        """Queue the two branches of the LP point ``x``; False when nothing is fractional."""
        kids = self._children(b, x)
        if kids is None:
            return False
        if any(k == b for k in kids):
            # The count lies outside the branch's limits, so the LP pays the artificial slack:
            # nothing there to split, the (huge) LP value stands.
            return False
        for k in kids:
            if self._possible(k):
                self._push(bound, k)
        return True

    def _children(self, b: _Branch, x: np.ndarray) -> list[_Branch] | None:
        """The two branches that split the LP point ``x`` inside ``b`` (None: x is whole):
        on the total count, a firm's count, an option's use or a member's place."""
        if not len(x):
            return None
        q, lp = self.cg.q, self.cg.lp
        option_of = np.array([c.option for c in lp.cols[: len(x)]], dtype=np.int64)
        used = np.bincount(option_of, weights=x, minlength=len(q.options))
        per = np.bincount(self.firm_of_option, weights=used, minlength=q.m)
        s = float(per.sum())
        frac = np.abs(per - np.round(per))
        if abs(s - round(s)) > 1e-6:
            lo, hi = b.total if b.total is not None else (0, self.total_max)
            return [
                replace(b, total=(lo, min(hi, int(np.floor(s))))),
                replace(b, total=(max(lo, int(np.ceil(s))), hi)),
            ]
        if frac.max() > 1e-6:
            f = int(np.argmax(frac))
            lo, hi = b.firm.get(f, (0, int(self.kmax[f])))
            v = float(per[f])
            return [
                replace(b, firm={**b.firm, f: (lo, min(hi, int(np.floor(v))))}),
                replace(b, firm={**b.firm, f: (max(lo, int(np.ceil(v))), hi)}),
            ]
        return self._option_or_member(b, used, x)

    def _option_or_member(
        self, b: _Branch, used: np.ndarray, x: np.ndarray
    ) -> list[_Branch] | None:
        middle = np.minimum(used, 1.0 - used)
        middle[list(b.fixed)] = 0.0
        o = int(np.argmax(middle))
        if middle[o] > 1e-6:
            return [replace(b, fixed={**b.fixed, o: 0}), replace(b, fixed={**b.fixed, o: 1})]
        pair = self._member_to_split(x)
        if pair is None:
            return None
        o, i = pair
        # i is in o's package, or it is not: in the second branch no other option may take i
        # and i must be covered, which leaves o's package as its only place.
        others = {(int(o2), i) for o2 in self.holders[i] if o2 != o}
        return [
            replace(b, excluded=b.excluded | {(o, i)}),
            replace(b, excluded=b.excluded | others, covered=b.covered | {i}),
        ]

    def _member_to_split(self, x: np.ndarray) -> tuple[int, int] | None:
        """The (option, community) whose share Σ_{c of o, c ∋ i} x_c is nearest ½, if any is
        fractional."""
        share: dict[tuple[int, int], float] = {}
        for j in np.flatnonzero(x > 1e-9):
            c = self.cg.lp.cols[int(j)]
            for i in c.members:
                key = (c.option, int(i))
                share[key] = share.get(key, 0.0) + float(x[j])
        best, pick = 1e-6, None
        for key, v in share.items():
            if min(v, 1.0 - v) > best:
                best, pick = min(v, 1.0 - v), key
        return pick
