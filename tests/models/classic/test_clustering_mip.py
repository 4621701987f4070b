"""The clustering MIP on HiGHS (``ClusteringMip``) against exhaustive enumeration."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from sharedprop.models.classic.clustering_input import (
    ClusteringInput,
    candidate_pairs,
    clustering_objective,
)
from sharedprop.models.classic.clustering_mip import ClusteringMip
from tests.models.clustering_cases import brute_force, clustering_inputs

SETTINGS = settings(
    max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


@SETTINGS
@given(clustering_inputs(contiguity=False))
def test_the_mip_finds_the_optimum_that_enumeration_finds(inp):
    expected = brute_force(inp)
    outcome = ClusteringMip(inp, candidate_pairs(inp), at_most=None, time_limit=20).solve()
    if expected is None:
        assert outcome.status == "infeasible"
        return
    assert outcome.status == "optimal"
    assert outcome.objective == expected == outcome.bound
    assert clustering_objective(inp, outcome.hub_of) == expected


@SETTINGS
@given(clustering_inputs(contiguity=False))
def test_a_cut_off_one_below_the_optimum_leaves_nothing(inp):
    """The proof below an incumbent: nothing costs at most (optimum − 1)."""
    expected = brute_force(inp)
    if expected is None:
        return
    outcome = ClusteringMip(
        inp, candidate_pairs(inp), at_most=expected - 1, time_limit=20, heuristics=False
    ).solve()
    assert outcome.status == "infeasible"
    assert outcome.hub_of is None


def test_a_start_outside_the_model_is_ignored_and_the_optimum_still_found():
    cost = np.array([[0, 1, 5], [1, 0, 5], [5, 5, 0]])
    inp = ClusteringInput(cost=cost, weight=np.ones(3, dtype=int), max_weight=2, n_clusters=2)
    pair = candidate_pairs(inp)
    pair[1, 2] = False
    start = np.array([0, 2, 2])  # uses the pair (1, 2), which the model does not hold
    outcome = ClusteringMip(inp, pair, at_most=None, start=start, time_limit=10).solve()
    assert (outcome.status, outcome.objective) == ("optimal", 1)


def test_contiguity_is_refused_with_the_reason():
    inp = ClusteringInput(
        cost=np.zeros((2, 2), dtype=int), weight=np.ones(2, dtype=int), adjacency=[[1], [0]]
    )
    with pytest.raises(ValueError, match="the MIP has no contiguity rows"):
        ClusteringMip(inp, candidate_pairs(inp), at_most=None, time_limit=1)
