"""An instance from pandas DataFrames: the one path every reader's data is validated on.

:func:`from_frames` takes the tables as DataFrames (a GeoDataFrame's points or polygons too)
and the settings as mappings, checks every value and returns a frozen :class:`Instance`, or
raises one :class:`InstanceError` listing every problem. The folder reader
(:mod:`sharedprop.io.instances`) and the workbook reader (:mod:`sharedprop.io.workbook`) turn
their files into frames indexed by spreadsheet row and call the same code, so a problem reads
the same whatever the data came from, only the place differs: ``communities.csv row 3``,
``sheet communities row 3``, ``communities frame index 1``.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Mapping
from typing import Any

import networkx as nx
import pandas as pd
import shapely

from sharedprop.data import (
    COMMUNITY_FIELD_RULES,
    FIRM_FIELD_RULES,
    RESOURCE_FIELD_RULES,
    Community,
    Firm,
    Instance,
    ObjectiveWeights,
    Policy,
    Resource,
)
from sharedprop.errors import InstanceError, Problem
from sharedprop.graph import build_proximity_graph
from sharedprop.i18n import use_language
from sharedprop.io.parse import (
    Parsed,
    convert_to_wgs84,
    parse_edges,
    parse_locks,
    parse_sites,
    parse_wkt,
)
from sharedprop.io.schema import (
    COMMUNITY_COLUMNS,
    COMMUNITY_OPTIONAL_COLUMNS,
    FIRM_COLUMNS,
    REQUIRED_TABLES,
    RESOURCE_COLUMNS,
    RESOURCE_OPTIONAL_COLUMNS,
    TABLES,
)
from sharedprop.io.settings import read_settings
from sharedprop.io.source import Source, as_source
from sharedprop.io.tables import Row, Table, cell_text, norm_header, row_note

Frame = pd.DataFrame


# -- frames to tables of text cells --------------------------------------------------------------


def _cell(value: Any) -> str:
    """A frame's value as the text a spreadsheet shows; missing values (None, NaN, NA) are empty."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if not isinstance(value, str | bool) and pd.api.types.is_scalar(value) and pd.isna(value):
        return ""
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        value = value.item()
    return cell_text(value)


def _geo_columns(frame: Frame, geographic: bool) -> Frame:
    """A GeoDataFrame's active geometry as ``lon``/``lat`` (points) or ``geometry_wkt`` (polygons,
    with a representative point where ``lon``/``lat`` are absent); other frames unchanged."""
    geopandas = sys.modules.get("geopandas")
    if geopandas is None or not isinstance(frame, geopandas.GeoDataFrame):
        return frame
    if frame.geometry.name not in frame.columns:
        return frame
    geo = frame
    if geographic and frame.crs is not None and not frame.crs.is_geographic:
        geo = frame.to_crs(4326)  # a projected CRS: haversine needs degrees
    geoms = geo.geometry.to_numpy()
    out = pd.DataFrame(frame.drop(columns=[frame.geometry.name]))
    points = shapely.get_type_id(geoms) == 0
    has_lonlat = "lon" in out.columns and "lat" in out.columns
    if not has_lonlat:
        reps = shapely.point_on_surface(geoms)
        out["lon"] = [None if g is None else shapely.get_x(g) for g in reps]
        out["lat"] = [None if g is None else shapely.get_y(g) for g in reps]
    if "geometry_wkt" not in out.columns and not points.all():
        out["geometry_wkt"] = [
            None if g is None or p else shapely.to_wkt(g, rounding_precision=-1)
            for g, p in zip(geoms, points, strict=True)
        ]
    return out


def frame_table(
    frame: Frame | None,
    name: str,
    required: tuple[str, ...],
    source: Source,
    problems: list[str],
    *,
    geographic: bool = True,
) -> Table | None:
    """``frame`` as a :class:`Table` of text cells; ``None`` when absent or its columns are wrong.

    An optional frame with no columns and no rows (an empty file or sheet) counts as absent.
    """
    if frame is None:
        return None
    label = source.table(name)
    if not isinstance(frame, pd.DataFrame):
        problems.append(f"{label} must be a pandas DataFrame, got {type(frame).__name__}")
        return None
    if name not in REQUIRED_TABLES and len(frame.columns) == 0 and len(frame) == 0:
        return None
    frame = _geo_columns(frame, geographic)
    header = [norm_header(str(c)) for c in frame.columns]
    doubled = sorted({h for h in header if h and header.count(h) > 1})
    missing = [c for c in required if c not in header]
    if doubled or missing:
        what = (
            f"column(s) {', '.join(doubled)} appear twice"
            if doubled
            else f"missing column(s) {', '.join(missing)}"
        )
        problems.append(
            Problem(
                f"{label}: {what}; the columns must include {','.join(required)}. "
                f"Found: {','.join(h for h in header if h) or 'nothing'}",
                place=label,
                table=name,
            )
        )
        return None
    rows = []
    for position, (index, record) in enumerate(
        zip(frame.index, frame.itertuples(index=False, name=None), strict=True)
    ):
        cells = {h: _cell(v) for h, v in zip(header, record, strict=True) if h}
        if not any(cells.values()):
            continue
        if source.spreadsheet_rows:
            rows.append(Row(number=int(index), cells=cells))
        else:
            rows.append(Row(number=position, cells=cells, label=f"index {_cell(index)}"))
    columns = tuple(h for h in header if h)
    return Table(name=name, file=label, path=source.path, columns=columns, rows=tuple(rows))


def table_frame(table: Table | None) -> Frame | None:
    """A table read from a file as a frame of text cells indexed by spreadsheet row."""
    if table is None:
        return None
    return pd.DataFrame(
        [[row.get(c) for c in table.columns] for row in table.rows],
        index=pd.Index([row.number for row in table.rows], dtype="int64"),
        columns=list(table.columns),
        dtype=object,
    )


# -- tables to an instance -----------------------------------------------------------------------


def _make(cls: Callable[..., Any], values: dict[str, Any], names: tuple[str, ...]) -> Any:
    return cls(**{k: values[k] for k in names if k in values})


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


def _parse_tables(
    tables: Mapping[str, Table | None], geographic: bool, problems: list[str]
) -> dict[str, Parsed | None]:
    comms = parse_sites(
        tables["communities"], "community",
        ("lon", "lat", "households", "floor_area_m2", "fee_rate", "collection_rate"),
        COMMUNITY_FIELD_RULES, geographic, problems,
        text_required=("street",), optional_numeric=("buildings", "built_year"),
    )  # fmt: skip
    firms = parse_sites(
        tables["firms"], "firm", FIRM_COLUMNS[2:], FIRM_FIELD_RULES, geographic, problems
    )
    res = parse_sites(
        tables["resources"], "resource", ("lon", "lat", "annual_income", "max_distance_m"),
        RESOURCE_FIELD_RULES, geographic, problems, optional_flags=RESOURCE_OPTIONAL_COLUMNS,
        required=False,
    )  # fmt: skip
    parse_wkt(comms, geographic, problems)
    return {"communities": comms, "firms": firms, "resources": res}


def build_instance(
    frames: Mapping[str, Frame | None],
    instance: Mapping[str, Any],
    policy: Mapping[str, Any] | Policy | None,
    objective: Mapping[str, Any] | ObjectiveWeights | None,
    source: Source,
    problems: list[str],
    *,
    graph: nx.Graph | None = None,
    default_name: str = "instance",
) -> Instance:
    """Validate everything and build the instance; raise with ``problems`` if any were found.

    ``problems`` may already hold what the caller found (a missing file, a bad TOML line): they
    are reported together with the rest.
    """
    settings = read_settings(
        instance, policy, objective, source, problems, default_name=default_name
    )
    geographic = settings.distance == "haversine"
    tables = {
        name: frame_table(frames.get(name), name, cols, source, problems, geographic=geographic)
        for name, (cols, _) in TABLES.items()
    }
    parsed = _parse_tables(tables, geographic, problems)
    comm_t, firm_t = tables["communities"], tables["firms"]
    # Ids as written (even on rows with other problems) so that edges and locks are checked
    # against what the planner typed, without follow-on "unknown id" noise.
    cids = {r.get("id") for r in comm_t.rows} if comm_t else set()
    fids = {r.get("id") for r in firm_t.rows} if firm_t else set()
    comm_label, firm_label = source.table("communities"), source.table("firms")
    edges = parse_edges(tables["edges"], cids, comm_label, problems) if comm_t else None
    known = {"community": (cids, comm_label), "firm": (fids, firm_label)}
    locks = parse_locks(tables["locks"], known, problems) if comm_t and firm_t else []
    if graph is not None:
        _check_graph(graph, cids, problems)
    if problems:
        raise InstanceError(problems, note=row_note(problems))

    comms, firms, res = parsed["communities"], parsed["firms"], parsed["resources"]
    assert comms is not None and firms is not None and settings.policy is not None
    convert_to_wgs84([comms, firms, res], settings.coordinates)
    for _, v in comms.items:
        geom = v.pop("_geom", None)
        v["geometry_wkt"] = shapely.to_wkt(geom, rounding_precision=-1) if geom else None
    communities = tuple(
        _make(Community, v, (*COMMUNITY_COLUMNS, *COMMUNITY_OPTIONAL_COLUMNS))
        for _, v in comms.items
    )
    if graph is None:
        graph = build_proximity_graph(
            communities, settings.distance, settings.policy.link_max_m, edges
        )
    else:
        graph = graph.copy()  # the instance adds missing nodes: leave the caller's graph alone
    resources = tuple(
        _make(Resource, v, (*RESOURCE_COLUMNS, *RESOURCE_OPTIONAL_COLUMNS))
        for _, v in (res.items if res else ())
    )
    return Instance(
        name=settings.name,
        communities=communities,
        firms=tuple(_make(Firm, v, FIRM_COLUMNS) for _, v in firms.items),
        resources=resources,
        locks=tuple(locks),
        policy=settings.policy,
        objective=settings.objective or ObjectiveWeights(),
        graph=graph,
        description=settings.description,
        distance=settings.distance,  # type: ignore[arg-type]
        coordinates="wgs84",
        path=source.path,
    )


def from_frames(
    communities: Frame,
    firms: Frame,
    resources: Frame | None = None,
    edges: Frame | None = None,
    locks: Frame | None = None,
    policy: Mapping[str, Any] | Policy | None = None,
    objective: Mapping[str, Any] | ObjectiveWeights | None = None,
    *,
    name: str = "instance",
    description: str = "",
    distance: str = "haversine",
    coordinates: str = "wgs84",
    graph: nx.Graph | None = None,
    source: Source | str | None = None,
    lang: str | None = None,
) -> Instance:
    """Build a validated :class:`Instance` from pandas DataFrames.

    The frames have the columns of the contract's CSV files (``DESIGN.md``); header names are
    matched ignoring case and surrounding spaces, unknown columns are ignored, missing values
    (None, NaN) are empty cells. Numbers may be numeric columns or text as a spreadsheet holds
    it (``"1,234"``, ``"65%"``). A GeoDataFrame's active geometry is taken too: points give
    ``lon``/``lat`` and polygons a representative point inside them, unless the frame has
    ``lon``/``lat`` columns of its own; polygons also give ``geometry_wkt`` (unless the frame
    has that column). A projected CRS is converted to WGS-84 when
    ``distance`` is ``"haversine"``.

    Parameters
    ----------
    communities, firms
        The two required tables, one row per community or firm.
    resources, edges, locks
        The optional tables; ``None`` (or a frame without columns) means none. ``resources``
        may have the column ``available`` (true/false, 1/0, yes/no, 是/否; empty is true).
    policy, objective
        The ``[policy]`` and ``[objective]`` keys of ``instance.toml`` as a mapping (absent
        keys take their defaults), or a :class:`Policy` / :class:`ObjectiveWeights`.
    name, description
        The instance's name and description.
    distance
        ``"haversine"`` (lon/lat in degrees) or ``"euclidean"`` (planar coordinates in metres).
    coordinates
        ``"wgs84"``, ``"gcj02"`` or ``"bd09"``; GCJ-02 and BD-09 are converted to WGS-84.
    graph
        A proximity graph to use instead of ``edges`` or the ``link_max_m`` rule; its nodes
        must be community ids.
    source
        What messages call the frames: ``None`` gives ``communities frame index 2 (id C03)``;
        a text with ``{table}`` (``"sheet {table}"``) or a prefix (``"my data"``) labels every
        table; a :class:`sharedprop.io.source.Source` says everything, rows included.
    lang
        Language of the error messages: ``"en"`` or ``"zh"``; None: the current language.

    Returns
    -------
    Instance
        The frozen, validated instance (WGS-84 coordinates).

    Raises
    ------
    InstanceError
        Listing every problem found, each naming the frame, row, column and value.
    """
    with use_language(lang):
        return _from_frames(
            {"communities": communities, "firms": firms, "resources": resources, "edges": edges,
             "locks": locks},
            {"name": name, "description": description, "distance": distance,
             "coordinates": coordinates},
            policy, objective, graph, source,
        )  # fmt: skip


def _from_frames(
    frames: Mapping[str, Frame | None],
    settings: Mapping[str, Any],
    policy: Mapping[str, Any] | Policy | None,
    objective: Mapping[str, Any] | ObjectiveWeights | None,
    graph: nx.Graph | None,
    source: Source | str | None,
) -> Instance:
    src = as_source(source)
    problems: list[str] = []
    for label in REQUIRED_TABLES:
        if frames[label] is None:
            problems.append(f"{src.table(label)} is missing: from_frames needs a {label} table")
    return build_instance(frames, settings, policy, objective, src, problems, graph=graph)


__all__ = ["build_instance", "frame_table", "from_frames", "table_frame"]
