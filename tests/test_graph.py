"""The proximity graph: point rule exact, polygons by spatial index, edges.csv as given."""

from __future__ import annotations

import numpy as np
import pytest

from sharedprop.data import Community
from sharedprop.errors import InstanceError
from sharedprop.geo import distance_matrix, haversine_m
from sharedprop.graph import build_proximity_graph, pairs_within


def _community(cid: str, lon: float, lat: float, wkt: str | None = None) -> Community:
    return Community(cid, cid, "s", "n", lon, lat, 50, 3000.0, 0.5, 0.7, geometry_wkt=wkt)


def _square(lon: float, lat: float, half_deg: float) -> str:
    x0, x1, y0, y1 = lon - half_deg, lon + half_deg, lat - half_deg, lat + half_deg
    return f"POLYGON (({x0} {y0}, {x1} {y0}, {x1} {y1}, {x0} {y1}, {x0} {y0}))"


@pytest.mark.parametrize("kind", ["haversine", "euclidean"])
def test_point_links_are_exactly_the_pairs_within_the_limit(kind: str) -> None:
    """Against the all-pairs matrix on 400 random points (Xiamen-sized area, or metres)."""
    rng = np.random.default_rng(7)
    scale = (0.05, 0.05) if kind == "haversine" else (5000.0, 5000.0)
    lon = (118.1 if kind == "haversine" else 0) + rng.random(400) * scale[0]
    lat = (24.48 if kind == "haversine" else 0) + rng.random(400) * scale[1]
    i, j, d = pairs_within(kind, lon, lat, 600.0)
    full = distance_matrix(kind, lon, lat, lon, lat)
    expected = {(a, b) for a, b in zip(*np.nonzero(full <= 600.0), strict=True) if a < b}
    assert set(zip(i.tolist(), j.tolist(), strict=True)) == expected
    assert np.allclose(d, full[i, j])


def test_pairs_within_works_at_high_latitude_where_degrees_of_longitude_shrink() -> None:
    lon = np.array([20.0, 20.035, 20.2])
    lat = np.array([69.0, 69.0, 69.0])
    i, j, _ = pairs_within("haversine", lon, lat, 1500.0)
    assert haversine_m(20.0, 69.0, 20.035, 69.0) < 1500  # 0.035 deg: 1,394 m here
    assert list(zip(i.tolist(), j.tolist(), strict=True)) == [(0, 1)]


def test_built_edges_carry_the_point_distance_and_every_community_is_a_node() -> None:
    cs = [
        _community("A", 118.11, 24.49),
        _community("B", 118.112, 24.49),
        _community("C", 118.2, 24.49),
    ]
    g = build_proximity_graph(cs, "haversine", 800.0)
    assert set(g.nodes) == {"A", "B", "C"}
    assert list(g.edges) == [("A", "B")]
    assert g.edges["A", "B"]["distance_m"] == pytest.approx(
        haversine_m(118.11, 24.49, 118.112, 24.49)
    )


def test_the_limit_is_inclusive() -> None:
    cs = [_community("A", 0.0, 0.0), _community("B", 800.0, 0.0)]
    assert build_proximity_graph(cs, "euclidean", 800.0).has_edge("A", "B")


def test_polygons_link_when_they_touch_even_if_their_points_are_far_apart() -> None:
    """Two 1.1 km squares side by side: points ~1.1 km apart, polygons share an edge."""
    h = 0.005
    cs = [
        _community("A", 118.10, 24.49, _square(118.10, 24.49, h)),
        _community("B", 118.11, 24.49, _square(118.11, 24.49, h)),
        _community("C", 118.13, 24.49, _square(118.13, 24.49, h)),
    ]
    g = build_proximity_graph(cs, "haversine", 100.0)
    assert set(g.edges) == {("A", "B")}
    assert g.edges["A", "B"]["distance_m"] == pytest.approx(
        haversine_m(118.10, 24.49, 118.11, 24.49)
    )


def test_polygons_link_within_the_limit_measured_in_local_metres() -> None:
    """Gap between squares B and C is 0.01 deg of longitude at 24.49 N, about 1,012 m."""
    h = 0.005
    cs = [_community("B", 118.11, 24.49, _square(118.11, 24.49, h)),
          _community("C", 118.13, 24.49, _square(118.13, 24.49, h))]  # fmt: skip
    assert not build_proximity_graph(cs, "haversine", 1000.0).has_edge("B", "C")
    assert build_proximity_graph(cs, "haversine", 1025.0).has_edge("B", "C")


def test_invalid_wkt_names_the_community() -> None:
    with pytest.raises(InstanceError, match=r"community A: geometry_wkt is not valid WKT"):
        build_proximity_graph(
            [_community("A", 118.1, 24.5, "POLYGON ((1 2, 3")], "haversine", 800.0
        )


def test_given_edges_replace_the_distance_rule_and_must_name_communities() -> None:
    cs = [
        _community("A", 118.11, 24.49),
        _community("B", 118.112, 24.49),
        _community("C", 118.2, 24.49),
    ]
    g = build_proximity_graph(cs, "haversine", 800.0, edges=[("A", "C", 12.0)])
    assert set(g.edges) == {("A", "C")} and g.edges["A", "C"]["distance_m"] == 12.0
    with pytest.raises(InstanceError, match=r"edge \(A, Z\): 'Z' is not a community id"):
        build_proximity_graph(cs, "haversine", 800.0, edges=[("A", "Z", None)])


def test_twenty_thousand_communities_build_without_comparing_all_pairs() -> None:
    """400 M pairs would take minutes and gigabytes; the index makes it a fraction of that.

    No timing assertion: the test checks the result against a sample of exact distances.
    """
    rng = np.random.default_rng(1)
    n = 20_000
    lon, lat = 118.0 + rng.random(n) * 0.4, 24.4 + rng.random(n) * 0.3
    cs = [_community(f"C{k}", float(lon[k]), float(lat[k])) for k in range(n)]
    g = build_proximity_graph(cs, "haversine", 300.0)
    assert g.number_of_nodes() == n
    sample = rng.choice(n, 50, replace=False)
    d = distance_matrix("haversine", lon[sample], lat[sample], lon, lat)
    for row, k in enumerate(sample):
        near = {f"C{m}" for m in np.nonzero(d[row] <= 300.0)[0] if m != k}
        assert set(g.neighbors(f"C{k}")) == near
