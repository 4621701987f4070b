"""Validation in the app: each problem's cell comes from the loader's own fields, for an instance
folder and a workbook, in English and in Chinese, and the app speaks its language throughout."""

from __future__ import annotations

import csv
import shutil
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook

from sharedprop import load_instance, write_instance_workbook
from tests.app.client import make_client
from tests.app.pilot_files import (
    BROKEN_COLUMN,
    BROKEN_ROW,
    BROKEN_VALUE,
    FIXED_VALUE,
    PILOT,
    broken_pilot_upload,
)

# (table, spreadsheet row, column, bad text, good text)
BROKEN = (
    ("communities", BROKEN_ROW, BROKEN_COLUMN, BROKEN_VALUE, FIXED_VALUE),
    ("firms", 3, "capacity_households", "lots", "3000"),
)


def _break_csv(folder: Path) -> None:
    for table, row, column, bad, _ in BROKEN:
        path = folder / f"{table}.csv"
        with open(path, encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
        rows[row - 1][rows[0].index(column)] = bad
        with open(path, "w", encoding="utf-8", newline="") as fh:
            csv.writer(fh, lineterminator="\n").writerows(rows)


def _break_xlsx(path: Path) -> None:
    book = load_workbook(path)
    for table, row, column, bad, _ in BROKEN:
        sheet = book[table]
        header = [cell.value for cell in sheet[1]]
        sheet.cell(row=row, column=header.index(column) + 1).value = bad
    book.save(path)


def broken_source(tmp_path: Path, kind: str) -> Path:
    """The pilot with the BROKEN cells, as an instance folder or as one workbook."""
    if kind == "folder":
        folder = tmp_path / "pilot"
        shutil.copytree(PILOT, folder)
        _break_csv(folder)
        return folder
    path = write_instance_workbook(load_instance(PILOT), tmp_path / "pilot.xlsx")
    _break_xlsx(path)
    return path


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("kind", ["folder", "workbook"])
def test_each_problem_names_its_cell_in_a_folder_and_a_workbook_in_either_language(
    tmp_path, kind, lang
):
    c = make_client(tmp_path / "ws", lang=lang)
    inst = c.post("/api/instance/open", json={"path": str(broken_source(tmp_path, kind))}).json()
    assert inst["status"] == "invalid"
    cells = {(p["table"], p["row"], p["column"], p["value"]) for p in inst["problems"]}
    assert cells == {(t, r, col, bad) for t, r, col, bad, _ in BROKEN}
    for table, row, column, bad, _ in BROKEN:
        view = next(v for v in inst["tables"] if v["name"] == table)
        assert [(r["row"], r["marked"], r["cells"][column]) for r in view["rows"]] == [
            (row, [column], bad)
        ]
    texts = [p["message"] for p in inst["problems"]]
    if lang == "zh":  # the loader's own sentences, in the app's language
        assert all("第 " in t and " row " not in t for t in texts), texts
    else:
        assert all(" row " in t for t in texts), texts
    assert ("sheet communities" in texts[0]) == (kind == "workbook")
    for table, row, column, _, good in BROKEN:
        inst = c.post(
            "/api/instance/cell", json={"table": table, "row": row, "column": column, "value": good}
        ).json()
    assert inst["status"] == "valid", inst["problems"]
    c.app.state.workbench.close()


@pytest.mark.parametrize("kind", ["zip", "xlsx"])
def test_an_uploaded_pilot_with_a_broken_row_is_fixed_in_the_app(tmp_path, kind):
    c = make_client(tmp_path / "ws")
    upload = broken_pilot_upload(tmp_path, kind)
    inst = c.post(f"/api/instance/upload?filename={upload.name}", content=upload.read_bytes())
    inst = inst.json()
    assert [(p["table"], p["row"], p["column"], p["value"]) for p in inst["problems"]] == [
        ("communities", BROKEN_ROW, BROKEN_COLUMN, BROKEN_VALUE)
    ]
    fix = {"table": "communities", "row": BROKEN_ROW, "column": BROKEN_COLUMN,
           "value": FIXED_VALUE}  # fmt: skip
    inst = c.post("/api/instance/cell", json=fix).json()
    assert inst["status"] == "valid" and inst["counts"]["communities"] == 29
    source = c.app.state.workbench.inst.source
    assert source.suffix == (".xlsx" if kind == "xlsx" else "")
    assert load_instance(source).communities[BROKEN_ROW - 2].households == int(FIXED_VALUE)
    c.app.state.workbench.close()


def _explanation(client, cid: str) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        answer = client.get(f"/api/explain/{cid}").json()
        if answer["state"] != "pending":
            assert answer["state"] == "ready", answer["text"]
            return answer["text"]
        time.sleep(0.05)
    raise AssertionError("the explanation never came")


def test_the_library_speaks_the_app_s_language_inside_the_app(tmp_path, tiny_instance):
    zh = make_client(tmp_path / "zh", lang="zh")
    zh.post("/api/instance/open", json={"path": str(tiny_instance)})
    assert zh.get("/api/i18n").json()["catalog"]["Map"] == "地图"
    assert "户" in _explanation(zh, "C01")  # computed in the explanation thread
    missing = zh.post("/api/plan/move", json={"community_id": "C01", "package_id": "M9"})
    assert missing.json()["detail"] == "方案中没有片区 M9"
    zh.app.state.workbench.close()
    en = make_client(tmp_path / "en", lang="en")
    en.post("/api/instance/open", json={"path": str(tiny_instance)})
    assert en.get("/api/i18n").json() == {"lang": "en", "catalog": {}}
    assert "households" in _explanation(en, "C01")
    en.app.state.workbench.close()
