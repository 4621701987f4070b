"""sharedprop: optimal shared property-management packages (共享物业) for street offices.

The public API::

    from sharedprop import load_instance, solve, evaluate
    inst = load_instance("instances/xiamen-pilot")
    result = solve(inst, time_limit=60, seed=0, workers=2)
    ev = evaluate(inst, result.plan)
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from os import PathLike

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


def load_instance(path, *, graph=None, lang=None):
    """Read an instance folder (CSV or XLSX files) or one ``.xlsx`` workbook; see
    :func:`sharedprop.io.instances.load_instance`."""
    from sharedprop.io.instances import load_instance as _load

    return _load(path, graph=graph, lang=lang)


def from_frames(communities, firms, resources=None, edges=None, locks=None, policy=None,
                objective=None, **kwargs):  # fmt: skip
    """Build an instance from pandas DataFrames; see :func:`sharedprop.io.frames.from_frames`."""
    from sharedprop.io.frames import from_frames as _from_frames

    return _from_frames(communities, firms, resources, edges, locks, policy, objective, **kwargs)


def solve(instance, **kwargs):
    """Optimise ``instance`` (an :class:`Instance`, or the path of an instance folder or
    workbook); see :func:`sharedprop.solver.solve`."""
    from sharedprop.solver import solve as _solve

    if isinstance(instance, str | PathLike):
        instance = load_instance(instance)
    return _solve(instance, **kwargs)


def write_instance_workbook(instance, path):
    """Save ``instance`` as one workbook; see :func:`sharedprop.io.template.write_instance_workbook`."""
    from sharedprop.io.template import write_instance_workbook as _write

    return _write(instance, path)


def write_template(path, *, streets=()):
    """Write the instance workbook a planner fills in; see :mod:`sharedprop.io.template`."""
    from sharedprop.io.template import write_template as _write

    return _write(path, streets=streets)


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
    "from_frames",
    "load_instance",
    "read_plan",
    "solve",
    "write_instance_workbook",
    "write_plan",
    "write_template",
    "__version__",
]
