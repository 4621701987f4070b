"""``sharedprop solve INSTANCE``: optimise, then write the plan, its summary, workbook, map and
report.

``--time-limit S`` is wall-clock seconds for the whole command — loading, searching and writing
— and always ends it; ``--work-limit W`` asks for a repeatable search of W work units on one
worker, which ``--time-limit`` still cuts (summary.json says which ended it: ``stopped_by``).

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
import time
from pathlib import Path

from sharedprop.cli import EXIT_BAD_INPUT, EXIT_INTERRUPTED, EXIT_OK, EXIT_RULES
from sharedprop.i18n import tr
from sharedprop.i18n.numbers import count, money, percent

# Seconds kept from --time-limit for evaluating the plan and writing the outputs (report.html,
# plan.xlsx, ...): a base, and per community, measured on the pilot and generated instances
# (docs/decisions.md).
WRITE_SECONDS = 0.3
WRITE_SECONDS_PER_COMMUNITY = 0.005
# The search gets at least this much, however little the command has left.
MIN_SEARCH_SECONDS = 0.2


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
        "--time-limit",
        type=float,
        default=60.0,
        metavar="S",
        help="wall-clock seconds for the whole command, loading and writing included; always "
        "ends it (default 60)",
    )
    p.add_argument(
        "--work-limit",
        type=float,
        metavar="W",
        help="a repeatable run: search W work units (about seconds on an unloaded 2-core "
        "machine) with one worker, the same plan for the same seed on any machine; "
        "--time-limit still ends it (default: no work limit, search on the wall clock)",
    )
    p.add_argument(
        "--out", metavar="DIR", help="output folder (default: out/<instance folder name>)"
    )
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument(
        "--workers",
        type=int,
        help="parallel search workers (default 2, or 1 with --work-limit, which needs one)",
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
    from sharedprop import evaluate, load_instance
    from sharedprop.io.plans import read_plan

    problem = _bad_limits(args)
    if problem:
        print(f"sharedprop: {problem}", file=sys.stderr)
        return EXIT_BAD_INPUT
    inst_path = Path(args.instance)
    instance = load_instance(inst_path)
    initial = read_plan(args.initial_plan, instance) if args.initial_plan else None
    manual_plans = _manual_plans(inst_path, instance)
    out_dir = Path(args.out) if args.out else Path("out") / inst_path.resolve().name
    interrupted = threading.Event()
    result = _search(args, instance, initial, interrupted)
    evaluation = evaluate(instance, result.plan) if result.plan is not None else None
    _write(args, instance, result, evaluation, manual_plans, out_dir, interrupted.is_set())
    _print_summary(result, evaluation, manual_plans, instance, out_dir, args.time_limit)
    if interrupted.is_set():
        return EXIT_INTERRUPTED
    return EXIT_OK if result.plan is not None else EXIT_RULES


def _manual_plans(inst_path: Path, instance) -> dict:
    """The instance's manual plans by name; one that does not read is left out, with a
    warning: a broken manual plan must not stop the solve."""
    from sharedprop.errors import PlanError
    from sharedprop.io.instances import list_plan_files
    from sharedprop.io.plans import read_plan

    plans = {}
    for f in list_plan_files(inst_path):
        try:
            plans[f.stem] = read_plan(f, instance)
        except PlanError as exc:
            print(f"sharedprop: warning: plan {f.name} not compared: {exc}", file=sys.stderr)
    return plans


class _Interrupt:
    """SIGINT handler: the first Ctrl-C sets ``interrupted`` (the search keeps its best plan),
    a second one aborts at once."""

    def __init__(self, interrupted: threading.Event) -> None:
        self.interrupted = interrupted

    def __call__(self, signum, frame) -> None:
        if self.interrupted.is_set():
            raise KeyboardInterrupt
        self.interrupted.set()
        print("\nsharedprop: stopping — keeping the best plan found so far …", file=sys.stderr)


def _search(args: argparse.Namespace, instance, initial, interrupted: threading.Event):
    """``solve`` in what the command's time limit leaves after loading, less the writing's
    share, with the progress shown and Ctrl-C handled."""
    from sharedprop import solve
    from sharedprop.progress import ProgressPrinter

    handler = _Interrupt(interrupted)
    previous = signal.signal(signal.SIGINT, handler) if _main_thread() else None
    try:
        spent = time.monotonic() - args.started
        reserve = WRITE_SECONDS + WRITE_SECONDS_PER_COMMUNITY * len(instance.communities)
        printer = ProgressPrinter(
            args.time_limit, live=False if args.quiet else None, elapsed_before=spent
        )
        if args.quiet:
            printer.close()
        with printer:
            return solve(
                instance,
                time_limit=max(MIN_SEARCH_SECONDS, args.time_limit - spent - reserve),
                work_limit=args.work_limit,
                seed=args.seed,
                workers=args.workers or (1 if args.work_limit is not None else 2),
                strategy=args.strategy,
                initial_plan=initial,
                on_progress=None if args.quiet else printer,
                stop=interrupted.is_set,
            )
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


def _write(args, instance, result, evaluation, manual_plans, out_dir: Path, interrupted) -> None:
    """plan.csv, summary.json, and the workbook, map and report."""
    from sharedprop import __version__
    from sharedprop.io.plans import canonical_plan, write_plan
    from sharedprop.outputs import atomic_write_text, summary_dict, write_outputs

    out_dir.mkdir(parents=True, exist_ok=True)
    if result.plan is not None:
        write_plan(canonical_plan(result.plan), out_dir / "plan.csv")
    summary = summary_dict(result, evaluation) | {
        # The command's limit; the search had what loading left, less the writing's share.
        "time_limit": args.time_limit,
        "search_time_limit": result.time_limit,
        "instance": instance.name,
        "interrupted": interrupted,
        "engine_version": __version__,
        "ortools_version": _ortools_version(),
        "python_version": sys.version.split()[0],
    }
    atomic_write_text(
        out_dir / "summary.json",
        json.dumps(summary, ensure_ascii=False, indent=2, allow_nan=False) + "\n",
    )
    write_outputs(instance, result, out_dir, evaluation=evaluation, plans=manual_plans)


def _bad_limits(args: argparse.Namespace) -> str | None:
    """What is wrong with the limits and workers asked for, in words (None: nothing)."""
    if not args.time_limit > 0:
        return "--time-limit must be > 0"
    if args.work_limit is not None and not args.work_limit > 0:
        return "--work-limit must be > 0"
    if args.workers is not None and args.workers < 1:
        return "--workers must be >= 1"
    if args.work_limit is not None and args.workers is not None and args.workers > 1:
        return (
            f"--work-limit makes a run repeatable, which needs one worker (got --workers "
            f"{args.workers}): leave --workers out, or drop --work-limit"
        )
    return None


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def _yuan(v: float | None) -> str:
    return "—" if v is None else tr("{money} yuan", money=money(v))


def _limits(result, time_limit: float) -> str:
    """``12.3 s of 60 s`` or, for a repeatable run, ``12.3 s; work limit 20 within 60 s``, and
    what ended the run."""
    runtime, limit = format(result.runtime_s, ".1f"), format(time_limit, "g")
    if result.work_limit is None:
        text = tr("{runtime} s of {limit} s", runtime=runtime, limit=limit)
    else:
        text = tr(
            "{runtime} s; work limit {work} within {limit} s",
            runtime=runtime, work=format(result.work_limit, "g"), limit=limit,
        )  # fmt: skip
    return tr("{limits}, stopped by {reason}", limits=text, reason=result.stopped_by)


def _print_summary(result, evaluation, manual_plans, instance, out_dir, time_limit) -> None:
    from sharedprop import evaluate

    lines = [
        tr(
            "status      {status}  (strategy {strategy}, {limits})",
            status=result.status,
            strategy=result.strategy,
            limits=_limits(result, time_limit),
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
