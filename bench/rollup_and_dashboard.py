#!/usr/bin/env python
"""Bench: the KPI roll-up at scale, and the overview page against a bare 20 KB page, side by side.

    createdb -h 127.0.0.1 -U postgres bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/rollup_and_dashboard.py --generate

1. (--generate) migrates the bench database and fills it with `manage.py generate_load`
   (1,000,000 sessions, 2,000,000 trainee rows, 10,000 of each other record, by COPY);
2. times `rollup_kpis(2025)` (three runs) and each metric's queries;
3. starts gunicorn (2 workers, --no-control-socket) and runs `wrk -t2 -c16` against
   /bench/bare/ (a 20 KB template, no database) and the overview /dashboards/?year=2025
   signed in as a leadership user, alternately, and prints req/s and the ratio; a signed-in
   page without figures (the notifications list) is measured beside them for reference.

Refuses to run against the CI database ("test") or SQLite. Installs wrk with apt-get if missing.
"""

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path[:0] = [str(ROOT), str(BENCH)]
os.environ["DJANGO_SETTINGS_MODULE"] = "kpi_bench_settings"
os.environ.setdefault("CONN_MAX_AGE", "60")
os.environ.setdefault("DEBUG", "false")


def setup_django():
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("bench: set DATABASE_URL to a dedicated PostgreSQL database (createdb bench)")
    name = connection.settings_dict["NAME"]
    if name in ("test", "consortium") or name.startswith("test_"):
        sys.exit(f"bench: refusing to use the database “{name}”")
    return name


def manage(*args):
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        check=True,
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "consortium.settings"},
    )


def time_rollup(year, runs):
    from dashboards import services
    from dashboards.metrics import METRICS
    from training.models import Trainee, TrainingSession

    print(f"data: {TrainingSession.objects.count():,} sessions, {Trainee.objects.count():,} trainee rows")
    timings = []
    for i in range(runs):
        t0 = time.monotonic()
        state = services.rollup(year)
        timings.append(time.monotonic() - t0)
        print(f"rollup_kpis({year}) run {i + 1}: {timings[-1]:.2f} s (run #{state.run})")
    from django.db import connection, transaction

    print("per metric (monthly + by organisation), one after the other, with the roll-up's settings:")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SET LOCAL jit = off")
        for metric in METRICS:
            t0 = time.monotonic()
            metric.compute(year)
            print(f"  {metric.code:<28} {1000 * (time.monotonic() - t0):8.1f} ms")
    return timings


FLOOR_SQL = """
    SELECT date_trunc('month', ends_at AT TIME ZONE 'Asia/Shanghai') AS month, SUM(declared_headcount)
    FROM training_trainingsession GROUP BY 1
"""


def time_floor(runs=3):
    """The issue's yardstick, measured here: one SUM-by-month over the 1,000,000 sessions (best of runs)."""
    from django.db import connection

    best = None
    with connection.cursor() as cursor:
        for _ in range(runs):
            t0 = time.monotonic()
            cursor.execute(FLOOR_SQL)
            cursor.fetchall()
            spent = time.monotonic() - t0
            best = spent if best is None else min(best, spent)
    return best


def signed_in_cookie():
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from dashboards.demo import WORK_POINT_TARGETS
    from dashboards.models import Target
    from members.models import Role, User

    for code, minimum, stretch, note in WORK_POINT_TARGETS:
        Target.objects.get_or_create(
            year=2025, metric=code, defaults={"minimum": minimum, "stretch": stretch, "note": note}
        )
    user, _ = User.objects.get_or_create(
        username="bench-leader", defaults={"role": Role.LEADERSHIP, "first_name": "压测领导"}
    )
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def ensure_wrk():
    if shutil.which("wrk"):
        return
    print("bench: installing wrk (apt-get install -y wrk)")
    subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, stdout=subprocess.DEVNULL)


def wrk(url, seconds, cookie=None):
    cmd = ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency"]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(cmd + [url], check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if non2xx:
        sys.exit(f"bench: {url} answered {non2xx.group(1)} errors\n{out}")
    p99 = re.search(r"99%\s+(\S+)", out).group(1)
    return rps, p99


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url, cookie=None):
    req = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return resp.status, len(resp.read())


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--generate", action="store_true", help="migrate and run generate_load first")
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--runs", type=int, default=3, help="roll-up runs (0: measure the pages only)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=2, help="alternating bare/overview rounds")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    args = parser.parse_args()

    if args.generate:
        manage("migrate", "--noinput", "-v0")
        manage("generate_load")
    db = setup_django()
    print(f"bench database: {db}")
    floor = time_floor()
    print(f"yardstick: one SUM-by-month over the sessions {1000 * floor:.0f} ms here (the issue: 40-60 ms)")
    rollups = time_rollup(args.year, args.runs) if args.runs else []
    cookie = signed_in_cookie()
    ensure_wrk()

    port = args.port or free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": f"{BENCH}:{ROOT}"}
    gunicorn = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "consortium.wsgi",
            "-w",
            "2",
            "--no-control-socket",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        for _ in range(60):
            if gunicorn.poll() is not None:
                sys.exit("bench: gunicorn did not start")
            try:
                fetch(f"{base}/bench/bare/")
                break
            except OSError:
                time.sleep(0.5)
        bare_url, overview_url = f"{base}/bench/bare/", f"{base}/dashboards/?year={args.year}"
        print(f"bare page: {fetch(bare_url)[1]:,} bytes; overview: {fetch(overview_url, cookie)[1]:,} bytes")
        for _ in range(20):  # warm both workers
            fetch(bare_url)
            fetch(overview_url, cookie)
        signed_in_url = f"{base}/members/notifications/"
        bare, overview, signed_in = [], [], []
        for r in range(args.rounds):
            bare.append(wrk(bare_url, args.duration))
            overview.append(wrk(overview_url, args.duration, cookie))
            signed_in.append(wrk(signed_in_url, args.duration, cookie))
            print(
                f"round {r + 1}: bare {bare[-1][0]:.0f} req/s (p99 {bare[-1][1]}), "
                f"overview {overview[-1][0]:.0f} req/s (p99 {overview[-1][1]}), "
                f"signed-in notifications page {signed_in[-1][0]:.0f} req/s"
            )
    finally:
        os.killpg(gunicorn.pid, signal.SIGTERM)
        gunicorn.wait(timeout=30)

    best_bare = max(b[0] for b in bare)
    best_overview = max(o[0] for o in overview)
    print()
    if rollups:
        print(
            f"rollup_kpis({args.year}): best {min(rollups):.2f} s, first {rollups[0]:.2f} s (goal < 3 s); "
            f"{min(rollups) / floor:.0f} times the yardstick query (the goal is 50-75 times its 40-60 ms)"
        )
    print(f"bare 20 KB page:  {best_bare:.0f} req/s")
    print(f"overview page:    {best_overview:.0f} req/s")
    print(f"ratio overview/bare: {best_overview / best_bare:.2f} (goal >= 0.50)")
    best_signed_in = max(x[0] for x in signed_in)
    print(
        f"for reference, a signed-in page with no figures (/members/notifications/): {best_signed_in:.0f} req/s, "
        f"ratio overview/that page {best_overview / best_signed_in:.2f}"
    )


if __name__ == "__main__":
    main()
