"""--lang zh|en: the command's summary and its errors in the planner's language."""

from __future__ import annotations

from pathlib import Path

import pytest

from sharedprop.cli import main

STREET = Path(__file__).resolve().parents[1] / "data" / "tiny-street"


@pytest.mark.parametrize(
    "argv",
    [
        ["--lang", "zh", "evaluate", str(STREET), "--plan", "manual.csv"],
        ["evaluate", str(STREET), "--plan", "manual.csv", "--lang", "zh"],
    ],
    ids=["before-the-command", "after-the-command"],
)
def test_lang_zh_prints_the_evaluation_in_chinese(argv, capsys) -> None:
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert out.startswith("方案 manual：可行")
    assert "财政资金" in out and "403,539 元/年" in out


def test_a_chinese_locale_gives_chinese_without_the_option(monkeypatch, capsys) -> None:
    monkeypatch.setenv("LANGUAGE", "zh_CN")
    assert main(["validate", str(STREET)]) == 0
    assert capsys.readouterr().out.rstrip().endswith("方案：manual.csv（3 个片区，8 个小区）")


def test_lang_en_overrides_a_chinese_locale(monkeypatch, capsys) -> None:
    monkeypatch.setenv("LANGUAGE", "zh_CN")
    assert main(["--lang", "en", "evaluate", str(STREET), "--plan", "manual.csv"]) == 0
    assert capsys.readouterr().out.startswith("plan manual: feasible")


def test_an_unknown_language_is_a_usage_error(capsys) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--lang", "fr", "validate", str(STREET)])
    assert stop.value.code == 2
    assert "invalid choice: 'fr'" in capsys.readouterr().err


def test_explain_speaks_chinese_with_money_in_wan_yuan(capsys) -> None:
    argv = ["explain", str(STREET), "--plan", "manual.csv", "--community", "C3", "--lang", "zh"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "片区 M1，由员当新市区物业（F1）承接，本小区即服务点" in out
    assert "每年需补贴 13.6 万元" in out
