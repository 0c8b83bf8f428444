"""PDF building blocks (reportlab). Chinese is set in Noto Sans SC, a font file that ships with
the project (``core/fonts``, ``make vendor``): reportlab embeds the glyphs a PDF uses, so the
PDF reads the same on a machine or phone without a Chinese font, and its text layer stays
searchable. Without that file the first TrueType Chinese font of the system is embedded instead,
and without one either, reportlab's built-in CID font STSong-Light, which is not embedded and
so shows only where the viewer has a Chinese font of its own."""

import functools
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

# Every style names this font; which file stands behind it is decided on the first PDF
# (register_cjk_font), so a process that never makes a PDF never reads the 10 MB file.
CJK_FONT = "FenghuoCJK"
PROJECT_FONT = Path(__file__).resolve().parent / "fonts" / "NotoSansSC-Regular.ttf"
# Debian's Chinese fonts with TrueType outlines (reportlab reads no CFF: fonts-noto-cjk is
# CFF), as (file, font number in a collection).
SYSTEM_FONTS = (
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
)
FALLBACK_CID_FONT = "STSong-Light"


def system_cjk_fonts() -> list[tuple[Path, int]]:
    """The system's Chinese TrueType fonts that exist on this machine, best first."""
    return [(Path(path), index) for path, index in SYSTEM_FONTS if Path(path).is_file()]


@functools.cache
def register_cjk_font() -> str:
    """Registers the Chinese font under ``CJK_FONT`` (the project's, else the system's, else
    STSong-Light) and returns the name of what was registered."""
    for path, index in [(PROJECT_FONT, 0), *system_cjk_fonts()]:
        if not path.is_file():
            continue
        try:
            font = TTFont(CJK_FONT, str(path), subfontIndex=index)
        except TTFError:
            continue
        pdfmetrics.registerFont(font)
        return font.face.name.decode()
    font = UnicodeCIDFont(FALLBACK_CID_FONT)
    # the styles' name for it; the PDF still calls it STSong-Light (from its face)
    font.name = font.fontName = CJK_FONT
    pdfmetrics.registerFont(font)
    return FALLBACK_CID_FONT


TITLE = ParagraphStyle("title", fontName=CJK_FONT, fontSize=16, leading=22, spaceAfter=6)
HEADING = ParagraphStyle("heading", fontName=CJK_FONT, fontSize=12, leading=18, spaceBefore=8)
BODY = ParagraphStyle("body", fontName=CJK_FONT, fontSize=10, leading=15)
SMALL = ParagraphStyle("small", fontName=CJK_FONT, fontSize=8, leading=11)


def text(value, style: ParagraphStyle = BODY) -> Paragraph:
    """A paragraph of plain text, the only way exports make one: reportlab reads a
    paragraph as markup (``<font>``, ``<a href>``, ``<img>``), so ``<`` and ``&`` in a title
    or a reason are escaped and shown as written (unbalanced markup would fail the export);
    line breaks are kept."""
    register_cjk_font()  # a paragraph looks its font up as it is made
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
    register_cjk_font()
    out = BytesIO()
    SimpleDocTemplate(out, pagesize=A4, title=title).build(story)
    return out.getvalue()
