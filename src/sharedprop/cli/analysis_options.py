"""What the analysis commands (frontier, whatif, sweep) share: the options each solve takes,
where the outputs go, and a progress line across the solves."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sharedprop.cli import EXIT_BAD_INPUT

if TYPE_CHECKING:  # the analysis modules import the solver: not at parser-building time
    from sharedprop.analysis.sweep import ScenarioOutcome


def add_solve_options(p: argparse.ArgumentParser, command: str) -> None:
    """--time-limit, --work-limit, --workers, --seed, --executor, --quiet, --out."""
    p.add_argument(
        "--time-limit",
        type=float,
        default=60.0,
        metavar="S",
        help="wall-clock seconds for each solve (default 60)",
    )
    p.add_argument(
        "--work-limit",
        type=float,
        metavar="W",
        help="repeatable solves: W work units each, the same results for the same seed on any "
        "machine or executor (--time-limit still ends each)",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=2,
        help="solves run at once on this machine, one core each (default 2)",
    )
    p.add_argument("--seed", type=int, default=0, help="random seed of every solve (default 0)")
    p.add_argument(
        "--executor",
        metavar="ADDRESS",
        help="where the solves run: 'local' (default, a process pool over --workers) or a "
        "Dask scheduler such as tcp://127.0.0.1:8786 (needs sharedprop[distributed])",
    )
    p.add_argument("--quiet", action="store_true", help="no progress lines, only the summary")
    p.add_argument(
        "--out", metavar="DIR", help=f"output folder (default: out/<instance>-{command})"
    )


def out_dir(args: argparse.Namespace, command: str) -> Path:
    if args.out:
        return Path(args.out)
    return Path("out") / f"{Path(args.instance).resolve().stem}-{command}"


def solve_arguments(args: argparse.Namespace) -> dict[str, Any]:
    """The keyword arguments every analysis function takes from the shared options."""
    return {
        "time_limit": args.time_limit,
        "work_limit": args.work_limit,
        "seed": args.seed,
        "workers": args.workers,
        "executor": args.executor,
        "on_progress": SolveCounter(args.quiet),
    }


def refuse(problem: str) -> int:
    """Say what is wrong with the command line; the exit code of bad input."""
    print(f"sharedprop: {problem}", file=sys.stderr)
    return EXIT_BAD_INPUT


def check_limits(args: argparse.Namespace) -> str | None:
    """A sentence for an option out of range, else None."""
    if not args.time_limit > 0:
        return f"--time-limit must be > 0 seconds, got {args.time_limit:g}"
    if args.work_limit is not None and not args.work_limit > 0:
        return f"--work-limit must be > 0, got {args.work_limit:g}"
    if args.workers < 1:
        return f"--workers must be at least 1, got {args.workers}"
    return None


class SolveCounter:
    """Prints one line as each solve ends: how many of how many, and what it found."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet

    def __call__(self, done: int, total: int, outcome: ScenarioOutcome) -> None:
        if self.quiet:
            return
        res = outcome.result
        money = "no plan" if res.objective is None else f"{res.objective:,.0f}"
        gap = "" if res.gap is None else f", gap {res.gap:.1%}"
        print(
            f"[{done}/{total}] {outcome.label}: {res.status}, {money}{gap} ({res.runtime_s:.1f} s)",
            file=sys.stderr,
            flush=True,
        )
