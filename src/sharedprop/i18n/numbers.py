"""Numbers and lists as each language writes them for planners.

English is exactly :mod:`sharedprop.formatting` (``1,234,567`` with "yuan" in the
sentence, ``12.3 %``, ``850 m``, ``A, B and C``). Chinese writes money in 万元 from ten thousand
yuan on, as planners do (``56.4 万元``; below that ``8,500 元``), shares as ``12.3%``,
distances as ``850 米`` / ``12.4 公里`` and lists as ``A、B和C``. A Chinese sentence's
template therefore carries no unit after a money field: :func:`money` brings it.
"""

from __future__ import annotations

import math

from sharedprop import formatting
from sharedprop.i18n.catalog import language

WAN = 10_000.0


def money(value: float | None) -> str:
    """Yuan: ``"564,321"`` in English (the sentence says "yuan"), ``"56.4 万元"`` in Chinese."""
    if language() == "en" or value is None or not math.isfinite(value):
        return formatting.yuan(value)
    if abs(value) >= WAN:
        text = f"{value / WAN:,.1f}"
        return f"{text.removesuffix('.0') if text.endswith('.0') else text} 万元"
    return f"{formatting.yuan(value)} 元"


def share(value: float | None, digits: int = 1) -> str:
    """``12.3 %`` in English, ``12.3%`` in Chinese."""
    text = formatting.pct(value, digits)
    return text if language() == "en" else text.replace(" %", "%")


def percent(value: float, digits: int = 1) -> str:
    """``12.3%`` in both languages (Python's ``%`` format, as the command line prints)."""
    return f"{value:.{digits}%}"


def distance(value: float | None) -> str:
    """``850 m`` / ``12.4 km`` in English, ``850 米`` / ``12.4 公里`` in Chinese."""
    text = formatting.metres(value)
    if language() == "en":
        return text
    return text.replace(" km", " 公里").replace(" m", " 米")


def words(items: list[str]) -> str:
    """``A, B and C`` in English, ``A、B和C`` in Chinese."""
    if language() == "en" or len(items) < 2:
        return formatting.join_words(items)
    return "、".join(items[:-1]) + "和" + items[-1]


count = formatting.count

__all__ = ["count", "distance", "money", "percent", "share", "words"]
