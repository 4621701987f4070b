"""The HTML comparison report of ``sharedprop compare``: plans side by side, maps side by side.

The same offline, self-contained page style as report.html (both are built from
:mod:`sharedprop.report.page`): the metric table with every plan as a column and its change
against the first plan, the rules each plan breaks, the communities that move from the first plan
to each other one, and one map per plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from sharedprop.compare import Comparison
from sharedprop.data import Instance
from sharedprop.formatting import plural
from sharedprop.plan import Plan
from sharedprop.report.page import CSS, SORT_JS, Col, broken_list, h2, move_rows, table, td
from sharedprop.report.svgmap import svg_map

EXTRA_CSS = """
.maps { display:grid; grid-template-columns: repeat(auto-fit, minmax(480px, 1fr)); gap:12px; }
.maps h3 { margin: 4px 4px 6px; }
"""


def _moves(instance: Instance, cmp: Comparison, name: str) -> str:
    moves = cmp.moves[name]
    title = f"From “{cmp.reference}” to “{name}”"
    if not moves:
        return f"<h3>{escape(title)}</h3><p>No community changes package or firm.</p>"

    rows = move_rows(instance, moves)
    cols = [Col("Community"), Col("Households", True), Col(f"In “{cmp.reference}”"),
            Col(f"In “{name}”"), Col("Change")]  # fmt: skip
    return (
        f"<h3>{escape(title)}: {plural(len(moves), 'community', 'communities')} move</h3>"
        + table(cols, rows)
    )


def render_comparison(instance: Instance, cmp: Comparison, plans: Mapping[str, Plan]) -> str:
    """The comparison as one self-contained HTML page."""
    head = [Col("")] + [Col(f"“{n}”", True) for n in cmp.names]
    rows = [
        [td(escape(label.strip()))] + [td(escape(c), numeric=True) for c in cells]
        for label, cells in cmp.rows()
    ]
    body = [
        f'<h1>Plan comparison <span class="zh">· 方案对比</span></h1>'
        f'<p class="sub">Instance <b>{escape(instance.name)}</b> · '
        f"{plural(len(cmp.names), 'plan')}; changes are against “{escape(cmp.reference)}”.</p>",
        h2("Side by side", "对比", "table"),
        '<p class="note">Money in yuan per year.</p>',
        table(head, rows, sortable=False),
    ]
    broken = [broken_list(cmp.evaluations[n], f"“{n}” breaks") for n in cmp.names]
    if any(broken):
        body += [h2("Broken rules", "违规", "broken"), *broken]
    if len(cmp.names) > 1:
        body.append(h2("Communities that move", "调整的小区", "moves"))
        body += [_moves(instance, cmp, n) for n in cmp.names[1:]]
    maps = "".join(
        f'<div class="mapbox"><h3>“{escape(n)}”</h3>'
        f"{svg_map(instance, plans[n], cmp.evaluations[n])}</div>"
        for n in cmp.names
    )
    body += [h2("Maps", "地图", "maps"), f'<div class="maps">{maps}</div>']
    title = f"Plan comparison — {instance.name}"
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}{EXTRA_CSS}</style></head>"
        f"<body><main>{''.join(body)}</main><script>{SORT_JS}</script></body></html>\n"
    )
