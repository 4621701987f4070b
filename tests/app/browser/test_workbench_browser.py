"""The planner's scenario in a real browser, step by step (the steps run in file order and build
on each other: one server, one browser, one workspace).

Upload the pilot (the template workbook filled with its data) with a broken row, see the error
naming sheet, row, column and value and its highlighted cell, fix the cell, solve
for a few seconds, see every package in the table and on the map, move a community by hand and
see public money change to the yuan ``evaluate`` gives, lock a community and optimise the rest,
save two scenarios and compare them, download the workbook and read it back.
"""

from __future__ import annotations

import math
import time
from dataclasses import replace

import pytest
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

from sharedprop import evaluate, load_instance, read_plan
from tests.app.browser.chromium import WAIT_S, shot
from tests.app.pilot_files import (
    BROKEN_COLUMN,
    BROKEN_ROW,
    BROKEN_VALUE,
    FIXED_VALUE,
    UPLOAD_KIND,
    broken_pilot_upload,
)

pytestmark = pytest.mark.browser
SOLVE_S = 4


def css(driver, selector):
    return driver.find_elements(By.CSS_SELECTOR, selector)


def hook(driver, name):
    return css(driver, f"[data-testid='{name}']")


def wait(driver, condition, timeout=WAIT_S, message=""):
    # The page redraws its map and tables after each change: an element may go stale mid-check.
    waiter = WebDriverWait(
        driver, timeout, poll_frequency=0.2, ignored_exceptions=(StaleElementReferenceException,)
    )
    try:
        return waiter.until(lambda d: condition(d))
    except TimeoutException:
        said = driver.find_element(By.ID, "message").text
        log = [e["message"] for e in driver.get_log("browser")][-5:]
        pytest.fail(f"{message or 'timed out'}; the page says {said!r}; console: {log}")


def attrs(driver, name, *attributes):
    """Attributes of every element with data-testid ``name``, read in one step in the page."""
    script = (
        "return [...document.querySelectorAll(`[data-testid='${arguments[0]}']`)]"
        ".map((e) => arguments[1].map((a) => e.getAttribute(a)));"
    )
    return [tuple(row) for row in driver.execute_script(script, name, list(attributes))]


def whole_yuan(value: float) -> int:
    """The figure as the page shows it: the API's fen, rounded half up to the yuan (JS rounding)."""
    return math.floor(round(value, 2) + 0.5)


def public_money(driver) -> int | None:
    value = hook(driver, "public-money")[0].get_attribute("data-value")
    return int(value) if value else None


def view(driver, name):
    driver.find_element(By.CSS_SELECTOR, f".tabs button[data-view='{name}']").click()


def workbench(server):
    return server.app.state.workbench


def scored(server):
    """evaluate() of the server's current plan, on the instance with the plan's locks."""
    wb = workbench(server)
    instance = replace(load_instance(wb.inst.source), locks=wb.current.locks)
    return wb.current.plan, evaluate(instance, wb.current.plan)


def wait_for_solve(driver, before_version=None):
    wait(driver, lambda d: hook(d, "status")[0].get_attribute("data-state") == "running",
         message="the solve never showed as running")  # fmt: skip
    wait(driver, lambda d: hook(d, "status")[0].get_attribute("data-state") in ("done", "stopped"),
         timeout=SOLVE_S + 60, message="the solve did not finish")  # fmt: skip


@pytest.fixture(scope="module")
def page(server, browser, tmp_path_factory):
    browser.get(server.launch_url)
    wait(browser, lambda d: d.execute_script("return document.body.dataset.ready === '1'"))
    assert "token=" not in browser.current_url  # the token went into a cookie
    return browser


@pytest.fixture(scope="module")
def memo() -> dict:
    return {}


def test_an_upload_with_a_broken_row_lists_the_error_and_highlights_its_cell(page, tmp_path):
    upload = hook(page, "upload")[0]
    assert upload.is_displayed()  # an empty workspace opens on the data view
    upload.send_keys(str(broken_pilot_upload(tmp_path)))
    errors = wait(page, lambda d: css(d, "[data-testid='validation-error']"))
    assert len(errors) == 1
    err = errors[0]
    assert (err.get_attribute("data-table"), err.get_attribute("data-row")) == (
        "communities", str(BROKEN_ROW),
    )  # fmt: skip
    assert err.get_attribute("data-column") == BROKEN_COLUMN
    # The sentence names the sheet (or file), the row, the column and the value.
    place = "sheet communities" if UPLOAD_KIND == "xlsx" else "communities.csv"
    assert f"{place} row {BROKEN_ROW}" in err.text
    assert BROKEN_VALUE in err.text and BROKEN_COLUMN in err.text
    bad = hook(page, "bad-cell")
    assert [b.get_attribute("data-column") for b in bad] == [BROKEN_COLUMN]
    assert bad[0].find_element(By.TAG_NAME, "input").get_attribute("value") == BROKEN_VALUE
    assert not hook(page, "solve")[0].is_enabled()  # nothing is solved before the data is valid
    shot(page, "1-validation-error")


def test_fixing_the_cell_makes_the_instance_valid_and_draws_every_community(page):
    cell = hook(page, "cell-input")[0]
    cell.send_keys(Keys.CONTROL, "a")
    cell.send_keys(FIXED_VALUE + Keys.ENTER)
    wait(page, lambda d: len(hook(d, "community")) == 29, message="the map never showed 29")
    assert hook(page, "validation-errors")[0].text == ""
    assert hook(page, "solve")[0].is_enabled()
    ids = {c for (c,) in attrs(page, "community", "data-community-id")}
    assert {"YD01", "YD-S01"} <= ids


def test_a_solve_of_a_few_seconds_shows_every_package_in_the_table_and_on_the_map(
    page, server, memo
):
    limit = page.find_element(By.ID, "time-limit")
    limit.clear()
    limit.send_keys(str(SOLVE_S))
    hook(page, "solve")[0].click()
    wait_for_solve(page)
    plan, ev = scored(server)
    assert workbench(server).current.source == "solve"
    wanted = whole_yuan(ev.public_money)
    wait(page, lambda d: public_money(d) == wanted,
         message=f"public money never showed {wanted} (shown: {public_money(page)})")  # fmt: skip
    rows = [r for (r,) in attrs(page, "package-row", "data-package-id")]
    assert rows == [p.id for p in plan.packages] and rows
    outlines = {p for (p,) in attrs(page, "package", "data-package-id")}
    assert outlines == set(rows)
    on_map = dict(attrs(page, "community", "data-community-id", "data-package-id"))
    assert on_map == {c: plan.package_of().get(c, "") for c in on_map}
    assert "done" in hook(page, "status")[0].text or "stopped" in hook(page, "status")[0].text
    assert page.find_element(By.CSS_SELECTOR, "#chart path.objective").get_attribute("d")
    memo["solved_money"] = public_money(page)
    shot(page, "2-solved")


def _click_community(page, cid):
    node = page.find_element(
        By.CSS_SELECTOR, f"[data-testid='community'][data-community-id='{cid}']"
    )
    page.execute_script(
        "arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))", node
    )
    wait(
        page,
        lambda d: (
            d.find_element(By.ID, "community-panel").get_attribute("data-community-id") == cid
        ),
    )


def test_moving_a_community_by_hand_changes_public_money_to_the_yuan_evaluate_gives(
    page, server, memo
):
    plan = workbench(server).current.plan
    source = next(p for p in plan.packages if len(p.members) > 1)
    target = next(p for p in plan.packages if p.id != source.id)
    cid = source.members[-1]
    _click_community(page, cid)
    Select(hook(page, "move-target")[0]).select_by_value(f"package:{target.id}")
    hook(page, "move")[0].click()
    wait(page, lambda d: public_money(d) != memo["solved_money"], message="money did not change")
    moved, ev = scored(server)
    assert moved.package_of()[cid] == target.id
    assert public_money(page) == whole_yuan(ev.public_money)
    listed = [r for (r,) in attrs(page, "broken-rule", "data-rule")]
    assert sorted(listed) == sorted(v.rule for v in ev.broken)
    memo["moved"] = cid


def test_a_second_tab_sees_the_same_plan_and_follows_edits_in_the_first(page, server, memo):
    first = page.current_window_handle
    page.switch_to.new_window("tab")
    try:
        page.get(server.url)  # the cookie carries the token
        wait(page, lambda d: d.execute_script("return document.body.dataset.ready === '1'"))
        second = page.current_window_handle
        shown = public_money(page)
        assert shown == whole_yuan(scored(server)[1].public_money)
        page.switch_to.window(first)
        page.find_element(By.ID, "undo").click()  # undo the move in the first tab...
        wait(page, lambda d: public_money(d) != shown)
        page.switch_to.window(second)  # ...and the second tab follows
        wait(page, lambda d: public_money(d) == whole_yuan(scored(server)[1].public_money))
        page.close()
    finally:
        page.switch_to.window(first)
    assert workbench(server).current.source == "solve"  # the undo went back to the solved plan


def test_a_locked_community_keeps_its_firm_when_the_rest_is_optimised(page, server, memo):
    cid = memo["moved"]
    _click_community(page, cid)
    Select(hook(page, "move-target")[0]).select_by_value("uncovered")
    hook(page, "move")[0].click()
    wait(page, lambda d: d.find_element(By.CSS_SELECTOR, f"[data-community-id='{cid}']")
         .get_attribute("data-package-id") == "")  # fmt: skip
    _, ev = scored(server)
    assert public_money(page) == whole_yuan(ev.public_money)
    plan = workbench(server).current.plan
    locked = next(m for p in plan.packages for m in p.members if m != cid)
    firm = next(p.firm_id for p in plan.packages if locked in p.members)
    _click_community(page, locked)
    assert Select(hook(page, "lock-firm")[0]).first_selected_option.get_attribute("value") == firm
    hook(page, "lock")[0].click()
    wait(page, lambda d: any(r.get_attribute("data-community-id") == locked
                             for r in hook(d, "lock-row")))  # fmt: skip
    hook(page, "solve-rest")[0].click()
    wait_for_solve(page)
    wait(page, lambda d: workbench(server).current.source == "solve")
    after, ev = scored(server)
    by_firm = {m: p.firm_id for p in after.packages for m in p.members}
    assert by_firm.get(locked) == firm  # the lock is kept
    assert cid not in by_firm  # and so is the hand edit: it stays uncovered
    assert not [v for v in ev.broken if v.rule.startswith("lock")]
    wait(page, lambda d: public_money(d) == whole_yuan(ev.public_money))


def _save_scenario(page, name):
    box = page.find_element(By.ID, "scenario-name")
    box.clear()
    box.send_keys(name)
    hook(page, "save-scenario")[0].click()
    wait(page, lambda d: any(r.get_attribute("data-name") == name
                             for r in hook(d, "scenario-row")))  # fmt: skip


def test_two_saved_scenarios_compare_side_by_side(page, server, memo):
    view(page, "scenarios")
    _save_scenario(page, "optimised with a lock")
    page.find_element(By.ID, "undo").click()  # back to the hand-edited plan
    wait(page, lambda d: workbench(server).current.source == "edited")
    # Cover by hand the community the solve had to leave out: the two plans differ in it,
    # whatever else the solve changed.
    view(page, "map")
    cid = memo["moved"]
    target = workbench(server).current.plan.packages[0].id
    _click_community(page, cid)
    Select(hook(page, "move-target")[0]).select_by_value(f"package:{target}")
    hook(page, "move")[0].click()
    wait(page, lambda d: workbench(server).current.plan.package_of().get(cid) == target)
    view(page, "scenarios")
    _save_scenario(page, "by hand")
    rows = dict(attrs(page, "scenario-row", "data-name", "data-scenario-id"))
    Select(page.find_element(By.ID, "compare-a")).select_by_value(rows["optimised with a lock"])
    Select(page.find_element(By.ID, "compare-b")).select_by_value(rows["by hand"])
    hook(page, "compare")[0].click()
    metrics = wait(page, lambda d: hook(d, "compare-metric"))
    money = next(m for m in metrics if m.get_attribute("data-key") == "public_money")
    assert len(money.find_elements(By.TAG_NAME, "td")) == 3
    wait(page, lambda d: hook(d, "compare-move"))
    moves = {c for (c,) in attrs(page, "compare-move", "data-community-id")}
    changed = dict(attrs(page, "changed-community", "data-community-id", "data-change"))
    assert len(changed) == 29
    assert cid in moves and changed[cid] == "newly covered"
    assert moves == {c for c, change in changed.items() if change}
    assert hook(page, "package-row")  # the map view's table is still there
    shot(page, "3-compare")


def test_the_downloaded_workbook_reads_back_as_the_current_plan(page, server, tmp_path):
    view(page, "map")
    page.execute_cdp_cmd(
        "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)}
    )
    hook(page, "download-xlsx")[0].click()
    path = tmp_path / "plan.xlsx"
    deadline = time.monotonic() + WAIT_S
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert path.exists(), "plan.xlsx was not downloaded"
    wb = workbench(server)
    back = read_plan(path, load_instance(wb.inst.source))
    assert back.package_of() == wb.current.plan.package_of()
