"""The server and the browser of the browser tests (see chromium.py)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from sharedprop.app.server import Server
from sharedprop.app.settings import AppSettings
from tests.app.browser.chromium import CHROMEDRIVER, FLAGS, WAIT_S, binary


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    settings = AppSettings(
        workspace=tmp_path_factory.mktemp("workspace"), port=0, lang="en", solve_workers=2
    )
    srv = Server(settings)
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def browser(server) -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = binary("Chromium", "chromium", "chromium-browser")
    for flag in FLAGS:
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="sharedprop-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver_path = (
        CHROMEDRIVER if Path(CHROMEDRIVER).exists() else binary("chromedriver", "chromedriver")
    )
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_page_load_timeout(WAIT_S)
    driver.set_script_timeout(WAIT_S)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
