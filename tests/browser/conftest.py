"""Browser tests: the real portal served on a local port, driven by headless Chromium at the size of
a cheap Android phone (360x740 CSS px).

Screenshots of every step go to test-artifacts/screenshots/<engine>/ (kept as CI artefacts): for each
step `<test>-<nn>-<step>.png` is what the phone's screen shows, `...-full.png` the whole page.
"""
from __future__ import annotations

import base64
import re
import shutil
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from tests.conftest import unavailable
from tests.fixtures.accounts import PASSWORD

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = PROJECT_ROOT / "test-artifacts" / "screenshots"
AXE_SCRIPT = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

PHONE_WIDTH, PHONE_HEIGHT = 360, 740
CHROMIUM_ARGUMENTS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    f"--window-size={PHONE_WIDTH},{PHONE_HEIGHT}",
]
# A page laid out like ours (width=device-width), to measure the viewport our pages get.
VIEWPORT_PROBE = "data:text/html,<meta name=viewport content='width=device-width, initial-scale=1'><p>Cortile"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
WAIT_SECONDS = 10


# The portal, served for real -----------------------------------------------------------------

@pytest.fixture
def live_server(app, city):
    """The test app (Milan seeded) on a free local port; each request gets its own app context."""
    with serving(app) as base:
        yield base


@contextmanager
def serving(wsgi_app):
    """`wsgi_app` (the test app, or the app behind a middleware) on a free local port."""
    server = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


# Chromium ------------------------------------------------------------------------------------

def _start_chromium(prefs: dict | None = None):
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        unavailable("Chromium and chromedriver are needed: apt-get install chromium chromium-driver")
    profile = tempfile.mkdtemp(prefix="cortile-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in CHROMIUM_ARGUMENTS:
        options.add_argument(argument)
    options.add_argument(f"--user-data-dir={profile}")
    # A resident whose phone asks for English: assertions read the msgid text. Tests about other
    # languages choose them on the page, as a resident would.
    options.add_argument("--lang=en-US")
    options.add_experimental_option("prefs", {"intl.accept_languages": "en-US,en", **(prefs or {})})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    driver.set_script_timeout(60)
    driver.get(VIEWPORT_PROBE)
    if driver.execute_script("return window.innerWidth") != PHONE_WIDTH:
        # Headless Chromium keeps windows at least 500 px wide: emulate the phone's screen instead.
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": PHONE_WIDTH, "height": PHONE_HEIGHT, "deviceScaleFactor": 2, "mobile": True})
        driver.get(VIEWPORT_PROBE)
    viewport = driver.execute_script("return [window.innerWidth, window.innerHeight]")
    if viewport != [PHONE_WIDTH, PHONE_HEIGHT]:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
        pytest.fail(f"Chromium's viewport is {viewport}, not {PHONE_WIDTH}x{PHONE_HEIGHT}", pytrace=False)
    return driver, profile


@contextmanager
def _chromium_session(prefs: dict | None = None):
    driver, profile = _start_chromium(prefs)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="session")
def chromium():
    with _chromium_session() as driver:
        yield driver


@pytest.fixture(scope="session")
def chromium_without_js():
    """A second Chromium in which no page script runs, as on a phone with JavaScript turned off."""
    with _chromium_session({"profile.managed_default_content_settings.javascript": 2}) as driver:
        yield driver


def _fresh(driver):
    # Every server in these tests is 127.0.0.1 (cookies ignore the port): forget them all.
    driver.get("about:blank")
    driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    driver.delete_all_cookies()
    return driver


@pytest.fixture
def browser(chromium):
    return _fresh(chromium)


@pytest.fixture
def browser_without_js(chromium_without_js):
    return _fresh(chromium_without_js)


# Screenshots ---------------------------------------------------------------------------------

@pytest.fixture
def screenshot(request, app, browser):
    """`screenshot("joined")` saves the phone's screen and the whole page as PNGs."""
    engine = make_url(app.config["DATABASE_URL"]).get_backend_name()  # "sqlite" or "postgresql"
    folder = SCREENSHOTS / engine
    folder.mkdir(parents=True, exist_ok=True)
    test_name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")
    steps = iter(range(1, 100))

    def save(name: str, driver=None) -> Path:
        driver = driver or browser
        stem = f"{test_name}-{next(steps):02d}-{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}"
        path = folder / f"{stem}.png"
        driver.save_screenshot(str(path))
        height = driver.execute_script(
            "return Math.max(document.documentElement.scrollHeight, document.body ? document.body.scrollHeight : 0)")
        full = driver.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": PHONE_WIDTH, "height": height, "scale": 1}})
        (folder / f"{stem}-full.png").write_bytes(base64.b64decode(full["data"]))
        return path
    return save


# Page helpers --------------------------------------------------------------------------------

@contextmanager
def page_load(driver):
    """Wait, after the block, until a new page has replaced the current one and finished loading."""
    old = driver.find_element(By.TAG_NAME, "html")
    yield

    def replaced(_driver) -> bool:
        try:
            old.tag_name
        except StaleElementReferenceException:
            return True
        return False

    # Mid-navigation Chromium may answer with transient errors ("Node ... does not belong to the
    # document"): those mean "not yet", never "failed".
    wait = WebDriverWait(driver, WAIT_SECONDS, ignored_exceptions=[WebDriverException])
    wait.until(replaced, "the page did not change")
    wait.until(lambda d: d.execute_script("return document.readyState") == "complete",
               "the new page did not finish loading")


def axe_violations(driver) -> list[dict]:
    """Run axe-core (WCAG 2.1 A/AA and best practices) on the current page; its violations."""
    if not AXE_SCRIPT.exists():
        unavailable("axe-core missing: run `make setup` (npm ci)")
    driver.execute_script(AXE_SCRIPT.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})
          .then(results => done({violations: results.violations.map(v => ({
              id: v.id, impact: v.impact, help: v.help,
              nodes: v.nodes.map(n => n.target.join(' '))}))}))
          .catch(error => done({error: String(error)}));
        """,
        AXE_TAGS,
    )
    if "error" in result:
        raise AssertionError(f"axe-core failed: {result['error']}")
    return result["violations"]


def describe_violations(violations: list[dict]) -> str:
    return "\n".join(f"- {v['id']} ({v['impact']}): {v['help']} -> {', '.join(v['nodes'][:8])}"
                     for v in violations)


# Acting as a resident ------------------------------------------------------------------------

def tap(driver, element) -> None:
    """Scroll as a thumb would, so the element is clear of the bottom navigation, then tap it."""
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


def sign_in_as(driver, base: str, nickname: str) -> None:
    _fresh(driver)
    driver.get(base + "/login")
    driver.find_element(By.ID, "login").send_keys(nickname)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    with page_load(driver):
        tap(driver, driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
    assert nickname in driver.find_element(By.CSS_SELECTOR, ".site-header").text


def press(driver, form_action_end: str) -> None:
    """Press the button of the form whose action ends with `form_action_end`, and wait for the page."""
    with page_load(driver):
        tap(driver, driver.find_element(By.CSS_SELECTOR, f"form[action$='{form_action_end}'] button[type=submit]"))
