"""Each problem the loader reports carries its place as fields, beside its unchanged sentence."""

from __future__ import annotations

import pickle

import pytest

from sharedprop import load_instance
from sharedprop.errors import InstanceError, Problem
from tests.io.test_frames import tiny_frames, tiny_from_frames


def _fields(p: Problem) -> tuple:
    return (p.place, p.table, p.row, p.column, p.value)


def test_a_folder_s_problems_name_file_table_row_column_and_the_cell_as_read(
    tiny_files, write_instance
) -> None:
    tiny_files.set("communities", 1, "households", "-3")
    tiny_files.set("locks", 0, "firm_id", "F9")
    with pytest.raises(InstanceError) as err:
        load_instance(write_instance(tiny_files), lang="zh")
    by_table = {p.table: p for p in err.value.problems}
    assert _fields(by_table["communities"]) == (
        "communities.csv", "communities", 3, "households", "-3"
    )  # fmt: skip
    assert by_table["communities"].startswith("communities.csv 第 3 行")  # the text is unchanged
    assert _fields(by_table["locks"]) == ("locks.csv", "locks", 2, "firm_id", "F9")


def test_a_frame_s_rows_are_no_spreadsheet_rows_so_only_the_sentence_names_them() -> None:
    frames = tiny_frames()
    frames["communities"].loc[2, "fee_rate"] = -1
    with pytest.raises(InstanceError) as err:
        tiny_from_frames(frames=frames)
    (p,) = err.value.problems
    assert _fields(p) == ("communities frame", "communities", None, "fee_rate", "-1")
    assert p.startswith("communities frame index 2 (id C03): fee_rate must be >= 0")


def test_a_missing_column_names_its_table_and_header_row(tiny_files, write_instance) -> None:
    for row in tiny_files.tables["firms"]:
        del row["min_margin"]
    with pytest.raises(InstanceError) as err:
        load_instance(write_instance(tiny_files))
    (p,) = err.value.problems
    assert _fields(p) == ("firms.csv", "firms", 1, None, None)


def test_a_problem_is_a_read_only_string_that_survives_pickling() -> None:
    p = Problem("x.csv row 2: bad", place="x.csv", table="x", row=2, column="c", value="v")
    assert p == "x.csv row 2: bad" and isinstance(p, str)
    with pytest.raises(AttributeError, match="read-only"):
        p.row = 3
    back = pickle.loads(pickle.dumps(p))
    assert (back, _fields(back)) == (p, _fields(p))


def test_plain_sentences_become_problems_without_a_place() -> None:
    err = InstanceError(["instance.toml is missing"])
    assert _fields(err.problems[0]) == (None, None, None, None, None)
    assert err.problems[0] == "instance.toml is missing"
