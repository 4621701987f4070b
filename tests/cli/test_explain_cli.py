"""``sharedprop explain``: plain words on stdout, exit 0; an unknown id is exit 2 with a message.

Fixture: ``tests/data/tiny-street`` and its plans (see ``tests/test_explain.py``).
"""

from __future__ import annotations

from pathlib import Path

from sharedprop.cli import main

DATA = Path(__file__).resolve().parents[1] / "data"
STREET = str(DATA / "tiny-street")


def test_explain_prints_the_package_the_alternatives_and_the_rules(capsys):
    code = main(["explain", STREET, "--plan", str(DATA / "tiny-street-better.csv"),
                 "--community", "C2"])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert "Package P1, run by 员当新市区物业 (F1), it is the service point" in out
    assert "binds  contiguity: C2 links parts of P1" in out


def test_a_bare_plan_name_is_found_in_the_instances_plans_folder(capsys):
    assert main(["explain", STREET, "--plan", "manual", "--community", "C5"]) == 0
    assert "Package M2, run by -盛泰和物业 (F3)" in capsys.readouterr().out


def test_all_lists_every_alternative(capsys):
    main(["explain", STREET, "--plan", "manual", "--community", "C5", "--all"])
    assert "more alternatives" not in capsys.readouterr().out


def test_an_unknown_community_exits_2_with_a_message_and_no_traceback(capsys):
    code = main(["explain", STREET, "--plan", "manual", "--community", "C99"])
    err = capsys.readouterr().err
    assert code == 2
    assert "community 'C99' is not in instance tiny-street" in err
    assert "Traceback" not in err
