"""The OR-Library readers: the real files (``orlib_family``) and tiny strings.

The real files are read-only references outside the repository (never copied into it); the
tests that read them skip, with how to get them, where they are absent. The synthetic strings
reproduce each byte-level quirk ``KNOWN.md`` documents: CRLF line endings, an optional leading
problem count, NUL padding, numbers with a trailing dot, junk after the data.
"""

from __future__ import annotations

import pytest

from benchmarks import orlib
from sharedprop.errors import InstanceError


def test_every_gap_file_parses_to_the_sizes_known_md_lists(orlib_family):
    folder = orlib_family("gap")
    sizes = {}
    for path in orlib.instance_files(folder):
        blocks = orlib.read_gap(path)
        sizes[path.stem] = [(b.m, b.n) for b in blocks]
        text_tokens = len(path.read_text().split())
        has_count = blocks[0].name != path.stem  # type E files hold one block and no count
        expected = int(has_count) + sum(2 + 2 * b.m * b.n + b.m for b in blocks)
        assert text_tokens == expected
    assert sizes["gap1"] == [(5, 15)] * 5
    assert sizes["gap8"] == [(8, 48)] * 5
    assert sizes["gap12"] == [(10, 60)] * 5
    assert sizes["gapd"] == [(5, 100), (5, 200), (10, 100), (10, 200), (20, 100), (20, 200)]
    assert sizes["e10200"] == [(10, 200)]
    assert len(sizes) == 22


def test_every_cpmp_file_holds_one_problem_of_the_size_known_md_lists(orlib_family):
    problems = [p for f in orlib.instance_files(orlib_family("cpmp")) for p in orlib.read_cpmp(f)]
    assert [p.name for p in problems] == [f"pmedcap{k:02d}" for k in range(1, 21)]
    assert {(p.n, p.p, p.capacity) for p in problems[:10]} == {(50, 5, 120)}
    assert {(p.n, p.p, p.capacity) for p in problems[10:]} == {(100, 10, 120)}
    demand = [int(p.demand.sum()) for p in problems]
    assert min(demand[:10]) >= 490 and max(demand[:10]) <= 574
    assert min(demand[10:]) >= 1017 and max(demand[10:]) <= 1124


def test_every_sscflp_file_reads_exactly_its_token_count(orlib_family):
    folder = orlib_family("sscflp")
    sizes = {}
    for path in orlib.instance_files(folder):
        problem = orlib.read_sscflp(path)
        sizes[problem.name] = (problem.m, problem.n)
        tokens = path.read_bytes().replace(b"\0", b" ").split()
        assert len(tokens) == 2 + 2 * problem.m + problem.n + problem.m * problem.n
    assert sizes["p1"] == (10, 50)
    assert sizes["p42"] == (20, 80)
    assert sizes["p71"] == (30, 200)
    assert len(sizes) == 20


def test_known_values_are_read_where_the_files_are(orlib_family):
    """From the folder's KNOWN.md beside ../shared, from benchmarks/known.csv after a fetch."""
    gap = orlib.read_known(orlib_family("gap"), "gap")
    assert gap["gap1-1"] == orlib.Known(261, True)  # the minimisation value, not 336
    assert gap["gap12-5"] == orlib.Known(945, True)
    assert gap["gapd-3"] == orlib.Known(6348, False)  # open in the source: a best-known value
    assert gap["e05200"] == orlib.Known(24930, True)
    assert len([k for k in gap if k.startswith("gap") and k[3].isdigit()]) == 60
    cpmp = orlib.read_known(orlib_family("cpmp"), "cpmp")
    assert cpmp["pmedcap08"].value == 820 and len(cpmp) == 20
    sscflp = orlib.read_known(orlib_family("sscflp"), "sscflp")
    assert sscflp["p71"].value == 25540 and len(sscflp) == 71


@pytest.mark.parametrize("family", orlib.FAMILIES)
def test_known_csv_holds_the_values_of_every_known_md_table(missing_orlib, tmp_path, family):
    """The fallback for fetched files says what ../shared's KNOWN.md says, value by value."""
    known_md = orlib.SHARED_DATA / family / "KNOWN.md"
    if not known_md.is_file():
        missing_orlib(f"{known_md} is absent: KNOWN.md comes only with ../shared/benchmarks/orlib")
    from_md = orlib.parse_known(family, known_md.read_text(encoding="utf-8"))
    assert orlib.read_known(tmp_path, family) == from_md


def test_without_known_md_the_known_values_come_from_known_csv(tmp_path):
    gap = orlib.read_known(tmp_path, "gap")
    assert gap["gap1-1"] == orlib.Known(261, True)
    assert gap["gapd-3"] == orlib.Known(6348, False)
    assert len(gap) == 90
    assert orlib.read_known(tmp_path, "cpmp")["pmedcap20"] == orlib.Known(1005, True)
    assert orlib.read_known(tmp_path, "gap", fallback=tmp_path / "none.csv") == {}


def test_the_first_folder_holding_a_family_is_where_its_files_are_read(tmp_path):
    first, second = tmp_path / "shared", tmp_path / "fetched"
    (second / "gap").mkdir(parents=True)
    assert orlib.family_dir("gap", dirs=(first, second)) == second / "gap"
    (first / "gap").mkdir(parents=True)
    assert orlib.family_dir("gap", dirs=(first, second)) == first / "gap"
    assert orlib.family_dir("gap", data=second) == second / "gap"


def test_a_family_in_no_folder_says_how_to_get_its_files(tmp_path):
    with pytest.raises(
        orlib.MissingData, match=r"no OR-Library cpmp files in .*python -m benchmarks\.fetch"
    ):
        orlib.family_dir("cpmp", dirs=(tmp_path / "a", tmp_path / "b"))


def test_truncated_euclidean_distances_floor_each_distance():
    problem = orlib.parse_cpmp("1 0\r\n3 1 5\r\n1 0 0 1\r\n2 3 4 1\r\n3 1 1 1", "t")[0]
    assert problem.distances().tolist() == [[0, 5, 1], [5, 0, 3], [1, 3, 0]]


def test_a_cpmp_file_with_crlf_and_no_final_newline_is_one_problem_named_after_the_file():
    text = "1 7\r\n2 1 9\r\n1 0 0 4\r\n2 3 4 5"
    (problem,) = orlib.parse_cpmp(text, "pmedcapXX")
    assert problem.name == "pmedcapXX"
    assert (problem.n, problem.p, problem.capacity, problem.recorded) == (2, 1, 9, 7)
    assert problem.demand.tolist() == [4, 5]


def test_a_combined_cpmp_file_with_a_leading_count_holds_each_problem():
    block = "{k} 7\n2 1 9\n1 0 0 4\n2 3 4 5\n"
    text = "2\n" + block.format(k=1) + block.format(k=2)
    problems = orlib.parse_cpmp(text, "pmedcap1")
    assert [p.name for p in problems] == ["pmedcap1-1", "pmedcap1-2"]


def test_cpmp_rows_out_of_order_name_the_row():
    with pytest.raises(InstanceError, match=r"t: t point row 2 has id 3, expected 2"):
        orlib.parse_cpmp("1 7\n2 1 9\n1 0 0 4\n3 3 4 5", "t")


def test_a_gap_type_e_file_is_a_single_block_without_a_count():
    text = "2 3\n1 2 3\n4 5 6\n1 1 1\n2 2 2\n5 6"
    (block,) = orlib.parse_gap(text, "e02003")
    assert block.name == "e02003"
    assert block.cost.tolist() == [[1, 2, 3], [4, 5, 6]]
    assert block.weight.tolist() == [[1, 1, 1], [2, 2, 2]]
    assert block.capacity.tolist() == [5, 6]


def test_gap_blocks_after_a_count_are_numbered_from_one():
    one = "1 2\n3 4\n1 1\n2\n"
    blocks = orlib.parse_gap("2\n" + one + one, "gapz")
    assert [b.name for b in blocks] == ["gapz-1", "gapz-2"]


def test_a_gap_file_with_tokens_after_the_last_block_is_refused():
    with pytest.raises(InstanceError, match=r"gapz: 1 tokens left after 1 problems"):
        orlib.parse_gap("1\n1 2\n3 4\n1 1\n2\n99", "gapz")


def test_a_truncated_gap_file_says_what_it_was_reading():
    with pytest.raises(
        InstanceError, match=r"gapz: file ends after 6 tokens while reading gapz-1: weight"
    ):
        orlib.parse_gap("1\n1 2\n3 4\n1", "gapz")


def test_sscflp_reads_trailing_dots_nul_padding_and_ignores_junk_after_the_matrix():
    text = "2 3\r\n10 100\r\n20 200\r\n 4.  5.  6.\r\n1. 2. 3.\r\n4. 5. 6.\r\n\x00\x00\x00 77 junk"
    problem = orlib.parse_sscflp(text, "p99")
    assert problem.capacity.tolist() == [10, 20]
    assert problem.fixed_cost.tolist() == [100, 200]
    assert problem.demand.tolist() == [4, 5, 6]
    assert problem.cost.tolist() == [[1, 2, 3], [4, 5, 6]]


def test_an_sscflp_number_that_is_not_whole_is_refused():
    with pytest.raises(InstanceError, match=r"p99: token 3 is '10.5', expected an integer"):
        orlib.parse_sscflp("1 1 10.5 3 4 5", "p99")


def test_markdown_tables_are_read_row_by_row():
    text = "| a | b |\n|---|---:|\n| x | 1 |\n| y | 2 |\n\nprose\n"
    assert list(orlib.markdown_tables(text)) == [[{"a": "x", "b": "1"}, {"a": "y", "b": "2"}]]


def test_instance_files_skip_markdown_and_hidden_files(tmp_path):
    for name in ("KNOWN.md", ".hidden", "p10", "p9", "notes.MD"):
        (tmp_path / name).write_text("x")
    assert [f.name for f in orlib.instance_files(tmp_path)] == ["p9", "p10"]


def test_a_lorena_senne_file_reads_points_capacity_demand_and_real_distances(tmp_path):
    """The SJC / p3038 layout: ``n p``, then ``x y capacity demand`` per point."""
    path = tmp_path / "sjc-mini.txt"
    path.write_text("3 2\n0.0 0.0 10 4\n3.0 4.0 10 5\n1.5 0 10 1\n", encoding="ascii")
    (problem,) = orlib.read_cpmp(path)
    assert (problem.name, problem.n, problem.p, problem.capacity) == ("sjc-mini", 3, 2, 10)
    assert problem.demand.tolist() == [4, 5, 1] and problem.recorded is None
    assert problem.distances()[0, 1] == 5.0 and problem.distances()[0, 2] == 1.5  # not floored
    assert problem.costs()[0, 2] == 150 and problem.costs()[1, 2] == round(100 * 4.272001872658765)


def test_a_lorena_senne_file_with_unequal_capacities_names_the_line():
    with pytest.raises(InstanceError, match=r"t: line 3 column 3 has capacity 9, line 2 has 10"):
        orlib.parse_cpmp("2 1\n0 0 10 1\n1 1 9 1\n", "t")


def test_a_lorena_senne_demand_that_is_not_whole_names_line_and_column():
    with pytest.raises(InstanceError, match=r"t: line 2 column 4 is '1.5', not whole"):
        orlib.parse_lorena_senne("2 1\n0 0 10 1.5\n1 1 10 1\n", "t")


def test_generated_instances_repeat_for_a_seed_and_read_back_with_capacity_binding(tmp_path):
    from benchmarks.generate_cpmp import instance_text, write_instances

    assert instance_text(40, 4, seed=3) == instance_text(40, 4, seed=3)
    assert instance_text(40, 4, seed=3) != instance_text(40, 4, seed=4)
    (path,) = write_instances(tmp_path, points=40, medians=4, count=1, seed=3)
    (problem,) = orlib.read_cpmp(path)
    assert (problem.name, problem.n, problem.p) == ("cpmp-n40-p4-s3", 40, 4)
    total = int(problem.demand.sum())
    assert problem.p * problem.capacity >= total > 0.85 * problem.p * problem.capacity
