"""An event on a phone (issue 5): the last seat is taken, so a resident waits; someone cancels, the
resident is promoted and told, and the facilitator checks them in at the door by their code."""
from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.browser.conftest import page_load, press, sign_in_as, tap

pytestmark = pytest.mark.browser


def main_text(driver) -> str:
    return driver.find_element(By.TAG_NAME, "main").text


def test_waitlisted_resident_is_promoted_then_checked_in_by_code(
        browser, live_server, screenshot, make_user, facilitator, make_event, enrol):
    driver, base = browser, live_server
    event = make_event(title="Laboratorio di lettura", capacity=1)
    first = make_user("Amina")
    waiting = make_user("Karim")
    first_registration = enrol(event, first)
    event_url = f"{base}/events/{event.id}"

    # Karim finds the only seat taken and joins the waiting list.
    sign_in_as(driver, base, waiting.nickname)
    driver.get(event_url)
    assert "Laboratorio di lettura" in driver.find_element(By.TAG_NAME, "h1").text
    Select(driver.find_element(By.ID, "adults")).select_by_value("1")
    Select(driver.find_element(By.ID, "children")).select_by_value("0")
    press(driver, f"/events/{event.id}/register")  # htmx answers with HX-Redirect: a whole page loads
    assert driver.current_url == event_url
    main = main_text(driver)
    assert "The event is full: you are number 1 on the waiting list." in main
    assert "You are number 1 on the waiting list." in main
    assert "1 family waiting" in main
    assert "Leave the waiting list" in main
    assert "Your code for the door" not in main
    screenshot("waitlisted")

    # Amina can no longer come and gives her seat back.
    sign_in_as(driver, base, first.nickname)
    driver.get(event_url)
    assert "Your code for the door:" in main_text(driver)
    press(driver, f"/events/registrations/{first_registration.id}/cancel")
    main = main_text(driver)
    assert "The registration is cancelled and the seats are free for others." in main
    assert "Register" in driver.find_element(By.CSS_SELECTOR, "#register-form button[type=submit]").text
    screenshot("seat-given-back")

    # Karim is confirmed, sees his code, and was told.
    sign_in_as(driver, base, waiting.nickname)
    driver.get(event_url)
    mine = driver.find_element(By.CSS_SELECTOR, "section.registration").text
    assert "You are registered: 1 adult, 0 children." in mine
    assert "waiting list" not in mine and "Cancel my registration" in mine
    assert "Full: new registrations join the waiting list" in main_text(driver)
    code = driver.find_element(By.CSS_SELECTOR, ".registration .code").text.strip()
    assert code
    screenshot("promoted")
    bell = driver.find_element(By.CSS_SELECTOR, ".site-header a[href='/notifications/']")
    assert "unread" in bell.get_attribute("textContent")
    with page_load(driver):
        tap(driver, bell)
    messages = driver.find_element(By.CSS_SELECTOR, ".notifications").text
    assert "A place freed up: your registration for \u201cLaboratorio di lettura\u201d" in messages
    assert "is confirmed." in messages
    screenshot("promoted-notification")

    # At the door the facilitator types Karim's code and he is present.
    sign_in_as(driver, base, facilitator.nickname)
    driver.get(f"{event_url}/attendance")
    row = driver.find_element(By.XPATH, f"//tr[th[normalize-space()='{waiting.nickname}']]")
    assert "Not marked" in row.text and code in row.text
    assert first.nickname not in driver.find_element(By.CSS_SELECTOR, "table.attendance").text
    driver.find_element(By.ID, "search").send_keys(code)
    press(driver, f"/events/{event.id}/check-in")
    assert driver.current_url == f"{event_url}/attendance"
    assert f"{waiting.nickname} is checked in." in main_text(driver)
    row = driver.find_element(By.XPATH, f"//tr[th[normalize-space()='{waiting.nickname}']]")
    assert row.find_element(By.CSS_SELECTOR, ".attendance-state").text.strip() == "Present"
    assert row.find_element(By.CSS_SELECTOR, "button[value=present]").get_attribute("aria-pressed") == "true"
    assert "1 confirmed family, 1 seat." in main_text(driver)
    screenshot("checked-in")
