"""Why is this community in this package with this firm? The answer in numbers and plain words.

:func:`explain_community` reads the community's share of its package's cost and revenue, what
its package's subsidy would be without it, and which rules bind on its package (size, radius,
firm capacity and packages, service radius, contiguity — is it the only link between parts of its
package? — street, locks). Then it tries every single change a planner might ask about — move it
into each other package, serve its package by each other firm, give it a package of its own
with each firm, leave it uncovered — scores each whole alternative plan with
:func:`sharedprop.evaluate` and reports the cheapest one that breaks no new rule, and the rules
the others would break.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace
from typing import Literal

import networkx as nx

from sharedprop.data import Community, Instance
from sharedprop.errors import InstanceError
from sharedprop.evaluate import Evaluation, PackageMetrics, RuleName, Violation, evaluate
from sharedprop.formatting import count, metres, plural, yuan
from sharedprop.plan import Package, Plan

ChangeKind = Literal["move", "firm", "alone", "uncovered"]
MOVE: ChangeKind = "move"  # into another package
FIRM: ChangeKind = "firm"  # its package served by another firm
ALONE: ChangeKind = "alone"  # a package of its own
UNCOVER: ChangeKind = "uncovered"


@dataclass(frozen=True, slots=True)
class Alternative:
    """One single change and what it does to the plan."""

    kind: ChangeKind
    description: str
    package_id: str | None
    firm_id: str | None
    objective: float
    delta: float  # alternative objective − current objective (yuan/yr); > 0 costs more
    public_money_delta: float
    new_broken: tuple[Violation, ...]

    @property
    def feasible(self) -> bool:
        """Breaks no rule that the current plan keeps."""
        return not self.new_broken


@dataclass(frozen=True, slots=True)
class Limit:
    """A rule on the community's package: what it allows and how much of it is used."""

    rule: RuleName
    text: str
    binds: bool


@dataclass(frozen=True)
class Explanation:
    """A community's place in a plan, in yuan a year: what it costs and brings, what else could
    be done with it, and which rules hold it where it is. ``to_text()`` words it."""

    community: Community
    package: PackageMetrics | None
    firm_name: str | None
    distance_to_hub_m: float | None
    household_cost: float
    travel_cost: float
    fee_revenue: float
    subsidy_without: float | None  # the package's subsidy if this community left it
    evaluation: Evaluation
    alternatives: tuple[Alternative, ...]  # cheapest first
    limits: tuple[Limit, ...]

    @property
    def cost_share(self) -> float:
        return self.household_cost + self.travel_cost

    @property
    def best_alternative(self) -> Alternative | None:
        return next((a for a in self.alternatives if a.feasible), None)

    def to_text(self, max_alternatives: int = 8) -> str:
        return "\n".join(_lines(self, max_alternatives))


# -- building alternative plans ---------------------------------------------------------------


def best_hub_for(instance: Instance, package: Package) -> Package:
    """``package`` with the member as hub that breaks the fewest rules, then costs the least.

    A package that loses its hub, or changes firm, needs a new service point; the contract's
    default (least travel) may put it out of a resource's reach, so every member is tried on
    the package alone.
    """
    best: tuple[tuple[int, float], Package] | None = None
    for hub in package.members:
        candidate = replace(package, hub_id=hub)
        ev = evaluate(instance, Plan((candidate,)))
        key = (len(ev.broken), ev.objective)
        if best is None or key < best[0]:
            best = (key, candidate)
    assert best is not None
    return best[1]


def _without(instance: Instance, plan: Plan, cid: str) -> Plan:
    """``plan`` with ``cid`` taken out of its package (an emptied package disappears)."""
    pkgs = []
    for p in plan.packages:
        if cid not in p.members:
            pkgs.append(p)
            continue
        rest = replace(p, members=tuple(m for m in p.members if m != cid))
        if rest.members:
            pkgs.append(best_hub_for(instance, rest) if p.hub_id in (cid, None) else rest)
    return replace(plan, packages=tuple(pkgs))


def _fresh_id(plan: Plan, base: str) -> str:
    ids = {p.id for p in plan.packages}
    k, pid = 1, base
    while pid in ids:
        k += 1
        pid = f"{base}-{k}"
    return pid


def _alternative_plans(
    instance: Instance, plan: Plan, cid: str
) -> list[tuple[ChangeKind, str, str | None, str | None, Plan]]:
    """(kind, description, package, firm, plan) for every single change around ``cid``."""
    firm_name = {f.id: f.name for f in instance.firms}
    own = next((p for p in plan.packages if cid in p.members), None)
    base = _without(instance, plan, cid)
    out = []
    for q in base.packages:
        if own is not None and q.id == own.id:
            continue
        moved = tuple(replace(p, members=(*p.members, cid)) if p is q else p for p in base.packages)
        desc = f"move it into {q.id} ({firm_name[q.firm_id]})"
        out.append((MOVE, desc, q.id, q.firm_id, replace(base, packages=moved)))
    if own is not None:
        for f in instance.firms:
            if f.id == own.firm_id:
                continue
            # The service point is re-chosen for the new firm.
            moved_firm = best_hub_for(instance, replace(own, firm_id=f.id))
            swapped = tuple(moved_firm if p.id == own.id else p for p in plan.packages)
            desc = f"let {f.name} ({f.id}) run {own.id} instead"
            out.append((FIRM, desc, own.id, f.id, replace(plan, packages=swapped)))
    alone_id = _fresh_id(base, f"{cid}-alone")
    for f in instance.firms:
        if own is not None and own.members == (cid,) and own.firm_id == f.id:
            continue  # that is the current plan
        alone = Package(alone_id, f.id, (cid,), cid)
        desc = f"give it a package of its own run by {f.name} ({f.id})"
        out.append((ALONE, desc, alone_id, f.id, replace(base, packages=(*base.packages, alone))))
    if own is not None:
        out.append((UNCOVER, "leave it uncovered (the street office carries it)", None, None, base))
    return out


def _new_broken(current: Evaluation, other: Evaluation) -> tuple[Violation, ...]:
    seen = {(v.rule, v.subject) for v in current.broken}
    return tuple(v for v in other.broken if (v.rule, v.subject) not in seen)


# -- the limits on its package ----------------------------------------------------------------


def _limits(instance: Instance, ev: Evaluation, cid: str) -> list[Limit]:
    pkg = next((p for p in ev.packages if cid in p.members), None)
    if pkg is None:
        return []
    c = instance.community(cid)
    out = _size_limits(instance, pkg, c)
    out += _firm_limits(instance, ev, pkg, c)
    if instance.policy.require_contiguity and len(pkg.members) > 1:
        out.append(_contiguity_limit(instance, pkg, cid))
    if not instance.policy.cross_streets:
        out.append(Limit(
            "one_street",
            f"street: every member of {pkg.package_id} is in {', '.join(pkg.streets)}; only "
            f"packages of {c.street} can take {cid}",
            True,
        ))  # fmt: skip
    for lk in instance.locks:
        if lk.community_id == cid:
            must = lk.rule == "must"
            verb = "must be served by" if must else "must not be served by"
            rule: RuleName = "lock_must" if must else "lock_forbid"
            out.append(Limit(rule, f"lock: {cid} {verb} firm {lk.firm_id}", True))
    return out


def _size_limits(instance: Instance, pkg: PackageMetrics, c: Community) -> list[Limit]:
    """The package's household bounds and radius."""
    pol = instance.policy
    out = []
    if pol.package_max_households is not None:
        room = pol.package_max_households - pkg.households
        out.append(Limit(
            "package_max_households",
            f"size: {pkg.package_id} holds {count(pkg.households)} of at most "
            f"{count(pol.package_max_households)} households ({count(room)} free)",
            room < min((x.households for x in instance.communities), default=0),
        ))  # fmt: skip
    if pol.package_min_households:
        spare = pkg.households - pol.package_min_households
        out.append(Limit(
            "package_min_households",
            f"minimum size: {pkg.package_id} needs at least {count(pol.package_min_households)} "
            f"households; without {c.id} it would hold {count(pkg.households - c.households)}",
            spare < c.households,
        ))  # fmt: skip
    if pol.package_max_radius_m is not None:
        d_hub = instance.distance_m(c, instance.community(pkg.hub_id))
        out.append(Limit(
            "package_radius",
            f"radius: {c.id} is {metres(d_hub)} from the service point {pkg.hub_id} and the "
            f"farthest member {metres(pkg.max_member_distance_m)}; the limit is "
            f"{metres(pol.package_max_radius_m)}",
            pkg.max_member_distance_m >= 0.95 * pol.package_max_radius_m,
        ))  # fmt: skip
    return out


def _firm_limits(
    instance: Instance, ev: Evaluation, pkg: PackageMetrics, c: Community
) -> list[Limit]:
    """The firm's capacity, package count and service radius."""
    firm = instance.firm(pkg.firm_id)
    frow = next(f for f in ev.firms if f.firm_id == firm.id)
    free = firm.capacity_households - frow.households
    return [
        Limit(
            "firm_capacity",
            f"firm capacity: {firm.name} serves {count(frow.households)} of "
            f"{count(firm.capacity_households)} households ({count(free)} free)",
            free < c.households,
        ),
        Limit(
            "firm_max_packages",
            f"firm packages: {firm.name} runs {frow.packages} of at most {firm.max_packages} "
            "packages",
            frow.packages >= firm.max_packages,
        ),
        Limit(
            "firm_service_radius",
            f"service radius: the service point is {metres(pkg.firm_distance_m)} from "
            f"{firm.name}, which serves up to {metres(firm.service_radius_m)}",
            pkg.firm_distance_m >= 0.95 * firm.service_radius_m,
        ),
    ]


def _contiguity_limit(instance: Instance, pkg: PackageMetrics, cid: str) -> Limit:
    """Binds when the community is the only link between parts of its package."""
    sub = instance.graph.subgraph(pkg.members)
    rest = sub.subgraph([m for m in pkg.members if m != cid])
    parts = nx.number_connected_components(rest) if rest.number_of_nodes() else 0
    connected = nx.is_connected(sub)
    if not connected:
        text = f"contiguity: {pkg.package_id} is already not connected in the proximity graph"
    elif parts > 1:
        text = (
            f"contiguity: {cid} links parts of {pkg.package_id} — without it the package "
            f"would fall into {parts} parts (it is an articulation point)"
        )
    else:
        text = f"contiguity: {cid} can leave {pkg.package_id} without splitting it"
    return Limit("contiguity", text, connected and parts > 1)


# -- the explanation --------------------------------------------------------------------------


def _check_id(instance: Instance, cid: str) -> None:
    ids = [c.id for c in instance.communities]
    if cid in set(ids):
        return
    close = difflib.get_close_matches(cid, ids, n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise InstanceError(
        f"community {cid!r} is not in instance {instance.name} "
        f"({plural(len(ids), 'community', 'communities')}, ids like {', '.join(ids[:3])}){hint}"
    )


def explain_community(instance: Instance, plan: Plan, community_id: str) -> Explanation:
    """Explain ``community_id``'s place in ``plan``: its share, the alternatives, the limits.

    Every single change around the community (into another package, its package to another
    firm, a package of its own, uncovered) is scored as a whole plan by
    :func:`sharedprop.evaluate`.

    Parameters
    ----------
    instance
        The instance the plan is for.
    plan
        Any plan, feasible or not.
    community_id
        The community to explain; it may be uncovered.

    Returns
    -------
    Explanation
        Its cost share and fees, its package's subsidy with and without it, the alternatives
        cheapest allowed first, and the rules on its package; ``to_text()`` words it.

    Raises
    ------
    InstanceError
        When the instance has no community ``community_id`` (the message suggests close ids).
    PlanError
        When the plan names something the instance does not have.
    """
    _check_id(instance, community_id)
    ev = evaluate(instance, plan)
    c = instance.community(community_id)
    pkg = next((p for p in ev.packages if community_id in p.members), None)
    household_cost = travel_cost = 0.0
    d_hub = subsidy_without = None
    firm_name = None
    if pkg is not None:
        firm = instance.firm(pkg.firm_id)
        firm_name = firm.name
        d_hub = instance.distance_m(c, instance.community(pkg.hub_id))
        household_cost = firm.cost_per_household * c.households
        travel_cost = firm.travel_cost_per_km * d_hub / 1000.0
        without = evaluate(instance, _without(instance, plan, community_id))
        rest = next((p for p in without.packages if p.package_id == pkg.package_id), None)
        subsidy_without = rest.subsidy if rest is not None else 0.0
    alts = []
    for kind, desc, pid, fid, alt_plan in _alternative_plans(instance, plan, community_id):
        alt = evaluate(instance, alt_plan)
        alts.append(Alternative(
            kind, desc, pid, fid, alt.objective, alt.objective - ev.objective,
            alt.public_money - ev.public_money, _new_broken(ev, alt),
        ))  # fmt: skip
    alts.sort(key=lambda a: (not a.feasible, a.delta))
    return Explanation(
        community=c,
        package=pkg,
        firm_name=firm_name,
        distance_to_hub_m=d_hub,
        household_cost=household_cost,
        travel_cost=travel_cost,
        fee_revenue=c.annual_fee_income,
        subsidy_without=subsidy_without,
        evaluation=ev,
        alternatives=tuple(alts),
        limits=tuple(_limits(instance, ev, community_id)),
    )


def _signed(v: float) -> str:
    if abs(v) < 0.5:
        return "±0"
    return f"+{yuan(v)}" if v > 0 else f"−{yuan(-v)}"


def _lines(ex: Explanation, max_alternatives: int) -> list[str]:
    c, pkg = ex.community, ex.package
    out = [f"{c.id} {c.name} — {c.street} / {c.neighbourhood}, {count(c.households)} households"]
    if pkg is None:
        out.append("It is in no package: the street office carries it (fallback).")
    else:
        hub = "it is the service point" if pkg.hub_id == c.id else f"service point {pkg.hub_id}"
        out += [
            f"Package {pkg.package_id}, run by {ex.firm_name} ({pkg.firm_id}), {hub}; "
            f"{plural(len(pkg.members), 'member')}, {count(pkg.households)} households.",
            f"Its cost share: {yuan(ex.household_cost)} yuan for its households + "
            f"{yuan(ex.travel_cost)} yuan of travel ({metres(ex.distance_to_hub_m)} to the service "
            f"point) = {yuan(ex.cost_share)} yuan a year; its fees bring "
            f"{yuan(ex.fee_revenue)} yuan a year.",
            f"{pkg.package_id} needs {yuan(pkg.subsidy)} yuan of subsidy a year with it and "
            f"{yuan(ex.subsidy_without)} yuan without it.",
        ]
    best = ex.best_alternative
    if best is None:
        out.append("Every alternative breaks a rule the plan keeps: it has nowhere else to go.")
    elif best.delta >= 0.5:
        out.append(
            f"Next best: {best.description} — {yuan(best.delta)} yuan a year more "
            f"(public money {_signed(best.public_money_delta)})."
        )
    else:
        out.append(
            f"Cheaper: {best.description} — {_signed(best.delta)} yuan a year "
            f"(public money {_signed(best.public_money_delta)}); this plan can be improved here."
        )
    out.append("Alternatives, cheapest allowed first (objective change, yuan/yr):")
    for a in ex.alternatives[:max_alternatives]:
        line = f"  {_signed(a.delta):>12}  {a.description}"
        if a.new_broken:
            rules = sorted({v.rule for v in a.new_broken})
            line += f" — breaks {', '.join(rules)}: {a.new_broken[0].message}"
        out.append(line)
    hidden = len(ex.alternatives) - max_alternatives
    if hidden > 0:
        out.append(f"  … and {hidden} more alternatives, costlier or breaking rules.")
    if ex.limits:
        out.append(f"Rules on {pkg.package_id if pkg else 'its package'}:")
        out += [f"  {'binds ' if lim.binds else 'slack '} {lim.text}" for lim in ex.limits]
    return out
