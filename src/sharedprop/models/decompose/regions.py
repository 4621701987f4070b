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
from sharedprop.models.core.result import JointResult
from sharedprop.models.core.run import RunContext
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
    # The packages outside hold their households; the region covers what the floor still asks.
    needed = p.min_covered_weight - sum(c.weight for c in fixed)
    return sub_problem(p, comm, options, cap, count, res_free, needed)


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
    run: RunContext,
    *,
    size: int = 30,
    region_time: float = 4.0,
    clock: Clock | None = None,
    on_improve: Callable[[float, list[Column], float], None] | None = None,
    **joint_options: object,
) -> RegionOutcome:
    """Re-solve regions of the plan ``cols`` one after another within ``run.limit``.

    Centres are taken in a seeded random order, each community once per sweep; a sweep that
    improves nothing grows the regions. On a deterministic clock (``run.work_limit``) each
    region's solve counts work and is charged the work it did, so the whole search repeats
    exactly. ``clock`` (default: a new one of the run's kind) is charged the regions' work;
    ``on_improve(objective, plan, spent)`` hears of every better plan, ``spent`` on that clock.
    """

    clock = clock or run.clock()
    start = clock.now()
    rng = np.random.default_rng(run.seed)
    search = _RegionSearch(p, cols)
    while clock.now() - start < run.limit - 0.5 and not run.stopped():
        sweep_improved = False
        for centre in rng.permutation(p.n):
            left = run.limit - (clock.now() - start)
            if left < 0.5 or run.stopped():
                break
            region = search.next_region(int(centre), size)
            if region is None:
                continue
            sub, init, outside = region
            jr = solve_joint(
                sub.problem,
                time_limit=min(region_time, left),
                workers=run.workers,
                seed=run.seed + search.regions,
                initial=[init],
                stop=run.stopped,
                deterministic=run.deterministic,
                **joint_options,  # type: ignore[arg-type]
            )
            clock.charge(jr.stats.get("work", min(region_time, left)))
            if search.keep(sub, outside, jr):
                sweep_improved = True
                if on_improve is not None:
                    on_improve(search.best_obj, search.best, clock.now() - start)
        if not sweep_improved:
            size = int(size * 1.3) + 1
            search.tried.clear()
            if size > p.n:
                break
    return RegionOutcome(search.best, search.best_obj, search.regions, search.improved)


class _RegionSearch:
    """The incumbent of a region search, the regions tried around it, and the counts."""

    def __init__(self, p: Problem, cols: list[Column]) -> None:
        self.p = p
        self.best = list(cols)
        self.best_obj = plan_objective(p, self.best)
        self.regions = self.improved = 0
        self.tried: set[frozenset[int]] = set()  # regions solved with the same packages around

    def next_region(
        self, centre: int, size: int
    ) -> tuple[SubProblem, list[Column], list[Column]] | None:
        """The region grown from ``centre`` cut out of the incumbent, or None if it was tried
        already with the same packages around it or has no option."""
        region = grow_region(self.p, self.best, centre, size)
        key = frozenset(region)
        if key in self.tried:
            return None
        self.tried.add(key)
        sub, init, outside = cut_out(self.p, self.best, region)
        return None if not sub.problem.options else (sub, init, outside)

    def keep(self, sub: SubProblem, outside: list[Column], jr: JointResult) -> bool:
        """Count a region's solve and keep its plan if the whole plan gets cheaper."""
        self.regions += 1
        if jr.objective is None:
            return False
        cand = outside + [sub.to_full(self.p, c) for c in jr.columns]
        obj = plan_objective(self.p, cand)
        if obj >= self.best_obj - 1e-6:
            return False
        self.best, self.best_obj = cand, obj
        self.improved += 1
        self.tried.clear()
        return True
