"""Branch and price over connected packages: the tree that closes the joint model's gap.

Best-first over node bounds. Each node runs column generation with the exact
contiguity-respecting pricing under the node's rules
(:mod:`sharedprop.models.colgen.tree.node_solver`); a node whose Lagrangian bound reaches the
incumbent is pruned, a node whose LP point is a plan gives a plan, any other branches on the
first fractional kind of decision (:mod:`sharedprop.models.colgen.tree.branching`). The global
bound is the least bound over the open nodes (and the incumbent once none is open): every plan
lies below exactly one open node, so it never exceeds the optimum, and it is reported each
time it rises. Between nodes the caller's plan search (integer master and local search over
the pool the tree keeps filling) runs now and then, so the incumbent the tree prunes against
keeps improving (``docs/formulation.md``, "Branch and price").
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from sharedprop.models.colgen.reduced_cost import PricingCache
from sharedprop.models.colgen.tree.branching import Branch, choose_branch
from sharedprop.models.colgen.tree.lagrangian import NodeBound
from sharedprop.models.colgen.tree.node_master import NodeMaster
from sharedprop.models.colgen.tree.node_pricing import NodePricer, PricingSettings
from sharedprop.models.colgen.tree.node_solver import NodeResult, NodeSolver
from sharedprop.models.colgen.tree.rules import NodeRules
from sharedprop.models.core.clock import Clock
from sharedprop.models.core.columns import Column, ColumnPool
from sharedprop.models.core.problem import Problem


class PlanHooks(Protocol):
    """What the tree needs from the search that hosts it."""

    def incumbent(self) -> float:
        """The best plan's objective (+inf without one)."""

    def offer_plan(self, columns: list[Column], source: str) -> bool:
        """A plan the tree found (an LP point that is whole); whether it keeps every rule."""

    def search_plans(self, seconds: float) -> None:
        """Look for better plans over the pool for about ``seconds``."""

    def bound_raised(self, bound: float, message: str) -> None:
        """The tree's global bound rose to ``bound``."""


@dataclass(frozen=True)
class TreeSettings:
    """``pricing``: the node pricing's settings; ``max_new``: packages a round adds at most
    (None: max(30, communities)); ``plans_every`` / ``plans_every_s``: a plan search after
    this many nodes or seconds, whichever comes first; ``plan_seconds``: each plan search's
    share; ``root_cuts``: separate subset-row and firm capacity cuts at the root while a round
    of them lifts its LP by ``cut_tail`` of the gap left (off by default: the pricing under
    the extra cuts stalled the root, docs/decisions.md 2026-12-07); ``time_share``: the share
    of the time left the host gives the tree."""

    pricing: PricingSettings = field(default_factory=PricingSettings)
    max_new: int | None = None
    plans_every: int = 10
    plans_every_s: float = 8.0
    plan_seconds: float = 2.0
    root_cuts: bool = False
    cut_tail: float = 0.01
    time_share: float = 0.6

    def __post_init__(self) -> None:
        if self.max_new is not None and self.max_new < 1:
            raise ValueError(f"TreeSettings.max_new must be None or ≥ 1, not {self.max_new!r}")
        if self.plans_every < 1:
            raise ValueError(f"TreeSettings.plans_every must be ≥ 1, not {self.plans_every!r}")
        if not self.plan_seconds >= 0:
            raise ValueError(f"TreeSettings.plan_seconds must be ≥ 0, not {self.plan_seconds!r}")
        if not self.plans_every_s > 0:
            raise ValueError(f"TreeSettings.plans_every_s must be > 0, not {self.plans_every_s!r}")
        if not 0 < self.time_share <= 1:
            raise ValueError(f"TreeSettings.time_share must be in (0, 1], not {self.time_share!r}")


@dataclass
class TreeStatistics:
    """What the tree counts; ``as_dict`` goes into the joint result's statistics."""

    nodes: int = 0
    pruned: int = 0
    converged: int = 0
    unfinished: int = 0
    plans: int = 0  # nodes whose LP point was a plan
    held: int = 0  # nodes kept open that the tree cannot split further (their bound counts)
    open: int = 0
    depth: int = 0
    root_converged_s: float | None = None
    root_lp: float | None = None
    root_cuts: int = 0
    branches: dict[str, int] = field(default_factory=dict)
    cpsat_calls: int = 0
    search_nodes: int = 0
    bound: float | None = None
    finished: bool = False  # every node closed: the bound is the optimum

    def as_dict(self) -> dict:
        out = {
            "tree_nodes": self.nodes,
            "tree_pruned": self.pruned,
            "tree_open": self.open,
            "tree_held": self.held,
            "tree_depth": self.depth,
            "tree_unfinished": self.unfinished,
            "tree_root_converged_s": self.root_converged_s,
            "tree_root_lp": self.root_lp,
            "tree_root_cuts": self.root_cuts,
            "tree_cpsat_calls": self.cpsat_calls,
            "tree_search_nodes": self.search_nodes,
            "tree_bound": self.bound,
            "tree_finished": self.finished,
        }
        out |= {f"tree_branches_{k}": v for k, v in sorted(self.branches.items())}
        return out


@dataclass(order=True)
class _Open:
    bound: float
    neg_depth: int
    seq: int
    rules: NodeRules = field(compare=False)
    tries: int = field(default=0, compare=False)


class BranchAndPrice:
    """The tree of the module docstring over one problem and one column pool.

    Parameters
    ----------
    problem
        The array-level problem.
    pool
        The host's column pool: every package the tree prices joins it, and the tree's LP
        takes every package the host adds.
    hooks
        The host's plans and reports (:class:`PlanHooks`).
    clock
        The host's clock.
    settings
        :class:`TreeSettings`.
    cache
        The options' cached arrays (the host's, to share them).
    cuts
        Subset-row cuts the host's LP already holds (valid for every plan, so for every node).
    stop
        Polled often.
    """

    def __init__(
        self,
        problem: Problem,
        pool: ColumnPool,
        hooks: PlanHooks,
        clock: Clock,
        settings: TreeSettings | None = None,
        *,
        cache: PricingCache | None = None,
        cuts: tuple[tuple[int, int, int], ...] = (),
        stop: Callable[[], bool] = lambda: False,
    ) -> None:
        self.problem = problem
        self.pool = pool
        self.hooks = hooks
        self.clock = clock
        self.settings = settings or TreeSettings()
        self.stop = stop
        self.master = NodeMaster(problem)
        for t in cuts:
            self.master.add_cut(t)
        self.seen = 0  # pool columns the master has
        self._sync()
        self.pricer = NodePricer(
            problem, cache or PricingCache(problem), self.settings.pricing, clock
        )
        self.solver = NodeSolver(
            self.master, self.pricer, NodeBound(problem), clock, self._offer, stop
        )
        self.max_new = self.settings.max_new or max(30, problem.n)
        self.stats = TreeStatistics()
        self.queue: list[_Open] = []
        # Nodes whose LP point is whole but not a plan the host took (it leaves a community
        # that must be covered out): closed to the search, their bound still counts.
        self.held: list[float] = []
        self.seq = itertools.count()
        self.reported = -np.inf
        self.root_proven = False

    # -- the pool ---------------------------------------------------------------------------

    def _sync(self) -> None:
        """Columns the host added to the pool since the last look join the tree's LP."""
        cols = self.pool.columns
        for col in cols[self.seen :]:
            self.master.add(col)
        self.seen = len(cols)

    def _offer(self, col: Column) -> bool:
        new = self.pool.offer(col)
        self._sync()
        return new

    # -- the tree ---------------------------------------------------------------------------

    def run(
        self, deadline: float, start_bound: float = -np.inf, root_proven: bool = False
    ) -> TreeStatistics:
        """Search until ``deadline`` on the clock, every node closed or ``stop``; the
        statistics say how far it got (``bound``: the global bound, ``finished``: proven).
        ``root_proven``: the host's pricing has proven the LP over the pool and the cuts it
        handed over, so the root takes its LP point without pricing again (first call only)."""
        self.root_proven = root_proven and not self.stats.nodes
        if not self.queue and not self.stats.nodes:
            self._push(NodeRules(), start_bound)
        since_plans, last_plans = 0, self.clock.now()
        while self.queue and not self.stop() and self.clock.now() < deadline:
            node = heapq.heappop(self.queue)
            if _reaches(node.bound, self.hooks.incumbent()):
                self.stats.pruned += 1
                continue
            self._process(node, deadline)
            self._report()
            since_plans += 1
            due = (
                since_plans >= self.settings.plans_every
                or self.clock.now() - last_plans >= self.settings.plans_every_s
            )
            if due and self.clock.now() < deadline:
                self._search_plans(deadline)
                since_plans, last_plans = 0, self.clock.now()
        self.held = [b for b in self.held if not _reaches(b, self.hooks.incumbent())]
        self.stats.open = len(self.queue) + len(self.held)
        self.stats.held = len(self.held)
        self.stats.finished = not self.queue and not self.held
        self.stats.cpsat_calls = self.pricer.cpsat_calls
        self.stats.search_nodes = self.pricer.search.nodes
        self._report()
        return self.stats

    def global_bound(self) -> float:
        """The least bound over the open and held nodes (the incumbent's value when none is
        left)."""
        bounds = [n.bound for n in self.queue] + self.held
        return min([self.hooks.incumbent(), *bounds])

    def _push(self, rules: NodeRules, bound: float, tries: int = 0) -> None:
        heapq.heappush(self.queue, _Open(bound, -rules.depth, next(self.seq), rules, tries))

    def _process(self, node: _Open, deadline: float) -> None:
        self._sync()
        rules = node.rules
        root = self.stats.nodes == 0
        self.stats.nodes += 1
        self.stats.depth = max(self.stats.depth, rules.depth)
        if root and self.root_proven:
            res = self.solver.proven_point(rules, node.bound)
        else:
            res = self.solver.solve(rules, node.bound, self.hooks.incumbent, deadline, self.max_new)
        if root and res.status == "converged":
            res = self._cut_root(res, deadline)
        if res.status == "pruned":
            self.stats.pruned += 1
            return
        if res.status == "stopped" or res.values is None:
            self._push(rules, res.bound, node.tries)
            return
        if res.status == "converged":
            self.stats.converged += 1
        else:
            self.stats.unfinished += 1
        branch = choose_branch(self.problem, rules, self.master.cols, res.values)
        if branch is None:
            self._whole_point(node, res)
            return
        self.stats.branches[branch.kind] = self.stats.branches.get(branch.kind, 0) + 1
        self._branch(branch, res.bound)

    def _whole_point(self, node: _Open, res: NodeResult) -> None:
        """The LP point is whole: offer it as a plan. A converged node whose plan the host
        took is closed (no plan of the node is cheaper than its LP); an unfinished one goes
        back to the queue to finish its pricing; a converged one whose point is no plan (an
        artificial slack in use) is held: its LP value stays a bound the tree counts."""
        assert res.values is not None
        cols = [self.master.cols[j] for j in np.flatnonzero(res.values > 0.5)]
        taken = False
        if not res.artificial:
            self.stats.plans += 1
            taken = self.hooks.offer_plan(cols, "branch and price: a node's LP is a plan")
        if res.status != "converged":
            self._push(node.rules, res.bound, node.tries + 1)
        elif not taken:
            bound = max(res.bound, res.lp_value if res.lp_value is not None else -np.inf)
            self.held.append(bound)

    def _branch(self, branch: Branch, bound: float) -> None:
        for child in branch.children:
            self._push(child, bound)

    def _cut_root(self, res: NodeResult, deadline: float) -> NodeResult:
        """Firm capacity and subset-row cuts at the root while they lift its LP enough; the
        root's statistics."""
        self.stats.root_converged_s = round(self.clock.now(), 2)
        self.stats.root_lp = res.lp_value
        while (
            self.settings.root_cuts
            and res.status == "converged"
            and res.values is not None
            and self.clock.now() < deadline
        ):
            added = self.master.separate_weight_cuts(res.values)
            added += self.master.separate_subset_rows(res.values)
            if not added:
                break
            self.stats.root_cuts += added
            before = res.lp_value
            res = self.solver.solve(
                NodeRules(), res.bound, self.hooks.incumbent, deadline, self.max_new
            )
            if res.status == "converged":
                self.stats.root_lp = res.lp_value
                self.stats.root_converged_s = round(self.clock.now(), 2)
            inc = self.hooks.incumbent()
            gap = (inc - before) if np.isfinite(inc) and before is not None else np.inf
            if (
                res.lp_value is None
                or before is None
                or res.lp_value - before < (self.settings.cut_tail * gap)
            ):
                break
        return res

    def _search_plans(self, deadline: float) -> None:
        seconds = min(self.settings.plan_seconds, deadline - self.clock.now())
        if seconds > 0.1:
            self.hooks.search_plans(seconds)

    def _report(self) -> None:
        bound = self.global_bound()
        self.stats.bound = None if not np.isfinite(bound) else float(bound)
        if bound > self.reported + 1e-9 and np.isfinite(bound):
            self.reported = bound
            self.hooks.bound_raised(bound, f"branch and price: {self.stats.nodes} nodes")


def _reaches(bound: float, incumbent: float) -> bool:
    return bool(np.isfinite(incumbent)) and bound >= incumbent - max(0.01, 1e-9 * abs(incumbent))
