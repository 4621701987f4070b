"""The street-scale runner scores its plans with ``evaluate`` and reports bounds that hold.

Fixture: one generated street of 20 communities, 2 firms and 2 resources, solved for 3 work
units with one worker (repeatable), so the test runs in seconds; the acceptance run's quality is
measured by the benchmark itself, not here.
"""

from __future__ import annotations

import csv

import pytest

from benchmarks import street_scale


def test_a_small_run_writes_rows_whose_bounds_stay_below_their_evaluated_plans(tmp_path) -> None:
    rows = street_scale.run([3], 60.0, 1, tmp_path, 20, 1, 2, 2, "auto", work_limit=3.0)
    (row,) = rows
    (written,) = csv.DictReader((tmp_path / "street_scale_n20.csv").open(encoding="utf-8"))
    assert written["seed"] == "3" and written["workers"] == "1"
    assert (written["work_limit"], written["time_limit"]) == ("3.0", "60.0")
    assert written["stopped_by"] in {"work", "proof"}
    assert row["broken"] == 0
    # The solver's objective is the evaluator's, to the yuan.
    assert abs(row["objective"] - row["evaluated"]) < 0.5
    assert row["bound"] <= row["evaluated"] + 0.01
    if row["bound_without_contiguity"] != "":
        assert row["bound_without_contiguity"] <= row["evaluated"] + 0.01
    assert not row["bound_note"].startswith("error")
    assert row["ratio_to_manual"] == round(row["public_money"] / row["manual_public_money"], 4)


def test_one_worker_counts_work_so_its_rows_compare_with_earlier_one_worker_rows() -> None:
    """``--time-limit 60 --workers 1`` searches 60 work units, as one worker did before wall
    clock and work were told apart, under a generous wall-clock limit."""
    assert street_scale.limits(60.0, None, 1) == (street_scale.WALL_PER_WORK * 60.0, 60.0)
    assert street_scale.limits(300.0, 60.0, 1) == (300.0, 60.0)
    assert street_scale.limits(60.0, None, 2) == (60.0, None)
    with pytest.raises(SystemExit, match=r"--work-limit needs --workers 1"):
        street_scale.limits(60.0, 30.0, 2)
