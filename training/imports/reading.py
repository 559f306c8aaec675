"""Reading a trainee list (.xlsx or .csv) with its guards: no database writes here.

The file is judged by its own bytes, never by the name or content type the browser
sent. An .xlsx is a zip: its entry count, total uncompressed size and compression
ratio are checked before it is opened (zip bombs); ``training.imports.xlsx`` then reads
its first sheet with the C XML parser behind a filter that refuses any DTD, bounding the
sheet's size, rows, row and cell lengths and the shared strings while it reads, so a
hostile workbook is refused in well under a second with little memory. Formulas are kept
as their text (never evaluated). A CSV may be UTF-8 (with or without BOM) or GB18030/GBK,
what Chinese Excel writes; its lines are counted in one cheap pass before any row is read.

``read_table`` yields the raw rows of either.
"""

import codecs
import csv
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from . import xlsx

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls / .doc


def limit(name, default):
    return getattr(settings, name, default)


def max_rows():
    return limit("TRAINEE_IMPORT_MAX_ROWS", 200_000)


def max_upload_bytes():
    return limit("TRAINEE_IMPORT_MAX_BYTES", 50 * 1024 * 1024)


class ImportFileError(ValidationError):
    """The file as a whole is refused (not a spreadsheet, zip bomb, columns, empty, too big)."""


def sniff_format(head: bytes, filename: str = "") -> str:
    """'xlsx' or 'csv' from the file's own bytes; ImportFileError for anything else."""
    if not head:
        raise ImportFileError(_("文件是空的，没有学员数据。"), code="empty")
    if head.startswith(XLSX_MAGIC):
        return "xlsx"
    if head.startswith(OLE_MAGIC):
        raise ImportFileError(
            _("不支持旧版 Excel（.xls）文件，请在 Excel 中“另存为” .xlsx 或 CSV 后上传。"), code="xls"
        )
    if b"\x00" in head or not _looks_like_text(head):
        raise ImportFileError(_("文件不是 Excel（.xlsx）或 CSV 表格，请使用下载的模板。"), code="not_spreadsheet")
    return "csv"


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


def check_zip(path) -> None:
    """Refuse an .xlsx whose entries are too many, too big or compressed out of proportion."""
    max_entries = limit("TRAINEE_IMPORT_MAX_ZIP_ENTRIES", 1000)
    max_total = limit("TRAINEE_IMPORT_MAX_UNCOMPRESSED", 500 * 1024 * 1024)
    max_ratio = limit("TRAINEE_IMPORT_MAX_RATIO", 100)
    bomb = _("Excel 文件的压缩内容异常（解压后体积或文件数过大），已拒绝。请重新保存后上传。")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ImportFileError(_("文件不是有效的 Excel（.xlsx）文件。"), code="bad_zip") from exc
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
    if "xl/workbook.xml" not in names:
        raise ImportFileError(_("文件不是 Excel（.xlsx）表格，请使用下载的模板。"), code="not_xlsx")


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


def _xlsx_rows(path):
    try:
        yield from xlsx.iter_rows(path, sheet_limits())
    except xlsx.XlsxRefused as exc:
        raise ImportFileError(exc.message, code=exc.code) from exc


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
    """Raw rows of the first sheet (xlsx) or of the CSV, as tuples of cell values.

    The zip (xlsx) or the line count and encoding (CSV) are checked here, before the first row.
    """
    if file_format == "xlsx":
        check_zip(path)
        return _xlsx_rows(path)
    return _csv_rows(path, scan_csv(path))
