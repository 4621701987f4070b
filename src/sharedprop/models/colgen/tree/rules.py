"""The rules a node of the branch-and-price tree sets: the branching decisions on its path.

Each decision splits the plans in two without losing one (``docs/formulation.md``, "Branch
and price"):

- counts: L ≤ Σx ≤ U over all packages or one firm's (rows of the LP);
- an option (firm, hub) used or not (a row "≥ 1", or its packages dropped);
- a community covered or not (its uncovered slack dear, or every package holding it dropped);
- two communities together or apart (Ryan & Foster 1981);
- a community served by an option or not (every other option, or that one, loses it);
- a community and a resource together or apart.

Only the counts and "used" need rows; the others drop packages from the LP and are carried into
pricing as :class:`sharedprop.models.colgen.package_rules.OptionRules`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from sharedprop.models.colgen.package_rules import OptionRules
from sharedprop.models.core.columns import Column
from sharedprop.models.core.problem import Problem

Pair = tuple[int, int]


def pair(i: int, j: int) -> Pair:
    """A pair of communities in one order."""
    return (i, j) if i < j else (j, i)


@dataclass(frozen=True)
class NodeRules:
    """The decisions on a node's path (the root has none).

    ``total`` and ``firm`` are count limits (lower, upper), ``firm`` as (firm, lower, upper)
    triples; ``used``/``unused`` options; ``covered``/``uncovered`` communities;
    ``together``/``apart`` pairs of communities; ``served``/``not_served`` (community, option)
    pairs; ``with_resource``/``without_resource`` (community, resource) pairs.
    """

    total: tuple[int, int] | None = None
    firm: tuple[tuple[int, int, int], ...] = ()
    used: frozenset[int] = frozenset()
    unused: frozenset[int] = frozenset()
    covered: frozenset[int] = frozenset()
    uncovered: frozenset[int] = frozenset()
    together: frozenset[Pair] = frozenset()
    apart: frozenset[Pair] = frozenset()
    served: frozenset[Pair] = frozenset()
    not_served: frozenset[Pair] = frozenset()
    with_resource: frozenset[Pair] = frozenset()
    without_resource: frozenset[Pair] = frozenset()
    depth: int = 0
    _per_option: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    def child(self, **add: object) -> NodeRules:
        """These rules plus one decision: set fields are joined, limits replaced."""
        changes: dict[str, object] = {"depth": self.depth + 1}
        for name, value in add.items():
            old = getattr(self, name)
            if isinstance(old, frozenset):
                changes[name] = old | frozenset(value)  # type: ignore[arg-type]
            elif name == "firm":
                f = value[0]  # type: ignore[index]
                changes[name] = tuple(t for t in self.firm if t[0] != f) + (value,)
            else:
                changes[name] = value
        return replace(self, _per_option={}, **changes)

    def firm_limits(self) -> dict[int, tuple[int, int]]:
        return {f: (lo, hi) for f, lo, hi in self.firm}

    def must_cover(self) -> frozenset[int]:
        """Communities this node covers: decided so, or served by a given option."""
        return self.covered | frozenset(i for i, _ in self.served)

    def for_option(self, o: int) -> OptionRules:
        """The rules on option ``o``'s packages (cached per node)."""
        got = self._per_option.get(o)
        if got is None:
            excluded = set(self.uncovered)
            excluded.update(i for i, q in self.not_served if q == o)
            excluded.update(i for i, q in self.served if q != o)
            got = OptionRules(
                excluded=frozenset(excluded),
                apart=tuple(sorted(self.apart)),
                together=tuple(sorted(self.together)),
                with_resource=tuple(sorted(self.with_resource)),
                without_resource=tuple(sorted(self.without_resource)),
            )
            self._per_option[o] = got
        return got

    def allows(self, col: Column) -> bool:
        """Whether the package may be in a plan of this node (the count and "used" rows
        aside, which the LP carries)."""
        if col.option in self.unused:
            return False
        return self.for_option(col.option).obeyed_by(col.members, col.resources)

    def allows_plan(self, problem: Problem, cols: list[Column]) -> bool:
        """Whether a whole plan keeps every decision of this node, rows included."""
        if not all(self.allows(c) for c in cols):
            return False
        covered = {i for c in cols for i in c.members}
        if not self.must_cover() <= covered:
            return False
        if not {c.option for c in cols} >= self.used:
            return False
        if self.total is not None and not self.total[0] <= len(cols) <= self.total[1]:
            return False
        for f, lo, hi in self.firm:
            n_f = sum(1 for c in cols if problem.options[c.option].firm == f)
            if not lo <= n_f <= hi:
                return False
        return True
