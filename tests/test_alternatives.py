"""The incremental scoring of an explanation's alternatives gives the explanation that scoring every
alternative plan whole gives, to the last bit: on the pilot, the tests' instances, a generated
120-community instance and random plans (rules broken on purpose: shared communities and
resources, a lost coverage, locks, hubs off their package)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sharedprop import load_instance, read_plan
from sharedprop.alternatives import FullScoring, IncrementalScoring
from sharedprop.data import Instance, Lock
from sharedprop.evaluate import evaluate
from sharedprop.explain import explain_community, explain_with
from sharedprop.generate import generate_instance
from sharedprop.plan import Package, Plan

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
PILOT = ROOT / "instances" / "xiamen-pilot"


def assert_same_explanations(instance: Instance, plan: Plan, cids) -> None:
    for cid in cids:
        fast = explain_community(instance, plan, cid)
        full = explain_with(FullScoring(instance, plan), plan, cid)
        assert fast == full, cid
        assert fast.to_text() == full.to_text()


@pytest.fixture(scope="module")
def pilot() -> Instance:
    return load_instance(PILOT)


@pytest.fixture(scope="module")
def street() -> Instance:
    return load_instance(DATA / "tiny-street")


def test_every_community_of_the_pilot_s_manual_plan(pilot):
    plan = read_plan(PILOT / "plans" / "manual.csv", pilot)
    assert_same_explanations(pilot, plan, [c.id for c in pilot.communities])


def test_every_community_of_the_tiny_instances(street, tiny_instance):
    better = read_plan(DATA / "tiny-street-better.csv", street)
    assert_same_explanations(street, better, [c.id for c in street.communities])
    tiny = load_instance(tiny_instance)
    manual = read_plan(tiny_instance / "plans" / "manual.csv", tiny)
    assert_same_explanations(tiny, manual, [c.id for c in tiny.communities])


def test_a_generated_street_of_120_communities(tmp_path_factory):
    folder = generate_instance(
        tmp_path_factory.mktemp("gen") / "gen120",
        communities=120, streets=3, firms=12, resources=10, seed=7,
    )  # fmt: skip
    instance = load_instance(folder)
    plan = read_plan(folder / "plans" / "manual.csv", instance)
    uncovered = [c.id for c in instance.communities if c.id not in plan.covered()]
    cids = [c.id for c in instance.communities[::15]] + uncovered[:2]
    assert_same_explanations(instance, plan, cids)


@st.composite
def plans_with_broken_rules(draw, instance: Instance) -> tuple[Instance, Plan, str]:
    """A random plan (communities in no, one or two packages; hubs given, missing or not a
    member; resources shared) on a variant of ``instance`` (coverage required, locks)."""
    ids = [c.id for c in instance.communities]
    firms = [f.id for f in instance.firms]
    k = draw(st.integers(1, 5))
    members: list[list[str]] = [[] for _ in range(k)]
    for cid in ids:
        for slot in draw(st.lists(st.integers(-1, k - 1), min_size=1, max_size=2, unique=True)):
            if slot >= 0:
                members[slot].append(cid)
    packages = []
    for n, group in enumerate(m for m in members if m):
        hub = draw(st.sampled_from([None, *group, ids[0]]))
        resources = draw(st.lists(st.sampled_from([r.id for r in instance.resources]),
                                  max_size=2, unique=True))  # fmt: skip
        packages.append(Package(f"Q{n}", draw(st.sampled_from(firms)), tuple(group), hub,
                                tuple(resources)))  # fmt: skip
    locks = tuple(
        Lock(cid, draw(st.sampled_from(firms)), "must")
        for cid in draw(st.lists(st.sampled_from(ids), max_size=2, unique=True))
    )
    policy = replace(instance.policy, allow_uncovered=draw(st.booleans()))
    variant = replace(instance, policy=policy, locks=locks)
    return variant, Plan(tuple(packages)), draw(st.sampled_from(ids))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_plans_that_break_rules_explain_the_same(street, data):
    instance, plan, cid = data.draw(plans_with_broken_rules(street))
    assert_same_explanations(instance, plan, [cid])


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_plans_of_the_pilot_explain_the_same(pilot, data):
    instance, plan, cid = data.draw(plans_with_broken_rules(pilot))
    assert_same_explanations(instance, plan, [cid])


def test_the_incremental_scoring_scores_the_current_plan_as_evaluate_does(street):
    better = read_plan(DATA / "tiny-street-better.csv", street)
    assert IncrementalScoring(street, better).evaluation == evaluate(street, better)
