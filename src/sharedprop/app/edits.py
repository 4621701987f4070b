"""A planner's hand edits of a plan and of the locks, as pure functions.

Nothing is scored here: the workbench hands every edited plan to :func:`sharedprop.evaluate`.
When a package loses its hub, or changes firm, its ``hub_id`` is cleared so that the evaluator
picks the contract's default hub (the member minimising Σ d(member, hub) + d(firm, hub)).
"""

from __future__ import annotations

from dataclasses import replace

from sharedprop.app.i18n import _
from sharedprop.data import Instance, Lock
from sharedprop.errors import SharedpropError
from sharedprop.plan import Package, Plan


class EditError(SharedpropError):
    """An edit that names something the instance or plan does not have."""


def _without(plan: Plan, cid: str) -> tuple[Package, ...]:
    out = []
    for p in plan.packages:
        if cid not in p.members:
            out.append(p)
            continue
        members = tuple(m for m in p.members if m != cid)
        if members:  # an emptied package disappears, and its resources with it
            out.append(replace(p, members=members, hub_id=None if p.hub_id == cid else p.hub_id))
    return tuple(out)


def move_community(plan: Plan, cid: str, package_id: str | None) -> Plan:
    """``cid`` into package ``package_id``, or uncovered when it is ``None``."""
    if package_id is not None and package_id not in plan.package_by_id:
        raise EditError(_("no package {id} in the plan").format(id=package_id))
    rest = _without(plan, cid)
    if package_id is None:
        return replace(plan, packages=rest)
    moved = tuple(replace(p, members=(*p.members, cid)) if p.id == package_id else p for p in rest)
    return replace(plan, packages=moved)


def fresh_package_id(plan: Plan, prefix: str = "N") -> str:
    ids = {p.id for p in plan.packages}
    k = 1
    while f"{prefix}{k}" in ids:
        k += 1
    return f"{prefix}{k}"


def new_package(plan: Plan, cid: str, firm_id: str) -> Plan:
    """A package of its own for ``cid``, run by ``firm_id`` from ``cid``."""
    rest = replace(plan, packages=_without(plan, cid))
    pkg = Package(fresh_package_id(rest), firm_id, (cid,), cid)
    return replace(rest, packages=(*rest.packages, pkg))


def set_firm(plan: Plan, package_id: str, firm_id: str) -> Plan:
    """Package ``package_id`` run by ``firm_id`` (its hub chosen again by the contract's rule)."""
    if package_id not in plan.package_by_id:
        raise EditError(_("no package {id} in the plan").format(id=package_id))
    return replace(
        plan,
        packages=tuple(
            replace(p, firm_id=firm_id, hub_id=None) if p.id == package_id else p
            for p in plan.packages
        ),
    )


def check_ids(instance: Instance, cid: str | None = None, firm_id: str | None = None) -> None:
    if cid is not None and cid not in instance.community_index:
        raise EditError(_("no community {id} in the instance").format(id=cid))
    if firm_id is not None and firm_id not in instance.firm_index:
        raise EditError(_("no firm {id} in the instance").format(id=firm_id))


def add_lock(locks: tuple[Lock, ...], lock: Lock) -> tuple[Lock, ...]:
    """``locks`` plus ``lock``, without the locks it contradicts.

    A ``must`` replaces the community's other ``must`` locks and a ``forbid`` of the same firm; a
    ``forbid`` replaces a ``must`` of the same firm (the loader refuses such pairs).
    """
    cid, fid = lock.community_id, lock.firm_id

    def clashes(other: Lock) -> bool:
        if other.community_id != cid:
            return False
        if other.firm_id == fid:
            return True
        return lock.rule == "must" and other.rule == "must"

    return (*(lk for lk in locks if not clashes(lk)), lock)


def remove_locks(locks: tuple[Lock, ...], cid: str, firm_id: str | None = None) -> tuple[Lock, ...]:
    """``locks`` without those of ``cid`` (only the one on ``firm_id`` when given)."""
    return tuple(
        lk
        for lk in locks
        if not (lk.community_id == cid and (firm_id is None or lk.firm_id == firm_id))
    )


def edit_locks(instance: Instance, plan: Plan, edited: frozenset[str]) -> tuple[Lock, ...]:
    """The hand edits as locks, for "optimise the rest": each edited community keeps its firm
    (``must``), or stays uncovered (``forbid`` for every firm)."""
    firm_of = {m: p.firm_id for p in plan.packages for m in p.members}
    out: list[Lock] = []
    for cid in sorted(edited):
        if cid in firm_of:
            out.append(Lock(cid, firm_of[cid], "must"))
        else:
            out += [Lock(cid, f.id, "forbid") for f in instance.firms]
    return tuple(out)
