"""The bound without contiguity in a forked child process (models/bounds/background.py).

Fixture: the shipped xiamen-pilot instance (proven optimum 563,820 yuan, docs/formulation.md),
whose bound without contiguity converges in a second or two. The solver's use of the child is
tested in ``tests/test_solver.py`` (region search section).
"""

import sys
import time
from pathlib import Path

import pytest

import sharedprop.models.bounds.background as background_module
from sharedprop import load_instance
from sharedprop.models.bounds.background import BackgroundBound
from sharedprop.models.bounds.without_contiguity import relaxed_lp_bound
from sharedprop.models.core.problem import problem_from_instance

PILOT = Path(__file__).resolve().parents[3] / "instances" / "xiamen-pilot"
PILOT_OPTIMUM = 563_820.0

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the child is forked: Linux only")


def test_the_child_reports_the_same_converged_bound_as_the_same_run_in_process() -> None:
    problem, _ = problem_from_instance(load_instance(PILOT))
    here, here_stats = relaxed_lp_bound(problem, time_limit=8)

    bound, stats = BackgroundBound(problem, time_limit=8).join(timeout=30)

    assert here_stats["converged"] and stats["converged"]
    # The converged LP is the same; the branching after it depends on the time each had.
    assert stats["root_bound"] == pytest.approx(here_stats["root_bound"], abs=1.0)
    assert stats["root_bound"] <= bound <= PILOT_OPTIMUM


def test_a_child_that_fails_says_why_and_gives_no_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise ValueError("no duals at all")

    # The child is forked, so it inherits the patched function.
    monkeypatch.setattr(background_module, "relaxed_lp_bound", broken)
    problem, _ = problem_from_instance(load_instance(PILOT))

    background = BackgroundBound(problem, time_limit=5)
    bound, stats = background.join(timeout=10)

    assert bound is None and stats == {}
    assert background.error == "ValueError: no duals at all"


def test_finishing_early_stops_the_child_and_keeps_its_bound_so_far() -> None:
    problem, _ = problem_from_instance(load_instance(PILOT))
    background = BackgroundBound(problem, time_limit=600)

    bound, _ = background.finish(timeout=5)

    assert not background._proc.is_alive()
    assert bound is None or bound <= PILOT_OPTIMUM


def test_each_bound_arrives_with_the_childs_statistics_so_far() -> None:
    """A parent that cannot wait for the child's last word (a round of pricing can outlast
    the half second it waits) still learns how many rounds led to the bound it got."""
    problem, _ = problem_from_instance(load_instance(PILOT))
    background = BackgroundBound(problem, time_limit=600)
    deadline = time.monotonic() + 60
    while background.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    bound = background.bound
    stats = dict(background.stats)
    background.finish(timeout=5)

    assert bound is not None and bound <= PILOT_OPTIMUM
    assert stats["rounds"] >= 0 and "columns" in stats and "weight_cuts" in stats


def test_once_the_root_is_settled_the_parent_hears_so_before_the_child_ends() -> None:
    """The pilot's root converges in a second or two; the child then branches for the rest of
    its 600 s. Its reports must say the root converged, not wait for the last word."""
    problem, _ = problem_from_instance(load_instance(PILOT))
    background = BackgroundBound(problem, time_limit=600)
    deadline = time.monotonic() + 60
    while "root_bound" not in background.stats and time.monotonic() < deadline:
        background.poll()
        time.sleep(0.05)
    stats = dict(background.stats)
    still_running = background._proc.is_alive()
    background.finish(timeout=5)

    assert still_running
    assert stats["converged"] and stats["root_bound"] <= PILOT_OPTIMUM
