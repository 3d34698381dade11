"""A unit report's chart: the unit's factor indices against the rest of the administration and its
previous cycle, with the significant differences (:func:`unit_dots`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...analysis.units import OTHER_UNITS
from ...inputs.codebook import Codebook
from .layout import _Frame, _nice_range, _text_width
from .style import INK, _base, _chart_label, _group_style, _label, _numbers, _own_figure, styled

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
