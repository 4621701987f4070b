"""``sharedprop whatif INSTANCE``: which candidate resources are worth bringing in, what each
firm's leaving would cost, what more capacity for a firm would save.

Writes whatif.csv, whatif.svg/.png and whatif.html to ``--out`` (default
out/<instance>-whatif).
"""

from __future__ import annotations

import argparse

from sharedprop.cli import EXIT_OK, EXIT_RULES
from sharedprop.cli.analysis_options import (
    add_solve_options,
    check_limits,
    out_dir,
    refuse,
    solve_arguments,
)
from sharedprop.io.instances import load_instance

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
    # Imported here: the analysis modules bring the solver (seconds), which building the
    # command line for every other command must not pay.
    from sharedprop.analysis.whatif import whatif
    from sharedprop.report.analysis_files import write_whatif

    problem = check_limits(args)
    asked = [a.strip() for a in args.ask.split(",") if a.strip()]
    unknown = [a for a in asked if a not in KINDS]
    if unknown:
        problem = f"--ask takes resources, firms and capacity, got {', '.join(unknown)}"
    if args.exact < 0 or not args.capacity > 0:
        problem = "--exact must be >= 0 and --capacity > 0"
    if problem:
        return refuse(problem)
    instance = load_instance(args.instance)
    result = whatif(
        instance,
        kinds=[KINDS[a] for a in asked],
        exact=args.exact,
        capacity_factor=args.capacity,
        **solve_arguments(args),
    )
    out = out_dir(args, "whatif")
    write_whatif(instance, result, out)
    frame = result.to_frame()
    print(frame.to_string(index=False, float_format=lambda v: f"{v:,.0f}"))
    print(f"written to {out}")
    return EXIT_OK if result.base_objective is not None else EXIT_RULES
