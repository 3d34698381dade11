"""Key drivers as an action grid: each factor at its index and its importance for the overall
integrity rating, in four quadrants, its name placed clear of the other names and points
(:func:`driver_grid`, :func:`_repel`).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from matplotlib.patches import Rectangle

from ...inputs.codebook import Codebook
from .layout import _Frame, _text_width
from .style import INK, NOTE_INK, _base, _chart_label, _group_style, _numbers, _own_figure, styled

DRIVER_PLOT = 3.4  # inches: height of the driver grid's plot area
DRIVER_LABEL = 1.25  # inches: width a factor's name is wrapped to beside its point
DRIVER_FONT = 7.0  # points: size of the factors' names
QUADRANT_FONT = 7.5  # points: size of the quadrants' names
QUADRANT_WEIGHT = {"act": "bold", "keep": "normal", "watch": "normal", "maintain": "normal"}
"""The four quadrants, top left, top right, bottom left, bottom right, and their names' weight."""
ROOM = 0.12  # inches between the points and the quadrants' names at the top and bottom


class _Grid(NamedTuple):
    """The driver grid's plot area: its data limits and its size in inches."""

    xlim: tuple[float, float]
    ylim: tuple[float, float]
    width: float
    height: float

    def data(self, ix: float, iy: float) -> tuple[float, float]:
        """Data coordinates of a place given in inches from the plot area's lower left.

        >>> _Grid((0, 100), (0, 10), 5.0, 2.0).data(2.5, 1.0)
        (50.0, 5.0)
        """
        return (
            self.xlim[0] + ix / self.width * (self.xlim[1] - self.xlim[0]),
            self.ylim[0] + iy / self.height * (self.ylim[1] - self.ylim[0]),
        )

    def inches(self, vx: float, vy: float) -> tuple[float, float]:
        """Inches from the plot area's lower left of a place given in data coordinates.

        >>> _Grid((0, 100), (0, 10), 5.0, 2.0).inches(50.0, 5.0)
        (2.5, 1.0)
        """
        return (
            (vx - self.xlim[0]) / (self.xlim[1] - self.xlim[0]) * self.width,
            (vy - self.ylim[0]) / (self.ylim[1] - self.ylim[0]) * self.height,
        )


@styled
def driver_grid(drivers, cb: Codebook, group: str, labels: dict, lang: str = "en", ax=None):
    """Key drivers as an action grid: each factor, named beside its point (a thin line joins a
    name set further away), at its current index (x) and its importance for the overall integrity
    rating (y, share of the explained variance); dashed lines at the means split four quadrants:
    act first (important, low), keep (important, high), watch and maintain. None when
    ``drivers`` has no rows for ``group``."""
    if drivers is None or drivers.empty:
        return None
    d = drivers[drivers["group"] == group].dropna(subset=["index", "importance"])
    d = d.sort_values("factor")
    if d.empty:
        return None
    fig, ax, own = _own_figure(ax)
    frame = _Frame(fig, [ax], own)
    x = d["index"].to_numpy(dtype=float)
    y = d["importance"].to_numpy(dtype=float)
    mx, my = float(x.mean()), float(y.mean())
    xlim, width, height = _index_axis(frame, ax, labels, x, y, own)
    # the quadrants' names in bands at the top and bottom of the plot, kept clear of the points
    texts = _quadrant_names(frame, labels, (mx - xlim[0]) / (xlim[1] - xlim[0]) * width, width)
    grid = _importance_axis(frame, ax, texts, y, xlim, width, height)
    blocked = _quadrants(frame, ax, grid, texts, mx, my)
    style = _group_style(cb, group)
    ax.scatter(
        x,
        y,
        s=36,
        color=style["color"],
        marker=style["marker"],
        edgecolor="white",
        linewidth=0.6,
        zorder=3,
    )
    names = [
        frame.fit(cb.factor_name(int(k), lang), DRIVER_LABEL, DRIVER_FONT, balance=True)
        for k in d["factor"]
    ]
    points = [grid.inches(a, b) for a, b in zip(x, y, strict=True)]
    _point_names(frame, ax, grid, names, points, blocked)
    base = d["base_n"].max() if "base_n" in d.columns else d["n"].max()
    title = _chart_label(labels, "title_drivers").format(group=cb.group_label(group, lang))
    return frame.finish(
        f"{title} ({_base(_numbers(lang), base, drivers.attrs.get('min_cell', 10))})",
        _chart_label(labels, "read_drivers"),
        _chart_label(labels, "note_drivers"),
        plot_height=height,
    )


def _index_axis(frame: _Frame, ax, labels: dict, x, y, own: bool):
    """The x axis around the factors' indices ``x``, the axes' labels and the plot area's place;
    returns the x limits and the plot area's width and height in inches."""
    mx = float(x.mean())
    reach = max(float(np.abs(x - mx).max()) * 1.15 + 3, 8.0)
    xlim = (max(0.0, mx - reach), min(100.0, mx + reach))
    ax.set_xlim(*xlim)
    ax.set_ylim(0, max(y.max(), 1.0))
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0f}")
    ax.set_ylabel(_chart_label(labels, "drivers_y"), fontsize=8)
    ax.set_xlabel(_chart_label(labels, "drivers_x"), fontsize=9)
    (width,) = frame.place_columns()
    height = DRIVER_PLOT if own else ax.get_position().height * frame.fig.get_figheight()
    ax.set_xlabel(frame.fit(_chart_label(labels, "drivers_x"), width, 9), fontsize=9)
    return xlim, width, height


def _quadrant_names(frame: _Frame, labels: dict, split: float, width: float) -> dict[str, str]:
    """The quadrants' names, each wrapped to its side of the mean index (``split`` inches from the
    left of a plot area ``width`` inches wide)."""
    spans = {"act": split, "watch": split, "keep": width - split, "maintain": width - split}
    return {
        key: frame.fit(
            _chart_label(labels, f"quadrant_{key}"),
            max(spans[key] - 0.16, 0.6),
            QUADRANT_FONT,
            weight,
        )
        for key, weight in QUADRANT_WEIGHT.items()
    }


def _importance_axis(frame: _Frame, ax, texts: dict[str, str], y, xlim, width, height) -> _Grid:
    """The y axis over the points' range of importance ``y`` (not from zero), with room above and
    below for the bands of the quadrants' names ``texts``."""
    band_top = max(frame.height(texts[k], QUADRANT_FONT) for k in ("act", "keep")) + 0.08
    band_bottom = max(frame.height(texts[k], QUADRANT_FONT) for k in ("watch", "maintain")) + 0.08
    spread = max(float(y.max() - y.min()), 2.0)
    low_value = max(0.0, float(y.min()) - 0.12 * spread)
    span = max(float(y.max()) - low_value, 1.0)
    per_inch = span / (height - band_top - band_bottom - 2 * ROOM)
    ylim = (low_value - (band_bottom + ROOM) * per_inch, y.max() + (band_top + ROOM) * per_inch)
    ax.set_ylim(*ylim)
    top = y.max() + ROOM * per_inch
    tick_step = next(s for s in (1, 2, 5, 10, 20, 25, 50) if span / s <= 5)
    ax.set_yticks(np.arange(math.ceil(low_value / tick_step) * tick_step, top, tick_step))
    return _Grid(xlim, ylim, width, height)


def _quadrants(frame: _Frame, ax, grid: _Grid, texts: dict[str, str], mx: float, my: float):
    """The dashed lines at the mean index ``mx`` and importance ``my``, the act-first quadrant
    shaded, and the quadrants' names in its corners; returns the names' boxes in inches."""
    ax.axvline(mx, color="#969696", linewidth=0.9, linestyle=(0, (4, 3)), zorder=1)
    ax.axhline(my, color="#969696", linewidth=0.9, linestyle=(0, (4, 3)), zorder=1)
    left, top = grid.xlim[0], grid.ylim[1]
    ax.add_patch(
        Rectangle((left, my), mx - left, top - my, facecolor="#fdf1e8", edgecolor="none", zorder=0)
    )
    ax.grid(False)
    width, height = grid.width, grid.height
    corners = {
        "act": (0.06, height - 0.05, "left", "top"),
        "keep": (width - 0.06, height - 0.05, "right", "top"),
        "watch": (0.06, 0.05, "left", "bottom"),
        "maintain": (width - 0.06, 0.05, "right", "bottom"),
    }
    blocked = []
    for key, (cx, cy, ha, va) in corners.items():
        text, weight = texts[key], QUADRANT_WEIGHT[key]
        tw = max(_text_width(frame.dpi, line, QUADRANT_FONT, weight) for line in text.split("\n"))
        tw *= 1.03
        th = frame.height(text, QUADRANT_FONT)
        x0 = cx if ha == "left" else cx - tw
        y0 = cy - th if va == "top" else cy
        blocked.append((x0, y0, x0 + tw, y0 + th))
        ax.text(
            *grid.data(cx, cy),
            text,
            ha=ha,
            va=va,
            fontsize=QUADRANT_FONT,
            color=INK if key == "act" else NOTE_INK,
            fontweight=weight,
        )
    return blocked


def _point_names(frame: _Frame, ax, grid: _Grid, names: list[str], points, blocked) -> None:
    """Each name beside its point (both in inches), clear of the other names, the points and the
    ``blocked`` boxes (:func:`_repel`); a thin line joins a name set further away to its point."""
    sizes = [
        (
            max(_text_width(frame.dpi, line, DRIVER_FONT, "normal") for line in name.split("\n"))
            * 1.03
            + 0.04,
            frame.height(name, DRIVER_FONT),
        )
        for name in names
    ]
    bounds = (0.02, 0.02, grid.width - 0.02, grid.height - 0.02)
    places = _repel(points, sizes, blocked, bounds, 0.045)
    for name, (px, py), (cx, cy), (w, h) in zip(names, points, places, sizes, strict=True):
        # the point of the label's box nearest the point: a thin line joins them when apart
        nx = min(max(px, cx - w / 2), cx + w / 2)
        ny = min(max(py, cy - h / 2), cy + h / 2)
        apart = math.hypot(px - nx, py - ny)
        if apart > 0.1:
            ux, uy = (nx - px) / apart, (ny - py) / apart
            start, end = grid.data(px + ux * 0.06, py + uy * 0.06), grid.data(nx, ny)
            ax.plot(*zip(start, end, strict=True), color="#969696", linewidth=0.5, zorder=2)
        ax.text(
            *grid.data(cx, cy),
            name,
            ha="center",
            va="center",
            multialignment="center",
            fontsize=DRIVER_FONT,
            color=INK,
            linespacing=1.0,
        )


def _repel(points, sizes, blocked, bounds, radius: float):
    """Where to write each point's label (all in inches): the centre of a box of ``sizes`` beside
    its point, the first place (right, left, above, below, then the diagonals, then further out)
    that stays inside ``bounds`` (x0, y0, x1, y1) and clear of the ``blocked`` boxes, the points
    and the labels placed before it; the least crowded place when none is clear. Deterministic.

    Two points 0.1 in apart: the first label goes left, clear of the second point, the second
    right.

    >>> _repel([(1.0, 1.0), (1.1, 1.0)], [(0.1, 0.1)] * 2, [], (0, 0, 3, 2), 0.04)
    [(0.87, 1.0), (1.23, 1.0)]
    """

    def overlap(a, b) -> float:
        w = min(a[2], b[2]) - max(a[0], b[0])
        h = min(a[3], b[3]) - max(a[1], b[1])
        return w * h if w > 0 and h > 0 else 0.0

    dots = [(px - radius, py - radius, px + radius, py + radius) for px, py in points]
    taken = list(blocked)
    placed = []
    for (px, py), (w, h) in zip(points, sizes, strict=True):
        best, best_cost = None, math.inf
        for distance in (0.04, 0.1, 0.18, 0.28, 0.42, 0.6, 0.85, 1.15, 1.5):
            d = radius + distance
            for ux, uy in ((1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (1, -1), (-1, 1), (-1, -1)):
                cx = px + ux * (d + w / 2) if ux else px
                cy = py + uy * (d + h / 2) if uy else py
                if ux and uy:
                    cx, cy = px + ux * (d * 0.75 + w / 2), py + uy * (d * 0.75 + h / 2)
                box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
                outside = (
                    max(bounds[0] - box[0], 0)
                    + max(box[2] - bounds[2], 0)
                    + max(bounds[1] - box[1], 0)
                    + max(box[3] - bounds[3], 0)
                )
                cost = sum(overlap(box, other) for other in taken + dots) + 10 * outside
                if cost < best_cost - 1e-12:
                    best, best_cost = (round(cx, 6), round(cy, 6), box), cost
                if cost == 0:
                    break
            if best_cost == 0:
                break
        cx, cy, box = best
        taken.append(box)
        placed.append((cx, cy))
    return placed
