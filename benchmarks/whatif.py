"""Whether ``whatif``'s savings are the ones two independent solves give.

For each size, generates a street with candidate resources (``sharedprop generate OUT
--communities N --streets S --firms F --resources R --candidates 10 --seed K``), runs
``sharedprop.whatif`` on the resources alone (the ``--exact`` most promising solved in full, every
solve on one worker, ``--time-limit`` each), then solves the base instance and each of those
changed instances again, from scratch and without hints, at the same limit. Per candidate it
records whatif's saving, the interval its two bounds leave, whether it is proven, and the
independent solves' difference and interval. ``agrees`` is true when both are proven and equal to
the yuan, or when either is not proven and the two intervals overlap (both hold the true saving).

    python -m benchmarks.whatif --sizes 30,120 --seed 1 --time-limit 60 --out benchmarks/results

Writes ``whatif.csv``: date, commit, machine, time_limit, seed, communities, candidate, estimate,
whatif_saving, whatif_low, whatif_high, whatif_proven, independent_saving, independent_low,
independent_high, independent_proven, agrees.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from benchmarks._common import ROOT, csv_value, machine, write_rows
from sharedprop import load_instance, solve, whatif
from sharedprop.analysis.whatif import WhatIf
from sharedprop.data import Instance
from sharedprop.generate import generate_instance
from sharedprop.result import Result

YUAN = 0.5
# (streets, firms, resources) of the generated street at each size, as in the street-scale runs.
SHAPES = {30: (1, 4, 3), 120: (2, 8, 10)}
COLUMNS = ("date", "commit", "machine", "time_limit", "seed", "communities", "candidate",
           "estimate", "whatif_saving", "whatif_low", "whatif_high", "whatif_proven",
           "independent_saving", "independent_low", "independent_high", "independent_proven",
           "agrees")  # fmt: skip


@dataclass(frozen=True)
class Saving:
    """base − changed, and the interval the two solves' proven bounds leave for it."""

    value: float | None
    low: float | None
    high: float | None
    proven: bool

    @classmethod
    def between(cls, base: Result, changed: Result) -> Saving:
        if base.objective is None or changed.objective is None:
            return cls(None, None, None, False)
        low = None if base.best_bound is None else base.best_bound - changed.objective
        high = None if changed.best_bound is None else base.objective - changed.best_bound
        proven = base.status == "optimal" and changed.status == "optimal"
        return cls(base.objective - changed.objective, low, high, proven)

    @classmethod
    def of(cls, item: WhatIf) -> Saving:
        return cls(item.saving, item.low, item.high, item.proven)


def agrees(a: Saving, b: Saving) -> bool:
    """Both proven and equal to the yuan, or intervals that share a point."""
    if a.value is None or b.value is None:
        return False
    if a.proven and b.proven:
        return abs(a.value - b.value) < YUAN
    lo = max(x for x in (a.low, b.low, float("-inf")) if x is not None)
    hi = min(x for x in (a.high, b.high, float("inf")) if x is not None)
    return lo <= hi + YUAN


def independent(instance: Instance, rid: str, base: Result, limit: float, seed: int) -> Saving:
    """The instance with ``rid`` made available, solved from scratch, against ``base``."""
    resources = tuple(replace(r, available=True) if r.id == rid else r for r in instance.resources)
    result = solve(replace(instance, resources=resources), time_limit=limit, seed=seed, workers=1)
    return Saving.between(base, result)


def run_size(n: int, seed: int, limit: float, exact: int, folder: Path) -> list[dict]:
    streets, firms, resources = SHAPES[n]
    path = generate_instance(
        folder / f"n{n}", communities=n, streets=streets, firms=firms, resources=resources,
        seed=seed, candidates=10,
    )  # fmt: skip
    instance = load_instance(path)
    answer = whatif(instance, kinds=("resource",), exact=exact, time_limit=limit, seed=seed)
    base = solve(instance, time_limit=limit, seed=seed, workers=1)
    rows = []
    for item in answer.items:
        if item.saving is None and item.status is None:
            continue  # ranked but not solved in full
        ours = Saving.of(item)
        theirs = independent(instance, item.change.subject, base, limit, seed)
        rows.append({
            "communities": n, "candidate": item.change.subject,
            "estimate": csv_value(item.change.estimate),
            "whatif_saving": csv_value(ours.value), "whatif_low": csv_value(ours.low),
            "whatif_high": csv_value(ours.high), "whatif_proven": ours.proven,
            "independent_saving": csv_value(theirs.value),
            "independent_low": csv_value(theirs.low), "independent_high": csv_value(theirs.high),
            "independent_proven": theirs.proven, "agrees": agrees(ours, theirs),
        })  # fmt: skip
    return rows


def commit() -> str:
    out = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    )
    return out.stdout.strip() or "unknown"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="30,120", help="communities, comma-separated (30, 120)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--time-limit", type=float, default=60.0, help="seconds for every solve")
    ap.add_argument("--exact", type=int, default=3, help="candidates solved in full")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    args = ap.parse_args()
    head = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"), "commit": commit(),
        "machine": machine(), "time_limit": args.time_limit, "seed": args.seed,
    }  # fmt: skip
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(s) for s in args.sizes.split(",")):
            rows += [{**head, **row} for row in run_size(n, args.seed, args.time_limit,
                                                         args.exact, Path(tmp))]  # fmt: skip
    path = write_rows(args.out / "whatif.csv", rows, COLUMNS)
    print(f"{'n':>4} {'candidate':>10} {'whatif':>12} {'proven':>6} {'independent':>12} "
          f"{'proven':>6} agrees")  # fmt: skip
    for r in rows:
        print(f"{r['communities']:>4} {r['candidate']:>10} {r['whatif_saving']!s:>12} "
              f"{r['whatif_proven']!s:>6} {r['independent_saving']!s:>12} "
              f"{r['independent_proven']!s:>6} {r['agrees']}")  # fmt: skip
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
