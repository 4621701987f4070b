"""Checks shared by the solver's tests: every plan obeys every rule, and its objective is the
evaluator's to the yuan (docs/formulation.md, "Readings of the contract", 6)."""

from __future__ import annotations

from sharedprop import Instance, Result, evaluate

YUAN = 0.5  # the solver's objective and evaluate's differ by less than this


def assert_plan_obeys_every_rule_and_matches_evaluate(instance: Instance, result: Result) -> None:
    assert result.plan is not None
    ev = evaluate(instance, result.plan)
    assert ev.broken == ()
    assert abs(result.objective - ev.objective) < YUAN
