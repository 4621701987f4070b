"""``sharedprop compare INSTANCE PLAN_A PLAN_B [...] [--html OUT.html]``: plans side by side.

Prints the metric table (a rich table on a terminal, plain text otherwise) with each plan's
change against the first, the rules each plan breaks and the communities that move from the
first plan to each other. ``--html OUT.html`` also writes the comparison report with one map per
plan; without it no file is written (a comparison is usually a quick look, and a command that
only reads should not leave files behind). Exit 0, or 2 on bad input.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from sharedprop.cli import EXIT_OK
from sharedprop.cli.evaluate import find_plan
from sharedprop.compare import Comparison, compare_plans
from sharedprop.io.atomic import atomic_write_text
from sharedprop.io.instances import load_instance
from sharedprop.io.plans import read_plan
from sharedprop.report.compare_html import render_comparison


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "compare",
        help="compare plans side by side and list the communities that move",
        description="Score two or more plans for one instance and show them side by side "
        "(public money, total cost, coverage, packages, firms used, broken rules), with the "
        "communities that move from the first plan to each other one. A bare plan name is also "
        "looked up in INSTANCE/plans/. Exit 0, or 2 on bad input.",
    )
    p.add_argument("instance", metavar="INSTANCE", type=Path, help="the instance folder")
    p.add_argument("plans", metavar="PLAN", type=Path, nargs="+", help="plan files (CSV or XLSX)")
    p.add_argument(
        "--html",
        metavar="OUT.html",
        type=Path,
        help="also write the comparison report (tables and a map per plan) to this file; "
        "without it no file is written",
    )
    p.set_defaults(func=run)


def plan_names(paths: list[Path]) -> list[str]:
    """File stems, made unique with the parent folder (then a counter) when two clash."""
    names = [p.stem for p in paths]
    out = []
    for p, name in zip(paths, names, strict=True):
        if names.count(name) > 1:
            name = f"{p.parent.name}/{name}" if p.parent.name else name
        base, k = name, 2
        while name in out:
            name, k = f"{base}#{k}", k + 1
        out.append(name)
    return out


def _rich_table(cmp: Comparison) -> Table:
    table = Table(title=f"Plans for {cmp.instance_name} (yuan per year)", title_justify="left")
    table.add_column("")
    for n in cmp.names:
        table.add_column(n, justify="right")
    for label, cells in cmp.rows():
        table.add_row(label, *cells)
    return table


def run(args: argparse.Namespace) -> int:
    instance = load_instance(args.instance)
    paths = [find_plan(p, Path(args.instance)) for p in args.plans]
    plans = {
        name: read_plan(path, instance) for name, path in zip(plan_names(paths), paths, strict=True)
    }
    cmp = compare_plans(instance, plans)
    if sys.stdout.isatty():
        console = Console()
        console.print(_rich_table(cmp))
        rest = cmp.to_text().split("\n\n", 1)
        if len(rest) > 1:
            console.print(rest[1], markup=False, highlight=False)
    else:
        print(cmp.to_text())
    if args.html:
        atomic_write_text(args.html, render_comparison(instance, cmp, plans))
        print(f"comparison report: {args.html}")
    return EXIT_OK
