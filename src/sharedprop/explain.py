"""Why is this community in this package with this firm? The answer in numbers and plain words.

:func:`explain_community` reads the community's share of its package's cost and revenue, what
its package's subsidy would be without it, and which rules bind on its package (size, radius,
firm capacity and packages, service radius, contiguity — is it the only link between parts of its
package? — street, locks). Then it tries every single change a planner might ask about — move it
into each other package, serve its package by each other firm, give it a package of its own
with each firm, leave it uncovered — scores each alternative plan as :func:`sharedprop.evaluate`
does and reports the cheapest one that breaks no new rule, and the rules the others would break.
Only what each change touches is scored again (:mod:`sharedprop.alternatives`), with the figures
a whole evaluation gives, so that a city of 1,414 communities is explained in well under a
second.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace
from typing import Literal

import networkx as nx

from sharedprop.alternatives import AlternativeScoring, IncrementalScoring
from sharedprop.data import Community, Instance
from sharedprop.errors import InstanceError
from sharedprop.evaluate import Evaluation, PackageMetrics, RuleName, Scorer, Violation
from sharedprop.i18n import tr, trn, use_language
from sharedprop.i18n.numbers import count, distance, money
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

    def to_text(self, max_alternatives: int = 8, *, lang: str | None = None) -> str:
        """The explanation in plain words (``lang``: ``"en"``/``"zh"``, None the current)."""
        with use_language(lang):
            return "\n".join(_lines(self, max_alternatives))


# -- building alternative plans ---------------------------------------------------------------


def _without(scoring: AlternativeScoring, plan: Plan, cid: str) -> Plan:
    """``plan`` with ``cid`` taken out of its package (an emptied package disappears).

    A package that loses its hub needs a new service point; the contract's default (least
    travel) may put it out of a resource's reach, so the member that breaks the fewest rules,
    then costs the least, is chosen (:meth:`AlternativeScoring.best_hub`).
    """
    pkgs = []
    for p in plan.packages:
        if cid not in p.members:
            pkgs.append(p)
            continue
        rest = replace(p, members=tuple(m for m in p.members if m != cid))
        if rest.members:
            pkgs.append(scoring.best_hub(rest) if p.hub_id in (cid, None) else rest)
    return replace(plan, packages=tuple(pkgs))


def _fresh_id(plan: Plan, base: str) -> str:
    ids = {p.id for p in plan.packages}
    k, pid = 1, base
    while pid in ids:
        k += 1
        pid = f"{base}-{k}"
    return pid


def _alternative_plans(
    instance: Instance, scoring: AlternativeScoring, plan: Plan, cid: str
) -> list[tuple[ChangeKind, str, str | None, str | None, Plan]]:
    """(kind, description, package, firm, plan) for every single change around ``cid``."""
    firm_name = {f.id: f.name for f in instance.firms}
    own = next((p for p in plan.packages if cid in p.members), None)
    base = _without(scoring, plan, cid)
    out = []
    for q in base.packages:
        if own is not None and q.id == own.id:
            continue
        moved = tuple(replace(p, members=(*p.members, cid)) if p is q else p for p in base.packages)
        desc = tr("move it into {package} ({firm})", package=q.id, firm=firm_name[q.firm_id])
        out.append((MOVE, desc, q.id, q.firm_id, replace(base, packages=moved)))
    if own is not None:
        for f in instance.firms:
            if f.id == own.firm_id:
                continue
            # The service point is re-chosen for the new firm.
            moved_firm = scoring.best_hub(replace(own, firm_id=f.id))
            swapped = tuple(moved_firm if p.id == own.id else p for p in plan.packages)
            desc = tr(
                "let {firm} ({firm_id}) run {package} instead",
                firm=f.name, firm_id=f.id, package=own.id,
            )  # fmt: skip
            out.append((FIRM, desc, own.id, f.id, replace(plan, packages=swapped)))
    alone_id = _fresh_id(base, f"{cid}-alone")
    for f in instance.firms:
        if own is not None and own.members == (cid,) and own.firm_id == f.id:
            continue  # that is the current plan
        alone = Package(alone_id, f.id, (cid,), cid)
        desc = tr(
            "give it a package of its own run by {firm} ({firm_id})", firm=f.name, firm_id=f.id
        )
        out.append((ALONE, desc, alone_id, f.id, replace(base, packages=(*base.packages, alone))))
    if own is not None:
        desc = tr("leave it uncovered (the street office carries it)")
        out.append((UNCOVER, desc, None, None, base))
    return out


# -- the limits on its package ----------------------------------------------------------------


def _limits(instance: Instance, plan: Plan, ev: Evaluation, cid: str) -> list[Limit]:
    pkg = next((p for p in ev.packages if cid in p.members), None)
    if pkg is None:
        return []
    return [
        *_package_limits(instance, pkg, cid),
        *_firm_limits(instance, ev, pkg, cid),
        *_shape_limits(instance, pkg, cid),
    ]


def _package_limits(instance: Instance, pkg: PackageMetrics, cid: str) -> list[Limit]:
    pol = instance.policy
    c = instance.community(cid)
    out = []
    if pol.package_max_households is not None:
        room = pol.package_max_households - pkg.households
        out.append(Limit(
            "package_max_households",
            tr(
                "size: {package} holds {households} of at most {limit} households ({free} free)",
                package=pkg.package_id, households=count(pkg.households),
                limit=count(pol.package_max_households), free=count(room),
            ),
            room < min((x.households for x in instance.communities), default=0),
        ))  # fmt: skip
    if pol.package_min_households:
        spare = pkg.households - pol.package_min_households
        out.append(Limit(
            "package_min_households",
            tr(
                "minimum size: {package} needs at least {limit} households; without {id} it "
                "would hold {rest}",
                package=pkg.package_id, limit=count(pol.package_min_households), id=cid,
                rest=count(pkg.households - c.households),
            ),
            spare < c.households,
        ))  # fmt: skip
    d_hub = instance.distance_m(c, instance.community(pkg.hub_id))
    if pol.package_max_radius_m is not None:
        out.append(Limit(
            "package_radius",
            tr(
                "radius: {id} is {distance} from the service point {hub} and the farthest "
                "member {farthest}; the limit is {limit}",
                id=cid, distance=distance(d_hub), hub=pkg.hub_id,
                farthest=distance(pkg.max_member_distance_m),
                limit=distance(pol.package_max_radius_m),
            ),
            pkg.max_member_distance_m >= 0.95 * pol.package_max_radius_m,
        ))  # fmt: skip
    return out


def _firm_limits(instance: Instance, ev: Evaluation, pkg: PackageMetrics, cid: str) -> list[Limit]:
    firm = instance.firm(pkg.firm_id)
    frow = next(f for f in ev.firms if f.firm_id == firm.id)
    c = instance.community(cid)
    free = firm.capacity_households - frow.households
    return [
        Limit(
            "firm_capacity",
            tr(
                "firm capacity: {firm} serves {households} of {capacity} households ({free} free)",
                firm=firm.name, households=count(frow.households),
                capacity=count(firm.capacity_households), free=count(free),
            ),
            free < c.households,
        ),
        Limit(
            "firm_max_packages",
            tr(
                "firm packages: {firm} runs {packages} of at most {limit} packages",
                firm=firm.name, packages=frow.packages, limit=firm.max_packages,
            ),
            frow.packages >= firm.max_packages,
        ),
        Limit(
            "firm_service_radius",
            tr(
                "service radius: the service point is {distance} from {firm}, which serves up "
                "to {radius}",
                distance=distance(pkg.firm_distance_m), firm=firm.name,
                radius=distance(firm.service_radius_m),
            ),
            pkg.firm_distance_m >= 0.95 * firm.service_radius_m,
        ),
    ]  # fmt: skip


def _shape_limits(instance: Instance, pkg: PackageMetrics, cid: str) -> list[Limit]:
    pol = instance.policy
    c = instance.community(cid)
    out = []
    if pol.require_contiguity and len(pkg.members) > 1:
        sub = instance.graph.subgraph(pkg.members)
        rest = sub.subgraph([m for m in pkg.members if m != cid])
        parts = nx.number_connected_components(rest) if rest.number_of_nodes() else 0
        connected = nx.is_connected(sub)
        if not connected:
            text = tr(
                "contiguity: {package} is already not connected in the proximity graph",
                package=pkg.package_id,
            )
        elif parts > 1:
            text = tr(
                "contiguity: {id} links parts of {package} — without it the package would fall "
                "into {parts} parts (it is an articulation point)",
                id=cid, package=pkg.package_id, parts=parts,
            )  # fmt: skip
        else:
            text = tr(
                "contiguity: {id} can leave {package} without splitting it",
                id=cid, package=pkg.package_id,
            )  # fmt: skip
        out.append(Limit("contiguity", text, connected and parts > 1))
    if not pol.cross_streets:
        out.append(Limit(
            "one_street",
            tr(
                "street: every member of {package} is in {streets}; only packages of {street} "
                "can take {id}",
                package=pkg.package_id, streets=", ".join(pkg.streets), street=c.street, id=cid,
            ),
            True,
        ))  # fmt: skip
    for lk in instance.locks:
        if lk.community_id == cid:
            text = (
                tr("lock: {id} must be served by firm {firm}", id=cid, firm=lk.firm_id)
                if lk.rule == "must"
                else tr("lock: {id} must not be served by firm {firm}", id=cid, firm=lk.firm_id)
            )
            out.append(Limit(f"lock_{lk.rule}", text, True))
    return out


# -- the explanation --------------------------------------------------------------------------


def _check_id(instance: Instance, cid: str) -> None:
    ids = [c.id for c in instance.communities]
    if cid in set(ids):
        return
    close = difflib.get_close_matches(cid, ids, n=3)
    hint = tr("; did you mean {ids}?", ids=", ".join(close)) if close else ""
    raise InstanceError(
        trn(
            "community {id} is not in instance {name} ({count} community, ids like {some}){hint}",
            "community {id} is not in instance {name} ({count} communities, ids like {some}){hint}",
            len(ids),
            id=repr(cid),
            name=instance.name,
            count=count(len(ids)),
            some=", ".join(ids[:3]),
            hint=hint,
        )  # fmt: skip
    )


def explain_community(
    instance: Instance, plan: Plan, community_id: str, *, lang: str | None = None
) -> Explanation:
    """Explain ``community_id``'s place in ``plan``; unknown ids raise :class:`InstanceError`.

    Parameters
    ----------
    instance, plan
        The instance and the plan (any plan, the solver's or a manual one).
    community_id
        The community to explain.
    lang
        Language of the texts (alternatives, limits): ``"en"`` or ``"zh"``; None the current.

    Returns
    -------
    Explanation
        The numbers and texts; :meth:`Explanation.to_text` renders them.
    """
    with use_language(lang):
        _check_id(instance, community_id)
        return explain_with(
            IncrementalScoring(instance, plan, Scorer(instance)), plan, community_id
        )


def explain_with(scoring: AlternativeScoring, plan: Plan, community_id: str) -> Explanation:
    """:func:`explain_community` with the alternatives scored by ``scoring`` (the incremental
    scoring, or the whole-plan one that defines it: both give the same explanation)."""
    instance = scoring.instance
    ev = scoring.evaluation
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
        without = _without(scoring, plan, community_id)
        subsidy_without = scoring.subsidy_without(without, pkg.package_id)
    alts = []
    for kind, desc, pid, fid, alt_plan in _alternative_plans(instance, scoring, plan, community_id):
        alt = scoring.change(alt_plan)
        alts.append(Alternative(
            kind, desc, pid, fid, alt.objective, alt.objective - ev.objective,
            alt.public_money - ev.public_money, alt.new_broken,
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
        limits=tuple(_limits(instance, plan, ev, community_id)),
    )


def _signed(v: float) -> str:
    if abs(v) < 0.5:
        return "±0"
    return f"+{money(v)}" if v > 0 else f"−{money(-v)}"


def _lines(ex: Explanation, max_alternatives: int) -> list[str]:
    c, pkg = ex.community, ex.package
    out = [
        tr(
            "{id} {name} — {street} / {neighbourhood}, {households} households",
            id=c.id,
            name=c.name,
            street=c.street,
            neighbourhood=c.neighbourhood,
            households=count(c.households),
        )  # fmt: skip
    ]
    if pkg is None:
        out.append(tr("It is in no package: the street office carries it (fallback)."))
    else:
        out += _package_lines(ex, pkg)
    out.append(_best_line(ex.best_alternative))
    out.append(tr("Alternatives, cheapest allowed first (objective change, yuan/yr):"))
    for a in ex.alternatives[:max_alternatives]:
        line = f"  {_signed(a.delta):>12}  {a.description}"
        if a.new_broken:
            rules = sorted({v.rule for v in a.new_broken})
            line += tr(
                " — breaks {rules}: {first}", rules=", ".join(rules), first=a.new_broken[0].message
            )
        out.append(line)
    hidden = len(ex.alternatives) - max_alternatives
    if hidden > 0:
        out.append(tr("  … and {n} more alternatives, costlier or breaking rules.", n=hidden))
    if ex.limits:
        where = pkg.package_id if pkg else tr("its package")
        out.append(tr("Rules on {package}:", package=where))
        binds, slack = tr("binds "), tr("slack ")
        out += [f"  {binds if lim.binds else slack} {lim.text}" for lim in ex.limits]
    return out


def _package_lines(ex: Explanation, pkg: PackageMetrics) -> list[str]:
    c = ex.community
    hub = (
        tr("it is the service point")
        if pkg.hub_id == c.id
        else tr("service point {hub}", hub=pkg.hub_id)
    )
    members = trn("{n} member", "{n} members", len(pkg.members), n=count(len(pkg.members)))
    return [
        tr(
            "Package {package}, run by {firm} ({firm_id}), {hub}; {members}, {households} "
            "households.",
            package=pkg.package_id, firm=ex.firm_name, firm_id=pkg.firm_id, hub=hub,
            members=members, households=count(pkg.households),
        ),
        tr(
            "Its cost share: {households} yuan for its households + {travel} yuan of travel "
            "({distance} to the service point) = {share} yuan a year; its fees bring {fees} yuan "
            "a year.",
            households=money(ex.household_cost), travel=money(ex.travel_cost),
            distance=distance(ex.distance_to_hub_m), share=money(ex.cost_share),
            fees=money(ex.fee_revenue),
        ),
        tr(
            "{package} needs {with_it} yuan of subsidy a year with it and {without} yuan "
            "without it.",
            package=pkg.package_id, with_it=money(pkg.subsidy), without=money(ex.subsidy_without),
        ),
    ]  # fmt: skip


def _best_line(best: Alternative | None) -> str:
    if best is None:
        return tr("Every alternative breaks a rule the plan keeps: it has nowhere else to go.")
    if best.delta >= 0.5:
        return tr(
            "Next best: {what} — {delta} yuan a year more (public money {public}).",
            what=best.description, delta=money(best.delta),
            public=_signed(best.public_money_delta),
        )  # fmt: skip
    return tr(
        "Cheaper: {what} — {delta} yuan a year (public money {public}); this plan can be "
        "improved here.",
        what=best.description, delta=_signed(best.delta), public=_signed(best.public_money_delta),
    )  # fmt: skip
