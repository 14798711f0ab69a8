"""A resident's first visit on a phone: join, sign out, sign in, switch to Arabic; with and without
JavaScript; and no request ever leaves our origin."""
from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.browser.conftest import WAIT_SECONDS, page_load
from tests.conftest import unavailable
from tests.fixtures.accounts import PASSWORD

pytestmark = pytest.mark.browser

NICKNAME = "Amina"
NEIGHBOURHOOD = "Giambellino Lorenteggio"


def header_text(driver) -> str:
    return driver.find_element(By.CSS_SELECTOR, ".site-header").text


def submit(driver, form_selector: str = "main form") -> None:
    driver.find_element(By.CSS_SELECTOR, f"{form_selector} button[type=submit]").click()


def fill_registration(driver, *, confirm: str = PASSWORD) -> None:
    driver.find_element(By.ID, "nickname").send_keys(NICKNAME)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.ID, "confirm").send_keys(confirm)
    Select(driver.find_element(By.ID, "home_neighbourhood")).select_by_visible_text(NEIGHBOURHOOD)
    terms = driver.find_element(By.ID, "accept_terms")
    terms.click()
    assert terms.is_selected()


def journey(driver, base: str, screenshot) -> None:
    """Join, land home signed in, sign out, sign in, switch to Arabic: a screenshot at each step."""
    driver.get(base + "/")
    assert driver.find_element(By.TAG_NAME, "h1").is_displayed()
    screenshot("home", driver)

    with page_load(driver):
        driver.find_element(By.CSS_SELECTOR, ".site-header a[href='/join']").click()
    assert driver.current_url == base + "/join"
    fill_registration(driver)
    screenshot("join-filled", driver)

    with page_load(driver):
        submit(driver)
    assert driver.current_url == base + "/"
    assert NICKNAME in header_text(driver)
    assert NEIGHBOURHOOD in driver.find_element(By.TAG_NAME, "main").text
    screenshot("joined-home", driver)

    with page_load(driver):
        driver.find_element(By.CSS_SELECTOR, ".site-header form button[type=submit]").click()
    assert NICKNAME not in header_text(driver)
    assert driver.find_elements(By.CSS_SELECTOR, ".site-header a[href='/login']")
    screenshot("signed-out", driver)

    driver.get(base + "/login")
    driver.find_element(By.ID, "login").send_keys(NICKNAME)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    screenshot("login-filled", driver)
    with page_load(driver):
        submit(driver)
    assert NICKNAME in header_text(driver)
    assert NEIGHBOURHOOD in driver.find_element(By.TAG_NAME, "main").text
    screenshot("signed-in", driver)

    arabic = driver.find_element(By.CSS_SELECTOR, ".site-footer button[name=language][value=ar]")
    assert arabic.text == "العربية"
    # As a thumb would: scroll the footer up into the middle of the screen, then tap.
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", arabic)
    with page_load(driver):
        arabic.click()
    html = driver.find_element(By.TAG_NAME, "html")
    assert html.get_dom_attribute("dir") == "rtl"
    assert html.get_dom_attribute("lang") == "ar"
    assert NICKNAME in header_text(driver)
    screenshot("arabic", driver)


def test_join_sign_out_sign_in_and_switch_to_arabic(browser, live_server, screenshot):
    journey(browser, live_server, screenshot)


def test_the_same_journey_works_without_javascript(app, browser_without_js, live_server, screenshot):
    driver = browser_without_js
    driver.get(live_server + "/join")
    # Page scripts really are off: htmx is on the page but never ran.
    if app.config["HTMX_AVAILABLE"]:
        assert driver.find_elements(By.CSS_SELECTOR, "script[src*='/vendor/htmx.min.']")
    assert driver.execute_script("return typeof window.htmx") == "undefined"
    journey(driver, live_server, screenshot)


def test_a_mistake_is_shown_next_to_the_field_without_reloading_the_page(
        app, browser, live_server, screenshot):
    if not app.config["HTMX_AVAILABLE"]:
        unavailable("htmx missing: run `make static` (npm ci) to serve it")
    browser.get(live_server + "/join")
    WebDriverWait(browser, WAIT_SECONDS).until(
        lambda d: d.execute_script("return typeof window.htmx") == "object")
    browser.execute_script("window.__marker = 1")
    fill_registration(browser, confirm=PASSWORD + " but different")
    submit(browser)

    error = WebDriverWait(browser, WAIT_SECONDS).until(
        expected_conditions.visibility_of_element_located((By.ID, "confirm-error")))
    assert error.text == "The two passwords do not match."
    assert browser.execute_script("return window.__marker") == 1, "the whole page was reloaded"
    assert browser.current_url == live_server + "/join"
    # Next to its field: in the same .field block, tied to the input for screen readers.
    field = browser.find_element(By.ID, "confirm")
    assert field.find_element(By.XPATH, "..").find_element(By.ID, "confirm-error") == error
    assert field.get_dom_attribute("aria-invalid") == "true"
    assert "confirm-error" in field.get_dom_attribute("aria-describedby").split()
    # In sight on the phone's screen, not somewhere above where the resident tapped "Join".
    summary = browser.find_element(By.CSS_SELECTOR, ".form-errors")
    WebDriverWait(browser, 2).until(lambda d: in_sight(d, summary), "the error summary is off screen")
    assert in_sight(browser, error), "the error is off screen"
    screenshot("mismatch-error")


def in_sight(driver, element) -> bool:
    """Inside the viewport, and above the bottom navigation bar."""
    return driver.execute_script("""
        const r = arguments[0].getBoundingClientRect();
        const nav = document.querySelector('.main-nav').getBoundingClientRect();
        const bottom = nav.top > 0 && nav.top < innerHeight ? nav.top : innerHeight;
        return r.top > -1 && r.bottom < bottom + 1;  // scrolling lands on fractions of a pixel
    """, element)


PAGES = ["/", "/join", "/login", "/neighbourhoods/giambellino-lorenteggio"]


def test_pages_make_no_request_to_another_origin(browser, live_server, make_user):
    make_user("Giulia")
    visited = []
    for path in PAGES:
        browser.get(live_server + path)
        visited.append(resources(browser))
    # Signed in as well: the member's home page is a different page.
    browser.get(live_server + "/login")
    browser.find_element(By.ID, "login").send_keys("Giulia")
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    with page_load(browser):
        submit(browser)
    assert "Giulia" in header_text(browser)
    visited.append(resources(browser))

    names = [name for page in visited for name in page]
    assert any("/static/css/cortile." in name for name in names), names
    foreign = [name for name in names if not name.startswith(live_server + "/")]
    assert not foreign, f"requests to other origins: {foreign}"


def resources(driver) -> list[str]:
    WebDriverWait(driver, WAIT_SECONDS).until(
        lambda d: d.execute_script("return document.readyState") == "complete")
    return driver.execute_script(
        "return performance.getEntriesByType('navigation').concat("
        "performance.getEntriesByType('resource')).map(e => e.name)")
