"""A brute-force reference optimum for tiny instances, independent of ``sharedprop.models``.

Every plan of a tiny instance is a set partition of its communities into packages plus an
uncovered rest, with a firm, a hub and a set of resources for each package. The plan objective
is a sum over packages (w_pm · subsidy + w_tc · cost) plus the fallback money of the uncovered,
and the rules split the same way: most concern one package alone; the rest (coverage, ``must``
locks, firm capacity and package count, a resource in one package) concern the whole plan.

So :func:`brute_force` scores every (members, firm, hub, resources) package once with
:func:`sharedprop.evaluate` on a one-package plan, keeps the packages that break no rule of
their own, and then enumerates every partition of the communities into such packages plus the
uncovered, checking the whole-plan rules as it goes. Dropping a branch whose partial objective
already reaches the best is exact because every term is non-negative. The best plan is scored
once more, whole, by ``evaluate``. :func:`every_plan` enumerates literally every plan (for the
self-check on the smallest instances); it is far slower.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sharedprop import Instance, Package, Plan, evaluate

# Rules only a whole plan can break; a single package breaking anything else is never usable.
WHOLE_PLAN_RULES = frozenset({"coverage", "lock_must", "min_coverage"})


@dataclass(frozen=True)
class Candidate:
    """One usable package: its best hub for (members, firm, resources) and its objective."""

    members: frozenset[int]
    firm: int
    hub: int
    resources: frozenset[int]
    households: int
    value: float


@dataclass(frozen=True)
class BruteForceOptimum:
    """The best feasible plan of an instance (``plan`` and ``objective`` None when none exists)."""

    objective: float | None
    plan: Plan | None
    packages_scored: int


def _subsets(items: Sequence[int]) -> Iterator[tuple[int, ...]]:
    for size in range(len(items) + 1):
        yield from itertools.combinations(items, size)


def _package(instance: Instance, members, firm: int, hub: int, resources, pid: str) -> Package:
    return Package(
        id=pid,
        firm_id=instance.firms[firm].id,
        members=tuple(instance.communities[i].id for i in sorted(members)),
        hub_id=instance.communities[hub].id,
        resources=tuple(instance.resources[r].id for r in sorted(resources)),
    )


def package_candidates(instance: Instance) -> tuple[dict[int, list[Candidate]], int]:
    """Usable packages grouped by their first member, and how many packages were scored."""
    n, m, k = len(instance.communities), len(instance.firms), len(instance.resources)
    w = instance.objective
    by_first: dict[int, list[Candidate]] = {i: [] for i in range(n)}
    scored = 0
    for members in _subsets(range(n)):
        if not members:
            continue
        hh = sum(instance.communities[i].households for i in members)
        for f in range(m):
            for res in _subsets(range(k)):
                best: Candidate | None = None
                for h in members:
                    pkg = _package(instance, members, f, h, res, "P")
                    ev = evaluate(instance, Plan((pkg,)))
                    scored += 1
                    if any(v.rule not in WHOLE_PLAN_RULES for v in ev.broken):
                        continue
                    value = w.weight_public_money * ev.subsidy + w.weight_total_cost * ev.total_cost
                    if best is None or value < best.value:
                        best = Candidate(frozenset(members), f, h, frozenset(res), hh, value)
                if best is not None:
                    by_first[members[0]].append(best)
    return by_first, scored


def brute_force(instance: Instance) -> BruteForceOptimum:
    """The least objective over every plan that breaks no rule, found by exhaustive search."""
    n = len(instance.communities)
    pol, w = instance.policy, instance.objective
    by_first, scored = package_candidates(instance)
    firm_pos = instance.firm_index
    must: dict[int, set[int]] = {}
    for lk in instance.locks:
        if lk.rule == "must":
            must.setdefault(instance.community_index[lk.community_id], set()).add(
                firm_pos[lk.firm_id]
            )
    fallback = [
        w.weight_public_money * pol.fallback_cost_per_household * c.households
        for c in instance.communities
    ]
    capacity = [f.capacity_households for f in instance.firms]
    max_packages = [f.max_packages for f in instance.firms]
    used_hh = [0] * len(instance.firms)
    used_pk = [0] * len(instance.firms)
    need = pol.required_households(instance.total_households)

    best_value = float("inf")
    best_plan: list[Candidate] = []
    chosen: list[Candidate] = []

    def search(left: frozenset[int], used_res: frozenset[int], value: float) -> None:
        nonlocal best_value, best_plan
        if value >= best_value:
            return
        if not left:
            if sum(c.households for c in chosen) >= need:
                best_value, best_plan = value, list(chosen)
            return
        i = min(left)
        if pol.allow_uncovered and i not in must:
            search(left - {i}, used_res, value + fallback[i])
        for cand in by_first[i]:
            f = cand.firm
            if not cand.members <= left or cand.resources & used_res:
                continue
            if used_hh[f] + cand.households > capacity[f] or used_pk[f] + 1 > max_packages[f]:
                continue
            if any(must.get(j, {f}) != {f} for j in cand.members):
                continue
            used_hh[f] += cand.households
            used_pk[f] += 1
            chosen.append(cand)
            search(left - cand.members, used_res | cand.resources, value + cand.value)
            chosen.pop()
            used_hh[f] -= cand.households
            used_pk[f] -= 1

    search(frozenset(range(n)), frozenset(), 0.0)
    if not best_plan and best_value == float("inf"):
        return BruteForceOptimum(None, None, scored)
    plan = Plan(
        tuple(
            _package(instance, c.members, c.firm, c.hub, c.resources, f"B{k}")
            for k, c in enumerate(best_plan, start=1)
        ),
        name="brute-force",
    )
    # The sum of one-package scores must be what the evaluator says of the whole plan.
    ev = evaluate(instance, plan)
    assert not ev.broken, ev.broken
    assert abs(ev.objective - best_value) < 1e-6 * max(1.0, abs(best_value)), (
        ev.objective,
        best_value,
    )
    return BruteForceOptimum(ev.objective, plan, scored)


def every_plan(instance: Instance) -> Iterator[Plan]:
    """Literally every plan: each community uncovered or in a package, every firm, hub and
    resource assignment. Only for the smallest instances (it grows like Bell numbers times
    (firms · hubs) per package times (packages + 1) per resource)."""
    n, m, k = len(instance.communities), len(instance.firms), len(instance.resources)

    def partitions(items: list[int]) -> Iterator[list[list[int]]]:
        if not items:
            yield []
            return
        first, rest = items[0], items[1:]
        for smaller in partitions(rest):
            for j in range(len(smaller)):
                yield [*smaller[:j], [first, *smaller[j]], *smaller[j + 1 :]]
            yield [[first], *smaller]

    for covered in _subsets(range(n)):
        for blocks in partitions(list(covered)):
            for firms in itertools.product(range(m), repeat=len(blocks)):
                for hubs in itertools.product(*blocks):
                    # Each resource goes to no package (-1) or to one of the blocks.
                    for owner in itertools.product(range(-1, len(blocks)), repeat=k):
                        yield Plan(
                            tuple(
                                _package(
                                    instance,
                                    block,
                                    firms[b],
                                    hubs[b],
                                    [r for r in range(k) if owner[r] == b],
                                    f"E{b}",
                                )
                                for b, block in enumerate(blocks)
                            ),
                            name="enumerated",
                        )


def best_of_every_plan(instance: Instance) -> float | None:
    """The least objective over :func:`every_plan` with no broken rule (None if none)."""
    best: float | None = None
    for plan in every_plan(instance):
        ev = evaluate(instance, plan)
        if not ev.broken and (best is None or ev.objective < best):
            best = ev.objective
    return best
