"""City-scale benchmark of the city strategy: generated cities solved whole, with a bound.

Generates ``sharedprop generate OUT --communities 1414 --streets 38 --firms 100 --resources 100
--seed K`` for each seed (the size of Xiamen's no-property communities), solves it with
``solve(strategy="city", time_limit=L, workers=W, executor=E)`` for each limit, scores the plan
and the generated manual plan with ``evaluate`` and writes one row per (seed, limit):

    python -m benchmarks.city_scale --seeds 1 2 3 --time-limits 60 --workers 2

Each run is a fresh process, so that its peak memory and CPU time are its own: ``peak_main_mb``
is the solving process's peak resident memory, ``peak_worker_mb`` the largest local pool
worker's (a Dask cluster's workers are not measured), ``cpu_s`` the CPU seconds of the process
and its pool, ``cpu_per_wall`` that over the run's wall seconds (how busy the cores were, 2.0 =
both of two). ``load_before`` / ``load_after`` are the machine's one-minute load average around
the run: other work on the machine slows a run, and the CPU share says how much it got.
``objective_at_60s`` is the incumbent 60 s into the run (a longer run's early plan against a
60-s run's final one).

Rows are merged into ``city_scale.csv`` by (communities, seed, time_limit, executor, workers),
a new row replacing an old one; every task of every run (kind, part, end, wall seconds, work,
whether it improved the plan or the bound) goes to ``city_scale_tasks.csv`` alike, which is the
per-task profile the critical path and a worker count's speed-up are read from.
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing as mp
import os
import resource
import tempfile
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks._common import csv_value, machine, write_rows
from sharedprop import evaluate, load_instance, read_plan, solve
from sharedprop.generate import generate_instance

RESULTS = Path(__file__).parent / "results"
KEY = ("communities", "seed", "time_limit", "executor", "workers")
COLUMNS = (
    "date",
    "instance",
    "communities",
    "seed",
    "time_limit",
    "strategy",
    "status",
    "objective",
    "evaluated",
    "broken",
    "public_money",
    "manual_public_money",
    "ratio_to_manual",
    "bound",
    "gap",
    "objective_at_60s",
    "time_to_incumbent_s",
    "runtime_s",
    "peak_main_mb",
    "peak_worker_mb",
    "cpu_s",
    "cpu_per_wall",
    "executor",
    "workers",
    "passes",
    "tasks",
    "bound_parts",
    "load_before",
    "load_after",
    "machine",
)
TASK_COLUMNS = (*KEY, "kind", "label", "ended_s", "seconds", "work", "improved")


def one_run(folder: str, seed: int, limit: float, workers: int, executor: str | None) -> dict:
    """Solve the city in ``folder`` once and measure it (runs in a process of its own)."""
    inst = load_instance(folder)
    manual = evaluate(inst, read_plan(Path(folder) / "plans" / "manual.csv", inst))
    load_before = os.getloadavg()[0]
    started = time.monotonic()
    res = solve(inst, time_limit=limit, workers=workers, seed=0, strategy="city", executor=executor)
    wall = time.monotonic() - started
    own, pool = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    cpu = own.ru_utime + own.ru_stime + pool.ru_utime + pool.ru_stime
    ev = evaluate(inst, res.plan) if res.plan is not None else None
    city = res.stats.city
    row: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "instance": inst.name,
        "communities": len(inst.communities),
        "seed": seed,
        "time_limit": limit,
        "strategy": res.strategy,
        "status": res.status,
        "objective": csv_value(res.objective),
        "evaluated": csv_value(ev.objective if ev else None),
        "broken": len(ev.broken) if ev else "",
        "public_money": csv_value(ev.public_money if ev else None),
        "manual_public_money": csv_value(manual.public_money),
        "ratio_to_manual": csv_value(ev.public_money / manual.public_money if ev else None, 4),
        "bound": csv_value(res.best_bound),
        "gap": csv_value(res.gap, 4),
        "objective_at_60s": csv_value(_incumbent_at(res.trace, 60.0)),
        "time_to_incumbent_s": csv_value(res.time_to_incumbent_s, 1),
        "runtime_s": csv_value(res.runtime_s, 1),
        "peak_main_mb": round(own.ru_maxrss / 1024),
        "peak_worker_mb": round(pool.ru_maxrss / 1024) if pool.ru_maxrss else "",
        "cpu_s": csv_value(cpu, 1),
        "cpu_per_wall": csv_value(cpu / wall, 2),
        "executor": executor or "local",
        "workers": city.workers if city else workers,
        "passes": city.passes if city else "",
        "tasks": len(city.tasks) if city else "",
        "bound_parts": city.bound_parts if city else "",
        "load_before": round(load_before, 2),
        "load_after": round(os.getloadavg()[0], 2),
        "machine": machine(),
    }
    tasks = [] if city is None else [asdict(t) for t in city.tasks]
    return {"row": row, "tasks": tasks}


def _incumbent_at(trace: tuple, seconds: float) -> float | None:
    """The incumbent objective at ``seconds`` into the run, from its progress trace."""
    best = None
    for point in trace:
        if point.seconds <= seconds and point.objective is not None:
            best = point.objective
    return best


def _in_child(queue: mp.Queue, *args: Any) -> None:
    queue.put(one_run(*args))


def measured(folder: Path, seed: int, limit: float, workers: int, executor: str | None) -> dict:
    """:func:`one_run` in a fresh process (its own peak memory and CPU clock)."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    child = ctx.Process(target=_in_child, args=(queue, str(folder), seed, limit, workers, executor))
    child.start()
    out = queue.get()
    child.join()
    return out


def merged(path: Path, rows: list[dict], columns: tuple[str, ...]) -> list[dict]:
    """The rows of ``path`` whose key no new row has, then the new rows."""
    fresh = {tuple(str(r[k]) for k in KEY) for r in rows}
    old = []
    if path.exists():
        with path.open(encoding="utf-8") as handle:
            old = [r for r in csv.DictReader(handle) if tuple(r[k] for k in KEY) not in fresh]
    return [{c: r.get(c, "") for c in columns} for r in old + rows]


def run(
    seeds: list[int],
    limits: list[float],
    workers: int,
    executor: str | None,
    communities: int,
    streets: int,
    firms: int,
    resources: int,
    out: Path,
) -> list[dict]:
    rows, tasks = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in seeds:
            folder = generate_instance(
                Path(tmp) / f"city{communities}-s{seed}",
                communities=communities,
                streets=streets,
                firms=firms,
                resources=resources,
                seed=seed,
            )
            for limit in limits:
                got = measured(folder, seed, limit, workers, executor)
                row = got["row"]
                rows.append(row)
                key = {k: row[k] for k in KEY}
                tasks.extend(key | t for t in got["tasks"])
                print(
                    f"seed {seed} {limit:g} s: {row['status']} public money "
                    f"{row['public_money']} ratio {row['ratio_to_manual']} gap {row['gap']} "
                    f"at 60 s {row['objective_at_60s']} incumbent at {row['time_to_incumbent_s']} "
                    f"s, {row['peak_main_mb']}+{row['peak_worker_mb']} MB, "
                    f"cpu/wall {row['cpu_per_wall']}, load {row['load_before']}",
                    flush=True,
                )
    path = out / "city_scale.csv"
    write_rows(path, merged(path, rows, COLUMNS), COLUMNS)
    task_path = out / "city_scale_tasks.csv"
    write_rows(task_path, merged(task_path, tasks, TASK_COLUMNS), TASK_COLUMNS)
    print(f"written {path} and {task_path}")
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--time-limits", type=float, nargs="+", default=[60.0, 600.0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--executor", help="local (default) or a Dask scheduler tcp://HOST:PORT")
    ap.add_argument("--communities", type=int, default=1414)
    ap.add_argument("--streets", type=int, default=38)
    ap.add_argument("--firms", type=int, default=100)
    ap.add_argument("--resources", type=int, default=100)
    ap.add_argument("--out", type=Path, default=RESULTS)
    a = ap.parse_args()
    run(
        a.seeds,
        a.time_limits,
        a.workers,
        a.executor,
        a.communities,
        a.streets,
        a.firms,
        a.resources,
        a.out,
    )


if __name__ == "__main__":
    main()
