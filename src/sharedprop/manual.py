"""The manual baseline: packages made the way a careful street office makes them by hand.

This is the plan the optimiser has to beat, and a warm start other code may reuse. It never
breaks a rule that :func:`sharedprop.evaluate.evaluate` checks, with one exception a hand planner
shares: a ``must`` lock stays broken when its firm has no room left, or when the locked
community's package stays below ``package_min_households`` (the community is left out).

How a planner works (人工方案):

1. Neighbourhood by neighbourhood (社区, in the order they first appear, grouped by street), seed a
   package with the largest unassigned community; its service point (hub) is that seed.
2. Grow it: repeatedly add the unassigned community of the same street that is nearest to the hub
   among those touching the package in the proximity graph (any community of the street when
   ``require_contiguity`` is off), as long as the package stays within
   ``package_max_households`` and the member stays within ``package_max_radius_m`` of the hub.
   Communities that a lock ties to another firm, or that forbid the package's firm, stay out.
3. A package smaller than ``package_min_households`` is not formed (its communities stay
   uncovered: the street office carries them).
4. Give each package, packages with a ``must`` lock first and then in the order they were made,
   to the nearest firm with room: capacity, ``max_packages`` and service radius; no forbidden
   firm. If none has room the package stays uncovered.
5. Resources ("fat with thin", 肥瘦搭配): while some unused resource can reach a package that still
   needs a subsidy, the package needing the largest subsidy takes the nearest resource it can
   reach. Adding income never raises public money, so this step only helps.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from sharedprop.data import Community, Firm, Instance
from sharedprop.evaluate import DISTANCE_SLACK_M, package_cost_parts
from sharedprop.graph import pairs_within, point_distances
from sharedprop.plan import Package, Plan

# Vectorised distances only choose which sites to look at: every comparison that decides the plan
# uses ``Instance.distance_m``, so the plan does not depend on the last bits of numpy's sine.
# This margin (metres) covers the gap between the two computations many times over.
PREFILTER_MARGIN_M = 1e-3


@dataclass
class _Draft:
    hub: Community
    members: list[Community]
    must_firm: str | None
    forbidden: set[str] = field(default_factory=set)
    households: int = 0

    def add(self, c: Community, must: str | None, forbid: set[str]) -> None:
        self.members.append(c)
        self.households += c.households
        self.must_firm = self.must_firm or must
        self.forbidden |= forbid


@dataclass
class _Locks:
    must: dict[str, str]
    forbid: dict[str, set[str]]

    @classmethod
    def of(cls, instance: Instance) -> _Locks:
        must: dict[str, str] = {}
        forbid: dict[str, set[str]] = defaultdict(set)
        for lk in instance.locks:
            if lk.rule == "must":
                # Two different 'must' firms for one community cannot both hold; the first wins.
                must.setdefault(lk.community_id, lk.firm_id)
            else:
                forbid[lk.community_id].add(lk.firm_id)
        return cls(must, forbid)

    def admits(self, draft: _Draft, c: Community) -> bool:
        """May ``c`` join ``draft`` without two firms locked in, or its firm forbidden?"""
        c_must = self.must.get(c.id)
        if c_must is not None and draft.must_firm not in (None, c_must):
            return False
        firm_needed = draft.must_firm or c_must
        return firm_needed is None or (
            firm_needed not in draft.forbidden and firm_needed not in self.forbid.get(c.id, ())
        )


class _Grower:
    """Step 2 of the module docstring for one instance: packages grown from their seeds."""

    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        self.policy = instance.policy
        self.locks = _Locks.of(instance)
        self.assigned: set[str] = set()
        self.by_street: dict[str, list[Community]] = defaultdict(list)
        for c in instance.communities:
            self.by_street[c.street].append(c)

    def grow(self, seed: Community) -> _Draft:
        locks = self.locks
        draft = _Draft(seed, [], locks.must.get(seed.id), set())
        draft.add(seed, None, set(locks.forbid.get(seed.id, ())))
        self.assigned.add(seed.id)
        pool = _ContiguousPool(self, seed) if self.policy.require_contiguity else None
        street_d = None if pool is not None else self._street_distances(seed)
        while True:
            cands = pool.candidates() if pool is not None else street_d.items()  # type: ignore[union-attr]
            best = self._nearest_fit(draft, cands)
            if best is None:
                return draft
            draft.add(best, locks.must.get(best.id), locks.forbid.get(best.id, set()))
            self.assigned.add(best.id)
            if pool is not None:
                pool.joined(best)

    def _nearest_fit(self, draft: _Draft, cands) -> Community | None:
        """The candidate nearest to the hub (ties: smaller id) that fits every rule."""
        max_hh, max_r = self.policy.package_max_households, self.policy.package_max_radius_m
        best: tuple[float, str, Community] | None = None
        for c, d in cands:
            if c.id in self.assigned:
                continue
            if max_hh is not None and draft.households + c.households > max_hh:
                continue
            if max_r is not None and d > max_r + DISTANCE_SLACK_M:
                continue
            if not self.locks.admits(draft, c):
                continue
            if best is None or (d, c.id) < best[:2]:
                best = (d, c.id, c)
        return None if best is None else best[2]

    def _street_distances(self, hub: Community) -> dict[Community, float]:
        """Distance from ``hub`` to each member of its street it may take (radius prefiltered)."""
        street = self.by_street[hub.street]
        max_r = self.policy.package_max_radius_m
        if max_r is not None:
            lon = np.array([c.lon for c in street])
            lat = np.array([c.lat for c in street])
            rough = point_distances(self.instance.distance, hub.lon, hub.lat, lon, lat)
            keep = rough <= max_r + DISTANCE_SLACK_M + PREFILTER_MARGIN_M
            street = [c for c, k in zip(street, keep.tolist(), strict=True) if k]
        return {c: self.instance.distance_m(c, hub) for c in street}


class _ContiguousPool:
    """The unassigned communities of the package's street that touch it in the graph."""

    def __init__(self, grower: _Grower, seed: Community) -> None:
        self.grower = grower
        self.hub = seed
        self.near: dict[str, float] = {}
        self.joined(seed)

    def joined(self, member: Community) -> None:
        inst = self.grower.instance
        for n in inst.graph.neighbors(member.id):
            if n not in self.near and n not in self.grower.assigned:
                c = inst.community(n)
                if c.street == self.hub.street:
                    self.near[n] = inst.distance_m(c, self.hub)

    def candidates(self) -> list[tuple[Community, float]]:
        inst, assigned = self.grower.instance, self.grower.assigned
        for n in [n for n in self.near if n in assigned]:
            del self.near[n]
        return [(inst.community(n), d) for n, d in self.near.items()]


def _grow_packages(instance: Instance) -> list[_Draft]:
    """Steps 1–3 of the module docstring: neighbourhood by neighbourhood, largest seed first."""
    grower = _Grower(instance)
    neighbourhoods: dict[tuple[str, str], list[Community]] = {}
    for c in instance.communities:
        neighbourhoods.setdefault((c.street, c.neighbourhood), []).append(c)
    street_rank = {s: i for i, s in enumerate(grower.by_street)}
    drafts: list[_Draft] = []
    for key in sorted(neighbourhoods, key=lambda k: street_rank[k[0]]):
        # Seeds in the order "largest unassigned first": one sort instead of a scan per seed.
        for seed in sorted(neighbourhoods[key], key=lambda c: (-c.households, c.id)):
            if seed.id in grower.assigned:
                continue
            draft = grower.grow(seed)
            if draft.households >= instance.policy.package_min_households:
                drafts.append(draft)
    return drafts


@dataclass(frozen=True)
class _FirmSites:
    """The firms' positions and service radii as arrays, built once per plan."""

    lon: np.ndarray
    lat: np.ndarray
    radius: np.ndarray

    @classmethod
    def of(cls, instance: Instance) -> _FirmSites:
        firms = instance.firms
        return cls(
            np.array([f.lon for f in firms], dtype=float),
            np.array([f.lat for f in firms], dtype=float),
            np.array([f.service_radius_m for f in firms], dtype=float),
        )


def _nearest_firm(
    instance: Instance, sites: _FirmSites, draft: _Draft, cap: dict[str, int], pk: dict[str, int]
) -> str | None:
    """Step 4 for one package: the nearest firm with room (ties: smaller id), or None."""
    hub = draft.hub
    rough = point_distances(instance.distance, hub.lon, hub.lat, sites.lon, sites.lat)
    near = np.flatnonzero(rough <= sites.radius + DISTANCE_SLACK_M + PREFILTER_MARGIN_M)
    best: tuple[float, str] | None = None
    for k in near.tolist():
        f: Firm = instance.firms[k]
        if draft.must_firm is not None and f.id != draft.must_firm:
            continue
        if f.id in draft.forbidden:
            continue
        if cap[f.id] < draft.households or pk[f.id] < 1:
            continue
        d = instance.distance_m(f, hub)
        if d > f.service_radius_m + DISTANCE_SLACK_M:
            continue
        if best is None or (d, f.id) < best:
            best = (d, f.id)
    return None if best is None else best[1]


def manual_plan(instance: Instance, name: str = "manual") -> Plan:
    """The street office's hand-made plan for ``instance`` (see the module docstring).

    Parameters
    ----------
    instance
        The instance to plan.
    name
        The plan's name.

    Returns
    -------
    Plan
        Packages numbered in the order they were made, with hubs and bundled resources.
    """
    drafts = _grow_packages(instance)
    remaining_cap = {f.id: f.capacity_households for f in instance.firms}
    remaining_pk = {f.id: f.max_packages for f in instance.firms}

    sites = _FirmSites.of(instance)
    chosen: list[tuple[_Draft, str]] = []
    for draft in sorted(drafts, key=lambda d: d.must_firm is None):  # stable: keeps made-order
        fid = _nearest_firm(instance, sites, draft, remaining_cap, remaining_pk)
        if fid is None:
            continue
        remaining_cap[fid] -= draft.households
        remaining_pk[fid] -= 1
        chosen.append((draft, fid))
    # Package numbers follow the order packages were made, not the firm-assignment order.
    made = {id(d): i for i, d in enumerate(drafts)}
    chosen.sort(key=lambda t: made[id(t[0])])

    resources = _bundle_resources(instance, chosen)
    packages = tuple(
        Package(
            id=f"P{i + 1:03d}",
            firm_id=fid,
            members=tuple(m.id for m in draft.members),
            hub_id=draft.hub.id,
            resources=tuple(resources.get(i, ())),
        )
        for i, (draft, fid) in enumerate(chosen)
    )
    return Plan(packages=packages, name=name)


def _reachable_resources(
    instance: Instance, hubs: list[Community]
) -> list[list[tuple[float, str]]]:
    """For each hub, the (distance, id) of every resource that can reach it, nearest first.

    Candidate pairs come from a spatial index (:func:`sharedprop.graph.pairs_within`) at the
    largest reach; each is then checked against its own resource's reach.
    """
    out: list[list[tuple[float, str]]] = [[] for _ in hubs]
    res = instance.resources
    if not res or not hubs:
        return out
    reach = max(r.max_distance_m for r in res) + DISTANCE_SLACK_M + PREFILTER_MARGIN_M
    h_i, r_j, _ = pairs_within(
        instance.distance,
        np.array([h.lon for h in hubs]),
        np.array([h.lat for h in hubs]),
        reach,
        np.array([r.lon for r in res]),
        np.array([r.lat for r in res]),
    )
    for i, j in zip(h_i.tolist(), r_j.tolist(), strict=True):
        r = res[j]
        d = instance.distance_m(r, hubs[i])
        if d <= r.max_distance_m + DISTANCE_SLACK_M:
            out[i].append((d, r.id))
    for pairs in out:
        pairs.sort()
    return out


def _bundle_resources(instance: Instance, chosen: list[tuple[_Draft, str]]) -> dict[int, list[str]]:
    """Step 5: repeatedly, the package needing most subsidy takes its nearest reachable resource.

    The choice is the minimum of (−subsidy, distance, package, resource id) over every package
    still needing a subsidy and every unused resource it can reach. A heap holds each package's
    best pair; a pair whose resource another package took meanwhile is replaced by the package's
    next one when it comes up (its key can only grow), so each choice costs a logarithm, not a
    scan of every package and resource.
    """
    subsidy: list[float] = []
    for draft, fid in chosen:
        firm = instance.firm(fid)
        cost = sum(package_cost_parts(instance, firm, draft.hub, draft.members))
        revenue = sum(m.annual_fee_income for m in draft.members)
        subsidy.append((1.0 + firm.min_margin) * cost - revenue)

    reachable = _reachable_resources(instance, [draft.hub for draft, _ in chosen])
    nxt = [0] * len(chosen)  # position of each package's next resource to try
    used: set[str] = set()
    heap: list[tuple[float, float, int, str]] = []

    def push(i: int) -> None:
        pairs = reachable[i]
        while nxt[i] < len(pairs) and pairs[nxt[i]][1] in used:
            nxt[i] += 1
        if subsidy[i] > 0 and nxt[i] < len(pairs):
            d, rid = pairs[nxt[i]]
            heapq.heappush(heap, (-subsidy[i], d, i, rid))

    for i in range(len(chosen)):
        push(i)
    out: dict[int, list[str]] = defaultdict(list)
    while heap:
        _, _, i, rid = heapq.heappop(heap)
        if rid in used:  # taken by another package since: try this package's next resource
            push(i)
            continue
        out[i].append(rid)
        used.add(rid)
        subsidy[i] -= instance.resource(rid).annual_income
        push(i)
    return out
