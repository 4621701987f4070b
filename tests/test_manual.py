"""The manual baseline: a street office's hand-made plan, step by step, and that it breaks no rule.

The small street used by most tests (``distance = "euclidean"``, metres)::

    neighbourhood N1:  A (0,0) 300 hh — B (300,0) 200 hh — C (600,0) 150 hh — D (900,0) 100 hh
    proximity graph: the chain A–B–C–D
    firms:  F1 at (0,-100)  capacity 500, 1 package;  F2 at (900,-100) capacity 1000, 5 packages;
            both with a 2 km service radius
    policy: at most 600 households and 700 m from the hub per package

By hand: seed A (largest); B is nearest (300 m) → 500 hh; C would make 650 > 600 → stop.
Seed C; D (300 m) → 250 hh. Package 1 (hub A) goes to F1 (100 m away, room for 500);
package 2 (hub C) to F2, the nearer firm (√(300²+100²) ≈ 316 m against ≈ 608 m).
"""

from __future__ import annotations

from dataclasses import replace

import networkx as nx
import numpy as np
import pytest

from sharedprop.data import Community, Firm, Instance, Lock, Policy, Resource
from sharedprop.evaluate import evaluate, package_cost_parts
from sharedprop.manual import manual_plan


def _c(
    cid: str, x: float, hh: int, hood: str = "N1", street: str = "S1", y: float = 0.0
) -> Community:
    # Fee income below cost so that every package needs a subsidy.
    return Community(cid, cid, street, hood, x, y, hh, 60.0 * hh, 0.4, 0.6)


LINE = (_c("A", 0, 300), _c("B", 300, 200), _c("C", 600, 150), _c("D", 900, 100))
F1 = Firm("F1", "F1", 0, -100, 500, 1, 2000, 100_000, 300, 2000, 0.05)
F2 = Firm("F2", "F2", 900, -100, 1000, 5, 2000, 100_000, 300, 2000, 0.05)
POLICY = Policy(package_max_households=600, package_max_radius_m=700, link_max_m=350)


def street(
    communities=LINE,
    firms=(F1, F2),
    resources=(),
    locks=(),
    policy=POLICY,
    edges=(("A", "B"), ("B", "C"), ("C", "D")),
) -> Instance:
    return Instance(
        name="line",
        communities=tuple(communities),
        firms=tuple(firms),
        resources=tuple(resources),
        locks=tuple(locks),
        policy=policy,
        graph=nx.Graph(list(edges)),
        distance="euclidean",
    )


def packages(plan) -> list[tuple[str, tuple[str, ...], str | None, str]]:
    return [(p.id, p.members, p.hub_id, p.firm_id) for p in plan.packages]


def test_packages_grow_from_the_largest_community_to_the_household_limit() -> None:
    plan = manual_plan(street())
    assert packages(plan) == [
        ("P001", ("A", "B"), "A", "F1"),
        ("P002", ("C", "D"), "C", "F2"),
    ]
    assert evaluate(street(), plan).broken == ()


def test_a_member_beyond_the_radius_from_the_seed_is_not_added() -> None:
    """Radius 250 m: every neighbour is 300 m away, so each community is its own package."""
    inst = street(policy=replace(POLICY, package_max_radius_m=250), firms=(F2,))
    assert [p.members for p in manual_plan(inst).packages] == [("A",), ("B",), ("C",), ("D",)]


def test_only_communities_touching_the_package_in_the_graph_are_added() -> None:
    """Without the B–C edge, C is never offered to the package of A even though it would fit."""
    inst = street(
        policy=replace(POLICY, package_max_households=1000, package_max_radius_m=1000),
        firms=(replace(F1, capacity_households=1000), F2),
        edges=(("A", "B"), ("C", "D")),
    )
    assert [p.members for p in manual_plan(inst).packages] == [("A", "B"), ("C", "D")]


def test_without_contiguity_the_nearest_community_of_the_street_is_added() -> None:
    inst = street(
        policy=replace(
            POLICY, require_contiguity=False, package_max_households=700, package_max_radius_m=1000
        ),
        firms=(replace(F1, capacity_households=1000), F2),
        edges=(),
    )
    assert [p.members for p in manual_plan(inst).packages] == [("A", "B", "C"), ("D",)]


def test_neighbourhoods_are_planned_in_order_and_packages_stay_in_their_street() -> None:
    """N1 (street S1) comes first in the file, although N2 (street S2) holds the largest community;
    the graph links B and X across the street border, but packages never cross it."""
    comms = (_c("A", 0, 100), _c("B", 300, 80), _c("X", 600, 400, hood="N2", street="S2"))
    inst = street(communities=comms, firms=(F2,), edges=(("A", "B"), ("B", "X")))
    assert [p.members for p in manual_plan(inst).packages] == [("A", "B"), ("X",)]


def test_the_nearest_firm_with_room_takes_the_package() -> None:
    """F1 has room for 400 households only, so the 500-household package goes to F2."""
    plan = manual_plan(street(firms=(replace(F1, capacity_households=400), F2)))
    assert [p.firm_id for p in plan.packages] == ["F2", "F2"]


def test_a_package_no_firm_can_reach_stays_uncovered() -> None:
    """F1 reaches only hub A (100 m); the package around C stays with the street office."""
    plan = manual_plan(street(firms=(replace(F1, service_radius_m=150),)))
    assert packages(plan) == [("P001", ("A", "B"), "A", "F1")]
    ev = evaluate(street(firms=(replace(F1, service_radius_m=150),)), plan)
    assert ev.uncovered == ("C", "D")
    assert ev.broken == ()


def test_a_package_below_the_minimum_is_not_formed() -> None:
    plan = manual_plan(street(policy=replace(POLICY, package_min_households=300)))
    assert [p.members for p in plan.packages] == [("A", "B")]


def test_a_must_lock_is_served_first_by_its_firm() -> None:
    """C must go to F1, which runs one package: the C–D package takes it, A–B moves to F2."""
    inst = street(locks=(Lock("C", "F1", "must"),))
    plan = manual_plan(inst)
    assert packages(plan) == [
        ("P001", ("A", "B"), "A", "F2"),
        ("P002", ("C", "D"), "C", "F1"),
    ]
    assert evaluate(inst, plan).broken == ()


def test_communities_locked_to_different_firms_are_not_packaged_together() -> None:
    """B (must F2) is not added to A's package (must F1); B then seeds B–C–D (450 hh)."""
    inst = street(locks=(Lock("A", "F1", "must"), Lock("B", "F2", "must")))
    plan = manual_plan(inst)
    assert packages(plan) == [("P001", ("A",), "A", "F1"), ("P002", ("B", "C", "D"), "B", "F2")]
    assert evaluate(inst, plan).broken == ()


def test_a_forbid_lock_sends_the_package_to_another_firm() -> None:
    inst = street(locks=(Lock("B", "F1", "forbid"),))
    plan = manual_plan(inst)
    assert [p.firm_id for p in plan.packages] == ["F2", "F2"]
    assert evaluate(inst, plan).broken == ()


def test_the_package_needing_most_subsidy_takes_the_nearest_resource_it_can_reach() -> None:
    """Package 1 (500 hh, hub A) needs more subsidy than package 2 (250 hh, hub C), so it takes
    R2 although R2 is nearer to C (112 m against 502 m); R1 reaches only C and goes to package 2.
    """
    res = (
        Resource("R1", "R1", "parking", 600, 50, 10_000, 100),
        Resource("R2", "R2", "public_housing", 500, 50, 10_000, 1000),
    )
    plan = manual_plan(street(resources=res))
    assert [p.resources for p in plan.packages] == [("R2",), ("R1",)]


def test_a_resource_out_of_reach_of_every_hub_is_left_out() -> None:
    res = (Resource("R1", "R1", "parking", 5000, 5000, 10_000, 500),)
    plan = manual_plan(street(resources=res))
    assert all(p.resources == () for p in plan.packages)


def _random_street(seed: int) -> Instance:
    """40 communities in 3 streets of 2 neighbourhoods, 4 firms, 5 resources, random locks."""
    rng = np.random.default_rng(seed)
    comms = []
    for i in range(40):
        s, h = i % 3, i % 6
        centre = np.array([s * 3000.0, (h // 3) * 800.0])
        x, y = centre + rng.normal(0, 250, 2)
        comms.append(
            Community(
                f"C{i:02d}",
                "",
                f"S{s}",
                f"N{h}",
                x,
                y,
                int(rng.integers(12, 400)),
                float(rng.uniform(1000, 20000)),
                0.5,
                0.6,
            )
        )
    firms = [
        Firm(
            f"F{k}",
            "",
            float(rng.uniform(0, 6000)),
            float(rng.uniform(0, 800)),
            int(rng.integers(300, 3000)),
            int(rng.integers(1, 5)),
            float(rng.uniform(1000, 5000)),
            100_000,
            300,
            3000,
            0.05,
        )
        for k in range(4)
    ]
    # A firm every 'must' lock can rely on: room for everyone, everywhere.
    firms.append(Firm("FM", "", 3000, 400, 100_000, 100, 100_000, 100_000, 300, 3000, 0.05))
    res = [
        Resource(
            f"R{k}",
            "",
            "parking",
            float(rng.uniform(0, 6000)),
            float(rng.uniform(0, 800)),
            50_000,
            float(rng.uniform(500, 1500)),
        )
        for k in range(5)
    ]
    min_hh = int(rng.integers(0, 100))
    # 'must' locks only where a package can be formed at all (a seed reaches the minimum alone):
    # a package below the minimum cannot honour its lock, the one documented exception.
    lockable = [c.id for c in comms if c.households >= min_hh]
    locks = [Lock(str(cid), "FM", "must") for cid in rng.choice(lockable, 4, replace=False)]
    locks += [Lock(f"C{i:02d}", f"F{rng.integers(4)}", "forbid") for i in rng.choice(40, 6)]
    graph = nx.Graph()
    for a in comms:
        for b in comms:
            if a.id < b.id and np.hypot(a.lon - b.lon, a.lat - b.lat) <= 450:
                graph.add_edge(a.id, b.id)
    policy = Policy(
        package_max_households=800,
        package_min_households=min_hh,
        package_max_radius_m=700,
        fallback_cost_per_household=400,
    )
    return Instance(
        "random",
        tuple(comms),
        tuple(firms),
        tuple(res),
        tuple(locks),
        policy,
        graph=graph,
        distance="euclidean",
    )


@pytest.mark.parametrize("seed", range(6))
def test_manual_plan_breaks_no_rule_on_random_streets_with_locks(seed: int) -> None:
    inst = _random_street(seed)
    plan = manual_plan(inst)
    ev = evaluate(inst, plan)
    assert [str(v) for v in ev.broken] == []
    assert ev.coverage_households > 0


def _resources_by_full_scan(inst: Instance, plan) -> list[tuple[str, ...]]:
    """Step 5 as the module docstring states it, scanning every package and resource each time."""
    subsidy = []
    for p in plan.packages:
        firm, hub = inst.firm(p.firm_id), inst.community(p.hub_id)
        members = [inst.community(m) for m in p.members]
        cost = sum(package_cost_parts(inst, firm, hub, members))
        subsidy.append((1 + firm.min_margin) * cost - sum(m.annual_fee_income for m in members))
    taken: list[list[str]] = [[] for _ in plan.packages]
    unused = list(inst.resources)
    while True:
        options = [
            (-subsidy[i], d, i, r.id)
            for i, p in enumerate(plan.packages)
            if subsidy[i] > 0
            for r in unused
            if (d := inst.distance_m(r, inst.community(p.hub_id))) <= r.max_distance_m + 1e-6
        ]
        if not options:
            return [tuple(t) for t in taken]
        _, _, i, rid = min(options)
        taken[i].append(rid)
        subsidy[i] -= inst.resource(rid).annual_income
        unused = [r for r in unused if r.id != rid]


@pytest.mark.parametrize("seed", range(4))
def test_resources_go_as_a_full_scan_of_packages_and_resources_would_give_them(seed: int) -> None:
    inst = _random_street(seed)
    rng = np.random.default_rng(100 + seed)
    # Many resources, some of equal income and place, so that packages compete for them.
    res = tuple(
        Resource(f"R{k:02d}", "", "parking", float(x), float(y), float(inc), float(reach))
        for k, (x, y, inc, reach) in enumerate(
            zip(
                rng.choice([0.0, 1500.0, 3000.0, 4500.0], 24),
                rng.uniform(0, 800, 24),
                rng.choice([20_000, 60_000], 24),
                rng.uniform(500, 2500, 24),
                strict=True,
            )
        )
    )
    inst = replace(inst, resources=res)
    plan = manual_plan(inst)
    assert sum(len(p.resources) for p in plan.packages) > 0
    assert [p.resources for p in plan.packages] == _resources_by_full_scan(inst, plan)
