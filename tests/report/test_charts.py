"""Every chart of the report, in English and Ukrainian, is one a reader can read: no text is cut
at the figure's edge, no two texts overlap, legends and captions stay off the plotted data, and
each chart has a title, its base n and a caption from the language catalogue. The factor series
is drawn from a third cycle built for the test, the driver grid from hand-made driver tables."""

from __future__ import annotations

import dataclasses
import os
import re
from contextlib import contextmanager
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from cipslib.analysis.units import OTHER_UNITS
from cipslib.report import Report
from cipslib.report.charts import DIVERGING, GROUP_STYLES, RAW_STYLE, driver_grid, unit_dots
from cipslib.report.context import factors_present, groups_present, subgroup_variables
from cipslib.report.display import Drawn, each, figure_alt, figure_png, figure_pngs
from cipslib.text.catalogue import load_catalogue
from cipslib.text.numbers import NumberFormat

from .test_series import third_cycle  # noqa: F401  (the fixture: a 2026 cycle after the demo)

LANGUAGES = ("en", "uk")
KINDS = ("sample", "factors", "gap", "likert", "heatmap", "trend", "drivers")
TOLERANCE = 1.0  # pixels
BASE_N = re.compile(r"\bn\s*[=<]")


@pytest.fixture(scope="module")
def report(report_2025_en):
    """The 2025 demo report (with 2024 as its previous cycle), built once; a language is a copy."""
    return report_2025_en


@pytest.fixture(scope="module")
def series_report(third_cycle):  # noqa: F811  (the fixture imported above)
    """A report of the third cycle (2024, 2025, 2026): it has the factor series."""
    return Report.build(third_cycle, "en")


def _drivers(spread: float = 1.0) -> pd.DataFrame:
    """A hand-made key-driver table of both groups (ten factors, importance adding up to 100 per
    group); ``spread`` below 1 crowds the points together."""
    index = {
        "official": [62, 50, 55, 56, 61, 49, 55, 47, 52, 54],
        "private": [74, 59, 65, 69, 74, 62, 67, 65, 64, 66],
    }
    importance = {
        "official": [11.3, 9.0, 9.7, 8.7, 8.5, 10.3, 8.9, 14.7, 11.6, 7.3],
        "private": [11.3, 9.6, 8.0, 9.0, 8.1, 10.0, 9.9, 11.6, 13.7, 8.8],
    }
    rows = []
    for group, n in (("official", 3956), ("private", 841)):
        for k in range(10):
            x = np.mean(index[group]) + spread * (index[group][k] - np.mean(index[group]))
            y = 10 + spread * (importance[group][k] - 10)
            beta = float(np.sqrt(y / 100) * 0.7)
            rows.append(
                {
                    "group": group,
                    "factor": k + 1,
                    "index": x,
                    "importance": y,
                    "beta": beta,
                    "beta_ci_low": beta - 0.06,
                    "beta_ci_high": beta + 0.06,
                    "n": n,
                }
            )
    return pd.DataFrame(rows)


def _charts(report: Report, kind: str):
    """(name, figure) of every chart of ``kind`` that the findings report draws."""
    groups = groups_present(report)
    if kind == "sample":
        calls = [
            (f"sample_chart({g!r})", lambda g=g: report.method.sample_chart(g)) for g in groups
        ]
    elif kind == "factors":
        calls = [("factor_chart()", report.factors.chart)]
    elif kind == "gap":
        calls = [("gap_chart()", report.factors.gap_chart)]
    elif kind == "likert":  # both groups in one chart, a page per factor
        calls = [
            (f"likert({k})", lambda k=k: report.factors.likert(k)) for k in factors_present(report)
        ]
    elif kind == "heatmap":
        calls = [
            (f"heatmap({g!r}, {v!r})", lambda g=g, v=v: report.subgroups.heatmap(g, v))
            for g, v in subgroup_variables(report)
        ]
    elif kind == "drivers":  # hand-made tables (spread out and crowded), and the findings' own
        calls = [
            (
                f"driver_grid({g!r}, spread={spread})",
                lambda g=g, spread=spread: driver_grid(
                    _drivers(spread), report.cb, g, report.labels, report.language
                ),
            )
            for spread in (1.0, 0.15)
            for g in groups
        ]
        calls += [(f"driver_chart({g!r})", lambda g=g: report.drivers.chart(g)) for g in groups]
    elif kind == "series":
        calls = [
            (f"series_chart({g!r})", lambda g=g: report.trends.series_chart(g)) for g in groups
        ]
    else:
        calls = [(f"trend_chart({g!r})", lambda g=g: report.trends.chart(g)) for g in groups]
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


def _unreadable(fig, where: str, caption: str) -> list[str]:
    """What is wrong with one chart: its texts (:func:`_problems`), a missing title, base n or
    caption, a caption of more than one line, an alt text without the caption."""
    failures = [f"{where}: {p}" for p in _problems(fig)]
    title = fig.get_suptitle() or " ".join(ax.get_title() for ax in fig.axes)
    if not title.strip():
        failures.append(f"{where}: has no title")
    texts = [_flat(t.get_text()) for t in fig.findobj(Text) if t.get_visible()]
    if not any(BASE_N.search(t) for t in texts):
        failures.append(f"{where}: does not show its base n")
    caption = _flat(caption)
    shown = [t.get_text() for t in fig.texts if _flat(t.get_text()) == caption]
    if not shown:
        failures.append(f"{where}: lacks the caption {caption!r}")
    elif "\n" in shown[0]:
        failures.append(f"{where}: the caption {caption!r} takes more than one line")
    if caption not in _flat(figure_alt(fig)):
        failures.append(f"{where}: the alt text lacks its caption")
    return failures


def _readable(report: Report, kind: str, lang: str) -> tuple[int, list[str]]:
    """How many charts of ``kind`` the report draws in ``lang``, and what is wrong with them."""
    local = dataclasses.replace(report, language=lang)
    chart = load_catalogue(lang)["report"]["chart"]
    failures, drawn = [], 0
    for name, fig in _charts(local, kind):
        if fig is None:
            continue
        drawn += 1
        failures += _unreadable(fig, f"{name} [{lang}]", chart[f"read_{kind}"])
    return drawn, failures


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_charts_have_no_clipped_or_overlapping_text(report, kind, lang):
    drawn, failures = _readable(report, kind, lang)
    assert drawn, f"the report draws no {kind} chart"
    assert not failures, "\n".join(failures)


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_series_chart_is_readable(series_report, report, lang):
    """Over three cycles each group has a series chart (ten panels, one legend); the two-cycle
    demo has none."""
    drawn, failures = _readable(series_report, "series", lang)
    assert drawn == 2 and not failures, "\n".join(failures)
    fig = series_report.trends.series_chart("official")
    assert len(fig.axes) == 10 and len(fig.legends) == 1
    assert report.trends.series_chart("official") is None


@pytest.mark.slow
def test_a_factor_fits_on_its_page(report):
    """Both groups' statements of a factor are one chart: a panel per group under one title,
    legend and caption, short enough to share an A4 page with the lead and the items table."""
    for lang in LANGUAGES:
        local = dataclasses.replace(report, language=lang)
        for k in factors_present(report):
            fig = local.factors.likert(k)
            assert len(fig.axes) == 2 and len(fig.legends) == 1, (k, lang)
            assert [t.get_text() for t in fig.texts].count(
                _flat(local.labels["chart"]["read_likert"])
            ) == 1
            assert fig.get_figheight() <= 4.6, (k, lang, fig.get_figheight())
        assert local.factors.likert(1, "official").get_figwidth() == fig.get_figwidth()


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGUAGES)
def test_charts_are_deterministic(report, lang):
    local = dataclasses.replace(report, language=lang)
    assert figure_png(local.factors.chart()) == figure_png(local.factors.chart())
    assert figure_png(local.factors.likert(1, "private")) == figure_png(
        local.factors.likert(1, "private")
    )
    assert figure_png(local.factors.likert(1)) == figure_png(local.factors.likert(1))
    drivers = _drivers()
    first, second = (
        figure_png(driver_grid(drivers, local.cb, "official", local.labels, lang)) for _ in range(2)
    )
    assert first == second


@pytest.mark.slow
def test_figures_drawn_side_by_side_are_the_same_bytes(report):
    figures = [report.factors.likert(f) for f in factors_present(report)[:3]] + [
        report.factors.chart()
    ]
    one_by_one = [figure_png(f) for f in figures]
    assert figure_pngs(figures, workers=2) == one_by_one
    assert figure_pngs(figures, workers=3) == one_by_one


@pytest.mark.slow
def test_pages_made_side_by_side_are_the_pages_made_one_by_one(report):
    factors = factors_present(report)[:3]
    pages = each(factors, report.factors.page)
    one_by_one = [block for f in factors for block in report.factors.page(f)]
    assert len(pages) == len(one_by_one) == 4 * len(factors)
    for made, alone in zip(pages, one_by_one, strict=True):
        if hasattr(alone, "savefig"):
            assert isinstance(made, Drawn)
            assert (made.png, made.alt) == (figure_png(alone), figure_alt(alone))
        else:
            assert str(made) == str(alone)
    pairs = subgroup_variables(report)[:2]
    notes = [block for block in each(pairs, report.subgroups.page) if not isinstance(block, Drawn)]
    assert [str(n) for n in notes] == [str(report.subgroups.note(g, v)) for g, v in pairs]


class _FailsInAChild(Figure):
    """A figure that cannot be drawn outside the process that made it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.maker = os.getpid()

    def savefig(self, *args, **kwargs):
        if os.getpid() != self.maker:
            raise RuntimeError("drawn in a child")
        return super().savefig(*args, **kwargs)


def test_figures_a_child_fails_to_draw_are_drawn_here():
    figures = [_FailsInAChild(figsize=(2, 1 + k / 10)) for k in range(4)]
    assert figure_pngs(figures, workers=2) == [figure_png(f) for f in figures]


def _grey(colour: str) -> float:
    """Lightness (0-100, CIE L*) of a colour printed in grey."""
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(colour))
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return 116 * (y ** (1 / 3) if y > 0.008856 else 7.787 * y + 16 / 116) - 16


def test_the_palette_separates_in_grey():
    """Neighbouring answers of the diverging scale, and the first two groups, differ in lightness
    (the two sides of the scale are told apart by position, the groups by marker shape as well:
    every group's marker is its own)."""
    lightness = [_grey(c) for c in DIVERGING]
    assert all(abs(a - b) >= 15 for a, b in zip(lightness, lightness[1:], strict=False))
    assert len({s["marker"] for s in [*GROUP_STYLES, RAW_STYLE]}) == len(GROUP_STYLES) + 1
    styles = [*GROUP_STYLES[:2], RAW_STYLE]
    shades = sorted(_grey(s["color"]) for s in styles)
    assert all(b - a >= 15 for a, b in zip(shades, shades[1:], strict=False))


@pytest.mark.slow
def test_charts_with_hidden_cells_stay_readable(report):
    """With a minimum cell size that hides most subgroups and the private sector's answers, hidden
    cells read "<1000" and still no text is cut or overlaps (in Ukrainian, the longer labels)."""
    strict = dataclasses.replace(report.params, min_cell=1000, previous=None)
    hidden = dataclasses.replace(Report.build(strict, "uk"), language="uk")
    charts = [*_charts(hidden, "heatmap"), *_charts(hidden, "sample")]
    charts += [(f"likert(1, {g!r})", hidden.factors.likert(1, g)) for g in ("official", "private")]
    charts += [("likert(1)", hidden.factors.likert(1))]
    failures = []
    for name, fig in charts:
        if fig is not None:
            failures += [f"{name} [uk, hidden cells]: {p}" for p in _problems(fig)]
    assert not failures, "\n".join(failures)
    heat = hidden.subgroups.heatmap("official", "region")
    assert "<1000" in [t.get_text() for t in heat.axes[0].texts]


# -- unit reports ----------------------------------------------------------------------------------
GROUPS = ("official", "private")


@pytest.fixture(scope="module")
def unit_figures(units_2025):
    """The 2025 demo's figures per region, with the regions' changes since 2024."""
    return units_2025


def _unit_chart(report: Report, figures, unit: str, group: str, lang: str, **kw):
    labels = load_catalogue(lang)["report"]
    return unit_dots(figures, unit, report.cb, group, labels, lang, **kw)


def _factor_rows(table: pd.DataFrame, unit: str, group: str) -> pd.DataFrame:
    rows = table[(table["unit"] == unit) & (table["group"] == group)]
    return rows[rows["kind"] == "factor_index"].sort_values("factor")


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGUAGES)
def test_unit_charts_are_readable(report, unit_figures, lang):
    """Every unit x group of the demo: readable, titled with the unit and the group, and the
    numbers at the right are the significant unit-minus-rest differences (and only those)."""
    catalogue = load_catalogue(lang)
    chart, fmt = catalogue["report"]["chart"], NumberFormat(catalogue["numbers"])
    failures, drawn, written = [], 0, 0
    for unit in unit_figures.units:
        for group in GROUPS:
            fig = _unit_chart(report, unit_figures, unit, group, lang)
            est = _factor_rows(unit_figures.estimates, unit, group)
            if fig is None:
                assert est.empty, (unit, group)
                continue
            drawn += 1
            where = f"unit_dots({unit!r}, {group!r}) [{lang}]"
            failures += _unreadable(fig, where, chart["read_unit"])
            name = report.cb.level_label("region", unit, lang)
            title = fig.get_suptitle()
            assert title.startswith(f"{name}, {report.cb.groups[group].lower(lang)}"), title
            diff = _factor_rows(unit_figures.differences, unit, group)
            expected = [
                fmt.value(d, "points", signed=True)
                for d in diff.loc[diff["significant"], "difference"]
            ]
            shown = [t.get_text() for t in fig.axes[0].texts]
            assert sorted(shown) == sorted(expected), where
            written += len(shown)
            assert len(fig.legends[0].texts) == 3, where  # the unit, the rest, the last cycle
    assert drawn == 11 and written, (drawn, written)
    assert not failures, "\n".join(failures)


def _pooled(figures, unit: str, group: str, hide: tuple[int, ...]):
    """``figures`` with ``unit`` renamed the pool of other units, without its changes (a pool has
    none), and its factors ``hide`` of ``group`` hidden."""
    tables = {}
    for name in ("estimates", "differences", "changes", "subgroups"):
        t = getattr(figures, name).copy()
        if name == "changes":
            t = t[t["unit"] != unit]
        t["unit"] = t["unit"].replace(unit, OTHER_UNITS)
        tables[name] = t
    e, d = tables["estimates"], tables["differences"]
    gone = (e["unit"] == OTHER_UNITS) & (e["group"] == group) & e["factor"].isin(hide)
    e.loc[gone, ["estimate", "se", "ci_low", "ci_high", "n"]] = np.nan
    e.loc[gone, "suppressed"] = True
    gone = (d["unit"] == OTHER_UNITS) & (d["group"] == group) & d["factor"].isin(hide)
    tables["differences"] = d[~gone]
    return dataclasses.replace(figures, **tables)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_other_units_chart_hides_what_is_hidden(report, unit_figures, lang):
    """The pool of other units (named by the catalogue, or by ``unit_name``), with two factors
    hidden and no previous cycle: the hidden rows are empty and labelled "n <10", the legend has
    the unit and the rest, and the chart stays readable."""
    pooled = _pooled(unit_figures, "north", "private", hide=(3, 9))
    labels = load_catalogue(lang)["report"]
    for name in (None, "Regions under 200"):
        fig = _unit_chart(report, pooled, OTHER_UNITS, "private", lang, unit_name=name)
        shown = name or labels["unit_other"]
        lower = report.cb.groups["private"].lower(lang)
        assert fig.get_suptitle().startswith(f"{shown}, {lower}")
        failures = _unreadable(fig, f"other units [{lang}]", labels["chart"]["read_unit"])
        assert not failures, "\n".join(failures)
        ticks = [_flat(t.get_text()) for t in fig.axes[0].get_yticklabels()]
        assert [i for i, t in enumerate(ticks) if t.endswith("(n <10)")] == [2, 8], ticks
        x = fig.axes[0].lines[0].get_xdata().astype(float)  # the unit's markers
        assert np.isnan(x[[2, 8]]).all() and np.isfinite(np.delete(x, [2, 8])).all()
        assert len(fig.legends[0].texts) == 2
        assert _flat(fig.legends[0].texts[0].get_text()).startswith(shown)


def test_unit_charts_are_deterministic(report, unit_figures):
    assert _unit_chart(report, unit_figures, "central_office", "private", "en") is None
    first, second = (
        figure_png(_unit_chart(report, unit_figures, "east", "official", "uk")) for _ in range(2)
    )
    assert first == second
