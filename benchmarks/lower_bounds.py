"""Which "60 % of the manual plan" targets no plan can meet: a lower bound against each target.

Some targets ask for an optimised plan whose public money is at most 60 % of the generated
manual plan's. On some instances no plan can do that, and this script proves which, in seconds,
without solving anything: it computes the transportation-LP lower bound of
``sharedprop.models.bounds.transport`` (the floor every ``solve`` result's ``best_bound``
carries; ``docs/formulation.md``, "How each lower bound is proven"), scores the manual plan
with ``evaluate`` and writes one row per instance:

    python -m benchmarks.lower_bounds --out benchmarks/results
    python -m benchmarks.lower_bounds --relaxed-seconds 60 --out benchmarks/results

``--relaxed-seconds S`` also runs the bound without contiguity (``relaxed_lp_bound``: column
generation with capacity cuts, then branching; "The bound without contiguity" in the
formulation) for S seconds of wall clock per instance, from the transportation LP's duals, as a
2-worker ``solve`` does in its second process; the row's verdict takes the better of the two
bounds.

Instances: the street-scale seeds (``sharedprop generate`` with 120 communities, 2 streets,
8 firms, 10 resources, seeds 1-5, as ``benchmarks.street_scale``) and the manual suite's
generated instances (``benchmarks.run.GENERATED``, seed 0). With every generated instance's
objective weights (public money 1, total cost 0) the objective is the public money, so a bound
above 0.60 × the manual plan's public money proves the target out of reach (an instance whose
objective counts total cost is refused).

Columns: instance, n, seed, manual_public_money, bound (transportation LP), bound_over_manual,
relaxed_bound, relaxed_over_manual, relaxed_seconds (empty without ``--relaxed-seconds``),
target_reachable ("no" when a bound proves it out of reach, "open" otherwise), seconds (the
transportation LP's), machine.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

from benchmarks._common import csv_value, machine, wanted, write_rows
from benchmarks.run import GENERATED
from sharedprop import evaluate, load_instance, read_plan
from sharedprop.generate import generate_instance
from sharedprop.models.bounds.transport import capacity_relaxation
from sharedprop.models.bounds.without_contiguity import relaxed_lp_bound
from sharedprop.models.core.problem import problem_from_instance

TARGET = 0.60
STREET_SCALE = (120, 2, 8, 10)

Case = tuple[str, tuple[int, int, int, int], int]


def default_cases() -> list[Case]:
    """The street-scale seeds 1-5 and the manual suite's generated instances (seed 0)."""
    n, s, f, r = STREET_SCALE
    cases = [(f"synthetic-n{n}-s{s}-f{f}-r{r}-seed{k}", STREET_SCALE, k) for k in range(1, 6)]
    cases += [(f"generated-{size[0]}", size, 0) for size in GENERATED]
    return cases


def bound_row(name: str, folder: Path, seed: int, relaxed_seconds: float = 0.0) -> dict:
    """One instance folder's row: its manual plan's public money against the bounds."""
    inst = load_instance(folder)
    w_pm, w_tc = inst.objective.weight_public_money, inst.objective.weight_total_cost
    if w_tc != 0 or w_pm <= 0:
        # A bound on an objective that counts costs too says nothing about public money alone.
        raise ValueError(f"{name}: the objective is not public money alone")
    manual = evaluate(inst, read_plan(folder / "plans" / "manual.csv", inst)).public_money
    began = time.monotonic()
    problem, _ = problem_from_instance(inst)
    lp = capacity_relaxation(problem)
    seconds = time.monotonic() - began
    bound = None if lp is None else max(lp.bound, 0.0) / w_pm
    relaxed = None
    if relaxed_seconds > 0:
        value, _ = relaxed_lp_bound(
            problem, time_limit=relaxed_seconds, start=None if lp is None else lp.duals
        )
        relaxed = None if value is None else max(value, 0.0) / w_pm
    best = max((b for b in (bound, relaxed) if b is not None), default=None)
    return {
        "instance": name,
        "n": problem.n,
        "seed": seed,
        "manual_public_money": round(manual, 2),
        "bound": csv_value(bound),
        "bound_over_manual": _ratio(bound, manual),
        "relaxed_bound": csv_value(relaxed),
        "relaxed_over_manual": _ratio(relaxed, manual),
        "relaxed_seconds": relaxed_seconds or "",
        "target_reachable": "no" if best is not None and best > TARGET * manual else "open",
        "seconds": round(seconds, 3),
        "machine": machine(),
    }


def _ratio(bound: float | None, manual: float) -> float | str:
    return "" if bound is None or manual <= 0 else round(bound / manual, 4)


def run(cases: Iterable[Case], out: Path, relaxed_seconds: float = 0.0) -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, (n, streets, firms, resources), seed in cases:
            folder = generate_instance(
                Path(tmp) / name,
                communities=n,
                streets=streets,
                firms=firms,
                resources=resources,
                seed=seed,
            )
            row = bound_row(name, folder, seed, relaxed_seconds)
            rows.append(row)
            relaxed = (
                f"  without contiguity {row['relaxed_over_manual']}" if relaxed_seconds else ""
            )
            print(
                f"{name:34s} manual {row['manual_public_money']:>14,.2f}  transportation LP "
                f"{row['bound_over_manual']} of it{relaxed}  60 % target: "
                f"{'out of reach' if row['target_reachable'] == 'no' else 'open'}",
                flush=True,
            )
    path = write_rows(out / "lower_bounds.csv", rows)
    print(f"written {path}")
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    ap.add_argument("--relaxed-seconds", type=float, default=0.0)
    ap.add_argument(
        "--only", nargs="+", help="instance names (or their communities: 120, 400, 1414)"
    )
    a = ap.parse_args()
    cases = [c for c in default_cases() if wanted(a.only, c[0], str(c[1][0]))]
    run(cases, a.out, a.relaxed_seconds)


if __name__ == "__main__":
    main()
