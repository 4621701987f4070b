"""The benchmark tests import the top-level ``benchmarks`` package from the repository root.

``python -m pytest`` puts the working directory on ``sys.path``; the ``pytest`` script does not,
so the root is added here.

The OR-Library files are not in the repository. ``orlib_family`` finds a family's folder
(``../shared/benchmarks/orlib`` beside the checkout, or ``benchmarks/data/orlib`` after
``python -m benchmarks.fetch``); without one the test is skipped with a reason that says how to
get the files, unless ``SHAREDPROP_REQUIRE_ORLIB=1`` (CI, which runs beside ``../shared``), where
missing files fail the test.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import orlib  # noqa: E402  (needs the root on sys.path first)

REQUIRE_ORLIB = "SHAREDPROP_REQUIRE_ORLIB"


def _skip_or_fail(reason: str) -> NoReturn:
    if os.environ.get(REQUIRE_ORLIB) == "1":
        pytest.fail(f"{reason} ({REQUIRE_ORLIB}=1 asks for these files)")
    pytest.skip(reason)


@pytest.fixture
def missing_orlib() -> Callable[[str], NoReturn]:
    """``missing_orlib(reason)``: skip the test, or fail it under CI's setting."""
    return _skip_or_fail


@pytest.fixture
def orlib_family() -> Callable[[str], Path]:
    """``orlib_family("gap")``: that family's folder, or a skip (a failure under CI's setting)."""

    def find(family: str) -> Path:
        try:
            return orlib.family_dir(family)
        except orlib.MissingData as exc:
            _skip_or_fail(str(exc))

    return find
