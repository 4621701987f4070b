"""What a planner should know about an instance before optimising it (``sharedprop validate``).

Reachability uses simple *necessary* conditions, so everything it flags is certainly a problem
(nothing flagged may still be hard to serve):

- a community can be served only if some hub candidate — itself or another community within
  ``package_max_radius_m`` of it, in the same street unless ``cross_streets`` and in the same
  graph component when ``require_contiguity`` — lies within some firm's ``service_radius_m``;
- a resource can be bundled only if some community lies within its ``max_distance_m``;
- a firm can take a package only if some community lies within its ``service_radius_m``.

Distances are the contract distances between the pairs a spatial index finds close enough, in
chunks, so that 20,000 communities and hundreds of firms take seconds and stay within a few
hundred megabytes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any

import networkx as nx
import numpy as np

from sharedprop.data import Instance
from sharedprop.evaluate import DISTANCE_SLACK_M
from sharedprop.graph import pairs_within

_CHUNK = 256  # sites per spatial query: at most 256 × 20,000 pairs (120 MB) if radii span all
_SHOWN = 10  # ids listed per line before "… and N more"


@dataclass(frozen=True)
class InstanceSummary:
    """Sizes, graph shape and reachability of one instance."""

    name: str
    distance: str
    communities: int
    firms: int
    resources: int
    locks: int
    households: int
    streets: tuple[str, ...]
    neighbourhoods: int
    edges: int
    components: int
    largest_component: int
    isolated: tuple[str, ...]
    unreachable_communities: tuple[str, ...]
    unreachable_resources: tuple[str, ...]
    idle_firms: tuple[str, ...]
    capacity_households: int
    package_max_households: int | None
    oversized_communities: tuple[str, ...]
    min_coverage: float = 0.0
    required_households: int = 0  # what min_coverage asks for, in households
    reachable_households: int = 0  # households neither out of reach nor too large for a package
    candidate_resources: tuple[str, ...] = ()  # available = false

    @property
    def floor_out_of_reach(self) -> bool:
        """True when no plan can meet ``min_coverage``: it asks for more households than the
        firms can reach or hold."""
        ceiling = min(self.reachable_households, self.capacity_households)
        return self.required_households > ceiling

    @property
    def capacity_ratio(self) -> float:
        return self.capacity_households / self.households if self.households else float("inf")

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for k, v in d.items():
            if isinstance(v, tuple):
                d[k] = list(v)
        d["capacity_ratio"] = self.capacity_ratio
        d["floor_out_of_reach"] = self.floor_out_of_reach
        return d

    def to_lines(self) -> list[str]:
        def ids(values: tuple[str, ...]) -> str:
            if not values:
                return "none"
            shown = ", ".join(values[:_SHOWN])
            more = f" … and {len(values) - _SHOWN} more" if len(values) > _SHOWN else ""
            return f"{len(values)} ({shown}{more})"

        def plural(n: int, word: str, words: str | None = None) -> str:
            return f"{n:,} {word if n == 1 else (words or word + 's')}"

        limit = (
            f"{self.package_max_households:,}"
            if self.package_max_households is not None
            else "none"
        )
        return [
            f"instance {self.name}: {plural(self.communities, 'community', 'communities')} "
            f"({self.households:,} households) in {plural(len(self.streets), 'street')}, "
            f"{plural(self.firms, 'firm')}, {plural(self.resources, 'resource')}, "
            f"{plural(self.locks, 'lock')}; distance {self.distance}",
            f"streets: {', '.join(self.streets)}",
            f"proximity graph: {plural(self.edges, 'edge')}, "
            f"{plural(self.components, 'component')} "
            f"(largest {self.largest_component:,} communities)",
            f"isolated communities (no neighbour in the graph): {ids(self.isolated)}",
            f"communities no firm can reach: {ids(self.unreachable_communities)}",
            f"resources no hub can reach: {ids(self.unreachable_resources)}",
            f"firms with no community in their service radius: {ids(self.idle_firms)}",
            f"firm capacity: {self.capacity_households:,} households for {self.households:,} "
            f"households ({self.capacity_ratio:.0%})",
            f"communities above package_max_households ({limit}): "
            f"{ids(self.oversized_communities)}",
            f"candidate resources (available = false): {ids(self.candidate_resources)}",
        ] + self._floor_lines()

    def _floor_lines(self) -> list[str]:
        if self.required_households == 0:
            return []
        line = (
            f"coverage floor: min_coverage = {self.min_coverage:g} asks for "
            f"{self.required_households:,} of {self.households:,} households in packages; "
            f"{self.reachable_households:,} are within some firm's reach, firms hold "
            f"{self.capacity_households:,}"
        )
        return [line + (" — no plan can meet it" if self.floor_out_of_reach else "")]


def _arrays(items: tuple[Any, ...]) -> tuple[np.ndarray, np.ndarray]:
    return (
        np.array([x.lon for x in items], dtype=float),
        np.array([x.lat for x in items], dtype=float),
    )


def _within_any(
    kind: str,
    a: tuple[np.ndarray, np.ndarray],
    radius: np.ndarray,
    b: tuple[np.ndarray, np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """(a_i has some b within radius_i, b_j is within radius of some a).

    Candidate pairs come from a spatial index (:func:`sharedprop.graph.pairs_within`), a chunk
    of ``a`` at a time so that even radii spanning the whole instance stay within memory.
    """
    a_hit = np.zeros(len(a[0]), dtype=bool)
    b_hit = np.zeros(len(b[0]), dtype=bool)
    for s in range(0, len(a[0]), _CHUNK):
        r = radius[s : s + _CHUNK]
        i, j, d = pairs_within(
            kind, a[0][s : s + _CHUNK], a[1][s : s + _CHUNK], float(r.max()) + DISTANCE_SLACK_M,
            b[0], b[1],
        )  # fmt: skip
        ok = d <= r[i] + DISTANCE_SLACK_M
        a_hit[s + i[ok]] = True
        b_hit[j[ok]] = True
    return a_hit, b_hit


def _unreachable_communities(instance: Instance, hub_ok: np.ndarray) -> list[str]:
    pol = instance.policy
    comms = instance.communities
    comp_of: dict[str, int] = {}
    if pol.require_contiguity:
        for k, comp in enumerate(nx.connected_components(instance.graph)):
            comp_of.update(dict.fromkeys(comp, k))
    groups: dict[tuple[str, int], list[int]] = defaultdict(list)
    for i, c in enumerate(comms):
        groups[("" if pol.cross_streets else c.street, comp_of.get(c.id, -1))].append(i)
    lon, lat = _arrays(comms)
    out: list[int] = []
    for members in groups.values():
        idx = np.array(members)
        cand = idx[~hub_ok[idx]]
        hubs = idx[hub_ok[idx]]
        if len(cand) == 0:
            continue
        if len(hubs) == 0:
            out += cand.tolist()
            continue
        if pol.package_max_radius_m is None:
            continue
        radius = np.full(len(cand), float(pol.package_max_radius_m))
        reach, _ = _within_any(
            instance.distance, (lon[cand], lat[cand]), radius, (lon[hubs], lat[hubs])
        )
        out += cand[~reach].tolist()
    return [comms[i].id for i in sorted(out)]


def describe(instance: Instance) -> InstanceSummary:
    """Summarise ``instance``: sizes, graph components, reachability, capacity."""
    comms, firms, res = instance.communities, instance.firms, instance.resources
    c_xy = _arrays(comms)
    if firms:
        radius = np.array([f.service_radius_m for f in firms], dtype=float)
        firm_hit, hub_ok = _within_any(instance.distance, _arrays(firms), radius, c_xy)
    else:
        firm_hit, hub_ok = np.zeros(0, dtype=bool), np.zeros(len(comms), dtype=bool)
    if res:
        radius = np.array([r.max_distance_m for r in res], dtype=float)
        res_hit, _ = _within_any(instance.distance, _arrays(res), radius, c_xy)
    else:
        res_hit = np.zeros(0, dtype=bool)
    g = instance.graph
    components = list(nx.connected_components(g)) if len(g) else []
    limit = instance.policy.package_max_households
    unreachable = _unreachable_communities(instance, hub_ok)
    oversized = tuple(c.id for c in comms if limit is not None and c.households > limit)
    out_of_reach = set(unreachable) | set(oversized)
    return InstanceSummary(
        name=instance.name,
        distance=instance.distance,
        communities=len(comms),
        firms=len(firms),
        resources=len(res),
        locks=len(instance.locks),
        households=instance.total_households,
        streets=tuple(sorted({c.street for c in comms})),
        neighbourhoods=len({(c.street, c.neighbourhood) for c in comms}),
        edges=g.number_of_edges(),
        components=len(components),
        largest_component=max((len(c) for c in components), default=0),
        isolated=tuple(c.id for c in comms if g.degree(c.id) == 0),
        unreachable_communities=tuple(unreachable),
        unreachable_resources=tuple(r.id for r, hit in zip(res, res_hit, strict=True) if not hit),
        idle_firms=tuple(f.id for f, hit in zip(firms, firm_hit, strict=True) if not hit),
        capacity_households=sum(f.capacity_households for f in firms),
        package_max_households=limit,
        oversized_communities=oversized,
        min_coverage=instance.policy.min_coverage,
        required_households=instance.policy.required_households(instance.total_households),
        reachable_households=sum(c.households for c in comms if c.id not in out_of_reach),
        candidate_resources=tuple(r.id for r in res if not r.available),
    )
