"""The bad-input corpus: one corruption of the tiny valid instance per case.

Every case runs the real command in-process (``sharedprop validate`` for instance problems,
``sharedprop evaluate`` for plan problems) and must: exit 2; print on stderr a message matching
its pattern — which names the file, the row/column/id where there is one, and what to do; print
no traceback; and leave no file behind. The last tests are the inputs that look odd but are
fine (BOM, GBK, XLSX, percentages) and must load.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import Workbook

from sharedprop.cli import main
from sharedprop.io.instances import load_instance


@dataclass(frozen=True)
class Case:
    name: str
    corrupt: Callable[..., None]  # (InstanceFiles) -> None, before writing
    pattern: str  # regex searched in stderr
    after: Callable[[Path], None] | None = None  # (instance folder) -> None, after writing
    command: str = "validate"


# -- corruptions ---------------------------------------------------------------------------------


def nothing(files) -> None:
    """The files stay valid; the case corrupts the folder after writing."""


def cell(table: str, row: int, column: str, value: object) -> Callable[..., None]:
    def corrupt(files) -> None:
        files.set(table, row, column, value)

    return corrupt


def cells(*changes: tuple[str, int, str, object]) -> Callable[..., None]:
    def corrupt(files) -> None:
        for table, row, column, value in changes:
            files.set(table, row, column, value)

    return corrupt


def drop(table: str, column: str) -> Callable[..., None]:
    return lambda files: files.drop_column(table, column)


def delete(table: str) -> Callable[..., None]:
    return lambda files: files.tables.pop(table)


def empty(table: str) -> Callable[..., None]:
    return lambda files: files.tables[table].clear()


def append(table: str, row: dict[str, object]) -> Callable[..., None]:
    return lambda files: files.tables.setdefault(table, []).append(row)


def add_table(table: str, rows: list[dict[str, object]]) -> Callable[..., None]:
    return lambda files: files.tables.__setitem__(table, rows)


def toml(old: str, new: str) -> Callable[..., None]:
    def corrupt(files) -> None:
        assert old in files.toml
        files.toml = files.toml.replace(old, new, 1)

    return corrupt


def no_toml(files) -> None:
    files.toml = None


def duplicate_row(table: str, row: int) -> Callable[..., None]:
    return lambda files: files.tables[table].append(dict(files.tables[table][row]))


def link_outside(name: str) -> Callable[[Path], None]:
    """Replace ``name`` by a symbolic link to a copy of it outside the instance folder."""

    def after(folder: Path) -> None:
        target = folder.parent / f"outside-{name}"
        (folder / name).rename(target)
        os.symlink(target, folder / name)

    return after


def replace_by_directory(name: str) -> Callable[[Path], None]:
    def after(folder: Path) -> None:
        (folder / name).unlink()
        (folder / name).mkdir()

    return after


def workbook(name: str, sheets: dict[str, list[list[object]]]) -> Callable[[Path], None]:
    """Replace ``<name>.csv`` by ``<name>.xlsx`` holding ``sheets``."""

    def after(folder: Path) -> None:
        (folder / f"{name}.csv").unlink()
        wb = Workbook()
        wb.remove(wb.active)
        for title, rows in sheets.items():
            ws = wb.create_sheet(title)
            for r in rows:
                ws.append(r)
        wb.save(folder / f"{name}.xlsx")

    return after


def write_bytes(name: str, data: bytes) -> Callable[[Path], None]:
    return lambda folder: (folder / name).write_bytes(data)


FIRM_HEADER = ["id", "name", "lon", "lat", "capacity_households", "max_packages",
               "service_radius_m", "package_fixed_cost", "cost_per_household",
               "travel_cost_per_km", "min_margin"]  # fmt: skip
FIRM_ROW = ["F1", "员当新市区物业", 118.1105, 24.4880, 400, 2, 3000, 100000, 300, 2000, 0.05]
R = r"row (\d+) \(id "  # the start of a row reference

CASES = [
    # -- missing files and columns --
    Case("missing communities file", delete("communities"),
         r"communities.csv is missing: the instance folder .* must contain communities.csv or "
         r"communities.xlsx with the columns id,name,street"),
    Case("missing firms file", delete("firms"),
         r"firms.csv is missing: .* must contain firms.csv or firms.xlsx"),
    Case("missing instance.toml", no_toml, r"instance.toml is missing in .*; create it with"),
    Case("missing households column", drop("communities", "households"),
         r"communities.csv: missing column\(s\) households in the header \(row 1\); the header "
         r"must include id,name,street,neighbourhood,lon,lat,households"),
    Case("missing firm capacity column", drop("firms", "capacity_households"),
         r"firms.csv: missing column\(s\) capacity_households in the header"),
    Case("missing resource income column", drop("resources", "annual_income"),
         r"resources.csv: missing column\(s\) annual_income"),
    Case("missing lock rule column", drop("locks", "rule"), r"locks.csv: missing column\(s\) rule"),
    Case("edges without target column", add_table("edges", [{"source": "C01", "to": "C02"}]),
         r"edges.csv: missing column\(s\) target in the header"),
    # -- wrong types --
    Case("households as text", cell("communities", 1, "households", "many"),
         r"communities.csv row 3 \(id C02\): households must be a whole number, got 'many'"),
    Case("fee rate with a unit", cell("communities", 0, "fee_rate", "0.5元"),
         r"communities.csv row 2 \(id C01\): fee_rate must be a number, got '0.5元'"),
    Case("fractional firm capacity", cell("firms", 0, "capacity_households", 100.5),
         r"firms.csv row 2 \(id F1\): capacity_households must be a whole number, got '100.5'"),
    Case("longitude written in words", cell("communities", 2, "lon", "东经118"),
         r"communities.csv row 4 \(id C03\): lon must be a number, got '东经118'"),
    Case("excel error value", cell("communities", 0, "floor_area_m2", "#REF!"),
         r"communities.csv row 2 \(id C01\): floor_area_m2 must be a number, got '#REF!' "
         r"\(an Excel error value: fix the formula\)"),
    # -- empty cells --
    Case("empty households", cell("communities", 3, "households", ""),
         r"communities.csv row 5 \(id C04\): households is empty; fill in a whole number"),
    Case("empty community id", cell("communities", 1, "id", ""),
         r"communities.csv row 3: id is empty; give every community a unique id"),
    Case("empty street", cell("communities", 0, "street", ""),
         r"communities.csv row 2 \(id C01\): street is empty; "
         r"fill in the street of this community"),
    Case("empty firm radius", cell("firms", 1, "service_radius_m", None),
         r"firms.csv row 3 \(id F2\): service_radius_m is empty; fill in a number"),
    Case("empty lock rule", cell("locks", 0, "rule", ""),
         r"locks.csv row 2 \(id C04, F2\): rule is empty; fill in must or forbid"),
    # -- duplicate and dangling ids --
    Case("duplicate community id", cell("communities", 2, "id", "C01"),
         r"communities.csv row 4 \(id C01\): duplicate id: C01 is already used on row 2; every "
         r"community needs its own id"),
    Case("duplicate firm id", duplicate_row("firms", 0),
         r"firms.csv row 4 \(id F1\): duplicate id: F1 is already used on row 2"),
    Case("duplicate resource id", duplicate_row("resources", 0),
         r"resources.csv row 3 \(id R1\): duplicate id"),
    Case("edge to an unknown community", add_table("edges", [{"source": "C01", "target": "C99"}]),
         r"edges.csv row 2: target 'C99' is not a community id in communities.csv; correct the id "
         r"or add the community"),
    Case("edge from a community to itself",
         add_table("edges", [{"source": "C02", "target": "C02"}]),
         r"edges.csv row 2 \(id C02-C02\): source and target are the same community; "
         r"delete this row"),
    Case("lock on an unknown community", cell("locks", 0, "community_id", "C77"),
         r"locks.csv row 2: community_id 'C77' is not a community id in communities.csv"),
    Case("lock for an unknown firm", cell("locks", 0, "firm_id", "F9"),
         r"locks.csv row 2: firm_id 'F9' is not a firm id in firms.csv; "
         r"correct the id or add the firm"),
    Case("lock with an unknown rule", cell("locks", 0, "rule", "maybe"),
         r"locks.csv row 2 \(id C04, F2\): rule must be one of must, forbid, got 'maybe'"),
    Case("contradicting locks",
         append("locks", {"community_id": "C04", "firm_id": "F1", "rule": "must"}),
         r"locks.csv row 3 \(id C04, F1\): contradicts row 2: "
         r"C04 must already be served by firm F2"),
    # -- negative and absurd numbers --
    Case("negative households", cell("communities", 0, "households", -3),
         r"communities.csv row 2 \(id C01\): households must be > 0, got -3"),
    Case("zero households", cell("communities", 5, "households", 0),
         r"communities.csv row 7 \(id C06\): households must be > 0, got 0"),
    Case("negative floor area", cell("communities", 1, "floor_area_m2", -5200),
         r"communities.csv row 3 \(id C02\): floor_area_m2 must be >= 0, got -5200"),
    Case("negative fee rate", cell("communities", 1, "fee_rate", -0.45),
         r"communities.csv row 3 \(id C02\): fee_rate must be >= 0, got -0.45"),
    Case("collection rate as a percentage number", cell("communities", 4, "collection_rate", 75),
         r"communities.csv row 6 \(id C05\): collection_rate must be between 0 and 1, got 75 "
         r"\(a percentage\? write 0.75 or 75%\)"),
    Case("negative margin", cell("firms", 0, "min_margin", -0.1),
         r"firms.csv row 2 \(id F1\): min_margin must be between 0 and 1, got -0.1"),
    Case("negative capacity", cell("firms", 1, "capacity_households", -300),
         r"firms.csv row 3 \(id F2\): capacity_households must be >= 0, got -300"),
    Case("negative resource income", cell("resources", 0, "annual_income", -60000),
         r"resources.csv row 2 \(id R1\): annual_income must be >= 0, got -60000"),
    Case("negative edge distance",
         add_table("edges", [{"source": "C01", "target": "C02", "distance_m": -10}]),
         r"edges.csv row 2 \(id C01-C02\): distance_m must be >= 0, got -10"),
    # -- NaN and infinity --
    Case("households NaN", cell("communities", 0, "households", "NaN"),
         r"communities.csv row 2 \(id C01\): households must be a finite number, got 'NaN'"),
    Case("fee rate infinite", cell("communities", 2, "fee_rate", "inf"),
         r"communities.csv row 4 \(id C03\): fee_rate must be a finite number, got 'inf'"),
    Case("firm latitude minus infinity", cell("firms", 0, "lat", "-inf"),
         r"firms.csv row 2 \(id F1\): lat must be a finite number, got '-inf'"),
    # -- coordinates --
    Case("swapped coordinates",
         cells(("communities", 0, "lon", 24.4890), ("communities", 0, "lat", 118.11)),
         r"communities.csv row 2 \(id C01\): lat must be a latitude between -90 and 90, got 118.11 "
         r"\(lon and lat look swapped: lon=24.489, lat=118.11; .* swap the two columns\)"),
    Case("longitude out of range", cell("resources", 0, "lon", 1181.15),
         r"resources.csv row 2 \(id R1\): lon must be a longitude between -180 and 180, "
         r"got 1181.15"),
    Case("latitude out of range", cell("firms", 1, "lat", 94.486),
         r"firms.csv row 3 \(id F2\): lat must be a latitude between -90 and 90, got 94.486"),
    Case("polygon that is not WKT",
         cell("communities", 0, "geometry_wkt", "POLYGON ((118.1 24.4, 118"),
         r"communities.csv row 2 \(id C01\): geometry_wkt is not valid WKT .*; write e.g. POLYGON"),
    # -- an empty instance --
    Case("no communities", empty("communities"),
         r"communities.csv has no data rows; add at least one community below the header"),
    Case("no firms", empty("firms"), r"firms.csv has no data rows; add at least one firm"),
    Case("empty communities file", nothing,
         r"communities.csv is empty; its first row must be the header id,name,street",
         after=write_bytes("communities.csv", b"")),
    # -- instance.toml --
    Case("malformed toml", toml('name = "tiny"', "name = tiny"),
         r"instance.toml is not valid TOML: .*\(at line 1, column 8\)\. "
         r"Line 1 reads: 'name = tiny'\. "
         r"Fix that line; text values need quotes"),
    Case("unknown distance", toml('distance = "haversine"', 'distance = "manhattan"'),
         r"instance.toml: distance must be one of haversine, euclidean, got 'manhattan'"),
    Case("unknown coordinates", toml('coordinates = "wgs84"', 'coordinates = "utm50n"'),
         r"instance.toml: coordinates must be one of wgs84, gcj02, bd09, got 'utm50n'"),
    Case("gcj02 with planar distance",
         toml('distance = "haversine"\ncoordinates = "wgs84"',
              'distance = "euclidean"\ncoordinates = "gcj02"'),
         r"instance.toml: coordinates = 'gcj02' needs distance = \"haversine\""),
    Case("misspelt policy key", toml("package_max_households = 300", "package_max_household = 300"),
         r"instance.toml \[policy\]: unknown key package_max_household \(did you mean "
         r"package_max_households\?\)"),
    Case("policy switch as text", toml("[policy]", '[policy]\nallow_uncovered = "yes"'),
         r"instance.toml \[policy\]: allow_uncovered must be true or false, got 'yes'"),
    Case("negative link distance", toml("link_max_m = 800", "link_max_m = -800"),
         r"instance.toml \[policy\]: link_max_m must be >= 0, got -800"),
    Case("fractional household limit",
         toml("package_max_households = 300", "package_max_households = 300.5"),
         r"instance.toml \[policy\]: package_max_households must be a whole number, got 300.5"),
    Case("minimum above maximum", toml("[policy]", "[policy]\npackage_min_households = 500"),
         r"instance.toml \[policy\]: package_min_households must be <= package_max_households, "
         r"got 500 > 300"),
    Case("coverage share above one", toml("[policy]", "[policy]\nmin_coverage = 1.2"),
         r"instance.toml \[policy\]: min_coverage must be between 0 and 1, got 1.2"),
    Case("availability in words", cell("resources", 0, "available", "perhaps"),
         r"resources.csv row 2 \(id R1\): available must be true or false \(or 1/0, yes/no, "
         r"是/否\), got 'perhaps'"),
    Case("negative objective weight", toml("weight_total_cost = 0.0", "weight_total_cost = -1.0"),
         r"instance.toml \[objective\]: weight_total_cost must be >= 0, got -1"),
    # -- spreadsheets and files --
    Case("xlsx with the data on the wrong sheet", nothing,
         r"firms.xlsx, sheet 'Sheet1' \(sheets: 'Sheet1', '企业'\): "
         r"missing column\(s\) id, name, .*; "
         r"sheet '企业' has them: rename that sheet to 'firms' or move it first",
         after=workbook("firms", {"Sheet1": [["说明"]], "企业": [FIRM_HEADER, FIRM_ROW]})),
    Case("xlsx with wrong columns", nothing,
         r"firms.xlsx, sheet 'firms' .*: missing column\(s\) capacity_households; "
         r"put the table on a "
         r"sheet named 'firms'",
         after=workbook("firms", {"firms": [
             [h if h != "capacity_households" else "容量" for h in FIRM_HEADER]]})),
    Case("csv and xlsx side by side", nothing,
         r"firms.csv and firms.xlsx both exist in .*; keep only one of them",
         after=write_bytes("firms.xlsx", b"PK\x03\x04")),
    Case("legacy xls workbook", delete("firms"),
         r"firms.xls cannot be read; save it as firms.xlsx or as firms.csv \(CSV UTF-8\)",
         after=write_bytes("firms.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")),
    Case("corrupt xlsx", delete("firms"),
         r"firms.xlsx is not a readable .xlsx workbook .*; "
         r"open it in Excel or WPS and save it again",
         after=write_bytes("firms.xlsx", b"PK\x03\x04 truncated")),
    Case("binary file as csv", nothing,
         r"resources.csv is neither UTF-8 nor GBK text .*; "
         r"in Excel use File > Save As > 'CSV UTF-8",
         after=write_bytes("resources.csv", bytes(range(256)) * 8)),
    # -- paths --
    Case("communities linked from outside the folder", nothing,
         r"communities.csv points outside the instance folder .*: copy the file into the folder",
         after=link_outside("communities.csv")),
    Case("instance.toml linked from outside the folder", nothing,
         r"instance.toml points outside the instance folder",
         after=link_outside("instance.toml")),
    Case("a folder named like a table", nothing,
         r"firms.csv is not a regular file; it must be a CSV or XLSX file",
         after=replace_by_directory("firms.csv")),
    # -- plans (sharedprop evaluate) --
    Case("plan naming an unknown community", cell("plans/manual", 4, "community_id", "C55"),
         r"manual.csv row 6 \(id C55\): community_id 'C55' is not a community of instance tiny; "
         r"correct the id or delete the row", command="evaluate"),
    Case("plan naming an unknown firm", cell("plans/manual", 0, "firm_id", "F8"),
         r"manual.csv row 2 \(id C01\): firm_id 'F8' is not a firm of instance tiny",
         command="evaluate"),
    Case("plan with one package for two firms", cell("plans/manual", 1, "firm_id", "F2"),
         r"manual.csv row 3 \(id C02\): firm_id 'F2' differs from 'F1' given for package M1 on "
         r"row 2; a package has one firm", command="evaluate"),
    Case("plan bundling an unknown resource",
         cell("plans/manual_resources", 0, "resource_id", "R7"),
         r"manual_resources.csv row 2 \(id R7\): "
         r"resource_id 'R7' is not a resource of instance tiny",
         command="evaluate"),
    Case("plan without firm column", drop("plans/manual", "firm_id"),
         r"manual.csv: missing column\(s\) firm_id in the header \(row 1\)", command="evaluate"),
]  # fmt: skip


def _tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def test_the_corpus_has_at_least_forty_cases_with_distinct_names() -> None:
    assert len(CASES) >= 40
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name.replace(" ", "-") for c in CASES])
def test_bad_input_gets_its_message_and_exit_code_2(
    case: Case, tiny_files, write_instance, tmp_path: Path, capsys, monkeypatch
) -> None:
    case.corrupt(tiny_files)
    folder = write_instance(tiny_files)
    if case.after is not None:
        case.after(folder)
    monkeypatch.chdir(tmp_path)  # anything written relative to the working folder shows up too
    before = _tree(tmp_path)
    argv = ["validate", str(folder)]
    if case.command == "evaluate":
        argv = ["evaluate", str(folder), "--plan", "manual.csv"]
    code = main(argv)
    captured = capsys.readouterr()
    assert code == 2, captured.out
    assert "Traceback" not in captured.err
    assert captured.err.startswith("sharedprop: ")
    assert _tree(tmp_path) == before
    assert re.search(case.pattern, captured.err), captured.err
    rows = re.findall(r"\brow \d+", captured.err)
    if rows:  # every message citing a row says how rows are counted
        assert "the header is row 1, the first data row is row 2" in captured.err


# -- odd but fine --------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_csv_from_chinese_excel_loads_with_names_intact(
    encoding: str, tiny_files, write_instance, capsys
) -> None:
    tiny_files.encoding = encoding
    folder = write_instance(tiny_files)
    assert main(["validate", str(folder)]) == 0
    inst = load_instance(folder)
    assert [c.name for c in inst.communities[:3]] == ["安平里", "槟榔东里", "槟榔西里"]
    assert inst.firm("F2").name == "固家乐物业"
    assert main(["evaluate", str(folder), "--plan", "manual.csv"]) == 0


def test_an_all_xlsx_instance_loads_like_the_csv_one(tiny_files, write_instance) -> None:
    csv_inst = load_instance(write_instance(tiny_files))
    tiny_files.xlsx = set(tiny_files.tables)
    folder = write_instance(tiny_files)
    for name in tiny_files.tables:
        (folder / f"{name}.csv").unlink()
    xlsx_inst = load_instance(folder)
    assert xlsx_inst.communities == csv_inst.communities
    assert xlsx_inst.firms == csv_inst.firms and xlsx_inst.locks == csv_inst.locks


def test_percentages_extra_columns_and_a_title_line_load(tiny_files, write_instance) -> None:
    tiny_files.set("communities", 0, "collection_rate", "70%")
    tiny_files.set("firms", 0, "min_margin", "5%")
    for row in tiny_files.tables["communities"]:
        row["联系人"] = "王主任"
    folder = write_instance(tiny_files)
    text = (folder / "firms.csv").read_text(encoding="utf-8")
    (folder / "firms.csv").write_text("思明区物业企业名单,,,\n" + text, encoding="utf-8")
    inst = load_instance(folder)
    assert inst.community("C01").collection_rate == pytest.approx(0.7)
    assert inst.firm("F1").min_margin == pytest.approx(0.05)
