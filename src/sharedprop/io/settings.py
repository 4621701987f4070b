"""The instance's settings: name, distance, coordinates, and the ``policy`` and ``objective`` keys.

They come from ``instance.toml`` (typed values), from the key/value sheets of a workbook (cell
text, parsed here: ``true``, ``是``, ``80%``) or from a caller's dicts. Every problem names the
place the source gives for the key (``instance.toml [policy]``, ``sheet policy row 5``).
Unknown ``policy``/``objective`` keys are errors, with the closest known key suggested: a
misspelt limit would otherwise be silently ignored and change the optimum.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from sharedprop.data import (
    COORDINATE_SYSTEMS,
    DISTANCE_KINDS,
    ObjectiveWeights,
    Policy,
    objective_problems,
    policy_problems,
)
from sharedprop.i18n import tr
from sharedprop.io.source import Source
from sharedprop.io.tables import cell_text, parse_flag, parse_number

POLICY_FIELDS = {f.name: f for f in fields(Policy)}
OBJECTIVE_FIELDS = {f.name: f for f in fields(ObjectiveWeights)}
# Policy keys that hold a count of households (whole numbers).
POLICY_COUNTS = {"package_max_households", "package_min_households"}


@dataclass(frozen=True)
class Settings:
    """The validated settings; ``policy``/``objective`` are None when they had problems."""

    name: str
    description: str
    distance: str
    coordinates: str
    policy: Policy | None
    objective: ObjectiveWeights | None


def suggest(key: str, known: Mapping[str, Any]) -> str:
    close = difflib.get_close_matches(key, list(known), n=1)
    return tr(" (did you mean {key}?)", key=close[0]) if close else ""


def _choice(
    values: Mapping[str, Any], key: str, allowed: tuple[str, ...], source: Source, problems: list
) -> str:
    value = values.get(key)
    if value is None or (source.text_settings and cell_text(value) == ""):
        return allowed[0]
    norm = str(value).strip().lower().replace("-", "").replace("_", "")
    if not isinstance(value, str) or norm not in allowed:
        problems.append(
            tr(
                "{where}: {key} must be one of {allowed}, got {value}",
                where=source.setting("instance", key),
                key=key,
                allowed=", ".join(allowed),
                value=repr(value),
            )  # fmt: skip
        )
        return allowed[0]
    return norm


def _not_a_number(where: str, key: str, value: Any) -> str:
    return tr("{where}: {key} must be a number, got {value}", where=where, key=key,
              value=repr(value))  # fmt: skip


def _typed_value(key: str, value: Any, default: Any, where: str, text: bool, problems: list) -> Any:
    """``value`` with the type of ``default``, or None with a problem."""
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
        flag = parse_flag(cell_text(value)) if text else None
        if flag is None:
            problems.append(
                tr("{where}: {key} must be true or false, got {value}", where=where, key=key,
                   value=repr(value))
            )  # fmt: skip
        return flag
    if text and isinstance(value, str):
        number = parse_number(value)
        if number is None:
            problems.append(_not_a_number(where, key, value))
            return None
        value = number
    if isinstance(value, bool) or not isinstance(value, int | float):
        problems.append(_not_a_number(where, key, value))
        return None
    if key in POLICY_COUNTS:
        if not float(value).is_integer():
            problems.append(
                tr("{where}: {key} must be a whole number, got {value}", where=where, key=key,
                   value=repr(value))
            )  # fmt: skip
            return None
        return int(value)
    return float(value)


def typed_section(
    values: Mapping[str, Any],
    section: str,
    known: Mapping[str, Any],
    source: Source,
    problems: list[str],
) -> dict[str, Any]:
    """Check the keys and types of one section; the ranges are checked by the caller."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        where = source.setting(section, key)
        if key not in known:
            problems.append(
                tr(
                    "{where}: unknown key {key}{suggestion}; known keys: {known}",
                    where=where,
                    key=key,
                    suggestion=suggest(key, known),
                    known=", ".join(known),
                )  # fmt: skip
            )
            continue
        if value is None or (source.text_settings and cell_text(value) == ""):
            continue  # an empty cell keeps the default
        typed = _typed_value(key, value, known[key].default, where, source.text_settings, problems)
        if typed is not None:
            out[key] = typed
    return out


def _section(
    values: Mapping[str, Any] | Policy | ObjectiveWeights | None,
    cls: type,
    section: str,
    source: Source,
    problems: list[str],
) -> Any:
    if isinstance(values, cls):
        return values
    if values is not None and not isinstance(values, Mapping):
        problems.append(
            f"{source.setting(section)}: must be a {cls.__name__} or a mapping of keys to values, "
            f"got {type(values).__name__}"
        )
        return None
    known = POLICY_FIELDS if cls is Policy else OBJECTIVE_FIELDS
    n_before = len(problems)
    typed = typed_section(values or {}, section, known, source, problems)
    check = policy_problems if cls is Policy else objective_problems
    problems += [
        tr("{where}: {problem}", where=source.setting(section, key), problem=msg)
        for key, msg in check(typed)
    ]
    return cls(**typed) if len(problems) == n_before else None


def read_settings(
    instance: Mapping[str, Any],
    policy: Mapping[str, Any] | Policy | None,
    objective: Mapping[str, Any] | ObjectiveWeights | None,
    source: Source,
    problems: list[str],
    *,
    default_name: str = "instance",
) -> Settings:
    """Validate every setting; problems are appended to ``problems``."""
    name = instance.get("name")
    if name is None or (source.text_settings and cell_text(name) == ""):
        name = default_name
    if not isinstance(name, str) or not name.strip():
        problems.append(
            f"{source.setting('instance', 'name')}: name must be a non-empty text, got {name!r}"
        )
        name = default_name
    description = instance.get("description") or ""
    if not isinstance(description, str):
        problems.append(
            f"{source.setting('instance', 'description')}: description must be text, "
            f"got {description!r}"
        )
        description = ""
    distance = _choice(instance, "distance", DISTANCE_KINDS, source, problems)
    coordinates = _choice(instance, "coordinates", COORDINATE_SYSTEMS, source, problems)
    if distance == "euclidean" and coordinates != "wgs84":
        problems.append(
            f"{source.setting('instance', 'coordinates')}: coordinates = {coordinates!r} needs "
            'distance = "haversine"; planar (euclidean) coordinates are not map coordinates, '
            'so use coordinates = "wgs84"'
        )
    return Settings(
        name=name.strip(),
        description=description,
        distance=distance,
        coordinates=coordinates,
        policy=_section(policy, Policy, "policy", source, problems),
        objective=_section(objective, ObjectiveWeights, "objective", source, problems),
    )
