"""Links that outlive their request: stored paths for notifications, public URLs for mail."""
from flask import url_for

from portal.links import public_url, stored_path


def test_a_stored_path_is_what_url_for_builds_and_needs_no_request(app):
    values = {"thread_id": 3, "page": 2, "_anchor": "post-9"}
    with app.app_context():  # as the command line runs expiry and reminders: no request
        outside = stored_path("forums.thread", **values)
    with app.test_request_context():
        assert outside == url_for("forums.thread", **values) == "/forums/threads/3?page=2#post-9"
    with app.app_context():
        assert stored_path("forums.thread", thread_id=3, page=None) == "/forums/threads/3"


def test_a_public_url_comes_from_the_setting_never_from_the_request(make_app):
    site = make_app(PUBLIC_URL="https://cortile.example.org")
    with site.test_request_context(base_url="http://evil.example"):
        assert public_url("events.show", event_id=7) == "https://cortile.example.org/events/7"
