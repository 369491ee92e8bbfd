"""The report as a PDF: the same text as the Word file (``text.document``), laid out with
reportlab's platypus on A4 with the same margins, in Liberation Serif embedded as TrueType
subsets (metric-compatible with Times New Roman, every Vietnamese letter, copyable text).
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm, mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Flowable, Image, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from . import charts, text
from .fonts import register_reportlab

MARGINS = {"top": 20 * mm, "bottom": 20 * mm, "left": 30 * mm, "right": 15 * mm}
TEXT_WIDTH = A4[0] - MARGINS["left"] - MARGINS["right"]
HEADER_COLUMNS = (70 * mm, TEXT_WIDTH - 70 * mm)
FIRST_LINE = 1.27 * cm
ALIGN = {"left": TA_LEFT, "center": TA_CENTER, "right": TA_RIGHT, "justify": TA_JUSTIFY}


class Styles:
    def __init__(self) -> None:
        self.fonts = register_reportlab()
        self.cache: dict[tuple, ParagraphStyle] = {}

    def __call__(
        self,
        *,
        size: float = 14,
        bold: bool = False,
        italic: bool = False,
        align: str = "center",
        first_line: float = 0,
        before: float = 0,
        after: float = 0,
        keep_with_next: bool = False,
        highlight: bool = False,
    ) -> ParagraphStyle:
        key = (size, bold, italic, align, first_line, before, after, keep_with_next, highlight)
        if key not in self.cache:
            face = {(False, False): "regular", (True, False): "bold", (False, True): "italic"}.get(
                (bold, italic), "bold_italic"
            )
            self.cache[key] = ParagraphStyle(
                f"s{len(self.cache)}",
                fontName=self.fonts[face],
                fontSize=size,
                leading=round(size * 1.25, 1),
                alignment=ALIGN[align],
                firstLineIndent=first_line,
                spaceBefore=before,
                spaceAfter=after,
                keepWithNext=int(keep_with_next),
                backColor=colors.yellow if highlight else None,
            )
        return self.cache[key]

    def para(self, content: str, **kwargs) -> Paragraph:
        return Paragraph(escape(content), self(**kwargs))


class RuledTitle(Flowable):
    """ "ĐẢNG CỘNG SẢN VIỆT NAM" centred, with a rule under it exactly as long as the text."""

    def __init__(self, content: str, font: str, size: float) -> None:
        super().__init__()
        self.content, self.font, self.size = content, font, size

    def wrap(self, available_width, available_height):
        self.width, self.height = available_width, self.size * 1.25 + 4
        return self.width, self.height

    def draw(self) -> None:
        from reportlab.pdfbase.pdfmetrics import stringWidth

        canvas = self.canv
        middle = self.width / 2
        width = stringWidth(self.content, self.font, self.size)
        canvas.setFont(self.font, self.size)
        canvas.drawCentredString(middle, 4 + self.size * 0.3, self.content)
        canvas.setLineWidth(0.6)
        canvas.line(middle - width / 2, 1.5, middle + width / 2, 1.5)


def plain_style(styles: Styles) -> TableStyle:
    """A borderless layout table. Its FONT matters although every cell holds paragraphs: the
    table sets it on the canvas anyway, and the default (Helvetica) would be a font in the file
    that is not embedded."""
    return TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), styles.fonts["regular"]),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 2),
            ("RIGHTPADDING", (0, 0), (-1, -1), 2),
            ("TOPPADDING", (0, 0), (-1, -1), 0),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
        ]
    )


def _header(styles: Styles, header: text.Header) -> list:
    left = []
    if header.superior:
        left.append(styles.para(header.superior))
    left += [styles.para(header.issuer, bold=True), styles.para("*")]
    right = [RuledTitle(header.party, styles.fonts["bold"], 15)]
    table = Table(
        [
            [left, right],
            [styles.para(header.number, before=2), styles.para(header.place_date, italic=True, before=6)],
        ],
        colWidths=HEADER_COLUMNS,
    )
    table.setStyle(plain_style(styles))
    return [table]


def _table(styles: Styles, block: text.Table) -> list:
    total = sum(block.widths) or 1
    widths = [TEXT_WIDTH * width / total for width in block.widths]
    size = 12 if len(widths) < 6 else 11  # wide tables hold long figures
    data = [[styles.para(heading, size=size, bold=True) for heading in block.headers]]
    last = len(block.rows) - 1
    for index, row in enumerate(block.rows):
        bold = block.total and index == last
        data.append(
            [
                styles.para(value, size=size, bold=bold, align=align)
                for value, align in zip(row, block.align, strict=True)
            ]
        )
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), styles.fonts["regular"]),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    caption = styles.para(block.caption, size=13, bold=True, before=6, after=3, keep_with_next=True)
    return [caption, table, Spacer(1, 6)]


def _chart(styles: Styles, block: text.Chart) -> list:
    image = charts.png(block)
    pixels_wide, pixels_high = ImageReader(io.BytesIO(image)).getSize()
    width = TEXT_WIDTH - 1 * cm
    picture = Image(io.BytesIO(image), width=width, height=width * pixels_high / pixels_wide)
    caption = styles.para(block.caption, size=13, italic=True, after=6)
    return [Spacer(1, 6), KeepTogether([picture, caption])]


def _body(styles: Styles, blocks: list) -> list:
    story: list = []
    for block in blocks:
        if isinstance(block, text.Heading):
            story.append(
                styles.para(
                    block.text,
                    bold=True,
                    align="justify",
                    first_line=FIRST_LINE,
                    before=6,
                    after=3,
                    keep_with_next=True,
                )
            )
        elif isinstance(block, text.Paragraph):
            story.append(
                styles.para(
                    block.text,
                    italic=block.italic,
                    align="justify",
                    first_line=FIRST_LINE,
                    after=6,
                    highlight=block.placeholder,
                )
            )
        elif isinstance(block, text.Table):
            story += _table(styles, block)
        elif isinstance(block, text.Chart):
            story += _chart(styles, block)
    return story


def _signature(styles: Styles, content: text.ReportText) -> Table:
    left = [styles.para("Nơi nhận:", size=12, bold=True, italic=True, align="left")]
    left += [styles.para(line, size=11, align="left") for line in content.recipients]
    signature = content.signature
    right = [styles.para(line, bold=True) for line in (signature.authority, signature.title) if line]
    right += [Spacer(1, 70), styles.para(signature.name or " ", bold=True)]
    table = Table([[left, right]], colWidths=HEADER_COLUMNS)
    table.setStyle(plain_style(styles))
    return table


def render_pdf(report) -> bytes:
    content = text.document(report)
    styles = Styles()
    regular = styles.fonts["regular"]

    def page_number(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(regular, 13)
        canvas.drawCentredString(MARGINS["left"] + TEXT_WIDTH / 2, A4[1] - 12 * mm, str(doc.page))
        canvas.restoreState()

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGINS["left"],
        rightMargin=MARGINS["right"],
        topMargin=MARGINS["top"],
        bottomMargin=MARGINS["bottom"],
        title=content.meta.get("title", ""),
        author=content.meta.get("author", ""),
        subject=content.subject,
        lang="vi-VN",
        # No creation timestamp or random id: the same report gives the same bytes.
        invariant=1,
        # Otherwise the canvas declares Helvetica, a standard font that is never embedded.
        initialFontName=regular,
    )
    story = _header(styles, content.header)
    story += [
        styles.para(content.title, size=16, bold=True, before=18),
        styles.para(content.subject, bold=True, after=12),
    ]
    story += _body(styles, content.body)
    story.append(styles.para(content.closing, align="justify", first_line=FIRST_LINE, before=6, after=12))
    story.append(KeepTogether([_signature(styles, content)]))
    document.build(story, onLaterPages=page_number)
    return buffer.getvalue()
