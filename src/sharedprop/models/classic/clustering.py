"""Capacitated clustering with OR-Tools CP-SAT: the engine's stage 1 and the CPMP benchmark route.

Points are grouped into clusters, each around a hub that is itself a member of its cluster.
``cost[i, h]`` is the cost of serving point i from hub h (``cost[h, h]`` is paid by the hub
itself); a cluster's total ``weight`` lies in [min_weight, max_weight]; ``hub_cost[h]`` is paid
for every open hub; ``n_clusters`` fixes their number; a point outside every cluster costs
``uncovered_cost[i]`` (None: every point must be covered). Only pairs (i, h) with
``allowed[i, h]`` exist. ``together`` / ``apart`` pairs must share / must not share a cluster.

Model (one boolean per allowed pair; the hub's own boolean is "h is open"):

* Σ_h x[i, h] = 1 (≤ 1 when uncovered points are allowed);  x[i, h] ≤ x[h, h] disaggregated;
* min_weight · x[h, h] ≤ Σ_i w_i x[i, h] ≤ max_weight · x[h, h];  Σ_h x[h, h] = n_clusters.

**Contiguity** (when ``adjacency`` is given): every cluster induces a connected subgraph. Exact
single-commodity flow toward the hub, after Shirabe (2005, "A model of contiguity for spatial
unit allocation", Geographical Analysis 37(1):2–16; 2009, "Districting modeling with exact
contiguity constraints", Environment and Planning B 36(6):1053–1066), with the hub as the
cluster's fixed sink: for hub h and member i ≠ h, Σ_j f^h[i, j] − Σ_j f^h[j, i] = x[i, h]; an
arc carries flow only if both ends are in h's cluster (f^h[i, j] ≤ M_h · x[i, h] and
≤ M_h · x[j, h], M_h = number of candidate members of h). A unit that cannot reach h through
its own cluster has nowhere to send its flow, so the constraints are exact. Arcs exist only
between points allowed to h; pairs that cannot reach h inside h's candidate set are dropped
before the model is built, and a member needs at least one neighbour in its cluster (a
redundant cut that helps propagation).

**Search** (:func:`solve_clustering`), when the knapsack tables are small enough:

1. Lagrangian bound L (:mod:`sharedprop.models.classic.clustering_lagrangian`): the assignment rows
relaxed, one
   knapsack per hub, subgradient-optimised; contiguity, minimum weight and pair rules are
   dropped, which keeps it a valid bound. ⌈L⌉ becomes a constraint ``objective ≥ ⌈L⌉``.
2. Incumbent: CP-SAT on the model restricted to the pairs whose forced Lagrangian bound is
   within 1 % (then 2 %) of L, then a large-neighbourhood search that re-solves groups of
   neighbouring clusters exactly (:func:`improve_by_cluster_lns`). A feasible ``hint`` is the
   first incumbent. At most 15 % and 5 % of the time limit.
3. Proof below the incumbent U: every pair and hub whose forced Lagrangian bound exceeds U − 1
   is removed (reduced-cost fixing), ``objective ≤ U − 1`` is added, and the search either
   proves that model infeasible — U is optimal — or finds a cheaper solution, after which the
   reduction is redone with the new U. ⌈L⌉ = U proves U without search. Without contiguity
   and with two or more workers, CP-SAT (``lb_tree_search``) and the HiGHS MIP solver that
   ships with OR-Tools search the same reduced model side by side, one thread each.

With one worker every budget is deterministic work (:mod:`sharedprop.models.core.clock`), so a seed
repeats exactly.

**Measured choices** (CPMP, Osman–Christofides pmedcap01–20, 2 workers, this machine shared
with other jobs; the full log and the protocol are in ``benchmarks/README.md``):

* presolve off without contiguity: CP-SAT's presolve turns x ≤ y into enforced clauses and the
  capacity rows into enforced knapsacks, and its LP bound then starts near 530 on pmedcap14
  (optimum 982, LP relaxation 960); without presolve the LP starts at the LP bound. The flows
  of the contiguity model need presolve, so it stays on there.
* the Lagrangian bound equals the Dantzig–Wolfe / column-generation bound (checked against an
  LP column generation: 771.67 on pmedcap08, 973.67 on pmedcap20), 0.3–1 % above the LP
  relaxation and 6 % / 3 % below those two optima: search has to close the rest.
* on the model reduced at U − 1, two LP-based CP-SAT tree searches (``lb_tree_search`` and
  ``max_lp``) prove pmedcap15 in 17 s (searching for the optimum on the model reduced at U ends
  at bound 1088 after 60 s); HiGHS alone proves it in 11 s and pmedcap08 in 19 s, where
  CP-SAT needs 52–58 s. Side by side (one thread each) the whole solve proves pmedcap08 / 14 /
  15 in 26 / 26 / 32 s; pmedcap20 stays open for both (bound 974 after 60 s).
* the restricted search finds the optimum of pmedcap14 / 15 / 20 in 4 / 4 / 8 s; the cluster
  LNS alone stalls at 985 / 1094 / 1013 (a different basin: 78 of 100 points differ).
* no effect on pmedcap08 (bound 802–812 after 60 s in every variant): minimum cluster weight
  D − (p−1)Q, cardinality rows, per-hub Lagrangian cuts, 1-median dominance, equal-demand swap
  dominance, hubs-first branching, column-generation duals for the fixing (they keep more
  pairs than the subgradient's: 1,629 against 1,561 on pmedcap08).
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from sharedprop.models.classic import clustering_lagrangian as lagrangian
from sharedprop.models.core.clock import (
    CLUSTERING_SECONDS_PER_DTIME,
    FLOW_MODEL_SECONDS_PER_DTIME,
    Clock,
)
from sharedprop.models.core.cpsat import Progress, Status, solve_model


@dataclass(frozen=True)
class ClusteringInput:
    """The array-level clustering problem; see the module docstring for the meaning of each field.

    ``adjacency[i]`` lists the neighbours of point i in the contiguity graph (None: no
    contiguity rule). ``together`` / ``apart`` are point pairs.
    """

    cost: np.ndarray
    weight: np.ndarray
    max_weight: int | None = None
    min_weight: int = 0
    allowed: np.ndarray | None = None
    hub_cost: np.ndarray | None = None
    can_be_hub: np.ndarray | None = None
    n_clusters: int | None = None
    uncovered_cost: np.ndarray | None = None
    adjacency: Sequence[Sequence[int]] | None = None
    together: tuple[tuple[int, int], ...] = ()
    apart: tuple[tuple[int, int], ...] = ()

    def __post_init__(self) -> None:
        cost = np.asarray(self.cost)
        if cost.ndim != 2 or cost.shape[0] != cost.shape[1]:
            raise ValueError(f"cost must be a square n×n matrix, got shape {cost.shape}")
        n = cost.shape[0]
        _check_int(cost, "cost")
        _check_int(np.asarray(self.weight), "weight", (n,))
        if np.any(np.asarray(self.weight) < 0):
            raise ValueError("weight must be non-negative")
        for name in ("hub_cost", "uncovered_cost"):
            value = getattr(self, name)
            if value is not None:
                _check_int(np.asarray(value), name, (n,))
        for name, shape in (("allowed", (n, n)), ("can_be_hub", (n,))):
            value = getattr(self, name)
            if value is not None and np.asarray(value).shape != shape:
                raise ValueError(f"{name} must have shape {shape}, got {np.asarray(value).shape}")
        if self.n_clusters is not None and not 0 <= self.n_clusters <= n:
            raise ValueError(f"n_clusters must be in [0, {n}], got {self.n_clusters}")
        if self.adjacency is not None:
            if len(self.adjacency) != n:
                raise ValueError(f"adjacency must list neighbours for all {n} points")
            for i, neighbours in enumerate(self.adjacency):
                for j in neighbours:
                    if not 0 <= int(j) < n or int(j) == i:
                        raise ValueError(f"adjacency[{i}] holds {j}, not another point index")
        for name in ("together", "apart"):
            for a, b in getattr(self, name):
                if not (0 <= a < n and 0 <= b < n) or a == b:
                    raise ValueError(f"{name} pair ({a}, {b}) must name two different points")

    @property
    def n(self) -> int:
        return int(np.asarray(self.cost).shape[0])


@dataclass(frozen=True)
class ClusteringResult:
    """``hub_of[i]`` is point i's hub (``hub_of[h] == h`` for a hub), -1 when uncovered.

    ``bound`` is a proven lower bound on the optimum (None when infeasible or unknown);
    ``seconds`` is the whole call and ``time_to_incumbent`` when the returned solution was
    found. ``stats`` records what the bound and reduction steps did (for benchmarks and logs).
    """

    status: Status
    hub_of: np.ndarray
    objective: int | None
    bound: int | None
    seconds: float
    time_to_incumbent: float | None
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def has_solution(self) -> bool:
        return self.status in ("optimal", "feasible")


def _check_int(array: np.ndarray, name: str, shape: tuple[int, ...] | None = None) -> None:
    if shape is not None and array.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {array.shape}")
    if (
        array.size
        and not np.issubdtype(array.dtype, np.integer)
        and (not np.all(np.isfinite(array)) or not np.array_equal(array, np.round(array)))
    ):
        raise ValueError(f"{name} must hold integers (scale money before calling)")


# -- checking a solution ----------------------------------------------------------------------
def clustering_violations(inp: ClusteringInput, hub_of: np.ndarray) -> list[str]:
    """Every rule ``hub_of`` breaks, in words (empty when it is a feasible clustering)."""
    n = inp.n
    hub_of = np.asarray(hub_of, dtype=np.int64)
    if hub_of.shape != (n,):
        return [f"hub_of must have length {n}, got {hub_of.shape}"]
    problems: list[str] = []
    weight = np.asarray(inp.weight, dtype=np.int64)
    allowed = None if inp.allowed is None else np.asarray(inp.allowed, dtype=bool)
    can_be_hub = None if inp.can_be_hub is None else np.asarray(inp.can_be_hub, dtype=bool)
    hubs = sorted({int(h) for h in hub_of if h >= 0})
    for i, h in enumerate(hub_of):
        if h < -1 or h >= n:
            problems.append(f"point {i} has hub {h}, not a point index")
        elif h == -1 and inp.uncovered_cost is None:
            problems.append(f"point {i} is uncovered but every point must be covered")
        elif h >= 0 and hub_of[h] != h:
            problems.append(f"point {i} joins {h}, which is not a hub of its own cluster")
        elif h >= 0 and allowed is not None and not allowed[i, h]:
            problems.append(f"point {i} may not join hub {h}")
    if problems:
        return problems
    for h in hubs:
        if can_be_hub is not None and not can_be_hub[h]:
            problems.append(f"point {h} may not be a hub")
        members = np.flatnonzero(hub_of == h)
        load = int(weight[members].sum())
        if inp.max_weight is not None and load > inp.max_weight:
            problems.append(f"cluster of hub {h} weighs {load} > max {inp.max_weight}")
        if load < inp.min_weight:
            problems.append(f"cluster of hub {h} weighs {load} < min {inp.min_weight}")
        if inp.adjacency is not None and not _connected(inp.adjacency, set(members.tolist()), h):
            problems.append(f"cluster of hub {h} is not connected")
    if inp.n_clusters is not None and len(hubs) != inp.n_clusters:
        problems.append(f"{len(hubs)} clusters, expected exactly {inp.n_clusters}")
    for a, b in inp.together:
        if hub_of[a] != hub_of[b]:
            problems.append(f"points {a} and {b} must share a cluster")
    for a, b in inp.apart:
        if hub_of[a] >= 0 and hub_of[a] == hub_of[b]:
            problems.append(f"points {a} and {b} must not share a cluster")
    return problems


def _connected(adjacency: Sequence[Sequence[int]], members: set[int], start: int) -> bool:
    seen = {start}
    queue = deque([start])
    while queue:
        u = queue.popleft()
        for v in adjacency[u]:
            v = int(v)
            if v in members and v not in seen:
                seen.add(v)
                queue.append(v)
    return seen == members


def clustering_objective(inp: ClusteringInput, hub_of: np.ndarray) -> int | None:
    """The objective of a feasible ``hub_of``; None when it breaks a rule."""
    if clustering_violations(inp, hub_of):
        return None
    hub_of = np.asarray(hub_of, dtype=np.int64)
    cost = np.asarray(inp.cost, dtype=np.int64)
    covered = np.flatnonzero(hub_of >= 0)
    total = int(cost[covered, hub_of[covered]].sum())
    if inp.hub_cost is not None:
        hubs = np.flatnonzero(hub_of == np.arange(inp.n))
        total += int(np.asarray(inp.hub_cost, dtype=np.int64)[hubs].sum())
    if inp.uncovered_cost is not None:
        total += int(np.asarray(inp.uncovered_cost, dtype=np.int64)[hub_of < 0].sum())
    return total


# -- preprocessing ------------------------------------------------------------------------------
def candidate_pairs(inp: ClusteringInput) -> np.ndarray:
    """``pair[i, h]``: point i may be in hub h's cluster (diagonal: h may open), before any
    bound."""
    n = inp.n
    weight = np.asarray(inp.weight, dtype=np.int64)
    pair = (
        np.ones((n, n), dtype=bool) if inp.allowed is None else np.asarray(inp.allowed, bool).copy()
    )
    hub_ok = np.diag(pair).copy()
    if inp.can_be_hub is not None:
        hub_ok &= np.asarray(inp.can_be_hub, dtype=bool)
    if inp.max_weight is not None:
        hub_ok &= weight <= inp.max_weight
        pair &= weight[:, None] + weight[None, :] <= inp.max_weight
    pair &= hub_ok[None, :]
    np.fill_diagonal(pair, hub_ok)
    if inp.adjacency is not None:
        for h in np.flatnonzero(hub_ok):
            reachable = _reachable(inp.adjacency, pair[:, h], int(h))
            pair[:, h] &= reachable
    return pair


def _reachable(adjacency: Sequence[Sequence[int]], inside: np.ndarray, start: int) -> np.ndarray:
    seen = np.zeros(len(inside), dtype=bool)
    seen[start] = True
    queue = deque([start])
    while queue:
        u = queue.popleft()
        for v in adjacency[u]:
            v = int(v)
            if inside[v] and not seen[v]:
                seen[v] = True
                queue.append(v)
    return seen


# -- the CP-SAT model -------------------------------------------------------------------------
def _build_model(
    inp: ClusteringInput,
    pair: np.ndarray,
    lower: int | None,
    hint: np.ndarray | None,
    at_most: int | None = None,
) -> tuple[cp_model.CpModel, dict[tuple[int, int], cp_model.IntVar]]:
    n = inp.n
    cost = np.asarray(inp.cost, dtype=np.int64)
    weight = np.asarray(inp.weight, dtype=np.int64)
    model = cp_model.CpModel()
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    for i, h in zip(*np.nonzero(pair), strict=True):
        x[int(i), int(h)] = model.new_bool_var(f"x[{i},{h}]")
    by_point: list[list[int]] = [[] for _ in range(n)]
    by_hub: list[list[int]] = [[] for _ in range(n)]
    for i, h in x:
        by_point[i].append(h)
        by_hub[h].append(i)
    objective: list[Any] = []
    for i in range(n):
        lits = [x[i, h] for h in by_point[i]]
        if inp.uncovered_cost is None:
            model.add_exactly_one(lits)
        else:
            model.add_at_most_one(lits)
            penalty = int(inp.uncovered_cost[i])
            objective.append(penalty)
            objective.extend(-penalty * v for v in lits)
    hubs = [h for h in range(n) if (h, h) in x]
    for h in hubs:
        y = x[h, h]
        members = by_hub[h]
        for i in members:
            if i != h:
                model.add(x[i, h] <= y)
        load = sum(int(weight[i]) * x[i, h] for i in members)
        if inp.max_weight is not None and int(weight[members].sum()) > inp.max_weight:
            model.add(load <= int(inp.max_weight) * y)
        if inp.min_weight > 0:
            model.add(load >= int(inp.min_weight) * y)
    if inp.n_clusters is not None:
        model.add(sum(x[h, h] for h in hubs) == int(inp.n_clusters))
    if inp.adjacency is not None:
        _add_contiguity(model, inp.adjacency, x, by_hub)
    for a, b in inp.together:
        for h in set(by_point[a]) | set(by_point[b]):
            if (a, h) in x and (b, h) in x:
                model.add(x[a, h] == x[b, h])
            else:
                model.add(x.get((a, h), x.get((b, h))) == 0)
    for a, b in inp.apart:
        for h in set(by_point[a]) & set(by_point[b]):
            model.add_at_most_one([x[a, h], x[b, h]])
    objective.extend(int(cost[i, h]) * v for (i, h), v in x.items() if cost[i, h])
    if inp.hub_cost is not None:
        objective.extend(int(inp.hub_cost[h]) * x[h, h] for h in hubs if inp.hub_cost[h])
    total = sum(objective)
    if lower is not None:
        model.add(total >= lower)
    if at_most is not None:
        model.add(total <= at_most)
    model.minimize(total)
    if hint is not None:
        for (i, h), v in x.items():
            model.add_hint(v, bool(hint[i] == h))
    return model, x


def _add_contiguity(
    model: cp_model.CpModel,
    adjacency: Sequence[Sequence[int]],
    x: dict[tuple[int, int], cp_model.IntVar],
    by_hub: list[list[int]],
) -> None:
    """Flow toward each hub inside its own cluster (Shirabe); see the module docstring."""
    for h, members in enumerate(by_hub):
        if (h, h) not in x or len(members) <= 1:
            continue
        inside = set(members)
        big = len(members) - 1
        outflow: dict[int, list[Any]] = {i: [] for i in members}
        inflow: dict[int, list[Any]] = {i: [] for i in members}
        for i in members:
            if i == h:
                continue
            neighbours = [int(j) for j in adjacency[i] if int(j) in inside]
            model.add(sum(x[j, h] for j in neighbours) >= x[i, h])
            for j in neighbours:
                f = model.new_int_var(0, big, f"f[{h}:{i}->{j}]")
                model.add(f <= big * x[i, h])
                if j != h:
                    model.add(f <= big * x[j, h])
                outflow[i].append(f)
                inflow[j].append(f)
        for i in members:
            if i != h:
                model.add(sum(outflow[i]) - sum(inflow[i]) == x[i, h])


# -- the solve ----------------------------------------------------------------------------------
def solve_clustering(
    inp: ClusteringInput,
    *,
    time_limit: float = 60.0,
    workers: int = 2,
    seed: int = 0,
    hint: np.ndarray | None = None,
    on_progress: Progress | None = None,
    use_bound: bool | None = None,
    deterministic: bool | None = None,
) -> ClusteringResult:
    """Cluster the points at minimum cost; see the module docstring for the model.

    ``hint`` is a ``hub_of`` vector to start from (ignored for the bound steps if it breaks a
    rule). ``use_bound`` switches the Lagrangian bound, heuristic and reduction (None: on when
    the knapsack tables are small enough). ``deterministic``: budgets in work units, so a seed
    repeats exactly (None: with one worker).
    """
    started = time.perf_counter()
    n = inp.n
    stats: dict[str, Any] = {}
    pair = candidate_pairs(inp)
    stats["pairs"] = int(pair.sum())
    if inp.uncovered_cost is None and not pair.any(axis=1).all():
        stats["proved_by"] = "a point has no cluster it may join"
        return ClusteringResult(
            "infeasible", np.full(n, -1, dtype=np.int64), None, None, 0.0, None, stats
        )

    def elapsed() -> float:  # wall-clock seconds, for what the result reports
        return time.perf_counter() - started

    # Budgets are measured on the clock: deterministic work with one worker, so that a seed
    # repeats exactly (sharedprop.models.core.clock), wall-clock seconds otherwise.
    clock = Clock(deterministic=workers == 1 if deterministic is None else deterministic)

    incumbent: np.ndarray | None = None
    upper: int | None = None
    found_at: float | None = None
    if hint is not None:
        hint = np.asarray(hint, dtype=np.int64)
        value = clustering_objective(inp, hint) if hint.shape == (n,) else None
        if value is not None:
            incumbent, upper, found_at = hint.copy(), value, elapsed()

    lower: int | None = None
    problem = lagrangian.LagrangianProblem(
        cost=np.asarray(inp.cost, dtype=np.float64),
        weight=np.asarray(inp.weight, dtype=np.int64),
        capacity=inp.max_weight,
        pair=pair,
        hub_cost=np.zeros(n) if inp.hub_cost is None else np.asarray(inp.hub_cost, float),
        n_clusters=inp.n_clusters,
        uncovered_cost=None
        if inp.uncovered_cost is None
        else np.asarray(inp.uncovered_cost, dtype=np.float64),
    )
    if use_bound is None:
        use_bound = lagrangian.Relaxation.fits(problem)
    best: lagrangian.LagrangianOutcome | None = None
    if use_bound and n > 0:
        outcome = lagrangian.optimise(
            problem, upper=upper, time_budget=0.1 * time_limit, clock=clock
        )
        stats["lagrangian_first"] = round(outcome.bound, 3)
        stats["lagrangian_first_s"] = round(elapsed(), 2)
        if not math.isfinite(outcome.bound):
            return _infeasible(n, elapsed(), stats, "the relaxation has no hub set")
        if incumbent is None:
            found = _restricted_search(
                inp,
                problem,
                outcome,
                upper,
                incumbent,
                deadline=0.15 * time_limit - clock.now(),
                workers=workers,
                seed=seed,
                clock=clock,
            )
            if found is not None:
                incumbent, upper, found_at = found[0], found[1], elapsed()
                _report(on_progress, elapsed(), upper, None)
        stats["first_solution"] = upper
        stats["first_solution_s"] = round(elapsed(), 2)
        if incumbent is not None and upper is not None:
            improved, value = improve_by_cluster_lns(
                inp,
                pair,
                incumbent,
                upper,
                time_budget=min(0.05 * time_limit, 0.2 * time_limit - clock.now()),
                seed=seed,
                good_enough=math.ceil(outcome.bound - 1e-6 * max(1.0, abs(outcome.bound))),
                clock=clock,
            )
            if value < upper:
                incumbent, upper, found_at = improved, value, elapsed()
                _report(on_progress, elapsed(), upper, None)
        stats["heuristic"] = upper
        stats["heuristic_s"] = round(elapsed(), 2)
        best = outcome
        if upper is not None:
            again = lagrangian.optimise(
                problem,
                upper=upper,
                time_budget=0.03 * time_limit,
                start=outcome.multipliers,
                clock=clock,
            )
            best = again if again.bound > outcome.bound else outcome
        lower = math.ceil(best.bound - 1e-6 * max(1.0, abs(best.bound)))
        stats["lagrangian"] = round(best.bound, 3)
        if lower > _largest_objective(inp):
            return _infeasible(n, elapsed(), stats, "the bound exceeds every possible cost")
        if upper is not None:
            _report(on_progress, elapsed(), upper, lower)
            if lower >= upper:
                stats["proved_by"] = "lagrangian bound"
                return ClusteringResult(
                    "optimal", incumbent, upper, upper, elapsed(), found_at, stats
                )

    status: Status = "unknown"
    bound = lower
    stats["restarts"] = 0
    if best is not None and upper is not None and incumbent is not None:
        status, incumbent, upper, found_at, bound, best = _search_below(
            inp,
            problem,
            best,
            incumbent,
            upper,
            found_at,
            lower,
            stats,
            deadline=time_limit - clock.now(),
            clock=clock,
            wall=elapsed,
            workers=workers,
            seed=seed,
            on_progress=on_progress,
        )
    else:
        parameters = _base_parameters(inp)
        if inp.adjacency is None and workers >= 2:
            parameters["subsolvers"] = ["lb_tree_search", "default_lp"]
        model, x = _build_model(inp, pair, lower, incumbent)
        run = solve_model(
            model,
            time_limit=max(0.0, time_limit - clock.now()),
            workers=workers,
            seed=seed,
            on_progress=on_progress,
            parameters=parameters,
            elapsed_before=elapsed(),
            clock=clock,
            seconds_per_dtime=FLOW_MODEL_SECONDS_PER_DTIME
            if inp.adjacency is not None
            else CLUSTERING_SECONDS_PER_DTIME,
        )
        if run.bound is not None and run.status != "infeasible":
            bound = run.bound if bound is None else max(bound, run.bound)
        if run.objective is not None and (upper is None or run.objective < upper):
            incumbent = _hub_of(n, x, run)
            upper, found_at = run.objective, run.time_to_incumbent
        if run.status == "optimal":
            status = "optimal"
        elif run.status == "infeasible":
            # With an incumbent this cannot happen (it is in the model); keep it.
            status = "infeasible" if incumbent is None else "feasible"
    if best is not None:
        stats["lagrangian"] = round(best.bound, 3)
    if status == "infeasible" or incumbent is None:
        hub_of = np.full(n, -1, dtype=np.int64)
        return ClusteringResult(
            status, hub_of, None, None if status == "infeasible" else bound, elapsed(), None, stats
        )
    if status != "optimal":
        status = "feasible"
    if status == "optimal" or (bound is not None and bound >= upper):
        status, bound = "optimal", upper
    return ClusteringResult(status, incumbent, upper, bound, elapsed(), found_at, stats)


def _hub_of(n: int, x: dict[tuple[int, int], Any], run: Any) -> np.ndarray:
    hub_of = np.full(n, -1, dtype=np.int64)
    for (i, h), v in x.items():
        if run.solver.boolean_value(v):
            hub_of[i] = h
    return hub_of


def _search_below(
    inp: ClusteringInput,
    problem: lagrangian.LagrangianProblem,
    best: lagrangian.LagrangianOutcome,
    incumbent: np.ndarray,
    upper: int,
    found_at: float | None,
    lower: int | None,
    stats: dict[str, Any],
    *,
    deadline: float,
    clock: Clock,
    wall: Callable[[], float],
    workers: int,
    seed: int,
    on_progress: Progress | None,
) -> tuple[Status, np.ndarray, int, float | None, int | None, lagrangian.LagrangianOutcome]:
    """Prove the incumbent optimal or find a cheaper solution, on a model reduced for that.

    All data are integers, so a better solution costs at most U − 1: pairs whose forced
    Lagrangian bound exceeds U − 1 are removed and ``objective ≤ U − 1`` is added. Proving that
    model infeasible proves the incumbent optimal; a solution of it is a better incumbent, and
    the reduction is redone with the new U.

    Without contiguity and with two or more workers the same model goes to two searches at
    once: CP-SAT's ``lb_tree_search`` and the HiGHS MIP solver (shipped with OR-Tools), one
    thread each; the first to finish stops the other. Measured on the model reduced at U − 1,
    alone: pmedcap08 HiGHS 19 s, CP-SAT (``lb_tree_search`` + ``max_lp``) 52–58 s; pmedcap15
    HiGHS 11 s, CP-SAT 16.5 s; pmedcap14 CP-SAT 30 s; pmedcap20 neither within 60 s. CBC (also
    in OR-Tools) took 36 s / 23 s on pmedcap15 / 14 and did not prove pmedcap08 in 60 s.
    """
    started = clock.now()
    bound = lower
    portfolio = inp.adjacency is None and workers >= 2 and not clock.deterministic
    parameters = _base_parameters(inp)
    if portfolio:
        parameters["subsolvers"] = ["lb_tree_search"]
        cpsat_workers = max(1, workers - 1)
    else:
        cpsat_workers = workers
        if inp.adjacency is None and workers >= 2:
            parameters["subsolvers"] = ["lb_tree_search", "max_lp"]
            parameters["num_full_subsolvers"] = 2
    while True:
        left = deadline - (clock.now() - started)
        if lower is not None and lower >= upper:
            return "optimal", incumbent, upper, found_at, upper, best
        pair, _ = lagrangian.reduce_pairs(problem, best.multipliers, upper - 1, clock)
        stats["pairs_after_reduction"] = int(pair.sum())
        if left <= 0.05:
            return "feasible", incumbent, upper, found_at, bound, best
        model, x = _build_model(inp, pair, lower, None, at_most=upper - 1)
        mip = _MipCompanion(inp, pair, lower, upper - 1, left) if portfolio else None
        run = solve_model(
            model,
            time_limit=left,
            workers=cpsat_workers,
            seed=seed,
            on_progress=None,
            parameters=parameters,
            elapsed_before=wall(),
            stop_below=upper,
            clock=clock,
            on_start=None if mip is None else mip.start,
            seconds_per_dtime=CLUSTERING_SECONDS_PER_DTIME,
        )
        status, objective, run_bound = run.status, run.objective, run.bound
        solution = _hub_of(inp.n, x, run) if objective is not None else None
        searcher = "CP-SAT"
        if mip is not None:
            mip.finish()
            if mip.status in ("infeasible", "optimal") or (
                mip.objective is not None and (objective is None or mip.objective < objective)
            ):
                status, objective, solution, searcher = (
                    mip.status,
                    mip.objective,
                    mip.hub_of,
                    "HiGHS",
                )
            if mip.bound is not None:
                run_bound = mip.bound if run_bound is None else max(run_bound, mip.bound)
        if status == "infeasible":
            stats["proved_by"] = f"{searcher}: nothing costs less than the incumbent"
            _report(on_progress, wall(), upper, upper)
            return "optimal", incumbent, upper, found_at, upper, best
        if objective is None or solution is None:
            if run_bound is not None:
                bound = run_bound if bound is None else max(bound, min(run_bound, upper))
            _report(on_progress, wall(), upper, bound)
            return "feasible", incumbent, upper, found_at, bound, best
        incumbent, upper, found_at = solution, objective, wall()
        if status == "optimal":
            stats["proved_by"] = f"{searcher}: optimal below the previous incumbent"
            _report(on_progress, wall(), upper, upper)
            return "optimal", incumbent, upper, found_at, upper, best
        _report(on_progress, wall(), upper, bound)
        stats["restarts"] += 1
        again = lagrangian.optimise(
            problem,
            upper=upper,
            time_budget=min(2.0, 0.1 * left),
            start=best.multipliers,
            clock=clock,
        )
        if again.bound > best.bound:
            best = again
            lower = max(lower or 0, math.ceil(best.bound - 1e-6 * max(1.0, abs(best.bound))))
            bound = lower if bound is None else max(bound, lower)


class _MipCompanion:
    """The reduced model (no contiguity) solved by HiGHS in a thread beside CP-SAT.

    Whichever search ends first stops the other: HiGHS through ``InterruptSolve``, CP-SAT
    through ``stop_search`` (OR-Tools releases the GIL in both solves). ``status`` reads like
    CP-SAT's: ``infeasible`` (nothing costs at most ``at_most``), ``optimal`` / ``feasible``
    with ``hub_of`` and ``objective``, or ``unknown``.
    """

    def __init__(
        self, inp: ClusteringInput, pair: np.ndarray, lower: int | None, at_most: int, limit: float
    ):
        import threading

        from ortools.linear_solver import pywraplp

        self._pywraplp = pywraplp
        self.inp = inp
        self.status: Status = "unknown"
        self.objective: int | None = None
        self.bound: int | None = None
        self.hub_of: np.ndarray | None = None
        self._cpsat: cp_model.CpSolver | None = None
        self._done = threading.Event()
        self._returned = threading.Event()
        solver = pywraplp.Solver.CreateSolver("HIGHS")
        self._solver = solver
        if solver is None:
            self._done.set()
            return
        solver.SuppressOutput()
        # HiGHS prints a banner to stdout unless its own output flag is off (the CLI's stdout).
        solver.SetSolverSpecificParametersAsString("output_flag=false")
        solver.SetNumThreads(1)
        solver.SetTimeLimit(max(1, int(limit * 1000)))
        self._x = _mip_model(solver, inp, pair, lower, at_most)
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self, cpsat: cp_model.CpSolver) -> None:
        self._cpsat = cpsat
        if self._solver is not None:
            self._thread.start()

    def _run(self) -> None:
        code = self._solver.Solve()
        p = self._pywraplp.Solver
        if code == p.INFEASIBLE:
            self.status = "infeasible"
        elif code in (p.OPTIMAL, p.FEASIBLE):
            self.status = "optimal" if code == p.OPTIMAL else "feasible"
            self.objective = int(round(self._solver.Objective().Value()))
            hub_of = np.full(self.inp.n, -1, dtype=np.int64)
            for (i, h), v in self._x.items():
                if v.solution_value() > 0.5:
                    hub_of[i] = h
            self.hub_of = hub_of
        if code in (p.FEASIBLE, p.NOT_SOLVED) and self.status != "infeasible":
            raw = self._solver.Objective().BestBound()
            if math.isfinite(raw):
                self.bound = int(math.ceil(raw - 1e-6))
        self._done.set()
        if self.status in ("infeasible", "optimal") and self._cpsat is not None:
            # A stop request that arrives before CP-SAT's search has started is lost, so it is
            # repeated until CP-SAT has returned.
            while not self._returned.is_set():
                self._cpsat.stop_search()
                self._returned.wait(0.05)

    def finish(self) -> None:
        """After CP-SAT returned: stop HiGHS unless it is done, and wait for its thread."""
        self._returned.set()
        if self._solver is None:
            return
        if not self._done.is_set():
            self._solver.InterruptSolve()
        self._thread.join()
        if self.hub_of is not None and clustering_objective(self.inp, self.hub_of) is None:
            self.status, self.hub_of, self.objective = "unknown", None, None  # numerical noise


def _mip_model(
    solver: Any, inp: ClusteringInput, pair: np.ndarray, lower: int | None, at_most: int
) -> dict[tuple[int, int], Any]:
    """The clustering model without contiguity as a MIP (same rows as :func:`_build_model`)."""
    n = inp.n
    cost = np.asarray(inp.cost, dtype=np.int64)
    weight = np.asarray(inp.weight, dtype=np.int64)
    x = {
        (int(i), int(h)): solver.BoolVar(f"x{i}_{h}")
        for i, h in zip(*np.nonzero(pair), strict=True)
    }
    by_point: list[list[int]] = [[] for _ in range(n)]
    by_hub: list[list[int]] = [[] for _ in range(n)]
    for i, h in x:
        by_point[i].append(h)
        by_hub[h].append(i)
    terms = [int(cost[i, h]) * v for (i, h), v in x.items() if cost[i, h]]
    constant = 0
    for i in range(n):
        cover = solver.Sum([x[i, h] for h in by_point[i]])
        if inp.uncovered_cost is None:
            solver.Add(cover == 1)
        else:
            solver.Add(cover <= 1)
            penalty = int(inp.uncovered_cost[i])
            constant += penalty
            terms.extend(-penalty * x[i, h] for h in by_point[i])
    hubs = [h for h in range(n) if (h, h) in x]
    for h in hubs:
        y = x[h, h]
        for i in by_hub[h]:
            if i != h:
                solver.Add(x[i, h] <= y)
        load = solver.Sum([int(weight[i]) * x[i, h] for i in by_hub[h]])
        if inp.max_weight is not None:
            solver.Add(load <= int(inp.max_weight) * y)
        if inp.min_weight > 0:
            solver.Add(load >= int(inp.min_weight) * y)
        if inp.hub_cost is not None and inp.hub_cost[h]:
            terms.append(int(inp.hub_cost[h]) * y)
    if inp.n_clusters is not None:
        solver.Add(solver.Sum([x[h, h] for h in hubs]) == int(inp.n_clusters))
    for a, b in inp.together:
        for h in set(by_point[a]) | set(by_point[b]):
            if (a, h) in x and (b, h) in x:
                solver.Add(x[a, h] == x[b, h])
            else:
                solver.Add(x.get((a, h), x.get((b, h))) == 0)
    for a, b in inp.apart:
        for h in set(by_point[a]) & set(by_point[b]):
            solver.Add(x[a, h] + x[b, h] <= 1)
    total = solver.Sum(terms) + constant
    solver.Add(total <= at_most)
    if lower is not None:
        solver.Add(total >= lower)
    solver.Minimize(total)
    return x


def _largest_objective(inp: ClusteringInput) -> int:
    """No clustering costs more than this: every point at its dearest option, every hub open."""
    dearest = np.abs(np.asarray(inp.cost, dtype=np.int64)).max(axis=1)
    if inp.uncovered_cost is not None:
        dearest = np.maximum(dearest, np.abs(np.asarray(inp.uncovered_cost, dtype=np.int64)))
    hubs = 0 if inp.hub_cost is None else int(np.abs(np.asarray(inp.hub_cost, np.int64)).sum())
    return int(dearest.sum()) + hubs


def _base_parameters(inp: ClusteringInput) -> dict[str, Any]:
    parameters: dict[str, Any] = {"linearization_level": 2}
    if inp.adjacency is None:
        # Presolve rewrites x ≤ y into enforced clauses that CP-SAT's LP relaxes weakly
        # (measured: LP bound 530 instead of 960 on pmedcap14); the flows need presolve on.
        parameters["cp_model_presolve"] = False
    return parameters


def _report(
    on_progress: Progress | None, seconds: float, objective: int | None, bound: int | None
) -> None:
    if on_progress is not None:
        on_progress(seconds, objective, bound)


def _infeasible(n: int, seconds: float, stats: dict[str, Any], why: str) -> ClusteringResult:
    stats["proved_by"] = why
    return ClusteringResult(
        "infeasible", np.full(n, -1, dtype=np.int64), None, None, seconds, None, stats
    )


def _restricted_search(
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
) -> tuple[np.ndarray, int] | None:
    """Good solutions from the full model restricted to the pairs the Lagrangian finds cheap.

    Pairs whose forced Lagrangian bound stays within a slack of the bound are kept (the test of
    the reduction, with an optimistic target instead of a known solution), and CP-SAT optimises
    that much smaller model in slices of a sixth of the budget, for as long as a slice improves;
    then the slack doubles (1 %, 2 %, …; at once when the model has no solution), twice at
    most after a solution. Measured on pmedcap14/15/20, 10 s each: slack 1 % finds the optimum
    (982 in 4 s, 1091 in 4 s, 1005 in 8 s) where the cluster LNS from a first solution stalls
    at 985 / 1094 / 1013. Not a proof of anything: only the solutions are used.
    """
    began = clock.now()
    piece = max(0.2, deadline / 6)
    slack = max(1.0, 0.01 * abs(outcome.bound))
    best: tuple[np.ndarray, int] | None = None
    levels_with_solution = 0

    def left() -> float:
        return deadline - (clock.now() - began)

    while left() > 0.05 and math.isfinite(slack) and levels_with_solution < 2:
        target = math.ceil(outcome.bound + slack)
        if upper is not None and target >= upper:
            break
        pair, _ = lagrangian.reduce_pairs(problem, outcome.multipliers, target, clock)
        start = best[0] if best is not None else hint
        if start is not None:
            pair[np.flatnonzero(start >= 0), start[start >= 0]] = True
        run = None
        if inp.n_clusters is None or np.diag(pair).sum() >= inp.n_clusters:
            model, x = _build_model(inp, pair, None, start)
            while left() > 0.05:
                run = solve_model(
                    model,
                    time_limit=min(piece, left()),
                    workers=workers,
                    seed=seed,
                    parameters=_base_parameters(inp),
                    clock=clock,
                    seconds_per_dtime=CLUSTERING_SECONDS_PER_DTIME,
                )
                if run.objective is None or (best is not None and run.objective >= best[1]):
                    break  # infeasible, or a slice without progress
                best = (_hub_of(inp.n, x, run), run.objective)
                if run.status == "optimal":
                    break  # the restricted model is solved
                model.clear_hints()
                for (i, h), v in x.items():
                    model.add_hint(v, bool(best[0][i] == h))
            if best is not None:
                levels_with_solution += 1
            elif run is None or run.status != "infeasible":
                break  # out of time without any solution
        if np.array_equal(pair, problem.pair):
            break  # nothing left to add
        slack *= 2
    return best


def improve_by_cluster_lns(
    inp: ClusteringInput,
    pair: np.ndarray,
    hub_of: np.ndarray,
    value: int,
    *,
    time_budget: float,
    seed: int = 0,
    group_sizes: tuple[int, ...] = (2, 3, 4),
    good_enough: int | None = None,
    patience: int = 3,
    clock: Clock | None = None,
) -> tuple[np.ndarray, int]:
    """Large-neighbourhood search over whole clusters: free a cluster and its nearest clusters
    (their points, hubs and any uncovered points near them) and re-solve that part exactly.

    Whole clusters are freed, so together/apart pairs and contiguity never cross the boundary,
    and the number of clusters inside stays what it was when ``n_clusters`` is fixed. Stops when
    the value reaches ``good_enough`` (a proven bound), when ``patience`` × (number of clusters)
    random groups in a row bring nothing, or when the budget is spent.
    """
    clock = clock or Clock(deterministic=False)
    began = clock.now()
    rng = np.random.default_rng(seed)
    cost = np.asarray(inp.cost, dtype=np.int64)
    best = np.asarray(hub_of, dtype=np.int64).copy()
    best_value = value

    def attempt(group: np.ndarray, limit: float) -> bool:
        nonlocal best, best_value
        members = np.flatnonzero(np.isin(best, group))
        uncovered = np.flatnonzero(best < 0)
        if len(uncovered):
            near = uncovered[pair[np.ix_(uncovered, group)].any(axis=1)]
            members = np.union1d(members, near)
        candidate = _resolve_part(inp, pair, best, members, len(group), limit, seed, clock)
        candidate_value = None if candidate is None else clustering_objective(inp, candidate)
        if candidate_value is not None and candidate_value < best_value:
            best, best_value = candidate, candidate_value
            return True
        return False

    def left() -> float:
        if good_enough is not None and best_value <= good_enough:
            return 0.0
        return time_budget - (clock.now() - began)

    # Systematic passes: each cluster with its nearest neighbours, growing the group size.
    for size in group_sizes:
        improved = True
        while improved and left() > 0.05:
            improved = False
            hubs = np.flatnonzero(best == np.arange(inp.n))
            if len(hubs) < size:
                break
            for h in rng.permutation(hubs):
                if left() <= 0.05:
                    return best, best_value
                spread = cost[h, hubs] + cost[hubs, h]
                near = hubs[np.argsort(spread, kind="stable")]
                group = np.append(near[near != h][: size - 1], h)
                if attempt(group, min(left(), 2.0)):
                    improved = True
                    break  # hubs changed: recompute the neighbourhoods
    # Then random groups until the budget is spent: the clusters whose hubs are nearest to a
    # random point (a cluster boundary, often), so that medians can drift across the region.
    largest = max(group_sizes) if group_sizes else 2
    failures = 0
    while left() > 0.05:
        hubs = np.flatnonzero(best == np.arange(inp.n))
        if len(hubs) < 2 or failures >= patience * len(hubs):
            break
        point = int(rng.integers(inp.n))
        size = int(rng.integers(2, min(largest, len(hubs)) + 1))
        group = hubs[np.argsort(cost[point, hubs] + cost[hubs, point], kind="stable")[:size]]
        failures = 0 if attempt(group, min(left(), 2.0)) else failures + 1
    return best, best_value


def _resolve_part(
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
    model, x = _build_model(sub, candidate_pairs(sub), None, local_hint)
    run = solve_model(
        model,
        time_limit=time_limit,
        workers=1,
        seed=seed,
        parameters=_base_parameters(inp),
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
