"""Validation problems as cells: which table, row, column and value each one names.

``load_instance`` reports every problem as a sentence that starts with where it is
(``communities.csv row 14 (id C013): households must be > 0, got -3``; ``sheet communities row
3 (id C02): ...`` in a workbook; ``communities.csv 第 14 行 ...`` in Chinese), and as a
:class:`sharedprop.errors.Problem` whose fields give that place. :func:`cell_problem` takes the
fields (the sentence is shown, never parsed), and :func:`problem_tables` shows the offending rows
of each table with those cells marked, so the page can highlight them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sharedprop.app.sources import TABLES, read_source_table
from sharedprop.errors import Problem

MAX_ROWS_SHOWN = 200


@dataclass(frozen=True, slots=True)
class CellProblem:
    """One validation problem and, where the loader knows it, the cell it is about."""

    message: str
    table: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None


def cell_problem(problem: Problem) -> CellProblem:
    """The page's view of ``problem``: its sentence, and its cell in one of the five tables."""
    if problem.table not in TABLES:  # a setting, or the instance as a whole
        return CellProblem(str(problem))
    return CellProblem(str(problem), problem.table, problem.row, problem.column, problem.value)


@dataclass
class TableView:
    """The rows of one table that have problems, with the marked cells."""

    name: str
    file: str
    columns: tuple[str, ...]
    rows: list[dict[str, object]] = field(default_factory=list)


def problem_tables(source: Path, problems: list[CellProblem]) -> list[TableView]:
    """For each table with problems on its data rows: its header and those rows.

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
        if view.rows:  # a header problem (a missing column) has no data row to show
            views.append(view)
    return views
