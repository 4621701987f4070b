"""Clustering cases for the tests of ``solve_clustering`` and its models: tiny random inputs
(hypothesis) and their optimum by enumerating every ``hub_of`` vector.

The reference enumerates every ``hub_of`` vector of a tiny instance (at most 5 points, so at
most 6^5 = 7,776 vectors) and checks each rule with its own code, networkx for contiguity, so
that it shares nothing with the models but the meaning of the fields.
"""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
from hypothesis import strategies as st

from sharedprop.models.classic.clustering_input import ClusteringInput


def reference_value(inp: ClusteringInput, hub_of: tuple[int, ...]) -> int | None:
    """The objective of ``hub_of`` if it obeys every rule, else None (independent of the model)."""
    n = inp.n
    hubs = {h for h in hub_of if h >= 0}
    if any(hub_of[h] != h for h in hubs):
        return None
    if inp.n_clusters is not None and len(hubs) != inp.n_clusters:
        return None
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    if inp.adjacency is not None:
        graph.add_edges_from((i, int(j)) for i in range(n) for j in inp.adjacency[i])
    total = 0
    for i, h in enumerate(hub_of):
        if h < 0:
            if inp.uncovered_cost is None:
                return None
            total += int(inp.uncovered_cost[i])
            continue
        if inp.allowed is not None and not inp.allowed[i, h]:
            return None
        total += int(inp.cost[i, h])
    for h in hubs:
        if inp.can_be_hub is not None and not inp.can_be_hub[h]:
            return None
        members = [i for i in range(n) if hub_of[i] == h]
        load = int(sum(inp.weight[i] for i in members))
        if inp.max_weight is not None and load > inp.max_weight:
            return None
        if load < inp.min_weight:
            return None
        if inp.adjacency is not None and not nx.is_connected(graph.subgraph(members)):
            return None
        if inp.hub_cost is not None:
            total += int(inp.hub_cost[h])
    if any(hub_of[a] != hub_of[b] for a, b in inp.together):
        return None
    if any(hub_of[a] >= 0 and hub_of[a] == hub_of[b] for a, b in inp.apart):
        return None
    return total


def brute_force(inp: ClusteringInput) -> int | None:
    values = [
        v
        for hub_of in itertools.product(range(-1, inp.n), repeat=inp.n)
        if (v := reference_value(inp, hub_of)) is not None
    ]
    return min(values) if values else None


@st.composite
def clustering_inputs(draw, contiguity: bool = True):
    n = draw(st.integers(1, 5))
    cost = np.array(draw(st.lists(st.integers(0, 20), min_size=n * n, max_size=n * n)))
    cost = cost.reshape(n, n)
    weight = np.array(draw(st.lists(st.integers(1, 6), min_size=n, max_size=n)))

    def maybe(strategy):
        return draw(st.one_of(st.none(), strategy))

    allowed = maybe(st.lists(st.booleans(), min_size=n * n, max_size=n * n))
    adjacency = None
    if contiguity and draw(st.booleans()):
        edges = [e for e in itertools.combinations(range(n), 2) if draw(st.booleans())]
        adjacency = [[b if a == i else a for a, b in edges if i in (a, b)] for i in range(n)]
    pairs = st.lists(
        st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda p: p[0] != p[1]),
        max_size=1,
    )
    return ClusteringInput(
        cost=cost,
        weight=weight,
        max_weight=maybe(st.integers(2, 14)),
        min_weight=draw(st.sampled_from([0, 0, 2, 5])),
        allowed=None if allowed is None else np.array(allowed).reshape(n, n),
        hub_cost=maybe(st.lists(st.integers(0, 10), min_size=n, max_size=n).map(np.array)),
        can_be_hub=maybe(st.lists(st.booleans(), min_size=n, max_size=n).map(np.array)),
        n_clusters=maybe(st.integers(1, n)),
        uncovered_cost=maybe(st.lists(st.integers(0, 30), min_size=n, max_size=n).map(np.array)),
        adjacency=adjacency,
        together=tuple(draw(pairs)) if n > 1 else (),
        apart=tuple(draw(pairs)) if n > 1 else (),
    )
