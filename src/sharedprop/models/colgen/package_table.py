"""Exact pricing by table: every connected package of a small option, enumerated once.

On street-sized instances with short package radii an option (firm, hub) has few candidates,
and the connected member sets that hold the hub and fit the household limit number in the
hundreds or thousands (the shipped pilot: 20,626 over its 94 options, at most 992 for one).
Enumerating them once turns the pricing problem of such an option into a scan: the parts of a
package's value that do not depend on the duals (its deficit and its cost) are summed once per
set, and each round adds only the members' duals, the best bundle of resources and the cut
penalties. The scan is exact — it proves the option's least reduced cost — and compiled (Numba)
it prices every such option of the pilot in about a millisecond, where the branch and bound and
CP-SAT models of :mod:`sharedprop.models.colgen.pricing` took seconds per round.

Member sets are bit masks over the option's candidates (at most 64) and are enumerated by
ordered extension (each branch takes one frontier vertex and forbids the ones before it), so each
connected set containing the hub appears exactly once. Options with more sets than the limits,
more than 64 candidates or more than ``MAX_RESOURCES`` resources within reach stay with the
general pricing.

For a member set S, with deficit D(S) = (1+m)·cost(S) − revenue(S) and a bundle R of the
option's resources (income inc(R), dual price p(R) ≥ 0), the reduced cost is

    rc(S, R) = w_pm · max(0, D(S) − inc(R)) + p(R) + w_tc · cost(S) − Σ_{i∈S} v_i − β
               + Σ_{cuts hit twice} (−σ)

(:mod:`sharedprop.models.colgen.pricing`). Only bundles on the Pareto front of (price, income) can
be
best, so each round the 2^k bundles are reduced to that front first.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sharedprop.models.colgen.reduced_cost import PricingCache
from sharedprop.models.core.bits import popcount
from sharedprop.models.core.columns import Column, make_column
from sharedprop.models.core.duals import Duals
from sharedprop.models.core.problem import Problem

MAX_CANDIDATES = 64  # bits of a uint64 mask
MAX_RESOURCES = 8  # 2^8 bundles per option and round
MAX_SETS_PER_OPTION = 1_000_000
MAX_SETS = 3_000_000
# What a scan costs, for one worker's deterministic clock: a least-squares fit over one-worker
# solves of a 30-community street. Subset-row cuts dominate once there are a few dozen: each
# cut among an option's candidates is tested on every set (docs/decisions.md has the fits).
SCAN_SECONDS_PER_SET = 1.1e-8
SCAN_SECONDS_PER_SET_AND_CUT = 2.6e-9
SCAN_SECONDS_PER_OPTION = 2e-5
# Costing one package in Python for ``within`` (make_column and its reduced cost), measured in
# the region search of a 40-community street on a machine about twice slower than the rest of
# the clock's calibration, so halved (docs/decisions.md, 2026-11-28).
WITHIN_SECONDS_PER_PACKAGE = 4.5e-5


@njit(cache=True, nogil=True)
def connected_sets(
    nbr: np.ndarray, w: np.ndarray, hub: int, max_w: int, cap: int
) -> np.ndarray:  # pragma: no cover - compiled
    """Every connected set holding ``hub`` of weight ≤ ``max_w`` as masks (neighbour masks
    ``nbr``); an empty array when there are more than ``cap``."""
    n = len(w)
    out = np.empty(cap + 1, dtype=np.uint64)
    # explicit stack: (set, weight, forbidden); a branch pushes at most n children
    st_set = np.empty(n * n + 1, dtype=np.uint64)
    st_w = np.empty(n * n + 1, dtype=np.int64)
    st_f = np.empty(n * n + 1, dtype=np.uint64)
    one = np.uint64(1)
    h = np.uint64(hub)
    st_set[0] = one << h
    st_w[0] = w[hub]
    st_f[0] = one << h
    top = 1
    count = 0
    if w[hub] > max_w:
        return out[:0]
    while top > 0:
        top -= 1
        s = st_set[top]
        ws = st_w[top]
        forb = st_f[top]
        out[count] = s
        count += 1
        if count > cap:
            return out[:0]
        frontier = np.uint64(0)
        for i in range(n):
            if (s >> np.uint64(i)) & one:
                frontier |= nbr[i]
        frontier &= ~forb
        f2 = forb
        for j in range(n):
            bit = one << np.uint64(j)
            if frontier & bit:
                f2 |= bit
                if ws + w[j] <= max_w:
                    st_set[top] = s | bit
                    st_w[top] = ws + w[j]
                    st_f[top] = f2
                    top += 1
    return out[:count]


@njit(cache=True, nogil=True)
def mask_sums(masks: np.ndarray, values: np.ndarray) -> np.ndarray:  # pragma: no cover
    """Σ values[j] over the bits j of each mask."""
    out = np.zeros(len(masks))
    one = np.uint64(1)
    for k in range(len(masks)):
        m = masks[k]
        acc = 0.0
        j = 0
        while m:
            if m & one:
                acc += values[j]
            m >>= one
            j += 1
        out[k] = acc
    return out


@njit(cache=True, nogil=True)
def scan_kernel(
    masks: np.ndarray,
    deficit: np.ndarray,
    fixed_part: np.ndarray,
    v: np.ndarray,
    front_inc: np.ndarray,
    front_price: np.ndarray,
    cut_masks: np.ndarray,
    cut_pen: np.ndarray,
    wpm: float,
    out: np.ndarray,
) -> None:  # pragma: no cover - compiled
    """rc of every set into ``out``: w_pm·max(0, D − inc) + price over the bundle front, plus
    the dual-free part, minus the members' duals, plus the cut penalties."""
    # Σ v over a mask, a byte at a time: table[b, x] = Σ v_j over the bits of x in byte b.
    n_bytes = (len(v) + 7) // 8
    table = np.zeros((n_bytes, 256))
    for b in range(n_bytes):
        for x in range(256):
            acc = 0.0
            for t in range(8):
                j = 8 * b + t
                if j < len(v) and (x >> t) & 1:
                    acc += v[j]
            table[b, x] = acc
    byte = np.uint64(255)
    eight = np.uint64(8)
    for k in range(len(masks)):
        m = masks[k]
        acc = 0.0
        x = m
        b = 0
        while x:
            acc += table[b, x & byte]
            x >>= eight
            b += 1
        d = deficit[k]
        best = np.inf
        for f in range(len(front_inc)):
            val = d - front_inc[f]
            if val < 0.0:
                val = 0.0
            val = wpm * val + front_price[f]
            if val < best:
                best = val
        pen = 0.0
        for c in range(len(cut_masks)):
            if popcount(m & cut_masks[c]) >= 2:
                pen += cut_pen[c]
        out[k] = best + fixed_part[k] - acc + pen


class PackageTable:
    """The enumerated connected packages of every option small enough (module docstring)."""

    def __init__(
        self,
        problem: Problem,
        cache: PricingCache | None = None,
        *,
        max_sets_per_option: int = MAX_SETS_PER_OPTION,
        max_sets: int = MAX_SETS,
        max_work: int | None = None,
    ) -> None:
        """``max_work``: sets the build may visit in all, those of options given up at the
        limit included (about 20 ns each); options beyond it stay with the general pricing."""
        p = problem
        self.problem = p
        self.cache = cache or PricingCache(p)
        options: list[int] = []
        masks: list[np.ndarray] = []
        total = 0
        # Sets visited, those of options given up at the limit included: the build's work.
        self.enumerated = 0
        if p.adjacency is not None:
            for o, opt in enumerate(p.options):
                d = self.cache.get(o)
                n_c = len(d.cand)
                if opt.hub < 0 or n_c > MAX_CANDIDATES or len(d.res) > MAX_RESOURCES:
                    continue
                cap = max_sets_per_option
                if max_work is not None:
                    cap = min(cap, max_work - self.enumerated)
                    if cap <= 0:
                        break
                assert d.local_adj is not None
                nbr = np.array(
                    [sum(1 << int(b) for b in d.local_adj[j]) for j in range(n_c)],
                    dtype=np.uint64,
                )
                sets = connected_sets(nbr, d.w.astype(np.int64), d.hub_pos, int(d.max_w), cap)
                if len(sets) == 0 and int(d.w[d.hub_pos]) <= d.max_w:
                    self.enumerated += cap + 1
                    continue  # more sets than the limit
                self.enumerated += len(sets)
                if p.package_min_weight > 0 and len(sets):
                    weight = mask_sums(sets, d.w.astype(np.float64))
                    sets = sets[weight >= p.package_min_weight - 1e-9]
                if total + len(sets) > max_sets:
                    continue
                total += len(sets)
                options.append(o)
                masks.append(sets)
        self.options = np.asarray(options, dtype=np.int64)
        self.covered = np.zeros(len(p.options), dtype=bool)
        self.covered[self.options] = True
        self.starts = np.zeros(len(options) + 1, dtype=np.int64)
        self.starts[1:] = np.cumsum([len(s) for s in masks])
        self.masks = np.concatenate(masks) if masks else np.zeros(0, dtype=np.uint64)
        # The dual-free parts of every set: its deficit before resources, and w_tc · cost.
        self.deficit = np.empty(len(self.masks))
        self.fixed_part = np.empty(len(self.masks))
        for k, o in enumerate(options):
            d = self.cache.get(o)
            opt = p.options[o]
            a, b = self.starts[k], self.starts[k + 1]
            mg = opt.margin
            self.deficit[a:b] = (1 + mg) * opt.fixed + mask_sums(
                self.masks[a:b], (1 + mg) * d.mc - d.rev
            )
            self.fixed_part[a:b] = p.w_total_cost * (opt.fixed + mask_sums(self.masks[a:b], d.mc))
        self._bundles = {int(o): _bundles(len(self.cache.get(int(o)).res)) for o in options}
        self.rc = np.empty(len(self.masks))
        self._at: Duals | None = None  # the duals self.rc was computed at
        self.scan_seconds = 0.0  # the last price()'s cost as estimated (see SCAN_SECONDS_*)
        # Every scan's estimated cost so far, whoever asked for it (price, columns, within): a
        # one-worker caller charges its clock the increase, so a rescan is never free.
        self.work = 0.0
        # Packages ``within`` has costed (kept or not): charged WITHIN_SECONDS_PER_PACKAGE each.
        self.costed = 0

    def __len__(self) -> int:
        return len(self.masks)

    def price(self, duals: Duals) -> np.ndarray:
        """Reduced cost of every enumerated package at ``duals`` (into ``self.rc``); returns each
        covered option's least reduced cost (+inf for an option without a package)."""
        p = self.problem
        wpm = float(p.w_public_money)
        cut_index = _cut_masks_by_candidate(duals)
        best = np.full(len(self.options), np.inf)
        self._at = duals
        work = 0.0
        for k, o in enumerate(self.options):
            o = int(o)
            a, b = self.starts[k], self.starts[k + 1]
            if a == b:
                continue
            d = self.cache.get(o)
            f = p.options[o].firm
            v = duals.community[d.cand] + duals.capacity[f] * d.w
            v = v.astype(np.float64)
            beta = duals.fixed_price(p, o)
            inc, price = self._front(o, duals)
            cm, cp = _local_cuts(d.cand, cut_index, duals)
            work += SCAN_SECONDS_PER_OPTION + (b - a) * (
                SCAN_SECONDS_PER_SET + SCAN_SECONDS_PER_SET_AND_CUT * len(cm)
            )
            scan_kernel(
                self.masks[a:b],
                self.deficit[a:b],
                self.fixed_part[a:b] - beta,
                v,
                inc,
                price,
                cm,
                cp,
                wpm,
                self.rc[a:b],
            )
            best[k] = float(self.rc[a:b].min())
        self.scan_seconds = work
        self.work += work
        return best

    def columns(
        self, duals: Duals, limit: int, per_option: int = 3, below: float = -1e-6
    ) -> list[tuple[float, Column]]:
        """Up to ``limit`` packages of reduced cost below ``below`` (negative, by default) at
        ``duals``, best first, at most ``per_option`` from one option; each with its reduced
        cost."""
        if self._at is not duals:
            self.price(duals)
        if limit <= 0 or len(self.rc) == 0:
            return []
        # The best few first (a partition, not a sort of every negative package).
        few = min(len(self.rc), 20 * limit * per_option)
        near = np.argpartition(self.rc, few - 1)[:few] if few < len(self.rc) else np.arange(few)
        near = near[self.rc[near] < below]
        if len(near) == 0:
            return []
        order = near[np.lexsort((near, self.rc[near]))]
        opt_of = np.searchsorted(self.starts, order, side="right") - 1
        taken: dict[int, int] = {}
        out: list[tuple[float, Column]] = []
        for s, k in zip(order, opt_of, strict=True):
            k = int(k)
            if taken.get(k, 0) >= per_option:
                continue
            taken[k] = taken.get(k, 0) + 1
            out.append(
                (float(self.rc[s]), self.column(int(self.options[k]), int(self.masks[s]), duals))
            )
            if len(out) >= limit:
                break
        return out

    def column(self, o: int, mask: int, duals: Duals) -> Column:
        """The package of option ``o`` with members ``mask`` and its best bundle at ``duals``;
        among equally good bundles the one with the least income (a resource that saves nothing
        stays free for other packages)."""
        p = self.problem
        d = self.cache.get(o)
        members = self._members(o, mask)
        if len(d.res) == 0:
            return make_column(p, o, members)
        base = make_column(p, o, members)
        deficit = (1 + p.options[o].margin) * base.cost - float(p.revenue[list(members)].sum())
        sel = self._bundles[o]
        inc, price = self._bundle_values(o, duals)
        val = p.w_public_money * np.maximum(0.0, deficit - inc) + price
        tol = 1e-9 * max(1.0, abs(float(val.min())))
        ok = np.flatnonzero(val <= val.min() + tol)
        pick = ok[np.lexsort((sel[ok].sum(1), inc[ok]))[0]]
        res = d.res[np.flatnonzero(sel[pick])]
        return make_column(p, o, members, res) if len(res) else base

    def _members(self, o: int, mask: int) -> np.ndarray:
        """The communities of option ``o``'s candidates that ``mask`` holds."""
        cand = self.cache.get(o).cand
        return cand[[j for j in range(len(cand)) if (mask >> j) & 1]]

    def _bundle_values(self, o: int, duals: Duals) -> tuple[np.ndarray, np.ndarray]:
        """Income and dual price (≥ 0) of every bundle of option ``o``'s resources."""
        d = self.cache.get(o)
        sel = self._bundles[o]
        return sel @ d.res_inc, sel @ (-duals.resource[d.res])

    def _front(self, o: int, duals: Duals) -> tuple[np.ndarray, np.ndarray]:
        """The bundles not dominated in (price, income): cheaper or richer than every other."""
        if len(self.cache.get(o).res) == 0:
            return np.zeros(1), np.zeros(1)
        inc, price = self._bundle_values(o, duals)
        order = np.lexsort((-inc, price))
        keep = []
        top = -np.inf
        for j in order:
            if inc[j] > top + 1e-9:
                keep.append(j)
                top = inc[j]
        keep = np.asarray(keep, dtype=np.int64)
        return inc[keep].astype(np.float64), price[keep].astype(np.float64)

    def within(self, duals: Duals, max_rc: float, limit: int) -> list[Column] | None:
        """Every enumerated package — each member set with every bundle of resources — whose
        reduced cost at ``duals`` is at most ``max_rc``; None when more than ``limit`` qualify.
        (A plan's other packages may hold a set's best bundle, so every bundle within the gap
        counts, not only the best.)"""
        p = self.problem
        if self._at is not duals:
            self.price(duals)
        hit = np.flatnonzero(self.rc <= max_rc + 1e-6)
        if len(hit) > limit:
            return None
        opt_of = np.searchsorted(self.starts, hit, side="right") - 1
        out: list[Column] = []
        made = 0
        try:
            for s, k in zip(hit, opt_of, strict=True):
                o = int(self.options[k])
                d = self.cache.get(o)
                members = self._members(o, int(self.masks[s]))
                for row in self._bundles[o]:
                    col = make_column(p, o, members, d.res[np.flatnonzero(row)])
                    made += 1
                    if duals.reduced_cost(p, col) <= max_rc + 1e-6:
                        out.append(col)
                if len(out) > limit:
                    return None
            return out
        finally:
            # Every package costed, kept or not, is charged (see ``work``).
            self.costed += made
            self.work += WITHIN_SECONDS_PER_PACKAGE * made


def _bundles(k: int) -> np.ndarray:
    """Every subset of k resources as rows of 0/1."""
    idx = np.arange(1 << k)
    return ((idx[:, None] >> np.arange(k)[None, :]) & 1).astype(np.float64)


def _cut_masks_by_candidate(duals: Duals) -> dict[int, list[int]]:
    index: dict[int, list[int]] = {}
    for c, (S, sig) in enumerate(zip(duals.cuts, duals.cut, strict=True)):
        if sig < 0:
            for i in S:
                index.setdefault(int(i), []).append(c)
    return index


def _local_cuts(
    cand: np.ndarray, index: dict[int, list[int]], duals: Duals
) -> tuple[np.ndarray, np.ndarray]:
    """The cuts with two or more rows among ``cand``, as masks over it, and their penalties."""
    if not index:
        return np.zeros(0, dtype=np.uint64), np.zeros(0)
    local: dict[int, int] = {}
    for j, i in enumerate(cand):
        for c in index.get(int(i), ()):
            local[c] = local.get(c, 0) | (1 << j)
    items = [(c, m) for c, m in local.items() if bin(m).count("1") >= 2]
    if not items:
        return np.zeros(0, dtype=np.uint64), np.zeros(0)
    masks = np.array([m for _, m in items], dtype=np.uint64)
    pen = np.array([-float(duals.cut[c]) for c, _ in items])
    return masks, pen
