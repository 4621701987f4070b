"""What-if: candidate resources, firms leaving and growing, ranked and solved."""

from __future__ import annotations

from dataclasses import replace

import pytest

from sharedprop import solve
from sharedprop.analysis.sweep import ScenarioOutcome
from sharedprop.analysis.whatif import Change, _compare, whatif
from tests.analysis.cases import two_communities, with_candidate_parking, with_parking
from tests.models.brute_force import brute_force

MONEY = 0.01


def test_a_candidate_resource_saves_the_difference_of_the_two_optima_and_it_is_proven() -> None:
    """Base 16,000 (nobody covered); with the parking available the brute-force optimum is
    lower, and the saving is the difference, proven."""
    instance = with_candidate_parking()

    result = whatif(instance, kinds=["resource"], time_limit=30, work_limit=5, workers=1)

    (item,) = result.items
    assert item.change.subject == "R1" and item.change.kind == "resource"
    assert result.base_objective == pytest.approx(16_000.0, abs=MONEY)
    assert item.saving == pytest.approx(16_000.0 - brute_force(with_parking()).objective, abs=MONEY)
    assert item.proven and item.low == pytest.approx(item.saving, abs=MONEY)


def test_the_saving_equals_two_independent_solves_with_the_same_settings() -> None:
    """The figure a planner can check: solve the base and the changed instance themselves,
    the changed one from the hint the what-if names."""
    instance = with_candidate_parking()
    result = whatif(instance, kinds=["resource"], time_limit=30, work_limit=5, seed=2, workers=1)

    base = solve(instance, time_limit=30, work_limit=5, seed=2, workers=1)
    hint = result.items[0].change.hint(instance, base.plan)
    changed = solve(
        with_parking(), time_limit=30, work_limit=5, seed=2, workers=1, initial_plan=hint
    )

    assert result.items[0].saving == base.objective - changed.objective


def test_a_firm_leaving_costs_what_the_instance_without_it_costs_more() -> None:
    """The only firm leaves: nobody can be covered, and at 16,000 the base covers nobody
    either, so losing it costs nothing, proven."""
    instance = two_communities()

    result = whatif(instance, kinds=["firm_leaves"], time_limit=30, work_limit=5, workers=1)

    (item,) = result.items
    assert item.change.subject == instance.firms[0].id
    assert item.saving == pytest.approx(0.0, abs=MONEY) and item.proven


def test_only_the_most_promising_changes_are_solved_in_full() -> None:
    instance = with_candidate_parking()
    result = whatif(instance, exact=0, time_limit=30, work_limit=5, workers=1)
    assert {w.change.kind for w in result.items} == {"resource", "firm_leaves", "firm_capacity"}
    assert all(w.saving is None for w in result.items)


def test_an_unknown_question_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="unknown what-if kinds: budget"):
        whatif(two_communities(), kinds=["budget"], time_limit=5, workers=1)


def test_a_relaxing_change_is_never_said_to_cost_and_a_firm_leaving_never_to_save() -> None:
    """Unproven solves leave wide intervals; the sign of the change bounds them at zero."""
    solved = solve(two_communities(), time_limit=30, work_limit=5, workers=1)

    def outcome(objective: float, bound: float) -> ScenarioOutcome:
        res = replace(solved, objective=objective, best_bound=bound, status="feasible")
        return ScenarioOutcome("x", {}, res, None)

    base, changed = outcome(1000.0, 500.0), outcome(900.0, 400.0)
    resource = _compare(Change("resource", "R1", "R1", 0.0, "saving at least"), base, changed)
    leaves = _compare(Change("firm_leaves", "F1", "F1", 0.0, "loss at most"), changed, base)
    assert (resource.low, resource.high) == (0.0, 600.0)  # not 500 - 900 = -400
    assert (leaves.low, leaves.high) == (-600.0, 0.0)  # not 900 - 500 = 400
