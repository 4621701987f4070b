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
from sharedprop.i18n import tr, trn, use_language
from sharedprop.i18n.numbers import count, distance, money, share, words
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
    return [*items[:MAX_ITEMS], tr("… and {n} more {what}.", n=len(items) - MAX_ITEMS, what=what)]


def money_sentences(
    instance: Instance, ev: Evaluation, others: Mapping[str, Evaluation] | None = None
) -> list[str]:
    parts = [tr("{money} yuan of package subsidies", money=money(ev.subsidy))]
    if ev.uncovered:
        n = len(ev.uncovered)
        parts.append(
            trn(
                "{money} yuan of fallback for {count} uncovered community",
                "{money} yuan of fallback for {count} uncovered communities",
                n,
                money=money(ev.fallback_cost),
                count=count(n),
            )  # fmt: skip
        )
    out = [
        tr(
            "The plan needs {public} yuan of public money a year ({parts}); its packages cost "
            "the firms {cost} yuan a year to run and bring in {revenue} yuan.",
            public=money(ev.public_money),
            parts=words(parts),
            cost=money(ev.total_cost),
            revenue=money(ev.revenue),
        )  # fmt: skip
    ]
    for name, other in (others or {}).items():
        out.append(_comparison(ev, name, other))
    return out


def _comparison(ev: Evaluation, name: str, other: Evaluation) -> str:
    diff = other.public_money - ev.public_money
    broken = len(other.broken)
    if abs(diff) < 0.5:
        if broken:
            return tr(
                "That is the same public money as the plan “{name}”, and it breaks {n} rule(s).",
                name=name, n=broken,
            )  # fmt: skip
        return tr("That is the same public money as the plan “{name}”.", name=name)
    rules = tr(", and it breaks {n} rule(s)", n=broken) if broken else ""
    rel = share(abs(diff) / other.public_money) if other.public_money > 0 else ""
    values = {
        "rel": f"{rel} " if rel else "", "name": name, "other": money(other.public_money),
        "rules": rules, "diff": money(abs(diff)),
    }  # fmt: skip
    if diff > 0:
        return tr(
            "That is {rel}less than the plan “{name}” ({other} yuan{rules}): {diff} yuan a year "
            "saved.",
            **values,
        )
    return tr(
        "That is {rel}more than the plan “{name}” ({other} yuan{rules}): {diff} yuan a year extra.",
        **values,
    )


def coverage_sentences(instance: Instance, ev: Evaluation) -> list[str]:
    n = len(instance.communities)
    out = [
        tr(
            "It covers {covered} of {communities} communities ({households} of {total} "
            "households, {share}) with {packages} packages run by {firms} firms.",
            covered=count(len(ev.covered)),
            communities=count(n),
            households=count(ev.coverage_households),
            total=count(ev.total_households),
            share=share(ev.coverage),
            packages=count(len(ev.packages)),
            firms=count(ev.firms_used),
        )  # fmt: skip
    ]
    if ev.uncovered:
        names = [_community_label(instance, c) for c in ev.uncovered]
        shown = (
            words(names) if len(names) <= MAX_ITEMS else tr("{n} communities", n=count(len(names)))
        )
        per_hh = instance.policy.fallback_cost_per_household
        if per_hh:
            out.append(
                trn(
                    "{shown} stays with the street office (兜底) at {money} yuan per household "
                    "a year.",
                    "{shown} stay with the street office (兜底) at {money} yuan per household "
                    "a year.",
                    len(names),
                    shown=shown,
                    money=money(per_hh),
                )  # fmt: skip
            )
        else:
            out.append(
                trn(
                    "{shown} stays with the street office (兜底).",
                    "{shown} stay with the street office (兜底).",
                    len(names),
                    shown=shown,
                )  # fmt: skip
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
        tr("public money")
        if w.weight_total_cost == 0 and w.weight_public_money == 1
        else tr("objective")
    )
    if result.status == "optimal":
        return [
            tr(
                "The solver proved this plan optimal: no plan under these rules needs less {what}.",
                what=what,
            )
        ]
    if result.plan is None:
        reasons = "; ".join(result.reasons) or tr("no reason was found in the time given")
        return [
            tr("The solver found no plan ({status}): {reasons}.", status=result.status,
               reasons=reasons)
        ]  # fmt: skip
    gap = useful_gap(result)
    if gap is None:
        return [
            tr(
                "The solver stopped after {seconds} s without proving a useful bound: how far "
                "this plan is from the best possible is not known.",
                seconds=format(result.runtime_s, ".0f"),
            )
        ]
    return [
        tr(
            "The solver proved that no plan can need less than {bound} yuan of {what} a year, "
            "so this plan is within {gap} of the best possible.",
            bound=money(result.best_bound),
            what=what,
            gap=share(gap),
        )  # fmt: skip
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
        tr(
            "Packages {packages} share {firm}'s capacity ({households} of {capacity} households).",
            packages=words([p.package_id for p in ps]),
            firm=_firm_label(instance, fid),
            households=count(rows[fid].households),
            capacity=count(rows[fid].capacity_households),
        )  # fmt: skip
        for fid, ps in shared
    ]
    idle = [_firm_label(instance, f.firm_id) for f in ev.firms if f.packages == 0]
    out = _cut(out, tr("firms with several packages"))
    if idle:
        shown = words(idle) if len(idle) <= MAX_ITEMS else tr("{n} firms", n=count(len(idle)))
        out.append(
            trn("{shown} takes no package.", "{shown} take no package.", len(idle), shown=shown)
        )
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
            found.append((saved, _resource_sentence(what, p.package_id, r.annual_income, saved)))
    found.sort(key=lambda item: -item[0])
    out = _cut([text for _, text in found], tr("bundled resources"))
    if len(found) > 1:
        out.append(
            tr(
                "Together the {n} bundled resources save {money} yuan a year.",
                n=len(found),
                money=money(total),
            )
        )
    bundled = {r for p in ev.packages for r in p.resources}
    hubs = [instance.community(p.hub_id) for p in ev.packages]
    unreachable = [
        f"{r.id} ({r.name})" if r.name else r.id
        for r in instance.resources
        if r.id not in bundled and all(instance.distance_m(r, h) > r.max_distance_m for h in hubs)
    ]
    if unreachable:
        shown = words(unreachable) if len(unreachable) <= MAX_ITEMS else tr("Some resources")
        out.append(
            tr(
                "{shown} cannot be bundled: no package's service point lies within reach.",
                shown=shown,
            )
        )
    return out


def _resource_sentence(what: str, package: str, income: float, saved: float) -> str:
    if saved < 0.5:
        return tr(
            "{what} in {package} is not needed to break even: its {income} yuan a year become "
            "the firm's profit.",
            what=what, package=package, income=money(income),
        )  # fmt: skip
    if saved < income - 0.5:
        return tr(
            "Bundling {what} into {package} saves {saved} yuan of subsidy a year; the other "
            "{rest} yuan lift the firm above its margin.",
            what=what, package=package, saved=money(saved), rest=money(income - saved),
        )  # fmt: skip
    return tr(
        "Bundling {what} into {package} saves {saved} yuan of subsidy a year.",
        what=what, package=package, saved=money(saved),
    )  # fmt: skip


def break_even_sentences(instance: Instance, ev: Evaluation) -> list[str]:
    if not ev.packages:
        return []
    free = [p.package_id for p in ev.packages if p.subsidy < 0.5]
    out = []
    if free:
        ids = words(free) if len(free) <= MAX_ITEMS else tr("{n} packages", n=count(len(free)))
        out.append(
            trn(
                "{ids} breaks even without subsidy: fees and resources cover the cost plus the "
                "firm's margin.",
                "{ids} break even without subsidy: fees and resources cover the cost plus the "
                "firm's margin.",
                len(free),
                ids=ids,
            )  # fmt: skip
        )
    needy = max(ev.packages, key=lambda p: p.subsidy)
    if needy.subsidy >= 0.5:
        values = {
            "package": needy.package_id, "money": money(needy.subsidy),
            "share": share(needy.subsidy / needy.cost) if needy.cost else "—",
        }  # fmt: skip
        if free:
            text = tr(
                "The largest goes to {package}: {money} yuan a year, {share} of its cost.",
                **values,
            )
        else:
            text = tr(
                "Every package needs a subsidy; the largest goes to {package}: {money} yuan a "
                "year, {share} of its cost.",
                **values,
            )
        out.append(text)
    return out


def limit_sentences(instance: Instance, ev: Evaluation) -> list[str]:
    out = []
    for f in ev.firms:
        label = _firm_label(instance, f.firm_id)
        if f.capacity_households and f.households >= NEAR_LIMIT * f.capacity_households:
            values = {
                "firm": label, "households": count(f.households),
                "capacity": count(f.capacity_households),
            }  # fmt: skip
            if f.households >= f.capacity_households:
                out.append(tr("{firm} is full: {households} of {capacity} households.", **values))
            else:
                out.append(
                    tr("{firm} is nearly full: {households} of {capacity} households.", **values)
                )
        if f.packages and f.packages >= f.max_packages:
            out.append(tr("{firm} runs its maximum of {n} packages.", firm=label, n=f.max_packages))
    for p in ev.packages:
        out += _package_limits(instance, p)
    out = _cut(out, tr("limits that bind"))
    if not out and ev.packages:
        out.append(
            tr(
                "No firm is full and no package reaches its size or radius limit: costs, not "
                "limits, shape this plan."
            )
        )
    return out


def _package_limits(instance: Instance, p: PackageMetrics) -> list[str]:
    pol = instance.policy
    out = []
    if pol.package_max_households and p.households >= NEAR_LIMIT * pol.package_max_households:
        out.append(
            tr(
                "{package} is at the package size limit ({households} of {limit} households).",
                package=p.package_id,
                households=count(p.households),
                limit=count(pol.package_max_households),
            )  # fmt: skip
        )
    if pol.package_max_radius_m and p.max_member_distance_m >= (
        NEAR_LIMIT * pol.package_max_radius_m
    ):
        out.append(
            tr(
                "{package} reaches the radius limit: a member lies {distance} from its service "
                "point (limit {limit}).",
                package=p.package_id,
                distance=distance(p.max_member_distance_m),
                limit=distance(pol.package_max_radius_m),
            )  # fmt: skip
        )
    radius = instance.firm(p.firm_id).service_radius_m
    if radius and p.firm_distance_m >= NEAR_LIMIT * radius:
        out.append(
            tr(
                "{package}'s service point is {distance} from its firm, at the edge of the "
                "firm's {radius} service radius.",
                package=p.package_id,
                distance=distance(p.firm_distance_m),
                radius=distance(radius),
            )  # fmt: skip
        )
    return out


def findings(
    instance: Instance,
    ev: Evaluation,
    result: Result | None = None,
    others: Mapping[str, Evaluation] | None = None,
    *,
    lang: str | None = None,
) -> list[tuple[str, list[str]]]:
    """All findings as (topic, sentences), in the order the report shows them.

    Parameters
    ----------
    instance, ev
        The instance and the evaluation of the plan.
    result
        The solver's result, for what is proven about the plan (None: nothing is said).
    others
        Evaluations of other plans (manual plans) to compare with, by name.
    lang
        ``"en"`` or ``"zh"``; None: the current language (:mod:`sharedprop.i18n`).

    Returns
    -------
    list of (str, list of str)
        Each topic's title and its sentences; topics without a sentence are left out.
    """
    with use_language(lang):
        topics = [
            (tr("Public money"),
             money_sentences(instance, ev, others) + proof_sentences(result, instance)),
            (tr("Coverage"), coverage_sentences(instance, ev)),
            (tr("Firms"), sharing_sentences(instance, ev)),
            (tr("Resources"), resource_sentences(instance, ev)),
            (tr("Break-even"), break_even_sentences(instance, ev)),
            (tr("Limits that bind"), limit_sentences(instance, ev)),
        ]  # fmt: skip
        return [(title, text) for title, text in topics if text]
