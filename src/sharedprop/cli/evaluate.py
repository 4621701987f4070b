"""``sharedprop evaluate INSTANCE --plan PLAN.csv [--json]``: score a plan, list broken rules.

Exit 0 when the plan breaks no rule, 1 when it breaks some, 2 on bad input (unreadable instance
or plan, or a plan naming things the instance does not have).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from sharedprop.cli import EXIT_OK, EXIT_RULES
from sharedprop.errors import PlanError
from sharedprop.evaluate import Evaluation, evaluate
from sharedprop.i18n import tr
from sharedprop.i18n.numbers import count, percent
from sharedprop.io.instances import load_instance
from sharedprop.io.plans import read_plan


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "evaluate",
        help="score a plan under the cost model and list the rules it breaks",
        description="Score a plan (CSV or XLSX: community_id,package_id,firm_id[,hub_id], with "
        "its <plan>_resources.csv companion) for an instance: objective, public money, subsidy, "
        "cost, revenue, coverage, a table per package and per firm, and every broken rule. "
        "Exit 0 if no rule is broken, 1 if some are, 2 on bad input.",
    )
    p.add_argument("instance", metavar="INSTANCE", type=Path, help="the instance folder")
    p.add_argument(
        "--plan",
        required=True,
        type=Path,
        metavar="PLAN",
        help="the plan file; a bare name is also looked up in INSTANCE/plans/ (e.g. manual.csv)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    p.set_defaults(func=run)


def find_plan(plan: Path, instance_dir: Path) -> Path:
    """``plan`` as given, else inside ``instance_dir``, else in its ``plans/`` (a bare name may
    leave out ``.csv`` or ``.xlsx``)."""
    candidates = [plan, instance_dir / plan, instance_dir / "plans" / plan]
    if not plan.suffix:
        candidates += [instance_dir / "plans" / f"{plan}{s}" for s in (".csv", ".xlsx")]
    for c in candidates:
        if c.is_file():
            return c
    raise PlanError(
        f"plan file {plan} does not exist (looked in the current folder, {instance_dir} and "
        f"{instance_dir / 'plans'}); check the path"
    )


def _money(x: float) -> str:
    return f"{x:,.0f}"


def _header(*columns: tuple[str, str]) -> str:
    """A table header: each (title, format spec), indented by two spaces."""
    return "  " + " ".join(format(title, spec) for title, spec in columns)


def _text(ev: Evaluation) -> list[str]:
    verdict = tr("feasible") if ev.feasible else tr("BREAKS RULES")
    lines = [
        tr("plan {name}: {verdict}", name=ev.plan_name, verdict=verdict),
        tr("  objective      {objective}", objective=f"{_money(ev.objective):>14}"),
        tr(
            "  public money   {public} yuan/yr  (subsidy {subsidy}, fallback {fallback})",
            public=f"{_money(ev.public_money):>14}", subsidy=_money(ev.subsidy),
            fallback=_money(ev.fallback_cost),
        ),
        tr("  total cost     {cost} yuan/yr", cost=f"{_money(ev.total_cost):>14}"),
        tr(
            "  revenue        {revenue} yuan/yr  (resources {resources})",
            revenue=f"{_money(ev.revenue):>14}", resources=_money(ev.resource_income),
        ),
        tr(
            "  coverage       {covered} of {total} households ({share}); uncovered: {uncovered}",
            covered=count(ev.coverage_households), total=count(ev.total_households),
            share=percent(ev.coverage), uncovered=", ".join(ev.uncovered) or tr("none"),
        ),
        "",
        _header(
            (tr("package"), "<10"), (tr("firm"), "<8"), (tr("hub"), "<10"),
            (tr("members"), ">7"), (tr("households"), ">10"), (tr("cost"), ">12"),
            (tr("revenue"), ">12"), (tr("subsidy"), ">12"),
        ),
    ]  # fmt: skip
    for p in ev.packages:
        hub = p.hub_id if p.hub_given else f"{p.hub_id}*"
        lines.append(
            f"  {p.package_id:<10} {p.firm_id:<8} {hub:<10} {len(p.members):>7} "
            f"{p.households:>10,} {_money(p.cost):>12} {_money(p.revenue):>12} "
            f"{_money(p.subsidy):>12}"
        )
    if any(not p.hub_given for p in ev.packages):
        lines.append(tr("  * hub not given in the plan: the member the contract's hub rule picks"))
    header = _header(
        (tr("firm"), "<8"), (tr("packages"), ">8"), (tr("households"), ">10"),
        (tr("capacity used"), ">14"),
    )  # fmt: skip
    lines += ["", header]
    for f in ev.firms:
        lines.append(
            f"  {f.firm_id:<8} {f'{f.packages}/{f.max_packages}':>8} {f.households:>10,} "
            f"{f.capacity_used:>14.0%}"
        )
    lines.append("")
    if ev.broken:
        lines.append(tr("broken rules ({n}):", n=len(ev.broken)))
        lines += [f"  - {v}" for v in ev.broken]
    else:
        lines.append(tr("broken rules: none"))
    return lines


def run(args: argparse.Namespace) -> int:
    instance = load_instance(args.instance)
    plan = read_plan(find_plan(args.plan, Path(args.instance)), instance)
    ev = evaluate(instance, plan)
    if args.json:
        print(json.dumps(ev.to_dict(), ensure_ascii=False))
    else:
        print("\n".join(_text(ev)))
    return EXIT_OK if ev.feasible else EXIT_RULES
