"""What each neighbourhood solved at the same time may use, so that their plans always fit
together: the plan's use of every firm and resource, and what the tasks in flight hold.

A neighbourhood (one street, a pair, a region) is solved with the firm capacity, packages and
resources its own packages in the plan use, plus a share of what nothing uses or holds: of
each firm's free capacity and packages, ⌈free / slots⌉ where ``slots`` counts the workers not
busy (the first of two concurrent tasks gets half, the second the rest); of the free resources
its options can reach, every ``slots``-th; of the households the plan covers beyond the
coverage floor (its slack), ⌊free slack / slots⌋, so the neighbourhood must cover at least what
its packages cover now less that share. Whatever a task's solve returns then fits beside
every other task's, as long as the plan outside the neighbourhoods stays as it was; a result
is still checked against every rule before it replaces anything.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sharedprop.models.core.columns import Column
from sharedprop.models.core.problem import Problem


@dataclass(frozen=True)
class Hold:
    """What one task in flight holds beyond its own packages' use."""

    capacity: np.ndarray
    count: np.ndarray
    resources: np.ndarray  # mask
    slack: int = 0  # households of the coverage floor's slack


@dataclass(frozen=True)
class Allowance:
    """A neighbourhood's limits: firm capacity and packages, resources it may use, and the
    households its packages must cover (its part of the coverage floor)."""

    capacity: np.ndarray
    count: np.ndarray
    free_resources: np.ndarray  # mask
    hold: Hold
    min_covered: int = 0


class Ledger:
    """The plan's use of firms and resources and the holds of the tasks in flight."""

    def __init__(self, problem: Problem) -> None:
        p = problem
        self.problem = p
        self.firm_of = np.fromiter(
            (o.firm for o in p.options), dtype=np.int64, count=len(p.options)
        )
        self.used_capacity = np.zeros(p.m, dtype=np.int64)
        self.used_count = np.zeros(p.m, dtype=np.int64)
        self.used_resources = np.zeros(p.k, dtype=bool)
        self.held_capacity = np.zeros(p.m, dtype=np.int64)
        self.held_count = np.zeros(p.m, dtype=np.int64)
        self.held_resources = np.zeros(p.k, dtype=np.int64)
        self.covered = 0  # households the plan's packages hold
        self.held_slack = 0

    def use(self, plan: list[Column]) -> None:
        """The plan in force now."""
        self.used_capacity, self.used_count, self.used_resources = self._usage(plan)
        self.covered = sum(c.weight for c in plan)

    def _usage(self, cols: list[Column]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        p = self.problem
        firms = np.array([self.firm_of[c.option] for c in cols], dtype=np.int64)
        weights = np.array([c.weight for c in cols], dtype=np.int64)
        capacity = np.bincount(firms, weights=weights, minlength=p.m).astype(np.int64)
        count = np.bincount(firms, minlength=p.m).astype(np.int64)
        resources = np.zeros(p.k, dtype=bool)
        for c in cols:
            resources[list(c.resources)] = True
        return capacity, count, resources

    def allowance(self, inside: list[Column], reach: np.ndarray, slots: int) -> Allowance:
        """The limits of a neighbourhood whose packages in the plan are ``inside`` and whose
        options can reach the resources ``reach`` (indices), with ``slots`` workers free
        (this task's included); its hold is taken at once (:meth:`release` gives it back)."""
        p = self.problem
        slots = max(1, int(slots))
        own_capacity, own_count, own_resources = self._usage(inside)
        free_capacity = np.maximum(
            0, p.firm_capacity - self.used_capacity - self.held_capacity
        ).astype(np.int64)
        free_count = np.maximum(0, p.firm_max_packages - self.used_count - self.held_count).astype(
            np.int64
        )
        hold_capacity = -(-free_capacity // slots)
        hold_count = -(-free_count // slots)
        open_resources = np.zeros(p.k, dtype=bool)
        reach = np.asarray(reach, dtype=np.int64)
        free_here = reach[~self.used_resources[reach] & (self.held_resources[reach] == 0)]
        open_resources[free_here[::slots]] = True
        own_covered = sum(c.weight for c in inside)
        slack = 0
        if p.min_covered_weight > 0:
            slack = max(0, self.covered - p.min_covered_weight - self.held_slack) // slots
        hold = Hold(hold_capacity, hold_count, open_resources, slack)
        self.held_capacity += hold_capacity
        self.held_count += hold_count
        self.held_resources += open_resources
        self.held_slack += slack
        return Allowance(
            capacity=own_capacity + hold_capacity,
            count=own_count + hold_count,
            free_resources=own_resources | open_resources,
            hold=hold,
            min_covered=max(0, own_covered - slack) if p.min_covered_weight > 0 else 0,
        )

    def release(self, hold: Hold) -> None:
        self.held_capacity -= hold.capacity
        self.held_count -= hold.count
        self.held_resources -= hold.resources.astype(np.int64)
        self.held_slack -= hold.slack
