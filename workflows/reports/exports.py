"""A report as CSV (semicolon-separated, UTF-8 with BOM, as German spreadsheet programs open
it) and as XLSX (one sheet, a bold header, numbers as numbers where they may be shown). Both
hold exactly what the page shows: small cells as "< 5", withheld shares and medians as "–",
covered parts as "x".
"""

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font

from workflows.reports.figures import Report

HEADER = ("Bereich", "Kennzahl", "Wert")


def _title(report: Report) -> str:
    offices = ", ".join(report.offices)
    return f"lokal willkommen – Bericht {report.first:%d.%m.%Y}–{report.last:%d.%m.%Y} ({offices})"


def filename(report: Report, suffix: str) -> str:
    return f"bericht-{report.first.isoformat()}-{report.last.isoformat()}.{suffix}"


def as_csv(report: Report) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([_title(report)])
    writer.writerow(HEADER)
    for section in report.sections:
        for row in section.rows:
            writer.writerow((section.title, row.label, row.cell.text()))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def as_xlsx(report: Report) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Bericht"
    sheet.append([_title(report)])
    sheet["A1"].font = Font(bold=True, size=12)
    sheet.append(list(HEADER))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for section in report.sections:
        for row in section.rows:
            sheet.append([section.title, row.label, row.cell.number()])
            if row.cell.kind == "share" and not row.cell.suppressed:
                sheet.cell(row=sheet.max_row, column=3).number_format = "0%"
    sheet.column_dimensions["A"].width = 48
    sheet.column_dimensions["B"].width = 56
    sheet.column_dimensions["C"].width = 12
    sheet.freeze_panes = "A3"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
