"""Numbers as a planner reads them."""

from __future__ import annotations

import math

from sharedprop.formatting import join_words, metres, pct, plural, seconds, yuan


def test_yuan_rounds_to_whole_yuan_with_thousands_separators():
    assert yuan(1_234_567.4) == "1,234,567"
    assert yuan(-0.2) == "0" and yuan(None) == "—" and yuan(math.nan) == "—"
    assert yuan(84_000, unit=True) == "84,000 yuan"


def test_shares_distances_and_durations():
    assert pct(0.1234) == "12.3 %" and pct(None) == "—"
    assert metres(849.6) == "850 m" and metres(12_400) == "12.4 km"
    assert seconds(12.34) == "12.3 s" and seconds(60) == "1 min" and seconds(95) == "1 min 35 s"


def test_lists_and_plurals_read_as_english():
    assert join_words(["P1"]) == "P1" and join_words(["P1", "P2", "P3"]) == "P1, P2 and P3"
    assert plural(1, "community", "communities") == "1 community"
    assert plural(1200, "rule") == "1,200 rules"
