"""Pricing: find packages whose reduced cost is negative under the master's duals, or prove that
none exists (which is what makes the master's LP value a lower bound on every plan).

For an option o = (firm f, hub h) and duals (π, α, β, ρ) the reduced cost of a package (S, R) is

    rc(S, R) = w_pm · max(0, (1+m_f)·cost(S) − rev(S) − inc(R)) + w_tc · cost(S)
               − Σ_{i∈S} (π_i + α_f·households_i) − β_f − Σ_{r∈R} ρ_r

with S connected in the proximity graph, h ∈ S, and the household limits. Three tools, cheapest
first:

* :func:`relaxation_bound` — a valid lower bound on min rc for an option, by dropping contiguity
  and splitting ``max`` into its two linear pieces (each a fractional knapsack). Options whose
  bound is not negative need no further look.
* :func:`greedy_price` — grows a package from the hub, adding the neighbour that lowers rc most
  (with lookahead: it walks the whole growth path and keeps every negative set it meets).
* :func:`exact_price` — a CP-SAT model of the pricing problem with contiguity as a
  single-commodity flow toward the hub (Shirabe 2005, "A model of contiguity for spatial unit
  allocation", Geographical Analysis 37(1); the single-commodity form as in Validi, Buchanan &
  Lykhovyd 2022, "Imposing contiguity constraints in political districting models", Operations
  Research 70(2)). It returns the best package and a proven bound on min rc.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from sharedprop.models.colgen import knapsack_pricing as knapsack
from sharedprop.models.colgen.limits import SearchLimit
from sharedprop.models.colgen.package_rules import NO_RULES, OptionRules
from sharedprop.models.colgen.reduced_cost import (
    EPS,
    OptionData,
    PricingCache,
    linear_pieces,
    member_values,
)
from sharedprop.models.colgen.search import best_by_search
from sharedprop.models.core.clock import (
    FLOW_PRICING_SECONDS_PER_DTIME,
    PRICING_SECONDS_PER_DTIME,
    Clock,
)
from sharedprop.models.core.columns import Column, best_resources, make_column
from sharedprop.models.core.duals import FEN, Duals
from sharedprop.models.core.problem import Problem


def relaxation_bound(p: Problem, duals: Duals, o: int, cache: PricingCache) -> float:
    """A lower bound on the reduced cost of every package of option ``o``."""
    d = cache.get(o)
    pc = linear_pieces(p, duals, o, d)
    a, a0, b, b0 = pc.a, pc.a0, pc.b, pc.b0
    a_res = 0.0
    out = []
    for coef, const, extra in ((a, a0, a_res), (b, b0, 0.0)):
        cap = d.max_w
        total = const + extra
        free = np.ones(len(coef), dtype=bool)
        if d.hub_pos >= 0:
            total += coef[d.hub_pos]
            cap -= int(d.w[d.hub_pos])
            free[d.hub_pos] = False
        neg = np.flatnonzero(free & (coef < 0))
        if len(neg):
            # fractional knapsack: best (most negative) value per household first
            ratio = coef[neg] / np.maximum(d.w[neg], 1)
            order = neg[np.argsort(ratio, kind="stable")]
            room = float(max(cap, 0))
            for j in order:
                if room <= 0:
                    break
                take = min(1.0, room / max(float(d.w[j]), 1.0))
                total += take * coef[j]
                room -= take * float(d.w[j])
        elif d.hub_pos < 0:
            # a package needs at least one member: the cheapest single one
            total += float(coef.min()) if len(coef) else 0.0
        out.append(total)
        if d.local_adj is not None and d.hub_pos >= 0 and len(neg):
            out.append(const + extra + float(coef[d.hub_pos]) + _path_bound(coef, d))
    return max(out)


def _path_bound(coef: np.ndarray, d: OptionData) -> float:
    """Lower bound on Σ_{j∈S, j≠hub} coef_j over connected S ∋ hub.

    To hold a negative node j, S must hold a path from the hub to j, whose positive nodes cost
    at least P_j (node-weighted shortest path, weights max(0, coef)). So for the farthest
    negative node held, at cost T = P_j, the best S gains at most Σ_{neg k: P_k ≤ T} coef_k:
    the bound is min over T of T + Σ_{P_k ≤ T} coef_k (T = 0: hold nothing).
    """
    pos = np.maximum(coef, 0.0)
    dist = np.full(len(coef), np.inf)
    dist[d.hub_pos] = 0.0
    heap = [(0.0, d.hub_pos)]
    adj = d.local_adj
    assert adj is not None
    while heap:
        du, u = heapq.heappop(heap)
        if du > dist[u]:
            continue
        for v in adj[u]:
            nd = du + pos[v]
            if nd < dist[v]:
                dist[v] = nd
                heapq.heappush(heap, (nd, int(v)))
    negs = [j for j in range(len(coef)) if coef[j] < 0 and j != d.hub_pos and np.isfinite(dist[j])]
    if not negs:
        return 0.0
    negs.sort(key=lambda j: dist[j])
    best, acc = 0.0, 0.0
    for j in negs:
        acc += float(coef[j])
        best = min(best, float(dist[j]) + acc)
    return best


def greedy_price(
    p: Problem,
    duals: Duals,
    o: int,
    cache: PricingCache,
    *,
    keep: int = 2,
    rng: np.random.Generator | None = None,
) -> list[tuple[float, Column]]:
    """Grow packages of option ``o`` greedily; return up to ``keep`` with negative reduced cost."""

    lin = knapsack.linear_option(p, duals, o, cache)
    if lin is not None:  # no contiguity: exact knapsack pricing is as cheap as a greedy pass
        return [(rc, c) for rc, c in knapsack.price(p, duals, o, lin, keep) if rc < -EPS]
    d = cache.get(o)
    found = _GreedyGrowth(p, duals, o, d, rng).grow()
    if not found:
        return []
    found.sort(key=lambda t: t[0])
    out: list[tuple[float, Column]] = []
    for _, positions in found[: max(keep, 1) * 3]:
        members = d.cand[list(positions)]
        col = _column_with_resources(p, o, members, duals)
        rc = duals.reduced_cost(p, col)
        if rc < -EPS and all(col.key != c.key for _, c in out):
            out.append((rc, col))
        if len(out) >= keep:
            break
    return out


class _GreedyGrowth:
    """One greedy growth of a package of option ``o`` from its hub: each step adds the
    frontier candidate that lowers the reduced cost most (with ``rng``, plus noise), walking
    the whole growth path and keeping every negative set it meets."""

    def __init__(
        self,
        p: Problem,
        duals: Duals,
        o: int,
        d: OptionData,
        rng: np.random.Generator | None,
    ) -> None:
        self.p, self.d = p, d
        self.opt = p.options[o]
        self.v = member_values(p, duals, o, d)
        self.beta = duals.fixed_price(p, o)
        self.prices = -duals.resource[d.res] if len(d.res) else np.zeros(0)
        self.res_order = np.argsort(-d.res_inc, kind="stable")
        self.noise = rng.normal(0.0, 1.0, len(d.cand)) if rng is not None else None

    def rc_of(self, mc_sum: np.ndarray, rev_sum: np.ndarray, v_sum: np.ndarray) -> np.ndarray:
        """Reduced costs of packages of these sums, each with the resources that pay (most
        income first)."""
        d, wpm = self.d, self.p.w_public_money
        cost = self.opt.fixed + mc_sum
        deficit = (1 + self.opt.margin) * cost - rev_sum
        extra = np.zeros_like(deficit)
        for j in self.res_order:
            gain = wpm * np.minimum(d.res_inc[j], np.maximum(deficit, 0.0))
            take = gain > self.prices[j] + 1e-9
            deficit = deficit - take * d.res_inc[j]
            extra += take * self.prices[j]
        return (
            wpm * np.maximum(deficit, 0.0) + self.p.w_total_cost * cost - v_sum - self.beta + extra
        )

    def grow(self) -> list[tuple[float, tuple[int, ...]]]:
        """(reduced cost, member positions) of every negative package on the growth path."""
        p, d, v = self.p, self.d, self.v
        n_c = len(d.cand)
        in_s = np.zeros(n_c, dtype=bool)
        smc = srev = sv = 0.0
        sw = 0
        if d.hub_pos >= 0:
            in_s[d.hub_pos] = True
            smc, srev, sv, sw = (
                float(d.mc[d.hub_pos]),
                float(d.rev[d.hub_pos]),
                float(v[d.hub_pos]),
                int(d.w[d.hub_pos]),
            )
            frontier = np.zeros(n_c, dtype=bool)
            if d.local_adj is not None:
                frontier[d.local_adj[d.hub_pos]] = True
            else:
                frontier[:] = True
            frontier[in_s] = False
        else:
            frontier = np.ones(n_c, dtype=bool)
        found: list[tuple[float, tuple[int, ...]]] = []
        if sw >= p.package_min_weight and d.hub_pos >= 0:
            rc0 = float(self.rc_of(np.array([smc]), np.array([srev]), np.array([sv]))[0])
            if rc0 < -EPS:
                found.append((rc0, tuple(np.flatnonzero(in_s))))
        while True:
            cand_j = np.flatnonzero(frontier & (sw + d.w <= d.max_w))
            if len(cand_j) == 0:
                break
            rcs = self.rc_of(smc + d.mc[cand_j], srev + d.rev[cand_j], sv + v[cand_j])
            score = rcs
            if self.noise is not None:
                score = rcs + self.noise[cand_j] * (1.0 + 0.05 * np.abs(rcs))
            j = int(cand_j[int(np.argmin(score))])
            in_s[j] = True
            frontier[j] = False
            smc += float(d.mc[j])
            srev += float(d.rev[j])
            sv += float(v[j])
            sw += int(d.w[j])
            if d.local_adj is not None:
                frontier[d.local_adj[j]] = True
                frontier[in_s] = False
            rc_now = float(rcs[int(np.flatnonzero(cand_j == j)[0])])
            if sw >= p.package_min_weight and rc_now < -EPS:
                found.append((rc_now, tuple(np.flatnonzero(in_s))))
        return found


def _column_with_resources(p: Problem, o: int, members: np.ndarray, duals: Duals) -> Column:
    opt = p.options[o]
    base = make_column(p, o, members)
    deficit = (1 + opt.margin) * base.cost - float(p.revenue[list(base.members)].sum())
    res = best_resources(p, o, deficit, -duals.resource if p.k else None)
    return make_column(p, o, base.members, res) if res else base


@dataclass
class ExactPricing:
    column: Column | None  # best package found (None if none feasible)
    reduced_cost: float | None  # its exact reduced cost
    lower_bound: float  # proven lower bound on min rc over the option
    # The option is decided: lower_bound is the optimum (CP-SAT optimal) or, asked for
    # negative reduced costs only, no package has one (lower_bound 0).
    proven: bool


def _weight_scale(w: float) -> int:
    for k in (1, 10, 100, 1000, 10000):
        if abs(w * k - round(w * k)) < 1e-9:
            return k
    return 10000


def _weight_steps(duals: Duals, firm: int, max_w: int) -> list[tuple[int, float]]:
    """(w, rise): the firm's capacity-cut penalty rises by ``rise`` past w households (w <
    max_w), as a list of steps; the penalty at weight W is the sum of the rises with w < W."""
    weights = np.arange(max_w + 1)
    pen = duals.weight_penalties(firm, weights)
    rises = np.diff(pen)  # rises[w] = pen[w + 1] − pen[w]
    return [(int(w), float(rises[w])) for w in np.flatnonzero(rises > 1e-9)]


def exact_price(
    p: Problem,
    duals: Duals,
    o: int,
    cache: PricingCache,
    *,
    time_limit: float,
    seed: int = 0,
    hint: tuple[int, ...] | None = None,
    search_nodes: int = 4000,
    clock: Clock | None = None,
    exclude: frozenset[int] | set[int] = frozenset(),
    negative_only: bool = False,
    rules: OptionRules = NO_RULES,
) -> ExactPricing:
    """Solve option ``o``'s pricing problem exactly: branch and bound for small
    neighbourhoods, the CP-SAT model otherwise (or a bound on it within the time).
    ``exclude``: communities no package may hold here (a branch of the bound; CP-SAT only).
    ``negative_only``: CP-SAT looks only among packages of negative reduced cost, so proving
    there are none is an infeasibility proof (lower bound 0), not an optimality proof.
    ``rules``: what a node of the branch-and-price tree requires of the packages (CP-SAT
    only)."""

    exclude = frozenset(exclude) | rules.excluded
    if exclude and p.options[o].hub in exclude:
        return ExactPricing(None, None, float("inf"), True)
    if not rules:
        quick = _price_without_cpsat(p, duals, o, cache, search_nodes, clock, exclude)
        if quick is not None:
            return quick
    model = _PricingModel(p, duals, o, cache.get(o), exclude)
    if rules:
        model.obey(rules)
    if negative_only:
        model.only_negative()
    if hint is not None:
        model.hint(hint)
    return model.solve(time_limit, seed, clock, negative_only)


def _price_without_cpsat(
    p: Problem,
    duals: Duals,
    o: int,
    cache: PricingCache,
    search_nodes: int,
    clock: Clock | None,
    exclude: frozenset[int] | set[int],
) -> ExactPricing | None:
    """Option ``o`` priced by a 0/1 knapsack (no contiguity) or the branch and bound of
    connected packages (:func:`sharedprop.models.colgen.search.best_by_search`); None when
    neither applies or the search hit its node limit."""
    # The search knows nothing of the capacity cuts' weight penalty; the knapsack and the
    # CP-SAT model charge it.
    weighed = duals.weighs(p.options[o].firm)
    lin = None if exclude else knapsack.linear_option(p, duals, o, cache)
    if lin is not None:  # no contiguity: a 0/1 knapsack, solved exactly by dynamic programming
        best = knapsack.price(p, duals, o, lin)
        if not best:
            return ExactPricing(None, None, float("inf"), True)
        rc, col = best[0]
        return ExactPricing(col, rc, rc, True)
    try:
        found = best_by_search(
            p, duals, o, cache, node_limit=0 if exclude or weighed else search_nodes, clock=clock
        )
    except SearchLimit:
        return None
    if found is None:
        return ExactPricing(None, None, float("inf"), True)
    if found is False:
        return None
    positions, res, _ = found
    col = make_column(p, o, cache.get(o).cand[list(positions)], res)
    rc = duals.reduced_cost(p, col)
    return ExactPricing(col, rc, rc, True)


class _PricingModel:
    """The CP-SAT model of one option's pricing problem: a boolean per candidate (``y``) and
    per resource (``t``), the household limits, the contiguity flow toward the hub, the
    subsidy in fen, and the cuts' terms; money in fen, the objective in fen·K (K makes the
    objective weights whole)."""

    def __init__(
        self, p: Problem, duals: Duals, o: int, d: OptionData, exclude: frozenset[int] | set[int]
    ) -> None:
        self.p, self.duals, self.o, self.d = p, duals, o, d
        self.opt = p.options[o]
        wpm, wtc = p.w_public_money, p.w_total_cost
        self.K = max(_weight_scale(wpm), _weight_scale(wtc))
        self.n_c = len(d.cand)
        self.m = cp_model.CpModel()
        self.y = [self.m.NewBoolVar(f"y{j}") for j in range(self.n_c)]
        self.t = [self.m.NewBoolVar(f"t{r}") for r in range(len(d.res))]
        self.wsum = self._members(exclude)
        self.flow = self._contiguity()
        subsidy = self._subsidy()
        # Subset-row and capacity cuts: what a package pays them, a boolean each.
        self.cut_terms = self._subset_row_terms() + self._capacity_terms()
        self.objective = self._objective(subsidy)
        self.m.Minimize(self.objective)
        self.const = self.K * FEN * (wtc * self.opt.fixed - duals.fixed_price(p, o))
        # Rounding each coefficient moves the model's optimum by at most half a unit per term.
        self.slack = (
            (self.n_c + 2 * len(self.t) + len(self.cut_terms) + 2) * (self.K + 1) * (1 + wpm)
        )

    def _members(self, exclude: frozenset[int] | set[int]) -> cp_model.LinearExpr:
        """The hub (or at least one member), no excluded community, and the household limits;
        returns the package's households."""
        m, y, d = self.m, self.y, self.d
        if d.hub_pos >= 0:
            m.Add(y[d.hub_pos] == 1)
        else:
            m.AddBoolOr(y)
        for j in np.flatnonzero(np.isin(d.cand, list(exclude))) if exclude else ():
            m.Add(y[int(j)] == 0)
        wsum = sum(int(d.w[j]) * y[j] for j in range(self.n_c))
        m.Add(wsum <= d.max_w)
        if self.p.package_min_weight > 0:
            m.Add(wsum >= int(self.p.package_min_weight))
        return wsum

    def _contiguity(self) -> bool:
        """Every member other than the hub sends one unit of flow toward the hub, along edges
        between members (single-commodity flow); whether the model has it."""
        m, y, d, n_c = self.m, self.y, self.d, self.n_c
        if not (d.local_adj is not None and d.hub_pos >= 0 and n_c > 1):
            return False
        big = n_c - 1
        flow_out: list[list] = [[] for _ in range(n_c)]
        flow_in: list[list] = [[] for _ in range(n_c)]
        for a in range(n_c):
            if a == d.hub_pos:
                continue  # the hub is the sink: it sends nothing
            for b in d.local_adj[a]:
                b = int(b)
                g = m.NewIntVar(0, big, f"g{a}_{b}")
                m.Add(g <= big * y[a])
                m.Add(g <= big * y[b])
                flow_out[a].append(g)
                flow_in[b].append(g)
        for a in range(n_c):
            if a != d.hub_pos:
                m.Add(sum(flow_out[a]) - sum(flow_in[a]) == y[a])
        return True

    def _subsidy(self) -> cp_model.IntVar:
        """subsidy ≥ (1+m)·cost − revenue − resource income, in fen (and ≥ 0)."""
        d, mg, y, t = self.d, self.opt.margin, self.y, self.t
        def_terms = [
            round(FEN * ((1 + mg) * float(d.mc[j]) - float(d.rev[j]))) for j in range(self.n_c)
        ]
        def_const = round(FEN * (1 + mg) * self.opt.fixed)
        inc_terms = [round(FEN * float(d.res_inc[r])) for r in range(len(d.res))]
        hi = def_const + sum(max(0, c) for c in def_terms)
        sub = self.m.NewIntVar(0, max(0, hi), "subsidy")
        self.m.Add(
            sub
            >= def_const
            + sum(def_terms[j] * y[j] for j in range(self.n_c))
            - sum(inc_terms[r] * t[r] for r in range(len(t)))
        )
        return sub

    def _subset_row_terms(self) -> list:
        """A package covering two or more rows of cut S pays −σ_S."""
        pos_of = {int(c): j for j, c in enumerate(self.d.cand)}
        terms = []
        for S, sig in zip(self.duals.cuts, self.duals.cut, strict=True):
            if sig >= -1e-9:
                continue
            inside = [pos_of[i] for i in S if i in pos_of]
            if len(inside) < 2:
                continue
            z = self.m.NewBoolVar("")
            self.m.Add(sum(self.y[j] for j in inside) <= 1 + (len(inside) - 1) * z)
            terms.append(round(self.K * FEN * -float(sig)) * z)
        return terms

    def _capacity_terms(self) -> list:
        """A package of more than k·capacity/slots households fills k slots, each at −τ; one
        boolean per step of the penalty (w > step), charged that step's increase."""
        if not self.duals.weighs(self.opt.firm):
            return []
        max_w = int(self.d.max_w)
        terms = []
        for above, rise in _weight_steps(self.duals, self.opt.firm, max_w):
            z = self.m.NewBoolVar("")
            self.m.Add(self.wsum <= above + (max_w - above) * z)
            terms.append(round(self.K * FEN * rise) * z)
        return terms

    def _objective(self, subsidy: cp_model.IntVar) -> cp_model.LinearExpr:
        p, d, K, n_c = self.p, self.d, self.K, self.n_c
        wtc = p.w_total_cost
        v = member_values(p, self.duals, self.o, d)
        prices = -self.duals.resource[d.res] if len(d.res) else np.zeros(0)
        obj_y = [round(K * (wtc * FEN * float(d.mc[j]) - FEN * float(v[j]))) for j in range(n_c)]
        # +1 unit: never bundle a resource that saves nothing (it would block it for others)
        obj_t = [round(K * FEN * float(prices[r])) + 1 for r in range(len(self.t))]
        return (
            round(K * p.w_public_money) * subsidy
            + sum(obj_y[j] * self.y[j] for j in range(n_c))
            + sum(obj_t[r] * self.t[r] for r in range(len(self.t)))
            + sum(self.cut_terms)
        )

    def obey(self, rules: OptionRules) -> None:
        """The pair and resource rules of a node of the tree (``rules.excluded`` is already
        in the model)."""
        m, y, t = self.m, self.y, self.t
        pos = {int(c): j for j, c in enumerate(self.d.cand)}
        res = {int(r): k for k, r in enumerate(self.d.res)}
        for i, j in rules.apart:
            if i in pos and j in pos:
                m.Add(y[pos[i]] + y[pos[j]] <= 1)
        for i, j in rules.together:
            for a, b in ((i, j), (j, i)):
                if a in pos:
                    m.Add(y[pos[a]] == (y[pos[b]] if b in pos else 0))
        for i, r in rules.with_resource:
            if i in pos:
                m.Add(y[pos[i]] == (t[res[r]] if r in res else 0))
            elif r in res:
                m.Add(t[res[r]] == 0)
        for i, r in rules.without_resource:
            if i in pos and r in res:
                m.Add(y[pos[i]] + t[res[r]] <= 1)
        for r in rules.no_resources:
            if r in res:
                m.Add(t[res[r]] == 0)

    def only_negative(self) -> None:
        """Only packages of negative reduced cost: rc·K·FEN ≥ objective + const − slack, so a
        package this leaves out has rc > 0."""
        self.m.Add(self.objective <= math.floor(self.slack - self.const))

    def hint(self, members: tuple[int, ...]) -> None:
        pos_of = {int(c): j for j, c in enumerate(self.d.cand)}
        hs = {pos_of[i] for i in members if i in pos_of}
        for j in range(self.n_c):
            self.m.AddHint(self.y[j], 1 if j in hs else 0)

    def solve(
        self, time_limit: float, seed: int, clock: Clock | None, negative_only: bool
    ) -> ExactPricing:
        s = cp_model.CpSolver()
        # OR-Tools would install its own SIGINT handler and reset ours after each solve;
        # the CLI's handler must survive so Ctrl-C keeps the best plan.
        s.parameters.catch_sigint_signal = False
        per_dtime = FLOW_PRICING_SECONDS_PER_DTIME if self.flow else PRICING_SECONDS_PER_DTIME
        if clock is not None:
            time_limit = clock.charge_build(self.m, time_limit)
            clock.set_limit(s.parameters, time_limit, per_dtime)
        else:
            s.parameters.max_time_in_seconds = max(0.01, time_limit)
        s.parameters.num_workers = 1
        s.parameters.random_seed = seed
        status = s.Solve(self.m)
        if clock is not None:
            clock.charge_cpsat(s, per_dtime)
        bound = (s.BestObjectiveBound() + self.const - self.slack) / (self.K * FEN)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            if status == cp_model.INFEASIBLE:
                return ExactPricing(None, None, 0.0 if negative_only else float("inf"), True)
            return ExactPricing(None, None, bound, False)
        d = self.d
        members = d.cand[[j for j in range(self.n_c) if s.Value(self.y[j])]]
        res = tuple(int(d.res[r]) for r in range(len(self.t)) if s.Value(self.t[r]))
        col = make_column(self.p, self.o, members, res)
        rc = self.duals.reduced_cost(self.p, col)
        return ExactPricing(col, rc, min(bound, rc), status == cp_model.OPTIMAL)
