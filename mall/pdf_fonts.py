"""Fonts for the PDFs the dealers download (statements, certificates).

Helvetica has no Chinese glyphs. A PDF in Chinese, or one that prints a Chinese name in any
language, uses reportlab's built-in CID font STSong-Light instead: nothing to ship, PDF
readers supply the Song typeface. It has no bold face, so bold falls back to it too.
"""

import re

from django.utils.translation import get_language
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont

CJK_FONT = "STSong-Light"
LATIN = ("Helvetica", "Helvetica-Bold")
_CJK = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")


def pdf_fonts(*texts: str) -> tuple[str, str]:
    """(regular, bold) for a PDF in the active language that prints `texts` (names, titles)."""
    if (get_language() or "").startswith("zh") or any(_CJK.search(t or "") for t in texts):
        if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
        return CJK_FONT, CJK_FONT
    return LATIN
