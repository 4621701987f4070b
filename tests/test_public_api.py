"""The public API in ``sharedprop/__init__.py``: real functions with real signatures, documented,
and a package whose modules import one another without cycles."""

from __future__ import annotations

import ast
import doctest
import inspect
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

import sharedprop
from sharedprop.compare import compare_plans
from sharedprop.explain import explain_community

SRC = Path(sharedprop.__file__).parent

# The entry points a user calls first; each documents its parameters and what it returns.
ENTRY_POINTS = {
    "load_instance": sharedprop.load_instance,
    "evaluate": sharedprop.evaluate,
    "read_plan": sharedprop.read_plan,
    "write_plan": sharedprop.write_plan,
    "compare_plans": compare_plans,
    "explain_community": explain_community,
    "Plan": sharedprop.Plan,
    "Evaluation": sharedprop.Evaluation,
}


def test_solve_shows_the_solvers_own_signature() -> None:
    params = inspect.signature(sharedprop.solve).parameters
    names = ("time_limit", "seed", "workers", "strategy", "initial_plan", "on_progress", "stop")
    for name in names:
        assert name in params, name
        assert params[name].kind is inspect.Parameter.KEYWORD_ONLY


def test_public_functions_are_the_defining_modules_own_objects() -> None:
    from sharedprop.io.instances import load_instance
    from sharedprop.io.plans import read_plan, write_plan
    from sharedprop.solver import solve

    assert sharedprop.solve is solve
    assert sharedprop.load_instance is load_instance
    assert sharedprop.read_plan is read_plan
    assert sharedprop.write_plan is write_plan
    assert list(inspect.signature(sharedprop.load_instance).parameters) == ["path", "graph", "lang"]


@pytest.mark.parametrize("name", sharedprop.__all__)
def test_every_public_name_imports_and_is_documented(name: str) -> None:
    obj = getattr(sharedprop, name)
    if name == "__version__":
        assert isinstance(obj, str) and obj
        return
    assert obj.__module__.startswith("sharedprop.")
    doc = inspect.getdoc(obj) or ""
    # A dataclass without a docstring gets its signature as one.
    assert doc and not doc.startswith(f"{name}("), f"{name} has no docstring"
    assert name in dir(sharedprop)


def test_an_unknown_name_raises_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'solver_options'"):
        _ = sharedprop.solver_options


@pytest.mark.parametrize("name", ENTRY_POINTS)
def test_entry_points_have_numpydoc_parameters_and_returns(name: str) -> None:
    doc = inspect.getdoc(ENTRY_POINTS[name]) or ""
    sections = {"Parameters", "Attributes"} if inspect.isclass(ENTRY_POINTS[name]) else None
    if sections is None:
        assert "Parameters\n----------" in doc, name
        assert "Returns\n-------" in doc, name
    else:
        assert any(f"{s}\n{'-' * len(s)}" in doc for s in sections), name


def test_the_plan_example_runs_as_written() -> None:
    import sharedprop.plan

    results = doctest.testmod(sharedprop.plan)
    assert results.attempted > 0
    assert results.failed == 0


def _top_level_imports() -> nx.DiGraph:
    """Module → module it imports at its top level (``from pkg import submodule`` counts as the
    submodule, not the package's ``__init__``)."""
    modules = {}
    for path in SRC.rglob("*.py"):
        parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    graph = nx.DiGraph()
    for name, path in modules.items():
        graph.add_node(name)
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                subs = [f"{node.module}.{a.name}" for a in node.names]
                subs = [s for s in subs if s in modules]
                targets = subs if len(subs) == len(node.names) else [node.module, *subs]
            else:
                continue
            graph.add_edges_from((name, t) for t in targets if t in modules and t != name)
    return graph


def test_the_package_has_no_import_cycle() -> None:
    assert list(nx.simple_cycles(_top_level_imports())) == []


def test_no_module_below_the_report_imports_it() -> None:
    above = ("sharedprop.report", "sharedprop.outputs", "sharedprop.cli", "sharedprop.app")
    graph = _top_level_imports()
    upward = [
        (a, b)
        for a, b in graph.edges
        if b.startswith("sharedprop.report") and not a.startswith(above)
    ]
    assert upward == []


def test_the_report_imports_alone_without_loading_the_solver() -> None:
    # The report takes the version from its leaf module, and the package's __init__ (which
    # runs first) leaves the solver's heavy imports until `solve` is first used.
    code = "import sharedprop.report.html, sys; print('sharedprop.solver' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == "False"


def test_the_trade_off_functions_are_the_analysis_modules_own_objects() -> None:
    from sharedprop.analysis.frontier import frontier
    from sharedprop.analysis.stress import stress
    from sharedprop.analysis.sweep import sweep
    from sharedprop.analysis.whatif import whatif

    assert (sharedprop.frontier, sharedprop.whatif) == (frontier, whatif)
    assert (sharedprop.sweep, sharedprop.stress) == (sweep, stress)
    assert "executor" in inspect.signature(sharedprop.frontier).parameters


def test_building_the_command_line_does_not_import_the_solver() -> None:
    # Every command builds the whole parser; the solver's imports take seconds that
    # --time-limit counts, so only the commands that solve may load it, when they run.
    code = (
        "from sharedprop.cli import build_parser; import sys; build_parser(); "
        "print(sorted(m for m in ('sharedprop.solver', 'numba') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == "[]"
