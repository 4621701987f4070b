"""Numbers as a street-office planner reads them: yuan with thousands separators, shares in %.

A leaf module (standard library only) so that compare, explain and the progress display can
share it with the report without importing the report.
"""

from __future__ import annotations

import math


def yuan(value: float | None, *, unit: bool = False) -> str:
    """``1234567.4`` → ``"1,234,567"`` (whole yuan; ``"—"`` when unknown)."""
    if value is None or not math.isfinite(value):
        return "—"
    text = f"{round(value):,}"
    if text == "-0":
        text = "0"
    return f"{text} yuan" if unit else text


def pct(share: float | None, digits: int = 1) -> str:
    """``0.1234`` → ``"12.3 %"``."""
    if share is None or not math.isfinite(share):
        return "—"
    return f"{share * 100:.{digits}f} %"


def metres(value: float | None) -> str:
    """Distances: ``"850 m"`` below 10 km, ``"12.4 km"`` above."""
    if value is None or not math.isfinite(value):
        return "—"
    if abs(value) >= 10_000:
        return f"{value / 1000:.1f} km"
    return f"{round(value):,} m"


def count(value: int) -> str:
    return f"{value:,}"


def seconds(value: float | None) -> str:
    if value is None or not math.isfinite(value):
        return "—"
    if value < 60:
        return f"{value:.1f} s"
    minutes, rest = divmod(round(value), 60)
    return f"{minutes} min {rest} s" if rest else f"{minutes} min"


def join_words(items: list[str]) -> str:
    """``["P1", "P2", "P3"]`` → ``"P1, P2 and P3"``."""
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]


def plural(n: int, one: str, many: str | None = None) -> str:
    """``plural(1, "community", "communities")`` → ``"1 community"``."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"
