"""Property tests: whatever valid instance comes in, ``solve`` hands out a plan that obeys every
rule, costs what it says, and survives being written and read back.

Two sources of random valid instances, both with a bounded number of examples so CI is stable:
Python-built planar instances of 7–12 communities (every policy switch drawn, see
``tests/models/tiny_instances.py``; the tiny ones are checked against brute force in
``tests/models/test_brute_force.py``) and generated Xiamen-like folders (haversine distances,
read through the loader). Corrupted files are covered by ``tests/io/test_loader_fuzz.py`` and
``tests/io/test_plan_fuzz.py``.
"""

from __future__ import annotations

from pathlib import Path
from tempfile import TemporaryDirectory

import pytest
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st

from sharedprop import Instance, evaluate, load_instance, read_plan, solve, write_plan
from sharedprop.generate import generate_instance
from sharedprop.io.plans import canonical_plan
from tests.models.tiny_instances import instances

YUAN = 0.5

# Shrinking re-solves every smaller example (minutes on a failure); the unshrunk example is
# printed in full.
BOUNDED = {
    "deadline": None,
    "derandomize": True,
    "phases": [Phase.explicit, Phase.generate],
    "suppress_health_check": [HealthCheck.too_slow],
}


def check_solved_plan(instance: Instance, time_limit: float) -> None:
    result = solve(instance, time_limit=120, work_limit=time_limit, workers=1)
    note(f"{result.status} objective {result.objective} bound {result.best_bound}")
    assert result.status in {"optimal", "feasible", "infeasible", "unknown"}
    assert (result.plan is None) == (result.objective is None)
    if result.plan is None:
        assert result.status != "optimal"
        return
    ev = evaluate(instance, result.plan)
    assert ev.broken == ()
    assert result.objective == pytest.approx(ev.objective, abs=YUAN)
    if result.best_bound is not None:
        assert result.best_bound <= result.objective + YUAN

    with TemporaryDirectory() as tmp:
        path = Path(tmp) / "plan.csv"
        write_plan(canonical_plan(result.plan), path)
        back = read_plan(path, instance)
    assert back.packages == canonical_plan(result.plan).packages
    assert evaluate(instance, back).objective == pytest.approx(ev.objective, abs=1e-6)


@settings(max_examples=20, **BOUNDED)
@given(instances(n=(7, 12), m=(1, 4), k=(0, 3), span_m=2500, max_locks=2))
def test_random_planar_instances_get_plans_that_obey_every_rule(instance: Instance) -> None:
    check_solved_plan(instance, time_limit=1.5)


@settings(max_examples=5, **BOUNDED)
@given(
    communities=st.integers(8, 30),
    streets=st.integers(1, 2),
    firms=st.integers(1, 4),
    resources=st.integers(0, 4),
    seed=st.integers(0, 10**6),
)
def test_random_generated_folders_get_plans_that_obey_every_rule(
    communities: int, streets: int, firms: int, resources: int, seed: int
) -> None:
    with TemporaryDirectory() as tmp:
        folder = generate_instance(
            Path(tmp) / "i",
            communities=communities,
            streets=streets,
            firms=firms,
            resources=resources,
            seed=seed,
        )
        instance = load_instance(folder)
    check_solved_plan(instance, time_limit=1.5)
