"""Write an instance workbook: the template a planner fills in, or any instance saved as one file.

The layout is the contract's one-workbook instance (:mod:`sharedprop.io.workbook`):

- ``说明 instructions`` (first sheet): how to fill the workbook, in Chinese and English, and
  every column with its unit; the reader ignores it;
- ``communities``, ``firms``, ``resources``, ``edges``, ``locks``: the header in row 1, each
  header cell carrying a **cell note** (comment) with the column's meaning and unit in Chinese
  and English. Notes, not a second header row, so that the reader needs no rule to skip a row
  and a planner's pasted data starts right below the header;
- ``instance``, ``policy``, ``objective``: columns ``key``, ``value`` and ``note`` (the reader
  reads the first two), every key listed with its default;
- dropdowns (data validation) where a value comes from a list: the street (from the known
  streets, kept on a hidden sheet ``lists``; a new street may still be typed), the lock rule,
  ``available``, ``distance``, ``coordinates`` and the policy's true/false switches.

The template holds two example rows per table in grey italics, which the planner overwrites or
deletes; left in place they would be read as data like any other row.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from sharedprop.data import COORDINATE_SYSTEMS, DISTANCE_KINDS, LOCK_RULES, Instance
from sharedprop.io.export import settings_of, to_frames
from sharedprop.io.schema import NOTES, REQUIRED_TABLES, SETTINGS_SECTIONS, TABLES
from sharedprop.io.template_text import EXAMPLES, INSTRUCTIONS, SETTING_EXAMPLES

INSTRUCTIONS_SHEET = "说明 instructions"
LISTS_SHEET = "lists"
# Rows that carry dropdowns below the header (a street's table rarely needs more).
VALIDATED_ROWS = 2000
FLAGS = ("true", "false", "是", "否")
SWITCHES = ("true", "false")

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_EXAMPLE_FONT = Font(italic=True, color="808080")
_AUTHOR = "sharedprop"
# Excel reads a cell starting with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@")


def _cell_value(value: Any) -> Any:
    """A frame's value as a cell value (None for missing; numpy scalars as Python numbers)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def put_cell(ws: Worksheet, row: int, column: int, value: Any) -> None:
    """Write one value so that it reads back equal: text is never a formula, and a float that
    openpyxl's 16 digits would round is written as its exact text (the reader parses it)."""
    value = _cell_value(value)
    cell = ws.cell(row=row, column=column)
    if isinstance(value, float) and float(f"{value:.16g}") != value:
        value = repr(value)
    cell.value = value
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        cell.data_type = "s"
        cell.quotePrefix = True


def _put_row(ws: Worksheet, row: int, values: Iterable[Any]) -> None:
    for column, value in enumerate(values, start=1):
        put_cell(ws, row, column, value)


def _note(section: str, key: str) -> str:
    note = NOTES[section].get(key)
    return f"{note.zh}\n{note.en}" if note else ""


def _list_validation(ws: Worksheet, formula: str, cells: str, *, strict: bool) -> None:
    dv = DataValidation(type="list", formula1=formula, allow_blank=True)
    dv.error = "请从列表中选择 / choose a value from the list"
    dv.errorStyle = "stop" if strict else "warning"
    dv.showErrorMessage = True
    dv.add(cells)
    ws.add_data_validation(dv)


def _inline(values: Sequence[str]) -> str:
    return '"' + ",".join(values) + '"'


def _column_range(ws: Worksheet, columns: list[str], column: str) -> str | None:
    if column not in columns:
        return None
    letter = get_column_letter(columns.index(column) + 1)
    return f"{letter}2:{letter}{VALIDATED_ROWS + 1}"


def _table_sheet(
    wb: Workbook, name: str, frame: pd.DataFrame, *, example: bool, streets_ref: str | None
) -> None:
    ws = wb.create_sheet(name)
    columns = list(frame.columns)
    ws.append(columns)
    for k, column in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=k)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        note = _note(name, column)
        if note:
            cell.comment = Comment(note, _AUTHOR, width=260, height=90)
        ws.column_dimensions[get_column_letter(k)].width = max(12, min(40, len(column) + 4))
    for record in frame.itertuples(index=False, name=None):
        _put_row(ws, ws.max_row + 1, record)
        if example:
            for cell in ws[ws.max_row]:
                cell.font = _EXAMPLE_FONT
    ws.freeze_panes = "A2"
    lists = {
        "rule": (_inline(LOCK_RULES), True),
        "available": (_inline(FLAGS), False),
    }
    if streets_ref and name == "communities":
        lists["street"] = (streets_ref, False)
    for column, (formula, strict) in lists.items():
        cells = _column_range(ws, columns, column)
        if cells:
            _list_validation(ws, formula, cells, strict=strict)


def settings_sheet(
    wb: Workbook, section: str, values: Mapping[str, Any], index: int | None = None
) -> None:
    """The key/value sheet ``section`` of ``values`` (notes, dropdowns), at ``index`` or last."""
    ws = wb.create_sheet(section, index)
    ws.append(["key", "value", "note"])
    for cell in ws[1]:
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
    choices = {"distance": DISTANCE_KINDS, "coordinates": COORDINATE_SYSTEMS}
    for row, (key, value) in enumerate(values.items(), start=2):
        _put_row(ws, row, [key, value, _note(section, key).replace("\n", " / ")])
        if key in choices:
            _list_validation(ws, _inline(choices[key]), f"B{row}", strict=True)
        elif isinstance(value, bool):
            _list_validation(ws, _inline(SWITCHES), f"B{row}", strict=True)
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 24
    ws.column_dimensions["C"].width = 70
    ws.freeze_panes = "A2"


def _instructions_sheet(wb: Workbook) -> None:
    ws = wb.create_sheet(INSTRUCTIONS_SHEET, 0)
    for line in INSTRUCTIONS:
        ws.append([line])
    ws.append([])
    ws.append(["sheet 表", "column 列", "required 必填", "说明", "meaning"])
    for cell in ws[ws.max_row]:
        cell.font = _HEADER_FONT
    for name, (required, optional) in TABLES.items():
        for column in (*required, *optional):
            note = NOTES[name][column]
            needed = "是 yes" if column in required and name in REQUIRED_TABLES else ""
            if column in required and name not in REQUIRED_TABLES:
                needed = "表内必填 in the sheet"
            ws.append([name, column, needed, note.zh, note.en])
    for section in SETTINGS_SECTIONS:
        for key, note in NOTES[section].items():
            ws.append([section, key, "", note.zh, note.en])
    ws["A1"].font = Font(bold=True, size=14)
    for letter, width in zip("ABCDE", (16, 28, 16, 50, 60), strict=True):
        ws.column_dimensions[letter].width = width
    for row in ws.iter_rows(min_row=2, max_col=1):
        row[0].alignment = Alignment(wrap_text=False)


def _lists_sheet(wb: Workbook, streets: Iterable[str]) -> str | None:
    names = sorted({s for s in streets if s})
    if not names:
        return None
    ws = wb.create_sheet(LISTS_SHEET)
    ws.append(["street"])
    for s in names:
        ws.append([s])
    ws.sheet_state = "hidden"
    return f"{LISTS_SHEET}!$A$2:$A${len(names) + 1}"


def _save(wb: Workbook, path: Path) -> Path:
    """Save atomically: a temporary file beside ``path``, then renamed over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        wb.save(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def _workbook(
    frames: Mapping[str, pd.DataFrame],
    settings: Mapping[str, Mapping[str, Any]],
    streets: Iterable[str],
    *,
    example: bool,
) -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    _instructions_sheet(wb)
    streets_ref = _lists_sheet(wb, streets)
    for name in TABLES:
        _table_sheet(wb, name, frames[name], example=example, streets_ref=streets_ref)
    for section in SETTINGS_SECTIONS:
        settings_sheet(wb, section, settings[section])
    wb.active = 0
    return wb


def _check_suffix(path: Path) -> None:
    if path.suffix.lower() != ".xlsx":
        raise ValueError(f"the workbook's name must end in .xlsx, got {path.name!r}")


def write_template(path: str | Path, *, streets: Iterable[str] = ()) -> Path:
    """Write the empty instance workbook a planner fills in.

    Parameters
    ----------
    path
        Where to write it; the name must end in ``.xlsx``.
    streets
        The streets to offer in the communities' ``street`` dropdown (empty: no dropdown; the
        example rows' streets are not offered).

    Returns
    -------
    Path
        ``path``. The file is complete or untouched (written to a temporary file, then renamed).
    """
    path = Path(path)
    _check_suffix(path)
    frames = {name: pd.DataFrame(rows) for name, rows in EXAMPLES.items()}
    return _save(_workbook(frames, SETTING_EXAMPLES, streets, example=True), path)


def write_instance_workbook(instance: Instance, path: str | Path) -> Path:
    """Save ``instance`` as one workbook that :func:`sharedprop.load_instance` reads back equal.

    The layout is the template's (notes, dropdowns, instructions), with the instance's streets
    in the street dropdown. The proximity graph is written as the ``edges`` sheet only when the
    ``link_max_m`` rule does not build it (:mod:`sharedprop.io.export`).

    Parameters
    ----------
    instance
        Any instance.
    path
        Where to write it; the name must end in ``.xlsx``.

    Returns
    -------
    Path
        ``path``, written atomically.
    """
    path = Path(path)
    _check_suffix(path)
    frames = to_frames(instance)
    frames = {
        name: frame if frame is not None else pd.DataFrame(columns=list(TABLES[name][0]))
        for name, frame in frames.items()
    }
    streets = [c.street for c in instance.communities]
    return _save(_workbook(frames, settings_of(instance), streets, example=False), path)


__all__ = ["write_instance_workbook", "write_template"]
