"""What axe-core finds, how big the things to tap are, and whether focus hides under the bottom bar:
on the pages a new resident meets first, at 360x740, signed out and in, in Italian and Arabic."""
from __future__ import annotations

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.browser.conftest import axe_violations, describe_violations, page_load
from tests.fixtures.accounts import PASSWORD

pytestmark = pytest.mark.browser

TAP = 44  # CSS px, each way

# Every visible interactive element is at least TAP x TAP, unless it is a link in a sentence (the
# "inline" exception of WCAG 2.5.8). Returns the offenders.
TARGET_SIZE_CHECK = """
const tap = arguments[0];
const offenders = [];
for (const el of document.querySelectorAll('a[href], button, input, select, summary, textarea')) {
  if (el.matches('input[type=hidden]')) continue;
  const style = getComputedStyle(el);
  if (el.getClientRects().length === 0 || style.visibility === 'hidden') continue;  // not shown
  const rect = el.getBoundingClientRect();
  if (rect.width >= tap && rect.height >= tap) continue;
  const inSentence = style.display === 'inline' && el.parentElement.closest('p') !== null;
  if (inSentence) continue;
  const label = (el.textContent || el.value || el.name || el.id || '').trim().replace(/\\s+/g, ' ');
  offenders.push(`<${el.tagName.toLowerCase()}${el.id ? ' id=' + el.id : ''}> "${label.slice(0, 40)}" `
                 + `${Math.round(rect.width * 10) / 10}x${Math.round(rect.height * 10) / 10}`);
}
return offenders;
"""


def sign_in(driver, base: str, nickname: str) -> None:
    driver.get(base + "/login")
    driver.find_element(By.ID, "login").send_keys(nickname)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    with page_load(driver):
        driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    assert nickname in driver.find_element(By.CSS_SELECTOR, ".site-header").text


def switch_language(driver, code: str) -> None:
    button = driver.find_element(By.CSS_SELECTOR, f".site-footer button[name=language][value='{code}']")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    with page_load(driver):
        button.click()
    assert driver.find_element(By.TAG_NAME, "html").get_dom_attribute("lang") == code


PAGES = {
    "home": ("/", None, None),
    "join": ("/join", None, None),
    "login": ("/login", None, None),
    "neighbourhood": ("/neighbourhoods/giambellino-lorenteggio", None, None),
    "home-signed-in": ("/", "Amina", None),
    "join-arabic": ("/join", None, "ar"),
    "my-data": ("/account/data", "Amina", None),
    "erase-arabic": ("/account/erase", "Amina", "ar"),
}


@pytest.fixture(params=list(PAGES))
def page(request, browser, live_server, make_user):
    """The browser on one of PAGES, as its visitor would see it."""
    path, nickname, language = PAGES[request.param]
    if nickname:
        make_user(nickname)
        sign_in(browser, live_server, nickname)
    browser.get(live_server + path)
    if language:
        switch_language(browser, language)
        assert browser.current_url == live_server + path
    return browser


def test_axe_finds_no_violations(page, screenshot):
    violations = axe_violations(page)
    screenshot("axe")
    assert not violations, f"axe-core on {page.current_url}:\n{describe_violations(violations)}"


def test_everything_to_tap_is_big_enough(page):
    offenders = page.execute_script(TARGET_SIZE_CHECK, TAP)
    assert not offenders, (f"smaller than {TAP}x{TAP} CSS px on {page.current_url}:\n"
                           + "\n".join(offenders))


def test_keyboard_focus_never_hides_under_the_bottom_bar(browser, live_server):
    """WCAG 2.4.11: tabbing through the home page, each focused element stays in sight."""
    browser.get(live_server + "/")
    count = browser.execute_script(
        "return document.querySelectorAll('a[href], button, input:not([type=hidden]), select, summary').length")
    hidden = []
    for _ in range(count):
        ActionChains(browser).send_keys(Keys.TAB).perform()
        covered = browser.execute_script("""
            const el = document.activeElement, r = el.getBoundingClientRect();
            const x = r.left + r.width / 2, y = Math.min(r.bottom - 2, innerHeight - 1);
            const seen = document.elementFromPoint(x, y);
            return seen && !el.contains(seen) ? `"${el.textContent.trim()}" under ${seen.outerHTML.slice(0, 60)}` : null;
        """)
        if covered:
            hidden.append(covered)
    assert not hidden, "focused but covered:\n" + "\n".join(hidden)
