"""The master LP's recovery when GLOP ends without an optimal basis, the ranking of a large
pool's columns by LP reduced cost, and the SCIP master of the proof by enumeration.

Fixture: the shipped xiamen-pilot instance's master LP over every one-community package; GLOP
is made to report ABNORMAL a given number of times before it solves for real. Over one-community
packages with firm limits too large to bind, the LP's reduced costs have a closed form (each
community's row dual is its cheapest package's value), which the ranking must reproduce.
"""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ortools.linear_solver import pywraplp

from sharedprop import load_instance
from sharedprop.models.colgen.master import (
    LPFailure,
    LPMaster,
    lp_ranked_columns,
    mip_work,
    solve_integer_master,
    solve_integer_master_mip,
)
from sharedprop.models.core.clock import Clock
from sharedprop.models.core.columns import ColumnPool, make_column, plan_objective
from sharedprop.models.core.duals import WeightCut
from sharedprop.models.core.problem import problem_from_instance

PILOT = Path(__file__).resolve().parents[3] / "instances" / "xiamen-pilot"


def _singleton_lp() -> LPMaster:
    problem, _ = problem_from_instance(load_instance(PILOT))
    lp = LPMaster(problem)
    for o, opt in enumerate(problem.options):
        lp.add(make_column(problem, o, (opt.hub,)))
    return lp


def _failing(monkeypatch: pytest.MonkeyPatch, times: int) -> list[str]:
    """GLOP reports ABNORMAL ``times`` times, then solves; returns the parameters of each
    call."""
    real = pywraplp.Solver.Solve
    seen: list[str] = []
    params: dict[int, str] = {}
    real_set = pywraplp.Solver.SetSolverSpecificParametersAsString

    def set_params(self, text):
        params[id(self)] = text
        return real_set(self, text)

    def solve(self, *args):
        seen.append(params.get(id(self), ""))
        if len(seen) <= times:
            return pywraplp.Solver.ABNORMAL
        return real(self, *args)

    monkeypatch.setattr(pywraplp.Solver, "SetSolverSpecificParametersAsString", set_params)
    monkeypatch.setattr(pywraplp.Solver, "Solve", solve)
    return seen


def test_an_lp_abnormal_after_the_rebuild_is_solved_without_presolve(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    expected, _, _ = _singleton_lp().solve()
    lp = _singleton_lp()
    seen = _failing(monkeypatch, times=2)
    z, _, x = lp.solve()
    assert seen == ["", "", "use_preprocessing: false"]
    assert z == pytest.approx(expected)
    assert len(x) == len(lp.cols)


def test_an_lp_that_fails_every_try_raises_lp_failure_with_the_status(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lp = _singleton_lp()
    _failing(monkeypatch, times=3)
    with pytest.raises(LPFailure, match="master LP ended with status 4"):
        lp.solve()


def _singleton_pool(must_cover: bool) -> tuple[ColumnPool, np.ndarray]:
    """Every one-community package of the pilot, with firm capacity and package counts too
    large to bind and three times the fallback cost, and the reduced costs its LP must give: each
    community's row dual is its
    cheapest package's value (objective less the fallback it saves), capped at 0 when the
    community may stay uncovered, so rc = value − that dual."""
    problem, _ = problem_from_instance(load_instance(PILOT))
    problem = replace(
        problem,
        firm_max_packages=np.full(problem.m, 1000),
        firm_capacity=np.full(problem.m, 10**9),
        must_cover=np.full(problem.n, must_cover),
        # A dearer fallback makes most communities worth covering: most rows get a dual.
        uncovered_cost=3 * problem.uncovered_cost,
    )
    pool = ColumnPool(problem)
    for o, opt in enumerate(problem.options):
        pool.add(make_column(problem, o, (opt.hub,)))
    saved = problem.w_public_money * problem.uncovered_cost
    value = np.array([c.objective - saved[c.members[0]] for c in pool.columns])
    hub = np.array([c.members[0] for c in pool.columns])
    dual = {int(i): value[hub == i].min() for i in set(hub.tolist())}
    if not must_cover:
        dual = {i: min(0.0, v) for i, v in dual.items()}
    return pool, value - np.array([dual[int(i)] for i in hub])


@pytest.mark.parametrize("must_cover", [False, True])
def test_lp_ranked_columns_are_those_of_least_lp_reduced_cost(must_cover: bool) -> None:
    pool, rc = _singleton_pool(must_cover)
    # A cut-off where the next column's reduced cost is a yuan or more higher, so that ties at
    # zero (each covered community's cheapest package) cannot be broken differently.
    ordered = np.sort(rc)
    keep = next(k for k in range(20, len(rc)) if ordered[k] - ordered[k - 1] >= 1.0)
    expected = sorted(np.argsort(rc, kind="stable")[:keep].tolist())
    assert lp_ranked_columns(pool, keep) == expected


def test_lp_ranked_columns_keep_the_hint_and_the_whole_of_a_small_pool() -> None:
    pool, rc = _singleton_pool(False)
    worst = int(np.argmax(rc))
    ranked = lp_ranked_columns(pool, 10, always=[worst])
    assert worst in ranked and len(ranked) == 11
    assert lp_ranked_columns(pool, len(pool)) == list(range(len(pool)))


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    capacity=st.integers(1, 5_000),
    slots=st.integers(2, 12),
    shares=st.lists(st.floats(0.0, 1.0), min_size=1, max_size=12),
)
def test_no_set_of_packages_within_a_firms_capacity_fills_more_slots_than_its_cut_allows(
    capacity: int, slots: int, shares: list[float]
) -> None:
    """Any packages whose households fit the firm's capacity (the shares split it, rounded
    down to whole households) fill at most slots − 1 slots: the cut holds for every plan."""
    total = sum(shares) or 1.0
    weights = np.array([int(capacity * s / total) for s in shares])
    assert weights.sum() <= capacity
    cut = WeightCut(firm=0, capacity=capacity, slots=slots)
    assert int(np.sum(cut.coefficient(weights))) <= cut.limit


def test_a_package_fills_one_slot_per_whole_share_of_the_capacity_it_exceeds() -> None:
    cut = WeightCut(firm=0, capacity=1_160, slots=2)  # shares of 580 households
    assert [int(cut.coefficient(w)) for w in (0, 1, 580, 581, 1_160)] == [0, 0, 0, 1, 1]
    cut = WeightCut(firm=0, capacity=3_000, slots=4)  # shares of 750
    assert [int(cut.coefficient(w)) for w in (750, 751, 1_500, 1_501, 2_251)] == [0, 1, 1, 2, 3]


def test_separation_cuts_off_more_big_packages_than_the_capacity_holds() -> None:
    """Pilot, the two largest one-community packages of firm 0 (w1 ≥ w2), its capacity set to
    2·w2 − 1 households, so that both exceed half of it and no plan runs both: the LP, which
    must cover their communities, runs more than one package's worth of them within the
    capacity row; separation adds "at most one package of more than half the capacity", and
    the LP then runs at most one."""
    problem, _ = problem_from_instance(load_instance(PILOT))
    cols0 = [
        make_column(problem, o, (opt.hub,))
        for o, opt in enumerate(problem.options)
        if opt.firm == 0
    ]
    two = sorted(cols0, key=lambda c: -c.weight)[:2]
    cap = 2 * two[1].weight - 1
    problem = replace(
        problem,
        firm_capacity=np.where(np.arange(problem.m) == 0, cap, problem.firm_capacity),
        must_cover=np.ones(problem.n, dtype=bool),
    )
    lp = LPMaster(problem)
    for c in two:
        lp.add(c)
    _, _, x = lp.solve()
    assert x.sum() > 1 + 1e-6
    assert lp.separate_weight_cuts(x) == 1
    assert lp.weight_cuts == [WeightCut(0, cap, 2)]
    _, duals, x = lp.solve()
    assert x.sum() <= 1 + 1e-9
    assert len(duals.weight_cut) == 1 and duals.weight_cut[0] < 0  # the cut binds
    assert lp.separate_weight_cuts(x) == 0


def test_a_packages_reduced_cost_pays_its_firms_cut_duals_by_the_slots_it_fills() -> None:
    lp = _singleton_lp()
    problem = lp.problem
    _, duals, _ = lp.solve()
    col = lp.cols[0]
    f = problem.options[col.option].firm
    other = (f + 1) % problem.m
    cuts = (WeightCut(f, col.weight, 2), WeightCut(f, 4 * col.weight, 3), WeightCut(other, 1, 2))
    priced = replace(duals, weight_cuts=cuts, weight_cut=np.array([-10.0, -100.0, -1_000.0]))
    # One slot of the first cut (w exceeds half of its capacity w), none of the second (w is
    # less than a third of 4w), none of another firm's.
    assert priced.reduced_cost(problem, col) == pytest.approx(
        duals.reduced_cost(problem, col) + 10.0 * 1
    )
    assert priced.weighs(f) and not replace(priced, weight_cut=np.zeros(3)).weighs(f)


@pytest.fixture(scope="module")
def enumerated_pool() -> ColumnPool:
    """The pilot's one-community packages and the 3,825 connected packages (every bundle) whose
    reduced cost at ``pilot_duals(11)`` is in the cheapest 15 % of the package table: a master
    SCIP proves in well under a second, with a few nodes."""
    from sharedprop.models.colgen.package_table import PackageTable
    from sharedprop.models.colgen.reduced_cost import PricingCache
    from tests.models.pilot_duals import pilot_duals

    p, duals = pilot_duals(11)
    table = PackageTable(p, PricingCache(p))
    table.price(duals)
    pool = ColumnPool(p)
    for o, opt in enumerate(p.options):
        pool.offer(make_column(p, o, (opt.hub,)))
    for c in table.within(duals, float(np.quantile(table.rc, 0.15)), 10**6) or []:
        pool.offer(c)
    return pool


def test_the_scip_master_proves_the_same_optimum_as_the_cp_sat_master(enumerated_pool) -> None:
    """Both masters are built row by row from the same pool: the same optimum is a check that
    neither drops or miswrites a row or cost."""
    pool = enumerated_pool
    every = list(range(len(pool.columns)))
    mip = solve_integer_master_mip(pool, columns=every, time_limit=60.0)
    cp = solve_integer_master(pool, time_limit=60.0, workers=2, seed=0)
    assert mip.status == cp.status == "optimal"
    assert mip.objective == pytest.approx(cp.objective, abs=0.01)
    assert mip.objective == pytest.approx(
        plan_objective(pool.problem, [pool.columns[j] for j in mip.chosen])
    )


@pytest.mark.parametrize("limit", [60.0, 0.02])
def test_a_one_worker_scip_master_repeats_and_is_charged_for_its_packages(
    enumerated_pool, limit: float
) -> None:
    """SCIP's own limit is wall-clock; on a deterministic clock it runs to a node limit instead
    and is charged from its size and LP iterations, so two runs choose the same plan and charge
    the same work — with room to prove (60 s) and cut short at its node limit (0.02 s)."""
    pool = enumerated_pool
    every = list(range(len(pool.columns)))
    runs = []
    for _ in range(2):
        clock = Clock(deterministic=True)
        sol = solve_integer_master_mip(pool, columns=every, time_limit=limit, clock=clock)
        runs.append((sol.status, sol.chosen, clock.now()))
    assert runs[0] == runs[1]
    assert runs[0][0] in ("optimal", "feasible")
    assert runs[0][2] >= mip_work(len(every), 0)
