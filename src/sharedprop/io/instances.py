"""Load an instance folder (``instance.toml`` + CSV/XLSX tables) into a validated :class:`Instance`.

The folder format is the contract in ``DESIGN.md``. Every value is typed and checked, and all
problems found in all files are reported together in one :class:`InstanceError`, each naming
file, row, column and id (``communities.csv row 14 (id C013): households must be > 0, got -3``;
row numbers as Excel shows them, see :mod:`sharedprop.io.tables`).

Decisions worth knowing:

- unknown keys in ``[policy]`` or ``[objective]`` are **errors** (a misspelt limit would
  otherwise be silently ignored and change the optimum), with the closest known key suggested;
  a policy or objective key written at the top level (above its table) is an error too; other
  unknown top-level keys and tables are ignored, so an instance may carry its own metadata;
- unknown extra columns in a table are ignored; optional columns may be absent or empty;
- ``name`` defaults to the folder name; ``distance``/``coordinates`` values are matched
  ignoring case and dashes (``WGS-84`` is ``wgs84``);
- ``coordinates = "gcj02"`` / ``"bd09"`` points and polygons are converted to WGS-84 on load;
  the returned instance holds WGS-84 only and says ``coordinates = "wgs84"``;
- ``locks.csv`` that contradict each other (``must`` and ``forbid`` for one pair, or ``must``
  for two firms) are errors: no plan could obey them;
- ``communities`` and ``firms`` must each have at least one row.

Only the fixed file names inside the folder are read, never a path written in a file; a file that
resolves outside the folder (a symbolic link) is refused; nothing is executed or unpickled.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import shapely

from sharedprop.coords import to_wgs84
from sharedprop.data import (
    COMMUNITY_FIELD_RULES,
    COORDINATE_SYSTEMS,
    DISTANCE_KINDS,
    FIRM_FIELD_RULES,
    GEOGRAPHIC_RULES,
    LOCK_RULES,
    RESOURCE_FIELD_RULES,
    Community,
    Firm,
    Instance,
    Lock,
    ObjectiveWeights,
    Policy,
    Resource,
    Rule,
    field_problems,
)
from sharedprop.errors import InstanceError
from sharedprop.graph import Edge, build_proximity_graph
from sharedprop.io.tables import Cells, Row, Table, read_table, row_note, safe_file

INSTANCE_TOML = "instance.toml"
PLANS_DIR = "plans"

COMMUNITY_COLUMNS = (
    "id", "name", "street", "neighbourhood", "lon", "lat",
    "households", "floor_area_m2", "fee_rate", "collection_rate",
)  # fmt: skip
COMMUNITY_OPTIONAL_COLUMNS = ("buildings", "built_year", "geometry_wkt")
FIRM_COLUMNS = (
    "id", "name", "lon", "lat", "capacity_households", "max_packages", "service_radius_m",
    "package_fixed_cost", "cost_per_household", "travel_cost_per_km", "min_margin",
)  # fmt: skip
RESOURCE_COLUMNS = ("id", "name", "kind", "lon", "lat", "annual_income", "max_distance_m")
EDGE_COLUMNS = ("source", "target")
LOCK_COLUMNS = ("community_id", "firm_id", "rule")

# Columns holding whole numbers; every other numeric column is a float.
_WHOLE = {"households", "capacity_households", "max_packages", "buildings", "built_year"}
# Fields that are shares (0..1) and are often typed as percentages.
_SHARES = {"collection_rate", "min_margin"}

TOP_LEVEL_KEYS = ("name", "description", "distance", "coordinates")
_POLICY_FIELDS = {f.name: f for f in fields(Policy)}
_OBJECTIVE_FIELDS = {f.name: f for f in fields(ObjectiveWeights)}
# Policy keys that hold a count of households (whole numbers).
_POLICY_COUNTS = {"package_max_households", "package_min_households"}


# -- instance.toml -------------------------------------------------------------------------------


@dataclass
class _Meta:
    name: str
    description: str = ""
    distance: str = "haversine"
    coordinates: str = "wgs84"
    policy: dict[str, Any] = field(default_factory=dict)
    objective: dict[str, Any] = field(default_factory=dict)


def _read_toml(root: Path, problems: list[str]) -> dict[str, Any] | None:
    path = root / INSTANCE_TOML
    if not path.exists() and not path.is_symlink():
        problems.append(
            f"{INSTANCE_TOML} is missing in {root}; create it with at least: "
            'name = "my-street", distance = "haversine", coordinates = "wgs84"'
        )
        return None
    real = safe_file(root, path, INSTANCE_TOML, problems)
    if real is None:
        return None
    data = real.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            problems.append(f"{INSTANCE_TOML} is not UTF-8 text; save it as UTF-8")
            return None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"at line (\d+)", str(exc))
        lines = text.splitlines()
        shown = ""
        if found and 0 < int(found[1]) <= len(lines):
            shown = f" Line {found[1]} reads: {lines[int(found[1]) - 1].strip()!r}."
        problems.append(
            f"{INSTANCE_TOML} is not valid TOML: {exc}.{shown} Fix that line; text values need "
            'quotes (name = "xiamen-pilot"), tables are written [policy], true/false are lower case'
        )
        return None


def _suggest(key: str, known: Mapping[str, Any]) -> str:
    close = difflib.get_close_matches(key, list(known), n=1)
    return f" (did you mean {close[0]}?)" if close else ""


def _choice(raw: dict[str, Any], key: str, allowed: tuple[str, ...], problems: list[str]) -> str:
    value = raw.get(key, allowed[0])
    norm = str(value).strip().lower().replace("-", "").replace("_", "")
    if not isinstance(value, str) or norm not in allowed:
        problems.append(
            f"{INSTANCE_TOML}: {key} must be one of {', '.join(allowed)}, got {value!r}"
        )
        return allowed[0]
    return norm


def _table(raw: dict[str, Any], key: str, problems: list[str]) -> dict[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        problems.append(f"{INSTANCE_TOML}: {key} must be a table written [{key}], got {value!r}")
        return {}
    return value


def _parse_meta(root: Path, raw: dict[str, Any], problems: list[str]) -> _Meta:
    for key in raw:
        if key in _POLICY_FIELDS or key in _OBJECTIVE_FIELDS:
            table = "policy" if key in _POLICY_FIELDS else "objective"
            problems.append(
                f"{INSTANCE_TOML}: {key} is a [{table}] key but is written above the [{table}] "
                f"line; move it below [{table}]"
            )
    name = raw.get("name", root.name)
    if not isinstance(name, str) or not name.strip():
        problems.append(f"{INSTANCE_TOML}: name must be a non-empty text in quotes, got {name!r}")
        name = root.name
    description = raw.get("description", "")
    if not isinstance(description, str):
        problems.append(f"{INSTANCE_TOML}: description must be text in quotes, got {description!r}")
        description = ""
    meta = _Meta(
        name=name.strip(),
        description=description,
        distance=_choice(raw, "distance", DISTANCE_KINDS, problems),
        coordinates=_choice(raw, "coordinates", COORDINATE_SYSTEMS, problems),
    )
    if meta.distance == "euclidean" and meta.coordinates != "wgs84" and "coordinates" in raw:
        problems.append(
            f'{INSTANCE_TOML}: coordinates = {meta.coordinates!r} needs distance = "haversine"; '
            'planar (euclidean) coordinates are not map coordinates, so use coordinates = "wgs84"'
        )
    meta.policy = _typed_section(
        _table(raw, "policy", problems), "policy", _POLICY_FIELDS, problems
    )
    meta.objective = _typed_section(
        _table(raw, "objective", problems), "objective", _OBJECTIVE_FIELDS, problems
    )
    return meta


def _typed_section(
    values: dict[str, Any], section: str, known: Mapping[str, Any], problems: list[str]
) -> dict[str, Any]:
    """Check types of a ``[policy]``/``[objective]`` table; the dataclass checks the ranges."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        where = f"{INSTANCE_TOML} [{section}]"
        if key not in known:
            problems.append(
                f"{where}: unknown key {key}{_suggest(key, known)}; known keys: {', '.join(known)}"
            )
            continue
        default = known[key].default
        if isinstance(default, bool):
            if not isinstance(value, bool):
                problems.append(f"{where}: {key} must be true or false, got {value!r}")
                continue
        elif isinstance(value, bool) or not isinstance(value, int | float):
            problems.append(f"{where}: {key} must be a number, got {value!r}")
            continue
        elif key in _POLICY_COUNTS:
            if not float(value).is_integer():
                problems.append(f"{where}: {key} must be a whole number, got {value!r}")
                continue
            value = int(value)
        out[key] = value
    return out


def _build_section(cls: type, values: dict[str, Any], section: str, problems: list[str]) -> Any:
    try:
        return cls(**values)
    except InstanceError as exc:
        problems += [
            f"{INSTANCE_TOML} [{section}]: {p.removeprefix(f'{section}: ')}" for p in exc.problems
        ]
        return None


# -- tables --------------------------------------------------------------------------------------


@dataclass
class _Parsed:
    """Rows of one table parsed into plain dicts, with their row for messages."""

    table: Table
    items: list[tuple[Row, dict[str, Any]]] = field(default_factory=list)


def _hint_for(name: str, value: Any) -> str:
    if name in _SHARES and isinstance(value, int | float) and 1 < value <= 100:
        return f" (a percentage? write {value / 100:g} or {value:g}%)"
    return ""


def _coordinate_problems(values: dict[str, Any], geographic: bool) -> list[str]:
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
            f" (lon and lat look swapped: lon={lon:g}, lat={lat:g}; lon is east-west, about "
            "118 in Xiamen, lat is north-south, about 24.5: swap the two columns)"
            if swapped
            else ""
        )
        out.append(msg + hint)
    return out


def _parse_sites(
    table: Table | None,
    kind: str,
    numeric: tuple[str, ...],
    rules: Mapping[str, Rule],
    geographic: bool,
    problems: list[str],
    *,
    text_required: tuple[str, ...] = (),
    optional_numeric: tuple[str, ...] = (),
) -> _Parsed | None:
    """Parse a table of sites (communities, firms, resources): ids, text, numbers, rules."""
    if table is None:
        return None
    parsed = _Parsed(table)
    first_row: dict[str, int] = {}
    for row in table.rows:
        ident = row.get("id")
        cells = Cells(table.where(row, ident or None), row, problems)
        if not ident:
            cells.add(f"id is empty; give every {kind} a unique id")
        elif ident in first_row:
            cells.add(
                f"duplicate id: {ident} is already used on row {first_row[ident]}; "
                f"every {kind} needs its own id"
            )
        else:
            first_row[ident] = row.number
        values: dict[str, Any] = {"id": ident}
        for col in table.columns:
            if col not in numeric and col not in optional_numeric:
                values[col] = row.get(col)
        for col in text_required:
            cells.text(col, required=True, what=f"the {col} of this {kind}")
        ok = True
        for col in numeric:
            values[col] = cells.number(col, whole=col in _WHOLE)
            ok &= values[col] is not None
        for col in optional_numeric:
            if table.has(col):
                values[col] = cells.number(col, whole=col in _WHOLE, required=False)
        for col, msg in field_problems(values, rules):
            cells.add(msg + _hint_for(col, values[col]))
            ok = False
        for msg in _coordinate_problems(values, geographic):
            cells.add(msg)
            ok = False
        if ok and ident:
            parsed.items.append((row, values))
    if not table.rows:
        problems.append(f"{table.file} has no data rows; add at least one {kind} below the header")
    return parsed


def _parse_wkt(parsed: _Parsed | None, geographic: bool, problems: list[str]) -> None:
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
            problems.append(
                f"{where}: geometry_wkt is not valid WKT ({exc}); write e.g. "
                "POLYGON ((118.11 24.48, 118.12 24.48, 118.12 24.49, 118.11 24.48)) "
                "or leave it empty"
            )
            continue
        if geom is None or geom.is_empty:
            continue
        if geographic:
            x0, y0, x1, y1 = geom.bounds
            if not (-180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90):
                problems.append(
                    f"{where}: geometry_wkt has coordinates outside lon -180..180 / lat -90..90 "
                    f"(bounds {x0:g} {y0:g} {x1:g} {y1:g}); WKT lists each vertex as 'lon lat'"
                )
                continue
        values["_geom"] = geom


_ID_SOURCES = {"community": "communities.csv", "firm": "firms.csv"}


def _check_ids(
    table: Table, columns: Mapping[str, tuple[str, set[str]]], problems: list[str]
) -> list[tuple[Row, dict[str, str]]]:
    """Rows whose id columns all name known ids; problems for the others."""
    out = []
    for row in table.rows:
        cells = Cells(table.where(row), row, problems)
        values, ok = {}, True
        for col, (what, known) in columns.items():
            value = cells.text(col, required=True, what=f"a {what} id")
            if not value:
                ok = False
            elif value not in known:
                cells.add(
                    f"{col} {value!r} is not a {what} id in {_ID_SOURCES[what]}; "
                    f"correct the id or add the {what}"
                )
                ok = False
            values[col] = value
        if ok:
            out.append((row, values))
    return out


def _parse_edges(table: Table | None, cids: set[str], problems: list[str]) -> list[Edge] | None:
    if table is None:
        return None
    edges: list[Edge] = []
    rows = _check_ids(
        table, {"source": ("community", cids), "target": ("community", cids)}, problems
    )
    for row, values in rows:
        cells = Cells(table.where(row, f"{values['source']}-{values['target']}"), row, problems)
        if values["source"] == values["target"]:
            cells.add("source and target are the same community; delete this row")
            continue
        dist = cells.number("distance_m", required=False) if table.has("distance_m") else None
        if dist is not None and dist < 0:
            cells.add(f"distance_m must be >= 0, got {dist:g}")
            continue
        edges.append((values["source"], values["target"], dist))
    return edges


def _parse_locks(
    table: Table | None, cids: set[str], fids: set[str], problems: list[str]
) -> list[Lock]:
    locks: list[Lock] = []
    if table is None:
        return locks
    rows = _check_ids(
        table, {"community_id": ("community", cids), "firm_id": ("firm", fids)}, problems
    )
    seen: dict[tuple[str, str], tuple[str, int]] = {}
    must: dict[str, tuple[str, int]] = {}
    for row, values in rows:
        cid, fid = values["community_id"], values["firm_id"]
        cells = Cells(table.where(row, f"{cid}, {fid}"), row, problems)
        rule = cells.text("rule", required=True, what="must or forbid").lower()
        if not rule:
            continue
        if rule not in LOCK_RULES:
            cells.add(f"rule must be one of {', '.join(LOCK_RULES)}, got {row.get('rule')!r}")
            continue
        if (cid, fid) in seen and seen[(cid, fid)][0] != rule:
            cells.add(
                f"contradicts row {seen[(cid, fid)][1]}: {cid} cannot both be 'must' and "
                f"'forbid' for firm {fid}; delete one of the two rows"
            )
            continue
        if rule == "must" and cid in must and must[cid][0] != fid:
            cells.add(
                f"contradicts row {must[cid][1]}: {cid} must already be served by firm "
                f"{must[cid][0]}, and a community is in one package only; "
                "delete one of the two rows"
            )
            continue
        if (cid, fid) in seen:
            continue  # the same lock twice: harmless
        seen[(cid, fid)] = (rule, row.number)
        if rule == "must":
            must[cid] = (fid, row.number)
        locks.append(Lock(community_id=cid, firm_id=fid, rule=rule))
    return locks


# -- coordinates ---------------------------------------------------------------------------------


def _convert(parsed: list[_Parsed | None], system: str) -> None:
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


# -- the entry point -----------------------------------------------------------------------------


def _resolve_root(path: str | Path) -> Path:
    p = Path(path)
    if p.is_file() and p.name.lower() == INSTANCE_TOML:
        p = p.parent
    if not p.exists():
        raise InstanceError(
            f"instance folder {p} does not exist; give the path of the folder "
            f"that holds {INSTANCE_TOML} and communities.csv"
        )
    if not p.is_dir():
        raise InstanceError(
            f"{p} is not a folder; give the instance folder that holds "
            f"{INSTANCE_TOML} and communities.csv"
        )
    return p.resolve()


def _make(cls: Callable[..., Any], values: dict[str, Any], names: tuple[str, ...]) -> Any:
    return cls(**{k: values.get(k) for k in names})


def _check_graph(graph: nx.Graph, cids: set[str], problems: list[str]) -> None:
    for node in graph.nodes:
        if node not in cids:
            hint = (
                f"; community ids are text, so use {str(node)!r}"
                if not isinstance(node, str) and str(node) in cids
                else ""
            )
            problems.append(
                f"the graph passed to load_instance has node {node!r}, which is not a "
                f"community id{hint}"
            )


def load_instance(path: str | Path, *, graph: nx.Graph | None = None) -> Instance:
    """Read the instance folder at ``path`` (CSV or XLSX tables) into a validated instance.

    Parameters
    ----------
    path
        The instance folder (the one holding ``instance.toml`` and ``communities.csv``), or the
        ``instance.toml`` file itself.
    graph
        A proximity graph to use instead of the one built from ``edges.csv`` or ``link_max_m``:
        its nodes must be community ids (communities it lacks are added as isolated nodes); an
        edge may carry a ``distance_m`` attribute.

    Returns
    -------
    Instance
        The frozen, validated instance, coordinates converted to WGS-84.

    Raises
    ------
    InstanceError
        Listing every problem found, each naming its file, row, column and value.
    """
    root = _resolve_root(path)
    problems: list[str] = []
    raw = _read_toml(root, problems)
    meta = _parse_meta(root, raw, problems) if raw is not None else _Meta(name=root.name)
    geographic = meta.distance == "haversine"

    comm_t = read_table(root, "communities", COMMUNITY_COLUMNS, problems)
    firm_t = read_table(root, "firms", FIRM_COLUMNS, problems)
    res_t = read_table(root, "resources", RESOURCE_COLUMNS, problems, required=False)
    edge_t = read_table(root, "edges", EDGE_COLUMNS, problems, required=False)
    lock_t = read_table(root, "locks", LOCK_COLUMNS, problems, required=False)

    comms = _parse_sites(
        comm_t, "community",
        ("lon", "lat", "households", "floor_area_m2", "fee_rate", "collection_rate"),
        COMMUNITY_FIELD_RULES, geographic, problems,
        text_required=("street",), optional_numeric=("buildings", "built_year"),
    )  # fmt: skip
    firms = _parse_sites(firm_t, "firm", FIRM_COLUMNS[2:], FIRM_FIELD_RULES, geographic, problems)
    res = _parse_sites(
        res_t, "resource", ("lon", "lat", "annual_income", "max_distance_m"),
        RESOURCE_FIELD_RULES, geographic, problems,
    )  # fmt: skip
    _parse_wkt(comms, geographic, problems)

    # Ids as written (even on rows with other problems) so that edges and locks are checked
    # against what the planner typed, without follow-on "unknown id" noise.
    cids = {r.get("id") for r in comm_t.rows} if comm_t else set()
    fids = {r.get("id") for r in firm_t.rows} if firm_t else set()
    edges = _parse_edges(edge_t, cids, problems) if comm_t else None
    locks = _parse_locks(lock_t, cids, fids, problems) if comm_t and firm_t else []
    if graph is not None:
        _check_graph(graph, cids, problems)

    policy = _build_section(Policy, meta.policy, "policy", problems)
    objective = _build_section(ObjectiveWeights, meta.objective, "objective", problems)
    if problems:
        raise InstanceError(problems, note=row_note(problems))

    assert comms is not None and firms is not None and policy is not None
    _convert([comms, firms, res], meta.coordinates)
    for _, v in comms.items:
        geom = v.pop("_geom", None)
        v["geometry_wkt"] = shapely.to_wkt(geom, rounding_precision=-1) if geom else None
    communities = tuple(
        _make(Community, v, (*COMMUNITY_COLUMNS, *COMMUNITY_OPTIONAL_COLUMNS))
        for _, v in comms.items
    )
    if graph is None:
        graph = build_proximity_graph(communities, meta.distance, policy.link_max_m, edges)
    else:
        graph = graph.copy()  # the instance adds missing nodes: leave the caller's graph alone
    return Instance(
        name=meta.name,
        communities=communities,
        firms=tuple(_make(Firm, v, FIRM_COLUMNS) for _, v in firms.items),
        resources=tuple(_make(Resource, v, RESOURCE_COLUMNS) for _, v in res.items) if res else (),
        locks=tuple(locks),
        policy=policy,
        objective=objective,
        graph=graph,
        description=meta.description,
        distance=meta.distance,  # type: ignore[arg-type]
        coordinates="wgs84",
        path=root,
    )


def list_plan_files(instance_or_path: Instance | str | Path) -> list[Path]:
    """The manual plans in ``<instance>/plans/`` (``*.csv``, ``*.xlsx``), sorted by name.

    ``*_resources.csv|xlsx`` companions, hidden files and Excel's ``~$`` lock files are left out;
    so is anything that resolves outside the instance folder.
    """
    if isinstance(instance_or_path, Instance):
        if instance_or_path.path is None:
            return []
        root = Path(instance_or_path.path)
    else:
        root = _resolve_root(instance_or_path)
    plans = root / PLANS_DIR
    if not plans.is_dir():
        return []
    out = []
    ignored: list[str] = []
    for p in sorted(plans.iterdir(), key=lambda q: q.name):
        stem, suffix = p.stem.lower(), p.suffix.lower()
        if suffix not in (".csv", ".xlsx") or p.name.startswith((".", "~$")):
            continue
        if stem.endswith("_resources"):
            continue
        if safe_file(root, p, f"{PLANS_DIR}/{p.name}", ignored) is not None:
            out.append(p)
    return out
