"""Charts in a real browser: the solve report's convergence chart and an analysis page's chart
are laid out with a size, and their Chinese labels are text the page holds (headless Debian
Chromium, offline; ``.ci/run`` installs it and a CJK font)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sharedprop import load_instance, read_plan
from sharedprop.analysis.frontier import frontier
from sharedprop.evaluate import evaluate
from sharedprop.outputs import write_outputs
from sharedprop.report.analysis_files import write_frontier
from sharedprop.result import ProgressPoint, Result
from tests.analysis.cases import two_communities
from tests.report.test_report_browser import CONSOLE, DATA, _run

pytestmark = pytest.mark.browser

# Written into the page after load: each chart's laid-out width and height.
MEASURE = (
    "<script>window.addEventListener('load', () => {"
    "document.querySelectorAll('.chart svg').forEach((s, k) => {"
    "const r = s.getBoundingClientRect();"
    "const size = Math.round(r.width) + 'x' + Math.round(r.height);"
    "document.body.setAttribute('data-chart-' + k, size);"
    "});});</script></body>"
)


def _sizes(page: Path, tmp: Path) -> tuple[dict[int, tuple[int, int]], str, list[str]]:
    measured = tmp / f"measured-{page.name}"
    measured.write_text(page.read_text(encoding="utf-8").replace("</body>", MEASURE), "utf-8")
    run = _run(["--dump-dom", "--virtual-time-budget=2000", measured.as_uri()], tmp)
    sizes = {
        int(k): (int(w), int(h))
        for k, w, h in re.findall(r'data-chart-(\d+)="(\d+)x(\d+)"', run.stdout)
    }
    return sizes, run.stdout, [ln for ln in run.stderr.splitlines() if CONSOLE.search(ln)]


def test_the_solve_report_draws_how_the_search_went(tmp_path: Path) -> None:
    street = load_instance(DATA / "tiny-street")
    plan = read_plan(DATA / "tiny-street-better.csv", street)
    ev = evaluate(street, plan)
    trace = (
        ProgressPoint(0.0, 2 * ev.objective, None, "start"),
        ProgressPoint(3.0, ev.objective, 0.8 * ev.objective, "better"),
    )
    result = Result("feasible", plan, ev.objective, 0.8 * ev.objective, 4.0, "joint", trace=trace)
    report = write_outputs(street, result, tmp_path / "out", evaluation=ev)["html"]

    sizes, dom, console = _sizes(report, tmp_path)

    assert console == []
    assert 'id="convergence"' in dom and "收敛过程" in dom
    assert sizes and all(w > 300 and h > 100 for w, h in sizes.values())


def test_a_frontier_page_draws_its_curve_with_chinese_labels(tmp_path: Path) -> None:
    instance = two_communities()
    result = frontier(instance, [0.0, 1.0], time_limit=30, work_limit=3, workers=1)
    write_frontier(instance, result, tmp_path / "frontier")

    sizes, dom, console = _sizes(tmp_path / "frontier" / "frontier.html", tmp_path)

    assert console == []
    assert "覆盖率下限" in dom and "财政资金" in dom
    assert sizes[0][0] > 300 and sizes[0][1] > 150
