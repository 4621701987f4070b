"""One workbook as an instance: sheets for the tables, key/value sheets for the settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from sharedprop import solve
from sharedprop.errors import InstanceError
from sharedprop.io.instances import list_plan_files, load_instance
from tests.conftest import TINY_TABLES
from tests.io.same import assert_same_instance

SETTINGS = {
    "instance": [("name", "tiny"),
                 ("description", "Six made-up communities in two Xiamen streets, for tests."),
                 ("distance", "haversine"), ("coordinates", "wgs84")],
    "policy": [("package_max_households", 300), ("link_max_m", 800),
               ("fallback_cost_per_household", 500)],
    "objective": [("weight_public_money", 1.0), ("weight_total_cost", 0.0)],
}  # fmt: skip
TABLES = ("communities", "firms", "resources", "locks")


def tiny_sheets() -> dict[str, list[list[Any]]]:
    sheets: dict[str, list[list[Any]]] = {}
    for name in TABLES:
        rows = TINY_TABLES[name]
        sheets[name] = [list(rows[0]), *([r[c] for c in rows[0]] for r in rows)]
    for section, pairs in SETTINGS.items():
        sheets[section] = [["key", "value"], *map(list, pairs)]
    return sheets


def write_workbook(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def test_a_workbook_of_the_tiny_tables_is_the_tiny_instance(tmp_path, tiny_instance) -> None:
    path = write_workbook(tmp_path / "tiny.xlsx", tiny_sheets())
    inst = load_instance(path)
    assert_same_instance(inst, load_instance(tiny_instance))
    assert inst.path == path.resolve()
    assert list_plan_files(inst) == [] and list_plan_files(path) == []


def test_other_sheets_are_ignored_and_sheet_names_match_ignoring_case(tmp_path) -> None:
    sheets = {"说明": [["填写说明"]], **tiny_sheets()}
    sheets["Communities "] = sheets.pop("communities")
    inst = load_instance(write_workbook(tmp_path / "street.xlsx", sheets))
    assert len(inst.communities) == 6


def test_the_name_defaults_to_the_file_name_and_empty_values_to_the_defaults(tmp_path) -> None:
    sheets = tiny_sheets()
    sheets["instance"] = [["key", "value"], ["name", None], ["distance", ""]]
    sheets["policy"] = [["key", "value", "note"], ["package_max_households", None, "no limit"]]
    inst = load_instance(write_workbook(tmp_path / "筼筜街道.xlsx", sheets))
    assert inst.name == "筼筜街道" and inst.distance == "haversine"
    assert inst.policy.package_max_households is None


def test_cell_problems_name_the_sheet_row_column_and_value(tmp_path) -> None:
    sheets = tiny_sheets()
    sheets["communities"][2][sheets["communities"][0].index("households")] = -3
    with pytest.raises(
        InstanceError, match=r"sheet communities row 3 \(id C02\): households must be > 0, got -3"
    ) as err:
        load_instance(write_workbook(tmp_path / "bad.xlsx", sheets))
    assert "the header is row 1" in str(err.value)


def test_settings_are_read_from_cell_text_and_their_problems_name_the_row(tmp_path) -> None:
    sheets = tiny_sheets()
    sheets["policy"] += [["allow_uncovered", "否"], ["min_coverage", "80%"]]
    inst = load_instance(write_workbook(tmp_path / "ok.xlsx", sheets))
    assert inst.policy.allow_uncovered is False and inst.policy.min_coverage == pytest.approx(0.8)
    sheets["policy"] += [["link_max_m", 900], ["cross_street", True], ["min_coverage", 2]]
    sheets["policy"][2][1] = -800
    with pytest.raises(InstanceError) as err:
        load_instance(write_workbook(tmp_path / "bad.xlsx", sheets))
    problems = err.value.problems
    assert "sheet policy row 3: link_max_m must be >= 0, got -800" in problems
    assert (
        "sheet policy row 7: key link_max_m is already given on row 3; keep one of the two rows"
        in problems
    )
    assert any(
        p.startswith("sheet policy row 8: unknown key cross_street (did you mean cross_streets?)")
        for p in problems
    )


def test_a_policy_key_on_the_instance_sheet_is_sent_to_the_policy_sheet(tmp_path) -> None:
    sheets = tiny_sheets()
    sheets["instance"].append(["link_max_m", 500])
    with pytest.raises(
        InstanceError,
        match=r"sheet instance row 6: link_max_m is a policy key; move the row to sheet policy",
    ):
        load_instance(write_workbook(tmp_path / "bad.xlsx", sheets))


def test_a_settings_sheet_without_key_and_value_columns_is_named(tmp_path) -> None:
    sheets = tiny_sheets()
    sheets["objective"] = [["名称", "值"], ["weight_total_cost", 1]]
    with pytest.raises(
        InstanceError, match=r"sheet objective: missing column\(s\) key, value in the header"
    ):
        load_instance(write_workbook(tmp_path / "bad.xlsx", sheets))


def test_a_workbook_without_a_firms_sheet_says_which_sheets_it_has(tmp_path) -> None:
    sheets = tiny_sheets()
    sheets["企业"] = sheets.pop("firms")
    with pytest.raises(InstanceError, match=r"bad.xlsx has no sheet 'firms' \(sheets: .*'企业'"):
        load_instance(write_workbook(tmp_path / "bad.xlsx", sheets))


def test_optional_sheets_with_only_a_header_mean_none(tmp_path, tiny_instance) -> None:
    sheets = tiny_sheets()
    sheets["resources"] = sheets["resources"][:1]
    sheets["edges"] = [["source", "target"]]
    inst = load_instance(write_workbook(tmp_path / "t.xlsx", sheets))
    assert inst.resources == ()
    # No edges rows: the link_max_m rule builds the graph, as without the sheet.
    assert set(inst.graph.edges) == set(load_instance(tiny_instance).graph.edges)


def test_a_missing_workbook_is_refused_with_what_to_give(tmp_path) -> None:
    with pytest.raises(InstanceError, match=r"instance workbook .*nothing.xlsx does not exist"):
        load_instance(tmp_path / "nothing.xlsx")


def test_a_corrupt_workbook_is_refused(tmp_path) -> None:
    (tmp_path / "bad.xlsx").write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(InstanceError, match=r"bad.xlsx is not a readable .xlsx workbook"):
        load_instance(tmp_path / "bad.xlsx")


def test_solve_takes_the_path_of_a_workbook(tmp_path, tiny_instance) -> None:
    path = write_workbook(tmp_path / "tiny.xlsx", tiny_sheets())
    from_workbook = solve(path, time_limit=10, workers=1)
    from_folder = solve(load_instance(tiny_instance), time_limit=10, workers=1)
    assert from_workbook.plan is not None
    assert from_workbook.objective == pytest.approx(from_folder.objective, abs=0.5)
