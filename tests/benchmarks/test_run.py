"""The benchmark runner end to end on one small instance, and its machine-independent parts."""

from __future__ import annotations

import csv
import shutil

import pytest

from benchmarks import orlib, run


def test_gap1_instance_1_through_the_runner_writes_the_known_optimum(
    tmp_path, capsys, orlib_family
):
    """gap1.txt holds five blocks; ``--only gap1-1`` solves the first (5 agents × 15 jobs)."""
    data = tmp_path / "data"
    (data / "gap").mkdir(parents=True)
    shutil.copy(orlib_family("gap") / "gap1.txt", data / "gap" / "gap1.txt")
    out = tmp_path / "out"
    code = run.main(
        [
            "gap",
            "--time-limit",
            "20",
            "--workers",
            "1",
            "--data",
            str(data),
            "--out",
            str(out),
            "--only",
            "gap1-1",
        ]
    )
    assert code == 0
    rows = list(csv.DictReader((out / "gap.csv").open(encoding="utf-8")))
    assert len(rows) == 1
    row = rows[0]
    for column in (
        "instance",
        "n",
        "known",
        "objective",
        "bound",
        "status",
        "seconds",
        "time_limit",
        "seed",
        "machine",
    ):
        assert column in row
    assert row["instance"] == "gap1-1"
    assert row["n"] == "15"
    assert row["known"] == row["objective"] == row["bound"] == "261"
    assert row["status"] == "optimal"
    assert row["matches_known"] == "True"
    assert row["time_limit"] == "20.0" and row["seed"] == "0"
    assert "ortools" in row["machine"] and "cpu" in row["machine"]
    assert "gap1-1" in capsys.readouterr().out


def test_a_file_not_listed_in_known_md_is_solved_with_known_left_empty(tmp_path):
    data = tmp_path / "data" / "gap"
    data.mkdir(parents=True)
    (data / "tiny").write_text("2 2\n3 1\n1 3\n1 1\n1 1\n1 1\n")
    out = tmp_path / "out"
    assert (
        run.main(
            [
                "gap",
                "--time-limit",
                "5",
                "--workers",
                "1",
                "--data",
                str(data.parent),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    (row,) = csv.DictReader((out / "gap.csv").open(encoding="utf-8"))
    assert row["instance"] == "tiny"
    assert row["known"] == "" and row["matches_known"] == ""
    assert row["objective"] == "2" and row["status"] == "optimal"


def test_the_manual_suite_scores_the_shipped_pilots_manual_plan_with_evaluate(tmp_path):
    """xiamen-pilot only, with a 2 s limit: the runner's columns, not the solver's quality."""
    from sharedprop import evaluate, load_instance, read_plan

    code = run.main(
        [
            "manual",
            "--time-limit",
            "2",
            "--workers",
            "1",
            "--out",
            str(tmp_path),
            "--only",
            "xiamen-pilot",
        ]
    )
    assert code == 0
    (row,) = csv.DictReader((tmp_path / "manual.csv").open(encoding="utf-8"))
    pilot = run.ROOT / "instances" / "xiamen-pilot"
    instance = load_instance(pilot)
    manual = evaluate(instance, read_plan(pilot / "plans" / "manual.csv", instance))
    assert row["instance"] == "xiamen-pilot"
    assert float(row["manual_public_money"]) == round(manual.public_money, 2)
    assert row["manual_packages"] == str(len(manual.packages))
    for column in ("optimized_public_money", "optimized_broken", "public_money_ratio"):
        assert column in row


def test_a_suite_without_its_files_exits_2_saying_how_to_get_them(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(orlib, "DATA_DIRS", (tmp_path / "shared", tmp_path / "fetched"))
    assert run.main(["sscflp", "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "no OR-Library sscflp files in" in err and "python -m benchmarks.fetch" in err


def test_an_unknown_suite_is_refused_by_argparse():
    with pytest.raises(SystemExit):
        run.parse_args(["knapsack"])
