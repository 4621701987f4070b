"""The cost model and every rule check: one independent scorer for any plan.

This module is deliberately written from ``DESIGN.md`` alone, over the :class:`Instance` objects
and plain Python floats, and shares no code with the optimisation layer (which works on arrays
and integer-scaled money). Tests hold the two against each other: every plan the solver returns
must pass here with no broken rule and the same objective to the yuan.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from typing import Any

import networkx as nx
import pandas as pd

from sharedprop.data import Community, Firm, Instance
from sharedprop.errors import PlanError
from sharedprop.plan import Plan

# Distances compared against a limit get this much slack (metres), so that a plan that sits
# exactly on a radius is not flagged because of the last bit of a float.
DISTANCE_SLACK_M = 1e-6

RULES: dict[str, str] = {
    "one_package": "each community is in at most one package",
    "coverage": "every community is in a package (allow_uncovered = false)",
    "hub_member": "a package's hub is one of its members",
    "package_max_households": "a package holds at most package_max_households households",
    "package_min_households": "a package holds at least package_min_households households",
    "package_radius": "every member lies within package_max_radius_m of its hub",
    "contiguity": "a package's members induce a connected subgraph of the proximity graph",
    "one_street": "a package's members share one street (cross_streets = false)",
    "firm_capacity": "a firm's packages hold at most capacity_households households",
    "firm_max_packages": "a firm runs at most max_packages packages",
    "firm_service_radius": "every hub lies within its firm's service_radius_m",
    "resource_one_package": "a resource goes to at most one package",
    "resource_distance": "a resource's package hub lies within its max_distance_m",
    "lock_must": "a 'must' lock: the community is in a package of that firm",
    "lock_forbid": "a 'forbid' lock: the community is in no package of that firm",
}


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule: which rule, which package/firm/community/resource, and the numbers."""

    rule: str
    subject: str
    message: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.message}"


@dataclass(frozen=True, slots=True)
class PackageMetrics:
    package_id: str
    firm_id: str
    hub_id: str
    hub_given: bool
    members: tuple[str, ...]
    resources: tuple[str, ...]
    households: int
    cost: float
    fixed_cost: float
    household_cost: float
    travel_cost: float
    fee_revenue: float
    resource_income: float
    revenue: float
    subsidy: float
    margin: float  # (revenue + subsidy - cost) / cost: what the firm actually earns
    firm_distance_m: float
    max_member_distance_m: float
    streets: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FirmMetrics:
    firm_id: str
    name: str
    packages: int
    max_packages: int
    households: int
    capacity_households: int
    capacity_used: float  # households / capacity (0 when capacity is 0 and unused)


@dataclass(frozen=True)
class Evaluation:
    """Everything the cost model says about one plan, and every rule it breaks."""

    plan_name: str
    objective: float
    public_money: float
    subsidy: float
    fallback_cost: float
    total_cost: float
    revenue: float
    resource_income: float
    coverage_households: int
    total_households: int
    covered: tuple[str, ...]
    uncovered: tuple[str, ...]
    packages: tuple[PackageMetrics, ...]
    firms: tuple[FirmMetrics, ...]
    broken: tuple[Violation, ...]

    @property
    def feasible(self) -> bool:
        return not self.broken

    @property
    def coverage(self) -> float:
        """Share of households covered by some package."""
        return self.coverage_households / self.total_households if self.total_households else 1.0

    @property
    def firms_used(self) -> int:
        return sum(1 for f in self.firms if f.packages)

    def packages_frame(self) -> pd.DataFrame:
        rows = []
        for p in self.packages:
            d = asdict(p)
            d["members"] = ";".join(p.members)
            d["resources"] = ";".join(p.resources)
            d["streets"] = ";".join(p.streets)
            rows.append(d)
        cols = list(PackageMetrics.__dataclass_fields__)
        return pd.DataFrame(rows, columns=cols)

    def firms_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [asdict(f) for f in self.firms], columns=list(FirmMetrics.__dataclass_fields__)
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (the keys of ``sharedprop evaluate --json``)."""
        return {
            "plan": self.plan_name,
            "feasible": self.feasible,
            "objective": self.objective,
            "public_money": self.public_money,
            "subsidy": self.subsidy,
            "fallback_cost": self.fallback_cost,
            "total_cost": self.total_cost,
            "revenue": self.revenue,
            "resource_income": self.resource_income,
            "packages": len(self.packages),
            "firms_used": self.firms_used,
            "coverage_households": self.coverage_households,
            "total_households": self.total_households,
            "coverage": self.coverage,
            "uncovered": list(self.uncovered),
            "broken": [str(v) for v in self.broken],
            "package_table": [
                {
                    **asdict(p),
                    "members": list(p.members),
                    "resources": list(p.resources),
                    "streets": list(p.streets),
                }
                for p in self.packages
            ],
            "firm_table": [asdict(f) for f in self.firms],
        }


# -- the cost model ---------------------------------------------------------------------------


def package_cost_parts(
    instance: Instance, firm: Firm, hub: Community, members: list[Community]
) -> tuple[float, float, float]:
    """(fixed, household, travel) cost in yuan/year of one package, as the contract defines."""
    fixed = firm.package_fixed_cost
    household = sum(firm.cost_per_household * m.households for m in members)
    travel_m = sum(instance.distance_m(m, hub) for m in members) + instance.distance_m(firm, hub)
    travel = firm.travel_cost_per_km * travel_m / 1000.0
    return fixed, household, travel


def best_hub(instance: Instance, firm: Firm, members: list[Community]) -> Community:
    """The member minimising Σ d(member, hub) + d(firm, hub); ties go to the earliest member."""
    best, best_val = members[0], float("inf")
    for h in members:
        val = sum(instance.distance_m(m, h) for m in members) + instance.distance_m(firm, h)
        if val < best_val - 1e-9:
            best, best_val = h, val
    return best


def _check_ids(instance: Instance, plan: Plan) -> None:
    cidx, fidx, ridx = instance.community_index, instance.firm_index, instance.resource_index
    probs: list[str] = []
    seen_pkg: set[str] = set()
    for p in plan.packages:
        where = f"plan {plan.name}: package {p.id}"
        if p.id in seen_pkg:
            probs.append(f"{where}: package id appears twice")
        seen_pkg.add(p.id)
        if not p.members:
            probs.append(f"{where}: has no members")
        if p.firm_id not in fidx:
            probs.append(f"{where}: unknown firm {p.firm_id!r}")
        for m in p.members:
            if m not in cidx:
                probs.append(f"{where}: unknown community {m!r}")
        if p.hub_id is not None and p.hub_id not in cidx:
            probs.append(f"{where}: unknown hub community {p.hub_id!r}")
        for r in p.resources:
            if r not in ridx:
                probs.append(f"{where}: unknown resource {r!r}")
    if probs:
        raise PlanError(probs)


def evaluate(instance: Instance, plan: Plan) -> Evaluation:
    """Score ``plan`` under the contract's cost model and list every rule it breaks.

    Raises :class:`PlanError` only when the plan names things the instance does not have
    (unknown ids): that is bad input, not a broken rule.
    """
    _check_ids(instance, plan)
    pol = instance.policy
    broken: list[Violation] = []

    def brk(rule: str, subject: str, message: str) -> None:
        broken.append(Violation(rule, subject, message))

    # -- membership ---------------------------------------------------------------------------
    where_is: dict[str, list[str]] = defaultdict(list)
    for p in plan.packages:
        for m in p.members:
            where_is[m].append(p.id)
    for cid, pids in where_is.items():
        if len(pids) > 1:
            brk(
                "one_package",
                cid,
                f"community {cid} is in {len(pids)} packages ({', '.join(pids)}); at most 1 allowed",
            )
    covered = [c.id for c in instance.communities if c.id in where_is]
    uncovered = [c.id for c in instance.communities if c.id not in where_is]
    if not pol.allow_uncovered:
        for cid in uncovered:
            brk("coverage", cid, f"community {cid} is in no package and allow_uncovered = false")

    # -- packages -----------------------------------------------------------------------------
    pkg_metrics: list[PackageMetrics] = []
    firm_hh: Counter[str] = Counter()
    firm_pk: Counter[str] = Counter()
    res_pkgs: dict[str, list[str]] = defaultdict(list)
    for p in plan.packages:
        firm = instance.firm(p.firm_id)
        members = [instance.community(m) for m in p.members]
        hub = instance.community(p.hub_id) if p.hub_id else best_hub(instance, firm, members)
        if p.hub_id and p.hub_id not in p.members:
            brk("hub_member", p.id, f"package {p.id}: hub {p.hub_id} is not one of its members")
        households = sum(m.households for m in members)
        fixed, hh_cost, travel = package_cost_parts(instance, firm, hub, members)
        cost = fixed + hh_cost + travel
        fee_rev = sum(m.annual_fee_income for m in members)
        res_income = sum(instance.resource(r).annual_income for r in p.resources)
        revenue = fee_rev + res_income
        subsidy = max(0.0, (1.0 + firm.min_margin) * cost - revenue)
        margin = (revenue + subsidy - cost) / cost if cost > 0 else 0.0
        d_firm = instance.distance_m(firm, hub)
        dists = [instance.distance_m(m, hub) for m in members]
        max_d = max(dists) if dists else 0.0
        streets = tuple(sorted({m.street for m in members}))
        pkg_metrics.append(
            PackageMetrics(
                package_id=p.id,
                firm_id=firm.id,
                hub_id=hub.id,
                hub_given=p.hub_id is not None,
                members=tuple(p.members),
                resources=tuple(p.resources),
                households=households,
                cost=cost,
                fixed_cost=fixed,
                household_cost=hh_cost,
                travel_cost=travel,
                fee_revenue=fee_rev,
                resource_income=res_income,
                revenue=revenue,
                subsidy=subsidy,
                margin=margin,
                firm_distance_m=d_firm,
                max_member_distance_m=max_d,
                streets=streets,
            )
        )
        firm_hh[firm.id] += households
        firm_pk[firm.id] += 1
        for r in p.resources:
            res_pkgs[r].append(p.id)

        if pol.package_max_households is not None and households > pol.package_max_households:
            brk(
                "package_max_households",
                p.id,
                f"package {p.id} holds {households} households, more than the "
                f"package_max_households limit of {pol.package_max_households}",
            )
        if households < pol.package_min_households:
            brk(
                "package_min_households",
                p.id,
                f"package {p.id} holds {households} households, fewer than the "
                f"package_min_households limit of {pol.package_min_households}",
            )
        if pol.package_max_radius_m is not None:
            for m, d in zip(members, dists, strict=True):
                if d > pol.package_max_radius_m + DISTANCE_SLACK_M:
                    brk(
                        "package_radius",
                        p.id,
                        f"package {p.id}: member {m.id} is {d:.0f} m from hub {hub.id}, beyond "
                        f"package_max_radius_m = {pol.package_max_radius_m:g}",
                    )
        if pol.require_contiguity and len(members) > 1:
            sub = instance.graph.subgraph(p.members)
            if not nx.is_connected(sub):
                parts = sorted(
                    (sorted(c) for c in nx.connected_components(sub)), key=lambda c: c[0]
                )
                desc = " | ".join(",".join(c) for c in parts)
                brk(
                    "contiguity",
                    p.id,
                    f"package {p.id}: members are not connected in the proximity graph "
                    f"({len(parts)} parts: {desc})",
                )
        if not pol.cross_streets and len(streets) > 1:
            brk(
                "one_street",
                p.id,
                f"package {p.id}: members span {len(streets)} streets ({', '.join(streets)}) "
                "and cross_streets = false",
            )
        if d_firm > firm.service_radius_m + DISTANCE_SLACK_M:
            brk(
                "firm_service_radius",
                p.id,
                f"package {p.id}: hub {hub.id} is {d_firm:.0f} m from firm {firm.id}, beyond its "
                f"service_radius_m = {firm.service_radius_m:g}",
            )
        for r in p.resources:
            res = instance.resource(r)
            d = instance.distance_m(res, hub)
            if d > res.max_distance_m + DISTANCE_SLACK_M:
                brk(
                    "resource_distance",
                    r,
                    f"resource {r} in package {p.id}: hub {hub.id} is {d:.0f} m away, beyond its "
                    f"max_distance_m = {res.max_distance_m:g}",
                )

    for r, pids in res_pkgs.items():
        if len(pids) > 1:
            brk(
                "resource_one_package",
                r,
                f"resource {r} is bundled into {len(pids)} packages ({', '.join(pids)}); at most 1",
            )

    # -- firms --------------------------------------------------------------------------------
    firm_metrics: list[FirmMetrics] = []
    for f in instance.firms:
        hh, pk = firm_hh[f.id], firm_pk[f.id]
        used = (
            hh / f.capacity_households
            if f.capacity_households
            else (0.0 if hh == 0 else float("inf"))
        )
        firm_metrics.append(
            FirmMetrics(f.id, f.name, pk, f.max_packages, hh, f.capacity_households, used)
        )
        if hh > f.capacity_households:
            brk(
                "firm_capacity",
                f.id,
                f"firm {f.id} serves {hh} households, more than its capacity_households "
                f"of {f.capacity_households}",
            )
        if pk > f.max_packages:
            brk(
                "firm_max_packages",
                f.id,
                f"firm {f.id} runs {pk} packages, more than its max_packages of {f.max_packages}",
            )

    # -- locks --------------------------------------------------------------------------------
    pkg_firm = {p.id: p.firm_id for p in plan.packages}
    for lk in instance.locks:
        firms_of = {pkg_firm[pid] for pid in where_is.get(lk.community_id, [])}
        if lk.rule == "must" and lk.firm_id not in firms_of:
            got = ", ".join(sorted(firms_of)) or "no firm"
            brk(
                "lock_must",
                lk.community_id,
                f"community {lk.community_id} must be served by firm {lk.firm_id}, but is served "
                f"by {got}",
            )
        if lk.rule == "forbid" and lk.firm_id in firms_of:
            brk(
                "lock_forbid",
                lk.community_id,
                f"community {lk.community_id} must not be served by firm {lk.firm_id}, but is",
            )

    # -- totals -------------------------------------------------------------------------------
    subsidy = sum(p.subsidy for p in pkg_metrics)
    total_cost = sum(p.cost for p in pkg_metrics)
    revenue = sum(p.revenue for p in pkg_metrics)
    res_income = sum(p.resource_income for p in pkg_metrics)
    fallback = sum(
        pol.fallback_cost_per_household * instance.community(cid).households for cid in uncovered
    )
    public_money = subsidy + fallback
    w = instance.objective
    objective = w.weight_public_money * public_money + w.weight_total_cost * total_cost
    cov_hh = sum(instance.community(cid).households for cid in covered)
    return Evaluation(
        plan_name=plan.name,
        objective=objective,
        public_money=public_money,
        subsidy=subsidy,
        fallback_cost=fallback,
        total_cost=total_cost,
        revenue=revenue,
        resource_income=res_income,
        coverage_households=cov_hh,
        total_households=instance.total_households,
        covered=tuple(covered),
        uncovered=tuple(uncovered),
        packages=tuple(pkg_metrics),
        firms=tuple(firm_metrics),
        broken=tuple(broken),
    )
