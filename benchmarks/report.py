"""Regenerate the tables in ``benchmarks/README.md`` from the committed results files.

``python -m benchmarks.report`` replaces the text between ``<!-- BEGIN NAME -->`` and
``<!-- END NAME -->`` with a summary and a table made from ``benchmarks/results/NAME.csv``
(``NAME`` may name a subfolder: ``long_runs/manual``); the file's base name says which table
(``gap``, ``cpmp``, ``sscflp``, ``peer``, ``manual``, ``lower_bounds``, ``street_scale_n…``),
and ``graph_scale`` reads ``graph_scale.json``. Nothing in those blocks is written by hand.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import statistics
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _num(text: str) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def _fmt(text: str, digits: int = 1) -> str:
    value = _num(text)
    if value is None:
        return text or "—"
    if value == int(value) and abs(value) >= 1:
        return str(int(value))
    return f"{value:.{digits}f}"


def _table(header: list[str], lines: list[list[str]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(cells) + " |" for cells in lines]
    return "\n".join(out)


def _proven_at_known(row: dict[str, str]) -> bool:
    return row["status"] == "optimal" and row["objective"] == row["known"] != ""


def _machine_line(rows: list[dict[str, str]]) -> str:
    first = rows[0]
    return (
        f"Time limit {first['time_limit']} s per instance, {first['workers']} workers, seed "
        f"{first['seed']}; machine: {first['machine']}."
    )


def _standard(rows: list[dict[str, str]]) -> list[list[str]]:
    return [
        [
            r["instance"],
            r["n"],
            r.get("m", ""),
            r["known"] or "—",
            _fmt(r["objective"]),
            _fmt(r["bound"]),
            r["status"],
            _fmt(r["seconds"]),
            _fmt(r["wall_seconds"]),
        ]
        for r in rows
    ]


STANDARD_HEADER = [
    "instance",
    "n",
    "m / p",
    "known",
    "objective",
    "bound",
    "status",
    "incumbent s",
    "wall s",
]


def gap_block(rows: list[dict[str, str]]) -> str:
    main = [r for r in rows if re.fullmatch(r"gap\d+-\d+", r["instance"])]
    rest = [r for r in rows if r not in main]
    proven = sum(_proven_at_known(r) for r in main)
    rest_proven = sum(_proven_at_known(r) for r in rest)
    walls = [_num(r["wall_seconds"]) or 0.0 for r in main]
    summary = (
        f"gap1–gap12: **{proven} of {len(main)}** proven optimal at the known minimisation value "
        f"(slowest {max(walls, default=0):.1f} s, median {statistics.median(walls or [0]):.2f} s). "
        f"Types A–E: {rest_proven} of {len(rest)} proven at the listed value; the others end "
        "with the objective and bound shown. " + _machine_line(rows)
    )
    return summary + "\n\n" + _table(STANDARD_HEADER, _standard(rows))


def cpmp_block(rows: list[dict[str, str]]) -> str:
    proven = sum(_proven_at_known(r) for r in rows)
    at_known = sum(r["objective"] == r["known"] for r in rows)
    summary = (
        f"**{proven} of {len(rows)}** proven optimal at the known value; {at_known} of "
        f"{len(rows)} reach the known value. " + _machine_line(rows)
    )
    lines = []
    for r in rows:
        cells = _standard([r])[0]
        notes = r.get("notes", "")
        lagr = re.search(r'"lagrangian": ([\d.]+)', notes)
        kept = re.search(r'"pairs_after_reduction": (\d+)', notes)
        cells += [lagr.group(1) if lagr else "—", kept.group(1) if kept else "—"]
        lines.append(cells)
    return summary + "\n\n" + _table(STANDARD_HEADER + ["Lagrangian bound", "pairs kept"], lines)


def sscflp_block(rows: list[dict[str, str]]) -> str:
    proven = sum(_proven_at_known(r) for r in rows)
    return (
        f"**{proven} of {len(rows)}** proven optimal at the known value. "
        + _machine_line(rows)
        + "\n\n"
        + _table(STANDARD_HEADER, _standard(rows))
    )


def _censored_ratio(row: dict[str, str]) -> float | None:
    """Our wall time over the peer's, counted against us where only one side proved: at most
    ours / (the peer's time at its limit) when only we proved, infinite when only the peer
    did; None when neither proved."""
    ours = row["status"] == "optimal"
    theirs = row["peer_status"] == "optimal"
    ours_s, theirs_s = _num(row["wall_seconds"]), _num(row["peer_wall_seconds"])
    if ours and theirs:
        return _num(row.get("ours_over_peer", ""))
    if ours and ours_s is not None and theirs_s:
        return ours_s / theirs_s
    return float("inf") if theirs else None


def _ratio_cell(row: dict[str, str]) -> str:
    ratio = _censored_ratio(row)
    if ratio is None:
        return "—"
    if row["status"] == "optimal" and row["peer_status"] == "optimal":
        return f"{ratio:.2f}"
    return "∞ (only spopt proved)" if ratio == float("inf") else f"≤ {ratio:.2f}"


def peer_block(rows: list[dict[str, str]]) -> str:
    ratios = [_num(r["ours_over_peer"]) for r in rows if _num(r.get("ours_over_peer", ""))]
    counted = [c for r in rows if (c := _censored_ratio(r)) is not None]
    peer_proven = sum(r["peer_status"] == "optimal" for r in rows)
    ours_proven = sum(r["status"] == "optimal" for r in rows)
    summary = (
        f"sharedprop proved {ours_proven} of {len(rows)}, spopt + CBC proved {peer_proven} of "
        f"{len(rows)} within the limit. Where both proved the same optimum ({len(ratios)} "
        "instances), sharedprop's wall time over spopt + CBC's: "
        + (
            f"**median {statistics.median(ratios):.2f}**, worst {max(ratios):.2f}, best "
            f"{min(ratios):.2f}"
            if ratios
            else "—"
        )
        + ". Counting also the instances only one side proved, against sharedprop (only "
        "sharedprop proved: its time over the peer's limit, an upper bound; only the peer "
        f"proved: infinite), over {len(counted)} instances: "
        + (
            f"**median {statistics.median(counted):.2f}**, worst {max(counted):.2f}"
            if counted
            else "—"
        )
        + ". "
        + _machine_line(rows)
    )
    lines = [
        [
            r["instance"],
            r["known"] or "—",
            _fmt(r["objective"]),
            r["status"],
            _fmt(r["wall_seconds"]),
            _fmt(r["peer_objective"]),
            r["peer_status"],
            _fmt(r["peer_wall_seconds"]),
            _ratio_cell(r),
        ]
        for r in rows
    ]
    header = [
        "instance",
        "known",
        "sharedprop",
        "status",
        "wall s",
        "spopt + CBC",
        "status",
        "wall s",
        "time ratio sharedprop / spopt",
    ]
    return summary + "\n\n" + _table(header, lines)


def cpmp_generated_block(rows: list[dict[str, str]]) -> str:
    gaps = [g for r in rows if (g := _num(r.get("gap", ""))) is not None]
    within = sum(g <= 0.005 for g in gaps)
    summary = (
        f"**{within} of {len(rows)}** within 0.5 % of their proven bound "
        f"({sum(r['status'] == 'optimal' for r in rows)} proven optimal); largest gap "
        + (f"{100 * max(gaps):.2f} %" if gaps else "—")
        + ". "
        + _machine_line(rows)
    )
    lines = [
        [
            r["instance"],
            r["n"],
            r["m"],
            _fmt(r["objective"], 2),
            _fmt(r["bound"], 2),
            "—" if _num(r.get("gap", "")) is None else f"{100 * float(r['gap']):.2f} %",
            r["status"],
            _fmt(r["seconds"]),
            _fmt(r["wall_seconds"]),
        ]
        for r in rows
    ]
    header = ["instance", "n", "p", "objective", "bound", "gap", "status", "incumbent s", "wall s"]
    return summary + "\n\n" + _table(header, lines)


def manual_block(rows: list[dict[str, str]]) -> str:
    lines = []
    for r in rows:
        for label in ("manual", "optimized"):
            lines.append(
                [
                    r["instance"],
                    r["n"],
                    label,
                    _fmt(r[f"{label}_public_money"], 2),
                    _fmt(r[f"{label}_total_cost"], 2),
                    _fmt(r[f"{label}_coverage"], 4),
                    r[f"{label}_packages"] or "—",
                    r[f"{label}_firms_used"] or "—",
                    r[f"{label}_broken"] or "—",
                    (
                        f"{r['status']} ({r.get('strategy', '')}), ratio "
                        f"{_fmt(r['public_money_ratio'], 3)}"
                        if label == "optimized"
                        else ""
                    ),
                    _bound_share(r) if label == "optimized" else "",
                ]
            )
    header = [
        "instance",
        "n",
        "plan",
        "public money",
        "total cost",
        "coverage",
        "packages",
        "firms used",
        "rules broken",
        "status (strategy), public money optimized / manual",
        "proven bound / manual",
    ]
    return _machine_line(rows) + "\n\n" + _table(header, lines)


def _bound_share(r: dict[str, str]) -> str:
    """The proven lower bound as a share of the manual plan's public money: no plan of the
    instance can need less (weight_total_cost is 0 on these instances, so the objective is the
    public money)."""
    try:
        return f"{float(r['bound']) / float(r['manual_public_money']):.3f}"
    except (KeyError, ValueError, ZeroDivisionError):
        return "—"


def lower_bounds_block(rows: list[dict[str, str]]) -> str:
    out_of_reach = [r["instance"] for r in rows if r["target_reachable"] == "no"]
    seconds = {r["relaxed_seconds"] for r in rows} - {""}
    first = rows[0]
    head = (
        f"The 60 % target is **out of reach** on {len(out_of_reach)} of {len(rows)} instances"
        + (f" ({', '.join(out_of_reach)})" if out_of_reach else "")
        + ": a lower bound exceeds 0.60 of the manual plan's public money. Bound without "
        + "contiguity: "
        + (f"{', '.join(sorted(seconds))} s per instance, alone" if seconds else "not run")
        + f"; machine: {first['machine']}."
    )
    lines = [
        [
            r["instance"],
            r["n"],
            _fmt(r["manual_public_money"], 2),
            _fmt(r["bound"], 2),
            _fmt(r["bound_over_manual"], 3),
            _fmt(r["relaxed_bound"], 2),
            _fmt(r["relaxed_over_manual"], 3),
            "out of reach" if r["target_reachable"] == "no" else "open",
        ]
        for r in rows
    ]
    header = [
        "instance",
        "n",
        "manual public money",
        "transportation LP bound",
        "/ manual",
        "bound without contiguity",
        "/ manual",
        "60 % target",
    ]
    return head + "\n\n" + _table(header, lines)


def _percent(text: str) -> str:
    value = _num(text)
    return "—" if value is None else f"{100 * value:.1f} %"


def street_scale_block(rows: list[dict[str, str]]) -> str:
    """One row per seed of a ``benchmarks.street_scale`` run: plan, bound and gap, the
    branch-and-price tree's nodes and when the root LP was proven (— where a file or a run has
    none)."""
    broken = {r["broken"] for r in rows}
    gaps = [_num(r["gap"]) for r in rows if _num(r["gap"]) is not None]
    found = [_num(r["seconds"]) for r in rows if _num(r["seconds"]) is not None]
    first = rows[0]
    summary = (
        f"{len(rows)} seeds; rules broken: "
        + ("0 on every seed" if broken == {"0"} else ", ".join(r["broken"] for r in rows))
        + (f"; median proven gap {100 * statistics.median(gaps):.1f} %" if gaps else "")
        + (
            f"; median time to the final incumbent {statistics.median(found):.1f} s"
            if found
            else ""
        )
        + f". Time limit {first['time_limit']} s, {first['workers']} worker(s); machine: "
        + f"{first['machine']}."
    )
    lines = [
        [
            r["seed"],
            r["status"],
            _fmt(r["public_money"], 2),
            _fmt(r["manual_public_money"], 2),
            _fmt(r["ratio_to_manual"], 3),
            _fmt(r["bound"], 2),
            _percent(r["gap"]),
            r.get("bound_note") or "—",
            _fmt(r["seconds"]),
            _fmt(r["runtime_s"]),
            r.get("tree_nodes") or "—",
            _fmt(r.get("root_lp_s") or ""),
        ]
        for r in rows
    ]
    header = [
        "seed",
        "status",
        "public money",
        "manual plan",
        "/ manual",
        "proven bound",
        "gap",
        "bound without contiguity",
        "final incumbent s",
        "run s",
        "tree nodes",
        "root LP proven s",
    ]
    return summary + "\n\n" + _table(header, lines)


def graph_scale_block(report: dict) -> str:
    """Validation and proximity-graph building at scale (``benchmarks.graph_scale``)."""
    where = report["machine"]
    if isinstance(where, dict):
        where = "; ".join(f"{key} {value}" for key, value in where.items())
    summary = (
        f"{report['n']:,} communities, {report['firms']} firms, "
        f"{report['resources']} resources, seed {report['seed']}; {report['timing']} "
        f"({report['repeat']} runs); peak resident set of the whole run "
        f"{report['peak_rss_mb']:.0f} MB; machine: {where}."
    )
    lines = [
        [
            r["variant"],
            f"{r['edges']:,}",
            str(r["components"]),
            f"{r['load_instance_s']:.2f}",
            f"{r['graph_build_s']:.2f}",
            f"{r['describe_s']:.2f}",
            f"{r['validate_total_s']:.2f}",
            f"{r['peak_python_alloc_mb']:.0f}",
        ]
        for r in report["results"]
    ]
    header = [
        "geometry",
        "edges",
        "components",
        "load_instance s",
        "graph alone s",
        "describe s",
        "validate s",
        "peak Python MB",
    ]
    return summary + "\n\n" + _table(header, lines)


def app_scale_block(rows: list[dict[str, str]]) -> str:
    """The workbench's answers at city scale (``benchmarks.app_scale``)."""
    first = rows[0]
    lines = [
        [r["what"], r["path"], r["items"], _fmt(r["mean_s"], 3), _fmt(r["max_s"], 3),
         {"True": "yes", "False": "**no**"}.get(r["same"], "—")]
        for r in rows
    ]  # fmt: skip
    limits = sorted({r["time_limit"] for r in rows if r.get("time_limit")})
    solves = f" `solve` with time_limit {', '.join(limits)} s." if limits else ""
    summary = (
        f"{int(first['communities']):,} communities, seed {first['seed']}, measured "
        f"{first['date']}; seconds, wall clock; machine: {first['machine']}. `same`: the "
        f"incremental path gave the reference's result exactly.{solves}"
    )
    header = ["what", "path", "items", "mean s", "max s", "same"]
    return f"{summary}\n\n{_table(header, lines)}"


BLOCKS: dict[str, Callable[[list[dict[str, str]]], str]] = {
    "gap": gap_block,
    "cpmp": cpmp_block,
    "sscflp": sscflp_block,
    "cpmp-generated": cpmp_generated_block,
    "peer": peer_block,
    "manual": manual_block,
    "lower_bounds": lower_bounds_block,
    "app_scale": app_scale_block,
}
JSON_BLOCKS: dict[str, Callable[[dict], str]] = {"graph_scale": graph_scale_block}

MARKER = re.compile(r"(<!-- BEGIN ([\w./-]+) -->).*?(<!-- END \2 -->)", re.DOTALL)


def _body(name: str, results: Path) -> str | None:
    """The block for results file ``name`` (no suffix), or None for a marker of no known kind."""
    base = Path(name).name
    if base in JSON_BLOCKS:
        path = results / f"{name}.json"
        if not path.is_file():
            return f"No committed `{name}.json` yet."
        return JSON_BLOCKS[base](json.loads(path.read_text(encoding="utf-8")))
    block = street_scale_block if base.startswith("street_scale") else BLOCKS.get(base)
    if block is None:
        return None
    path = results / f"{name}.csv"
    return block(_rows(path)) if path.is_file() else f"No committed `{name}.csv` yet."


def render(readme: str, results: Path) -> str:
    def fill(match: re.Match[str]) -> str:
        body = _body(match.group(2), results)
        if body is None:
            return match.group(0)
        return f"{match.group(1)}\n{body}\n{match.group(3)}"

    return MARKER.sub(fill, readme)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.report", description=__doc__)
    parser.add_argument("--results", type=Path, default=HERE / "results")
    parser.add_argument("--readme", type=Path, default=HERE / "README.md")
    options = parser.parse_args(argv)
    text = options.readme.read_text(encoding="utf-8")
    options.readme.write_text(render(text, options.results), encoding="utf-8")
    print(f"updated {options.readme}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
