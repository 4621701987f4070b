"""Writing what a planner takes away: plan.xlsx, plan.geojson and report.html, atomically.

Every file is written to a temporary file in the same folder and then renamed over the target
(``os.replace`` is atomic on one file system), so an interrupted run leaves either the old file
or the complete new one — never half a plan. ``plan.csv``, ``plan_resources.csv`` and
``summary.json`` are written by ``sharedprop solve`` through :mod:`sharedprop.io.plans`;
:func:`write_summary_json` is offered for it.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sharedprop.data import Instance
from sharedprop.evaluate import Evaluation, evaluate
from sharedprop.io.atomic import atomic_write_bytes, atomic_write_text
from sharedprop.plan import Plan
from sharedprop.report.geojson import geojson_text
from sharedprop.report.html import render_report
from sharedprop.report.workbook import workbook_bytes
from sharedprop.result import Result

XLSX = "plan.xlsx"
GEOJSON = "plan.geojson"
HTML = "report.html"


def _num(v: float | None) -> float | None:
    return None if v is None or not math.isfinite(v) else v


def summary_dict(result: Result, evaluation: Evaluation | None) -> dict[str, Any]:
    """The run's figures as plain JSON values (no NaN / infinity). ``clock`` says which limit
    the search counted: ``"work"`` (``work_limit``, a repeatable run) or ``"wall"``
    (``time_limit`` alone); ``stopped_by`` what ended it."""
    out: dict[str, Any] = {
        "status": result.status,
        "objective": _num(result.objective),
        "best_bound": _num(result.best_bound),
        "gap": _num(result.gap),
        "runtime_s": _num(result.runtime_s),
        "strategy": result.strategy,
        "seed": result.seed,
        "workers": result.workers,
        "time_limit": _num(result.time_limit),
        "work_limit": _num(result.work_limit),
        "clock": "wall" if result.work_limit is None else "work",
        "stopped_by": result.stopped_by,
        "repeatable": result.repeatable,
        "time_to_incumbent_s": _num(result.time_to_incumbent_s),
        "reasons": list(result.reasons),
        "statistics": result.stats.to_json(),
    }
    if evaluation is not None:
        out |= {
            "public_money": evaluation.public_money,
            "subsidy": evaluation.subsidy,
            "fallback_cost": evaluation.fallback_cost,
            "total_cost": evaluation.total_cost,
            "revenue": evaluation.revenue,
            "coverage_households": evaluation.coverage_households,
            "total_households": evaluation.total_households,
            "packages": len(evaluation.packages),
            "firms_used": evaluation.firms_used,
            "uncovered": list(evaluation.uncovered),
            "broken": [str(v) for v in evaluation.broken],
        }
    return out


def write_summary_json(
    result: Result, evaluation: Evaluation | None, path: str | os.PathLike[str]
) -> Path:
    text = json.dumps(
        summary_dict(result, evaluation), ensure_ascii=False, indent=2, allow_nan=False
    )
    return atomic_write_text(path, text + "\n")


def write_outputs(
    instance: Instance,
    result: Result,
    out_dir: str | os.PathLike[str],
    *,
    evaluation: Evaluation | None = None,
    plans: Mapping[str, Plan] | None = None,
) -> dict[str, Path]:
    """Write plan.xlsx, plan.geojson and report.html into ``out_dir``; return them by kind.

    Without a plan (an infeasible or empty run) only report.html is written: it says why.
    ``plans`` are manual plans to compare with (name → plan); one that names unknown
    communities or firms is noted in the report rather than failing the run.
    """

    out = Path(out_dir)
    plan = result.plan
    if plan is not None and evaluation is None:
        evaluation = evaluate(instance, plan)
    written: dict[str, Path] = {}
    if plan is not None and evaluation is not None:
        written["xlsx"] = atomic_write_bytes(
            out / XLSX, workbook_bytes(instance, plan, evaluation, result)
        )
        written["geojson"] = atomic_write_text(
            out / GEOJSON, geojson_text(instance, plan, evaluation)
        )
    html = render_report(instance, plan, result=result, evaluation=evaluation, plans=plans)
    written["html"] = atomic_write_text(out / HTML, html)
    return written
