"""Fixtures of the app's tests."""

from __future__ import annotations

import threading
import time

import pytest


@pytest.fixture(autouse=True, scope="module")
def no_thread_outlives_its_module():
    """The app's threads (solves, explanations, the server) end with the tests that start them:
    the solver forks its helpers only from a process with a single thread, and later tests
    rely on that."""
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        left = [t for t in threading.enumerate() if t not in before and t.is_alive()]
        if not left:
            return
        time.sleep(0.1)
    pytest.fail(f"threads left running: {[t.name for t in left]}")
