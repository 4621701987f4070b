"""The progress display: plain throttled lines off a terminal, a live line on one."""

from __future__ import annotations

import io

from sharedprop.progress import ProgressPrinter, describe
from sharedprop.result import ProgressPoint


def test_off_a_terminal_lines_come_at_most_every_two_seconds_and_on_every_new_incumbent():
    out = io.StringIO()  # not a TTY
    with ProgressPrinter(60, stream=out) as show:
        assert show.live is False
        show(ProgressPoint(0.1, None, 100.0, "warm start"))  # first: printed
        show(ProgressPoint(0.5, None, 150.0))  # 0.4 s later, nothing new: quiet
        show(ProgressPoint(0.9, 500.0, 150.0))  # new incumbent: printed
        show(ProgressPoint(1.5, 500.0, 200.0))  # quiet
        show(ProgressPoint(3.0, 500.0, 210.0))  # 2.1 s after the last line: printed
        show(ProgressPoint(3.2, 480.0, 210.0))  # new incumbent: printed
        show(ProgressPoint(3.4, 480.0, 240.0))  # quiet now, printed on close
    lines = out.getvalue().splitlines()
    assert lines == [
        "[   0.1 s / 60 s] no plan yet  bound 100  (warm start)",
        "[   0.9 s / 60 s] objective 500  bound 150  gap 70.0 %",
        "[   3.0 s / 60 s] objective 500  bound 210  gap 58.0 %",
        "[   3.2 s / 60 s] objective 480  bound 210  gap 56.2 %",
        "[   3.4 s / 60 s] objective 480  bound 240  gap 50.0 %",
    ]


def test_closing_after_the_last_line_was_printed_adds_nothing():
    out = io.StringIO()
    show = ProgressPrinter(None, stream=out)
    show(ProgressPoint(1.0, 10.0, 10.0))
    show.close()
    assert out.getvalue() == "[   1.0 s] objective 10  bound 10  gap 0.0 %\n"


def test_on_a_terminal_one_live_line_shows_the_clock_the_objective_and_the_gap():
    out = io.StringIO()
    with ProgressPrinter(30, stream=out, live=True) as show:
        show(ProgressPoint(2.0, 1_234_567.0, 1_200_000.0))
    text = out.getvalue()
    assert "\x1b[" in text  # drawn with terminal control codes, not as log lines
    assert "objective 1,234,567  bound 1,200,000  gap 2.8 %" in text
    assert "/ 30 s" in text


def test_describe_says_when_there_is_no_plan_yet():
    assert describe(None) == "no plan yet"
    assert describe(ProgressPoint(1.0, None, None)) == "no plan yet"


def test_time_spent_before_the_search_is_added_to_every_time_shown():
    """The CLI's limit counts the whole command: loading the instance took 1.5 s here."""
    out = io.StringIO()
    with ProgressPrinter(10, stream=out, elapsed_before=1.5) as show:
        show(ProgressPoint(0.2, 500.0, 400.0))
    assert out.getvalue() == "[   1.7 s / 10 s] objective 500  bound 400  gap 20.0 %\n"
