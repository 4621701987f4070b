"""Capacitated clustering (``solve_clustering``) against exhaustive enumeration
(``tests/models/clustering_cases.py``)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sharedprop.models.classic.clustering import ClusteringParams, solve_clustering
from sharedprop.models.classic.clustering_input import (
    ClusteringInput,
    clustering_objective,
    clustering_violations,
)
from tests.models.clustering_cases import brute_force, clustering_inputs, reference_value

SETTINGS = settings(
    max_examples=30, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
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


@SETTINGS
@given(clustering_inputs(contiguity=False))
def test_highs_on_the_wall_clock_proves_the_same_optimum_as_enumerating(inp):
    """``deterministic=False`` with one worker: the proof below the incumbent is HiGHS's alone."""
    expected = brute_force(inp)
    result = solve_clustering(inp, time_limit=20, workers=1, deterministic=False)
    if expected is None:
        assert result.status == "infeasible"
        return
    assert result.status == "optimal"
    assert result.objective == expected == result.bound
    assert clustering_objective(inp, result.hub_of) == expected
    assert result.stats.prover in (None, "HiGHS")


def _capacitated_median(seed: int, n: int, p: int, slack: float) -> ClusteringInput:
    rng = np.random.default_rng(seed)
    xy = rng.integers(0, 100, size=(n, 2))
    cost = np.floor(np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))).astype(int)
    weight = rng.integers(1, 20, n)
    capacity = int(np.ceil(weight.sum() * slack / p))
    return ClusteringInput(cost=cost, weight=weight, max_weight=capacity, n_clusters=p)


def test_the_mip_route_with_one_wall_clock_worker_proves_an_optimal_hint_with_highs_alone():
    """40 points, p = 4: the Lagrangian bound (803.9) stays below the optimum, so proving the
    hint optimal needs the search below it, which one wall-clock worker gives to HiGHS."""
    inp = _capacitated_median(0, 40, 4, 1.06)
    alone = solve_clustering(inp, time_limit=30, workers=1, seed=1)  # deterministic: CP-SAT
    assert alone.status == "optimal"
    result = solve_clustering(
        inp, time_limit=30, workers=1, seed=1, deterministic=False, hint=alone.hub_of
    )
    assert (result.status, result.objective) == ("optimal", alone.objective)
    assert result.stats.lagrangian is not None and result.stats.lagrangian < alone.objective - 1
    assert result.stats.prover == "HiGHS"
    assert result.stats.proved_by == "HiGHS: nothing costs less than the incumbent"


def test_parameters_out_of_range_are_refused_by_name():
    with pytest.raises(ValueError, match=r"workers must be at least 1, got 0"):
        ClusteringParams(workers=0)
    with pytest.raises(ValueError, match=r"lns_share must be a fraction in \[0, 1\], got 1.5"):
        ClusteringParams(lns_share=1.5)
    with pytest.raises(ValueError, match=r"time_limit must be a finite number ≥ 0, got inf"):
        ClusteringParams(time_limit=float("inf"))


def test_statistics_list_only_what_the_phases_set():
    inp = _path_input(n_clusters=2, max_weight=2)
    stats = solve_clustering(inp, time_limit=5, workers=1).stats.as_dict()
    assert stats["pairs"] == 16 and "proved_by" in stats
    assert all(value is not None for value in stats.values())
