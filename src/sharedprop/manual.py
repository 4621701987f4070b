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

from collections import defaultdict
from dataclasses import dataclass, field

from sharedprop.data import Community, Instance
from sharedprop.evaluate import DISTANCE_SLACK_M, package_cost_parts
from sharedprop.plan import Package, Plan


@dataclass
class _Draft:
    hub: Community
    members: list[Community]
    must_firm: str | None
    forbidden: set[str] = field(default_factory=set)

    @property
    def households(self) -> int:
        return sum(m.households for m in self.members)


def _lock_tables(instance: Instance) -> tuple[dict[str, str], dict[str, set[str]]]:
    must: dict[str, str] = {}
    forbid: dict[str, set[str]] = defaultdict(set)
    for lk in instance.locks:
        if lk.rule == "must":
            # Two different 'must' firms for one community cannot both hold; the first wins.
            must.setdefault(lk.community_id, lk.firm_id)
        else:
            forbid[lk.community_id].add(lk.firm_id)
    return must, forbid


def _grow_packages(instance: Instance) -> list[_Draft]:
    pol = instance.policy
    must, forbid = _lock_tables(instance)
    graph = instance.graph
    max_hh = pol.package_max_households
    max_r = pol.package_max_radius_m

    by_street: dict[str, list[Community]] = defaultdict(list)
    neighbourhoods: dict[tuple[str, str], list[Community]] = {}
    for c in instance.communities:
        by_street[c.street].append(c)
        neighbourhoods.setdefault((c.street, c.neighbourhood), []).append(c)
    street_rank = {s: i for i, s in enumerate(by_street)}
    order = sorted(neighbourhoods, key=lambda k: street_rank[k[0]])

    assigned: set[str] = set()
    drafts: list[_Draft] = []
    for key in order:
        while True:
            free = [c for c in neighbourhoods[key] if c.id not in assigned]
            if not free:
                break
            seed = min(free, key=lambda c: (-c.households, c.id))
            draft = _Draft(seed, [seed], must.get(seed.id), set(forbid.get(seed.id, ())))
            assigned.add(seed.id)
            in_pkg = {seed.id}
            street = by_street[seed.street]
            while True:
                if pol.require_contiguity:
                    near = {n for m in in_pkg for n in graph.neighbors(m)}
                    pool = [c for c in street if c.id in near]
                else:
                    pool = street
                best: tuple[float, str, Community] | None = None
                for c in pool:
                    if c.id in assigned:
                        continue
                    if max_hh is not None and draft.households + c.households > max_hh:
                        continue
                    d = instance.distance_m(c, draft.hub)
                    if max_r is not None and d > max_r + DISTANCE_SLACK_M:
                        continue
                    c_must = must.get(c.id)
                    if c_must is not None and draft.must_firm not in (None, c_must):
                        continue
                    firm_needed = draft.must_firm or c_must
                    if firm_needed is not None and (
                        firm_needed in draft.forbidden or firm_needed in forbid.get(c.id, ())
                    ):
                        continue
                    if best is None or (d, c.id) < best[:2]:
                        best = (d, c.id, c)
                if best is None:
                    break
                c = best[2]
                draft.members.append(c)
                draft.must_firm = draft.must_firm or must.get(c.id)
                draft.forbidden |= forbid.get(c.id, set())
                in_pkg.add(c.id)
                assigned.add(c.id)
            if draft.households >= pol.package_min_households:
                drafts.append(draft)
    return drafts


def manual_plan(instance: Instance, name: str = "manual") -> Plan:
    """The street office's hand-made plan for ``instance`` (see the module docstring)."""
    drafts = _grow_packages(instance)
    remaining_cap = {f.id: f.capacity_households for f in instance.firms}
    remaining_pk = {f.id: f.max_packages for f in instance.firms}

    chosen: list[tuple[_Draft, str]] = []
    for draft in sorted(drafts, key=lambda d: d.must_firm is None):  # stable: keeps made-order
        best: tuple[float, str] | None = None
        for f in instance.firms:
            if draft.must_firm is not None and f.id != draft.must_firm:
                continue
            if f.id in draft.forbidden:
                continue
            if remaining_cap[f.id] < draft.households or remaining_pk[f.id] < 1:
                continue
            d = instance.distance_m(f, draft.hub)
            if d > f.service_radius_m + DISTANCE_SLACK_M:
                continue
            if best is None or (d, f.id) < best:
                best = (d, f.id)
        if best is None:
            continue
        fid = best[1]
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


def _bundle_resources(instance: Instance, chosen: list[tuple[_Draft, str]]) -> dict[int, list[str]]:
    subsidy: list[float] = []
    for draft, fid in chosen:
        firm = instance.firm(fid)
        cost = sum(package_cost_parts(instance, firm, draft.hub, draft.members))
        revenue = sum(m.annual_fee_income for m in draft.members)
        subsidy.append((1.0 + firm.min_margin) * cost - revenue)

    out: dict[int, list[str]] = defaultdict(list)
    unused = list(instance.resources)
    while unused:
        best: tuple[float, float, int, str] | None = None
        for i, (draft, _) in enumerate(chosen):
            if subsidy[i] <= 0:
                continue
            for r in unused:
                d = instance.distance_m(r, draft.hub)
                if d > r.max_distance_m + DISTANCE_SLACK_M:
                    continue
                key = (-subsidy[i], d, i, r.id)
                if best is None or key < best:
                    best = key
        if best is None:
            break
        _, _, i, rid = best
        out[i].append(rid)
        subsidy[i] -= instance.resource(rid).annual_income
        unused = [r for r in unused if r.id != rid]
    return out
