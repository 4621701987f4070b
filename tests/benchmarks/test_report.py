"""The README tables come from the results files, and regenerating them changes nothing."""

from __future__ import annotations

import csv
import json

from benchmarks import report
from benchmarks.report import HERE, render

ROW = {
    "instance": "gap1-1", "file": "gap1.txt", "n": "15", "m": "5", "known": "261",
    "known_proven": "True", "objective": "261", "bound": "261", "status": "optimal",
    "matches_known": "True", "seconds": "0.04", "wall_seconds": "0.06", "time_limit": "60.0",
    "workers": "2", "seed": "0", "machine": "Linux x86_64; 2 cpu", "notes": "",
}  # fmt: skip


def test_a_results_file_fills_its_block_and_a_second_run_changes_nothing(tmp_path):
    with (tmp_path / "gap.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(ROW))
        writer.writeheader()
        writer.writerow(ROW)
    readme = (
        "intro\n<!-- BEGIN gap -->\n<!-- END gap -->\n<!-- BEGIN cpmp -->\nold\n<!-- END cpmp -->\n"
    )
    once = render(readme, tmp_path)
    assert "gap1–gap12: **1 of 1** proven optimal" in once
    assert "| gap1-1 | 15 | 5 | 261 | 261 | 261 | optimal |" in once
    assert "No committed `cpmp.csv` yet." in once and "old" not in once
    assert render(once, tmp_path) == once


def test_the_lower_bounds_block_names_the_instances_whose_target_is_out_of_reach(tmp_path):
    rows = [
        {"instance": "street-a", "n": "120", "seed": "2", "manual_public_money": "1000.0",
         "bound": "630.0", "bound_over_manual": "0.63", "relaxed_bound": "",
         "relaxed_over_manual": "", "relaxed_seconds": "", "target_reachable": "no",
         "seconds": "0.03", "machine": "Linux x86_64 2 cpu"},
        {"instance": "street-b", "n": "120", "seed": "1", "manual_public_money": "1000.0",
         "bound": "310.0", "bound_over_manual": "0.31", "relaxed_bound": "",
         "relaxed_over_manual": "", "relaxed_seconds": "", "target_reachable": "open",
         "seconds": "0.03", "machine": "Linux x86_64 2 cpu"},
    ]  # fmt: skip
    with (tmp_path / "lower_bounds.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    text = render("<!-- BEGIN lower_bounds -->\n<!-- END lower_bounds -->\n", tmp_path)
    assert "out of reach** on 1 of 2 instances (street-a)" in text
    assert "Bound without contiguity: not run" in text
    assert "| street-a | 120 | 1000 | 630 | 0.630 | — | — | out of reach |" in text
    assert "| street-b | 120 | 1000 | 310 | 0.310 | — | — | open |" in text


def test_a_street_scale_file_in_a_subfolder_fills_the_block_named_after_its_path(tmp_path):
    rows = [
        {"instance": "s", "n": "30", "seed": str(seed), "strategy": "auto→joint",
         "status": "feasible", "objective": objective, "evaluated": objective, "bound": bound,
         "gap": gap, "broken": "0", "public_money": objective, "manual_public_money": "1000.0",
         "ratio_to_manual": ratio, "seconds": seconds, "runtime_s": "60.1", "time_limit": "60.0",
         "workers": "1", "machine": "Linux x86_64; 2 cpu", "tree_nodes": nodes,
         "root_lp_s": root}
        for seed, objective, bound, gap, ratio, seconds, nodes, root in (
            (1, "500.0", "400.0", "0.2", "0.5", "10.0", "", ""),
            (2, "800.0", "760.0", "0.05", "0.8", "30.0", "12", "7.46"),
        )
    ]  # fmt: skip
    (tmp_path / "one_worker").mkdir()
    with (tmp_path / "one_worker" / "street_scale_n30.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    marker = "<!-- BEGIN one_worker/street_scale_n30 -->\n<!-- END one_worker/street_scale_n30 -->"
    text = render(marker + "\n<!-- BEGIN notes -->\nby hand\n<!-- END notes -->\n", tmp_path)
    assert "2 seeds; rules broken: 0 on every seed; median proven gap 12.5 %" in text
    assert "median time to the final incumbent 20.0 s. Time limit 60.0 s, 1 worker(s)" in text
    assert "| 1 | feasible | 500 | 1000 | 0.500 | 400 | 20.0 % | — | 10 | 60.1 | — | — |" in text
    assert "| 2 | feasible | 800 | 1000 | 0.800 | 760 | 5.0 % | — | 30 | 60.1 | 12 | 7.5 |" in text
    assert "by hand" in text  # a marker of no known kind is left as it is
    assert render(text, tmp_path) == text


def test_the_graph_scale_block_comes_from_its_json_file(tmp_path):
    report = {
        "command": "python -m benchmarks.graph_scale", "machine": "Linux x86_64; 2 cpu",
        "seed": 0, "n": 20000, "firms": 300, "resources": 500, "repeat": 3,
        "timing": "best of repeat, seconds, wall clock", "peak_rss_mb": 844.9,
        "results": [{"variant": "points", "communities": 20000, "edges": 337314,
                     "components": 102, "load_instance_s": 1.031, "graph_build_s": 0.578,
                     "describe_s": 0.52, "validate_total_s": 1.55,
                     "peak_python_alloc_mb": 366.2}],
    }  # fmt: skip
    (tmp_path / "graph_scale.json").write_text(json.dumps(report), encoding="utf-8")
    text = render("<!-- BEGIN graph_scale -->\n<!-- END graph_scale -->", tmp_path)
    assert "20,000 communities, 300 firms" in text and "peak resident set" in text
    assert "| points | 337,314 | 102 | 1.03 | 0.58 | 0.52 | 1.55 | 366 |" in text


def test_the_committed_readme_tables_are_the_committed_results():
    """``python -m benchmarks.report`` has been run: no block differs from its results file."""
    readme = HERE / "README.md"
    text = readme.read_text(encoding="utf-8")
    assert "<!-- BEGIN street_scale_n120 -->" in text and "<!-- BEGIN gap -->" in text
    assert render(text, HERE / "results") == text


def _peer_row(status: str, peer_status: str, wall: str, peer_wall: str, ratio: str) -> dict:
    return {
        "instance": "p",
        "known": "1",
        "objective": "1",
        "status": status,
        "wall_seconds": wall,
        "peer_objective": "1",
        "peer_status": peer_status,
        "peer_wall_seconds": peer_wall,
        "ours_over_peer": ratio,
        "time_limit": "60.0",
        "workers": "2",
        "seed": "0",
        "machine": "m",
    }


def test_the_peer_summary_counts_one_sided_proofs_against_sharedprop():
    rows = [
        _peer_row("optimal", "optimal", "1.0", "4.0", "0.25"),
        _peer_row("optimal", "feasible", "30.0", "60.0", ""),  # only we proved: at most 0.5
        _peer_row("feasible", "optimal", "60.0", "10.0", ""),  # only the peer: infinite
        _peer_row("feasible", "feasible", "60.0", "60.0", ""),  # neither: left out
    ]
    block = report.peer_block(rows)
    assert "(1 instances)" in block and "**median 0.25**, worst 0.25" in block
    assert "over 3 instances: **median 0.50**, worst inf" in block
    assert "| ≤ 0.50 |" in block and "| ∞ (only spopt proved) |" in block
