""" "Words vs action": % saying a mechanism exists against % saying it is effective, per factor and
group (:func:`gap_chart`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from ...inputs.codebook import Codebook
from .layout import _Frame
from .style import _base, _chart_label, _group_style, _label, _numbers, _own_figure, styled


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
    _factor_bands(ax, rows["factor"].to_numpy())
    handles = _gaps(ax, rows, cb)
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


def _factor_bands(ax, factor_of: np.ndarray) -> None:
    """A light band behind the rows of every other factor (``factor_of``: each row's factor, the
    rows of a factor together)."""
    for i, start in enumerate(np.flatnonzero(np.r_[True, factor_of[1:] != factor_of[:-1]])):
        if i % 2 == 0:
            end = start + int((factor_of == factor_of[start]).sum())
            ax.axhspan(start - 0.5, end - 0.5, color="#f4f4f4", linewidth=0, zorder=0)


def _gaps(ax, rows: pd.DataFrame, cb: Codebook) -> list[Line2D]:
    """Per row a bar in its group's colour from % effective (a hollow circle) to % exists (a
    tick); returns the legend's handles of the two marks."""
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
    y = np.arange(len(rows))
    ax.scatter(rows["exists"], y, color="black", marker="|", s=120, zorder=3)
    ax.scatter(rows["effective"], y, facecolor="white", edgecolor="black", marker="o", zorder=3)
    return [
        Line2D([], [], color="black", marker="|", markersize=10, linestyle="none"),
        Line2D([], [], marker="o", markerfacecolor="white", color="black", linestyle="none"),
    ]
