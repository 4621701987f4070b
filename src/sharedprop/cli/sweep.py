"""``sharedprop sweep INSTANCE --vary TABLE.KEY=V1,V2 [--vary ...]``: solve every combination.

Writes sweep.csv, one plan per scenario (plans/scenario-NN.csv), sweep.svg/.png and
sweep.html to ``--out`` (default out/<instance>-sweep).
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
        "sweep",
        help="solve a grid of policy and objective scenarios and compare them",
        description="Solve the instance under every combination of the varied settings "
        "(--vary policy.package_max_households=900,1200 --vary objective.weight_total_cost="
        "0,0.05), in parallel, and write one comparison table, the plans and a chart.",
    )
    p.add_argument("instance", help="instance folder or workbook")
    p.add_argument(
        "--vary",
        action="append",
        required=True,
        metavar="TABLE.KEY=V1,V2",
        help="a setting of [policy] or [objective] and the values to try; repeat for a grid",
    )
    add_solve_options(p, "sweep")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # Imported here: the analysis modules bring the solver (seconds), which building the
    # command line for every other command must not pay.
    from sharedprop.analysis.scenario import parse_variation
    from sharedprop.analysis.sweep import sweep
    from sharedprop.report.analysis_files import write_sweep

    problem = check_limits(args)
    if problem:
        return refuse(problem)
    variations = [parse_variation(v) for v in args.vary]
    instance = load_instance(args.instance)
    result = sweep(
        instance,
        variations,
        **solve_arguments(args),
    )
    out = out_dir(args, "sweep")
    write_sweep(instance, result, out)
    print(result.to_frame().to_string(index=False, float_format=lambda v: f"{v:,.4g}"))
    print(f"written to {out}")
    return EXIT_OK if result.plans else EXIT_RULES
