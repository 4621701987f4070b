"""The analysis commands: frontier, whatif, sweep and stress write their tables, plans, charts
and pages, and refuse bad options with exit 2 and a sentence."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from sharedprop import evaluate, load_instance, read_plan
from sharedprop.cli import main
from sharedprop.generate import generate_instance

PILOT = Path(__file__).resolve().parents[2] / "instances" / "xiamen-pilot"
QUICK = ["--time-limit", "30", "--work-limit", "2", "--workers", "1", "--quiet"]


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_frontier_writes_a_point_per_floor_whose_plan_meets_it(tmp_path: Path) -> None:
    out = tmp_path / "f"
    code = main(["frontier", str(PILOT), "--coverage", "0.5,1", "--out", str(out), *QUICK])

    assert code == 0
    rows = _rows(out / "frontier.csv")
    assert [float(r["min_coverage"]) for r in rows] == [0.5, 1.0]
    money = [float(r["objective"]) for r in rows]
    assert money == sorted(money)
    instance = load_instance(PILOT)
    for floor in ("0.50", "1.00"):
        plan = read_plan(out / "plans" / f"frontier-{floor}.csv", instance)
        assert evaluate(instance, plan).coverage >= float(floor) - 1e-9
    assert {"frontier.svg", "frontier.png", "frontier.html"} <= {p.name for p in out.iterdir()}


def test_whatif_ranks_every_candidate_and_solves_the_first(tmp_path: Path) -> None:
    folder = generate_instance(
        tmp_path / "g", communities=30, streets=1, firms=3, resources=2, seed=3, candidates=3
    )
    out = tmp_path / "w"
    code = main(
        ["whatif", str(folder), "--ask", "resources", "--exact", "1", "--out", str(out), *QUICK]
    )

    assert code == 0
    rows = _rows(out / "whatif.csv")
    assert sorted(r["subject"] for r in rows) == ["R03", "R04", "R05"]
    solved = [r for r in rows if r["saving"]]
    assert len(solved) == 1 and float(solved[0]["saving"]) >= float(solved[0]["estimate"]) - 0.01
    assert (out / "whatif.html").is_file()


def test_sweep_solves_every_combination(tmp_path: Path) -> None:
    out = tmp_path / "s"
    code = main(
        ["sweep", str(PILOT), "--vary", "policy.package_max_households=900,1500",
         "--out", str(out), *QUICK]
    )  # fmt: skip

    assert code == 0
    rows = _rows(out / "sweep.csv")
    assert [int(float(r["policy.package_max_households"])) for r in rows] == [900, 1500]
    assert all(r["broken"] == "0" for r in rows)
    assert len(list((out / "plans").glob("scenario-*.csv"))) == 4  # a plan and its resources


def test_stress_names_the_packages_that_need_more_money(tmp_path: Path, capsys) -> None:
    out = tmp_path / "x"
    code = main(
        ["stress", str(PILOT), "--plan", "manual", "--collection", "-10%", "--out", str(out)]
    )

    assert code == 0
    text = capsys.readouterr().out
    rows = _rows(out / "stress.csv")
    rising = [r["package_id"] for r in rows if float(r["extra_subsidy"]) > 0.005]
    assert rising and all(f"{pid} (" in text for pid in rising)
    assert len(_rows(out / "headroom.csv")) == len(rows)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["frontier", str(PILOT), "--coverage", "0.5:2:0.5"], "between 0 and 1"),
        (["frontier", str(PILOT), "--time-limit", "0"], "--time-limit must be > 0"),
        (["whatif", str(PILOT), "--ask", "budget"], "--ask takes resources, firms and capacity"),
        (["stress", str(PILOT), "--plan", "manual", "--collection", "ten"], "is not a share"),
    ],
)
def test_a_bad_option_exits_2_with_a_sentence(argv: list[str], message: str, capsys) -> None:
    assert main(argv) == 2
    assert message in capsys.readouterr().err
