"""Plain-language findings generated from the numbers, for the top of the report.

Each function returns finished sentences (plain text; the HTML layer escapes them). They say what
a planner would tell their superiors: what the plan costs the public purse and against what, how
sure we are it is the best, which firms share capacity, what each bundled resource saves, which
packages pay for themselves, and which limits decide the plan.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sharedprop.data import Instance
from sharedprop.evaluate import Evaluation, PackageMetrics
from sharedprop.formatting import count, join_words, metres, pct, plural, yuan
from sharedprop.result import Result

# A limit "binds" when the plan uses at least this share of it.
NEAR_LIMIT = 0.95
# Lists longer than this are cut with "... and N more" so a city report stays readable.
MAX_ITEMS = 6


def _firm_label(instance: Instance, firm_id: str) -> str:
    names = [f.name for f in instance.firms]
    name = instance.firm(firm_id).name
    return f"{name} ({firm_id})" if not name or names.count(name) > 1 else name


def _community_label(instance: Instance, cid: str) -> str:
    c = instance.community(cid)
    return f"{c.name} ({cid})" if c.name and c.name != cid else cid


def _cut(items: Sequence[str], what: str) -> list[str]:
    if len(items) <= MAX_ITEMS:
        return list(items)
    return [*items[:MAX_ITEMS], f"… and {len(items) - MAX_ITEMS} more {what}."]


def money_sentences(
    instance: Instance, ev: Evaluation, others: Mapping[str, Evaluation] | None = None
) -> list[str]:
    parts = [f"{yuan(ev.subsidy)} yuan of package subsidies"]
    if ev.uncovered:
        parts.append(
            f"{yuan(ev.fallback_cost)} yuan of fallback for "
            f"{plural(len(ev.uncovered), 'uncovered community', 'uncovered communities')}"
        )
    out = [
        f"The plan needs {yuan(ev.public_money)} yuan of public money a year "
        f"({join_words(parts)}); its packages cost the firms {yuan(ev.total_cost)} yuan a year "
        f"to run and bring in {yuan(ev.revenue)} yuan."
    ]
    for name, other in (others or {}).items():
        diff = other.public_money - ev.public_money
        rules = f", and it breaks {len(other.broken)} rule(s)" if other.broken else ""
        if abs(diff) < 0.5:
            out.append(
                f"That is the same public money as the plan “{name}”{rules}."
                if rules
                else f"That is the same public money as the plan “{name}”."
            )
            continue
        rel = f"{pct(abs(diff) / other.public_money)} " if other.public_money > 0 else ""
        word = "less" if diff > 0 else "more"
        out.append(
            f"That is {rel}{word} than the plan “{name}” ({yuan(other.public_money)} yuan"
            f"{rules}): {yuan(abs(diff))} yuan a year {'saved' if diff > 0 else 'extra'}."
        )
    return out


def coverage_sentences(instance: Instance, ev: Evaluation) -> list[str]:
    n = len(instance.communities)
    out = [
        f"It covers {count(len(ev.covered))} of {count(n)} communities "
        f"({count(ev.coverage_households)} of {count(ev.total_households)} households, "
        f"{pct(ev.coverage)}) with {count(len(ev.packages))} packages run by "
        f"{count(ev.firms_used)} firms."
    ]
    if ev.uncovered:
        names = [_community_label(instance, c) for c in ev.uncovered]
        shown = join_words(names) if len(names) <= MAX_ITEMS else f"{count(len(names))} communities"
        per_hh = instance.policy.fallback_cost_per_household
        verb = "stays" if len(names) == 1 else "stay"
        out.append(
            f"{shown} {verb} with the street office (兜底)"
            + (f" at {yuan(per_hh)} yuan per household a year." if per_hh else ".")
        )
    return out


def useful_gap(result: Result | None) -> float | None:
    """The proven gap, or None when there is no bound or it says nothing (a gap of 100 % or
    more means the bound is zero or negative: any plan at all is within it)."""
    if result is None:
        return None
    if result.status == "optimal":
        return 0.0
    gap = result.gap
    if gap is None or result.best_bound is None or gap >= 1.0:
        return None
    return gap


def proof_sentences(result: Result | None, instance: Instance) -> list[str]:
    if result is None:
        return []
    w = instance.objective
    what = (
        "public money" if w.weight_total_cost == 0 and w.weight_public_money == 1 else "objective"
    )
    if result.status == "optimal":
        return [
            f"The solver proved this plan optimal: no plan under these rules needs less {what}."
        ]
    if result.plan is None:
        reasons = "; ".join(result.reasons) or "no reason was found in the time given"
        return [f"The solver found no plan ({result.status}): {reasons}."]
    gap = useful_gap(result)
    if gap is None:
        return [
            f"The solver stopped after {result.runtime_s:.0f} s without proving a useful bound: "
            "how far this plan is from the best possible is not known."
        ]
    return [
        f"The solver proved that no plan can need less than {yuan(result.best_bound)} yuan of "
        f"{what} a year, so this plan is within {pct(gap)} of the best possible."
    ]


def sharing_sentences(instance: Instance, ev: Evaluation) -> list[str]:
    by_firm: dict[str, list[PackageMetrics]] = {}
    for p in ev.packages:
        by_firm.setdefault(p.firm_id, []).append(p)
    rows = {f.firm_id: f for f in ev.firms}
    shared = sorted(
        ((fid, ps) for fid, ps in by_firm.items() if len(ps) > 1),
        key=lambda item: -rows[item[0]].households,
    )
    out = [
        f"Packages {join_words([p.package_id for p in ps])} share "
        f"{_firm_label(instance, fid)}'s capacity ({count(rows[fid].households)} of "
        f"{count(rows[fid].capacity_households)} households)."
        for fid, ps in shared
    ]
    idle = [_firm_label(instance, f.firm_id) for f in ev.firms if f.packages == 0]
    out = _cut(out, "firms with several packages")
    if idle:
        shown = join_words(idle) if len(idle) <= MAX_ITEMS else f"{count(len(idle))} firms"
        out.append(f"{shown} {'takes' if len(idle) == 1 else 'take'} no package.")
    return out


def subsidy_without(p: PackageMetrics, instance: Instance, income: float) -> float:
    """The package's subsidy if ``income`` less came in (the cost model's max(0, ·) formula)."""
    margin = instance.firm(p.firm_id).min_margin
    return max(0.0, (1 + margin) * p.cost - (p.revenue - income))


def resource_sentences(instance: Instance, ev: Evaluation) -> list[str]:
    found: list[tuple[float, str]] = []
    total = 0.0
    for p in ev.packages:
        for rid in p.resources:
            r = instance.resource(rid)
            saved = subsidy_without(p, instance, r.annual_income) - p.subsidy
            total += saved
            what = f"{r.kind.replace('_', ' ')} {rid} ({r.name})" if r.name else f"{r.kind} {rid}"
            if saved < 0.5:
                text = (
                    f"{what} in {p.package_id} is not needed to break even: its "
                    f"{yuan(r.annual_income)} yuan a year become the firm's profit."
                )
            elif saved < r.annual_income - 0.5:
                text = (
                    f"Bundling {what} into {p.package_id} saves {yuan(saved)} yuan of subsidy a "
                    f"year; the other {yuan(r.annual_income - saved)} yuan lift the firm above "
                    "its margin."
                )
            else:
                text = (
                    f"Bundling {what} into {p.package_id} saves {yuan(saved)} yuan of subsidy "
                    "a year."
                )
            found.append((saved, text))
    found.sort(key=lambda item: -item[0])
    out = _cut([t for _, t in found], "bundled resources")
    if len(found) > 1:
        out.append(f"Together the {len(found)} bundled resources save {yuan(total)} yuan a year.")
    bundled = {r for p in ev.packages for r in p.resources}
    hubs = [instance.community(p.hub_id) for p in ev.packages]
    unreachable = [
        f"{r.id} ({r.name})" if r.name else r.id
        for r in instance.resources
        if r.id not in bundled and all(instance.distance_m(r, h) > r.max_distance_m for h in hubs)
    ]
    if unreachable:
        shown = join_words(unreachable) if len(unreachable) <= MAX_ITEMS else "Some resources"
        out.append(f"{shown} cannot be bundled: no package's service point lies within reach.")
    return out


def break_even_sentences(instance: Instance, ev: Evaluation) -> list[str]:
    if not ev.packages:
        return []
    free = [p.package_id for p in ev.packages if p.subsidy < 0.5]
    out = []
    if free:
        ids = join_words(free) if len(free) <= MAX_ITEMS else f"{count(len(free))} packages"
        out.append(
            f"{ids} {'breaks' if len(free) == 1 else 'break'} even without subsidy: fees and "
            "resources cover the cost plus the firm's margin."
        )
    needy = max(ev.packages, key=lambda p: p.subsidy)
    if needy.subsidy >= 0.5:
        lead = "Every package needs a subsidy; the" if not free else "The"
        out.append(
            f"{lead} largest goes to {needy.package_id}: {yuan(needy.subsidy)} yuan a year, "
            f"{pct(needy.subsidy / needy.cost) if needy.cost else '—'} of its cost."
        )
    return out


def limit_sentences(instance: Instance, ev: Evaluation) -> list[str]:
    pol = instance.policy
    out = []
    for f in ev.firms:
        label = _firm_label(instance, f.firm_id)
        if f.capacity_households and f.households >= NEAR_LIMIT * f.capacity_households:
            state = "full" if f.households >= f.capacity_households else "nearly full"
            out.append(
                f"{label} is {state}: {count(f.households)} of "
                f"{count(f.capacity_households)} households."
            )
        if f.packages and f.packages >= f.max_packages:
            out.append(f"{label} runs its maximum of {f.max_packages} packages.")
    for p in ev.packages:
        if pol.package_max_households and p.households >= NEAR_LIMIT * pol.package_max_households:
            out.append(
                f"{p.package_id} is at the package size limit ({count(p.households)} of "
                f"{count(pol.package_max_households)} households)."
            )
        if pol.package_max_radius_m and p.max_member_distance_m >= (
            NEAR_LIMIT * pol.package_max_radius_m
        ):
            out.append(
                f"{p.package_id} reaches the radius limit: a member lies "
                f"{metres(p.max_member_distance_m)} from its service point "
                f"(limit {metres(pol.package_max_radius_m)})."
            )
        radius = instance.firm(p.firm_id).service_radius_m
        if radius and p.firm_distance_m >= NEAR_LIMIT * radius:
            out.append(
                f"{p.package_id}'s service point is {metres(p.firm_distance_m)} from its firm, "
                f"at the edge of the firm's {metres(radius)} service radius."
            )
    out = _cut(out, "limits that bind")
    if not out and ev.packages:
        out.append(
            "No firm is full and no package reaches its size or radius limit: costs, not limits, "
            "shape this plan."
        )
    return out


def findings(
    instance: Instance,
    ev: Evaluation,
    result: Result | None = None,
    others: Mapping[str, Evaluation] | None = None,
) -> list[tuple[str, list[str]]]:
    """All findings as (topic, sentences), in the order the report shows them."""
    topics = [
        ("Public money", money_sentences(instance, ev, others) + proof_sentences(result, instance)),
        ("Coverage", coverage_sentences(instance, ev)),
        ("Firms", sharing_sentences(instance, ev)),
        ("Resources", resource_sentences(instance, ev)),
        ("Break-even", break_even_sentences(instance, ev)),
        ("Limits that bind", limit_sentences(instance, ev)),
    ]
    return [(t, s) for t, s in topics if s]
