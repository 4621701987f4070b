"""What each analysis leaves in its output folder: its table as CSV, its plans in the contract's
plan format, its chart as SVG and PNG, and one offline HTML page with both.

Every file is written atomically (a temporary file renamed), so an interrupted run never leaves
half a file.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from sharedprop.analysis.stress import StressResult, collection_headroom, headroom_frame
from sharedprop.data import Instance
from sharedprop.io.atomic import atomic_write_bytes, atomic_write_text
from sharedprop.io.plans import write_plan
from sharedprop.plan import Plan
from sharedprop.report import charts
from sharedprop.report.analysis_page import Section, analysis_page, chart, frame_table

if TYPE_CHECKING:  # the results' modules import the solver, which writing files does not need
    from sharedprop.analysis.frontier import FrontierResult
    from sharedprop.analysis.sweep import SweepResult
    from sharedprop.analysis.whatif import WhatIfResult


def _csv(frame: pd.DataFrame, path: Path) -> Path:
    return atomic_write_text(path, frame.to_csv(index=False))


def _figure(fig: object, stem: Path) -> str:
    """Write ``stem``.png and ``stem``.svg; the SVG text, for the page."""
    svg = charts.svg(fig)
    atomic_write_text(stem.with_suffix(".svg"), svg)
    atomic_write_bytes(stem.with_suffix(".png"), charts.png(fig))
    return svg


def _plans(plans: dict[str, Plan], folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name, plan in plans.items():
        path = folder / f"{name}.csv"
        write_plan(plan, path)
        out.append(path)
    return out


def write_frontier(instance: Instance, result: FrontierResult, out: Path) -> list[Path]:
    """frontier.csv, plans/frontier-<floor>.csv, frontier.svg/.png and frontier.html."""
    out.mkdir(parents=True, exist_ok=True)
    frame = result.to_frame()
    written = [_csv(frame, out / "frontier.csv")]
    plans = {f"frontier-{p.min_coverage:.2f}": p.plan for p in result.points if p.plan}
    written += _plans(plans, out / "plans")
    points = [
        charts.FrontierPoint(p.min_coverage, p.coverage, p.objective, p.bound, p.proven)
        for p in result.points
    ]
    svg = _figure(charts.frontier_chart(points, f"{instance.name}"), out / "frontier")
    proven = sum(p.proven for p in result.points)
    lines = [
        f"{instance.name}: the least public money found at each coverage floor "
        f"(min_coverage), {proven} of {len(result.points)} points proven optimal.",
        "The shaded band runs from the proven lower bound to the plan: the best possible plan "
        "at that floor lies inside it.",
    ]
    sections = [
        Section("Curve", "覆盖率与财政资金", chart(svg)),
        Section("Points", "各点", frame_table(frame)),
    ]
    html = analysis_page("Coverage frontier", "覆盖率前沿", lines, sections)
    written.append(atomic_write_text(out / "frontier.html", html))
    return written + [out / "frontier.svg", out / "frontier.png"]


def write_whatif(instance: Instance, result: WhatIfResult, out: Path) -> list[Path]:
    """whatif.csv, whatif.svg/.png (the solved changes, proven or with their gap) and
    whatif.html."""
    out.mkdir(parents=True, exist_ok=True)
    frame = result.to_frame()
    written = [_csv(frame, out / "whatif.csv")]
    bars = [
        charts.Bar(
            w.change.label,
            w.saving,
            w.proven,
            0.0 if w.proven or w.low is None or w.high is None else (w.high - w.low) / 2,
        )
        for w in result.items
        if w.saving is not None
    ]
    sections = []
    if bars:
        fig = charts.ranking_chart(
            bars,
            "saving, yuan/yr (negative: a loss) 节省 (元/年)",
            "What each change saves 方案调整的节省",
        )
        sections.append(Section("Savings", "节省", chart(_figure(fig, out / "whatif"))))
        written += [out / "whatif.svg", out / "whatif.png"]
    sections.append(Section("Every change, ranked", "全部调整", frame_table(frame)))
    lines = [
        f"{instance.name}: base objective {result.base_objective or 0:,.0f} "
        f"({result.base_status}; proven bound {result.base_bound or 0:,.0f}).",
        "'saving' is the base objective minus the changed instance's, both from full solves; "
        "'proven' when both are proven optimal, else the true saving lies between saving_low "
        "and saving_high. 'estimate' is labelled by its kind: a resource's saving is at least "
        "its estimate on the base plan.",
    ]
    html = analysis_page("What if", "假设分析", lines, sections)
    written.append(atomic_write_text(out / "whatif.html", html))
    return written


def write_stress(instance: Instance, plan: Plan, result: StressResult, out: Path) -> list[Path]:
    """stress.csv (per package), headroom.csv (collection headroom), stress.svg/.png and
    stress.html."""
    out.mkdir(parents=True, exist_ok=True)
    frame = result.to_frame()
    headroom = headroom_frame(collection_headroom(instance, plan))
    written = [_csv(frame, out / "stress.csv"), _csv(headroom, out / "headroom.csv")]
    fig = charts.grouped_chart(
        list(frame["package_id"]),
        {
            "subsidy before 调整前补贴": list(frame["subsidy_before"]),
            "subsidy after 调整后补贴": list(frame["subsidy_after"]),
        },
        "yuan/yr 元/年",
        f"Subsidy per package under {result.shock.describe()}",
    )
    svg = _figure(fig, out / "stress")
    written += [out / "stress.svg", out / "stress.png"]
    rising = result.packages_needing_more()
    lines = [
        f"{instance.name}, plan {plan.name}, under {result.shock.describe()}: public money "
        f"{result.before.public_money:,.0f} → {result.after.public_money:,.0f} yuan/yr "
        f"({result.extra_public_money:+,.0f}).",
        f"{len(rising)} package(s) need more subsidy"
        + (
            ": " + ", ".join(f"{p.package_id} (+{p.extra_subsidy:,.0f})" for p in rising)
            if rising
            else "."
        ),
    ]
    if result.newly_broken:
        lines.append(
            "Rules broken under the change: " + "; ".join(str(v) for v in result.newly_broken)
        )
    sections = [
        Section("Subsidy per package", "各片区补贴", chart(svg) + frame_table(frame)),
        Section(
            "How far collection can fall before each package needs more money",
            "收缴率可下降多少",
            frame_table(headroom),
        ),
    ]
    html = analysis_page("Stress test", "压力测试", lines, sections)
    written.append(atomic_write_text(out / "stress.html", html))
    return written


def write_sweep(instance: Instance, result: SweepResult, out: Path) -> list[Path]:
    """sweep.csv, plans/<scenario>.csv, sweep.svg/.png (plan and bound per scenario) and
    sweep.html."""
    out.mkdir(parents=True, exist_ok=True)
    frame = result.to_frame()
    written = [_csv(frame, out / "sweep.csv")]
    plans = {f"scenario-{k + 1:02d}": o.plan for k, o in enumerate(result.outcomes) if o.plan}
    written += _plans(plans, out / "plans")
    labels = [o.label for o in result.outcomes]
    fig = charts.grouped_chart(
        labels,
        {
            "public money 财政资金": [
                o.evaluation.public_money if o.evaluation else None for o in result.outcomes
            ],
            "proven bound 下界": [o.result.best_bound for o in result.outcomes],
        },
        "yuan/yr 元/年",
        "Scenarios 情景比较",
    )
    svg = _figure(fig, out / "sweep")
    written += [out / "sweep.svg", out / "sweep.png"]
    lines = [
        f"{instance.name}: {len(result.outcomes)} scenarios, each solved on its own; plans in "
        "plans/scenario-NN.csv in the order of the table."
    ]
    sections = [Section("Scenarios", "情景", chart(svg) + frame_table(frame))]
    html = analysis_page("Scenario sweep", "情景分析", lines, sections)
    written.append(atomic_write_text(out / "sweep.html", html))
    return written
