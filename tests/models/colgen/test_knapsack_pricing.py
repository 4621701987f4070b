"""Knapsack pricing and gap enumeration must agree with brute force over every subset.

Fixture: a facility-location problem of 3 facilities and 9 customers with random integer costs,
demands 1–6 and capacities 9–14 (so capacity binds), priced at random duals that make about
half the customers attractive to each facility. 2⁹ subsets per facility are few enough to list.
"""

import itertools
from dataclasses import replace

import numpy as np
import pytest

from sharedprop.models.colgen import knapsack_pricing as knapsack
from sharedprop.models.colgen.enumeration import enumerate_option
from sharedprop.models.colgen.limits import EnumerationLimit
from sharedprop.models.colgen.pricing import exact_price, greedy_price
from sharedprop.models.colgen.reduced_cost import PricingCache
from sharedprop.models.core.columns import make_column
from sharedprop.models.core.duals import Duals, WeightCut
from sharedprop.models.core.problem import problem_from_facility_location


def _problem(seed: int = 3):
    rng = np.random.default_rng(seed)
    m, n = 3, 9
    cost = rng.integers(5, 40, (m, n))
    return problem_from_facility_location(
        fixed=rng.integers(20, 60, m),
        capacity=rng.integers(9, 15, m),
        demand=rng.integers(1, 7, n),
        cost=cost,
    )


def _duals(p, seed: int = 5) -> Duals:
    rng = np.random.default_rng(seed)
    return Duals(
        community=rng.uniform(0, 45, p.n),
        capacity=-rng.uniform(0, 2, p.m),
        count=-rng.uniform(0, 10, p.m),
        resource=np.zeros(0),
    )


def _every_package(p, duals, o):
    """(reduced cost, members) of every non-empty package within the facility's capacity."""
    out = []
    for r in range(1, p.n + 1):
        for S in itertools.combinations(range(p.n), r):
            if p.weight[list(S)].sum() <= p.firm_capacity[p.options[o].firm]:
                out.append((duals.reduced_cost(p, make_column(p, o, S)), S))
    return out


@pytest.mark.parametrize("seed", [5, 6, 7])
def test_exact_pricing_finds_the_brute_force_best_reduced_cost(seed: int) -> None:
    p = _problem()
    duals = _duals(p, seed)
    cache = PricingCache(p)
    for o in range(len(p.options)):
        best = min(rc for rc, _ in _every_package(p, duals, o))
        ep = exact_price(p, duals, o, cache, time_limit=1.0)
        assert ep.proven
        assert ep.reduced_cost == pytest.approx(best, abs=1e-9)
        assert ep.lower_bound == pytest.approx(best, abs=1e-9)


@pytest.mark.parametrize("seed", [5, 6, 7])
def test_the_knapsack_charges_the_capacity_cuts_by_the_weight_of_the_package(seed: int) -> None:
    """The same duals with two capacity cuts per facility at a large dual: the knapsack's best
    package pays the cuts by its demand, and is still the brute-force best."""
    p = _problem()
    base = _duals(p, seed)
    cuts = tuple(
        WeightCut(f, int(p.firm_capacity[f]), slots) for f in range(p.m) for slots in (2, 3)
    )
    duals = replace(base, weight_cuts=cuts, weight_cut=np.full(len(cuts), -40.0))
    cache = PricingCache(p)
    for o in range(len(p.options)):
        lin = knapsack.linear_option(p, duals, o, cache)
        assert lin is not None and lin.penalty is not None
        best = min(rc for rc, _ in _every_package(p, duals, o))
        ep = exact_price(p, duals, o, cache, time_limit=1.0)
        assert ep.proven
        assert ep.reduced_cost == pytest.approx(best, abs=1e-9)


def test_the_second_priced_package_is_lighter_than_the_best() -> None:
    p = _problem()
    duals = _duals(p, 5)
    lin = knapsack.linear_option(p, duals, 0, PricingCache(p))
    assert lin is not None
    found = knapsack.best_packages(lin, keep=2)
    assert len(found) == 2
    assert lin.w[list(found[1][1])].sum() < lin.w[list(found[0][1])].sum()


def test_greedy_pricing_returns_only_negative_columns_when_the_knapsack_applies() -> None:
    p = _problem()
    duals = _duals(p, 6)
    cache = PricingCache(p)
    for o in range(len(p.options)):
        for rc, col in greedy_price(p, duals, o, cache, keep=2):
            assert rc < 0
            assert rc == pytest.approx(duals.reduced_cost(p, col))


def test_enumeration_lists_exactly_the_packages_within_the_gap() -> None:
    p = _problem()
    duals = _duals(p, 7)
    cache = PricingCache(p)
    for o in range(len(p.options)):
        every = _every_package(p, duals, o)
        threshold = sorted(rc for rc, _ in every)[40]
        want = {S for rc, S in every if rc <= threshold + 1e-6}
        got = {c.members for c in enumerate_option(p, duals, o, cache, threshold, 10_000)}
        assert got == want


def test_enumeration_past_its_limit_raises() -> None:
    p = _problem()
    duals = _duals(p, 7)
    with pytest.raises(EnumerationLimit, match="more than 5 packages"):
        enumerate_option(p, duals, 0, PricingCache(p), 1e9, 5)


def test_the_knapsack_does_not_apply_with_contiguity_or_an_active_cut() -> None:
    p = _problem()
    cache = PricingCache(p)
    cut = Duals(
        community=np.zeros(p.n),
        capacity=np.zeros(p.m),
        count=np.zeros(p.m),
        resource=np.zeros(0),
        cuts=((0, 1, 2),),
        cut=np.array([-3.0]),
    )
    assert knapsack.linear_option(p, cut, 0, cache) is None
    from dataclasses import replace

    with_graph = replace(p, adjacency=tuple(np.zeros(0, dtype=np.int64) for _ in range(p.n)))
    assert knapsack.linear_option(with_graph, _duals(p), 0, PricingCache(with_graph)) is None
