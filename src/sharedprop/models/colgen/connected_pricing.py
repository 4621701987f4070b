"""Exact pricing of connected packages, compiled: branch and bound over one option's connected
member sets, under the rules a node of the branch-and-price tree puts on its packages.

For option o = (firm f, hub h) at duals (π, α, β, ρ, cut duals) a package (S, R) has reduced
cost (``docs/formulation.md``, "The joint strategy")

    rc(S, R) = C0 + Σ_{j∈S} b_j + g_R(D0 + Σ_{j∈S} d_j) + pen(S) + wpen(w(S))

with b_j = w_tc·mc_j − π_j − α_f·w_j, C0 = w_tc·fixed − β_f (− the option's branch duals),
d_j = (1+m)·mc_j − rev_j, D0 = (1+m)·fixed, g_R(D) = w_pm·max(0, D − inc(R)) + price(R) (the
bundle's income and dual price ρ), pen the subset-row penalties (a package holding two rows
of a cut) and wpen the firm capacity cuts' penalty by households. Since every price(R) ≥ 0,
g_R(D) ≥ max(0, w_pm·D + ϱ) with ϱ = Σ_r min(0, price_r − w_pm·inc_r), so for every λ ∈ [0, 1]

    rc(S, R) ≥ λ·(C0 + w_pm·D0 + ϱ) + (1 − λ)·C0 + Σ_{j∈S} (b_j + λ·w_pm·d_j) + pen(S) + wpen(w(S)),

a linear function of the members. The search enumerates the connected sets that hold the hub
by ordered extension (each branch takes one frontier vertex and forbids the frontier vertices
before it, so each set is met once, as in :mod:`sharedprop.models.colgen.package_table`) and
prunes a branch when, for some λ of a small grid, the members so far plus a fractional knapsack
of the negative coefficients among the vertices it can still reach (through allowed vertices,
within the households left) cannot go below the best packages found. pen and wpen only grow
with S, so their value at S counts in the bound too.

The rules of a node, per option, as bit masks over its candidates: vertices not ``allowed``;
``conflict[j]``, the vertices no package holding j may hold (a "apart" branch); ``mate[j]``,
the vertices a package holding j must hold too (a "together" branch: checked when a set is
scored, and a branch is pruned once a mate can no longer be reached); and per bundle of
resources the vertices it needs or forbids (a resource tied to a community, or kept from it).

The search returns the ``keep`` best packages below a threshold (0: those that price out), and
a proven lower bound on the option's least reduced cost: the best package's when the search
ends, or the least bound among the branches left when it stops at its node limit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from sharedprop.models.colgen.package_rules import NO_RULES, OptionRules
from sharedprop.models.colgen.reduced_cost import PricingCache, member_values
from sharedprop.models.core.bits import popcount
from sharedprop.models.core.columns import Column, make_column
from sharedprop.models.core.duals import Duals
from sharedprop.models.core.problem import Problem

MAX_CANDIDATES = 64  # bits of a uint64 mask
MAX_RESOURCES = 10  # 2^10 bundles at most
# The λ of the bound: more points prune more and cost more per node (docs/decisions.md, 2026-12-07).
LAMBDAS = np.array([0.0, 0.5, 1.0])
# Work for a one-worker clock per node visited.
SECONDS_PER_NODE = 4e-7
TOLERANCE = 1e-9
# Cells of the coarse 0/1 knapsack bound (households divided to fit).
DP_CELLS = 128


@njit(cache=True, nogil=True)
def _bits_or(masks: np.ndarray, s: np.uint64) -> np.uint64:  # pragma: no cover - compiled
    """OR of ``masks[j]`` over the bits j of ``s``."""
    out = np.uint64(0)
    one = np.uint64(1)
    j = 0
    while s:
        if s & one:
            out |= masks[j]
        s >>= one
        j += 1
    return out


@njit(cache=True, nogil=True)
def _weight_of(w: np.ndarray, s: np.uint64) -> int:  # pragma: no cover - compiled
    total = 0
    one = np.uint64(1)
    j = 0
    while s:
        if s & one:
            total += w[j]
        s >>= one
        j += 1
    return total


@njit(cache=True, nogil=True)
def _reach(nbr: np.ndarray, start: np.uint64, free: np.uint64) -> np.uint64:  # pragma: no cover
    """The vertices of ``free`` reachable from the neighbour mask ``start`` through ``free``."""
    front = start & free
    seen = np.uint64(0)
    while front:
        seen |= front
        front = _bits_or(nbr, front) & free & ~seen
    return seen


@njit(cache=True, nogil=True)
def _reach_within(
    nbr: np.ndarray, w: np.ndarray, start: np.uint64, free: np.uint64, room: int, dist: np.ndarray
) -> np.uint64:  # pragma: no cover - compiled
    """The vertices of ``free`` a package can still take: joined to the set (whose
    neighbour mask is ``start``) by a path through ``free`` whose households, its end's
    included, fit in ``room`` (node-weighted shortest paths, ``dist`` a work array)."""
    n = len(w)
    one = np.uint64(1)
    big = room + 1
    for j in range(n):
        dist[j] = big
    front = start & free
    for j in range(n):
        if (front >> np.uint64(j)) & one and w[j] <= room:
            dist[j] = w[j]
    done = np.uint64(0)
    out = np.uint64(0)
    while True:
        best = big
        u = -1
        for j in range(n):
            if dist[j] < best and not (done >> np.uint64(j)) & one:
                best = dist[j]
                u = j
        if u < 0:
            break
        bit = one << np.uint64(u)
        done |= bit
        out |= bit
        nb = nbr[u] & free & ~done
        j = 0
        while nb:
            if nb & one:
                nd = best + w[j]
                if nd < dist[j] and nd <= room:
                    dist[j] = nd
            nb >>= one
            j += 1
    return out


@njit(cache=True, nogil=True)
def _knapsack(
    order: np.ndarray, count: int, coef: np.ndarray, w: np.ndarray, free: np.uint64, room: float
) -> float:  # pragma: no cover - compiled
    """Fractional knapsack of the negative coefficients (``order``: best per household first)
    among ``free`` within ``room`` households (≤ 0)."""
    total = 0.0
    left = room
    one = np.uint64(1)
    for k in range(count):
        if left <= 0.0:
            break
        j = order[k]
        if not (free >> np.uint64(j)) & one:
            continue
        wj = max(float(w[j]), 1.0)
        if wj <= left:
            total += coef[j]
            left -= wj
        else:
            total += coef[j] * left / wj
            left = 0.0
    return total


@njit(cache=True, nogil=True)
def _knapsack_dp(
    order: np.ndarray,
    count: int,
    coef: np.ndarray,
    wc: np.ndarray,
    free: np.uint64,
    cap: int,
    buf: np.ndarray,
) -> float:  # pragma: no cover - compiled
    """0/1 knapsack of the negative coefficients among ``free`` on coarse weights ``wc``
    within ``cap`` coarse units (≤ 0): the least sum of a subset whose coarse weight fits."""
    one = np.uint64(1)
    for c in range(cap + 1):
        buf[c] = 0.0
    for k in range(count):
        j = order[k]
        if not (free >> np.uint64(j)) & one:
            continue
        wj = wc[j]
        cj = coef[j]
        if wj > cap:
            continue
        for c in range(cap, wj - 1, -1):
            v = buf[c - wj] + cj
            if v < buf[c]:
                buf[c] = v
    return buf[cap]


@njit(cache=True, nogil=True)
def _cut_penalty(
    s: np.uint64, cut_masks: np.ndarray, cut_pen: np.ndarray
) -> float:  # pragma: no cover
    pen = 0.0
    for c in range(len(cut_masks)):
        if popcount(s & cut_masks[c]) >= 2:
            pen += cut_pen[c]
    return pen


@njit(cache=True, nogil=True)
def _best_bundle(
    s: np.uint64,
    deficit: float,
    wpm: float,
    need_res: np.ndarray,
    b_inc: np.ndarray,
    b_price: np.ndarray,
    b_mask: np.ndarray,
    b_need: np.ndarray,
    b_forbid: np.ndarray,
) -> tuple[float, int]:  # pragma: no cover - compiled
    """The least w_pm·max(0, D − inc) + price over the bundles the rules allow with members
    ``s`` (bundles in order of income: the first of equal values has the least), and its index
    (−1: none allowed)."""
    required = _bits_or(need_res, s)
    best = np.inf
    pick = -1
    for k in range(len(b_inc)):
        if (b_mask[k] & required) != required:
            continue
        if b_need[k] & ~s:
            continue
        if b_forbid[k] & s:
            continue
        val = deficit - b_inc[k]
        if val < 0.0:
            val = 0.0
        val = wpm * val + b_price[k]
        if val < best:
            best = val
            pick = k
    return best, pick


@njit(cache=True, nogil=True)
def _below(x: float, thr: float) -> bool:  # pragma: no cover - compiled
    """x < thr by more than the tolerance (any finite x is below +inf)."""
    if thr == np.inf:
        return x < np.inf
    return x < thr - TOLERANCE * max(1.0, abs(thr))


@njit(cache=True, nogil=True)
def _insert(out_mask, out_bundle, out_rc, count, keep, s, bundle, rc):  # pragma: no cover
    """Insert (s, bundle, rc) into the ``keep`` best, kept in increasing rc; the new count."""
    k = count if count < keep else keep - 1
    if count >= keep and rc >= out_rc[keep - 1]:
        return count
    while k > 0 and out_rc[k - 1] > rc:
        out_mask[k] = out_mask[k - 1]
        out_bundle[k] = out_bundle[k - 1]
        out_rc[k] = out_rc[k - 1]
        k -= 1
    out_mask[k] = s
    out_bundle[k] = bundle
    out_rc[k] = rc
    return count + 1 if count < keep else keep


@njit(cache=True, nogil=True)
def _lambda_orders(lams, b, d, w, c0, d0, rho, wpm):  # pragma: no cover - compiled
    """Per λ: each position's coefficient, the constant, and the positions of negative
    coefficient by coefficient per household (the fractional knapsack's order)."""
    n_l, n = len(lams), len(w)
    coef = np.empty((n_l, n))
    const = np.empty(n_l)
    order = np.empty((n_l, n), dtype=np.int64)
    n_neg = np.zeros(n_l, dtype=np.int64)
    for li in range(n_l):
        lam = lams[li]
        const[li] = c0 + lam * (wpm * d0 + rho)
        ratio = np.empty(n)
        for j in range(n):
            coef[li, j] = b[j] + lam * wpm * d[j]
            ratio[j] = coef[li, j] / max(float(w[j]), 1.0)
        idx = np.argsort(ratio, kind="mergesort")
        c = 0
        for k in range(n):
            j = idx[k]
            if coef[li, j] < 0.0:
                order[li, c] = j
                c += 1
        n_neg[li] = c
    return coef, const, order, n_neg


@njit(cache=True, nogil=True)
def _fractional_bound(
    const, bs, lams, wpm, ds, order, n_neg, coef, w, reach, room
):  # pragma: no cover - compiled
    """The best over λ of the node's fractional-knapsack bound."""
    lb = -np.inf
    for li in range(len(lams)):
        val = const[li] + bs + lams[li] * wpm * ds
        val += _knapsack(order[li], n_neg[li], coef[li], w, reach, room)
        if val > lb:
            lb = val
    return lb


@njit(cache=True, nogil=True)
def _least_open(st_lb: np.ndarray, top: int, rest: float) -> float:  # pragma: no cover
    """The least bound among ``rest`` and the first ``top`` stacked nodes."""
    for t in range(top):
        if st_lb[t] < rest:
            rest = st_lb[t]
    return rest


@njit(cache=True, nogil=True)
def _sorted_children(frontier, coef_mid, kids, kid_val) -> int:  # pragma: no cover - compiled
    """The frontier's positions in ``kids``, by rising coefficient (insertion sort: few
    children); how many."""
    one = np.uint64(1)
    n_k = 0
    for j in range(len(coef_mid)):
        if (frontier >> np.uint64(j)) & one:
            kids[n_k] = j
            kid_val[n_k] = coef_mid[j]
            n_k += 1
    for a in range(1, n_k):
        kj = kids[a]
        kv = kid_val[a]
        c = a - 1
        while c >= 0 and kid_val[c] > kv:
            kids[c + 1] = kids[c]
            kid_val[c + 1] = kid_val[c]
            c -= 1
        kids[c + 1] = kj
        kid_val[c + 1] = kv
    return n_k


@njit(cache=True, nogil=True)
def search_kernel(
    nbr: np.ndarray,  # uint64 neighbour mask per position
    w: np.ndarray,  # int64 households
    hub: int,
    allowed: np.uint64,
    conflict: np.ndarray,  # uint64 per position
    mate: np.ndarray,  # uint64 per position
    need_res: np.ndarray,  # uint64 per position: resources a package holding j must bundle
    min_w: int,
    max_w: int,
    b: np.ndarray,
    d: np.ndarray,
    c0: float,
    d0: float,
    rho: float,
    wpm: float,
    b_inc: np.ndarray,
    b_price: np.ndarray,
    b_mask: np.ndarray,  # uint64: the bundle's resources
    b_need: np.ndarray,  # uint64: vertices the bundle needs
    b_forbid: np.ndarray,  # uint64: vertices the bundle forbids
    cut_masks: np.ndarray,
    cut_pen: np.ndarray,
    wpen: np.ndarray,  # penalty by households, 0 … max_w
    lams: np.ndarray,
    threshold: float,
    node_limit: int,
    stop_when_full: bool,
    out_mask: np.ndarray,
    out_bundle: np.ndarray,
    out_rc: np.ndarray,
) -> tuple[int, float, bool, int]:  # pragma: no cover - compiled
    """The branch and bound of the module docstring: (packages kept, lower bound, complete,
    nodes)."""
    n = len(w)
    keep = len(out_rc)
    one = np.uint64(1)
    if hub < 0 or not (allowed >> np.uint64(hub)) & one or w[hub] > max_w:
        return 0, np.inf, True, 0
    n_l = len(lams)
    coef, const, order, n_neg = _lambda_orders(lams, b, d, w, c0, d0, rho, wpm)
    mid = n_l // 2
    # coarse households for the 0/1 knapsack bound: ⌊w / scale⌋ within ⌊room / scale⌋ keeps
    # every set that fits (Σ⌊w/s⌋ ≤ ⌊Σw/s⌋)
    scale = max(1, (max_w + DP_CELLS - 1) // DP_CELLS)
    wc = w // scale
    buf = np.empty(max_w // scale + 2)
    dist = np.empty(n, dtype=np.int64)
    cap = n * n + 2
    st_u = np.empty((5, cap), dtype=np.uint64)  # members, forbidden, neighbours, conflicts, mates
    st_s, st_forb, st_nbr, st_conf, st_req = st_u[0], st_u[1], st_u[2], st_u[3], st_u[4]
    st_w = np.empty(cap, dtype=np.int64)
    st_b, st_d, st_lb = np.empty(cap), np.empty(cap), np.empty(cap)
    h = np.uint64(hub)
    st_s[0] = one << h
    st_forb[0] = one << h
    st_nbr[0] = nbr[hub]
    st_conf[0] = conflict[hub]
    st_req[0] = mate[hub]
    st_w[0] = w[hub]
    st_b[0] = b[hub]
    st_d[0] = d[hub]
    st_lb[0] = -np.inf
    top = 1
    count = 0
    nodes = 0
    complete = True
    rest = np.inf  # least bound among branches left unexplored at the node limit
    kids = np.empty(n, dtype=np.int64)
    kid_val = np.empty(n)
    while top > 0:
        if nodes >= node_limit:
            complete = False
            rest = _least_open(st_lb, top, rest)
            break
        top -= 1
        nodes += 1
        s = st_s[top]
        forb = st_forb[top]
        nbr_s = st_nbr[top]
        conf = st_conf[top]
        req = st_req[top]
        ws = st_w[top]
        bs = st_b[top]
        ds = st_d[top]
        thr = threshold
        if count >= keep and out_rc[keep - 1] < thr:
            thr = out_rc[keep - 1]
        free = allowed & ~s & ~forb & ~conf
        reach = _reach_within(nbr, w, nbr_s, free, max_w - ws, dist)
        if req & ~(s | reach):
            continue  # a mate of a member can no longer join
        room = float(max_w - ws)
        if _weight_of(w, req & ~s) > room:
            continue
        extra = _cut_penalty(s, cut_masks, cut_pen) + wpen[ws]
        lb = extra + _fractional_bound(const, bs, lams, wpm, ds, order, n_neg, coef, w, reach, room)
        if not _below(lb, thr):
            continue
        # The fractional bound did not prune: the 0/1 knapsack on coarse weights may.
        cap_c = int(room) // scale
        for li in (0, n_l - 1):
            val = const[li] + bs + lams[li] * wpm * ds + extra
            val += _knapsack_dp(order[li], n_neg[li], coef[li], wc, reach, cap_c, buf)
            if val > lb:
                lb = val
        if not _below(lb, thr):
            continue
        if ws >= min_w and not (req & ~s):
            g, pick = _best_bundle(
                s, d0 + ds, wpm, need_res, b_inc, b_price, b_mask, b_need, b_forbid
            )
            if pick >= 0:
                rc = c0 + bs + g + extra
                if _below(rc, thr):
                    count = _insert(out_mask, out_bundle, out_rc, count, keep, s, pick, rc)
                    if stop_when_full and count >= keep:
                        complete = False
                        rest = _least_open(st_lb, top, lb)
                        break
        # children: frontier vertices, the most promising popped first
        n_k = _sorted_children(nbr_s & free, coef[mid], kids, kid_val)
        # child a forbids the frontier vertices before it; pushed last-first so that the
        # first is popped first
        before = forb
        forb_of = np.empty(n_k, dtype=np.uint64)
        for a in range(n_k):
            before |= one << np.uint64(kids[a])
            forb_of[a] = before
        for a in range(n_k - 1, -1, -1):
            j = kids[a]
            if ws + w[j] > max_w:
                continue
            bit = one << np.uint64(j)
            st_s[top] = s | bit
            st_forb[top] = forb_of[a]
            st_nbr[top] = nbr_s | nbr[j]
            st_conf[top] = conf | conflict[j]
            st_req[top] = req | mate[j]
            st_w[top] = ws + w[j]
            st_b[top] = bs + b[j]
            st_d[top] = ds + d[j]
            st_lb[top] = lb
            top += 1
    best = out_rc[0] if count > 0 else threshold
    if best > threshold:
        best = threshold
    if not complete and rest < best:
        best = rest
    return count, best, complete, nodes


@dataclass(frozen=True)
class ConnectedPricing:
    """One option priced: the packages found (reduced cost, column; best first), a proven lower
    bound on the option's least reduced cost, whether the search ended (else it stopped at its
    node limit) and the nodes it visited."""

    columns: list[tuple[float, Column]]
    lower_bound: float
    complete: bool
    nodes: int


class _OptionArrays:
    """The dual-free arrays of one option: neighbour masks, households, deficit terms."""

    def __init__(self, problem: Problem, o: int, cache: PricingCache) -> None:
        d = cache.get(o)
        opt = problem.options[o]
        assert d.local_adj is not None
        self.d = d
        self.nbr = np.array(
            [sum(1 << int(x) for x in d.local_adj[j]) for j in range(len(d.cand))],
            dtype=np.uint64,
        )
        self.w = d.w.astype(np.int64)
        self.dft = ((1 + opt.margin) * d.mc - d.rev).astype(np.float64)
        self.d0 = float((1 + opt.margin) * opt.fixed)
        self.pos = {int(c): j for j, c in enumerate(d.cand)}
        k = len(d.res)
        idx = np.arange(1 << k)
        self.bundles = ((idx[:, None] >> np.arange(k)[None, :]) & 1).astype(bool)
        self.bundle_mask = np.array(
            [int(sum(1 << r for r in range(k) if row[r])) for row in self.bundles], dtype=np.uint64
        )
        self.bundle_inc = self.bundles.astype(np.float64) @ d.res_inc.astype(np.float64)


class ConnectedPricer:
    """Exact pricing of connected packages for every option it can search (a hub among its
    candidates, at most 64 candidates and ``MAX_RESOURCES`` resources, contiguity required);
    :meth:`covers` says which.

    Parameters
    ----------
    problem
        The array-level problem.
    cache
        The options' cached arrays (shared with the other pricing methods).
    """

    def __init__(self, problem: Problem, cache: PricingCache | None = None) -> None:
        self.problem = problem
        self.cache = cache or PricingCache(problem)
        self._arrays: dict[int, _OptionArrays] = {}
        self.covered = np.array(
            [
                problem.adjacency is not None
                and opt.hub >= 0
                and len(opt.candidates) <= MAX_CANDIDATES
                and len(opt.resources) <= MAX_RESOURCES
                for opt in problem.options
            ],
            dtype=bool,
        )
        self.nodes = 0  # nodes visited over every call

    def covers(self, o: int) -> bool:
        return bool(self.covered[o])

    def _option(self, o: int) -> _OptionArrays:
        arr = self._arrays.get(o)
        if arr is None:
            arr = _OptionArrays(self.problem, o, self.cache)
            self._arrays[o] = arr
        return arr

    def price(
        self,
        duals: Duals,
        o: int,
        *,
        rules: OptionRules = NO_RULES,
        threshold: float = 0.0,
        keep: int = 3,
        node_limit: int = 2_000_000,
        first: bool = False,
    ) -> ConnectedPricing:
        """The ``keep`` best packages of option ``o`` with reduced cost below ``threshold`` at
        ``duals`` under ``rules``, and a proven lower bound on its least reduced cost (at most
        ``threshold``). ``first``: stop as soon as ``keep`` packages below ``threshold`` are
        found (not necessarily the best; the bound is then the search's least open bound)."""
        p, arr = self.problem, self._option(o)
        d, opt = arr.d, p.options[o]
        n_c = len(d.cand)
        local = _LocalRules(arr, rules, n_c)
        v = member_values(p, duals, o, d)
        b = (p.w_total_cost * d.mc - v).astype(np.float64)
        c0 = float(p.w_total_cost * opt.fixed - duals.fixed_price(p, o))
        prices = (-duals.resource[d.res]).astype(np.float64) if len(d.res) else np.zeros(0)
        wpm = float(p.w_public_money)
        keep_b = local.bundles_allowed
        if len(d.res):
            rho = float(np.minimum(0.0, prices - wpm * d.res_inc)[local.resource_ok].sum())
        else:
            rho = 0.0
        b_price = (arr.bundles.astype(np.float64) @ prices) if len(d.res) else np.zeros(1)
        order = np.lexsort((b_price, arr.bundle_inc))
        order = order[keep_b[order]]
        if not local.any_resource_rule:
            order = _front(arr.bundle_inc, b_price, order)
        b_inc = arr.bundle_inc[order]
        b_pr = b_price[order]
        cut_masks, cut_pen = _local_cuts(arr, duals)
        max_w = int(d.max_w)
        wpen = (
            duals.weight_penalties(opt.firm, np.arange(max_w + 1)).astype(np.float64)
            if duals.weight_cuts
            else np.zeros(max_w + 1)
        )
        out_mask = np.zeros(max(1, keep), dtype=np.uint64)
        out_bundle = np.zeros(max(1, keep), dtype=np.int64)
        out_rc = np.zeros(max(1, keep))
        count, lb, complete, nodes = search_kernel(
            arr.nbr,
            arr.w,
            int(d.hub_pos),
            np.uint64(local.allowed),
            local.conflict,
            local.mate,
            local.need_res,
            int(p.package_min_weight),
            max_w,
            b,
            arr.dft,
            c0,
            arr.d0,
            rho,
            wpm,
            b_inc.astype(np.float64),
            b_pr.astype(np.float64),
            arr.bundle_mask[order],
            local.b_need[order],
            local.b_forbid[order],
            cut_masks,
            cut_pen,
            wpen,
            LAMBDAS,
            float(threshold),
            int(node_limit),
            bool(first),
            out_mask,
            out_bundle,
            out_rc,
        )
        self.nodes += int(nodes)
        cols = []
        for k in range(int(count)):
            mask = int(out_mask[k])
            members = d.cand[[j for j in range(n_c) if (mask >> j) & 1]]
            res = d.res[np.flatnonzero(arr.bundles[order[int(out_bundle[k])]])]
            col = make_column(p, o, members, res)
            cols.append((duals.reduced_cost(p, col), col))
        return ConnectedPricing(cols, float(lb), bool(complete), int(nodes))


class _LocalRules:
    """:class:`OptionRules` as masks over one option's candidates and bundles."""

    def __init__(self, arr: _OptionArrays, rules: OptionRules, n_c: int) -> None:
        pos, d = arr.pos, arr.d
        allowed = (1 << n_c) - 1
        for i in rules.excluded:
            if i in pos:
                allowed &= ~(1 << pos[i])
        self.conflict = np.zeros(n_c, dtype=np.uint64)
        self.mate = np.zeros(n_c, dtype=np.uint64)
        for i, j in rules.apart:
            if i in pos and j in pos:
                self.conflict[pos[i]] |= np.uint64(1 << pos[j])
                self.conflict[pos[j]] |= np.uint64(1 << pos[i])
        for i, j in rules.together:
            if i in pos and j in pos:
                self.mate[pos[i]] |= np.uint64(1 << pos[j])
                self.mate[pos[j]] |= np.uint64(1 << pos[i])
            elif i in pos:
                allowed &= ~(1 << pos[i])  # its mate is out of this option's reach
            elif j in pos:
                allowed &= ~(1 << pos[j])
        res_pos = {int(r): k for k, r in enumerate(d.res)}
        n_b = len(arr.bundle_mask)
        self.need_res = np.zeros(n_c, dtype=np.uint64)
        self.b_need = np.zeros(n_b, dtype=np.uint64)
        self.b_forbid = np.zeros(n_b, dtype=np.uint64)
        self.resource_ok = np.ones(len(d.res), dtype=bool)
        for r in rules.no_resources:
            if r in res_pos:
                self.resource_ok[res_pos[r]] = False
        for i, r in rules.with_resource:
            k = res_pos.get(r)
            if k is None:
                if i in pos:
                    allowed &= ~(1 << pos[i])  # the resource is out of this option's reach
                continue
            if i not in pos:
                self.resource_ok[k] = False  # its community is out of this option's reach
                continue
            self.need_res[pos[i]] |= np.uint64(1 << k)
            self.b_need[arr.bundles[:, k]] |= np.uint64(1 << pos[i])
        for i, r in rules.without_resource:
            k = res_pos.get(r)
            if i in pos and k is not None:
                self.b_forbid[arr.bundles[:, k]] |= np.uint64(1 << pos[i])
        self.allowed = allowed
        self.bundles_allowed = np.ones(n_b, dtype=bool)
        for k in np.flatnonzero(~self.resource_ok):
            self.bundles_allowed &= ~arr.bundles[:, k]
        self.any_resource_rule = bool(rules.with_resource or rules.without_resource)


def _front(inc: np.ndarray, price: np.ndarray, order: np.ndarray) -> np.ndarray:
    """The bundles of ``order`` (sorted by income, then price) not dominated in (price,
    income), in order of income: only those can be best for some deficit."""
    keep = []
    best_price = np.inf
    # richest first: a bundle is kept when it is cheaper than every richer one
    for k in order[::-1]:
        if price[k] < best_price - 1e-12:
            keep.append(k)
            best_price = price[k]
    return np.array(keep[::-1], dtype=np.int64)


def _local_cuts(arr: _OptionArrays, duals: Duals) -> tuple[np.ndarray, np.ndarray]:
    """The subset-row cuts with two or more rows among the option's candidates, as masks, and
    their penalties −σ > 0."""
    masks, pens = [], []
    for S, sig in zip(duals.cuts, duals.cut, strict=True):
        if sig >= -1e-12:
            continue
        m = 0
        for i in S:
            j = arr.pos.get(int(i))
            if j is not None:
                m |= 1 << j
        if bin(m).count("1") >= 2:
            masks.append(m)
            pens.append(-float(sig))
    return np.array(masks, dtype=np.uint64), np.array(pens, dtype=np.float64)
