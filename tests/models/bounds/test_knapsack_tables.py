"""The compiled 0-1 knapsack tables against every subset.

Fixtures: random knapsacks of 9–12 items (values of both signs, integer weights), small
enough to list every subset.
"""

from itertools import combinations

import numpy as np
import pytest

from sharedprop.models.bounds.knapsack_tables import knapsack_rows, option_minima
from sharedprop.models.bounds.without_contiguity import knapsack_exact


def _best(
    vals: np.ndarray,
    w: np.ndarray,
    cap: int,
    allowed: np.ndarray | None = None,
    pen: np.ndarray | None = None,
) -> float:
    """Min Σ vals (+ pen[Σ w]) over every allowed subset within ``cap``, by listing them."""
    idx = [j for j in range(len(vals)) if allowed is None or allowed[j]]
    return min(
        float(vals[list(s)].sum()) + (float(pen[int(w[list(s)].sum())]) if pen is not None else 0.0)
        for r in range(len(idx) + 1)
        for s in combinations(idx, r)
        if w[list(s)].sum() <= cap
    )


def _assert_every_row_finds_its_best_subset(
    vals: np.ndarray, w: np.ndarray, cap: int, pen: np.ndarray
) -> None:
    """knapsack_rows's minimum of each row is the listed best, and its chosen set attains it
    within ``cap`` (paying the penalty of its own weight)."""
    mins, chosen = knapsack_rows(vals, w, cap, pen)
    for r in range(len(vals)):
        best = _best(vals[r], w, cap, pen=pen)
        assert mins[r] == pytest.approx(best)
        weight = int(w[chosen[r]].sum())
        assert weight <= cap
        assert float(vals[r][chosen[r]].sum()) + float(pen[weight]) == pytest.approx(best)


@pytest.mark.parametrize("seed", range(5))
def test_the_knapsack_finds_the_best_subset_within_the_households(seed: int) -> None:
    rng = np.random.default_rng(seed)
    vals = rng.normal(-5.0, 8.0, 9)
    w = rng.integers(10, 120, 9)
    cap = int(rng.integers(100, 400))
    value, chosen = knapsack_exact(vals, w, cap)
    best = _best(vals, w, cap)
    assert value == pytest.approx(best)
    assert float(vals[chosen].sum()) == pytest.approx(best)
    assert int(w[chosen].sum()) <= cap


@pytest.mark.parametrize("seed", range(5))
def test_the_knapsack_solves_every_row_as_if_alone(seed: int) -> None:
    rng = np.random.default_rng(seed)
    vals = rng.normal(-3.0, 8.0, (4, 12))
    w = rng.integers(5, 90, 12)
    cap = int(rng.integers(60, 300))
    mins, chosen = knapsack_rows(vals, w, cap)
    for r in range(4):
        alone, _ = knapsack_exact(vals[r], w, cap)
        assert mins[r] == pytest.approx(alone)
        assert float(vals[r][chosen[r]].sum()) == pytest.approx(alone)
        assert int(w[chosen[r]].sum()) <= cap


@pytest.mark.parametrize("seed", range(6))
def test_with_room_to_spare_or_weightless_items_the_rows_still_find_the_best_subset(
    seed: int,
) -> None:
    """The tables stop each item's pass at the heaviest set so far (knapsack_dp): here the
    room exceeds every set, or items weigh nothing, so that reach stays below the room."""
    rng = np.random.default_rng(100 + seed)
    w = rng.integers(0, 30, 10)
    w[rng.random(10) < 0.3] = 0
    cap = int(w.sum()) + int(rng.integers(0, 20)) if seed % 2 else int(rng.integers(0, 60))
    vals = rng.normal(-2.0, 5.0, (3, 10))
    pen = np.sort(rng.uniform(0.0, 4.0, cap + 1))
    _assert_every_row_finds_its_best_subset(vals, w, cap, pen)


def test_an_item_heavier_than_the_capacity_is_never_chosen() -> None:
    mins, chosen = knapsack_rows(np.array([[-100.0, -1.0]]), np.array([50, 5]), 10)
    assert mins[0] == pytest.approx(-1.0)
    assert chosen[0].tolist() == [False, True]


@pytest.mark.parametrize("seed", range(4))
def test_option_minima_take_each_row_with_its_own_items_weights_and_capacity(seed: int) -> None:
    rng = np.random.default_rng(seed)
    vals = rng.normal(-2.0, 6.0, (6, 10))
    weights = rng.integers(1, 15, (6, 10))
    mask = rng.random((6, 10)) < 0.7
    caps = rng.integers(0, 40, 6)
    got = option_minima(vals, weights, mask, caps)
    for o in range(6):
        assert got[o] == pytest.approx(_best(vals[o], weights[o], int(caps[o]), mask[o]))


def test_a_negative_weight_or_capacity_is_refused_with_its_name() -> None:
    with pytest.raises(ValueError, match="weights must be >= 0"):
        knapsack_rows(np.array([[-1.0]]), np.array([-2]), 5)
    with pytest.raises(ValueError, match="capacity must be >= 0, got -1"):
        knapsack_rows(np.array([[-1.0]]), np.array([2]), -1)
    with pytest.raises(ValueError, match="do not match 2 weights"):
        knapsack_rows(np.array([[-1.0]]), np.array([2, 3]), 5)
    with pytest.raises(ValueError, match="capacities and weights must be >= 0"):
        option_minima(np.array([[-1.0]]), np.array([[1]]), np.array([[True]]), np.array([-1]))


def _steps(rng: np.random.Generator, width: int) -> np.ndarray:
    """A random non-decreasing step penalty over weights 0 … width − 1 (a capacity cut's)."""
    pen = np.zeros(width)
    for at in rng.integers(0, width, 3):
        pen[at:] += rng.uniform(1.0, 15.0)
    return pen


@pytest.mark.parametrize("seed", range(6))
def test_a_weight_penalty_is_paid_by_the_weight_of_the_set_chosen(seed: int) -> None:
    """The penalty can make a lighter set the best: the table's cells below the capacity."""
    rng = np.random.default_rng(seed)
    vals = rng.normal(-6.0, 8.0, (3, 10))
    w = rng.integers(5, 60, 10)
    cap = int(rng.integers(60, 250))
    pen = _steps(rng, cap + 1)
    _assert_every_row_finds_its_best_subset(vals, w, cap, pen)


@pytest.mark.parametrize("seed", range(4))
def test_option_minima_pay_each_rows_own_weight_penalty(seed: int) -> None:
    rng = np.random.default_rng(seed)
    vals = rng.normal(-4.0, 6.0, (6, 10))
    weights = rng.integers(1, 15, (6, 10))
    mask = rng.random((6, 10)) < 0.7
    caps = rng.integers(0, 40, 6)
    pen = np.array([_steps(rng, int(caps.max()) + 1) for _ in range(6)])
    got = option_minima(vals, weights, mask, caps, pen)
    for o in range(6):
        best = _best(vals[o], weights[o], int(caps[o]), mask[o], pen[o])
        assert got[o] == pytest.approx(best)


def test_a_penalty_of_the_wrong_length_is_refused() -> None:
    with pytest.raises(ValueError, match="penalty needs 6 values"):
        knapsack_rows(np.array([[-1.0]]), np.array([2]), 5, np.zeros(3))
    with pytest.raises(ValueError, match=r"penalty needs shape \(1, 6\)"):
        option_minima(
            np.array([[-1.0]]), np.array([[2]]), np.array([[True]]), np.array([5]), np.zeros((1, 2))
        )
