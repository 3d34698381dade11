"""Charts of the findings report (matplotlib/seaborn), drawn from the findings tables only.

One palette throughout, colour-blind safe and readable when printed in grey: the diverging answer
scale runs dark orange, orange, light grey, blue, dark blue (neighbouring answers differ in
lightness, the two sides are told apart by position); the two groups are blue circles and orange
squares, the raw change light grey diamonds. Every chart has a title, states its base n (in the
title, the legend or beside each row) and carries a caption from the language catalogue saying what
to read from it, above a note on the method. Suppressed cells are left blank and marked "<10".

Layout is measured, not guessed: the labels are wrapped to a width in inches, one text measurement
(:class:`~cipslib.report.charts.layout._Frame`) sets the margins, the legend goes above the plot
area, the caption below the x axis, and the figure grows to fit its rows, so no text is cut or lies
on another text or on the data, in any language. Figures are deterministic: the same findings give
the same image bytes.

Every chart takes ``ax=`` (seaborn's convention): it draws on that axes' figure, or on a new figure
of its own size when ``ax`` is None; on an analyst's axes it leaves the figure's layout alone and
puts its title and legend on the axes. Figures are made without pyplot and drawn inside
:data:`STYLE`, so importing or calling this package leaves matplotlib's backend, rcParams and open
figures as they were.

The modules, lowest first (a module imports only those above it):

- :mod:`.style`: the palette, :data:`STYLE` and :func:`styled`, the figure to draw on, a group's
  colour and marker, the catalogue's words and numbers as the charts write them;
- :mod:`.layout`: text measurement and :class:`~.layout._Frame` (wrapped labels, margins, title,
  legend, caption, the figure's height), panels, axis ranges;
- one module per kind of chart: :mod:`.likert` (the answers to a factor's statements),
  :mod:`.factors` (the factor indices), :mod:`.heatmaps` (subgroups), :mod:`.trends` (change since
  the previous cycle, the series over every cycle), :mod:`.gaps` (words vs action),
  :mod:`.drivers` (the key-driver grid), :mod:`.units` (a unit report's chart) and
  :mod:`.samples` (sample against population, share bars), :mod:`.peers` (a benchmark's peer
  distribution).

The names below are imported from here (``from cipslib.report.charts import likert_pair``); a
name with a leading underscore is shared by the modules of the package only, and lives (and is
patched) in the module that defines it.
"""

from __future__ import annotations

from .drivers import DRIVER_FONT, DRIVER_LABEL, DRIVER_PLOT, driver_grid
from .factors import factor_dots
from .gaps import gap_chart
from .heatmaps import HIGHER, LOWER, subgroup_heatmap, subgroup_marks
from .likert import (
    LIKERT_BAR,
    LIKERT_LABEL_WIDTH,
    LIKERT_ROW_GAP,
    likert_bars,
    likert_pair,
    likert_segments,
)
from .peers import peer_ranges
from .samples import sample_composition, share_bars
from .style import (
    DIVERGING,
    GAP,
    GROUP_STYLES,
    INK,
    NOTE_INK,
    PAD,
    PANEL_GAP,
    RAW_STYLE,
    SAMPLE_COLOR,
    STYLE,
    WIDTH,
    styled,
)
from .trends import series_lines, trend_dumbbell
from .units import UNIT_PREV_STYLE, UNIT_REST_STYLE, unit_dots

__all__ = [
    "DIVERGING",
    "DRIVER_FONT",
    "DRIVER_LABEL",
    "DRIVER_PLOT",
    "GAP",
    "GROUP_STYLES",
    "HIGHER",
    "INK",
    "LIKERT_BAR",
    "LIKERT_LABEL_WIDTH",
    "LIKERT_ROW_GAP",
    "LOWER",
    "NOTE_INK",
    "PAD",
    "PANEL_GAP",
    "RAW_STYLE",
    "SAMPLE_COLOR",
    "STYLE",
    "UNIT_PREV_STYLE",
    "UNIT_REST_STYLE",
    "WIDTH",
    "driver_grid",
    "factor_dots",
    "gap_chart",
    "likert_bars",
    "likert_pair",
    "likert_segments",
    "sample_composition",
    "series_lines",
    "share_bars",
    "peer_ranges",
    "styled",
    "subgroup_heatmap",
    "subgroup_marks",
    "trend_dumbbell",
    "unit_dots",
]
