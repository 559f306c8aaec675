"""Workbooks read by python-calamine (.xls, .ods, and .xlsx once pre-scanned), behind cheap guards.

calamine is fast (Rust) but not lazy: opening an .xls or .ods parses every sheet, and reading a
sheet builds its whole rectangle of cells, from the first to the last non-empty cell, in memory
(about 32 bytes a cell; its own cap is 100 million cells, 3 GB). Two cells far apart in a 6 KB
.xls made it take 1 GB, in a tiny .xlsx 6.5 GB. So nothing reaches calamine before a pre-scan
that needs little memory has bounded that rectangle:

* .xls (an OLE compound file, read with olefile): the workbook stream is at most the upload
  limit; its BIFF records are walked once (four bytes of header each) for the largest row and
  column of every cell record and DIMENSIONS record of every sheet, and the shared-string count
  the file declares. Refused: more rows than a sheet may have, a rectangle of more than
  ``max_cells`` cells over all sheets, more declared strings than that.
* .ods (a zip, already through ``check_zip``): content.xml at most ``sheet_bytes`` once
  inflated, read behind the same DTD filter as the .xlsx parts (no DTD, no entities), its
  ``<table:table-row`` and ``<table:table-cell`` tags counted in chunks before any parsing, then
  parsed by expat for the rows and columns repeated (``number-rows-repeated``): rows and columns
  count up to the last one with content, as calamine counts them.
* .xlsx: ``training.imports.xlsx.prescan`` (the same pre-scan as the portal's own reader, plus
  the largest cell reference); a sheet calamine could misplace or that holds formulas goes to
  the portal's own reader instead.

What is not guarded: calamine's own parsing of a hostile OLE directory that olefile accepted,
and in .xls/.ods a formula cell is its value as the office suite last computed it (the portal
never evaluates one, but cannot tell it from typed text there).
"""

import struct
import zipfile
from collections.abc import Iterator
from xml.parsers import expat

from django.utils.translation import gettext as _

from .xlsx import CHUNK, Limits, XlsxRefused, _NoDTD

# BIFF record types whose body starts with (row, column).
_CELL_RECORDS = {0x0006, 0x00FD, 0x0203, 0x027E, 0x0201, 0x0205, 0x0204, 0x00D6, 0x0406, 0x0606}
_MULTI_RECORDS = {0x00BD, 0x00BE}  # MULRK, MULBLANK: row, first column, …, last column
_BOF, _DIMENSIONS, _SST = 0x0809, 0x0200, 0x00FC
XLS_MAX_ROWS = 65_536
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"


def _bad_xls() -> XlsxRefused:
    return XlsxRefused(_("无法读取旧版 Excel（.xls）文件，请确认文件未损坏，或另存为 .xlsx 后上传。"), "bad_xls")


def _bad_ods() -> XlsxRefused:
    return XlsxRefused(_("无法读取 OpenDocument（.ods）表格，请确认文件未损坏，或另存为 .xlsx 后上传。"), "bad_ods")


def _too_many_rows(limits: Limits) -> XlsxRefused:
    return XlsxRefused(
        _("表格的行数过多（超过 %(max)d 行，含空行），已拒绝。请删除多余的空行或拆分后分批导入。")
        % {"max": limits.rows},
        "sheet_too_many_rows",
    )


def _too_many_cells() -> XlsxRefused:
    return XlsxRefused(
        _("表格的数据区域过大（行数乘列数超出上限），已拒绝。请删除多余的行列或拆分后分批导入。"), "too_many_cells"
    )


def check_xls(path, limits: Limits, max_cells: int) -> None:
    """Refuse an .xls whose sheets would make calamine build too many cells (see the module docstring)."""
    import olefile

    try:
        if not olefile.isOleFile(str(path)):
            raise _bad_xls()
        with olefile.OleFileIO(str(path)) as ole:
            name = next((n for n in ("Workbook", "Book") if ole.exists(n)), None)
            if name is None:
                raise _bad_xls()
            if ole.get_size(name) > limits.sheet_bytes:
                raise _too_many_cells()
            data = ole.openstream(name).read()
    except XlsxRefused:
        raise
    except Exception as exc:  # olefile raises OSError, struct.error, IndexError … on a broken file
        raise _bad_xls() from exc
    unpack = struct.unpack_from
    end = len(data)
    pos = 0
    cells = 0
    max_row = max_col = -1
    while pos + 4 <= end:
        kind, size = unpack("<HH", data, pos)
        body = pos + 4
        pos = body + size
        if kind in _CELL_RECORDS:
            if size >= 4:
                row, col = unpack("<HH", data, body)
                max_row, max_col = max(max_row, row), max(max_col, col)
        elif kind in _MULTI_RECORDS:
            if size >= 6:
                row, _first = unpack("<HH", data, body)
                (last,) = unpack("<H", data, body + size - 2)
                max_row, max_col = max(max_row, row), max(max_col, last)
        elif kind == _DIMENSIONS:
            if size >= 14:
                _r0, rows, _c0, cols = unpack("<IIHH", data, body)
                max_row, max_col = max(max_row, rows - 1), max(max_col, cols - 1)
        elif kind == _BOF:
            cells += (max_row + 1) * (max_col + 1)
            max_row = max_col = -1
        elif kind == _SST and size >= 8:
            _total, unique = unpack("<II", data, body)
            if unique > max_cells:
                raise _too_many_cells()
        if max_row >= min(limits.rows, XLS_MAX_ROWS):
            raise _too_many_rows(limits)
    cells += (max_row + 1) * (max_col + 1)
    if cells > max_cells:
        raise _too_many_cells()


def check_ods(path, limits: Limits, max_cells: int) -> None:
    """Refuse an .ods whose content.xml is too big, has a DTD, or spans too many cells."""
    with zipfile.ZipFile(path) as zf:
        try:
            info = zf.getinfo("content.xml")
        except KeyError as exc:
            raise _bad_ods() from exc
        if info.file_size > limits.sheet_bytes:
            raise XlsxRefused(
                _("表格过大（解压后超过 %(max)d MB），已拒绝。请删除多余内容或拆分后分批导入。")
                % {"max": limits.sheet_bytes // (1024 * 1024)},
                "sheet_too_big",
            )
        # Count the tags first (cheap): a flood of tiny elements is refused before expat sees it.
        rows = cells = 0
        tail = b""
        with zf.open(info) as raw:
            source = _NoDTD(raw)
            while chunk := source.read(CHUNK):
                window = tail + chunk
                start = max(0, len(tail) - 16)
                rows += window.count(b"<table:table-row", start)
                cells += window.count(b"<table:table-cell", start) + window.count(b"<table:covered-table-cell", start)
                if rows > limits.rows or cells > max_cells:
                    raise _too_many_cells() if cells > max_cells else _too_many_rows(limits)
                tail = window[-16:]
        _OdsExtent(limits, max_cells).parse(zf, info)


class _OdsExtent:
    """Rows and columns calamine will build, counting repeats, up to the last cell with content."""

    def __init__(self, limits: Limits, max_cells: int):
        self.limits, self.max_cells = limits, max_cells
        self.total = 0  # cells over the sheets already read
        self.row = 0  # rows read in this sheet, repeats included
        self.rows_used = 0  # up to the last row with content
        self.cols_used = 0
        self.row_repeat = 1
        self.col = 0
        self.row_last_col = 0
        self.cell_end = 0
        self.in_cell = False

    def start(self, name: str, attrs: dict) -> None:
        if name == f"{_TABLE} table-cell" or name == f"{_TABLE} covered-table-cell":
            repeat = _repeat(attrs.get(f"{_TABLE} number-columns-repeated"))
            self.cell_end = self.col + repeat
            self.col = self.cell_end
            self.in_cell = True
            if f"{_OFFICE} value-type" in attrs:
                self.row_last_col = self.cell_end
        elif name == f"{_TEXT} p" and self.in_cell:
            self.row_last_col = max(self.row_last_col, self.cell_end)
        elif name == f"{_TABLE} table-row":
            self.row_repeat = _repeat(attrs.get(f"{_TABLE} number-rows-repeated"))
            self.col = self.row_last_col = 0
        elif name == f"{_TABLE} table":
            self.row = self.rows_used = self.cols_used = 0

    def end(self, name: str) -> None:
        if name == f"{_TABLE} table-cell" or name == f"{_TABLE} covered-table-cell":
            self.in_cell = False
        elif name == f"{_TABLE} table-row":
            self.row += self.row_repeat
            if self.row_last_col:
                self.rows_used = self.row
                self.cols_used = max(self.cols_used, self.row_last_col)
                if self.total + self.rows_used * self.cols_used > self.max_cells:
                    raise _too_many_cells()
                if self.rows_used > self.limits.rows:
                    raise _too_many_rows(self.limits)
        elif name == f"{_TABLE} table":
            self.total += self.rows_used * self.cols_used

    def parse(self, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.StartDoctypeDeclHandler = _refuse_dtd  # _NoDTD has refused it already; twice is cheap
        parser.EntityDeclHandler = _refuse_dtd
        with zf.open(info) as raw:
            source = _NoDTD(raw)
            try:
                while chunk := source.read(CHUNK):
                    parser.Parse(chunk, False)
                parser.Parse(b"", True)
            except expat.ExpatError as exc:
                raise _bad_ods() from exc


def _repeat(text) -> int:
    if text is None:
        return 1
    if not text.isdigit() or len(text) > 9:
        raise _bad_ods()
    return max(1, int(text))


def _refuse_dtd(*args) -> None:
    raise XlsxRefused(_("Excel 文件中含有不允许的 XML 声明（DTD），已拒绝。"), "dtd")


def iter_rows(path, bad: XlsxRefused) -> Iterator[list]:
    """The first worksheet's rows as lists, placed as in the sheet (leading empty rows and columns kept).

    Empty cells are "" (None before the first column), numbers int or float (calamine gives whole numbers of .xls/.ods as
    float), text str, booleans bool, dates datetime/date/time.
    """
    from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        try:
            index = next((i for i, m in enumerate(workbook.sheets_metadata) if m.typ == SheetTypeEnum.WorkSheet), None)
            if index is None:
                raise XlsxRefused(_("文件是空的，没有学员数据。"), "empty")
            sheet = workbook.get_sheet_by_index(index)
            # iter_rows gives the rows above the first used one (empty) but starts each row at the
            # first used column: the columns to its left are put back, so cells keep their places.
            first_col = sheet.start[1] if sheet.start else 0
            if first_col:
                pad = [None] * first_col
                for row in sheet.iter_rows():
                    yield pad + row
            else:
                yield from sheet.iter_rows()
        finally:
            workbook.close()
    except (CalamineError, ValueError, OSError) as exc:
        raise bad from exc
