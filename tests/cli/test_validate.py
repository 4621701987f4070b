"""``sharedprop validate``: the summary on stdout and exit 0, or every problem and exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sharedprop.cli import main


def test_a_valid_instance_prints_its_summary_and_exits_0(tiny_instance: Path, capsys) -> None:
    assert main(["validate", str(tiny_instance)]) == 0
    out = capsys.readouterr().out
    assert "instance tiny: 6 communities (470 households) in 2 streets" in out
    assert "proximity graph: 6 edges, 2 components (largest 3 communities)" in out
    assert "communities no firm can reach: none" in out
    assert "plans: manual.csv (2 packages, 6 communities)" in out


def test_json_prints_one_object_with_the_summary(tiny_instance: Path, capsys) -> None:
    assert main(["validate", str(tiny_instance), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["communities"] == 6 and data["components"] == 2
    assert data["capacity_households"] == 700 and data["households"] == 470
    assert data["unreachable_communities"] == [] and data["plans"][0]["file"] == "manual.csv"


def test_every_problem_is_printed_without_traceback_and_exits_2(
    tiny_files, write_instance, capsys
) -> None:
    tiny_files.set("communities", 0, "households", 0)
    tiny_files.set("firms", 0, "lat", 100)
    assert main(["validate", str(write_instance(tiny_files))]) == 2
    err = capsys.readouterr().err
    assert "2 problems found" in err
    assert "communities.csv row 2 (id C01): households must be > 0, got 0" in err
    assert "firms.csv row 2 (id F1): lat must be a latitude between -90 and 90, got 100" in err
    assert "Traceback" not in err


def test_a_bad_plan_in_the_plans_folder_fails_validation(
    tiny_files, write_instance, capsys
) -> None:
    tiny_files.set("plans/manual", 0, "firm_id", "F9")
    assert main(["validate", str(write_instance(tiny_files))]) == 2
    assert "manual.csv row 2 (id C01): firm_id 'F9' is not a firm" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["validate"], ["validate", "a", "--bogus"]])
def test_usage_errors_exit_2(argv: list[str], capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2 and "usage:" in capsys.readouterr().err
