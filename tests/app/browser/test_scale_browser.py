"""The city-sized instance in the browser: 1,414 communities load, draw and pan and zoom.

Timings are measured, written to ``out/app-results/map_scale.json`` and printed, never
asserted (speed is a measurement, not a test). What is asserted: every community is on the
map, and the page still answers a script while and after it pans and zooms.
"""

from __future__ import annotations

import json
import os
import platform
import time
from datetime import UTC, datetime

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from sharedprop.generate import generate_instance
from tests.app.browser.chromium import ROOT, shot

pytestmark = pytest.mark.browser
CITY = {"communities": 1414, "streets": 38, "firms": 100, "resources": 100, "seed": 1}
RESULTS = ROOT / "out" / "app-results" / "map_scale.json"
# Long tasks (> 50 ms on the main thread) while panning and zooming, as Chrome reports them.
OBSERVE = """
window.__long = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__long.push(e.duration);
}).observe({ type: "longtask", buffered: false });
"""
FRAME = (
    "const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => done(1)));"
)


def frame_wait(driver) -> float:
    """Seconds until the page has drawn two more frames (how long its main thread is busy)."""
    t0 = time.perf_counter()
    driver.execute_async_script(FRAME)
    return time.perf_counter() - t0


@pytest.fixture(scope="module")
def city(server, tmp_path_factory):
    folder = generate_instance(tmp_path_factory.mktemp("city") / "city", **CITY)
    t0 = time.perf_counter()
    state = server.app.state.workbench.open_path(str(folder))
    assert state.status == "valid"
    return time.perf_counter() - t0


def test_the_city_instance_draws_every_community_and_pans_and_zooms(server, browser, city):
    t0 = time.perf_counter()
    browser.get(server.launch_url)
    WebDriverWait(browser, 120).until(
        lambda d: d.execute_script("return document.body.dataset.ready === '1'")
    )
    ready_s = time.perf_counter() - t0
    communities = browser.find_elements(By.CSS_SELECTOR, "[data-testid='community']")
    assert len(communities) == CITY["communities"]
    draw_ms = float(browser.find_element(By.ID, "map").get_attribute("data-draw-ms"))
    browser.execute_script(OBSERVE)
    box = browser.find_element(By.ID, "map")
    moves = []
    for dx, dy in ((200, 0), (-150, 120), (0, -200)):
        t = time.perf_counter()
        ActionChains(browser).move_to_element(box).click_and_hold().move_by_offset(dx, dy) \
            .release().perform()  # fmt: skip
        moves.append(time.perf_counter() - t + frame_wait(browser))
    zooms = []
    for selector in (
        ".leaflet-control-zoom-in",
        ".leaflet-control-zoom-in",
        ".leaflet-control-zoom-out",
    ):
        t = time.perf_counter()
        browser.find_element(By.CSS_SELECTOR, selector).click()
        time.sleep(0.3)  # Leaflet's zoom animation (0.25 s)
        zooms.append(time.perf_counter() - t + frame_wait(browser))
    long_tasks = browser.execute_script("return window.__long")
    assert browser.execute_script("return 1 + 1") == 2  # the page still answers
    shot(browser, "4-city")
    result = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": (
            f"{platform.machine()} {platform.processor() or ''} {os.cpu_count()} cores"
        ).strip(),
        "python": platform.python_version(),
        "instance": CITY,
        "open_instance_s": round(city, 2),
        "page_ready_s": round(ready_s, 2),
        "map_draw_ms": draw_ms,
        "pan_s": [round(x, 3) for x in moves],
        "zoom_s": [round(x, 3) for x in zooms],
        "long_tasks_ms": [round(x) for x in long_tasks],
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    print(json.dumps(result))
