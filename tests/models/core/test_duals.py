"""Duals.mix, the smoothed point between a stability centre and newer LP duals.

Fixture: hand-made duals of 3 communities, 2 firms and 1 resource, with one subset-row cut and
one capacity cut added after the centre.
"""

import numpy as np

from sharedprop.models.core.duals import Duals, WeightCut


def _duals(shift: float, cuts: int, weight_cuts: int) -> Duals:
    triples = ((0, 1, 2), (0, 1, 3))[:cuts]
    capacity = (WeightCut(0, 100, 2), WeightCut(1, 80, 3))[:weight_cuts]
    return Duals(
        community=np.array([1.0, 2.0, 3.0]) + shift,
        capacity=np.array([-0.5, -0.25]) - shift,
        count=np.array([-1.0, 0.0]) - shift,
        resource=np.array([-2.0]) - shift,
        cuts=triples,
        cut=np.full(cuts, -4.0 - shift),
        weight_cuts=capacity,
        weight_cut=np.full(weight_cuts, -8.0 - shift),
    )


def test_mixing_weighs_every_shared_row_by_alpha() -> None:
    centre, lp = _duals(0.0, 1, 1), _duals(2.0, 1, 1)
    mid = centre.mix(lp, 0.25)
    np.testing.assert_allclose(mid.community, [2.5, 3.5, 4.5])
    np.testing.assert_allclose(mid.capacity, [-2.0, -1.75])
    np.testing.assert_allclose(mid.resource, [-3.5])
    np.testing.assert_allclose(mid.cut, [-5.5])
    np.testing.assert_allclose(mid.weight_cut, [-9.5])
    assert mid.option is None


def test_a_subset_row_cut_newer_than_the_centre_takes_the_newer_dual() -> None:
    mid = _duals(0.0, 1, 0).mix(_duals(2.0, 2, 0), 0.5)
    assert mid.cuts == ((0, 1, 2), (0, 1, 3))
    np.testing.assert_allclose(mid.cut, [-5.0, -6.0])


def test_a_capacity_cut_newer_than_the_centre_counts_zero_there() -> None:
    mid = _duals(0.0, 0, 1).mix(_duals(2.0, 0, 2), 0.5)
    assert mid.weight_cuts == (WeightCut(0, 100, 2), WeightCut(1, 80, 3))
    np.testing.assert_allclose(mid.weight_cut, [-9.0, -5.0])


def test_an_option_row_only_one_point_has_counts_zero_at_the_other() -> None:
    lp = _duals(0.0, 0, 0)
    lp.option = np.array([2.0, 0.0, 4.0])
    mid = _duals(0.0, 0, 0).mix(lp, 0.5)
    assert mid.option is not None
    np.testing.assert_allclose(mid.option, [1.0, 0.0, 2.0])
