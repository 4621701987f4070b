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
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry import Point, mapping
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

from sharedprop.data import Instance
from sharedprop.evaluate import Evaluation, FirmMetrics, PackageMetrics
from sharedprop.plan import Package, Plan
from sharedprop.report.palette import FIRM, RESOURCE, UNCOVERED, package_colours
from sharedprop.report.shapes import PlanShapes, community_geometry, plan_shapes

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


Feature = dict[str, Any]


@dataclass(frozen=True)
class _Layer:
    """What every kind of feature reads: the plan's lookups, colours and coordinate precision."""

    instance: Instance
    plan: Plan | None
    shapes: PlanShapes
    colours: Mapping[str, str]
    digits: int
    packages: Mapping[str, Package]
    metrics: Mapping[str, PackageMetrics]
    firm_rows: Mapping[str, FirmMetrics]
    firm_names: Mapping[str, str]
    hubs: Mapping[str, str | None]  # package id → the hub the evaluator used, else the plan's


def _layer(instance: Instance, plan: Plan | None, evaluation: Evaluation | None) -> _Layer:
    shapes = plan_shapes(instance, plan)
    pkgs = plan.package_by_id if plan else {}
    metrics = {m.package_id: m for m in evaluation.packages} if evaluation else {}
    return _Layer(
        instance=instance,
        plan=plan,
        shapes=shapes,
        colours=package_colours(shapes.packages, near_m=3 * shapes.pad_m),
        digits=PLANAR_DIGITS if instance.distance == "euclidean" else WGS84_DIGITS,
        packages=pkgs,
        metrics=metrics,
        firm_rows={f.firm_id: f for f in evaluation.firms} if evaluation else {},
        firm_names={f.id: f.name for f in instance.firms},
        hubs={pid: (m.hub_id if (m := metrics.get(pid)) else p.hub_id) for pid, p in pkgs.items()},
    )


def _package_features(lay: _Layer) -> list[Feature]:
    feats = []
    for pid, area in lay.shapes.packages.items():
        p, m = lay.packages[pid], lay.metrics.get(pid)
        props: dict[str, Any] = {
            "kind": "package",
            "id": pid,
            "firm_id": p.firm_id,
            "firm_name": lay.firm_names.get(p.firm_id, ""),
            "hub_id": m.hub_id if m else p.hub_id,
            "members": list(p.members),
            "resources": list(p.resources),
            "fill": lay.colours[pid],
            "stroke": lay.colours[pid],
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
        geom = _geometry(lay.shapes.projection.to_lonlat(area), lay.digits)
        feats.append(_feature(geom, props))
    return feats


def _community_features(lay: _Layer) -> list[Feature]:
    package_of = lay.plan.package_of() if lay.plan else {}
    feats = []
    for c in lay.instance.communities:
        pid = package_of.get(c.id)
        firm_id = lay.packages[pid].firm_id if pid else None
        props = {
            "kind": "community",
            "id": c.id,
            "name": c.name,
            "street": c.street,
            "neighbourhood": c.neighbourhood,
            "households": c.households,
            "package_id": pid,
            "firm_id": firm_id,
            "firm_name": lay.firm_names.get(firm_id, "") if firm_id else None,
            "is_hub": pid is not None and lay.hubs.get(pid) == c.id,
            "fill": lay.colours.get(pid, UNCOVERED) if pid else UNCOVERED,
        }
        feats.append(_feature(_geometry(community_geometry(c), lay.digits), props))
    return feats


def _hub_features(lay: _Layer) -> list[Feature]:
    by_id = {c.id: c for c in lay.instance.communities}
    feats = []
    for pid, hub_id in lay.hubs.items():
        if hub_id in by_id:
            hub = by_id[hub_id]
            props = {
                "kind": "hub",
                "id": hub_id,
                "package_id": pid,
                "name": hub.name,
                "firm_id": lay.packages[pid].firm_id,
            }
            feats.append(_feature(_geometry(Point(hub.lon, hub.lat), lay.digits), props))
    return feats


def _firm_features(lay: _Layer) -> list[Feature]:
    plan_packages = lay.plan.packages if lay.plan else ()
    feats = []
    for f in lay.instance.firms:
        row = lay.firm_rows.get(f.id)
        props = {
            "kind": "firm",
            "id": f.id,
            "name": f.name,
            "capacity_households": f.capacity_households,
            "households": row.households if row else None,
            "packages": [p.id for p in plan_packages if p.firm_id == f.id],
            "service_radius_m": f.service_radius_m,
            "fill": FIRM,
        }
        feats.append(_feature(_geometry(Point(f.lon, f.lat), lay.digits), props))
    return feats


def _resource_features(lay: _Layer) -> list[Feature]:
    bundled = lay.plan.resource_assignment() if lay.plan else {}
    feats = []
    for r in lay.instance.resources:
        props = {
            "kind": "resource",
            "id": r.id,
            "name": r.name,
            "resource_kind": r.kind,
            "annual_income": _money(r.annual_income),
            "package_id": bundled.get(r.id),
            "fill": RESOURCE,
        }
        feats.append(_feature(_geometry(Point(r.lon, r.lat), lay.digits), props))
    return feats


def feature_collection(
    instance: Instance, plan: Plan | None, evaluation: Evaluation | None
) -> dict[str, Any]:
    """The whole plan as a GeoJSON dict (plain lists and numbers, ready for ``json.dumps``)."""
    lay = _layer(instance, plan, evaluation)
    planar = instance.distance == "euclidean"
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
        "features": [
            *_package_features(lay),
            *_community_features(lay),
            *_hub_features(lay),
            *_firm_features(lay),
            *_resource_features(lay),
        ],
    }


def geojson_text(instance: Instance, plan: Plan | None, evaluation: Evaluation | None) -> str:
    # allow_nan=False: NaN is not JSON and would make QGIS reject the whole file.
    return json.dumps(
        feature_collection(instance, plan, evaluation), ensure_ascii=False, allow_nan=False
    )
