"""``sharedprop validate INSTANCE [--json]``: load, check and summarise an instance folder.

Exit 0 when the instance (and every plan in its ``plans/`` folder) loads; exit 2 with every
problem found otherwise. Reachability findings are reported, not errors: an instance may well
hold communities no firm can reach, and the planner should know.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from sharedprop.cli import EXIT_OK
from sharedprop.feasibility.summary import describe
from sharedprop.i18n import tr
from sharedprop.io.instances import list_plan_files, load_instance
from sharedprop.io.plans import read_plan


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "validate",
        help="check an instance folder and summarise it",
        description="Read an instance folder, report every problem in its files (file, row, "
        "column, id) and summarise it: size, proximity-graph components, isolated communities, "
        "communities no firm can reach, resources no hub can reach, firm capacity against "
        "households, candidate resources and whether firms can meet min_coverage. Plans "
        "in INSTANCE/plans/ are checked too. Exit 0 if all is readable, "
        "2 otherwise.",
    )
    p.add_argument("instance", metavar="INSTANCE", type=Path, help="the instance folder")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    instance = load_instance(args.instance)
    files = list_plan_files(instance)
    plans = [read_plan(p, instance) for p in files]
    summary = describe(instance)
    plan_info = [
        {"file": p.name, "packages": len(plan.packages), "communities": len(plan.covered())}
        for p, plan in zip(files, plans, strict=True)
    ]
    if args.json:
        print(json.dumps({**summary.to_dict(), "plans": plan_info}, ensure_ascii=False))
        return EXIT_OK
    for line in summary.to_lines():
        print(line)
    listed = ", ".join(
        tr(
            "{file} ({packages} packages, {communities} communities)",
            file=p["file"],
            packages=p["packages"],
            communities=p["communities"],
        )  # fmt: skip
        for p in plan_info
    )
    print(tr("plans: {listed}", listed=listed or tr("none")))
    return EXIT_OK
