"""What every response says about itself: a Content-Security-Policy with no inline script, no
server version, and an API schema only for signed-in users."""

import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from tests.faults.conftest import free_port

BASE_DIR = Path(settings.BASE_DIR)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(?!\s*</script>)|\son[a-z]+\s*=|javascript:", re.I)


def template_files():
    dirs = [BASE_DIR / "templates", *BASE_DIR.glob("*/templates")]
    return sorted(p for d in dirs for p in d.rglob("*.html") if ".venv" not in p.parts)


def inline_scripts(text):
    return INLINE_SCRIPT.findall(text)


def test_no_template_has_an_inline_script_or_handler():
    found = {str(p.relative_to(BASE_DIR)): inline_scripts(p.read_text()) for p in template_files()}
    assert {path: hits for path, hits in found.items() if hits} == {}


def test_the_scan_sees_inline_scripts_handlers_and_javascript_urls():
    assert inline_scripts("<script>alert(1)</script>")
    assert inline_scripts('<select onchange="this.form.submit()">')
    assert inline_scripts('<a href="javascript:history.back()">')
    assert not inline_scripts('<script src="/static/js/portal.js"></script>')


def _policy(response):
    header = response.headers["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/", "/dashboards/", "/api/v1/", "/api/docs/"])
def test_every_page_carries_a_policy_without_inline_script(client_for, path):
    response = client_for("staff").get(path)
    assert response.status_code in (200, 302)
    policy = _policy(response)
    assert policy["script-src"] == "'self'"
    assert "unsafe" not in policy["script-src"] and "unsafe" not in policy["default-src"]
    assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'"


@pytest.mark.django_db
def test_the_api_docs_load_their_start_up_script_from_a_file(client_for):
    body = client_for("member").get("/api/docs/").content.decode()
    assert not inline_scripts(body)
    assert "cdn" not in body.lower()


@pytest.mark.django_db
def test_the_schema_and_docs_are_for_signed_in_users_only(client, client_for):
    assert client.get("/api/schema/").status_code in (401, 403)
    docs = client.get("/api/docs/")
    assert docs.status_code == 302 and "/accounts/login/" in docs["Location"]
    assert client_for("member").get("/api/schema/").status_code == 200


def test_gunicorn_names_no_version(tmp_path):
    port = free_port()
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "SECRET_KEY": "header-test",
        "ALLOWED_HOSTS": "127.0.0.1",
        "HOME": str(tmp_path),
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    proc = subprocess.Popen(
        [
            str(gunicorn),
            "consortium.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--no-control-socket",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        server = response.headers.get("Server", "")
        assert not re.search(r"\d", server), server
        assert "Content-Security-Policy" in response.headers
    finally:
        proc.terminate()
        proc.wait(10)
