"""Exact pricing and gap enumeration for options without contiguity: a 0/1 knapsack.

Without a contiguity rule (``problem.adjacency is None``), without resources and without an
active subset-row cut, an option's reduced cost is one of the two linear pieces of
:func:`sharedprop.models.colgen.pricing.linear_pieces` whenever the deficit cannot change sign: if
(1+m)·fixed ≥ 0 and every candidate's (1+m)·member_cost − revenue ≥ 0 the deficit is never
negative and rc = piece A; if all of them are ≤ 0 it is never positive and rc = piece B. Then

    rc(S) = const + Σ_{j∈S} coef_j,   Σ_{j∈S} w_j ≤ W,  Σ w_j ≥ min_w,  hub ∈ S (if any)

is a 0/1 knapsack with integer weights (households, demands). This is the facility-location
case (Holmberg's SSCFLP: no revenue, margin 0): the generic branch and bound of
:mod:`sharedprop.models.colgen.enumeration`, built for connected packages, has no good bound there,
while a dynamic programme over capacity (Bellman; Kellerer, Pferschy & Pisinger 2004,
*Knapsack Problems*, ch. 2) prices one option in O(n·W) numpy work, exactly.

The same tables drive the enumeration that closes the gap: a suffix table g[k][r] (best value
of items k.. within weight r) bounds every completion exactly, so the ordered enumeration of
all packages with rc ≤ max_rc visits almost only nodes that lead to such a package.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sharedprop.models.colgen.limits import EnumerationLimit
from sharedprop.models.colgen.reduced_cost import PricingCache, linear_pieces
from sharedprop.models.core.columns import Column, make_column
from sharedprop.models.core.duals import Duals
from sharedprop.models.core.problem import Problem

_TOL = 1e-9
MAX_CAPACITY = 100_000  # households (demand units) per package the dynamic programme accepts


@dataclass(frozen=True)
class LinearOption:
    """An option's reduced cost as a knapsack: rc(S) = const + Σ_{j∈S} coef_j (positions)."""

    coef: np.ndarray
    const: float
    w: np.ndarray  # int weights by position
    cap: int  # W: the household (demand) limit of one package
    min_w: int
    hub_pos: int  # -1: no member is forced
    # + penalty[w] for a package of w households (the firm capacity cuts' charge,
    # non-decreasing; None: no charge). Enumeration leaves it out: it then lists a superset.
    penalty: np.ndarray | None = None


def _cut_active(duals: Duals, cand: np.ndarray) -> bool:
    """A subset-row cut with a nonzero dual that the option could hit twice."""
    for S, sig in zip(duals.cuts, duals.cut, strict=True):
        if sig < -1e-12 and int(np.isin(np.asarray(S), cand).sum()) >= 2:
            return True
    return False


def linear_option(p: Problem, duals: Duals, o: int, cache: PricingCache) -> LinearOption | None:
    """The knapsack form of option ``o``'s pricing problem, or None when it does not apply."""
    if p.adjacency is not None:
        return None
    opt = p.options[o]
    if len(opt.resources):
        return None
    d = cache.get(o)
    if len(d.cand) == 0 or int(d.w.min()) < 1 or _cut_active(duals, d.cand):
        return None
    if d.max_w > MAX_CAPACITY:
        return None  # the tables grow with the capacity: leave such options to the generic search
    term = (1.0 + opt.margin) * d.mc - d.rev
    fixed_term = (1.0 + opt.margin) * opt.fixed
    pc = linear_pieces(p, duals, o, d)
    if fixed_term >= 0 and bool(np.all(term >= 0)):
        coef, const = pc.a, pc.a0
    elif fixed_term <= 0 and bool(np.all(term <= 0)):
        coef, const = pc.b, pc.b0
    else:
        return None
    return LinearOption(
        coef=np.asarray(coef, dtype=float),
        const=float(const),
        w=np.asarray(d.w, dtype=np.int64),
        cap=int(d.max_w),
        min_w=int(p.package_min_weight),
        hub_pos=int(d.hub_pos),
        penalty=(
            duals.weight_penalties(opt.firm, np.arange(int(d.max_w) + 1))
            if duals.weighs(opt.firm)
            else None
        ),
    )


def _start(lin: LinearOption) -> tuple[float, int, int]:
    """(value, weight, lowest valid weight) of the forced part (the hub, or nothing)."""
    if lin.hub_pos >= 0:
        base_w = int(lin.w[lin.hub_pos])
        return lin.const + float(lin.coef[lin.hub_pos]), base_w, max(lin.min_w, base_w)
    # no hub: a package needs a member, and every weight is ≥ 1
    return lin.const, 0, max(lin.min_w, 1)


def _free(lin: LinearOption, base_w: int) -> np.ndarray:
    """Which items may join the forced part: not the hub, and light enough for the room left."""
    free = lin.w <= lin.cap - base_w
    if lin.hub_pos >= 0:
        free[lin.hub_pos] = False
    return free


def best_packages(lin: LinearOption, keep: int = 1) -> list[tuple[float, tuple[int, ...]]]:
    """The best package (value, member positions), then up to ``keep − 1`` more: each the best
    package strictly lighter than the one before (cheap diversity for column generation)."""
    base, base_w, lo = _start(lin)
    W = lin.cap
    if base_w > W or lo > W:
        return []
    free = _free(lin, base_w)
    # Items with a non-negative coefficient only help to reach a minimum weight.
    needs_filler = lo > base_w + (1 if lin.hub_pos < 0 else 0)
    items = np.flatnonzero(free if needs_filler else free & (lin.coef < 0))
    dp = np.full(W + 1, np.inf)
    dp[base_w] = base
    take = np.zeros((len(items), W + 1), dtype=bool)
    for k, j in enumerate(items):
        wj = int(lin.w[j])
        cand = dp[: W + 1 - wj] + lin.coef[j]
        better = cand < dp[wj:] - _TOL
        take[k, wj:] = better
        dp[wj:] = np.where(better, cand, dp[wj:])
    if lin.penalty is not None:
        # dp is by exact weight, so the charge of each weight adds cell by cell.
        dp = dp + lin.penalty
    out: list[tuple[float, tuple[int, ...]]] = []
    hi = W
    while len(out) < max(1, keep) and hi >= lo:
        seg = dp[lo : hi + 1]
        if not np.isfinite(seg).any():
            break
        wbest = lo + int(np.argmin(seg))
        chosen = [lin.hub_pos] if lin.hub_pos >= 0 else []
        wcur = wbest
        for k in range(len(items) - 1, -1, -1):
            if take[k, wcur]:
                chosen.append(int(items[k]))
                wcur -= int(lin.w[items[k]])
        out.append((float(dp[wbest]), tuple(sorted(chosen))))
        hi = wbest - 1
    if not out and lin.hub_pos < 0 and not needs_filler:
        # no item lowers the value: the best package is the cheapest single member
        fits = np.flatnonzero(free)
        if len(fits):
            value = lin.coef[fits] + (lin.penalty[lin.w[fits]] if lin.penalty is not None else 0)
            j = int(fits[int(np.argmin(value))])
            out.append((base + float(np.min(value)), (j,)))
    return out


def price(
    p: Problem, duals: Duals, o: int, lin: LinearOption, keep: int = 1
) -> list[tuple[float, Column]]:
    """Best packages of option ``o`` as columns with their exact reduced cost, best first."""
    cand = p.options[o].candidates
    out = []
    for _, positions in best_packages(lin, keep):
        col = make_column(p, o, cand[list(positions)])
        out.append((duals.reduced_cost(p, col), col))
    out.sort(key=lambda t: t[0])
    return out


def enumerate_within(lin: LinearOption, max_rc: float, limit: int) -> list[tuple[int, ...]]:
    """Every package (member positions) with rc ≤ ``max_rc``.

    Ordered extension over the items sorted by coefficient: a node is a set, its children add
    one later item. Child t of a node with value s and room r is opened only when
    s + coef_t + g[t+1][r − w_t] ≤ max_rc, where g is the exact suffix knapsack table, so every
    opened node leads to a package within the bound. Raises :class:`EnumerationLimit` past
    ``limit`` packages.
    """
    base, base_w, lo = _start(lin)
    W = lin.cap
    if base_w > W or lo > W:
        return []
    free = _free(lin, base_w)
    idx = np.flatnonzero(free)
    items = idx[np.argsort(lin.coef[idx], kind="stable")]
    K, R = len(items), W - base_w
    coef = lin.coef[items]
    wt = lin.w[items].astype(np.int64)
    g = np.zeros((K + 1, R + 1))
    for k in range(K - 1, -1, -1):
        g[k] = g[k + 1]
        wk = int(wt[k])
        if wk <= R:
            g[k, wk:] = np.minimum(g[k + 1, wk:], coef[k] + g[k + 1, : R + 1 - wk])
    limit_rc = max_rc + 1e-6
    out: list[tuple[int, ...]] = []
    forced = [lin.hub_pos] if lin.hub_pos >= 0 else []
    # stack of (next item index, value so far, room left, chosen item indices)
    stack: list[tuple[int, float, int, tuple[int, ...]]] = [(0, base, R, ())]
    while stack:
        k, s, r, chosen = stack.pop()
        weight = W - r
        if s <= limit_rc and weight >= lo and (chosen or forced):
            out.append(tuple(sorted(forced + [int(items[c]) for c in chosen])))
            if len(out) > limit:
                raise EnumerationLimit(f"more than {limit} packages within the gap")
        if k >= K:
            continue
        ts = np.arange(k, K)
        ok = wt[k:] <= r
        ts, cs, ws = ts[ok], coef[k:][ok], wt[k:][ok]
        if not len(ts):
            continue
        val = s + cs + g[ts + 1, r - ws]
        for t in ts[val <= limit_rc][::-1]:
            t = int(t)
            stack.append((t + 1, s + float(coef[t]), r - int(wt[t]), (*chosen, t)))
    return out


def enumerate_columns(
    p: Problem, duals: Duals, o: int, lin: LinearOption, max_rc: float, limit: int
) -> list[Column]:
    """:func:`enumerate_within` as columns, each checked against its exact reduced cost."""
    cand = p.options[o].candidates
    out = []
    for positions in enumerate_within(lin, max_rc, limit):
        col = make_column(p, o, cand[list(positions)])
        if duals.reduced_cost(p, col) <= max_rc + 1e-6:
            out.append(col)
    return out
