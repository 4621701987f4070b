"""The compiled search must find the least reduced cost of every option's connected packages,
under every rule a node of the branch-and-price tree can set, and never report a lower bound
above it, even when it stops at its node limit.

References: every subset of an option's candidates with every bundle of its resources, scored
by :meth:`Duals.reduced_cost` (the master's own arithmetic), on random tiny instances with
random duals (community duals large enough that packages of many sizes price out, resource and
cut duals of the right sign, a firm capacity cut) and random rules.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sharedprop.models.colgen.connected_pricing import ConnectedPricer
from sharedprop.models.colgen.package_rules import OptionRules
from sharedprop.models.colgen.reduced_cost import PricingCache
from sharedprop.models.core.columns import make_column
from sharedprop.models.core.duals import Duals, WeightCut
from sharedprop.models.core.problem import Problem, is_connected, problem_from_instance
from tests.models.pilot_duals import pilot_duals
from tests.models.tiny_instances import instances

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)


def _obeys(members: set[int], bundle: set[int], rules: OptionRules) -> bool:
    return rules.obeyed_by(members, tuple(bundle))


def least_reduced_cost(p: Problem, duals: Duals, o: int, rules: OptionRules) -> float:
    """Every connected package of option ``o`` that obeys ``rules``, scored one by one."""
    opt = p.options[o]
    cand = [int(c) for c in opt.candidates]
    others = [c for c in cand if c != opt.hub]
    best = np.inf
    cap = int(p.firm_capacity[opt.firm])
    if p.package_max_weight is not None:
        cap = min(cap, int(p.package_max_weight))
    res = [int(r) for r in opt.resources]
    for size in range(len(others) + 1):
        for extra in itertools.combinations(others, size):
            members = (opt.hub, *extra)
            w = int(p.weight[list(members)].sum())
            if w > cap or w < p.package_min_weight or not is_connected(p.adjacency, members):
                continue
            for r_size in range(len(res) + 1):
                for bundle in itertools.combinations(res, r_size):
                    if _obeys(set(members), set(bundle), rules):
                        col = make_column(p, o, members, bundle)
                        best = min(best, duals.reduced_cost(p, col))
    return best


@st.composite
def priced_problems(draw: st.DrawFn) -> tuple[Problem, Duals]:
    inst = draw(instances(n=(3, 7), m=(1, 2), k=(0, 2)))
    p, _ = problem_from_instance(inst)
    if p.adjacency is None or not p.options:
        p = None
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    n = 0 if p is None else p.n
    scale = draw(st.sampled_from((0.5, 1.0, 2.0, 4.0)))
    duals = Duals(
        community=rng.uniform(0, 1, n) * 600.0 * scale * (p.weight if p else 1),
        capacity=-rng.uniform(0, 50, 0 if p is None else p.m) * draw(st.sampled_from((0, 1))),
        count=-rng.uniform(0, 5e4, 0 if p is None else p.m),
        resource=-rng.uniform(0, 1e5, 0 if p is None else p.k),
    )
    if p is not None and n >= 3:
        triples = tuple(tuple(int(i) for i in rng.choice(n, 3, replace=False)) for _ in range(2))
        duals = Duals(
            duals.community,
            duals.capacity,
            duals.count,
            duals.resource,
            cuts=triples,
            cut=-rng.uniform(0, 3e4, 2),
            weight_cuts=(WeightCut(0, max(1, int(p.firm_capacity[0])), 2),),
            weight_cut=-rng.uniform(0, 5e4, 1),
        )
    return p, duals


@st.composite
def rules_for(draw: st.DrawFn, p: Problem, o: int) -> OptionRules:
    cand = [int(c) for c in p.options[o].candidates]
    res = [int(r) for r in p.options[o].resources] or [0]
    pick = st.sampled_from(cand)
    pair = st.tuples(pick, pick).filter(lambda t: t[0] != t[1])
    some_res = st.sampled_from(res) if p.k else st.nothing()
    return OptionRules(
        excluded=frozenset(draw(st.lists(pick, max_size=1))),
        apart=tuple(draw(st.lists(pair, max_size=1))),
        together=tuple(draw(st.lists(pair, max_size=2))),
        with_resource=tuple(draw(st.lists(st.tuples(pick, some_res), max_size=1))) if p.k else (),
        without_resource=tuple(draw(st.lists(st.tuples(pick, some_res), max_size=1)))
        if p.k
        else (),
        no_resources=frozenset(draw(st.lists(some_res, max_size=1))) if p.k else frozenset(),
    )


@SETTINGS
@given(data=st.data(), case=priced_problems())
def test_the_least_reduced_cost_is_the_brute_force_one_under_any_rules(data, case) -> None:
    p, duals = case
    if p is None:
        return
    pricer = ConnectedPricer(p, PricingCache(p))
    for o in range(len(p.options)):
        if not pricer.covers(o):
            continue
        rules = data.draw(rules_for(p, o)) if data.draw(st.booleans()) else OptionRules()
        exact = least_reduced_cost(p, duals, o, rules)
        got = pricer.price(duals, o, rules=rules, threshold=np.inf, keep=2)
        assert got.complete
        if np.isinf(exact):
            assert not got.columns and got.lower_bound == np.inf
            continue
        assert got.columns[0][0] == pytest.approx(exact, rel=1e-9, abs=1e-6)
        assert got.lower_bound == pytest.approx(exact, rel=1e-9, abs=1e-6)
        for rc, col in got.columns:
            assert _obeys(set(col.members), set(col.resources), rules)
            assert is_connected(p.adjacency, col.members)
            assert rc == pytest.approx(duals.reduced_cost(p, col), abs=1e-6)


@SETTINGS
@given(case=priced_problems(), limit=st.integers(1, 6))
def test_a_search_cut_short_reports_a_bound_no_higher_than_the_least_reduced_cost(
    case, limit
) -> None:
    p, duals = case
    if p is None:
        return
    pricer = ConnectedPricer(p, PricingCache(p))
    for o in range(len(p.options)):
        if pricer.covers(o):
            got = pricer.price(duals, o, threshold=np.inf, keep=1, node_limit=limit)
            exact = least_reduced_cost(p, duals, o, OptionRules())
            assert got.lower_bound <= exact + 1e-6


def test_only_packages_below_the_threshold_are_returned_and_the_bound_says_so() -> None:
    problem, duals = pilot_duals(3)
    pricer = ConnectedPricer(problem)
    for o in range(0, len(problem.options), 7):
        exact = pricer.price(duals, o, threshold=np.inf, keep=1).lower_bound
        cut = exact + 1_000.0
        got = pricer.price(duals, o, threshold=exact - 1.0, keep=4)
        assert got.columns == [] and got.lower_bound == exact - 1.0
        got = pricer.price(duals, o, threshold=cut, keep=4)
        assert got.columns and all(rc < cut for rc, _ in got.columns)
        assert [rc for rc, _ in got.columns] == sorted(rc for rc, _ in got.columns)
