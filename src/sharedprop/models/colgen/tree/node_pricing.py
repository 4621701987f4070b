"""Pricing at a node of the tree: every option's packages under the node's rules.

Two kinds of round. A *heuristic* round runs the compiled search of
:mod:`sharedprop.models.colgen.connected_pricing` on each option with a small node limit and
keeps the best packages it meets. An *exact* round runs it with a large limit, stopping an
option once it has found packages that price out, and asks the CP-SAT model (with the node's
rules) about the options the search could neither settle nor improve. Either kind returns each
option's proven lower bound (the search's, the CP-SAT bound, or the vectorised knapsack bound
of an option it never reached), which is all the node's Lagrangian bound needs; a round is
*complete* when it proved every option's least reduced cost or that none prices out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial

import numpy as np

from sharedprop.models.colgen.connected_pricing import (
    SECONDS_PER_NODE,
    ConnectedPricer,
)
from sharedprop.models.colgen.option_bounds import FlatOptions
from sharedprop.models.colgen.package_rules import OptionRules
from sharedprop.models.colgen.pricing import exact_price
from sharedprop.models.colgen.reduced_cost import EPS, PricingCache
from sharedprop.models.colgen.tree.rules import NodeRules
from sharedprop.models.core.clock import Clock
from sharedprop.models.core.columns import Column
from sharedprop.models.core.duals import Duals
from sharedprop.models.core.problem import Problem


@dataclass(frozen=True)
class PricingSettings:
    """``heuristic_nodes`` / ``exact_nodes``: the search's node limit per option in each kind
    of round; ``keep``: packages kept per option; ``cpsat_seconds``: at most this long per
    CP-SAT call; ``workers``: options priced at once (threads: the search and CP-SAT release
    the GIL); ``enough``: columns that end a round early (partial pricing)."""

    heuristic_nodes: int = 3_000
    exact_nodes: int = 100_000
    keep: int = 3
    cpsat_seconds: float = 5.0
    workers: int = 2
    enough: int = 30

    def __post_init__(self) -> None:
        for name in ("heuristic_nodes", "exact_nodes", "keep", "workers", "enough"):
            value = getattr(self, name)
            if not (isinstance(value, int) and value >= 1):
                raise ValueError(f"PricingSettings.{name} must be an integer ≥ 1, not {value!r}")
        if not self.cpsat_seconds > 0:
            raise ValueError(
                f"PricingSettings.cpsat_seconds must be > 0, not {self.cpsat_seconds!r}"
            )


@dataclass(frozen=True)
class PricingRound:
    """What a round found: packages of negative reduced cost (best first), each option's
    proven lower bound (+inf for an option the node does not use) and whether the round
    settled every option."""

    columns: list[tuple[float, Column]]
    bounds: np.ndarray
    complete: bool


@dataclass
class _OptionResult:
    columns: list[tuple[float, Column]]
    bound: float
    complete: bool


class NodePricer:
    """The two kinds of pricing round of the module docstring.

    Parameters
    ----------
    problem
        The array-level problem.
    cache
        The options' cached arrays.
    settings
        :class:`PricingSettings`.
    clock
        Charged for the search's nodes (CP-SAT charges itself).
    """

    def __init__(
        self,
        problem: Problem,
        cache: PricingCache,
        settings: PricingSettings,
        clock: Clock,
    ) -> None:
        self.problem = problem
        self.cache = cache
        self.settings = settings
        self.clock = clock
        self.search = ConnectedPricer(problem, cache)
        self.flat = FlatOptions(problem)
        self.cpsat_calls = 0

    def heuristic(self, duals: Duals, rules: NodeRules, stop: Callable[[], bool]) -> PricingRound:
        """A round with the search's small node limit."""
        return self._round(duals, rules, stop, exact=False, deadline=np.inf)

    def exact(
        self, duals: Duals, rules: NodeRules, stop: Callable[[], bool], deadline: float
    ) -> PricingRound:
        """A round that settles every option if time allows (CP-SAT after the search)."""
        return self._round(duals, rules, stop, exact=True, deadline=deadline)

    def _round(
        self,
        duals: Duals,
        rules: NodeRules,
        stop: Callable[[], bool],
        *,
        exact: bool,
        deadline: float,
    ) -> PricingRound:
        bounds = self.flat.bounds(duals)
        self.clock.charge(0.002 + 1e-6 * len(self.flat.cand))
        for o in rules.unused:
            bounds[o] = np.inf
        todo = [int(o) for o in np.argsort(bounds, kind="stable") if bounds[o] < -EPS]
        found: list[tuple[float, Column]] = []
        complete = True
        step = 4 * self.settings.workers
        with _mapper(self.settings.workers) as mapped:
            for start in range(0, len(todo), step):
                if stop() or self.clock.now() >= deadline or len(found) >= self.settings.enough:
                    complete = False
                    break
                chunk = todo[start : start + step]
                price = partial(self._price, duals, rules, exact=exact, deadline=deadline)
                for o, res in zip(chunk, mapped(price, chunk), strict=True):
                    bounds[o] = max(bounds[o], res.bound)
                    complete &= res.complete
                    found.extend(res.columns)
        found.sort(key=lambda t: t[0])
        return PricingRound(found, bounds, complete)

    def _price(
        self, duals: Duals, rules: NodeRules, o: int, *, exact: bool, deadline: float
    ) -> _OptionResult:
        s = self.settings
        opt_rules = rules.for_option(o)
        if not self.search.covers(o):
            return self._cpsat(duals, o, opt_rules, deadline, None)
        got = self.search.price(
            duals,
            o,
            rules=opt_rules,
            threshold=0.0,
            keep=s.keep,
            node_limit=s.exact_nodes if exact else s.heuristic_nodes,
            first=exact,
        )
        self.clock.charge(SECONDS_PER_NODE * got.nodes)
        cols = [(rc, c) for rc, c in got.columns if rc < -EPS]
        if got.complete or cols or not exact:
            return _OptionResult(cols, got.lower_bound, got.complete)
        return self._cpsat(duals, o, opt_rules, deadline, got.lower_bound)

    def _cpsat(
        self,
        duals: Duals,
        o: int,
        opt_rules: OptionRules,
        deadline: float,
        floor: float | None,
    ) -> _OptionResult:
        """CP-SAT asked for a package of negative reduced cost under the rules (a proof that
        there is none when it finds it infeasible)."""
        left = deadline - self.clock.now()
        if left <= 0.05:
            return _OptionResult([], -np.inf if floor is None else floor, False)
        self.cpsat_calls += 1
        ep = exact_price(
            self.problem,
            duals,
            o,
            self.cache,
            time_limit=min(self.settings.cpsat_seconds, left),
            clock=self.clock,
            search_nodes=0,
            negative_only=True,
            rules=opt_rules,
        )
        bound = ep.lower_bound if floor is None else max(floor, ep.lower_bound)
        cols = []
        if ep.column is not None and ep.reduced_cost is not None and ep.reduced_cost < -EPS:
            cols.append((ep.reduced_cost, ep.column))
        return _OptionResult(cols, bound, ep.proven)


@contextmanager
def _mapper(workers: int) -> Iterator[Callable]:
    """``map`` over ``workers`` threads (in this thread for one)."""
    if workers == 1:
        yield lambda fn, items: [fn(o) for o in items]
        return
    with ThreadPoolExecutor(max_workers=workers) as pool:
        yield lambda fn, items: list(pool.map(fn, items))
