"""The proximity graph: which communities are close enough to share staff.

Three sources, in order of precedence (the caller's own graph is handled by the loader):

1. ``edges.csv`` — the planner's graph; an edge's ``distance_m`` is kept when given, else it is
   the contract point distance;
2. ``geometry_wkt`` polygons — two communities are linked when their polygons touch or lie
   within ``link_max_m`` of each other (a community without a polygon takes part as its point);
3. points — two communities are linked when their contract point distance is ≤ ``link_max_m``.

Every built edge carries ``distance_m``, the contract point distance (haversine or euclidean)
between the two communities' points, whatever linked them.

Nothing here compares all pairs: candidate pairs come from a shapely STRtree and are then checked
exactly. For points under ``haversine`` the query boxes are provably conservative (see
:func:`_lon_half_width`) and the final test is the exact haversine distance, so the point rule is
exact. Polygons are compared in a local equirectangular projection around the centroid of all
communities (x = R·cos φ0·Δλ, y = R·Δφ, metres): at city scale its error is a fraction of a
percent of ``link_max_m`` (about 0.2 % across Xiamen). Longitudes are not wrapped at ±180°.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence

import networkx as nx
import numpy as np
import shapely
from shapely import STRtree

from sharedprop.data import Community
from sharedprop.errors import InstanceError
from sharedprop.geo import EARTH_RADIUS_M

Edge = tuple[str, str, float | None]


def _lon_half_width(lat_deg: np.ndarray, radius_m: float) -> np.ndarray:
    """Half-width in degrees of longitude of a box holding every point within ``radius_m``.

    hav(d/R) = hav(Δφ) + cos φ1 cos φ2 hav(Δλ) ≥ cos² φmax · hav(Δλ), where φmax is the largest
    |latitude| either point can have, so sin(Δλ/2) ≤ sin(d/2R) / cos φmax.
    """
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    phi_max = np.radians(np.minimum(90.0, np.abs(lat_deg) + dlat))
    s = math.sin(radius_m / (2 * EARTH_RADIUS_M)) / np.maximum(np.cos(phi_max), 1e-12)
    half = np.degrees(2 * np.arcsin(np.minimum(1.0, s)))
    return np.where(s >= 1.0, 360.0, half * (1 + 1e-9) + 1e-12)


def point_distances(
    kind: str, lon_a: np.ndarray, lat_a: np.ndarray, lon_b: np.ndarray, lat_b: np.ndarray
) -> np.ndarray:
    """Element-wise contract distance between paired points (same formula as the matrix)."""
    if kind == "euclidean":
        return np.hypot(lon_b - lon_a, lat_b - lat_a)
    p1, p2 = np.radians(lat_a), np.radians(lat_b)
    a = (
        np.sin((p2 - p1) / 2) ** 2
        + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon_b - lon_a) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * np.arcsin(np.minimum(1.0, np.sqrt(a)))


def pairs_within(
    kind: str,
    lon_a: np.ndarray,
    lat_a: np.ndarray,
    radius_m: float,
    lon_b: np.ndarray | None = None,
    lat_b: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Index pairs ``(i, j)`` with contract distance(a_i, b_j) ≤ ``radius_m``, and the distances.

    Without ``b`` the pairs are within ``a`` and each unordered pair appears once (``i < j``).
    """
    lon_a, lat_a = np.asarray(lon_a, dtype=float), np.asarray(lat_a, dtype=float)
    self_pairs = lon_b is None
    lon_b = lon_a if lon_b is None else np.asarray(lon_b, dtype=float)
    lat_b = lat_a if lat_b is None else np.asarray(lat_b, dtype=float)
    empty = np.empty(0, dtype=np.intp)
    if len(lon_a) == 0 or len(lon_b) == 0 or not radius_m >= 0:
        return empty, empty, np.empty(0)
    tree = STRtree(shapely.points(lon_b, lat_b))
    if kind == "euclidean":
        idx = tree.query(shapely.points(lon_a, lat_a), predicate="dwithin", distance=radius_m)
    else:
        dlat = math.degrees(radius_m / EARTH_RADIUS_M) * (1 + 1e-9) + 1e-12
        dlon = _lon_half_width(lat_a, radius_m)
        boxes = shapely.box(lon_a - dlon, lat_a - dlat, lon_a + dlon, lat_a + dlat)
        idx = tree.query(boxes)
    i, j = idx[0], idx[1]
    if self_pairs:
        keep = i < j
        i, j = i[keep], j[keep]
    d = point_distances(kind, lon_a[i], lat_a[i], lon_b[j], lat_b[j])
    keep = d <= radius_m
    return i[keep], j[keep], d[keep]


def _local_metres(lon0: float, lat0: float) -> Callable[[np.ndarray], np.ndarray]:
    k = math.radians(1.0) * EARTH_RADIUS_M
    kx = k * math.cos(math.radians(lat0))

    def project(coords: np.ndarray) -> np.ndarray:
        out = np.empty_like(coords)
        out[:, 0] = (coords[:, 0] - lon0) * kx
        out[:, 1] = (coords[:, 1] - lat0) * k
        return out

    return project


def _geometries(communities: Sequence[Community]) -> np.ndarray:
    wkts = [c.geometry_wkt for c in communities]
    geoms = np.empty(len(communities), dtype=object)
    for k, (c, w) in enumerate(zip(communities, wkts, strict=True)):
        if w:
            try:
                geoms[k] = shapely.from_wkt(w)
            except shapely.errors.ShapelyError as exc:
                raise InstanceError(
                    f"community {c.id}: geometry_wkt is not valid WKT ({exc}); write e.g. "
                    "POLYGON ((118.11 24.48, 118.12 24.48, 118.12 24.49, 118.11 24.48))"
                ) from None
        if geoms[k] is None or shapely.is_empty(geoms[k]):
            geoms[k] = shapely.Point(c.lon, c.lat)
    return shapely.make_valid(geoms)


def _polygon_pairs(
    communities: Sequence[Community], kind: str, link_max_m: float
) -> tuple[np.ndarray, np.ndarray]:
    geoms = _geometries(communities)
    if kind != "euclidean":
        lon0 = float(np.mean([c.lon for c in communities]))
        lat0 = float(np.mean([c.lat for c in communities]))
        geoms = shapely.transform(geoms, _local_metres(lon0, lat0))
    tree = STRtree(geoms)
    i, j = tree.query(geoms, predicate="dwithin", distance=link_max_m)
    keep = i < j
    return i[keep], j[keep]


def build_proximity_graph(
    communities: Sequence[Community],
    distance_kind: str,
    link_max_m: float,
    edges: Iterable[Edge] | None = None,
) -> nx.Graph:
    """The proximity graph over ``communities`` (nodes are community ids, every one present).

    ``edges`` (``(source, target, distance_m or None)``, e.g. from ``edges.csv``) replaces the
    distance rule when given. Raises :class:`InstanceError` for edges naming unknown communities
    and for invalid ``geometry_wkt``.
    """
    ids = [c.id for c in communities]
    lon = np.array([c.lon for c in communities], dtype=float)
    lat = np.array([c.lat for c in communities], dtype=float)
    g = nx.Graph()
    g.add_nodes_from(ids)
    if edges is not None:
        index = {cid: k for k, cid in enumerate(ids)}
        problems, rows = [], []
        for s, t, dist in edges:
            bad = [x for x in (s, t) if x not in index]
            if bad:
                problems += [f"edge ({s}, {t}): {x!r} is not a community id" for x in bad]
                continue
            if dist is None:
                a, b = index[s], index[t]
                dist = float(point_distances(distance_kind, lon[a], lat[a], lon[b], lat[b]))
            rows.append((s, t, {"distance_m": dist}))
        if problems:
            raise InstanceError(problems)
        g.add_edges_from(rows)
        return g
    if any(c.geometry_wkt for c in communities):
        i, j = _polygon_pairs(communities, distance_kind, link_max_m)
        d = point_distances(distance_kind, lon[i], lat[i], lon[j], lat[j])
    else:
        i, j, d = pairs_within(distance_kind, lon, lat, link_max_m)
    g.add_edges_from(
        (ids[a], ids[b], {"distance_m": float(x)})
        for a, b, x in zip(i.tolist(), j.tolist(), d.tolist(), strict=True)
    )
    return g


__all__ = ["Edge", "build_proximity_graph", "pairs_within", "point_distances"]
