"""sharedprop: optimal shared property-management packages (共享物业) for street offices.

The public API::

    from sharedprop import load_instance, solve, evaluate
    inst = load_instance("instances/xiamen-pilot")
    result = solve(inst, time_limit=60, seed=0, workers=2)
    ev = evaluate(inst, result.plan)
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

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
from sharedprop.plan import Package, Plan
from sharedprop.result import ProgressPoint, Result

try:
    __version__ = version("sharedprop")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+src"


def load_instance(path, *, graph=None):
    """Read an instance folder (CSV or XLSX files); see
    :func:`sharedprop.io.instances.load_instance`."""
    from sharedprop.io.instances import load_instance as _load

    return _load(path, graph=graph)


def __getattr__(name: str):
    # ``solve`` is :func:`sharedprop.solver.solve` itself (its signature and docstring), imported
    # on first use so that ``import sharedprop`` stays light (no OR-Tools, no Numba).
    if name == "solve":
        from sharedprop.solver import solve

        return solve
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def read_plan(path, instance=None):
    """Read a plan CSV/XLSX (and its ``_resources`` companion); see :mod:`sharedprop.io.plans`."""
    from sharedprop.io.plans import read_plan as _read

    return _read(path, instance)


def write_plan(plan, path):
    """Write ``plan`` as the contract's plan CSV plus ``<plan>_resources.csv``."""
    from sharedprop.io.plans import write_plan as _write

    return _write(plan, path)


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
    "evaluate",
    "load_instance",
    "read_plan",
    "solve",
    "write_plan",
    "__version__",
]
