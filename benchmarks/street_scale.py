"""Street-scale benchmark of the optimisation core: generated streets, solved and scored.

Generates ``sharedprop generate OUT --communities 120 --streets 2 --firms 8 --resources 10
--seed K`` for each seed, solves it with ``solve(time_limit, work_limit, workers)``, scores both
the optimised plan and the generated manual plan with ``evaluate`` and writes one row per seed:

    python -m benchmarks.street_scale --time-limit 60 --workers 2 --seeds 1 2 3 4 5 \
        --out benchmarks/results

With ``--workers 1`` the runs are repeatable: the search counts ``--work-limit`` work units
(default: the ``--time-limit`` figure, so one-worker rows compare with those of earlier
versions, which had no wall-clock limit) under a wall-clock limit of ``WALL_PER_WORK`` times
that, unless ``--work-limit`` is given, when ``--time-limit`` is the wall-clock limit as it
says. A row's ``stopped_by`` says ``time`` if the wall-clock limit cut its run.

Columns: instance, n, seed, strategy, status, objective, evaluated, bound,
bound_without_contiguity, bound_note (how far that bound got, or its error), gap, broken,
public_money, manual_public_money, ratio_to_manual, seconds (time to the final incumbent),
runtime_s, tree_nodes (nodes of the branch-and-price tree; empty: no tree), root_lp_s (seconds
into the run when column generation first proved the root LP with contiguity; empty: never or
not reported), time_limit, work_limit, stopped_by, workers, commit, machine. Generated
instances go to a temporary folder.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import sharedprop
from benchmarks._common import csv_value, machine, write_rows
from sharedprop import evaluate, load_instance, read_plan, solve
from sharedprop.generate import generate_instance
from sharedprop.result import SolveStatistics

# One-worker runs without --work-limit: wall-clock seconds allowed per work unit. Generous: on a
# machine busy with other jobs a 30-unit run took 105-170 s (docs/decisions.md).
WALL_PER_WORK = 10.0


def run(
    seeds: list[int],
    time_limit: float,
    workers: int,
    out: Path,
    n: int,
    streets: int,
    firms: int,
    resources: int,
    strategy: str,
    work_limit: float | None = None,
    suffix: str = "",
) -> list[dict]:
    rows = []
    commit = _commit()
    with tempfile.TemporaryDirectory() as tmp:
        for seed in seeds:
            folder = generate_instance(
                Path(tmp) / f"n{n}-s{seed}",
                communities=n,
                streets=streets,
                firms=firms,
                resources=resources,
                seed=seed,
            )
            inst = load_instance(folder)
            manual = evaluate(inst, read_plan(folder / "plans" / "manual.csv", inst))
            res = solve(
                inst,
                time_limit=time_limit,
                work_limit=work_limit,
                workers=workers,
                seed=0,
                strategy=strategy,
            )
            ev = evaluate(inst, res.plan) if res.plan is not None else None
            row = {
                "instance": inst.name,
                "n": n,
                "seed": seed,
                "strategy": res.strategy,
                "status": res.status,
                "objective": csv_value(res.objective),
                "evaluated": csv_value(ev.objective if ev else None),
                "bound": csv_value(res.best_bound),
                # The bound without contiguity alone, and why it may be missing (its second
                # process failed or sent nothing): the bound above is the best of all bounds.
                "bound_without_contiguity": csv_value(res.stats.relaxed_bound),
                "bound_note": _bound_note(res.stats),
                "gap": csv_value(res.gap, 4),
                "broken": len(ev.broken) if ev else "",
                "public_money": csv_value(ev.public_money if ev else None),
                "manual_public_money": csv_value(manual.public_money),
                "ratio_to_manual": csv_value(
                    ev.public_money / manual.public_money if ev else None, 4
                ),
                "seconds": csv_value(res.time_to_incumbent_s, 1),
                "runtime_s": csv_value(res.runtime_s, 1),
                "tree_nodes": res.stats.search.get("tree_nodes", ""),
                "root_lp_s": csv_value(_root_lp_seconds(res.stats.search), 1),
                "time_limit": time_limit,
                "work_limit": "" if work_limit is None else work_limit,
                "stopped_by": res.stopped_by,
                "workers": workers,
                "commit": commit,
                "machine": machine(),
            }
            rows.append(row)
            print(
                f"seed {seed}: {row['status']:8s} objective {row['objective']:>12} "
                f"bound {row['bound']!s:>12} gap {row['gap']!s:>7} "
                f"ratio to manual {row['ratio_to_manual']} incumbent at {row['seconds']} s "
                f"nodes {row['tree_nodes']} root LP at {row['root_lp_s']} s",
                flush=True,
            )
    path = write_rows(out / f"street_scale_n{n}{suffix}.csv", rows)
    gaps = [r["gap"] for r in rows if r["gap"] not in (None, "")]
    tti = [r["seconds"] for r in rows if r["seconds"] not in (None, "")]
    print(
        f"median gap {statistics.median(gaps) if gaps else '—'}; median time to incumbent "
        f"{statistics.median(tti) if tti else '—'} s; written {path}"
    )
    return rows


def _root_lp_seconds(stats: Mapping[str, Any]) -> float | None:
    """When column generation first proved the root LP with contiguity, in seconds of the run
    (None: never, or a version that does not say)."""
    offset = stats.get("offset_s") or 0.0
    for key in ("root_converged_s", "tree_root_converged_s"):
        if stats.get(key) is not None:
            return offset + stats[key]
    return None


def _commit() -> str:
    """The source's commit (empty outside a git checkout)."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=Path(sharedprop.__file__).parent,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return ""
    return out.stdout.strip()


def _bound_note(stats: SolveStatistics) -> str:
    """How far the bound without contiguity got (as of the last bound its process sent), or
    why it failed."""
    if stats.relaxed_error:
        return f"error: {stats.relaxed_error}"
    if stats.relaxed_rounds is None:
        return ""
    root = "converged" if stats.relaxed_converged else "not converged"
    return f"{stats.relaxed_rounds} rounds, root {root}, {stats.relaxed_branches or 0} branches"


def limits(time_limit: float, work_limit: float | None, workers: int) -> tuple[float, float | None]:
    """(wall-clock limit, work limit) of the runs: with one worker a work limit (default: the
    time limit's figure, under a wall-clock limit of WALL_PER_WORK times it), else the time
    limit."""
    if workers != 1:
        if work_limit is not None:
            raise SystemExit("street_scale: --work-limit needs --workers 1 (a repeatable run)")
        return time_limit, None
    if work_limit is None:
        return WALL_PER_WORK * time_limit, time_limit
    return time_limit, work_limit


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time-limit", type=float, default=60.0, help="wall-clock seconds")
    ap.add_argument(
        "--work-limit",
        type=float,
        help="work units of a repeatable run (--workers 1; default there: the --time-limit "
        "figure, under a wall-clock limit of 10 times it)",
    )
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    ap.add_argument("--communities", type=int, default=120)
    ap.add_argument("--streets", type=int, default=2)
    ap.add_argument("--firms", type=int, default=8)
    ap.add_argument("--resources", type=int, default=10)
    ap.add_argument("--strategy", default="auto")
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    ap.add_argument("--suffix", default="", help="added to the results file's name")
    a = ap.parse_args()
    time_limit, work_limit = limits(a.time_limit, a.work_limit, a.workers)
    run(
        a.seeds,
        time_limit,
        a.workers,
        a.out,
        a.communities,
        a.streets,
        a.firms,
        a.resources,
        a.strategy,
        work_limit,
        a.suffix,
    )


if __name__ == "__main__":
    main()
