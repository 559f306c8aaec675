import time
from pathlib import Path

import pytest
from django.db import connections

from .conftest import run, set_real_password

pytestmark = pytest.mark.django_db(transaction=True)


def cluster():
    versions = sorted(p.name for p in Path("/etc/postgresql").iterdir())
    return versions[-1], "main"


def pg_ready():
    return run("pg_isready", "-h", "127.0.0.1", "-p", "5432", "-q").returncode == 0


def test_a_postgres_restart_fails_requests_cleanly_and_they_succeed_after_it(postgres_only, start_portal, users, org):
    set_real_password(users["staff"])
    portal = start_portal()
    portal.login("staff")
    status, body = portal.get(org.get_absolute_url())
    assert status == 200 and org.name in body

    version, name = cluster()
    connections.close_all()
    stop = run("pg_ctlcluster", "--skip-systemctl-redirect", version, name, "stop", "-m", "fast")
    assert stop.returncode == 0, stop.stderr
    try:
        status, body = portal.get(org.get_absolute_url())
        assert status == 503, status
        assert "服务暂时不可用" in body and "Traceback" not in body
    finally:
        start = run("pg_ctlcluster", "--skip-systemctl-redirect", version, name, "start")
        assert start.returncode == 0, start.stderr
        for _ in range(60):
            if pg_ready():
                break
            time.sleep(0.5)
    # The same gunicorn worker, its persistent connection dead, serves the next request.
    status, body = portal.get(org.get_absolute_url())
    assert status == 200 and org.name in body
