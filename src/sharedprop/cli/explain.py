"""``sharedprop explain INSTANCE --plan PLAN --community ID``: why this community sits where it
does.

Prints its package, firm and service point, its share of the package's cost and revenue, the
package's subsidy with and without it, the cheapest allowed alternative (another package,
another firm, a package of its own, uncovered) with what it would cost, the rules the other
alternatives would break, and the rules that bind on its package. An id the instance does not
have is bad input: a message and exit 2.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sharedprop.cli import EXIT_OK
from sharedprop.cli.evaluate import find_plan
from sharedprop.explain import explain_community
from sharedprop.io.instances import load_instance
from sharedprop.io.plans import read_plan


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "explain",
        help="explain why a community is in its package with its firm",
        description="Explain one community's place in a plan: its cost share, the package's "
        "subsidy with and without it, the next-best package or firm and what moving it would "
        "cost, and which rules bind (capacity, radius, contiguity). Exit 0, or 2 on bad input.",
    )
    p.add_argument("instance", metavar="INSTANCE", type=Path, help="the instance folder")
    p.add_argument(
        "--plan",
        required=True,
        type=Path,
        metavar="PLAN",
        help="the plan file; a bare name is also looked up in INSTANCE/plans/ (e.g. manual.csv)",
    )
    p.add_argument("--community", required=True, metavar="ID", help="the community's id")
    p.add_argument(
        "--all", action="store_true", help="list every alternative, not just the cheapest eight"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    instance = load_instance(args.instance)
    plan = read_plan(find_plan(args.plan, Path(args.instance)), instance)
    explanation = explain_community(instance, plan, args.community.strip())
    limit = len(explanation.alternatives) if args.all else 8
    print(explanation.to_text(max_alternatives=limit))
    return EXIT_OK
