"""The page's own modules in the browser, and names shown as text, never as markup."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.app.browser.chromium import WAIT_S

pytestmark = pytest.mark.browser
EVIL = '<img src=x onerror="window.__xss = 1">'


def run_module(driver, module: str, body: str):
    """Import ``/static/js/<module>`` as ``m`` in the page and return ``body``'s value."""
    script = (
        "const done = arguments[arguments.length - 1];"
        f"import('/static/js/{module}').then((m) => done({body}))"
        ".catch((e) => done('ERROR ' + e));"
    )
    return driver.execute_async_script(script)


@pytest.fixture(scope="module")
def page(server, browser, tmp_path_factory, request):
    tiny_files = request.getfixturevalue("tiny_files_module")
    tiny_files.set("communities", 0, "name", EVIL)
    tiny_files.set("firms", 0, "name", "<script>window.__xss = 2</script>")
    folder = tiny_files.write(tmp_path_factory.mktemp("evil") / "instance")
    assert server.app.state.workbench.open_path(str(folder)).status == "valid"
    browser.get(server.launch_url)
    WebDriverWait(browser, WAIT_S).until(
        lambda d: d.execute_script("return document.body.dataset.ready === '1'")
    )
    return browser


@pytest.fixture(scope="module")
def tiny_files_module():
    from tests.conftest import InstanceFiles

    return InstanceFiles()


def test_money_shows_in_whole_yuan_and_data_values_are_digits(page):
    got = run_module(
        page, "format.js", "[m.yuan(1234567.4), m.yuan(-0.4), m.yuan(null), m.digits(239940.6),"
        " m.digits(-12.5), m.digits(undefined), m.pct(0.1234)]",
    )  # fmt: skip
    assert got == ["1,234,567", "0", "—", "239941", "-12", "", "12.3 %"]


def test_the_chart_scales_objective_and_bound_into_its_box(page):
    got = run_module(
        page, "chart.js", "m.chartPaths([[0, 200, 100], [10, 150, 120], [20, 150, null]], 108, 66)"
    )
    assert got["low"] == 100 and got["high"] == 200
    assert got["objective"] == "M4.0,12.0L54.0,37.0L104.0,37.0"
    assert got["bound"] == "M4.0,62.0L54.0,52.0"


def test_the_catalog_fills_in_placeholders(page):
    got = run_module(
        page, "i18n.js",
        "(m.setCatalog('zh', {'Saved “{name}”.': '已保存“{name}”。'}),"
        " [m._('Saved “{name}”.', {name: 'A'}), m._('Map'), m._('{x} left', {})])",
    )  # fmt: skip
    assert got == ["已保存“A”。", "Map", "{x} left"]


def test_names_with_markup_are_shown_as_text(page):
    node = page.find_element(By.CSS_SELECTOR, "[data-testid='community'][data-community-id='C01']")
    page.execute_script(
        "arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))", node
    )
    WebDriverWait(page, WAIT_S).until(
        lambda d: (
            d.find_element(By.ID, "community-panel").get_attribute("data-community-id") == "C01"
        )
    )
    page.execute_script(
        "arguments[0].dispatchEvent(new MouseEvent('mouseover', {bubbles: true}))", node
    )
    panel = page.find_element(By.ID, "community-panel")
    assert EVIL in panel.find_element(By.TAG_NAME, "h3").text
    assert panel.find_elements(By.TAG_NAME, "img") == []
    rows = page.find_elements(By.CSS_SELECTOR, "[data-testid='package-row']")
    assert any("<script>" in r.text for r in rows)
    assert page.execute_script("return window.__xss === undefined")
