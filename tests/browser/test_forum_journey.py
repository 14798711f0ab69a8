"""A conversation on a phone: join a group, post, three neighbours report, the post is hidden,
a facilitator restores it, and its author is told. And user text never runs as code."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from forums.models import Post
from forums.queries import THREADS_PER_PAGE
from portal import db
from portal.timeutil import utcnow
from tests.browser.conftest import WAIT_SECONDS, page_load, press, serving, sign_in_as, tap

pytestmark = pytest.mark.browser

GROUP = "giambellino-lorenteggio"


def start_thread(driver, base: str, title: str, body: str) -> str:
    driver.get(f"{base}/forums/groups/{GROUP}")
    tap(driver, driver.find_element(By.CSS_SELECTOR, "details.new-thread summary"))  # "Start a conversation"
    driver.find_element(By.ID, "title").send_keys(title)
    driver.find_element(By.ID, "body").send_keys(body)
    press(driver, f"/forums/groups/{GROUP}/threads")
    assert "/forums/threads/" in driver.current_url
    return driver.current_url


@pytest.fixture
def neighbours(make_user, seeded_group, add_member):
    group = seeded_group(GROUP)
    reporters = [make_user(f"Vicina{number}") for number in range(1, 4)]
    for reporter in reporters:
        add_member(reporter, group)
    facilitator = make_user("Giulia", role="facilitator", group=GROUP)
    author = make_user("Amina")
    return author, reporters, facilitator


def test_reported_post_is_hidden_then_restored_and_its_author_told(
        browser, live_server, screenshot, neighbours):
    author, reporters, facilitator = neighbours
    driver, base = browser, live_server

    sign_in_as(driver, base, author.nickname)
    driver.get(f"{base}/groups/{GROUP}")
    press(driver, f"/groups/{GROUP}/join")
    screenshot("joined-group")
    thread_url = start_thread(driver, base, "Doposcuola al mercato comunale?",
                              "Qualcuno sa se il **doposcuola** riapre a gennaio?")
    assert "doposcuola" in driver.find_element(By.TAG_NAME, "main").text
    screenshot("posted")

    for number, reporter in enumerate(reporters, start=1):
        sign_in_as(driver, base, reporter.nickname)
        driver.get(thread_url)
        with page_load(driver):
            tap(driver, driver.find_element(By.CSS_SELECTOR, "a[href$='/report']"))
        tap(driver, driver.find_element(By.CSS_SELECTOR, "input[name=reason][value=offensive]"))
        press(driver, "/report")
        screenshot(f"reported-{number}")
    # The reported post opens the thread, so the whole conversation is out of sight for members.
    driver.get(thread_url)
    assert "riapre a gennaio" not in driver.find_element(By.TAG_NAME, "main").text
    driver.get(f"{base}/forums/groups/{GROUP}")
    assert "Doposcuola al mercato" not in driver.find_element(By.TAG_NAME, "main").text
    screenshot("hidden-for-members")

    sign_in_as(driver, base, facilitator.nickname)
    driver.get(f"{base}/forums/groups/{GROUP}/moderation")
    screenshot("moderation-queue")
    queue_item = driver.find_element(By.CSS_SELECTOR, "main form button[value=restore]")
    tap(driver, queue_item)
    # htmx replaces the decided item in place (without JavaScript the page would reload).
    WebDriverWait(driver, WAIT_SECONDS).until(
        lambda d: not d.find_elements(By.CSS_SELECTOR, "main form button[value=restore]"),
        "the decided post stayed in the queue")
    screenshot("decided")

    sign_in_as(driver, base, author.nickname)
    driver.get(thread_url)
    main = driver.find_element(By.TAG_NAME, "main").text
    assert "riapre a gennaio" in main and "hidden" not in main.lower()
    screenshot("restored")
    bell = driver.find_element(By.CSS_SELECTOR, ".site-header a[href='/notifications/']")
    assert "unread" in bell.get_attribute("textContent")
    with page_load(driver):
        tap(driver, bell)
    messages = driver.find_element(By.CSS_SELECTOR, ".notifications").text
    assert "visible again" in messages and "hidden after several reports" in messages
    screenshot("author-notified")


XSS_TITLE = '<img src=x onerror="window.__pwned=1">'
XSS_BODY = "\n\n".join([
    '<script>window.__pwned = 1</script>',
    '[click me](javascript:window.__pwned=1)',
    '<a href="#" hx-get="/logout" hx-trigger="load">x</a>',
    '<svg onload="window.__pwned=1"></svg>',
    '<div hx-post="/logout-everywhere" hx-trigger="load"></div>',
    '<iframe src="javascript:window.__pwned=1"></iframe>',
])


def test_xss_payloads_in_a_thread_never_run(browser, live_server, screenshot, neighbours, add_member,
                                            seeded_group):
    author, *_ = neighbours
    add_member(author, seeded_group(GROUP))
    driver, base = browser, live_server
    sign_in_as(driver, base, author.nickname)
    thread_url = start_thread(driver, base, XSS_TITLE, XSS_BODY)
    driver.get(thread_url)
    links = driver.find_elements(By.CSS_SELECTOR, "main a")
    for link in links:
        if link.text == "click me":
            tap(driver, link)  # a javascript: link would run now if it had survived
    driver.get(thread_url)
    assert driver.execute_script("return window.__pwned") is None
    # htmx attributes typed by a user never act: we are still signed in everywhere.
    assert author.nickname in driver.find_element(By.CSS_SELECTOR, ".site-header").text
    assert XSS_TITLE in driver.find_element(By.TAG_NAME, "h1").text  # shown as text, harmlessly
    screenshot("xss-as-text")


@pytest.mark.parametrize("engine", ["browser", "browser_without_js"])
def test_a_long_list_of_conversations_pages_on_and_back(request, engine, live_server, neighbours,
                                                        seeded_group, make_thread):
    """The one pager every list uses: plain links, the same with JavaScript on or off."""
    author, *_ = neighbours
    group, now = seeded_group(GROUP), utcnow()
    for number in range(THREADS_PER_PAGE + 1):  # the oldest is the first on page 2
        make_thread(group, author, title=f"Conversation {number:02d}",
                    last_activity_at=now - timedelta(hours=number))
    driver, base = request.getfixturevalue(engine), live_server
    driver.get(f"{base}/forums/groups/{GROUP}")
    oldest = f"Conversation {THREADS_PER_PAGE:02d}"
    assert "Conversation 00" in driver.find_element(By.ID, "thread-list").text
    assert oldest not in driver.find_element(By.ID, "thread-list").text
    with page_load(driver):
        tap(driver, driver.find_element(By.CSS_SELECTOR, "nav.pager a[rel=next]"))
    assert driver.current_url.endswith(f"/forums/groups/{GROUP}?page=2")
    assert driver.find_element(By.ID, "thread-list").text.splitlines()[0] == oldest
    assert not driver.find_elements(By.CSS_SELECTOR, "nav.pager a[rel=next]")
    with page_load(driver):
        tap(driver, driver.find_element(By.CSS_SELECTOR, "nav.pager a[rel=prev]"))
    assert "Conversation 00" in driver.find_element(By.ID, "thread-list").text


class HeldReplies:
    """The app behind a slow 4G link, made exact: a reply's POST waits at the server until the test
    lets it through, so the test can tap again while it is sending."""

    def __init__(self, app):
        self.app, self.posts = app, 0
        self.arrived, self.let_through = threading.Event(), threading.Event()

    def __call__(self, environ, start_response):
        if environ["REQUEST_METHOD"] == "POST" and environ["PATH_INFO"].endswith("/replies"):
            self.posts += 1
            self.arrived.set()
            self.let_through.wait(WAIT_SECONDS)
        return self.app(environ, start_response)


def test_a_reply_appears_in_place_and_a_second_tap_while_sending_posts_nothing(
        browser, app, screenshot, neighbours, add_member, seeded_group, make_thread):
    author, (neighbour, *_), _facilitator = neighbours
    group = seeded_group(GROUP)
    add_member(author, group)
    thread = make_thread(group, neighbour, title="Merenda in cortile", body="Chi porta la frutta?")
    held = HeldReplies(app)
    with serving(held) as base:
        driver = browser
        sign_in_as(driver, base, author.nickname)
        driver.get(f"{base}/forums/threads/{thread.id}")
        box = driver.find_element(By.ID, "body")
        box.send_keys("Porto io le mele.")
        button = driver.find_element(By.CSS_SELECTOR, "form[action$='/replies'] button[type=submit]")
        with page_load(driver):
            tap(driver, button)
            assert held.arrived.wait(WAIT_SECONDS), "the reply never reached the server"
            # Sending: the button is disabled and says so, and the page tells that it is working.
            assert button.get_attribute("disabled") is not None
            assert driver.find_element(By.ID, "sending").is_displayed()
            screenshot("sending")
            # The impatient second tap, where the button is (a thumb does not check it is disabled).
            ActionChains(driver).move_to_element(button).click().perform()
            driver.execute_script("arguments[0].requestSubmit()", box.find_element(By.XPATH, "ancestor::form"))
            held.let_through.set()
        assert held.posts == 1
        reply = db.session.scalar(select(Post).where(Post.thread_id == thread.id, Post.is_opening.is_(False)))
        assert driver.current_url.endswith(f"#post-{reply.id}")
        shown = driver.find_element(By.ID, f"post-{reply.id}")
        assert "Porto io le mele." in shown.text and shown.is_displayed()
        assert driver.find_element(By.ID, "body").get_attribute("value") == ""
        assert not driver.find_element(By.ID, "sending").is_displayed()
        screenshot("reply-shown")
    assert db.session.scalar(select(func.count(Post.id)).where(Post.thread_id == thread.id)) == 2
