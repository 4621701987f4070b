"""plan.geojson: an RFC 7946 FeatureCollection that GIS tools open, checked by hand with shapely.

Fixture: ``tests/data/tiny-street`` with the plan ``tiny-street-better.csv`` (3 packages, C9
uncovered, R1 and R2 bundled, R3 not) — see ``test_workbook.py``.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from shapely.geometry import shape

from sharedprop import load_instance, read_plan
from sharedprop.data import Community, Firm, Instance
from sharedprop.evaluate import evaluate
from sharedprop.plan import Package, Plan
from sharedprop.report.geojson import feature_collection, geojson_text

DATA = Path(__file__).resolve().parents[1] / "data"
KINDS = {"community", "package", "hub", "firm", "resource"}


@pytest.fixture(scope="module")
def street():
    return load_instance(DATA / "tiny-street")


@pytest.fixture(scope="module")
def collection(street):
    plan = read_plan(DATA / "tiny-street-better.csv", street)
    return json.loads(geojson_text(street, plan, evaluate(street, plan)))


def _rings(geometry: dict) -> list[list[list[float]]]:
    if geometry["type"] == "Polygon":
        return geometry["coordinates"]
    if geometry["type"] == "MultiPolygon":
        return [ring for poly in geometry["coordinates"] for ring in poly]
    return []


def test_it_is_a_feature_collection_whose_features_all_have_geometry_and_properties(collection):
    assert collection["type"] == "FeatureCollection"
    for feat in collection["features"]:
        assert feat["type"] == "Feature"
        assert isinstance(feat["properties"], dict) and feat["properties"]["kind"] in KINDS
        geom = shape(feat["geometry"])  # shapely parses every geometry back
        assert geom.is_valid and not geom.is_empty


def test_points_are_longitude_then_latitude(collection):
    for feat in collection["features"]:
        if feat["geometry"]["type"] == "Point":
            lon, lat = feat["geometry"]["coordinates"]
            assert 118.0 < lon < 118.2 and 24.4 < lat < 24.6


def test_package_areas_are_closed_counter_clockwise_rings_containing_their_members(collection):
    feats = collection["features"]
    packages = [f for f in feats if f["properties"]["kind"] == "package"]
    assert [f["properties"]["id"] for f in packages] == ["P1", "P2", "P3"]
    points = {
        f["properties"]["id"]: shape(f["geometry"])
        for f in feats
        if f["properties"]["kind"] == "community"
    }
    for f in packages:
        assert f["geometry"]["type"] == "Polygon"
        for ring in _rings(f["geometry"]):
            assert ring[0] == ring[-1] and len(ring) >= 4
        area = shape(f["geometry"])
        assert area.exterior.is_ccw  # RFC 7946 right-hand rule
        assert all(area.contains(points[m]) for m in f["properties"]["members"])


def test_communities_carry_their_package_and_firm_and_the_uncovered_one_carries_none(collection):
    props = {
        f["properties"]["id"]: f["properties"]
        for f in collection["features"]
        if f["properties"]["kind"] == "community"
    }
    assert len(props) == 9
    assert (props["C4"]["package_id"], props["C4"]["firm_id"]) == ("P2", "F1")
    assert props["C4"]["name"] == "=1+2小区"
    assert props["C9"]["package_id"] is None and props["C9"]["firm_id"] is None
    assert props["C2"]["is_hub"] is True


def test_hubs_firms_and_resources_are_features_with_their_plan_properties(collection):
    by_kind: dict[str, list[dict]] = {}
    for f in collection["features"]:
        by_kind.setdefault(f["properties"]["kind"], []).append(f["properties"])
    assert sorted(h["id"] for h in by_kind["hub"]) == ["C2", "C4", "C7"]
    assert {f["id"]: f["packages"] for f in by_kind["firm"]} == {
        "F1": ["P1", "P2"], "F2": ["P3"], "F3": []
    }  # fmt: skip
    assert {r["id"]: r["package_id"] for r in by_kind["resource"]} == {
        "R1": "P1", "R2": "P3", "R3": None
    }  # fmt: skip


def test_the_text_is_strict_json_with_chinese_kept_readable(street):
    plan = read_plan(DATA / "tiny-street-better.csv", street)
    text = geojson_text(street, plan, evaluate(street, plan))
    assert "槟榔东里" in text and "NaN" not in text


def test_a_planar_instance_keeps_its_coordinates_and_says_they_are_not_wgs84():
    """Two points 3 km apart in planar metres, one package of both, served by one firm."""
    comms = tuple(
        Community(cid, cid, "S", "N", x, 1000.0, 10, 500.0, 0.5, 0.6)
        for cid, x in (("A", 1000.0), ("B", 4000.0))
    )
    firm = Firm("F", "F", 2500.0, 0.0, 100, 1, 1e9, 1000.0, 10.0, 1.0, 0.0)
    inst = Instance("planar", comms, (firm,), distance="euclidean")
    plan = Plan((Package("P", "F", ("A", "B"), "A"),))
    fc = feature_collection(inst, plan, evaluate(inst, plan))
    assert fc["sharedprop"]["planar"] is True
    assert "NOT WGS-84" in fc["sharedprop"]["coordinates"]
    pts = {
        f["properties"]["id"]: f["geometry"]["coordinates"]
        for f in fc["features"]
        if f["properties"]["kind"] == "community"
    }
    assert pts == {"A": [1000.0, 1000.0], "B": [4000.0, 1000.0]}


def test_community_polygons_from_wkt_are_written_as_polygons(street):
    c1 = street.community("C1")
    square = (
        f"POLYGON(({c1.lon - 0.0002} {c1.lat - 0.0002}, {c1.lon - 0.0002} {c1.lat + 0.0002}, "
        f"{c1.lon + 0.0002} {c1.lat + 0.0002}, {c1.lon + 0.0002} {c1.lat - 0.0002}, "
        f"{c1.lon - 0.0002} {c1.lat - 0.0002}))"
    )  # clockwise on purpose: the writer must turn it counter-clockwise
    comms = tuple(
        replace(c, geometry_wkt=square) if c.id == "C1" else c for c in street.communities
    )
    inst = replace(street, communities=comms, graph=street.graph.copy())
    fc = feature_collection(inst, None, None)
    feat = next(f for f in fc["features"] if f["properties"].get("id") == "C1")
    assert feat["geometry"]["type"] == "Polygon"
    assert shape(feat["geometry"]).exterior.is_ccw
