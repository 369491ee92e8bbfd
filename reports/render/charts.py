"""The report's charts as PNG images, drawn with matplotlib's Agg canvas (no GUI, no pyplot
state shared between threads or tasks).

What a chart shows and how it is worded comes from ``text.py`` (``trend_chart``,
``petitions_chart``, ``communes_chart``); this module only draws a ``text.Chart``. Letters are
Liberation Serif (``fonts.py``), like the PDF, so Vietnamese labels keep their diacritics.
"""

from __future__ import annotations

import io
import textwrap
from functools import lru_cache

import matplotlib
import PIL.Image
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .fonts import find_fonts
from .text import Chart, number

#: Drawn at this width (the A4 text width, 165 mm, less a margin) and resolution.
WIDTH_IN = 6.3
DPI = 150
COLOURS = ("#1f4e79", "#c00000", "#548235", "#bf8f00", "#7030a0")
LABEL_WIDTH = 34  # characters before a bar label wraps


@lru_cache(maxsize=4)
def _family(*paths: str) -> str:
    """Make matplotlib draw "Liberation Serif" from these files. A system may also hold the old
    Liberation 1.x under the same family name, without Vietnamese letters; matplotlib takes the
    first best match in its font list, so our files are moved to the front of it."""
    for path in paths:
        font_manager.fontManager.addfont(path)
    ours = set(paths)
    font_manager.fontManager.ttflist.sort(key=lambda entry: entry.fname not in ours)
    font_manager.fontManager._findfont_cached.cache_clear()
    return font_manager.FontProperties(fname=paths[0]).get_name()


def font_family() -> str:
    fonts = find_fonts()
    return _family(*(str(fonts[face]) for face in ("regular", "bold", "italic", "bold_italic")))


def _style() -> dict:
    return {
        "font.family": font_family(),
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titlesize": 10,
        "axes.titleweight": "bold",
        "legend.frameon": False,
    }


def _line(chart: Chart) -> Figure:
    panel = chart.panels[0]
    figure = Figure(figsize=(WIDTH_IN, 3.4))
    axes = figure.add_subplot()
    positions = list(range(len(panel.labels)))
    for index, series in enumerate(panel.series):
        axes.plot(
            positions,
            series.values,
            marker="o",
            markersize=3.5,
            linewidth=1.6,
            color=COLOURS[index % len(COLOURS)],
            label=series.name,
        )
    axes.set_xticks(positions, panel.labels, rotation=45, ha="right")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.yaxis.set_major_formatter(lambda value, _pos: number(round(value)))
    axes.set_ylim(bottom=0)
    axes.grid(axis="y", linewidth=0.4, alpha=0.5)
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.28), ncol=2, fontsize=8)
    figure.tight_layout()
    return figure


def _bars(chart: Chart) -> Figure:
    heights = [0.7 + 0.26 * max(len(panel.labels), 2) for panel in chart.panels]
    figure = Figure(figsize=(WIDTH_IN, sum(heights) + 0.2))
    grid = figure.add_gridspec(len(chart.panels), 1, height_ratios=heights)
    for index, panel in enumerate(chart.panels):
        axes = figure.add_subplot(grid[index])
        values = panel.series[0].values
        labels = ["\n".join(textwrap.wrap(label, LABEL_WIDTH)) or label for label in panel.labels]
        bars = axes.barh(range(len(values)), values, color=COLOURS[index % len(COLOURS)], height=0.65)
        axes.set_yticks(range(len(values)), labels)
        axes.invert_yaxis()
        axes.bar_label(bars, labels=[number(value) for value in values], padding=3, fontsize=8)
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.xaxis.set_major_formatter(lambda value, _pos: number(round(value)))
        axes.set_xlim(0, max(max(values, default=0) * 1.15, 1))
        if panel.title:
            axes.set_title(panel.title, loc="left")
    figure.tight_layout()
    return figure


@lru_cache(maxsize=16)
def png(chart: Chart) -> bytes:
    """The chart as PNG bytes. Cached by content: the DOCX and the PDF of one compile draw the
    same charts, and drawing is most of the time a render takes."""
    with matplotlib.rc_context(_style()):
        figure = _bars(chart) if chart.kind == "barh" else _line(chart)
        FigureCanvasAgg(figure)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=DPI, facecolor="white")
    # Opaque RGB without metadata: no transparency mask for the PDF to carry, and the same
    # figures give the same bytes whatever the library version.
    buffer.seek(0)
    opaque = io.BytesIO()
    PIL.Image.open(buffer).convert("RGB").save(opaque, format="PNG", optimize=True)
    return opaque.getvalue()
