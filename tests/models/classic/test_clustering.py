"""Capacitated clustering (``solve_clustering``) against exhaustive enumeration.

The reference enumerates every ``hub_of`` vector of a tiny instance (at most 5 points, so at
most 6^5 = 7,776 vectors) and checks each rule with its own code, networkx for contiguity, so
that it shares nothing with the model but the meaning of the fields.
"""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sharedprop.models.classic.clustering import (
    ClusteringInput,
    clustering_objective,
    clustering_violations,
    solve_clustering,
)

SETTINGS = settings(
    max_examples=30, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


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
def clustering_inputs(draw):
    n = draw(st.integers(1, 5))
    cost = np.array(draw(st.lists(st.integers(0, 20), min_size=n * n, max_size=n * n)))
    cost = cost.reshape(n, n)
    weight = np.array(draw(st.lists(st.integers(1, 6), min_size=n, max_size=n)))

    def maybe(strategy):
        return draw(st.one_of(st.none(), strategy))

    allowed = maybe(st.lists(st.booleans(), min_size=n * n, max_size=n * n))
    adjacency = None
    if draw(st.booleans()):
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


@SETTINGS
@given(clustering_inputs(), st.booleans())
def test_optimal_status_and_value_agree_with_enumerating_every_clustering(inp, use_bound):
    """With and without the Lagrangian bound, heuristic and reduction (``use_bound``)."""
    expected = brute_force(inp)
    result = solve_clustering(inp, time_limit=20, workers=1, use_bound=use_bound)
    if expected is None:
        assert result.status == "infeasible"
        assert result.objective is None
        return
    assert result.status == "optimal"
    assert result.objective == expected == result.bound
    assert reference_value(inp, tuple(int(h) for h in result.hub_of)) == expected


def _path_input(**kwargs) -> ClusteringInput:
    """Four points on a path 0–1–2–3; serving the other end of the path is cheap, next door dear."""
    cost = np.array([[0, 9, 1, 9], [9, 0, 9, 1], [1, 9, 0, 9], [9, 1, 9, 0]])
    return ClusteringInput(cost=cost, weight=np.ones(4, dtype=int), **kwargs)


def test_contiguity_keeps_each_cluster_connected_even_when_that_costs_more():
    free = solve_clustering(_path_input(n_clusters=2, max_weight=2), time_limit=10, workers=1)
    assert sorted(free.hub_of.tolist()) in ([0, 0, 1, 1], [1, 1, 3, 3], [0, 0, 3, 3], [1, 1, 2, 2])
    assert free.objective == 2  # {0, 2} and {1, 3}: not paths, but no contiguity asked
    path = [[1], [0, 2], [1, 3], [2]]
    joined = solve_clustering(
        _path_input(n_clusters=2, max_weight=2, adjacency=path), time_limit=10, workers=1
    )
    assert joined.status == "optimal"
    assert joined.objective == 18  # {0, 1} and {2, 3}
    assert joined.hub_of[0] == joined.hub_of[1] != joined.hub_of[2] == joined.hub_of[3]


def test_exactly_p_clusters_each_within_the_capacity():
    """Six points with weight 2, capacity 4 and p = 3: three pairs, no cluster of one."""
    rng = np.random.default_rng(7)
    xy = rng.integers(0, 100, size=(6, 2))
    cost = np.floor(np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))).astype(int)
    inp = ClusteringInput(cost=cost, weight=np.full(6, 2), max_weight=4, n_clusters=3)
    result = solve_clustering(inp, time_limit=10, workers=1)
    assert result.status == "optimal"
    sizes = sorted(np.bincount(result.hub_of, minlength=6)[np.unique(result.hub_of)].tolist())
    assert sizes == [2, 2, 2]
    assert result.objective == brute_force(inp)


def test_a_point_outside_every_allowed_cluster_is_infeasible_without_an_uncovered_cost():
    allowed = np.array([[True, False], [False, False]])
    inp = ClusteringInput(cost=np.zeros((2, 2), dtype=int), weight=np.ones(2), allowed=allowed)
    assert solve_clustering(inp, time_limit=5, workers=1).status == "infeasible"


def test_one_worker_and_a_seed_repeat_the_same_clustering():
    rng = np.random.default_rng(11)
    cost = rng.integers(0, 40, size=(12, 12))
    np.fill_diagonal(cost, 0)
    inp = ClusteringInput(cost=cost, weight=rng.integers(1, 5, 12), max_weight=10, n_clusters=3)
    runs = [solve_clustering(inp, time_limit=20, workers=1, seed=4) for _ in range(2)]
    assert runs[0].status == "optimal"
    assert runs[0].hub_of.tolist() == runs[1].hub_of.tolist()


def test_a_feasible_hint_is_kept_when_the_search_finds_nothing_better():
    inp = _path_input(n_clusters=2, max_weight=2)
    hint = np.array([0, 1, 0, 1])
    result = solve_clustering(inp, time_limit=5, workers=1, hint=hint)
    assert result.objective == clustering_objective(inp, hint) == 2


def test_violations_are_named_in_words():
    inp = _path_input(n_clusters=1, max_weight=3, adjacency=[[1], [0, 2], [1, 3], [2]])
    problems = clustering_violations(inp, np.array([0, 0, 0, 0]))
    assert problems == ["cluster of hub 0 weighs 4 > max 3"]
    problems = clustering_violations(inp, np.array([0, 0, 0, 1]))
    assert problems == ["point 3 joins 1, which is not a hub of its own cluster"]
    inp = _path_input(n_clusters=2, adjacency=[[1], [0, 2], [1, 3], [2]])
    problems = clustering_violations(inp, np.array([0, 1, 0, 1]))
    assert problems == ["cluster of hub 0 is not connected", "cluster of hub 1 is not connected"]
    assert clustering_objective(inp, np.array([0, 1, 0, 1])) is None


def test_a_cost_matrix_that_is_not_square_is_refused():
    with pytest.raises(ValueError, match=r"cost must be a square n×n matrix, got shape \(2, 3\)"):
        ClusteringInput(cost=np.zeros((2, 3), dtype=int), weight=np.ones(2, dtype=int))


def test_adjacency_naming_a_point_that_does_not_exist_is_refused():
    with pytest.raises(ValueError, match=r"adjacency\[1\] holds 5, not another point index"):
        ClusteringInput(
            cost=np.zeros((2, 2), dtype=int), weight=np.ones(2, dtype=int), adjacency=[[1], [5]]
        )


def test_one_worker_repeats_exactly_even_when_every_budget_runs_out():
    """60 random points, p = 5, tight capacity and a 2 s limit: the restricted search and the
    final search stop on their budgets (the run ends unproven), which one worker measures in
    deterministic work, so the two runs still agree."""
    rng = np.random.default_rng(5)
    xy = rng.integers(0, 100, size=(60, 2))
    cost = np.floor(np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))).astype(int)
    weight = rng.integers(1, 10, 60)
    inp = ClusteringInput(
        cost=cost, weight=weight, max_weight=int(weight.sum() * 0.21), n_clusters=5
    )
    runs = [solve_clustering(inp, time_limit=2, workers=1, seed=1) for _ in range(2)]
    assert runs[0].status == "feasible"  # the budgets did run out
    assert runs[0].hub_of.tolist() == runs[1].hub_of.tolist()
    assert (runs[0].objective, runs[0].bound) == (runs[1].objective, runs[1].bound)


def test_two_workers_prove_the_same_optimum_as_one_with_highs_beside_cp_sat():
    """40 points, p = 4, capacity 6 % above the demand: the Lagrangian bound does not close the
    gap, so the proof below the incumbent runs — with two workers as CP-SAT and HiGHS side by
    side, with one as CP-SAT alone — and both must end at the same proven optimum."""
    rng = np.random.default_rng(0)
    xy = rng.integers(0, 100, size=(40, 2))
    cost = np.floor(np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))).astype(int)
    weight = rng.integers(1, 20, 40)
    inp = ClusteringInput(
        cost=cost, weight=weight, max_weight=int(np.ceil(weight.sum() * 1.06 / 4)), n_clusters=4
    )
    pair = solve_clustering(inp, time_limit=30, workers=2, seed=1)
    alone = solve_clustering(inp, time_limit=30, workers=1, seed=1)
    assert pair.status == alone.status == "optimal"
    assert pair.objective == alone.objective == pair.bound
    assert pair.stats.proved_by is not None
    assert clustering_objective(inp, pair.hub_of) == pair.objective
