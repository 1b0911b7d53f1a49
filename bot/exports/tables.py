"""The one export layer: every table the office or the public downloads leaves through here.

A `Table` (title, header, rows) becomes CSV (UTF-8 with a BOM, for Excel on Chinese Windows) or a
sheet of an XLSX workbook. Whatever the cells hold — a resident's text included — the file opens
as data, never as a formula, and is always written:

- characters XML 1.0 forbids (C0 controls but tab/newline/return, U+FFFE/U+FFFF, lone surrogates)
  are stripped, in both forms, so a `\\x0b` in a suggestion cannot stop an export;
- a text starting with `= + - @`, a tab or a carriage return is neutralised: in CSV by a leading
  `'` (the OWASP rule for spreadsheet-bound CSV); in XLSX the cell is typed as text (openpyxl's
  data_type "s", never "f") and carries Excel's quotePrefix style, so neither opening the file
  nor editing the cell evaluates it;
- numbers stay numbers (a count, an amount), None is an empty cell.

Labels are the caller's business (translated through the catalogues before they get here).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

Row = Sequence[object]

# XML 1.0's Char production, negated (plus the surrogates a Python str may carry alone).
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# What spreadsheet programs read as the start of a formula (or use to smuggle one in).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
EXCEL_CELL_LIMIT = 32767  # characters a cell can hold; openpyxl cuts longer texts there


@dataclass
class Table:
    name: str  # the sheet's title and the CSV's file name
    header: list[str]
    rows: list[Row] = field(default_factory=list)


def xml_safe(text: str) -> str:
    """`text` without the characters XML 1.0 cannot carry; everything else is kept."""
    return _XML_FORBIDDEN.sub("", text)


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_START)


def _text(value: object) -> str:
    return xml_safe(value if isinstance(value, str) else str(value))


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def csv_cell(value: object) -> object:
    """A cell as the CSV writer gets it: numbers as they are, text cleaned and neutralised."""
    if value is None:
        return ""
    if _is_number(value):
        return value
    text = _text(value)
    return "'" + text if is_formula_like(text) else text


def to_csv(header: Row, rows: Sequence[Row]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_cell(value) for value in header])
    writer.writerows([csv_cell(value) for value in row] for row in rows)
    # UTF-8 with a BOM, so that Excel opens Chinese text correctly.
    return buffer.getvalue().encode("utf-8-sig")


def _put_row(sheet, row: int, values: Row) -> None:  # type: ignore[no-untyped-def]
    """One row of typed cells: text is a string cell whatever it looks like."""
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column)
        if value is None or value == "":
            continue
        if _is_number(value):
            cell.value = float(value) if isinstance(value, Decimal) else value
            continue
        # XML reads a carriage return as a line feed anyway: say so rather than leave it to chance.
        text = _text(value).replace("\r\n", "\n").replace("\r", "\n")[:EXCEL_CELL_LIMIT]
        if not text:
            continue
        cell.value = text
        cell.data_type = "s"  # openpyxl guesses "f" for "=…" and "e" for "#N/A": text it is
        if is_formula_like(text):
            cell.quotePrefix = True  # Excel keeps it text even when the cell is edited


def write_sheet(book, table: Table) -> None:  # type: ignore[no-untyped-def]
    sheet = book.create_sheet(xml_safe(table.name)[:31])
    for number, values in enumerate([table.header, *table.rows], start=1):
        _put_row(sheet, number, values)


def workbook(tables: Sequence[Table]) -> bytes:
    """The tables as one XLSX workbook, a sheet each."""
    from openpyxl import Workbook  # 20 MB with numpy: loaded when an office asks for a file

    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for table in tables:
        write_sheet(book, table)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def to_xlsx(title: str, header: Row, rows: Sequence[Row]) -> bytes:
    return workbook([Table(title, list(header), list(rows))])  # type: ignore[arg-type]


def csv_files(tables: Sequence[Table]) -> dict[str, bytes]:
    return {f"{table.name}.csv": to_csv(table.header, table.rows) for table in tables}
