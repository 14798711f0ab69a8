"""CSRF on every POST, strict headers, no third-party requests, rate limits (memory and Redis)."""
import re

import pytest

from tests.fixtures.web import text_of


def _post_routes(app):
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods:
            yield _example_path(rule.rule)


def _example_path(rule: str) -> str:
    """A concrete path for a rule: 1 for numbers, the first choice of an any(), x otherwise."""
    rule = re.sub(r"<int:[^>]+>", "1", rule)
    rule = re.sub(r"<any\(\s*['\"]?([\w-]+)[^>]*>", r"\1", rule)
    return re.sub(r"<[^>]+>", "x", rule)


def test_every_post_route_refuses_a_missing_csrf_token(client, make_user, sign_in):
    sign_in(client, make_user("Admin", role="admin"))
    routes = list(_post_routes(client.application))
    assert len(routes) >= 10
    for route in routes:
        response = client.post(route, data={}, csrf=False)
        assert response.status_code == 400, route
        assert "The form has expired" in text_of(response), route


def test_a_token_from_another_session_is_refused(make_client, city):
    token = make_client().csrf_token()
    response = make_client().post("/language", data={"language": "en", "csrf_token": token}, csrf=False)
    assert response.status_code == 400


def test_pages_send_a_strict_content_security_policy(client, city):
    headers = client.get("/").headers
    policy = headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_personal_pages_are_never_cached_on_shared_phones(client, make_user, sign_in):
    sign_in(client, make_user("Bea"))
    assert client.get("/account").headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("url", ["/", "/join", "/login", "/city", "/neighbourhoods/barona"])
def test_pages_reference_nothing_on_other_sites(client, city, url):
    html = client.get(url).get_data(as_text=True)
    # Any src/href/action pointing off-site would be a third-party request (or a leak).
    off_site = re.findall(r'(?:src|href|action)="((?:https?:)?//[^"]*)"', html)
    assert off_site == []
    assert "<script>" not in html and " on" + "click=" not in html  # no inline script


def test_no_page_shows_a_traceback_on_unexpected_errors(make_app, city):
    broken = make_app()

    @broken.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = broken.test_client().get("/boom", headers={"Accept-Language": "en"})
    assert response.status_code == 500
    assert "secret internals" not in response.get_data(as_text=True)
    assert "Nothing was saved" in text_of(response)


def test_oversized_requests_are_refused(client, city):
    response = client.post("/login", data={"login": "x" * (2 * 1024 * 1024), "password": "y"})
    assert response.status_code == 413


def test_registration_is_limited_per_address(client, city):
    data = {"nickname": "", "password": ""}
    statuses = [client.post("/join", data=data).status_code for _ in range(31)]
    assert statuses.count(429) == 1 and statuses[-1] == 429


def test_rate_limits_are_kept_in_redis_in_production(redis_app, city):
    application, connection, prefix = redis_app
    statuses = [application.test_client().post("/login", data={"login": "Ghost", "password": "x"}).status_code
                for _ in range(11)]
    assert statuses[-1] == 429
    keys = [key.decode() for key in connection.scan_iter(f"*{prefix}*")]
    assert any("signin:failures" in key for key in keys), keys  # tests/test_sign_in_limits.py
