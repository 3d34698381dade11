"""Change over cycles: each factor's change since the previous cycle, raw against standardised
(:func:`trend_dumbbell`), and each factor's index over every cycle of the chain
(:func:`series_lines`).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from ...analysis.disclosure import hidden_label
from ...inputs.codebook import Codebook
from .layout import _factor_ticks, _Frame, _legend_below, _nice_range, _panels, _text_width
from .style import (
    INK,
    NOTE_INK,
    RAW_STYLE,
    _base,
    _chart_label,
    _group_style,
    _label,
    _numbers,
    _own_figure,
    styled,
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
    values = _dumbbells(ax, wide, lo.loc[factors], _group_style(cb, group), labels)
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


def _dumbbells(ax, wide: pd.DataFrame, std: pd.DataFrame, style: dict, labels: dict):
    """Per factor row a grey bar from the raw change to the standardised one, the raw change (a
    grey diamond) and the standardised change with its 95% CI (the group's ``style``; ``std``
    holds its rows, in the order of ``wide``'s). Returns the values drawn."""
    y = np.arange(len(wide))
    for i, k in enumerate(wide.index):
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
    low = std["ci_low"].to_numpy(dtype=float)
    high = std["ci_high"].to_numpy(dtype=float)
    change = std["change"].to_numpy(dtype=float)
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
    return np.concatenate([wide.to_numpy(dtype=float).ravel(), low, high])


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
    y_range = _series_range(s)
    style = _group_style(cb, group)
    for panel, k in zip(axes, factors, strict=True):
        _series_panel(panel, s[s["factor"] == k], cycles, style, y_range, min_cell)
    for i, panel in enumerate(axes):
        if i % ncols:
            panel.tick_params(axis="y", labelleft=False, length=0)
        else:
            panel.set_ylabel(_label(labels.get("col") or {}, "index"), fontsize=7.5)
    columns = [axes[c::ncols] for c in range(ncols)]
    width = frame.place_columns(gap=0.14, columns=columns)[-1]
    _cycle_ticks(axes, cycles, width, fig.dpi)
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


def _series_range(s: pd.DataFrame) -> tuple[float, float, float]:
    """The y range every panel shares, the multiples of 10 around the shown standardised CIs and
    raw indices of the series rows ``s``, and its tick step."""
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
    return low, high, 10 if high - low <= 40 else 20


def _series_panel(panel, part: pd.DataFrame, cycles, style: dict, y_range, min_cell) -> None:
    """One factor's panel: its raw index (dashed grey) and standardised index with 95% CI (the
    group's ``style``) at each of ``cycles``; "<10" at the foot of a cycle whose index is hidden."""
    low, high, step = y_range
    x = np.arange(len(cycles))
    lines = {}
    for comparison in ("raw", "standardised"):
        rows = part[part["comparison"] == comparison].set_index("cycle").reindex(cycles)
        hidden = rows["suppressed"].fillna(True).astype(bool).to_numpy()
        values = rows[["estimate", "ci_low", "ci_high"]].to_numpy(dtype=float).copy()
        values[hidden] = np.nan
        lines[comparison] = (values, hidden)
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


def _cycle_ticks(axes, cycles, width: float, dpi: float) -> None:
    """The cycles as x tick labels of panels ``width`` inches wide, every other one (or fewer)
    when they do not fit side by side."""
    names = [str(c) for c in cycles]
    wide = max(_text_width(dpi, name, 7, "normal") for name in names) + 0.06
    every = max(1, math.ceil(wide * len(cycles) / width))
    for panel in axes:
        panel.set_xticks(
            np.arange(len(cycles)), [name if i % every == 0 else "" for i, name in enumerate(names)]
        )
