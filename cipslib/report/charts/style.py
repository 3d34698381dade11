"""The report's chart style: the palette, :data:`STYLE` and :func:`styled`, the figure a chart
draws on, and the catalogue's words and numbers as the charts write them.

A chart function is decorated :func:`styled`: it runs inside ``matplotlib.rc_context(STYLE)`` (so no
global rcParams change) and its texts are punctuated as its language does. It draws on
:func:`_figure` (``ax``'s figure, or a new pyplot-free :class:`~matplotlib.figure.Figure`). A
respondent group's colour and marker follow its place in the codebook's order of the groups
(:data:`GROUP_STYLES`), never its name.
"""

from __future__ import annotations

import functools
import inspect

import matplotlib
import pandas as pd
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.text import Text

from ...analysis.disclosure import hidden_label
from ...errors import CipsDataError
from ...inputs.codebook import Codebook
from ...text.catalogue import load_catalogue
from ...text.numbers import NumberFormat
from ...text.typography import punctuate, space_before, tidy

DIVERGING = [
    "#8c2d04",
    "#f16913",
    "#d9d9d9",
    "#4292c6",
    "#08306b",
]  # strongly disagree ... strongly agree; grey lightness 33, 61, 87, 58, 21
GROUP_STYLES = (
    {"color": "#08519c", "marker": "o"},  # grey lightness 35
    {"color": "#d95f0e", "marker": "s"},  # 55
    {"color": "#238b45", "marker": "^"},  # 50
    {"color": "#6a51a3", "marker": "P"},  # 45
    {"color": "#525252", "marker": "v"},  # 35
)
"""The colour and marker of the codebook's first, second, ... respondent group."""
RAW_STYLE = {"color": "#b0b0b0", "marker": "D"}  # 72
SAMPLE_COLOR = "#c6c6c6"  # 80
INK = "#262626"
NOTE_INK = "#595959"
WIDTH = 7.2  # inches, every chart
PAD = 0.12  # inches of white around a chart's content
GAP = 0.1  # inches between the title, the legend, the plot and the caption
PANEL_GAP = 0.06  # inches between a row of panels and the titles of the row below
STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "figure.dpi": 100,
    "savefig.dpi": 110,
    "svg.hashsalt": "cipslib",
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def styled(chart):
    """Draw ``chart`` inside the report style; rcParams are restored when it returns. The chart's
    texts are punctuated as its language (``lang``) does (:mod:`cipslib.text.typography`)."""
    signature = inspect.signature(chart)

    @functools.wraps(chart)
    def draw(*args, **kwargs):
        with matplotlib.rc_context(STYLE):
            fig = chart(*args, **kwargs)
        lang = signature.bind_partial(*args, **kwargs).arguments.get("lang")
        if isinstance(fig, Figure) and lang:
            _punctuate(fig, lang)
        return fig

    return draw


def _punctuate(fig: Figure, lang: str) -> None:
    """Titles, notes, legends and annotations of ``fig`` punctuated as ``lang`` does."""
    try:
        marks = space_before(load_catalogue(lang))
    except CipsDataError:
        return
    if marks:
        for text in fig.findobj(Text):
            if text.get_text():
                text.set_text(punctuate(text.get_text(), marks))


def _figure(ax, figsize: tuple[float, float]):
    """The figure and axes to draw on: ``ax``'s own, or a new pyplot-free figure of ``figsize``
    inches."""
    if ax is not None:
        return ax.figure, ax
    fig = Figure(figsize=figsize)
    return fig, fig.subplots()


def _own_figure(ax):
    """The figure and axes to draw on, and whether the chart owns the figure (and its layout)."""
    fig, ax_ = _figure(ax, (WIDTH, 4.0))
    return fig, ax_, ax is None


def _label(labels: dict, key: str) -> str:
    """A text from the language catalogue's ``report`` section (the key itself if it is missing)."""
    return labels.get(key, key)


def _chart_label(labels: dict, key: str) -> str:
    """A text of the catalogue's ``report.chart`` mapping (``chart.<key>`` if it is missing)."""
    return tidy((labels.get("chart") or {}).get(key, f"chart.{key}"))


def _numbers(lang: str) -> NumberFormat:
    """How the report's language writes numbers (thousands separator)."""
    try:
        return NumberFormat.of(load_catalogue(lang))
    except CipsDataError:
        return NumberFormat({})


def _base(fmt: NumberFormat, n, min_cell) -> str:
    """The base n as the report writes it, kept on one line: "n = 4,199", "n = 4 199", "n <10"."""
    if n is None or pd.isna(n):
        return f"n\u00a0{hidden_label(min_cell)}"
    return f"n\u00a0=\u00a0{fmt.count(n)}"


def _group_style(cb: Codebook, group: str) -> dict:
    """The group's colour and marker: by its place in the codebook's order of the groups."""
    names = cb.group_names
    place = names.index(group) if group in names else len(names)
    return GROUP_STYLES[min(place, len(GROUP_STYLES) - 1)]


def _groups_phrase(cb: Codebook, groups, lang: str) -> str:
    """The groups as a chart title lists them: "officials and private sector"."""
    names = [cb.group_lower(g, lang) for g in groups]
    if len(names) <= 1:
        return names[0] if names else ""
    return f"{', '.join(names[:-1])} {load_catalogue(lang)['words']['and']} {names[-1]}"


def _scale_colours(k: int) -> list[str]:
    """Colours of a ``k``-answer scale from :data:`DIVERGING`, the middle grey only when ``k`` is
    odd.

    >>> _scale_colours(4) == [DIVERGING[i] for i in (0, 1, 3, 4)]
    True
    """
    picks = {2: (1, 3), 3: (1, 2, 3), 4: (0, 1, 3, 4), 5: (0, 1, 2, 3, 4)}.get(k)
    return [DIVERGING[i] for i in picks] if picks else [DIVERGING[i % 5] for i in range(k)]


def _ink(colour: str) -> str:
    """Black or white, whichever reads better on ``colour``.

    >>> _ink(DIVERGING[0]), _ink(DIVERGING[2])
    ('white', 'black')
    """
    lum = sum(
        w * (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
        for w, c in zip((0.2126, 0.7152, 0.0722), to_rgb(colour), strict=True)
    )
    return "black" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "white"
