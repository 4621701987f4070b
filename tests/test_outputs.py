"""Writing the planner's files: atomically, all three next to each other, or just the report.

Fixture: ``tests/data/tiny-street`` with the hand-made plan ``tiny-street-better.csv`` as a fake
solver result and the manual plan to compare with.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from sharedprop import load_instance, read_plan
from sharedprop import outputs as O
from sharedprop.evaluate import evaluate
from sharedprop.result import Result, SolveStatistics, StreetStatistics

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="module")
def street():
    return load_instance(DATA / "tiny-street")


@pytest.fixture(scope="module")
def better(street):
    return read_plan(DATA / "tiny-street-better.csv", street)


def _result(plan, objective=239_939.59, status="feasible"):
    return Result(status, plan, objective, 230_000.0, 12.3, "joint", seed=3, workers=2)


def test_write_outputs_writes_the_workbook_the_geojson_and_the_report_together(
    tmp_path, street, better
):
    manual = read_plan(DATA / "tiny-street" / "plans" / "manual.csv", street)
    written = O.write_outputs(street, _result(better), tmp_path / "out", plans={"manual": manual})
    assert {k: p.name for k, p in written.items()} == {
        "xlsx": "plan.xlsx", "geojson": "plan.geojson", "html": "report.html"
    }  # fmt: skip
    assert all(p.parent == tmp_path / "out" and p.stat().st_size > 0 for p in written.values())
    assert json.loads(written["geojson"].read_text(encoding="utf-8"))["type"] == "FeatureCollection"
    assert "Compared with “manual”" in written["html"].read_text(encoding="utf-8")
    assert oct(os.stat(written["html"]).st_mode & 0o777) == "0o644"


def test_without_a_plan_only_the_report_is_written_and_it_says_why(tmp_path, street):
    result = Result("infeasible", None, None, None, 0.2, "joint", reasons=("capacity 10 < 885",))
    written = O.write_outputs(street, result, tmp_path)
    assert list(written) == ["html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]
    assert "capacity 10 &lt; 885" in written["html"].read_text(encoding="utf-8")


def test_summary_json_has_the_run_and_the_plan_figures(tmp_path, street, better):
    ev = evaluate(street, better)
    path = O.write_summary_json(_result(better, ev.objective), ev, tmp_path / "summary.json")
    summary = json.loads(path.read_text(encoding="utf-8"))
    assert summary["status"] == "feasible" and summary["strategy"] == "joint"
    assert summary["public_money"] == pytest.approx(ev.public_money)
    assert summary["gap"] == pytest.approx((ev.objective - 230_000) / ev.objective)
    assert summary["coverage_households"] == 855 and summary["uncovered"] == ["C9"]
    assert (summary["seed"], summary["workers"]) == (3, 2)


def test_summary_json_says_which_limit_the_search_counted_and_what_ended_it(
    tmp_path, street, better
):
    ev = evaluate(street, better)
    statistics = SolveStatistics(
        capacity_bound=np.float64(229_000.5),
        relaxed_rounds=np.int64(7),
        streets=StreetStatistics(blocks=2, block_status=["optimal", "feasible"]),
        search={"rounds": np.int64(12), "lp_value": float("nan"), "cuts": [1, 2], "note": "x"},
    )
    repeatable = replace(
        _result(better, ev.objective),
        time_limit=120.0,
        work_limit=30.0,
        stopped_by="work",
        stats=statistics,
    )
    path = O.write_summary_json(repeatable, ev, tmp_path / "summary.json")
    summary = json.loads(path.read_text(encoding="utf-8"))
    assert (summary["clock"], summary["work_limit"], summary["time_limit"]) == ("work", 30, 120)
    assert summary["stopped_by"] == "work" and summary["repeatable"] is True
    stats = summary["statistics"]
    assert (stats["capacity_bound"], stats["relaxed_rounds"]) == (229_000.5, 7)
    assert stats["streets"]["block_status"] == ["optimal", "feasible"]
    # Of the model's own counters only plain finite numbers and words are kept.
    assert stats["search"] == {"rounds": 12, "note": "x"}

    cut = replace(repeatable, stopped_by="time")
    assert O.summary_dict(cut, ev)["repeatable"] is False
    wall = O.summary_dict(_result(better, ev.objective), ev)
    assert (wall["clock"], wall["work_limit"], wall["repeatable"]) == ("wall", None, False)
