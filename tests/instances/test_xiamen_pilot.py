"""The shipped instance ``instances/xiamen-pilot``: the three shared-property groups of the
Xiamen reply (厦住建综函〔2024〕44号, section 二(五)), their firms, estimated data within the
documented ranges, marked synthetic additions, and a manual plan that is feasible but improvable.
"""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import pytest

from sharedprop.data import Instance
from sharedprop.evaluate import evaluate
from sharedprop.geo import haversine_m
from sharedprop.io.instances import load_instance
from sharedprop.io.plans import read_plan
from sharedprop.manual import manual_plan
from sharedprop.plan import Plan

PILOT = Path(__file__).resolve().parents[2] / "instances" / "xiamen-pilot"

# street → (lat, lon) of the street office, WGS-84, as given in the brief.
STREET_POINTS = {
    "中华街道": (24.4581, 118.0734),
    "筼筜街道": (24.4895, 118.1113),
    "嘉莲街道": (24.4872, 118.1206),
}
GROUPS = {
    "筼筜街道": ("员当新市区物业公司", {"安平里", "槟榔东里", "槟榔西里"}),
    "嘉莲街道": ("固家乐物业公司", {"流芳里", "和光里北区", "玉亭里"}),
    "中华街道": (
        "盛泰和物业公司",
        {"九竹巷13栋楼", "镇海路33号", "镇海路35号之一", "镇海路39号", "石泉路11—27"},
    ),
}
SYNTHETIC = "(synthetic)"


@pytest.fixture(scope="module")
def pilot() -> Instance:
    return load_instance(PILOT)


@pytest.fixture(scope="module")
def manual(pilot: Instance) -> Plan:
    return read_plan(PILOT / "plans" / "manual.csv", pilot)


def test_the_three_groups_of_the_reply_are_there_in_their_streets(pilot: Instance) -> None:
    real = [c for c in pilot.communities if SYNTHETIC not in c.name]
    for street, (_, names) in GROUPS.items():
        assert {c.name for c in real if c.street == street} == names
    assert len(real) == 11


def test_every_addition_is_marked_synthetic(pilot: Instance) -> None:
    real_firms = {firm for firm, _ in GROUPS.values()}
    assert {f.name for f in pilot.firms if SYNTHETIC not in f.name} == real_firms
    assert 20 <= len(pilot.communities) <= 30
    assert sum(SYNTHETIC in f.name for f in pilot.firms) in (2, 3)
    assert all(SYNTHETIC in r.name for r in pilot.resources)
    assert "synthetic" in pilot.description and "ESTIMATES" in pilot.description


def test_communities_lie_within_1_km_of_their_street_point(pilot: Instance) -> None:
    for c in pilot.communities:
        lat, lon = STREET_POINTS[c.street]
        assert haversine_m(lon, lat, c.lon, c.lat) <= 1000, c.name


def test_each_real_group_lies_within_a_few_hundred_metres(pilot: Instance) -> None:
    for street, (_, names) in GROUPS.items():
        group = [c for c in pilot.communities if c.street == street and c.name in names]
        widest = max(haversine_m(a.lon, a.lat, b.lon, b.lat) for a, b in combinations(group, 2))
        assert widest <= 600, street


def test_money_estimates_lie_in_the_documented_ranges(pilot: Instance) -> None:
    for c in pilot.communities:
        assert 0.3 <= c.fee_rate <= 0.8
        assert 0.5 <= c.collection_rate <= 0.75
        assert 50 <= c.floor_area_m2 / c.households <= 80
        if SYNTHETIC not in c.name:
            assert 60 <= c.households <= 400
    for f in pilot.firms:
        assert 80_000 <= f.package_fixed_cost <= 150_000
        assert 250 <= f.cost_per_household <= 350
        assert 0.03 <= f.min_margin <= 0.08
    assert 2 <= len(pilot.resources) <= 5
    for r in pilot.resources:
        assert 20_000 <= r.annual_income <= 200_000


def test_manual_plan_is_the_reply_s_assignment_one_package_per_group(
    pilot: Instance, manual: Plan
) -> None:
    got = {
        (pilot.firm(p.firm_id).name, frozenset(pilot.community(m).name for m in p.members))
        for p in manual.packages
    }
    assert got == {(firm, frozenset(names)) for firm, names in GROUPS.values()}
    assert all(p.resources == () for p in manual.packages)


def test_manual_plan_breaks_no_rule_and_leaves_the_synthetic_communities_to_the_street(
    pilot: Instance, manual: Plan
) -> None:
    ev = evaluate(pilot, manual)
    assert [str(v) for v in ev.broken] == []
    assert {pilot.community(c).name for c in ev.covered} == set().union(
        *(names for _, names in GROUPS.values())
    )
    assert all(SYNTHETIC in pilot.community(c).name for c in ev.uncovered)
    assert ev.fallback_cost > 0 and ev.subsidy > 0


def test_manual_plan_is_clearly_improvable(pilot: Instance, manual: Plan) -> None:
    """The hand-planner baseline (which also covers the synthetic communities and bundles
    resources) already needs at least 20 % less public money than the reply's assignment."""
    reply = evaluate(pilot, manual)
    baseline = evaluate(pilot, manual_plan(pilot))
    assert baseline.broken == ()
    assert baseline.public_money < 0.8 * reply.public_money
