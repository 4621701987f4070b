"""Good clusterings without a proof: CP-SAT on the Lagrangian-restricted model, and a
large-neighbourhood search that re-solves groups of neighbouring clusters exactly."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sharedprop.models.classic import clustering_lagrangian as lagrangian
from sharedprop.models.classic.clustering_cpsat import base_parameters, build_model, hub_of_run
from sharedprop.models.classic.clustering_input import (
    ClusteringInput,
    candidate_pairs,
    clustering_objective,
)
from sharedprop.models.core.clock import CLUSTERING_SECONDS_PER_DTIME, Clock
from sharedprop.models.core.cpsat import solve_model


@dataclass(frozen=True)
class Found:
    """A clustering and its objective."""

    hub_of: np.ndarray
    objective: int


@dataclass(frozen=True)
class Restricted:
    """What :func:`restricted_search` found: the best clustering (None: none), whether it is
    proven optimal for the whole problem, and a proven lower bound (None: nothing new)."""

    found: Found | None
    optimal: bool
    lower: int | None


def restricted_search(
    inp: ClusteringInput,
    problem: lagrangian.LagrangianProblem,
    outcome: lagrangian.LagrangianOutcome,
    upper: int | None,
    hint: np.ndarray | None,
    *,
    deadline: float,
    workers: int,
    seed: int,
    clock: Clock,
) -> Restricted:
    """Good solutions from the full model restricted to the pairs the Lagrangian finds cheap.

    Pairs whose forced Lagrangian bound stays within a target T = ⌈L + slack⌉ are kept (the test
    of the reduction), and CP-SAT optimises that much smaller model (until a first solution for
    up to half of what is left, then in slices of a sixth of the budget) for as long as a slice
    improves; then the slack doubles (1 %, 2 %, …; also when the level ends without any
    solution), twice at most after a solution. Measured on pmedcap14/15/20,
    10 s each: slack 1 % finds the optimum (982 in 4 s, 1091 in 4 s, 1005 in 8 s) where the
    cluster LNS from a first solution stalls at 985 / 1094 / 1013.

    Every solution that costs at most T uses only kept pairs, so the restricted model holds
    them all: when CP-SAT proves its optimum v ≤ T, v is optimal for the whole problem, and
    when it proves the model infeasible, T + 1 is a lower bound.
    """
    began = clock.now()
    piece = max(0.2, deadline / 6)
    slack = max(1.0, 0.01 * abs(outcome.bound))
    best: Found | None = None
    lower: int | None = None
    levels_with_solution = 0

    def left() -> float:
        return deadline - (clock.now() - began)

    while left() > 0.05 and math.isfinite(slack) and levels_with_solution < 2:
        target = math.ceil(outcome.bound + slack)
        if upper is not None and target >= upper:
            break
        pair, _ = lagrangian.reduce_pairs(problem, outcome.multipliers, target, clock)
        start = best.hub_of if best is not None else hint
        if start is not None:
            pair[np.flatnonzero(start >= 0), start[start >= 0]] = True
        run = None
        if inp.n_clusters is None or np.diag(pair).sum() >= inp.n_clusters:
            model, x = build_model(inp, pair, None, start)
            while left() > 0.05:
                # Until a first solution, half of what is left: a busy machine needs more than
                # a slice to solve the 1 % level, and jumping to a wider level finds worse
                # plans (pmedcap13: 1,061 against the optimum 1,026).
                limit = min(piece, left()) if best is not None else max(piece, left() / 2)
                run = solve_model(
                    model,
                    time_limit=min(limit, left()),
                    workers=workers,
                    seed=seed,
                    parameters=base_parameters(inp),
                    clock=clock,
                    seconds_per_dtime=CLUSTERING_SECONDS_PER_DTIME,
                )
                if run.objective is None or (best is not None and run.objective >= best.objective):
                    break  # infeasible, or a slice without progress
                best = Found(hub_of_run(inp.n, x, run), run.objective)
                if run.status == "optimal":
                    break  # the restricted model is solved
                model.clear_hints()
                for (i, h), v in x.items():
                    model.add_hint(v, bool(best.hub_of[i] == h))
            solved = run is not None and run.status == "optimal" and best is not None
            if solved and best is not None and best.objective <= target:
                return Restricted(best, True, best.objective)
            if best is None and run is not None and run.status == "infeasible":
                lower = target + 1  # nothing costs at most the target
            if best is not None:
                levels_with_solution += 1
        else:
            lower = target + 1  # fewer usable hubs than clusters: nothing costs at most T
        if np.array_equal(pair, problem.pair):
            break  # nothing left to add
        slack *= 2
    return Restricted(best, False, lower)


@dataclass(frozen=True)
class LnsParams:
    """Settings of :class:`ClusterLns`: group sizes of the systematic passes, how many random
    groups in a row (× the number of clusters) may fail before it stops, and the value at which
    it stops at once (a proven bound)."""

    time_budget: float
    seed: int = 0
    group_sizes: tuple[int, ...] = (2, 3, 4)
    good_enough: int | None = None
    patience: int = 3

    def __post_init__(self) -> None:
        if any(size < 1 for size in self.group_sizes):
            raise ValueError(f"group sizes must be positive, got {self.group_sizes}")
        if self.patience < 0:
            raise ValueError(f"patience must be non-negative, got {self.patience}")


class ClusterLns:
    """Large-neighbourhood search over whole clusters: free a cluster and its nearest clusters
    (their points, hubs and any uncovered points near them) and re-solve that part exactly.

    Whole clusters are freed, so together/apart pairs and contiguity never cross the boundary,
    and the number of clusters inside stays what it was when ``n_clusters`` is fixed. Stops when
    the value reaches ``good_enough``, when ``patience`` × (number of clusters) random groups in
    a row bring nothing, or when the budget is spent.
    """

    def __init__(
        self,
        inp: ClusteringInput,
        pair: np.ndarray,
        start: Found,
        params: LnsParams,
        clock: Clock | None = None,
    ):
        self.inp = inp
        self.pair = pair
        self.params = params
        self.clock = clock or Clock(deterministic=False)
        self.best = Found(np.asarray(start.hub_of, dtype=np.int64).copy(), start.objective)
        self._began = self.clock.now()
        self._rng = np.random.default_rng(params.seed)
        self._cost = np.asarray(inp.cost, dtype=np.int64)

    def run(self) -> Found:
        self._systematic_passes()
        self._random_groups()
        return self.best

    def _left(self) -> float:
        good_enough = self.params.good_enough
        if good_enough is not None and self.best.objective <= good_enough:
            return 0.0
        return self.params.time_budget - (self.clock.now() - self._began)

    def _hubs(self) -> np.ndarray:
        return np.flatnonzero(self.best.hub_of == np.arange(self.inp.n))

    def _systematic_passes(self) -> None:
        """Each cluster with its nearest neighbours, growing the group size."""
        for size in self.params.group_sizes:
            improved = True
            while improved and self._left() > 0.05:
                improved = False
                hubs = self._hubs()
                if len(hubs) < size:
                    break
                for h in self._rng.permutation(hubs):
                    if self._left() <= 0.05:
                        return
                    spread = self._cost[h, hubs] + self._cost[hubs, h]
                    near = hubs[np.argsort(spread, kind="stable")]
                    if self._attempt(np.append(near[near != h][: size - 1], h)):
                        improved = True
                        break  # hubs changed: recompute the neighbourhoods

    def _random_groups(self) -> None:
        """The clusters whose hubs are nearest to a random point (a cluster boundary, often),
        so that medians can drift across the region."""
        largest = max(self.params.group_sizes) if self.params.group_sizes else 2
        failures = 0
        while self._left() > 0.05:
            hubs = self._hubs()
            if len(hubs) < 2 or failures >= self.params.patience * len(hubs):
                break
            point = int(self._rng.integers(self.inp.n))
            size = int(self._rng.integers(2, min(largest, len(hubs)) + 1))
            spread = self._cost[point, hubs] + self._cost[hubs, point]
            group = hubs[np.argsort(spread, kind="stable")[:size]]
            failures = 0 if self._attempt(group) else failures + 1

    def _attempt(self, group: np.ndarray) -> bool:
        best = self.best.hub_of
        members = np.flatnonzero(np.isin(best, group))
        uncovered = np.flatnonzero(best < 0)
        if len(uncovered):
            near = uncovered[self.pair[np.ix_(uncovered, group)].any(axis=1)]
            members = np.union1d(members, near)
        limit = min(self._left(), 2.0)
        candidate = resolve_part(
            self.inp, self.pair, best, members, len(group), limit, self.params.seed, self.clock
        )
        value = None if candidate is None else clustering_objective(self.inp, candidate)
        if candidate is not None and value is not None and value < self.best.objective:
            self.best = Found(candidate, value)
            return True
        return False


def resolve_part(
    inp: ClusteringInput,
    pair: np.ndarray,
    hub_of: np.ndarray,
    members: np.ndarray,
    n_groups: int,
    time_limit: float,
    seed: int,
    clock: Clock | None = None,
) -> np.ndarray | None:
    """Re-solve the clustering of ``members`` with everything else fixed; the new hub_of or None."""
    index = {int(m): k for k, m in enumerate(members)}
    inside = set(index)
    adjacency = None
    if inp.adjacency is not None:
        adjacency = [[index[int(j)] for j in inp.adjacency[m] if int(j) in inside] for m in members]
    sub = ClusteringInput(
        cost=np.asarray(inp.cost)[np.ix_(members, members)],
        weight=np.asarray(inp.weight)[members],
        max_weight=inp.max_weight,
        min_weight=inp.min_weight,
        allowed=pair[np.ix_(members, members)],
        hub_cost=None if inp.hub_cost is None else np.asarray(inp.hub_cost)[members],
        n_clusters=n_groups if inp.n_clusters is not None else None,
        uncovered_cost=None
        if inp.uncovered_cost is None
        else np.asarray(inp.uncovered_cost)[members],
        adjacency=adjacency,
        together=tuple(
            (index[a], index[b]) for a, b in inp.together if a in inside and b in inside
        ),
        apart=tuple((index[a], index[b]) for a, b in inp.apart if a in inside and b in inside),
    )
    local_hint = np.array([index.get(int(hub_of[m]), -1) for m in members], dtype=np.int64)
    model, x = build_model(sub, candidate_pairs(sub), None, local_hint)
    run = solve_model(
        model,
        time_limit=time_limit,
        workers=1,
        seed=seed,
        parameters=base_parameters(inp),
        clock=clock,
    )
    if run.objective is None:
        return None
    result = hub_of.copy()
    result[members] = -1
    for (i, h), v in x.items():
        if run.solver.boolean_value(v):
            result[members[i]] = members[h]
    return result
