"""The December 2026 contract additions in ``solve``: a coverage floor and candidate resources.

Every strategy must keep both rules: no plan below ``min_coverage`` of all households, no
package with a resource whose ``available`` is false. Checked on a two-community example worked
out by hand, and against exhaustive search on random tiny instances
(``tests/models/brute_force.py``, which knows nothing of the models and scores with
``sharedprop.evaluate``).
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, Phase, given, note, settings

from sharedprop import Instance, Resource, evaluate, solve
from tests.models.brute_force import best_of_every_plan, brute_force
from tests.models.test_brute_force import two_communities
from tests.models.tiny_instances import with_candidates

MONEY = 0.01
YUAN = 0.5
STRATEGIES = ("joint", "two-stage", "streets")


def test_brute_force_with_floors_and_candidates_agrees_with_scoring_every_whole_plan() -> None:
    """The reference itself, on a small instance with both additions (C1 and C2, one firm)."""
    base = two_communities()
    for floor in (0.0, 0.5, 1.0):
        instance = replace(base, policy=replace(base.policy, min_coverage=floor))
        assert brute_force(instance).objective == pytest.approx(best_of_every_plan(instance))


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_a_floor_forces_the_dearer_plan_that_covers_enough(strategy: str) -> None:
    """By hand (``two_communities``): both uncovered cost 16,000, both in one package 18,000,
    one in a package and one uncovered 22,000. With no floor the optimum covers nobody; a floor
    of half the households needs a package, and the cheapest holds both (18,000)."""
    base = two_communities()
    free = solve(base, time_limit=30, work_limit=5, workers=1, strategy=strategy)
    floored = replace(base, policy=replace(base.policy, min_coverage=0.5))

    result = solve(floored, time_limit=30, work_limit=5, workers=1, strategy=strategy)

    assert free.objective == pytest.approx(16_000.0, abs=MONEY)
    assert result.objective == pytest.approx(18_000.0, abs=MONEY)
    ev = evaluate(floored, result.plan)
    assert not ev.broken and ev.coverage_households == 200
    assert result.best_bound is not None and result.best_bound <= 18_000.0 + MONEY


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_a_candidate_resource_is_never_bundled_however_much_it_would_save(strategy: str) -> None:
    """A parking income of 30,000 beside C1 would make the package of both pay for itself
    (18,000 → 0); as a candidate it may not be used, so the optimum stays uncovered (16,000)."""
    parking = Resource("R1", "停车场", "parking", 0.0, 0.0, 30_000.0, 5_000.0)
    usable = two_communities(resources=(parking,))
    candidate = two_communities(resources=(replace(parking, available=False),))

    with_it = solve(usable, time_limit=30, work_limit=5, workers=1, strategy=strategy)
    without = solve(candidate, time_limit=30, work_limit=5, workers=1, strategy=strategy)

    assert with_it.objective == pytest.approx(brute_force(usable).objective, abs=MONEY)
    assert with_it.objective < 16_000.0
    assert without.objective == pytest.approx(16_000.0, abs=MONEY)
    assert not any(p.resources for p in without.plan.packages)
    assert not evaluate(candidate, without.plan).broken


def test_a_floor_no_plan_can_reach_is_reported_with_its_numbers() -> None:
    """The only firm runs at most one package of 150 households; a floor of 100 % (200) fails
    before any search."""
    base = two_communities()
    firm = replace(base.firms[0], capacity_households=150)
    instance = replace(base, firms=(firm,), policy=replace(base.policy, min_coverage=1.0))

    result = solve(instance, time_limit=10, work_limit=3, workers=1)

    assert result.status == "infeasible" and result.plan is None
    assert any(
        "min_coverage = 1 asks for 200 of 200 households" in r and "only 150" in r
        for r in result.reasons
    ), result.reasons


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow],
)
@given(with_candidates())
def test_solve_keeps_the_floor_and_the_candidates_and_agrees_with_brute_force(
    instance: Instance,
) -> None:
    """The floor is set one household above what the best plan without it covers, so it binds:
    the optimum must cover more (and cost at least as much), or no plan exists."""
    free = brute_force(instance)
    if free.plan is None:
        return
    covered = evaluate(instance, free.plan).coverage_households
    floor = min(1.0, (covered + 1) / instance.total_households)
    instance = replace(instance, policy=replace(instance.policy, min_coverage=floor))
    best = brute_force(instance)
    note(f"floor {floor}: brute force {best.objective} with {best.plan}")
    result = solve(instance, time_limit=120, work_limit=10, workers=1)
    note(f"solve: {result.status} {result.objective} bound {result.best_bound} {result.plan}")

    if best.objective is None:
        assert result.plan is None and result.status == "infeasible"
        return
    assert best.objective >= free.objective - MONEY
    assert result.plan is not None, result.status
    ev = evaluate(instance, result.plan)
    assert not ev.broken, ev.broken
    assert ev.coverage_households >= min(covered + 1, instance.total_households)
    assert result.objective == pytest.approx(ev.objective, abs=YUAN)
    assert ev.objective >= best.objective - MONEY
    if result.status == "optimal":
        assert result.objective == pytest.approx(best.objective, abs=MONEY)
    if result.best_bound is not None:
        assert result.best_bound <= best.objective + MONEY
