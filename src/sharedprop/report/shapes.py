"""The area drawn for each package, in local metres: the convex hull of its members, padded.

Communities are points, or polygons when ``geometry_wkt`` gives one. A package's area is the
convex hull of its members' geometries grown by a small pad, so a single-member package becomes a
small disc and every member dot sits inside its outline. The same shapes feed the GeoJSON layer
and the SVG map, so both show the same thing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import shapely
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from sharedprop.data import Community, Instance
from sharedprop.plan import Plan
from sharedprop.report.projection import LocalProjection


def community_geometry(community: Community) -> BaseGeometry:
    """The community's polygon from ``geometry_wkt`` when it is a usable area, else its point."""
    if community.geometry_wkt:
        try:
            geom = shapely.from_wkt(community.geometry_wkt)
        except shapely.errors.GEOSException:
            geom = None
        if geom is not None and not geom.is_empty and geom.area > 0:
            return geom if geom.is_valid else shapely.make_valid(geom)
    return Point(community.lon, community.lat)


@dataclass(frozen=True)
class PlanShapes:
    """Community geometries and package areas of one plan, in the projection's metres."""

    projection: LocalProjection
    communities: Mapping[str, BaseGeometry]
    packages: Mapping[str, BaseGeometry]
    pad_m: float


def padding_m(instance: Instance, projection: LocalProjection) -> float:
    """A pad that reads well at the instance's scale: 1 % of its extent (15–60 m on the ground)."""
    pts = [projection.forward(s.lon, s.lat) for s in (*instance.communities, *instance.firms)]
    if not pts:
        return 1.0
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    diag = math.hypot(max(xs) - min(xs), max(ys) - min(ys))
    pad = 0.01 * diag
    if projection.planar:
        return pad if pad > 0 else 1.0
    return min(60.0, max(15.0, pad))


def plan_shapes(instance: Instance, plan: Plan | None) -> PlanShapes:
    projection = LocalProjection.for_instance(instance)
    pad = padding_m(instance, projection)
    geoms = {c.id: projection.to_metres(community_geometry(c)) for c in instance.communities}
    areas: dict[str, BaseGeometry] = {}
    for p in plan.packages if plan else ():
        parts = [geoms[m] for m in p.members if m in geoms]
        if not parts:
            continue
        hull = shapely.union_all(parts).convex_hull
        areas[p.id] = hull.buffer(pad, quad_segs=8)
    return PlanShapes(projection, geoms, areas, pad)
