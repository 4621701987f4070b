"""The synthetic instance generator: deterministic files in the contract format, Xiamen-like
numbers, and a manual plan that breaks no rule.

Instances are small (20–120 communities) except one 2,000-community draw that checks the
household distribution; each is generated once per module into a temporary folder.
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

from sharedprop.evaluate import evaluate
from sharedprop.generate import generate_instance
from sharedprop.geo import haversine_m
from sharedprop.io.instances import load_instance
from sharedprop.io.plans import read_plan
from sharedprop.manual import manual_plan

SIZES = {"communities": 120, "streets": 3, "firms": 8, "resources": 6, "seed": 11}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_instance(tmp_path_factory.mktemp("gen") / "inst", **SIZES)


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("large") / "inst"
    return generate_instance(out, communities=2000, streets=10, firms=12, resources=0, seed=5)


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_same_seed_gives_byte_identical_files(generated: Path, tmp_path: Path) -> None:
    again = generate_instance(tmp_path / "again", **SIZES)
    assert _files(again) == _files(generated)


def test_another_seed_gives_other_communities(generated: Path, tmp_path: Path) -> None:
    other = generate_instance(tmp_path / "other", **{**SIZES, "seed": 12})
    assert (other / "communities.csv").read_bytes() != (generated / "communities.csv").read_bytes()


def test_the_folder_holds_the_contract_files_and_nothing_else(generated: Path) -> None:
    assert sorted(_files(generated)) == [
        "communities.csv",
        "firms.csv",
        "instance.toml",
        "plans/manual.csv",
        "plans/manual_resources.csv",
        "resources.csv",
    ]
    assert list(pd.read_csv(generated / "plans" / "manual.csv").columns) == [
        "community_id",
        "package_id",
        "firm_id",
        "hub_id",
    ]


def test_sizes_and_ids_follow_the_arguments(generated: Path) -> None:
    comm = pd.read_csv(generated / "communities.csv")
    firms = pd.read_csv(generated / "firms.csv")
    res = pd.read_csv(generated / "resources.csv")
    assert list(comm["id"]) == [f"C{i:04d}" for i in range(1, 121)]
    assert list(firms["id"]) == [f"F{i:02d}" for i in range(1, 9)]
    assert list(res["id"]) == [f"R{i:02d}" for i in range(1, 7)]
    assert comm["street"].nunique() == 3
    assert comm.groupby("street").size().tolist() == [40, 40, 40]
    assert comm["name"].is_unique


def test_without_resources_no_resources_file_is_written(large: Path) -> None:
    assert not (large / "resources.csv").exists()


def test_community_numbers_lie_in_the_estimated_ranges(generated: Path) -> None:
    comm = pd.read_csv(generated / "communities.csv")
    assert comm["households"].between(12, 600).all()
    per_flat = comm["floor_area_m2"] / comm["households"]
    # Floor area is rounded to the square metre, hence the half-metre slack per household.
    assert per_flat.between(50 - 0.5 / 12, 80 + 0.5 / 12).all()
    assert comm["fee_rate"].between(0.30, 0.80).all()
    assert comm["collection_rate"].between(0.50, 0.75).all()
    assert comm["lat"].between(24.3, 24.7).all() and comm["lon"].between(117.9, 118.3).all()


def test_households_are_log_normal_with_median_near_60(large: Path) -> None:
    hh = pd.read_csv(large / "communities.csv")["households"]
    assert 55 <= hh.median() <= 65
    assert hh.min() >= 12 and hh.max() <= 600
    # A log-normal, not a uniform: the mean sits well above the median.
    assert hh.mean() > 1.15 * hh.median()


def test_firm_numbers_lie_in_the_estimated_ranges(generated: Path) -> None:
    firms = pd.read_csv(generated / "firms.csv")
    hh = pd.read_csv(generated / "communities.csv")["households"].sum()
    # Capacities are rounded to tens: allow a little beyond 1.1–1.5 × households.
    assert 1.05 <= firms["capacity_households"].sum() / hh <= 1.55
    assert (firms["capacity_households"] < hh).all()
    assert firms["service_radius_m"].between(2000, 5000).all()
    assert firms["package_fixed_cost"].between(80_000, 150_000).all()
    assert firms["cost_per_household"].between(250, 350).all()
    assert firms["min_margin"].between(0.03, 0.08).all()
    assert (firms["max_packages"] >= 1).all()


def test_resource_numbers_lie_in_the_estimated_ranges(generated: Path) -> None:
    res = pd.read_csv(generated / "resources.csv")
    assert res["annual_income"].between(20_000, 200_000).all()
    assert res["max_distance_m"].between(500, 1500).all()
    assert set(res["kind"]) <= {
        "parking",
        "public_housing",
        "cleaning_contract",
        "greening_contract",
    }


def test_policy_is_in_the_documented_ranges(generated: Path) -> None:
    toml = tomllib.loads((generated / "instance.toml").read_text(encoding="utf-8"))
    pol = toml["policy"]
    assert toml["distance"] == "haversine" and toml["coordinates"] == "wgs84"
    assert 600 <= pol["package_max_households"] <= 900
    assert 600 <= pol["package_max_radius_m"] <= 1000
    assert 400 <= pol["link_max_m"] <= 600
    assert pol["allow_uncovered"] is True and pol["cross_streets"] is False
    assert pol["fallback_cost_per_household"] == 400


def test_communities_cluster_by_neighbourhood_inside_streets(generated: Path) -> None:
    comm = pd.read_csv(generated / "communities.csv")
    hoods = comm.groupby("street")["neighbourhood"].nunique()
    assert (hoods >= 3).all()
    assert comm.groupby("neighbourhood")["street"].nunique().max() == 1
    # Neighbourhoods a few hundred metres across; streets of 1.5–3 km.
    assert _widest_from_centre(comm.groupby("neighbourhood")) < 800
    assert _widest_from_centre(comm.groupby("street")) < 2000


def _widest_from_centre(groups: pd.api.typing.DataFrameGroupBy) -> float:
    """The largest distance of a community from its group's mean point, over all groups."""
    widest = 0.0
    for _, g in groups:
        lon, lat = g["lon"].mean(), g["lat"].mean()
        for x, y in zip(g["lon"], g["lat"], strict=True):
            widest = max(widest, haversine_m(lon, lat, x, y))
    return widest


def test_proximity_graph_is_mostly_connected_inside_neighbourhoods(generated: Path) -> None:
    inst = load_instance(generated)
    in_largest = total = 0
    for _, g in pd.read_csv(generated / "communities.csv").groupby("neighbourhood"):
        sub = inst.graph.subgraph(g["id"])
        in_largest += max(len(c) for c in nx.connected_components(sub))
        total += len(g)
    assert in_largest / total >= 0.9


def test_written_manual_plan_is_the_manual_baseline_of_the_loaded_instance(generated: Path) -> None:
    inst = load_instance(generated)
    written = read_plan(generated / "plans" / "manual.csv", inst)
    expected = manual_plan(inst)
    assert [(p.id, p.firm_id, p.members, p.hub_id, p.resources) for p in written.packages] == [
        (p.id, p.firm_id, p.members, p.hub_id, p.resources) for p in expected.packages
    ]
    assert any(p.resources for p in written.packages)


@pytest.mark.parametrize(
    ("communities", "streets", "firms", "resources", "seed"),
    [(20, 1, 3, 2, 0), (20, 2, 2, 0, 1), (120, 3, 8, 6, 2), (120, 4, 5, 3, 3), (120, 2, 15, 8, 4)],
)
def test_manual_plan_breaks_no_rule(
    tmp_path: Path, communities: int, streets: int, firms: int, resources: int, seed: int
) -> None:
    out = generate_instance(
        tmp_path / "i",
        communities=communities,
        streets=streets,
        firms=firms,
        resources=resources,
        seed=seed,
    )
    inst = load_instance(out)
    ev = evaluate(inst, read_plan(out / "plans" / "manual.csv", inst))
    assert [str(v) for v in ev.broken] == []
    assert ev.packages, "a street office always manages to form some package"
    assert math.isfinite(ev.objective)


def test_stale_contract_tables_are_replaced(tmp_path: Path) -> None:
    """An old edges.csv would silently change the new instance's graph: it is removed."""
    out = tmp_path / "i"
    (out / "plans").mkdir(parents=True)
    (out / "edges.csv").write_text("source,target\nC0001,C0002\n", encoding="utf-8")
    (out / "plans" / "mine.csv").write_text("community_id,package_id,firm_id\n", encoding="utf-8")
    generate_instance(out, communities=20, streets=1, firms=2, resources=0, seed=0)
    assert not (out / "edges.csv").exists()
    assert (out / "plans" / "mine.csv").exists()


def test_default_name_records_sizes_and_seed_and_a_given_name_wins(tmp_path: Path) -> None:
    a = generate_instance(tmp_path / "a", communities=20, streets=2, firms=2, resources=1, seed=9)
    b = generate_instance(
        tmp_path / "b", communities=20, streets=2, firms=2, resources=1, seed=9, name="厦门-测试"
    )
    assert load_instance(a).name == "synthetic-n20-s2-f2-r1-seed9"
    assert load_instance(b).name == "厦门-测试"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"communities": 0}, "communities must be at least 1, got 0"),
        ({"streets": 0}, "streets must be at least 1, got 0"),
        ({"streets": 30}, "streets must not exceed communities"),
        ({"firms": 0}, "firms must be at least 1, got 0"),
        ({"resources": -1}, "resources must be at least 0, got -1"),
        ({"seed": -3}, "seed must be at least 0, got -3"),
    ],
)
def test_impossible_sizes_are_refused_before_anything_is_written(
    tmp_path: Path, kwargs: dict[str, int], message: str
) -> None:
    args = {"communities": 20, "streets": 2, "firms": 2, "resources": 1, "seed": 0, **kwargs}
    with pytest.raises(ValueError, match=message):
        generate_instance(tmp_path / "i", **args)
    assert not (tmp_path / "i").exists()
