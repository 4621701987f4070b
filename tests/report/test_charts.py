"""Charts: what each one draws is read back from the SVG it writes (text stays text)."""

import re

from sharedprop.report.charts import (
    Bar,
    FrontierPoint,
    convergence_chart,
    frontier_chart,
    grouped_chart,
    png,
    ranking_chart,
    svg,
)


def test_a_frontier_chart_draws_one_marker_per_point_and_keeps_chinese_labels_as_text() -> None:
    points = [
        FrontierPoint(0.5, 0.52, 100_000.0, 90_000.0, False),
        FrontierPoint(0.8, 0.81, 300_000.0, 300_000.0, True),
        FrontierPoint(1.0, 1.0, 600_000.0, 550_000.0, False),
    ]
    text = svg(frontier_chart(points))
    assert text.startswith("<svg")
    assert "覆盖率下限" in text and "财政资金" in text
    assert "80%" in text  # the floor axis is in percent


def test_a_frontier_chart_skips_points_without_a_plan() -> None:
    points = [FrontierPoint(0.5, None, None, None, False), FrontierPoint(0.6, 0.6, 1e5, 1e5, True)]
    assert "<svg" in svg(frontier_chart(points))


def test_a_ranking_chart_labels_every_bar_and_says_which_are_estimates() -> None:
    bars = [Bar("R07 市政保洁", 30_000.0, True), Bar("R09 公房", 12_000.0, False, 2_000.0)]
    text = svg(ranking_chart(bars, "saving, yuan/yr", "Candidate resources"))
    assert "R07 市政保洁" in text and "R09 公房" in text
    assert "estimate or gap" in text and "proven" in text


def test_a_convergence_chart_and_a_grouped_chart_render_as_png() -> None:
    fig = convergence_chart([0.0, 1.0, 5.0], [9e5, 8e5, 7e5], [None, 5e5, 6.5e5], 10.0)
    data = png(fig)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    grouped = svg(grouped_chart(["a", "b"], {"plan": [1.0, 2.0], "bound": [0.5, None]}, "y", "t"))
    assert len(re.findall(r"<g id=\"patch_", grouped)) >= 4
