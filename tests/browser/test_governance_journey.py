"""A coordinator reads Municipio 6 on a phone, compares its neighbourhoods, moves to the last
quarter and downloads the CSV; the open-data page works without JavaScript. axe-core clean."""
from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from portal import db
from portal.groups import service as groups
from tests.browser.conftest import axe_violations, describe_violations, page_load, sign_in_as
from tests.browser.test_accessibility import TAP, TARGET_SIZE_CHECK

pytestmark = pytest.mark.browser


@pytest.fixture
def municipio_6(make_user, seeded_group):
    for index in range(8):
        with db.write_transaction():
            groups.join(seeded_group("giambellino-lorenteggio"), make_user(f"giamb{index}", language="ar" if index % 3 else "it"))
    for index in range(2):
        with db.write_transaction():
            groups.join(seeded_group("barona"), make_user(f"barona{index}", neighbourhood="barona"))
    return make_user("Coordinatrice", role="coordinator", municipio=6, neighbourhood=None)


def test_a_coordinator_compares_neighbourhoods_on_a_phone(browser, live_server, municipio_6, screenshot):
    sign_in_as(browser, live_server, "Coordinatrice")
    with page_load(browser):
        browser.get(live_server + "/governance")
    assert browser.current_url.endswith("/governance/municipio/6")
    assert "Participation in Municipio 6" in browser.find_element(By.TAG_NAME, "h1").text
    screenshot("dashboard")
    compare = browser.find_element(By.CSS_SELECTOR, ".compare-table")
    rows = {row.find_element(By.TAG_NAME, "th").text: row.text for row in compare.find_elements(By.CSS_SELECTOR, "tbody tr")}
    assert set(rows) == {"Barona", "Giambellino Lorenteggio"}
    assert "<5" in rows["Barona"] or "·" in rows["Barona"]  # two people: never shown as 2
    violations = axe_violations(browser)
    assert not violations, describe_violations(violations)
    offenders = browser.execute_script(TARGET_SIZE_CHECK, TAP)
    assert not offenders, "\n".join(offenders)
    with page_load(browser):
        browser.find_element(By.LINK_TEXT, "Quarter").click()
    with page_load(browser):
        browser.find_element(By.CSS_SELECTOR, "a[rel=prev]").click()
    assert "by=quarter" in browser.current_url
    screenshot("last-quarter")
    link = browser.find_element(By.PARTIAL_LINK_TEXT, "CSV")
    assert "/governance/municipio/6/export.csv?by=quarter&period=" in link.get_attribute("href")


def test_open_data_reads_without_javascript(browser_without_js, live_server, municipio_6):
    browser_without_js.get(live_server + "/open-data")
    assert "Open data" in browser_without_js.find_element(By.TAG_NAME, "h1").text
    charts = browser_without_js.find_elements(By.CSS_SELECTOR, "svg.trend-chart")
    assert len(charts) == 6 and all(chart.size["width"] <= 360 for chart in charts)
