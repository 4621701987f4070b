"""read_table: one CSV/XLSX table as text cells, whatever encoding Chinese Excel wrote."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from openpyxl import Workbook

from sharedprop.io.tables import Cells, Row, parse_number, read_table, read_table_file

COLUMNS = ("id", "name", "households")
CSV = "id,name,households\nC1,安平里,120\nC2,槟榔东里,80\n"


def _read(folder: Path, name: str = "communities") -> tuple[object, list[str]]:
    problems: list[str] = []
    return read_table(folder, name, COLUMNS, problems), problems


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_csv_in_every_encoding_excel_writes_is_read_with_chinese_intact(
    tmp_path: Path, encoding: str
) -> None:
    (tmp_path / "communities.csv").write_text(CSV, encoding=encoding)
    table, problems = _read(tmp_path)
    assert problems == []
    assert table.columns == COLUMNS
    assert [r.cells["name"] for r in table.rows] == ["安平里", "槟榔东里"]


def test_rows_are_numbered_as_excel_shows_them_even_after_blank_lines(tmp_path: Path) -> None:
    (tmp_path / "communities.csv").write_text("id,name,households\nC1,a,1\n,,\n\nC2,b,2\n")
    table, _ = _read(tmp_path)
    assert [(r.number, r.cells["id"]) for r in table.rows] == [(2, "C1"), (5, "C2")]


def test_a_title_line_above_the_header_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "communities.csv").write_text("厦门市无物业小区名单,,\n" + CSV, encoding="gbk")
    table, problems = _read(tmp_path)
    assert problems == [] and [r.number for r in table.rows] == [3, 4]


def test_headers_match_ignoring_case_and_spaces_and_semicolons_are_understood(
    tmp_path: Path,
) -> None:
    (tmp_path / "communities.csv").write_text(" ID ;Name;HOUSEHOLDS\nC1;a;1\n")
    table, problems = _read(tmp_path)
    assert problems == [] and table.rows[0].cells == {"id": "C1", "name": "a", "households": "1"}


def test_missing_columns_are_named_with_what_to_do(tmp_path: Path) -> None:
    (tmp_path / "communities.csv").write_text("id,name\nC1,a\n")
    table, problems = _read(tmp_path)
    assert table is None
    assert problems == [
        "communities.csv: missing column(s) households in the header (row 1); the header must "
        "include id,name,households. Found: id,name"
    ]


def test_a_missing_required_table_says_which_file_to_add(tmp_path: Path) -> None:
    table, problems = _read(tmp_path)
    assert table is None and "communities.csv is missing" in problems[0]
    assert "communities.csv or communities.xlsx" in problems[0]


def test_a_missing_optional_table_is_no_problem(tmp_path: Path) -> None:
    problems: list[str] = []
    assert read_table(tmp_path, "locks", ("id",), problems, required=False) is None
    assert problems == []


def test_csv_and_xlsx_side_by_side_are_ambiguous(tmp_path: Path) -> None:
    (tmp_path / "communities.csv").write_text(CSV)
    (tmp_path / "communities.xlsx").write_bytes(b"")
    _, problems = _read(tmp_path)
    assert "keep only one of them" in problems[0]


def test_an_old_xls_file_gets_told_to_be_saved_as_xlsx(tmp_path: Path) -> None:
    (tmp_path / "communities.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    _, problems = _read(tmp_path)
    assert problems == [
        "communities.xls cannot be read; save it as communities.xlsx or as communities.csv "
        "(CSV UTF-8)"
    ]


def test_file_names_match_case_insensitively(tmp_path: Path) -> None:
    (tmp_path / "Communities.CSV").write_text(CSV)
    table, problems = _read(tmp_path)
    assert problems == [] and table.file == "Communities.CSV"


def test_a_workbook_saved_as_csv_is_recognised(tmp_path: Path) -> None:
    wb = Workbook()
    wb.save(tmp_path / "communities.csv")
    _, problems = _read(tmp_path)
    assert "is an Excel workbook, not CSV text: rename it to end in .xlsx" in problems[0]


def test_binary_garbage_is_not_taken_for_text(tmp_path: Path) -> None:
    (tmp_path / "communities.csv").write_bytes(bytes(range(256)) * 4)
    _, problems = _read(tmp_path)
    assert "neither UTF-8 nor GBK" in problems[0] and "CSV UTF-8" in problems[0]


def test_xlsx_uses_the_sheet_named_like_the_table(tmp_path: Path) -> None:
    wb = Workbook()
    wb.active.title = "说明"
    wb.active.append(["this workbook lists communities"])
    ws = wb.create_sheet("Communities")
    ws.append(list(COLUMNS))
    ws.append(["C1", "安平里", 120])
    ws.append(["C2", "槟榔东里", 80.0])
    wb.save(tmp_path / "communities.xlsx")
    table, problems = _read(tmp_path)
    assert problems == []
    assert [(r.number, r.cells["households"]) for r in table.rows] == [(2, "120"), (3, "80")]


def test_an_optional_sheet_missing_from_a_workbook_is_no_problem(tmp_path: Path) -> None:
    """A plan workbook without a 'resources' sheet: nothing to read, nothing to report; with the
    sheet, only that sheet is read (not the first one)."""
    wb = Workbook()
    wb.active.title = "communities"
    wb.active.append(["community_id", "package_id", "firm_id"])
    wb.save(tmp_path / "plan.xlsx")
    problems: list[str] = []
    cols = ("resource_id", "package_id")
    opts = {"named_sheet_only": True}
    assert read_table_file(tmp_path / "plan.xlsx", "resources", cols, problems, **opts) is None
    assert problems == []
    ws = wb.create_sheet("Resources")
    ws.append(list(cols))
    ws.append(["R1", "P1"])
    wb.save(tmp_path / "plan.xlsx")
    table = read_table_file(tmp_path / "plan.xlsx", "resources", cols, problems, **opts)
    assert problems == []
    assert [r.cells["resource_id"] for r in table.rows] == ["R1"]


def test_xlsx_with_the_data_on_another_sheet_says_which_sheet_to_rename(tmp_path: Path) -> None:
    wb = Workbook()
    wb.active.title = "Sheet1"
    wb.active.append(["notes"])
    ws = wb.create_sheet("数据")
    ws.append(list(COLUMNS))
    wb.save(tmp_path / "communities.xlsx")
    _, problems = _read(tmp_path)
    assert problems == [
        "communities.xlsx, sheet 'Sheet1' (sheets: 'Sheet1', '数据'): missing column(s) id, name, "
        "households; sheet '数据' has them: rename that sheet to 'communities' or move it first"
    ]


def test_a_corrupt_xlsx_gets_told_to_be_saved_again(tmp_path: Path) -> None:
    (tmp_path / "communities.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    _, problems = _read(tmp_path)
    assert "is not a readable .xlsx workbook" in problems[0] and "save it again" in problems[0]


def test_a_link_pointing_outside_the_folder_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "secret.csv"
    outside.write_text(CSV)
    folder = tmp_path / "inst"
    folder.mkdir()
    os.symlink(outside, folder / "communities.csv")
    table, problems = _read(folder)
    assert table is None
    assert "communities.csv points outside the instance folder" in problems[0]


def test_a_link_inside_the_folder_is_fine(tmp_path: Path) -> None:
    (tmp_path / "data.csv").write_text(CSV)
    os.symlink(tmp_path / "data.csv", tmp_path / "communities.csv")
    table, problems = _read(tmp_path)
    assert problems == [] and len(table.rows) == 2


@pytest.mark.parametrize(
    ("raw", "value"),
    [("12", 12.0), (" 1,234.5 ", 1234.5), ("65%", 0.65), ("１２０", 120.0), ("−3", -3.0),
     ("1e3", 1000.0), ("abc", None), ("1,5", None), ("1_000", None)],
)  # fmt: skip
def test_numbers_are_parsed_as_a_spreadsheet_user_writes_them(
    raw: str, value: float | None
) -> None:
    assert parse_number(raw) == (pytest.approx(value) if value is not None else None)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "households is empty; fill in a whole number"),
        ("many", "households must be a whole number, got 'many'"),
        ("#DIV/0!", "households must be a whole number, got '#DIV/0!' (an Excel error value"),
        ("nan", "households must be a finite number, got 'nan'"),
        ("-inf", "households must be a finite number, got '-inf'"),
        ("2.5", "households must be a whole number, got '2.5'"),
    ],
)
def test_bad_cells_are_reported_with_file_row_id_and_column(raw: str, message: str) -> None:
    problems: list[str] = []
    cells = Cells("communities.csv row 7 (id C6)", Row(7, {"households": raw}), problems)
    assert cells.number("households", whole=True) is None
    assert len(problems) == 1 and problems[0].startswith(
        f"communities.csv row 7 (id C6): {message}"
    )
