"""The trainee list import: reading a file with its guards, checking its rows, the person key.

``reading`` (CSV, .xlsx, .xls and .ods with the zip, size and line guards; ``xlsx`` is the
bounded .xlsx reader and pre-scan, ``workbooks`` the python-calamine reader and the .xls/.ods guards), ``validation`` (rows to clean rows and errors by row and column), ``keys``
(the keyed hash of a 身份证号 and the person key) and ``template`` (the downloadable
template). No database writes here: ``training.services`` stages and stores the rows.
"""

from .keys import PERSON_KEY_HEX, hash_id_number, keyed_hash, normalise_id_number, person_key_for
from .reading import (
    ImportFileError,
    check_zip,
    detect_format,
    max_cells,
    max_line_bytes,
    max_rows,
    max_sheet_rows,
    max_upload_bytes,
    read_table,
    scan_csv,
    sheet_limits,
    sniff_format,
)
from .template import TEMPLATE_EXAMPLE, TEMPLATE_HEADERS, template_csv, template_xlsx
from .validation import (
    COLUMNS,
    LABELS,
    CleanRow,
    ImportResult,
    RowError,
    cell_text,
    describe_header,
    is_number_cell,
    map_header,
    read_and_validate,
    validate,
)

__all__ = [
    "COLUMNS",
    "LABELS",
    "PERSON_KEY_HEX",
    "TEMPLATE_EXAMPLE",
    "TEMPLATE_HEADERS",
    "CleanRow",
    "ImportFileError",
    "ImportResult",
    "RowError",
    "cell_text",
    "describe_header",
    "is_number_cell",
    "check_zip",
    "detect_format",
    "hash_id_number",
    "keyed_hash",
    "map_header",
    "max_cells",
    "max_line_bytes",
    "max_rows",
    "max_sheet_rows",
    "max_upload_bytes",
    "normalise_id_number",
    "person_key_for",
    "read_and_validate",
    "read_table",
    "scan_csv",
    "sheet_limits",
    "sniff_format",
    "template_csv",
    "template_xlsx",
    "validate",
]
