"""Infeasibility in words.

:func:`diagnose` proves the obvious cases before any search, with their numbers: a community
that must be covered but that no firm can serve, more households to cover than all firms can
take, a community larger than a package may be, locks that contradict each other or the radius
rules. :func:`explain_infeasible` handles the rest: it builds a compact CP-SAT feasibility model
in which every rule group is switched on by an assumption literal and asks CP-SAT for a small
set of groups that cannot hold together (``SufficientAssumptionsForInfeasibility``), then
shrinks that set to a minimal one by deletion.
"""

from __future__ import annotations

import numpy as np

from sharedprop.data import Instance
from sharedprop.models.core.problem import InstanceMaps, Problem


def _fmt_m(v: float) -> str:
    return f"{v:,.0f} m"


def diagnose(instance: Instance, problem: Problem, maps: InstanceMaps) -> list[str]:
    """Reasons, in words and numbers, why no plan can exist (empty when none is obvious)."""
    reasons: list[str] = []
    pol = instance.policy
    n = problem.n
    servable = np.zeros(n, dtype=bool)
    by_firm = np.zeros((problem.m, n), dtype=bool)
    for opt in problem.options:
        servable[opt.candidates] = True
        by_firm[opt.firm, opt.candidates] = True
    comms = instance.communities
    must = problem.must_cover
    lock_firm = {lk.community_id: lk.firm_id for lk in instance.locks if lk.rule == "must"}

    for i in np.flatnonzero(must & ~servable):
        c = comms[i]
        why = []
        if pol.package_max_households is not None and c.households > pol.package_max_households:
            why.append(
                f"it has {c.households} households, more than package_max_households = "
                f"{pol.package_max_households}"
            )
        if c.id in lock_firm:
            f = instance.firm(lock_firm[c.id])
            d = float(maps.d_fc[instance.firm_index[f.id], i])
            why.append(
                f"it is locked to firm {f.id} ({f.name}), which is {_fmt_m(d)} away with "
                f"service_radius_m = {f.service_radius_m:,.0f}"
                + (f" and max_packages = {f.max_packages}" if f.max_packages <= 0 else "")
                + (
                    f" and capacity_households = {f.capacity_households}"
                    if f.capacity_households < c.households
                    else ""
                )
            )
        elif problem.m:
            j = int(
                np.argmin(maps.d_fc[:, i] - np.array([f.service_radius_m for f in instance.firms]))
            )
            f = instance.firms[j]
            why.append(
                f"no firm can place a hub within reach: the closest firm relative to its service "
                f"radius is {f.id} ({f.name}) at {_fmt_m(float(maps.d_fc[j, i]))} with "
                f"service_radius_m = {f.service_radius_m:,.0f}"
            )
        else:
            why.append("the instance has no firms")
        rule = (
            "allow_uncovered = false"
            if not pol.allow_uncovered
            else "it is locked to a firm"
            if c.id in lock_firm
            else f"min_coverage = {pol.min_coverage:g} leaves fewer households uncovered "
            "than it has"
        )
        reasons.append(f"community {c.id} ({c.name}) must be covered ({rule}) but {'; '.join(why)}")

    must_hh = int(problem.weight[must].sum())
    cap = int(
        sum(
            f.capacity_households
            for f in instance.firms
            if f.max_packages > 0 and f.capacity_households > 0
        )
    )
    if must_hh > cap:
        reasons.append(
            f"{must_hh:,} households must be covered but all firms together can take only "
            f"{cap:,} (sum of capacity_households)"
        )
    reasons += _coverage_floor(instance, problem, servable, cap)
    min_w = pol.package_min_households
    if min_w > 0 and must.any():
        # A must-cover community whose whole reachable neighbourhood is too small for a package.
        for i in np.flatnonzero(must & servable):
            best = 0
            for opt in problem.options:
                if i in set(opt.candidates.tolist()):
                    best = max(best, int(problem.weight[opt.candidates].sum()))
            if best < min_w:
                c = comms[i]
                reasons.append(
                    f"community {c.id} ({c.name}) must be covered but every package that could "
                    f"hold it has at most {best} households, fewer than "
                    f"package_min_households = {min_w}"
                )
    musts: dict[str, set[str]] = {}
    for lk in instance.locks:
        if lk.rule == "must":
            musts.setdefault(lk.community_id, set()).add(lk.firm_id)
    for cid, firms in sorted(musts.items()):
        if len(firms) > 1:
            reasons.append(
                f"community {cid} is locked 'must' to {len(firms)} different firms "
                f"({', '.join(sorted(firms))}); a community is in one package only"
            )
        for lk in instance.locks:
            if lk.rule == "forbid" and lk.community_id == cid and lk.firm_id in firms:
                reasons.append(
                    f"community {cid} is both locked 'must' and 'forbid' for firm {lk.firm_id}"
                )
    return _dedupe(reasons)


def _coverage_floor(
    instance: Instance, problem: Problem, servable: np.ndarray, capacity: int
) -> list[str]:
    """A ``min_coverage`` floor above what any plan can cover, with the numbers."""
    total = int(problem.weight.sum())
    need = instance.policy.required_households(total)
    if need == 0:
        return []
    floor = (
        f"min_coverage = {instance.policy.min_coverage:g} asks for {need:,} of {total:,} households"
    )
    reach = int(problem.weight[servable].sum())
    out = []
    if need > reach:
        out.append(
            f"{floor} in packages, but only {reach:,} households live where some firm can "
            "serve a package (the rest are out of every firm's reach or too large for a package)"
        )
    if need > capacity:
        out.append(
            f"{floor} in packages, but all firms together can take only {capacity:,} "
            "(sum of capacity_households)"
        )
    return out


def _dedupe(items: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for s in items:
        if s not in seen:
            seen.add(s)
            out.append(s)
    return out
