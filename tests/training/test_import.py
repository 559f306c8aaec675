"""Trainee import: preview then confirm, all rows or none, and every bad input refused in Chinese."""

import csv
import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models.signals import post_save
from django.urls import reverse
from openpyxl import Workbook

from members.validators import id_number_check_char, id_number_problem, mask_id_number, validate_id_number
from training import imports, services
from training.imports import xlsx
from training.models import ImportStatus, Trainee, TraineeImport, TrainingSession

from .factories import TraineeFactory, TrainingSessionFactory, valid_id_number

HEADER = ["姓名", "身份证号", "性别", "手机号", "工作单位", "岗位/职务"]
NOT_A_SPREADSHEET = (
    "文件不是可导入的表格。请上传 Excel（.xlsx 或 .xls）、WPS 或 OpenDocument（.ods）表格，或 CSV 文件。"
)


def rows(n, birth="19850505", start=0):
    return [
        [f"学员{i}", valid_id_number(i, birth=birth), "男" if i % 2 else "女", f"1390000{i:04d}", "兰石集团", "车工"]
        for i in range(start, start + n)
    ]


def csv_bytes(data, header=HEADER, encoding="utf-8", bom=False):
    buf = io.StringIO()
    writer = csv.writer(buf)
    if header:
        writer.writerow(header)
    writer.writerows(data)
    return (("\ufeff" if bom else "") + buf.getvalue()).encode(encoding)


def xlsx_bytes(data, header=HEADER):
    wb = Workbook()
    ws = wb.active
    if header:
        ws.append(header)
    for row in data:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def upload(name, content):
    return SimpleUploadedFile(name, content)


@pytest.fixture
def session(org, other_org):
    return TrainingSessionFactory(provider=org, beneficiaries=[other_org], declared_headcount=40)


def snapshot():
    """Everything an import could change."""
    return (
        list(Trainee.objects.order_by("pk").values_list()),
        list(TraineeImport.objects.order_by("pk").values_list()),
        list(TrainingSession.objects.order_by("pk").values_list("pk", "trainee_count", "updated_at")),
        sorted(p.name for p in (Path(settings.MEDIA_ROOT) / "imports").glob("*"))
        if (Path(settings.MEDIA_ROOT) / "imports").exists()
        else [],
    )


def refused(session, user, name, content):
    """Stage an upload that must be refused; returns the Chinese message(s), asserting nothing changed."""
    before = snapshot()
    with pytest.raises(ValidationError) as info:
        services.stage_import(session, upload(name, content), by=user)
    assert snapshot() == before
    exc = info.value
    if isinstance(exc, services.ImportRejected):
        return [f"第{e.row}行「{e.column}」：{e.message}" for e in exc.result.errors]
    return exc.messages


# -- the happy path -----------------------------------------------------------


def test_a_valid_csv_is_previewed_then_confirmed_and_every_row_stored(
    session, staff_user, django_capture_on_commit_callbacks
):
    imp = services.stage_import(session, upload("签到表.csv", csv_bytes(rows(5))), by=staff_user)
    assert imp.status == ImportStatus.PREVIEW and imp.row_count == 5
    assert Trainee.objects.count() == 0, "the preview stores no trainee"
    assert len(imp.preview_rows) == 5 and imp.preview_rows[0]["id_number_masked"].count("*") == 8
    stored = Path(settings.MEDIA_ROOT) / "imports" / imp.stored_file
    assert stored.exists()

    with django_capture_on_commit_callbacks(execute=True):
        services.confirm_import(imp.pk, by=staff_user)

    imp.refresh_from_db()
    session.refresh_from_db()
    assert imp.status == ImportStatus.CONFIRMED and imp.confirmed_by == staff_user and imp.confirmed_at
    assert session.trainee_count == 5 == session.trainees.count()
    assert session.person_times == 5, "person-times follow the trainee list, not the declared 40"
    assert not stored.exists(), "the kept upload is deleted once imported"
    first = session.trainees.order_by("row_number").first()
    assert first.name == "学员0" and first.row_number == 2 and first.import_batch == imp
    assert (
        first.id_number_masked
        == valid_id_number(0, birth="19850505")[:6] + "********" + valid_id_number(0, birth="19850505")[-4:]
    )


def test_the_full_id_number_is_stored_nowhere(session, staff_user):
    number = valid_id_number(0, birth="19850505")
    imp = services.stage_import(session, upload("a.csv", csv_bytes(rows(1))), by=staff_user)
    assert number not in str(imp.preview_rows)
    services.confirm_import(imp.pk, by=staff_user)
    for row in Trainee.objects.values_list():
        assert number not in "|".join(map(str, row))
    trainee = Trainee.objects.get()
    assert len(trainee.id_number_hash) == 64 and trainee.person_key == int(trainee.id_number_hash[:15], 16)
    import hashlib

    assert trainee.id_number_hash != hashlib.sha256(number.encode()).hexdigest(), "keyed (HMAC), not a bare hash"


def test_the_same_person_is_recognised_across_sessions(org, session, staff_user):
    other_session = TrainingSessionFactory(provider=org)
    for s in (session, other_session):
        services.confirm_import(
            services.stage_import(s, upload("a.csv", csv_bytes(rows(3))), by=staff_user).pk, by=staff_user
        )
    assert Trainee.objects.count() == 6
    assert Trainee.objects.values("person_key").distinct().count() == 3


def test_confirm_saves_the_session_once_so_the_dashboards_hear_of_it(session, staff_user):
    imp = services.stage_import(session, upload("a.csv", csv_bytes(rows(4))), by=staff_user)
    saves = []

    def receiver(sender, instance, update_fields=None, **kwargs):
        saves.append(update_fields)

    post_save.connect(receiver, sender=TrainingSession)
    try:
        services.confirm_import(imp.pk, by=staff_user)
    finally:
        post_save.disconnect(receiver, sender=TrainingSession)
    assert saves == [frozenset({"trainee_count", "updated_at"})]


@pytest.mark.parametrize("encoding,bom", [("utf-8", False), ("utf-8", True), ("gbk", False), ("gb18030", False)])
def test_csv_in_utf8_with_or_without_bom_and_in_gbk_is_read(session, staff_user, encoding, bom):
    data = rows(3)
    data[0][4] = "甘肃能化(兰州新区)热电有限公司"
    imp = services.stage_import(session, upload("名单.csv", csv_bytes(data, encoding=encoding, bom=bom)), by=staff_user)
    services.confirm_import(imp.pk, by=staff_user)
    assert Trainee.objects.get(row_number=2).employer == "甘肃能化(兰州新区)热电有限公司"
    assert Trainee.objects.get(row_number=2).name == "学员0"


def test_an_xlsx_is_read_with_numbers_and_a_title_row_above_the_header(session, staff_user):
    wb = Workbook()
    ws = wb.active
    ws.append(["2025年化工总控工培训签到表"])
    ws.append(["序号", *HEADER, "签名"])
    ws.append([1, "李四", valid_id_number(1), "男", 13900001111, "兰石集团", "焊工", ""])
    ws.append([2, "王五", valid_id_number(2), "女", "13900002222", "", "", ""])
    ws.append([3, None, None, None, None, None, None, None])  # a pre-numbered empty line of the sheet
    buf = io.BytesIO()
    wb.save(buf)
    imp = services.stage_import(session, upload("签到表.xlsx", buf.getvalue()), by=staff_user)
    assert imp.file_format == "xlsx" and imp.row_count == 2
    services.confirm_import(imp.pk, by=staff_user)
    assert sorted(Trainee.objects.values_list("name", "phone")) == [("李四", "13900001111"), ("王五", "13900002222")]


def test_the_downloadable_templates_have_chinese_headers_and_import_cleanly(session, staff_user, client_for):
    client = client_for("member")
    for fmt in ("xlsx", "csv"):
        response = client.get(reverse("training:trainee_template", args=[fmt]))
        assert response.status_code == 200
        content = response.content
        table = imports.read_table(_write_tmp(content), fmt)
        header = next(iter(table))
        assert list(header)[:6] == HEADER
        imp = services.stage_import(session, upload(f"模板.{fmt}", content), by=staff_user)
        assert imp.row_count == 1
        services.discard_import(imp.pk, by=staff_user)


def _write_tmp(content):
    path = Path(settings.MEDIA_ROOT) / "tmp-template"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def test_a_discarded_preview_imports_nothing_and_leaves_no_file(
    session, staff_user, django_capture_on_commit_callbacks
):
    imp = services.stage_import(session, upload("a.csv", csv_bytes(rows(2))), by=staff_user)
    stored = Path(settings.MEDIA_ROOT) / "imports" / imp.stored_file
    with django_capture_on_commit_callbacks(execute=True):
        services.discard_import(imp.pk, by=staff_user)
    imp.refresh_from_db()
    assert imp.status == ImportStatus.DISCARDED and not stored.exists() and Trainee.objects.count() == 0


def test_an_import_cannot_be_confirmed_twice(session, staff_user):
    imp = services.stage_import(session, upload("a.csv", csv_bytes(rows(2))), by=staff_user)
    services.confirm_import(imp.pk, by=staff_user)
    before = snapshot()
    with pytest.raises(ValidationError, match="不能再确认"):
        services.confirm_import(imp.pk, by=staff_user)
    assert snapshot() == before


def test_confirm_revalidates_against_the_session_as_it_is_now(session, staff_user):
    imp = services.stage_import(session, upload("a.csv", csv_bytes(rows(3))), by=staff_user)
    # Someone adds one of the same people by hand between preview and confirm.
    services.add_trainee(session, {"name": "学员1", "id_number": valid_id_number(1, birth="19850505")}, by=staff_user)
    before = snapshot()
    with pytest.raises(services.ImportRejected) as info:
        services.confirm_import(imp.pk, by=staff_user)
    assert snapshot() == before
    assert [(e.row, e.message) for e in info.value.result.errors] == [(3, "该学员已在本次培训名单中。")]


def test_a_member_of_a_beneficiary_cannot_import_into_a_session_it_does_not_provide(session, other_member_user):
    from django.core.exceptions import PermissionDenied

    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.stage_import(session, upload("a.csv", csv_bytes(rows(1))), by=other_member_user)
    assert snapshot() == before


# -- bad rows: nothing is imported and the rows are named ---------------------


def test_one_bad_row_imports_nothing_and_names_every_row_and_column(session, staff_user):
    data = rows(6)
    data[1][0] = ""  # row 3: missing name
    data[2][1] = data[2][1][:17] + ("0" if data[2][1][17] != "0" else "1")  # row 4: wrong check digit
    data[3][1] = data[0][1]  # row 5: duplicate of row 2
    data[4][2] = "未知"  # row 6: gender
    data[5][3] = "12345"  # row 7: phone
    messages = refused(session, staff_user, "a.csv", csv_bytes(data))
    assert messages == [
        "第3行「姓名」：姓名不能为空。",
        "第4行「身份证号」：身份证号校验位错误，请核对。",
        "第5行「身份证号」：与第2行重复（同一人）。",
        "第6行「性别」：性别应填“男”或“女”。",
        "第7行「手机号」：手机号应为以1开头的11位数字。",
    ]


def test_an_id_number_of_the_wrong_shape_is_refused(session, staff_user):
    data = rows(1)
    data[0][1] = "62010219900101"
    assert refused(session, staff_user, "a.csv", csv_bytes(data)) == [
        "第2行「身份证号」：身份证号应为18位（前17位为数字，最后一位为数字或X）。"
    ]


def test_a_trainee_already_on_the_session_is_refused(session, staff_user):
    services.confirm_import(
        services.stage_import(session, upload("a.csv", csv_bytes(rows(2))), by=staff_user).pk, by=staff_user
    )
    messages = refused(session, staff_user, "b.csv", csv_bytes(rows(3)))
    assert messages == [
        "第2行「身份证号」：该学员已在本次培训名单中。",
        "第3行「身份证号」：该学员已在本次培训名单中。",
    ]


def test_formula_cells_are_read_as_text_never_evaluated_and_refused(session, staff_user):
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append(["=1+1", valid_id_number(1), "男", "", "", ""])
    ws.append(["赵六", '=HYPERLINK("http://example.com","x")', "男", "", "", ""])
    buf = io.BytesIO()
    wb.save(buf)
    messages = refused(session, staff_user, "a.xlsx", buf.getvalue())
    assert messages == [
        "第2行「姓名」：单元格是公式（=1+1），系统不计算公式，请改为文本。",
        '第3行「身份证号」：单元格是公式（=HYPERLINK("http://example.com），系统不计算公式，请改为文本。',
    ]


def test_the_import_page_lists_the_rows_to_fix(session, client_for):
    data = rows(3)
    data[2][0] = ""
    before = snapshot()
    response = client_for("member").post(
        reverse("training:trainee_import", args=[session.pk]), {"file": upload("a.csv", csv_bytes(data))}
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "未导入任何学员" in text and "第4行" in text and "姓名不能为空" in text
    assert snapshot() == before


# -- bad files: refused as a whole, with a clear message ----------------------


def test_an_empty_file_is_refused(session, staff_user):
    assert refused(session, staff_user, "a.csv", b"") == ["文件是空的，没有学员数据。"]


def test_a_file_with_only_the_header_is_refused(session, staff_user):
    assert refused(session, staff_user, "a.csv", csv_bytes([])) == ["文件中没有学员数据（只有表头）。"]


def test_a_missing_required_column_is_refused_by_name(session, staff_user):
    messages = refused(session, staff_user, "a.csv", csv_bytes([["张三", "男"]], header=["姓名", "性别", "籍贯"]))
    assert messages == [
        "缺少必需的列：身份证号。表头应为：姓名、身份证号、性别、手机号、工作单位、岗位/职务（请使用下载的模板）。"
    ]
    messages = refused(session, staff_user, "a.csv", csv_bytes([["张三", "男"]], header=["名字", "证件"]))
    assert messages[0].startswith("缺少必需的列：姓名、身份证号")


def test_more_rows_than_the_limit_are_refused(session, staff_user, settings):
    settings.TRAINEE_IMPORT_MAX_ROWS = 3
    assert refused(session, staff_user, "a.csv", csv_bytes(rows(4))) == [
        "文件行数超过上限：最多 3 行学员，请拆分后分批导入。"
    ]


def test_a_file_above_the_size_limit_is_refused(session, staff_user, settings):
    settings.TRAINEE_IMPORT_MAX_BYTES = 100
    assert refused(session, staff_user, "a.csv", csv_bytes(rows(5)))[0].startswith("文件过大")


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n" + bytes(range(256)),
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
        bytes(range(256)) * 10,
    ],
)
def test_a_file_that_is_not_a_spreadsheet_is_refused_whatever_its_name(session, staff_user, content):
    assert refused(session, staff_user, "学员名单.xlsx", content) == [NOT_A_SPREADSHEET]


def test_a_broken_xls_file_is_refused_as_unreadable(session, staff_user):
    content = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512
    assert refused(session, staff_user, "a.xls", content) == [
        "无法读取旧版 Excel（.xls）文件，请确认文件未损坏，或另存为 .xlsx 后上传。"
    ]


def test_a_zip_that_is_not_a_workbook_is_refused(session, staff_user):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/document.xml", "<w/>")
    assert refused(session, staff_user, "a.xlsx", buf.getvalue()) == [NOT_A_SPREADSHEET]


BOMB = "Excel 文件的压缩内容异常（解压后体积或文件数过大），已拒绝。请重新保存后上传。"


def test_a_zip_bomb_is_refused_before_the_sheet_is_read(session, staff_user, monkeypatch):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\x00" * (20 * 1024 * 1024))  # 20 MB that packs to ~20 KB
    assert len(buf.getvalue()) < 100_000

    def never(*args, **kwargs):
        raise AssertionError("the sheet reader must not open a zip bomb")

    monkeypatch.setattr("training.imports.xlsx.iter_rows", never)
    assert refused(session, staff_user, "a.xlsx", buf.getvalue()) == [BOMB]


def test_an_xlsx_with_too_many_entries_is_refused(session, staff_user):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        for i in range(1001):
            zf.writestr(f"xl/media/{i}.bin", b"x")
    assert refused(session, staff_user, "a.xlsx", buf.getvalue()) == [BOMB]


def test_an_xlsx_whose_total_size_is_above_the_limit_is_refused(session, staff_user, settings):
    settings.TRAINEE_IMPORT_MAX_UNCOMPRESSED = 1000
    assert refused(session, staff_user, "a.xlsx", xlsx_bytes(rows(2))) == [BOMB]


def test_a_broken_xlsx_is_refused(session, staff_user):
    content = xlsx_bytes(rows(2))
    assert refused(session, staff_user, "a.xlsx", content[: len(content) // 2])[0] in (
        "文件不是有效的 Excel（.xlsx）或 .ods 文件。",
        "无法读取 Excel 文件，请确认文件未损坏并另存为 .xlsx。",
    )


# -- single trainees ----------------------------------------------------------


def test_adding_and_removing_a_trainee_keeps_the_count(session, staff_user):
    t = services.add_trainee(session, {"name": "孙七", "id_number": valid_id_number(9), "gender": "女"}, by=staff_user)
    session.refresh_from_db()
    assert session.trainee_count == 1 and t.id_number_masked.endswith(valid_id_number(9)[-4:])
    services.remove_trainee(t.pk, by=staff_user)
    session.refresh_from_db()
    assert session.trainee_count == 0 and Trainee.objects.count() == 0


def test_adding_a_trainee_with_a_bad_id_number_changes_nothing(session, staff_user):
    before = snapshot()
    with pytest.raises(ValidationError) as info:
        services.add_trainee(session, {"name": "孙七", "id_number": "620102199001010000"}, by=staff_user)
    assert info.value.message_dict == {"id_number": ["身份证号校验位错误，请核对。"]}
    assert snapshot() == before


# -- the two insert paths ----------------------------------------------------


def test_bulk_insert_path_stores_more_rows_than_one_sqlite_batch(session, staff_user, monkeypatch):
    monkeypatch.setattr(services, "_copy_staged", services._bulk_create_staged)
    imp = services.stage_import(session, upload("a.csv", csv_bytes(rows(600, birth="19700101")[:600])), by=staff_user)
    # 600 rows need distinct numbers: valid_id_number repeats after 1000, so this is safe.
    services.confirm_import(imp.pk, by=staff_user)
    session.refresh_from_db()
    assert session.trainee_count == 600 == Trainee.objects.filter(session=session).count()


@pytest.mark.parametrize("path", ["_bulk_create_staged", "_copy_staged"])
def test_the_kept_rows_hold_no_full_id_number_and_store_exactly_what_was_read(session, staff_user, monkeypatch, path):
    if path == "_copy_staged" and connection.vendor != "postgresql":
        pytest.skip("COPY is the PostgreSQL path")
    monkeypatch.setattr(services, "_copy_staged", getattr(services, path))
    data = rows(3)
    data[0][4] = "兰石\t集团\\二厂\\N"  # backslashes that look like COPY escapes
    data[1][5] = "车\\工\r\n二班"
    imp = services.stage_import(session, upload("a.csv", csv_bytes(data)), by=staff_user)
    kept = (Path(settings.MEDIA_ROOT) / "imports" / imp.stored_file).read_text(encoding="utf-8")
    assert all(r[1] not in kept for r in data), "the kept rows carry the HMAC and the mask, not the number"
    assert mask_id_number(data[2][1]) in kept
    services.confirm_import(imp.pk, by=staff_user)
    stored = {t.row_number: t for t in Trainee.objects.filter(session=session)}
    assert stored[2].employer == "兰石\t集团\\二厂\\N" and stored[3].job_title == "车\\工\r\n二班"
    assert [stored[n].name for n in (2, 3, 4)] == ["学员0", "学员1", "学员2"]
    assert stored[4].id_number_masked == mask_id_number(data[2][1]) and stored[4].import_batch_id == imp.pk
    assert stored[3].gender == "male" and stored[2].phone == "13900000000"


def test_copy_text_escapes_tabs_newlines_and_backslashes():
    row = imports.CleanRow(2, "张\t三", "h", "m", "k", "male", "139", "兰石\\集团\n二厂", "车\r工")
    text = services.copy_buffer([services.staged_line(row)[:-1]], 7, None).getvalue()
    assert text == "7\t张\\t三\th\tm\tk\tmale\t139\t兰石\\\\集团\\n二厂\t车\\r工\t2\t\\N\n"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is the PostgreSQL path")
def test_copy_path_stores_rows_on_postgresql(session, staff_user):
    data = rows(300)
    data[0][4] = "兰石\t集团\\二厂"
    imp = services.stage_import(session, upload("a.csv", csv_bytes(data)), by=staff_user)
    services.confirm_import(imp.pk, by=staff_user)
    assert Trainee.objects.filter(session=session).count() == 300
    assert Trainee.objects.get(row_number=2).employer == "兰石\t集团\\二厂"


def test_the_fast_id_check_agrees_with_the_plain_weighted_sum_and_the_validator():
    import random

    rng = random.Random(11643)
    for _ in range(2000):
        body = "".join(rng.choice("0123456789") for _ in range(17))
        code = body + rng.choice("0123456789X")
        plain_ok = code[17] == id_number_check_char(body)
        try:
            validate_id_number(code)
            shared_ok = True
        except ValidationError:
            shared_ok = False
        assert (id_number_problem(code) == "") == plain_ok == shared_ok, code


def test_existing_trainees_from_a_factory_block_a_reimport(session, staff_user):
    TraineeFactory(
        session=session,
        id_number_hash=imports.hash_id_number(valid_id_number(0, birth="19850505")),
        person_key=imports.person_key_for(imports.hash_id_number(valid_id_number(0, birth="19850505")), "", ""),
    )
    assert refused(session, staff_user, "a.csv", csv_bytes(rows(1))) == [
        "第2行「身份证号」：该学员已在本次培训名单中。"
    ]


def _xlsx_with_sheet_xml(sheet_xml):
    """A real workbook whose first sheet's XML is replaced."""
    src = zipfile.ZipFile(io.BytesIO(xlsx_bytes(rows(1))))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        for info in src.infolist():
            data = src.read(info.filename)
            out.writestr(info.filename, sheet_xml if info.filename == "xl/worksheets/sheet1.xml" else data)
    return buf.getvalue()


def test_an_xlsx_with_a_dtd_is_refused_so_no_entity_is_ever_expanded(session, staff_user):
    sheet = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>'
    )
    assert refused(session, staff_user, "a.xlsx", _xlsx_with_sheet_xml(sheet)) == [
        "Excel 文件中含有不允许的 XML 声明（DTD），已拒绝。"
    ]


def test_the_shared_string_reader_reads_what_openpyxl_reads():
    from openpyxl.reader import strings

    xml = (
        '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<si><t>姓名</t></si><si><t xml:space="preserve"> 张 三 </t></si>'
        "<si><r><rPr><b/></rPr><t>兰石</t></r><r><t>集团</t></r></si>"
        '<si><t>李四</t><rPh sb="0" eb="1"><t>リ</t></rPh></si><si><t>a_x005F_x000D_b</t></si><si/></sst>'
    ).encode()
    expected = strings.read_string_table(io.BytesIO(xml))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("xl/sharedStrings.xml", xml)
    with zipfile.ZipFile(buf) as zf:
        table = xlsx.read_shared_strings(zf, "xl/sharedStrings.xml", imports.sheet_limits(), max_entries=6)
    assert [table[i] for i in range(len(table))] == list(expected)
    assert expected[:4] == ["姓名", " 张 三 ", "兰石集团", "李四"]


def test_stale_previews_are_discarded_with_their_files(session, staff_user):
    from datetime import timedelta

    from django.utils import timezone

    from training.tasks import discard_stale_trainee_previews

    old = services.stage_import(session, upload("a.csv", csv_bytes(rows(2))), by=staff_user)
    fresh = services.stage_import(session, upload("b.csv", csv_bytes(rows(2, start=5))), by=staff_user)
    TraineeImport.objects.filter(pk=old.pk).update(uploaded_at=timezone.now() - timedelta(hours=30))
    old_file = Path(settings.MEDIA_ROOT) / "imports" / old.stored_file
    assert discard_stale_trainee_previews() == 1
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.status == ImportStatus.DISCARDED and not old_file.exists()
    assert fresh.status == ImportStatus.PREVIEW


def test_an_id_number_that_excel_turned_into_a_number_gets_advice(session, staff_user):
    number = valid_id_number(3)
    data = [["李四", float(number[:17] + "0"), "男", "", "", ""]]  # Excel keeps 15 significant digits
    assert refused(session, staff_user, "a.xlsx", xlsx_bytes(data)) == [
        "第2行「身份证号」：身份证号被 Excel 存成了数字（超过15位的数字会丢失精度），请把该列设为“文本”格式后重新填写。"
    ]


def test_the_api_previews_refuses_and_confirms_like_the_pages(session, api_for):
    api = api_for("member")
    url = reverse("trainingsession-trainee-import", args=[session.pk])
    bad = rows(2)
    bad[1][1] = "123"
    before = snapshot()
    response = api.post(url, {"file": upload("a.csv", csv_bytes(bad))}, format="multipart")
    assert response.status_code == 400 and snapshot() == before
    assert response.json()["errors"] == [
        {"row": 3, "column": "身份证号", "message": "身份证号应为18位（前17位为数字，最后一位为数字或X）。"}
    ]
    response = api.post(url, {"file": upload("a.pdf", b"%PDF-1.4" + bytes(range(256)))}, format="multipart")
    assert response.status_code == 400 and response.json() == {"file": [NOT_A_SPREADSHEET]}

    response = api.post(url, {"file": upload("a.csv", csv_bytes(rows(3)))}, format="multipart")
    assert response.status_code == 201 and response.json()["row_count"] == 3
    confirm = api.post(reverse("traineeimport-confirm", args=[response.json()["id"]]))
    assert confirm.status_code == 200 and confirm.json()["status"] == "confirmed"
    session.refresh_from_db()
    assert session.trainee_count == 3
    again = api.post(reverse("traineeimport-confirm", args=[response.json()["id"]]))
    assert again.status_code == 400 and "不能再确认" in again.json()["detail"]


def test_unknown_columns_are_ignored_and_the_preview_says_what_each_header_became(session, staff_user, client_for):
    header = ["序号", "学员姓名", "出生日期", "公民身份号码", "学历", "所在班级", "手机号码", "性别"]
    data = [[i + 1, r[0], "1985-05-05", r[1], "大专", "化工1班", r[3], r[2]] for i, r in enumerate(rows(3))]
    imp = services.stage_import(session, upload("名单.csv", csv_bytes(data, header=header)), by=staff_user)
    assert imp.row_count == 3
    assert imp.columns == [
        {"header": "序号", "field": ""},
        {"header": "学员姓名", "field": "name"},
        {"header": "出生日期", "field": ""},
        {"header": "公民身份号码", "field": "id_number"},
        {"header": "学历", "field": ""},
        {"header": "所在班级", "field": ""},
        {"header": "手机号码", "field": "phone"},
        {"header": "性别", "field": "gender"},
    ]
    page = client_for("member").get(imp.get_absolute_url()).content.decode()
    mapping = page[page.index('id="import-columns"') :]
    assert '<td translate="no">出生日期</td><td><span class="text-muted">已忽略</span></td>' in mapping
    assert (
        '<td translate="no">公民身份号码</td><td>身份证号</td>' in mapping
        and '<td translate="no">手机号码</td><td>手机号</td>' in mapping
    )
    services.confirm_import(imp.pk, by=staff_user)
    assert sorted(Trainee.objects.values_list("name", flat=True)) == ["学员0", "学员1", "学员2"]
