"""The files people have: .xls (Excel 97) and .ods beside .xlsx and CSV, as an office suite stores them.

.xls files are written with xlwt (BIFF8, as Excel 97–2003, WPS and LibreOffice save them), .ods
files as LibreOffice Calc lays out content.xml (typed cells, repeated empty rows and columns,
merged title cells), .xlsx with shared or inline strings. Hostile .xls and .ods files are refused
before python-calamine sees them, measured in a fresh process as the .xlsx guards are.
"""

import io
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
import xlwt

from training import imports, services
from training.models import Trainee

from .factories import TrainingSessionFactory
from .test_import import HEADER, refused, rows, upload, xlsx_bytes
from .test_import_guards import NS, SHEET_HEAD, SHEET_TAIL, check, probe, write_workbook
from .test_import_numbers import AS_NUMBER, as_office_number, id_numbers

ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)
TITLE = "2025年化工总控工培训签到表"


@pytest.fixture
def session(org, other_org):
    return TrainingSessionFactory(provider=org, beneficiaries=[other_org], declared_headcount=40)


def xls_bytes(data, header=HEADER, *, title=None, numeric_ids=False) -> bytes:
    """An Excel 97 workbook: a merged title row, the header, the rows (phone numbers as numbers)."""
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("学员名单")
    r = 0
    if title:
        ws.write_merge(0, 0, 0, len(header) - 1, title)
        r = 1
    for c, h in enumerate(header):
        ws.write(r, c, h)
    for row in data:
        r += 1
        for c, value in enumerate(row):
            if c == 1 and numeric_ids and value:
                value = float(as_office_number(value))
            elif c == 3 and value and str(value).isdigit():
                value = int(value)
            ws.write(r, c, value)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def ods_cell(value, span=None) -> str:
    merged = f' table:number-columns-spanned="{span}" table:number-rows-spanned="1"' if span else ""
    if value is None or value == "":
        return "<table:table-cell/>"
    if isinstance(value, (int, float)):
        return (
            f'<table:table-cell office:value-type="float" office:value="{value}"{merged}>'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    return f'<table:table-cell office:value-type="string"{merged}><text:p>{escape(value)}</text:p></table:table-cell>'


def ods_bytes(rows_xml: str) -> bytes:
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODS_NS} office:version="1.3">'
        f'<office:body><office:spreadsheet><table:table table:name="学员名单">{rows_xml}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        zf.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
            'opendocument:xmlns:manifest:1.0" manifest:version="1.3"><manifest:file-entry manifest:full-path="/" '
            'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>',
        )
    return buf.getvalue()


def calc_ods(data, header=HEADER, *, numeric_ids=False, extra="") -> bytes:
    """An .ods as LibreOffice Calc saves a sign-in sheet: merged title, header, rows, formatted empty rows."""
    width = len(header)
    xml = [
        "<table:table-row>"
        + ods_cell(TITLE, span=width)
        + f'<table:covered-table-cell table:number-columns-repeated="{width - 1}"/></table:table-row>',
        "<table:table-row>" + "".join(ods_cell(h) for h in header) + "</table:table-row>",
    ]
    for row in data:
        cells = []
        for c, value in enumerate(row):
            if c == 1 and numeric_ids:
                value = float(as_office_number(value))
            elif c == 3 and value and str(value).isdigit():
                value = int(value)
            cells.append(ods_cell(value))
        xml.append(
            "<table:table-row>"
            + "".join(cells)
            + '<table:table-cell table:number-columns-repeated="1018"/></table:table-row>'
        )
    xml.append(extra)
    # Calc writes the formatted rows below the list as one repeated empty row.
    xml.append(
        '<table:table-row table:number-rows-repeated="1048500"><table:table-cell table:number-columns-repeated="1024"/>'
        "</table:table-row>"
    )
    return ods_bytes("".join(xml))


def people():
    data = rows(3)
    data[0][0] = "𠮷田·阿卜杜拉"  # a name outside the BMP, and a middle dot
    data[1][1] = data[1][1][:17] + "X" if data[1][1].endswith("X") else data[1][1]
    return data


def imported(session, user, name, content):
    imp = services.stage_import(session, upload(name, content), by=user)
    services.confirm_import(imp.pk, by=user)
    return imp


def test_an_excel_97_xls_with_a_merged_title_row_is_imported(session, staff_user):
    data = people()
    imp = imported(session, staff_user, "签到表.xls", xls_bytes(data, title=TITLE))
    assert imp.file_format == "xls" and imp.row_count == 3
    stored = {t.row_number: t for t in Trainee.objects.filter(session=session)}
    assert stored[3].name == "𠮷田·阿卜杜拉" and stored[3].phone == data[0][3]
    assert stored[4].id_number_masked.endswith(data[1][1][-4:])


def test_an_ods_from_calc_with_merged_cells_and_formatted_empty_rows_is_imported(session, staff_user):
    data = people()
    imp = imported(session, staff_user, "签到表.ods", calc_ods(data))
    assert imp.file_format == "ods" and imp.row_count == 3
    assert sorted(Trainee.objects.values_list("row_number", "name")) == [
        (3, "𠮷田·阿卜杜拉"),
        (4, "学员1"),
        (5, "学员2"),
    ]


def test_a_numeric_id_cell_in_an_xls_or_an_ods_is_refused(session, staff_user):
    numbers = id_numbers(3)
    data = [["张三", numbers[0], "男", "", "", ""], ["李四", numbers[1], "女", "", "", ""]]
    assert refused(session, staff_user, "a.xls", xls_bytes(data, numeric_ids=True)) == [
        f"第{r}行「身份证号」：{AS_NUMBER}" for r in (2, 3)
    ]
    assert refused(session, staff_user, "a.ods", calc_ods(data, numeric_ids=True)) == [
        f"第{r}行「身份证号」：{AS_NUMBER}" for r in (3, 4)
    ]


def test_unknown_columns_in_an_xls_are_ignored(session, staff_user):
    header = ["序号", "姓名", "出生日期", "身份证号", "所在班级"]
    data = [[1, r[0], "1985-05-05", r[1], "化工1班"] for r in rows(2)]
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("Sheet1")
    for r, row in enumerate([header, *data]):
        for c, v in enumerate(row):
            ws.write(r, c, v)
    buf = io.BytesIO()
    wb.save(buf)
    imp = services.stage_import(session, upload("a.xls", buf.getvalue()), by=staff_user)
    assert [c["field"] for c in imp.columns] == ["", "name", "", "id_number", ""]


def test_an_xlsx_with_shared_strings_and_one_with_inline_strings_read_alike(tmp_path, session, staff_user):
    data = rows(2)
    shared = xlsx_bytes(data)  # openpyxl writes a shared-string table
    row_xml = []
    for r, row in enumerate([HEADER, *data], start=1):
        cells = "".join(
            f'<c r="{"ABCDEF"[c]}{r}" t="inlineStr"><is><t>{escape(v)}</t></is></c>' for c, v in enumerate(row)
        )
        row_xml.append(f'<row r="{r}">{cells}</row>')
    inline = write_workbook(
        tmp_path / "inline.xlsx", [SHEET_HEAD + "".join(row_xml).encode() + SHEET_TAIL]
    ).read_bytes()
    a = list(imports.read_table(write_tmp(tmp_path, "s.xlsx", shared), "xlsx"))
    b = list(imports.read_table(write_tmp(tmp_path, "i.xlsx", inline), "xlsx"))
    assert [list(r)[:6] for r in a] == [list(r)[:6] for r in b] == [HEADER, *data]


def write_tmp(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def test_an_xlsx_whose_sheet_starts_below_and_right_of_a1_keeps_its_row_numbers(tmp_path, session, staff_user):
    bad = rows(2)
    bad[1][3] = "123"
    row_xml = []
    for r, row in enumerate([HEADER, *bad], start=3):
        cells = "".join(
            f'<c r="{"CDEFGH"[c]}{r}" t="inlineStr"><is><t>{escape(v)}</t></is></c>' for c, v in enumerate(row)
        )
        row_xml.append(f'<row r="{r}">{cells}</row>')
    path = write_workbook(tmp_path / "offset.xlsx", [SHEET_HEAD + "".join(row_xml).encode() + SHEET_TAIL])
    assert refused(session, staff_user, "offset.xlsx", path.read_bytes()) == [
        "第5行「手机号」：手机号应为以1开头的11位数字。"
    ]


def test_an_xlsx_the_fast_reader_may_take_and_one_it_leaves_to_the_portals_reader(tmp_path):
    from training.imports import xlsx

    limits, cells = imports.sheet_limits(), imports.max_cells()
    plain = write_tmp(tmp_path, "plain.xlsx", xlsx_bytes(rows(3)))
    assert xlsx.prescan(plain, limits, cells).calamine
    formula = SHEET_HEAD + b'<row r="1"><c r="A1"><f>1+1</f></c></row>' + SHEET_TAIL
    assert not xlsx.prescan(write_workbook(tmp_path / "f.xlsx", [formula]), limits, cells).calamine
    no_refs = SHEET_HEAD + b"<row><c><v>1</v></c></row>" + SHEET_TAIL
    assert not xlsx.prescan(write_workbook(tmp_path / "n.xlsx", [no_refs]), limits, cells).calamine
    far = SHEET_HEAD + b'<row r="1"><c r="A1"><v>1</v></c><c r="XFD1"><v>1</v></c></row>'
    far += b'<row r="300000"><c r="ZZ300000"><v>1</v></c></row>' + SHEET_TAIL
    scan = xlsx.prescan(write_workbook(tmp_path / "far.xlsx", [far]), limits, cells)
    assert not scan.calamine and scan.rows == 300_000 and scan.columns == 16_384


# -- hostile .xls and .ods: refused before calamine, in a fresh process --------


TOO_MANY_CELLS = "表格的数据区域过大（行数乘列数超出上限），已拒绝。请删除多余的行列或拆分后分批导入。"


def test_an_xls_with_two_cells_far_apart_is_refused_before_calamine(tmp_path, session, staff_user, monkeypatch):
    """6 KB that made calamine build 16.7 million cells (1 GB)."""
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("s")
    for c, h in enumerate(HEADER):
        ws.write(0, c, h)
    ws.write(65535, 255, "x")
    buf = io.BytesIO()
    wb.save(buf)
    path = write_tmp(tmp_path, "far.xls", buf.getvalue())
    assert path.stat().st_size < 10_000
    check(probe(tmp_path, path, "far.xls", xls_bytes([])), TOO_MANY_CELLS)
    assert refused(session, staff_user, "far.xls", path.read_bytes()) == [TOO_MANY_CELLS]


def test_an_ods_with_a_repeated_row_of_content_is_refused_before_calamine(tmp_path, session, staff_user):
    """A row of 1,000 filled cells repeated a million times: a billion cells in a few hundred bytes."""
    bomb = (
        '<table:table-row table:number-rows-repeated="1000000"><table:table-cell '
        'table:number-columns-repeated="1000" office:value-type="string"><text:p>x</text:p></table:table-cell>'
        "</table:table-row>"
    )
    path = write_tmp(tmp_path, "bomb.ods", calc_ods(rows(1), extra=bomb))
    check(probe(tmp_path, path, "bomb.ods", calc_ods([])), TOO_MANY_CELLS)
    assert refused(session, staff_user, "bomb.ods", path.read_bytes()) == [TOO_MANY_CELLS]


def test_an_ods_with_a_dtd_is_refused(tmp_path, session, staff_user):
    content = ods_bytes("")
    src = zipfile.ZipFile(io.BytesIO(content))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "content.xml":
                data = data.replace(b"?>", b'?><!DOCTYPE x [<!ENTITY a "aaaa">]>', 1)
            out.writestr(info.filename, data)
    assert refused(session, staff_user, "a.ods", buf.getvalue()) == [
        "Excel 文件中含有不允许的 XML 声明（DTD），已拒绝。"
    ]


def test_an_ods_whose_content_inflates_past_the_sheet_limit_is_refused(tmp_path, session, staff_user, settings):
    settings.TRAINEE_IMPORT_MAX_SHEET_BYTES = 300 * 1024
    filler = "".join(f"<table:table-row>{ods_cell(f'学员{i}')}</table:table-row>" for i in range(20_000))
    assert refused(session, staff_user, "a.ods", ods_bytes(filler)) == [
        "表格过大（解压后超过 0 MB），已拒绝。请删除多余内容或拆分后分批导入。"
    ]


def test_a_zip_that_is_neither_xlsx_nor_ods_names_the_accepted_formats(session, staff_user):
    from .test_import import NOT_A_SPREADSHEET

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        zf.writestr("content.xml", f'<x xmlns="{NS}"/>')
    assert refused(session, staff_user, "a.ods", buf.getvalue()) == [NOT_A_SPREADSHEET]
