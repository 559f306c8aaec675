"""CSV and Excel exports of list pages.

Every cell that a spreadsheet would read as a formula is neutralised: a value
starting with = + - @, a tab or a carriage return is prefixed with an apostrophe
so that Excel and WPS show it as text (CSV/formula injection).
"""

import csv
import io
from datetime import date, datetime

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value):
    """A cell value safe to open in a spreadsheet program."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(value) else value
    if isinstance(value, (int, float, date)):
        return value
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def resolve(obj, accessor, labels=None):
    """The value at a dotted path; a choice field gives its label (from ``labels`` when known)."""
    if callable(accessor):
        return accessor(obj)
    value = obj
    for part in accessor.split("."):
        if labels is not None and part in labels.get(type(value), {}):
            value = labels[type(value)][part].get(getattr(value, part), getattr(value, part))
        else:
            display = getattr(value, f"get_{part}_display", None)
            value = display() if display else getattr(value, part, None)
        if value is None:
            return None
    return value() if callable(value) else value


def choice_labels(model):
    """{field name: {value: translated label}} of a model's choice fields, built once per export:
    get_FOO_display() translates the lazy labels again on every row."""
    return {
        f.name: {value: str(label) for value, label in f.flatchoices} for f in model._meta.concrete_fields if f.choices
    }


def export_rows(queryset, fields):
    yield [header for header, _accessor in fields]
    labels = {queryset.model: choice_labels(queryset.model)}
    rows = queryset.iterator(chunk_size=2000) if not queryset._prefetch_related_lookups else queryset
    for obj in rows:
        yield [neutralise(resolve(obj, accessor, labels)) for _header, accessor in fields]


def export_response(queryset, fields, name, fmt):
    stamp = timezone.localdate().strftime("%Y%m%d")
    filename = f"{name}-{stamp}"
    if fmt == "xlsx":
        return xlsx_response(export_rows(queryset, fields), filename)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 CSV with Chinese correctly only with a BOM
    writer = csv.writer(response)
    for row in export_rows(queryset, fields):
        writer.writerow(row)
    return response


def xlsx_response(rows, filename, sheet_title=None):
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=(sheet_title or "Sheet1")[:31])
    for row in rows:
        # Strings are written as inline text cells; openpyxl would store a leading "=" as a formula.
        ws.append([_xlsx_cell(ws, v) for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    response = HttpResponse(buf.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def _xlsx_cell(ws, value):
    from openpyxl.cell import WriteOnlyCell

    value = neutralise(value)
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell
