"""Read one table of an instance (``<name>.csv`` or ``<name>.xlsx``) into rows of text cells.

Planners' spreadsheets come from Chinese Excel, WPS and hand-edited CSV, so this module is
lenient about *form* and strict about *content*:

- CSV text may be UTF-8, UTF-8 with BOM, GBK / GB18030 (what Chinese Excel's plain "CSV" export
  writes) or UTF-16 with BOM ("Unicode text"); the delimiter may be a comma, semicolon or tab;
- file names match case-insensitively (``Communities.CSV`` is ``communities.csv``);
- header names are matched after trimming and lower-casing; unknown extra columns are ignored;
  title lines above the header are skipped when a later line holds the required columns;
- in an ``.xlsx`` workbook the sheet named like the table is used, else the first sheet;
- numbers may carry thousands separators (``1,234``), a percent sign (``65%`` is 0.65) or
  full-width digits.

Every problem is a sentence naming the file, the row and the column. **Row numbers are
spreadsheet rows as Excel and WPS show them in their left margin: the header is row 1, the first
data row is row 2** (for CSV without line breaks inside cells this is also the line number a text
editor shows). :func:`row_note` says so at the end of every error message that cites a row.

Only the fixed file names are looked up, and a file that resolves outside the instance folder
(through a symbolic link) or is not a regular file is refused: nothing here follows a path
written inside a file, executes anything or unpickles anything.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import os
import re
import stat
import unicodedata
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sharedprop.errors import Problem
from sharedprop.i18n import tr

ROW_REFERENCE = re.compile(r"\brows? \d|第 \d+ 行")
TABLE_SUFFIXES = (".csv", ".xlsx")
# Suffixes we recognise but cannot read: say what to do instead of "file is missing".
_CONVERTIBLE_SUFFIXES = (".xls", ".xlsm", ".et", ".ods", ".txt", ".tsv")
_HEADER_SEARCH_ROWS = 10
_SAVE_AS_UTF8 = "in Excel use File > Save As > 'CSV UTF-8 (Comma delimited)', or save it as .xlsx"


@dataclass(frozen=True, slots=True)
class Row:
    """One data row: its spreadsheet row number and its cells as trimmed text by column name.

    ``label`` replaces ``row <number>`` in messages where rows are not spreadsheet rows (a
    DataFrame's rows are named by their index: ``index 7``).
    """

    number: int
    cells: Mapping[str, str]
    label: str = ""

    def get(self, column: str) -> str:
        return self.cells.get(column, "")

    @property
    def ref(self) -> str:
        """``row 14`` (or the row's own label): how messages name this row."""
        return self.label or tr("row {n}", n=self.number)

    @property
    def sheet_row(self) -> int | None:
        """The spreadsheet row, or None where rows are named by a label (a frame's index)."""
        return None if self.label else self.number


@dataclass(frozen=True)
class Table:
    """A table read from ``path``; ``file`` is the name used in messages (``communities.csv``)."""

    name: str
    file: str
    path: Path | None
    columns: tuple[str, ...]
    rows: tuple[Row, ...]

    def has(self, column: str) -> bool:
        return column in self.columns

    def where(self, row: Row, ident: str | None = None) -> str:
        """``communities.csv row 14 (id C013)`` — the start of every message about a row."""
        label = f"{self.file} {row.ref}"
        return tr("{place} (id {id})", place=label, id=ident) if ident else label

    def cells(self, row: Row, problems: list[str], ident: str | None = None) -> Cells:
        """Typed access to ``row``; its problems start with :meth:`where` and name this table."""
        return Cells(self.where(row, ident), row, problems, table=self.name, place=self.file)

    def problem(self, row: Row, text: str, column: str | None = None) -> Problem:
        """``text`` (a whole sentence about ``row``) with its place: this table, row, column."""
        value = row.get(column) if column else None
        return Problem(
            text, place=self.file, table=self.name, row=row.sheet_row, column=column, value=value
        )


def row_note(problems: list[str]) -> str | None:
    """How rows are counted, when some problem cites a row number, else ``None``."""
    if not any(ROW_REFERENCE.search(p) for p in problems):
        return None
    return tr(
        "Row numbers are spreadsheet rows as Excel shows them: the header is row 1, "
        "the first data row is row 2."
    )


# -- locating and opening files ------------------------------------------------------------------


def _entries(folder: Path) -> dict[str, str]:
    """Lower-cased name → actual name of the entries of ``folder`` (empty when unreadable)."""
    try:
        return {n.lower(): n for n in os.listdir(folder)}
    except OSError:
        return {}


def safe_file(folder: Path, path: Path, display: str, problems: list[str]) -> Path | None:
    """``path`` resolved, if it is a regular file inside ``folder``; else a problem and ``None``."""
    root = folder.resolve()
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError):
        problems.append(
            f"{display}: cannot open it (a broken link or a link loop); "
            "replace it by the file itself"
        )
        return None
    if not real.is_relative_to(root):
        problems.append(
            f"{display} points outside the instance folder (to {real}); instance files must lie "
            f"inside {root}: copy the file into the folder instead of linking to it"
        )
        return None
    try:
        mode = real.stat().st_mode
    except OSError as exc:
        problems.append(f"{display}: cannot read it ({exc.strerror})")
        return None
    if not stat.S_ISREG(mode):
        problems.append(f"{display} is not a regular file; it must be a CSV or XLSX file")
        return None
    return real


def find_table(folder: Path, name: str, problems: list[str]) -> Path | None:
    """The path of ``<name>.csv`` or ``<name>.xlsx`` in ``folder`` (case-insensitive), or ``None``.

    Two candidates (CSV and XLSX) are ambiguous and reported; so is a table saved in a format we
    do not read (``.xls``), with what to do. A plain absence adds no problem: the caller knows
    whether the table is optional.
    """
    entries = _entries(folder)
    found = [entries[f"{name}{s}"] for s in TABLE_SUFFIXES if f"{name}{s}" in entries]
    if len(found) > 1:
        problems.append(
            f"{' and '.join(found)} both exist in {folder}; keep only one of them so it is clear "
            "which one holds the data"
        )
        return None
    if found:
        return folder / found[0]
    for suffix in _CONVERTIBLE_SUFFIXES:
        if f"{name}{suffix}" in entries:
            problems.append(
                f"{entries[f'{name}{suffix}']} cannot be read; save it as {name}.xlsx or as "
                f"{name}.csv (CSV UTF-8)"
            )
            return None
    return None


def read_table(
    folder: Path,
    name: str,
    required_columns: Sequence[str],
    problems: list[str],
    *,
    required: bool = True,
) -> Table | None:
    """Read ``<name>.csv|xlsx`` from ``folder``; ``None`` when absent (a problem if required).

    Problems (missing file or columns, undecodable text, unreadable workbook) are appended to
    ``problems``; a table with missing required columns is returned as ``None`` so that its rows
    do not add a flood of follow-on messages.
    """
    n_before = len(problems)
    path = find_table(folder, name, problems)
    if path is None:
        if required and len(problems) == n_before:
            problems.append(
                f"{name}.csv is missing: the instance folder {folder} must contain "
                f"{name}.csv or {name}.xlsx with the columns {','.join(required_columns)}"
            )
        return None
    real = safe_file(folder, path, path.name, problems)
    if real is None:
        return None
    return read_table_file(
        real, name, required_columns, problems, display=path.name, allow_empty=not required
    )


def read_table_file(
    path: Path,
    name: str,
    required_columns: Sequence[str],
    problems: list[str],
    *,
    display: str | None = None,
    allow_empty: bool = False,
    named_sheet_only: bool = False,
) -> Table | None:
    """Read the table in ``path`` (a CSV or XLSX file) with the given required columns.

    ``allow_empty``: a file with nothing in it (not even a header) is an empty table rather
    than a problem — for optional tables, where an empty file plainly means "none".
    ``named_sheet_only``: in a workbook, read only the sheet called ``name``; a workbook
    without one gives None and no problem (an optional extra sheet).
    """
    display = display or path.name
    n_before = len(problems)
    if path.suffix.lower() == ".xlsx":
        records = _xlsx_records(
            path, name, required_columns, display, problems, named_sheet_only=named_sheet_only
        )
    else:
        records = _csv_records(path, display, problems)
    if records is None or len(problems) > n_before:
        return None
    if allow_empty and not any(any(c.strip() for c in rec) for _, rec in records):
        return Table(name=name, file=display, path=path, columns=(), rows=())
    return records_to_table(records, name, path, display, required_columns, problems)


# -- CSV -----------------------------------------------------------------------------------------


def decode_text(data: bytes, display: str, problems: list[str]) -> str | None:
    """Decode CSV bytes: UTF-16 (BOM), UTF-8 (with or without BOM), else GB18030 (⊃ GBK)."""
    if data.startswith(b"PK\x03\x04"):
        problems.append(
            f"{display} is an Excel workbook, not CSV text: rename it to end in .xlsx "
            "(or save it again as CSV UTF-8)"
        )
        return None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    else:
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("gb18030")
            except UnicodeDecodeError:
                text = None
            if text is not None and "\x00" not in text:
                return text
    problems.append(
        f"{display} is neither UTF-8 nor GBK text (a binary file or another encoding); "
        f"{_SAVE_AS_UTF8}"
    )
    return None


def sniff_delimiter(text: str) -> str:
    """The delimiter of CSV ``text``: the most frequent of comma, semicolon and tab in its first
    line (a comma when none is there)."""
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _csv_records(
    path: Path, display: str, problems: list[str]
) -> list[tuple[int, list[str]]] | None:
    try:
        data = path.read_bytes()
    except OSError as exc:
        problems.append(f"{display}: cannot read it ({exc.strerror})")
        return None
    text = decode_text(data, display, problems)
    if text is None:
        return None
    if "\x00" in text:
        problems.append(f"{display} contains NUL bytes, so it is not CSV text; {_SAVE_AS_UTF8}")
        return None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    try:
        # Records are numbered as spreadsheet rows (header = 1), which is what Excel shows.
        return [(i, rec) for i, rec in enumerate(reader, start=1)]
    except csv.Error as exc:
        problems.append(
            f"{display} near line {reader.line_num}: not valid CSV ({exc}); check the quotes "
            "in that line"
        )
        return None


# -- XLSX ----------------------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """An Excel cell value as the text a person sees (integral floats without ``.0``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()


def _open_workbook(path: Path, display: str, problems: list[str]) -> Any:
    """The workbook at ``path``, read-only with cached values; None with a problem if unreadable."""
    from openpyxl import load_workbook

    try:
        return load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        problems.append(
            f"{display} is not a readable .xlsx workbook ({type(exc).__name__}: {exc}); open it in "
            "Excel or WPS and save it again as .xlsx"
        )
        return None


def workbook_sheets(
    path: Path, display: str, problems: list[str]
) -> dict[str, list[list[Any]]] | None:
    """Every sheet of the workbook at ``path`` as rows of cell values, by sheet title."""
    wb = _open_workbook(path, display, problems)
    if wb is None:
        return None
    try:
        return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}
    finally:
        wb.close()


def _header_of(rows: Iterable[Sequence[Any]]) -> set[str]:
    out: set[str] = set()
    for i, row in enumerate(rows):
        if i >= _HEADER_SEARCH_ROWS:
            break
        out.update(norm_header(cell_text(v)) for v in row)
    return out


def _xlsx_records(
    path: Path,
    name: str,
    required_columns: Sequence[str],
    display: str,
    problems: list[str],
    *,
    named_sheet_only: bool = False,
) -> list[tuple[int, list[str]]] | None:
    wb = _open_workbook(path, display, problems)
    if wb is None:
        return None
    try:
        sheets = {ws.title: ws for ws in wb.worksheets}
        if not sheets:
            problems.append(f"{display} has no worksheet; put the table on a sheet named {name!r}")
            return None
        named = next((t for t in sheets if t.strip().lower() == name), None)
        if named is None and named_sheet_only:
            return None
        chosen = named if named is not None else next(iter(sheets))
        rows = [list(r) for r in sheets[chosen].iter_rows(values_only=True)]
        missing = set(required_columns) - _header_of(rows)
        if missing:
            others = [
                t
                for t, ws in sheets.items()
                if t != chosen
                and not set(required_columns) - _header_of(ws.iter_rows(values_only=True))
            ]
            hint = (
                f"sheet {others[0]!r} has them: rename that sheet to {name!r} or move it first"
                if others
                else f"put the table on a sheet named {name!r} with the header "
                f"{','.join(required_columns)} in its first row"
            )
            problems.append(
                f"{display}, sheet {chosen!r} (sheets: {', '.join(repr(t) for t in sheets)}): "
                "missing column(s) "
                f"{', '.join(sorted(missing, key=list(required_columns).index))}; "
                f"{hint}"
            )
            return None
        return [(i, [cell_text(v) for v in r]) for i, r in enumerate(rows, start=1)]
    finally:
        wb.close()


# -- records to a table --------------------------------------------------------------------------


def norm_header(text: str) -> str:
    """A header cell as matched: NFKC-normalised, without BOM and spaces, lower case."""
    return unicodedata.normalize("NFKC", text).replace("\ufeff", "").strip().lower()


def records_to_table(
    records: list[tuple[int, list[str]]],
    name: str,
    path: Path,
    display: str,
    required_columns: Sequence[str],
    problems: list[str],
) -> Table | None:
    """Find the header among ``records`` (numbered text rows) and make the table below it."""
    records = [(n, [c.strip() for c in rec]) for n, rec in records]
    non_empty = [(n, rec) for n, rec in records if any(rec)]
    if not non_empty:
        problems.append(
            f"{display} is empty; its first row must be the header {','.join(required_columns)}"
        )
        return None
    header_at = 0
    first_missing = set(required_columns) - {norm_header(c) for c in non_empty[0][1]}
    if first_missing:
        # A title line above the header ("厦门市无物业小区名单") is common; look a little further.
        for k, (_, rec) in enumerate(non_empty[:_HEADER_SEARCH_ROWS]):
            if not set(required_columns) - {norm_header(c) for c in rec}:
                header_at = k
                break
    header_number, raw_header = non_empty[header_at]
    header = [norm_header(c) for c in raw_header]
    missing = [c for c in required_columns if c not in header]
    if missing:
        problems.append(
            Problem(
                f"{display}: missing column(s) {', '.join(missing)} in the header (row "
                f"{header_number}); the header must include {','.join(required_columns)}. "
                f"Found: {','.join(h for h in header if h) or 'nothing'}",
                place=display,
                table=name,
                row=header_number,
            )
        )
        return None
    seen: set[str] = set()
    for h in header:
        if h and h in seen:
            problems.append(
                Problem(
                    f"{display}: column {h} appears twice in the header (row {header_number}); "
                    "delete or rename one of them",
                    place=display,
                    table=name,
                    row=header_number,
                    column=h,
                )
            )
            return None
        seen.add(h)
    rows = []
    for number, rec in records:
        if number <= header_number or not any(rec):
            continue
        cells = {h: (rec[k] if k < len(rec) else "") for k, h in enumerate(header) if h}
        rows.append(Row(number=number, cells=cells))
    columns = tuple(h for h in header if h)
    return Table(name=name, file=display, path=path, columns=columns, rows=tuple(rows))


# -- typed cells ---------------------------------------------------------------------------------

_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")


@dataclass
class Cells:
    """Typed access to one row's cells; every problem is appended to ``problems``.

    ``where`` is the start of each message (``communities.csv row 14 (id C013)``), so every
    problem names file, row, id and — by its first word — the column. Each problem is a
    :class:`Problem` that also carries ``table``, ``place``, the row and the column.
    """

    where: str
    row: Row
    problems: list[str] = field(default_factory=list)
    table: str | None = None
    place: str | None = None

    def add(self, message: str, column: str | None = None) -> None:
        """Add ``message`` (about ``column``'s cell, or the row when None) as a problem."""
        self.problems.append(
            Problem(
                tr("{where}: {problem}", where=self.where, problem=message),
                place=self.place,
                table=self.table,
                row=self.row.sheet_row,
                column=column,
                value=self.row.get(column) if column else None,
            )
        )

    def text(self, column: str, *, required: bool = False, what: str | None = None) -> str:
        value = self.row.get(column)
        if required and not value:
            what = what if what is not None else tr("a value")
            self.add(tr("{column} is empty; fill in {what}", column=column, what=what), column)
        return value

    def flag(self, column: str, *, default: bool = True) -> bool | None:
        """The cell as true/false (``default`` when empty), or ``None`` with a problem."""
        raw = self.row.get(column)
        if not raw:
            return default
        value = parse_flag(raw)
        if value is None:
            self.add(
                tr(
                    "{column} must be true or false (or {words}), got {value}",
                    column=column,
                    words=FLAG_WORDS,
                    value=repr(raw),
                ),
                column,
            )
        return value

    def number(
        self, column: str, *, whole: bool = False, required: bool = True
    ) -> float | int | None:
        """The cell as a finite number (an ``int`` when ``whole``), or ``None`` with a problem.

        An empty optional cell is ``None`` without a problem.
        """
        raw = self.row.get(column)
        kind = tr("a whole number") if whole else tr("a number")
        if not raw:
            if required:
                self.add(tr("{column} is empty; fill in {what}", column=column, what=kind), column)
            return None
        value = parse_number(raw)
        if value is None:
            hint = tr(" (an Excel error value: fix the formula)") if raw.startswith("#") else ""
            self.add(
                tr(
                    "{column} must be {kind}, got {value}{hint}",
                    column=column,
                    kind=kind,
                    value=repr(raw),
                    hint=hint,
                ),
                column,
            )
            return None
        if not math.isfinite(value):
            self.add(
                tr("{column} must be a finite number, got {value}", column=column, value=repr(raw)),
                column,
            )
            return None
        if whole:
            if not value.is_integer():
                self.add(
                    tr(
                        "{column} must be a whole number, got {value}",
                        column=column,
                        value=repr(raw),
                    ),
                    column,
                )
                return None
            return int(value)
        return value


_TRUE = frozenset({"true", "1", "yes", "y", "是", "真"})
_FALSE = frozenset({"false", "0", "no", "n", "否", "假"})
FLAG_WORDS = "1/0, yes/no, 是/否"


def parse_flag(raw: str) -> bool | None:
    """``raw`` as a yes/no value (:data:`FLAG_WORDS`, any case), or ``None`` when it is not one."""
    text = unicodedata.normalize("NFKC", raw).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    number = parse_number(text) if text else None
    if number in (0.0, 1.0):  # 1.0 and 0.0 from a spreadsheet's number cells
        return bool(number)
    return None


def parse_number(raw: str) -> float | None:
    """``raw`` as a float (``nan``/``inf`` included), or ``None`` when it is not a number."""
    text = unicodedata.normalize("NFKC", raw).strip().replace("\u2212", "-")
    scale = 1.0
    if text.endswith("%"):
        text, scale = text[:-1].strip(), 0.01
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    if "_" in text:  # float() accepts 1_000; a spreadsheet never means that
        return None
    try:
        return float(text) * scale
    except ValueError:
        return None
