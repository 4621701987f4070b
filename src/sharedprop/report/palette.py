"""Package colours: Paul Tol's colour-blind-safe "muted" scheme, neighbours never alike.

Up to nine packages each get their own colour. Nine colours cannot give forty packages forty
hues, but a reader only has to tell *adjacent* packages apart: packages whose areas touch or
nearly touch form a graph (networkx) and each package, largest neighbourhood first, takes the
least-used colour that no neighbour has. Labels on the map carry the package id for the rest.
"""

from __future__ import annotations

from collections.abc import Mapping

import networkx as nx
from shapely.geometry.base import BaseGeometry
from shapely.strtree import STRtree

# https://personal.sron.nl/~pault/#sec:qualitative ("muted"), in an order that keeps early
# colours far apart.
TOL_MUTED: tuple[str, ...] = (
    "#332288",  # indigo
    "#117733",  # green
    "#CC6677",  # rose
    "#88CCEE",  # cyan
    "#882255",  # wine
    "#44AA99",  # teal
    "#999933",  # olive
    "#AA4499",  # purple
    "#DDCC77",  # sand: last, it is close to the resources' orange
)
UNCOVERED = "#BBBBBB"
FIRM = "#222222"
RESOURCE = "#E69F00"  # Okabe-Ito orange: stands out from the muted package colours


def package_colours(areas: Mapping[str, BaseGeometry], near_m: float) -> dict[str, str]:
    """package id → colour; packages closer than ``near_m`` to each other get different colours."""
    ids = list(areas)
    graph = nx.Graph()
    graph.add_nodes_from(ids)
    if ids:
        geoms = [areas[i] for i in ids]
        tree = STRtree(geoms)
        left, right = tree.query(geoms, predicate="dwithin", distance=near_m)
        graph.add_edges_from((ids[a], ids[b]) for a, b in zip(left, right, strict=True) if a != b)
    if len(ids) <= len(TOL_MUTED):
        return {pid: TOL_MUTED[i] for i, pid in enumerate(ids)}
    used = [0] * len(TOL_MUTED)
    chosen: dict[str, int] = {}
    for pid in sorted(ids, key=lambda p: -graph.degree(p)):  # stable: plan order among equals
        taken = {chosen[n] for n in graph.neighbors(pid) if n in chosen}
        free = [k for k in range(len(TOL_MUTED)) if k not in taken] or list(range(len(TOL_MUTED)))
        k = min(free, key=lambda c: (used[c], c))
        chosen[pid] = k
        used[k] += 1
    return {pid: TOL_MUTED[chosen[pid]] for pid in ids}
