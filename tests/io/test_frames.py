"""from_frames: DataFrames (and GeoDataFrames) validated on the path every reader takes."""

from __future__ import annotations

import copy

import geopandas
import numpy as np
import pandas as pd
import pytest
import shapely

from sharedprop import from_frames
from sharedprop.data import Policy
from sharedprop.errors import InstanceError
from sharedprop.io.instances import load_instance
from sharedprop.io.source import Source
from tests.conftest import TINY_TABLES
from tests.io.same import assert_same_instance


def tiny_frames() -> dict[str, pd.DataFrame]:
    return {
        name: pd.DataFrame(copy.deepcopy(TINY_TABLES[name]))
        for name in ("communities", "firms", "resources", "locks")
    }


def tiny_from_frames(**changes) -> object:
    frames = tiny_frames() | changes.pop("frames", {})
    kwargs = {
        "policy": {"package_max_households": 300, "link_max_m": 800,
                   "fallback_cost_per_household": 500},
        "objective": {"weight_public_money": 1.0, "weight_total_cost": 0.0},
        "name": "tiny",
        "description": "Six made-up communities in two Xiamen streets, for tests.",
    } | changes  # fmt: skip
    return from_frames(**frames, **kwargs)


def test_frames_of_the_tiny_tables_give_the_instance_its_folder_gives(tiny_instance) -> None:
    assert_same_instance(tiny_from_frames(), load_instance(tiny_instance))


def test_a_frame_problem_names_the_frame_index_column_and_value() -> None:
    frames = tiny_frames()
    frames["communities"].loc[2, "households"] = -3
    with pytest.raises(
        InstanceError,
        match=r"communities frame index 2 \(id C03\): households must be > 0, got -3",
    ) as err:
        tiny_from_frames(frames=frames)
    # Frame rows are counted by their index, so the spreadsheet note does not apply.
    assert "header is row 1" not in str(err.value)


def test_the_caller_names_the_source_of_the_frames() -> None:
    frames = tiny_frames()
    frames["firms"]["min_margin"] = frames["firms"]["min_margin"].astype(object)
    frames["firms"].loc[1, "min_margin"] = "lots"
    with pytest.raises(
        InstanceError, match=r"^survey firms index 1 \(id F2\): min_margin must be a number"
    ):
        tiny_from_frames(frames=frames, source="survey")
    with pytest.raises(InstanceError, match=r"^firms \[pandas\] index 1 \(id F2\)"):
        tiny_from_frames(frames=frames, source="{table} [pandas]")


def test_frames_indexed_by_spreadsheet_row_name_rows_as_excel_does() -> None:
    frames = tiny_frames()
    frames["communities"].index = range(2, 8)
    frames["communities"].loc[4, "street"] = None
    source = Source.named("sheet {table}", spreadsheet_rows=True)
    with pytest.raises(
        InstanceError, match=r"sheet communities row 4 \(id C03\): street is empty"
    ) as err:
        tiny_from_frames(frames=frames, source=source)
    assert "the header is row 1" in str(err.value)


def test_missing_values_are_empty_cells_and_numeric_columns_keep_their_numbers() -> None:
    frames = tiny_frames()
    frames["communities"]["built_year"] = [np.nan, 1990, None, 1985, pd.NA, 2001]
    inst = tiny_from_frames(frames=frames)
    assert inst.community("C01").built_year is None and inst.community("C02").built_year == 1990
    assert isinstance(inst.community("C04").built_year, int)
    assert inst.community("C02").fee_rate == 0.45


def test_a_frame_without_a_required_column_is_named_with_what_it_has() -> None:
    frames = tiny_frames()
    frames["firms"] = frames["firms"].drop(columns=["capacity_households"])
    with pytest.raises(
        InstanceError,
        match=r"firms frame: missing column\(s\) capacity_households; the columns must include",
    ):
        tiny_from_frames(frames=frames)


def test_something_other_than_a_frame_is_refused() -> None:
    with pytest.raises(InstanceError, match=r"locks frame must be a pandas DataFrame, got list"):
        tiny_from_frames(frames={"locks": [("C04", "F2", "must")]})


def test_policy_and_objective_mappings_are_checked_with_suggestions() -> None:
    with pytest.raises(InstanceError) as err:
        tiny_from_frames(
            policy={"link_max": 500, "min_coverage": 1.5, "allow_uncovered": "yes"},
            objective={"weight_total_cost": -1},
        )
    problems = err.value.problems
    assert any(
        p.startswith("policy: unknown key link_max (did you mean link_max_m?)") for p in problems
    )
    assert "policy: min_coverage must be between 0 and 1, got 1.5" in problems
    assert "policy: allow_uncovered must be true or false, got 'yes'" in problems
    assert "objective: weight_total_cost must be >= 0, got -1" in problems


def test_a_policy_object_is_taken_as_it_is() -> None:
    policy = Policy(package_max_households=250, min_coverage=0.5)
    assert tiny_from_frames(policy=policy).policy is policy


def test_distance_and_coordinates_are_checked() -> None:
    with pytest.raises(InstanceError, match=r"instance: distance must be one of haversine"):
        tiny_from_frames(distance="manhattan")


def test_gcj02_frames_are_converted_to_wgs84() -> None:
    plain = tiny_from_frames()
    converted = tiny_from_frames(coordinates="GCJ-02")
    assert converted.coordinates == "wgs84"
    assert converted.community("C01").lon != plain.community("C01").lon


def test_availability_takes_the_planners_words_and_refuses_others() -> None:
    frames = tiny_frames()
    extra = [
        {**TINY_TABLES["resources"][0], "id": f"R{k}", "available": word}
        for k, word in enumerate(["no", "是", "FALSE", "0", "", "Yes"], start=2)
    ]
    frames["resources"] = pd.DataFrame([TINY_TABLES["resources"][0], *extra])
    inst = tiny_from_frames(frames=frames)
    assert [r.available for r in inst.resources] == [True, False, True, False, False, True, True]
    frames["resources"].loc[3, "available"] = "maybe"
    with pytest.raises(
        InstanceError,
        match=r"resources frame index 3 \(id R4\): available must be true or false "
        r"\(or 1/0, yes/no, 是/否\), got 'maybe'",
    ):
        tiny_from_frames(frames=frames)


def test_without_communities_there_is_nothing_to_build() -> None:
    with pytest.raises(InstanceError, match=r"communities frame is missing"):
        from_frames(None, tiny_frames()["firms"])


def test_geodataframe_points_give_lon_and_lat() -> None:
    frame = tiny_frames()["communities"]
    points = geopandas.GeoDataFrame(
        frame.drop(columns=["lon", "lat"]),
        geometry=geopandas.points_from_xy(frame["lon"], frame["lat"]),
        crs=4326,
    )
    inst = tiny_from_frames(frames={"communities": points})
    assert inst.community("C03").lon == TINY_TABLES["communities"][2]["lon"]
    assert inst.community("C03").geometry_wkt is None


def test_geodataframe_polygons_give_wkt_and_a_point_inside() -> None:
    frame = tiny_frames()["communities"]
    squares = [
        shapely.box(x - 2e-4, y - 2e-4, x + 2e-4, y + 2e-4)
        for x, y in zip(frame["lon"], frame["lat"], strict=True)
    ]
    polygons = geopandas.GeoDataFrame(
        frame.drop(columns=["lon", "lat"]), geometry=squares, crs=4326
    )
    inst = tiny_from_frames(frames={"communities": polygons})
    c01 = inst.community("C01")
    assert shapely.from_wkt(c01.geometry_wkt).equals(squares[0])
    assert squares[0].contains(shapely.Point(c01.lon, c01.lat))


def test_projected_geodataframes_are_brought_to_degrees() -> None:
    frame = tiny_frames()["communities"]
    points = geopandas.GeoDataFrame(
        frame.drop(columns=["lon", "lat"]),
        geometry=geopandas.points_from_xy(frame["lon"], frame["lat"]),
        crs=4326,
    ).to_crs(32650)  # UTM 50N, metres
    inst = tiny_from_frames(frames={"communities": points})
    assert inst.community("C01").lon == pytest.approx(118.11, abs=1e-9)


def test_frame_problems_come_in_chinese_when_asked() -> None:
    frames = tiny_frames()
    frames["firms"].loc[0, "capacity_households"] = -1
    with pytest.raises(
        InstanceError, match=r"^firms frame index 0（编号 F1）：capacity_households 必须 >= 0"
    ):
        tiny_from_frames(frames=frames, lang="zh")
