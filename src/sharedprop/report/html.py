"""report.html: one self-contained page a street office can open offline and forward by e-mail.

No CDN, no map tiles, no web fonts: the map is inline SVG, the style is inline CSS, and the page
reads fully without JavaScript (a few lines of inline script only make tables sortable). All text
that comes from the instance is escaped. Headings carry the Chinese term a planner uses.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from html import escape

from sharedprop._version import __version__
from sharedprop.analysis.stress import collection_headroom
from sharedprop.compare import METRICS, Comparison, Metric, Move, compare_plans
from sharedprop.data import Instance
from sharedprop.errors import SharedpropError
from sharedprop.evaluate import Evaluation, evaluate
from sharedprop.formatting import count, metres, pct, plural, seconds, yuan
from sharedprop.plan import Plan
from sharedprop.report.charts import convergence_chart, svg
from sharedprop.report.page import (
    CSS,
    SORT_JS,
    Col,
    broken_list,
    community_cell,
    firm_cell,
    h2,
    move_rows,
    table,
    td,
)
from sharedprop.report.palette import package_colours
from sharedprop.report.sentences import findings, useful_gap
from sharedprop.report.shapes import plan_shapes
from sharedprop.report.svgmap import svg_map
from sharedprop.result import Result

THIS_PLAN = "this plan"
# Moved-community lists longer than this start folded.
FOLD_AFTER = 30


def _card(label: str, value: str, note: str = "", main: bool = False) -> str:
    n = f'<div class="n">{escape(note)}</div>' if note else ""
    return (
        f'<div class="card{" main" if main else ""}"><div class="k">{escape(label)}</div>'
        f'<div class="v">{escape(value)}</div>{n}</div>'
    )


# -- sections -----------------------------------------------------------------------------------


def _header(instance: Instance, plan: Plan | None, result: Result | None) -> str:
    status = result.status if result else "evaluated"
    plan_name = plan.name if plan else "no plan"
    paragraphs = [p.strip() for p in instance.description.strip().split("\n\n") if p.strip()]
    desc = f'<p class="desc">{escape(paragraphs[0])}</p>' if paragraphs else ""
    if len(paragraphs) > 1:
        rest = "".join(f'<p class="desc">{escape(p)}</p>' for p in paragraphs[1:])
        desc += f"<details><summary>More about this instance</summary>{rest}</details>"
    return (
        f'<h1>Shared property plan <span class="zh">· 共享物业方案</span></h1>'
        f'<p class="sub">Instance <b>{escape(instance.name)}</b> · plan “{escape(plan_name)}” · '
        f'<span class="badge {escape(status)}">{escape(status)}</span></p>{desc}'
    )


def _cards(instance: Instance, ev: Evaluation | None, result: Result | None) -> str:
    cards = []
    if ev is not None:
        cards += [
            _card("Public money 财政资金", f"{yuan(ev.public_money)} ¥", "yuan per year",
                  main=True),
            _card("Total cost 运营成本", f"{yuan(ev.total_cost)} ¥",
                  "yuan per year, all packages"),
            _card("Revenue 收入", f"{yuan(ev.revenue)} ¥",
                  f"fees + {yuan(ev.resource_income)} from resources"),
            _card("Coverage 覆盖", pct(ev.coverage),
                  f"{count(ev.coverage_households)} of {count(ev.total_households)} households, "
                  f"{count(len(ev.covered))} of {count(len(instance.communities))} communities"
                  + _floor_note(instance)),
            _card("Packages 服务包", count(len(ev.packages)), "service packages"),
            _card("Firms used 物业企业", f"{ev.firms_used} of {len(instance.firms)}",
                  "firms with a package"),
        ]  # fmt: skip
    if result is not None:
        gap = useful_gap(result)
        if result.status == "optimal":
            note = "proven optimal"
        elif gap is None:
            note = "no useful bound proven"
        else:
            note = f"bound {yuan(result.best_bound)}"
        cards += [
            _card("Proven gap 最优性差距", pct(gap) if gap is not None else "—", note),
            _card("Status 状态", result.status,
                  f"{result.strategy}, {seconds(result.runtime_s)}"
                  + (f" of {seconds(result.time_limit)}" if result.time_limit else "")),
        ]  # fmt: skip
    if ev is not None and ev.broken:
        cards.append(_card("Broken rules 违规", count(len(ev.broken)), "see the list below"))
    return f'<section class="cards">{"".join(cards)}</section>'


def _findings(topics: list[tuple[str, list[str]]]) -> str:
    parts = [h2("What the plan says", "方案要点", "findings"), '<div class="findings">']
    for topic, sentences in topics:
        items = "".join(f"<li>{escape(s)}</li>" for s in sentences)
        parts.append(f"<h3>{escape(topic)}</h3><ul>{items}</ul>")
    parts.append("</div>")
    return "".join(parts)


def _map(
    instance: Instance, plan: Plan | None, ev: Evaluation | None, colours: Mapping[str, str]
) -> str:
    chips = []
    if ev is not None:
        for p in ev.packages:
            chips.append(
                f'<span class="chip"><span class="sw" style="background:{colours[p.package_id]}">'
                f"</span><b>{escape(p.package_id)}</b> {escape(instance.firm(p.firm_id).name)} · "
                f"{count(p.households)} hh</span>"
            )
    return (
        h2("Map", "地图", "map")
        + f'<div class="mapbox">{svg_map(instance, plan, ev, colours=colours)}'
        + (f'<div class="chips">{"".join(chips)}</div>' if chips else "")
        + "</div>"
    )


def _packages(instance: Instance, ev: Evaluation, colours: Mapping[str, str]) -> str:
    cols = [
        Col("Package"), Col("Firm"), Col("Communities"),
        Col("Households", True), Col("Cost ¥", True), Col("Revenue ¥", True),
        Col("Resources"), Col("Subsidy ¥", True), Col("Margin", True),
        Col("Firm→hub", True),
    ]  # fmt: skip
    rows = []
    for p in ev.packages:
        res = (
            ", ".join(f"{escape(r)} {escape(instance.resource(r).name)}" for r in p.resources)
            or "—"
        )
        rows.append([
            td(f'<span class="sw" style="background:{colours[p.package_id]}"></span>'
                f"<b>{escape(p.package_id)}</b>", sort=p.package_id),
            td(firm_cell(instance, p.firm_id), sort=p.firm_id, cls="firm"),
            td(", ".join(("★ " if m == p.hub_id else "") + community_cell(instance, m)
                          for m in p.members), cls="members", sort=len(p.members)),
            td(count(p.households), numeric=True, sort=p.households),
            td(yuan(p.cost), numeric=True, sort=round(p.cost, 2)),
            td(yuan(p.revenue), numeric=True, sort=round(p.revenue, 2)),
            td(res),
            td(yuan(p.subsidy), numeric=True, sort=round(p.subsidy, 2)),
            td(pct(p.margin), numeric=True, sort=round(p.margin, 6)),
            td(metres(p.firm_distance_m), numeric=True, sort=round(p.firm_distance_m, 1)),
        ])  # fmt: skip
    note = '<p class="note">Money in yuan per year; ★ marks the service point (hub).</p>'
    return h2("Packages", "服务包", "packages") + note + table(cols, rows)


def _firms(instance: Instance, plan: Plan, ev: Evaluation) -> str:
    cols = [
        Col("Firm"), Col("Packages"), Col("Households", True), Col("Capacity", True),
        Col("Used", True), Col("Max packages", True), Col("Service radius", True),
    ]  # fmt: skip
    rows = []
    for f in ev.firms:
        firm = instance.firm(f.firm_id)
        pids = [p.id for p in plan.packages if p.firm_id == f.firm_id]
        share = f.capacity_used if f.capacity_households else 0.0
        width = max(0.0, min(1.0, share)) * 100
        full = " full" if share >= 0.95 else ""
        bar = f'<span class="bar{full}"><span style="width:{width:.1f}%"></span></span>'
        rows.append([
            td(firm_cell(instance, f.firm_id), sort=f.firm_id),
            td(escape(", ".join(pids)) or "—", sort=len(pids)),
            td(count(f.households), numeric=True, sort=f.households),
            td(count(f.capacity_households), numeric=True, sort=f.capacity_households),
            td(f"{pct(share)}{bar}", numeric=True, sort=round(share, 6)),
            td(f"{f.packages} / {f.max_packages}", numeric=True, sort=f.packages),
            td(metres(firm.service_radius_m), numeric=True, sort=firm.service_radius_m),
        ])  # fmt: skip
    return h2("Firms", "物业企业", "firms") + table(cols, rows)


def _resources(instance: Instance, plan: Plan, ev: Evaluation) -> str:
    if not instance.resources:
        return ""
    where = plan.resource_assignment()
    hubs = {p.package_id: p.hub_id for p in ev.packages}
    cols = [Col("Resource"), Col("Kind"), Col("Income ¥/yr", True), Col("Bundled into"),
            Col("Distance to hub", True), Col("Reach", True)]  # fmt: skip
    rows = []
    for r in instance.resources:
        pid = where.get(r.id)
        d = instance.distance_m(r, instance.community(hubs[pid])) if pid in hubs else None
        rows.append([
            td(f"{escape(r.name)} <small>({escape(r.id)})</small>", sort=r.id),
            td(escape(r.kind.replace("_", " "))),
            td(yuan(r.annual_income), numeric=True, sort=r.annual_income),
            td(escape(pid) if pid else _unbundled(r.available), sort=pid or ""),
            td(metres(d), numeric=True, sort=d if d is not None else -1),
            td(metres(r.max_distance_m), numeric=True, sort=r.max_distance_m),
        ])  # fmt: skip
    return h2("Resources", "经营性资源", "resources") + table(cols, rows)


def _headroom(instance: Instance, plan: Plan) -> str:
    """How far collection can fall before each package needs more money, most fragile first."""
    rows_data = sorted(
        collection_headroom(instance, plan), key=lambda h: (h.collection_fall, h.package_id)
    )
    if not rows_data:
        return ""
    cols = [Col("Package"), Col("Firm"), Col("Subsidy ¥/yr", True), Col("Fee revenue ¥/yr", True),
            Col("Collection may fall by", True), Col("Collection rate now", True),
            Col("Needs money below", True)]  # fmt: skip
    rows = [
        [
            td(escape(h.package_id), sort=h.package_id),
            td(escape(h.firm_id)),
            td(yuan(h.subsidy), numeric=True, sort=h.subsidy),
            td(yuan(h.fee_revenue), numeric=True, sort=h.fee_revenue),
            td(pct(h.collection_fall), numeric=True, sort=h.collection_fall),
            td(pct(h.mean_collection_rate), numeric=True, sort=h.mean_collection_rate),
            td(pct(h.break_even_collection_rate), numeric=True, sort=h.break_even_collection_rate),
        ]
        for h in rows_data
    ]
    return (
        h2("How far can collection fall", "收缴率可下降多少", "headroom")
        + "<p>A package that needs a subsidy now needs more at any fall in fee collection; one "
        "that pays for itself needs public money only once collection falls below the rate "
        "shown (every member's collection rate falling by the same share).</p>" + table(cols, rows)
    )


def _convergence(result: Result) -> str:
    """The best plan's objective and the proven bound over the solve's time."""
    trace = result.trace
    fig = convergence_chart(
        [p.seconds for p in trace], [p.objective for p in trace], [p.bound for p in trace],
        result.time_limit,
    )  # fmt: skip
    return (
        h2("How the search went", "求解过程", "convergence")
        + f'<div class="chart">{svg(fig)}</div>'
    )


def _floor_note(instance: Instance) -> str:
    """The coverage floor, when the policy sets one."""
    floor = instance.policy.min_coverage
    return f"; the policy asks for at least {pct(floor)}" if floor > 0 else ""


def _unbundled(available: bool) -> str:
    return "not bundled" if available else "candidate, not available"


def _uncovered(instance: Instance, ev: Evaluation) -> str:
    if not ev.uncovered:
        return ""
    fallback = instance.policy.fallback_cost_per_household
    cols = [Col("Community"), Col("Street"), Col("Households", True), Col("Fallback ¥/yr", True)]
    rows = []
    for cid in ev.uncovered:
        c = instance.community(cid)
        rows.append([
            td(community_cell(instance, cid), sort=cid), td(escape(c.street)),
            td(count(c.households), numeric=True, sort=c.households),
            td(yuan(fallback * c.households), numeric=True, sort=fallback * c.households),
        ])  # fmt: skip
    return (
        h2("Uncovered communities", "兜底小区", "uncovered")
        + "<p>No package takes these; the street office carries them itself.</p>"
        + table(cols, rows)
    )


def _change_row(metric: Metric, ref: Evaluation, ours: Evaluation, neutral: set[str]) -> list[str]:
    a, b = metric.value(ref), metric.value(ours)
    cls = ""
    if metric.lower_is_better is not None and metric.key not in neutral and abs(b - a) > 1e-6:
        better = (b < a) == metric.lower_is_better
        cls = "better" if better else "worse"
    diff = b - a
    shown_diff = metric.show(abs(diff)) if abs(diff) > 1e-6 else "="
    if metric.key == "coverage" and shown_diff != "=":
        shown_diff = f"{abs(diff) * 100:.1f} pts"
    sign = "" if shown_diff == "=" else ("+" if diff > 0 else "−")
    return [
        td(escape(metric.label.strip())),
        td(escape(metric.show(a)), numeric=True),
        td(escape(metric.show(b)), numeric=True),
        td(f'<span class="{cls}">{escape(sign + shown_diff)}</span>', numeric=True),
    ]


def _change_table(instance: Instance, other: str, ref: Evaluation, ours: Evaluation) -> str:
    # Money the objective ignores is shown without a verdict (a plan that covers more
    # communities costs the firms more, and that is not a fault).
    neutral = {"revenue"} | ({"total_cost"} if instance.objective.weight_total_cost == 0 else set())
    return table(
        [Col("Metric"), Col(f"“{other}”", True), Col("This plan", True), Col("Change", True)],
        [_change_row(metric, ref, ours, neutral) for metric in METRICS],
        sortable=False,
    )


def _comparison_lead(other: str, ref: Evaluation, ours: Evaluation, moves: Sequence[Move]) -> str:
    """One sentence on the public money saved, one on the communities that move."""
    saved = ref.public_money - ours.public_money
    if saved >= 0.5:
        verdict = f"saves {yuan(saved)} yuan of public money a year"
    elif saved <= -0.5:
        verdict = f"costs {yuan(-saved)} yuan more public money a year"
    else:
        verdict = "needs the same public money"
    share = (
        f" ({pct(abs(saved) / ref.public_money)})" if ref.public_money and abs(saved) >= 0.5 else ""
    )
    lead = f"Adopting this plan instead of “{other}” {verdict}{share}."
    if not moves:
        return lead + " No community changes package or firm."
    kinds = Counter(m.change for m in moves)
    return (
        f"{lead} "
        + "; ".join(f"{plural(n, 'community', 'communities')} {k}" for k, n in kinds.items())
        + "."
    )


def _moves_table(instance: Instance, other: str, moves: Sequence[Move]) -> str:
    cols = [Col("Community"), Col("Households", True), Col(f"In “{other}”"), Col("In this plan"),
            Col("Change")]  # fmt: skip
    opened = " open" if len(moves) <= FOLD_AFTER else ""
    return (
        f"<details{opened}><summary>{plural(len(moves), 'community', 'communities')} move"
        f"{'s' if len(moves) == 1 else ''}</summary>"
        f"{table(cols, move_rows(instance, moves))}</details>"
    )


def _comparison(instance: Instance, cmp: Comparison, other: str, other_plan: Plan) -> str:
    ref, ours = cmp.evaluations[other], cmp.evaluations[THIS_PLAN]
    moves = cmp.moves[THIS_PLAN]
    parts = [
        h2(f"Compared with “{other}”", "与人工方案对比", f"compare-{escape(other)}"),
        f"<p>{escape(_comparison_lead(other, ref, ours, moves))}</p>",
        _change_table(instance, other, ref, ours),
        broken_list(ref, f"“{other}” breaks {plural(len(ref.broken), 'rule')}"),
        f"<details><summary>Show the map of “{escape(other)}”</summary>"
        f'<div class="mapbox">{svg_map(instance, other_plan, ref)}</div></details>',
    ]
    if moves:
        parts.append(_moves_table(instance, other, moves))
    return "".join(parts)


def _footer(instance: Instance, result: Result | None) -> str:
    run = ""
    if result is not None:
        run = (
            f" Solved with strategy {escape(result.strategy)}, {result.workers} worker(s), "
            f"seed {result.seed}, in {escape(seconds(result.runtime_s))}."
        )
    return (
        "<footer><p>How the numbers are made: a package's <b>cost</b> is the firm's fixed cost, "
        "its cost per household and its travel from the firm to the service point and from the "
        "service point to each member; its <b>revenue</b> is the residents' fees (12 × fee rate × "
        "floor area × collection rate) plus bundled resources; its <b>subsidy</b> is what tops "
        "revenue up to cost plus the firm's minimum margin (never below zero). <b>Public money</b>"
        " is all subsidies plus the street office's fallback cost for uncovered communities. "
        "Money is yuan per year; distances are metres."
        f"{run} Generated by sharedprop {escape(__version__)}.</p></footer>"
    )


# -- the page -----------------------------------------------------------------------------------


def _comparisons(
    instance: Instance, plan: Plan, others: Mapping[str, Plan]
) -> tuple[dict[str, Comparison], list[str]]:
    """One comparison per manual plan; a plan that names unknown things becomes a note."""
    out: dict[str, Comparison] = {}
    notes: list[str] = []
    for name, other in others.items():
        try:
            out[name] = compare_plans(instance, {name: other, THIS_PLAN: plan})
        except SharedpropError as exc:
            notes.append(f"The plan “{name}” cannot be compared: {exc}")
    return out, notes


def render_report(
    instance: Instance,
    plan: Plan | None,
    *,
    result: Result | None = None,
    evaluation: Evaluation | None = None,
    plans: Mapping[str, Plan] | None = None,
) -> str:
    """The whole report as one HTML string."""
    ev = evaluation if evaluation is not None or plan is None else evaluate(instance, plan)
    comparisons, notes = _comparisons(instance, plan, plans or {}) if plan else ({}, [])
    shapes = plan_shapes(instance, plan)
    colours = package_colours(shapes.packages, near_m=3 * shapes.pad_m)
    body = [_header(instance, plan, result), _cards(instance, ev, result)]
    if ev is not None:
        others = {n: c.evaluations[n] for n, c in comparisons.items()}
        body.append(_findings(findings(instance, ev, result, others)))
    elif result is not None:
        reasons = "".join(f"<li>{escape(r)}</li>" for r in result.reasons) or "<li>none given</li>"
        body.append(h2("No plan", "无可行方案", "noplan") + f"<ul>{reasons}</ul>")
    body.append(_map(instance, plan, ev, colours))
    if plan is not None and ev is not None:
        if ev.broken:
            body.append(h2("Broken rules", "违规", "broken") + broken_list(ev, "This plan breaks:"))
        body += [
            _packages(instance, ev, colours),
            _firms(instance, plan, ev),
            _resources(instance, plan, ev),
            _uncovered(instance, ev),
            _headroom(instance, plan),
        ]
        body += [
            _comparison(instance, cmp, name, (plans or {})[name])
            for name, cmp in comparisons.items()
        ]
        body += [f"<p>{escape(n)}</p>" for n in notes]
    if result is not None and len(result.trace) > 1:
        body.append(_convergence(result))
    body.append(_footer(instance, result))
    title = f"Shared property plan — {instance.name}"
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head>"
        f"<body><main>{''.join(body)}</main><script>{SORT_JS}</script></body></html>\n"
    )
