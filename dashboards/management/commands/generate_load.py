"""Bench data: a million training sessions, two million trainee rows, 10,000 of each other record.

PostgreSQL only, written with COPY. Meant for a dedicated database, e.g.

    createdb -h 127.0.0.1 -U postgres bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench python manage.py generate_load

It refuses to run on a database named "test" (the one CI uses) or on SQLite.
Rows are built from the models' own field definitions (defaults for every field the
generator does not set), so new nullable or defaulted fields need no change here.
"""

import hashlib
import io
import json
import random
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.utils import timezone

from members.models import Organization
from projects.models import Agreement, Platform, Project
from training.models import (
    DualTeacherRecognition,
    DualTeacherTraining,
    ExchangeVisit,
    GuestProfessor,
    OrderClass,
    Teacher,
    Trainee,
    TrainingSession,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
KINDS = [
    "higher_vocational",
    "vocational_undergraduate",
    "secondary_vocational",
    "enterprise",
    "enterprise",
    "enterprise",
    "government",
    "association",
    "research",
]
CHAINS = ["green_chemical", "equipment", "new_energy", "biomedicine", "digital", "logistics", "services", ""]
SESSION_KINDS = ["vocational_skill", "employee_job", "teacher", "student_practice", "dual_teacher"]
PROJECT_STATUSES = ["completed"] * 3 + ["applied", "in_progress", "approved", "rejected", "terminated", "proposed"]
PLATFORM_KINDS = [
    "key_lab",
    "resource_library",
    "practice_center",
    "virtual_base",
    "dual_teacher_base",
    "teacher_practice_base",
    "internship_base",
]


def _text(value):
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    s = str(value)
    if "\\" in s or "\t" in s or "\n" in s or "\r" in s:
        s = s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return s


class Loader:
    """COPY rows of a model, every column the generator leaves out filled with the field's default."""

    def __init__(self, model, **overrides):
        self.model = model
        self.fields = [f for f in self.model._meta.concrete_fields if not isinstance(f, models.AutoField)]
        now = timezone.now()
        self.defaults = {}
        for f in self.fields:
            if f.attname in overrides:
                continue
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = now
            elif f.has_default():
                value = f.get_default()
            elif f.null or not isinstance(
                f, (models.CharField, models.TextField, models.FileField, models.BooleanField)
            ):
                value = None  # a required date, number or key: every row sets it
            elif isinstance(f, (models.CharField, models.TextField, models.FileField)):
                value = ""
            else:
                value = False
            if isinstance(f, models.JSONField):
                self.defaults[f.attname] = json.dumps(value)
            else:
                self.defaults[f.attname] = f.get_db_prep_save(value, connection)
        self.columns = [f.column for f in self.fields]
        self.attnames = [f.attname for f in self.fields]

    def copy(self, rows, chunk=200_000):
        """rows: an iterable of dicts {attname: value}; returns the number of rows written."""
        table = self.model._meta.db_table
        sql = f'COPY "{table}" ({", ".join(chr(34) + c + chr(34) for c in self.columns)}) FROM STDIN'
        total = 0
        buf = io.StringIO()
        defaults = self.defaults
        names = self.attnames
        with connection.cursor() as cursor:
            for i, row in enumerate(rows, start=1):
                buf.write("\t".join(_text(row[n] if n in row else defaults[n]) for n in names))
                buf.write("\n")
                if i % chunk == 0:
                    buf.seek(0)
                    cursor.copy_expert(sql, buf)
                    buf = io.StringIO()
                total = i
            buf.seek(0)
            cursor.copy_expert(sql, buf)
        return total

    def ids(self):
        return list(self.model._base_manager.order_by("pk").values_list("pk", flat=True))


def rand_dt(rng, year):
    start = datetime(year, 1, 1, tzinfo=SHANGHAI)
    return start + timedelta(seconds=rng.randrange(365 * 24 * 3600))


def rand_date(rng, year):
    return date(year, 1, 1) + timedelta(days=rng.randrange(365))


def session_year(rng):
    r = rng.random()
    return 2024 if r < 0.05 else 2026 if r > 0.95 else 2025


class Command(BaseCommand):
    help = "Fill a dedicated PostgreSQL database with bench data (COPY): sessions, trainees and the rest."

    def add_arguments(self, parser):
        parser.add_argument("--sessions", type=int, default=1_000_000)
        parser.add_argument("--trainees", type=int, default=2_000_000)
        parser.add_argument("--records", type=int, default=10_000, help="rows of each other record type")
        parser.add_argument("--organizations", type=int, default=300)
        parser.add_argument("--persons", type=int, default=800_000, help="distinct persons among the trainees")
        parser.add_argument("--seed", type=int, default=2025)

    def handle(self, *args, **opts):
        if connection.vendor != "postgresql":
            raise CommandError("generate_load writes with PostgreSQL COPY: set DATABASE_URL to a PostgreSQL database.")
        name = connection.settings_dict["NAME"]
        if name in ("test", "consortium") or name.startswith("test_"):
            raise CommandError(f"refusing to fill the database “{name}”: create a dedicated one (createdb bench).")
        rng = random.Random(opts["seed"])
        started = time.monotonic()
        with transaction.atomic():
            self.generate(rng, opts)
        with connection.cursor() as cursor:
            # VACUUM sets the visibility map, so that the roll-up can read the trainee index alone.
            cursor.execute("VACUUM ANALYZE")
        self.stdout.write(self.style.SUCCESS(f"generate_load: done in {time.monotonic() - started:.1f} s"))

    def step(self, label, count, t0):
        self.stdout.write(f"  {label:<28} {count:>10,} rows  {time.monotonic() - t0:6.1f} s")

    def generate(self, rng, opts):
        n_rec = opts["records"]
        t0 = time.monotonic()
        orgs = Loader(Organization)
        from members.demo import synthetic_credit_code

        def org_rows():
            for i in range(opts["organizations"]):
                kind = KINDS[i % len(KINDS)]
                name = f"压测成员单位{i:05d}"
                yield {
                    "name": name,
                    "short_name": f"压测{i}",
                    "kind": kind,
                    "credit_code": synthetic_credit_code(name, kind),
                    "industry_chain": CHAINS[i % len(CHAINS)],
                    "status": "admitted",
                    "status_changed_on": date(2024, 9, 6),
                    "council_role": "member",
                }

        self.step("organizations", orgs.copy(org_rows()), t0)
        org_ids = orgs.ids()
        schools = list(
            Organization.objects.filter(
                kind__in=["higher_vocational", "vocational_undergraduate", "secondary_vocational"]
            ).values_list("pk", flat=True)
        )
        enterprises = list(Organization.objects.filter(kind="enterprise").values_list("pk", flat=True))

        # Training sessions: 5 % cancelled; 5 % end in 2024, 5 % in 2026, the rest in 2025.
        t0 = time.monotonic()
        n_sessions, n_trainees = opts["sessions"], opts["trainees"]
        per_list = 10
        listed = min(n_sessions, n_trainees // per_list)
        sessions = Loader(TrainingSession)

        def session_rows():
            for i in range(n_sessions):
                ends = rand_dt(rng, session_year(rng))
                yield {
                    "title": f"职业技能培训第{i}期",
                    "kind": SESSION_KINDS[i % 5],
                    "provider_id": rng.choice(org_ids),
                    "starts_at": ends - timedelta(hours=8),
                    "ends_at": ends,
                    "hours": Decimal("8.0"),
                    "declared_headcount": rng.randint(10, 60),
                    "status": "cancelled" if rng.random() < 0.05 else "held",
                    "trainee_count": per_list if i < listed else 0,
                }

        self.step("training sessions", sessions.copy(session_rows()), t0)
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT MIN(id) FROM "{sessions.model._meta.db_table}"')
            first_session = cursor.fetchone()[0]

        # Trainees: 10 on each of the first sessions, drawn from a pool of persons (distinct per session).
        t0 = time.monotonic()
        pool = opts["persons"]
        hashes = [hashlib.sha256(f"person-{k}".encode()).hexdigest() for k in range(pool)]
        keys = [int(h[:15], 16) for h in hashes]
        trainees = Loader(Trainee)

        def trainee_rows():
            for s in range(listed):
                for j in range(per_list):
                    k = ((s * per_list + j) * 2654435761) % pool
                    yield {
                        "session_id": first_session + s,
                        "name": "学员",
                        "person_key": keys[k],
                        "id_number_hash": hashes[k],
                        "id_number_masked": "620102********1234",
                    }

        self.step("trainees", trainees.copy(trainee_rows()), t0)

        t0 = time.monotonic()
        agreements = Loader(Agreement)

        def agreement_rows():
            for i in range(n_rec):
                verified = rng.random() < 0.7
                signed = rand_date(rng, rng.choice([2024, 2025]))
                yield {
                    "organization_id": rng.choice(org_ids),
                    "kind": "strategic",
                    "title": f"合作协议{i}",
                    "signed_on": signed,
                    "start_date": signed,
                    "end_date": signed + timedelta(days=1095),
                    "status": "verified" if verified else rng.choice(["draft", "submitted", "returned"]),
                    "verified_at": rand_dt(rng, rng.choice([2024, 2025, 2025])) if verified else None,
                }

        self.step("agreements", agreements.copy(agreement_rows()), t0)

        t0 = time.monotonic()
        projects = Loader(Project)

        def project_rows():
            for i in range(n_rec):
                status = rng.choice(PROJECT_STATUSES)
                done = status in ("completed", "applied")
                approved = status not in ("proposed", "rejected")
                yield {
                    "title": f"校企合作项目{i}",
                    "kind": "rnd",
                    "lead_organization_id": rng.choice(org_ids),
                    "planned_start": date(2024, 1, 1),
                    "planned_end": date(2026, 12, 31),
                    "status": status,
                    "approved_on": date(2024, 3, 1) if approved else None,
                    "completed_on": rand_date(rng, rng.choice([2024, 2025])) if done else None,
                }

        self.step("projects", projects.copy(project_rows()), t0)

        t0 = time.monotonic()
        platforms = Loader(Platform)
        self.step(
            "platforms",
            platforms.copy(
                {
                    "name": f"共建平台{i}",
                    "kind": PLATFORM_KINDS[i % len(PLATFORM_KINDS)],
                    "level": "provincial",
                    "lead_organization_id": rng.choice(org_ids),
                    "established_on": rand_date(rng, rng.choice([2024, 2025])),
                }
                for i in range(n_rec)
            ),
            t0,
        )

        t0 = time.monotonic()
        classes = Loader(OrderClass)
        self.step(
            "order classes",
            classes.copy(
                {
                    "name": f"订单班{i}",
                    "enterprise_id": rng.choice(enterprises),
                    "school_id": rng.choice(schools),
                    "major": "化工技术",
                    "intake_year": rng.choice([2021, 2022, 2023, 2024, 2025]),
                    "planned": 40,
                    "enrolled": 40,
                    "graduated": 30,
                    "employed": rng.randint(0, 30),
                }
                for i in range(n_rec)
            ),
            t0,
        )
        class_ids = classes.ids()

        t0 = time.monotonic()
        guests = Loader(GuestProfessor)
        self.step(
            "guest professors",
            guests.copy(
                {
                    "order_class_id": rng.choice(class_ids),
                    "name": "产业导师",
                    "enterprise_id": rng.choice(enterprises),
                    "appointed_on": rand_date(rng, rng.choice([2024, 2025])),
                }
                for _i in range(n_rec)
            ),
            t0,
        )

        t0 = time.monotonic()
        teachers = Loader(Teacher)
        self.step(
            "teachers", teachers.copy({"school_id": rng.choice(schools), "name": f"教师{i}"} for i in range(n_rec)), t0
        )
        teacher_ids = teachers.ids()

        t0 = time.monotonic()
        dual = Loader(DualTeacherTraining)
        self.step(
            "dual-qualified trainings",
            dual.copy(
                {
                    "teacher_id": rng.choice(teacher_ids),
                    "completed_on": rand_date(rng, rng.choice([2024, 2025])),
                    "hours": Decimal("40.0"),
                }
                for _i in range(n_rec)
            ),
            t0,
        )

        t0 = time.monotonic()
        recog = Loader(DualTeacherRecognition)
        self.step(
            "recognitions",
            recog.copy(
                {
                    "teacher_id": rng.choice(teacher_ids),
                    "level": "intermediate",
                    "body": "甘肃省教育厅",
                    "recognized_on": rand_date(rng, rng.choice([2024, 2025])),
                }
                for _i in range(n_rec)
            ),
            t0,
        )

        t0 = time.monotonic()
        visits = Loader(ExchangeVisit)
        self.step(
            "exchange visits",
            visits.copy(
                {
                    "date": rand_date(rng, 2025),
                    "visiting_organization_id": rng.choice(org_ids),
                    "participants": 30,
                    "purpose": "走访交流",
                }
                for _i in range(n_rec)
            ),
            t0,
        )
