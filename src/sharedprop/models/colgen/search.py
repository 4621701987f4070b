"""Exact pricing by branch and bound over the connected packages of one option."""

from __future__ import annotations

from itertools import combinations

import numpy as np

from sharedprop.models.colgen.limits import SearchLimit
from sharedprop.models.colgen.reduced_cost import PricingCache, linear_pieces
from sharedprop.models.core.clock import Clock
from sharedprop.models.core.duals import Duals
from sharedprop.models.core.problem import Problem

# Wall seconds per node of best_by_search on a one-worker clock, measured on searches stopped
# at their node limit in a one-worker solve of a 30-community street (docs/decisions.md,
# 2026-11-28).
SEARCH_SECONDS_PER_NODE = 1.8e-5


def best_by_search(
    p: Problem,
    duals: Duals,
    o: int,
    cache: PricingCache,
    node_limit: int,
    clock: Clock | None = None,
) -> tuple[tuple[int, ...], tuple[int, ...], float] | None:
    """Exact pricing by branch and bound over connected packages (small neighbourhoods).

    Returns (member positions, resources, reduced cost) of the best package, or None if the
    option has no package at all. Raises :class:`SearchLimit` past ``node_limit`` nodes, in
    which case the caller falls back to the CP-SAT pricing model. ``clock`` is charged for
    the nodes visited, whether the search ends or hits its limit.
    """
    search = _ConnectedSearch(p, duals, o, cache, node_limit)
    try:
        return search.run()
    finally:
        if clock is not None:
            clock.charge(SEARCH_SECONDS_PER_NODE * search.nodes)


class _ConnectedSearch:
    """:func:`best_by_search`'s branch and bound: connected packages grown from the hub by
    ordered extension, pruned by the household limit and a fractional-knapsack bound on each
    linear piece of the reduced cost; ``nodes`` counts the nodes visited."""

    def __init__(
        self, p: Problem, duals: Duals, o: int, cache: PricingCache, node_limit: int
    ) -> None:
        d = cache.get(o)
        self.p, self.d, self.node_limit, self.nodes = p, d, node_limit, 0
        self.opt = p.options[o]
        self.pc = linear_pieces(p, duals, o, d)
        n_res = len(d.res)
        self.subsets = [combo for r in range(n_res + 1) for combo in combinations(range(n_res), r)]
        self.sub_inc = np.array([float(d.res_inc[list(c)].sum()) for c in self.subsets])
        self.sub_price = np.array([float(self.pc.prices[list(c)].sum()) for c in self.subsets])
        n_c = len(d.cand)
        pos_of = {int(c): j for j, c in enumerate(d.cand)}
        # Subset-row cuts as (member positions inside the cut, what a package hitting two pays).
        self.cuts = []
        for S, sig in zip(duals.cuts, duals.cut, strict=True):
            if sig < -1e-12:
                inside = [pos_of[i] for i in S if i in pos_of]
                if len(inside) >= 2:
                    self.cuts.append((inside, -float(sig)))
        adj = d.local_adj
        if adj is None:
            adj = [np.array([j for j in range(n_c) if j != i], dtype=np.int64) for i in range(n_c)]
        self.adj_sets = [set(int(x) for x in nb) for nb in adj]
        self.order_a = ratio_order(self.pc.a, d.w)
        self.order_b = ratio_order(self.pc.b, d.w)
        # The best package so far: (reduced cost, sorted member positions, resource subset).
        self.best: list = [np.inf, None, None]

    def run(self) -> tuple[tuple[int, ...], tuple[int, ...], float] | None:
        d, pc, opt = self.d, self.pc, self.opt
        h = d.hub_pos
        if h < 0:
            start = ratio_order(pc.a, d.w) + rest_order(pc.a, d.w)
            self._extend([], set(), opt.fixed, 0.0, 0.0, 0.0, 0.0, 0, start, set())
        elif int(d.w[h]) > d.max_w:
            return None
        else:
            self._extend(
                [h],
                {h},
                opt.fixed + float(d.mc[h]),
                float(d.rev[h]),
                float(pc.v[h]),
                float(pc.a[h]),
                float(pc.b[h]),
                int(d.w[h]),
                sorted(self.adj_sets[h] - {h}),
                {h},
            )
        if self.best[1] is None:
            return None
        return self.best[1], tuple(int(d.res[k]) for k in self.best[2]), self.best[0]

    def _value(self, S_set: set[int], cost: float, rev: float, vv: float) -> tuple[float, int]:
        """The package's reduced cost with its best resource subset (and that subset's index)."""
        p, pc = self.p, self.pc
        deficit = (1 + self.opt.margin) * cost - rev
        rcs = (
            p.w_public_money * np.maximum(0.0, deficit - self.sub_inc)
            + p.w_total_cost * cost
            - vv
            - pc.beta
            + self.sub_price
        )
        k = int(np.argmin(rcs))
        pen = sum(s for inside, s in self.cuts if sum(1 for j in inside if j in S_set) >= 2)
        return float(rcs[k]) + pen, k

    def _extend(self, S, S_set, cost, rev, vv, sa, sb, w, ext, forbidden) -> None:
        """Visit package ``S`` (its money sums so far) and every extension by ``ext``."""
        d, pc, best = self.d, self.pc, self.best
        self.nodes += 1
        if self.nodes > self.node_limit:
            raise SearchLimit(f"more than {self.node_limit} nodes")
        room = d.max_w - w
        lb = max(
            pc.a0 + sa + _knapsack_gain(self.order_a, pc.a, d.w, room, forbidden, S_set),
            pc.b0 + sb + _knapsack_gain(self.order_b, pc.b, d.w, room, forbidden, S_set),
        )
        if lb >= best[0] - 1e-9:
            return
        if w >= self.p.package_min_weight and S:
            val, k = self._value(S_set, cost, rev, vv)
            if val < best[0] - 1e-9:
                best[0], best[1], best[2] = val, tuple(sorted(S)), self.subsets[k]
        for idx, u in enumerate(ext):
            if w + int(d.w[u]) > d.max_w:
                continue
            new_forb = forbidden | set(ext[:idx])
            tail = ext[idx + 1 :]
            tail_set = set(tail)
            grown = [
                x
                for x in sorted(self.adj_sets[u])
                if x not in S_set and x not in new_forb and x not in tail_set and x != u
            ]
            S.append(u)
            S_set.add(u)
            self._extend(
                S,
                S_set,
                cost + float(d.mc[u]),
                rev + float(d.rev[u]),
                vv + float(pc.v[u]),
                sa + float(pc.a[u]),
                sb + float(pc.b[u]),
                w + int(d.w[u]),
                tail + grown,
                new_forb | {u},
            )
            S.pop()
            S_set.discard(u)


def ratio_order(coef: np.ndarray, w: np.ndarray) -> list[int]:
    """Negative-coefficient positions, best value per household first."""
    neg = np.flatnonzero(coef < 0)
    ratio = coef[neg] / np.maximum(w[neg], 1)
    return [int(j) for j in neg[np.argsort(ratio, kind="stable")]]


def rest_order(coef: np.ndarray, w: np.ndarray) -> list[int]:
    """Non-negative-coefficient positions (after the negative ones in a root extension)."""
    return [int(j) for j in np.flatnonzero(coef >= 0)]


def _knapsack_gain(
    order: list[int], coef: np.ndarray, w: np.ndarray, room: int, forbidden: set, taken: set
) -> float:
    """Fractional-knapsack lower bound on what free candidates can still add (≤ 0)."""
    total = 0.0
    left = float(room)
    for j in order:
        if left <= 0:
            break
        if j in forbidden or j in taken:
            continue
        wj = max(float(w[j]), 1.0)
        if wj <= left:
            total += float(coef[j])
            left -= wj
        else:
            total += float(coef[j]) * left / wj
            left = 0.0
    return total
