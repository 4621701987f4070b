"""Read one workbook as an instance (``NAME.xlsx``, the contract's one-file form).

Sheets ``communities`` and ``firms`` are required; ``resources``, ``edges`` and ``locks`` are
optional (a sheet with only its header means the sheet is absent: for ``edges``, the
``link_max_m`` rule builds the graph); each has the columns of its CSV file with
the header in row 1 (a title line above it is skipped, as in the files). The sheets
``instance``, ``policy`` and ``objective`` have two columns ``key`` and ``value`` (other columns,
such as the template's ``note``, are ignored; an empty value keeps the default). Sheet names
match ignoring case and spaces; sheets with other names (instructions, notes, lists) are
ignored. Every problem names the sheet, row, column and value: ``sheet communities row 3 (id
C02): households must be > 0, got -3``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd

from sharedprop.data import Instance
from sharedprop.errors import InstanceError
from sharedprop.io.frames import build_instance, table_frame
from sharedprop.io.schema import REQUIRED_TABLES, SETTINGS_SECTIONS, TABLES
from sharedprop.io.settings import OBJECTIVE_FIELDS, POLICY_FIELDS
from sharedprop.io.source import Source
from sharedprop.io.tables import Table, cell_text, norm_header, records_to_table, workbook_sheets

KEY_VALUE_COLUMNS = ("key", "value")


def sheet_label(name: str) -> str:
    """``sheet communities``: how messages name a sheet."""
    return f"sheet {name}"


def _find_sheet(sheets: dict[str, list[list[Any]]], name: str) -> list[list[Any]] | None:
    return next((rows for title, rows in sheets.items() if norm_header(title) == name), None)


def _table(
    sheets: dict[str, list[list[Any]]], name: str, path: Path, problems: list[str]
) -> Table | None:
    rows = _find_sheet(sheets, name)
    columns = TABLES[name][0]
    if rows is None:
        if name in REQUIRED_TABLES:
            problems.append(
                f"{path.name} has no sheet {name!r} (sheets: {', '.join(map(repr, sheets))}); an "
                "instance workbook needs the sheets 'communities' and 'firms' with the columns "
                "of communities.csv and firms.csv (sharedprop template writes one to fill in)"
            )
        return None
    records = [(i, [cell_text(v) for v in r]) for i, r in enumerate(rows, start=1)]
    if name not in REQUIRED_TABLES and not any(any(c for c in rec) for _, rec in records):
        return None  # an empty optional sheet: none
    table = records_to_table(records, name, path, sheet_label(name), columns, problems)
    if table is not None and not table.rows and name not in REQUIRED_TABLES:
        return None  # only the header (the template's sheet, emptied): none, the rule builds
    return table


def _key_values(
    rows: list[list[Any]], section: str, problems: list[str]
) -> tuple[dict[str, Any], dict[tuple[str, str], str]]:
    """The ``key``/``value`` rows of one settings sheet, and where each key is."""
    label = sheet_label(section)
    texts = [[cell_text(v) for v in r] for r in rows]
    header_at = next((k for k, r in enumerate(texts) if any(r)), None)
    if header_at is None:
        return {}, {}
    header = [norm_header(c) for c in texts[header_at]]
    missing = [c for c in KEY_VALUE_COLUMNS if c not in header]
    if missing:
        problems.append(
            f"{label}: missing column(s) {', '.join(missing)} in the header (row {header_at + 1}); "
            "a settings sheet has the columns key and value. "
            f"Found: {','.join(h for h in header if h) or 'nothing'}"
        )
        return {}, {}
    k_col, v_col = header.index("key"), header.index("value")
    values: dict[str, Any] = {}
    places: dict[tuple[str, str], str] = {}
    first_row: dict[str, int] = {}
    for number, raw in enumerate(rows[header_at + 1 :], start=header_at + 2):
        key = norm_header(cell_text(raw[k_col])) if k_col < len(raw) else ""
        if not key:
            continue
        if key in first_row:
            problems.append(
                f"{label} row {number}: key {key} is already given on row {first_row[key]}; "
                "keep one of the two rows"
            )
            continue
        first_row[key] = number
        places[(section, key)] = f"{label} row {number}"
        values[key] = raw[v_col] if v_col < len(raw) else None
    return values, places


def _misplaced(instance: dict[str, Any], places: dict, problems: list[str]) -> None:
    """Policy or objective keys written on the instance sheet."""
    for key in list(instance):
        if key in POLICY_FIELDS or key in OBJECTIVE_FIELDS:
            table = "policy" if key in POLICY_FIELDS else "objective"
            problems.append(
                f"{places[('instance', key)]}: {key} is a {table} key; move the row to "
                f"{sheet_label(table)}"
            )
            del instance[key]


def load_workbook_instance(path: str | Path, *, graph: nx.Graph | None = None) -> Instance:
    """Read the instance in one workbook; see :func:`sharedprop.io.instances.load_instance`.

    Raises
    ------
    InstanceError
        Listing every problem found, each naming the sheet, row, column and value.
    """
    path = Path(path)
    if not path.is_file():
        raise InstanceError(
            f"instance workbook {path} does not exist; give the path of an .xlsx file "
            "(sharedprop template writes one to fill in) or of an instance folder"
        )
    problems: list[str] = []
    sheets = workbook_sheets(path, path.name, problems)
    if sheets is None:
        raise InstanceError(problems)
    frames: dict[str, pd.DataFrame | None] = {
        name: table_frame(_table(sheets, name, path, problems)) for name in TABLES
    }
    settings: dict[str, dict[str, Any]] = {}
    places: dict[tuple[str, str], str] = {}
    for section in SETTINGS_SECTIONS:
        values, where = _key_values(_find_sheet(sheets, section) or [], section, problems)
        settings[section], places = values, places | where
    _misplaced(settings["instance"], places, problems)
    source = Source(
        tables={name: sheet_label(name) for name in TABLES},
        settings={s: sheet_label(s) for s in SETTINGS_SECTIONS},
        keys=places,
        spreadsheet_rows=True,
        text_settings=True,
        path=path.resolve(),
    )
    return build_instance(
        frames,
        settings["instance"],
        settings["policy"],
        settings["objective"],
        source,
        problems,
        graph=graph,
        default_name=path.stem,
    )
