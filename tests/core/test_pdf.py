"""PDFs carry their Chinese font: the project's Noto Sans SC, embedded, so they read the same
on a machine without Chinese fonts; the system's font and then STSong-Light only stand in."""

import shutil
from io import BytesIO

import pytest
from pypdf import PdfReader
from reportlab.pdfbase import pdfmetrics

from core import pdf

CHINESE = "吉林长春传输中断，橙色预警：影响 12 个基站（喆、堃）"


@pytest.fixture
def fresh_fonts(monkeypatch):
    """Each test chooses the font anew, as a new process would, and leaves reportlab's
    registry as it found it."""
    fonts = {name: font for name, font in pdfmetrics._fonts.items() if name != pdf.CJK_FONT}
    faces = {
        face: font
        for face, font in pdfmetrics._dynFaceNames.items()
        if font.fontName != pdf.CJK_FONT
    }
    monkeypatch.setattr(pdfmetrics, "_fonts", fonts)
    monkeypatch.setattr(pdfmetrics, "_dynFaceNames", faces)
    pdf.register_cjk_font.cache_clear()
    yield
    pdf.register_cjk_font.cache_clear()


@pytest.fixture
def no_system_fonts(monkeypatch, fresh_fonts):
    monkeypatch.setattr(pdf, "system_cjk_fonts", lambda: [])


def make_pdf() -> bytes:
    return pdf.build(
        [
            pdf.text("专题简报", pdf.TITLE),
            pdf.text(CHINESE),
            pdf.table([["地市", "基站"], ["长春", "12"]]),
        ],
        title="专题简报",
    )


def fonts_of(content: bytes) -> list:
    """The page's fonts but Helvetica, which reportlab's canvas names on every page."""
    page = PdfReader(BytesIO(content)).pages[0]
    fonts = [font.get_object() for font in page["/Resources"]["/Font"].values()]
    return [font for font in fonts if font["/BaseFont"] != "/Helvetica"]


def text_of(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)


def test_the_project_font_is_embedded_without_any_system_font(no_system_fonts):
    content = make_pdf()

    fonts = fonts_of(content)
    assert fonts
    for font in fonts:  # reportlab embeds a TrueType subset per 256 glyphs used
        assert str(font["/BaseFont"]).endswith("+NotoSansSC-Regular")
        embedded = font["/FontDescriptor"]["/FontFile2"].get_object().get_data()
        assert 1_000 < len(embedded) < 200_000  # the glyphs used, not the 10 MB font
    text = text_of(content)
    for expected in ("专题简报", CHINESE, "地市", "长春"):
        assert expected in text, expected


def test_the_font_file_ships_with_the_project():
    assert pdf.PROJECT_FONT.is_file()
    assert (pdf.PROJECT_FONT.parent / "OFL.txt").read_text().count("SIL Open Font License") >= 1


def test_without_the_project_font_the_system_font_is_embedded(monkeypatch, fresh_fonts, tmp_path):
    stand_in = tmp_path / "system-font.ttf"
    shutil.copy(pdf.PROJECT_FONT, stand_in)
    monkeypatch.setattr(pdf, "PROJECT_FONT", tmp_path / "missing.ttf")
    monkeypatch.setattr(pdf, "system_cjk_fonts", lambda: [(stand_in, 0)])

    content = make_pdf()

    assert pdfmetrics.getFont(pdf.CJK_FONT).face.filename == str(stand_in)
    assert all("/FontFile2" in font["/FontDescriptor"] for font in fonts_of(content))
    assert CHINESE in text_of(content)


def test_with_no_usable_font_file_the_builtin_cid_font_still_writes_chinese(
    monkeypatch, fresh_fonts, tmp_path
):
    not_a_font = tmp_path / "broken.ttf"
    not_a_font.write_bytes(b"not a font")
    monkeypatch.setattr(pdf, "PROJECT_FONT", tmp_path / "missing.ttf")
    monkeypatch.setattr(pdf, "system_cjk_fonts", lambda: [(not_a_font, 0)])

    assert pdf.register_cjk_font() == "STSong-Light"
    content = make_pdf()

    assert [font["/BaseFont"] for font in fonts_of(content)] == ["/STSong-Light"]
    assert "专题简报" in text_of(content)
