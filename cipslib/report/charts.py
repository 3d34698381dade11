"""Charts of the findings report (matplotlib/seaborn), drawn from the findings tables only.

One palette throughout, colour-blind safe and readable when printed in grey: the diverging answer
scale runs dark orange, orange, light grey, blue, dark blue (neighbouring answers differ in
lightness, the two sides are told apart by position); the two groups are blue circles and orange
squares, the raw change light grey diamonds. Every chart has a title, states its base n (in the
title, the legend or beside each row) and carries a caption from the language catalogue saying what
to read from it, above a note on the method. Suppressed cells are left blank and marked "<10".

Layout is measured, not guessed: the labels are wrapped to a width in inches, one text measurement
(:class:`_Frame`) sets the margins, the legend goes above the plot area, the caption below the x
axis, and the figure grows to fit its rows, so no text is cut or lies on another text or on the
data, in any language. Figures are deterministic: the same findings give the same image bytes.

Every chart takes ``ax=`` (seaborn's convention): it draws on that axes' figure, or on a new figure
of its own size when ``ax`` is None; on an analyst's axes it leaves the figure's layout alone and
puts its title and legend on the axes. Figures are made without pyplot and drawn inside
:data:`STYLE`, so importing or calling this module leaves matplotlib's backend, rcParams and open
figures as they were.
"""

from __future__ import annotations

import functools
import inspect
import math
import re
from collections.abc import Collection, Mapping, Sequence

import matplotlib
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from matplotlib.transforms import ScaledTranslation

from ..analysis.disclosure import COMPLEMENTARY, COMPLEMENTARY_MARK, hidden_label
from ..analysis.units import OTHER_UNITS
from ..errors import CipsDataError
from ..inputs.codebook import Codebook
from ..text.catalogue import load_catalogue
from ..text.numbers import NumberFormat
from ..text.typography import punctuate, space_before, tidy

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


@functools.lru_cache(maxsize=4)
def _measurer(dpi: float) -> RendererAgg:
    """A small Agg renderer that measures text (sizes do not depend on the canvas size)."""
    return RendererAgg(8, 8, dpi)


@functools.lru_cache(maxsize=8192)
def _text_width(dpi: float, text: str, size: float, weight: str) -> float:
    """Width in inches of one line of text in the report's font."""
    prop = FontProperties(family=STYLE["font.family"], size=size, weight=weight)
    width, _, _ = _measurer(dpi).get_text_width_height_descent(text, prop, ismath=False)
    return width / dpi


@functools.lru_cache(maxsize=64)
def _line_height(dpi: float, size: float) -> float:
    """Height in inches of one line of text ("lp" as matplotlib measures a line) in the report's
    font."""
    prop = FontProperties(family=STYLE["font.family"], size=size)
    _, height, _ = _measurer(dpi).get_text_width_height_descent("lp", prop, ismath=False)
    return height / dpi


class _Frame:
    """Lays a chart out in inches from measured texts: wrapped labels, margins that fit the tick
    labels, the legend and title above the plot, the caption below it, and a figure height that
    fits the rows. On an analyst's axes (``own`` False) the figure's layout is left alone."""

    def __init__(self, fig, axes, own: bool):
        self.fig, self.axes, self.own = fig, list(axes), own
        self.dpi = fig.dpi
        self.renderer = _measurer(fig.dpi)
        self.widths = [ax.get_position().width * fig.get_figwidth() for ax in self.axes]

    def inches(self, artist) -> tuple[float, float]:
        """Width and height of an artist or bbox in inches."""
        box = artist if hasattr(artist, "x0") else artist.get_window_extent(self.renderer)
        return box.width / self.dpi, box.height / self.dpi

    def fit(
        self, text: str, width: float, size: float, weight: str = "normal", balance: bool = False
    ) -> str:
        """``text`` wrapped at spaces (not at no-break spaces) into lines at most ``width`` inches
        wide; a word wider than ``width`` by itself is broken after a hyphen in it. Words are
        measured one by one (and remembered), with 3% to spare for kerning. ``balance`` evens the
        lines out: the text is wrapped at the narrowest width that keeps its number of lines."""
        wrapped = self._wrap(text, width, size, weight)
        if balance and "\n" in wrapped:
            count, narrower = wrapped.count("\n"), width - 0.05
            while narrower > 0.5:
                tighter = self._wrap(text, narrower, size, weight)
                if tighter.count("\n") != count:
                    break
                wrapped, narrower = tighter, narrower - 0.05
        return wrapped

    def _wrap(self, text: str, width: float, size: float, weight: str) -> str:
        space = _text_width(self.dpi, "a a", size, weight) - 2 * _text_width(
            self.dpi, "a", size, weight
        )
        lines = []
        for para in str(text).split("\n"):
            tokens = []  # (piece of a word, whether a space comes before it)
            for word in (w for w in para.split(" ") if w):
                pieces = [word]
                if "-" in word.strip("-") and _text_width(self.dpi, word, size, weight) > width:
                    pieces = re.split(r"(?<=-)(?=[^-])", word)
                tokens += [(piece, i == 0) for i, piece in enumerate(pieces)]
            line, used = "", 0.0
            for token, spaced in tokens:
                wide = _text_width(self.dpi, token, size, weight)
                gap = space if line and spaced else 0.0
                if line and (used + gap + wide) * 1.03 > width:
                    lines.append(line)
                    line, used, gap = "", 0.0, 0.0
                line, used = line + (" " if gap else "") + token, used + gap + wide
            lines.append(line)
        return "\n".join(lines)

    def pitch(self, ax, minimum: float, gap: float = 0.08) -> float:
        """Inches per row of a categorical y axis: the tallest tick label and a gap, at least
        ``minimum`` (a label's height follows from its number of lines)."""
        tallest = 0.0
        for label in ax.get_yticklabels():
            size = label.get_fontsize()
            lines = label.get_text().count("\n") + 1
            tallest = max(tallest, _line_height(self.dpi, size) * (lines * 1.2 - 0.2) + 0.02)
        return max(minimum, tallest + gap)

    def height(self, text: str, size: float) -> float:
        """Height in inches of a (wrapped) text of ``size`` points, as :meth:`pitch` counts it."""
        lines = str(text).count("\n") + 1
        return _line_height(self.dpi, size) * (lines * 1.2 - 0.2) + 0.02

    def _sides(self, ax) -> tuple[float, float]:
        """Inches that an axes' tick labels and axis labels take left and right of its plot
        area."""
        box = ax.bbox
        parts = [ax.yaxis.get_tightbbox(self.renderer)]
        parts.append(ax.xaxis.get_tightbbox(self.renderer, for_layout_only=True))
        parts = [b for b in parts if b is not None]
        left = max([box.x0 - b.x0 for b in parts] + [0.0]) / self.dpi
        right = max([b.x1 - box.x1 for b in parts] + [0.0]) / self.dpi
        return left + 0.02, right + 0.02

    def place_columns(self, gap: float = 0.35, columns: list[list] | None = None) -> list[float]:
        """Set the axes side by side across the figure, each after the measured width of its y tick
        labels; returns the widths of the plot areas in inches. ``columns`` lists the axes that
        share a column (stacked panels, a column of small multiples): they share its left edge and
        width; by default each axes is a column of its own."""
        if not self.own:
            return self.widths
        columns = [[ax] for ax in self.axes] if columns is None else columns
        w = self.fig.get_figwidth()
        sides = []
        for column in columns:
            measured = [self._sides(ax) for ax in column]
            sides.append((max(s[0] for s in measured), max(s[1] for s in measured)))
        free = w - 2 * PAD - sum(a + b for a, b in sides) - gap * (len(columns) - 1)
        width = max(free / len(columns), 0.8)
        x = PAD
        for column, (left, right) in zip(columns, sides, strict=True):
            x += left
            for ax in column:
                pos = ax.get_position()
                ax.set_position([x / w, pos.y0, width / w, pos.height])
            x += width + right + gap
        self.widths = [width] * len(columns)
        return self.widths

    def _legend(self, handles, names, size: float):
        """A legend in one row above the plot area (in more rows only when one is too wide)."""
        w = self.fig.get_figwidth()
        for ncol in range(len(names), 0, -1):
            legend = self.fig.legend(
                handles,
                names,
                loc="upper left",
                bbox_to_anchor=(PAD / w, 1.0),
                bbox_transform=self.fig.transFigure,
                ncol=ncol,
                fontsize=size,
                frameon=False,
                borderaxespad=0.0,
                borderpad=0.0,
                columnspacing=1.4,
                handlelength=1.6,
                handletextpad=0.5,
            )
            if ncol == 1 or self.inches(legend)[0] <= w - 2 * PAD:
                return legend
            legend.remove()
        return None

    def finish(
        self,
        title: str,
        caption: str = "",
        note: str = "",
        legend: tuple[list, list[str]] | None = None,
        plot_height: float | None = None,
        legend_size: float = 7.5,
        rows: list[tuple[list, float]] | None = None,
    ):
        """Title and legend above the plot areas, caption and note below them; the figure's height
        becomes what its parts need with ``plot_height`` inches of plot. ``rows`` stacks the plot
        areas instead: (axes, inches) from the top down, each row below the one above with room
        for the x axis above it and the panel titles of its own."""
        fig = self.fig
        if not self.own:
            ax = self.axes[0]
            ax.set_title(self.fit(title, max(self.widths[0], 1.0), 10, "bold"))
            if legend is not None:
                ax.legend(*legend, fontsize=legend_size, frameon=False)
            return fig
        w, h = fig.get_size_inches()
        text_width = w - 2 * PAD
        heading = None
        if title:
            heading = fig.suptitle(
                self.fit(title, text_width, 10, "bold"),
                x=PAD / w,
                ha="left",
                va="top",
                fontsize=10,
                fontweight="bold",
                color=INK,
            )
        lines = [
            fig.text(PAD / w, 0, self.fit(text, text_width, size), size=size, color=ink)
            for text, size, ink in ((caption, 8, INK), (note, 7, NOTE_INK))
            if text
        ]
        for line in lines:
            line.set(ha="left", va="bottom")
        key = self._legend(*legend, legend_size) if legend is not None and legend[1] else None
        title_height = self.inches(heading)[1] + GAP if heading is not None else 0.0
        head = title_height + (self.inches(key)[1] + GAP if key is not None else 0.0)
        foot = sum(self.inches(line)[1] + 0.04 for line in lines)
        stacked = rows if rows is not None else [(self.axes, plot_height)]
        above, below = [], []
        for row_axes, _ in stacked:  # what sticks out of a row's plot areas: titles, x axes
            over_top, over_bottom = 0.0, 0.0
            for ax in row_axes:
                for title_text in (ax.title, getattr(ax, "_left_title", None)):
                    if title_text is not None and title_text.get_text():
                        pad = ax.titleOffsetTrans.get_matrix()[1, 2] / self.dpi
                        over_top = max(over_top, self.inches(title_text)[1] + pad)
                box = ax.xaxis.get_tightbbox(self.renderer, for_layout_only=True)
                if box is not None:
                    over_bottom = max(over_bottom, (ax.bbox.y0 - box.y0) / self.dpi)
            above.append(over_top)
            below.append(over_bottom)
        top = PAD + head + above[0] + 0.02
        bottom = PAD + foot + (GAP if lines else 0.0) + below[-1] + 0.02
        between = [below[i - 1] + above[i] + PANEL_GAP for i in range(1, len(stacked))]
        heights = [height for _, height in stacked]
        if heights[0] is None:
            heights[0] = max(h - top - bottom, 1.0)
        h = top + sum(heights) + sum(between) + bottom
        fig.set_size_inches(w, h)
        y = h - top
        for i, ((row_axes, _), height) in enumerate(zip(stacked, heights, strict=True)):
            for ax in row_axes:
                pos = ax.get_position()
                ax.set_position([pos.x0, (y - height) / h, pos.width, height / h])
            y -= height + (between[i] if i < len(between) else 0.0)
        if heading is not None:
            heading.set_y(1 - PAD / h)
        if key is not None:
            below_title = PAD + title_height
            key.set_bbox_to_anchor((PAD / w, 1 - below_title / h), transform=fig.transFigure)
        y = PAD
        for line in reversed(lines):
            line.set_y(y / h)
            y += self.inches(line)[1] + 0.04
        return fig


def _own_figure(ax):
    """The figure and axes to draw on, and whether the chart owns the figure (and its layout)."""
    fig, ax_ = _figure(ax, (WIDTH, 4.0))
    return fig, ax_, ax is None


def likert_segments(
    distribution: pd.DataFrame,
    cb: Codebook | None = None,
    *,
    order: Sequence[int] | Mapping[str, Sequence[int]] | None = None,
    reverse: Collection[str] | None = None,
) -> pd.DataFrame:
    """Where each answer lies on the diverging (Likert) bars, in percentage points from the centre.

    One bar per item and group, its answers side by side in the scale's listed order (least to
    most favourable, :attr:`~cipslib.inputs.codebook.Scale.codes`), whatever the code numbers
    are; a reverse-coded item's bar is turned, so that its favourable answers are on the right as
    well. The neutral answer (the ``neutral`` column) is centred on 0, half its share on each
    side; the answers before it lie left of 0, those after it right. A scale without a neutral
    answer is split between its two halves (with an odd number of answers, the middle one is
    centred). The charts draw exactly these segments.

    Parameters
    ----------
    distribution : DataFrame
        The findings' ``distributions`` table or a slice of it: ``item``, ``group``, ``code``,
        ``share`` (% of the valid answers), ``neutral``; ``suppressed``, ``favourable``, ``n``,
        ``key`` and ``label`` (the answer's words in the report's language) are used or kept when
        present.
    cb : Codebook, optional
        Gives each item's listed scale order (``cb.scale_of(item).codes``) and whether it is
        reverse-coded (``cb.item(item)["reverse"]``).
    order : sequence or mapping, optional
        The codes in the listed scale order, of every item or (a mapping) per item; takes
        precedence over ``cb``. An item that neither gives keeps the order of its rows.
    reverse : collection, optional
        The ids of the reverse-coded items; takes precedence over ``cb``.

    Returns
    -------
    DataFrame
        One row per item, group and answer: the bars in the order of their first rows, each bar's
        answers left to right. ``item``, ``group``, ``code``, ``position`` (0 for the leftmost
        segment), ``share``, ``left`` (where the segment starts) and ``width`` (its share), both in
        percentage points, ``neutral``, ``reverse`` (the bar is turned), and ``favourable``,
        ``n``, ``key`` and the label columns when ``distribution`` has them. A bar with a hidden
        (suppressed or missing) share has no rows: the charts leave it blank.

    Raises
    ------
    ValueError
        When a bar has a code its listed order lacks, or more than one neutral answer.

    Examples
    --------
    Codes listed 1, 3, 2 (the code numbers are not the scale's order), 3 the neutral answer, 2 the
    favourable one; ``q2`` is reverse-worded, so its bar is turned:

    >>> d = pd.DataFrame(
    ...     {
    ...         "item": ["q1"] * 3 + ["q2"] * 3,
    ...         "group": "official",
    ...         "code": [1, 2, 3] * 2,
    ...         "share": [20.0, 50.0, 30.0] * 2,
    ...         "neutral": [False, False, True] * 2,
    ...     }
    ... )
    >>> likert_segments(d, order=[1, 3, 2], reverse={"q2"})[["item", "code", "left", "width"]]
      item  code  left  width
    0   q1     1 -35.0   20.0
    1   q1     3 -15.0   30.0
    2   q1     2  15.0   50.0
    3   q2     2 -65.0   50.0
    4   q2     3 -15.0   30.0
    5   q2     1  15.0   20.0
    """

    def listed(item: str) -> list[int] | None:
        if isinstance(order, Mapping):
            if item in order:
                return [int(c) for c in order[item]]
        elif order is not None:
            return [int(c) for c in order]
        return list(cb.scale_of(item).codes) if cb is not None else None

    def turned(item: str) -> bool:
        if reverse is not None:
            return item in reverse
        return bool(cb.item(item)["reverse"]) if cb is not None else False

    kept = [c for c in ("key", "label") if c in distribution.columns]
    extra = [c for c in ("favourable", "n") if c in distribution.columns]
    columns = ["item", "group", "code", *kept, "position", "share", "left", "width", "neutral"]
    columns += [*extra[:1], "reverse", *extra[1:]]
    bars = []
    for (item, group), bar in distribution.groupby(["item", "group"], sort=False):
        hidden = bar["share"].isna().any()
        if hidden or ("suppressed" in bar.columns and bar["suppressed"].astype(bool).any()):
            continue
        codes = listed(item)
        if codes is not None:
            unknown = sorted(set(bar["code"].astype(int)) - set(codes))
            if unknown:
                raise ValueError(f"codes {unknown} of '{item}' are not on its scale {codes}")
            bar = bar.iloc[np.argsort([codes.index(int(c)) for c in bar["code"]], kind="stable")]
        rev = turned(item)
        if rev:
            bar = bar.iloc[::-1]
        width = bar["share"].to_numpy(dtype=float)
        neutral = np.flatnonzero(bar["neutral"].to_numpy(dtype=bool))
        if len(neutral) > 1:
            raise ValueError(f"'{item}' ({group}) has more than one neutral answer")
        k = len(width)
        centre = int(neutral[0]) if len(neutral) else k // 2
        centred = bool(len(neutral)) or k % 2 == 1
        start = -width[centre] / 2 if centred else 0.0
        left = np.empty(k)
        left[centre:] = start + np.concatenate([[0.0], np.cumsum(width[centre:])[:-1]])
        left[:centre] = start - np.cumsum(width[:centre][::-1])[::-1]
        out = bar[["item", "group", "code", *kept, "neutral", *extra]].copy()
        out["code"] = out["code"].astype(int)
        out["neutral"] = out["neutral"].astype(bool)
        out["position"] = np.arange(k)
        out["share"] = width
        out["left"] = left
        out["width"] = width
        out["reverse"] = rev
        bars.append(out[columns])
    if not bars:
        return pd.DataFrame(columns=columns)
    return pd.concat(bars, ignore_index=True)


def _likert_rows(fnd, cb: Codebook, factor: int, group: str):
    """A group's items of a factor with their answers: (item ids, per item its base n or None
    when hidden, per item its :func:`likert_segments` or None when hidden)."""
    dist = fnd.tables["distributions"]
    items = fnd.tables["items"]
    ids = items[(items["factor"] == factor) & (items["group"] == group)]["item"].tolist()
    d = dist[dist["item"].isin(ids) & (dist["group"] == group)]
    if d.empty:
        return [], [], []
    segments = likert_segments(d, cb)
    ns, bars = [], []
    for iid in ids:
        bar = segments[segments["item"] == iid]
        shown = not bar.empty
        ns.append(d.loc[d["item"] == iid, "n"].iloc[0] if shown else None)
        bars.append(bar if shown else None)
    return ids, ns, bars


def _likert_draw(ax, bars, positions, colours, height: float):
    """Diverging stacked bars at ``positions`` (None for a hidden row), each segment where
    :func:`likert_segments` puts it, and the zero line behind them (it shows between the rows and
    never runs through the neutral answer's value)."""
    for y, bar in zip(positions, bars, strict=True):
        if bar is None:
            continue
        ax.barh(
            [y] * len(bar),
            bar["width"].to_numpy(),
            left=bar["left"].to_numpy(),
            color=[colours[k % len(colours)] for k in bar["position"]],
            edgecolor="white",
            linewidth=0.6,
            height=height,
            zorder=2,
        )
    ax.axvline(0, color="black", linewidth=0.8, zorder=1)
    ax.set_xlim(-100, 100)
    ax.set_xticks([-100, -50, 0, 50, 100], ["100", "50", "0", "50", "100"])
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)


def _likert_values(ax, bars, positions, colours, width: float, dpi: float):
    """Each share written on its segment where the segment is wide enough (``width``: inches of
    the plot area)."""
    per_inch = 200 / width  # x units per inch of the plot area
    for y, bar in zip(positions, bars, strict=True):
        if bar is None:
            continue
        for k, left, share in bar[["position", "left", "width"]].itertuples(index=False):
            value = f"{share:.0f}"
            if share / per_inch >= _text_width(dpi, value, 7.0, "normal") + 0.06:
                ax.text(
                    left + share / 2,
                    y,
                    value,
                    ha="center",
                    va="center",
                    fontsize=7,
                    color=_ink(colours[k % len(colours)]),
                    zorder=3,
                )


def _statement(cb: Codebook, iid: str, labels: dict, lang: str) -> str:
    """An item's wording, with the reverse-wording mark (kept on the last word's line) when it is
    reverse-coded."""
    text = str(cb.item(iid)[f"text_{lang}"])
    return f"{text}\u00a0{_label(labels, 'reverse_mark')}" if cb.item(iid)["reverse"] else text


def _likert_note(cb: Codebook, ids, labels: dict) -> str:
    """The chart's note: the method, and what the reverse-wording mark means when a statement
    carries it."""
    note = _label(labels, "caption_likert")
    if any(cb.item(iid)["reverse"] for iid in ids):
        mark = _label(labels, "reverse_mark")
        note = f"{note} {_chart_label(labels, 'note_reverse').format(mark=mark)}"
    return note


def _likert_key(cb: Codebook, iid: str, lang: str):
    """The answer scale's colours and its legend (handles, names)."""
    scale = cb.scale_of(iid)
    colours = _scale_colours(len(scale.labels))
    handles = [Rectangle((0, 0), 1, 1, facecolor=c, edgecolor="none") for c in colours]
    return colours, (handles, [scale.label(c, lang) for c in scale.labels])


@styled
def likert_bars(
    fnd, cb: Codebook, factor: int, group: str, labels: dict, lang: str = "en", ax=None
):
    """Diverging stacked bars of a factor's agree/disagree items for one group, centred on the
    neutral answer (half of the neutral share on each side of zero): the segments of
    :func:`likert_segments`. Reverse-worded statements carry the catalogue's ``reverse_mark``,
    explained in the note."""
    ids, ns, bars = _likert_rows(fnd, cb, factor, group)
    if not ids:
        return None
    fig, ax, own = _own_figure(ax)
    frame = _Frame(fig, [ax], own)
    fmt = _numbers(lang)
    texts = [
        f"{frame.fit(_statement(cb, iid, labels, lang), 2.9, 7.5)}\n"
        f"({_base(fmt, n, fnd.meta['min_cell'])})"
        for iid, n in zip(ids, ns, strict=True)
    ]
    ax.set_yticks(range(len(ids)), texts, fontsize=7.5)
    ax.set_ylim(len(ids) - 0.5, -0.5)
    pitch = frame.pitch(ax, minimum=0.42)
    colours, key = _likert_key(cb, ids[0], lang)
    positions = range(len(ids))
    _likert_draw(ax, bars, positions, colours, min(0.72, 0.3 / pitch))
    (width,) = frame.place_columns()
    ax.set_xlabel(frame.fit(_label(labels, "percent_of_valid_answers"), width, 9))
    _likert_values(ax, bars, positions, colours, width, fig.dpi)
    return frame.finish(
        f"{cb.factor_name(factor, lang)}: {cb.group_label(group, lang)}",
        _chart_label(labels, "read_likert"),
        _likert_note(cb, ids, labels),
        legend=key,
        plot_height=pitch * len(ids),
    )


def _n_range(fmt: NumberFormat, ns, min_cell) -> str:
    """The base n of a panel's rows: "n = 3,979–4,002", "n = 4,002" or "n <10" when all are
    hidden."""
    shown = [n for n in ns if n is not None and not pd.isna(n)]
    if not shown:
        return _base(fmt, None, min_cell)
    low, high = _base(fmt, min(shown), min_cell), fmt.count(max(shown))
    return low if fmt.count(min(shown)) == high else f"{low}\u2013{high}"


LIKERT_LABEL_WIDTH = 3.8  # inches of statement text beside the bars of a stacked likert chart
LIKERT_BAR = 0.17  # inches: height of one bar of a stacked likert chart
LIKERT_ROW_GAP = 0.04  # inches between two rows of a stacked likert chart


@styled
def likert_pair(
    fnd,
    cb: Codebook,
    factor: int,
    labels: dict,
    lang: str = "en",
    groups: tuple[str, ...] | None = None,
    ax=None,
):
    """A factor's agree/disagree items for several groups (default: the codebook's) in one
    figure: one panel per group (those without items in the factor are left out), stacked on a
    shared -100..100 axis, under one title and legend and above one caption. Each panel is
    headed by its group and the range of its rows' base n; each row is as tall as its wrapped
    statement. The bars are the segments of
    :func:`likert_segments`; reverse-worded statements are marked as in :func:`likert_bars`.
    ``ax`` is one axes (split into the panels) or one axes per group drawn."""
    drawn = [(g, *_likert_rows(fnd, cb, factor, g)) for g in groups or cb.group_names]
    drawn = [part for part in drawn if part[1]]
    if not drawn:
        return None
    own = ax is None
    fig, axes, laid_out = _panels(ax, len(drawn), 1)
    frame = _Frame(fig, laid_out, own)
    fmt = _numbers(lang)
    min_cell = fnd.meta["min_cell"]
    colours, key = _likert_key(cb, drawn[0][1][0], lang)
    rows = []
    for panel, (group, ids, ns, bars) in zip(axes, drawn, strict=True):
        texts = [
            frame.fit(_statement(cb, iid, labels, lang), LIKERT_LABEL_WIDTH, 7.5, balance=True)
            for iid in ids
        ]
        heights = [max(frame.height(t, 7.5), LIKERT_BAR) + LIKERT_ROW_GAP for t in texts]
        ends = np.cumsum(heights)
        positions = ends - np.asarray(heights) / 2  # y in inches from the panel's top
        panel.set_yticks(positions, texts, fontsize=7.5)
        panel.set_ylim(ends[-1], 0)
        _likert_draw(panel, bars, positions, colours, LIKERT_BAR)
        for y, bar in zip(positions, bars, strict=True):
            if bar is None:
                panel.text(2, y, hidden_label(min_cell), va="center", fontsize=7, color=NOTE_INK)
        panel.set_title(
            f"{cb.group_label(group, lang)} ({_n_range(fmt, ns, min_cell)})",
            loc="left",
            fontsize=8,
            fontweight="bold",
            color=INK,
            pad=2,
        )
        rows.append(([panel], float(ends[-1]), positions, bars))
    for panel in axes[:-1]:  # one x axis, under the last panel
        panel.tick_params(axis="x", bottom=False, labelbottom=False)
        panel.spines["bottom"].set_visible(False)
    last = axes[-1]
    width = frame.place_columns(columns=[axes])[-1]
    axis_label = frame.fit(_label(labels, "percent_of_valid_answers"), 2.2, 9)
    if own:  # beside the tick labels, in the statements' column, to keep the chart short
        below = (
            matplotlib.rcParams["xtick.major.size"] + matplotlib.rcParams["xtick.major.pad"]
        ) / 72
        last.set_xlabel(axis_label, ha="right", va="top")
        last.xaxis.set_label_coords(
            0, 0, transform=last.transAxes + ScaledTranslation(-0.25, -below, fig.dpi_scale_trans)
        )
        for panel in axes:  # the panel titles start where the statements do
            left = panel.get_position().x0 * fig.get_figwidth() - PAD
            panel._left_title.set_x(-left / width)
    else:
        last.set_xlabel(axis_label)
    for panel, (_, _, positions, bars) in zip(axes, rows, strict=True):
        _likert_values(panel, bars, positions, colours, width, fig.dpi)
    title = _chart_label(labels, "title_likert_pair").format(
        factor=cb.factor_name(factor, lang),
        groups=_groups_phrase(cb, [group for group, *_ in drawn], lang),
    )
    return frame.finish(
        title,
        _chart_label(labels, "read_likert"),
        _likert_note(cb, [iid for _, ids, _, _ in drawn for iid in ids], labels),
        legend=key if own else _legend_below(axes[-1], key, 0.45),
        rows=[(row_axes, height) for row_axes, height, _, _ in rows],
    )


def _factor_ticks(frame: _Frame, ax, cb: Codebook, factors, lang: str, width: float = 2.7):
    """Numbered factor names as y tick labels, wrapped to ``width`` inches; rows top down."""
    names = [frame.fit(f"{int(k)}. {cb.factor_name(int(k), lang)}", width, 8) for k in factors]
    ax.set_yticks(range(len(factors)), names, fontsize=8)
    ax.set_ylim(len(factors) - 0.5, -0.5)


@styled
def factor_dots(fnd, cb: Codebook, labels: dict, lang: str = "en", ax=None):
    """Factor index with 95% CI of each group, in the codebook's order of the groups."""
    fac = fnd.tables["factors"]
    fac = fac[~fac["suppressed"]]
    if fac.empty:
        return None
    fig, ax, own = _own_figure(ax)
    frame = _Frame(fig, [ax], own)
    fmt = _numbers(lang)
    factors = sorted(fac["factor"].unique())
    _factor_ticks(frame, ax, cb, factors, lang)
    pitch = frame.pitch(ax, minimum=0.4)
    present = set(fac["group"])
    groups = [g for g in cb.group_names if g in present]
    step = 0.36 / max(len(groups), 1)
    for i, g in enumerate(groups):
        part = fac[fac["group"] == g].set_index("factor").reindex(factors)
        y = np.arange(len(factors)) + (i - (len(groups) - 1) / 2) * step
        style = _group_style(cb, g)
        ax.errorbar(
            part["index"],
            y,
            xerr=[part["index"] - part["ci_low"], part["ci_high"] - part["index"]],
            fmt=style["marker"],
            color=style["color"],
            capsize=2,
            markersize=5,
            elinewidth=1.2,
            label=f"{cb.group_label(g, lang)} "
            f"({_base(fmt, part['n'].max(), fnd.meta['min_cell'])})",
        )
    ax.set_xlim(0, 100)
    ax.grid(axis="x", color="#ececec", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.axvline(50, color="#969696", linewidth=0.8, linestyle=":")
    ax.tick_params(axis="y", length=0)
    (width,) = frame.place_columns()
    ax.set_xlabel(frame.fit(_label(labels, "index_axis"), width, 9))
    return frame.finish(
        _chart_label(labels, "title_factors").format(groups=_groups_phrase(cb, groups, lang)),
        _chart_label(labels, "read_factors"),
        _label(labels, "caption_factors"),
        legend=ax.get_legend_handles_labels(),
        plot_height=pitch * len(factors),
    )


HIGHER, LOWER = "▲", "▼"
"""Marks of a subgroup level significantly higher or lower than the rest of its group."""


def subgroup_marks(fnd, group: str, variable: str) -> dict[tuple[int, str], str]:
    """(factor, level) -> :data:`HIGHER` or :data:`LOWER` for each subgroup level whose factor
    index differs significantly (Holm-adjusted) from the rest of its group; with two levels,
    tested against each other, both are marked.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> tests = pd.DataFrame({"group": ["official"], "variable": ["role"], "level": ["manager"],
    ...     "versus": ["non_manager"], "measure": ["factor_index.1"], "difference": [11.9],
    ...     "significant": [True], "factor": [1]})
    >>> subgroup_marks(SimpleNamespace(tables={"subgroup_tests": tests}), "official", "role")
    {(1, 'manager'): '▲', (1, 'non_manager'): '▼'}
    """
    tests = fnd.tables.get("subgroup_tests")
    if tests is None or tests.empty:
        return {}
    t = tests[(tests["group"] == group) & (tests["variable"] == variable)]
    t = t[t["significant"].fillna(False).astype(bool)]
    t = t[t["measure"].astype(str).str.startswith("factor_index.")]
    marks = {}
    for _, r in t.iterrows():
        up = float(r["difference"]) > 0
        factor = int(r["factor"])
        marks[(factor, str(r["level"]))] = HIGHER if up else LOWER
        if r.get("versus") not in (None, "rest") and pd.notna(r.get("versus")):
            marks[(factor, str(r["versus"]))] = LOWER if up else HIGHER
    return marks


@styled
def subgroup_heatmap(
    fnd, cb: Codebook, group: str, variable: str, labels: dict, lang: str = "en", ax=None
):
    """Factor index by subgroup level. A hidden cell is blank and reads "<10", or "x" where it is
    hidden only so that another cannot be worked out (the findings' ``hidden`` says
    "complementary"); a level significantly higher or lower than the rest of its group
    (Holm-adjusted) carries ▲ or ▼ beside its index and a dark frame."""
    sub = fnd.tables["subgroups"]
    if sub.empty:
        return None
    t = sub[
        (sub["group"] == group) & (sub["variable"] == variable) & (sub["kind"] == "factor_index")
    ]
    if t.empty:
        return None
    levels = [lev for lev in cb.variables[variable].levels if lev in set(t["level"])]
    wide = t.pivot_table(index="factor", columns="level", values="estimate", dropna=False).reindex(
        columns=levels
    )
    hidden = (
        t.pivot_table(index="factor", columns="level", values="suppressed", aggfunc="max")
        .reindex(columns=levels)
        .fillna(False)
        .astype(bool)
    )
    why = (
        dict(zip(zip(t["factor"].astype(int), t["level"], strict=True), t["hidden"], strict=True))
        if "hidden" in t.columns
        else {}
    )
    marks = subgroup_marks(fnd, group, variable)
    ns = t.groupby("level")["n"].max().reindex(levels)
    fig, ax, own = _own_figure(ax)
    frame = _Frame(fig, [ax], own)
    fmt = _numbers(lang)
    annot = pd.DataFrame(
        [
            [
                ""
                if pd.isna(wide.loc[k, lev])
                else f"{wide.loc[k, lev]:.0f}"
                + (f" {marks[(int(k), lev)]}" if (int(k), lev) in marks else "")
                for lev in levels
            ]
            for k in wide.index
        ],
        index=wide.index,
        columns=levels,
    )
    ax.set_facecolor("#f2f2f2")  # a hidden or empty cell
    sns.heatmap(
        wide,
        ax=ax,
        cmap="Blues",
        vmin=30,
        vmax=80,
        annot=annot.to_numpy(),
        fmt="",
        cbar=False,
        linewidths=0.5,
        linecolor="white",
        annot_kws={"fontsize": 7.5},
    )
    min_cell = fnd.meta["min_cell"]
    shown_marks = set()
    for i, j in zip(
        *np.nonzero(hidden.reindex(index=wide.index).fillna(False).to_numpy()), strict=True
    ):
        reason = why.get((int(wide.index[i]), levels[j]))
        mark = COMPLEMENTARY_MARK if reason == COMPLEMENTARY else hidden_label(min_cell)
        shown_marks.add(mark)
        ax.text(j + 0.5, i + 0.5, mark, ha="center", va="center", fontsize=7, color=NOTE_INK)
    for i, k in enumerate(wide.index):
        for j, lev in enumerate(levels):
            if (int(k), lev) in marks and pd.notna(wide.loc[k, lev]):
                ax.add_patch(
                    Rectangle(
                        (j + 0.04, i + 0.06),
                        0.92,
                        0.88,
                        fill=False,
                        edgecolor=INK,
                        linewidth=1.1,
                        zorder=3,
                    )
                )
    names = [frame.fit(f"{int(k)}. {cb.factor_name(int(k), lang)}", 2.7, 8) for k in wide.index]
    ax.set_yticks(np.arange(len(wide)) + 0.5, names, rotation=0, fontsize=8)
    ax.set_xticks(np.arange(len(levels)) + 0.5, [""] * len(levels))
    ax.tick_params(length=0)
    ax.set_xlabel("")
    ax.set_ylabel("")
    pitch = frame.pitch(ax, minimum=0.32)
    (width,) = frame.place_columns()
    column = width / max(len(levels), 1) - 0.08
    ax.set_xticks(
        np.arange(len(levels)) + 0.5,
        [
            frame.fit(cb.level_label(variable, lev, lang), column, 7)
            + "\n"
            + _base(fmt, ns[lev], min_cell)
            for lev in levels
        ],
        rotation=0,
        fontsize=7,
    )
    note = [_label(labels, "caption_heatmap")]
    if marks:
        note.append(_label(labels, "heatmap_note_marks").format(up=HIGHER, down=LOWER))
    if shown_marks:
        note.append(
            _label(labels, "heatmap_note_hidden").format(
                hidden=hidden_label(min_cell), min_cell=min_cell, mark=COMPLEMENTARY_MARK
            )
        )
    return frame.finish(
        f"{cb.group_label(group, lang)}: {cb.variables[variable].labels.get(lang, variable)}",
        _chart_label(labels, "read_heatmap"),
        " ".join(tidy(n) for n in note),
        plot_height=pitch * len(wide),
    )


@styled
def trend_dumbbell(fnd, cb: Codebook, group: str, labels: dict, lang: str = "en", ax=None):
    """Change of each factor index since the previous cycle: raw (unweighted) against
    standardised."""
    tr = fnd.tables.get("trends")
    if tr is None or tr.empty:
        return None
    t = tr[(tr["group"] == group) & (tr["kind"] == "factor_index")]
    if t.empty:
        return None
    wide = t.pivot_table(index="factor", columns="comparison", values="change")
    lo = t[t["comparison"] == "standardised"].set_index("factor")
    factors = list(wide.index)
    fig, ax, own = _own_figure(ax)
    frame = _Frame(fig, [ax], own)
    fmt = _numbers(lang)
    _factor_ticks(frame, ax, cb, factors, lang)
    pitch = frame.pitch(ax, minimum=0.34)
    y = np.arange(len(factors))
    for i, k in enumerate(factors):
        ax.plot(
            [wide.loc[k, "raw"], wide.loc[k, "standardised"]],
            [i, i],
            color="#e0e0e0",
            linewidth=2.5,
            zorder=1,
        )
    ax.scatter(
        wide["raw"],
        y,
        color=RAW_STYLE["color"],
        marker=RAW_STYLE["marker"],
        zorder=2,
        label=_label(labels, "raw_change"),
    )
    low = lo.loc[factors, "ci_low"].to_numpy(dtype=float)
    high = lo.loc[factors, "ci_high"].to_numpy(dtype=float)
    change = lo.loc[factors, "change"].to_numpy(dtype=float)
    style = _group_style(cb, group)
    ax.errorbar(
        wide["standardised"],
        y,
        xerr=[change - low, high - change],
        fmt=style["marker"],
        color=style["color"],
        capsize=2,
        zorder=3,
        label=_label(labels, "adjusted_change"),
    )
    values = np.concatenate([wide.to_numpy(dtype=float).ravel(), low, high])
    reach = np.nanmax(np.abs(values)) if np.isfinite(values).any() else 1.0
    reach = max(2.0, math.ceil(reach * 1.08))
    ax.set_xlim(-reach, reach)
    ax.grid(axis="x", color="#ececec", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.tick_params(axis="y", length=0)
    (width,) = frame.place_columns()
    ax.set_xlabel(frame.fit(_label(labels, "change_axis"), width, 9))
    n_now = _base(fmt, lo["n"].max(), fnd.meta["min_cell"])
    n_prev = _base(fmt, lo["n_prev"].max(), fnd.meta["min_cell"])
    return frame.finish(
        f"{cb.group_label(group, lang)}: {fnd.previous_cycle} ({n_prev}) → {fnd.cycle} ({n_now})",
        _chart_label(labels, "read_trend"),
        _label(labels, "caption_trend"),
        legend=ax.get_legend_handles_labels(),
        plot_height=pitch * len(factors),
    )


UNIT_REST_STYLE = {"color": "#8c8c8c"}  # the rest of the administration: a hollow grey marker
UNIT_PREV_STYLE = {"color": "#404040", "marker": "x"}  # the unit's previous cycle: a small cross


def _unit_name(figures, unit: str, cb: Codebook, labels: dict, lang: str) -> str:
    """A unit's name: its level label of the units' variable, "Other units" for the pool."""
    if unit == OTHER_UNITS:
        return _label(labels, "unit_other")
    try:
        return cb.level_label(figures.by, unit, lang)
    except KeyError:
        return str(unit)


@styled
def unit_dots(
    figures,
    unit: str,
    cb: Codebook,
    group: str,
    labels: dict,
    lang: str = "en",
    unit_name: str | None = None,
    ax=None,
):
    """A unit's factor indices against the rest of the administration, for one group: per factor
    the unit's index with its 95% CI (the group's colour and marker), the rest's index (hollow
    grey), the unit's index of the previous cycle (small dark-grey cross, when it has one) and, at
    the right end of the row, the unit-minus-rest difference in points where it is significant
    (Holm-adjusted over the unit's report). Hidden factors are left out of their row and their
    label reads "n <10". ``figures`` is a :class:`cipslib.analysis.units.UnitFigures`;
    ``unit_name`` replaces the unit's name (e.g. "Other units"). None when the unit has no shown
    factor index for ``group``."""
    tables = figures.report(unit)

    def rows(name: str) -> pd.DataFrame:
        t = tables[name]
        if t.empty or "group" not in t.columns:
            return t.iloc[0:0]
        return t[(t["group"] == group) & (t["kind"] == "factor_index")]

    est = rows("estimates")
    hidden_rows = est["suppressed"].astype(bool) | est["estimate"].isna()
    if est.empty or hidden_rows.all():
        return None
    min_cell = figures.plan.min_cell
    factors = sorted(int(k) for k in est["factor"].unique())
    shown = est[~hidden_rows].set_index("factor").reindex(factors)
    diff = rows("differences")
    rest = diff.set_index("factor").reindex(factors) if not diff.empty else None
    prev = rows("changes")
    prev = prev.set_index("factor").reindex(factors) if not prev.empty else None
    fig, ax, own = _own_figure(ax)
    frame = _Frame(fig, [ax], own)
    fmt = _numbers(lang)
    name = unit_name if unit_name is not None else _unit_name(figures, unit, cb, labels, lang)
    hidden = {int(k) for k in est.loc[hidden_rows, "factor"]}
    names = [
        frame.fit(
            f"{k}. {cb.factor_name(k, lang)}"
            + (f" ({_base(fmt, None, min_cell)})" if k in hidden else ""),
            2.7,
            8,
        )
        for k in factors
    ]
    ax.set_yticks(range(len(factors)), names, fontsize=8)
    ax.set_ylim(len(factors) - 0.5, -0.5)
    pitch = frame.pitch(ax, minimum=0.34)
    y = np.arange(len(factors), dtype=float)
    style = _group_style(cb, group)
    handles, keys = [], []
    index = shown["estimate"].to_numpy(dtype=float)
    low = shown["ci_low"].to_numpy(dtype=float)
    high = shown["ci_high"].to_numpy(dtype=float)
    values = [index, low, high]
    if rest is not None:
        rest_index = rest["estimate_rest"].to_numpy(dtype=float).copy()
        rest_index[np.isnan(index)] = np.nan
        values.append(rest_index)
        handles.append(
            ax.scatter(
                rest_index,
                y,
                s=52,
                marker=style["marker"],
                facecolor="white",
                edgecolor=UNIT_REST_STYLE["color"],
                linewidth=1.3,
                zorder=2,
            )
        )
        keys.append(_chart_label(labels, "unit_rest"))
    handles.insert(
        0,
        ax.errorbar(
            index,
            y,
            xerr=[index - low, high - index],
            fmt=style["marker"],
            color=style["color"],
            capsize=2,
            markersize=5,
            elinewidth=1.2,
            zorder=3,
        ),
    )
    base = _base(fmt, shown["n"].max(), min_cell)
    keys.insert(0, _chart_label(labels, "unit_estimate").format(unit=name, n=base))
    if prev is not None and prev["estimate_prev"].notna().any():
        prev_index = prev["estimate_prev"].to_numpy(dtype=float).copy()
        prev_index[np.isnan(index)] = np.nan
        values.append(prev_index)
        handles.append(
            ax.scatter(
                prev_index,
                y,
                s=20,
                marker=UNIT_PREV_STYLE["marker"],
                color=UNIT_PREV_STYLE["color"],
                linewidth=1.1,
                zorder=4,
            )
        )
        keys.append(
            _chart_label(labels, "unit_previous").format(unit=name, cycle=figures.previous_cycle)
        )
    data_low, data_high = _nice_range(np.concatenate(values), 10)
    ticks = np.arange(data_low, data_high + 5, 10)
    ax.set_xticks(ticks)
    ax.set_xlim(data_low, data_high)
    ax.grid(axis="x", color="#ececec", linewidth=0.6)
    ax.set_axisbelow(True)
    if data_low < 50 < data_high:
        ax.axvline(50, color="#969696", linewidth=0.8, linestyle=":")
    ax.tick_params(axis="y", length=0)
    (width,) = frame.place_columns()
    ax.set_xlabel(frame.fit(_label(labels, "index_axis"), width, 9))
    # the significant differences from the rest in a column at the right end of the rows
    notes = []
    if rest is not None:
        significant = rest["significant"].eq(True).to_numpy()
        notes = [
            (i, fmt.value(d, "points", signed=True))
            for i, (d, s) in enumerate(zip(rest["difference"], significant, strict=True))
            if s and np.isfinite(index[i]) and np.isfinite(d)
        ]
    if notes:
        column = max(_text_width(fig.dpi, text, 7.5, "bold") for _, text in notes) + 0.16
        span = data_high - data_low
        right = data_high + span * column / max(width - column, 0.5)
        ax.set_xlim(data_low, right)
        ax.axvspan(data_high, right, color="#f6f6f6", linewidth=0, zorder=0)
        for i, text in notes:
            ax.text(
                right - span * 0.06 / max(width - column, 0.5),
                i,
                text,
                ha="right",
                va="center",
                fontsize=7.5,
                fontweight="bold",
                color=INK,
            )
    title = _chart_label(labels, "title_unit").format(unit=name, group=cb.group_lower(group, lang))
    return frame.finish(
        title,
        _chart_label(labels, "read_unit"),
        _chart_label(labels, "note_unit"),
        legend=(handles, keys),
        plot_height=pitch * len(factors),
    )


def _panels(ax, n: int, ncols: int, sharey: bool = False):
    """``n`` panels in rows of ``ncols``: on a new figure (``ax`` None), inside one axes (split
    into insets; it holds the chart's title), or the axes given. Returns the figure, the panels and
    the axes that the chart's :class:`_Frame` lays out (the panels, or the one axes first)."""
    nrows = math.ceil(n / ncols)
    if ax is None:
        fig = Figure(figsize=(WIDTH, 4.0))
        axes = list(fig.subplots(nrows, ncols, squeeze=False, sharey=sharey).ravel())
        for extra in axes[n:]:
            extra.remove()
        return fig, axes[:n], axes[:n]
    if hasattr(ax, "inset_axes"):
        ax.set_axis_off()
        w, h = 1 / ncols, 1 / nrows
        axes = [
            ax.inset_axes(
                [(i % ncols) * w + 0.1 * w, 1 - (i // ncols + 1) * h + 0.15 * h, 0.8 * w, 0.7 * h]
            )
            for i in range(n)
        ]
        return ax.figure, axes, [ax, *axes]
    axes = list(np.ravel(ax))[:n]
    return axes[0].figure, axes, axes


def _legend_below(ax, legend: tuple[list, list[str]], inches: float) -> None:
    """On an analyst's axes: a multi-panel chart's legend in a row ``inches`` below the lowest
    panel (not on the data, where a legend's best place would be)."""
    handles, names = legend
    ax.legend(
        handles,
        names,
        loc="upper center",
        bbox_to_anchor=(0.5, 0),
        bbox_transform=ax.transAxes + ScaledTranslation(0, -inches, ax.figure.dpi_scale_trans),
        ncol=len(names),
        fontsize=7.5,
        frameon=False,
    )


def _nice_range(values, step: float) -> tuple[float, float]:
    """The multiples of ``step`` just around ``values`` (within 0..100).

    >>> _nice_range([42.5, 71.0], 10)
    (40.0, 80.0)
    """
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if not len(values):
        return 0.0, 100.0
    low = max(0.0, float(math.floor((values.min() - 1) / step) * step))
    high = min(100.0, float(math.ceil((values.max() + 1) / step) * step))
    return low, high


@styled
def series_lines(fnd, cb: Codebook, group: str, labels: dict, lang: str = "en", ax=None):
    """Each factor's index over every cycle of the chain (three or more), one small panel per
    factor on a shared y range: the standardised index (every cycle weighted to the latest
    population) as a line with 95% CI, the raw index (as answered) as a dashed grey line. None when
    the findings have no series for ``group``."""
    series = fnd.tables.get("series")
    if series is None or series.empty:
        return None
    s = series[series["group"] == group]
    if s.empty:
        return None
    factors = sorted(int(k) for k in s["factor"].unique())
    cycles = sorted(int(c) for c in s["cycle"].unique())
    ncols = min(5, len(factors))
    own = ax is None
    fig, axes, laid_out = _panels(ax, len(factors), ncols, sharey=True)
    frame = _Frame(fig, laid_out, own)
    fmt = _numbers(lang)
    min_cell = fnd.meta["min_cell"]
    shown = s[~s["suppressed"].astype(bool)]
    std_shown = shown[shown["comparison"] == "standardised"]
    values = pd.concat(
        [
            std_shown["ci_low"],
            std_shown["ci_high"],
            shown.loc[shown["comparison"] == "raw", "estimate"],
        ]
    )
    low, high = _nice_range(values, 10)
    step = 10 if high - low <= 40 else 20
    style = _group_style(cb, group)
    x = np.arange(len(cycles))
    for panel, k in zip(axes, factors, strict=True):
        part = s[s["factor"] == k]
        lines = {}
        for comparison in ("raw", "standardised"):
            rows = part[part["comparison"] == comparison].set_index("cycle").reindex(cycles)
            hidden = rows["suppressed"].fillna(True).astype(bool).to_numpy()
            lines[comparison] = (
                rows[["estimate", "ci_low", "ci_high"]].to_numpy(dtype=float).copy(),
                hidden,
            )
            lines[comparison][0][hidden] = np.nan
        raw, _ = lines["raw"]
        std, hidden = lines["standardised"]
        panel.plot(x, raw[:, 0], color=RAW_STYLE["color"], linewidth=1.3, linestyle=(0, (3, 2)))
        panel.errorbar(
            x,
            std[:, 0],
            yerr=[std[:, 0] - std[:, 1], std[:, 2] - std[:, 0]],
            fmt="-" + style["marker"],
            color=style["color"],
            markersize=3.5,
            linewidth=1.4,
            elinewidth=0.9,
            capsize=1.5,
        )
        for i in np.flatnonzero(hidden):
            panel.text(
                i,
                low + 0.03 * (high - low),
                hidden_label(min_cell),
                ha="center",
                va="bottom",
                fontsize=6.5,
                color=NOTE_INK,
            )
        panel.set_xlim(-0.45, len(cycles) - 0.55)
        panel.set_ylim(low, high)
        panel.set_yticks(np.arange(low, high + step / 2, step))
        panel.grid(axis="y", color="#ececec", linewidth=0.6)
        panel.set_axisbelow(True)
        panel.tick_params(labelsize=7, length=2.5, pad=2)
    for i, panel in enumerate(axes):
        if i % ncols:
            panel.tick_params(axis="y", labelleft=False, length=0)
        else:
            panel.set_ylabel(_label(labels.get("col") or {}, "index"), fontsize=7.5)
    columns = [axes[c::ncols] for c in range(ncols)]
    width = frame.place_columns(gap=0.14, columns=columns)[-1]
    # cycles as x tick labels, every other one when they do not fit side by side
    names = [str(c) for c in cycles]
    wide = max(_text_width(fig.dpi, name, 7, "normal") for name in names) + 0.06
    every = max(1, math.ceil(wide * len(cycles) / width))
    for panel in axes:
        panel.set_xticks(x, [name if i % every == 0 else "" for i, name in enumerate(names)])
    for panel, k in zip(axes, factors, strict=True):
        panel.set_title(
            frame.fit(f"{k}.\u00a0{cb.factor_name(k, lang)}", width + 0.1, 7.5, "bold"),
            loc="left",
            fontsize=7.5,
            fontweight="bold",
            color=INK,
            pad=3,
        )
    handles = [
        Line2D([], [], color=style["color"], marker=style["marker"], markersize=4, linewidth=1.4),
        Line2D([], [], color=RAW_STYLE["color"], linewidth=1.3, linestyle=(0, (3, 2))),
    ]
    names = [
        _chart_label(labels, "series_standardised").format(cycle=fnd.cycle),
        _chart_label(labels, "series_raw"),
    ]
    n_by_cycle = s[s["comparison"] == "standardised"].groupby("cycle")["n"].max()
    bases = "; ".join(f"{c}: {_base(fmt, n_by_cycle.get(c), min_cell)}" for c in cycles)
    rows = [(axes[r * ncols : (r + 1) * ncols], 1.05) for r in range(math.ceil(len(axes) / ncols))]
    return frame.finish(
        _chart_label(labels, "title_series").format(group=cb.group_label(group, lang)),
        _chart_label(labels, "read_series"),
        _chart_label(labels, "note_series").format(bases=bases),
        legend=(handles, names) if own else _legend_below(axes[-1], (handles, names), 0.3),
        rows=rows,
    )


def _repel(points, sizes, blocked, bounds, radius: float):
    """Where to write each point's label (all in inches): the centre of a box of ``sizes`` beside
    its point, the first place (right, left, above, below, then the diagonals, then further out)
    that stays inside ``bounds`` (x0, y0, x1, y1) and clear of the ``blocked`` boxes, the points
    and the labels placed before it; the least crowded place when none is clear. Deterministic.

    Two points 0.1 in apart: the first label goes left, clear of the second point, the second
    right.

    >>> _repel([(1.0, 1.0), (1.1, 1.0)], [(0.1, 0.1)] * 2, [], (0, 0, 3, 2), 0.04)
    [(0.87, 1.0), (1.23, 1.0)]
    """

    def overlap(a, b) -> float:
        w = min(a[2], b[2]) - max(a[0], b[0])
        h = min(a[3], b[3]) - max(a[1], b[1])
        return w * h if w > 0 and h > 0 else 0.0

    dots = [(px - radius, py - radius, px + radius, py + radius) for px, py in points]
    taken = list(blocked)
    placed = []
    for (px, py), (w, h) in zip(points, sizes, strict=True):
        best, best_cost = None, math.inf
        for distance in (0.04, 0.1, 0.18, 0.28, 0.42, 0.6, 0.85, 1.15, 1.5):
            d = radius + distance
            for ux, uy in ((1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (1, -1), (-1, 1), (-1, -1)):
                cx = px + ux * (d + w / 2) if ux else px
                cy = py + uy * (d + h / 2) if uy else py
                if ux and uy:
                    cx, cy = px + ux * (d * 0.75 + w / 2), py + uy * (d * 0.75 + h / 2)
                box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
                outside = (
                    max(bounds[0] - box[0], 0)
                    + max(box[2] - bounds[2], 0)
                    + max(bounds[1] - box[1], 0)
                    + max(box[3] - bounds[3], 0)
                )
                cost = sum(overlap(box, other) for other in taken + dots) + 10 * outside
                if cost < best_cost - 1e-12:
                    best, best_cost = (round(cx, 6), round(cy, 6), box), cost
                if cost == 0:
                    break
            if best_cost == 0:
                break
        cx, cy, box = best
        taken.append(box)
        placed.append((cx, cy))
    return placed


DRIVER_PLOT = 3.4  # inches: height of the driver grid's plot area
DRIVER_LABEL = 1.25  # inches: width a factor's name is wrapped to beside its point
DRIVER_FONT = 7.0  # points: size of the factors' names


@styled
def driver_grid(drivers, cb: Codebook, group: str, labels: dict, lang: str = "en", ax=None):
    """Key drivers as an action grid: each factor, named beside its point (a thin line joins a
    name set further away), at its current index (x) and its importance for the overall integrity
    rating (y, share of the explained variance); dashed lines at the means split four quadrants:
    act first (important, low), keep (important, high), watch and maintain. None when
    ``drivers`` has no rows for ``group``."""
    if drivers is None or drivers.empty:
        return None
    d = drivers[drivers["group"] == group].dropna(subset=["index", "importance"])
    d = d.sort_values("factor")
    if d.empty:
        return None
    fig, ax, own = _own_figure(ax)
    frame = _Frame(fig, [ax], own)
    fmt = _numbers(lang)
    x = d["index"].to_numpy(dtype=float)
    y = d["importance"].to_numpy(dtype=float)
    mx, my = float(x.mean()), float(y.mean())
    reach = max(float(np.abs(x - mx).max()) * 1.15 + 3, 8.0)
    xlim = (max(0.0, mx - reach), min(100.0, mx + reach))
    quadrants = {
        key: _chart_label(labels, f"quadrant_{key}") for key in ("act", "keep", "watch", "maintain")
    }
    ax.set_xlim(*xlim)
    ax.set_ylim(0, max(y.max(), 1.0))
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0f}")
    ax.set_ylabel(_chart_label(labels, "drivers_y"), fontsize=8)
    ax.set_xlabel(_chart_label(labels, "drivers_x"), fontsize=9)
    (width,) = frame.place_columns()
    plot_height = DRIVER_PLOT if own else ax.get_position().height * fig.get_figheight()
    ax.set_xlabel(frame.fit(_chart_label(labels, "drivers_x"), width, 9), fontsize=9)
    # the quadrants' names in bands at the top and bottom of the plot, kept clear of the points
    split = (mx - xlim[0]) / (xlim[1] - xlim[0]) * width
    spans = {"act": split, "watch": split, "keep": width - split, "maintain": width - split}
    weights = {"act": "bold", "keep": "normal", "watch": "normal", "maintain": "normal"}
    texts = {
        k: frame.fit(v, max(spans[k] - 0.16, 0.6), 7.5, weights[k]) for k, v in quadrants.items()
    }
    band_top = max(frame.height(texts[k], 7.5) for k in ("act", "keep")) + 0.08
    band_bottom = max(frame.height(texts[k], 7.5) for k in ("watch", "maintain")) + 0.08
    room = 0.12  # inches between the points and a band
    spread = max(float(y.max() - y.min()), 2.0)
    low_value = max(0.0, float(y.min()) - 0.12 * spread)  # the points' range, not from zero
    span = max(float(y.max()) - low_value, 1.0)
    per_inch = span / (plot_height - band_top - band_bottom - 2 * room)
    ylim = (low_value - (band_bottom + room) * per_inch, y.max() + (band_top + room) * per_inch)
    ax.set_ylim(*ylim)

    def data(ix: float, iy: float) -> tuple[float, float]:
        """Data coordinates of a place given in inches from the plot area's lower left."""
        return (
            xlim[0] + ix / width * (xlim[1] - xlim[0]),
            ylim[0] + iy / plot_height * (ylim[1] - ylim[0]),
        )

    top = y.max() + room * per_inch
    tick_step = next(s for s in (1, 2, 5, 10, 20, 25, 50) if span / s <= 5)
    ax.set_yticks(np.arange(math.ceil(low_value / tick_step) * tick_step, top, tick_step))
    ax.axvline(mx, color="#969696", linewidth=0.9, linestyle=(0, (4, 3)), zorder=1)
    ax.axhline(my, color="#969696", linewidth=0.9, linestyle=(0, (4, 3)), zorder=1)
    ax.add_patch(
        Rectangle(
            (xlim[0], my),
            mx - xlim[0],
            ylim[1] - my,
            facecolor="#fdf1e8",
            edgecolor="none",
            zorder=0,
        )
    )
    ax.grid(False)
    corners = {
        "act": (0.06, plot_height - 0.05, "left", "top"),
        "keep": (width - 0.06, plot_height - 0.05, "right", "top"),
        "watch": (0.06, 0.05, "left", "bottom"),
        "maintain": (width - 0.06, 0.05, "right", "bottom"),
    }
    blocked = []
    for key, (cx, cy, ha, va) in corners.items():
        text = texts[key]
        tw = max(_text_width(fig.dpi, line, 7.5, weights[key]) for line in text.split("\n"))
        tw *= 1.03
        th = frame.height(text, 7.5)
        x0 = cx if ha == "left" else cx - tw
        y0 = cy - th if va == "top" else cy
        blocked.append((x0, y0, x0 + tw, y0 + th))
        ax.text(
            *data(cx, cy),
            text,
            ha=ha,
            va=va,
            fontsize=7.5,
            color=INK if key == "act" else NOTE_INK,
            fontweight=weights[key],
        )
    style = _group_style(cb, group)
    ax.scatter(
        x,
        y,
        s=36,
        color=style["color"],
        marker=style["marker"],
        edgecolor="white",
        linewidth=0.6,
        zorder=3,
    )

    def inches(vx: float, vy: float) -> tuple[float, float]:
        """Inches from the plot area's lower left of a place given in data coordinates."""
        return (
            (vx - xlim[0]) / (xlim[1] - xlim[0]) * width,
            (vy - ylim[0]) / (ylim[1] - ylim[0]) * plot_height,
        )

    names = [
        frame.fit(cb.factor_name(int(k), lang), DRIVER_LABEL, DRIVER_FONT, balance=True)
        for k in d["factor"]
    ]
    sizes = [
        (
            max(_text_width(fig.dpi, line, DRIVER_FONT, "normal") for line in name.split("\n"))
            * 1.03
            + 0.04,
            frame.height(name, DRIVER_FONT),
        )
        for name in names
    ]
    points = [inches(a, b) for a, b in zip(x, y, strict=True)]
    places = _repel(points, sizes, blocked, (0.02, 0.02, width - 0.02, plot_height - 0.02), 0.045)

    for name, (px, py), (cx, cy), (w, h) in zip(names, points, places, sizes, strict=True):
        # the point of the label's box nearest the point: a thin line joins them when apart
        nx = min(max(px, cx - w / 2), cx + w / 2)
        ny = min(max(py, cy - h / 2), cy + h / 2)
        apart = math.hypot(px - nx, py - ny)
        if apart > 0.1:
            ux, uy = (nx - px) / apart, (ny - py) / apart
            start, end = data(px + ux * 0.06, py + uy * 0.06), data(nx, ny)
            ax.plot(*zip(start, end, strict=True), color="#969696", linewidth=0.5, zorder=2)
        ax.text(
            *data(cx, cy),
            name,
            ha="center",
            va="center",
            multialignment="center",
            fontsize=DRIVER_FONT,
            color=INK,
            linespacing=1.0,
        )
    base = d["base_n"].max() if "base_n" in d.columns else d["n"].max()
    title = _chart_label(labels, "title_drivers").format(group=cb.group_label(group, lang))
    return frame.finish(
        f"{title} ({_base(fmt, base, drivers.attrs.get('min_cell', 10))})",
        _chart_label(labels, "read_drivers"),
        _chart_label(labels, "note_drivers"),
        plot_height=plot_height,
    )


@styled
def gap_chart(fnd, cb: Codebook, labels: dict, lang: str = "en", ax=None):
    """Words vs action: % saying a mechanism exists and % saying it is effective, per factor and
    group."""
    gaps = fnd.tables["gaps"]
    gaps = gaps[~gaps["suppressed"]] if not gaps.empty else gaps
    if gaps.empty:
        return None
    rows = gaps.sort_values(["factor", "group"]).reset_index(drop=True)
    fig, ax, own = _own_figure(ax)
    frame = _Frame(fig, [ax], own)
    fmt = _numbers(lang)
    names = [
        frame.fit(
            f"{cb.factor_name(int(r['factor']), lang)} – {_label(labels, r['group'])} "
            f"({_base(fmt, r['n'], fnd.meta['min_cell'])})",
            2.9,
            7.5,
        )
        for _, r in rows.iterrows()
    ]
    y = np.arange(len(rows))
    ax.set_yticks(y, names, fontsize=7.5)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    pitch = frame.pitch(ax, minimum=0.3)
    factor_of = rows["factor"].to_numpy()
    for i, start in enumerate(np.flatnonzero(np.r_[True, factor_of[1:] != factor_of[:-1]])):
        if i % 2 == 0:
            end = start + int((factor_of == factor_of[start]).sum())
            ax.axhspan(start - 0.5, end - 0.5, color="#f4f4f4", linewidth=0, zorder=0)
    for i, r in rows.iterrows():
        ax.plot(
            [r["effective"], r["exists"]],
            [i, i],
            color=_group_style(cb, r["group"])["color"],
            linewidth=3,
            alpha=0.7,
            solid_capstyle="butt",
            zorder=2,
        )
    ax.scatter(rows["exists"], y, color="black", marker="|", s=120, zorder=3)
    ax.scatter(rows["effective"], y, facecolor="white", edgecolor="black", marker="o", zorder=3)
    handles = [
        Line2D([], [], color="black", marker="|", markersize=10, linestyle="none"),
        Line2D([], [], marker="o", markerfacecolor="white", color="black", linestyle="none"),
    ]
    names = [_label(labels, "exists"), _label(labels, "effective")]
    ax.set_xlim(0, 100)
    ax.grid(axis="x", color="#ececec", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.tick_params(axis="y", length=0)
    (width,) = frame.place_columns()
    ax.set_xlabel(frame.fit(_label(labels, "percent_agree"), width, 9))
    return frame.finish(
        _chart_label(labels, "title_gap"),
        _chart_label(labels, "read_gap"),
        _label(labels, "caption_gap"),
        legend=(handles, names),
        plot_height=pitch * len(rows),
    )


@styled
def sample_composition(fnd, group: str, cb: Codebook, labels: dict, lang: str = "en", axes=None):
    """Sample against population shares for each weighting variable of a group."""
    s = fnd.tables["sample"]
    s = s[s["group"] == group] if not s.empty else s
    if s.empty:
        return None
    variables = list(dict.fromkeys(s["variable"]))
    own = axes is None
    if own:
        fig = Figure(figsize=(WIDTH, 2.8))
        axes = fig.subplots(1, len(variables), squeeze=False)[0]
    fig = axes[0].figure
    frame = _Frame(fig, axes, own)
    fmt = _numbers(lang)
    label_width = (WIDTH - 2 * PAD) / len(variables) * 0.45
    rows = max(int((s["variable"] == var).sum()) for var in variables)
    style = _group_style(cb, group)
    for ax, var in zip(axes, variables, strict=True):
        part = s[s["variable"] == var]
        y = np.arange(len(part))
        ax.barh(
            y - 0.2,
            part["sample_pct"].fillna(0),
            height=0.4,
            color=SAMPLE_COLOR,
            label=_label(labels, "sample"),
        )
        ax.barh(
            y + 0.2,
            part["population_pct"],
            height=0.4,
            color=style["color"],
            label=_label(labels, "population"),
        )
        for i in np.flatnonzero(part["sample_pct"].isna().to_numpy()):
            ax.text(
                0.5,
                i - 0.2,
                hidden_label(fnd.meta["min_cell"]),
                va="center",
                fontsize=6.5,
                color=NOTE_INK,
            )
        names = [frame.fit(cb.level_label(var, lev, lang), label_width, 7) for lev in part["level"]]
        ax.set_yticks(y, names, fontsize=7)
        ax.set_ylim(len(part) - 0.5, -0.5)
        ax.tick_params(axis="y", length=0)
        ax.tick_params(axis="x", labelsize=7)
        ax.set_xlabel("%", fontsize=7.5)
    pitch = max(frame.pitch(ax, minimum=0.3) for ax in axes)
    widths = frame.place_columns()
    for ax, var, width in zip(axes, variables, widths, strict=True):
        title = frame.fit(cb.variables[var].labels.get(lang, var), width, 8, "bold")
        ax.set_title(title, fontsize=8, loc="left")
    n = fnd.tables["weighting"].set_index("group")["n"].get(group)
    frame.finish(
        f"{cb.group_label(group, lang)} ({_base(fmt, n, fnd.meta['min_cell'])})",
        _chart_label(labels, "read_sample"),
        _label(labels, "caption_sample"),
        legend=axes[0].get_legend_handles_labels(),
        plot_height=pitch * rows,
    )
    if own:  # each panel as tall as its own rows, the panels' tops aligned
        h = fig.get_figheight()
        for ax, var in zip(axes, variables, strict=True):
            pos = ax.get_position()
            height = pitch * int((s["variable"] == var).sum()) / h
            ax.set_position([pos.x0, pos.y1 - height, pos.width, height])
    return fig


@styled
def share_bars(
    names: list[str],
    shares: list[float],
    xlabel: str,
    ax=None,
    *,
    title: str = "",
    caption: str = "",
    note: str = "",
):
    """One horizontal bar per row (a cycle, the population) with its percentage written beside
    it."""
    fig, ax, own = _own_figure(ax)
    frame = _Frame(fig, [ax], own)
    ax.barh(range(len(names)), shares, color=["#969696", "#08519c", "#d95f0e"][: len(names)])
    for i, v in enumerate(shares):
        ax.text(v + 1, i, f"{v:.0f}%", va="center", fontsize=8)
    ax.set_yticks(range(len(names)), [frame.fit(name, 2.5, 9) for name in names])
    ax.set_ylim(len(names) - 0.5, -0.5)
    ax.set_xlim(0, 100)
    pitch = frame.pitch(ax, minimum=0.4)
    (width,) = frame.place_columns()
    ax.set_xlabel(frame.fit(xlabel, width, 9))
    return frame.finish(title, caption, note, plot_height=pitch * len(names))
