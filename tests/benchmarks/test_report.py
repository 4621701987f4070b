"""The README tables come from the results files, and regenerating them changes nothing."""

from __future__ import annotations

import csv

from benchmarks.report import render

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
