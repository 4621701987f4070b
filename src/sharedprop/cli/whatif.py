"""``sharedprop whatif INSTANCE``: which candidate resources are worth bringing in, what each
firm's leaving would cost, what more capacity for a firm would save.

Writes whatif.csv, whatif.svg/.png and whatif.html to ``--out`` (default
out/<instance>-whatif).
"""

from __future__ import annotations

import argparse
import sys

from sharedprop.analysis.whatif import whatif
from sharedprop.cli import EXIT_BAD_INPUT, EXIT_OK, EXIT_RULES
from sharedprop.cli.analysis_options import (
    SolveCounter,
    add_solve_options,
    check_limits,
    out_dir,
)
from sharedprop.io.instances import load_instance
from sharedprop.report.analysis_files import write_whatif

KINDS = {"resources": "resource", "firms": "firm_leaves", "capacity": "firm_capacity"}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "whatif",
        help="rank candidate resources, firms leaving and firms growing by what they save",
        description="Rank every candidate resource (available = false), every firm's leaving "
        "and every firm's capacity times --capacity by a cheap estimate, then solve the "
        "--exact most promising of each in full; every figure says whether it is proven.",
    )
    p.add_argument("instance", help="instance folder or workbook")
    p.add_argument(
        "--ask",
        default="resources,firms,capacity",
        metavar="LIST",
        help="which questions: resources, firms, capacity (default all three)",
    )
    p.add_argument(
        "--exact",
        type=int,
        default=3,
        metavar="K",
        help="changes of each kind solved in full, most promising first (default 3)",
    )
    p.add_argument(
        "--capacity",
        type=float,
        default=1.5,
        metavar="K",
        help="the capacity multiplier of the 'firm grows' question (default 1.5)",
    )
    add_solve_options(p, "whatif")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    problem = check_limits(args)
    asked = [a.strip() for a in args.ask.split(",") if a.strip()]
    unknown = [a for a in asked if a not in KINDS]
    if unknown:
        problem = f"--ask takes resources, firms and capacity, got {', '.join(unknown)}"
    if args.exact < 0 or not args.capacity > 0:
        problem = "--exact must be >= 0 and --capacity > 0"
    if problem:
        print(f"sharedprop: {problem}", file=sys.stderr)
        return EXIT_BAD_INPUT
    instance = load_instance(args.instance)
    result = whatif(
        instance,
        kinds=[KINDS[a] for a in asked],
        exact=args.exact,
        capacity_factor=args.capacity,
        time_limit=args.time_limit,
        work_limit=args.work_limit,
        seed=args.seed,
        workers=args.workers,
        executor=args.executor,
        on_progress=SolveCounter(args.quiet),
    )
    out = out_dir(args, "whatif")
    write_whatif(instance, result, out)
    frame = result.to_frame()
    print(frame.to_string(index=False, float_format=lambda v: f"{v:,.0f}"))
    print(f"written to {out}")
    return EXIT_OK if result.base_objective is not None else EXIT_RULES
