"""The parts a city splits into: streets, or regions of the proximity graph.

A *part* owns the options whose hub lies in it. With ``cross_streets = false`` the parts are the
streets: every option's candidates share its hub's street, so a package never leaves its part
and the parts meet only through the firms and the resources. With ``cross_streets = true`` an
option's candidates may lie outside its hub's part; the parts are then connected regions of
the proximity graph of about a street's size (breadth-first growth from seeds), and the
communities that some option of another part may take are the part's *halo*: a package of the
part may hold them, and a package of another part may too.

Both the plan search (:mod:`sharedprop.models.decompose.city`) and the bound
(:mod:`sharedprop.models.decompose.prices`) work part by part.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from sharedprop.models.core.problem import Problem

# A region of the proximity graph holds about this many communities (a generated street's size).
REGION_SIZE = 40


@dataclass(frozen=True)
class Part:
    """One street or region: its own communities, its options, and the communities outside it
    that its options may take (``halo``; empty for a street). Indices are the whole problem's."""

    index: int
    members: np.ndarray  # ascending
    options: np.ndarray
    halo: np.ndarray  # ascending, disjoint from ``members``

    @property
    def communities(self) -> np.ndarray:
        """Every community a package of the part may hold, ascending."""
        if not len(self.halo):
            return self.members
        return np.union1d(self.members, self.halo)


def parts_of(problem: Problem, region_size: int = REGION_SIZE) -> list[Part] | None:
    """The streets when no option's candidates leave its hub's street, else regions of the
    graph; None when there are fewer than two parts or an option has no member hub."""
    p = problem
    if not p.options or any(o.hub < 0 for o in p.options):
        return None
    streets = p.street if p.street is not None else np.zeros(p.n, dtype=np.int64)
    if _within_streets(p, streets) and len(np.unique(streets)) >= 2:
        label = streets
    else:
        label = region_labels(p, region_size)
    parts = _parts_by_label(p, label)
    return parts if len(parts) >= 2 else None


def _within_streets(p: Problem, streets: np.ndarray) -> bool:
    return all(bool(np.all(streets[o.candidates] == streets[o.hub])) for o in p.options)


def region_labels(problem: Problem, size: int) -> np.ndarray:
    """A region per community: connected pieces of the proximity graph of about ``size``
    communities, grown breadth first from the lowest unassigned community (repeatable); a
    region smaller than half ``size`` joins a neighbouring one when it has one."""
    p = problem
    label = np.full(p.n, -1, dtype=np.int64)
    adjacency = p.adjacency if p.adjacency is not None else _option_graph(p)
    next_label = 0
    for seed in range(p.n):
        if label[seed] >= 0:
            continue
        queue, count = deque([seed]), 0
        label[seed] = next_label
        while queue and count < size:
            i = queue.popleft()
            count += 1
            for b in adjacency[i].tolist():
                if label[b] < 0 and count + len(queue) < size:
                    label[b] = next_label
                    queue.append(b)
        next_label += 1
    return _merge_small(label, adjacency, size // 2)


def _option_graph(p: Problem) -> tuple[np.ndarray, ...]:
    """Without a contiguity rule: communities are neighbours when one is a candidate of an
    option hubbed at the other."""
    nbrs: list[set[int]] = [set() for _ in range(p.n)]
    for o in p.options:
        for c in o.candidates.tolist():
            if c != o.hub:
                nbrs[o.hub].add(c)
                nbrs[c].add(o.hub)
    return tuple(np.array(sorted(s), dtype=np.int64) for s in nbrs)


def _merge_small(label: np.ndarray, adjacency: tuple[np.ndarray, ...], least: int) -> np.ndarray:
    sizes = np.bincount(label)
    for r in np.flatnonzero(sizes < least).tolist():
        members = np.flatnonzero(label == r)
        near = {int(label[b]) for i in members.tolist() for b in adjacency[i].tolist()} - {r}
        if near:
            target = min(near, key=lambda q: (sizes[q], q))
            label[members] = target
            sizes[target] += sizes[r]
            sizes[r] = 0
    _, dense = np.unique(label, return_inverse=True)
    return dense.astype(np.int64)


def _parts_by_label(p: Problem, label: np.ndarray) -> list[Part]:
    hub = np.array([o.hub for o in p.options], dtype=np.int64)
    by_label = np.argsort(label[hub], kind="stable")
    bounds = np.searchsorted(label[hub][by_label], np.arange(int(label.max()) + 2))
    parts = []
    for r in range(int(label.max()) + 1):
        options = by_label[bounds[r] : bounds[r + 1]].astype(np.int64)
        members = np.flatnonzero(label == r)
        if not len(options) and not len(members):
            continue
        reach = (
            np.unique(np.concatenate([p.options[int(j)].candidates for j in options]))
            if len(options)
            else np.zeros(0, dtype=np.int64)
        )
        halo = reach[label[reach] != r]
        parts.append(Part(len(parts), members, options, halo.astype(np.int64)))
    return parts


def part_reach(problem: Problem, part: Part) -> tuple[np.ndarray, np.ndarray]:
    """The firms and the resources the options of a part can use (ascending)."""
    p = problem
    if not len(part.options):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    firms = np.unique([p.options[int(j)].firm for j in part.options])
    res = [p.options[int(j)].resources for j in part.options]
    resources = np.unique(np.concatenate(res)) if res else np.zeros(0, dtype=np.int64)
    return firms.astype(np.int64), resources.astype(np.int64)
