"""Generalized assignment (``solve_assignment``) against exhaustive enumeration.

Instances are tiny (at most 3 agents × 5 jobs) so that every assignment, each job to one agent
or to nobody, can be enumerated: at most 4^5 = 1,024 of them.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sharedprop.models.classic.assignment import solve_assignment

SETTINGS = settings(
    max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


def brute_force(cost, weight, capacity, max_jobs=None, allowed=None, unassigned=None):
    """Minimum cost over every assignment, or None when none is feasible."""
    m, n = cost.shape
    choices = list(range(m)) + ([-1] if unassigned is not None else [])
    best = None
    for agents in itertools.product(choices, repeat=n):
        load = np.zeros(m, dtype=np.int64)
        count = np.zeros(m, dtype=np.int64)
        total = 0
        feasible = True
        for j, i in enumerate(agents):
            if i < 0:
                total += int(unassigned[j])
                continue
            if allowed is not None and not allowed[i, j]:
                feasible = False
                break
            load[i] += weight[i, j]
            count[i] += 1
            total += int(cost[i, j])
        if not feasible or (load > capacity).any():
            continue
        if max_jobs is not None and (count > max_jobs).any():
            continue
        best = total if best is None else min(best, total)
    return best


@st.composite
def instances(draw):
    m = draw(st.integers(1, 3))
    n = draw(st.integers(1, 5))
    ints = st.integers(-5, 30)
    cost = np.array(draw(st.lists(ints, min_size=m * n, max_size=m * n))).reshape(m, n)
    weight = np.array(draw(st.lists(st.integers(0, 9), min_size=m * n, max_size=m * n))).reshape(
        m, n
    )
    capacity = np.array(draw(st.lists(st.integers(0, 20), min_size=m, max_size=m)))
    max_jobs = (
        np.array(draw(st.lists(st.integers(0, 3), min_size=m, max_size=m)))
        if draw(st.booleans())
        else None
    )
    allowed = (
        np.array(draw(st.lists(st.booleans(), min_size=m * n, max_size=m * n))).reshape(m, n)
        if draw(st.booleans())
        else None
    )
    unassigned = (
        np.array(draw(st.lists(st.integers(0, 40), min_size=n, max_size=n)))
        if draw(st.booleans())
        else None
    )
    return cost, weight, capacity, max_jobs, allowed, unassigned


@SETTINGS
@given(instances())
def test_optimal_status_and_value_agree_with_enumerating_every_assignment(instance):
    cost, weight, capacity, max_jobs, allowed, unassigned = instance
    expected = brute_force(cost, weight, capacity, max_jobs, allowed, unassigned)
    result = solve_assignment(
        cost,
        weight,
        capacity,
        max_jobs=max_jobs,
        allowed=allowed,
        unassigned_cost=unassigned,
        time_limit=10,
        workers=1,
    )
    if expected is None:
        assert result.status == "infeasible"
        assert (result.agent_of == -1).all()
        return
    assert result.status == "optimal"
    assert result.objective == expected == result.bound
    # The returned assignment itself has that cost and obeys the capacities.
    agent_of = result.agent_of
    load = np.zeros(len(capacity), dtype=np.int64)
    total = 0
    for j, i in enumerate(agent_of):
        if i < 0:
            assert unassigned is not None
            total += int(unassigned[j])
        else:
            assert allowed is None or allowed[i, j]
            load[i] += weight[i, j]
            total += int(cost[i, j])
    assert total == expected
    assert (load <= capacity).all()


def test_a_job_weighs_what_it_weighs_on_the_agent_it_goes_to():
    """Job 0 fits agent 0 only by its agent-0 weight; the cheap agent 1 is too small for it."""
    cost = np.array([[5, 1], [1, 9]])
    weight = np.array([[3, 1], [8, 1]])
    capacity = np.array([4, 5])
    result = solve_assignment(cost, weight, capacity, time_limit=5, workers=1)
    assert result.status == "optimal"
    assert result.agent_of.tolist() == [0, 0]
    assert result.objective == 6


def test_a_fixed_pair_holds_even_when_it_costs_more():
    cost = np.array([[1, 1], [10, 10]])
    weight = np.ones((2, 2), dtype=int)
    result = solve_assignment(
        cost, weight, np.array([2, 2]), fixed=[(1, 1)], time_limit=5, workers=1
    )
    assert result.agent_of.tolist() == [0, 1]
    assert result.objective == 11


def test_fixing_a_job_to_a_forbidden_agent_is_infeasible():
    allowed = np.array([[True, True], [True, False]])
    result = solve_assignment(
        np.zeros((2, 2), dtype=int),
        np.ones((2, 2), dtype=int),
        np.array([2, 2]),
        allowed=allowed,
        fixed=[(1, 1)],
        time_limit=5,
        workers=1,
    )
    assert result.status == "infeasible"
    assert result.objective is None


def test_unassigned_jobs_cost_their_penalty_and_are_marked_minus_one():
    """Capacity 1 for two jobs: one must stay out; leaving the cheaper penalty out is optimal."""
    result = solve_assignment(
        np.array([[0, 0]]),
        np.array([[1, 1]]),
        np.array([1]),
        unassigned_cost=np.array([7, 3]),
        time_limit=5,
        workers=1,
    )
    assert result.agent_of.tolist() == [0, -1]
    assert result.objective == 3


def test_one_worker_and_a_seed_repeat_the_same_assignment():
    rng = np.random.default_rng(3)
    cost = rng.integers(0, 50, size=(4, 12))
    weight = rng.integers(1, 10, size=(4, 12))
    capacity = np.full(4, 20)
    runs = [
        solve_assignment(cost, weight, capacity, time_limit=10, workers=1, seed=5) for _ in range(2)
    ]
    assert runs[0].agent_of.tolist() == runs[1].agent_of.tolist()
    assert runs[0].objective == runs[1].objective


def test_progress_reports_end_with_the_proven_optimum():
    seen: list[tuple[float, int | None, int | None]] = []
    result = solve_assignment(
        np.array([[4, 2, 7], [3, 6, 1]]),
        np.ones((2, 3), dtype=int),
        np.array([2, 2]),
        time_limit=5,
        workers=1,
        on_progress=lambda s, o, b: seen.append((s, o, b)),
    )
    assert seen
    assert seen[-1][1] == result.objective == 6
    assert seen[-1][2] == 6
    assert all(a[0] <= b[0] for a, b in zip(seen, seen[1:], strict=False))


def test_money_that_is_not_integral_is_refused():
    with pytest.raises(ValueError, match="cost must hold integers"):
        solve_assignment(np.array([[1.5]]), np.array([[1]]), np.array([1]), time_limit=1)


def test_a_hint_of_the_wrong_length_is_refused():
    with pytest.raises(ValueError, match="hint must be an agent_of vector of length 2"):
        solve_assignment(
            np.zeros((1, 2), dtype=int),
            np.ones((1, 2), dtype=int),
            np.array([2]),
            hint=np.array([0]),
            time_limit=1,
        )
