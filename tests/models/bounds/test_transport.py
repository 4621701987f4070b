"""The transportation-LP bound (``sharedprop.models.bounds``) against exhaustive search.

``brute_force`` scores every plan with ``sharedprop.evaluate`` (tests/models/brute_force.py), so
a bound above its optimum would be a wrong relaxation, whatever the engine believes.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, note, settings

from sharedprop import Instance
from sharedprop.models.bounds.transport import capacity_bound, capacity_relaxation
from sharedprop.models.core.problem import problem_from_instance
from tests.models.brute_force import brute_force
from tests.models.test_brute_force import two_communities
from tests.models.tiny_instances import instances


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow],
)
@given(instances())
def test_the_bound_never_exceeds_the_brute_force_optimum(instance: Instance) -> None:
    problem, _ = problem_from_instance(instance)
    bound = capacity_bound(problem)
    best = brute_force(instance)
    note(f"bound {bound}, optimum {best.objective}")
    if bound is not None and best.objective is not None:
        assert bound <= best.objective + 1e-6


def test_the_bound_is_tight_when_one_full_package_is_the_whole_answer() -> None:
    """``two_communities`` with packages of at most 200 households: the optimum leaves both out
    (16,000; one package of both costs 18,000). The relaxation charges a covered community
    100·100 + 10,000·100/200 − 6,000 = 9,000, above its fallback of 8,000, so it leaves both out
    too: 16,000."""
    instance = two_communities()
    policy = replace(instance.policy, package_max_households=200)
    problem, _ = problem_from_instance(replace(instance, policy=policy))
    assert capacity_bound(problem) == pytest.approx(16_000.0)


def test_without_any_possible_package_the_bound_is_the_all_uncovered_plan() -> None:
    base = two_communities()
    firm = replace(base.firms[0], max_packages=0)
    problem, _ = problem_from_instance(replace(base, firms=(firm,)))
    assert capacity_bound(problem) == pytest.approx(16_000.0)


def test_a_must_cover_community_no_package_can_hold_leaves_no_bound() -> None:
    base = two_communities(allow_uncovered=False)
    firm = replace(base.firms[0], max_packages=0)
    problem, _ = problem_from_instance(replace(base, firms=(firm,)))
    assert capacity_bound(problem) is None


@settings(max_examples=20, deadline=None, derandomize=True, phases=[Phase.generate])
@given(instances())
def test_the_lp_gives_no_firm_more_households_than_it_may_serve(instance: Instance) -> None:
    problem, _ = problem_from_instance(instance)
    relaxed = capacity_relaxation(problem)
    if relaxed is None:
        return
    everyone = np.arange(problem.n)
    load = relaxed.firm_households(problem.weight, everyone, problem.m)
    assert np.all(load <= problem.firm_capacity + 1e-6)
    per_community = np.zeros(problem.n)
    np.add.at(per_community, relaxed.community, relaxed.share)
    assert np.all(per_community <= 1 + 1e-6)
    assert relaxed.bound == pytest.approx(capacity_bound(problem))
