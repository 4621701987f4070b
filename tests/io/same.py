"""Two instances are the same when every field and the proximity graph are equal."""

from __future__ import annotations

from sharedprop.data import Instance

FIELDS = (
    "name", "description", "distance", "coordinates",
    "communities", "firms", "resources", "locks", "policy", "objective",
)  # fmt: skip


def assert_same_instance(a: Instance, b: Instance) -> None:
    for name in FIELDS:
        assert getattr(a, name) == getattr(b, name), name
    assert sorted(a.graph.nodes) == sorted(b.graph.nodes)
    edges_a = {frozenset((u, v)): d for u, v, d in a.graph.edges(data=True)}
    edges_b = {frozenset((u, v)): d for u, v, d in b.graph.edges(data=True)}
    assert edges_a == edges_b
