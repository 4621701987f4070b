"""Hypothesis strategies for random valid instances, built in Python (no files).

Sites lie on a planar grid in metres (``distance = "euclidean"``, whole-metre coordinates so
that some distances land exactly on a radius limit); the proximity graph links communities at
most ``link_max_m`` apart, as the loader would. Every policy switch of the contract is drawn:
contiguity, household limits, radius, streets, coverage, fallback money, objective weights and
locks. Numbers stay in the ranges of DESIGN.md so that subsidies are neither always zero nor
always huge.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import replace

import networkx as nx
from hypothesis import strategies as st

from sharedprop import Community, Firm, Instance, Lock, ObjectiveWeights, Policy, Resource

STREETS = ("筼筜街道", "嘉莲街道")


def proximity_graph(communities: list[Community], link_max_m: float) -> nx.Graph:
    g = nx.Graph()
    g.add_nodes_from(c.id for c in communities)
    for a, b in itertools.combinations(communities, 2):
        if math.hypot(a.lon - b.lon, a.lat - b.lat) <= link_max_m:
            g.add_edge(a.id, b.id)
    return g


@st.composite
def communities(draw: st.DrawFn, n: int, span_m: int) -> list[Community]:
    out = []
    for i in range(n):
        hh = draw(st.integers(10, 200))
        out.append(
            Community(
                id=f"C{i + 1}",
                name=f"小区{i + 1}",
                street=draw(st.sampled_from(STREETS)),
                neighbourhood="社区",
                lon=float(draw(st.integers(0, span_m))),
                lat=float(draw(st.integers(0, span_m))),
                households=hh,
                floor_area_m2=float(hh * draw(st.integers(50, 80))),
                fee_rate=draw(st.sampled_from((0.3, 0.45, 0.5, 0.65, 0.8))),
                collection_rate=draw(st.sampled_from((0.5, 0.6, 0.75, 0.9))),
            )
        )
    return out


@st.composite
def firms(draw: st.DrawFn, m: int, span_m: int) -> list[Firm]:
    return [
        Firm(
            id=f"F{j + 1}",
            name=f"物业{j + 1}",
            lon=float(draw(st.integers(0, span_m))),
            lat=float(draw(st.integers(0, span_m))),
            capacity_households=draw(st.sampled_from((150, 300, 600, 2000, 2000, 0))),
            max_packages=draw(st.sampled_from((1, 2, 3, 3, 0))),
            service_radius_m=float(draw(st.sampled_from((300, 800, 1500, 5000)))),
            package_fixed_cost=float(draw(st.integers(2, 15)) * 10_000),
            cost_per_household=float(draw(st.integers(100, 350))),
            travel_cost_per_km=float(draw(st.sampled_from((0, 2000, 3000)))),
            min_margin=draw(st.sampled_from((0.0, 0.03, 0.08))),
        )
        for j in range(m)
    ]


@st.composite
def resources(draw: st.DrawFn, k: int, span_m: int) -> list[Resource]:
    return [
        Resource(
            id=f"R{r + 1}",
            name=f"资源{r + 1}",
            kind=draw(st.sampled_from(("parking", "public_housing"))),
            lon=float(draw(st.integers(0, span_m))),
            lat=float(draw(st.integers(0, span_m))),
            annual_income=float(draw(st.integers(0, 15)) * 10_000),
            max_distance_m=float(draw(st.sampled_from((200, 600, 1500, 5000)))),
        )
        for r in range(k)
    ]


@st.composite
def policies(draw: st.DrawFn) -> Policy:
    max_hh = draw(st.sampled_from((None, 150, 300, 600)))
    min_hh = draw(st.sampled_from((0, 0, 50, 120)))
    if max_hh is not None:
        min_hh = min(min_hh, max_hh)
    return Policy(
        package_max_households=max_hh,
        package_min_households=min_hh,
        package_max_radius_m=draw(st.sampled_from((None, 300.0, 700.0, 1500.0))),
        link_max_m=float(draw(st.sampled_from((400, 800, 1500)))),
        require_contiguity=draw(st.booleans()),
        cross_streets=draw(st.booleans()),
        allow_uncovered=draw(st.sampled_from((True, True, True, True, True, False))),
        fallback_cost_per_household=float(draw(st.sampled_from((300, 500, 800, 1500, 0)))),
    )


@st.composite
def weights(draw: st.DrawFn) -> ObjectiveWeights:
    w_pm, w_tc = draw(st.sampled_from(((1.0, 0.0), (1.0, 0.0), (1.0, 0.2), (0.5, 1.0), (0.0, 1.0))))
    return ObjectiveWeights(weight_public_money=w_pm, weight_total_cost=w_tc)


@st.composite
def locks(draw: st.DrawFn, cs: list[Community], fs: list[Firm], most: int) -> list[Lock]:
    chosen = draw(
        st.lists(
            st.tuples(
                st.sampled_from([c.id for c in cs]),
                st.sampled_from([f.id for f in fs]),
                st.sampled_from(("must", "forbid")),
            ),
            max_size=most,
            unique_by=lambda t: (t[0], t[1]),
        )
    )
    return [Lock(c, f, rule) for c, f, rule in chosen]


@st.composite
def instances(
    draw: st.DrawFn,
    n: tuple[int, int] = (3, 6),
    m: tuple[int, int] = (1, 3),
    k: tuple[int, int] = (0, 2),
    span_m: int = 1500,
    max_locks: int = 2,
) -> Instance:
    """A random valid instance with ``n`` communities, ``m`` firms and ``k`` resources (ranges)."""
    cs = draw(communities(draw(st.integers(*n)), span_m))
    fs = draw(firms(draw(st.integers(*m)), span_m))
    rs = draw(resources(draw(st.integers(*k)), span_m))
    pol = draw(policies())
    return Instance(
        name="hypothesis",
        communities=tuple(cs),
        firms=tuple(fs),
        resources=tuple(rs),
        locks=tuple(draw(locks(cs, fs, max_locks))),
        policy=pol,
        objective=draw(weights()),
        graph=proximity_graph(cs, pol.link_max_m),
        distance="euclidean",
    )


@st.composite
def with_candidates(draw: st.DrawFn, **ranges: tuple[int, int]) -> Instance:
    """:func:`instances` where some resources are only candidates (``available = false``, a
    December 2026 contract addition)."""
    base = draw(instances(**ranges))
    resources = tuple(
        replace(r, available=draw(st.sampled_from((True, True, False)))) for r in base.resources
    )
    return replace(base, resources=resources)
