"""Horizontal bars of shares: the sample against the population for each weighting variable of a
group (:func:`sample_composition`), and one bar per row with its percentage (:func:`share_bars`,
the comparison report's composition).
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ...analysis.disclosure import hidden_label
from ...inputs.codebook import Codebook
from .layout import _Frame
from .style import (
    NOTE_INK,
    PAD,
    SAMPLE_COLOR,
    WIDTH,
    _base,
    _chart_label,
    _group_style,
    _label,
    _numbers,
    _own_figure,
    styled,
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
        names = [frame.fit(cb.level_label(var, lev, lang), label_width, 7) for lev in part["level"]]
        _sample_panel(ax, part, names, style["color"], labels, fnd.meta["min_cell"])
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


def _sample_panel(ax, part, names: list[str], colour: str, labels: dict, min_cell) -> None:
    """One weighting variable's panel: per level (``names``, wrapped) the sample's share (grey;
    "<10" where it is hidden) above the population's (the group's ``colour``)."""
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
        color=colour,
        label=_label(labels, "population"),
    )
    for i in np.flatnonzero(part["sample_pct"].isna().to_numpy()):
        ax.text(0.5, i - 0.2, hidden_label(min_cell), va="center", fontsize=6.5, color=NOTE_INK)
    ax.set_yticks(y, names, fontsize=7)
    ax.set_ylim(len(part) - 0.5, -0.5)
    ax.tick_params(axis="y", length=0)
    ax.tick_params(axis="x", labelsize=7)
    ax.set_xlabel("%", fontsize=7.5)


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
