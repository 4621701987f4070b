"""``sharedprop solve INSTANCE``: optimise, then write the plan, its summary, workbook, map and
report.

Ctrl-C (SIGINT) stops the search, keeps the best plan found so far, writes everything with the
status it has, and exits 130. A second Ctrl-C aborts at once (files already written stay
whole: every output is written to a temporary file and renamed).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from pathlib import Path

from sharedprop.cli import EXIT_BAD_INPUT, EXIT_INTERRUPTED, EXIT_OK, EXIT_RULES
from sharedprop.i18n import tr
from sharedprop.i18n.numbers import count, money, percent


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "solve",
        help="find the plan that needs the least public money",
        description="Solve an instance folder and write plan.csv, plan_resources.csv, "
        "summary.json, plan.xlsx, plan.geojson and report.html.",
    )
    p.add_argument(
        "instance", help="instance folder (instance.toml, communities.csv, firms.csv, …)"
    )
    p.add_argument(
        "--time-limit", type=float, default=60.0, metavar="S", help="seconds to search (default 60)"
    )
    p.add_argument(
        "--out", metavar="DIR", help="output folder (default: out/<instance folder name>)"
    )
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument(
        "--workers", type=int, default=2, help="parallel search workers (default 2; 1 = repeatable)"
    )
    p.add_argument(
        "--strategy",
        choices=("auto", "two-stage", "joint", "streets"),
        default="auto",
        help=(
            "auto (default), two-stage (fast, no bound), joint (column generation), "
            "streets (street by street, then combined; for large instances)"
        ),
    )
    p.add_argument(
        "--initial-plan", metavar="PLAN", help="a plan CSV/XLSX to start from (a hint, not a rule)"
    )
    p.add_argument("--quiet", action="store_true", help="no progress line, only the summary")
    p.set_defaults(func=run)


def _ortools_version() -> str:
    try:
        from importlib.metadata import version

        return version("ortools")
    except Exception:
        return "unknown"


def run(args: argparse.Namespace) -> int:
    from sharedprop import __version__, evaluate, load_instance, solve
    from sharedprop.errors import PlanError
    from sharedprop.io.instances import list_plan_files
    from sharedprop.io.plans import canonical_plan, read_plan, write_plan
    from sharedprop.outputs import atomic_write_text, summary_dict, write_outputs
    from sharedprop.progress import ProgressPrinter

    if args.time_limit <= 0:
        print("sharedprop: --time-limit must be > 0", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.workers < 1:
        print("sharedprop: --workers must be >= 1", file=sys.stderr)
        return EXIT_BAD_INPUT
    inst_path = Path(args.instance)
    instance = load_instance(inst_path)
    initial = read_plan(args.initial_plan, instance) if args.initial_plan else None
    manual_plans = {}
    for f in list_plan_files(inst_path):
        try:
            manual_plans[f.stem] = read_plan(f, instance)
        except PlanError as exc:  # a broken manual plan must not stop the solve
            print(f"sharedprop: warning: plan {f.name} not compared: {exc}", file=sys.stderr)
    out_dir = Path(args.out) if args.out else Path("out") / inst_path.resolve().name

    interrupted = threading.Event()

    def on_sigint(signum, frame) -> None:
        if interrupted.is_set():
            raise KeyboardInterrupt
        interrupted.set()
        print("\nsharedprop: stopping — keeping the best plan found so far …", file=sys.stderr)

    previous = signal.signal(signal.SIGINT, on_sigint) if _main_thread() else None
    try:
        printer = ProgressPrinter(args.time_limit, live=False if args.quiet else None)
        if args.quiet:
            printer.close()
        with printer:
            result = solve(
                instance,
                time_limit=args.time_limit,
                seed=args.seed,
                workers=args.workers,
                strategy=args.strategy,
                initial_plan=initial,
                on_progress=None if args.quiet else printer,
                stop=interrupted.is_set,
            )
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)

    evaluation = evaluate(instance, result.plan) if result.plan is not None else None
    out_dir.mkdir(parents=True, exist_ok=True)
    if result.plan is not None:
        write_plan(canonical_plan(result.plan), out_dir / "plan.csv")
    summary = summary_dict(result, evaluation) | {
        "instance": instance.name,
        "interrupted": interrupted.is_set(),
        "engine_version": __version__,
        "ortools_version": _ortools_version(),
        "python_version": sys.version.split()[0],
    }
    atomic_write_text(
        out_dir / "summary.json",
        json.dumps(summary, ensure_ascii=False, indent=2, allow_nan=False) + "\n",
    )
    write_outputs(instance, result, out_dir, evaluation=evaluation, plans=manual_plans)
    _print_summary(result, evaluation, manual_plans, instance, out_dir)
    if interrupted.is_set():
        return EXIT_INTERRUPTED
    return EXIT_OK if result.plan is not None else EXIT_RULES


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def _yuan(v: float | None) -> str:
    return "—" if v is None else tr("{money} yuan", money=money(v))


def _print_summary(result, evaluation, manual_plans, instance, out_dir) -> None:
    from sharedprop import evaluate

    lines = [
        tr(
            "status      {status}  (strategy {strategy}, {runtime} s of {limit} s)",
            status=result.status,
            strategy=result.strategy,
            runtime=format(result.runtime_s, ".1f"),
            limit=format(result.time_limit, "g"),
        )  # fmt: skip
    ]
    if result.plan is None:
        lines.append(tr("no plan was found"))
        for r in result.reasons:
            lines.append(f"  - {r}")
    else:
        gap = result.gap
        proven = (
            tr("  (proven gap {gap})", gap=percent(gap))
            if gap is not None
            else tr("  (no proven bound)")
        )
        lines += [
            tr("objective   {objective} a year", objective=_yuan(result.objective)),
            tr("bound       {bound}", bound=_yuan(result.best_bound)) + proven,
            tr(
                "public money {public} a year (subsidy {subsidy}, fallback {fallback})",
                public=_yuan(evaluation.public_money), subsidy=_yuan(evaluation.subsidy),
                fallback=_yuan(evaluation.fallback_cost),
            ),
            tr(
                "packages    {packages} run by {firms} firms; {covered} of {total} households "
                "covered ({share})",
                packages=len(evaluation.packages), firms=evaluation.firms_used,
                covered=count(evaluation.coverage_households),
                total=count(evaluation.total_households),
                share=percent(evaluation.coverage, 0),
            ),
        ]  # fmt: skip
        for name, plan in manual_plans.items():
            try:
                ev = evaluate(instance, plan)
            except Exception:
                continue
            if ev.public_money > 0:
                change = evaluation.public_money / ev.public_money - 1
                values = {
                    "name": f"{name:8s}", "public": _yuan(ev.public_money),
                    "change": percent(abs(change), 0),
                }  # fmt: skip
                lines.append(
                    tr("vs {name} {public} a year → {change} less public money", **values)
                    if change <= 0
                    else tr("vs {name} {public} a year → {change} more public money", **values)
                )
        if evaluation.broken:  # never expected: the solver's plans obey every rule
            lines.append(
                tr(
                    "WARNING: {n} broken rules: {first}",
                    n=len(evaluation.broken),
                    first=evaluation.broken[0],
                )
            )
    lines.append(
        tr(
            "written to  {out}/ (plan.csv, plan.xlsx, plan.geojson, report.html, summary.json)",
            out=out_dir,
        )
    )
    print("\n".join(lines))
