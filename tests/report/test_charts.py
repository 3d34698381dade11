"""Every chart of the report, in English and Ukrainian, is one a reader can read: no text is cut
at the figure's edge, no two texts overlap, legends and captions stay off the plotted data, and
each chart has a title, its base n and a caption from the language catalogue."""

from __future__ import annotations

import dataclasses
import re
from contextlib import contextmanager
from unittest import mock

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.legend import Legend
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from cipslib.report import Report
from cipslib.report.blocks import (
    factors_present,
    figure_alt,
    figure_png,
    groups_present,
    subgroup_variables,
)
from cipslib.report.charts import DIVERGING, GROUP_STYLE, RAW_STYLE
from cipslib.text.catalogue import load_catalogue

from ..conftest import ROOT

LANGUAGES = ("en", "uk")
KINDS = ("sample", "factors", "gap", "likert", "heatmap", "trend")
TOLERANCE = 1.0  # pixels
BASE_N = re.compile(r"\bn\s*[=<]")


@pytest.fixture(scope="module")
def report():
    """The 2025 demo report (with 2024 as its previous cycle), built once; a language is a copy."""
    return Report.build(ROOT / "params" / "2025.yaml", "en")


def _charts(report: Report, kind: str):
    """(name, figure) of every chart of ``kind`` that the findings report draws."""
    groups = groups_present(report)
    if kind == "sample":
        calls = [(f"sample_chart({g!r})", lambda g=g: report.sample_chart(g)) for g in groups]
    elif kind == "factors":
        calls = [("factor_chart()", report.factor_chart)]
    elif kind == "gap":
        calls = [("gap_chart()", report.gap_chart)]
    elif kind == "likert":
        calls = [
            (f"likert({k}, {g!r})", lambda k=k, g=g: report.likert(k, g))
            for k in factors_present(report)
            for g in groups
        ]
    elif kind == "heatmap":
        calls = [
            (f"heatmap({g!r}, {v!r})", lambda g=g, v=v: report.heatmap(g, v))
            for g, v in subgroup_variables(report)
        ]
    else:
        calls = [(f"trend_chart({g!r})", lambda g=g: report.trend_chart(g)) for g in groups]
    for name, call in calls:
        yield name, call()


@contextmanager
def _recording_drawn_texts():
    """Collect the Text artists that a draw really paints (ticks outside the view are not)."""
    drawn: set[int] = set()
    draw = Text.draw

    def recording(self, renderer):
        drawn.add(id(self))
        return draw(self, renderer)

    with mock.patch.object(Text, "draw", recording):
        yield drawn


def _drawn_texts(fig):
    """Draw ``fig`` and return its renderer and every visible, non-empty text it painted."""
    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    with _recording_drawn_texts() as drawn:
        fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    texts = [
        t for t in fig.findobj(Text) if id(t) in drawn and t.get_visible() and t.get_text().strip()
    ]
    return renderer, texts


def _shrunk(box: Bbox, by: float = TOLERANCE) -> Bbox:
    return Bbox.from_extents(box.x0 + by, box.y0 + by, box.x1 - by, box.y1 - by)


def _show(t: Text) -> str:
    return repr(" ".join(t.get_text().split()))


def _problems(fig) -> list[str]:
    """What a reader would see wrong: texts cut by the figure's edge, texts on top of each other,
    legends and figure texts on the plotted data."""
    renderer, texts = _drawn_texts(fig)
    page = fig.bbox
    boxes = [(t, t.get_window_extent(renderer)) for t in texts]
    found = []
    for t, box in boxes:
        if (
            box.x0 < page.x0 - TOLERANCE
            or box.y0 < page.y0 - TOLERANCE
            or box.x1 > page.x1 + TOLERANCE
            or box.y1 > page.y1 + TOLERANCE
        ):
            found.append(
                f"{_show(t)} is cut by the figure's edge ({box.extents} in {page.extents})"
            )
    for i, (a, box_a) in enumerate(boxes):
        for b, box_b in boxes[i + 1 :]:
            if a.get_text() == b.get_text() and box_a.extents.tolist() == box_b.extents.tolist():
                continue  # the same text drawn twice in the same place
            if _shrunk(box_a).overlaps(_shrunk(box_b)):
                found.append(f"{_show(a)} overlaps {_show(b)}")
    # off the data: only the texts an axes holds as data labels may lie inside a plot area
    data_labels = {id(t) for ax in fig.axes for t in ax.texts}
    plots = [(ax, _shrunk(ax.bbox)) for ax in fig.axes]
    for t, box in boxes:
        if id(t) in data_labels:
            continue
        for ax, plot in plots:
            if _shrunk(box).overlaps(plot):
                found.append(
                    f"{_show(t)} lies on the plotted data of {ax.get_label() or 'an axes'}"
                )
    for legend in fig.findobj(Legend):
        box = _shrunk(legend.get_window_extent(renderer))
        if any(box.overlaps(plot) for _, plot in plots):
            found.append(f"the legend {[_show(t) for t in legend.texts]} lies on the data")
    return found


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_charts_have_no_clipped_or_overlapping_text(report, kind, lang):
    local = dataclasses.replace(report, language=lang)
    chart = load_catalogue(lang)["report"]["chart"]
    failures, drawn = [], 0
    for name, fig in _charts(local, kind):
        if fig is None:
            continue
        drawn += 1
        where = f"{name} [{lang}]"
        failures += [f"{where}: {p}" for p in _problems(fig)]
        title = fig.get_suptitle() or " ".join(ax.get_title() for ax in fig.axes)
        if not title.strip():
            failures.append(f"{where}: has no title")
        texts = [_flat(t.get_text()) for t in fig.findobj(Text) if t.get_visible()]
        if not any(BASE_N.search(t) for t in texts):
            failures.append(f"{where}: does not show its base n")
        caption = _flat(chart[f"read_{kind}"])
        if caption not in [_flat(t.get_text()) for t in fig.texts]:
            failures.append(f"{where}: lacks the caption {caption!r}")
        if caption not in _flat(figure_alt(fig)):
            failures.append(f"{where}: the alt text lacks its caption")
    assert drawn, f"the report draws no {kind} chart"
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_charts_are_deterministic(report, lang):
    local = dataclasses.replace(report, language=lang)
    assert figure_png(local.factor_chart()) == figure_png(local.factor_chart())
    assert figure_png(local.likert(1, "private")) == figure_png(local.likert(1, "private"))


def _grey(colour: str) -> float:
    """Lightness (0-100, CIE L*) of a colour printed in grey."""
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(colour))
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return 116 * (y ** (1 / 3) if y > 0.008856 else 7.787 * y + 16 / 116) - 16


def test_the_palette_separates_in_grey():
    """Neighbouring answers of the diverging scale, and the two groups, differ in lightness (the
    two sides of the scale are told apart by position, the groups by marker shape as well)."""
    lightness = [_grey(c) for c in DIVERGING]
    assert all(abs(a - b) >= 15 for a, b in zip(lightness, lightness[1:], strict=False))
    styles = [*GROUP_STYLE.values(), RAW_STYLE]
    assert len({s["marker"] for s in styles}) == len(styles)
    shades = sorted(_grey(s["color"]) for s in styles)
    assert all(b - a >= 15 for a, b in zip(shades, shades[1:], strict=False))


def test_charts_with_hidden_cells_stay_readable(report):
    """With a minimum cell size that hides most subgroups and the private sector's answers, hidden
    cells read "<1000" and still no text is cut or overlaps (in Ukrainian, the longer labels)."""
    strict = dataclasses.replace(report.params, min_cell=1000, previous=None)
    hidden = dataclasses.replace(Report.build(strict, "uk"), language="uk")
    charts = [*_charts(hidden, "heatmap"), *_charts(hidden, "sample")]
    charts += [(f"likert(1, {g!r})", hidden.likert(1, g)) for g in ("official", "private")]
    failures = []
    for name, fig in charts:
        if fig is not None:
            failures += [f"{name} [uk, hidden cells]: {p}" for p in _problems(fig)]
    assert not failures, "\n".join(failures)
    heat = hidden.heatmap("official", "region")
    assert "<1000" in [t.get_text() for t in heat.axes[0].texts]
