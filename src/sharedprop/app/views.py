"""What the page is sent: evaluations, the map layers and comparisons as plain JSON values.

Figures come from :func:`sharedprop.evaluate` and :mod:`sharedprop.compare`, shapes and colours
from :func:`sharedprop.report.geojson.feature_collection` (the report's palette); this module
only arranges them. For a base map in GCJ-02 or BD-09 the layers are shifted with
:mod:`sharedprop.coords`, so that they sit on the tiles.
"""

from __future__ import annotations

import math
from dataclasses import fields
from typing import Any

import numpy as np

from sharedprop.compare import METRICS, Comparison, match_packages
from sharedprop.coords import wgs84_to_bd09, wgs84_to_gcj02
from sharedprop.data import Instance, ObjectiveWeights, Policy
from sharedprop.evaluate import Evaluation
from sharedprop.plan import Plan
from sharedprop.report.geojson import feature_collection

MAP_SYSTEMS = ("wgs84", "gcj02", "bd09")
# Which kind of thing a broken rule's subject is (evaluate names packages, firms, communities
# and resources by id); everything else is a package.
_SUBJECT_KIND = {
    "one_package": "community",
    "coverage": "community",
    "lock_must": "community",
    "lock_forbid": "community",
    "firm_capacity": "firm",
    "firm_max_packages": "firm",
    "resource_one_package": "resource",
    "resource_distance": "resource",
}
# Units shown beside the policy and objective fields (a field the contract adds later shows
# without a unit until it gets one here).
UNITS = {
    "package_max_households": "households",
    "package_min_households": "households",
    "package_max_radius_m": "m",
    "link_max_m": "m",
    "fallback_cost_per_household": "yuan per household per year",
    "min_coverage": "share of households, 0 to 1",
    "weight_public_money": "weight",
    "weight_total_cost": "weight",
}


def num(v: float | None) -> float | None:
    return None if v is None or not math.isfinite(v) else round(v, 2)


def subject_kind(rule: str) -> str:
    return _SUBJECT_KIND.get(rule, "package")


def evaluation_json(instance: Instance, ev: Evaluation) -> dict[str, Any]:
    """Headline figures, the package table and every broken rule."""
    firm_names = {f.id: f.name for f in instance.firms}
    return {
        "public_money": num(ev.public_money),
        "objective": num(ev.objective),
        "subsidy": num(ev.subsidy),
        "fallback_cost": num(ev.fallback_cost),
        "total_cost": num(ev.total_cost),
        "revenue": num(ev.revenue),
        "coverage": ev.coverage,
        "coverage_households": ev.coverage_households,
        "total_households": ev.total_households,
        "uncovered": list(ev.uncovered),
        "firms_used": ev.firms_used,
        "feasible": ev.feasible,
        "packages": [
            {
                "id": p.package_id,
                "firm_id": p.firm_id,
                "firm_name": firm_names.get(p.firm_id, ""),
                "hub_id": p.hub_id,
                "members": list(p.members),
                "resources": list(p.resources),
                "households": p.households,
                "cost": num(p.cost),
                "revenue": num(p.revenue),
                "subsidy": num(p.subsidy),
                "margin": num(p.margin),
            }
            for p in ev.packages
        ],
        "broken": [
            {
                "rule": v.rule,
                "subject": v.subject,
                "kind": subject_kind(v.rule),
                "message": v.message,
            }
            for v in ev.broken
        ],
    }


def _shift(coords: Any, convert: Any) -> Any:
    """Apply ``convert(lon, lat)`` to every position of a GeoJSON coordinates array."""
    arr = np.asarray(coords, dtype=float)
    if arr.ndim >= 1 and arr.dtype != object and arr.shape[-1] == 2:
        lon, lat = convert(arr[..., 0], arr[..., 1])
        return np.round(np.stack([lon, lat], axis=-1), 7).tolist()
    return [_shift(c, convert) for c in coords]  # rings of different lengths


def map_json(instance: Instance, plan: Plan, ev: Evaluation, system: str) -> dict[str, Any]:
    """The plan's GeoJSON layers, with community figures, in coordinate system ``system``."""
    fc = feature_collection(instance, plan, ev)
    for feat in fc["features"]:
        props = feat["properties"]
        if props["kind"] == "community":
            c = instance.community(props["id"])
            props |= {
                "floor_area_m2": c.floor_area_m2,
                "fee_rate": c.fee_rate,
                "collection_rate": c.collection_rate,
                "fee_income": num(c.annual_fee_income),
            }
    planar = instance.distance == "euclidean"
    if system != "wgs84" and not planar:
        convert = wgs84_to_gcj02 if system == "gcj02" else wgs84_to_bd09
        for feat in fc["features"]:
            geom = feat["geometry"]
            geom["coordinates"] = _shift(geom["coordinates"], convert)
    fc["sharedprop"]["system"] = "planar" if planar else system
    return fc


def settings_form(instance: Instance | None) -> list[dict[str, Any]]:
    """The policy and objective fields: name, section, kind, value, contract default, unit."""
    out = []
    for section, cls, current in (
        ("policy", Policy, instance.policy if instance else None),
        ("objective", ObjectiveWeights, instance.objective if instance else None),
    ):
        for f in fields(cls):
            default = f.default
            kind = "bool" if isinstance(default, bool) else "number"
            out.append({
                "section": section,
                "name": f.name,
                "kind": kind,
                "optional": default is None,
                "default": default,
                "value": getattr(current, f.name) if current is not None else default,
                "unit": UNITS.get(f.name, ""),
            })  # fmt: skip
    return out


def comparison_json(instance: Instance, cmp: Comparison, plans: dict[str, Plan]) -> dict[str, Any]:
    """Headline rows, the matched package table and each moved community."""
    a, b = cmp.names
    ev_a, ev_b = cmp.evaluations[a], cmp.evaluations[b]
    households = {c.id: c.households for c in instance.communities}
    match = match_packages(plans[a], plans[b], households)
    rows_b = {p.package_id: p for p in ev_b.packages}
    packages = []
    for p in ev_a.packages:
        q = rows_b.pop(match.get(p.package_id, ""), None)
        packages.append(_package_pair(p, q))
    packages += [_package_pair(None, q) for q in rows_b.values()]
    return {
        "names": [a, b],
        "metrics": [
            {
                "key": m.key,
                "label": m.label.strip(),
                "values": [m.value(ev_a), m.value(ev_b)],
                "lower_is_better": m.lower_is_better,
            }
            for m in METRICS
        ],  # fmt: skip
        "packages": packages,
        "moves": [
            {
                "community_id": mv.community_id,
                "name": mv.name,
                "households": mv.households,
                "change": mv.change,
                "from_package": mv.from_package,
                "from_firm": mv.from_firm,
                "to_package": mv.to_package,
                "to_firm": mv.to_firm,
            }
            for mv in cmp.moves[b]
        ],
    }


def _package_pair(p: Any, q: Any) -> dict[str, Any]:
    def side(m: Any) -> dict[str, Any] | None:
        if m is None:
            return None
        return {
            "id": m.package_id,
            "firm_id": m.firm_id,
            "households": m.households,
            "members": len(m.members),
            "subsidy": num(m.subsidy),
        }

    return {"a": side(p), "b": side(q)}
