"""Generalized assignment with OR-Tools CP-SAT: jobs to agents under agent capacities.

The engine's stage 2 calls it with jobs = packages and agents = firms; the GAP benchmarks
(OR-Library gap1–12, types A–E) call it with their matrices unchanged. A job's weight may
depend on the agent (``weight`` is m×n), as the GAP files require.

Model: one boolean x[i, j] per allowed (agent, job) pair, ``exactly one`` agent per job (``at
most one`` when ``unassigned_cost`` is given, the job then costs ``unassigned_cost[j]``), the
knapsack Σ_j weight[i, j]·x[i, j] ≤ capacity[i] and Σ_j x[i, j] ≤ max_jobs[i] per agent. Pairs
whose weight alone exceeds the agent's capacity are not created. All data are integers, so the
objective CP-SAT proves is exactly Σ cost (no scaling inside this module).

With ``workers=1`` the time limit is CP-SAT's deterministic time (a wall-clock safety net of
3× stops a far slower run), so a seed repeats exactly; see :mod:`sharedprop.models.core.clock`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from sharedprop.models.core.clock import Clock
from sharedprop.models.core.cpsat import Progress, Status, solve_model


@dataclass(frozen=True)
class AssignmentResult:
    """``agent_of[j]`` is job j's agent, -1 when unassigned (or when no solution was found).

    ``objective`` is None without a solution; ``bound`` is a proven lower bound (None when the
    problem is infeasible). ``seconds`` is the whole call, ``time_to_incumbent`` the time at which
    the returned solution was found.
    """

    status: Status
    agent_of: np.ndarray
    objective: int | None
    bound: int | None
    seconds: float
    time_to_incumbent: float | None

    @property
    def has_solution(self) -> bool:
        return self.status in ("optimal", "feasible")


def _int_array(value: object, name: str, shape: tuple[int, ...]) -> np.ndarray:
    array = np.asarray(value)
    if array.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {array.shape}")
    if (
        array.size
        and not np.issubdtype(array.dtype, np.integer)
        and (not np.all(np.isfinite(array)) or not np.array_equal(array, np.round(array)))
    ):
        raise ValueError(f"{name} must hold integers (scale money before calling)")
    return array.astype(np.int64)


def solve_assignment(
    cost: np.ndarray,
    weight: np.ndarray,
    capacity: np.ndarray,
    *,
    max_jobs: np.ndarray | None = None,
    allowed: np.ndarray | None = None,
    unassigned_cost: np.ndarray | None = None,
    fixed: Iterable[tuple[int, int]] = (),
    hint: np.ndarray | None = None,
    time_limit: float = 60.0,
    workers: int = 2,
    seed: int = 0,
    on_progress: Progress | None = None,
    deterministic: bool | None = None,
) -> AssignmentResult:
    """Assign each of n jobs to one of m agents at minimum total cost.

    ``cost``, ``weight``: m×n integers (agent i, job j). ``capacity``: m integers.
    ``max_jobs``: at most this many jobs per agent. ``allowed``: m×n booleans, False forbids a
    pair. ``unassigned_cost``: n integers; when given a job may stay unassigned at that cost,
    when None every job must be assigned. ``fixed``: ``(job, agent)`` pairs that must hold.
    ``hint``: an ``agent_of`` vector (-1 = unassigned) to start from. ``deterministic``: the
    limit is CP-SAT's deterministic time, so a seed repeats exactly (None: with one worker).
    """
    started = time.perf_counter()
    cost = np.asarray(cost)
    if cost.ndim != 2:
        raise ValueError(f"cost must be an m×n matrix, got shape {cost.shape}")
    m, n = cost.shape
    cost = _int_array(cost, "cost", (m, n))
    weight = _int_array(weight, "weight", (m, n))
    capacity = _int_array(capacity, "capacity", (m,))
    ok = np.ones((m, n), dtype=bool) if allowed is None else np.asarray(allowed, dtype=bool)
    if ok.shape != (m, n):
        raise ValueError(f"allowed must have shape {(m, n)}, got {ok.shape}")
    ok = ok & (weight <= capacity[:, None])
    limits = None if max_jobs is None else _int_array(max_jobs, "max_jobs", (m,))
    penalty = (
        None if unassigned_cost is None else _int_array(unassigned_cost, "unassigned_cost", (n,))
    )
    pinned: dict[int, int] = {}
    for job, agent in fixed:
        if not (0 <= job < n and 0 <= agent < m):
            raise ValueError(
                f"fixed pair (job {job}, agent {agent}) is outside {n} jobs × {m} agents"
            )
        if pinned.setdefault(int(job), int(agent)) != agent:
            raise ValueError(f"job {job} is fixed to two agents ({pinned[job]} and {agent})")

    model = cp_model.CpModel()
    x: dict[tuple[int, int], cp_model.IntVar] = {
        (i, j): model.new_bool_var(f"x[{i},{j}]") for i in range(m) for j in range(n) if ok[i, j]
    }
    for job, agent in pinned.items():
        if (agent, job) in x:
            model.add(x[agent, job] == 1)
        else:  # the pinned pair is forbidden or too heavy: CP-SAT reports infeasible
            model.add_bool_or([])
    objective = []
    for j in range(n):
        column = [x[i, j] for i in range(m) if (i, j) in x]
        if penalty is None:
            model.add_exactly_one(column)
        else:
            model.add_at_most_one(column)
            # (1 − Σ x) · penalty, written as a constant plus negative terms
            objective.append(int(penalty[j]))
            objective.extend(-int(penalty[j]) * v for v in column)
    for i in range(m):
        row = [(j, x[i, j]) for j in range(n) if (i, j) in x]
        if not row:
            continue
        model.add(sum(int(weight[i, j]) * v for j, v in row) <= int(capacity[i]))
        if limits is not None and limits[i] < len(row):
            model.add(sum(v for _, v in row) <= int(limits[i]))
    objective.extend(int(cost[i, j]) * v for (i, j), v in x.items())
    model.minimize(sum(objective))

    if hint is not None:
        start = np.asarray(hint, dtype=np.int64)
        if start.shape != (n,):
            raise ValueError(f"hint must be an agent_of vector of length {n}, got {start.shape}")
        for (i, j), v in x.items():
            model.add_hint(v, bool(start[j] == i))

    run = solve_model(
        model,
        time_limit=time_limit,
        workers=workers,
        seed=seed,
        on_progress=on_progress,
        parameters={"linearization_level": 2},
        elapsed_before=time.perf_counter() - started,
        clock=Clock(deterministic=workers == 1 if deterministic is None else deterministic),
    )
    agent_of = np.full(n, -1, dtype=np.int64)
    if run.status in ("optimal", "feasible"):
        for (i, j), v in x.items():
            if run.solver.boolean_value(v):
                agent_of[j] = i
    return AssignmentResult(
        run.status, agent_of, run.objective, run.bound, run.seconds, run.time_to_incumbent
    )
