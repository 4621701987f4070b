"""What every model shares: the array-level problem, columns (whole packages) and their pool,
the master's duals, the work clock for repeatable runs, the CP-SAT runner and the result type."""

from sharedprop.models.core.clock import Clock
from sharedprop.models.core.columns import (
    Column,
    ColumnPool,
    best_resources,
    make_column,
    plan_objective,
)
from sharedprop.models.core.cpsat import Progress, Status, solve_model
from sharedprop.models.core.duals import FEN, Duals, WeightCut
from sharedprop.models.core.problem import (
    InstanceMaps,
    PackageOption,
    Problem,
    is_connected,
    problem_from_facility_location,
    problem_from_instance,
)
from sharedprop.models.core.result import JointResult

__all__ = [
    "FEN",
    "Clock",
    "Column",
    "ColumnPool",
    "Duals",
    "InstanceMaps",
    "JointResult",
    "PackageOption",
    "Problem",
    "Progress",
    "Status",
    "WeightCut",
    "best_resources",
    "is_connected",
    "make_column",
    "plan_objective",
    "problem_from_facility_location",
    "problem_from_instance",
    "solve_model",
]
