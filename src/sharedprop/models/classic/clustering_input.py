"""The array-level clustering problem (stage 1, the CPMP): its input, the rules a clustering
obeys, its objective and the pairs that may ever be used.

Points are grouped into clusters, each around a hub that is itself a member of its cluster.
``cost[i, h]`` is the cost of serving point i from hub h (``cost[h, h]`` is paid by the hub
itself); a cluster's total ``weight`` lies in [min_weight, max_weight]; ``hub_cost[h]`` is paid
for every open hub; ``n_clusters`` fixes their number; a point outside every cluster costs
``uncovered_cost[i]`` (None: every point must be covered). Only pairs (i, h) with
``allowed[i, h]`` exist. ``together`` / ``apart`` pairs must share / must not share a cluster;
with ``adjacency`` every cluster induces a connected subgraph. The models that solve it are in
:mod:`sharedprop.models.classic.clustering` (the route) and the modules it names.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ClusteringInput:
    """The array-level clustering problem; see the module docstring for the meaning of each field.

    ``adjacency[i]`` lists the neighbours of point i in the contiguity graph (None: no
    contiguity rule). ``together`` / ``apart`` are point pairs.
    """

    cost: np.ndarray
    weight: np.ndarray
    max_weight: int | None = None
    min_weight: int = 0
    allowed: np.ndarray | None = None
    hub_cost: np.ndarray | None = None
    can_be_hub: np.ndarray | None = None
    n_clusters: int | None = None
    uncovered_cost: np.ndarray | None = None
    adjacency: Sequence[Sequence[int]] | None = None
    together: tuple[tuple[int, int], ...] = ()
    apart: tuple[tuple[int, int], ...] = ()

    def __post_init__(self) -> None:
        cost = np.asarray(self.cost)
        if cost.ndim != 2 or cost.shape[0] != cost.shape[1]:
            raise ValueError(f"cost must be a square n×n matrix, got shape {cost.shape}")
        n = cost.shape[0]
        _check_int(cost, "cost")
        _check_int(np.asarray(self.weight), "weight", (n,))
        if np.any(np.asarray(self.weight) < 0):
            raise ValueError("weight must be non-negative")
        for name in ("hub_cost", "uncovered_cost"):
            value = getattr(self, name)
            if value is not None:
                _check_int(np.asarray(value), name, (n,))
        for name, shape in (("allowed", (n, n)), ("can_be_hub", (n,))):
            value = getattr(self, name)
            if value is not None and np.asarray(value).shape != shape:
                raise ValueError(f"{name} must have shape {shape}, got {np.asarray(value).shape}")
        if self.n_clusters is not None and not 0 <= self.n_clusters <= n:
            raise ValueError(f"n_clusters must be in [0, {n}], got {self.n_clusters}")
        if self.adjacency is not None:
            if len(self.adjacency) != n:
                raise ValueError(f"adjacency must list neighbours for all {n} points")
            for i, neighbours in enumerate(self.adjacency):
                for j in neighbours:
                    if not 0 <= int(j) < n or int(j) == i:
                        raise ValueError(f"adjacency[{i}] holds {j}, not another point index")
        for name in ("together", "apart"):
            for a, b in getattr(self, name):
                if not (0 <= a < n and 0 <= b < n) or a == b:
                    raise ValueError(f"{name} pair ({a}, {b}) must name two different points")

    @property
    def n(self) -> int:
        return int(np.asarray(self.cost).shape[0])


def _check_int(array: np.ndarray, name: str, shape: tuple[int, ...] | None = None) -> None:
    if shape is not None and array.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {array.shape}")
    if (
        array.size
        and not np.issubdtype(array.dtype, np.integer)
        and (not np.all(np.isfinite(array)) or not np.array_equal(array, np.round(array)))
    ):
        raise ValueError(f"{name} must hold integers (scale money before calling)")


# -- checking a solution ----------------------------------------------------------------------
def clustering_violations(inp: ClusteringInput, hub_of: np.ndarray) -> list[str]:
    """Every rule ``hub_of`` breaks, in words (empty when it is a feasible clustering)."""
    n = inp.n
    hub_of = np.asarray(hub_of, dtype=np.int64)
    if hub_of.shape != (n,):
        return [f"hub_of must have length {n}, got {hub_of.shape}"]
    problems: list[str] = []
    weight = np.asarray(inp.weight, dtype=np.int64)
    allowed = None if inp.allowed is None else np.asarray(inp.allowed, dtype=bool)
    can_be_hub = None if inp.can_be_hub is None else np.asarray(inp.can_be_hub, dtype=bool)
    hubs = sorted({int(h) for h in hub_of if h >= 0})
    for i, h in enumerate(hub_of):
        if h < -1 or h >= n:
            problems.append(f"point {i} has hub {h}, not a point index")
        elif h == -1 and inp.uncovered_cost is None:
            problems.append(f"point {i} is uncovered but every point must be covered")
        elif h >= 0 and hub_of[h] != h:
            problems.append(f"point {i} joins {h}, which is not a hub of its own cluster")
        elif h >= 0 and allowed is not None and not allowed[i, h]:
            problems.append(f"point {i} may not join hub {h}")
    if problems:
        return problems
    for h in hubs:
        if can_be_hub is not None and not can_be_hub[h]:
            problems.append(f"point {h} may not be a hub")
        members = np.flatnonzero(hub_of == h)
        load = int(weight[members].sum())
        if inp.max_weight is not None and load > inp.max_weight:
            problems.append(f"cluster of hub {h} weighs {load} > max {inp.max_weight}")
        if load < inp.min_weight:
            problems.append(f"cluster of hub {h} weighs {load} < min {inp.min_weight}")
        if inp.adjacency is not None and not _connected(inp.adjacency, set(members.tolist()), h):
            problems.append(f"cluster of hub {h} is not connected")
    if inp.n_clusters is not None and len(hubs) != inp.n_clusters:
        problems.append(f"{len(hubs)} clusters, expected exactly {inp.n_clusters}")
    for a, b in inp.together:
        if hub_of[a] != hub_of[b]:
            problems.append(f"points {a} and {b} must share a cluster")
    for a, b in inp.apart:
        if hub_of[a] >= 0 and hub_of[a] == hub_of[b]:
            problems.append(f"points {a} and {b} must not share a cluster")
    return problems


def _connected(adjacency: Sequence[Sequence[int]], members: set[int], start: int) -> bool:
    seen = {start}
    queue = deque([start])
    while queue:
        u = queue.popleft()
        for v in adjacency[u]:
            v = int(v)
            if v in members and v not in seen:
                seen.add(v)
                queue.append(v)
    return seen == members


def clustering_objective(inp: ClusteringInput, hub_of: np.ndarray) -> int | None:
    """The objective of a feasible ``hub_of``; None when it breaks a rule."""
    if clustering_violations(inp, hub_of):
        return None
    hub_of = np.asarray(hub_of, dtype=np.int64)
    cost = np.asarray(inp.cost, dtype=np.int64)
    covered = np.flatnonzero(hub_of >= 0)
    total = int(cost[covered, hub_of[covered]].sum())
    if inp.hub_cost is not None:
        hubs = np.flatnonzero(hub_of == np.arange(inp.n))
        total += int(np.asarray(inp.hub_cost, dtype=np.int64)[hubs].sum())
    if inp.uncovered_cost is not None:
        total += int(np.asarray(inp.uncovered_cost, dtype=np.int64)[hub_of < 0].sum())
    return total


# -- preprocessing ------------------------------------------------------------------------------
def candidate_pairs(inp: ClusteringInput) -> np.ndarray:
    """``pair[i, h]``: point i may be in hub h's cluster (diagonal: h may open), before any
    bound."""
    n = inp.n
    weight = np.asarray(inp.weight, dtype=np.int64)
    pair = (
        np.ones((n, n), dtype=bool) if inp.allowed is None else np.asarray(inp.allowed, bool).copy()
    )
    hub_ok = np.diag(pair).copy()
    if inp.can_be_hub is not None:
        hub_ok &= np.asarray(inp.can_be_hub, dtype=bool)
    if inp.max_weight is not None:
        hub_ok &= weight <= inp.max_weight
        pair &= weight[:, None] + weight[None, :] <= inp.max_weight
    pair &= hub_ok[None, :]
    np.fill_diagonal(pair, hub_ok)
    if inp.adjacency is not None:
        for h in np.flatnonzero(hub_ok):
            reachable = _reachable(inp.adjacency, pair[:, h], int(h))
            pair[:, h] &= reachable
    return pair


def _reachable(adjacency: Sequence[Sequence[int]], inside: np.ndarray, start: int) -> np.ndarray:
    seen = np.zeros(len(inside), dtype=bool)
    seen[start] = True
    queue = deque([start])
    while queue:
        u = queue.popleft()
        for v in adjacency[u]:
            v = int(v)
            if inside[v] and not seen[v]:
                seen[v] = True
                queue.append(v)
    return seen


def largest_objective(inp: ClusteringInput) -> int:
    """No clustering costs more than this: every point at its dearest option, every hub open."""
    dearest = np.abs(np.asarray(inp.cost, dtype=np.int64)).max(axis=1)
    if inp.uncovered_cost is not None:
        dearest = np.maximum(dearest, np.abs(np.asarray(inp.uncovered_cost, dtype=np.int64)))
    hubs = 0 if inp.hub_cost is None else int(np.abs(np.asarray(inp.hub_cost, np.int64)).sum())
    return int(dearest.sum()) + hubs
