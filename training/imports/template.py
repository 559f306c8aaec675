"""The downloadable trainee list template (.csv and .xlsx), with the columns the import reads."""

import csv
import io

from .validation import COLUMNS

TEMPLATE_HEADERS = [header for _key, header, _required in COLUMNS]
TEMPLATE_EXAMPLE = ["张三", "", "男", "13800000000", "兰石集团", "车工"]


def template_csv() -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(TEMPLATE_HEADERS)
    writer.writerow(TEMPLATE_EXAMPLE)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def template_xlsx() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "学员名单"
    ws.append(TEMPLATE_HEADERS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.append(TEMPLATE_EXAMPLE)
    for row in ws.iter_rows(min_row=2, max_row=200, min_col=2, max_col=2):
        for cell in row:
            cell.number_format = "@"  # 身份证号 as text, or Excel rounds it to 15 digits
    for col, width in zip("ABCDEF", (12, 22, 6, 14, 28, 14), strict=True):
        ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
