"""``sharedprop solve``: exit codes, the six output files, repeatable bytes, and Ctrl-C.

Most runs are in-process (``main([...])``) on ``instances/xiamen-pilot`` with a few seconds of
search. The interruption test runs the real command as a subprocess on a generated
120-community instance and sends it SIGINT once it has reported a plan.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
from importlib.metadata import version
from pathlib import Path

import pytest

import sharedprop
from sharedprop import evaluate, load_instance, read_plan
from sharedprop.cli import main
from sharedprop.generate import generate_instance

REPO = Path(__file__).resolve().parents[2]
PILOT = REPO / "instances" / "xiamen-pilot"
OUTPUTS = {
    "plan.csv",
    "plan_resources.csv",
    "summary.json",
    "plan.xlsx",
    "plan.geojson",
    "report.html",
}
SUMMARY_KEYS = {
    "status", "objective", "best_bound", "gap", "runtime_s", "public_money", "total_cost",
    "coverage_households", "strategy", "engine_version", "ortools_version", "seed", "workers",
    "time_limit", "search_time_limit", "work_limit", "clock", "stopped_by", "statistics",
}  # fmt: skip


def solve_cli(instance: Path, out: Path, *extra: str, time_limit: float = 3) -> int:
    return main(
        ["solve", str(instance), "--time-limit", str(time_limit), "--out", str(out), *extra]
    )


def files_in(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def assert_plan_file_obeys_every_rule(instance_dir: Path, out: Path) -> dict:
    """plan.csv reads back, breaks no rule, and costs what summary.json says; return the summary."""
    instance = load_instance(instance_dir)
    plan = read_plan(out / "plan.csv", instance)
    ev = evaluate(instance, plan)
    assert ev.broken == ()
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["objective"] == pytest.approx(ev.objective, abs=0.5)
    assert summary["public_money"] == pytest.approx(ev.public_money, abs=0.5)
    return summary


@pytest.fixture(scope="module")
def pilot_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, Path]:
    """``sharedprop solve instances/xiamen-pilot --time-limit 5`` once: (exit code, out dir)."""
    out = tmp_path_factory.mktemp("pilot") / "out"
    return solve_cli(PILOT, out, "--quiet", time_limit=5), out


# -- a plan ----------------------------------------------------------------------------------


def test_solving_the_pilot_exits_0_and_writes_the_six_files(pilot_run: tuple[int, Path]) -> None:
    code, out = pilot_run
    assert code == 0
    assert files_in(out) == OUTPUTS


def test_the_written_plan_reads_back_and_breaks_no_rule(pilot_run: tuple[int, Path]) -> None:
    _, out = pilot_run
    summary = assert_plan_file_obeys_every_rule(PILOT, out)
    assert summary["status"] in {"optimal", "feasible"}
    assert summary["interrupted"] is False


def test_the_summary_records_the_figures_versions_seed_and_workers(
    pilot_run: tuple[int, Path],
) -> None:
    _, out = pilot_run
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert set(summary) >= SUMMARY_KEYS
    assert summary["engine_version"] == sharedprop.__version__
    assert summary["ortools_version"] == version("ortools")
    assert (summary["seed"], summary["workers"]) == (0, 2)
    # The command's wall-clock limit; the search had what loading left, less the writing's share.
    assert (summary["time_limit"], summary["clock"], summary["work_limit"]) == (5, "wall", None)
    assert 0 < summary["search_time_limit"] < 5
    assert summary["stopped_by"] in {"time", "proof"}
    assert summary["statistics"]["capacity_bound"] <= summary["objective"]
    assert summary["strategy"].startswith("auto")
    assert summary["coverage_households"] <= 3980


def test_plan_files_are_as_readable_as_the_other_outputs(pilot_run: tuple[int, Path]) -> None:
    """A plan handed to colleagues on a shared machine must not be private to its writer."""
    _, out = pilot_run
    modes = {name: oct((out / name).stat().st_mode & 0o777) for name in sorted(OUTPUTS)}
    assert len(set(modes.values())) == 1, modes


def test_the_same_seed_with_a_work_limit_writes_byte_identical_plans(tmp_path: Path) -> None:
    """A work limit alone means one worker; the wall-clock limit is far from reached."""
    runs = [tmp_path / "a", tmp_path / "b"]
    for out in runs:
        code = solve_cli(PILOT, out, "--seed", "3", "--work-limit", "3", "--quiet", time_limit=120)
        assert code == 0
    for name in ("plan.csv", "plan_resources.csv"):
        assert (runs[0] / name).read_bytes() == (runs[1] / name).read_bytes(), name
    summary = json.loads((runs[0] / "summary.json").read_text(encoding="utf-8"))
    assert (summary["seed"], summary["workers"]) == (3, 1)
    assert (summary["clock"], summary["work_limit"], summary["time_limit"]) == ("work", 3, 120)
    assert summary["stopped_by"] in {"work", "proof"} and summary["repeatable"] is True


# -- no plan, bad input -----------------------------------------------------------------------


def test_an_infeasible_instance_exits_1_and_says_why(
    tiny_files, write_instance, tmp_path: Path, capsys
) -> None:
    """Every household must be covered (470) but the firms can take only 300."""
    tiny_files.toml = tiny_files.toml.replace("[policy]\n", "[policy]\nallow_uncovered = false\n")
    tiny_files.set("firms", 0, "capacity_households", 100)
    tiny_files.set("firms", 1, "capacity_households", 200)
    out = tmp_path / "out"

    assert solve_cli(write_instance(tiny_files), out) == 1

    stdout = capsys.readouterr().out
    assert "no plan was found" in stdout
    assert "470 households must be covered but all firms together can take only 300" in stdout
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == "infeasible" and summary["objective"] is None
    assert "plan.csv" not in files_in(out)


@pytest.mark.parametrize(
    ("corrupt", "args", "message"),
    [
        (
            lambda f: f.set("communities", 2, "households", -3),
            (),
            r"communities\.csv row 4 \(id C03\).*households must be > 0, got -3",
        ),
        (lambda f: None, ("--time-limit", "0"), r"--time-limit must be > 0"),
        (lambda f: None, ("--workers", "0"), r"--workers must be >= 1"),
        (lambda f: None, ("--work-limit", "0"), r"--work-limit must be > 0"),
        (
            lambda f: None,
            ("--work-limit", "5", "--workers", "2"),
            r"--work-limit makes a run repeatable, which needs one worker \(got --workers 2\)",
        ),
        (
            lambda f: f.set("plans/manual", 0, "community_id", "C99"),
            ("--initial-plan", "plans/manual.csv"),
            r"manual\.csv row 2 \(id C99\): community_id 'C99' is not a community",
        ),
    ],
    ids=[
        "negative-households",
        "zero-time-limit",
        "zero-workers",
        "zero-work-limit",
        "work-limit-with-two-workers",
        "hint-names-unknown-community",
    ],
)
def test_bad_input_exits_2_with_a_message_and_writes_nothing(
    tiny_files, write_instance, tmp_path: Path, capsys, corrupt, args, message
) -> None:
    corrupt(tiny_files)
    folder = write_instance(tiny_files)
    args = tuple(str(folder / a) if a.startswith("plans/") else a for a in args)
    out = tmp_path / "out"

    code = main(["solve", str(folder), "--time-limit", "1", "--out", str(out), *args])

    assert code == 2
    err = capsys.readouterr().err
    assert re.search(message, err), err
    assert "Traceback" not in err
    assert not out.exists()


# -- Ctrl-C -----------------------------------------------------------------------------------

OBJECTIVE_SHOWN = re.compile(r"\bobjective [\d,]+")


def test_sigint_keeps_the_best_plan_writes_it_whole_and_exits_130(tmp_path: Path) -> None:
    instance = generate_instance(
        tmp_path / "street120", communities=120, streets=2, firms=8, resources=10, seed=1
    )
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-m", "sharedprop", "solve", str(instance), "--time-limit", "60",
         "--out", str(out), "--workers", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )  # fmt: skip
    seen = threading.Event()
    err_lines: list[str] = []

    def watch() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            err_lines.append(line)
            if OBJECTIVE_SHOWN.search(line):
                seen.set()

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    seen.wait(timeout=15)  # usually about 5 s; more on a loaded machine
    proc.send_signal(signal.SIGINT)
    try:
        stdout, _ = proc.communicate(timeout=40)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail("sharedprop solve did not stop within 40 s of SIGINT")
    watcher.join(timeout=5)
    stderr = "".join(err_lines)

    assert seen.is_set(), f"no objective was reported before SIGINT:\n{stderr}"
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert {"plan.csv", "summary.json"} <= files_in(out)
    summary = assert_plan_file_obeys_every_rule(instance, out)
    assert summary["interrupted"] is True
    assert summary["status"] in {"optimal", "feasible"}
    assert "objective" in stdout
    assert list(out.rglob("*.tmp")) == []


# -- a closed pipe ----------------------------------------------------------------------------


def test_output_into_a_closed_pipe_ends_quietly_with_141(tiny_instance: Path) -> None:
    """``sharedprop validate … | head -1``: the reader leaves; no traceback, exit 128 + SIGPIPE."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # every write now fails with EPIPE, as after `head` has exited
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "sharedprop", "validate", str(tiny_instance)],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    finally:
        os.close(write_end)
    assert "Traceback" not in proc.stderr
    assert "BrokenPipeError" not in proc.stderr
    assert proc.returncode == 141


def test_a_command_whose_reader_went_away_returns_141_in_process(monkeypatch, capsys) -> None:
    """capsys gives stdout without a file descriptor, so the test's own output stays intact."""
    from sharedprop.cli import validate

    def broken(args) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(validate, "run", broken)
    assert main(["validate", "anything"]) == 141
    assert "Traceback" not in capsys.readouterr().err
