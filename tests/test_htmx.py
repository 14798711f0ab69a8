"""htmx enhances forms in place; without it every form still works as a plain POST."""
import json
import re

from tests.conftest import unavailable
from tests.fixtures.accounts import PASSWORD

HTMX = {"HX-Request": "true", "HX-Current-URL": "http://localhost/join"}


def test_htmx_is_served_from_our_own_static_files_and_configured_strictly(client, city):
    if not client.application.config["HTMX_AVAILABLE"]:
        unavailable("htmx is not installed: run `make setup` (npm ci)")
    html = client.get("/").get_data(as_text=True)
    src = re.search(r'<script src="(/static/vendor/htmx\.min\.[0-9a-f]{12}\.js)" defer></script>', html).group(1)
    config = json.loads(re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", html).group(1))
    assert config["allowEval"] is False and config["allowScriptTags"] is False
    assert config["selfRequestsOnly"] is True and config["historyCacheSize"] == 0
    script = client.get(src)
    assert script.status_code == 200 and b"htmx" in script.data[:2000]


def test_an_invalid_htmx_submission_gets_only_the_form_back(client, city):
    response = client.post("/join", data={"nickname": "", "password": ""}, headers=HTMX)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith("<form") and "<html" not in html
    assert "This field is required." in html
    assert 'hx-post="/join"' in html


def test_a_valid_htmx_submission_redirects_the_whole_page(client, city):
    data = {"nickname": "Amina", "password": PASSWORD, "confirm": PASSWORD, "language": "it",
            "accept_terms": "y"}
    response = client.post("/join", data=data, headers=HTMX)
    assert response.status_code == 200 and response.headers["HX-Redirect"] == "/"


def test_without_htmx_the_same_form_answers_with_a_whole_page(client, city):
    response = client.post("/join", data={"nickname": ""})
    assert response.status_code == 422 and "<html" in response.get_data(as_text=True)


def test_htmx_sends_the_csrf_token_in_a_header(client, city):
    token = client.csrf_token()
    response = client.post("/language", data={"language": "en"}, csrf=False,
                           headers={"X-CSRFToken": token, "HX-Request": "true"})
    assert response.headers["HX-Redirect"] == "/"
