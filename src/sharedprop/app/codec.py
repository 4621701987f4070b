"""Plans and locks as JSON values, for the workspace's files and the API."""

from __future__ import annotations

from typing import Any

from sharedprop.data import Lock
from sharedprop.errors import SharedpropError
from sharedprop.plan import Package, Plan


def plan_to_json(plan: Plan) -> dict[str, Any]:
    return {
        "name": plan.name,
        "packages": [
            {
                "id": p.id,
                "firm_id": p.firm_id,
                "members": list(p.members),
                "hub_id": p.hub_id,
                "resources": list(p.resources),
            }
            for p in plan.packages
        ],
    }


def plan_from_json(data: dict[str, Any]) -> Plan:
    try:
        packages = tuple(
            Package(
                id=str(p["id"]),
                firm_id=str(p["firm_id"]),
                members=tuple(str(m) for m in p["members"]),
                hub_id=None if p.get("hub_id") in (None, "") else str(p["hub_id"]),
                resources=tuple(str(r) for r in p.get("resources", ())),
            )
            for p in data["packages"]
        )
    except (KeyError, TypeError) as exc:
        raise SharedpropError(f"a stored plan is malformed ({type(exc).__name__}: {exc})") from exc
    return Plan(packages=packages, name=str(data.get("name", "plan")))


def locks_to_json(locks: tuple[Lock, ...]) -> list[dict[str, str]]:
    return [
        {"community_id": lk.community_id, "firm_id": lk.firm_id, "rule": lk.rule} for lk in locks
    ]


def locks_from_json(data: list[dict[str, Any]]) -> tuple[Lock, ...]:
    try:
        return tuple(Lock(str(d["community_id"]), str(d["firm_id"]), d["rule"]) for d in data)
    except (KeyError, TypeError) as exc:
        raise SharedpropError(f"stored locks are malformed ({type(exc).__name__}: {exc})") from exc
