"""Street-scale benchmark of the optimisation core: generated streets, solved and scored.

Generates ``sharedprop generate OUT --communities 120 --streets 2 --firms 8 --resources 10
--seed K`` for each seed, solves it with ``solve(time_limit, workers)``, scores both the optimised
plan and the generated manual plan with ``evaluate`` and writes one row per seed:

    python -m benchmarks.street_scale --time-limit 60 --workers 2 --seeds 1 2 3 4 5 \
        --out benchmarks/results

Columns: instance, n, seed, strategy, status, objective, evaluated, bound,
bound_without_contiguity, bound_note (how far that bound got, or its error), gap, broken,
public_money, manual_public_money, ratio_to_manual, seconds (time to the final incumbent),
runtime_s, tree_nodes (nodes of the branch-and-price tree; empty: no tree), root_lp_s (seconds
into the run when the root LP with contiguity was proven: the tree's root, else the joint
model's column generation; empty: never), time_limit, workers, commit, machine. Generated
instances go to a temporary folder.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
from pathlib import Path

import sharedprop
from benchmarks._common import csv_value, machine, write_rows
from sharedprop import evaluate, load_instance, read_plan, solve
from sharedprop.generate import generate_instance


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
            res = solve(inst, time_limit=time_limit, workers=workers, seed=0, strategy=strategy)
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
                "bound_without_contiguity": csv_value(res.stats.get("relaxed_bound")),
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
                "tree_nodes": res.stats.get("tree_nodes", ""),
                "root_lp_s": csv_value(_root_lp_seconds(res.stats), 1),
                "time_limit": time_limit,
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


def _root_lp_seconds(stats: dict) -> float | None:
    """When the root LP with contiguity was proven, in seconds of the run (None: never)."""
    offset = stats.get("offset_s") or 0.0
    if stats.get("tree_root_converged_s") is not None:
        return offset + stats["tree_root_converged_s"]
    if stats.get("converged") and stats.get("cg_done_s") is not None:
        return offset + stats["cg_done_s"]
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


def _bound_note(stats: dict) -> str:
    """How far the bound without contiguity got (as of the last bound its process sent), or
    why it failed."""
    if stats.get("relaxed_error"):
        return f"error: {stats['relaxed_error']}"
    if stats.get("relaxed_rounds") is None:
        return ""
    root = "converged" if stats.get("relaxed_converged") else "not converged"
    return (
        f"{stats['relaxed_rounds']} rounds, root {root}, "
        f"{stats.get('relaxed_branches') or 0} branches"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time-limit", type=float, default=60.0)
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
    run(
        a.seeds,
        a.time_limit,
        a.workers,
        a.out,
        a.communities,
        a.streets,
        a.firms,
        a.resources,
        a.strategy,
        a.suffix,
    )


if __name__ == "__main__":
    main()
