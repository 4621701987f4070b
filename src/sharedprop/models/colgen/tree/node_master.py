"""The LP master of a node: the joint model's LP whose packages a node's rules may drop."""

from __future__ import annotations

from sharedprop.models.colgen.master import LPMaster
from sharedprop.models.colgen.tree.rules import NodeRules
from sharedprop.models.core.columns import Column
from sharedprop.models.core.problem import Problem


class NodeMaster(LPMaster):
    """:class:`LPMaster` over every column found so far, with the rules of one node at a time:
    a package the rules forbid has its upper bound set to 0 (not removed: the next node may
    allow it), the others none; the count and "used" rows carry the node's limits.

    Parameters
    ----------
    problem
        The array-level problem.
    """

    def __init__(self, problem: Problem) -> None:
        self.rules = NodeRules()
        super().__init__(problem)

    def set_rules(self, rules: NodeRules) -> None:
        """Make the LP the one of the node with ``rules``."""
        self.rules = rules
        fixed = {o: 1 for o in rules.used} | {o: 0 for o in rules.unused}
        self.set_branch(rules.total, rules.firm_limits(), fixed, frozenset(), rules.must_cover())
        inf = self.solver.infinity()
        for x, col in zip(self.x, self.cols, strict=True):
            if not self._off(col):
                x.SetUb(inf)

    def add(self, col: Column) -> None:
        """The column, without the bound x ≤ 1 of the joint model's LP: the cover rows imply
        it, and without it no package of negative reduced cost sits in an optimal LP (at its
        bound), so a package that prices out is always a new one and z_LP is the dual
        objective the node bound needs."""
        super().add(col)
        if not self._off(col):
            self.x[-1].SetUb(self.solver.infinity())

    def _off(self, col: Column) -> bool:
        return not self.rules.allows(col)
