"""Changed data for a stress test: collection, fee rates and households moved by a share.

A shock is relative: ``collection=-0.10`` multiplies every community's collection rate by 0.9
(capped at 1, since a rate is a share), ``fee_rate=+0.05`` raises every fee rate by 5 %,
``households=+0.03`` adds 3 % households (rounded, at least one). The plan is not changed; only
the data it is scored against.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from sharedprop.data import Community, Instance


@dataclass(frozen=True, slots=True)
class Shock:
    """Relative changes to the communities' data; 0 leaves a field as it is."""

    collection: float = 0.0
    fee_rate: float = 0.0
    households: float = 0.0

    def __post_init__(self) -> None:
        for name in ("collection", "fee_rate", "households"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value >= -1.0):
                raise ValueError(
                    f"shock: {name} must be a share of at least -1 (-100 %), got {value!r}"
                )

    @property
    def is_empty(self) -> bool:
        return self.collection == 0 and self.fee_rate == 0 and self.households == 0

    def describe(self) -> str:
        """The shock in words, e.g. ``collection -10 %, households +3 %``."""
        parts = [
            f"{label} {value:+.0%}".replace("%", " %")
            for label, value in (
                ("collection", self.collection),
                ("fee rate", self.fee_rate),
                ("households", self.households),
            )
            if value
        ]
        return ", ".join(parts) or "no change"

    def apply(self, community: Community) -> Community:
        """``community`` with the shock applied."""
        return replace(
            community,
            collection_rate=min(1.0, community.collection_rate * (1.0 + self.collection)),
            fee_rate=community.fee_rate * (1.0 + self.fee_rate),
            households=max(1, round(community.households * (1.0 + self.households))),
        )


def shocked(instance: Instance, shock: Shock) -> Instance:
    """The same instance (firms, resources, graph, rules) with every community shocked."""
    if shock.is_empty:
        return instance
    return replace(instance, communities=tuple(shock.apply(c) for c in instance.communities))


def parse_share(text: str) -> float:
    """``"-10%"``, ``"-10 %"``, ``"-0.1"`` or ``"+3%"`` as a share (-0.1, -0.1, -0.1, 0.03)."""
    raw = text.strip().replace(" ", "")
    try:
        if raw.endswith("%"):
            return float(raw[:-1]) / 100.0
        return float(raw)
    except ValueError:
        raise ValueError(
            f"{text!r} is not a share: write a percentage such as -10% or a number such as -0.1"
        ) from None
