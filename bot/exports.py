"""Tables for the office: the same rows as CSV and as XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

Row = Sequence[object]


def to_csv(header: Row, rows: Sequence[Row]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    # UTF-8 with a BOM, so that Excel opens Chinese text correctly.
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(title: str, header: Row, rows: Sequence[Row]) -> bytes:
    from openpyxl import Workbook  # 20 MB with numpy: loaded when an office asks for a file

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
