"""The instance's own files in the workspace: read a table raw, fix one cell, write settings.

The planner fixes a validation error in the app's table view: :func:`edit_cell` writes the new
value into the CSV file or the workbook's sheet, then the app loads the instance again. The
policy and objective form writes ``instance.toml`` (or the workbook's ``policy`` and
``objective`` sheets) with :func:`write_settings`. Rows are numbered as the loader numbers them
(spreadsheet rows: the header is row 1), because both read through
:func:`sharedprop.io.tables.read_table_file`; headers and sheet names match as the loader matches
them, and a workbook's cells are written as the template writes them (text never a formula).
"""

from __future__ import annotations

import csv
import io
import json
import math
import tomllib
from pathlib import Path
from typing import Any

from sharedprop.errors import SharedpropError
from sharedprop.io.atomic import atomic_write_bytes, atomic_write_text
from sharedprop.io.tables import (
    Table,
    cell_text,
    decode_text,
    norm_header,
    parse_number,
    read_table_file,
    sniff_delimiter,
)
from sharedprop.io.template import put_cell, settings_sheet

TABLES = ("communities", "firms", "resources", "edges", "locks")
SETTINGS_SECTIONS = ("policy", "objective")


def table_file(source: Path, name: str) -> Path | None:
    """The file that holds table ``name``: ``<name>.csv|xlsx`` in a folder, or the workbook."""
    if source.is_file():
        return source
    for suffix in (".csv", ".xlsx"):
        for path in source.iterdir():
            if path.name.lower() == f"{name}{suffix}":
                return path
    return None


def read_source_table(source: Path, name: str) -> Table | None:
    path = table_file(source, name)
    if path is None:
        return None
    problems: list[str] = []
    return read_table_file(path, name, (), problems, allow_empty=True, named_sheet_only=True)


def _typed(value: str) -> Any:
    """A cell value for a workbook: a number where the text is one, else the text."""
    number = parse_number(value) if value.strip() else None
    if number is None or not math.isfinite(number):
        return value
    return int(number) if number.is_integer() and "." not in value else number


def _edit_csv(path: Path, row: int, column: str, value: str) -> None:
    problems: list[str] = []
    text = decode_text(path.read_bytes(), path.name, problems)
    if text is None:
        raise SharedpropError("; ".join(problems))
    delimiter = sniff_delimiter(text)
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    header_at = next(
        (i for i, rec in enumerate(records[:10]) if column in [norm_header(c) for c in rec]),
        None,
    )
    if header_at is None or not header_at < row - 1 < len(records):
        raise SharedpropError(f"{path.name} has no row {row} with a column {column}")
    col = [norm_header(c) for c in records[header_at]].index(column)
    record = records[row - 1]
    record.extend([""] * (col + 1 - len(record)))
    record[col] = value
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(records)
    atomic_write_text(path, out.getvalue())


def _sheet(workbook: Any, name: str, path: Path) -> Any:
    sheets = {norm_header(ws.title): ws for ws in workbook.worksheets}
    if name in sheets:
        return sheets[name]
    if path.stem.lower() == name:  # communities.xlsx: the first sheet holds the table
        return workbook.worksheets[0]
    raise SharedpropError(f"{path.name} has no sheet {name!r}")


def _edit_xlsx(path: Path, table: str, row: int, column: str, value: str) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = _sheet(wb, table, path)
    for header in ws.iter_rows(min_row=1, max_row=10):
        for cell in header:
            if norm_header(cell_text(cell.value)) == column and cell.row < row:
                put_cell(ws, row, cell.column, _typed(value))
                buf = io.BytesIO()
                wb.save(buf)
                atomic_write_bytes(path, buf.getvalue())
                return
    raise SharedpropError(f"{path.name}, sheet {table!r}: no column {column}")


def edit_cell(source: Path, table: str, row: int, column: str, value: str) -> None:
    """Write ``value`` into the cell at spreadsheet ``row`` and ``column`` of ``table``."""
    if table not in TABLES:
        raise SharedpropError(f"no table {table!r}; tables are {', '.join(TABLES)}")
    if "\n" in value or "\r" in value or len(value) > 10_000:
        raise SharedpropError("a cell value must be one line of at most 10,000 characters")
    path = table_file(source, table)
    if path is None:
        raise SharedpropError(f"the instance has no table {table}")
    if path.suffix.lower() == ".xlsx":
        _edit_xlsx(path, table, row, norm_header(column), value)
    else:
        _edit_csv(path, row, norm_header(column), value)


# -- policy and objective ------------------------------------------------------------------------


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string
    if isinstance(value, list) and all(isinstance(v, bool | int | float | str) for v in value):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise SharedpropError(f"cannot write {value!r} to instance.toml")


def _toml_text(data: dict[str, Any]) -> str:
    lines = [f"{k} = {_toml_value(v)}" for k, v in data.items() if not isinstance(v, dict | list)]
    for name, table in data.items():
        if isinstance(table, dict):
            lines += ["", f"[{name}]"]
            lines += [
                f"{k} = {_toml_value(v)}"
                for k, v in table.items()
                if v is not None and not isinstance(v, dict | list)
            ]
    return "\n".join(lines) + "\n"


def write_settings(source: Path, sections: dict[str, dict[str, Any]]) -> None:
    """Replace the ``[policy]`` and ``[objective]`` tables (``None`` values are left out)."""
    if source.is_file():
        _write_settings_sheets(source, sections)
        return
    path = source / "instance.toml"
    data = tomllib.loads(path.read_text("utf-8-sig")) if path.is_file() else {}
    for name in SETTINGS_SECTIONS:
        if name in sections:
            data[name] = {k: v for k, v in sections[name].items() if v is not None}
    # Other tables keep their plain keys; nested tables and arrays of tables are dropped (the
    # loader ignores every table but these two).
    atomic_write_text(path, _toml_text(data))


def _write_settings_sheets(path: Path, sections: dict[str, dict[str, Any]]) -> None:
    """The ``policy`` and ``objective`` sheets written again as the template writes them (notes,
    dropdowns), in the place of the old ones."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    for name in SETTINGS_SECTIONS:
        if name not in sections:
            continue
        old = {norm_header(ws.title): ws for ws in wb.worksheets}.get(name)
        index = None
        if old is not None:
            index = wb.worksheets.index(old)
            wb.remove(old)
        values = {k: v for k, v in sections[name].items() if v is not None}
        settings_sheet(wb, name, values, index)
    buf = io.BytesIO()
    wb.save(buf)
    atomic_write_bytes(path, buf.getvalue())
