"""Number cells never become a 身份证号: the office suite keeps 15 significant digits, the rest is invented.

The files are built the way LibreOffice Calc, WPS and Excel store a number typed into a cell:
``<c r="B2"><v>6.20104199804194E+17</v></c>`` (no type: a number) beside shared strings, and as
a CSV saved from such a column (``6.20104199804194E+17``).
"""

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from members.validators import id_number_check_char, id_number_problem, mask_id_number
from training import services
from training.imports.suspects import masked_id_looks_rounded
from training.models import Trainee, TraineeImport

from .factories import TraineeFactory, TrainingSessionFactory
from .test_import import HEADER, csv_bytes, refused, rows, upload, xlsx_bytes
from .test_import_guards import NS, SHEET_HEAD, SHEET_TAIL, write_workbook

AS_NUMBER = "身份证号被 Excel 存成了数字（超过15位的数字会丢失精度），请把该列设为“文本”格式后重新填写。"


@pytest.fixture
def session(org, other_org):
    return TrainingSessionFactory(provider=org, beneficiaries=[other_org], declared_headcount=40)


def id_numbers(n, seed=0):
    """Valid 身份证号 ending in a digit (one ending in X is text in any sheet)."""
    numbers, i = [], 0
    while len(numbers) < n:
        first17 = f"620104{1970 + (i + seed) % 30}{1 + i % 12:02d}{1 + i % 28:02d}{(i * 7 + seed) % 1000:03d}"
        if id_number_check_char(first17) != "X":
            numbers.append(first17 + id_number_check_char(first17))
        i += 1
    return numbers


def as_office_number(number: str) -> str:
    """The cell's text as the office suite stores a number: 15 significant digits, exponent form."""
    return f"{float(number):.14E}"


def rounded(number: str) -> str:
    """What the import used to make of that cell: the nearest double's integer."""
    return str(int(float(as_office_number(number))))


def office_xlsx(tmp_path: Path, numbers, *, exact_integers=False) -> bytes:
    """A sheet with names as shared strings and each 身份证号 as a number cell."""
    strings = [*HEADER[:2]]
    row_xml = [b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>']
    for r, number in enumerate(numbers, start=2):
        strings.append(f"学员{r}")
        value = number[:15] + "000" if exact_integers else as_office_number(number)
        row_xml.append(
            f'<row r="{r}"><c r="A{r}" t="s"><v>{len(strings) - 1}</v></c><c r="B{r}" s="1"><v>{value}</v></c></row>'.encode()
        )
    sst = [
        f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS}">'.encode(),
        "".join(f"<si><t>{s}</t></si>" for s in strings).encode(),
        b"</sst>",
    ]
    path = write_workbook(tmp_path / "office.xlsx", [SHEET_HEAD + b"".join(row_xml) + SHEET_TAIL], sst)
    return path.read_bytes()


def test_the_office_suite_keeps_15_digits_and_about_one_in_eleven_rounded_numbers_pass_the_check():
    numbers = id_numbers(41)
    assert as_office_number(numbers[0]).startswith("6.2010419") and "E+17" in as_office_number(numbers[0])
    passing = [n for n in numbers if not id_number_problem(rounded(n))]
    assert passing and all(rounded(n) != n for n in passing), "the test needs rounded numbers that pass the check"


def test_every_numeric_id_cell_is_refused_whatever_its_digits(session, staff_user, tmp_path):
    numbers = id_numbers(41)
    messages = refused(session, staff_user, "签到表.xlsx", office_xlsx(tmp_path, numbers))
    assert messages == [f"第{r}行「身份证号」：{AS_NUMBER}" for r in range(2, 43)]


def test_a_file_of_only_rounded_numbers_that_pass_the_check_digit_imports_nothing(session, staff_user, tmp_path):
    passing = [n for n in id_numbers(400) if not id_number_problem(rounded(n))][:4]
    assert len(passing) == 4
    messages = refused(session, staff_user, "a.xlsx", office_xlsx(tmp_path, passing))
    assert messages == [f"第{r}行「身份证号」：{AS_NUMBER}" for r in range(2, 6)]
    assert Trainee.objects.count() == 0


def test_a_number_cell_holding_all_18_digits_is_refused_too(session, staff_user, tmp_path):
    numbers = id_numbers(3)
    messages = refused(session, staff_user, "a.xlsx", office_xlsx(tmp_path, numbers, exact_integers=True))
    assert messages == [f"第{r}行「身份证号」：{AS_NUMBER}" for r in range(2, 5)]
    data = [["李四", int(numbers[0]), "男", "", "", ""]]  # openpyxl writes the integer in full
    assert refused(session, staff_user, "b.xlsx", xlsx_bytes(data)) == [f"第2行「身份证号」：{AS_NUMBER}"]


def test_a_csv_saved_from_a_numeric_column_is_refused_with_the_same_message(session, staff_user):
    numbers = id_numbers(3)
    data = rows(3)
    for row, number in zip(data, numbers, strict=True):
        row[1] = as_office_number(number)  # 6.20104198001010E+17
    data[2][1] = "6.20104199804194E+17"
    messages = refused(session, staff_user, "a.csv", csv_bytes(data, encoding="gb18030"))
    assert messages == [f"第{r}行「身份证号」：{AS_NUMBER}" for r in range(2, 5)]


def test_a_phone_number_cell_that_lost_its_leading_zero_is_refused_but_a_mobile_number_cell_is_kept(
    session, staff_user
):
    data = rows(2)
    data[0][3] = 13900001111  # a whole 11-digit mobile number: a number keeps it exactly
    data[1][3] = 9318888888  # 0931-8888888 typed into a number cell
    assert refused(session, staff_user, "a.xlsx", xlsx_bytes(data)) == [
        "第3行「手机号」：手机号被 Excel 存成了数字（开头的0等会丢失），请把该列设为“文本”格式后重新填写。"
    ]
    data[1][3] = "13900002222"
    imp = services.stage_import(session, upload("a.xlsx", xlsx_bytes(data)), by=staff_user)
    services.confirm_import(imp.pk, by=staff_user)
    assert sorted(Trainee.objects.values_list("phone", flat=True)) == ["13900001111", "13900002222"]


def test_a_phone_number_in_scientific_notation_in_a_csv_is_refused(session, staff_user):
    data = rows(1)
    data[0][3] = "1.39E+10"
    assert refused(session, staff_user, "a.csv", csv_bytes(data)) == [
        "第2行「手机号」：手机号被 Excel 存成了数字（开头的0等会丢失），请把该列设为“文本”格式后重新填写。"
    ]


def test_a_long_number_in_another_text_column_is_refused():
    from training import imports

    result = imports.validate([HEADER, ["张三", "", "", "", 6.20104199804194e17, ""]], "xlsx")
    assert [(e.column, e.message) for e in result.errors] == [
        ("工作单位", "该单元格被存成了数字（超过15位的数字会丢失精度），请把该列设为“文本”格式后重新填写。")
    ]


def test_new_imports_record_that_their_id_numbers_came_from_text(session, staff_user):
    imp = services.stage_import(session, upload("a.csv", csv_bytes(rows(2))), by=staff_user)
    assert imp.text_id_numbers is True


def test_the_fingerprint_recognises_every_rounded_number_that_passed_and_few_correct_ones():
    numbers = id_numbers(3000, seed=5)
    stored = [rounded(n) for n in numbers if not id_number_problem(rounded(n))]
    assert len(stored) > 100
    assert all(masked_id_looks_rounded(mask_id_number(n)) for n in stored)
    flagged = sum(masked_id_looks_rounded(mask_id_number(n)) for n in numbers)
    assert flagged / len(numbers) < 0.02


def test_staff_can_list_trainees_stored_from_number_cells_before_the_fix(session, staff_user):
    old = TraineeImport.objects.create(session=session, file_name="旧.xlsx", file_format="xlsx", status="confirmed")
    new = TraineeImport.objects.create(
        session=session, file_name="新.xlsx", file_format="xlsx", status="confirmed", text_id_numbers=True
    )
    numbers = [n for n in id_numbers(400) if not id_number_problem(rounded(n))][:2]
    bad = TraineeFactory(
        session=session,
        name="王五",
        import_batch=old,
        row_number=7,
        id_number_masked=mask_id_number(rounded(numbers[0])),
    )
    TraineeFactory(session=session, name="赵六", import_batch=new, id_number_masked=mask_id_number(rounded(numbers[1])))
    TraineeFactory(session=session, name="钱七", import_batch=old, id_number_masked="620104********1237")
    out = io.StringIO()
    call_command("trainee_numeric_id_suspects", stdout=out)
    text = out.getvalue()
    assert f"导入 #{old.pk}\t第7行\t王五\t{bad.id_number_masked}" in text
    assert "赵六" not in text and "钱七" not in text
    assert text.strip().endswith("可能由数字单元格存入的身份证号：1 条（需人工核对）")
