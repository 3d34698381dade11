"""The ten factor indices of every group, with their 95% CIs, in one chart (:func:`factor_dots`)."""

from __future__ import annotations

import numpy as np

from ...inputs.codebook import Codebook
from .layout import _factor_ticks, _Frame
from .style import (
    _base,
    _chart_label,
    _group_style,
    _groups_phrase,
    _label,
    _numbers,
    _own_figure,
    styled,
)


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
