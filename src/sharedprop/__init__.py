"""sharedprop: optimal shared property-management packages (共享物业) for street offices.

The public API::

    from sharedprop import load_instance, solve, evaluate
    inst = load_instance("instances/xiamen-pilot")
    result = solve(inst, time_limit=60, seed=0, workers=2)
    ev = evaluate(inst, result.plan)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sharedprop._version import __version__
from sharedprop.data import (
    Community,
    Firm,
    Instance,
    Lock,
    ObjectiveWeights,
    Policy,
    Resource,
)
from sharedprop.errors import InstanceError, PlanError, SharedpropError
from sharedprop.evaluate import Evaluation, FirmMetrics, PackageMetrics, Violation, evaluate
from sharedprop.io.frames import from_frames
from sharedprop.io.instances import load_instance
from sharedprop.io.plans import read_plan, write_plan
from sharedprop.io.template import write_instance_workbook, write_template
from sharedprop.plan import Package, Plan
from sharedprop.result import ProgressPoint, Result

if TYPE_CHECKING:
    from sharedprop.solver import solve

__all__ = [
    "Community",
    "Evaluation",
    "Firm",
    "FirmMetrics",
    "Instance",
    "InstanceError",
    "Lock",
    "ObjectiveWeights",
    "Package",
    "PackageMetrics",
    "Plan",
    "PlanError",
    "Policy",
    "ProgressPoint",
    "Resource",
    "Result",
    "SharedpropError",
    "Violation",
    "__version__",
    "evaluate",
    "from_frames",
    "load_instance",
    "read_plan",
    "solve",
    "write_instance_workbook",
    "write_plan",
    "write_template",
]


def __getattr__(name: str) -> Any:
    # The solver brings OR-Tools, SciPy and Numba (seconds to import); reading, scoring and
    # reporting plans need none of them, so `solve` is imported on first use (PEP 562). It is
    # the solver's own function, with its own signature and docstring.
    if name == "solve":
        from sharedprop.solver import solve

        globals()["solve"] = solve
        return solve
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
