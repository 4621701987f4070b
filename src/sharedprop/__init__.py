"""sharedprop: optimal shared property-management packages (共享物业) for street offices.

The public API::

    from sharedprop import load_instance, solve, evaluate
    inst = load_instance("instances/xiamen-pilot")
    result = solve(inst, time_limit=60, seed=0, workers=2)
    ev = evaluate(inst, result.plan)

and the trade-offs a bureau decides on (:mod:`sharedprop.analysis`): ``frontier`` (public money
against a coverage floor), ``whatif`` (candidate resources, firms leaving or growing),
``sweep`` (a grid of policy scenarios) and ``stress`` (a plan under changed data).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from sharedprop._version import __version__
from sharedprop.analysis.stress import stress
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
    from sharedprop.analysis.frontier import frontier
    from sharedprop.analysis.sweep import sweep
    from sharedprop.analysis.whatif import whatif
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
    "frontier",
    "load_instance",
    "read_plan",
    "solve",
    "stress",
    "sweep",
    "whatif",
    "write_instance_workbook",
    "write_plan",
    "write_template",
]


# The functions that solve, each in its own module (imported on first use, below).
_SOLVING = {
    "solve": "sharedprop.solver",
    "frontier": "sharedprop.analysis.frontier",
    "sweep": "sharedprop.analysis.sweep",
    "whatif": "sharedprop.analysis.whatif",
}


def __getattr__(name: str) -> Any:
    # The solver brings OR-Tools, SciPy and Numba (seconds to import); reading, scoring and
    # reporting plans need none of them, so the solving functions are imported on first use (PEP
    # 562). Each is the module's own function, with its own signature and docstring.
    if name in _SOLVING:
        module = importlib.import_module(_SOLVING[name])
        function = getattr(module, name)
        globals()[name] = function
        return function
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
