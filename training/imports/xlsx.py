"""The first sheet of an .xlsx as rows of cell values, with every size bounded while it is read.

An .xlsx is a zip of XML parts. openpyxl, even read-only, reads a whole sheet to size it
when the sheet has no ``<dimension>`` element, and holds the whole shared-string table as
Python strings, so a small upload could hold a worker for half a minute and grow it by
hundreds of megabytes before any row limit acted. This reader never holds more than one
row's XML and the shared strings, and it refuses a hostile part while reading it:

1. ``check_zip`` (in training.imports.reading) has already refused too many entries and absurd
   compression ratios; the declared sizes it read are enforced by zipfile while inflating.
2. A cheap pre-scan of the sheet XML, in chunks and before any parsing (``_Scanner``):
   decompressed bytes, the number of ``<row`` tags, the bytes between two rows, the longest
   run without ``<`` (one text node or attribute value), and any DTD.
3. The shared strings, scanned the same way (bytes, entries), then parsed into one UTF-8
   blob plus an array of offsets (``SharedStrings``), refusing a table with more entries than
   the sheet has text cells (plus some slack for text cells on other sheets).
4. The sheet, parsed by the C XML parser and tree builder chunk by chunk; each row is
   handed out as soon as it is complete and then dropped (``_children``), and row and
   column numbers are bounded.

``prescan`` runs steps 1–3 without parsing a cell (plus a well-formedness pass and the largest
cell reference) and says whether python-calamine may read the sheet (training.imports.workbooks):
it is several times faster, but builds the whole rectangle of cells in memory.

Values are what openpyxl gave with ``values_only=True, data_only=False``: str, int, float,
bool or None, with a formula cell as ``"=" + its formula``. Cells are placed by their
reference, so gaps are None, and a gap in row numbers yields empty rows. Number formats are
not read, so a date is its serial number (no trainee column holds a date).
"""

import posixpath
import re
import zipfile
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO
from xml.etree.ElementTree import Element, ParseError, TreeBuilder, XMLParser
from xml.parsers import expat

from django.utils.translation import gettext as _

MAX_COLUMN = 16_384  # Excel's last column, XFD
MAX_ROW_NUMBER = 1_048_576  # Excel's last row
# The shared-string table is workbook-wide: other sheets (a 说明 sheet) may hold text cells
# this sheet does not have. Entries beyond the first sheet's text cells plus this are refused.
STRINGS_SLACK = 100_000
CHUNK = 256 * 1024  # bytes inflated at a time; every bound below is at least this
SMALL_PART_BYTES = 8 * 1024 * 1024  # workbook.xml and its relationships

_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_ROOT_RE = re.compile(rb"<(?:([A-Za-z_][\w.-]*):)?(worksheet|sst|workbook|Relationships)[\s>/]")


class XlsxRefused(Exception):
    """The workbook is refused: ``message`` (Chinese, for the user) and ``code``."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True, slots=True)
class Limits:
    """The bounds of one read (from the TRAINEE_IMPORT_* settings)."""

    sheet_bytes: int  # decompressed sheet XML
    strings_bytes: int  # decompressed shared-strings XML
    rows: int  # <row> elements and row numbers, blank and formatted rows included
    cell_bytes: int  # longest run without '<': one text node or attribute value
    row_bytes: int  # bytes from one <row> (or <si>) to the next

    def __post_init__(self):
        if min(self.cell_bytes, self.row_bytes) < CHUNK + 64:
            raise ValueError("cell and row bounds must be above the scan chunk size")


def _bad() -> XlsxRefused:
    return XlsxRefused(_("无法读取 Excel 文件，请确认文件未损坏并另存为 .xlsx。"), "bad_xlsx")


def _dtd() -> XlsxRefused:
    return XlsxRefused(_("Excel 文件中含有不允许的 XML 声明（DTD），已拒绝。"), "dtd")


class _NoDTD:
    """A chunk reader over a zip member that refuses any DTD (<!DOCTYPE or <!ENTITY) as it is read.

    With no DTD there are no entities to expand and no external references to fetch, which
    is what defusedxml guards against; Excel and WPS never write a DTD. It also refuses a part
    that is not UTF-8 (or ASCII-compatible) XML: the scanner's byte patterns would not see the
    tags of a UTF-16 part.
    """

    def __init__(self, source: IO[bytes]):
        self._source = source
        self._tail = b""
        self._first = True

    def read(self, size: int = CHUNK) -> bytes:
        data = self._source.read(size)
        if self._first and data:
            self._first = False
            head = data[:1024]
            if b"\x00" in head or not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
                raise _bad()
        window = self._tail + data
        if b"<!DOCTYPE" in window or b"<!ENTITY" in window:
            raise _dtd()
        self._tail = window[-9:]
        return data


class _Scanner:
    """Counts and bounds a part's bytes in chunks, without parsing it.

    ``item`` is the repeated element (row, or si in the shared strings): the items are
    counted and the bytes from one to the next bounded; ``end`` stops the scan (the end of
    sheetData: what follows is not read). ``strings`` counts text cells (t="s").
    Patterns are searched in the previous chunk's last bytes plus the new chunk, counting
    only matches that end in the new chunk, so none is missed or counted twice.
    """

    TAIL = 24

    def __init__(
        self,
        *,
        max_bytes: int,
        max_items: int,
        max_run: int,
        max_gap: int,
        too_big: XlsxRefused,
        too_many: XlsxRefused,
        run_long: XlsxRefused,
        gap_long: XlsxRefused,
        item: bytes,
        end: bytes | None = None,
        strings: bool = False,
    ):
        self.max_bytes, self.max_items, self.max_run, self.max_gap = max_bytes, max_items, max_run, max_gap
        self.too_big, self.too_many, self.run_long, self.gap_long = too_big, too_many, run_long, gap_long
        self.item_name, self.end_name, self.count_strings = item, end, strings
        # The patterns, once the root element names the prefix (set before any use by _patterns).
        self.item: bytes = b""
        self.end: bytes | None = None
        self.total = 0  # bytes seen
        self.items = 0
        self.text_cells = 0
        self.last_lt = -1  # offset of the last '<'
        self.last_item = 0  # offset of the last item (the start of the part before the first)
        self.tail = b""
        self.done = False
        # With cells=True (prescan): what decides whether calamine may read the sheet.
        self.cells = False
        self.formulas = 0
        self.cell_tags = 0  # every <c …> tag
        self.referenced = 0  # <c r="…"> tags, whose position calamine takes from the reference
        self.columns: set[bytes] = set()  # two- and three-letter columns
        self.single_column = 0  # the last single-letter column (1 … 26)
        self.max_row = 0  # of six- and seven-digit references

    def _patterns(self, window: bytes) -> None:
        match = _ROOT_RE.search(window)
        if match is None:
            raise _bad()
        prefix = match.group(1) + b":" if match.group(1) else b""
        self.item = b"<" + prefix + self.item_name
        self.end = b"</" + prefix + self.end_name if self.end_name else None
        self.cell_patterns = (
            b"<" + prefix + b"c",
            b"<" + prefix + b"col",
            b"<" + prefix + b'c r="',
            b"<" + prefix + b"f",
        )
        self.first_letter = re.compile(b"<" + re.escape(prefix) + rb'c r="([A-Z])')
        self.wide_ref = re.compile(b"<" + re.escape(prefix) + rb'c r="([A-Z]{2,3})\d')
        self.long_row_ref = re.compile(b"<" + re.escape(prefix) + rb'c r="[A-Z]{1,3}(\d{6,7})"')

    def feed(self, chunk: bytes) -> None:
        if self.done:
            return
        base = self.total - len(self.tail)  # the window's offset in the part
        self.total += len(chunk)
        if self.total > self.max_bytes:
            raise self.too_big
        window = self.tail + chunk
        if not self.item:
            self._patterns(window)
        fresh = len(self.tail)  # where the new bytes start in the window
        if self.end is not None:
            stop = window.find(self.end, max(0, fresh - len(self.end) + 1))
            if stop != -1:
                window, self.done = window[:stop], True
        # The longest run without '<'; runs inside one window are shorter than the bound.
        first = window.find(b"<", fresh)
        if first == -1:
            if base + len(window) - self.last_lt - 1 > self.max_run:
                raise self.run_long
        else:
            if base + first - self.last_lt - 1 > self.max_run:
                raise self.run_long
            self.last_lt = base + window.rfind(b"<")
        # Items: their count, and the bytes from one to the next.
        start = max(0, fresh - len(self.item) + 1)
        first = window.find(self.item, start)
        if first == -1:
            if base + len(window) - self.last_item > self.max_gap:
                raise self.gap_long
        else:
            if base + first - self.last_item > self.max_gap:
                raise self.gap_long
            self.items += window.count(self.item, start)
            if self.items > self.max_items:
                raise self.too_many
            self.last_item = base + window.rfind(self.item)
        if self.count_strings:
            start = max(0, fresh - 5)
            self.text_cells += window.count(b' t="s"', start) + window.count(b" t='s'", start)
        if self.cells:
            self._feed_cells(window, fresh)
        self.tail = window[-self.TAIL :]

    def _feed_cells(self, window: bytes, fresh: int) -> None:
        """Cell tags, references and formulas of the window (prescan); all in C, no Python per cell."""
        c, col, ref, f = self.cell_patterns

        def since(pattern):  # matches that end in the new bytes
            return max(0, fresh - len(pattern) + 1)

        # <c …> tags (every <c… in sheetData but the <col> ones before it) against <c r="…"> ones.
        self.cell_tags += window.count(c, since(c)) - window.count(col, since(col))
        self.referenced += window.count(ref, since(ref))
        self.formulas += window.count(f, since(f))
        # The extent, as an upper bound: the last single-letter column found, or the exact one
        # of rarer two- and three-letter references; the exact row of six- and seven-digit
        # references, else at most 99,999. A reference straddling two chunks is looked for again
        # in the tail (finding one twice does no harm to a maximum).
        again = max(0, fresh - self.TAIL)
        letters = set(self.first_letter.findall(window, again))  # one-byte bytes: no new object per cell
        if letters:
            self.single_column = max(self.single_column, max(letters)[0] - 64)
        self.columns.update(self.wide_ref.findall(window, again))
        rows = self.long_row_ref.findall(window, again)
        if rows:
            self.max_row = max(self.max_row, *map(int, rows))

    def scan(self, zf: zipfile.ZipFile, name: str) -> "_Scanner":
        # With cells=True the part is also checked to be well-formed XML (expat with no handler: C
        # speed), as the portal's own reader would: calamine reads a broken sheet without a word.
        checker = expat.ParserCreate() if self.cells else None
        with zf.open(name) as raw:
            source = _NoDTD(raw)
            try:
                while True:
                    chunk = source.read(CHUNK)
                    if not chunk:
                        if checker is not None:
                            checker.Parse(b"", True)
                        break
                    if not self.done:
                        self.feed(chunk)
                    if checker is not None:
                        checker.Parse(chunk, False)
                    elif self.done:
                        break
            except expat.ExpatError as exc:
                raise _bad() from exc
        if self.item is None:
            raise _bad()  # an empty part
        return self


class SharedStrings:
    """The shared-string table as one UTF-8 blob and an array of offsets: a few bytes per entry.

    A list of Python strings costs about 60 bytes per entry on top of the text.
    """

    def __init__(self):
        self.blob = bytearray()
        self.offsets = array("Q", [0])

    def append(self, text: str) -> None:
        self.blob += text.encode("utf-8", "surrogatepass")
        self.offsets.append(len(self.blob))

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, index: int) -> str:
        if not 0 <= index < len(self.offsets) - 1:
            raise IndexError(index)
        return self.blob[self.offsets[index] : self.offsets[index + 1]].decode("utf-8", "surrogatepass")


def _children(zf: zipfile.ZipFile, name: str, path: tuple[str, ...] = ()) -> Iterator[Element]:
    """The complete children of one element of a part, each as soon as it is parsed, then dropped.

    ``path`` names the element below the root by local names (("sheetData",) in a sheet; ()
    for the root itself). The part is fed in chunks, behind _NoDTD, to the C parser and its
    C tree builder, under an element of ours (so the tree being built can be looked at
    between chunks, with no Python call per XML event): a child followed by a sibling is
    complete, so after each chunk every child but the last is handed out and removed from
    the tree. Stops reading once the element is complete.
    """
    builder = TreeBuilder()
    holder = builder.start("holder", {})
    parser = XMLParser(target=builder)
    parent = None  # the element whose children are handed out
    trail: list[tuple[Element, int]] = []  # its ancestors: when one has a child after it, it is complete
    with zf.open(name) as raw:
        source = _NoDTD(raw)
        try:
            while chunk := source.read(CHUNK):
                parser.feed(chunk)
                if parent is None:
                    parent, trail = _find(holder, path)
                    if parent is None:
                        continue
                if len(parent) > 1:
                    done = parent[:-1]
                    del parent[:-1]
                    yield from done
                if trail and len(trail[-1][0]) > trail[-1][1] + 1:
                    break  # the element is complete: what follows it is not read
            else:
                parser.close()
        except ParseError as exc:
            raise _bad() from exc
    if parent is not None:  # None: a sheet without sheetData has no rows
        yield from list(parent)


def _find(holder: Element, path: tuple[str, ...]) -> tuple[Element | None, list[tuple[Element, int]]]:
    """The element at ``path`` below the root, once parsed, and (ancestor, index of the child) pairs."""
    if not len(holder):
        return None, []
    node, trail = holder[0], []
    ns = node.tag[: node.tag.index("}") + 1] if node.tag.startswith("{") else ""
    for local in path:
        for index, child in enumerate(node):
            if child.tag == ns + local:
                trail.append((node, index))
                node = child
                break
        else:
            return None, []
    return node, trail


def _rich_text(node, t_tag: str, r_tag: str) -> str:
    """The text of an <si> or <is>: plain <t> and formatted runs <r><t>; phonetic runs <rPh> are left out."""
    parts = []
    for child in node:
        tag = child.tag
        if tag == t_tag:
            parts.append(child.text or "")
        elif tag == r_tag:
            run = child.find(t_tag)
            if run is not None:
                parts.append(run.text or "")
    return "".join(parts)


def _strings_scanner(limits: Limits, max_entries: int) -> "_StringsScanner":
    too_many = XlsxRefused(_("Excel 文件中的文本内容过多或异常（共享字符串表），已拒绝。请重新保存后上传。"), "strings")
    long_cell = XlsxRefused(_("Excel 文件中某个单元格内容过长，已拒绝。请检查表格内容后重新上传。"), "cell_too_long")
    return _StringsScanner(
        max_bytes=limits.strings_bytes,
        max_items=max_entries,
        max_run=limits.cell_bytes,
        max_gap=limits.row_bytes,
        too_big=too_many,
        too_many=too_many,
        run_long=long_cell,
        gap_long=long_cell,
        item=b"si",
    )


class _StringsScanner(_Scanner):
    def scan(self, zf: zipfile.ZipFile, name: str) -> "_Scanner":
        if zf.getinfo(name).file_size > self.max_bytes:
            raise self.too_big
        return super().scan(zf, name)


def read_shared_strings(zf: zipfile.ZipFile, name: str, limits: Limits, max_entries: int) -> SharedStrings:
    too_many = _strings_scanner(limits, max_entries).scan(zf, name).too_many
    table = SharedStrings()
    si = t = r = ""
    for node in _children(zf, name):
        if not si:
            ns = node.tag[: node.tag.index("}") + 1] if node.tag.startswith("{") else ""
            si, t, r = f"{ns}si", f"{ns}t", f"{ns}r"
        if node.tag == si:
            # As openpyxl: an escaped underscore (_x005F_) is left as the bare escape text.
            table.append(_rich_text(node, t, r).replace("x005F_", ""))
    if len(table) > max_entries:
        raise too_many
    return table


def _first_sheet(zf: zipfile.ZipFile, names: set[str]) -> tuple[str | None, str | None]:
    """The first worksheet's part and the shared strings' part, as the workbook names them.

    Falls back to xl/worksheets/sheet1.xml and xl/sharedStrings.xml when the workbook's
    relationships do not name them.
    """
    sheet = strings = None
    rels_name = "xl/_rels/workbook.xml.rels"
    if rels_name in names:
        targets, kinds = {}, {}
        for node in _small_tree(zf, rels_name).iter():
            if node.tag == f"{_PKG_REL_NS}Relationship":
                rid, target, kind = node.get("Id"), node.get("Target") or "", node.get("Type") or ""
                path = (
                    target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
                )
                targets[rid], kinds[rid] = path, kind.rsplit("/", 1)[-1]
                if kinds[rid] == "sharedStrings":
                    strings = path
        for node in _small_tree(zf, "xl/workbook.xml").iter():
            if node.tag.endswith("}sheet") and sheet is None:
                rid = node.get(f"{_REL_NS}id")
                # wb.worksheets in openpyxl: chartsheets and dialog sheets are not worksheets.
                if kinds.get(rid) == "worksheet" and targets[rid] in names:
                    sheet = targets[rid]
    if sheet is None and "xl/worksheets/sheet1.xml" in names:
        sheet = "xl/worksheets/sheet1.xml"
    if strings is None and "xl/sharedStrings.xml" in names:
        strings = "xl/sharedStrings.xml"
    if strings is not None and strings not in names:
        strings = None
    return sheet, strings


def _small_tree(zf: zipfile.ZipFile, name: str) -> Element:
    """A small part (workbook.xml, its relationships) as a tree, behind _NoDTD; refused above 8 MB."""
    if zf.getinfo(name).file_size > SMALL_PART_BYTES:
        raise _bad()
    parser = XMLParser()
    with zf.open(name) as raw:
        source = _NoDTD(raw)
        try:
            while chunk := source.read(CHUNK):
                parser.feed(chunk)
            return parser.close()
        except ParseError as exc:
            raise _bad() from exc


_COLUMNS: dict[str, int] = {}


def _column(ref: str) -> int:
    """The column number (1-based) of a cell reference such as "AB12" (remembered in _COLUMNS)."""
    letters = ref.rstrip("0123456789")
    if not letters or len(letters) > 3 or not all("A" <= ch <= "Z" for ch in letters):
        raise _bad()
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - 64
    if number > MAX_COLUMN:
        raise _bad()
    _COLUMNS[letters] = number
    return number


@dataclass(frozen=True, slots=True)
class Prescan:
    """What the pre-scan of the first worksheet found: whether calamine may read it, and its extent."""

    calamine: bool
    rows: int
    columns: int


def prescan(path, limits: Limits, max_cells: int) -> Prescan:
    """The guards of ``iter_rows`` without reading any cell: the sheet and shared strings scanned.

    Refuses what ``iter_rows`` refuses before parsing (size, rows, runs, DTD, string flood). Says
    calamine may read the workbook only when every cell carries its reference (calamine would
    place one without it where the bounds here do not look), no cell holds a formula (calamine
    gives its cached value; the import refuses formulas by their text), the rectangle from A1 to
    the last reference holds at most ``max_cells`` cells, and no other part calamine opens
    (workbook, styles) is larger than a small part.
    """
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise _bad() from exc
    with zf:
        try:
            return _prescan(zf, limits, max_cells)
        except (zipfile.BadZipFile, EOFError, OSError, KeyError, ValueError, IndexError, OverflowError) as exc:
            raise _bad() from exc


def _prescan(zf: zipfile.ZipFile, limits: Limits, max_cells: int) -> Prescan:
    names = set(zf.namelist())
    sheet, strings_name = _first_sheet(zf, names)
    if sheet is None:
        raise XlsxRefused(_("文件是空的，没有学员数据。"), "empty")
    scan = _sheet_scanner(limits)
    scan.cells = True
    if zf.getinfo(sheet).file_size > limits.sheet_bytes:
        raise scan.too_big
    scan.scan(zf, sheet)
    if strings_name is not None:
        _strings_scanner(limits, scan.text_cells + STRINGS_SLACK).scan(zf, strings_name)
    columns = max((_letters_number(c) for c in scan.columns), default=scan.single_column)
    if scan.max_row > limits.rows or scan.max_row > MAX_ROW_NUMBER:
        raise scan.too_many
    rows = scan.max_row or min(99_999, limits.rows)
    small = all(
        info.file_size <= SMALL_PART_BYTES
        for info in zf.infolist()
        if info.filename not in (sheet, strings_name) and not info.filename.startswith("xl/worksheets/")
    )
    fast = (
        small
        and scan.formulas == 0
        and scan.cell_tags == scan.referenced
        and columns <= MAX_COLUMN
        and rows * columns <= max_cells
    )
    return Prescan(calamine=fast, rows=rows, columns=columns)


def _letters_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ch - 64
    return number


def iter_rows(path, limits: Limits) -> Iterator[tuple]:
    """The rows of the workbook's first worksheet, as tuples of values (see the module docstring)."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise _bad() from exc
    with zf:
        try:
            yield from _rows(zf, limits)
        except (zipfile.BadZipFile, EOFError, OSError, KeyError, ValueError, IndexError, OverflowError) as exc:
            # A truncated or corrupt member, a bad CRC, a missing part, a bad number or index.
            raise _bad() from exc


def _rows(zf: zipfile.ZipFile, limits: Limits) -> Iterator[tuple]:
    names = set(zf.namelist())
    sheet, strings_name = _first_sheet(zf, names)
    if sheet is None:
        raise XlsxRefused(_("文件是空的，没有学员数据。"), "empty")

    scan = _sheet_scanner(limits)
    too_many = scan.too_many
    if zf.getinfo(sheet).file_size > limits.sheet_bytes:
        raise scan.too_big
    scan.scan(zf, sheet)
    shared = SharedStrings()
    if strings_name is not None and scan.text_cells:
        shared = read_shared_strings(zf, strings_name, limits, scan.text_cells + STRINGS_SLACK)

    expected = 1  # the next row number openpyxl would yield
    number = 0
    row_tag = None
    for row in _children(zf, sheet, ("sheetData",)):
        if row_tag is None:
            ns = row.tag[: row.tag.index("}") + 1] if row.tag.startswith("{") else ""
            row_tag = ns + "row"
            tags = tuple(ns + x for x in ("c", "v", "f", "is", "t", "r"))
        if row.tag != row_tag:
            continue
        r = row.get("r")
        if r is None:
            number += 1
        else:
            number = int(r) if r.isdigit() else _integral(r)
        if number > limits.rows or number > MAX_ROW_NUMBER:
            raise too_many
        if number < expected:
            continue  # a row number going backwards: openpyxl skips it too
        while expected < number:
            expected += 1
            yield ()  # a missing row is an empty row, so later rows keep their spreadsheet numbers
        expected += 1
        yield _row_values(row, tags, shared)


def _sheet_scanner(limits: Limits) -> _Scanner:
    return _Scanner(
        max_bytes=limits.sheet_bytes,
        max_items=limits.rows,
        max_run=limits.cell_bytes,
        max_gap=limits.row_bytes,
        too_big=XlsxRefused(
            _("Excel 文件的工作表过大（解压后超过 %(max)d MB），已拒绝。请删除多余内容或拆分后分批导入。")
            % {"max": limits.sheet_bytes // (1024 * 1024)},
            "sheet_too_big",
        ),
        too_many=XlsxRefused(
            _("Excel 文件的工作表行数过多（超过 %(max)d 行，含空行），已拒绝。请删除多余的空行或拆分后分批导入。")
            % {"max": limits.rows},
            "sheet_too_many_rows",
        ),
        run_long=XlsxRefused(_("Excel 文件中某个单元格内容过长，已拒绝。请检查表格内容后重新上传。"), "cell_too_long"),
        gap_long=XlsxRefused(_("Excel 文件中某一行的内容过多，已拒绝。请检查表格内容后重新上传。"), "row_too_long"),
        item=b"row",
        end=b"sheetData",
        strings=True,
    )


def _integral(text: str) -> int:
    """A row number written as "3.0" (some writers do), as openpyxl accepts it."""
    number = float(text)
    if not number.is_integer():
        raise _bad()
    return int(number)


def _row_values(row: Element, tags: tuple[str, ...], shared: "SharedStrings") -> tuple:
    """The cell values of one <row>, placed by reference (gaps are None)."""
    c_tag, v_tag, f_tag, is_tag, t_tag, r_tag = tags
    blob, offsets, count = shared.blob, shared.offsets, len(shared)
    values: list[object] = []
    column = 0
    value: object
    for cell in row:
        if cell.tag != c_tag:
            continue
        ref = cell.get("r")
        if ref is None:
            column += 1
            if column > MAX_COLUMN:
                raise _bad()
        else:
            column = _COLUMNS.get(ref.rstrip("0123456789")) or _column(ref)
        kind = cell.get("t")
        if cell.find(f_tag) is not None:
            # Formulas are never evaluated: the cell is its formula text, which validation refuses.
            value = "=" + (cell.findtext(f_tag) or "")
        elif kind == "s":
            number = cell.findtext(v_tag)
            if number:
                index = int(number)
                if not 0 <= index < count:
                    raise _bad()
                value = blob[offsets[index] : offsets[index + 1]].decode("utf-8", "surrogatepass")
            else:
                value = None
        elif kind == "inlineStr":
            inline = cell.find(is_tag)
            value = None if inline is None else _rich_text(inline, t_tag, r_tag)
        else:
            text = cell.findtext(v_tag) or None
            value = text
            if text is None:
                pass
            elif kind is None or kind == "n":
                # As openpyxl casts a number: float when written with a point or an exponent, else int.
                value = float(text) if "." in text or "E" in text or "e" in text else int(text)
            elif kind == "b":
                value = bool(int(text))
        # else "str" (a formula's cached text), "e" (an error such as #N/A), "d" (an ISO date): the text
        width = len(values)
        if column == width + 1:
            values.append(value)
        elif column > width:
            values.extend([None] * (column - width - 1))
            values.append(value)
        else:
            values[column - 1] = value
    return tuple(values)
