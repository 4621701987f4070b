"""Large-neighbourhood search by regions: free part of a plan and re-solve it with the joint model.

The one-move neighbourhood of :mod:`sharedprop.models.colgen.neighbourhood` cannot reshape several
packages at once, and on a 120-community street the column generation over the whole instance
does not converge within a minute, so its pool lacks the packages a better plan needs. Here a
*region* — a few neighbouring packages of the incumbent and the uncovered communities among
them, whole packages only — is cut out as a problem of its own: its communities, the options
whose hub lies inside it (candidates restricted to the region), each firm's capacity and
package count minus what the packages outside the region already use, and only the resources
those packages leave free. The joint model (:func:`sharedprop.models.colgen.joint.solve_joint`) on
that small problem converges, often proves its optimum by enumeration, and its plan replaces
the region's part of the incumbent when it is better. Packages outside the region do not move,
so every firm-level rule still holds for the whole plan.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from sharedprop.models.colgen.joint import solve_joint
from sharedprop.models.core.clock import Clock
from sharedprop.models.core.columns import Column, plan_objective
from sharedprop.models.core.problem import Problem
from sharedprop.models.decompose.subproblem import SubProblem, sub_problem


def restrict(p: Problem, region: Iterable[int], fixed: list[Column]) -> SubProblem:
    """The problem over ``region`` when the packages ``fixed`` (outside it) stay as they are."""
    comm = np.array(sorted({int(i) for i in region}), dtype=np.int64)
    inside = np.zeros(p.n, dtype=bool)
    inside[comm] = True
    cap = p.firm_capacity.astype(np.int64).copy()
    count = p.firm_max_packages.astype(np.int64).copy()
    res_free = np.ones(p.k, dtype=bool)
    for c in fixed:
        f = p.options[c.option].firm
        cap[f] -= c.weight
        count[f] -= 1
        res_free[list(c.resources)] = False
    options = [
        o
        for o, opt in enumerate(p.options)
        if cap[opt.firm] > 0
        and count[opt.firm] > 0
        and (opt.hub < 0 or inside[opt.hub])
        and inside[opt.candidates].any()
    ]
    return sub_problem(p, comm, options, cap, count, res_free)


def cut_out(
    p: Problem, plan: list[Column], region: set[int]
) -> tuple[SubProblem, list[Column], list[Column]]:
    """``region`` as a problem of its own with the packages of ``plan`` outside it fixed: the
    sub-problem, the packages inside it in the sub-problem's terms (a warm start) and the
    packages outside."""
    inside = [c for c in plan if set(c.members) <= region]
    outside = [c for c in plan if not set(c.members) <= region]
    sub = restrict(p, region, outside)
    warm = [c for c in (sub.to_sub(c) for c in inside) if c is not None]
    return sub, warm, outside


def grow_region(p: Problem, cols: list[Column], centre: int, size: int) -> set[int]:
    """Whole packages (and uncovered communities) met by a breadth-first walk from ``centre``
    on the proximity graph, until the region holds at least ``size`` communities."""
    owner = np.full(p.n, -1, dtype=np.int64)
    for k, c in enumerate(cols):
        owner[list(c.members)] = k
    region: set[int] = set()
    seen = {centre}
    queue = deque([centre])
    while queue and len(region) < size:
        i = queue.popleft()
        if i not in region:
            region.update(cols[owner[i]].members if owner[i] >= 0 else (i,))
        if p.adjacency is None:
            continue
        for b in p.adjacency[i]:
            b = int(b)
            if b not in seen:
                seen.add(b)
                queue.append(b)
    return region


@dataclass
class RegionOutcome:
    columns: list[Column]
    objective: float
    regions: int
    improved: int


def improve_by_regions(
    p: Problem,
    cols: list[Column],
    *,
    time_limit: float,
    workers: int,
    seed: int,
    size: int = 30,
    region_time: float = 4.0,
    clock: Clock | None = None,
    stop: Callable[[], bool] | None = None,
    on_improve: Callable[[float, list[Column]], None] | None = None,
    **joint_options: object,
) -> RegionOutcome:
    """Re-solve regions of the plan ``cols`` one after another within ``time_limit``.

    Centres are taken in a seeded random order, each community once per sweep; a sweep that
    improves nothing grows the regions. With ``workers=1`` each region's solve runs on
    deterministic work and is charged the work it did, so the whole search repeats exactly.
    """

    clock = clock or Clock(deterministic=workers == 1)
    stop = stop or (lambda: False)
    start = clock.now()
    rng = np.random.default_rng(seed)
    best = list(cols)
    best_obj = plan_objective(p, best)
    regions = improved = 0
    covered_by_last: set[frozenset[int]] = set()
    while clock.now() - start < time_limit - 0.5 and not stop():
        sweep_improved = False
        for centre in rng.permutation(p.n):
            left = time_limit - (clock.now() - start)
            if left < 0.5 or stop():
                break
            region = grow_region(p, best, int(centre), size)
            key = frozenset(region)
            if key in covered_by_last:
                continue  # solved already with the same packages around it
            covered_by_last.add(key)
            sub, init, outside = cut_out(p, best, region)
            if not sub.problem.options:
                continue
            budget = min(region_time, left)
            jr = solve_joint(
                sub.problem,
                time_limit=budget,
                workers=workers,
                seed=seed + regions,
                initial=[init],
                stop=stop,
                **joint_options,  # type: ignore[arg-type]
            )
            if clock.deterministic:
                clock.charge(jr.stats.get("work", budget))
            regions += 1
            if jr.objective is None:
                continue
            new_cols = [sub.to_full(p, c) for c in jr.columns]
            cand = outside + new_cols
            obj = plan_objective(p, cand)
            if obj < best_obj - 1e-6:
                best, best_obj = cand, obj
                improved += 1
                sweep_improved = True
                covered_by_last.clear()
                if on_improve is not None:
                    on_improve(obj, best)
        if not sweep_improved:
            size = int(size * 1.3) + 1
            covered_by_last.clear()
            if size > p.n:
                break
    return RegionOutcome(best, best_obj, regions, improved)
