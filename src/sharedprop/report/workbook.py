"""plan.xlsx: the plan as a workbook a planner opens in Excel, and reads back as a plan.

Sheets: ``communities`` (first, so :func:`sharedprop.io.plans.read_plan` reads it), ``summary``
(where Excel opens), ``packages``, ``firms``, ``resources``. The first four columns of
``communities`` are the contract's plan format (``community_id, package_id, firm_id,
hub_id``; an uncovered community has an empty ``package_id``) and ``resources`` starts with
``resource_id, package_id``, so an edited workbook is a plan again (:func:`read_plan_xlsx`).

Text that Excel would take for a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or
carriage return — a classic injection through names in a spreadsheet) is stored as a string
cell with Excel's quote prefix, never as a formula.
"""

from __future__ import annotations

import io
import math
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from sharedprop.data import Instance
from sharedprop.errors import PlanError
from sharedprop.evaluate import Evaluation
from sharedprop.plan import Plan
from sharedprop.result import Result

YUAN = "#,##0"
YUAN2 = "#,##0.00"
SHARE = "0.0%"
INT = "#,##0"
METRES = '#,##0" m"'
SECONDS = '0.0" s"'
TEXT = "@"

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAN_COLUMNS = ("community_id", "package_id", "firm_id", "hub_id")

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="E8ECF2")


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    number_format: str | None = None


def display_width(text: str) -> int:
    """Characters as Excel's column width counts them: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _shown(value: Any, number_format: str | None) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "" if value is None else str(value)
    if number_format == SHARE:
        return f"{value * 100:.1f}%"
    if number_format in (YUAN, INT, METRES):
        return f"{value:,.0f}" + (" m" if number_format == METRES else "")
    if number_format == YUAN2:
        return f"{value:,.2f}"
    return f"{value:g}"


def set_cell(ws: Worksheet, row: int, col: int, value: Any, number_format: str | None) -> None:
    """Write one value; text is never a formula, numbers get their format, NaN becomes empty."""
    if isinstance(value, float) and not math.isfinite(value):
        value = None
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        cell.value = value
        # openpyxl turns a leading "=" into a formula; Excel treats +, -, @ as one on edit.
        if value.startswith(FORMULA_STARTS):
            cell.data_type = "s"
            cell.quotePrefix = True
        return
    cell.value = value
    if number_format and value is not None and not isinstance(value, bool):
        cell.number_format = number_format


def write_table(
    ws: Worksheet, columns: Sequence[Column], rows: Sequence[Sequence[Any]], *, row_formats=None
) -> None:
    """Header row (bold, frozen, filterable), then ``rows``; column widths fit the content."""
    widths = [display_width(c.header) for c in columns]
    for j, col in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=j)
        cell.value = col.header
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(vertical="center")
    for i, row in enumerate(rows, start=2):
        for j, (col, value) in enumerate(zip(columns, row, strict=True), start=1):
            fmt = col.number_format
            if row_formats is not None and j == len(columns):
                fmt = row_formats[i - 2]
            set_cell(ws, i, j, value, fmt)
            widths[j - 1] = max(widths[j - 1], display_width(_shown(value, fmt)))
    for j, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = min(60, max(8, w + 2))
    ws.freeze_panes = "A2"
    if rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"


# -- the sheets ---------------------------------------------------------------------------------


def _summary(ws: Worksheet, instance: Instance, ev: Evaluation, result: Result | None) -> None:
    items: list[tuple[str, Any, str | None]] = [
        ("instance", instance.name, None),
        ("plan", ev.plan_name, None),
    ]
    if result is not None:
        items += [
            ("status", result.status, None),
            ("strategy", result.strategy, None),
            ("objective (yuan/yr)", result.objective, YUAN2),
            ("best proven bound (yuan/yr)", result.best_bound, YUAN2),
            ("proven gap", result.gap, SHARE),
            ("runtime", result.runtime_s, SECONDS),
        ]
    else:
        items.append(("objective (yuan/yr)", ev.objective, YUAN2))
    items += [
        ("public money (yuan/yr)", ev.public_money, YUAN),
        ("  of which package subsidies", ev.subsidy, YUAN),
        ("  of which fallback for uncovered", ev.fallback_cost, YUAN),
        ("total cost (yuan/yr)", ev.total_cost, YUAN),
        ("revenue (yuan/yr)", ev.revenue, YUAN),
        ("  of which resource income", ev.resource_income, YUAN),
        ("households covered", ev.coverage_households, INT),
        ("households in total", ev.total_households, INT),
        ("coverage (households)", ev.coverage, SHARE),
        ("communities covered", len(ev.covered), INT),
        ("communities uncovered", len(ev.uncovered), INT),
        ("packages", len(ev.packages), INT),
        ("firms used", ev.firms_used, INT),
        ("broken rules", len(ev.broken), INT),
    ]
    items += [(f"broken: {v.rule}", v.message, None) for v in ev.broken]
    write_table(
        ws,
        [Column("item"), Column("value")],
        [(k, v) for k, v, _ in items],
        row_formats=[f for _, _, f in items],
    )


def _packages(ws: Worksheet, instance: Instance, ev: Evaluation) -> None:
    names = {c.id: c.name for c in instance.communities}
    firms = {f.id: f.name for f in instance.firms}
    cols = [
        Column("package_id"), Column("firm_id"), Column("firm_name"), Column("hub_id"),
        Column("hub_name"), Column("communities", INT), Column("households", INT),
        Column("members"), Column("member_names"), Column("resources"),
        Column("cost", YUAN), Column("fee_revenue", YUAN), Column("resource_income", YUAN),
        Column("revenue", YUAN), Column("subsidy", YUAN), Column("margin", SHARE),
        Column("firm_distance_m", METRES), Column("max_member_distance_m", METRES),
        Column("streets"),
    ]  # fmt: skip
    rows = [
        (
            p.package_id,
            p.firm_id,
            firms.get(p.firm_id, ""),
            p.hub_id,
            names.get(p.hub_id, ""),
            len(p.members),
            p.households,
            "; ".join(p.members),
            "; ".join(names.get(m, m) for m in p.members),
            "; ".join(p.resources),
            p.cost,
            p.fee_revenue,
            p.resource_income,
            p.revenue,
            p.subsidy,
            p.margin,
            p.firm_distance_m,
            p.max_member_distance_m,
            "; ".join(p.streets),
        )  # fmt: skip
        for p in ev.packages
    ]
    write_table(ws, cols, rows)


def _communities(ws: Worksheet, instance: Instance, plan: Plan, ev: Evaluation) -> None:
    firms = {f.id: f.name for f in instance.firms}
    hubs = {p.package_id: p.hub_id for p in ev.packages}
    cols = [
        Column("community_id"), Column("package_id"), Column("firm_id"), Column("hub_id"),
        Column("name"), Column("firm_name"), Column("is_hub"), Column("street"),
        Column("neighbourhood"), Column("households", INT), Column("floor_area_m2", INT),
        Column("fee_rate", "0.00"), Column("collection_rate", SHARE),
        Column("annual_fee_income", YUAN), Column("distance_to_hub_m", METRES),
    ]  # fmt: skip

    def row(cid: str, pid: str | None, fid: str | None, given_hub: str | None) -> tuple:
        c = instance.community(cid)
        hub = hubs.get(pid) if pid else None
        d = instance.distance_m(c, instance.community(hub)) if hub else None
        return (
            cid, pid, fid, given_hub, c.name, firms.get(fid, "") if fid else "",
            "yes" if hub == cid else "", c.street, c.neighbourhood, c.households,
            c.floor_area_m2, c.fee_rate, c.collection_rate, c.annual_fee_income, d,
        )  # fmt: skip

    # Plan order (package by package, members in order) so the sheet reads back to the same plan.
    rows = [row(m, p.id, p.firm_id, p.hub_id) for p in plan.packages for m in p.members]
    covered = plan.covered()
    rows += [row(c.id, None, None, None) for c in instance.communities if c.id not in covered]
    write_table(ws, cols, rows)


def _firms(ws: Worksheet, plan: Plan, ev: Evaluation, instance: Instance) -> None:
    cols = [
        Column("firm_id"), Column("name"), Column("packages", INT), Column("package_ids"),
        Column("households", INT), Column("capacity_households", INT),
        Column("capacity_used", SHARE), Column("max_packages", INT),
        Column("service_radius_m", METRES),
    ]  # fmt: skip
    rows = []
    for f in ev.firms:
        firm = instance.firm(f.firm_id)
        pids = "; ".join(p.id for p in plan.packages if p.firm_id == f.firm_id)
        used = f.capacity_used if math.isfinite(f.capacity_used) else None
        rows.append(
            (
                f.firm_id,
                f.name,
                f.packages,
                pids,
                f.households,
                f.capacity_households,
                used,
                f.max_packages,
                firm.service_radius_m,
            )  # fmt: skip
        )
    write_table(ws, cols, rows)


def _resources(ws: Worksheet, instance: Instance, plan: Plan, ev: Evaluation) -> None:
    hubs = {p.package_id: p.hub_id for p in ev.packages}
    cols = [
        Column("resource_id"), Column("package_id"), Column("name"), Column("kind"),
        Column("annual_income", YUAN), Column("distance_to_hub_m", METRES),
        Column("max_distance_m", METRES),
    ]  # fmt: skip
    where = plan.resource_assignment()
    order = [r for p in plan.packages for r in p.resources]
    order += [r.id for r in instance.resources if r.id not in where]
    rows = []
    for rid in order:
        r = instance.resource(rid)
        pid = where.get(rid)
        hub = hubs.get(pid) if pid else None
        d = instance.distance_m(r, instance.community(hub)) if hub else None
        rows.append((rid, pid, r.name, r.kind, r.annual_income, d, r.max_distance_m))
    write_table(ws, cols, rows)


def build_workbook(
    instance: Instance, plan: Plan, evaluation: Evaluation, result: Result | None = None
) -> Workbook:
    wb = Workbook()
    # communities comes first because sharedprop.io.plans.read_plan reads a workbook's first
    # sheet; Excel still opens on summary (the active sheet).
    sheets: list[tuple[str, Callable[[Worksheet], None]]] = [
        ("communities", lambda ws: _communities(ws, instance, plan, evaluation)),
        ("summary", lambda ws: _summary(ws, instance, evaluation, result)),
        ("packages", lambda ws: _packages(ws, instance, evaluation)),
        ("firms", lambda ws: _firms(ws, plan, evaluation, instance)),
        ("resources", lambda ws: _resources(ws, instance, plan, evaluation)),
    ]
    first = wb.active
    for i, (title, fill) in enumerate(sheets):
        ws = first if i == 0 else wb.create_sheet()
        ws.title = title
        fill(ws)
    wb.active = 1
    first.sheet_view.tabSelected = False
    wb.properties.creator = "sharedprop"
    return wb


def workbook_bytes(
    instance: Instance, plan: Plan, evaluation: Evaluation, result: Result | None = None
) -> bytes:
    buf = io.BytesIO()
    build_workbook(instance, plan, evaluation, result).save(buf)
    return buf.getvalue()


def read_plan_xlsx(path: str | Path, name: str | None = None) -> Plan:
    """Read a workbook written by :func:`build_workbook` (possibly edited) back into a plan."""
    path = Path(path)
    try:
        sheets = pd.read_excel(path, sheet_name=None, dtype=str, keep_default_na=False)
    except (ValueError, OSError) as exc:
        raise PlanError(f"{path.name}: cannot read the workbook ({exc})") from exc
    if "communities" not in sheets:
        raise PlanError(f"{path.name}: no sheet named 'communities' (sheets: {', '.join(sheets)})")
    frame = sheets["communities"]
    missing = [c for c in ("community_id", "package_id", "firm_id") if c not in frame.columns]
    if missing:
        raise PlanError(f"{path.name}, sheet communities: missing column(s) {', '.join(missing)}")
    resources = sheets.get("resources")
    if resources is not None and {"resource_id", "package_id"} <= set(resources.columns):
        resources = resources[resources["package_id"].str.strip() != ""]
    else:
        resources = None
    return Plan.from_frame(frame, resources, name=name or path.stem)
