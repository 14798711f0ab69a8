"""Static files for cheap phones on slow 4G. `make static` (that is `cortile-build-static`) copies
each file also under a name carrying a hash of its content, with gzip and brotli copies made once;
WhiteNoise serves them. A hashed name never changes content, so browsers keep it a year without
asking again; pages name files only through `static_url`, which reads the manifest.

Without a build (a clone before `make static`) pages still work: `static_url` falls back to the
plain names, which Flask serves from portal/static. In production nginx serves the build itself
(docs/static-files.md)."""
from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from flask import Flask, current_app, url_for
from whitenoise import WhiteNoise
from whitenoise.compress import Compressor

from portal.config import PROJECT_ROOT

SOURCE_DIR = PROJECT_ROOT / "portal" / "static"
BUILD_DIR = PROJECT_ROOT / "static-build"
MANIFEST = "manifest.json"
# A year, the longest lifetime HTTP/1.1 advised (RFC 2616, 14.21); `immutable` spares even the
# revalidation of a reload.
YEAR = 365 * 24 * 60 * 60
# Plain names (kept for pages cached before a deploy) can change content: a minute, then ask.
PLAIN_NAME_MAX_AGE = 60
HASH_LENGTH = 12


def build(source: Path = SOURCE_DIR, target: Path = BUILD_DIR) -> dict[str, str]:
    """Copy every file of `source` into `target` under its own and its hashed name, with .br and .gz
    copies where they are smaller, and write the manifest (plain name -> hashed name). Files of
    earlier builds stay, so a page still open from before a deploy finds what it names.
    (Stylesheets name no other files; a url() inside one would need rewriting here.)"""
    compressor = Compressor(quiet=True)
    manifest = {}
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        name = path.relative_to(source).as_posix()
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()[:HASH_LENGTH]
        hashed = (Path(name).parent / f"{path.stem}.{digest}{path.suffix}").as_posix()
        for written in (name, hashed):
            out = target / written
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(data)
            for stale in (out.with_name(out.name + ".br"), out.with_name(out.name + ".gz")):
                stale.unlink(missing_ok=True)  # a copy not made again must not outlive its file
            if compressor.should_compress(out.name):
                compressor.compress(str(out))
        manifest[name] = hashed
    # Written last and whole: a server starting meanwhile reads the old manifest or the new one.
    partial = target / (MANIFEST + ".tmp")
    partial.write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    partial.replace(target / MANIFEST)
    return manifest


class StaticFiles(WhiteNoise):
    FOREVER = YEAR  # what WhiteNoise gives files that pass `immutable_file_test`


def init_app(app: Flask) -> None:
    build_dir = Path(app.config.get("STATIC_BUILD_DIR", BUILD_DIR))
    manifest = _read_manifest(app, build_dir)
    app.extensions["static_manifest"] = manifest
    app.jinja_env.globals["static_url"] = static_url
    if not manifest:
        return
    hashed_urls = {f"{app.static_url_path}/{hashed}" for hashed in manifest.values()}
    app.wsgi_app = StaticFiles(
        app.wsgi_app, root=build_dir, prefix=app.static_url_path, max_age=PLAIN_NAME_MAX_AGE,
        immutable_file_test=lambda _path, url: url in hashed_urls,
        allow_all_origins=False,  # no other site has a use for them
        add_headers_function=_static_headers)


def static_url(name: str) -> str:
    """The address of static file `name` ("css/cortile.css"): its hashed name once built."""
    return url_for("static", filename=current_app.extensions["static_manifest"].get(name, name))


def _static_headers(headers, _path: str, _url: str) -> None:
    headers["X-Content-Type-Options"] = "nosniff"


def _read_manifest(app: Flask, build_dir: Path) -> dict[str, str]:
    path = build_dir / MANIFEST
    if not path.exists():
        app.logger.warning("Static files are not built: run `make static` for cached, compressed files.")
        return {}
    built_at = path.stat().st_mtime
    if any(source.stat().st_mtime > built_at for source in SOURCE_DIR.rglob("*") if source.is_file()):
        app.logger.warning("portal/static changed since the last `make static`: pages use the old files.")
    return json.loads(path.read_text(encoding="utf-8"))


def main() -> None:
    """`cortile-build-static`, run by `make static` and on each deploy."""
    built = build()
    print(f"Built {len(built)} static files into {BUILD_DIR.relative_to(PROJECT_ROOT)}/", file=sys.stderr)
