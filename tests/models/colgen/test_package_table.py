"""The package table must enumerate every connected package exactly once and price them exactly.

Fixture: the shipped xiamen-pilot instance (29 communities, 94 options, at most 11 candidates
an option) with duals from an LP over single-community packages, perturbed at random and given
three subset-row cuts and resource prices, so that packages of many sizes and bundles have
negative reduced cost. The references are the branch-and-bound and CP-SAT pricing of
:mod:`sharedprop.models.colgen.pricing` and brute force over every subset of candidates.
"""

from dataclasses import replace
from itertools import combinations

import numpy as np
import pytest

from sharedprop.models.colgen.enumeration import enumerate_option
from sharedprop.models.colgen.package_table import (
    SCAN_SECONDS_PER_OPTION,
    SCAN_SECONDS_PER_SET,
    WITHIN_SECONDS_PER_PACKAGE,
    PackageTable,
    connected_sets,
)
from sharedprop.models.colgen.pricing import exact_price
from sharedprop.models.colgen.reduced_cost import PricingCache
from sharedprop.models.core.problem import is_connected
from tests.models.pilot_duals import pilot_duals


@pytest.fixture(scope="module")
def priced():
    problem, duals = pilot_duals(11)
    cache = PricingCache(problem)
    return problem, duals, cache, PackageTable(problem, cache)


def _brute_force_sets(problem, cache, o) -> set[frozenset[int]]:
    d = cache.get(o)
    out = set()
    others = [j for j in range(len(d.cand)) if j != d.hub_pos]
    for r in range(len(others) + 1):
        for extra in combinations(others, r):
            pos = [d.hub_pos, *extra]
            members = d.cand[pos]
            if d.w[pos].sum() <= d.max_w and is_connected(problem.adjacency, members):
                out.add(frozenset(int(i) for i in members))
    return out


def test_every_connected_package_holding_the_hub_is_enumerated_exactly_once(priced) -> None:
    problem, _, cache, table = priced
    for k in range(0, len(table.options), 9):
        o = int(table.options[k])
        d = cache.get(o)
        masks = table.masks[table.starts[k] : table.starts[k + 1]]
        sets = [
            frozenset(int(d.cand[j]) for j in range(len(d.cand)) if (int(m) >> j) & 1)
            for m in masks
        ]
        assert len(set(sets)) == len(sets)
        assert set(sets) == _brute_force_sets(problem, cache, o)


def test_the_pilot_fits_in_the_table_whole(priced) -> None:
    problem, _, _, table = priced
    assert table.covered.all()
    assert len(table) == int(table.starts[-1]) > len(problem.options)


def test_the_scan_finds_the_same_least_reduced_cost_as_cpsat(priced) -> None:
    """At the fixture's duals every option has a negative package; at a third of them some
    options have none."""
    problem, high, cache, table = priced
    low = replace(high, community=high.community / 3)
    for duals in (high, low):
        best = table.price(duals)
        for k in range(0, len(table.options), 4):
            o = int(table.options[k])
            cp = exact_price(problem, duals, o, cache, time_limit=10, search_nodes=0)
            assert cp.proven and cp.reduced_cost is not None
            assert best[k] == pytest.approx(cp.reduced_cost, abs=1e-4)
    assert (table.price(high) < 0).all() and (table.price(low) > 0).any()


def test_columns_are_negative_and_carry_their_true_reduced_cost(priced) -> None:
    problem, duals, _, table = priced
    best = table.price(duals)
    found = table.columns(duals, limit=200, per_option=2)
    assert found
    per_option: dict[int, int] = {}
    for rc, col in found:
        assert rc < 0
        assert duals.reduced_cost(problem, col) == pytest.approx(rc, abs=1e-4)
        per_option[col.option] = per_option.get(col.option, 0) + 1
    assert max(per_option.values()) <= 2
    # the best column of each option that has one is its least reduced cost
    first = {}
    for rc, col in found:
        first.setdefault(col.option, rc)
    for k, o in enumerate(table.options):
        if int(o) in first:
            assert first[int(o)] == pytest.approx(best[k], abs=1e-4)


def test_within_the_gap_the_table_gives_every_package_the_enumeration_gives(priced) -> None:
    problem, duals, cache, table = priced
    best = table.price(duals)
    threshold = float(np.min(best)) + 15_000.0
    got = table.within(duals, threshold, limit=500_000)
    assert got is not None
    for o in (0, 7, 30, 61):
        ref = enumerate_option(problem, duals, o, cache, threshold, limit=500_000)
        assert {c.key for c in got if c.option == o} == {c.key for c in ref}


def test_within_says_so_when_more_packages_qualify_than_the_limit(priced) -> None:
    _, duals, _, table = priced
    assert table.within(duals, 1e12, limit=100) is None


def test_options_with_more_sets_than_the_limit_stay_with_the_general_pricing(priced) -> None:
    problem, _, cache, full = priced
    sizes = np.diff(full.starts)
    limit = int(np.median(sizes))
    small = PackageTable(problem, cache, max_sets_per_option=limit)
    kept = set(int(o) for o in small.options)
    assert kept == {int(o) for o, s in zip(full.options, sizes, strict=True) if s <= limit}
    assert not small.covered.all()


def test_connected_sets_stop_at_the_cap_and_respect_the_weight_limit() -> None:
    # a path 0-1-2-3 with the hub at 1: connected sets holding 1
    nbr = np.array([0b0010, 0b0101, 0b1010, 0b0100], dtype=np.uint64)
    w = np.array([1, 1, 1, 1], dtype=np.int64)
    every = connected_sets(nbr, w, 1, 10, 100)
    assert sorted(int(m) for m in every) == sorted([0b0010, 0b0011, 0b0110, 0b0111, 0b1110, 0b1111])
    assert sorted(int(m) for m in connected_sets(nbr, w, 1, 2, 100)) == [0b0010, 0b0011, 0b0110]
    assert len(connected_sets(nbr, w, 1, 10, 5)) == 0  # six sets, cap five


def test_the_build_stops_at_its_work_budget_with_whole_options_only(priced) -> None:
    problem, _, cache, full = priced
    small = PackageTable(problem, cache, max_work=5_000)
    assert 0 < len(small.options) < len(full.options)
    assert small.enumerated <= 5_001
    for k, o in enumerate(small.options):
        j = int(np.flatnonzero(full.options == o)[0])
        mine = small.masks[small.starts[k] : small.starts[k + 1]]
        theirs = full.masks[full.starts[j] : full.starts[j + 1]]
        assert sorted(mine.tolist()) == sorted(theirs.tolist())


def test_asked_for_the_nearest_packages_the_table_gives_them_in_order_whatever_their_sign(
    priced,
) -> None:
    """At a tenth of the fixture's duals most packages price out: the nearest packages then
    include packages of positive reduced cost, best first."""
    problem, high, _, table = priced
    low = replace(high, community=high.community / 10)
    found = table.columns(low, limit=1000, per_option=25, below=np.inf)
    rcs = [rc for rc, _ in found]
    assert len(found) == 1000
    assert min(rcs) < 0
    assert rcs == sorted(rcs)
    assert max(rcs) > 0
    assert all(low.reduced_cost(problem, c) == pytest.approx(rc, abs=1e-4) for rc, c in found)
    per_option: dict[int, int] = {}
    for _, c in found:
        per_option[c.option] = per_option.get(c.option, 0) + 1
    assert max(per_option.values()) <= 25


def test_a_scan_is_charged_more_for_the_subset_row_cuts_among_the_candidates(priced) -> None:
    """One worker's clock is charged ``scan_seconds``: the fixture's three cuts cost extra on
    every set of an option whose candidates hold two of a cut's communities."""
    _, duals, _, table = priced
    table.price(replace(duals, cuts=(), cut=np.zeros(0)))
    plain = table.scan_seconds
    covered = int(np.count_nonzero(np.diff(table.starts)))
    assert plain == pytest.approx(
        covered * SCAN_SECONDS_PER_OPTION + len(table) * SCAN_SECONDS_PER_SET
    )
    table.price(duals)
    assert table.scan_seconds > plain


def test_the_table_adds_up_every_scan_whoever_asks_and_a_repeat_at_the_same_duals_is_free(
    priced,
) -> None:
    """``work`` is what a one-worker caller charges: a ``columns`` or ``within`` call at new
    duals rescans and adds a scan's cost; at the duals last priced it adds nothing; ``within``
    adds the packages it costs, every bundle of every set within the gap, kept or not."""
    _, duals, _, table = priced
    other = replace(duals, community=duals.community / 10)
    before = table.work
    table.price(other)
    one_scan = table.scan_seconds
    assert table.work == pytest.approx(before + one_scan)
    table.columns(other, limit=10)
    assert table.work == pytest.approx(before + one_scan)
    costed = table.costed
    kept = table.within(duals, 0.0, limit=10**6)
    made = table.costed - costed
    assert kept is not None and made >= len(kept) > 0
    assert table.work == pytest.approx(
        before + one_scan + table.scan_seconds + made * WITHIN_SECONDS_PER_PACKAGE
    )
