"""Hostile uploads: every one refused in under 2 s, with the process growing by under 50 MB.

Each file is built here (small once compressed, and within check_zip's entry-size and
ratio limits, so that the bounds applied while reading are what refuse it), then uploaded
twice: in a fresh process through training.services.stage_import (import_probe.py), where
time and peak memory are measured, and in this process through the same service with the
database, to check the message and that nothing was stored.
"""

import json
import os
import random
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from training import imports
from training.imports import xlsx

from .factories import TrainingSessionFactory
from .test_import import HEADER, csv_bytes, refused, rows, xlsx_bytes

MAX_SECONDS = 2.0
MAX_GROWTH_MB = 50
PROBE = Path(__file__).with_name("import_probe.py")
ROOT = Path(__file__).resolve().parents[2]
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
SHEET_HEAD = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{NS}"><sheetData>'.encode()
SHEET_TAIL = b"</sheetData></worksheet>"
HEADER_ROW = (
    b'<row r="1">'
    + b"".join(f'<c r="{"ABCDEF"[i]}1" t="inlineStr"><is><t>{h}</t></is></c>'.encode() for i, h in enumerate(HEADER))
    + b"</row>"
)


@pytest.fixture
def session(org, other_org):
    return TrainingSessionFactory(provider=org, beneficiaries=[other_org], declared_headcount=40)


def write_workbook(path: Path, sheet_chunks, strings_chunks=None) -> Path:
    """A minimal .xlsx as Excel lays it out, its sheet (and shared strings) written chunk by chunk."""
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            + (
                '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
                'officedocument.spreadsheetml.sharedStrings+xml"/>'
                if strings_chunks
                else ""
            )
            + "</Types>"
        ),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}"><Relationship Id="rId1" '
            f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{NS}" xmlns:r="{REL}"><sheets>'
            '<sheet name="学员名单" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}">'
            f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
        ),
    }
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name, text in parts.items():
            zf.writestr(name, text)
        for name, chunks in (("xl/worksheets/sheet1.xml", sheet_chunks), ("xl/sharedStrings.xml", strings_chunks)):
            if chunks is not None:
                with zf.open(name, "w", force_zip64=True) as fh:
                    for chunk in chunks:
                        fh.write(chunk)
    imports.check_zip(path)  # the shape must get past today's zip checks, or the test proves nothing
    return path


def probe(tmp_path: Path, path: Path, name: str, warmup: bytes) -> dict:
    """stage_import of the file in a fresh process: its refusal, seconds and memory growth."""
    warm = tmp_path / f"warmup-{name}"
    warm.write_bytes(warmup)
    env = {
        **os.environ,
        "MEDIA_ROOT": str(tmp_path / "probe-media"),
        "DJANGO_SETTINGS_MODULE": "consortium.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
    }
    done = subprocess.run(
        [sys.executable, str(PROBE), str(path), name, str(warm)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    print(
        f"{name}: {path.stat().st_size / 1e6:.1f} MB, refused in {report['seconds']:.3f} s, "
        f"peak RSS growth {report['growth_mb']:.1f} MB: {report['messages']}"
    )
    return report


def check(report: dict, message: str) -> None:
    assert report["refused"] and report["kind"] == "ImportFileError", report
    assert report["messages"] == [message], report
    assert report["stored"] == 0 and report["files_left"] == [], report
    assert report["seconds"] < MAX_SECONDS, report
    assert report["growth_mb"] < MAX_GROWTH_MB, report


def header_only_xlsx() -> bytes:
    """The warm-up upload: read through, refused for having no trainees."""
    return xlsx_bytes([])


def sprinkled(unit: bytes, total: int, every: int, seed: int):
    """``unit`` repeated up to ``total`` bytes, a random number after every ``every`` units.

    The random numbers keep the compression ratio below check_zip's 100:1, so that the
    file passes the zip checks and only the reader's bounds stand in its way.
    """
    rng = random.Random(seed)
    block = unit * every
    written = 0
    while written < total:
        piece = b"".join(block + b"%d" % rng.getrandbits(64) for _ in range(64))
        written += len(piece)
        yield piece


def test_a_deflate_bomb_sheet_is_refused_quickly(tmp_path, session, staff_user):
    """150 MB of ordinary-looking rows (no <dimension>) packed into about 2 MB."""
    rng = random.Random(1)
    cells = b'<c t="n"><v>1</v></c>' * 200

    def sheet():
        yield SHEET_HEAD + HEADER_ROW
        written, number = 0, 1
        while written < 150 * 1024 * 1024:
            chunk = b"".join(
                b'<row r="%d">' % (number + i) + cells + b'<c t="n"><v>%d</v></c></row>' % rng.getrandbits(64)
                for i in range(1, 101)
            )
            number += 100
            written += len(chunk)
            yield chunk
        yield SHEET_TAIL

    path = write_workbook(tmp_path / "bomb.xlsx", sheet())
    assert path.stat().st_size < 3_000_000
    message = "Excel 文件的工作表过大（解压后超过 128 MB），已拒绝。请删除多余内容或拆分后分批导入。"
    check(probe(tmp_path, path, "bomb.xlsx", header_only_xlsx()), message)
    assert refused(session, staff_user, "bomb.xlsx", path.read_bytes()) == [message]


def test_millions_of_tiny_rows_are_refused_quickly(tmp_path, session, staff_user):
    """Three million empty <row/> elements (a header, then nothing) in about 1 MB."""

    def sheet():
        yield SHEET_HEAD + HEADER_ROW
        number = 1
        for _ in range(3_000_000 // 1000):
            # Every 25th row says its number: it costs the packer more than 25 bare rows.
            chunk = b"".join(b"<row/>" * 24 + b'<row r="%d"/>' % (number + 25 * (i + 1)) for i in range(40))
            number += 1000
            yield chunk
        yield SHEET_TAIL

    path = write_workbook(tmp_path / "rows.xlsx", sheet())
    assert path.stat().st_size < 3_000_000
    limit = imports.max_sheet_rows()
    message = f"Excel 文件的工作表行数过多（超过 {limit} 行，含空行），已拒绝。请删除多余的空行或拆分后分批导入。"
    check(probe(tmp_path, path, "rows.xlsx", header_only_xlsx()), message)
    assert refused(session, staff_user, "rows.xlsx", path.read_bytes()) == [message]


def test_a_huge_shared_string_table_is_refused_quickly(tmp_path, session, staff_user):
    """A sheet with six text cells and a shared-string table of 1.5 million entries."""
    header = (
        b'<row r="1">'
        + b"".join(
            b'<c r="%s1" t="s"><v>%d</v></c>' % (col, i) for i, col in enumerate([b"A", b"B", b"C", b"D", b"E", b"F"])
        )
        + b"</row>"
    )

    def strings():
        yield f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS}">'.encode()
        yield "".join(f"<si><t>{h}</t></si>" for h in HEADER).encode()
        yield from sprinkled("<si><t>兰州新区学员</t></si>".encode(), 1_500_000 * 30, 20, seed=3)
        yield b"</sst>"

    path = write_workbook(tmp_path / "strings.xlsx", [SHEET_HEAD + header + SHEET_TAIL], strings())
    assert path.stat().st_size < 3_000_000
    message = "Excel 文件中的文本内容过多或异常（共享字符串表），已拒绝。请重新保存后上传。"
    check(probe(tmp_path, path, "strings.xlsx", header_only_xlsx()), message)
    assert refused(session, staff_user, "strings.xlsx", path.read_bytes()) == [message]


def test_a_huge_single_cell_is_refused_quickly(tmp_path, session, staff_user):
    """One inline-string cell of 60 MB of text."""

    def sheet():
        yield SHEET_HEAD + HEADER_ROW + b'<row r="2"><c r="A2" t="inlineStr"><is><t>'
        yield from sprinkled("兰州新区产教联合体学员培训名单".encode(), 60 * 1024 * 1024, 20, seed=4)
        yield b"</t></is></c></row>" + SHEET_TAIL

    path = write_workbook(tmp_path / "cell.xlsx", sheet())
    assert path.stat().st_size < 3_000_000
    message = "Excel 文件中某个单元格内容过长，已拒绝。请检查表格内容后重新上传。"
    check(probe(tmp_path, path, "cell.xlsx", header_only_xlsx()), message)
    assert refused(session, staff_user, "cell.xlsx", path.read_bytes()) == [message]


def test_a_csv_with_millions_of_lines_is_refused_quickly(tmp_path, session, staff_user):
    """A 44 MB CSV (under the 50 MB upload limit): a header and eleven million near-empty lines."""
    content = csv_bytes(rows(1)) + b",,\r\n" * 11_000_000
    path = tmp_path / "lines.csv"
    path.write_bytes(content)
    limit = imports.max_sheet_rows()
    message = f"CSV 文件行数过多（超过 {limit} 行，含空行），已拒绝。请删除多余的空行或拆分后分批导入。"
    check(probe(tmp_path, path, "lines.csv", csv_bytes([])), message)
    assert refused(session, staff_user, "lines.csv", content) == [message]


def test_a_csv_with_one_enormous_line_is_refused_quickly(tmp_path, session, staff_user):
    content = csv_bytes(rows(1)) + b"x" * (40 * 1024 * 1024)
    path = tmp_path / "line.csv"
    path.write_bytes(content)
    message = "CSV 文件中某一行内容过长，已拒绝。请检查文件内容后重新上传。"
    check(probe(tmp_path, path, "line.csv", csv_bytes([])), message)
    assert refused(session, staff_user, "line.csv", content) == [message]


def test_the_reader_bounds_are_above_its_chunk_size():
    with pytest.raises(ValueError):
        xlsx.Limits(sheet_bytes=1 << 30, strings_bytes=1 << 30, rows=10, cell_bytes=1000, row_bytes=1 << 20)


# -- the reader's cell types, against what openpyxl reads --------------------


def _trimmed(row):
    row = list(row)
    while row and row[-1] is None:
        row.pop()
    return row


def test_the_reader_gives_what_openpyxl_gives_for_every_kind_of_cell(tmp_path):
    from openpyxl import load_workbook

    sheet = (
        SHEET_HEAD
        + b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="inlineStr"><is><t>  \xe5\xa7\x93 </t></is></c>'
        b'<c r="D1" t="inlineStr"><is><r><rPr><b/></rPr><t>\xe5\x85\xb0\xe7\x9f\xb3</t></r><r><t>\xe9\x9b\x86\xe5\x9b\xa2'
        b'</t></r><rPh sb="0" eb="1"><t>x</t></rPh></is></c></row>'
        b'<row r="2"><c r="A2"><v>13900001111</v></c><c r="B2"><v>1.5</v></c><c r="C2" t="n"><v>2.0</v></c>'
        b'<c r="D2" t="b"><v>1</v></c><c r="E2" t="b"><v>0</v></c><c r="F2" t="e"><v>#N/A</v></c>'
        b'<c r="G2" t="str"><f>A2&amp;""</f><v>13900001111</v></c><c r="H2"><f>1+1</f><v>2</v></c>'
        b'<c r="I2" t="str"><v>text</v></c><c r="J2" s="3"/><c r="K2"><v>6.2010219900101E+17</v></c></row>'
        b'<row r="5"><c r="A5" t="s"><v>2</v></c><c r="B5" t="s"><v>1</v></c></row>'  # rows 3 and 4 missing
        b'<row><c t="inlineStr"><is><t>a</t></is></c><c><v>7</v></c><c r="E6"><v>8</v></c><c><v>9</v></c></row>'
        b'<row r="4"><c r="A4"><v>1</v></c></row>'  # a row number going backwards is skipped
         + SHEET_TAIL
    )
    strings = [
        f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS}">'.encode(),
        "<si><t>姓名</t></si><si><r><t>兰</t></r><r><t>州</t></r></si><si><t>a_x005F_x000D_b</t></si>".encode(),
        b"</sst>",
    ]
    path = write_workbook(tmp_path / "kinds.xlsx", [sheet], strings)
    ours = [_trimmed(r) for r in imports.read_table(path, "xlsx")]
    wb = load_workbook(path, read_only=True, data_only=False)
    theirs = [_trimmed(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    wb.close()
    assert ours == theirs
    assert ours == [
        ["姓名", None, "  姓 ", "兰石集团"],
        [13900001111, 1.5, 2.0, True, False, "#N/A", '=A2&""', "=1+1", "text", None, 6.2010219900101e17],
        [],
        [],
        ["a_x000D_b", "兰州"],
        ["a", 7, None, None, 8, 9],
    ]
    assert [type(v) for v in ours[1][:3]] == [int, float, float]


def test_a_gap_in_row_numbers_keeps_the_spreadsheet_row_numbers_in_messages(tmp_path, session, staff_user):
    good = rows(2)

    def cells(number, values):
        return (
            b'<row r="%d">' % number
            + b"".join(
                f'<c r="{"ABCDEF"[i]}{number}" t="inlineStr"><is><t>{v}</t></is></c>'.encode()
                for i, v in enumerate(values)
            )
            + b"</row>"
        )

    bad = list(good[1])
    bad[3] = "123"
    sheet = SHEET_HEAD + cells(1, HEADER) + cells(3, good[0]) + cells(7, bad) + SHEET_TAIL
    path = write_workbook(tmp_path / "gap.xlsx", [sheet])
    assert refused(session, staff_user, "gap.xlsx", path.read_bytes()) == [
        "第7行「手机号」：手机号应为以1开头的11位数字。"
    ]


def test_a_namespace_prefixed_sheet_is_read(tmp_path):
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?><x:worksheet xmlns:x="{NS}"><x:sheetData>'
        '<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>姓名</x:t></x:is></x:c><x:c r="B1"><x:v>5</x:v></x:c>'
        "</x:row></x:sheetData></x:worksheet>"
    ).encode()
    path = write_workbook(tmp_path / "prefixed.xlsx", [sheet])
    assert [list(r) for r in imports.read_table(path, "xlsx")] == [["姓名", 5]]


@pytest.mark.parametrize(
    "sheet",
    [
        SHEET_HEAD + b'<row r="1"><c r="A1" t="s"><v>9</v></c></row>' + SHEET_TAIL,  # no such shared string
        SHEET_HEAD + b'<row r="1"><c r="1A"><v>1</v></c></row>' + SHEET_TAIL,  # not a cell reference
        SHEET_HEAD + b'<row r="1"><c r="A1"><v>1</v></c>' + SHEET_TAIL,  # not well-formed
        "\ufeff<?xml version='1.0' encoding='UTF-16'?><worksheet/>".encode("utf-16"),
    ],
)
def test_a_broken_sheet_is_refused_as_unreadable(tmp_path, sheet):
    path = write_workbook(tmp_path / "broken.xlsx", [sheet])
    with pytest.raises(imports.ImportFileError) as info:
        list(imports.read_table(path, "xlsx"))
    assert info.value.messages == ["无法读取 Excel 文件，请确认文件未损坏并另存为 .xlsx。"]
