"""plan.geojson: the plan as an RFC 7946 FeatureCollection that QGIS and geopandas open.

Every feature has a ``kind`` property — ``community``, ``package``, ``hub``, ``firm`` or
``resource`` — so a GIS user styles the layer by it. Coordinates are WGS-84 longitude, latitude
(the loader already converted GCJ-02 / BD-09). A planar (``distance = "euclidean"``) instance is
written with its coordinates as they are, and the top-level ``sharedprop`` member says they are
planar metres, not WGS-84. Polygon rings follow the RFC's right-hand rule (exterior
counter-clockwise). ``fill`` / ``stroke`` follow the simplestyle convention that web viewers use.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import shapely
from shapely.geometry import Point, mapping
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

from sharedprop.data import Instance
from sharedprop.evaluate import Evaluation
from sharedprop.plan import Plan
from sharedprop.report.palette import FIRM, RESOURCE, UNCOVERED, package_colours
from sharedprop.report.shapes import community_geometry, plan_shapes

WGS84_DIGITS = 7  # about 1 cm
PLANAR_DIGITS = 3


def _oriented(geom: BaseGeometry) -> BaseGeometry:
    if hasattr(shapely, "orient_polygons"):  # shapely >= 2.1
        return shapely.orient_polygons(geom)
    if geom.geom_type == "Polygon":
        return orient(geom, 1.0)
    if geom.geom_type == "MultiPolygon":
        return shapely.MultiPolygon([orient(g, 1.0) for g in geom.geoms])
    return geom


def _geometry(geom: BaseGeometry, digits: int) -> dict[str, Any]:
    rounded = shapely.transform(_oriented(geom), lambda a: np.round(a, digits))
    return json.loads(json.dumps(mapping(rounded)))  # tuples → lists, as JSON has them


def _money(v: float) -> float:
    return round(v, 2) if math.isfinite(v) else 0.0


def _feature(geom: dict[str, Any], props: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "geometry": geom, "properties": props}


def feature_collection(
    instance: Instance, plan: Plan | None, evaluation: Evaluation | None
) -> dict[str, Any]:
    """The whole plan as a GeoJSON dict (plain lists and numbers, ready for ``json.dumps``)."""
    planar = instance.distance == "euclidean"
    digits = PLANAR_DIGITS if planar else WGS84_DIGITS
    shapes = plan_shapes(instance, plan)
    colours = package_colours(shapes.packages, near_m=3 * shapes.pad_m)
    pkg_of = plan.package_of() if plan else {}
    pkgs = plan.package_by_id if plan else {}
    metrics = {m.package_id: m for m in evaluation.packages} if evaluation else {}
    firm_rows = {f.firm_id: f for f in evaluation.firms} if evaluation else {}
    res_pkg = plan.resource_assignment() if plan else {}
    firm_names = {f.id: f.name for f in instance.firms}
    feats: list[dict[str, Any]] = []

    for pid, area in shapes.packages.items():
        p, m = pkgs[pid], metrics.get(pid)
        props: dict[str, Any] = {
            "kind": "package",
            "id": pid,
            "firm_id": p.firm_id,
            "firm_name": firm_names.get(p.firm_id, ""),
            "hub_id": m.hub_id if m else p.hub_id,
            "members": list(p.members),
            "resources": list(p.resources),
            "fill": colours[pid],
            "stroke": colours[pid],
        }
        if m:
            props |= {
                "households": m.households,
                "cost": _money(m.cost),
                "revenue": _money(m.revenue),
                "subsidy": _money(m.subsidy),
                "margin": round(m.margin, 6),
                "firm_distance_m": round(m.firm_distance_m, 1),
            }
        feats.append(_feature(_geometry(shapes.projection.to_lonlat(area), digits), props))

    hubs = {pid: (m.hub_id if (m := metrics.get(pid)) else p.hub_id) for pid, p in pkgs.items()}
    for c in instance.communities:
        pid = pkg_of.get(c.id)
        firm_id = pkgs[pid].firm_id if pid else None
        props = {
            "kind": "community",
            "id": c.id,
            "name": c.name,
            "street": c.street,
            "neighbourhood": c.neighbourhood,
            "households": c.households,
            "package_id": pid,
            "firm_id": firm_id,
            "firm_name": firm_names.get(firm_id, "") if firm_id else None,
            "is_hub": pid is not None and hubs.get(pid) == c.id,
            "fill": colours.get(pid, UNCOVERED) if pid else UNCOVERED,
        }
        feats.append(_feature(_geometry(community_geometry(c), digits), props))

    by_id = {c.id: c for c in instance.communities}
    for pid, hub_id in hubs.items():
        if hub_id in by_id:
            hub = by_id[hub_id]
            props = {
                "kind": "hub",
                "id": hub_id,
                "package_id": pid,
                "name": hub.name,
                "firm_id": pkgs[pid].firm_id,
            }
            feats.append(_feature(_geometry(Point(hub.lon, hub.lat), digits), props))

    for f in instance.firms:
        row = firm_rows.get(f.id)
        props = {
            "kind": "firm",
            "id": f.id,
            "name": f.name,
            "capacity_households": f.capacity_households,
            "households": row.households if row else None,
            "packages": [p.id for p in plan.packages if p.firm_id == f.id] if plan else [],
            "service_radius_m": f.service_radius_m,
            "fill": FIRM,
        }
        feats.append(_feature(_geometry(Point(f.lon, f.lat), digits), props))

    for r in instance.resources:
        props = {
            "kind": "resource",
            "id": r.id,
            "name": r.name,
            "resource_kind": r.kind,
            "annual_income": _money(r.annual_income),
            "package_id": res_pkg.get(r.id),
            "fill": RESOURCE,
        }
        feats.append(_feature(_geometry(Point(r.lon, r.lat), digits), props))

    coordinates = (
        "planar metres as given (distance = euclidean); NOT WGS-84 longitude/latitude"
        if planar
        else "WGS-84 longitude, latitude (EPSG:4326)"
    )
    return {
        "type": "FeatureCollection",
        "name": instance.name,
        "sharedprop": {
            "instance": instance.name,
            "plan": plan.name if plan else None,
            "coordinates": coordinates,
            "planar": planar,
        },
        "features": feats,
    }


def geojson_text(instance: Instance, plan: Plan | None, evaluation: Evaluation | None) -> str:
    # allow_nan=False: NaN is not JSON and would make QGIS reject the whole file.
    return json.dumps(
        feature_collection(instance, plan, evaluation), ensure_ascii=False, allow_nan=False
    )
