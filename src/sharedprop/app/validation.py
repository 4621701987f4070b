"""Validation problems as cells: which table, row, column and value each one names.

``load_instance`` reports every problem as a sentence that starts with where it is
(``communities.csv row 14 (id C013): households must be > 0, got -3``; in a workbook the sheet
is named instead of the file). :func:`locate` reads that start back into a
:class:`CellProblem`, and :func:`problem_tables` shows the offending rows of each table with
those cells marked, so the page can highlight them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from sharedprop.app.sources import TABLES, read_source_table

_WHERE = re.compile(
    r"^(?P<where>.+?)\brows? (?P<row>\d+)(?: \((?:id )?(?P<ident>[^)]*)\))?: (?P<rest>.+)$", re.S
)
_TABLE = re.compile(r"\b(" + "|".join(TABLES) + r")\b", re.IGNORECASE)
_GOT = re.compile(r"\bgot (?P<value>'[^']*'|\"[^\"]*\"|\S+?)(?=[;,)]?(?:\s|$))")
MAX_ROWS_SHOWN = 200


@dataclass(frozen=True, slots=True)
class CellProblem:
    """One validation problem and, where the message says, the cell it is about."""

    message: str
    table: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None


def locate(message: str, columns: dict[str, tuple[str, ...]]) -> CellProblem:
    """Read table, row and column out of ``message``; ``columns`` are each table's headers."""
    m = _WHERE.match(message)
    if m is None:
        t = _TABLE.search(message.split(":", 1)[0])
        return CellProblem(message, table=t.group(1).lower() if t else None)
    tables = _TABLE.findall(m.group("where"))
    table = tables[-1].lower() if tables else None
    rest = m.group("rest")
    first = rest.split(" ", 1)[0].strip(",:;")
    column = first if first in columns.get(table or "", ()) else None
    if column is None and rest.startswith("duplicate id"):
        column = "id"
    got = _GOT.search(rest)
    value = got.group("value").strip("'\"") if got else None
    return CellProblem(message, table, int(m.group("row")), column, value)


@dataclass
class TableView:
    """The rows of one table that have problems, with the marked cells."""

    name: str
    file: str
    columns: tuple[str, ...]
    rows: list[dict[str, object]] = field(default_factory=list)


def problem_tables(source: Path, problems: list[CellProblem]) -> list[TableView]:
    """For each table with located problems: its header and its offending rows.

    Each row is ``{"row": n, "cells": {column: text}, "marked": [columns], "problems": [...]}``.
    """
    wanted: dict[str, dict[int, list[CellProblem]]] = {}
    for p in problems:
        if p.table and p.row is not None:
            wanted.setdefault(p.table, {}).setdefault(p.row, []).append(p)
    views = []
    for name, by_row in wanted.items():
        table = read_source_table(source, name)
        if table is None:
            continue
        view = TableView(name, table.file, table.columns)
        for row in table.rows:
            found = by_row.get(row.number)
            if not found:
                continue
            view.rows.append({
                "row": row.number,
                "cells": dict(row.cells),
                "marked": sorted({p.column for p in found if p.column}),
                "problems": [p.message for p in found],
            })  # fmt: skip
            if len(view.rows) >= MAX_ROWS_SHOWN:
                break
        views.append(view)
    return views


def table_columns(source: Path) -> dict[str, tuple[str, ...]]:
    """Each readable table's header (for :func:`locate`)."""
    out = {}
    for name in TABLES:
        table = read_source_table(source, name)
        if table is not None:
            out[name] = table.columns
    return out
