"""WGS-84 <-> GCJ-02 <-> BD-09: the published vector and round trips within a metre."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sharedprop.coords import (
    bd09_to_gcj02,
    bd09_to_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    in_china,
    to_wgs84,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)
from sharedprop.geo import haversine_m

# Beijing railway station as published (geoChina, from Baidu's API): the figures are rounded to
# 5 decimals, and the standard formula agrees with them to within one unit of the last decimal
# (about 1 m), so that is the tolerance.
WGS = (116.42079, 39.90105)
GCJ = (116.42703, 39.90245)
BD = (116.43351, 39.90851)
LAST_DECIMAL = 1.5e-5


def test_wgs84_to_gcj02_matches_the_published_vector() -> None:
    assert wgs84_to_gcj02(*WGS) == pytest.approx(GCJ, abs=LAST_DECIMAL)


def test_gcj02_to_bd09_matches_the_published_vector() -> None:
    assert gcj02_to_bd09(*GCJ) == pytest.approx(BD, abs=LAST_DECIMAL)
    assert wgs84_to_bd09(*WGS) == pytest.approx(BD, abs=LAST_DECIMAL)


def test_published_bd09_converts_back_to_wgs84_within_two_metres() -> None:
    assert haversine_m(*bd09_to_wgs84(*BD), *WGS) < 2.0
    assert haversine_m(*gcj02_to_wgs84(*GCJ), *WGS) < 2.0


def test_iterated_inverses_undo_the_forward_transforms_to_a_centimetre() -> None:
    gcj = wgs84_to_gcj02(*WGS)
    assert haversine_m(*gcj02_to_wgs84(*gcj), *WGS) < 0.01
    assert haversine_m(*bd09_to_gcj02(*gcj02_to_bd09(*gcj)), *gcj) < 0.01


@settings(max_examples=200, deadline=None)
@given(lon=st.floats(73.0, 135.0), lat=st.floats(3.0, 53.0))
def test_round_trips_anywhere_in_china_stay_within_one_metre(lon: float, lat: float) -> None:
    assert haversine_m(*gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat)), lon, lat) < 1.0
    assert haversine_m(*bd09_to_wgs84(*wgs84_to_bd09(lon, lat)), lon, lat) < 1.0


def test_outside_china_gcj02_is_wgs84() -> None:
    paris = (2.3522, 48.8566)
    assert not in_china(*paris)
    assert wgs84_to_gcj02(*paris) == paris
    assert gcj02_to_wgs84(*paris) == paris


def test_arrays_convert_element_by_element() -> None:
    lon = np.array([WGS[0], 118.11, 2.35])
    lat = np.array([WGS[1], 24.49, 48.86])
    glon, glat = wgs84_to_gcj02(lon, lat)
    assert (glon[0], glat[0]) == pytest.approx(wgs84_to_gcj02(*WGS))
    assert (glon[2], glat[2]) == (2.35, 48.86)
    wlon, wlat = to_wgs84("gcj02", glon, glat)
    assert np.allclose(wlon, lon, atol=1e-8) and np.allclose(wlat, lat, atol=1e-8)


def test_unknown_coordinate_system_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown coordinate system 'utm'"):
        to_wgs84("utm", 1.0, 2.0)
