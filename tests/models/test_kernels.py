"""The warm-up readies every compiled kernel with the argument types the solver uses.

Checked in a fresh process, because the other tests of the same pytest run may already have
compiled the same kernels: there, the warm-up must leave every kernel with a signature, and a
one-worker solve of the shipped pilot, plus the bound without contiguity with its capacity cuts
(the knapsack kernels' callers), must compile nothing more.
"""

import json
import subprocess
import sys
from pathlib import Path

from sharedprop.models import kernels

PILOT = Path(__file__).resolve().parents[2] / "instances" / "xiamen-pilot"

SCRIPT = """
import json, sys
from sharedprop import load_instance, solve
from sharedprop.models import kernels
from sharedprop.models.bounds import knapsack_tables as knapsack_dp
from sharedprop.models.colgen import package_table
from sharedprop.models.bounds import capacity_relaxation
from sharedprop.models.core.problem import problem_from_instance
from sharedprop.models.bounds.without_contiguity import relaxed_lp_bound

kernels.warm_up()
ds = {
    "knapsack_rows": knapsack_dp.knapsack_rows_kernel,
    "option_minima": knapsack_dp.option_minima_kernel,
    "connected_sets": package_table.connected_sets,
    "mask_sums": package_table.mask_sums,
    "scan": package_table.scan_kernel,
}
before = {k: [str(s) for s in d.signatures] for k, d in ds.items()}
instance = load_instance(sys.argv[1])
solve(instance, time_limit=120, work_limit=3, workers=1)
p, _ = problem_from_instance(instance)
relaxed_lp_bound(p, time_limit=2, start=capacity_relaxation(p).duals, weight_cuts=True)
after = {k: [str(s) for s in d.signatures] for k, d in ds.items()}
print(json.dumps({"before": before, "after": after}))
"""


def test_after_the_warm_up_a_solve_compiles_no_further_kernel_signature():
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(PILOT)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert all(len(sigs) == 1 for sigs in seen["before"].values()), seen["before"]
    assert seen["after"] == seen["before"]


def test_the_warm_up_runs_once_per_process():
    kernels.warm_up()
    assert kernels.warm_up() == 0.0
