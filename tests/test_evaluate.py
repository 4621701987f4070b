"""The evaluator against a small example computed by hand, and every rule it checks.

The example (``distance = "euclidean"``, coordinates in metres, all distances on 3-4-5 grids)::

    community  (x, y)        households  floor m²  fee   collection  fee income 12·fee·area·coll.
    A          (0, 0)        100         6000      0.5   0.8         28,800
    B          (300, 400)    50          3000      0.5   0.6         10,800
    C          (600, 0)      80          4000      0.4   0.75        14,400
    D          (3000, 4000)  40          2000      0.6   0.5          7,200
    E          (0, 800)      30          1500      0.5   0.5          (uncovered)

    d(A,B) = 500, d(B,C) = 500, d(A,C) = 600; the proximity graph has edges A–B and B–C only.

    firm  (x, y)          fixed    per hh  per km  margin  capacity  max pk  radius
    F1    (-300, -400)    100,000  300     2,000   0.05    300       2       3,000
    F2    (3000, 4300)     20,000  250     1,000   0.04    100       1       2,000
    d(F1,A) = 500, d(F1,B) = 1000, d(F1,C) = √(900²+400²) ≈ 984.9; d(F2,D) = 300.

    resource R1 at (0, 300): income 50,000, max_distance 500; d(R1,A) = 300.

    policy: package_max_households 300, package_max_radius_m 1000, contiguity, one street,
    allow_uncovered, fallback 400 yuan/household; objective weights 1.0 · public money
    + 0.1 · total cost.

The plan: P1 = [B, C, A] by F1 with R1 and no hub given; P2 = [D] by F2 with hub D.

Hub of P1 (Σ d(member, hub) + d(F1, hub)): A: 0+500+600+500 = 1600; B: 500+0+500+1000 = 2000;
C: 600+500+0+984.9 = 2084.9 → A (not the first listed member, B).

    cost(P1)    = 100,000 + 300·230 + 2,000·(1100 + 500)/1000 = 100,000 + 69,000 + 3,200 = 172,200
    revenue(P1) = 28,800 + 10,800 + 14,400 + 50,000 = 104,000
    subsidy(P1) = 1.05·172,200 − 104,000 = 180,810 − 104,000 = 76,810
    cost(P2)    = 20,000 + 250·40 + 1,000·(0 + 300)/1000 = 30,300
    revenue(P2) = 7,200
    subsidy(P2) = 1.04·30,300 − 7,200 = 31,512 − 7,200 = 24,312
    fallback    = 400·30 (E) = 12,000
    public money = 76,810 + 24,312 + 12,000 = 113,122
    total cost   = 172,200 + 30,300 = 202,500;  revenue = 111,200
    objective    = 113,122 + 0.1·202,500 = 133,372
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import get_args

import networkx as nx
import pytest

from sharedprop import load_instance, read_plan
from sharedprop.data import Community, Firm, Instance, Lock, ObjectiveWeights, Policy, Resource
from sharedprop.errors import PlanError
from sharedprop.evaluate import RULES, RuleName, Scorer, evaluate
from sharedprop.plan import Package, Plan

YUAN = 0.01


def _community(
    cid: str, x: float, y: float, hh: int, area: float, fee: float, coll: float
) -> Community:
    return Community(cid, cid, "S1", "N1", x, y, hh, area, fee, coll)


COMMUNITIES = (
    _community("A", 0, 0, 100, 6000, 0.5, 0.8),
    _community("B", 300, 400, 50, 3000, 0.5, 0.6),
    _community("C", 600, 0, 80, 4000, 0.4, 0.75),
    _community("D", 3000, 4000, 40, 2000, 0.6, 0.5),
    _community("E", 0, 800, 30, 1500, 0.5, 0.5),
)
F1 = Firm("F1", "F1", -300, -400, 300, 2, 3000, 100_000, 300, 2_000, 0.05)
F2 = Firm("F2", "F2", 3000, 4300, 100, 1, 2000, 20_000, 250, 1_000, 0.04)
R1 = Resource("R1", "R1", "parking", 0, 300, 50_000, 500)
POLICY = Policy(
    package_max_households=300,
    package_max_radius_m=1000,
    require_contiguity=True,
    cross_streets=False,
    allow_uncovered=True,
    fallback_cost_per_household=400,
)


def make_instance(
    *,
    communities: tuple[Community, ...] = COMMUNITIES,
    firms: tuple[Firm, ...] = (F1, F2),
    resources: tuple[Resource, ...] = (R1,),
    locks: tuple[Lock, ...] = (),
    policy: Policy = POLICY,
) -> Instance:
    graph = nx.Graph([("A", "B"), ("B", "C")])
    return Instance(
        name="hand",
        communities=communities,
        firms=firms,
        resources=resources,
        locks=locks,
        policy=policy,
        objective=ObjectiveWeights(weight_public_money=1.0, weight_total_cost=0.1),
        graph=graph,
        distance="euclidean",
    )


P1 = Package("P1", "F1", ("B", "C", "A"), hub_id=None, resources=("R1",))
P2 = Package("P2", "F2", ("D",), hub_id="D")
PLAN = Plan((P1, P2), name="hand")


def test_hand_computed_example_matches_the_cost_model_to_the_yuan() -> None:
    ev = evaluate(make_instance(), PLAN)
    p1, p2 = ev.packages
    assert p1.cost == pytest.approx(172_200, abs=YUAN)
    assert p1.travel_cost == pytest.approx(3_200, abs=YUAN)
    assert p1.revenue == pytest.approx(104_000, abs=YUAN)
    assert p1.subsidy == pytest.approx(76_810, abs=YUAN)
    assert p2.cost == pytest.approx(30_300, abs=YUAN)
    assert p2.subsidy == pytest.approx(24_312, abs=YUAN)
    assert ev.fallback_cost == pytest.approx(12_000, abs=YUAN)
    assert ev.subsidy == pytest.approx(101_122, abs=YUAN)
    assert ev.public_money == pytest.approx(113_122, abs=YUAN)
    assert ev.total_cost == pytest.approx(202_500, abs=YUAN)
    assert ev.revenue == pytest.approx(111_200, abs=YUAN)
    assert ev.resource_income == pytest.approx(50_000, abs=YUAN)
    assert ev.objective == pytest.approx(133_372, abs=YUAN)
    assert ev.coverage_households == 270
    assert ev.uncovered == ("E",)
    assert ev.broken == ()


def test_plan_without_hub_is_scored_from_the_member_minimising_travel() -> None:
    ev = evaluate(make_instance(), PLAN)
    assert ev.packages[0].hub_id == "A"
    assert ev.packages[0].hub_given is False
    assert ev.packages[0].firm_distance_m == pytest.approx(500)
    assert ev.packages[0].max_member_distance_m == pytest.approx(600)


def test_given_hub_is_used_even_when_another_member_would_be_cheaper() -> None:
    """With hub B: travel = 2,000·(500 + 500 + 1000)/1000 = 4,000 → cost 173,000."""
    plan = Plan((replace(P1, hub_id="B"), P2))
    ev = evaluate(make_instance(), plan)
    assert ev.packages[0].hub_id == "B"
    assert ev.packages[0].cost == pytest.approx(173_000, abs=YUAN)


def test_firm_table_counts_households_and_packages() -> None:
    ev = evaluate(make_instance(), PLAN)
    f1, f2 = ev.firms
    assert (f1.households, f1.packages, f1.capacity_used) == (230, 1, pytest.approx(230 / 300))
    assert (f2.households, f2.packages, f2.capacity_used) == (40, 1, pytest.approx(0.4))


def test_surplus_package_needs_no_subsidy() -> None:
    """R1 worth 200,000 makes revenue(P1) = 254,000 > 180,810: subsidy 0, not negative."""
    inst = make_instance(resources=(replace(R1, annual_income=200_000),))
    ev = evaluate(inst, PLAN)
    assert ev.packages[0].subsidy == 0
    assert ev.public_money == pytest.approx(24_312 + 12_000, abs=YUAN)


# -- one small case per rule: (instance, plan, the words and numbers the message must carry) ---

Case = tuple[Instance, Plan, str, str]


def _one_package() -> Case:
    plan = Plan((P1, P2, Package("P3", "F1", ("A",), hub_id="A")))
    inst = make_instance(firms=(replace(F1, capacity_households=400), F2))
    return inst, plan, "A", "community A is in 2 packages (P1, P3); at most 1 allowed"


def _coverage() -> Case:
    inst = make_instance(policy=replace(POLICY, allow_uncovered=False))
    return inst, PLAN, "E", "community E is in no package"


def _hub_member() -> Case:
    # E lies within every limit of P1 (radius 1000 to C, 500 to R1), so only this rule breaks.
    return make_instance(), Plan((replace(P1, hub_id="E"), P2)), "P1", "hub E is not one of"


def _package_max_households() -> Case:
    inst = make_instance(policy=replace(POLICY, package_max_households=200))
    return (
        inst,
        PLAN,
        "P1",
        "holds 230 households, more than the package_max_households limit of 200",
    )


def _package_min_households() -> Case:
    inst = make_instance(policy=replace(POLICY, package_min_households=50))
    return (
        inst,
        PLAN,
        "P2",
        "holds 40 households, fewer than the package_min_households limit of 50",
    )


def _package_radius() -> Case:
    inst = make_instance(policy=replace(POLICY, package_max_radius_m=550))
    return inst, PLAN, "P1", "member C is 600 m from hub A, beyond package_max_radius_m = 550"


def _contiguity() -> Case:
    plan = Plan((replace(P1, members=("A", "C")), P2))
    return make_instance(), plan, "P1", "not connected in the proximity graph (2 parts: A | C)"


def _one_street() -> Case:
    comms = tuple(replace(c, street="S2") if c.id == "C" else c for c in COMMUNITIES)
    return make_instance(communities=comms), PLAN, "P1", "span 2 streets (S1, S2)"


def _firm_capacity() -> Case:
    inst = make_instance(firms=(replace(F1, capacity_households=200), F2))
    return (
        inst,
        PLAN,
        "F1",
        "firm F1 serves 230 households, more than its capacity_households of 200",
    )


def _firm_max_packages() -> Case:
    plan = Plan((P1, replace(P2, firm_id="F1")))
    inst = make_instance(firms=(replace(F1, max_packages=1, service_radius_m=10_000), F2))
    return inst, plan, "F1", "firm F1 runs 2 packages, more than its max_packages of 1"


def _firm_service_radius() -> Case:
    inst = make_instance(firms=(F1, replace(F2, service_radius_m=200)))
    return inst, PLAN, "P2", "hub D is 300 m from firm F2, beyond its service_radius_m = 200"


def _resource_one_package() -> Case:
    plan = Plan((P1, replace(P2, resources=("R1",))))
    inst = make_instance(resources=(replace(R1, max_distance_m=10_000),))
    return inst, plan, "R1", "resource R1 is bundled into 2 packages (P1, P2)"


def _resource_distance() -> Case:
    inst = make_instance(resources=(replace(R1, max_distance_m=250),))
    return inst, PLAN, "R1", "hub A is 300 m away, beyond its max_distance_m = 250"


def _lock_must() -> Case:
    inst = make_instance(locks=(Lock("D", "F1", "must"),))
    return inst, PLAN, "D", "community D must be served by firm F1, but is served by F2"


def _lock_forbid() -> Case:
    inst = make_instance(locks=(Lock("A", "F1", "forbid"),))
    return inst, PLAN, "A", "community A must not be served by firm F1, but is"


def _min_coverage() -> Case:
    inst = make_instance(policy=replace(POLICY, min_coverage=0.95))
    return (
        inst,
        PLAN,
        "plan",
        "packages hold 270 of 300 households (90.0%), fewer than min_coverage = 0.95 asks "
        "(285 households)",
    )


def _resource_available() -> Case:
    inst = make_instance(resources=(replace(R1, available=False),))
    return inst, PLAN, "R1", "resource R1 in package P1 is a candidate (available = false)"


RULE_CASES: dict[str, Callable[[], Case]] = {
    "one_package": _one_package,
    "coverage": _coverage,
    "hub_member": _hub_member,
    "package_max_households": _package_max_households,
    "package_min_households": _package_min_households,
    "package_radius": _package_radius,
    "contiguity": _contiguity,
    "one_street": _one_street,
    "firm_capacity": _firm_capacity,
    "firm_max_packages": _firm_max_packages,
    "firm_service_radius": _firm_service_radius,
    "resource_one_package": _resource_one_package,
    "resource_distance": _resource_distance,
    "lock_must": _lock_must,
    "lock_forbid": _lock_forbid,
    "min_coverage": _min_coverage,
    "resource_available": _resource_available,
}


def test_every_rule_the_evaluator_knows_has_a_case_here() -> None:
    assert set(RULE_CASES) == set(RULES)


def test_the_rule_names_type_lists_exactly_the_described_rules() -> None:
    assert list(get_args(RuleName)) == list(RULES)


@pytest.mark.parametrize("rule", list(RULE_CASES))
def test_broken_rule_is_reported_alone_by_name_subject_and_numbers(rule: str) -> None:
    inst, plan, subject, words = RULE_CASES[rule]()
    ev = evaluate(inst, plan)
    assert [(v.rule, v.subject) for v in ev.broken] == [(rule, subject)]
    assert words in ev.broken[0].message
    assert str(ev.broken[0]).startswith(f"{rule}: ")
    assert ev.feasible is False


def test_a_member_exactly_on_the_radius_is_not_a_violation() -> None:
    inst = make_instance(policy=replace(POLICY, package_max_radius_m=600))
    assert evaluate(inst, PLAN).broken == ()


def test_costs_are_still_reported_for_a_plan_that_breaks_rules() -> None:
    inst = make_instance(policy=replace(POLICY, package_max_households=200))
    ev = evaluate(inst, PLAN)
    assert ev.public_money == pytest.approx(113_122, abs=YUAN)


@pytest.mark.parametrize("rule", list(RULE_CASES))
def test_a_scorer_gives_evaluate_s_evaluation_of_each_broken_rule_case(rule: str) -> None:
    inst, plan, _, _ = RULE_CASES[rule]()
    assert Scorer(inst).evaluate(plan) == evaluate(inst, plan)


def test_a_scorer_reused_over_edits_and_locks_gives_evaluate_s_evaluations(tiny_instance) -> None:
    inst = load_instance(tiny_instance)
    plan = read_plan(tiny_instance / "plans" / "manual.csv", inst)
    scorer = Scorer(inst, keep=2)  # a small cache: packages are dropped and scored again
    first, second = plan.packages
    moved = Plan((replace(first, members=("C01", "C02")),
                  replace(second, members=(*second.members, "C03"))))  # fmt: skip
    firm = replace(moved, packages=(replace(moved.packages[0], firm_id="F2", hub_id=None),
                                    moved.packages[1]))  # fmt: skip
    locks = (Lock("C01", "F1", "must"), Lock("C06", "F2", "forbid"))
    for p in (plan, moved, firm, plan, firm):
        assert scorer.evaluate(p) == evaluate(inst, p)
        assert scorer.evaluate(p, locks=locks) == evaluate(replace(inst, locks=locks), p)
    with pytest.raises(PlanError, match="unknown firm"):
        scorer.evaluate(replace(plan, packages=(replace(plan.packages[0], firm_id="F9"),)))


def test_a_plan_exactly_at_the_coverage_floor_meets_it() -> None:
    """270 of 300 households is 0.9: a floor of 0.9 holds, one of 0.9034 asks for 272."""
    assert not evaluate(make_instance(policy=replace(POLICY, min_coverage=0.9)), PLAN).broken
    short = evaluate(make_instance(policy=replace(POLICY, min_coverage=0.9034)), PLAN)
    assert [v.rule for v in short.broken] == ["min_coverage"]
    assert "(272 households)" in short.broken[0].message


def test_an_unavailable_resource_left_out_of_every_package_breaks_nothing() -> None:
    inst = make_instance(resources=(replace(R1, available=False),))
    plan = Plan((replace(P1, resources=()), P2))
    assert not evaluate(inst, plan).broken
