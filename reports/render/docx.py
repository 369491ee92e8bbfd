"""The report as a Word file in the Party format (Hướng dẫn 36-HD/VPTW).

A4, margins 20/20/30/15 mm (top/bottom/left/right), Times New Roman throughout (named on every
style and every run, for Latin and complex scripts alike), body 14 pt. The header is a two-column
borderless table: superior body, issuing body in bold, "*" and the number on the left; "ĐẢNG CỘNG
SẢN VIỆT NAM" in bold 15 pt over a rule as long as itself, and the italic place and date, on the
right. Then the title, the subject, the body from ``text.document`` (headings, paragraphs, tables,
charts), the closing line, and the recipients (left) beside the signature (right). Pages after
the first are numbered at the top centre.

The narrative parts a draft leaves blank carry a highlighted placeholder to type over.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Mm, Pt
from docx.table import Table as DocxTable

from . import charts, text
from .fonts import string_width

FONT = "Times New Roman"
BODY_PT = 14
TABLE_PT = 12
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGINS = {"top": Mm(20), "bottom": Mm(20), "left": Mm(30), "right": Mm(15)}
TEXT_WIDTH = PAGE_WIDTH - MARGINS["left"] - MARGINS["right"]
HEADER_COLUMNS = (Cm(7.0), TEXT_WIDTH - Cm(7.0))
CELL_MARGIN = Cm(0.19)  # Word's default left and right cell margin
FIRST_LINE = Cm(1.27)
ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT}

#: Elements that follow ``w:pBdr`` inside ``w:pPr`` (ECMA-376 order; Word rejects other orders).
PBDR_SUCCESSORS = (
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)


def _font_everywhere(element) -> None:
    """Name Times New Roman for every script slot (ascii, hAnsi, eastAsia, cs) of an element's
    run properties, dropping theme fonts (which win over named ones): Word otherwise picks
    another font for characters it files under a different script."""
    r_pr = element.find(qn("w:rPr"))
    if r_pr is None:  # only w:rPrDefault can lack one: styles and runs get theirs from font.name
        r_pr = OxmlElement("w:rPr")
        element.append(r_pr)
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), FONT)


def _setup(document) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = MARGINS["top"], MARGINS["bottom"]
    section.left_margin, section.right_margin = MARGINS["left"], MARGINS["right"]
    section.header_distance = Mm(10)
    for style in document.styles:
        font = getattr(style, "font", None)
        if font is None:
            continue
        font.name = FONT  # creates the style's w:rPr in its schema position
        _font_everywhere(style.element)
    normal = document.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    normal.paragraph_format.space_after = Pt(0)
    defaults = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    _font_everywhere(defaults)
    language = defaults.find(qn("w:rPr")).find(qn("w:lang"))
    if language is not None:  # spelling and hyphenation in Vietnamese
        language.set(qn("w:val"), "vi-VN")
    # Page numbers from page 2, top centre.
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = paragraph.add_run("2")
    _style_run(run, size=13)
    field.append(run._r)
    paragraph._p.append(field)


def _style_run(run, *, bold: bool = False, italic: bool = False, size: float = BODY_PT) -> None:
    run.font.name = FONT
    _font_everywhere(run._r)
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.italic = italic


def _paragraph(
    container,
    content: str,
    *,
    bold: bool = False,
    italic: bool = False,
    size: float = BODY_PT,
    align: str = "center",
    first_line=None,
    before: float = 0,
    after: float = 0,
    keep_with_next: bool = False,
    existing=None,
):
    paragraph = existing if existing is not None else container.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY if align == "justify" else ALIGN[align]
    fmt = paragraph.paragraph_format
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    if first_line is not None:
        fmt.first_line_indent = first_line
    fmt.keep_with_next = keep_with_next
    if content:
        _style_run(paragraph.add_run(content), bold=bold, italic=italic, size=size)
    return paragraph


def _rule_below(paragraph, content_width: Emu, text_width_pt: float) -> None:
    """A rule under the paragraph exactly as long as its text (Hướng dẫn 36: "đường kẻ có độ dài
    bằng độ dài tiêu đề"): a bottom border, indented on both sides to the text's width."""
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for name, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "auto")):
        bottom.set(qn(name), value)
    border.append(bottom)
    paragraph._p.get_or_add_pPr().insert_element_before(border, *PBDR_SUCCESSORS)
    side = max(int((content_width - Pt(text_width_pt)) / 2), 0)
    paragraph.paragraph_format.left_indent = Emu(side)
    paragraph.paragraph_format.right_indent = Emu(side)


def _plain_table(document, widths) -> DocxTable:
    table = document.add_table(rows=1, cols=len(widths))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for cell, width in zip(table.rows[0].cells, widths, strict=True):
        cell.width = width
    return table


def _header(document, header: text.Header) -> None:
    table = _plain_table(document, HEADER_COLUMNS)
    table.add_row()
    for row in table.rows:
        for cell, width in zip(row.cells, HEADER_COLUMNS, strict=True):
            cell.width = width
    left, right = table.rows[0].cells
    first = left.paragraphs[0]
    if header.superior:
        _paragraph(left, header.superior, existing=first)
        _paragraph(left, header.issuer, bold=True)
    else:
        _paragraph(left, header.issuer, bold=True, existing=first)
    _paragraph(left, "*")
    party = _paragraph(right, header.party, bold=True, size=15, existing=right.paragraphs[0])
    _rule_below(party, HEADER_COLUMNS[1] - 2 * CELL_MARGIN, string_width(header.party, "bold", 15))
    number_cell, date_cell = table.rows[1].cells
    _paragraph(number_cell, header.number, existing=number_cell.paragraphs[0], before=2)
    _paragraph(date_cell, header.place_date, italic=True, existing=date_cell.paragraphs[0], before=6)


def _repeat_header_row(row) -> None:
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(marker)


def _table(document, block: text.Table) -> None:
    _paragraph(document, block.caption, bold=True, size=13, before=6, after=3, keep_with_next=True)
    total = sum(block.widths) or 1
    widths = [Emu(int(TEXT_WIDTH * width / total)) for width in block.widths]
    size = TABLE_PT if len(widths) < 6 else TABLE_PT - 1  # wide tables hold long figures
    table = document.add_table(rows=1 + len(block.rows), cols=len(widths))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    rows = table.rows
    _repeat_header_row(rows[0])
    for cell, width, heading in zip(rows[0].cells, widths, block.headers, strict=True):
        cell.width = width
        _paragraph(cell, heading, bold=True, size=size, existing=cell.paragraphs[0])
    last = len(block.rows) - 1
    for index, values in enumerate(block.rows):
        bold = block.total and index == last
        for cell, width, value, align in zip(rows[index + 1].cells, widths, values, block.align, strict=True):
            cell.width = width
            _paragraph(cell, value, bold=bold, size=size, align=align, existing=cell.paragraphs[0])
    _paragraph(document, "", after=4)


def _chart(document, block: text.Chart) -> None:
    document.add_picture(io.BytesIO(charts.png(block)), width=TEXT_WIDTH - Cm(1))
    picture = document.paragraphs[-1]
    for run in picture.runs:
        _style_run(run)
    picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
    picture.paragraph_format.keep_with_next = True
    picture.paragraph_format.space_before = Pt(6)
    _paragraph(document, block.caption, italic=True, size=13, after=6)


def _body(document, blocks: list) -> None:
    for block in blocks:
        if isinstance(block, text.Heading):
            _paragraph(
                document,
                block.text,
                bold=True,
                align="justify",
                first_line=FIRST_LINE,
                before=6,
                after=3,
                keep_with_next=True,
            )
        elif isinstance(block, text.Paragraph):
            paragraph = _paragraph(
                document, block.text, italic=block.italic, align="justify", first_line=FIRST_LINE, after=6
            )
            if block.placeholder:
                for run in paragraph.runs:
                    run.font.highlight_color = WD_COLOR_INDEX.YELLOW
        elif isinstance(block, text.Table):
            _table(document, block)
        elif isinstance(block, text.Chart):
            _chart(document, block)


def _signature(document, content: text.ReportText) -> None:
    table = _plain_table(document, HEADER_COLUMNS)
    left, right = table.rows[0].cells
    _paragraph(left, "Nơi nhận:", bold=True, italic=True, size=12, align="left", existing=left.paragraphs[0])
    for line in content.recipients:
        _paragraph(left, line, size=11, align="left")
    signature = content.signature
    lines = [line for line in (signature.authority, signature.title) if line]
    first = right.paragraphs[0]
    for index, line in enumerate(lines):
        _paragraph(right, line, bold=True, existing=first if index == 0 else None)
    for _blank in range(4):
        _paragraph(right, "")
    _paragraph(right, signature.name, bold=True)


def render_docx(report) -> bytes:
    content = text.document(report)
    document = Document()
    _setup(document)
    document.core_properties.title = content.meta.get("title", "")
    document.core_properties.author = content.meta.get("author", "")
    document.core_properties.language = "vi-VN"
    body_start = document.paragraphs[0] if document.paragraphs else None
    if body_start is not None:  # the template's empty first paragraph
        body_start._p.getparent().remove(body_start._p)
    _header(document, content.header)
    _paragraph(document, content.title, bold=True, size=16, before=18)
    _paragraph(document, content.subject, bold=True, after=12)
    _body(document, content.body)
    _paragraph(document, content.closing, align="justify", first_line=FIRST_LINE, before=6, after=12)
    _signature(document, content)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
