"""The steps before a solve, at city and province size: seconds and peak memory of each.

For each size (1,414 communities: the city, 38 streets, 100 firms, 100 resources; 10,000: a
province, 250 streets, 600 firms, 600 resources) an instance is generated with ``--seed``, then
each step runs in a fresh process, so that its peak resident memory is its own (plus the
loaded instance it starts from):

- ``generate``: ``generate_instance``, the whole of ``sharedprop generate`` (the manual plan
  included);
- ``load``: ``load_instance``, parsing and validating the files and building the graph;
- ``graph``: ``build_proximity_graph`` alone, on the loaded communities;
- ``validate``: what ``sharedprop validate`` computes (plans read back, ``describe``);
- ``problem``: ``problem_from_instance``, the array problem the models see;
- ``manual``: ``manual_plan``, the manual-like baseline every solve starts from.

``--src`` runs the steps on another checkout's ``src`` (the code before a change, say), and
``--code`` names that code in the results. Rows are appended to
``benchmarks/results/scale_steps.csv`` with machine, date, code and seed; a table is printed.
Run: ``python benchmarks/scale_steps.py --code $(git rev-parse --short HEAD)``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks._common import machine

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "scale_steps.csv"
SIZES = {1414: (38, 100, 100), 10000: (250, 600, 600)}  # communities: streets, firms, resources
STEPS = ("generate", "load", "graph", "validate", "problem", "manual")
COLUMNS = (
    "date", "code", "seed", "communities", "streets", "firms", "resources", "step", "seconds",
    "rss_before_mb", "peak_rss_mb", "note", "machine",
)  # fmt: skip


# -- the child: one step, in its own process ---------------------------------------------------


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _run_step(step: str, folder: Path, size: tuple[int, int, int, int], seed: int) -> dict:
    import resource
    import time

    from sharedprop.io.instances import load_instance

    n, streets, firms, resources = size
    instance = None if step in ("generate", "load") else load_instance(folder)
    before = _rss_mb()
    t0 = time.perf_counter()
    if step == "generate":
        from sharedprop.generate import generate_instance

        generate_instance(
            folder, communities=n, streets=streets, firms=firms, resources=resources, seed=seed
        )
    elif step == "load":
        load_instance(folder)
    elif step == "graph":
        from sharedprop.graph import build_proximity_graph

        build_proximity_graph(instance.communities, instance.distance, instance.policy.link_max_m)
    elif step == "validate":
        from sharedprop.feasibility import describe
        from sharedprop.io.instances import list_plan_files
        from sharedprop.io.plans import read_plan

        for path in list_plan_files(instance):
            read_plan(path, instance)
        describe(instance)
    elif step == "problem":
        from sharedprop.models.core.problem import problem_from_instance

        problem_from_instance(instance)
    elif step == "manual":
        from sharedprop.manual import manual_plan

        manual_plan(instance)
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "seconds": round(seconds, 2),
        "rss_before_mb": round(before),
        "peak_rss_mb": round(peak),
    }


# -- the parent ----------------------------------------------------------------------------------


def _child(step: str, folder: Path, size: tuple, seed: int, src: Path, timeout: float) -> dict:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(src), str(ROOT)]))
    args = [sys.executable, str(Path(__file__).resolve()), "--child", step, str(folder)]
    args += ["--seed", str(seed), "--size", ",".join(map(str, size))]
    try:
        out = subprocess.run(args, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"seconds": "", "rss_before_mb": "", "peak_rss_mb": "", "note": f"> {timeout:.0f} s"}
    if out.returncode != 0:
        raise RuntimeError(f"step {step} failed:\n{out.stderr[-3000:]}")
    return {**json.loads(out.stdout.strip().splitlines()[-1]), "note": ""}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=sorted(SIZES), choices=sorted(SIZES))
    ap.add_argument("--steps", nargs="+", default=list(STEPS), choices=STEPS)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--src", type=Path, default=ROOT / "src", help="the sharedprop source to time")
    ap.add_argument("--code", default="", help="what the results call that code (a commit)")
    ap.add_argument("--timeout", type=float, default=1800.0, help="seconds per step at most")
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument("--child", nargs=2, metavar=("STEP", "FOLDER"), help=argparse.SUPPRESS)
    ap.add_argument("--size", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        size = tuple(int(x) for x in args.size.split(","))
        print(json.dumps(_run_step(args.child[0], Path(args.child[1]), size, args.seed)))
        return

    rows = []
    print(f"{'n':>6} {'step':<9} {'seconds':>8} {'MB before':>9} {'peak MB':>8}  code {args.code}")
    for n in args.sizes:
        size = (n, *SIZES[n])
        with tempfile.TemporaryDirectory(prefix="scale-steps-") as tmp:
            folder = Path(tmp) / f"n{n}"
            if "generate" not in args.steps:  # the other steps need the instance all the same
                _child("generate", folder, size, args.seed, ROOT / "src", args.timeout)
            for step in [s for s in STEPS if s in args.steps]:
                got = _child(step, folder, size, args.seed, args.src, args.timeout)
                row = {
                    "date": dt.date.today().isoformat(),
                    "code": args.code,
                    "seed": args.seed,
                    "communities": n,
                    "streets": size[1],
                    "firms": size[2],
                    "resources": size[3],
                    "step": step,
                    **got,
                    "machine": machine(),
                }
                rows.append(row)
                print(
                    f"{n:>6} {step:<9} {row['seconds']!s:>8} {row['rss_before_mb']!s:>9} "
                    f"{row['peak_rss_mb']!s:>8}  {row['note']}",
                    flush=True,
                )
                if step == "generate" and got["note"]:
                    # Too slow to finish: make the instance with this checkout for the next steps.
                    _child("generate", folder, size, args.seed, ROOT / "src", args.timeout)
    new = not args.out.exists()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("a", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(COLUMNS))
        if new:
            w.writeheader()
        w.writerows(rows)
    print(f"appended {len(rows)} rows to {args.out}")


if __name__ == "__main__":
    main()
