"""The master LP's recovery when GLOP ends without an optimal basis, and the ranking of a large
pool's columns by LP reduced cost.

Fixture: the shipped xiamen-pilot instance's master LP over every one-community package; GLOP
is made to report ABNORMAL a given number of times before it solves for real. Over one-community
packages with firm limits too large to bind, the LP's reduced costs have a closed form (each
community's row dual is its cheapest package's value), which the ranking must reproduce.
"""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from ortools.linear_solver import pywraplp

from sharedprop import load_instance
from sharedprop.models.columns import ColumnPool, make_column
from sharedprop.models.master import LPFailure, LPMaster, lp_ranked_columns
from sharedprop.models.problem import problem_from_instance

PILOT = Path(__file__).resolve().parents[2] / "instances" / "xiamen-pilot"


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

    def set_params(self, text):  # noqa: ANN001, ANN202
        params[id(self)] = text
        return real_set(self, text)

    def solve(self, *args):  # noqa: ANN001, ANN202
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
    large to bind and three times the fallback cost, and the reduced costs its LP must give: each community's row dual is its
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
