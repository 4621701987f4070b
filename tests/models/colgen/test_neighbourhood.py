"""Packages one move from a plan (the joint model's local search).

Fixture: ``pilot`` (tests/models/conftest.py), the shipped xiamen-pilot instance with its
manual plan mapped onto the solver's options: three packages, so every kind of move (another
firm or hub, a member added or dropped, two packages merged) has material.
"""

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from sharedprop.models.colgen import neighbourhood
from sharedprop.models.colgen.joint import is_valid_column
from sharedprop.models.colgen.neighbourhood import NeighbourhoodBuilder
from sharedprop.models.core.columns import make_column
from sharedprop.models.core.problem import is_connected


def test_every_package_one_move_away_obeys_the_package_rules_and_is_costed_exactly(
    pilot,
) -> None:
    _, p, _, cols = pilot
    moved = NeighbourhoodBuilder(p).around(cols)
    assert len(moved) > 50  # the manual plan's packages have many neighbours
    for c in moved:
        assert is_valid_column(p, c)
        assert c == make_column(p, c.option, c.members, c.resources)


def test_a_remembered_package_is_the_one_a_fresh_builder_makes(pilot) -> None:
    """The builder remembers each package it built; asking again must give the same packages in
    the same order as a builder that never saw them (the local search depends on the order)."""
    _, p, _, cols = pilot
    warm = NeighbourhoodBuilder(p)
    first = warm.around(cols)
    remembered = len(warm._made)
    again = warm.around(cols)
    fresh = NeighbourhoodBuilder(p).around(cols)
    assert again == first == fresh
    # The second call built nothing new: every (option, members) asked was remembered.
    assert len(warm._made) == remembered > 0
    # And what is remembered under (option, members) is what building that package gives.
    for (option, members), made in warm._made.items():
        assert made == warm._build(option, set(members))
        assert all(c.option == option and set(c.members) == members for c in made)


def test_a_full_memory_is_forgotten_rather_than_grown(pilot, monkeypatch) -> None:
    _, p, _, cols = pilot
    monkeypatch.setattr(neighbourhood, "MAX_REMEMBERED", 10)
    small = NeighbourhoodBuilder(p)
    moved = small.around(cols)
    assert 0 < len(small._made) <= 10
    monkeypatch.undo()
    assert moved == NeighbourhoodBuilder(p).around(cols)  # forgetting loses no package


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_is_connected_agrees_with_networkx_on_the_proximity_graph(pilot, data) -> None:
    """The neighbourhood (and every column check) relies on ``is_connected``; networkx is the
    independent judge of whether the members induce a connected subgraph."""
    _, p, _, _ = pilot
    graph = nx.Graph((a, int(b)) for a, nbrs in enumerate(p.adjacency) for b in nbrs)
    graph.add_nodes_from(range(p.n))
    members = data.draw(st.sets(st.integers(0, p.n - 1), max_size=8))
    expected = len(members) <= 1 or nx.is_connected(graph.subgraph(members))
    assert is_connected(p.adjacency, members) == expected
