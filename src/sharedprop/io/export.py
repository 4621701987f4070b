"""An instance back as tables: the inverse of :func:`sharedprop.io.frames.from_frames`.

:func:`to_frames` gives one DataFrame per contract table and :func:`settings_of` the keys of
``instance.toml``, so that ``from_frames(**to_frames(inst), ...)`` and the workbook written from
them read back as the same instance. The proximity graph is written as an ``edges`` table only
when it is not the one the ``link_max_m`` rule builds: a planner who changes ``link_max_m`` in
a written workbook then sees the change.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import networkx as nx
import pandas as pd

from sharedprop.data import Instance, ObjectiveWeights, Policy
from sharedprop.graph import build_proximity_graph
from sharedprop.io.schema import TABLES


def _columns(name: str, rows: list[dict[str, Any]]) -> list[str]:
    required, optional = TABLES[name]
    return [*required, *(c for c in optional if any(r.get(c) is not None for r in rows))]


def _frame(name: str, rows: list[dict[str, Any]], *, all_optional: bool = False) -> pd.DataFrame:
    columns = [*TABLES[name][0], *TABLES[name][1]] if all_optional else _columns(name, rows)
    return pd.DataFrame([{c: r.get(c) for c in columns} for r in rows], columns=columns)


def _same_graph(a: nx.Graph, b: nx.Graph) -> bool:
    if set(a.nodes) != set(b.nodes) or a.number_of_edges() != b.number_of_edges():
        return False
    return all(
        b.has_edge(u, v) and b.edges[u, v].get("distance_m") == d.get("distance_m")
        for u, v, d in a.edges(data=True)
    )


def edges_frame(instance: Instance) -> pd.DataFrame | None:
    """The proximity graph as an ``edges`` table, or None when ``link_max_m`` builds it."""
    rule = build_proximity_graph(
        instance.communities, instance.distance, instance.policy.link_max_m
    )
    if _same_graph(instance.graph, rule):
        return None
    rows = []
    for u, v, d in instance.graph.edges(data=True):
        given = d.get("distance_m")
        point = instance.distance_m(instance.community(u), instance.community(v))
        # The point distance is what an edge without distance_m gets on load: leave it out.
        rows.append({"source": u, "target": v, "distance_m": None if given == point else given})
    return _frame("edges", rows)


def to_frames(instance: Instance) -> dict[str, pd.DataFrame | None]:
    """The instance's tables as DataFrames (``edges`` None when the rule builds the graph).

    Parameters
    ----------
    instance
        Any instance.

    Returns
    -------
    dict
        ``communities``, ``firms``, ``resources``, ``edges``, ``locks``: the keyword arguments
        of :func:`sharedprop.io.frames.from_frames` for the tables.
    """

    def rows(items: tuple) -> list[dict[str, Any]]:
        return [{f.name: getattr(x, f.name) for f in fields(x)} for x in items]

    return {
        "communities": _frame("communities", rows(instance.communities)),
        "firms": _frame("firms", rows(instance.firms)),
        "resources": _frame("resources", rows(instance.resources), all_optional=True),
        "edges": edges_frame(instance),
        "locks": _frame("locks", rows(instance.locks)),
    }


def settings_of(instance: Instance) -> dict[str, dict[str, Any]]:
    """The keys of ``instance.toml`` by section (``instance``, ``policy``, ``objective``);
    a limit of None ("no limit") is given as None."""

    def values(obj: Policy | ObjectiveWeights) -> dict[str, Any]:
        return {f.name: getattr(obj, f.name) for f in fields(obj)}

    return {
        "instance": {
            "name": instance.name,
            "description": instance.description,
            "distance": instance.distance,
            "coordinates": instance.coordinates,
        },
        "policy": values(instance.policy),
        "objective": values(instance.objective),
    }


__all__ = ["edges_frame", "settings_of", "to_frames"]
