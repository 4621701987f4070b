"""Rows of the instance tables parsed into typed values, every problem named by place.

The tables arrive as rows of text cells (:class:`sharedprop.io.tables.Table`), whatever they came
from (CSV, a workbook's sheet, a DataFrame); this module turns them into checked values for
:class:`Community`, :class:`Firm`, :class:`Resource`, :class:`Lock` and the proximity graph's
edges. Problems are appended to a list so that all of them are reported at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely

from sharedprop.coords import to_wgs84
from sharedprop.data import GEOGRAPHIC_RULES, LOCK_RULES, Lock, Rule, field_problems
from sharedprop.graph import Edge
from sharedprop.i18n import tr
from sharedprop.io.tables import Row, Table

# Columns holding whole numbers; every other numeric column is a float.
_WHOLE = {"households", "capacity_households", "max_packages", "buildings", "built_year"}
# Fields that are shares (0..1) and are often typed as percentages.
_SHARES = {"collection_rate", "min_margin"}


@dataclass
class Parsed:
    """Rows of one table parsed into plain dicts, with their row for messages."""

    table: Table
    items: list[tuple[Row, dict[str, Any]]] = field(default_factory=list)


def kind_word(kind: str) -> str:
    """``community``, ``firm`` or ``resource`` in the current language."""
    words = {"community": tr("community"), "firm": tr("firm"), "resource": tr("resource")}
    return words[kind]


def _hint_for(name: str, value: Any) -> str:
    if name in _SHARES and isinstance(value, int | float) and 1 < value <= 100:
        return tr(
            " (a percentage? write {share} or {value}%)",
            share=format(value / 100, "g"),
            value=format(value, "g"),
        )
    return ""


def _coordinate_problems(values: dict[str, Any], geographic: bool) -> list[tuple[str, str]]:
    """``(column, message)`` for each coordinate out of range."""
    if not geographic:
        return []
    out = []
    for col, msg in field_problems(values, GEOGRAPHIC_RULES):
        lon, lat = values.get("lon"), values.get("lat")
        swapped = (
            lon is not None
            and lat is not None
            and -90 <= lon <= 90
            and -180 <= lat <= 180
            and col == "lat"
        )
        hint = (
            tr(
                " (lon and lat look swapped: lon={lon}, lat={lat}; lon is east-west, about 118 "
                "in Xiamen, lat is north-south, about 24.5: swap the two columns)",
                lon=format(lon, "g"), lat=format(lat, "g"),
            )
            if swapped
            else ""
        )  # fmt: skip
        out.append((col, msg + hint))
    return out


def parse_sites(
    table: Table | None,
    kind: str,
    numeric: tuple[str, ...],
    rules: Mapping[str, Rule],
    geographic: bool,
    problems: list[str],
    *,
    text_required: tuple[str, ...] = (),
    optional_numeric: tuple[str, ...] = (),
    optional_flags: tuple[str, ...] = (),
    required: bool = True,
) -> Parsed | None:
    """Parse a table of sites (communities, firms, resources): ids, text, numbers, rules.

    A ``required`` table with no data rows is a problem; an optional one means "none".
    """
    if table is None:
        return None
    parsed = Parsed(table)
    first_row: dict[str, str] = {}
    for row in table.rows:
        ident = row.get("id")
        cells = table.cells(row, problems, ident or None)
        if not ident:
            cells.add(tr("id is empty; give every {kind} a unique id", kind=kind_word(kind)), "id")
        elif ident in first_row:
            cells.add(
                tr(
                    "duplicate id: {id} is already used on {row}; every {kind} needs its own id",
                    id=ident,
                    row=first_row[ident],
                    kind=kind_word(kind),
                ),
                "id",
            )
        else:
            first_row[ident] = row.ref
        values: dict[str, Any] = {"id": ident}
        for col in table.columns:
            if col not in numeric and col not in optional_numeric:
                values[col] = row.get(col)
        for col in text_required:
            what = tr("the {column} of this {kind}", column=col, kind=kind_word(kind))
            cells.text(col, required=True, what=what)
        ok = True
        for col in numeric:
            values[col] = cells.number(col, whole=col in _WHOLE)
            ok &= values[col] is not None
        for col in optional_numeric:
            if table.has(col):
                values[col] = cells.number(col, whole=col in _WHOLE, required=False)
        for col in optional_flags:
            values[col] = cells.flag(col) if table.has(col) else True
            ok &= values[col] is not None
        for col, msg in field_problems(values, rules):
            cells.add(msg + _hint_for(col, values[col]), col)
            ok = False
        for col, msg in _coordinate_problems(values, geographic):
            cells.add(msg, col)
            ok = False
        if ok and ident:
            parsed.items.append((row, values))
    if required and not table.rows:
        problems.append(
            tr(
                "{table} has no data rows; add at least one {kind} below the header",
                table=table.file,
                kind=kind_word(kind),
            )
        )
    return parsed


def parse_wkt(parsed: Parsed | None, geographic: bool, problems: list[str]) -> None:
    """Check ``geometry_wkt`` cells; keep the shapely geometry under ``_geom``."""
    if parsed is None or not parsed.table.has("geometry_wkt"):
        return
    for row, values in parsed.items:
        text = values.get("geometry_wkt") or ""
        values["geometry_wkt"] = None
        if not text:
            continue
        where = parsed.table.where(row, values["id"])
        try:
            geom = shapely.from_wkt(text)
        except shapely.errors.ShapelyError as exc:
            text = tr(
                "{where}: geometry_wkt is not valid WKT ({error}); write e.g. POLYGON ((118.11 "
                "24.48, 118.12 24.48, 118.12 24.49, 118.11 24.48)) or leave it empty",
                where=where,
                error=exc,
            )
            problems.append(parsed.table.problem(row, text, "geometry_wkt"))
            continue
        if geom is None or geom.is_empty:
            continue
        if geographic:
            x0, y0, x1, y1 = geom.bounds
            if not (-180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90):
                text = tr(
                    "{where}: geometry_wkt has coordinates outside lon -180..180 / lat "
                    "-90..90 (bounds {bounds}); WKT lists each vertex as 'lon lat'",
                    where=where,
                    bounds=" ".join(format(v, "g") for v in (x0, y0, x1, y1)),
                )
                problems.append(parsed.table.problem(row, text, "geometry_wkt"))
                continue
        values["_geom"] = geom


def _check_ids(
    table: Table, columns: Mapping[str, tuple[str, set[str], str]], problems: list[str]
) -> list[tuple[Row, dict[str, str]]]:
    """Rows whose id columns all name known ids; problems for the others."""
    out = []
    for row in table.rows:
        cells = table.cells(row, problems)
        values, ok = {}, True
        for col, (what, known, origin) in columns.items():
            value = cells.text(col, required=True, what=tr("a {kind} id", kind=kind_word(what)))
            if not value:
                ok = False
            elif value not in known:
                cells.add(
                    tr(
                        "{column} {value} is not a {kind} id in {origin}; correct the id or add "
                        "the {kind}",
                        column=col,
                        value=repr(value),
                        kind=kind_word(what),
                        origin=origin,
                    ),
                    col,
                )
                ok = False
            values[col] = value
        if ok:
            out.append((row, values))
    return out


def parse_edges(
    table: Table | None, cids: set[str], communities: str, problems: list[str]
) -> list[Edge] | None:
    """The edges of ``table``; ``communities`` names the communities' table in messages."""
    if table is None:
        return None
    edges: list[Edge] = []
    known = ("community", cids, communities)
    rows = _check_ids(table, {"source": known, "target": known}, problems)
    for row, values in rows:
        cells = table.cells(row, problems, f"{values['source']}-{values['target']}")
        if values["source"] == values["target"]:
            cells.add(tr("source and target are the same community; delete this row"), "target")
            continue
        dist = cells.number("distance_m", required=False) if table.has("distance_m") else None
        if dist is not None and dist < 0:
            cells.add(
                tr("distance_m must be >= 0, got {value}", value=format(dist, "g")), "distance_m"
            )
            continue
        edges.append((values["source"], values["target"], dist))
    return edges


def parse_locks(
    table: Table | None, known: Mapping[str, tuple[set[str], str]], problems: list[str]
) -> list[Lock]:
    """The locks of ``table``; ``known`` maps community/firm to (ids, table label)."""
    locks: list[Lock] = []
    if table is None:
        return locks
    columns = {
        "community_id": ("community", *known["community"]),
        "firm_id": ("firm", *known["firm"]),
    }
    rows = _check_ids(table, columns, problems)
    seen: dict[tuple[str, str], tuple[str, str]] = {}
    must: dict[str, tuple[str, str]] = {}
    for row, values in rows:
        cid, fid = values["community_id"], values["firm_id"]
        cells = table.cells(row, problems, f"{cid}, {fid}")
        rule = cells.text("rule", required=True, what=tr("must or forbid")).lower()
        if not rule:
            continue
        if rule not in LOCK_RULES:
            cells.add(
                tr(
                    "rule must be one of {rules}, got {value}",
                    rules=", ".join(LOCK_RULES),
                    value=repr(row.get("rule")),
                ),
                "rule",
            )
            continue
        if (cid, fid) in seen and seen[(cid, fid)][0] != rule:
            cells.add(
                tr(
                    "contradicts {row}: {community} cannot both be 'must' and 'forbid' for firm "
                    "{firm}; delete one of the two rows",
                    row=seen[(cid, fid)][1],
                    community=cid,
                    firm=fid,
                )
            )
            continue
        if rule == "must" and cid in must and must[cid][0] != fid:
            cells.add(
                tr(
                    "contradicts {row}: {community} must already be served by firm {firm}, and a "
                    "community is in one package only; delete one of the two rows",
                    row=must[cid][1],
                    community=cid,
                    firm=must[cid][0],
                )
            )
            continue
        if (cid, fid) in seen:
            continue  # the same lock twice: harmless
        seen[(cid, fid)] = (rule, row.ref)
        if rule == "must":
            must[cid] = (fid, row.ref)
        locks.append(Lock(community_id=cid, firm_id=fid, rule=rule))
    return locks


# -- coordinates ---------------------------------------------------------------------------------


def convert_to_wgs84(parsed: list[Parsed | None], system: str) -> None:
    """Convert every site's lon/lat (and polygon) from ``system`` to WGS-84, in place."""
    if system == "wgs84":
        return
    items = [values for p in parsed if p is not None for _, values in p.items]
    if not items:
        return
    lon = np.array([v["lon"] for v in items], dtype=float)
    lat = np.array([v["lat"] for v in items], dtype=float)
    wlon, wlat = to_wgs84(system, lon, lat)
    for v, x, y in zip(items, np.atleast_1d(wlon), np.atleast_1d(wlat), strict=True):
        v["lon"], v["lat"] = float(x), float(y)

    def to_wgs(coords: np.ndarray) -> np.ndarray:
        x, y = to_wgs84(system, coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    for v in items:
        if v.get("_geom") is not None:
            v["_geom"] = shapely.transform(v["_geom"], to_wgs)
