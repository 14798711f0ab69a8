"""Yours to take away or erase (issue 12), on a phone: Bea downloads what Cortile keeps about her,
erases her account keeping her posts, cannot sign in again; Carla reads Bea's post under "former
member" and gets Bea's seats from the waiting list."""
from __future__ import annotations

import json

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.conftest import WAIT_SECONDS, page_load, sign_in_as, tap
from tests.fixtures.accounts import PASSWORD

pytestmark = pytest.mark.browser


def main_text(driver) -> str:
    return driver.find_element(By.TAG_NAME, "main").text


def _follow(driver, link_text: str) -> None:
    with page_load(driver):
        tap(driver, driver.find_element(By.LINK_TEXT, link_text))


def test_download_erase_and_what_the_others_see(browser, live_server, screenshot, make_user, public_group,
                                                add_member, make_thread, make_event, enrol):
    driver, base = browser, live_server
    bea, carla = make_user("Bea"), make_user("Carla")
    add_member(bea, public_group)
    add_member(carla, public_group)
    thread = make_thread(public_group, bea, title="Merenda al parco", body="Porto io i biscotti")
    event = make_event(title="Laboratorio di lettura", capacity=2)
    enrol(event, bea, adults=2)
    enrol(event, carla)

    # Bea reads what Cortile keeps, and downloads it.
    sign_in_as(driver, base, bea.nickname)
    driver.get(base + "/account")
    _follow(driver, "See and download what Cortile keeps about you")
    main = main_text(driver)
    assert "What Cortile keeps about Bea" in main
    assert "Porto io i biscotti" in main and "Laboratorio di lettura" in main
    screenshot("export")
    link = driver.find_element(By.PARTIAL_LINK_TEXT, "Download everything")
    downloaded = driver.execute_async_script(
        "const done = arguments[1]; fetch(arguments[0]).then(r => r.text()).then(done);",
        link.get_attribute("href"))
    data = json.loads(downloaded)
    assert data["account"][0]["nickname"] == "Bea"
    assert [row["text"] for row in data["posts"]] == ["Porto io i biscotti"]

    # She erases her account and keeps her posts for the others.
    driver.get(base + "/account")
    _follow(driver, "Erase your account")
    assert "This cannot be undone." in main_text(driver)
    tap(driver, driver.find_element(By.CSS_SELECTOR, "input[name=posts][value=keep]"))
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    screenshot("erase-confirmation")
    with page_load(driver):
        tap(driver, driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
    assert "Your account is erased." in main_text(driver)
    assert "Bea" not in driver.find_element(By.CSS_SELECTOR, ".site-header").text
    screenshot("erased")

    # Her password opens nothing any more.
    driver.get(base + "/login")
    driver.find_element(By.ID, "login").send_keys("Bea")
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    tap(driver, driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
    refused = "That nickname or email and password do not match."
    # htmx puts the form back in place with its message: the page itself stays.
    WebDriverWait(driver, WAIT_SECONDS).until(lambda d: refused in main_text(d), "no refusal shown")
    screenshot("sign-in-refused")

    # Carla reads the post under "former member", and has Bea's seats.
    sign_in_as(driver, base, carla.nickname)
    driver.get(f"{base}/forums/threads/{thread.id}")
    post = driver.find_element(By.CSS_SELECTOR, "main").text
    assert "Porto io i biscotti" in post and "former member" in post and "Bea" not in post
    screenshot("former-member")
    driver.get(f"{base}/events/{event.id}")
    mine = driver.find_element(By.CSS_SELECTOR, "section.registration").text
    assert "You are registered: 1 adult, 0 children." in mine
    screenshot("seat-released")
