"""Configuration: every setting is documented, and a first run creates its own secret key."""
import re
import stat

from portal.config import ENV_SETTINGS, PROJECT_ROOT, load_settings


def test_every_environment_setting_is_in_the_readme_table():
    readme = (PROJECT_ROOT / "README.md").read_text()
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", readme, flags=re.M))
    assert set(ENV_SETTINGS) <= documented


def test_a_secret_key_is_generated_once_and_kept_private(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = load_settings(tmp_path)["SECRET_KEY"]
    second = load_settings(tmp_path)["SECRET_KEY"]
    assert first == second and len(first) >= 40
    mode = (tmp_path / "secret_key").stat().st_mode
    assert not mode & (stat.S_IRGRP | stat.S_IROTH)


def test_the_default_database_is_sqlite_under_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert load_settings(tmp_path)["DATABASE_URL"] == f"sqlite:///{tmp_path / 'cortile.sqlite3'}"


def test_behind_a_proxy_limits_count_the_client_address(make_app, monkeypatch, city):
    monkeypatch.setenv("TRUSTED_PROXIES", "1")
    proxied = make_app()
    seen = {}

    @proxied.get("/whoami")
    def whoami():
        from flask import request

        seen["addr"] = request.remote_addr
        return ""

    proxied.test_client().get("/whoami", headers={"X-Forwarded-For": "203.0.113.7"})
    assert seen["addr"] == "203.0.113.7"
