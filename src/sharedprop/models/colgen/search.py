"""Exact pricing by branch and bound over the connected packages of one option."""

from __future__ import annotations

from itertools import combinations

import numpy as np

from sharedprop.models.colgen.limits import SearchLimit
from sharedprop.models.colgen.reduced_cost import PricingCache, linear_pieces
from sharedprop.models.core.clock import Clock
from sharedprop.models.core.duals import Duals
from sharedprop.models.core.problem import Problem

# Wall seconds per node of best_by_search on a one-worker clock: 60 searches stopped at their
# 4,000-node limit took 4.22 s (17.6 µs a node) in a one-worker solve of a 30-community street,
# where 202 searches (9.9 s of wall) had been charged 4 ms each.
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
    nodes = [0]
    try:
        return _search(p, duals, o, cache, node_limit, nodes)
    finally:
        if clock is not None:
            clock.charge(SEARCH_SECONDS_PER_NODE * nodes[0])


def _search(
    p: Problem, duals: Duals, o: int, cache: PricingCache, node_limit: int, nodes: list[int]
) -> tuple[tuple[int, ...], tuple[int, ...], float] | None:
    """:func:`best_by_search`'s branch and bound; ``nodes[0]`` counts the nodes visited."""
    d = cache.get(o)
    opt = p.options[o]
    pc = linear_pieces(p, duals, o, d)
    a, a0, b, b0, v, beta, prices = pc.a, pc.a0, pc.b, pc.b0, pc.v, pc.beta, pc.prices
    wpm, wtc, mg = p.w_public_money, p.w_total_cost, opt.margin
    n_res = len(d.res)
    subsets = [combo for r in range(n_res + 1) for combo in combinations(range(n_res), r)]
    sub_inc = np.array([float(d.res_inc[list(c)].sum()) for c in subsets])
    sub_price = np.array([float(prices[list(c)].sum()) for c in subsets])
    n_c = len(d.cand)
    pos_of = {int(c): j for j, c in enumerate(d.cand)}
    cuts = []
    for S, sig in zip(duals.cuts, duals.cut, strict=True):
        if sig < -1e-12:
            inside = [pos_of[i] for i in S if i in pos_of]
            if len(inside) >= 2:
                cuts.append((inside, -float(sig)))
    adj = d.local_adj
    if adj is None:
        adj = [np.array([j for j in range(n_c) if j != i], dtype=np.int64) for i in range(n_c)]
    adj_sets = [set(int(x) for x in nb) for nb in adj]
    order_a = ratio_order(a, d.w)
    order_b = ratio_order(b, d.w)
    min_w, max_w = p.package_min_weight, d.max_w
    best: list = [np.inf, None, None]

    def value(S_set: set[int], cost: float, rev: float, vv: float) -> tuple[float, int]:
        deficit = (1 + mg) * cost - rev
        rcs = wpm * np.maximum(0.0, deficit - sub_inc) + wtc * cost - vv - beta + sub_price
        k = int(np.argmin(rcs))
        pen = sum(s for inside, s in cuts if sum(1 for j in inside if j in S_set) >= 2)
        return float(rcs[k]) + pen, k

    def rec(S, S_set, cost, rev, vv, sa, sb, w, ext, forbidden) -> None:
        nodes[0] += 1
        if nodes[0] > node_limit:
            raise SearchLimit(f"more than {node_limit} nodes")
        room = max_w - w
        lb = max(
            a0 + sa + _knapsack_gain(order_a, a, d.w, room, forbidden, S_set),
            b0 + sb + _knapsack_gain(order_b, b, d.w, room, forbidden, S_set),
        )
        if lb >= best[0] - 1e-9:
            return
        if w >= min_w and S:
            val, k = value(S_set, cost, rev, vv)
            if val < best[0] - 1e-9:
                best[0], best[1], best[2] = val, tuple(sorted(S)), subsets[k]
        for idx, u in enumerate(ext):
            if w + int(d.w[u]) > max_w:
                continue
            new_forb = forbidden | set(ext[:idx])
            tail = ext[idx + 1 :]
            tail_set = set(tail)
            grown = [
                x
                for x in sorted(adj_sets[u])
                if x not in S_set and x not in new_forb and x not in tail_set and x != u
            ]
            S.append(u)
            S_set.add(u)
            rec(
                S,
                S_set,
                cost + float(d.mc[u]),
                rev + float(d.rev[u]),
                vv + float(v[u]),
                sa + float(a[u]),
                sb + float(b[u]),
                w + int(d.w[u]),
                tail + grown,
                new_forb | {u},
            )
            S.pop()
            S_set.discard(u)

    h = d.hub_pos
    if h < 0:
        rec(
            [],
            set(),
            opt.fixed,
            0.0,
            0.0,
            0.0,
            0.0,
            0,
            ratio_order(a, d.w) + rest_order(a, d.w),
            set(),
        )
        if best[1] is None:
            return None
        return best[1], tuple(int(d.res[k]) for k in best[2]), best[0]
    if int(d.w[h]) > max_w:
        return None
    rec(
        [h],
        {h},
        opt.fixed + float(d.mc[h]),
        float(d.rev[h]),
        float(v[h]),
        float(a[h]),
        float(b[h]),
        int(d.w[h]),
        sorted(adj_sets[h] - {h}),
        {h},
    )
    if best[1] is None:
        return None
    return best[1], tuple(int(d.res[k]) for k in best[2]), best[0]


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
