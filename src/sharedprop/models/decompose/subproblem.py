"""Part of a problem as a problem of its own, with the maps between the two.

Street by street (:mod:`sharedprop.models.decompose.streets`) and region search
(:mod:`sharedprop.models.decompose.regions`) both solve a subset of the communities with what the
rest of
the plan leaves: some options, each firm's remaining capacity and packages, the free resources.
Communities are renumbered 0..len-1 in ascending order, so sorted candidate lists stay sorted;
firm and resource indices stay the whole problem's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from sharedprop.models.core.columns import Column, make_column
from sharedprop.models.core.problem import Problem


@dataclass(frozen=True)
class SubProblem:
    """A part of a problem as a problem of its own, with the maps back to the whole."""

    problem: Problem
    community: np.ndarray  # sub community index → full index (ascending)
    option: np.ndarray  # sub option index → full option index

    def to_full(self, full: Problem, col: Column) -> Column:
        return make_column(
            full,
            int(self.option[col.option]),
            self.community[list(col.members)],
            col.resources,
        )

    @cached_property
    def _sub_option(self) -> dict[int, int]:
        return {int(g): k for k, g in enumerate(self.option)}

    @cached_property
    def _sub_community(self) -> dict[int, int]:
        return {int(g): k for k, g in enumerate(self.community)}

    def to_sub(self, col: Column) -> Column | None:
        """A whole-problem package in the sub-problem's terms, or None if it does not fit there
        (a member outside, its option absent, a resource not available)."""
        where, local = self._sub_option, self._sub_community
        o = where.get(col.option)
        if o is None or not all(i in local for i in col.members):
            return None
        if not set(col.resources) <= set(map(int, self.problem.options[o].resources)):
            return None
        return make_column(self.problem, o, [local[i] for i in col.members], col.resources)


def sub_problem(
    p: Problem,
    community: np.ndarray,
    options: Iterable[int],
    capacity: np.ndarray,
    max_packages: np.ndarray,
    free_resources: np.ndarray,
    min_covered_weight: int = 0,
) -> SubProblem:
    """The problem over the ascending ``community`` indices with the given ``options`` (their
    candidates cut to those communities), firm limits, free resources and the households its
    packages must hold (its share of the coverage floor)."""
    community = np.asarray(community, dtype=np.int64)
    local = np.full(p.n, -1, dtype=np.int64)
    local[community] = np.arange(len(community))
    kept, option_map = [], []
    for o in options:
        opt = p.options[int(o)]
        keep = local[opt.candidates] >= 0
        kept.append(
            replace(
                opt,
                hub=int(local[opt.hub]) if opt.hub >= 0 else -1,
                candidates=local[opt.candidates[keep]],
                member_cost=opt.member_cost[keep],
                resources=opt.resources[free_resources[opt.resources]],
            )
        )
        option_map.append(int(o))
    adjacency = None
    if p.adjacency is not None:
        adjacency = tuple(
            np.sort(local[a][local[a] >= 0]) for a in (p.adjacency[i] for i in community)
        )
    sub = replace(
        p,
        weight=p.weight[community],
        revenue=p.revenue[community],
        uncovered_cost=p.uncovered_cost[community],
        must_cover=p.must_cover[community],
        firm_capacity=np.maximum(np.asarray(capacity, dtype=np.int64), 0),
        firm_max_packages=np.maximum(np.asarray(max_packages, dtype=np.int64), 0),
        options=tuple(kept),
        adjacency=adjacency,
        street=p.street[community] if p.street is not None else None,
        min_covered_weight=max(0, int(min_covered_weight)),
    )
    return SubProblem(sub, community, np.asarray(option_map, dtype=np.int64))
