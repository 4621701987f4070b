"""The firm-aware Lagrangian bound: the cheapest matching of hubs to firms, and valid.

Fixtures: a hand-made problem of three hubs and two firms (numbers in the test), and the
shipped xiamen-pilot instance (29 communities, 94 options, proven optimum 563,820 yuan in
docs/formulation.md) with the duals of an LP over its single-community packages.
"""

from dataclasses import replace
from pathlib import Path

import numpy as np

from sharedprop import load_instance
from sharedprop.models.colgen.hub_matching import SECONDS_PER_OPTION, HubMatching
from sharedprop.models.colgen.joint import _groups, lagrangian_bound
from sharedprop.models.colgen.master import LPMaster
from sharedprop.models.colgen.option_bounds import FlatOptions
from sharedprop.models.core.clock import Clock
from sharedprop.models.core.columns import make_column
from sharedprop.models.core.duals import WeightCut
from sharedprop.models.core.problem import PackageOption, Problem, problem_from_instance

PILOT = Path(__file__).resolve().parents[3] / "instances" / "xiamen-pilot"
PILOT_OPTIMUM = 563_820.0  # proven by the joint model (docs/formulation.md)


def three_hubs_two_firms() -> Problem:
    """Hubs 0, 1, 2; firm 0 may run one package from any hub, firm 1 two packages from hubs
    0 and 1 only. Costs do not matter: the test hands the bound its option values."""
    cand = np.arange(3, dtype=np.int64)
    opts = [
        PackageOption(firm=f, hub=h, fixed=0.0, candidates=cand, member_cost=np.zeros(3), margin=0)
        for f, h in [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1)]
    ]
    return Problem(
        weight=np.array([10, 10, 10]),
        revenue=np.zeros(3),
        uncovered_cost=np.zeros(3),
        must_cover=np.zeros(3, dtype=bool),
        firm_capacity=np.array([100, 100]),
        firm_max_packages=np.array([1, 2]),
        options=tuple(opts),
    )


def test_the_bound_adds_the_cheapest_matching_of_hubs_to_firms_to_the_lp_value() -> None:
    # firm 0: hub 0 −10, hub 1 −8, hub 2 −1; firm 1: hub 0 −9, hub 1 −7. Every hub at most
    # once and firm 0 at most once: the best is −17 (e.g. firm 0 at hub 1, firm 1 at hub 0),
    # where the per-hub bound would take −10 − 8 − 1 = −19.
    lb = np.array([-10.0, -8.0, -1.0, -9.0, -7.0])
    bound = HubMatching(three_hubs_two_firms()).bound(100.0, lb)
    assert abs(bound - 83.0) < 1e-6


def test_positive_option_bounds_leave_the_lp_value_as_the_bound() -> None:
    lb = np.array([1.0, 2.0, 0.0, 5.0, 3.0])
    assert HubMatching(three_hubs_two_firms()).bound(42.0, lb) == 42.0


def test_the_bound_is_never_weaker_than_the_per_hub_bound_and_never_above_the_optimum() -> None:
    problem, _ = problem_from_instance(load_instance(PILOT))
    lp = LPMaster(problem)
    for o, opt in enumerate(problem.options):
        lp.add(make_column(problem, o, (opt.hub,)))
    lp_value, duals, _ = lp.solve()
    relax = FlatOptions(problem).bounds(duals)
    group_of, kappa = _groups(problem)
    per_hub = lagrangian_bound(lp_value, relax, group_of, kappa)
    matched = HubMatching(problem).bound(lp_value, relax)
    assert per_hub - 1e-6 <= matched <= PILOT_OPTIMUM


def test_the_bound_at_any_duals_of_the_right_signs_stays_below_the_optimum() -> None:
    problem, _ = problem_from_instance(load_instance(PILOT))
    lp = LPMaster(problem)
    for o, opt in enumerate(problem.options):
        lp.add(make_column(problem, o, (opt.hub,)))
    _, duals, _ = lp.solve()
    flat, matching = FlatOptions(problem), HubMatching(problem)
    rng = np.random.default_rng(5)
    for scale in (1.0, 0.5, 1.3):
        duals.community[:] = duals.community * scale * rng.uniform(0.9, 1.1, problem.n)
        assert matching.bound_at(duals, flat.bounds(duals)) <= PILOT_OPTIMUM
    # Capacity cuts' duals: the dual objective pays each cut's limit, and the option bounds
    # (which ignore the cuts' penalty, a non-negative charge) stay below every package's rc.
    cuts = tuple(WeightCut(f, int(problem.firm_capacity[f]), 2) for f in range(problem.m))
    for tau in (-1e4, -1e5):
        priced = replace(duals, weight_cuts=cuts, weight_cut=np.full(len(cuts), tau))
        assert matching.bound_at(priced, flat.bounds(priced)) <= PILOT_OPTIMUM


def test_a_one_worker_clock_is_charged_for_every_bound_and_the_bound_is_unchanged() -> None:
    # The matching's LP used to run uncharged, so one-worker solves overran their limits
    # (SECONDS_PER_OPTION in hub_matching.py); a wall clock counts it already.
    lb = np.array([-10.0, -8.0, -1.0, -9.0, -7.0])
    problem = three_hubs_two_firms()
    work = Clock(deterministic=True)
    charged = HubMatching(problem, work)
    assert charged.bound(100.0, lb) == HubMatching(problem).bound(100.0, lb)
    charged.bound(100.0, lb)
    assert work.now() == 2 * SECONDS_PER_OPTION * len(problem.options)
