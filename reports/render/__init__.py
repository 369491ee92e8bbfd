"""Renderers of a compiled report: XLSX (annex tables), DOCX (the Party format), PDF.

``render_all(report)`` returns ``{file field name: (file name, bytes)}`` for the report's
``xlsx_file``, ``docx_file`` and ``pdf_file``, all read from ``report.figures`` (never from the
database), so an issued report renders the same figures forever.
"""

from __future__ import annotations


def render_all(report) -> dict[str, tuple[str, bytes]]:
    from .docx import render_docx
    from .pdf import render_pdf
    from .xlsx import render_xlsx

    stem = file_stem(report)
    return {
        "xlsx_file": (f"{stem}.xlsx", render_xlsx(report)),
        "docx_file": (f"{stem}.docx", render_docx(report)),
        "pdf_file": (f"{stem}.pdf", render_pdf(report)),
    }


def file_stem(report) -> str:
    number = f"-so-{report.document.number}" if report.document_id else ""
    period = f"{report.period_start:%Y%m%d}-{report.period_end:%Y%m%d}"
    return f"bao-cao-{report.kind}-{period}-{report.unit_id}-v{report.version_no}{number}"
