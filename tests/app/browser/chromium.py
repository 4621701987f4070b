"""A real browser on the app: headless Debian Chromium driven by Selenium and chromedriver.

No browser is downloaded: Selenium uses ``/usr/bin/chromedriver`` and ``/usr/bin/chromium``
(``.ci/run`` installs them; a missing one FAILS the tests). The server listens on 127.0.0.1 at a
free port in a thread and is stopped at the end; every wait is bounded. Screenshots go to
``out/app-screenshots/`` (git-ignored).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SHOTS = ROOT / "out" / "app-screenshots"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    "--window-size=1400,900", "--disable-dev-shm-usage",
)  # fmt: skip
WAIT_S = 30


def binary(name: str, *candidates: str) -> str:
    for c in candidates:
        if path := shutil.which(c):
            return path
    pytest.fail(
        f"{name} is not installed: apt-get install -y chromium chromium-driver (.ci/run does)"
    )


def shot(driver, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    driver.save_screenshot(str(path))
    return path
