"""Columns one move away from a plan: the primal side of the joint model.

Column generation prices packages that help the LP, which is not the same as packages that
make a good *integer* plan. So around the incumbent we add every package one local move away —
a member added (a graph neighbour of the package) or removed (keeping it connected), the hub
moved to another member, the package handed to another firm, or two neighbouring packages
merged — and let the CP-SAT master recombine them. Repeating this is a large-neighbourhood
search whose neighbourhood the master explores exactly.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from sharedprop.models.core.columns import Column, best_resources, make_column
from sharedprop.models.core.problem import Problem, is_connected

# Packages remembered by a NeighbourhoodBuilder before it forgets them all (memory: a package
# is a few hundred bytes).
MAX_REMEMBERED = 200_000


class NeighbourhoodBuilder:
    def __init__(self, problem: Problem) -> None:
        self.p = problem
        self.by_pair: dict[tuple[int, int], int] = {
            (o.firm, o.hub): j for j, o in enumerate(problem.options)
        }
        self.by_hub: dict[int, list[int]] = defaultdict(list)
        for j, o in enumerate(problem.options):
            self.by_hub[o.hub].append(j)
        self._cand = [set(int(c) for c in o.candidates) for o in problem.options]
        # The local search asks for the neighbours of nearly the same incumbent round after
        # round, and most moves are rejected by the same rules each time: a package is built
        # (and checked) once. Region solves spent about a sixth of their time here without it.
        self._made: dict[tuple[int, frozenset[int]], list[Column]] = {}

    def _make(self, o: int, members: set[int]) -> list[Column]:
        """The package (with its best resources, and without any) if it obeys the rules."""
        key = (o, frozenset(members))
        made = self._made.get(key)
        if made is None:
            if len(self._made) >= MAX_REMEMBERED:
                self._made.clear()
            made = self._made[key] = self._build(o, members)
        return made

    def _build(self, o: int, members: set[int]) -> list[Column]:
        p = self.p
        opt = p.options[o]
        if not members or (opt.hub >= 0 and opt.hub not in members):
            return []
        if not members <= self._cand[o]:
            return []
        w = int(p.weight[list(members)].sum())
        if p.package_max_weight is not None and w > p.package_max_weight:
            return []
        if w < p.package_min_weight or w > p.firm_capacity[opt.firm]:
            return []
        if not is_connected(p.adjacency, members):
            return []
        base = make_column(p, o, members)
        out = [base]
        deficit = (1 + opt.margin) * base.cost - float(p.revenue[list(base.members)].sum())
        res = best_resources(p, o, deficit)
        if res:
            out.append(make_column(p, o, base.members, res))
        return out

    def around(self, cols: list[Column]) -> list[Column]:
        p = self.p
        out: list[Column] = []
        covered_by: dict[int, int] = {}
        for k, c in enumerate(cols):
            for i in c.members:
                covered_by[i] = k
        for k, c in enumerate(cols):
            opt = p.options[c.option]
            S = set(c.members)
            # another firm, or another hub, for the same members
            for h in S:
                for o2 in self.by_hub.get(h, []):
                    if o2 != c.option:
                        out += self._make(o2, S)
            # add a neighbour
            if p.adjacency is not None:
                frontier = {int(b) for a in S for b in p.adjacency[a]} - S
            else:
                frontier = self._cand[c.option] - S
            for j in frontier:
                out += self._make(c.option, S | {j})
            # drop a member (not the hub)
            for j in S:
                if j != opt.hub:
                    out += self._make(c.option, S - {j})
            # merge with a neighbouring package (keeps this package's option)
            seen_k: set[int] = set()
            for j in frontier:
                k2 = covered_by.get(j)
                if k2 is not None and k2 != k and k2 not in seen_k:
                    seen_k.add(k2)
                    out += self._make(c.option, S | set(cols[k2].members))
        return out


def uncovered(problem: Problem, cols: list[Column]) -> np.ndarray:
    covered = np.zeros(problem.n, dtype=bool)
    for c in cols:
        covered[list(c.members)] = True
    return np.flatnonzero(~covered)
