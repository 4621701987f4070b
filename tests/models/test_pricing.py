"""Pricing must be exact where it claims to be, and its bounds must be valid.

Fixture: the shipped xiamen-pilot instance (29 communities, 94 options) with duals from an LP
over single-community packages, perturbed at random and given three subset-row cuts, so that
packages of many sizes have negative reduced cost.
"""

from dataclasses import replace

import numpy as np
import pytest

from sharedprop.models.enumeration import best_by_search, enumerate_option
from sharedprop.models.pricing import PricingCache, exact_price, relaxation_bound
from sharedprop.models.relaxation import FlatOptions
from tests.models.pilot_duals import pilot_duals


@pytest.fixture(scope="module")
def priced():
    return pilot_duals(7)


def test_the_vectorised_bounds_equal_the_per_option_reference(priced) -> None:
    problem, duals = priced
    cache = PricingCache(problem)
    per_option = [relaxation_bound(problem, duals, o, cache) for o in range(len(problem.options))]
    assert np.allclose(FlatOptions(problem).bounds(duals), per_option, atol=1e-6)


def test_branch_and_bound_and_cpsat_pricing_find_the_same_best_reduced_cost(priced) -> None:
    problem, duals = priced
    cache = PricingCache(problem)
    for o in range(0, len(problem.options), 3):
        found = best_by_search(problem, duals, o, cache, node_limit=200_000)
        cp = exact_price(problem, duals, o, cache, time_limit=10, search_nodes=0)
        assert cp.proven
        assert found is not None and cp.reduced_cost is not None
        assert found[2] == pytest.approx(cp.reduced_cost, abs=1e-6)
        assert cp.lower_bound <= found[2] + 1e-6


def test_relaxation_bounds_never_exceed_the_exact_reduced_cost(priced) -> None:
    problem, duals = priced
    cache = PricingCache(problem)
    bounds = FlatOptions(problem).bounds(duals)
    for o in range(len(problem.options)):
        found = best_by_search(problem, duals, o, cache, node_limit=200_000)
        assert found is not None
        assert bounds[o] <= found[2] + 1e-6


def test_enumeration_returns_every_package_within_the_threshold_and_no_other(priced) -> None:
    problem, duals = priced
    cache = PricingCache(problem)
    o = 0
    best = best_by_search(problem, duals, o, cache, node_limit=200_000)
    assert best is not None
    threshold = best[2] + 20_000.0
    cols = enumerate_option(problem, duals, o, cache, threshold, limit=100_000)
    rcs = [duals.reduced_cost(problem, c) for c in cols]
    assert all(rc <= threshold + 1e-6 for rc in rcs)
    assert min(rcs) == pytest.approx(best[2], abs=1e-6)
    assert len({c.key for c in cols}) == len(cols)  # each package once


def test_asked_for_negative_packages_only_cpsat_finds_the_same_best_or_proves_there_is_none(
    priced,
) -> None:
    """At the fixture's duals every option prices out; at a third of them some do not."""
    problem, high = priced
    cache = PricingCache(problem)
    negative = settled = 0
    low = replace(high, community=high.community / 3)
    for o, duals in [(o, d) for d in (high, low) for o in range(0, len(problem.options), 3)]:
        full = exact_price(problem, duals, o, cache, time_limit=10, search_nodes=0)
        cut = exact_price(
            problem, duals, o, cache, time_limit=10, search_nodes=0, negative_only=True
        )
        assert full.proven and cut.proven and full.reduced_cost is not None
        assert cut.lower_bound <= full.reduced_cost + 1e-6
        if full.reduced_cost < -1e-6:
            negative += 1
            assert cut.reduced_cost == pytest.approx(full.reduced_cost, abs=1e-6)
        else:
            settled += 1
            assert cut.reduced_cost is None or cut.reduced_cost >= -1e-6
            assert cut.lower_bound >= -1e-6
    assert negative and settled  # the fixture's duals give both kinds
