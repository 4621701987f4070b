"""Small instances whose frontier and what-if answers are worked out by hand.

``two_communities`` (tests/models/test_brute_force.py): two communities of 100 households 300 m
apart and one firm. Both uncovered cost 16,000 yuan; one package of both 18,000; one package of
one and the other uncovered 22,000. A parking income of 30,000 beside them makes the package of
both pay for itself.
"""

from __future__ import annotations

from dataclasses import replace

from sharedprop import Instance, Resource
from tests.models.test_brute_force import two_communities

PARKING = Resource("R1", "停车场", "parking", 0.0, 0.0, 30_000.0, 5_000.0)


def with_candidate_parking() -> Instance:
    """The two communities with the parking income as a candidate (``available = false``)."""
    return two_communities(resources=(replace(PARKING, available=False),))


def with_parking() -> Instance:
    return two_communities(resources=(PARKING,))
