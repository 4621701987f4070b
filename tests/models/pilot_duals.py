"""Dual prices on the shipped pilot at which packages of many sizes and bundles price out.

The duals come from an LP over single-community packages with three subset-row cuts; the
community duals are then scaled up at random (×0.9–1.6) and the cuts and resources given random
prices, so that pricing tests meet negative packages of every kind. ``seed`` picks the draw.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sharedprop import load_instance
from sharedprop.models.colgen.master import LPMaster
from sharedprop.models.core.columns import make_column
from sharedprop.models.core.duals import Duals
from sharedprop.models.core.problem import Problem, problem_from_instance

PILOT = Path(__file__).resolve().parents[2] / "instances" / "xiamen-pilot"


def pilot_duals(seed: int) -> tuple[Problem, Duals]:
    problem, _ = problem_from_instance(load_instance(PILOT))
    lp = LPMaster(problem)
    for o, opt in enumerate(problem.options):
        lp.add(make_column(problem, o, (opt.hub,)))
    for triple in [(0, 1, 2), (3, 4, 5), (1, 2, 3)]:
        lp.add_cut(triple)
    _, duals, _ = lp.solve()
    rng = np.random.default_rng(seed)
    duals.community[:] = duals.community * rng.uniform(0.9, 1.6, problem.n)
    duals.cut[:] = -rng.uniform(0, 5e4, len(duals.cut))
    duals.resource[:] = -rng.uniform(0, 3e4, problem.k)
    return problem, duals
