"""Faults survived against the real services: a gunicorn (and Celery worker) of the portal runs
as a subprocess on the test database, and the test breaks PostgreSQL or Redis under it.

These run on PostgreSQL and Redis only (the CI's second pass, where REQUIRE_SERVICES=1 makes a
missing service a failure). On the embedded SQLite default they are skipped: the test database
is in memory there and cannot be shared with a subprocess.
"""

import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

BASE_DIR = Path(settings.BASE_DIR)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("REQUIRE_SERVICES=1 but the suite is not on PostgreSQL")
        pytest.skip("fault tests need PostgreSQL and Redis (DATABASE_URL, REDIS_URL)")


def database_url():
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{db['NAME']}"


class Portal:
    """A gunicorn of the portal on a free loopback port, on the test database."""

    def __init__(self, env):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = env
        self.proc = None
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def start(self):
        self.proc = subprocess.Popen(
            [
                str(BASE_DIR / ".venv/bin/gunicorn") if (BASE_DIR / ".venv/bin/gunicorn").exists() else "gunicorn",
                "consortium.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "1",
                "--no-control-socket",
                "--timeout",
                "30",
            ],
            cwd=BASE_DIR,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                self.get("/accounts/login/")
                return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start: " + self.proc.stderr.read1().decode(errors="replace"))

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)

    def request(self, path, data=None):
        """(status, body) — HTTP errors are answers too."""
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
        req = urllib.request.Request(self.url + path, data=body, headers={"Referer": self.url + path})
        try:
            with self.opener.open(req, timeout=20) as resp:
                return resp.status, resp.read().decode(errors="replace")
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode(errors="replace")

    def get(self, path):
        return self.request(path)

    def csrf(self):
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def login(self, username, password="pw-Test-2025"):
        self.get("/accounts/login/")
        status, _ = self.request(
            "/accounts/login/", {"csrfmiddlewaretoken": self.csrf(), "username": username, "password": password}
        )
        assert status == 200  # followed the redirect to the home page

    def post_form(self, path, data):
        self.get(path)
        return self.request(path, {"csrfmiddlewaretoken": self.csrf(), **data})


@pytest.fixture
def portal_env():
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        {
            "DATABASE_URL": database_url(),
            "DEBUG": "false",
            "CONN_MAX_AGE": "60",
            "DJANGO_SETTINGS_MODULE": "consortium.settings",
            "AXES_ENABLED": "false",
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        }
    )
    return env


@pytest.fixture
def start_portal(portal_env):
    started = []

    def _start(**extra):
        portal = Portal({**portal_env, **extra}).start()
        started.append(portal)
        return portal

    yield _start
    for portal in started:
        portal.stop()


def run(*cmd, timeout=60):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)


def set_real_password(user, password="pw-Test-2025"):
    """The portal subprocess uses the production hashers, not the tests' fast one."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    user.password = PBKDF2PasswordHasher().encode(password, PBKDF2PasswordHasher().salt())
    user.save(update_fields=["password"])


class Redis:
    """A private redis-server on a free loopback port, so a test may stop it."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(50):
            if run("redis-cli", "-p", str(self.port), "ping").stdout.strip() == "PONG":
                return self
            time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)

    def queued(self, queue="celery"):
        return int(run("redis-cli", "-p", str(self.port), "llen", queue).stdout.strip() or 0)


@pytest.fixture
def private_redis():
    redis = Redis().start()
    yield redis
    redis.stop()


def _celery_starter(portal_env, tmp_path, kind, args):
    """A fixture body: start Celery `kind` processes (worker, beat) on a Redis URL; stop them after."""
    procs = []

    def _start(redis_url, **extra):
        celery = BASE_DIR / ".venv/bin/celery"
        proc = subprocess.Popen(
            [str(celery) if celery.exists() else "celery", "-A", "consortium", kind, *args, "--loglevel", "INFO"],
            cwd=BASE_DIR,
            env={**portal_env, "REDIS_URL": redis_url, **extra},
            stdout=open(tmp_path / f"{kind}{len(procs)}.log", "w"),
            stderr=subprocess.STDOUT,
        )
        procs.append(proc)
        return proc

    yield _start
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture
def start_worker(portal_env, tmp_path):
    yield from _celery_starter(
        portal_env,
        tmp_path,
        "worker",
        [
            "--pool",
            "prefork",
            "--concurrency",
            "1",
            "--include",
            "tests.faults.slow_start",
            "--without-mingle",
            "--without-gossip",
        ],
    )


@pytest.fixture
def start_beat(portal_env, tmp_path):
    yield from _celery_starter(portal_env, tmp_path, "beat", ["--schedule", str(tmp_path / "beat-schedule")])
