"""One offline page for an analysis (frontier, what-if, stress, sweep): a title, charts as
inline SVG, and the analysis's table, sortable, every value escaped."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

import pandas as pd

from sharedprop._version import __version__
from sharedprop.report.page import CSS, SORT_JS, Col, table, td

MONEY_COLUMNS = {
    "objective",
    "public_money",
    "bound",
    "subsidy",
    "total_cost",
    "estimate",
    "saving",
    "saving_low",
    "saving_high",
    "subsidy_before",
    "subsidy_after",
    "extra_subsidy",
    "cost_before",
    "cost_after",
    "revenue_before",
    "revenue_after",
    "fee_revenue",
}
SHARE_COLUMNS = {
    "gap",
    "coverage",
    "min_coverage",
    "collection_fall",
    "mean_collection_rate",
    "break_even_collection_rate",
}


@dataclass(frozen=True)
class Section:
    """A heading (English and Chinese) and its HTML (already escaped)."""

    en: str
    zh: str
    html: str


def _cell(column: str, value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return td("—", numeric=True, sort="")
    if isinstance(value, bool):
        return td("yes" if value else "no", sort=int(value))
    if isinstance(value, int | float):
        if column in MONEY_COLUMNS:
            return td(f"{value:,.0f}", numeric=True, sort=value)
        if column in SHARE_COLUMNS:
            return td(f"{value:.1%}", numeric=True, sort=value)
        return td(f"{value:,.6g}", numeric=True, sort=value)
    return td(escape(str(value)), sort=str(value))


def frame_table(frame: pd.DataFrame) -> str:
    """A DataFrame as a sortable table; money in whole yuan, shares in percent."""
    cols = [Col(str(c), pd.api.types.is_numeric_dtype(frame[c])) for c in frame.columns]
    rows = [
        [_cell(str(c), row[c]) for c in frame.columns] for row in frame.to_dict(orient="records")
    ]
    return table(cols, rows)


def analysis_page(
    title: str, title_zh: str, lines: Sequence[str], sections: Sequence[Section]
) -> str:
    """The whole page as one HTML string: ``lines`` are plain sentences under the title."""
    intro = "".join(f"<p>{escape(line)}</p>" for line in lines)
    body = "".join(
        f'<h2>{escape(s.en)} <span class="zh">· {escape(s.zh)}</span></h2>{s.html}'
        for s in sections
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{CSS}"
        ".chart svg{max-width:100%;height:auto}</style></head><body><main>"
        f'<h1>{escape(title)} <span class="zh">· {escape(title_zh)}</span></h1>{intro}{body}'
        f'<p class="muted">sharedprop {escape(__version__)}</p></main>'
        f"<script>{SORT_JS}</script></body></html>"
    )


def chart(svg_text: str) -> str:
    """An inline SVG chart (matplotlib's own markup, no instance text unescaped in it)."""
    return f'<div class="chart">{svg_text}</div>'
