"""The local projection the map and the package areas use."""

from __future__ import annotations

import numpy as np
import pytest
from shapely.geometry import Point

from sharedprop.geo import haversine_m
from sharedprop.report.projection import LocalProjection


def test_distances_in_projected_metres_match_the_great_circle_within_a_metre_over_two_km():
    proj = LocalProjection(118.11, 24.49)
    a, b = (118.100, 24.480), (118.118, 24.492)
    (xa, ya), (xb, yb) = proj.forward(*a), proj.forward(*b)
    assert np.hypot(xb - xa, yb - ya) == pytest.approx(haversine_m(*a, *b), abs=1.0)


def test_to_metres_and_back_is_the_identity():
    proj = LocalProjection(118.11, 24.49)
    geom = Point(118.12, 24.50).buffer(0.001)
    back = proj.to_lonlat(proj.to_metres(geom))
    assert back.equals_exact(geom, tolerance=1e-9)


def test_a_planar_projection_leaves_coordinates_alone():
    proj = LocalProjection(0.0, 0.0, planar=True)
    assert proj.forward(1500.0, -20.0) == (1500.0, -20.0)
