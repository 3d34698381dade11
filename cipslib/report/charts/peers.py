"""Where an administration stands among its peers (:func:`peer_ranges`): for each factor the peer
quartiles as a bar, the median as a tick, each administration as a dot and the own
administration's index with its 95% CI."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...inputs.codebook import Codebook
from .layout import _factor_ticks, _Frame
from .style import INK, SAMPLE_COLOR, _chart_label, _group_style, _own_figure, styled

RANGE_COLOR = "#c6dbef"
MEDIAN_COLOR = "#08306b"


@styled
def peer_ranges(
    peers: pd.DataFrame,
    cb: Codebook,
    labels: dict,
    group: str,
    lang: str = "en",
    dots: pd.DataFrame | None = None,
    own: pd.DataFrame | None = None,
    ax=None,
):
    """The peer distribution of the ten factor indices of one group.

    Parameters
    ----------
    peers : DataFrame
        One row per factor: ``factor``, ``q1``, ``median``, ``q3`` (0-100); a factor whose
        quartiles are missing (hidden) is drawn without its bar.
    cb : Codebook
        The factor names and the group's colour.
    labels : dict
        The catalogue's ``benchmark`` section (its ``chart`` mapping gives the words).
    dots : DataFrame, optional
        ``factor``, ``estimate``: every administration's published index, a grey dot each.
    own : DataFrame, optional
        ``factor``, ``estimate``, ``ci_low``, ``ci_high``: the own administration, in the group's
        colour with its CI.

    Examples
    --------
    >>> from cipslib.inputs.codebook import load_codebook
    >>> cb = load_codebook()
    >>> p = pd.DataFrame({"factor": [1, 2], "q1": [50.0, 40], "median": [55.0, 45],
    ...                   "q3": [60.0, 52]})
    >>> fig = peer_ranges(p, cb, {}, "official")
    >>> [round(float(b.get_width()), 1) for b in fig.axes[0].patches]
    [10.0, 12.0]
    """
    if peers.empty:
        return None
    fig, ax, owned = _own_figure(ax)
    frame = _Frame(fig, [ax], owned)
    factors = sorted(int(k) for k in peers["factor"])
    rows = peers.set_index("factor").reindex(factors)
    _factor_ticks(frame, ax, cb, factors, lang)
    y = np.arange(len(factors))
    shown = rows["q1"].notna().to_numpy()
    ax.barh(
        y[shown],
        (rows["q3"] - rows["q1"]).to_numpy()[shown],
        left=rows["q1"].to_numpy()[shown],
        height=0.5,
        color=RANGE_COLOR,
        label=_chart_label(labels, "quartiles"),
        zorder=1,
    )
    ax.scatter(
        rows["median"].to_numpy()[shown],
        y[shown],
        marker="|",
        s=260,
        linewidths=2,
        color=MEDIAN_COLOR,
        label=_chart_label(labels, "median"),
        zorder=3,
    )
    if dots is not None and not dots.empty:
        at = {k: i for i, k in enumerate(factors)}
        d = dots[dots["factor"].isin(at)]
        ax.scatter(
            d["estimate"],
            [at[int(k)] for k in d["factor"]],
            s=9,
            color=SAMPLE_COLOR,
            edgecolors="none",
            label=_chart_label(labels, "administration"),
            zorder=2,
        )
    if own is not None and not own.empty:
        o = own.set_index("factor").reindex(factors)
        style = _group_style(cb, group)
        ax.errorbar(
            o["estimate"],
            y,
            xerr=[o["estimate"] - o["ci_low"], o["ci_high"] - o["estimate"]],
            fmt=style["marker"],
            color=style["color"],
            capsize=2,
            markersize=5,
            label=_chart_label(labels, "own"),
            zorder=4,
        )
    ax.set_xlim(0, 100)
    ax.grid(axis="x", color="#ececec", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.tick_params(axis="y", length=0)
    (width,) = frame.place_columns()
    ax.set_xlabel(frame.fit(_chart_label(labels, "axis"), width, 9), color=INK)
    return frame.finish(
        _chart_label(labels, "title").format(group=cb.group_label(group, lang)),
        _chart_label(labels, "read"),
        legend=ax.get_legend_handles_labels(),
        plot_height=frame.pitch(ax, minimum=0.4) * len(factors),
    )
