"""load_instance: the contract folder read into a validated Instance, every problem reported."""

from __future__ import annotations

import os
from pathlib import Path

import networkx as nx
import pytest

from sharedprop.coords import wgs84_to_bd09, wgs84_to_gcj02
from sharedprop.errors import InstanceError
from sharedprop.geo import haversine_m
from sharedprop.io.instances import list_plan_files, load_instance


def test_tiny_instance_loads_with_typed_values_and_a_distance_graph(tiny_instance: Path) -> None:
    inst = load_instance(tiny_instance)
    assert inst.name == "tiny"
    assert [c.id for c in inst.communities] == ["C01", "C02", "C03", "C04", "C05", "C06"]
    c01 = inst.community("C01")
    assert c01.name == "安平里" and c01.street == "筼筜街道"
    assert isinstance(c01.households, int) and c01.households == 120
    assert inst.firm("F2").capacity_households == 300
    assert inst.resource("R1").annual_income == 60000
    assert [(lk.community_id, lk.firm_id, lk.rule) for lk in inst.locks] == [("C04", "F2", "must")]
    assert inst.policy.package_max_households == 300 and inst.policy.link_max_m == 800
    # Within a street the communities are ~100-250 m apart; the streets are ~800+ m apart.
    assert nx.number_connected_components(inst.graph) == 2
    assert inst.graph.has_edge("C01", "C03") and not inst.graph.has_edge("C03", "C04")
    assert inst.path == tiny_instance.resolve()


def test_optional_files_may_be_absent(tiny_files, write_instance) -> None:
    for name in ("resources", "locks", "plans/manual", "plans/manual_resources"):
        del tiny_files.tables[name]
    inst = load_instance(write_instance(tiny_files))
    assert inst.resources == () and inst.locks == ()


def test_optional_columns_are_read_and_unknown_columns_ignored(tiny_files, write_instance) -> None:
    for k, row in enumerate(tiny_files.tables["communities"]):
        row["buildings"] = k + 1
        row["built_year"] = "" if k == 0 else 1990
        row["备注"] = "ignored"
    inst = load_instance(write_instance(tiny_files))
    assert inst.community("C02").buildings == 2 and inst.community("C02").built_year == 1990
    assert inst.community("C01").built_year is None


def test_all_problems_are_reported_together_with_file_row_column_and_id(
    tiny_files, write_instance
) -> None:
    tiny_files.set("communities", 0, "households", -3)
    tiny_files.set("communities", 2, "fee_rate", "abc")
    tiny_files.set("firms", 1, "min_margin", 5)
    with pytest.raises(InstanceError) as err:
        load_instance(write_instance(tiny_files))
    problems = err.value.problems
    assert "communities.csv row 2 (id C01): households must be > 0, got -3" in problems
    assert "communities.csv row 4 (id C03): fee_rate must be a number, got 'abc'" in problems
    assert any(
        p.startswith("firms.csv row 3 (id F2): min_margin must be between 0 and 1")
        for p in problems
    )
    assert "header is row 1" in str(err.value)


def test_households_must_be_a_whole_number(tiny_files, write_instance) -> None:
    tiny_files.set("communities", 1, "households", 12.5)
    with pytest.raises(
        InstanceError, match=r"row 3 \(id C02\): households must be a whole number, got '12.5'"
    ):
        load_instance(write_instance(tiny_files))


def test_swapped_coordinates_get_a_hint(tiny_files, write_instance) -> None:
    tiny_files.set("communities", 0, "lon", 24.489)
    tiny_files.set("communities", 0, "lat", 118.11)
    with pytest.raises(
        InstanceError, match=r"row 2 \(id C01\): lat must be a latitude .*look swapped"
    ):
        load_instance(write_instance(tiny_files))


def test_percentages_are_read_as_shares(tiny_files, write_instance) -> None:
    tiny_files.set("communities", 0, "collection_rate", "70%")
    inst = load_instance(write_instance(tiny_files))
    assert inst.community("C01").collection_rate == pytest.approx(0.7)


def test_gcj02_coordinates_are_converted_to_wgs84_on_load(tiny_files, write_instance) -> None:
    """Write the tiny instance's WGS-84 points as GCJ-02; loading must give them back."""
    original = {r["id"]: (r["lon"], r["lat"]) for r in tiny_files.tables["communities"]}
    for row in tiny_files.tables["communities"]:
        row["lon"], row["lat"] = wgs84_to_gcj02(row["lon"], row["lat"])
    tiny_files.toml = tiny_files.toml.replace('coordinates = "wgs84"', 'coordinates = "gcj02"')
    inst = load_instance(write_instance(tiny_files))
    assert inst.coordinates == "wgs84"
    for c in inst.communities:
        assert haversine_m(c.lon, c.lat, *original[c.id]) < 0.01


def test_bd09_polygons_are_converted_with_their_points(tiny_files, write_instance) -> None:
    """A BD-09 square around C01 comes back as a WGS-84 square around C01's WGS-84 point."""
    import shapely

    lon, lat = 118.1100, 24.4890
    corners = [(lon - 1e-4, lat - 1e-4), (lon + 1e-4, lat - 1e-4), (lon + 1e-4, lat + 1e-4)]
    bd = [wgs84_to_bd09(x, y) for x, y in [*corners, corners[0]]]
    tiny_files.set(
        "communities", 0, "geometry_wkt", "POLYGON ((" + ", ".join(f"{x} {y}" for x, y in bd) + "))"
    )
    for row in tiny_files.tables["communities"]:
        row["lon"], row["lat"] = wgs84_to_bd09(row["lon"], row["lat"])
    tiny_files.toml = tiny_files.toml.replace('coordinates = "wgs84"', 'coordinates = "bd09"')
    inst = load_instance(write_instance(tiny_files))
    c01 = inst.community("C01")
    assert haversine_m(c01.lon, c01.lat, lon, lat) < 0.01
    poly = shapely.from_wkt(c01.geometry_wkt)
    assert shapely.get_coordinates(poly)[0] == pytest.approx([lon - 1e-4, lat - 1e-4], abs=1e-7)


def test_edges_file_replaces_the_distance_rule(tiny_files, write_instance) -> None:
    tiny_files.tables["edges"] = [
        {"source": "C01", "target": "C04", "distance_m": 950},
        {"source": "C02", "target": "C03", "distance_m": ""},
    ]
    inst = load_instance(write_instance(tiny_files))
    assert inst.graph.number_of_edges() == 2
    assert inst.graph.edges["C01", "C04"]["distance_m"] == 950
    expected = haversine_m(118.1110, 24.4897, 118.1121, 24.4902)
    assert inst.graph.edges["C02", "C03"]["distance_m"] == pytest.approx(expected)


def test_a_callers_graph_replaces_the_built_one_and_gets_missing_nodes(tiny_instance) -> None:
    g = nx.Graph([("C01", "C06")])
    inst = load_instance(tiny_instance, graph=g)
    assert set(inst.graph.edges) == {("C01", "C06")}
    assert set(inst.graph.nodes) == {"C01", "C02", "C03", "C04", "C05", "C06"}
    assert set(g.nodes) == {"C01", "C06"}  # the caller's graph is not modified


def test_a_callers_graph_with_unknown_nodes_is_refused_with_a_hint(tiny_instance) -> None:
    with pytest.raises(InstanceError, match=r"node 7, which is not a community id"):
        load_instance(tiny_instance, graph=nx.Graph([("C01", 7)]))


def test_unknown_policy_key_is_an_error_with_a_suggestion(tiny_files, write_instance) -> None:
    tiny_files.toml = tiny_files.toml.replace("link_max_m", "link_max")
    with pytest.raises(InstanceError, match=r"unknown key link_max \(did you mean link_max_m\?\)"):
        load_instance(write_instance(tiny_files))


def test_policy_key_above_its_table_is_an_error(tiny_files, write_instance) -> None:
    tiny_files.toml = "package_min_households = 10\n" + tiny_files.toml
    with pytest.raises(InstanceError, match=r"move it below \[policy\]"):
        load_instance(write_instance(tiny_files))


def test_unknown_top_level_keys_are_ignored(tiny_files, write_instance) -> None:
    tiny_files.toml = 'source = "street office survey 2024"\n' + tiny_files.toml
    assert load_instance(write_instance(tiny_files)).name == "tiny"


def test_contradicting_locks_are_reported(tiny_files, write_instance) -> None:
    tiny_files.tables["locks"].append({"community_id": "C04", "firm_id": "F2", "rule": "forbid"})
    with pytest.raises(InstanceError, match=r"locks.csv row 3 \(id C04, F2\): contradicts row 2"):
        load_instance(write_instance(tiny_files))


def test_a_path_to_instance_toml_is_accepted(tiny_instance) -> None:
    assert load_instance(tiny_instance / "instance.toml").name == "tiny"


def test_list_plan_files_skips_resource_companions_and_lock_files(tiny_instance) -> None:
    (tiny_instance / "plans" / "~$manual.xlsx").write_bytes(b"lock")
    (tiny_instance / "plans" / "notes.txt").write_text("x")
    assert [p.name for p in list_plan_files(tiny_instance)] == ["manual.csv"]
    assert [p.name for p in list_plan_files(load_instance(tiny_instance))] == ["manual.csv"]


def test_list_plan_files_leaves_out_links_pointing_outside(tiny_instance, tmp_path) -> None:
    outside = tmp_path / "elsewhere.csv"
    outside.write_text("community_id,package_id,firm_id\n")
    os.symlink(outside, tiny_instance / "plans" / "linked.csv")
    assert [p.name for p in list_plan_files(tiny_instance)] == ["manual.csv"]


def test_an_empty_optional_file_means_none(tiny_instance: Path) -> None:
    (tiny_instance / "locks.csv").write_bytes(b"")
    assert load_instance(tiny_instance).locks == ()


def test_cell_text_that_looks_like_code_or_a_formula_is_kept_as_text(
    tiny_files, write_instance
) -> None:
    """Nothing in an instance is evaluated: names are data, however they look."""
    tiny_files.set("communities", 0, "name", '=HYPERLINK("http://x")')
    tiny_files.set("firms", 0, "name", "__import__('os').system('true')")
    inst = load_instance(write_instance(tiny_files))
    assert inst.community("C01").name == '=HYPERLINK("http://x")'
    assert inst.firm("F1").name == "__import__('os').system('true')"


def test_a_euclidean_instance_takes_planar_metres_and_links_by_planar_distance(
    tiny_files, write_instance
) -> None:
    """Benchmark adapters use planar coordinates: no latitude range, plain Euclidean links."""
    tiny_files.toml = tiny_files.toml.replace('distance = "haversine"', 'distance = "euclidean"')
    for k, row in enumerate(tiny_files.tables["communities"]):
        row["lon"], row["lat"] = 500.0 * k, 1000.0  # 500 m apart on a line
    for table in ("firms", "resources"):
        for row in tiny_files.tables[table]:
            row["lon"], row["lat"] = 1000.0, 120.0
    inst = load_instance(write_instance(tiny_files))
    assert inst.distance == "euclidean"
    assert inst.graph.edges["C01", "C02"]["distance_m"] == 500.0
    assert not inst.graph.has_edge("C01", "C03")  # 1,000 m > link_max_m = 800


def test_problems_come_in_chinese_when_asked(tiny_files, write_instance) -> None:
    tiny_files.set("communities", 0, "households", -3)
    tiny_files.set("communities", 1, "id", "")
    with pytest.raises(InstanceError) as err:
        load_instance(write_instance(tiny_files), lang="zh")
    assert err.value.problems == (
        "communities.csv 第 2 行（编号 C01）：households 必须 > 0，实际为 -3",
        "communities.csv 第 3 行：id 为空；请为每个小区填写唯一编号",
    )
    assert str(err.value).startswith("发现 2 个问题：")
    assert str(err.value).endswith("表头为第 1 行，第一行数据为第 2 行。")
