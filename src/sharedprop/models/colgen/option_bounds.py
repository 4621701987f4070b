"""Vectorised lower bounds on every option's reduced cost at once.

The same bound as :func:`sharedprop.models.colgen.pricing.relaxation_bound` (which stays as the
readable per-option reference the tests compare against), computed for all options with flat
numpy arrays and one scipy shortest-path call, because it runs every column-generation round.

For each option and each linear piece of the subsidy (A: subsidy ≥ deficit, B: subsidy ≥ 0)
two valid bounds are taken, and the largest of the four is the option's bound:

* fractional knapsack: the hub, plus the negative-coefficient candidates by value per
  household up to the household limit (drops contiguity);
* connectivity: min over T of T + Σ_{negative k: P_k ≤ T} coef_k, where P_k is the cheapest
  node-weighted path from the hub to k (drops the household limit).
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from sharedprop.models.core.duals import Duals
from sharedprop.models.core.problem import Problem

_TINY = 1e-9  # csgraph drops zero-weight edges; a tiny weight keeps them (error ≪ 0.01 yuan)


class FlatOptions:
    """All options' candidates laid end to end."""

    def __init__(self, problem: Problem) -> None:
        p = problem
        self.problem = p
        opts = p.options
        sizes = np.array([len(o.candidates) for o in opts], dtype=np.int64)
        self.n_opt = len(opts)
        self.start = (
            np.concatenate([[0], np.cumsum(sizes)[:-1]]) if len(opts) else np.zeros(0, np.int64)
        )
        self.opt_of = np.repeat(np.arange(self.n_opt), sizes)
        self.cand = np.concatenate([o.candidates for o in opts]) if opts else np.zeros(0, np.int64)
        self.mc = np.concatenate([o.member_cost for o in opts]) if opts else np.zeros(0)
        self.w = p.weight[self.cand].astype(float)
        self.rev = p.revenue[self.cand]
        self.firm = np.array([o.firm for o in opts], dtype=np.int64)
        self.firm_of = self.firm[self.opt_of]
        self.margin = np.array([o.margin for o in opts])
        self.margin_of = self.margin[self.opt_of]
        self.fixed = np.array([o.fixed for o in opts])
        max_w = p.firm_capacity[self.firm].astype(float)
        if p.package_max_weight is not None:
            max_w = np.minimum(max_w, float(p.package_max_weight))
        self.max_w = max_w
        hub_pos = np.full(self.n_opt, -1, dtype=np.int64)
        for j, o in enumerate(opts):
            if o.hub >= 0:
                hub_pos[j] = self.start[j] + int(np.searchsorted(o.candidates, o.hub))
        self.hub_pos = hub_pos
        self.is_hub = np.zeros(len(self.cand), dtype=bool)
        self.is_hub[hub_pos[hub_pos >= 0]] = True
        # resources, flat
        rs = [o.resources for o in opts]
        self.res_opt = np.repeat(np.arange(self.n_opt), [len(r) for r in rs])
        self.res = np.concatenate(rs) if rs and sum(len(r) for r in rs) else np.zeros(0, np.int64)
        self.res_inc = p.resource_income[self.res] if len(self.res) else np.zeros(0)
        # the block-diagonal local graph (edges u → v inside each option's candidates)
        self.edge_u = np.zeros(0, dtype=np.int64)
        self.edge_v = np.zeros(0, dtype=np.int64)
        self.has_graph = p.adjacency is not None
        if self.has_graph:
            self.edge_u, self.edge_v = self._local_edges(p)

    def _local_edges(self, p: Problem) -> tuple[np.ndarray, np.ndarray]:
        """Edges u → v (flat positions) between candidates of one option that are neighbours,
        in the order of the options, their candidates and the neighbours; in array operations,
        since a loop over every candidate's neighbours took most of a street solve's second."""
        assert p.adjacency is not None
        degree = np.fromiter((len(a) for a in p.adjacency), dtype=np.int64, count=p.n)
        nbrs = np.concatenate(p.adjacency) if p.n else np.zeros(0, dtype=np.int64)
        nbr_start = np.concatenate([[0], np.cumsum(degree)[:-1]]).astype(np.int64)
        member = self.hub_pos[self.opt_of] >= 0  # options without a member hub have no graph
        flat = np.flatnonzero(member)
        deg = degree[self.cand[flat]]
        u = np.repeat(flat, deg)
        offsets = np.arange(int(deg.sum())) - np.repeat(np.cumsum(deg) - deg, deg)
        b = nbrs[np.repeat(nbr_start[self.cand[flat]], deg) + offsets]
        # Candidates are ascending within an option, so (option, community) keys are sorted.
        keys = self.opt_of * np.int64(p.n) + self.cand
        want = self.opt_of[u] * np.int64(p.n) + b
        pos = np.minimum(np.searchsorted(keys, want), len(keys) - 1)
        hit = keys[pos] == want
        return u[hit].astype(np.int64), pos[hit].astype(np.int64)

    def bounds(self, duals: Duals) -> np.ndarray:
        p = self.problem
        if self.n_opt == 0:
            return np.zeros(0)
        wpm, wtc = p.w_public_money, p.w_total_cost
        v = duals.community[self.cand] + duals.capacity[self.firm_of] * self.w
        beta = duals.fixed_prices(self.firm)
        a = (wpm * (1 + self.margin_of) + wtc) * self.mc - wpm * self.rev - v
        a0 = (wpm * (1 + self.margin) + wtc) * self.fixed - beta
        if len(self.res):
            prices = -duals.resource[self.res]
            a0 = a0 + np.bincount(
                self.res_opt, np.minimum(0.0, -wpm * self.res_inc + prices), self.n_opt
            )
        b = wtc * self.mc - v
        b0 = wtc * self.fixed - beta
        out = [self._knapsack(a, a0), self._knapsack(b, b0)]
        if self.has_graph and len(self.edge_u):
            out += [self._connectivity(a, a0), self._connectivity(b, b0)]
        return np.max(np.vstack(out), axis=0)

    def _hub_terms(self, coef: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        hub_val = np.zeros(self.n_opt)
        hub_w = np.zeros(self.n_opt)
        has = self.hub_pos >= 0
        hub_val[has] = coef[self.hub_pos[has]]
        hub_w[has] = self.w[self.hub_pos[has]]
        return hub_val, hub_w

    def _knapsack(self, coef: np.ndarray, const: np.ndarray) -> np.ndarray:
        hub_val, hub_w = self._hub_terms(coef)
        total = const + hub_val
        cap = np.maximum(self.max_w - hub_w, 0.0)
        neg = np.flatnonzero((coef < 0) & ~self.is_hub)
        if len(neg):
            ratio = coef[neg] / np.maximum(self.w[neg], 1.0)
            order = neg[np.lexsort((ratio, self.opt_of[neg]))]
            g = self.opt_of[order]
            w = np.maximum(self.w[order], 1.0)
            cw = np.cumsum(w)
            first = np.concatenate([[True], g[1:] != g[:-1]])
            grp_start = np.maximum.accumulate(np.where(first, np.arange(len(g)), 0))
            before = cw[grp_start] - w[grp_start]
            used_before = cw - w - before  # households taken by better items of the same option
            take = np.clip((cap[g] - used_before) / w, 0.0, 1.0)
            total = total + np.bincount(g, take * coef[order], self.n_opt)
        # an option without a member hub must still hold one member
        nohub = self.hub_pos < 0
        if nohub.any():
            has_neg = np.zeros(self.n_opt, dtype=bool)
            has_neg[self.opt_of[neg]] = True
            need = nohub & ~has_neg
            if need.any():
                mins = np.full(self.n_opt, np.inf)
                np.minimum.at(mins, self.opt_of, coef)
                total[need] += np.where(np.isfinite(mins[need]), mins[need], 0.0)
        return total

    def _connectivity(self, coef: np.ndarray, const: np.ndarray) -> np.ndarray:
        hub_val, _ = self._hub_terms(coef)
        n = len(coef)
        wts = np.maximum(coef[self.edge_v], 0.0) + _TINY
        graph = csr_matrix((wts, (self.edge_u, self.edge_v)), shape=(n, n))
        hubs = self.hub_pos[self.hub_pos >= 0]
        dist = dijkstra(graph, directed=True, indices=hubs, min_only=True)
        bound = np.zeros(self.n_opt)
        neg = np.flatnonzero((coef < 0) & ~self.is_hub & np.isfinite(dist))
        if len(neg):
            order = neg[np.lexsort((dist[neg], self.opt_of[neg]))]
            g = self.opt_of[order]
            c = coef[order]
            cs = np.cumsum(c)
            first = np.concatenate([[True], g[1:] != g[:-1]])
            grp_start = np.maximum.accumulate(np.where(first, np.arange(len(g)), 0))
            acc = cs - (cs[grp_start] - c[grp_start])
            val = dist[order] + acc
            mins = np.zeros(self.n_opt)
            np.minimum.at(mins, g, val)
            bound = np.minimum(bound, mins)
        total = const + hub_val + bound
        # options without a member hub have no connectivity argument: no bound from here
        total[self.hub_pos < 0] = -np.inf
        return total
