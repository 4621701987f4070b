"""The questions a bureau decides on, each a set of solves or evaluations: what a coverage
floor costs, which candidate resources are worth bringing in, how a plan fares when the data
moves, and any grid of policy scenarios."""

from sharedprop.analysis.scenario import (
    Variation,
    apply_settings,
    parse_variation,
    scenario_grid,
    scenario_label,
)
from sharedprop.analysis.shock import Shock, parse_share, shocked
from sharedprop.analysis.stress import (
    Headroom,
    PackageStress,
    StressResult,
    collection_headroom,
    headroom_frame,
    stress,
)

__all__ = [
    "Headroom",
    "PackageStress",
    "Shock",
    "StressResult",
    "Variation",
    "apply_settings",
    "collection_headroom",
    "headroom_frame",
    "parse_share",
    "parse_variation",
    "scenario_grid",
    "scenario_label",
    "shocked",
    "stress",
]
