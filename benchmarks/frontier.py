"""The coverage frontier of an instance: every floor's plan, proven bound and gap, and how long
the whole curve took.

    python -m benchmarks.frontier --instance instances/xiamen-pilot --coverage 0.5:1.0:0.05 \
        --time-limit 60 --workers 2 --out benchmarks/results

Writes ``frontier_<instance>.csv``: date, commit, machine, time_limit, workers, seed, instance,
min_coverage, status, objective, bound, gap, coverage, plan_from, runtime_s, wall_s (the whole
curve's). A point whose ``plan_from`` is a lower floor was settled by that floor's proof.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks._common import ROOT, csv_value, machine, write_rows
from benchmarks.whatif import commit
from sharedprop import frontier, load_instance

COLUMNS = ("date", "commit", "machine", "time_limit", "workers", "seed", "instance",
           "min_coverage", "status", "objective", "bound", "gap", "coverage", "plan_from",
           "runtime_s", "wall_s")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--instance", type=Path, default=ROOT / "instances" / "xiamen-pilot")
    ap.add_argument("--coverage", default="0.5:1.0:0.05")
    ap.add_argument("--time-limit", type=float, default=60.0, help="seconds per solve")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    args = ap.parse_args()
    instance = load_instance(args.instance)
    start = time.perf_counter()
    result = frontier(
        instance, args.coverage, time_limit=args.time_limit, seed=args.seed, workers=args.workers
    )
    wall = time.perf_counter() - start
    head = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"), "commit": commit(), "machine": machine(),
        "time_limit": args.time_limit, "workers": args.workers, "seed": args.seed,
        "instance": instance.name, "wall_s": csv_value(wall, 1),
    }  # fmt: skip
    rows = [
        {**head, **{k: csv_value(v, 4) if isinstance(v, float) else v for k, v in row.items()}}
        for row in result.to_frame().to_dict("records")
    ]
    path = write_rows(args.out / f"frontier_{args.instance.name}.csv", rows, COLUMNS)
    print(result.to_frame().to_string(index=False))
    proven = sum(p.proven for p in result.points)
    print(f"{proven} of {len(result.points)} points proven in {wall:.1f} s; wrote {path}")


if __name__ == "__main__":
    main()
