"""What a node of the branch-and-price tree requires of one option's packages.

A branch never adds a row the pricing cannot carry: it keeps communities out of an option,
keeps pairs apart or together, and ties resources to communities or keeps them apart
(``docs/formulation.md``, "Branch and price"). Each pricing method reads these rules: the
compiled search as bit masks (:mod:`sharedprop.models.colgen.connected_pricing`), the CP-SAT
model as constraints (:mod:`sharedprop.models.colgen.pricing`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OptionRules:
    """Rules on one option's packages, in community and resource indices.

    ``excluded``: communities no package may hold; ``apart``: pairs no package may hold both
    of; ``together``: pairs a package holds both or neither of; ``with_resource``:
    (community, resource) pairs a package holds and bundles both or neither of;
    ``without_resource``: (community, resource) pairs no package holds and bundles together;
    ``no_resources``: resources no package may bundle.
    """

    excluded: frozenset[int] = frozenset()
    apart: tuple[tuple[int, int], ...] = ()
    together: tuple[tuple[int, int], ...] = ()
    with_resource: tuple[tuple[int, int], ...] = ()
    without_resource: tuple[tuple[int, int], ...] = ()
    no_resources: frozenset[int] = frozenset()

    def __bool__(self) -> bool:
        return bool(
            self.excluded
            or self.apart
            or self.together
            or self.with_resource
            or self.without_resource
            or self.no_resources
        )

    def obeyed_by(self, members: tuple[int, ...] | set[int], resources: tuple[int, ...]) -> bool:
        """Whether a package of these members and resources keeps every rule."""
        mem, res = set(members), set(resources)
        if not self.excluded.isdisjoint(mem) or not self.no_resources.isdisjoint(res):
            return False
        if any(i in mem and j in mem for i, j in self.apart):
            return False
        if any((i in mem) != (j in mem) for i, j in self.together):
            return False
        if any((i in mem) != (r in res) for i, r in self.with_resource):
            return False
        return not any(i in mem and r in res for i, r in self.without_resource)


NO_RULES = OptionRules()
