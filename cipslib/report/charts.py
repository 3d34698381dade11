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
import math

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

from ..analysis.disclosure import hidden_label
from ..errors import CipsDataError
from ..inputs.codebook import Codebook
from ..text.catalogue import load_catalogue
from ..text.numbers import NumberFormat

DIVERGING = [
    "#8c2d04",
    "#f16913",
    "#d9d9d9",
    "#4292c6",
    "#08306b",
]  # strongly disagree ... strongly agree; grey lightness 33, 61, 87, 58, 21
GROUP_STYLE = {
    "official": {"color": "#08519c", "marker": "o"},  # grey lightness 35
    "private": {"color": "#d95f0e", "marker": "s"},  # 55
}
OTHER_GROUP_STYLE = {"color": "#525252", "marker": "^"}
RAW_STYLE = {"color": "#b0b0b0", "marker": "D"}  # 72
SAMPLE_COLOR = "#c6c6c6"  # 80
INK = "#262626"
NOTE_INK = "#595959"
WIDTH = 7.2  # inches, every chart
PAD = 0.12  # inches of white around a chart's content
GAP = 0.1  # inches between the title, the legend, the plot and the caption
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
    """Draw ``chart`` inside the report style; rcParams are restored when it returns."""

    @functools.wraps(chart)
    def draw(*args, **kwargs):
        with matplotlib.rc_context(STYLE):
            return chart(*args, **kwargs)

    return draw


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
    return " ".join(str((labels.get("chart") or {}).get(key, f"chart.{key}")).split())


def _numbers(lang: str) -> NumberFormat:
    """How the report's language writes numbers (thousands separator)."""
    try:
        return NumberFormat(load_catalogue(lang).get("numbers") or {})
    except CipsDataError:
        return NumberFormat({})


def _base(fmt: NumberFormat, n, min_cell) -> str:
    """The base n as the report writes it, kept on one line: "n = 4,199", "n = 4 199", "n <10"."""
    if n is None or pd.isna(n):
        return f"n\u00a0{hidden_label(min_cell)}"
    return f"n\u00a0=\u00a0{fmt.count(n)}"


def _group_style(group: str) -> dict:
    return GROUP_STYLE.get(group, OTHER_GROUP_STYLE)


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

    def fit(self, text: str, width: float, size: float, weight: str = "normal") -> str:
        """``text`` wrapped at spaces (not at no-break spaces) into lines at most ``width`` inches
        wide. Words are measured one by one (and remembered), with 3% to spare for kerning."""
        space = _text_width(self.dpi, "a a", size, weight) - 2 * _text_width(
            self.dpi, "a", size, weight
        )
        lines = []
        for para in str(text).split("\n"):
            line, used = "", 0.0
            for word in (w for w in para.split(" ") if w):
                wide = _text_width(self.dpi, word, size, weight)
                if line and (used + space + wide) * 1.03 > width:
                    lines.append(line)
                    line, used = "", 0.0
                line, used = (f"{line} {word}", used + space + wide) if line else (word, wide)
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

    def place_columns(self, gap: float = 0.35) -> list[float]:
        """Set the axes side by side across the figure, each after the measured width of its y tick
        labels; returns the widths of the plot areas in inches."""
        if not self.own:
            return self.widths
        w = self.fig.get_figwidth()
        sides = []
        for ax in self.axes:
            box = ax.bbox
            parts = [ax.yaxis.get_tightbbox(self.renderer)]
            parts.append(ax.xaxis.get_tightbbox(self.renderer, for_layout_only=True))
            parts = [b for b in parts if b is not None]
            left = max([box.x0 - b.x0 for b in parts] + [0.0]) / self.dpi
            right = max([b.x1 - box.x1 for b in parts] + [0.0]) / self.dpi
            sides.append((left + 0.02, right + 0.02))
        free = w - 2 * PAD - sum(a + b for a, b in sides) - gap * (len(self.axes) - 1)
        width = max(free / len(self.axes), 0.8)
        x = PAD
        for ax, (left, right) in zip(self.axes, sides, strict=True):
            x += left
            pos = ax.get_position()
            ax.set_position([x / w, pos.y0, width / w, pos.height])
            x += width + right + gap
        self.widths = [width] * len(self.axes)
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
    ):
        """Title and legend above the plot areas, caption and note below them; the figure's height
        becomes what its parts need with ``plot_height`` inches of plot."""
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
        over_top, over_bottom = 0.0, 0.0
        for ax in self.axes:  # what sticks out of a plot area: its title, its x axis
            for title_text in (ax.title, getattr(ax, "_left_title", None)):
                if title_text is not None and title_text.get_text():
                    pad = matplotlib.rcParams["axes.titlepad"] / 72
                    over_top = max(over_top, self.inches(title_text)[1] + pad)
            box = ax.xaxis.get_tightbbox(self.renderer, for_layout_only=True)
            if box is not None:
                over_bottom = max(over_bottom, (ax.bbox.y0 - box.y0) / self.dpi)
        top = PAD + head + over_top + 0.02
        bottom = PAD + foot + (GAP if lines else 0.0) + over_bottom + 0.02
        if plot_height is None:
            plot_height = max(h - top - bottom, 1.0)
        h = top + plot_height + bottom
        fig.set_size_inches(w, h)
        for ax in self.axes:
            pos = ax.get_position()
            ax.set_position([pos.x0, bottom / h, pos.width, plot_height / h])
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


@styled
def likert_bars(
    fnd, cb: Codebook, factor: int, group: str, labels: dict, lang: str = "en", ax=None
):
    """Diverging stacked bars of a factor's agree/disagree items for one group, centred on the
    neutral answer (half of the neutral share on each side of zero)."""
    dist = fnd.tables["distributions"]
    items = fnd.tables["items"]
    ids = items[(items["factor"] == factor) & (items["group"] == group)]["item"].tolist()
    d = dist[dist["item"].isin(ids) & (dist["group"] == group)]
    if d.empty:
        return None
    fig, ax, own = _own_figure(ax)
    frame = _Frame(fig, [ax], own)
    fmt = _numbers(lang)
    texts, bars = [], []
    for iid in ids:
        rows = d[d["item"] == iid].sort_values("code")
        shown = not rows.empty and not rows["suppressed"].any()
        n = rows["n"].iloc[0] if shown else None
        item_text = frame.fit(cb.item(iid)[f"text_{lang}"], 2.9, 7.5)
        texts.append(f"{item_text}\n({_base(fmt, n, fnd.meta['min_cell'])})")
        if not shown:
            bars.append(None)
            continue
        shares = rows["share"].to_numpy()
        codes = rows["code"].to_numpy()
        if cb.item(iid)["reverse"]:
            shares, codes = shares[::-1], codes[::-1]
        neutral = cb.scale_of(iid).neutral
        if neutral:
            left = -shares[codes < neutral].sum() - shares[codes == neutral].sum() / 2
        else:
            half = len(shares) // 2
            left = -shares[:half].sum() - (shares[half] / 2 if len(shares) % 2 else 0.0)
        bars.append((shares, left))
    ax.set_yticks(range(len(ids)), texts, fontsize=7.5)
    ax.set_ylim(len(ids) - 0.5, -0.5)
    pitch = frame.pitch(ax, minimum=0.42)
    scale = cb.scale_of(ids[0])
    colours = _scale_colours(len(scale.labels))
    for y, bar in enumerate(bars):
        if bar is None:
            continue
        shares, left = bar
        starts = left + np.concatenate([[0.0], np.cumsum(shares)[:-1]])
        ax.barh(
            [y] * len(shares),
            shares,
            left=starts,
            color=[colours[k % len(colours)] for k in range(len(shares))],
            edgecolor="white",
            linewidth=0.6,
            height=min(0.72, 0.3 / pitch),
        )
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlim(-100, 100)
    ax.set_xticks([-100, -50, 0, 50, 100], ["100", "50", "0", "50", "100"])
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    handles = [Rectangle((0, 0), 1, 1, facecolor=c, edgecolor="none") for c in colours]
    names = [scale.label(c, lang) for c in scale.labels]
    (width,) = frame.place_columns()
    ax.set_xlabel(frame.fit(_label(labels, "percent_of_valid_answers"), width, 9))
    per_inch = 200 / width  # x units per inch of the plot area
    for y, bar in enumerate(bars):
        if bar is None:
            continue
        shares, left = bar
        for k, share in enumerate(shares):
            value = f"{share:.0f}"
            if share / per_inch >= _text_width(fig.dpi, value, 7.0, "normal") + 0.06:
                colour = colours[k % len(colours)]
                ax.text(
                    left + share / 2,
                    y,
                    value,
                    ha="center",
                    va="center",
                    fontsize=7,
                    color=_ink(colour),
                )
            left += share
    return frame.finish(
        f"{cb.factor_name(factor, lang)}: {_label(labels, group)}",
        _chart_label(labels, "read_likert"),
        _label(labels, "caption_likert"),
        legend=(handles, names),
        plot_height=pitch * len(ids),
    )


def _factor_ticks(frame: _Frame, ax, cb: Codebook, factors, lang: str, width: float = 2.7):
    """Numbered factor names as y tick labels, wrapped to ``width`` inches; rows top down."""
    names = [frame.fit(f"{int(k)}. {cb.factor_name(int(k), lang)}", width, 8) for k in factors]
    ax.set_yticks(range(len(factors)), names, fontsize=8)
    ax.set_ylim(len(factors) - 0.5, -0.5)


@styled
def factor_dots(fnd, cb: Codebook, labels: dict, lang: str = "en", ax=None):
    """Factor index with 95% CI for officials and the private sector."""
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
    groups = list(dict.fromkeys(fac.sort_values("group")["group"]))
    step = 0.36 / max(len(groups), 1)
    for i, (g, part) in enumerate(fac.groupby("group", sort=True)):
        part = part.set_index("factor").reindex(factors)
        y = np.arange(len(factors)) + (i - (len(groups) - 1) / 2) * step
        style = _group_style(g)
        ax.errorbar(
            part["index"],
            y,
            xerr=[part["index"] - part["ci_low"], part["ci_high"] - part["index"]],
            fmt=style["marker"],
            color=style["color"],
            capsize=2,
            markersize=5,
            elinewidth=1.2,
            label=f"{_label(labels, g)} ({_base(fmt, part['n'].max(), fnd.meta['min_cell'])})",
        )
    ax.set_xlim(0, 100)
    ax.grid(axis="x", color="#ececec", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.axvline(50, color="#969696", linewidth=0.8, linestyle=":")
    ax.tick_params(axis="y", length=0)
    (width,) = frame.place_columns()
    ax.set_xlabel(frame.fit(_label(labels, "index_axis"), width, 9))
    return frame.finish(
        _chart_label(labels, "title_factors"),
        _chart_label(labels, "read_factors"),
        _label(labels, "caption_factors"),
        legend=ax.get_legend_handles_labels(),
        plot_height=pitch * len(factors),
    )


@styled
def subgroup_heatmap(
    fnd, cb: Codebook, group: str, variable: str, labels: dict, lang: str = "en", ax=None
):
    """Factor index by subgroup level; suppressed cells are blank and read "<10"."""
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
    ns = t.groupby("level")["n"].max().reindex(levels)
    fig, ax, own = _own_figure(ax)
    frame = _Frame(fig, [ax], own)
    fmt = _numbers(lang)
    annot = wide.map(lambda v: "" if pd.isna(v) else f"{v:.0f}")
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
    for i, j in zip(
        *np.nonzero(hidden.reindex(index=wide.index).fillna(False).to_numpy()), strict=True
    ):
        ax.text(
            j + 0.5,
            i + 0.5,
            hidden_label(fnd.meta["min_cell"]),
            ha="center",
            va="center",
            fontsize=7,
            color=NOTE_INK,
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
            + _base(fmt, ns[lev], fnd.meta["min_cell"])
            for lev in levels
        ],
        rotation=0,
        fontsize=7,
    )
    return frame.finish(
        f"{_label(labels, group)}: {cb.variables[variable].labels.get(lang, variable)}",
        _chart_label(labels, "read_heatmap"),
        _label(labels, "caption_heatmap"),
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
    style = _group_style(group)
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
        f"{_label(labels, group)}: {fnd.previous_cycle} ({n_prev}) → {fnd.cycle} ({n_now})",
        _chart_label(labels, "read_trend"),
        _label(labels, "caption_trend"),
        legend=ax.get_legend_handles_labels(),
        plot_height=pitch * len(factors),
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
            color=_group_style(r["group"])["color"],
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
    style = _group_style(group)
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
        ax.set_ylim(rows - 0.5, -0.5)
        ax.tick_params(axis="y", length=0)
        ax.tick_params(axis="x", labelsize=7)
        ax.set_xlabel("%", fontsize=7.5)
    pitch = max(frame.pitch(ax, minimum=0.3) for ax in axes)
    widths = frame.place_columns()
    for ax, var, width in zip(axes, variables, widths, strict=True):
        title = frame.fit(cb.variables[var].labels.get(lang, var), width, 8, "bold")
        ax.set_title(title, fontsize=8, loc="left")
    n = fnd.tables["weighting"].set_index("group")["n"].get(group)
    return frame.finish(
        f"{_label(labels, group)} ({_base(fmt, n, fnd.meta['min_cell'])})",
        _chart_label(labels, "read_sample"),
        _label(labels, "caption_sample"),
        legend=axes[0].get_legend_handles_labels(),
        plot_height=pitch * rows,
    )


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
