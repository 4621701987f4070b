"""Columns (candidate packages) and the pool they live in.

A column is one complete package: an option (firm, hub), its members and the resources bundled
into it. Its objective is computed exactly (floats, in yuan) when it enters the pool, so that the
set-partitioning master carries the true, nonlinear subsidy ``max(0, ·)`` of every package.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sharedprop.models.core.problem import Problem


@dataclass(frozen=True, slots=True)
class Column:
    option: int
    members: tuple[int, ...]  # sorted community indices
    resources: tuple[int, ...]  # sorted resource indices
    objective: float  # w_pm · subsidy + w_tc · cost, yuan/yr
    cost: float
    subsidy: float
    weight: int  # households

    @property
    def key(self) -> tuple[int, tuple[int, ...], tuple[int, ...]]:
        return (self.option, self.members, self.resources)


def make_column(
    problem: Problem,
    option: int,
    members,
    resources=(),
) -> Column:
    mem = tuple(sorted(int(i) for i in members))
    res = tuple(sorted(int(r) for r in resources))
    obj, cost, sub = problem.column_value(option, mem, res)
    return Column(option, mem, res, obj, cost, sub, int(problem.weight[list(mem)].sum()))


def best_resources(
    problem: Problem, option: int, deficit: float, prices: np.ndarray | None = None
) -> tuple[int, ...]:
    """Resources to bundle into a package with this ``deficit`` (yuan), greedily.

    A resource is worth ``w_pm · min(income, remaining deficit)`` of subsidy; ``prices`` (the
    master's duals, ≥ 0 as used here) is what using it elsewhere is worth. Largest income first is
    optimal when prices are zero (it fills the deficit with the fewest, biggest resources) and a
    good heuristic otherwise; the exact pricing model does not rely on it.
    """
    opt = problem.options[option]
    if deficit <= 0 or len(opt.resources) == 0:
        return ()
    inc = problem.resource_income[opt.resources]
    order = np.argsort(-inc, kind="stable")
    chosen = []
    remaining = deficit
    for j in order:
        r = int(opt.resources[j])
        gain = problem.w_public_money * min(float(inc[j]), remaining)
        price = 0.0 if prices is None else float(prices[r])
        if gain > price + 1e-9 and remaining > 0:
            chosen.append(r)
            remaining -= float(inc[j])
    return tuple(sorted(chosen))


class ColumnPool:
    """Deduplicated columns with per-row incidence, in insertion order."""

    def __init__(self, problem: Problem, on_new: Callable[[Column], object] | None = None) -> None:
        self.problem = problem
        self.columns: list[Column] = []
        self._index: dict[tuple, int] = {}
        # Called once per column the pool had not seen, e.g. the LP master that mirrors it.
        self._on_new = on_new

    def __len__(self) -> int:
        return len(self.columns)

    def add(self, col: Column) -> int | None:
        """Add ``col``; return its index if new, None if it was already there."""
        if col.key in self._index:
            return None
        self._index[col.key] = len(self.columns)
        self.columns.append(col)
        if self._on_new is not None:
            self._on_new(col)
        return len(self.columns) - 1

    def offer(self, col: Column) -> bool:
        """Add ``col`` if new; say whether it was."""
        return self.add(col) is not None

    def index_of(self, col: Column) -> int | None:
        return self._index.get(col.key)


def plan_objective(problem: Problem, cols: list[Column]) -> float:
    """Exact objective in yuan of a set of columns plus the communities they leave uncovered."""
    covered = np.zeros(problem.n, dtype=bool)
    total = 0.0
    for c in cols:
        covered[list(c.members)] = True
        total += c.objective
    total += problem.w_public_money * float(problem.uncovered_cost[~covered].sum())
    return total
