"""Fixtures of the app's tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.app.pilot_files import broken_pilot_upload


@pytest.fixture
def broken_pilot(tmp_path) -> Path:
    return broken_pilot_upload(tmp_path)
