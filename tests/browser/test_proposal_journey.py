"""A proposal on a phone, with and without JavaScript: a resident proposes and publishes it, two
neighbours support it up to the threshold, a facilitator reviews and accepts it, and the author is told."""
from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from portal import db
from portal.places.models import Neighbourhood
from proposals import service
from tests.browser.conftest import page_load, press, sign_in_as, tap
from tests.fixtures.proposals import call, place_id

pytestmark = pytest.mark.browser

PLACE = "giambellino-lorenteggio"
TITLE = "Doposcuola nel cortile il sabato"
SUMMARY = "Un doposcuola nel cortile di via Odazio il sabato mattina."
DESCRIPTION = "Servono *due volontari* e una stanza al piano terra."
ANSWER = "La rete trova i volontari: si parte a febbraio nella sala del Laboratorio."


@pytest.fixture(params=["js", "no_js"])
def driver(request):
    return request.getfixturevalue("browser" if request.param == "js" else "browser_without_js")


@pytest.fixture
def residents(make_user):
    author = make_user("Amina")
    supporters = [make_user("Vicino1"), make_user("Vicino2")]
    facilitator = make_user("Giulia", role="facilitator", group=PLACE)
    # Two supports reach the threshold in this neighbourhood (the default is 20).
    neighbourhood = db.session.get(Neighbourhood, place_id(PLACE))
    call(service.save_settings, neighbourhood, facilitator, support_days=30, threshold=2, require_verified=False)
    return author, supporters, facilitator


def main_text(driver) -> str:
    return driver.find_element(By.TAG_NAME, "main").text


def follow_link(driver, href_end: str) -> None:
    with page_load(driver):
        tap(driver, driver.find_element(By.CSS_SELECTOR, f"main a[href$='{href_end}']"))


def test_proposal_is_supported_accepted_and_its_author_told(driver, live_server, screenshot, residents):
    author, supporters, facilitator = residents
    base = live_server

    # The author writes a draft and publishes it.
    sign_in_as(driver, base, author.nickname)
    driver.get(base + "/proposals/new")
    driver.find_element(By.ID, "title").send_keys(TITLE)
    driver.find_element(By.ID, "summary").send_keys(SUMMARY)
    driver.find_element(By.ID, "description").send_keys(DESCRIPTION)
    Select(driver.find_element(By.ID, "theme")).select_by_value("school")
    Select(driver.find_element(By.ID, "neighbourhood")).select_by_value(str(place_id(PLACE)))
    press(driver, "/proposals/new")
    assert "/proposals/" in driver.current_url and "/new" not in driver.current_url
    proposal_url = driver.current_url
    main = main_text(driver)
    assert "Your draft is saved" in main and "This is a draft" in main
    follow_link(driver, "/publish")
    assert "With 2 supports it goes to the network for an answer." in main_text(driver)
    press(driver, "/publish")
    main = main_text(driver)
    assert driver.current_url == proposal_url
    assert "Open for support" in main and "0 supports of 2 needed" in main
    assert "Authors do not support their own proposal" in main
    screenshot("published", driver)

    # Two neighbours support it: the second reaches the threshold.
    for supporter in supporters:
        sign_in_as(driver, base, supporter.nickname)
        driver.get(proposal_url)
        assert "Support this proposal" in main_text(driver)
        press(driver, "/support")
        main = main_text(driver)
        assert "Thank you: your support is counted." in main and "You support this proposal." in main
    assert "Threshold reached" in main and "2 supports of 2 needed" in main
    screenshot("threshold-reached", driver)

    # A facilitator of the neighbourhood starts the review and answers.
    sign_in_as(driver, base, facilitator.nickname)
    driver.get(proposal_url)
    follow_link(driver, "/review")
    press(driver, "/review")
    assert "Under review" in main_text(driver)
    follow_link(driver, "/answer")
    Select(driver.find_element(By.ID, "decision")).select_by_value("accepted")
    driver.find_element(By.ID, "answer").send_keys(ANSWER)
    press(driver, "/answer")
    main = main_text(driver)
    assert driver.current_url == proposal_url
    assert "The answer is published and everyone following the proposal is told." in main
    assert "The answer of the network" in main and ANSWER in main
    screenshot("answered", driver)

    # The author is told, and reads the answer.
    sign_in_as(driver, base, author.nickname)
    driver.get(base + "/")
    bell = driver.find_element(By.CSS_SELECTOR, ".site-header a[href='/notifications/']")
    assert "unread" in bell.get_attribute("textContent")
    with page_load(driver):
        tap(driver, bell)
    messages = driver.find_element(By.CSS_SELECTOR, ".notifications").text
    assert f"The proposal \u201c{TITLE}\u201d received its answer: Accepted." in messages
    screenshot("author-notified", driver)
    driver.get(proposal_url)
    main = main_text(driver)
    assert "Accepted" in driver.find_element(By.CSS_SELECTOR, "main .badge").text
    assert "The answer of the network" in main and ANSWER in main
    screenshot("author-reads-answer", driver)
