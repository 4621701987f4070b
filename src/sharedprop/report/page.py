"""The building blocks of sharedprop's HTML pages (report.html and the comparison page).

Offline and self-contained: the style and the few lines of script that make tables sortable
are inlined in every page. Every piece of text that comes from the instance is escaped here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape

from sharedprop.compare import Move
from sharedprop.data import Instance
from sharedprop.evaluate import Evaluation
from sharedprop.formatting import count

CSS = """
:root { --ink:#1d2330; --muted:#5b6475; --line:#dfe3ea; --bg:#fbfbf9; --accent:#332288; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink); line-height:1.5;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
    "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Noto Sans SC",
    "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif; }
main { max-width: 1160px; margin: 0 auto; padding: 24px 20px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 36px 0 10px; padding-bottom: 4px; border-bottom: 2px solid
var(--line); }
h2 .zh, h1 .zh { color: var(--muted); font-weight: 500; }
h3 { font-size: 15px; margin: 18px 0 6px; }
.sub { color: var(--muted); margin: 0; }
.note { color: var(--muted); font-size: 13px; margin: 0 0 6px; }
.desc { color: var(--muted); font-size: 14px; max-width: 80ch; }
.badge { display:inline-block; padding:1px 10px; border-radius:10px; color:#fff; font-size:13px;
  font-weight:600; vertical-align: middle; }
.badge.optimal { background:#117733; } .badge.feasible { background:#2f5d9e; }
.badge.infeasible { background:#AA3377; } .badge.unknown, .badge.evaluated { background:#666; }
.cards { display:grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap:10px;
  margin-top: 18px; }
.card { background:#fff; border:1px solid var(--line); border-radius:8px; padding:10px 14px; }
.card .k { color:var(--muted); font-size:13px; }
.card .v { font-size:22px; font-weight:700; font-variant-numeric: tabular-nums; }
.card .n { color:var(--muted); font-size:12px; }
.card.main { border-color:#332288; border-width:2px; }
.findings h3 { margin: 12px 0 2px; color: var(--muted); font-size: 13px; text-transform: uppercase;
  letter-spacing: .04em; }
.findings ul { margin: 0; padding-left: 20px; }
.findings li { margin: 2px 0; }
.mapbox { background:#fff; border:1px solid var(--line); border-radius:8px; padding:8px; }
svg.map { width:100%; height:auto; display:block; }
svg .halo { paint-order: stroke; stroke: #fff; stroke-width: 3px; stroke-linejoin: round; }
.chips { display:flex; flex-wrap:wrap; gap:6px 14px; margin:8px 4px 2px; font-size:13px; }
.chip { white-space: nowrap; }
.sw { display:inline-block; width:12px; height:12px; border-radius:3px; vertical-align:-1px;
  margin-right:5px; }
.tablebox { overflow-x: auto; }
table { border-collapse: collapse; width:100%; background:#fff; font-size:13.5px; }
th, td { border-bottom:1px solid var(--line); padding:5px 8px; text-align:left; vertical-align:
top; }
th { background:#eef1f6; font-weight:600; white-space: nowrap; }
table.sortable th { cursor: pointer; }
th[data-dir="asc"]::after { content:" ▲"; } th[data-dir="desc"]::after { content:" ▼"; }
td.num, th.num { text-align:right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.members { max-width: 360px; } td.firm { min-width: 9em; }
.bar { position:relative; background:#eef1f6; border-radius:3px; height:8px; width:110px;
  display:inline-block; vertical-align: middle; margin-left:6px; }
.bar > span { position:absolute; left:0; top:0; bottom:0; border-radius:3px; background:#44AA99; }
.bar.full > span { background:#CC6677; }
.better { color:#117733; font-weight:600; } .worse { color:#AA3377; font-weight:600; }
.broken li { color:#8a1c4a; }
details summary { cursor: pointer; color: var(--accent); margin: 6px 0; }
footer { margin-top: 40px; color: var(--muted); font-size: 12.5px; border-top:1px solid var(--line);
  padding-top: 10px; }
@media print { .mapbox, table { break-inside: avoid; } details { display:block; } }
"""

SORT_JS = """
document.querySelectorAll('table.sortable th').forEach(function (th) {
  th.addEventListener('click', function () {
    var table = th.closest('table'), body = table.tBodies[0], i = th.cellIndex;
    var asc = th.dataset.dir !== 'asc';
    table.querySelectorAll('th').forEach(function (h) { delete h.dataset.dir; });
    th.dataset.dir = asc ? 'asc' : 'desc';
    var key = function (row) {
      var c = row.cells[i]; return c.hasAttribute('data-v') ? c.getAttribute('data-v') :
      c.textContent;
    };
    Array.from(body.rows).sort(function (a, b) {
      var x = key(a), y = key(b), nx = parseFloat(x), ny = parseFloat(y);
      var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : String(x).localeCompare(String(y), 'zh');
      return asc ? c : -c;
    }).forEach(function (row) { body.appendChild(row); });
  });
});
"""


@dataclass(frozen=True, slots=True)
class Col:
    """A table column: its heading, and whether it holds numbers (right-aligned)."""

    label: str
    numeric: bool = False


def td(
    html_text: str, *, numeric: bool = False, sort: float | str | None = None, cls: str = ""
) -> str:
    """A cell of already-escaped HTML; ``sort`` is what a sortable table orders it by."""
    classes = " ".join(c for c in ("num" if numeric else "", cls) if c)
    attrs = f' class="{classes}"' if classes else ""
    if sort is not None:
        attrs += f' data-v="{escape(str(sort))}"'
    return f"<td{attrs}>{html_text}</td>"


def table(
    cols: Sequence[Col], rows: Sequence[Sequence[str]], *, sortable: bool = True, cls: str = ""
) -> str:
    """A table (sortable by clicking a heading unless ``sortable=False``) in a scroll box."""
    head = "".join(f"<th{' class=num' if c.numeric else ''}>{escape(c.label)}</th>" for c in cols)
    body = "".join(f"<tr>{''.join(r)}</tr>" for r in rows)
    classes = " ".join(c for c in ("sortable" if sortable else "", cls) if c)
    return (
        f'<div class="tablebox"><table class="{classes}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def h2(en: str, zh: str, anchor: str) -> str:
    """A section heading in English with the planner's Chinese term beside it."""
    return f'<h2 id="{anchor}">{escape(en)} <span class="zh">· {escape(zh)}</span></h2>'


def community_cell(instance: Instance, cid: str) -> str:
    """Name (id), or the id alone when the community has no name."""
    c = instance.community(cid)
    return f"{escape(c.name)} <small>({escape(cid)})</small>" if c.name else escape(cid)


def firm_cell(instance: Instance, fid: str) -> str:
    """Name (id)."""
    return f"{escape(instance.firm(fid).name)} <small>({escape(fid)})</small>"


def broken_list(ev: Evaluation, title: str) -> str:
    """The rules a plan breaks under a small heading; nothing when it breaks none."""
    if not ev.broken:
        return ""
    items = "".join(f"<li>{escape(str(v))}</li>" for v in ev.broken)
    return f'<h3>{escape(title)}</h3><ul class="broken">{items}</ul>'


def move_rows(instance: Instance, moves: Iterable[Move]) -> list[list[str]]:
    """One table row per moved community: who, how many households, from where, to where."""

    def side(pkg: str | None, firm: str | None) -> str:
        if pkg and firm:
            return f"{escape(pkg)} · {escape(instance.firm(firm).name)}"
        return "uncovered"

    return [
        [
            td(community_cell(instance, m.community_id), sort=m.community_id),
            td(count(m.households), numeric=True, sort=m.households),
            td(side(m.from_package, m.from_firm), sort=m.from_package or ""),
            td(side(m.to_package, m.to_firm), sort=m.to_package or ""),
            td(escape(m.change)),
        ]
        for m in moves
    ]
