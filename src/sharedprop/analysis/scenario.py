"""Scenarios: an instance with some of its settings changed, named by what changed.

A variation is written as on the command line, ``policy.package_max_households=900,1200,1500``
or ``objective.weight_total_cost=0,0.05``: a table (``policy`` or ``objective``), one of its
keys from the contract, and the values to try. :func:`scenario_grid` crosses several variations
into every combination; :func:`apply_settings` makes the instance of one combination. Values are
validated by the same dataclasses as a loaded instance, so a wrong value fails with the same
sentence.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

from sharedprop.data import Instance, ObjectiveWeights, Policy
from sharedprop.errors import InstanceError

TABLES: dict[str, type] = {"policy": Policy, "objective": ObjectiveWeights}
# Settings that change the proximity graph, which is built when the instance is read (from
# edges.csv, or from link_max_m without it): a scenario cannot change them after loading.
GRAPH_SETTINGS = ("policy.link_max_m",)
# Written for "no limit" in a variation: the contract's default for the optional limits.
NO_LIMIT = ("none", "no limit", "unlimited", "")


@dataclass(frozen=True, slots=True)
class Variation:
    """One setting and the values to try for it."""

    table: str
    key: str
    values: tuple[Any, ...]

    @property
    def name(self) -> str:
        return f"{self.table}.{self.key}"


def _field_types(table: str) -> dict[str, str]:
    return {f.name: str(f.type) for f in fields(TABLES[table])}


def _convert(table: str, key: str, text: str) -> Any:
    kind = _field_types(table)[key]
    raw = text.strip()
    if "None" in kind and raw.lower() in NO_LIMIT:
        return None
    if kind.startswith("bool"):
        low = raw.lower()
        if low in ("true", "1", "yes"):
            return True
        if low in ("false", "0", "no"):
            return False
        raise InstanceError(f"{table}.{key}: {raw!r} is not true or false")
    try:
        number = float(raw)
    except ValueError:
        raise InstanceError(f"{table}.{key}: {raw!r} is not a number") from None
    if kind.startswith("int"):
        if not math.isfinite(number) or number != int(number):
            raise InstanceError(f"{table}.{key}: {raw!r} is not a whole number")
        return int(number)
    return number


def parse_variation(text: str) -> Variation:
    """``"policy.package_max_households=900,1200"`` as a :class:`Variation`.

    Raises :class:`InstanceError` naming the part that is wrong: the form, the table, the key
    (with the keys that exist) or a value.
    """
    name, sep, values = text.partition("=")
    table, dot, key = name.strip().partition(".")
    if not sep or not dot or not values.strip():
        raise InstanceError(
            f"variation {text!r}: write TABLE.KEY=V1,V2,... such as "
            "policy.package_max_households=900,1200"
        )
    if table not in TABLES:
        raise InstanceError(
            f"variation {text!r}: the table must be one of {', '.join(TABLES)}, got {table!r}"
        )
    known = _field_types(table)
    if f"{table}.{key}" in GRAPH_SETTINGS:
        raise InstanceError(
            f"variation {text!r}: {key} shapes the proximity graph, which is built when the "
            "instance is read; make one instance folder per value instead"
        )
    if key not in known:
        raise InstanceError(
            f"variation {text!r}: {table} has no key {key!r}; its keys are {', '.join(known)}"
        )
    parsed = tuple(_convert(table, key, v) for v in values.split(","))
    if len(set(parsed)) != len(parsed):
        raise InstanceError(f"variation {text!r}: a value is listed twice")
    return Variation(table, key, parsed)


def scenario_grid(variations: Sequence[Variation]) -> list[dict[str, Any]]:
    """Every combination of the variations' values, as ``{"policy.key": value, ...}``, in the
    order the variations and their values were given."""
    names = [v.name for v in variations]
    if len(set(names)) != len(names):
        raise InstanceError("the same setting is varied twice")
    return [
        dict(zip(names, combo, strict=True))
        for combo in itertools.product(*(v.values for v in variations))
    ]


def apply_settings(instance: Instance, settings: Mapping[str, Any]) -> Instance:
    """``instance`` with ``{"policy.key": value, "objective.key": value}`` applied."""
    changes: dict[str, dict[str, Any]] = {}
    for name, value in settings.items():
        table, _, key = name.partition(".")
        if table not in TABLES or key not in _field_types(table) or name in GRAPH_SETTINGS:
            raise InstanceError(f"setting {name!r} cannot be varied")
        changes.setdefault(table, {})[key] = value
    return replace(
        instance,
        **{table: replace(getattr(instance, table), **kv) for table, kv in changes.items()},
    )


def scenario_label(settings: Mapping[str, Any]) -> str:
    """A short readable name, e.g. ``package_max_households=900, weight_total_cost=0.05``."""
    if not settings:
        return "as given"
    return ", ".join(
        f"{name.partition('.')[2]}={'none' if v is None else v}" for name, v in settings.items()
    )
