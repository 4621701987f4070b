"""One round of exact pricing (models/colgen/exact_round.py).

Fixture: the shipped pilot at the duals of tests/models/pilot_duals.py (seed 7), where many
options have packages of negative reduced cost; the cheap bounds are the knapsack relaxation.
"""

import numpy as np
import pytest

from sharedprop.models.colgen.exact_round import ExactRoundSettings, exact_round
from sharedprop.models.colgen.option_bounds import FlatOptions
from sharedprop.models.colgen.pricing import exact_price
from sharedprop.models.colgen.reduced_cost import EPS, PricingCache
from sharedprop.models.core.clock import Clock
from tests.models.pilot_duals import pilot_duals


@pytest.fixture(scope="module")
def priced():
    problem, duals = pilot_duals(7)
    return problem, duals, FlatOptions(problem).bounds(duals)


def _round(priced, **kw):
    problem, duals, relax = priced
    kept = []
    result = exact_round(
        problem,
        duals,
        relax,
        PricingCache(problem),
        Clock(deterministic=True),
        deadline=1e9,
        stop=lambda: False,
        keep=lambda c: kept.append(c) or True,
        **kw,
    )
    return result, kept


def test_a_complete_round_gives_each_negative_option_its_exact_minimum(priced) -> None:
    problem, duals, relax = priced
    result, kept = _round(priced, enough=10**6, settings=ExactRoundSettings(per_call=30.0))
    assert result.complete
    cache = PricingCache(problem)
    negative = np.flatnonzero(relax < -EPS)
    assert result.priced == len(negative) > 0
    for o in negative:
        best = exact_price(problem, duals, int(o), cache, time_limit=30.0)
        assert result.bounds[o] == pytest.approx(max(relax[o], best.lower_bound), abs=1e-6)
    assert [c.key for c in kept] == [c.key for c in result.columns]
    assert all(duals.reduced_cost(problem, c) < -EPS for c in kept)


def test_pricing_side_by_side_gives_what_pricing_one_by_one_gives(priced) -> None:
    one, _ = _round(priced, enough=10**6, settings=ExactRoundSettings(per_call=30.0, batch=8))
    two, _ = _round(
        priced, enough=10**6, settings=ExactRoundSettings(workers=2, batch=8, per_call=30.0)
    )
    np.testing.assert_array_equal(one.bounds, two.bounds)
    assert [c.key for c in one.columns] == [c.key for c in two.columns]


def test_a_round_stops_once_enough_columns_are_kept_and_says_it_is_incomplete(priced) -> None:
    result, kept = _round(priced, enough=1, settings=ExactRoundSettings(per_call=30.0))
    assert not result.complete
    assert result.kept == len(kept) >= 1
    assert result.priced < int((priced[2] < -EPS).sum())


def test_settings_out_of_range_are_refused_by_name() -> None:
    with pytest.raises(ValueError, match=r"ExactRoundSettings\.batch must be at least 1, not 0"):
        ExactRoundSettings(batch=0)
