"""Column generation at one node of the tree, until its LP is proven, its bound passes the
incumbent, or its time is up.

Each round solves the node's LP, prices heuristically at a smoothed point between a stability
centre and the LP duals (Wentges 1997), then at the duals themselves, and only when that finds
nothing runs an exact round. Every round at the LP duals raises the node's Lagrangian bound
(:mod:`sharedprop.models.colgen.tree.lagrangian`), so a node whose bound reaches the incumbent
is pruned before its LP converges. An exact round that cannot settle every option in time
leaves the node *unfinished*: its bound stays valid and the tree may branch on it all the same.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from sharedprop.models.colgen.master import LPFailure
from sharedprop.models.colgen.tree.lagrangian import NodeBound
from sharedprop.models.colgen.tree.node_master import NodeMaster
from sharedprop.models.colgen.tree.node_pricing import NodePricer, PricingRound
from sharedprop.models.colgen.tree.rules import NodeRules
from sharedprop.models.core.clock import Clock
from sharedprop.models.core.columns import Column
from sharedprop.models.core.duals import Duals

NodeStatus = Literal["pruned", "converged", "unfinished", "stopped"]
SMOOTHING = 0.5  # weight of the stability centre (as in the joint model's column generation)


@dataclass(frozen=True)
class NodeResult:
    """How a node ended: ``pruned`` (its bound reached the incumbent), ``converged`` (its LP
    is proven: ``bound`` is at least the LP value), ``unfinished`` (pricing could not settle
    every option in its share of time: the LP point is there to branch on) or ``stopped``
    (out of time before an LP point). ``values`` is the LP point over the master's columns."""

    status: NodeStatus
    bound: float
    lp_value: float | None
    values: np.ndarray | None
    rounds: int
    artificial: bool = False  # the LP point leaves a community that must be covered out


class NodeSolver:
    """Column generation at the nodes of one tree (module docstring).

    Parameters
    ----------
    master
        The LP over every column found so far.
    pricer
        The node pricing.
    bound
        The node bound.
    clock
        The tree's clock.
    offer
        Called with each new package; says whether it was new (the pool's ``offer``), and
        adds it to ``master`` when it was.
    stop
        Polled between rounds.
    """

    def __init__(
        self,
        master: NodeMaster,
        pricer: NodePricer,
        bound: NodeBound,
        clock: Clock,
        offer: Callable[[Column], bool],
        stop: Callable[[], bool],
    ) -> None:
        self.master = master
        self.pricer = pricer
        self.node_bound = bound
        self.clock = clock
        self.offer = offer
        self.stop = stop
        self.rounds = 0

    def solve(
        self,
        rules: NodeRules,
        bound: float,
        incumbent: Callable[[], float],
        deadline: float,
        max_new: int,
    ) -> NodeResult:
        """Column generation at the node with ``rules`` from the ``bound`` it inherits;
        ``incumbent()``: the best plan's objective now (+inf without one)."""
        self.master.set_rules(rules)
        centre: Duals | None = None
        rounds = 0
        z, x, artificial = None, None, False
        while True:
            if self.stop() or self.clock.now() >= deadline:
                status = "stopped" if x is None else "unfinished"
                return NodeResult(status, bound, z, x, rounds, artificial)  # type: ignore[arg-type]
            try:
                z, duals, x = self.master.solve()
            except LPFailure:
                return NodeResult("stopped", bound, None, None, rounds)
            artificial = self.master.artificial_in_use()
            rounds += 1
            self.rounds += 1
            new, bound, proven = self._price(rules, z, duals, centre, bound, deadline, max_new)
            centre = duals if centre is None else centre.mix(duals, SMOOTHING)
            if _reaches(bound, incumbent()):
                return NodeResult("pruned", bound, z, x, rounds, artificial)
            if not new:
                status = "converged" if proven else "unfinished"
                return NodeResult(status, bound, z, x, rounds, artificial)

    def proven_point(self, rules: NodeRules, bound: float) -> NodeResult:
        """The node's LP point when its LP is already proven (no package prices out): one LP
        solve, converged, its value a bound."""
        self.master.set_rules(rules)
        try:
            z, _, x = self.master.solve()
        except LPFailure:
            return NodeResult("stopped", bound, None, None, 0)
        artificial = self.master.artificial_in_use()
        return NodeResult("converged", max(bound, z), z, x, 1, artificial)

    def _price(
        self,
        rules: NodeRules,
        z: float,
        duals: Duals,
        centre: Duals | None,
        bound: float,
        deadline: float,
        max_new: int,
    ) -> tuple[bool, float, bool]:
        """Heuristic rounds at the smoothed point and at the duals, then, if neither added a
        package, an exact round: (whether packages were added, the node bound, whether the
        pricing proved that no package prices out)."""
        points = [duals] if centre is None else [centre.mix(duals, SMOOTHING), duals]
        for point in points:
            got = self.pricer.heuristic(point, rules, self.stop)
            if point is duals:
                bound = max(bound, self.node_bound.bound(z, got.bounds, rules))
            if self._add(got, max_new):
                return True, bound, False
            if point is duals and got.complete:
                return False, bound, True
        exact = self.pricer.exact(duals, rules, self.stop, deadline)
        bound = max(bound, self.node_bound.bound(z, exact.bounds, rules))
        if self._add(exact, max_new):
            return True, bound, False
        return False, bound, exact.complete

    def _add(self, found: PricingRound, max_new: int) -> int:
        """Offer the round's packages, best first, until ``max_new`` were new; how many."""
        added = 0
        for _, col in found.columns:
            if added >= max_new:
                break
            added += bool(self.offer(col))
        return added


def _reaches(bound: float, incumbent: float) -> bool:
    """The bound proves no plan of the node beats the incumbent."""
    return bool(np.isfinite(incumbent)) and bound >= incumbent - max(0.01, 1e-9 * abs(incumbent))
