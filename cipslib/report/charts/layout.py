"""Measured layout of the charts: text sizes in inches, wrapped labels, and :class:`_Frame`, which
sets the margins, puts the title and legend above the plot, the caption and note below it and
gives the figure the height its rows need; panels (a figure, insets of one axes, or an analyst's
axes) and axis ranges shared by several charts.
"""

from __future__ import annotations

import functools
import math
import re

import numpy as np
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.transforms import ScaledTranslation

from ...inputs.codebook import Codebook
from .style import GAP, INK, NOTE_INK, PAD, PANEL_GAP, STYLE, WIDTH


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
        if not self.own:
            return self._finish_on_axes(title, legend, legend_size)
        fig = self.fig
        w, h = fig.get_size_inches()
        heading, lines = self._texts(title, caption, note)
        key = self._legend(*legend, legend_size) if legend is not None and legend[1] else None
        title_height = self.inches(heading)[1] + GAP if heading is not None else 0.0
        head = title_height + (self.inches(key)[1] + GAP if key is not None else 0.0)
        foot = sum(self.inches(line)[1] + 0.04 for line in lines)
        stacked = rows if rows is not None else [(self.axes, plot_height)]
        above, below = self._overhangs([row_axes for row_axes, _ in stacked])
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

    def _finish_on_axes(self, title: str, legend, legend_size: float):
        """On an analyst's axes: the title and legend on the (first) axes, the figure's layout
        left alone."""
        ax = self.axes[0]
        ax.set_title(self.fit(title, max(self.widths[0], 1.0), 10, "bold"))
        if legend is not None:
            ax.legend(*legend, fontsize=legend_size, frameon=False)
        return self.fig

    def _texts(self, title: str, caption: str, note: str):
        """The figure's title (None without one) and its caption and note lines (those given),
        wrapped to the figure's width; :meth:`finish` sets their heights."""
        fig = self.fig
        w = fig.get_figwidth()
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
        return heading, lines

    def _overhangs(self, rows: list[list]) -> tuple[list[float], list[float]]:
        """Inches that stick out of each row's plot areas: above (the panel titles) and below
        (the x axis, its tick labels and label)."""
        above, below = [], []
        for row_axes in rows:
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
        return above, below


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


def _factor_ticks(frame: _Frame, ax, cb: Codebook, factors, lang: str, width: float = 2.7):
    """Numbered factor names as y tick labels, wrapped to ``width`` inches; rows top down."""
    names = [frame.fit(f"{int(k)}. {cb.factor_name(int(k), lang)}", width, 8) for k in factors]
    ax.set_yticks(range(len(factors)), names, fontsize=8)
    ax.set_ylim(len(factors) - 0.5, -0.5)
