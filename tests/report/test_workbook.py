"""plan.xlsx: readable sheets, formula-proof text, and a round trip back to the same plan.

Fixture: ``tests/data/tiny-street`` (9 communities in two streets, 3 firms, 3 resources; C4 is
named ``=1+2小区``, C5 ``@金榜花园`` and F3 ``-盛泰和物业`` on purpose) with the hand-made plan
``tiny-street-better.csv`` (3 packages with hubs, parking R1 in P1, public housing R2 in P3;
C9 uncovered).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from sharedprop import load_instance, read_plan, write_plan
from sharedprop.evaluate import evaluate
from sharedprop.plan import Plan
from sharedprop.report.workbook import display_width, read_plan_xlsx, set_cell, workbook_bytes

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def street():
    return load_instance(DATA / "tiny-street")


@pytest.fixture(scope="module")
def better(street):
    return read_plan(DATA / "tiny-street-better.csv", street)


@pytest.fixture
def xlsx(tmp_path, street, better) -> Path:
    path = tmp_path / "plan.xlsx"
    path.write_bytes(workbook_bytes(street, better, evaluate(street, better)))
    return path


def test_the_communities_sheet_reopens_with_pandas_to_the_same_plan(xlsx, better):
    frame = pd.read_excel(xlsx, sheet_name="communities", dtype=str)
    resources = pd.read_excel(xlsx, sheet_name="resources", dtype=str).dropna(subset=["package_id"])
    again = Plan.from_frame(frame, resources, name=better.name)
    assert again == better


def test_read_plan_xlsx_gives_back_the_plan_with_its_resources(xlsx, better):
    again = read_plan_xlsx(xlsx, name=better.name)
    assert again.packages == better.packages
    assert again.resource_assignment() == {"R1": "P1", "R2": "P3"}


def test_read_plan_reads_the_workbook_next_to_the_plan_csv_as_solve_writes_them(
    tmp_path, street, better
):
    write_plan(better, tmp_path / "plan.csv")
    (tmp_path / "plan.xlsx").write_bytes(workbook_bytes(street, better, evaluate(street, better)))
    again = read_plan(tmp_path / "plan.xlsx", street)
    assert again.packages == better.packages


def test_read_plan_takes_the_resources_from_the_workbook_when_it_is_alone(xlsx, street, better):
    # The fixture's folder holds plan.xlsx and nothing else: no plan_resources.csv beside it.
    assert sorted(p.name for p in xlsx.parent.iterdir()) == ["plan.xlsx"]
    again = read_plan(xlsx, street)
    assert again.resource_assignment() == {"R1": "P1", "R2": "P3"}
    assert evaluate(street, again).objective == pytest.approx(evaluate(street, better).objective)


def test_an_uncovered_community_has_a_row_with_an_empty_package(xlsx):
    frame = pd.read_excel(xlsx, sheet_name="communities", dtype=str)
    row = frame[frame["community_id"] == "C9"].iloc[0]
    assert pd.isna(row["package_id"]) and row["name"] == "莲花五村"


def test_formula_like_names_are_stored_as_text_never_as_formulas(xlsx):
    wb = load_workbook(xlsx)
    cells = {c.value: c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value}
    for text in ("=1+2小区", "@金榜花园", "-盛泰和物业"):
        assert cells[text].data_type == "s"
        assert cells[text].quotePrefix is True
    with zipfile.ZipFile(xlsx) as z:
        sheets = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/")]
    assert not any("<f>" in s or "<f " in s for s in sheets)


def test_sheets_have_money_and_share_formats_and_fit_chinese_names(xlsx):
    wb = load_workbook(xlsx)
    assert wb.sheetnames == ["communities", "summary", "packages", "firms", "resources"]
    assert wb.active.title == "summary"
    pk = wb["packages"]
    header = {c.value: c.column_letter for c in pk[1]}
    assert pk[f"{header['cost']}2"].number_format == "#,##0"
    assert pk[f"{header['margin']}2"].number_format == "0.0%"
    member_names = pk[f"{header['member_names']}2"].value
    assert member_names == "安平里; 槟榔东里; 槟榔西里"
    assert pk.column_dimensions[header["member_names"]].width >= display_width(member_names)
    firms = wb["firms"]
    used = {c.value: c.column_letter for c in firms[1]}["capacity_used"]
    assert firms[f"{used}2"].number_format == "0.0%"
    assert firms[f"{used}2"].value == pytest.approx(465 / 500)


def test_the_summary_sheet_states_public_money_to_the_yuan(xlsx, street, better):
    summary = pd.read_excel(xlsx, sheet_name="summary")
    values = dict(zip(summary["item"], summary["value"], strict=True))
    assert values["public money (yuan/yr)"] == pytest.approx(evaluate(street, better).public_money)
    assert values["packages"] == 3


@pytest.mark.parametrize("text", ["=A1*2", "+86 592", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_every_formula_trigger_is_quoted_and_a_plain_name_is_left_alone(text):
    ws = Workbook().active
    set_cell(ws, 1, 1, text, None)
    set_cell(ws, 1, 2, "安平里", None)
    assert (ws["A1"].value, ws["A1"].data_type, ws["A1"].quotePrefix) == (text, "s", True)
    assert ws["B1"].quotePrefix is False
