"""Configuration: every setting is documented, and a first run creates its own secret key and the
folder its database lives in."""
import os
import re
import stat
import subprocess
import sys

import pytest

from portal.config import ENV_SETTINGS, PROJECT_ROOT, SettingsError, load_settings


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


def test_behind_a_proxy_limits_count_the_client_address_but_its_host_is_not_trusted(
        make_app, monkeypatch, city):
    monkeypatch.setenv("TRUSTED_PROXIES", "1")
    proxied = make_app()
    seen = {}

    @proxied.get("/whoami")
    def whoami():
        from flask import request

        seen["addr"], seen["host"] = request.remote_addr, request.host
        return ""

    proxied.test_client().get("/whoami", headers={"X-Forwarded-For": "203.0.113.7",
                                                  "X-Forwarded-Host": "evil.example"})
    assert seen == {"addr": "203.0.113.7", "host": "localhost"}


def test_production_refuses_to_start_without_its_public_url(make_app, monkeypatch):
    monkeypatch.setenv("CORTILE_ENV", "production")
    monkeypatch.delenv("CORTILE_PUBLIC_URL", raising=False)
    with pytest.raises(SettingsError, match="CORTILE_PUBLIC_URL is not set. In production it must be"):
        make_app()


def test_in_development_links_open_where_make_run_serves(tmp_path, monkeypatch):
    monkeypatch.delenv("CORTILE_ENV", raising=False)
    monkeypatch.delenv("CORTILE_PUBLIC_URL", raising=False)
    assert load_settings(tmp_path)["PUBLIC_URL"] == "http://127.0.0.1:5000"
    monkeypatch.setenv("CORTILE_PUBLIC_URL", "https://cortile.example.org/")
    assert load_settings(tmp_path)["PUBLIC_URL"] == "https://cortile.example.org"


@pytest.mark.parametrize("value", ["cortile.example.org", "ftp://cortile.example.org", "https://",
                                   "https://cortile.example.org/portal", "https://cortile.example.org/?a=1"])
def test_a_public_url_that_is_not_a_scheme_and_host_is_refused(tmp_path, monkeypatch, value):
    monkeypatch.setenv("CORTILE_PUBLIC_URL", value)
    with pytest.raises(SettingsError, match="must be a scheme and host only"):
        load_settings(tmp_path)


def _migrate(env: dict) -> subprocess.CompletedProcess:
    settings = {name: value for name, value in os.environ.items() if name not in ENV_SETTINGS}
    return subprocess.run([sys.executable, "-m", "flask", "--app", "portal", "migrate"], cwd=PROJECT_ROOT,
                          env={**settings, **env}, capture_output=True, text=True, timeout=300)


def test_a_fresh_clone_migrates_into_an_instance_folder_that_does_not_exist_yet(tmp_path):
    # With SECRET_KEY set no key file is written, so nothing else would create the folder.
    instance = tmp_path / "not" / "there" / "yet"
    done = _migrate({"SECRET_KEY": "set-by-the-operator", "CORTILE_INSTANCE_PATH": str(instance)})
    assert done.returncode == 0, done.stderr
    assert (instance / "cortile.sqlite3").is_file()


def test_an_sqlite_database_elsewhere_gets_its_folder_too(tmp_path):
    database = tmp_path / "data" / "cortile.sqlite3"
    done = _migrate({"SECRET_KEY": "set-by-the-operator", "CORTILE_INSTANCE_PATH": str(tmp_path / "instance"),
                     "DATABASE_URL": f"sqlite:///{database}"})
    assert done.returncode == 0, done.stderr
    assert database.is_file()
