#!/usr/bin/env python
"""Bench: a 100,000-row trainee list through the real import service, CSV, .xlsx, .xls and .ods.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/import_trainees.py

Uses its own database (``bench_import`` on the same server: created, migrated, dropped at
the end unless --keep), never the one in DATABASE_URL itself. For each format it times
the preview step (read + validate every row + keep the clean rows server-side) and the confirm
step (check the kept rows against the session, COPY, count, and the KPI roll-up that runs in-process
without REDIS_URL; the check, the COPY and the roll-up also shown apart), and prints them beside the floor figures of the issue
and beside the same floors measured here (bare csv parse, bare COPY, parse + bulk_create).

The .xlsx is written as Excel and WPS write it (shared strings, numbers as numbers) and timed
twice: read by python-calamine after the pre-scan (what the import does) and by the portal's own
reader (what it did before, and still does for a sheet calamine may not take). The .xls (Excel
97, written by xlwt; at most 65,535 rows, so it holds the first 65,535) and the .ods (content.xml
as LibreOffice Calc writes it) are read by python-calamine after their pre-scans. With
--openpyxl-xlsx the file written by openpyxl (inline strings) is timed too.
Not a test: the figures depend on the machine and its load.
"""

import argparse
import csv
import io
import os
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_DB = os.environ.get("BENCH_DB", "bench_import")
HEADER = ["姓名", "身份证号", "性别", "手机号", "工作单位", "岗位/职务"]
FLOOR = {"csv": 5.0, "xlsx": 15.0, "xls": 15.0, "ods": 15.0}
ISSUE_FLOOR = "issue: parse 100k CSV + bulk_create ≈ 2 s; PostgreSQL COPY ≈ 0.15 s"


def bench_database_url():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("bench: set DATABASE_URL to a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/test")
    parts = urlsplit(url)
    return url, urlunsplit(parts._replace(path=f"/{BENCH_DB}"))


def admin_connection(url):
    import psycopg2

    parts = urlsplit(url)
    conn = psycopg2.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password or None,
        dbname="postgres",
    )
    conn.autocommit = True
    return conn


def create_db(url):
    conn = admin_connection(url)
    with conn.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
        cur.execute(f"CREATE DATABASE {BENCH_DB}")
    conn.close()


def drop_db(url):
    from django.db import connections

    connections.close_all()
    conn = admin_connection(url)
    with conn.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
    conn.close()


# -- the files ---------------------------------------------------------------


def make_rows(n):
    from members.validators import id_number_check_char

    rows = []
    for i in range(n):
        birth = f"{1960 + (i // 3650) % 45}{1 + (i // 300) % 12:02d}{1 + (i // 10) % 28:02d}"
        first17 = f"6201{(i // 1000) % 100:02d}{birth}{i % 1000:03d}"
        rows.append(
            [
                f"学员{i:06d}",
                first17 + id_number_check_char(first17),
                "男" if i % 2 else "女",
                f"139{i:08d}",
                "兰石集团" if i % 3 else "甘肃能化(兰州新区)热电有限公司",
                "车工",
            ]
        )
    return rows


def write_csv(path, rows):
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:  # as Excel saves "CSV UTF-8"
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(rows)


def _col(i):
    return "ABCDEFGHIJ"[i]


def write_excel_like_xlsx(path, rows):
    """An .xlsx as Excel writes it: a dimension, a shared-string table, phone numbers as numbers."""
    strings, index = [], {}

    def sid(text):
        if text not in index:
            index[text] = len(strings)
            strings.append(text)
        return index[text]

    sheet = io.StringIO()
    sheet.write(
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.'
        f'openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:F{len(rows) + 1}"/><sheetData>'
    )
    for r, row in enumerate([HEADER, *rows], start=1):
        sheet.write(f'<row r="{r}">')
        for c, value in enumerate(row):
            ref = f"{_col(c)}{r}"
            if r > 1 and c == 3:
                sheet.write(f'<c r="{ref}"><v>{value}</v></c>')
            else:
                sheet.write(f'<c r="{ref}" t="s"><v>{sid(value)}</v></c>')
        sheet.write("</row>")
    sheet.write("</sheetData></worksheet>")
    shared = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.openxmlformats.org/'
        f'spreadsheetml/2006/main" count="{len(strings)}" uniqueCount="{len(strings)}">'
        + "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
        + "</sst>"
    )
    ns = "http://schemas.openxmlformats.org"
    files = {
        "[Content_Types].xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{ns}/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{ns}/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{ns}/spreadsheetml/2006/main" '
            f'xmlns:r="{ns}/officeDocument/2006/relationships"><sheets><sheet name="学员名单" sheetId="1" '
            'r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{ns}/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{ns}/officeDocument/2006/relationships/sharedStrings" '
            'Target="sharedStrings.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": sheet.getvalue(),
        "xl/sharedStrings.xml": shared,
    }
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, text in files.items():
            zf.writestr(name, text)


def write_xls(path, rows):
    """An Excel 97 workbook (BIFF8, as Excel, WPS and LibreOffice save .xls): phone numbers as numbers."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("学员名单")
    for c, h in enumerate(HEADER):
        ws.write(0, c, h)
    for r, row in enumerate(rows[:65_535], start=1):
        for c, value in enumerate(row):
            ws.write(r, c, int(value) if c == 3 else value)
    wb.save(str(path))


def write_ods(path, rows):
    """An .ods as LibreOffice Calc writes it: typed cells, phone numbers as floats, trailing formatted rows."""

    def text(v):
        return f'<table:table-cell office:value-type="string" calcext:value-type="string"><text:p>{escape(v)}</text:p></table:table-cell>'

    def number(v):
        return (
            f'<table:table-cell office:value-type="float" office:value="{v}" calcext:value-type="float">'
            f"<text:p>{v}</text:p></table:table-cell>"
        )

    body = io.StringIO()
    body.write("<table:table-row>" + "".join(text(h) for h in HEADER) + "</table:table-row>")
    for row in rows:
        body.write("<table:table-row>")
        for c, value in enumerate(row):
            body.write(number(value) if c == 3 else text(value))
        body.write("</table:table-row>")
    body.write(
        '<table:table-row table:number-rows-repeated="1048000"><table:table-cell table:number-columns-repeated="1024"/>'
        "</table:table-row>"
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" office:version="1.3">'
        '<office:body><office:spreadsheet><table:table table:name="学员名单">'
        + body.getvalue()
        + "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        zf.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
            'opendocument:xmlns:manifest:1.0" manifest:version="1.3"><manifest:file-entry manifest:full-path="/" '
            'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>',
            compress_type=zipfile.ZIP_DEFLATED,
        )


def write_openpyxl_xlsx(path, rows):
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("学员名单")
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    wb.save(path)


# -- the timings --------------------------------------------------------------


SPENT = {}


def timed(module, name):
    """Wrap module.name so that the time spent inside it is added to SPENT[name]."""
    inner = getattr(module, name)

    def wrapper(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            SPENT[name] = SPENT.get(name, 0.0) + time.perf_counter() - t0

    setattr(module, name, wrapper)


def time_import(path, user, org):
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from django.core.files import File

    from training import services
    from training.models import Trainee, TrainingSession

    start = datetime(2025, 6, 1, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
    session = TrainingSession.objects.create(
        title=f"bench {path.name}",
        kind="vocational_skill",
        provider=org,
        starts_at=start,
        ends_at=start + timedelta(hours=8),
        declared_headcount=0,
    )
    with open(path, "rb") as fh:
        upload = File(fh, name=path.name)
        t0 = time.perf_counter()
        imp = services.stage_import(session, upload, by=user)
        t1 = time.perf_counter()
    SPENT.clear()
    services.confirm_import(imp.pk, by=user)
    t2 = time.perf_counter()
    session.refresh_from_db()
    stored = Trainee.objects.filter(session=session).count()
    assert stored == session.trainee_count == imp.row_count, (stored, session.trainee_count, imp.row_count)
    Trainee.objects.filter(session=session).delete()
    session.delete()
    return t1 - t0, t2 - t1, stored


def time_floors(csv_path, org):
    """The same floors as the issue, measured here: bare parse, bare COPY, parse + bulk_create."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from training import imports, services
    from training.models import Trainee, TrainingSession

    t0 = time.perf_counter()
    with open(csv_path, encoding="utf-8-sig", newline="") as fh:
        n = sum(1 for _ in csv.reader(fh)) - 1
    parse = time.perf_counter() - t0

    start = datetime(2025, 6, 1, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
    session = TrainingSession.objects.create(
        title="bench floor", kind="vocational_skill", provider=org, starts_at=start, ends_at=start, declared_headcount=0
    )
    lines = [services.staged_line(r)[:-1] for r in imports.read_and_validate(csv_path, "csv").rows]
    t0 = time.perf_counter()
    services._copy_staged(session.pk, lines, None)
    copy = time.perf_counter() - t0
    Trainee.objects.filter(session=session).delete()

    t0 = time.perf_counter()
    with open(csv_path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        next(reader)
        objs = [
            Trainee(
                session_id=session.pk,
                name=r[0],
                person_key=i,
                id_number_masked=r[1][:18],
                phone=r[3],
                employer=r[4],
                job_title=r[5],
            )
            for i, r in enumerate(reader)
        ]
    Trainee.objects.bulk_create(objs, batch_size=2000)
    bulk = time.perf_counter() - t0
    Trainee.objects.filter(session=session).delete()
    session.delete()
    return n, parse, copy, bulk


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help=f"keep the {BENCH_DB} database afterwards")
    parser.add_argument("--openpyxl-xlsx", action="store_true", help="also time an .xlsx written by openpyxl")
    args = parser.parse_args()

    server_url, url = bench_database_url()
    create_db(server_url)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "consortium.settings"
    os.environ.setdefault("DEBUG", "false")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    try:
        call_command("migrate", verbosity=0)
        from members.models import Organization, OrganizationKind, Role, User

        tmp = Path(tempfile.mkdtemp(prefix="bench-import-"))
        settings.MEDIA_ROOT = tmp / "media"
        settings.TRAINEE_IMPORT_MAX_ROWS = max(args.rows, 200_000)
        org = Organization.objects.create(
            name="兰州石化职业技术大学",
            credit_code="12620100BENCH00001",
            kind=OrganizationKind.VOCATIONAL_UNDERGRADUATE,
        )
        user = User.objects.create(username="bench-staff", role=Role.STAFF)

        t0 = time.perf_counter()
        rows = make_rows(args.rows)
        files = {
            "csv": tmp / "trainees.csv",
            "xlsx": tmp / "trainees.xlsx",
            "xlsx (own reader)": tmp / "trainees.xlsx",
            "xls (65,535 rows)": tmp / "trainees.xls",
            "ods": tmp / "trainees.ods",
        }
        write_csv(files["csv"], rows)
        write_excel_like_xlsx(files["xlsx"], rows)
        write_xls(files["xls (65,535 rows)"], rows)
        write_ods(files["ods"], rows)
        if args.openpyxl_xlsx:
            files["xlsx (openpyxl-written)"] = tmp / "trainees-openpyxl.xlsx"
            write_openpyxl_xlsx(files["xlsx (openpyxl-written)"], rows)
        print(
            f"generated {args.rows:,} rows in {time.perf_counter() - t0:.1f} s: "
            + ", ".join(f"{k} {p.stat().st_size / 1e6:.1f} MB" for k, p in files.items() if "own" not in k)
        )
        print(
            f"database: PostgreSQL “{BENCH_DB}”, {os.cpu_count()} CPUs, load average "
            f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}"
        )
        print()
        from dashboards import services as kpi_services
        from training import services

        timed(services, "check_staged")
        timed(services, "insert_staged")
        timed(kpi_services, "rollup")
        print(
            f"{'file':<24}{'preview':>10}{'confirm':>10}{'(check':>9}{'COPY':>8}{'roll-up)':>10}"
            f"{'stored':>10}{'rows':>10}   limit"
        )
        from training.imports import xlsx as xlsx_reader

        prescan = xlsx_reader.prescan
        for label, path in files.items():
            if label == "xlsx (own reader)":  # the pre-scan sends the sheet to the portal's own reader
                xlsx_reader.prescan = lambda *a, **k: xlsx_reader.Prescan(calamine=False, rows=0, columns=0)
            try:
                preview, confirm, stored = time_import(path, user, org)
            finally:
                xlsx_reader.prescan = prescan
            floor = FLOOR[label.split()[0]]
            rollup = SPENT.get("rollup", 0.0)
            stored_in = preview + confirm - rollup
            verdict = "ok" if stored_in < floor else "SLOWER"
            print(
                f"{label:<24}{preview:>9.2f}s{confirm:>9.2f}s{SPENT['check_staged']:>8.2f}s"
                f"{SPENT['insert_staged']:>7.2f}s{rollup:>9.2f}s{stored_in:>9.2f}s{stored:>10,}   "
                f"< {floor:.0f} s  {verdict}"
            )
        print("stored = preview + confirm without the KPI roll-up: the roll-up runs in the request only in the")
        print("embedded mode (no REDIS_URL); with Redis it is queued to the Celery worker.")
        print()
        n, parse, copy, bulk = time_floors(files["csv"], org)
        print(ISSUE_FLOOR)
        print(f"here:  bare csv parse of {n:,} rows {parse:.2f} s; COPY {copy:.2f} s; parse + bulk_create {bulk:.2f} s")
    finally:
        if "tmp" in locals():
            shutil.rmtree(tmp, ignore_errors=True)
        if not args.keep:
            drop_db(server_url)


if __name__ == "__main__":
    main()
