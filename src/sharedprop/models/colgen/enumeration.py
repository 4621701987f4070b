"""Closing the gap: enumerate every package whose reduced cost is within the gap.

When column generation has converged (every reduced cost ≥ 0 at the LP duals, LP value z),
any plan of value ≤ UB uses only packages with reduced cost ≤ UB − z: the plan's value is
z + Σ rc(packages) + (non-negative slack terms), so no single package can exceed the gap. This
is the classic reduced-cost argument behind exact set-partitioning methods (e.g. Baldacci,
Christofides & Mingozzi 2008, "An exact algorithm for the vehicle routing problem based on the
set partitioning formulation with additional cuts", Math. Programming 115). If every such
package is enumerated, the integer master over them is the exact problem: its optimum, proven
by CP-SAT, is the optimum of the whole instance.

Connected packages containing the hub are enumerated once each by ordered extension (each
branch takes one extension vertex and forbids the ones before it), pruned by the household
limit and by a lower bound on the reduced cost of every superset.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np

from sharedprop.models.colgen import knapsack_pricing as knapsack
from sharedprop.models.colgen.limits import EnumerationLimit
from sharedprop.models.colgen.reduced_cost import PricingCache, linear_pieces
from sharedprop.models.colgen.search import ratio_order, rest_order
from sharedprop.models.core.columns import Column, make_column
from sharedprop.models.core.duals import Duals
from sharedprop.models.core.problem import Problem


def enumerate_option(
    p: Problem,
    duals: Duals,
    o: int,
    cache: PricingCache,
    max_rc: float,
    limit: int,
) -> list[Column]:
    """Every package of option ``o`` (members × resources) with reduced cost ≤ ``max_rc``.

    Raises :class:`EnumerationLimit` when more than ``limit`` packages qualify.
    """

    lin = knapsack.linear_option(p, duals, o, cache)
    if lin is not None:  # no contiguity: the knapsack tables bound every completion exactly
        return knapsack.enumerate_columns(p, duals, o, lin, max_rc, limit)
    return _Enumeration(p, duals, o, cache, max_rc, limit).run()


class _Enumeration:
    """The connected packages of one option within ``max_rc``, by ordered extension from the
    hub (each branch takes one extension vertex and forbids the ones before it), pruned by
    the household limit and a bound on the reduced cost of every superset."""

    def __init__(
        self, p: Problem, duals: Duals, o: int, cache: PricingCache, max_rc: float, limit: int
    ) -> None:
        d = cache.get(o)
        self.p, self.duals, self.o, self.d = p, duals, o, d
        self.max_rc, self.limit = max_rc, limit
        self.pc = linear_pieces(p, duals, o, d)
        n_c = len(d.cand)
        adj = d.local_adj
        if adj is None:
            adj = [np.array([j for j in range(n_c) if j != i], dtype=np.int64) for i in range(n_c)]
        self.adj_sets = [set(int(x) for x in nb) for nb in adj]
        self.res_subsets = [
            tuple(int(d.res[k]) for k in combo)
            for r in range(len(d.res) + 1)
            for combo in combinations(range(len(d.res)), r)
        ]
        self.neg_a = np.minimum(self.pc.a, 0.0)
        self.neg_b = np.minimum(self.pc.b, 0.0)
        self.out: list[Column] = []
        self.S_set: set[int] = set()  # the members of the package being grown

    def run(self) -> list[Column]:
        d, pc = self.d, self.pc
        h = d.hub_pos
        if h < 0:
            # A site that is not a member (facility location): start empty, best value first.
            self._extend([], 0.0, 0.0, 0, ratio_order(pc.a, d.w) + rest_order(pc.a, d.w), set())
            return self.out
        self.S_set = {h}
        self._extend(
            [h], float(pc.a[h]), float(pc.b[h]), int(d.w[h]), sorted(self.adj_sets[h] - {h}), {h}
        )
        return self.out

    def _emit(self, S: list[int]) -> None:
        """Every package of members ``S`` (with each resource subset) within the gap."""
        members = self.d.cand[S]
        for res in self.res_subsets:
            col = make_column(self.p, self.o, members, res)
            if self.duals.reduced_cost(self.p, col) <= self.max_rc + 1e-6:
                self.out.append(col)
                if len(self.out) > self.limit:
                    raise EnumerationLimit(f"more than {self.limit} packages within the gap")

    def _extend(
        self, S: list[int], sa: float, sb: float, w: int, ext: list[int], forbidden: set[int]
    ) -> None:
        """Visit ``S`` (its linear pieces ``sa``, ``sb`` and households ``w`` so far) and every
        extension by ``ext``."""
        d, pc, S_set = self.d, self.pc, self.S_set
        # Lower bound over every superset reachable from here (any non-forbidden candidate).
        free = [j for j in range(len(d.cand)) if j not in forbidden and j not in S_set]
        lb = max(
            pc.a0 + sa + float(self.neg_a[free].sum()), pc.b0 + sb + float(self.neg_b[free].sum())
        )
        if lb > self.max_rc + 1e-6:
            return
        if w >= self.p.package_min_weight and S:
            self._emit(S)
        for idx, u in enumerate(ext):
            if w + int(d.w[u]) > d.max_w:
                continue
            new_forb = forbidden | set(ext[:idx])
            tail = ext[idx + 1 :]
            tail_set = set(tail)
            grown = [
                x
                for x in sorted(self.adj_sets[u])
                if x not in S_set and x != u and x not in new_forb and x not in tail_set
            ]
            S.append(u)
            S_set.add(u)
            self._extend(
                S, sa + pc.a[u], sb + pc.b[u], w + int(d.w[u]), tail + grown, new_forb | {u}
            )
            S.pop()
            S_set.discard(u)
