"""``sharedprop generate``: writes an instance folder, refuses bad sizes and non-empty folders
with a message and exit code 2 (never a traceback)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sharedprop.cli import main

SMALL = ["--communities", "20", "--streets", "2", "--firms", "3", "--resources", "2"]


def test_generate_writes_the_instance_and_its_manual_plan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "inst"
    code = main(["generate", str(out), *SMALL, "--seed", "4", "--name", "demo"])
    assert code == 0
    for name in ("instance.toml", "communities.csv", "firms.csv", "resources.csv"):
        assert (out / name).is_file()
    assert (out / "plans" / "manual.csv").is_file()
    assert 'name = "demo"' in (out / "instance.toml").read_text(encoding="utf-8")
    assert "20 communities in 2 streets" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--communities", "0"], "communities must be at least 1, got 0"),
        (["--streets", "25"], "streets must not exceed communities"),
        (["--firms", "0"], "firms must be at least 1, got 0"),
        (["--seed", "-1"], "seed must be at least 0, got -1"),
        (["--communities", "many"], "argument --communities: invalid int value: 'many'"),
    ],
)
def test_bad_sizes_exit_2_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    with pytest.raises(SystemExit) as exit_info:  # argparse's own errors exit from parse_args
        raise SystemExit(main(["generate", str(tmp_path / "inst"), *SMALL, *args]))
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert not (tmp_path / "inst").exists()


def test_a_non_empty_folder_is_refused_without_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text("keep me", encoding="utf-8")
    assert main(["generate", str(tmp_path), *SMALL]) == 2
    assert "is not empty" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_force_writes_into_a_non_empty_folder_and_keeps_other_files(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("keep me", encoding="utf-8")
    assert main(["generate", str(tmp_path), *SMALL, "--force"]) == 0
    assert (tmp_path / "communities.csv").is_file()
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "keep me"


def test_a_file_in_place_of_the_folder_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "inst"
    target.write_text("", encoding="utf-8")
    assert main(["generate", str(target), *SMALL, "--force"]) == 2
    assert "is not a folder" in capsys.readouterr().err
