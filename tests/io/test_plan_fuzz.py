"""Random corruptions of a valid plan file (and its resources companion) either read as a plan
the evaluator can score or raise PlanError — never anything else.

The plan is the tiny instance's manual plan (``conftest.py``) as ``sharedprop solve`` would
write it: ``plans/manual.csv`` with a ``hub_id`` column, and ``plans/manual_resources.csv``.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sharedprop.errors import PlanError
from sharedprop.evaluate import evaluate
from sharedprop.io.instances import load_instance
from sharedprop.io.plans import read_plan, write_plan
from sharedprop.plan import Plan

FILES = ("manual.csv", "manual_resources.csv")

cell_values = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", " ", "C01", "C99", "M1", "M2", "M3", "F1", "F2", "F9", "R1", "R9"]),
    st.sampled_from(["nan", "#N/A", '"', ",", "\n", "\ufeff", "C01;C02", "Ｃ01"]),
)
FUZZ = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def with_hubs(tiny_instance: Path) -> Path:
    """Rewrite the manual plan as the solver writes plans (hubs chosen by the evaluator)."""
    instance = load_instance(tiny_instance)
    path = tiny_instance / "plans" / "manual.csv"
    plan = read_plan(path, instance)
    hubs = {p.package_id: p.hub_id for p in evaluate(instance, plan).packages}
    write_plan(Plan(tuple(replace(p, hub_id=hubs[p.id]) for p in plan.packages)), path)
    return tiny_instance


def read_or_plan_error(folder: Path) -> None:
    instance = load_instance(folder)
    try:
        plan = read_plan(folder / "plans" / "manual.csv", instance)
    except PlanError as exc:
        assert exc.problems and all(isinstance(p, str) and p for p in exc.problems)
        return
    # A plan that reads names only what the instance has, so the evaluator can score it.
    ev = evaluate(instance, plan)
    assert ev.objective >= 0


def test_the_uncorrupted_plan_reads_with_its_hubs_and_resource(tiny_instance: Path) -> None:
    folder = with_hubs(tiny_instance)
    plan = read_plan(folder / "plans" / "manual.csv", load_instance(folder))
    assert [p.hub_id for p in plan.packages] != [None, None]
    assert plan.resource_assignment() == {"R1": "M1"}


@FUZZ
@given(data=st.data())
def test_replacing_random_plan_cells_reads_or_raises_plan_error(tiny_instance: Path, data) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = with_hubs(Path(shutil.copytree(tiny_instance, Path(tmp) / "i")))
        for _ in range(data.draw(st.integers(1, 4))):
            path = folder / "plans" / data.draw(st.sampled_from(FILES))
            lines = path.read_text(encoding="utf-8-sig").splitlines()
            r = data.draw(st.integers(0, len(lines) - 1))
            cols = lines[r].split(",")
            c = data.draw(st.integers(0, len(cols) - 1))
            cols[c] = data.draw(cell_values)
            lines[r] = ",".join(cols)
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        read_or_plan_error(folder)


@FUZZ
@given(data=st.data())
def test_flipping_random_plan_bytes_reads_or_raises_plan_error(tiny_instance: Path, data) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = with_hubs(Path(shutil.copytree(tiny_instance, Path(tmp) / "i")))
        path = folder / "plans" / data.draw(st.sampled_from(FILES))
        raw = bytearray(path.read_bytes())
        for _ in range(data.draw(st.integers(1, 6))):
            at = data.draw(st.integers(0, len(raw) - 1))
            raw[at] = data.draw(st.integers(0, 255))
        cut = data.draw(st.integers(0, len(raw)))
        path.write_bytes(bytes(raw[:cut]))
        read_or_plan_error(folder)
