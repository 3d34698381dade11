"""Diverging stacked bars of the answers to a factor's agree/disagree statements:
:func:`likert_segments` (where each answer lies), :func:`likert_bars` (one group) and
:func:`likert_pair` (every group, a panel each).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.patches import Rectangle
from matplotlib.transforms import ScaledTranslation

from ...analysis.disclosure import hidden_label
from ...inputs.codebook import Codebook
from ...text.numbers import NumberFormat
from .layout import _Frame, _legend_below, _panels, _text_width
from .style import (
    INK,
    NOTE_INK,
    PAD,
    _base,
    _chart_label,
    _groups_phrase,
    _ink,
    _label,
    _numbers,
    _own_figure,
    _scale_colours,
    styled,
)


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
        out = bar[["item", "group", "code", *kept, "neutral", *extra]].copy()
        out["code"] = out["code"].astype(int)
        out["neutral"] = out["neutral"].astype(bool)
        out["position"] = np.arange(len(width))
        out["share"] = width
        out["left"] = _starts(width, int(neutral[0]) if len(neutral) else None)
        out["width"] = width
        out["reverse"] = rev
        bars.append(out[columns])
    if not bars:
        return pd.DataFrame(columns=columns)
    return pd.concat(bars, ignore_index=True)


def _starts(width: np.ndarray, neutral: int | None) -> np.ndarray:
    """Where each segment of a bar starts, in percentage points from the centre: ``width`` holds
    its shares left to right, ``neutral`` the place of its neutral answer, centred on 0; without
    one, the middle answer of an odd number is centred, an even number is split at 0.

    >>> _starts(np.array([20.0, 30.0, 50.0]), 1).tolist()
    [-35.0, -15.0, 15.0]
    >>> _starts(np.array([10.0, 40.0, 30.0, 20.0]), None).tolist()
    [-50.0, -40.0, 0.0, 30.0]
    """
    k = len(width)
    centre = neutral if neutral is not None else k // 2
    centred = neutral is not None or k % 2 == 1
    start = -width[centre] / 2 if centred else 0.0
    left = np.empty(k)
    left[centre:] = start + np.concatenate([[0.0], np.cumsum(width[centre:])[:-1]])
    left[:centre] = start - np.cumsum(width[:centre][::-1])[::-1]
    return left


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
    rows, places = [], []
    for panel, (group, ids, ns, bars) in zip(axes, drawn, strict=True):
        texts = [
            frame.fit(_statement(cb, iid, labels, lang), LIKERT_LABEL_WIDTH, 7.5, balance=True)
            for iid in ids
        ]
        height, positions = _likert_panel(frame, panel, texts, bars, colours, min_cell)
        panel.set_title(
            f"{cb.group_label(group, lang)} ({_n_range(fmt, ns, min_cell)})",
            loc="left",
            fontsize=8,
            fontweight="bold",
            color=INK,
            pad=2,
        )
        rows.append(([panel], height))
        places.append((positions, bars))
    for panel in axes[:-1]:  # one x axis, under the last panel
        panel.tick_params(axis="x", bottom=False, labelbottom=False)
        panel.spines["bottom"].set_visible(False)
    width = frame.place_columns(columns=[axes])[-1]
    axis_label = frame.fit(_label(labels, "percent_of_valid_answers"), 2.2, 9)
    if own:
        _label_beside_ticks(axes, axis_label, width)
    else:
        axes[-1].set_xlabel(axis_label)
    for panel, (positions, bars) in zip(axes, places, strict=True):
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
        rows=rows,
    )


def _likert_panel(frame: _Frame, panel, texts: list[str], bars, colours, min_cell):
    """One group's panel of a stacked likert chart: a row per statement (``texts``, wrapped), as
    tall as its text, with its bar, or "<10" where the bar is hidden. Returns the panel's height
    in inches and the rows' places (inches from the panel's top)."""
    heights = [max(frame.height(t, 7.5), LIKERT_BAR) + LIKERT_ROW_GAP for t in texts]
    ends = np.cumsum(heights)
    positions = ends - np.asarray(heights) / 2  # y in inches from the panel's top
    panel.set_yticks(positions, texts, fontsize=7.5)
    panel.set_ylim(ends[-1], 0)
    _likert_draw(panel, bars, positions, colours, LIKERT_BAR)
    for y, bar in zip(positions, bars, strict=True):
        if bar is None:
            panel.text(2, y, hidden_label(min_cell), va="center", fontsize=7, color=NOTE_INK)
    return float(ends[-1]), positions


def _label_beside_ticks(axes, axis_label: str, width: float) -> None:
    """On the chart's own figure, the x axis label beside the last panel's tick labels, in the
    statements' column, to keep the chart short; the panel titles start where the statements do
    (``width``: inches of the plot areas)."""
    last = axes[-1]
    fig = last.figure
    below = (matplotlib.rcParams["xtick.major.size"] + matplotlib.rcParams["xtick.major.pad"]) / 72
    last.set_xlabel(axis_label, ha="right", va="top")
    last.xaxis.set_label_coords(
        0, 0, transform=last.transAxes + ScaledTranslation(-0.25, -below, fig.dpi_scale_trans)
    )
    for panel in axes:
        left = panel.get_position().x0 * fig.get_figwidth() - PAD
        panel._left_title.set_x(-left / width)
