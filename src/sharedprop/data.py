"""The problem data: communities, firms, resources, locks, policy and the instance.

Everything here is immutable and validated on construction. The field rules live in one place
(``*_FIELD_RULES`` and :func:`field_problems`) so that the file loader, which knows file, row and
column, and the dataclass constructors, which know only the entity, report the same sentence.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import networkx as nx

from sharedprop.errors import InstanceError

DistanceKind = Literal["haversine", "euclidean"]
CoordinateSystem = Literal["wgs84", "gcj02", "bd09"]
LockRule = Literal["must", "forbid"]

DISTANCE_KINDS: tuple[str, ...] = ("haversine", "euclidean")
COORDINATE_SYSTEMS: tuple[str, ...] = ("wgs84", "gcj02", "bd09")
LOCK_RULES: tuple[str, ...] = ("must", "forbid")

# A rule is (predicate on the value, description used after "must be").
Rule = tuple[Callable[[Any], bool], str]


def _finite(v: Any) -> bool:
    return isinstance(v, int | float) and math.isfinite(v)


def _positive(v: Any) -> bool:
    return _finite(v) and v > 0


def _non_negative(v: Any) -> bool:
    return _finite(v) and v >= 0


def _unit(v: Any) -> bool:
    return _finite(v) and 0 <= v <= 1


def _longitude(v: Any) -> bool:
    return _finite(v) and -180 <= v <= 180


def _latitude(v: Any) -> bool:
    return _finite(v) and -90 <= v <= 90


POSITIVE: Rule = (_positive, "> 0")
NON_NEGATIVE: Rule = (_non_negative, ">= 0")
UNIT: Rule = (_unit, "between 0 and 1")
FINITE: Rule = (_finite, "a finite number")
LONGITUDE: Rule = (_longitude, "a longitude between -180 and 180")
LATITUDE: Rule = (_latitude, "a latitude between -90 and 90")

COMMUNITY_FIELD_RULES: dict[str, Rule] = {
    "households": POSITIVE,
    "floor_area_m2": NON_NEGATIVE,
    "fee_rate": NON_NEGATIVE,
    "collection_rate": UNIT,
}
FIRM_FIELD_RULES: dict[str, Rule] = {
    "capacity_households": NON_NEGATIVE,
    "max_packages": NON_NEGATIVE,
    "service_radius_m": NON_NEGATIVE,
    "package_fixed_cost": NON_NEGATIVE,
    "cost_per_household": NON_NEGATIVE,
    "travel_cost_per_km": NON_NEGATIVE,
    "min_margin": UNIT,
}
RESOURCE_FIELD_RULES: dict[str, Rule] = {
    "annual_income": NON_NEGATIVE,
    "max_distance_m": NON_NEGATIVE,
}
GEOGRAPHIC_RULES: dict[str, Rule] = {"lon": LONGITUDE, "lat": LATITUDE}
PLANAR_RULES: dict[str, Rule] = {"lon": FINITE, "lat": FINITE}


def _fmt(v: Any) -> str:
    if isinstance(v, float) and v.is_integer() and math.isfinite(v):
        return str(int(v))
    return repr(v) if isinstance(v, str) else str(v)


def field_problems(values: Mapping[str, Any], rules: Mapping[str, Rule]) -> list[tuple[str, str]]:
    """Check ``values`` against ``rules``; return ``(field, "field must be ..., got ...")``
    pairs."""
    out = []
    for name, (ok, wanted) in rules.items():
        if name in values and values[name] is not None and not ok(values[name]):
            out.append((name, f"{name} must be {wanted}, got {_fmt(values[name])}"))
    return out


def _raise_if(entity: str, ident: str, problems: list[tuple[str, str]]) -> None:
    if problems:
        raise InstanceError([f"{entity} {ident}: {msg}" for _, msg in problems])


def _coordinate_rules(planar: bool) -> dict[str, Rule]:
    return PLANAR_RULES if planar else GEOGRAPHIC_RULES


@dataclass(frozen=True, slots=True)
class Community:
    """One residential compound without property management (无物业小区)."""

    id: str
    name: str
    street: str
    neighbourhood: str
    lon: float
    lat: float
    households: int
    floor_area_m2: float
    fee_rate: float
    collection_rate: float
    buildings: int | None = None
    built_year: int | None = None
    geometry_wkt: str | None = None

    def __post_init__(self) -> None:
        probs = field_problems(
            {f: getattr(self, f) for f in COMMUNITY_FIELD_RULES}, COMMUNITY_FIELD_RULES
        )
        probs += field_problems({"lon": self.lon, "lat": self.lat}, PLANAR_RULES)
        if not self.id:
            probs.append(("id", "id must not be empty"))
        _raise_if("community", self.id, probs)

    @property
    def annual_fee_income(self) -> float:
        """Yuan per year the firm collects from residents: 12 · fee · area · collection rate."""
        return 12.0 * self.fee_rate * self.floor_area_m2 * self.collection_rate


@dataclass(frozen=True, slots=True)
class Firm:
    """A property company that can take packages (物业企业)."""

    id: str
    name: str
    lon: float
    lat: float
    capacity_households: int
    max_packages: int
    service_radius_m: float
    package_fixed_cost: float
    cost_per_household: float
    travel_cost_per_km: float
    min_margin: float

    def __post_init__(self) -> None:
        probs = field_problems({f: getattr(self, f) for f in FIRM_FIELD_RULES}, FIRM_FIELD_RULES)
        probs += field_problems({"lon": self.lon, "lat": self.lat}, PLANAR_RULES)
        if not self.id:
            probs.append(("id", "id must not be empty"))
        _raise_if("firm", self.id, probs)


@dataclass(frozen=True, slots=True)
class Resource:
    """A public resource with annual income that can be bundled into one package (经营性资源)."""

    id: str
    name: str
    kind: str
    lon: float
    lat: float
    annual_income: float
    max_distance_m: float

    def __post_init__(self) -> None:
        probs = field_problems(
            {f: getattr(self, f) for f in RESOURCE_FIELD_RULES}, RESOURCE_FIELD_RULES
        )
        probs += field_problems({"lon": self.lon, "lat": self.lat}, PLANAR_RULES)
        if not self.id:
            probs.append(("id", "id must not be empty"))
        _raise_if("resource", self.id, probs)


@dataclass(frozen=True, slots=True)
class Lock:
    """A planner's hard rule: ``must`` — the community is served by this firm; ``forbid`` — not."""

    community_id: str
    firm_id: str
    rule: LockRule

    def __post_init__(self) -> None:
        if self.rule not in LOCK_RULES:
            raise InstanceError(
                f"lock ({self.community_id}, {self.firm_id}): rule must be one of "
                f"{', '.join(LOCK_RULES)}, got {self.rule!r}"
            )


@dataclass(frozen=True, slots=True)
class Policy:
    """The ``[policy]`` table of ``instance.toml``; ``None`` means "no limit"."""

    package_max_households: int | None = None
    package_min_households: int = 0
    package_max_radius_m: float | None = None
    link_max_m: float = 800.0
    require_contiguity: bool = True
    cross_streets: bool = False
    allow_uncovered: bool = True
    fallback_cost_per_household: float = 0.0

    def __post_init__(self) -> None:
        probs = []
        for name in ("package_max_households", "package_max_radius_m"):
            v = getattr(self, name)
            if v is not None and not _non_negative(v):
                probs.append(f"policy: {name} must be >= 0, got {_fmt(v)}")
        for name in ("package_min_households", "link_max_m", "fallback_cost_per_household"):
            v = getattr(self, name)
            if not _non_negative(v):
                probs.append(f"policy: {name} must be >= 0, got {_fmt(v)}")
        if (
            self.package_max_households is not None
            and _non_negative(self.package_min_households)
            and self.package_min_households > self.package_max_households
        ):
            probs.append(
                "policy: package_min_households must be <= package_max_households, got "
                f"{_fmt(self.package_min_households)} > {_fmt(self.package_max_households)}"
            )
        if probs:
            raise InstanceError(probs)


@dataclass(frozen=True, slots=True)
class ObjectiveWeights:
    """The ``[objective]`` table: objective = w_pm · public_money + w_tc · total_cost."""

    weight_public_money: float = 1.0
    weight_total_cost: float = 0.0

    def __post_init__(self) -> None:
        probs = []
        for name in ("weight_public_money", "weight_total_cost"):
            v = getattr(self, name)
            if not _non_negative(v):
                probs.append(f"objective: {name} must be >= 0, got {_fmt(v)}")
        if probs:
            raise InstanceError(probs)


@dataclass(frozen=True, eq=False)
class Instance:
    """A complete, validated problem: the data of one street, district or city.

    Coordinates are stored in WGS-84 (converted on load from GCJ-02 / BD-09) or, for
    ``distance = "euclidean"``, as planar coordinates in metres. ``graph`` is the proximity graph
    (nodes are community ids) that says which communities may share staff.
    """

    name: str
    communities: tuple[Community, ...]
    firms: tuple[Firm, ...]
    resources: tuple[Resource, ...] = ()
    locks: tuple[Lock, ...] = ()
    policy: Policy = field(default_factory=Policy)
    objective: ObjectiveWeights = field(default_factory=ObjectiveWeights)
    graph: nx.Graph = field(default_factory=nx.Graph)
    description: str = ""
    distance: DistanceKind = "haversine"
    coordinates: CoordinateSystem = "wgs84"
    path: Path | None = None

    def __post_init__(self) -> None:
        probs: list[str] = []
        if self.distance not in DISTANCE_KINDS:
            probs.append(
                f"instance: distance must be one of {', '.join(DISTANCE_KINDS)}, "
                f"got {self.distance!r}"
            )
        if self.coordinates not in COORDINATE_SYSTEMS:
            probs.append(
                "instance: coordinates must be one of "
                f"{', '.join(COORDINATE_SYSTEMS)}, got {self.coordinates!r}"
            )
        if self.distance == "haversine":
            for kind, items in (
                ("community", self.communities),
                ("firm", self.firms),
                ("resource", self.resources),
            ):
                for it in items:
                    for _, msg in field_problems({"lon": it.lon, "lat": it.lat}, GEOGRAPHIC_RULES):
                        probs.append(f"{kind} {it.id}: {msg}")
        for kind, items in (
            ("community", self.communities),
            ("firm", self.firms),
            ("resource", self.resources),
        ):
            seen: set[str] = set()
            for it in items:
                if it.id in seen:
                    probs.append(f"{kind} {it.id}: duplicate id")
                seen.add(it.id)
        cids = {c.id for c in self.communities}
        fids = {f.id for f in self.firms}
        for lk in self.locks:
            if lk.community_id not in cids:
                probs.append(
                    f"lock ({lk.community_id}, {lk.firm_id}): unknown community {lk.community_id!r}"
                )
            if lk.firm_id not in fids:
                probs.append(f"lock ({lk.community_id}, {lk.firm_id}): unknown firm {lk.firm_id!r}")
        for node in self.graph.nodes:
            if node not in cids:
                probs.append(f"proximity graph: node {node!r} is not a community id")
        if probs:
            raise InstanceError(probs)
        # Every community is a node even when isolated, so callers can rely on it.
        missing = cids.difference(self.graph.nodes)
        if missing:
            self.graph.add_nodes_from(sorted(missing))

    # -- lookups -------------------------------------------------------------------------------
    @property
    def community_index(self) -> dict[str, int]:
        return dict(self._community_pos)

    @property
    def firm_index(self) -> dict[str, int]:
        return dict(self._firm_pos)

    @property
    def resource_index(self) -> dict[str, int]:
        return dict(self._resource_pos)

    # Built once per instance: the lookups below sit in the evaluator's inner loops.
    @cached_property
    def _community_pos(self) -> dict[str, int]:
        return {c.id: i for i, c in enumerate(self.communities)}

    @cached_property
    def _firm_pos(self) -> dict[str, int]:
        return {f.id: i for i, f in enumerate(self.firms)}

    @cached_property
    def _resource_pos(self) -> dict[str, int]:
        return {r.id: i for i, r in enumerate(self.resources)}

    def community(self, cid: str) -> Community:
        return self.communities[self._community_pos[cid]]

    def firm(self, fid: str) -> Firm:
        return self.firms[self._firm_pos[fid]]

    def resource(self, rid: str) -> Resource:
        return self.resources[self._resource_pos[rid]]

    @property
    def total_households(self) -> int:
        return sum(c.households for c in self.communities)

    def distance_m(self, a: Community | Firm | Resource, b: Community | Firm | Resource) -> float:
        """The contract distance between two sites, in metres."""
        from sharedprop.geo import point_distance

        return point_distance(self.distance, a.lon, a.lat, b.lon, b.lat)

    def with_graph(self, graph: nx.Graph) -> Instance:
        """The same instance with a caller's own proximity graph (nodes are community ids)."""
        from dataclasses import replace

        return replace(self, graph=graph.copy())
