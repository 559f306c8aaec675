"""Reading a trainee list (.xlsx, .xls, .ods or .csv) with its guards: no database writes here.

The file is judged by its own bytes, never by the name or content type the browser
sent. An .xlsx or .ods is a zip: its entry count, total uncompressed size and compression
ratio are checked before it is opened (zip bombs). An .xlsx's first sheet and shared strings
are then pre-scanned (``training.imports.xlsx``: size, rows, row and cell lengths, string
count, any DTD refused, the largest cell reference): a sheet whose cells all carry their
reference and hold no formula, within ``max_cells``, is read by python-calamine (about seven
times faster), any other by the portal's own bounded reader, which keeps formulas as their
text (never evaluated). An .xls or .ods goes to python-calamine after the pre-scans of
``training.imports.workbooks``. A CSV may be UTF-8 (with or without BOM) or GB18030/GBK,
what Chinese Excel writes; its lines are counted in one cheap pass before any row is read.

``read_table`` yields the raw rows of any of them.
"""

import codecs
import csv
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from . import workbooks, xlsx

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE compound file: .xls (or .doc …)
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


def limit(name, default):
    return getattr(settings, name, default)


def max_rows():
    return limit("TRAINEE_IMPORT_MAX_ROWS", 200_000)


def max_upload_bytes():
    return limit("TRAINEE_IMPORT_MAX_BYTES", 50 * 1024 * 1024)


def max_cells():
    """Cells python-calamine may build for a workbook (rows × columns up to the last one used).

    About 32 bytes each in calamine's memory: 3,000,000 (a 100,000-row list of 30 columns) is
    about 100 MB. An .xlsx over it is read by the portal's own reader; an .xls or .ods is refused.
    """
    return limit("TRAINEE_IMPORT_MAX_CELLS", 3_000_000)


def not_a_spreadsheet() -> "ImportFileError":
    return ImportFileError(
        _("文件不是可导入的表格。请上传 Excel（.xlsx 或 .xls）、WPS 或 OpenDocument（.ods）表格，或 CSV 文件。"),
        code="not_spreadsheet",
    )


class ImportFileError(ValidationError):
    """The file as a whole is refused (not a spreadsheet, zip bomb, columns, empty, too big)."""


def sniff_format(head: bytes, filename: str = "") -> str:
    """'zip' (.xlsx or .ods: ``check_zip`` tells which), 'xls' or 'csv' from the file's own bytes.

    ImportFileError for anything else.
    """
    if not head:
        raise ImportFileError(_("文件是空的，没有学员数据。"), code="empty")
    if head.startswith(XLSX_MAGIC):
        return "zip"
    if head.startswith(OLE_MAGIC):
        return "xls"
    if b"\x00" in head or not _looks_like_text(head):
        raise not_a_spreadsheet()
    return "csv"


def detect_format(path, head: bytes, filename: str = "") -> str:
    """'xlsx', 'ods', 'xls' or 'csv'; a zip's entries are checked here (``check_zip``)."""
    kind = sniff_format(head, filename)
    return check_zip(path) if kind == "zip" else kind


def _looks_like_text(head: bytes) -> bool:
    sample = head[:8192]
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = sample.decode(encoding)
        except UnicodeDecodeError as exc:
            # A multi-byte character cut at the end of the sample is still text.
            if exc.start >= len(sample) - 4:
                text = sample[: exc.start].decode(encoding, errors="ignore")
            else:
                continue
        controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\r\n\t")
        return controls <= len(text) // 100
    return False


def check_zip(path) -> str:
    """'xlsx' or 'ods'; refuses a zip whose entries are too many, too big or compressed out of proportion."""
    max_entries = limit("TRAINEE_IMPORT_MAX_ZIP_ENTRIES", 1000)
    max_total = limit("TRAINEE_IMPORT_MAX_UNCOMPRESSED", 500 * 1024 * 1024)
    max_ratio = limit("TRAINEE_IMPORT_MAX_RATIO", 100)
    bomb = _("Excel 文件的压缩内容异常（解压后体积或文件数过大），已拒绝。请重新保存后上传。")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
            mimetype = (
                zf.read("mimetype")[:100] if "mimetype" in names and zf.getinfo("mimetype").file_size < 100 else b""
            )
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ImportFileError(_("文件不是有效的 Excel（.xlsx）或 .ods 文件。"), code="bad_zip") from exc
    if len(infos) > max_entries:
        raise ImportFileError(bomb, code="zip_bomb")
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos)
    if total > max_total:
        raise ImportFileError(bomb, code="zip_bomb")
    for info in infos:
        if info.file_size > 1024 * 1024 and info.file_size > max_ratio * max(info.compress_size, 1):
            raise ImportFileError(bomb, code="zip_bomb")
    if total > 1024 * 1024 and total > max_ratio * max(packed, 1):
        raise ImportFileError(bomb, code="zip_bomb")
    if "xl/workbook.xml" in names:
        return "xlsx"
    if mimetype.strip() == ODS_MIMETYPE and "content.xml" in names:
        return "ods"
    raise not_a_spreadsheet()


def sheet_limits() -> xlsx.Limits:
    """The bounds an .xlsx is read within (see training.imports.xlsx)."""
    return xlsx.Limits(
        sheet_bytes=limit("TRAINEE_IMPORT_MAX_SHEET_BYTES", 128 * 1024 * 1024),
        strings_bytes=limit("TRAINEE_IMPORT_MAX_STRINGS_BYTES", 64 * 1024 * 1024),
        rows=max_sheet_rows(),
        cell_bytes=limit("TRAINEE_IMPORT_MAX_CELL_BYTES", 512 * 1024),
        row_bytes=max_line_bytes(),
    )


def max_sheet_rows() -> int:
    """Rows a sheet (or lines a CSV) may have, blank and formatted ones included.

    Twice the trainee limit plus 10,000 unless TRAINEE_IMPORT_MAX_SHEET_ROWS says otherwise:
    sign-in sheets carry title rows, blank lines between groups and pre-numbered empty rows.
    """
    return limit("TRAINEE_IMPORT_MAX_SHEET_ROWS", 0) or max_rows() * 2 + 10_000


def max_line_bytes() -> int:
    return limit("TRAINEE_IMPORT_MAX_ROW_BYTES", 1024 * 1024)


def _refused(exc: xlsx.XlsxRefused) -> ImportFileError:
    return ImportFileError(exc.message, code=exc.code)


def _xlsx_rows(path):
    try:
        yield from xlsx.iter_rows(path, sheet_limits())
    except xlsx.XlsxRefused as exc:
        raise _refused(exc) from exc


def _calamine_rows(path, bad: xlsx.XlsxRefused):
    try:
        yield from workbooks.iter_rows(path, bad)
    except xlsx.XlsxRefused as exc:
        raise _refused(exc) from exc


def _workbook_rows(path, file_format):
    """Pre-scan, then the rows of the first worksheet (see the module docstring); refusals are raised here."""
    limits = sheet_limits()
    try:
        if file_format == "xlsx":
            if not xlsx.prescan(path, limits, max_cells()).calamine:
                return _xlsx_rows(path)
            bad = xlsx._bad()
        elif file_format == "ods":
            workbooks.check_ods(path, limits, max_cells())
            bad = workbooks._bad_ods()
        else:
            workbooks.check_xls(path, limits, max_cells())
            bad = workbooks._bad_xls()
    except xlsx.XlsxRefused as exc:
        raise _refused(exc) from exc
    return _calamine_rows(path, bad)


CSV_CHUNK = 1024 * 1024
UTF8_BOM = b"\xef\xbb\xbf"


def scan_csv(path) -> str:
    """The CSV's encoding, after refusing too many lines or an overlong line; one pass in chunks.

    Lines are counted as newline bytes (cheap, and the same in UTF-8 and GB18030) before a
    single character is kept: a file of millions of empty lines is refused in milliseconds.
    UTF-8 (with or without BOM) is chosen when every chunk decodes as such, else GB18030
    (a superset of GBK); the decoded text is not kept.
    """
    max_lines, max_line = max_sheet_rows(), max_line_bytes()
    too_many = ImportFileError(
        _("CSV 文件行数过多（超过 %(max)d 行，含空行），已拒绝。请删除多余的空行或拆分后分批导入。")
        % {"max": max_lines},
        code="too_many_lines",
    )
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    lines = 0
    run = 0  # bytes since the last newline
    # Chunks no longer than the line bound: a line inside one chunk is short enough.
    size = min(CSV_CHUNK, max_line)
    with open(path, "rb") as fh:
        bom = fh.read(len(UTF8_BOM)) == UTF8_BOM
        if not bom:
            fh.seek(0)
        while chunk := fh.read(size):
            newlines = chunk.count(b"\n")
            if newlines:
                lines += newlines
                if lines > max_lines:
                    raise too_many
                if run + chunk.find(b"\n") > max_line:
                    raise _line_too_long()
                run = len(chunk) - chunk.rfind(b"\n") - 1
            else:
                run += len(chunk)
                if run > max_line:
                    raise _line_too_long()
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    if bom and not utf8:
        raise _encoding_error()
    return "utf-8-sig" if bom else "utf-8" if utf8 else "gb18030"


def _line_too_long() -> ImportFileError:
    return ImportFileError(_("CSV 文件中某一行内容过长，已拒绝。请检查文件内容后重新上传。"), code="line_too_long")


def _encoding_error() -> ImportFileError:
    return ImportFileError(_("无法识别 CSV 文件的编码，请以 UTF-8 或 GBK 编码保存。"), code="encoding")


def _csv_rows(path, encoding: str):
    with open(path, encoding=encoding, errors="strict", newline="") as fh:
        try:
            yield from csv.reader(fh)
        except UnicodeDecodeError as exc:
            raise _encoding_error() from exc
        except csv.Error as exc:  # a field above csv's 128 KB limit, a stray NUL
            raise ImportFileError(
                _("CSV 文件格式有误，无法读取。请在 Excel 或 WPS 中重新保存为 CSV 后上传。"), code="bad_csv"
            ) from exc


def read_table(path, file_format):
    """Raw rows of the first worksheet (xlsx, xls, ods) or of the CSV, as sequences of cell values.

    The zip and the pre-scans (workbooks) or the line count and encoding (CSV) are checked here,
    before the first row.
    """
    if file_format in ("xlsx", "ods"):
        if check_zip(path) != file_format:
            raise not_a_spreadsheet()
        return _workbook_rows(path, file_format)
    if file_format == "xls":
        return _workbook_rows(path, file_format)
    return _csv_rows(path, scan_csv(path))
