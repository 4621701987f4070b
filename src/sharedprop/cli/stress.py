"""``sharedprop stress INSTANCE --plan PLAN --collection -10%``: re-score a plan on changed
data and name the packages that then need more subsidy.

Writes stress.csv, headroom.csv (how far collection can fall before each package needs more
money), stress.svg/.png and stress.html to ``--out`` (default out/<instance>-stress).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from sharedprop.analysis.shock import Shock, parse_share
from sharedprop.analysis.stress import stress
from sharedprop.cli import EXIT_BAD_INPUT, EXIT_OK
from sharedprop.cli.evaluate import find_plan
from sharedprop.io.instances import load_instance
from sharedprop.io.plans import read_plan
from sharedprop.report.analysis_files import write_stress

NEGATIVE_SHARE = re.compile(r"^-\d+(\.\d*)?%?$|^-\.\d+%?$")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "stress",
        help="re-score a plan when collection, fee rates or households change",
        description="Score a plan on the instance and on the instance with every collection "
        "rate, fee rate or household count changed by a share (e.g. --collection -10%); "
        "name the packages that need more subsidy, and how far collection can fall before "
        "each package needs more money.",
    )
    p.add_argument("instance", help="instance folder or workbook")
    p.add_argument("--plan", required=True, help="the plan file (a bare name looks in plans/)")
    for name, what in (
        ("collection", "every collection rate"),
        ("fee-rate", "every fee rate"),
        ("households", "every community's households"),
    ):
        p.add_argument(
            f"--{name}",
            default="0",
            metavar="SHARE",
            help=f"change {what} by this share: -10%%, +5%% or -0.1 (default 0)",
        )
    p.add_argument("--out", metavar="DIR", help="output folder (default out/<instance>-stress)")
    # So that "--collection -10%" reads -10% as the value (argparse takes a word that starts
    # with "-" for an option unless it looks like a negative number, and "%" does not).
    p._negative_number_matcher = NEGATIVE_SHARE
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        shock = Shock(
            collection=parse_share(args.collection),
            fee_rate=parse_share(args.fee_rate),
            households=parse_share(args.households),
        )
    except ValueError as exc:
        print(f"sharedprop: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    instance = load_instance(args.instance)
    plan = read_plan(find_plan(Path(args.plan), Path(args.instance)), instance)
    result = stress(instance, plan, shock)
    out = (
        Path(args.out) if args.out else Path("out") / f"{Path(args.instance).resolve().stem}-stress"
    )
    write_stress(instance, plan, result, out)
    print(f"plan {plan.name} under {shock.describe()}:")
    print(
        f"  public money {result.before.public_money:,.0f} -> {result.after.public_money:,.0f} "
        f"yuan/yr ({result.extra_public_money:+,.0f})"
    )
    for p in result.packages_needing_more():
        print(f"  {p.package_id} ({p.firm_id}) needs {p.extra_subsidy:,.0f} more")
    for v in result.newly_broken:
        print(f"  now breaks {v}")
    print(f"written to {out}")
    return EXIT_OK
