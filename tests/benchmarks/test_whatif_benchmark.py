"""benchmarks/whatif.py: when whatif's saving and two independent solves' agree."""

from __future__ import annotations

from benchmarks.whatif import Saving, agrees


def test_proven_savings_agree_only_to_the_yuan() -> None:
    assert agrees(Saving(1000.0, 1000.0, 1000.0, True), Saving(1000.3, 1000.3, 1000.3, True))
    assert not agrees(Saving(1000.0, 1000.0, 1000.0, True), Saving(1001.0, 1001.0, 1001.0, True))


def test_unproven_savings_agree_when_their_intervals_share_a_point() -> None:
    assert agrees(Saving(900.0, 500.0, 1200.0, False), Saving(1000.0, 1100.0, 1100.0, True))
    assert not agrees(Saving(900.0, 500.0, 800.0, False), Saving(1000.0, 900.0, 1300.0, False))


def test_a_saving_that_was_not_found_never_agrees() -> None:
    assert not agrees(Saving(None, None, None, False), Saving(0.0, 0.0, 0.0, True))
