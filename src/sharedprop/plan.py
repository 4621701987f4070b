"""Plans: which communities form which package, run by which firm, from which hub.

A :class:`Plan` is plain data and knows nothing of costs; :func:`sharedprop.evaluate` scores it.
Reading and writing the plan CSV lives in :mod:`sharedprop.io.plans`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd


@dataclass(frozen=True, slots=True)
class Package:
    """Communities served together by one firm from one hub (片区 / 服务包).

    ``hub_id`` may be ``None`` (manual plans usually lack it); the evaluator then picks the member
    minimising Σ d(member, hub) + d(firm, hub), as the contract says.
    """

    id: str
    firm_id: str
    members: tuple[str, ...]
    hub_id: str | None = None
    resources: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Plan:
    """A whole assignment: a tuple of packages. Communities in no package are uncovered.

    Plain data that knows nothing of costs: :func:`sharedprop.evaluate` scores it, whoever made
    it (the solver, a planner's spreadsheet, :func:`sharedprop.read_plan`).

    Parameters
    ----------
    packages
        The packages, each a firm, its member communities, an optional hub and the resources
        bundled into it.
    name
        What reports and comparisons call the plan (``read_plan`` uses the file's stem).
    meta
        Free text about how the plan was made (strategy, seed, …); not compared.

    Examples
    --------
    >>> from sharedprop import Package, Plan
    >>> plan = Plan((Package("P1", "F1", ("C1", "C2"), hub_id="C1"),), name="draft")
    >>> plan.package_of()
    {'C1': 'P1', 'C2': 'P1'}
    """

    packages: tuple[Package, ...] = ()
    name: str = "plan"
    meta: Mapping[str, str] = field(default_factory=dict, compare=False)

    @property
    def package_by_id(self) -> dict[str, Package]:
        return {p.id: p for p in self.packages}

    def package_of(self) -> dict[str, str]:
        """community id → package id (first package wins if a plan lists a community twice)."""
        out: dict[str, str] = {}
        for p in self.packages:
            for m in p.members:
                out.setdefault(m, p.id)
        return out

    def covered(self) -> set[str]:
        return {m for p in self.packages for m in p.members}

    def resource_assignment(self) -> dict[str, str]:
        """resource id → package id."""
        return {r: p.id for p in self.packages for r in p.resources}

    # -- pandas at the edge ---------------------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        """One row per (community, package): ``community_id, package_id, firm_id, hub_id``."""
        rows = [
            {"community_id": m, "package_id": p.id, "firm_id": p.firm_id, "hub_id": p.hub_id or ""}
            for p in self.packages
            for m in p.members
        ]
        return pd.DataFrame(rows, columns=["community_id", "package_id", "firm_id", "hub_id"])

    def resources_frame(self) -> pd.DataFrame:
        rows = [{"resource_id": r, "package_id": p.id} for p in self.packages for r in p.resources]
        return pd.DataFrame(rows, columns=["resource_id", "package_id"])

    @classmethod
    def from_assignments(
        cls,
        rows: Iterable[tuple[str, str, str, str | None]],
        resources: Mapping[str, str] | None = None,
        name: str = "plan",
    ) -> Plan:
        """Build from ``(community_id, package_id, firm_id, hub_id)`` rows (hub may be None).

        Packages keep the order of their first appearance; members keep row order.
        """
        order: list[str] = []
        members: dict[str, list[str]] = {}
        firm: dict[str, str] = {}
        hub: dict[str, str | None] = {}
        for cid, pid, fid, hid in rows:
            if pid not in members:
                order.append(pid)
                members[pid] = []
                firm[pid] = fid
                hub[pid] = hid or None
            members[pid].append(cid)
            if hid and not hub[pid]:
                hub[pid] = hid
        res_by_pkg: dict[str, list[str]] = {}
        for rid, pid in (resources or {}).items():
            res_by_pkg.setdefault(pid, []).append(rid)
        pkgs = tuple(
            Package(
                id=pid,
                firm_id=firm[pid],
                members=tuple(members[pid]),
                hub_id=hub[pid],
                resources=tuple(res_by_pkg.get(pid, ())),
            )
            for pid in order
        )
        return cls(packages=pkgs, name=name)

    @classmethod
    def from_frame(
        cls, frame: pd.DataFrame, resources: pd.DataFrame | None = None, name: str = "plan"
    ) -> Plan:
        """Inverse of :meth:`to_frame` (rows with an empty ``package_id`` are uncovered)."""
        rows = []
        for rec in frame.to_dict("records"):
            pid = str(rec.get("package_id") or "").strip()
            if not pid or pid.lower() == "nan":
                continue
            hid = rec.get("hub_id")
            hid = None if hid is None or str(hid).strip() in ("", "nan") else str(hid).strip()
            rows.append((str(rec["community_id"]).strip(), pid, str(rec["firm_id"]).strip(), hid))
        res = None
        if resources is not None and len(resources):
            res = {
                str(r["resource_id"]).strip(): str(r["package_id"]).strip()
                for r in resources.to_dict("records")
            }
        return cls.from_assignments(rows, res, name=name)
