"""The cost model and every rule check: one independent scorer for any plan.

This module is deliberately written from ``DESIGN.md`` alone, over the :class:`Instance` objects
and plain Python floats, and shares no code with the optimisation layer (which works on arrays
and integer-scaled money). Tests hold the two against each other: every plan the solver returns
must pass here with no broken rule and the same objective to the yuan.

A plan is scored package by package (:func:`score_package`: a package's figures and the rules it
breaks by itself), then as a whole (:func:`evaluation_of`: membership, firms, resources, locks,
totals). :class:`Scorer` keeps the package scores, so that many plans that share most of their
packages (a planner's hand edits, the alternatives an explanation weighs) are scored without
scoring the same package twice; its evaluations are :func:`evaluate`'s, to the last bit.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

import networkx as nx
import pandas as pd

from sharedprop.data import Community, Firm, Instance, Lock, Resource
from sharedprop.errors import PlanError
from sharedprop.plan import Package, Plan

# Distances compared against a limit get this much slack (metres), so that a plan that sits
# exactly on a radius is not flagged because of the last bit of a float.
DISTANCE_SLACK_M = 1e-6

RuleName = Literal[
    "one_package",
    "coverage",
    "hub_member",
    "package_max_households",
    "package_min_households",
    "package_radius",
    "contiguity",
    "one_street",
    "firm_capacity",
    "firm_max_packages",
    "firm_service_radius",
    "resource_one_package",
    "resource_distance",
    "lock_must",
    "lock_forbid",
    "min_coverage",
    "resource_available",
]

# Each rule of DESIGN.md's hard rules, by the name a violation carries, in words.
RULES: dict[RuleName, str] = {
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
    "min_coverage": "packages hold at least min_coverage of all households",
    "resource_available": "no package bundles a resource with available = false (a candidate)",
}


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule: which rule, which package/firm/community/resource, and the numbers."""

    rule: RuleName
    subject: str
    message: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.message}"


@dataclass(frozen=True, slots=True)
class PackageMetrics:
    """One package's figures under the cost model (money in yuan a year, distances in metres).

    ``cost`` = ``fixed_cost + household_cost + travel_cost``; ``revenue`` = ``fee_revenue +
    resource_income``; ``hub_given`` says whether the plan named the hub or the contract's hub
    rule chose it.
    """

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
    """One firm's load under the plan, beside its limits."""

    firm_id: str
    name: str
    packages: int
    max_packages: int
    households: int
    capacity_households: int
    capacity_used: float  # households / capacity (0 when capacity is 0 and unused)


@dataclass(frozen=True)
class Evaluation:
    """Everything the cost model says about one plan, and every rule it breaks.

    Money is yuan per year. Made by :func:`evaluate`; ``to_dict``, ``packages_frame`` and
    ``firms_frame`` lay it out for JSON and pandas.

    Attributes
    ----------
    plan_name
        The plan's name.
    objective
        ``weight_public_money · public_money + weight_total_cost · total_cost``.
    public_money
        ``subsidy + fallback_cost``: what the street office pays.
    subsidy
        The packages' subsidies, each what tops its revenue up to cost plus the firm's margin.
    fallback_cost
        ``fallback_cost_per_household`` times the households no package takes.
    total_cost, revenue, resource_income
        Summed over the packages.
    coverage_households, total_households
        Households in some package, and in the instance.
    covered, uncovered
        Community ids in some package, and in none (instance order).
    packages
        One :class:`PackageMetrics` per package, in plan order.
    firms
        One :class:`FirmMetrics` per firm of the instance, in instance order.
    broken
        Every :class:`Violation`; empty when the plan keeps every rule (``feasible``).
    """

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
        """The plan breaks no rule."""
        return not self.broken

    @property
    def coverage(self) -> float:
        """Share of households covered by some package."""
        return self.coverage_households / self.total_households if self.total_households else 1.0

    @property
    def firms_used(self) -> int:
        """Firms that run at least one package."""
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
    instance: Instance, firm: Firm, hub: Community, members: Sequence[Community]
) -> tuple[float, float, float]:
    """(fixed, household, travel) cost in yuan/year of one package, as the contract defines."""
    hub_distances = [instance.distance_m(m, hub) for m in members]
    return _cost_parts(firm, members, hub_distances, instance.distance_m(firm, hub))


def _cost_parts(
    firm: Firm, members: Sequence[Community], hub_distances: Iterable[float], firm_distance: float
) -> tuple[float, float, float]:
    fixed = firm.package_fixed_cost
    household = sum(firm.cost_per_household * m.households for m in members)
    travel_m = sum(hub_distances) + firm_distance
    travel = firm.travel_cost_per_km * travel_m / 1000.0
    return fixed, household, travel


Site = Community | Firm | Resource
Distance = Callable[[Site, Site], float]  # the contract distance, as Instance.distance_m


def best_hub(
    instance: Instance,
    firm: Firm,
    members: Sequence[Community],
    distance: Distance | None = None,
) -> Community:
    """The member minimising Σ d(member, hub) + d(firm, hub); ties go to the earliest member.

    ``distance`` replaces ``instance.distance_m`` (a cache of it)."""
    d = distance or instance.distance_m
    best, best_val = members[0], float("inf")
    for h in members:
        val = sum(d(m, h) for m in members) + d(firm, h)
        if val < best_val - 1e-9:
            best, best_val = h, val
    return best


@dataclass(frozen=True, slots=True)
class _Placed:
    """A package with its firm, hub and members looked up, and each member's distance to the hub."""

    package: Package
    firm: Firm
    hub: Community
    members: tuple[Community, ...]
    hub_distances: tuple[float, ...]


def _place(instance: Instance, package: Package, distance: Distance) -> _Placed:
    firm = instance.firm(package.firm_id)
    members = tuple(instance.community(m) for m in package.members)
    hub = (
        instance.community(package.hub_id)
        if package.hub_id
        else best_hub(instance, firm, members, distance)
    )
    dists = tuple(distance(m, hub) for m in members)
    return _Placed(package, firm, hub, members, dists)


def _package_metrics(instance: Instance, placed: _Placed, distance: Distance) -> PackageMetrics:
    p, firm, hub, members = placed.package, placed.firm, placed.hub, placed.members
    firm_distance = distance(firm, hub)
    fixed, hh_cost, travel = _cost_parts(firm, members, placed.hub_distances, firm_distance)
    cost = fixed + hh_cost + travel
    fee_rev = sum(m.annual_fee_income for m in members)
    res_income = sum(instance.resource(r).annual_income for r in p.resources)
    revenue = fee_rev + res_income
    subsidy = max(0.0, (1.0 + firm.min_margin) * cost - revenue)
    return PackageMetrics(
        package_id=p.id,
        firm_id=firm.id,
        hub_id=hub.id,
        hub_given=p.hub_id is not None,
        members=tuple(p.members),
        resources=tuple(p.resources),
        households=sum(m.households for m in members),
        cost=cost,
        fixed_cost=fixed,
        household_cost=hh_cost,
        travel_cost=travel,
        fee_revenue=fee_rev,
        resource_income=res_income,
        revenue=revenue,
        subsidy=subsidy,
        margin=(revenue + subsidy - cost) / cost if cost > 0 else 0.0,
        firm_distance_m=firm_distance,
        max_member_distance_m=max(placed.hub_distances) if placed.hub_distances else 0.0,
        streets=tuple(sorted({m.street for m in members})),
    )


def _firm_metrics(
    instance: Instance, packages: Iterable[PackageMetrics]
) -> tuple[FirmMetrics, ...]:
    households: Counter[str] = Counter()
    count: Counter[str] = Counter()
    for p in packages:
        households[p.firm_id] += p.households
        count[p.firm_id] += 1
    return tuple(firm_load(f, count[f.id], households[f.id]) for f in instance.firms)


def firm_load(firm: Firm, packages: int, households: int) -> FirmMetrics:
    """``firm``'s row when it runs ``packages`` packages holding ``households`` households."""
    if firm.capacity_households:
        used = households / firm.capacity_households
    else:
        used = 0.0 if households == 0 else float("inf")
    return FirmMetrics(
        firm.id, firm.name, packages, firm.max_packages, households, firm.capacity_households, used
    )


# -- the rules, family by family (DESIGN.md, "Hard rules") -------------------------------------


def membership_violations(
    instance: Instance, packages_of: dict[str, list[str]]
) -> Iterator[Violation]:
    """one_package, coverage."""
    for cid, pids in packages_of.items():
        if len(pids) > 1:
            yield Violation(
                "one_package",
                cid,
                f"community {cid} is in {len(pids)} packages ({', '.join(pids)}); "
                "at most 1 allowed",
            )
    if not instance.policy.allow_uncovered:
        for c in instance.communities:
            if c.id not in packages_of:
                yield Violation(
                    "coverage",
                    c.id,
                    f"community {c.id} is in no package and allow_uncovered = false",
                )


ContiguityRule = Callable[[Instance, Package], Iterable[Violation]]


def _package_rules(
    instance: Instance, placed: _Placed, m: PackageMetrics, contiguity: ContiguityRule
) -> Iterator[Violation]:
    """hub_member, package_max_households, package_min_households, package_radius, contiguity,
    one_street."""
    pol, p, hub = instance.policy, placed.package, placed.hub
    if p.hub_id and p.hub_id not in p.members:
        yield Violation(
            "hub_member", p.id, f"package {p.id}: hub {p.hub_id} is not one of its members"
        )
    if pol.package_max_households is not None and m.households > pol.package_max_households:
        yield Violation(
            "package_max_households",
            p.id,
            f"package {p.id} holds {m.households} households, more than the "
            f"package_max_households limit of {pol.package_max_households}",
        )
    if m.households < pol.package_min_households:
        yield Violation(
            "package_min_households",
            p.id,
            f"package {p.id} holds {m.households} households, fewer than the "
            f"package_min_households limit of {pol.package_min_households}",
        )
    if pol.package_max_radius_m is not None:
        for member, d in zip(placed.members, placed.hub_distances, strict=True):
            if d > pol.package_max_radius_m + DISTANCE_SLACK_M:
                yield Violation(
                    "package_radius",
                    p.id,
                    f"package {p.id}: member {member.id} is {d:.0f} m from hub {hub.id}, beyond "
                    f"package_max_radius_m = {pol.package_max_radius_m:g}",
                )
    if pol.require_contiguity and len(placed.members) > 1:
        yield from contiguity(instance, p)
    if not pol.cross_streets and len(m.streets) > 1:
        yield Violation(
            "one_street",
            p.id,
            f"package {p.id}: members span {len(m.streets)} streets ({', '.join(m.streets)}) "
            "and cross_streets = false",
        )


def _parts(graph: nx.Graph, members: Iterable[str]) -> list[set[str]]:
    """The connected parts of the subgraph ``members`` induce (a search over the graph's own
    adjacency: no subgraph view is built)."""
    inside, seen, parts = set(members), set(), []
    adjacency = graph.adj
    for start in inside:
        if start in seen:
            continue
        part, stack = {start}, [start]
        while stack:
            for other in adjacency[stack.pop()]:
                if other in inside and other not in part:
                    part.add(other)
                    stack.append(other)
        seen |= part
        parts.append(part)
    return parts


def _contiguity_rule(instance: Instance, p: Package) -> Iterator[Violation]:
    found = _parts(instance.graph, p.members)
    if len(found) == 1:
        return
    parts = sorted((sorted(c) for c in found), key=lambda c: c[0])
    desc = " | ".join(",".join(c) for c in parts)
    yield Violation(
        "contiguity",
        p.id,
        f"package {p.id}: members are not connected in the proximity graph "
        f"({len(parts)} parts: {desc})",
    )


def _service_radius_rule(placed: _Placed, m: PackageMetrics) -> Iterator[Violation]:
    """firm_service_radius."""
    firm = placed.firm
    if m.firm_distance_m > firm.service_radius_m + DISTANCE_SLACK_M:
        yield Violation(
            "firm_service_radius",
            m.package_id,
            f"package {m.package_id}: hub {m.hub_id} is {m.firm_distance_m:.0f} m from firm "
            f"{firm.id}, beyond its service_radius_m = {firm.service_radius_m:g}",
        )


def _resource_distance_rules(
    instance: Instance, placed: _Placed, distance: Distance
) -> Iterator[Violation]:
    """resource_distance."""
    p, hub = placed.package, placed.hub
    for r in p.resources:
        res = instance.resource(r)
        d = distance(res, hub)
        if d > res.max_distance_m + DISTANCE_SLACK_M:
            yield Violation(
                "resource_distance",
                r,
                f"resource {r} in package {p.id}: hub {hub.id} is {d:.0f} m away, beyond its "
                f"max_distance_m = {res.max_distance_m:g}",
            )


def _resource_available_rule(instance: Instance, placed: _Placed) -> Iterator[Violation]:
    """resource_available."""
    p = placed.package
    for r in p.resources:
        if not instance.resource(r).available:
            yield Violation(
                "resource_available",
                r,
                f"resource {r} in package {p.id} is a candidate (available = false): no plan "
                "may bundle it",
            )


def _coverage_floor_rule(instance: Instance, plan: Plan) -> Iterator[Violation]:
    """min_coverage."""
    total = instance.total_households
    need = instance.policy.required_households(total)
    if need == 0:
        return
    covered = plan.covered()
    households = sum(c.households for c in instance.communities if c.id in covered)
    if households < need:
        yield Violation(
            "min_coverage",
            "plan",
            f"packages hold {households} of {total} households ({households / total:.1%}), "
            f"fewer than min_coverage = {instance.policy.min_coverage:g} asks "
            f"({need} households)",
        )


def resource_sharing_violations(plan: Plan) -> Iterator[Violation]:
    """resource_one_package."""
    packages_of: dict[str, list[str]] = defaultdict(list)
    for p in plan.packages:
        for r in p.resources:
            packages_of[r].append(p.id)
    for r, pids in packages_of.items():
        if len(pids) > 1:
            yield Violation(
                "resource_one_package",
                r,
                f"resource {r} is bundled into {len(pids)} packages ({', '.join(pids)}); at most 1",
            )


def firm_violations(firms: Iterable[FirmMetrics]) -> Iterator[Violation]:
    """firm_capacity, firm_max_packages."""
    for f in firms:
        if f.households > f.capacity_households:
            yield Violation(
                "firm_capacity",
                f.firm_id,
                f"firm {f.firm_id} serves {f.households} households, more than its "
                f"capacity_households of {f.capacity_households}",
            )
        if f.packages > f.max_packages:
            yield Violation(
                "firm_max_packages",
                f.firm_id,
                f"firm {f.firm_id} runs {f.packages} packages, more than its max_packages of "
                f"{f.max_packages}",
            )


def _lock_rules(
    locks: Iterable[Lock], plan: Plan, packages_of: dict[str, list[str]]
) -> Iterator[Violation]:
    """lock_must, lock_forbid."""
    pkg_firm = {p.id: p.firm_id for p in plan.packages}
    served = {
        lk.community_id: {pkg_firm[pid] for pid in packages_of.get(lk.community_id, [])}
        for lk in locks
    }
    return lock_violations(locks, served)


def lock_violations(locks: Iterable[Lock], served: Mapping[str, set[str]]) -> Iterator[Violation]:
    """lock_must, lock_forbid; ``served`` maps each locked community to the firms serving it."""
    for lk in locks:
        firms_of = served[lk.community_id]
        if lk.rule == "must" and lk.firm_id not in firms_of:
            got = ", ".join(sorted(firms_of)) or "no firm"
            yield Violation(
                "lock_must",
                lk.community_id,
                f"community {lk.community_id} must be served by firm {lk.firm_id}, but is "
                f"served by {got}",
            )
        if lk.rule == "forbid" and lk.firm_id in firms_of:
            yield Violation(
                "lock_forbid",
                lk.community_id,
                f"community {lk.community_id} must not be served by firm {lk.firm_id}, but is",
            )


# -- the evaluator ----------------------------------------------------------------------------


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


def community_packages(plan: Plan) -> dict[str, list[str]]:
    """community id → every package that lists it, in plan order."""
    out: dict[str, list[str]] = defaultdict(list)
    for p in plan.packages:
        for m in p.members:
            out[m].append(p.id)
    return out


def evaluate(instance: Instance, plan: Plan) -> Evaluation:
    """Score ``plan`` under the contract's cost model and list every rule it breaks.

    A package without a hub is scored from the member that minimises Σ d(member, hub) +
    d(firm, hub), as the contract says, and its rules are checked against that hub.

    Parameters
    ----------
    instance
        The instance the plan is for.
    plan
        Any plan: the solver's, a manual one, one read from a file.

    Returns
    -------
    Evaluation
        The objective, public money, costs, revenue and coverage, a row per package and per
        firm, and every broken rule by name (see :data:`RULES`).

    Raises
    ------
    PlanError
        Only when the plan names a community, firm or resource the instance does not have, or
        repeats a package id or leaves a package empty: that is bad input, not a broken rule.
    """
    _check_ids(instance, plan)
    return evaluation_of(instance, plan, [score_package(instance, p) for p in plan.packages])


@dataclass(frozen=True, slots=True)
class PackageScore:
    """One package scored on its own: its figures, and the rules it breaks by itself (in the
    order :func:`evaluate` lists them: package rules, its firm's service radius, its resources'
    distances and availability). What it does to its firm, its members' coverage, the locks and
    the coverage floor is the plan's."""

    metrics: PackageMetrics
    broken: tuple[Violation, ...]


def score_package(
    instance: Instance,
    package: Package,
    *,
    contiguity: ContiguityRule | None = None,
    distance: Distance | None = None,
) -> PackageScore:
    """The :class:`PackageScore` of ``package`` (its ids must be the instance's).

    ``contiguity`` and ``distance`` replace the contiguity check and ``instance.distance_m``
    (caches of them, as :class:`Scorer` keeps).
    """
    d = distance or instance.distance_m
    placed = _place(instance, package, d)
    m = _package_metrics(instance, placed, d)
    broken = (
        *_package_rules(instance, placed, m, contiguity or _contiguity_rule),
        *_service_radius_rule(placed, m),
        *_resource_distance_rules(instance, placed, d),
        *_resource_available_rule(instance, placed),
    )
    return PackageScore(m, broken)


def evaluation_of(
    instance: Instance,
    plan: Plan,
    scores: Sequence[PackageScore],
    *,
    locks: Iterable[Lock] | None = None,
) -> Evaluation:
    """The plan's :class:`Evaluation` from its packages' scores (in plan order).

    ``locks`` replaces the instance's locks (a planner's own, in the app).
    """
    packages_of = community_packages(plan)
    packages = tuple(s.metrics for s in scores)
    firms = _firm_metrics(instance, packages)
    broken = [*membership_violations(instance, packages_of)]
    for s in scores:
        broken += s.broken
    broken += resource_sharing_violations(plan)
    broken += firm_violations(firms)
    broken += _lock_rules(instance.locks if locks is None else locks, plan, packages_of)
    broken += _coverage_floor_rule(instance, plan)
    return _totals(instance, plan, packages, firms, tuple(broken))


class Scorer:
    """:func:`evaluate` for many plans of one instance, each distinct package scored once.

    ``Scorer(instance).evaluate(plan)`` equals ``evaluate(instance, plan)`` to the last bit: the
    same functions run in the same order, only a package, a member set's contiguity or a
    distance met before is looked up instead of computed again. Keeps the ``keep`` packages used
    last.
    """

    def __init__(self, instance: Instance, *, keep: int = 20_000) -> None:
        self.instance = instance
        self._keep = keep
        self._scores: dict[Package, PackageScore] = {}
        self._contiguity: dict[tuple[str, tuple[str, ...]], tuple[Violation, ...]] = {}
        self._distances: dict[tuple[int, int], float] = {}

    def package(self, package: Package) -> PackageScore:
        """The :class:`PackageScore` of ``package`` (its ids must be the instance's)."""
        score = self._scores.pop(package, None)
        if score is None:
            score = score_package(
                self.instance, package, contiguity=self._connected, distance=self._distance
            )
            while len(self._scores) >= self._keep:
                self._scores.pop(next(iter(self._scores)))
        self._scores[package] = score  # the most recently used last
        return score

    def _distance(self, a: Site, b: Site) -> float:
        """``instance.distance_m(a, b)``, each pair of the instance's sites computed once."""
        key = (id(a), id(b))  # the instance holds the sites: their ids stay theirs
        found = self._distances.get(key)
        if found is None:
            if len(self._distances) >= 50 * self._keep:
                self._distances.clear()
            found = self._distances[key] = self.instance.distance_m(a, b)
        return found

    def _connected(self, instance: Instance, package: Package) -> tuple[Violation, ...]:
        key = (package.id, package.members)
        found = self._contiguity.get(key)
        if found is None:
            found = tuple(_contiguity_rule(instance, package))
            if len(self._contiguity) >= self._keep:
                self._contiguity.clear()
            self._contiguity[key] = found
        return found

    def evaluate(self, plan: Plan, *, locks: Iterable[Lock] | None = None) -> Evaluation:
        """``evaluate(instance, plan)``; ``locks`` replaces the instance's locks."""
        _check_ids(self.instance, plan)
        scores = [self.package(p) for p in plan.packages]
        return evaluation_of(self.instance, plan, scores, locks=locks)


def fallback_cost(instance: Instance, uncovered: Iterable[Community]) -> float:
    """What the street office pays for ``uncovered`` (summed in the order given)."""
    return sum(instance.policy.fallback_cost_per_household * c.households for c in uncovered)


def objective_value(instance: Instance, public_money: float, total_cost: float) -> float:
    """The objective: ``weight_public_money · public_money + weight_total_cost · total_cost``."""
    w = instance.objective
    return w.weight_public_money * public_money + w.weight_total_cost * total_cost


def _totals(
    instance: Instance,
    plan: Plan,
    packages: tuple[PackageMetrics, ...],
    firms: tuple[FirmMetrics, ...],
    broken: tuple[Violation, ...],
) -> Evaluation:
    """The plan's figures: the packages' sums, the fallback for the uncovered, the objective."""
    in_plan = plan.covered()
    covered = tuple(c for c in instance.communities if c.id in in_plan)
    uncovered = tuple(c for c in instance.communities if c.id not in in_plan)
    subsidy = sum(p.subsidy for p in packages)
    total_cost = sum(p.cost for p in packages)
    fallback = fallback_cost(instance, uncovered)
    public_money = subsidy + fallback
    return Evaluation(
        plan_name=plan.name,
        objective=objective_value(instance, public_money, total_cost),
        public_money=public_money,
        subsidy=subsidy,
        fallback_cost=fallback,
        total_cost=total_cost,
        revenue=sum(p.revenue for p in packages),
        resource_income=sum(p.resource_income for p in packages),
        coverage_households=sum(c.households for c in covered),
        total_households=instance.total_households,
        covered=tuple(c.id for c in covered),
        uncovered=tuple(c.id for c in uncovered),
        packages=packages,
        firms=firms,
        broken=broken,
    )
