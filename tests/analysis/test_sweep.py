"""Sweeps: every combination solved on its own, the same as solving it by hand."""

from __future__ import annotations

import pytest

from sharedprop import solve
from sharedprop.analysis.scenario import apply_settings
from sharedprop.analysis.sweep import sweep
from sharedprop.errors import InstanceError
from sharedprop.execute import LocalExecutor
from tests.analysis.cases import two_communities


def test_each_scenario_is_what_solving_it_alone_gives() -> None:
    instance = two_communities()
    vary = {"objective.weight_total_cost": [0, 1], "policy.min_coverage": [0, 1]}

    with LocalExecutor(2) as ex:
        result = sweep(instance, vary, time_limit=30, work_limit=5, executor=ex)

    frame = result.to_frame()
    assert len(frame) == 4 and list(frame["status"]) == ["optimal"] * 4
    for outcome in result.outcomes:
        alone = solve(
            apply_settings(instance, outcome.settings), time_limit=30, work_limit=5, workers=1
        )
        assert outcome.result.objective == alone.objective
        assert outcome.plan == alone.plan
        assert outcome.evaluation.broken == ()


def test_a_scenario_the_contract_refuses_fails_before_any_solve() -> None:
    with pytest.raises(InstanceError, match="min_coverage must be between 0 and 1"):
        sweep(two_communities(), ["policy.min_coverage=0.5,1.5"], time_limit=5, workers=1)
