"""PDF building blocks (reportlab) with its built-in Chinese CID font STSong-Light: every PDF
carries a real, searchable text layer and no font file has to ship."""

from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

CJK_FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))

TITLE = ParagraphStyle("title", fontName=CJK_FONT, fontSize=16, leading=22, spaceAfter=6)
HEADING = ParagraphStyle("heading", fontName=CJK_FONT, fontSize=12, leading=18, spaceBefore=8)
BODY = ParagraphStyle("body", fontName=CJK_FONT, fontSize=10, leading=15)
SMALL = ParagraphStyle("small", fontName=CJK_FONT, fontSize=8, leading=11)


def text(value, style: ParagraphStyle = BODY) -> Paragraph:
    """A paragraph of plain text, the only way exports make one: reportlab reads a
    paragraph as markup (``<font>``, ``<a href>``, ``<img>``), so ``<`` and ``&`` in a title
    or a reason are escaped and shown as written (unbalanced markup would fail the export);
    line breaks are kept."""
    return Paragraph(escape(str(value or "—")).replace("\n", "<br/>"), style)


def table(rows: list[list], **kwargs) -> Table:
    """A table in the house style; plain strings in cells are drawn as they are (no markup),
    paragraphs come from :func:`text`."""
    return Table(rows, style=table_style(), **kwargs)


def table_style() -> TableStyle:
    return TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), CJK_FONT),
            ("FONTSIZE", (0, 0), (-1, -1), 9),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f4")),
            ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ]
    )


def build(story: list, *, title: str) -> bytes:
    out = BytesIO()
    SimpleDocTemplate(out, pagesize=A4, title=title).build(story)
    return out.getvalue()
