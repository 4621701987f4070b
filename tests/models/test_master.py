"""The master LP's recovery when GLOP ends without an optimal basis.

Fixture: the shipped xiamen-pilot instance's master LP over every one-community package; GLOP
is made to report ABNORMAL a given number of times before it solves for real.
"""

from pathlib import Path

import pytest
from ortools.linear_solver import pywraplp

from sharedprop import load_instance
from sharedprop.models.columns import make_column
from sharedprop.models.master import LPFailure, LPMaster
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
