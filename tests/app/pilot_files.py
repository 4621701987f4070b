"""What a planner uploads in the app's tests: the pilot instance with one broken row.

``UPLOAD_KIND`` says which: ``"xlsx"``, the template workbook filled with the pilot's data (what
the browser test uploads), or ``"zip"``, the pilot folder zipped. Both are made here, so that the
API tests cover the other kind.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from typing import Literal

from openpyxl import load_workbook

from sharedprop import load_instance, write_instance_workbook

ROOT = Path(__file__).resolve().parents[2]
PILOT = ROOT / "instances" / "xiamen-pilot"
UploadKind = Literal["zip", "xlsx"]
UPLOAD_KIND: UploadKind = "xlsx"
BROKEN_ROW = 5  # spreadsheet row of the communities table (header = 1) given a negative count
BROKEN_COLUMN = "households"
BROKEN_VALUE = "-3"
FIXED_VALUE = "120"


def pilot_rows() -> tuple[list[str], list[list[str]]]:
    with open(PILOT / "communities.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def broken_pilot_zip(tmp: Path) -> Path:
    """The pilot folder zipped, with ``households`` of row BROKEN_ROW set to BROKEN_VALUE."""
    header, rows = pilot_rows()
    rows[BROKEN_ROW - 2][header.index(BROKEN_COLUMN)] = BROKEN_VALUE
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows([header, *rows])
    out = tmp / "xiamen-pilot.zip"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(PILOT.rglob("*")):
            if path.is_file() and path.name != "communities.csv":
                z.write(path, f"xiamen-pilot/{path.relative_to(PILOT).as_posix()}")
        z.writestr("xiamen-pilot/communities.csv", text.getvalue())
    return out


def broken_pilot_xlsx(tmp: Path) -> Path:
    """The template workbook filled with the pilot's data (``write_instance_workbook`` writes
    the template's layout: instructions, cell notes, dropdowns), then one cell broken as a
    planner would type it: ``households`` of row BROKEN_ROW of sheet communities."""
    path = write_instance_workbook(load_instance(PILOT), tmp / "xiamen-pilot.xlsx")
    book = load_workbook(path)
    sheet = book["communities"]
    header = [cell.value for cell in sheet[1]]
    sheet.cell(row=BROKEN_ROW, column=header.index(BROKEN_COLUMN) + 1).value = int(BROKEN_VALUE)
    book.save(path)
    return path


def broken_pilot_upload(tmp: Path, kind: UploadKind = UPLOAD_KIND) -> Path:
    return broken_pilot_xlsx(tmp) if kind == "xlsx" else broken_pilot_zip(tmp)
