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
    est = _factor_rows(tables["estimates"], group)
    hidden_rows = est["suppressed"].astype(bool) | est["estimate"].isna()
    if est.empty or hidden_rows.all():
        return None
    min_cell = figures.plan.min_cell
    factors = sorted(int(k) for k in est["factor"].unique())
    shown = est[~hidden_rows].set_index("factor").reindex(factors)
    rest, prev = (_factor_rows(tables[t], group) for t in ("differences", "changes"))
    rest = rest.set_index("factor").reindex(factors) if not rest.empty else None
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
    handles, values = _unit_points(ax, _group_style(cb, group), shown, rest, prev)
    base = _base(fmt, shown["n"].max(), min_cell)
    keys = [_chart_label(labels, "unit_estimate").format(unit=name, n=base)]
    if "rest" in handles:
        keys.append(_chart_label(labels, "unit_rest"))
    if "previous" in handles:
        previous = _chart_label(labels, "unit_previous")
        keys.append(previous.format(unit=name, cycle=figures.previous_cycle))
    data_range = _unit_axis(ax, values)
    (width,) = frame.place_columns()
    ax.set_xlabel(frame.fit(_label(labels, "index_axis"), width, 9))
    if rest is not None:
        index = shown["estimate"].to_numpy(dtype=float)
        _difference_column(ax, rest, index, fmt, data_range, width, fig.dpi)
    title = _chart_label(labels, "title_unit").format(unit=name, group=cb.group_lower(group, lang))
    return frame.finish(
        title,
        _chart_label(labels, "read_unit"),
        _chart_label(labels, "note_unit"),
        legend=(list(handles.values()), keys),
        plot_height=pitch * len(factors),
    )


def _factor_rows(table: pd.DataFrame, group: str) -> pd.DataFrame:
    """The rows of a unit's table that give ``group``'s factor indices (none when it has no
    group column)."""
    if table.empty or "group" not in table.columns:
        return table.iloc[0:0]
    return table[(table["group"] == group) & (table["kind"] == "factor_index")]


def _unit_points(ax, style: dict, shown: pd.DataFrame, rest, prev) -> tuple[dict, list]:
    """Per factor row: the rest's index (a hollow marker), the unit's index with its 95% CI (the
    group's ``style``) and the unit's index of the previous cycle (a small cross, when it has
    one); a factor hidden for the unit shows none of them. Returns the handles in the legend's
    order ("estimate", "rest", "previous") and the values drawn."""
    y = np.arange(len(shown), dtype=float)
    index = shown["estimate"].to_numpy(dtype=float)
    low = shown["ci_low"].to_numpy(dtype=float)
    high = shown["ci_high"].to_numpy(dtype=float)
    values = [index, low, high]
    others = {}
    if rest is not None:
        rest_index = rest["estimate_rest"].to_numpy(dtype=float).copy()
        rest_index[np.isnan(index)] = np.nan
        values.append(rest_index)
        others["rest"] = ax.scatter(
            rest_index,
            y,
            s=52,
            marker=style["marker"],
            facecolor="white",
            edgecolor=UNIT_REST_STYLE["color"],
            linewidth=1.3,
            zorder=2,
        )
    estimate = ax.errorbar(
        index,
        y,
        xerr=[index - low, high - index],
        fmt=style["marker"],
        color=style["color"],
        capsize=2,
        markersize=5,
        elinewidth=1.2,
        zorder=3,
    )
    if prev is not None and prev["estimate_prev"].notna().any():
        prev_index = prev["estimate_prev"].to_numpy(dtype=float).copy()
        prev_index[np.isnan(index)] = np.nan
        values.append(prev_index)
        others["previous"] = ax.scatter(
            prev_index,
            y,
            s=20,
            marker=UNIT_PREV_STYLE["marker"],
            color=UNIT_PREV_STYLE["color"],
            linewidth=1.1,
            zorder=4,
        )
    return {"estimate": estimate, **others}, values


def _unit_axis(ax, values) -> tuple[float, float]:
    """The index axis: ticks every 10 points over the multiples of 10 around ``values``, a dotted
    line at 50 when it is in range; returns the range."""
    data_low, data_high = _nice_range(np.concatenate(values), 10)
    ticks = np.arange(data_low, data_high + 5, 10)
    ax.set_xticks(ticks)
    ax.set_xlim(data_low, data_high)
    ax.grid(axis="x", color="#ececec", linewidth=0.6)
    ax.set_axisbelow(True)
    if data_low < 50 < data_high:
        ax.axvline(50, color="#969696", linewidth=0.8, linestyle=":")
    ax.tick_params(axis="y", length=0)
    return data_low, data_high


def _difference_column(ax, rest, index, fmt, data_range, width: float, dpi: float) -> None:
    """The significant unit-minus-rest differences, in points, in a shaded column at the right
    end of the rows (``width``: inches of the plot area); the x axis grows to hold it."""
    significant = rest["significant"].eq(True).to_numpy()
    notes = [
        (i, fmt.value(d, "points", signed=True))
        for i, (d, s) in enumerate(zip(rest["difference"], significant, strict=True))
        if s and np.isfinite(index[i]) and np.isfinite(d)
    ]
    if not notes:
        return
    data_low, data_high = data_range
    column = max(_text_width(dpi, text, 7.5, "bold") for _, text in notes) + 0.16
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
