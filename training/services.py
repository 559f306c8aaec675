"""Trainee lists: upload → preview → confirm (all rows or none), and single adds/removals.

The preview step validates the upload and keeps its clean rows server-side, already
in the form they are stored in (name, 身份证号 HMAC and mask, person key …, never the
full 身份证号), as PostgreSQL COPY text under MEDIA_ROOT/imports/ with a generated
name, referenced by a TraineeImport row in status "preview"; the client never
resends rows. Confirm checks those rows against the session as it is now (a person
added to it since the preview) and stores every row in one transaction, or nothing.
PostgreSQL gets the rows by COPY, other databases by bulk_create. Bulk inserts send no signals and bypass simple-history, so every
import is recorded as its own TraineeImport row, and the session is saved with
update_fields (one post_save tells the dashboards that figures changed).

Order classes are kept by both sides: the school and the sponsoring enterprise update the funnel
(``update_funnel``) and the guest professors, and every change tells the other side
(``tell_other_side``: a notice with a link to the class).
"""

import io
import os
import re
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consortium.access import CHANGE, is_writer

from . import imports
from .models import (
    FUNNEL_FIELDS,
    MAINTAIN,
    DualTeacherRecognition,
    DualTeacherTraining,
    EnterprisePractice,
    GuestProfessor,
    ImportStatus,
    OrderClass,
    Teacher,
    Trainee,
    TraineeImport,
    TrainingSession,
)

PREVIEW_ROWS = 20
MAX_ERRORS_SHOWN = 500
SQLITE_BATCH = 80  # 11 columns × 80 rows stays under SQLite's 999 parameters
TRAINEE_COLUMNS = (
    "session_id",
    "name",
    "id_number_hash",
    "id_number_masked",
    "person_key",
    "gender",
    "phone",
    "employer",
    "job_title",
    "row_number",
    "import_batch_id",
)


class ImportRejected(ValidationError):
    """The upload has row errors: nothing was stored; ``result`` names them by row and column."""

    def __init__(self, result):
        self.result = result
        super().__init__(
            _("文件中有 %(n)d 处错误，未导入任何学员。请按下面列出的行和列修改后重新上传。")
            % {"n": len(result.errors)},
            code="row_errors",
        )


def imports_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _check_can_change(session, user):
    if not TrainingSession.objects.for_user(user, CHANGE).filter(pk=session.pk).exists():
        raise PermissionDenied(_("您没有权限修改该培训的学员名单。"))


def existing_person_keys(session):
    return set(Trainee.objects.filter(session=session).values_list("person_key", flat=True))


def _remove(path):
    try:
        os.remove(path)
    except (FileNotFoundError, TypeError):
        pass


def stage_import(session, uploaded_file, *, by):
    """Validate an upload; when every row is valid, keep it for confirmation and return the TraineeImport.

    Raises ImportFileError (the file is refused) or ImportRejected (row errors); in both
    cases nothing is stored, neither rows nor files.
    """
    _check_can_change(session, by)
    size = getattr(uploaded_file, "size", None) or 0
    max_bytes = imports.max_upload_bytes()
    if size > max_bytes:
        raise imports.ImportFileError(
            _("文件过大（%(size).1f MB），上限为 %(max).0f MB。")
            % {"size": size / 1048576, "max": max_bytes / 1048576},
            code="too_big",
        )
    folder = imports_dir()
    token = uuid.uuid4().hex
    upload_path = folder / f"upload-{token}"
    stored_path = folder / f"{token}.tsv"
    preview = []
    try:
        with open(upload_path, "wb") as fh:
            for chunk in uploaded_file.chunks():
                fh.write(chunk)
        with open(upload_path, "rb") as fh:
            head = fh.read(8192)
        file_format = imports.detect_format(upload_path, head, uploaded_file.name)
        with open(stored_path, "w", encoding="utf-8", newline="") as out:
            lines = []

            def keep(row):
                lines.append(staged_line(row))
                if len(preview) < PREVIEW_ROWS:
                    preview.append(row.preview())
                if len(lines) == 10_000:
                    out.write("".join(lines))
                    lines.clear()

            result = imports.read_and_validate(
                upload_path,
                file_format,
                existing_keys=existing_person_keys(session),
                keep_rows=False,
                sink=keep,
            )
            out.write("".join(lines))
        if not result.ok:
            raise ImportRejected(result)
        imp = TraineeImport.objects.create(
            session=session,
            uploaded_by=by,
            file_name=os.path.basename(uploaded_file.name or "")[:255] or "upload",
            stored_file=stored_path.name,
            file_format=file_format,
            row_count=result.row_count,
            status=ImportStatus.PREVIEW,
            preview_rows=preview,
            columns=result.columns,
            text_id_numbers=True,
        )
    except BaseException:
        _remove(stored_path)
        raise
    finally:
        _remove(upload_path)
    return imp


def stored_path(imp):
    return imports_dir() / imp.stored_file if imp.stored_file else None


def confirm_import(import_id, *, by):
    """Store every row of a previewed import, or nothing; returns the TraineeImport."""
    with transaction.atomic():
        imp = TraineeImport.objects.select_for_update().select_related("session").get(pk=import_id)
        session = TrainingSession.objects.select_for_update().get(pk=imp.session_id)
        _check_can_change(session, by)
        if imp.status != ImportStatus.PREVIEW:
            raise ValidationError(
                _("该导入当前状态为“%(status)s”，不能再确认。") % {"status": imp.get_status_display()}
            )
        path = stored_path(imp)
        if path is None or not path.exists():
            raise ValidationError(_("待确认的文件已不存在，请重新上传。"))
        lines = read_staged(path)
        result = check_staged(lines, existing_person_keys(session))
        if not result.ok:
            raise ImportRejected(result)
        insert_staged(session, lines, batch=imp)
        imp.status = ImportStatus.CONFIRMED
        imp.confirmed_by = by
        imp.confirmed_at = timezone.now()
        imp.row_count = len(lines)
        imp.stored_file = ""
        imp.save(update_fields=["status", "confirmed_by", "confirmed_at", "row_count", "stored_file"])
        refresh_trainee_count(session)
        transaction.on_commit(lambda: _remove(path))
    return imp


def discard_import(import_id, *, by):
    """Drop a preview: the stored file is deleted and nothing is imported."""
    with transaction.atomic():
        imp = TraineeImport.objects.select_for_update().get(pk=import_id)
        _check_can_change(imp.session, by)
        if imp.status != ImportStatus.PREVIEW:
            raise ValidationError(_("只能放弃待确认的导入。"))
        path = stored_path(imp)
        imp.status = ImportStatus.DISCARDED
        imp.stored_file = ""
        imp.preview_rows = []
        imp.save(update_fields=["status", "stored_file", "preview_rows"])
        transaction.on_commit(lambda: _remove(path))
    return imp


def discard_stale_previews(hours=None):
    """Discard previews nobody confirmed (their kept rows hold names and phone numbers): returns how many."""
    from datetime import timedelta

    hours = hours if hours is not None else getattr(settings, "TRAINEE_IMPORT_PREVIEW_HOURS", 24)
    cutoff = timezone.now() - timedelta(hours=hours)
    stale = list(TraineeImport.objects.filter(status=ImportStatus.PREVIEW, uploaded_at__lt=cutoff))
    folder = imports_dir()
    for imp in stale:
        _remove(folder / imp.stored_file if imp.stored_file else None)
    TraineeImport.objects.filter(pk__in=[i.pk for i in stale]).update(
        status=ImportStatus.DISCARDED, stored_file="", preview_rows=[], message="超过保留时间未确认，已自动放弃。"
    )
    return len(stale)


def refresh_trainee_count(session):
    """Keep TrainingSession.trainee_count equal to its Trainee rows (saved, so post_save fires)."""
    session.trainee_count = Trainee.objects.filter(session_id=session.pk).count()
    session.save(update_fields=["trainee_count", "updated_at"])


_COPY_ESCAPE = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_COPY_SPECIAL = re.compile(r"[\\\t\n\r]").search
_COPY_UNESCAPE = re.compile(r"\\(.)")
_UNESCAPED = {"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}
# A staged row: the trainee table's columns between session_id and import_batch_id (TRAINEE_COLUMNS).
STAGED_COLUMNS = TRAINEE_COLUMNS[1:-1]


def staged_line(r):
    """One clean row in PostgreSQL COPY text format (tab-separated, backslash escapes)."""
    name, phone, employer, job = r.name, r.phone, r.employer, r.job_title
    if _COPY_SPECIAL(name + phone + employer + job):
        name, phone, employer, job = (x.translate(_COPY_ESCAPE) for x in (name, phone, employer, job))
    row = "\\N" if r.row is None else r.row
    return f"{name}\t{r.id_number_hash}\t{r.id_number_masked}\t{r.person_key}\t{r.gender}\t{phone}\t{employer}\t{job}\t{row}\n"


def copy_buffer(lines, session_id, batch_id):
    """Staged lines as the trainee table's rows in COPY text format (session first, batch or \\N last)."""
    head = f"{session_id}\t"
    tail = "\t" + ("\\N" if batch_id is None else str(batch_id)) + "\n"
    return io.StringIO(head + (tail + head).join(lines) + tail)


def read_staged(path):
    """The staged rows of a preview, one COPY text line each (without its newline)."""
    with open(path, encoding="utf-8", newline="") as fh:
        lines = fh.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def _unescape(field):
    if "\\" not in field:
        return field
    return _COPY_UNESCAPE.sub(lambda m: _UNESCAPED.get(m.group(1), m.group(1)), field)


def staged_values(line):
    """A staged line as a dict of the trainee's fields."""
    values = dict(zip(STAGED_COLUMNS, (_unescape(f) for f in line.split("\t")), strict=True))
    values["row_number"] = None if values["row_number"] == "\\N" else int(values["row_number"])
    values["person_key"] = int(values["person_key"])
    return values


def check_staged(lines, existing_keys):
    """The staged rows against the session as it is now: a person added since the preview is an error."""
    result = imports.ImportResult(file_format="csv", row_count=len(lines))
    if existing_keys:
        key_at, hash_at = STAGED_COLUMNS.index("person_key"), STAGED_COLUMNS.index("id_number_hash")
        label_id, label_name = imports.LABELS["id_number"], imports.LABELS["name"]
        for line in lines:
            fields = line.split("\t")
            if int(fields[key_at]) in existing_keys:
                column = label_id if fields[hash_at] else label_name
                result.errors.append(imports.RowError(int(fields[-1]), column, _("该学员已在本次培训名单中。")))
    return result


def insert_trainees(session, rows, *, batch=None):
    """Insert clean rows (imports.CleanRow) the way a confirmed import stores its staged rows."""
    return insert_staged(session, [staged_line(r)[:-1] for r in rows], batch=batch)


def insert_staged(session, lines, *, batch=None):
    """Insert staged rows: COPY on PostgreSQL, bulk_create elsewhere."""
    if not lines:
        return 0
    batch_id = batch.pk if batch else None
    if connection.vendor == "postgresql":
        return _copy_staged(session.pk, lines, batch_id)
    return _bulk_create_staged(session.pk, lines, batch_id)


def _copy_staged(session_id, lines, batch_id):
    return _copy(copy_buffer(lines, session_id, batch_id), len(lines))


def _bulk_create_staged(session_id, lines, batch_id):
    objs = [Trainee(session_id=session_id, import_batch_id=batch_id, **staged_values(line)) for line in lines]
    Trainee.objects.bulk_create(objs, batch_size=SQLITE_BATCH)
    return len(objs)


def _copy(buf, count):
    table = connection.ops.quote_name(Trainee._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in TRAINEE_COLUMNS)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buf)
    return count


def add_trainee(session, data, *, by):
    """Add one trainee from a form, with the same checks as an imported row."""
    cells = [data.get(key, "") or "" for key, _h, _r in imports.COLUMNS]
    with transaction.atomic():
        session = TrainingSession.objects.select_for_update().get(pk=session.pk)
        _check_can_change(session, by)
        result = imports.validate(
            [imports.TEMPLATE_HEADERS, cells], "form", existing_keys=existing_person_keys(session)
        )
        if not result.ok:
            errors = {}
            keys = {header: key for key, header, _r in imports.COLUMNS}
            for e in result.errors:
                errors.setdefault(keys.get(e.column, "__all__"), []).append(e.message)
            raise ValidationError(errors)
        row = result.rows[0]
        row.row = None
        trainee = Trainee.objects.create(
            session=session,
            name=row.name,
            id_number_hash=row.id_number_hash,
            id_number_masked=row.id_number_masked,
            person_key=row.person_key,
            gender=row.gender,
            phone=row.phone,
            employer=row.employer,
            job_title=row.job_title,
        )
        refresh_trainee_count(session)
    return trainee


def remove_trainee(trainee_id, *, by):
    with transaction.atomic():
        trainee = Trainee.objects.select_related("session").get(pk=trainee_id)
        session = TrainingSession.objects.select_for_update().get(pk=trainee.session_id)
        _check_can_change(session, by)
        trainee.delete()
        refresh_trainee_count(session)
    return session


# ---------------------------------------------------------------------------
# Teachers: one person, one teacher
# ---------------------------------------------------------------------------

TEACHER_FILL_FIELDS = ("subject_area", "title", "employee_no", "id_number_hash", "id_number_masked")


def merge_teachers(keep, duplicates, *, by):
    """Merge duplicate records of one teacher into ``keep``; returns the kept teacher.

    The duplicates' dual-qualified trainings, enterprise practices and recognitions move to the
    kept teacher, its blank fields are filled from them, and the duplicates are deleted. Every
    step is a save or delete that django-simple-history records, with the reason
    "合并教师 #12 → #7" and the user. Staff only; records of two different 身份证号 are never merged.
    """
    if not is_writer(by):
        raise PermissionDenied(_("只有联合体工作人员可以合并教师记录。"))
    duplicate_ids = sorted({d.pk if isinstance(d, Teacher) else int(d) for d in duplicates} - {keep.pk})
    if not duplicate_ids:
        raise ValidationError(_("请选择要合并到本条记录的重复记录。"))
    with transaction.atomic():
        locked = {t.pk: t for t in Teacher.objects.select_for_update().filter(pk__in=[keep.pk, *duplicate_ids])}
        if keep.pk not in locked or any(pk not in locked for pk in duplicate_ids):
            raise ValidationError(_("要合并的教师记录已不存在，请刷新页面。"))
        keep = locked[keep.pk]
        others = [locked[pk] for pk in duplicate_ids]
        hashes = {t.id_number_hash for t in (keep, *others) if t.id_number_hash}
        if len(hashes) > 1:
            raise ValidationError(_("这些记录的身份证号不同，不是同一位教师，不能合并。"))
        filled = {}
        for other in others:
            # Stored in the history as written, in the domain's language (not the user's).
            reason = f"合并教师 #{other.pk} → #{keep.pk}"
            for model in (DualTeacherTraining, EnterprisePractice, DualTeacherRecognition):
                for record in model.objects.filter(teacher_id=other.pk):
                    record.teacher = keep
                    record._change_reason = reason
                    record._history_user = by
                    record.save(update_fields=["teacher"])
            for name in TEACHER_FILL_FIELDS:
                if not getattr(keep, name) and not filled.get(name) and getattr(other, name):
                    filled[name] = getattr(other, name)
            other._change_reason = reason
            other._history_user = by
            other.delete()
        # After the deletes: a filled employee number or 身份证号 was the duplicate's own.
        for name, value in filled.items():
            setattr(keep, name, value)
        keep._change_reason = "合并教师 " + "、".join(f"#{pk}" for pk in duplicate_ids) + f" → #{keep.pk}"
        keep._history_user = by
        keep.save()
    return keep


# ---------------------------------------------------------------------------
# Order classes: kept by both sides, each change told to the other
# ---------------------------------------------------------------------------


def other_side_users(order_class, by):
    """The active member users of the other side of the class (both sides when staff act)."""
    from members.models import Role, User

    org_id = getattr(by, "organization_id", None) if getattr(by, "is_member_user", False) else None
    if org_id == order_class.school_id:
        orgs = [order_class.enterprise_id]
    elif org_id == order_class.enterprise_id:
        orgs = [order_class.school_id]
    else:
        orgs = [order_class.school_id, order_class.enterprise_id]
    return list(User.objects.filter(role=Role.MEMBER, is_active=True, organization_id__in=orgs))


def _actor_name(by):
    if getattr(by, "is_member_user", False) and by.organization_id:
        return by.organization.name
    return _("联合体工作人员")


def tell_other_side(order_class, by, what, details=""):
    """Notify the other side of the class that ``by`` changed ``what`` (on commit, by e-mail too)."""
    from members.services import notify

    title = _("%(who)s更新了订单班“%(name)s”的%(what)s") % {
        "who": _actor_name(by),
        "name": order_class.name,
        "what": what,
    }
    return notify(other_side_users(order_class, by), title, body=details, url=order_class.get_absolute_url())


def describe_changes(before: dict, after: dict, model) -> str:
    """'计划人数：30 → 32' lines for the fields whose value changed."""
    lines = []
    for field, old in before.items():
        new = after.get(field)
        if old != new:
            label = model._meta.get_field(field).verbose_name
            lines.append(f"{label}：{'' if old is None else old} → {'' if new is None else new}")
    return "\n".join(lines)


def update_funnel(order_class_id, *, by, **values):
    """Set the funnel figures of a class (either side, or staff); the other side is told.

    Raises PermissionDenied when ``by`` may not maintain the class and ValidationError (nothing
    stored) when the figures break the funnel's rules (graduated ≤ enrolled, employed ≤ graduated).
    """
    unknown = set(values) - set(FUNNEL_FIELDS)
    if unknown:
        raise PermissionDenied(_("订单企业只能更新培养漏斗数据和客座教授。"))
    with transaction.atomic():
        order_class = (
            (OrderClass.objects.for_user(by, MAINTAIN).select_for_update().select_related("school", "enterprise"))
            .filter(pk=order_class_id)
            .first()
        )
        if order_class is None:
            raise PermissionDenied(_("您没有权限更新该订单班的培养漏斗数据。"))
        before = {f: getattr(order_class, f) for f in FUNNEL_FIELDS}
        for field, value in values.items():
            setattr(order_class, field, value)
        order_class.clean_fields(exclude=[f.name for f in OrderClass._meta.fields if f.name not in FUNNEL_FIELDS])
        order_class.clean()
        details = describe_changes(before, {f: getattr(order_class, f) for f in FUNNEL_FIELDS}, OrderClass)
        if not details:
            return order_class
        order_class._history_user = by
        order_class._change_reason = _("更新培养漏斗数据")
        order_class.save(update_fields=[*FUNNEL_FIELDS, "updated_at"])
        tell_other_side(order_class, by, _("培养漏斗数据"), details)
    return order_class


PROFESSOR_FIELDS = ("name", "enterprise", "title", "appointed_on", "ends_on")


def professor_changed(professor, by, verb, details=""):
    """Tell the other side of the class that a guest professor was added, edited or removed."""
    line = _("客座教授%(name)s：%(verb)s") % {"name": professor.name, "verb": verb}
    return tell_other_side(professor.order_class, by, _("客座教授"), "\n".join(filter(None, [line, details])))


def professor_values(professor) -> dict:
    return {f: getattr(professor, f) for f in PROFESSOR_FIELDS}


def professor_details(before: dict, professor) -> str:
    after = professor_values(professor)
    return describe_changes(before, after, GuestProfessor)
