"""Lower bounds that hold at every size, so every result can say how far its plan may be from
the best one: households shipped to firms as a transportation LP (a second even for a city),
and column generation without contiguity (knapsack pricing on compiled tables, then branching),
which runs in a second process beside the search for plans."""

from sharedprop.models.bounds.background import BackgroundBound
from sharedprop.models.bounds.transport import (
    CapacityRelaxation,
    capacity_bound,
    capacity_relaxation,
)
from sharedprop.models.bounds.without_contiguity import relaxed_lp_bound

__all__ = [
    "BackgroundBound",
    "CapacityRelaxation",
    "capacity_bound",
    "capacity_relaxation",
    "relaxed_lp_bound",
]
