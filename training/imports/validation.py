"""Checking the rows of a trainee list: no database writes here.

``validate`` turns raw rows (header included) into clean rows, with the 身份证号 reduced
to its HMAC and masked form, and a list of errors named by row and column; the caller
(training.services) decides what to store. ``read_and_validate`` reads a file
(``reading.read_table``) and validates it.
"""

import contextlib
import gc
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from members.validators import id_number_problem, mask_id_number

from .keys import keyed_hash, person_key_for
from .reading import ImportFileError, max_rows, read_table

COLUMNS = [
    ("name", "姓名", True),
    ("id_number", "身份证号", True),
    ("gender", "性别", False),
    ("phone", "手机号", False),
    ("employer", "工作单位", False),
    ("job_title", "岗位/职务", False),
]
HEADER_ALIASES = {
    "姓名": "name",
    "学员姓名": "name",
    "身份证号": "id_number",
    "身份证号码": "id_number",
    "居民身份证号": "id_number",
    "公民身份号码": "id_number",
    "性别": "gender",
    "手机号": "phone",
    "手机号码": "phone",
    "手机": "phone",
    "联系电话": "phone",
    "电话": "phone",
    "工作单位": "employer",
    "单位": "employer",
    "所在单位": "employer",
    "岗位/职务": "job_title",
    "岗位": "job_title",
    "职务": "job_title",
    "工种": "job_title",
}
# Columns a sign-in sheet often carries that the import ignores.
IGNORED_HEADERS = {"序号", "编号", "签名", "签到", "签字", "备注"}
LABELS = {key: header for key, header, _required in COLUMNS}
HEADER_SEARCH_ROWS = 10  # a title row ("……培训签到表") may stand above the header

GENDERS = {"男": "male", "女": "female", "": ""}
PHONE_RE = re.compile(r"^1\d{10}$")
# A number as an office suite writes it in scientific notation into a CSV ("6.20104199804194E+17"):
# the cell was a number in the sheet, and its digits beyond the 15th are gone.
SCIENTIFIC_RE = re.compile(r"^[+-]?\d+(?:\.\d*)?[eE][+-]?\d+$")
# Beyond this a number cell has lost digits: spreadsheets keep 15 significant digits.
EXACT_NUMBER_LIMIT = 10**15


def is_number_cell(value) -> bool:
    """The cell was a number in the file (not text): int, float or Decimal, never bool."""
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


@dataclass(slots=True)
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self):
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass(slots=True)
class CleanRow:
    row: int
    name: str
    id_number_hash: str
    id_number_masked: str
    person_key: int
    gender: str
    phone: str
    employer: str
    job_title: str

    def preview(self):
        return {
            "row": self.row,
            "name": self.name,
            "id_number_masked": self.id_number_masked,
            "gender": {"male": "男", "female": "女"}.get(self.gender, ""),
            "phone": self.phone,
            "employer": self.employer,
            "job_title": self.job_title,
        }


@dataclass
class ImportResult:
    file_format: str
    rows: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    row_count: int = 0
    # What each column of the header row became: [{"header": "身份证号", "field": "id_number"}, ...],
    # "field" empty for a column the import ignores.
    columns: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors


def cell_text(value):
    """A cell as text: numbers without a trailing .0, dates as ISO, None as ''."""
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).strip()


def map_header(values):
    """{column key: index}, or ImportFileError naming the missing required columns (or a column twice).

    Columns the import does not know (出生日期, 学历, 所在班级 …) are ignored, not refused:
    ``describe_header`` says which header became which field.
    """
    mapping = {}
    for index, value in enumerate(values):
        header = _header_text(value)
        key = HEADER_ALIASES.get(header)
        if key is None:
            continue
        if key in mapping:
            raise ImportFileError(_("列“%(col)s”出现了两次。") % {"col": header}, code="columns")
        mapping[key] = index
    missing = [header for key, header, required in COLUMNS if required and key not in mapping]
    if missing:
        raise ImportFileError(
            _("缺少必需的列：%(cols)s") % {"cols": "、".join(missing)}
            + _("。表头应为：%(cols)s（请使用下载的模板）。") % {"cols": "、".join(h for _k, h, _r in COLUMNS)},
            code="columns",
        )
    return mapping


def _header_text(value) -> str:
    return re.sub(r"\s", "", cell_text(value)).replace("*", "")


def describe_header(values, mapping) -> list:
    """Every non-blank header cell and the field it became ("" when ignored), in the file's order."""
    fields = {index: key for key, index in mapping.items()}
    described = []
    for index, value in enumerate(values):
        header = cell_text(value)
        if header:
            described.append({"header": header[:50], "field": fields.get(index, "")})
    return described


def _is_blank(values):
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def validate(rows, file_format, *, existing_keys=frozenset(), keep_rows=True, sink=None):
    """Check every row; returns an ImportResult (clean rows and errors by row and column).

    ``rows`` are raw tuples (header included), ``existing_keys`` the person keys already
    on the session, ``sink(row)`` (optional) receives each valid row as a CleanRow (the preview
    step keeps them for the confirm step). Raises ImportFileError when the file as a whole is refused.
    """
    rows = iter(rows)
    mapping = None
    header_row = ()
    first_nonblank = None
    line = 0
    for values in rows:
        line += 1
        if _is_blank(values or ()):
            continue
        if first_nonblank is None:
            first_nonblank = values
        texts = {re.sub(r"\s", "", cell_text(v)) for v in values}
        if texts & {"姓名", "学员姓名"}:
            mapping = map_header(values)
            header_row = values
            break
        if line >= HEADER_SEARCH_ROWS:
            break
    if mapping is None:
        if first_nonblank is None:
            raise ImportFileError(_("文件是空的，没有学员数据。"), code="empty")
        map_header(first_nonblank)  # raises, naming the missing and unknown columns
        raise ImportFileError(_("找不到表头行，请使用下载的模板。"), code="columns")

    result = ImportResult(file_format=file_format, columns=describe_header(header_row, mapping))
    errors = result.errors
    clean = result.rows
    limit_rows = max_rows()
    seen = {}
    # CSV cells are already text: no need to look at each one's type.
    text_cells = file_format == "csv"
    indexes = [mapping.get(key) for key, _h, _r in COLUMNS]
    width = max(i for i in indexes if i is not None) + 1
    labels = [header for _k, header, _r in COLUMNS]
    L_NAME, L_ID, L_GENDER, L_PHONE = labels[:4]
    msg_formula = _("单元格是公式（%(f)s），系统不计算公式，请改为文本。")
    msg_name = _("姓名不能为空。")
    msg_name_long = _("姓名过长（最多50个字）。")
    msg_gender = _("性别应填“男”或“女”。")
    msg_phone = _("手机号应为以1开头的11位数字。")
    msg_dup = _("与第%(row)d行重复（同一人）。")
    msg_existing = _("该学员已在本次培训名单中。")
    msg_too_many = _("文件行数超过上限：最多 %(max)d 行学员，请拆分后分批导入。")
    msg_id = {
        "format": _("身份证号应为18位（前17位为数字，最后一位为数字或X）。"),
        "checksum": _("身份证号校验位错误，请核对。"),
    }
    msg_id_number_as_number = _(
        "身份证号被 Excel 存成了数字（超过15位的数字会丢失精度），请把该列设为“文本”格式后重新填写。"
    )
    msg_phone_as_number = _("手机号被 Excel 存成了数字（开头的0等会丢失），请把该列设为“文本”格式后重新填写。")
    msg_text_as_number = _("该单元格被存成了数字（超过15位的数字会丢失精度），请把该列设为“文本”格式后重新填写。")
    id_index = mapping["id_number"]
    phone_index = mapping.get("phone")
    other_indexes = [(k, i) for k, i in enumerate(indexes) if i is not None and k not in (1, 3)]
    scientific = SCIENTIFIC_RE.match
    genders = GENDERS
    phone_ok = PHONE_RE.match
    count = 0
    for values in rows:
        line += 1
        if len(values) < width:
            values = tuple(values) + (None,) * (width - len(values))
        if text_cells:
            cells = [("" if i is None else values[i].strip()) for i in indexes]
        else:
            cells = [("" if i is None else cell_text(values[i])) for i in indexes]
        if not any(cells):
            continue  # a blank row, or one with only a 序号 filled in
        count += 1
        if count > limit_rows:
            raise ImportFileError(msg_too_many % {"max": limit_rows}, code="too_many_rows")
        row_errors = []
        if "=" in "".join(cells):
            for k, text in enumerate(cells):
                if text[:1] == "=":
                    row_errors.append(RowError(line, labels[k], msg_formula % {"f": text[:30]}))
                    cells[k] = ""
        # A cell that was a number in the file never becomes an ID number (its digits past the 15th
        # are invented) nor a phone number unless it is a whole 11-digit mobile number, which a number
        # keeps exactly; a CSV from a numeric column shows it as scientific notation.
        raw_id = values[id_index]
        id_was_number = is_number_cell(raw_id) if not text_cells else bool(scientific(cells[1]))
        phone_was_number = False
        if phone_index is not None and cells[3]:
            raw_phone = values[phone_index]
            if text_cells:
                phone_was_number = bool(scientific(cells[3]))
            elif is_number_cell(raw_phone):
                phone_was_number = not (float(raw_phone).is_integer() and phone_ok(cells[3]))
        if not text_cells:
            for k, i in other_indexes:
                raw = values[i]
                if is_number_cell(raw) and abs(raw) >= EXACT_NUMBER_LIMIT:
                    row_errors.append(RowError(line, labels[k], msg_text_as_number))
                    cells[k] = ""
        name, id_number, gender_text, phone, employer, job_title = cells
        if not name:
            if not row_errors or all(e.column != L_NAME for e in row_errors):
                row_errors.append(RowError(line, L_NAME, msg_name))
        elif len(name) > 50:
            row_errors.append(RowError(line, L_NAME, msg_name_long))
        id_hash = masked = ""
        if id_was_number:
            row_errors.append(RowError(line, L_ID, msg_id_number_as_number))
        elif id_number:
            id_number = id_number.replace(" ", "").upper()
            problem = id_number_problem(id_number)
            if problem:
                row_errors.append(RowError(line, L_ID, msg_id[problem]))
            else:
                id_hash = keyed_hash(id_number)
                masked = mask_id_number(id_number)
        gender = genders.get(gender_text)
        if gender is None:
            row_errors.append(RowError(line, L_GENDER, msg_gender))
            gender = ""
        if phone_was_number:
            row_errors.append(RowError(line, L_PHONE, msg_phone_as_number))
        elif phone:
            if not phone_ok(phone):
                phone = phone.replace(" ", "").replace("-", "")
                if not phone_ok(phone):
                    row_errors.append(RowError(line, L_PHONE, msg_phone))
        if row_errors:
            errors.extend(row_errors)
            continue
        key = person_key_for(id_hash, name, phone)
        first = seen.get(key)
        if first is not None:
            errors.append(RowError(line, L_ID if id_hash else L_NAME, msg_dup % {"row": first}))
        elif key in existing_keys:
            errors.append(RowError(line, L_ID if id_hash else L_NAME, msg_existing))
        else:
            seen[key] = line
            if keep_rows or sink is not None:
                row = CleanRow(line, name, id_hash, masked, key, gender, phone, employer[:200], job_title[:100])
                if keep_rows:
                    clean.append(row)
                if sink is not None:
                    sink(row)
    if count == 0:
        raise ImportFileError(_("文件中没有学员数据（只有表头）。"), code="empty")
    result.row_count = count
    return result


def read_and_validate(path, file_format, *, existing_keys=frozenset(), keep_rows=True, sink=None):
    """Read and validate a file (see ``validate``), with the cyclic garbage collector paused.

    Reading creates millions of short-lived objects (XML elements, rows) and no reference
    cycles: reference counting frees them all. Left running, the cyclic collector walks the
    live ones again and again, which doubled the time of a 100,000-row .xlsx (measured).
    """
    with _cyclic_gc_paused():
        return validate(
            read_table(path, file_format), file_format, existing_keys=existing_keys, keep_rows=keep_rows, sink=sink
        )


@contextlib.contextmanager
def _cyclic_gc_paused():
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
