"""``sharedprop compare``: the side-by-side table on stdout, the HTML report only when asked.

Fixture: ``tests/data/tiny-street``: its manual plan and the better plan beside the folder.
"""

from __future__ import annotations

from pathlib import Path

from sharedprop.cli import main
from sharedprop.cli.compare import plan_names

DATA = Path(__file__).resolve().parents[1] / "data"
STREET = str(DATA / "tiny-street")
BETTER = str(DATA / "tiny-street-better.csv")


def test_compare_prints_the_table_and_the_moves_and_writes_no_file(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["compare", STREET, "manual", BETTER]) == 0
    out = capsys.readouterr().out
    assert "public money (yuan/yr)    403,539   239,940 (−40.5 %)" in out
    assert "2 communities move from manual to tiny-street-better:" in out
    assert list(tmp_path.iterdir()) == []


def test_html_writes_the_comparison_report_with_a_map_per_plan(capsys, tmp_path):
    out = tmp_path / "cmp.html"
    assert main(["compare", STREET, "manual", BETTER, "--html", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert html.count("<svg") == 2 and "Communities that move" in html
    assert "“tiny-street-better”" in html and "changed firm" in html
    assert f"comparison report: {out}" in capsys.readouterr().out


def test_a_missing_plan_file_exits_2(capsys):
    assert main(["compare", STREET, "manual", "nowhere.csv"]) == 2
    assert "plan file nowhere.csv does not exist" in capsys.readouterr().err


def test_plans_with_the_same_file_name_get_distinct_names():
    paths = [Path("a/manual.csv"), Path("b/manual.csv"), Path("x/other.csv")]
    assert plan_names(paths) == ["a/manual", "b/manual", "other"]
