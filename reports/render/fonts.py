"""Where the report fonts are: Liberation Serif, metric-compatible with Times New Roman.

The DOCX names "Times New Roman" (Word substitutes a metric-compatible font where it is
missing); the PDF and the charts embed Liberation Serif, which has every Vietnamese letter and
the same widths, so line breaks match the Word file. The fonts come from the Debian package
``fonts-liberation2`` (``/usr/share/fonts/truetype/liberation2``), or the older
``fonts-liberation`` directory, or the directory named by the ``REPORT_FONT_DIR`` setting.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

#: The four faces, by the style names the renderers use.
FACES = {
    "regular": "LiberationSerif-Regular.ttf",
    "bold": "LiberationSerif-Bold.ttf",
    "italic": "LiberationSerif-Italic.ttf",
    "bold_italic": "LiberationSerif-BoldItalic.ttf",
}

DEFAULT_DIRS = (
    Path("/usr/share/fonts/truetype/liberation2"),
    Path("/usr/share/fonts/truetype/liberation"),
)


#: Letters a font must have to write Vietnamese. Liberation 1.x (Debian's fonts-liberation) has
#: the same family name but none of these, so it is refused rather than printing empty boxes.
VIETNAMESE_SAMPLE = (
    "ĂăÂâĐđÊêÔôƠơƯưẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹ"
)


class FontsNotFound(ImproperlyConfigured):
    """Liberation Serif is missing: the PDF and the charts cannot be drawn."""


@lru_cache(maxsize=16)
def writes_vietnamese(path: Path) -> bool:
    from reportlab.pdfbase.ttfonts import TTFontFile

    covered = TTFontFile(str(path)).charToGlyph
    return all(ord(letter) in covered for letter in VIETNAMESE_SAMPLE)


def search_dirs() -> tuple[Path, ...]:
    """``REPORT_FONT_DIR`` alone when it is set (a wrong setting should fail loudly, not fall
    back to whatever the system has), otherwise the Debian directories in order."""
    configured = getattr(settings, "REPORT_FONT_DIR", None)
    if configured:
        return (Path(configured),)
    return DEFAULT_DIRS


def find_fonts() -> dict[str, Path]:
    """``{"regular": path, "bold": …, "italic": …, "bold_italic": …}`` from the first directory
    holding all four faces, or ``FontsNotFound`` saying how to install them."""
    dirs = search_dirs()
    without_vietnamese = []
    for directory in dirs:
        paths = {face: directory / filename for face, filename in FACES.items()}
        if not all(path.is_file() for path in paths.values()):
            continue
        if all(writes_vietnamese(path) for path in paths.values()):
            return paths
        without_vietnamese.append(str(directory))
    looked = ", ".join(str(directory) for directory in dirs)
    found = (
        f" (found without Vietnamese letters, an old version, in {', '.join(without_vietnamese)})"
        if without_vietnamese
        else ""
    )
    raise FontsNotFound(
        f"Liberation Serif with Vietnamese letters ({', '.join(FACES.values())}) was not found in {looked}"
        f"{found}. Install the Debian package fonts-liberation2 (apt-get install fonts-liberation2), "
        "or set REPORT_FONT_DIR to a directory holding these four files."
    )


#: The reportlab font names of the four faces (registered once per process).
REPORTLAB_NAMES = {
    "regular": "ReportSerif",
    "bold": "ReportSerif-Bold",
    "italic": "ReportSerif-Italic",
    "bold_italic": "ReportSerif-BoldItalic",
}
_registered: dict[str, Path] = {}


def register_reportlab() -> dict[str, str]:
    """Register the faces with reportlab (TrueType, embedded as subsets in every PDF) and map
    them as one family, so ``<b>`` and ``<i>`` in a paragraph pick the right file."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    paths = find_fonts()
    if paths != _registered:
        for face, name in REPORTLAB_NAMES.items():
            pdfmetrics.registerFont(TTFont(name, str(paths[face])))
        family = REPORTLAB_NAMES["regular"]
        addMapping(family, 0, 0, REPORTLAB_NAMES["regular"])
        addMapping(family, 1, 0, REPORTLAB_NAMES["bold"])
        addMapping(family, 0, 1, REPORTLAB_NAMES["italic"])
        addMapping(family, 1, 1, REPORTLAB_NAMES["bold_italic"])
        _registered.clear()
        _registered.update(paths)
    return dict(REPORTLAB_NAMES)


def string_width(text: str, face: str, size: float) -> float:
    """The width of ``text`` in points: Liberation Serif has Times New Roman's metrics, so this
    is also its width in the Word file."""
    from reportlab.pdfbase import pdfmetrics

    names = register_reportlab()
    return pdfmetrics.stringWidth(text, names[face], size)
