"""``sharedprop frontier INSTANCE``: the least public money at each coverage floor.

Writes frontier.csv, one plan per floor (plans/frontier-0.80.csv), frontier.svg/.png and
frontier.html to ``--out`` (default out/<instance>-frontier).
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


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "frontier",
        help="what each coverage floor costs: public money against the share of households",
        description="Solve the instance at each coverage floor (min_coverage): the lowest "
        "first with every core (a proven plan settles every floor it meets), the rest in "
        "parallel from the highest down, warm-started from the higher floors so that the "
        "curve is monotone; write a table, one plan per floor and a chart with the proven "
        "band.",
    )
    p.add_argument("instance", help="instance folder or workbook")
    p.add_argument(
        "--coverage",
        default="0.5:1.0:0.05",
        metavar="SPEC",
        help="floors as START:STOP:STEP (default 0.5:1.0:0.05) or a list such as 0.6,0.8,1",
    )
    add_solve_options(p, "frontier")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # Imported here: the analysis modules bring the solver (seconds), which building the
    # command line for every other command must not pay.
    from sharedprop.analysis.frontier import frontier, parse_floors
    from sharedprop.report.analysis_files import write_frontier

    problem = check_limits(args)
    try:
        floors = parse_floors(args.coverage)
    except ValueError as exc:
        problem = str(exc)
    if problem:
        return refuse(problem)
    instance = load_instance(args.instance)
    result = frontier(
        instance,
        floors,
        **solve_arguments(args),
    )
    out = out_dir(args, "frontier")
    write_frontier(instance, result, out)
    print(result.to_frame().to_string(index=False, float_format=lambda v: f"{v:,.4g}"))
    proven = sum(p.proven for p in result.points)
    print(f"{proven} of {len(result.points)} points proven optimal; written to {out}")
    return EXIT_OK if any(p.plan is not None for p in result.points) else EXIT_RULES
