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
from sharedprop.i18n import tr

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


def _wanted(wanted: str) -> str:
    """A rule's description in the current language."""
    texts = {
        "> 0": tr("> 0"),
        ">= 0": tr(">= 0"),
        "between 0 and 1": tr("between 0 and 1"),
        "a finite number": tr("a finite number"),
        "a longitude between -180 and 180": tr("a longitude between -180 and 180"),
        "a latitude between -90 and 90": tr("a latitude between -90 and 90"),
    }
    return texts.get(wanted, wanted)


def must_be(name: str, wanted: str, value: Any) -> str:
    """``households must be > 0, got -3``."""
    return tr(
        "{name} must be {wanted}, got {value}", name=name, wanted=_wanted(wanted), value=_fmt(value)
    )


def field_problems(values: Mapping[str, Any], rules: Mapping[str, Rule]) -> list[tuple[str, str]]:
    """Check ``values`` against ``rules``; return ``(field, "field must be ..., got ...")``
    pairs."""
    out = []
    for name, (ok, wanted) in rules.items():
        if name in values and values[name] is not None and not ok(values[name]):
            out.append((name, must_be(name, wanted, values[name])))
    return out


def _entity(kind: str, ident: str, problem: str) -> str:
    """``community C01: households must be > 0, got -3``."""
    words = {"community": tr("community"), "firm": tr("firm"), "resource": tr("resource")}
    return tr("{kind} {id}: {problem}", kind=words[kind], id=ident, problem=problem)


def _raise_if(entity: str, ident: str, problems: list[tuple[str, str]]) -> None:
    if problems:
        raise InstanceError([_entity(entity, ident, msg) for _, msg in problems])


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
            probs.append(("id", tr("id must not be empty")))
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
            probs.append(("id", tr("id must not be empty")))
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
    # False: a candidate the bureau could bring in but has not; no plan may bundle it.
    available: bool = True

    def __post_init__(self) -> None:
        probs = field_problems(
            {f: getattr(self, f) for f in RESOURCE_FIELD_RULES}, RESOURCE_FIELD_RULES
        )
        probs += field_problems({"lon": self.lon, "lat": self.lat}, PLANAR_RULES)
        if not isinstance(self.available, bool):
            probs.append(
                (
                    "available",
                    tr("available must be true or false, got {value}", value=_fmt(self.available)),
                )
            )
        if not self.id:
            probs.append(("id", tr("id must not be empty")))
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


def policy_problems(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Range problems of ``[policy]`` values: ``(key, "key must be ..., got ...")`` pairs.

    Only the keys present are checked, so a loader can name the place of each key.
    """
    out = []
    for name in ("package_max_households", "package_max_radius_m"):
        v = values.get(name)
        if v is not None and not _non_negative(v):
            out.append((name, must_be(name, ">= 0", v)))
    for name in ("package_min_households", "link_max_m", "fallback_cost_per_household"):
        if name in values and not _non_negative(values[name]):
            out.append((name, must_be(name, ">= 0", values[name])))
    if "min_coverage" in values and not _unit(values["min_coverage"]):
        coverage = values["min_coverage"]
        out.append(("min_coverage", must_be("min_coverage", "between 0 and 1", coverage)))
    low, high = values.get("package_min_households"), values.get("package_max_households")
    if (
        high is not None
        and low is not None
        and _non_negative(low)
        and _non_negative(high)
        and low > high
    ):
        out.append((
            "package_min_households",
            tr(
                "package_min_households must be <= package_max_households, got {low} > {high}",
                low=_fmt(low), high=_fmt(high),
            ),
        ))  # fmt: skip
    return out


def objective_problems(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Range problems of ``[objective]`` values, as :func:`policy_problems`."""
    return [
        (name, must_be(name, ">= 0", values[name]))
        for name in ("weight_public_money", "weight_total_cost")
        if name in values and not _non_negative(values[name])
    ]


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
    # The share of all households, 0 to 1, that a plan must put in packages.
    min_coverage: float = 0.0

    def __post_init__(self) -> None:
        values = {f: getattr(self, f) for f in self.__dataclass_fields__}
        probs = [tr("policy: {problem}", problem=msg) for _, msg in policy_problems(values)]
        if probs:
            raise InstanceError(probs)

    def required_households(self, total_households: int) -> int:
        """The fewest households a plan must cover to meet ``min_coverage``: the share of the
        total rounded up, with a hair of slack so that a share written as a decimal (0.8 of
        12,345) does not demand one household more than it says."""
        if self.min_coverage <= 0:
            return 0
        return min(total_households, math.ceil(self.min_coverage * total_households - 1e-6))


@dataclass(frozen=True, slots=True)
class ObjectiveWeights:
    """The ``[objective]`` table: objective = w_pm · public_money + w_tc · total_cost."""

    weight_public_money: float = 1.0
    weight_total_cost: float = 0.0

    def __post_init__(self) -> None:
        values = {f: getattr(self, f) for f in self.__dataclass_fields__}
        probs = [tr("objective: {problem}", problem=msg) for _, msg in objective_problems(values)]
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
