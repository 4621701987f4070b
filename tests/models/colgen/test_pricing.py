"""Pricing must be exact where it claims to be, and its bounds must be valid.

Fixture: the shipped xiamen-pilot instance (29 communities, 94 options) with duals from an LP
over single-community packages, perturbed at random and given three subset-row cuts, so that
packages of many sizes have negative reduced cost.
"""

from dataclasses import replace
from itertools import combinations

import numpy as np
import pytest

from sharedprop.models.colgen.enumeration import enumerate_option
from sharedprop.models.colgen.option_bounds import FlatOptions
from sharedprop.models.colgen.pricing import exact_price, relaxation_bound
from sharedprop.models.colgen.reduced_cost import PricingCache
from sharedprop.models.colgen.search import best_by_search
from sharedprop.models.core.columns import make_column
from sharedprop.models.core.duals import WeightCut
from sharedprop.models.core.problem import is_connected
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


def _brute_best(problem, duals, o, cache) -> float:
    """Least reduced cost over every connected member set with the hub and every bundle of
    the option's resources (the option's candidates are few enough to list)."""
    d = cache.get(o)
    hub = int(problem.options[o].hub)
    others = [int(i) for i in d.cand if int(i) != hub]
    best = np.inf
    for r in range(len(others) + 1):
        for rest in combinations(others, r):
            members = (hub, *rest)
            w = int(problem.weight[list(members)].sum())
            if not problem.package_min_weight <= w <= d.max_w:
                continue
            if not is_connected(problem.adjacency, members):
                continue
            for k in range(len(d.res) + 1):
                for res in combinations([int(x) for x in d.res], k):
                    col = make_column(problem, o, members, res)
                    best = min(best, duals.reduced_cost(problem, col))
    return best


def test_cpsat_pricing_charges_the_capacity_cuts_by_the_slots_a_package_fills(priced) -> None:
    """Pilot options of at most 10 candidates, the fixture's duals plus two capacity cuts per
    firm of 2,400 households (shares of 800 and 600) at −150,000 yuan a slot, about what the
    fixture's best packages of some 1,200 households gain: CP-SAT's best package is the
    brute-force best with the cuts' price, and the cuts do change which package is best."""
    problem, duals = priced
    cuts = tuple(WeightCut(f, 2_400, slots) for f in range(problem.m) for slots in (3, 4))
    weighed = replace(duals, weight_cuts=cuts, weight_cut=np.full(len(cuts), -1.5e5))
    cache = PricingCache(problem)
    small = [o for o in range(len(problem.options)) if len(cache.get(o).cand) <= 10]
    assert len(small) >= 5
    changed = 0
    for o in small[:12]:
        plain = exact_price(problem, duals, o, cache, time_limit=10, search_nodes=0)
        cp = exact_price(problem, weighed, o, cache, time_limit=10, search_nodes=0)
        assert cp.proven and cp.reduced_cost is not None and cp.column is not None
        best = _brute_best(problem, weighed, o, cache)
        assert cp.reduced_cost == pytest.approx(best, abs=1.0)  # CP-SAT rounds to the fen
        assert cp.lower_bound <= best + 1e-6
        changed += plain.column is not None and plain.column.key != cp.column.key
    assert changed


def test_a_one_worker_clock_is_charged_for_every_node_the_search_visits(priced) -> None:
    """The search is charged per node, not a flat amount per call (a call runs 40-70 ms at 30
    communities). Stopped at its limit it is charged limit + 1 nodes; run to the end, a whole
    number of nodes, at least one; and the clock never changes what it finds."""
    from sharedprop.models.colgen.limits import SearchLimit
    from sharedprop.models.colgen.search import SEARCH_SECONDS_PER_NODE
    from sharedprop.models.core.clock import Clock

    problem, duals = priced
    cache = PricingCache(problem)
    stopped = 0
    for o in range(0, len(problem.options), 3):
        clock = Clock(deterministic=True)
        found = best_by_search(problem, duals, o, cache, node_limit=200_000, clock=clock)
        assert found == best_by_search(problem, duals, o, cache, node_limit=200_000)
        nodes = clock.now() / SEARCH_SECONDS_PER_NODE
        assert nodes >= 1 and nodes == pytest.approx(round(nodes))
        if nodes > 6:
            short = Clock(deterministic=True)
            with pytest.raises(SearchLimit, match="more than 5 nodes"):
                best_by_search(problem, duals, o, cache, node_limit=5, clock=short)
            assert short.now() == pytest.approx(6 * SEARCH_SECONDS_PER_NODE)
            stopped += 1
    assert stopped  # some option needs more than a handful of nodes
