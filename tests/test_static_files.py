"""Cheap phones on slow 4G: static files under content-hashed names kept a year, sent as brotli or
gzip as the browser asks, and pages compressed too (portal/assets.py, Flask-Compress)."""
from __future__ import annotations

import gzip
import re

import brotli
import pytest

from portal import assets

DECODE = {"br": brotli.decompress, "gzip": gzip.decompress}
STYLESHEET = assets.SOURCE_DIR / "css" / "cortile.css"


def _static_urls(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def test_pages_name_static_files_by_their_content(client, city):
    urls = _static_urls(client.get("/").get_data(as_text=True))
    stylesheet = next(url for url in urls if url.startswith("/static/css/cortile."))
    assert re.fullmatch(r"/static/css/cortile\.[0-9a-f]{12}\.css", stylesheet)


@pytest.mark.parametrize("accept, encoding", [("br, gzip", "br"), ("gzip", "gzip"), ("", None)])
def test_a_hashed_file_is_kept_a_year_and_sent_compressed_as_asked(client, city, accept, encoding):
    stylesheet = next(url for url in _static_urls(client.get("/").get_data(as_text=True))
                      if "/css/" in url)
    response = client.get(stylesheet, headers={"Accept-Encoding": accept})
    assert response.status_code == 200
    directives = {part.strip() for part in response.headers["Cache-Control"].split(",")}
    assert directives == {"public", "max-age=31536000", "immutable"}
    assert "Accept-Encoding" in response.headers["Vary"]
    assert response.headers.get("Content-Encoding") == encoding
    body = DECODE[encoding](response.data) if encoding else response.data
    assert body == STYLESHEET.read_bytes()
    if encoding:
        assert len(response.data) < len(body) / 3


def test_the_plain_name_of_a_static_file_still_works_but_is_asked_again_soon(client, city):
    response = client.get("/static/css/cortile.css", headers={"Accept-Encoding": "br, gzip"})
    assert response.status_code == 200 and response.headers["Content-Encoding"] == "br"
    assert "immutable" not in response.headers["Cache-Control"]
    assert brotli.decompress(response.data) == STYLESHEET.read_bytes()


def test_a_static_file_that_does_not_exist_is_a_plain_404(client, city):
    for path in ("/static/css/cortile.0123456789ab.css", "/static/css/nothing.css"):
        response = client.get(path)
        assert response.status_code == 404 and "immutable" not in response.headers.get("Cache-Control", "")


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_pages_are_compressed_as_the_browser_asks(client, city, sign_in, make_user, encoding):
    response = client.get("/proposals/", headers={"Accept-Encoding": "br, gzip" if encoding == "br" else "gzip"})
    assert response.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in response.headers["Vary"]
    assert DECODE[encoding](response.data).decode().lstrip().startswith("<!doctype html>")
    assert "Content-Encoding" not in client.get("/proposals/").headers
    # A signed-in page stays out of every cache (shared phones), compressed or not.
    sign_in(client, make_user("Amina"))
    response = client.get("/proposals/", headers={"Accept-Encoding": "br"})
    assert response.headers["Content-Encoding"] == "br" and response.headers["Cache-Control"] == "no-store"
    assert {"Cookie", "Accept-Encoding"} <= {v.strip() for v in response.headers["Vary"].split(",")}


def test_without_a_build_pages_use_the_plain_names(make_app, tmp_path, city):
    client = make_app(STATIC_BUILD_DIR=str(tmp_path)).test_client()
    html = client.get("/").get_data(as_text=True)
    assert "/static/css/cortile.css" in _static_urls(html)
    assert client.get("/static/css/cortile.css").data == STYLESHEET.read_bytes()


def test_a_changed_file_gets_a_new_name_and_no_stale_compressed_copy(tmp_path):
    source, target = tmp_path / "source", tmp_path / "build"
    (source / "css").mkdir(parents=True)
    (source / "css" / "site.css").write_text("body { color: black; }" * 100)
    first = assets.build(source, target)["css/site.css"]
    assert (target / (first + ".br")).exists() and (target / (first + ".gz")).exists()
    (source / "css" / "site.css").write_text("x")  # too small to be worth compressing
    second = assets.build(source, target)["css/site.css"]
    assert second != first and (target / first).exists()  # an old page still finds its file
    assert not (target / "css" / "site.css.br").exists() and (target / "css" / "site.css").read_text() == "x"
