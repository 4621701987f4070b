"""What a planner uploads in the app's tests: the pilot instance with one broken row.

Today a zipped instance folder; switch ``UPLOAD_KIND`` to ``"xlsx"`` once one workbook can be an
instance (the only line to change).
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PILOT = ROOT / "instances" / "xiamen-pilot"
UPLOAD_KIND = "zip"
BROKEN_ROW = 5  # spreadsheet row of communities.csv (header = 1) given a negative household count
BROKEN_VALUE = "-3"
FIXED_VALUE = "120"


def pilot_rows() -> tuple[list[str], list[list[str]]]:
    with open(PILOT / "communities.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def broken_pilot_zip(tmp: Path) -> Path:
    """The pilot folder zipped, with ``households`` of row BROKEN_ROW set to BROKEN_VALUE."""
    header, rows = pilot_rows()
    rows[BROKEN_ROW - 2][header.index("households")] = BROKEN_VALUE
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows([header, *rows])
    out = tmp / "xiamen-pilot.zip"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(PILOT.rglob("*")):
            if path.is_file() and path.name != "communities.csv":
                z.write(path, f"xiamen-pilot/{path.relative_to(PILOT).as_posix()}")
        z.writestr("xiamen-pilot/communities.csv", text.getvalue())
    return out


def broken_pilot_upload(tmp: Path) -> Path:
    if UPLOAD_KIND == "zip":
        return broken_pilot_zip(tmp)
    raise NotImplementedError("a filled template workbook: sharedprop template, then fill it")
