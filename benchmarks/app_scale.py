"""How quickly the workbench answers at city scale: explanations, hand edits, and Stop.

Generates the city (``sharedprop generate OUT --communities 1414 --streets 38 --firms 100
--resources 100 --seed K``), takes its manual plan and measures, in one run:

- ``explain_community``: the incremental scoring the app uses, on ``--explain`` communities spread
  over the city (one of them uncovered), against the whole-plan scoring that defines it on the
  first ``--full`` of them (``same`` says whether the two explanations are equal);
- a hand edit's scoring: ``--edits`` moves of a community into another package of its street,
  each scored by ``evaluate`` of the whole plan and by the app's ``Scorer``, and the app's whole
  edit (``Workbench.edit_plan``: scoring, history, saving the plan);
- ``solve``'s first poll of ``stop``, which is when the app's Stop button takes effect: directly,
  and through the app's spawned solve process (``--no-solve`` skips both).

    python -m benchmarks.app_scale --seed 1 --explain 10 --full 1 --edits 20 \
        --out benchmarks/results

Writes ``app_scale.csv``: date, machine, seed, communities, what, path, items, mean_s, max_s,
same, time_limit (the solve's, on its rows). Timings on a shared machine are noisy: compare rows
of one run, not runs.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from benchmarks._common import csv_value, machine, write_rows
from sharedprop import evaluate, load_instance, read_plan, solve
from sharedprop.alternatives import FullScoring
from sharedprop.app import edits
from sharedprop.app.settings import AppSettings
from sharedprop.app.solving import solve_in_process
from sharedprop.app.workbench import Workbench
from sharedprop.data import Instance
from sharedprop.evaluate import Scorer
from sharedprop.explain import explain_community, explain_with
from sharedprop.generate import generate_instance
from sharedprop.plan import Plan

COLUMNS = ("date", "machine", "seed", "communities", "what", "path", "items", "mean_s", "max_s",
           "same", "time_limit")  # fmt: skip
SOLVE_TIME_LIMIT = 60.0


@dataclass(frozen=True)
class Timing:
    what: str
    path: str
    seconds: tuple[float, ...]
    same: bool | None = None
    time_limit: float | None = None


def timed(call) -> tuple[float, object]:
    start = time.perf_counter()
    value = call()
    return time.perf_counter() - start, value


def explain_timings(instance: Instance, plan: Plan, n: int, full: int) -> list[Timing]:
    covered = plan.covered()
    spread = [c.id for c in instance.communities[:: max(1, len(instance.communities) // n)]]
    uncovered = [c.id for c in instance.communities if c.id not in covered][:1]
    cids = (uncovered + [c for c in spread if c not in uncovered])[:n]
    fast, slow, same = [], [], True
    for k, cid in enumerate(cids):
        seconds, ex = timed(lambda c=cid: explain_community(instance, plan, c))
        fast.append(seconds)
        if k < full:
            seconds, reference = timed(
                lambda c=cid: explain_with(FullScoring(instance, plan), plan, c)
            )
            slow.append(seconds)
            same &= reference == ex
    out = [Timing("explain_community", "incremental", tuple(fast), same if slow else None)]
    if slow:
        out.append(Timing("explain_community", "whole-plan evaluation", tuple(slow), same))
    return out


def random_moves(instance: Instance, plan: Plan, n: int, seed: int) -> list[Plan]:
    """``n`` successive hand edits: a community moved into another package of its street."""
    rng = random.Random(seed)
    street = {c.id: c.street for c in instance.communities}
    plans = []
    for _ in range(n):
        source = rng.choice([p for p in plan.packages if len(p.members) > 1])
        cid = rng.choice(source.members)
        targets = [p.id for p in plan.packages
                   if p.id != source.id and street[p.members[0]] == street[cid]]  # fmt: skip
        plan = edits.move_community(plan, cid, rng.choice(targets) if targets else None)
        plans.append(plan)
    return plans


def edit_timings(instance: Instance, plan: Plan, n: int, seed: int, tmp: Path) -> list[Timing]:
    plans = random_moves(instance, plan, n, seed)
    whole = [timed(lambda p=p: evaluate(instance, p))[0] for p in plans]
    scorer = Scorer(instance)
    scorer.evaluate(plan)  # the app scores the plan when it opens
    kept = [timed(lambda p=p: scorer.evaluate(p))[0] for p in plans]
    same = all(scorer.evaluate(p) == evaluate(instance, p) for p in plans[:3])
    bench = Workbench(AppSettings(workspace=tmp / "workspace", port=0))
    bench.open_path(str(instance.path))
    app = []
    for p in plans:
        app.append(timed(lambda p=p: bench.edit_plan(lambda _: p))[0])
    bench.close()
    return [
        Timing("hand edit scoring", "evaluate", tuple(whole), same),
        Timing("hand edit scoring", "Scorer", tuple(kept), same),
        Timing("hand edit in the app", "Workbench.edit_plan", tuple(app)),
    ]


def first_stop_poll(instance: Instance, solver) -> float:
    """Seconds from the call until ``solve`` first asks whether to stop (it is told yes)."""
    start, polled = time.perf_counter(), []

    def stop() -> bool:
        polled.append(time.perf_counter() - start)
        return True

    solver(instance, time_limit=SOLVE_TIME_LIMIT, stop=stop)
    return polled[0]


def solve_timings(instance: Instance) -> list[Timing]:
    # Through the app, ``stop`` is polled here every 0.2 s from the start, and the child sees it
    # at the solver's first poll: the app's Stop waits for the whole call.
    in_app = timed(
        lambda: solve_in_process(instance, time_limit=SOLVE_TIME_LIMIT, stop=lambda: True)
    )[0]
    direct = first_stop_poll(instance, solve)
    return [
        Timing("solve until its first stop poll", "solve", (direct,), None, SOLVE_TIME_LIMIT),
        Timing("solve stopped at once", "app's solve process", (in_app,), None, SOLVE_TIME_LIMIT),
    ]


def run(seed: int, n: int, explain: int, full: int, n_edits: int, with_solve: bool) -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = generate_instance(
            Path(tmp) / f"city-{seed}", communities=n, streets=38, firms=100, resources=100,
            seed=seed,
        )  # fmt: skip
        instance = load_instance(folder)
        plan = read_plan(folder / "plans" / "manual.csv", instance)
        timings = [
            *explain_timings(instance, plan, explain, full),
            *edit_timings(instance, plan, n_edits, seed, Path(tmp)),
            *(solve_timings(instance) if with_solve else []),
        ]
    date = datetime.now(UTC).isoformat(timespec="seconds")
    return [
        {
            "date": date, "machine": machine(), "seed": seed, "communities": n, "what": t.what,
            "path": t.path, "items": len(t.seconds),
            "mean_s": csv_value(statistics.mean(t.seconds), 4),
            "max_s": csv_value(max(t.seconds), 4), "same": "" if t.same is None else t.same,
            "time_limit": csv_value(t.time_limit),
        }
        for t in timings
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--communities", type=int, default=1414)
    ap.add_argument("--explain", type=int, default=10, help="communities explained")
    ap.add_argument("--full", type=int, default=1, help="of them also by whole-plan evaluation")
    ap.add_argument("--edits", type=int, default=20, help="hand edits scored")
    ap.add_argument("--no-solve", action="store_true", help="skip the solve's first stop poll")
    ap.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    args = ap.parse_args(argv)
    rows = run(args.seed, args.communities, args.explain, args.full, args.edits,
               not args.no_solve)  # fmt: skip
    print(f"{'what':<34} {'path':<24} {'items':>5} {'mean s':>9} {'max s':>9}  same")
    for r in rows:
        print(f"{r['what']:<34} {r['path']:<24} {r['items']:>5} {r['mean_s']:>9} "
              f"{r['max_s']:>9}  {r['same']}")  # fmt: skip
    path = write_rows(args.out / "app_scale.csv", rows, COLUMNS)
    print(f"wrote {path} ({rows[0]['machine']})")


if __name__ == "__main__":
    main()
