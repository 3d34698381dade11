"""The diverging (Likert) bars: every answer lies where the scale's listed order puts it, the
neutral answer centred on zero and the favourable answers right of it, reversed or not, whatever
the code numbers are; the charts draw exactly those segments, the zero line never runs through a
value, and reverse-worded statements are marked in the charts and the items tables."""

from __future__ import annotations

import dataclasses
import html

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgb
from matplotlib.patches import Rectangle

from cipslib.analysis.disclosure import hidden_label
from cipslib.report import Report
from cipslib.report.charts import (
    DIVERGING,
    likert_bars,
    likert_pair,
    likert_segments,
)
from cipslib.report.context import factors_present
from cipslib.text.catalogue import load_catalogue

LANGUAGES = ("en", "uk")
GROUPS = ("official", "private")
MARK = "⇄"

# Each made-up item: its codes in the listed scale order (least to most favourable), its neutral
# code, its favourable codes (mirrored when reverse-coded, as the codebook does) and whether it is
# reverse-coded.
SCALES = {
    "agree": ([1, 2, 3, 4, 5], 3, {4, 5}, False),
    "agree_reversed": ([1, 2, 3, 4, 5], 3, {1, 2}, True),
    "jumbled": ([1, 3, 2, 5, 4], 2, {5, 4}, False),
    "jumbled_reversed": ([1, 3, 2, 5, 4], 2, {1, 3}, True),
    "four": ([1, 2, 3, 4], None, {3, 4}, False),
    "four_reversed": ([1, 2, 3, 4], None, {1, 2}, True),
    "four_jumbled": ([4, 1, 3, 2], None, {3, 2}, False),
    "five_no_neutral": ([1, 2, 3, 4, 5], None, {4, 5}, False),
}


def _distributions(seed: int = 7) -> pd.DataFrame:
    """A distributions table as the findings have it (one row per item, group and code; here in
    the order of the code numbers, not the scale's), for the items of :data:`SCALES` and an item
    whose private-sector answers are hidden."""
    rng = np.random.default_rng(seed)
    rows = []
    items = {**SCALES, "hidden": SCALES["agree"]}
    for item, (codes, neutral, favourable, _) in items.items():
        for group in GROUPS:
            shares = rng.dirichlet(np.full(len(codes), 2.0)) * 100
            share = dict(zip(codes, shares, strict=True))
            hidden = item == "hidden" and group == "private"
            for code in sorted(codes):
                rows.append(
                    {
                        "item": item,
                        "group": group,
                        "code": code,
                        "label": f"answer {code}",
                        "neutral": code == neutral,
                        "favourable": code in favourable,
                        "share": np.nan if hidden else share[code],
                        "n": np.nan if hidden else 500.0,
                        "suppressed": hidden,
                    }
                )
    return pd.DataFrame(rows)


def _order_and_reverse():
    order = {item: spec[0] for item, spec in SCALES.items()} | {"hidden": SCALES["agree"][0]}
    reverse = {item for item, spec in SCALES.items() if spec[3]}
    return order, reverse


def _check_bar(bar: pd.DataFrame, listed: list[int] | None, reverse: bool) -> None:
    """One bar's segments: contiguous, 100 points in all, in the listed order (turned when
    reversed), the neutral centred on zero (or the middle answer, or the split between the halves,
    when there is none), the favourable answers right of it and the others left of it."""
    where = f"{bar['item'].iloc[0]} ({bar['group'].iloc[0]})"
    bar = bar.sort_values("position")
    left, width = bar["left"].to_numpy(), bar["width"].to_numpy()
    assert bar["position"].tolist() == list(range(len(bar))), where
    if listed is not None:
        assert bar["code"].tolist() == (listed[::-1] if reverse else listed), where
    assert (bar["reverse"] == reverse).all(), where
    assert np.allclose(width, bar["share"]), where
    assert width.sum() == pytest.approx(100.0), where
    assert np.allclose(left[1:], left[:-1] + width[:-1]), f"{where}: not contiguous"
    neutral = bar["neutral"].to_numpy()
    assert neutral.sum() <= 1, where
    if neutral.any():
        centre = int(np.flatnonzero(neutral)[0])
        assert left[centre] == pytest.approx(-width[centre] / 2), f"{where}: neutral off centre"
        low, high = -width[centre] / 2, width[centre] / 2
    elif len(bar) % 2:
        centre = len(bar) // 2
        assert left[centre] == pytest.approx(-width[centre] / 2), f"{where}: middle off centre"
        low, high = -width[centre] / 2, width[centre] / 2
    else:
        centre = None
        assert left[len(bar) // 2] == pytest.approx(0.0), f"{where}: halves not split at zero"
        low = high = 0.0
    favourable = bar["favourable"].to_numpy()
    others = ~favourable & ~neutral & (np.arange(len(bar)) != (-1 if centre is None else centre))
    assert favourable.any(), where
    assert (left[favourable] >= high - 1e-9).all(), f"{where}: a favourable answer left of centre"
    assert (left[others] + width[others] <= low + 1e-9).all(), f"{where}: unfavourable on the right"


def test_segments_follow_the_listed_order_and_centre_the_neutral():
    d = _distributions()
    order, reverse = _order_and_reverse()
    seg = likert_segments(d, order=order, reverse=reverse)
    bars = list(seg.groupby(["item", "group"], sort=False))
    assert {key for key, _ in bars} == {(item, group) for item in SCALES for group in GROUPS} | {
        ("hidden", "official")
    }, "a hidden bar has no segments, every other bar has"
    for (item, _), bar in bars:
        spec = SCALES.get(item, SCALES["agree"])
        _check_bar(bar, spec[0], spec[3])
    # the codes' shares are kept: each segment is its code's share of the table
    merged = seg.merge(d, on=["item", "group", "code"], suffixes=("", "_table"))
    assert len(merged) == len(seg)
    assert np.allclose(merged["width"], merged["share_table"])
    assert (merged["label"] == merged["label_table"]).all()


def test_the_code_numbers_do_not_place_the_bar():
    """The same answers under other code numbers, in rows of any order, give the same bar."""
    d = _distributions()
    jumbled = d[d["item"] == "jumbled"].sample(frac=1, random_state=3)
    renumbered = jumbled.assign(code=jumbled["code"].map({1: 1, 3: 2, 2: 3, 5: 4, 4: 5}))
    first = likert_segments(jumbled, order=[1, 3, 2, 5, 4])
    second = likert_segments(renumbered, order=[1, 2, 3, 4, 5])
    cols = ["group", "position", "left", "width", "neutral", "favourable"]
    pd.testing.assert_frame_equal(first[cols], second[cols])


def test_segments_keep_the_order_of_the_rows_without_a_scale_order():
    d = _distributions()
    listed = d[d["item"] == "jumbled"].set_index("code").loc[[1, 3, 2, 5, 4]].reset_index()
    seg = likert_segments(listed)
    for _, bar in seg.groupby("group"):
        _check_bar(bar, [1, 3, 2, 5, 4], False)


def test_segments_reject_a_code_off_the_scale_and_two_neutrals():
    d = _distributions()
    agree = d[d["item"] == "agree"]
    with pytest.raises(ValueError, match="not on its scale"):
        likert_segments(agree, order=[1, 2, 3, 4])
    with pytest.raises(ValueError, match="more than one neutral"):
        likert_segments(agree.assign(neutral=agree["code"].isin([2, 3])))


def test_an_empty_slice_gives_no_segments():
    seg = likert_segments(_distributions().iloc[:0], order=[1, 2])
    assert seg.empty and {"left", "width", "position"} <= set(seg.columns)


# -- the demo findings -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def report(report_2025_en):
    """The 2025 demo report (with 2024 as its previous cycle)."""
    return report_2025_en


def test_the_demo_bars_are_centred(report):
    """Every bar of the demo findings, with the codebook's scale orders and reverse coding."""
    cb = report.cb
    seg = likert_segments(report.findings.tables["distributions"], cb)
    assert seg["reverse"].any() and not seg["reverse"].all()
    for (item, _), bar in seg.groupby(["item", "group"], sort=False):
        scale = cb.scale_of(item)
        if scale.type != "ordinal":
            continue  # nominal answers have no favourable side to check
        _check_bar(bar, list(scale.codes), bool(cb.item(item)["reverse"]))


def _factor_items(report: Report, factor: int, group: str) -> list[str]:
    items = report.findings.tables["items"]
    return items[(items["factor"] == factor) & (items["group"] == group)]["item"].tolist()


def _bars_drawn(ax, rows: list[float]) -> list[list[Rectangle]]:
    """The bar segments an axes draws, per row at ``rows`` (y), left to right."""
    drawn = [[] for _ in rows]
    for patch in ax.patches:
        y = patch.get_y() + patch.get_height() / 2
        drawn[int(np.argmin([abs(y - r) for r in rows]))].append(patch)
        assert min(abs(y - r) for r in rows) < 1e-9
    return [sorted(row, key=lambda p: p.get_x()) for row in drawn]


def _assert_draws(ax, report: Report, factor: int, group: str, rows: list[float]) -> None:
    """The axes draws exactly the segments of :func:`likert_segments` of the group's items."""
    ids = _factor_items(report, factor, group)
    dist = report.findings.tables["distributions"]
    seg = likert_segments(dist[dist["item"].isin(ids) & (dist["group"] == group)], report.cb)
    for iid, patches in zip(ids, _bars_drawn(ax, rows), strict=True):
        bar = seg[seg["item"] == iid].sort_values("position")
        assert len(patches) == len(bar), iid
        assert np.allclose([p.get_x() for p in patches], bar["left"]), iid
        assert np.allclose([p.get_width() for p in patches], bar["width"]), iid
        if len(bar) == 5:
            faces = [p.get_facecolor()[:3] for p in patches]
            assert np.allclose(faces, [to_rgb(DIVERGING[k]) for k in bar["position"]]), iid


def _reversed_factors(report: Report) -> list[int]:
    items = report.findings.tables["items"]
    return sorted(int(k) for k in items.loc[items["reverse"], "factor"].dropna().unique())


@pytest.mark.parametrize("group", GROUPS)
def test_likert_bars_draw_the_segments(report, group):
    factors = _reversed_factors(report)
    assert factors, "the demo has reverse-worded statements in a factor"
    for factor in sorted({factors_present(report)[0], *factors}):
        fig = likert_bars(report.findings, report.cb, factor, group, report.labels)
        if fig is None:
            continue
        ax = fig.axes[0]
        _assert_draws(ax, report, factor, group, list(ax.get_yticks()))


def test_likert_pair_draws_the_segments(report):
    for factor in sorted({factors_present(report)[0], *_reversed_factors(report)}):
        fig = likert_pair(report.findings, report.cb, factor, report.labels)
        panels = [ax for ax in fig.axes if ax.patches]
        groups = [g for g in GROUPS if _factor_items(report, factor, g)]
        assert len(panels) == len(groups)
        for ax, group in zip(panels, groups, strict=True):
            _assert_draws(ax, report, factor, group, list(ax.get_yticks()))


def test_the_zero_line_stays_behind_the_bars_and_their_values(report):
    """The zero line is drawn under the bars, so where a bar is (and the neutral answer's value
    written on it) the line does not show; it shows between the rows."""
    factor = _reversed_factors(report)[0]
    for fig in (
        likert_pair(report.findings, report.cb, factor, report.labels),
        likert_bars(report.findings, report.cb, factor, "official", report.labels),
    ):
        for ax in (a for a in fig.axes if a.patches):
            (zero,) = [line for line in ax.lines if list(line.get_xdata()) == [0, 0]]
            bottom = min(p.get_zorder() for p in ax.patches)
            assert zero.get_zorder() < bottom
            on_zero = [t for t in ax.texts if abs(t.get_position()[0]) < 1e-9]
            assert on_zero, "the neutral answers' values are written on the zero line"
            for text in on_zero:
                assert text.get_zorder() > bottom
                y = text.get_position()[1]
                under = [
                    p
                    for p in ax.patches
                    if p.get_x() < 0 < p.get_x() + p.get_width()
                    and p.get_y() <= y <= p.get_y() + p.get_height()
                ]
                assert under, "a value on the zero line lies on a bar that hides the line"


def test_a_hidden_bar_is_left_blank(report):
    """A group's hidden answers to an item give no segments and no bar; its row stays."""
    factor = factors_present(report)[0]
    iid = _factor_items(report, factor, "private")[0]
    dist = report.findings.tables["distributions"].copy()
    hide = (dist["item"] == iid) & (dist["group"] == "private")
    dist.loc[hide, ["share", "n"]] = np.nan
    dist.loc[hide, "suppressed"] = True
    tables = {**report.findings.tables, "distributions": dist}
    hidden = dataclasses.replace(report.findings, tables=tables)
    seg = likert_segments(dist, report.cb)
    assert not ((seg["item"] == iid) & (seg["group"] == "private")).any()
    assert ((seg["item"] == iid) & (seg["group"] == "official")).any()
    fig = likert_bars(hidden, report.cb, factor, "private", report.labels)
    ax = fig.axes[0]
    rows = list(ax.get_yticks())
    assert not _bars_drawn(ax, rows)[0]
    hidden_n = f"n\u00a0{hidden_label(report.findings.meta['min_cell'])}"
    assert hidden_n in ax.get_yticklabels()[0].get_text()
    assert all(row for row in _bars_drawn(ax, rows)[1:])


# -- the reverse-wording mark ----------------------------------------------------------------------
def _reversed_items(report: Report) -> set[str]:
    items = report.findings.tables["items"]
    return set(items.loc[items["reverse"], "item"])


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGUAGES)
def test_charts_mark_the_reverse_worded_statements(report, lang):
    local = dataclasses.replace(report, language=lang)
    labels = load_catalogue(lang)["report"]
    note = " ".join(labels["chart"]["note_reverse"].format(mark=MARK).split())
    assert labels["reverse_mark"] == MARK
    reversed_items = _reversed_items(report)
    for factor in factors_present(report):
        fig = local.factors.likert(factor)
        shown = [ax for ax in fig.axes if ax.patches]
        groups = [g for g in GROUPS if _factor_items(report, factor, g)]
        for ax, group in zip(shown, groups, strict=True):
            ticks = [t.get_text() for t in ax.get_yticklabels()]
            for iid, tick in zip(_factor_items(report, factor, group), ticks, strict=True):
                assert (MARK in tick) == (iid in reversed_items), (factor, iid, tick)
        notes = " ".join(" ".join(t.get_text().split()) for t in fig.texts)
        has_reversed = any(
            iid in reversed_items for g in groups for iid in _factor_items(report, factor, g)
        )
        assert (note in notes) == has_reversed, factor
    fig = local.factors.likert(_reversed_factors(report)[0], "private")
    assert any(MARK in t.get_text() for t in fig.axes[0].get_yticklabels())


@pytest.mark.parametrize("lang", LANGUAGES)
def test_items_tables_mark_the_reverse_worded_statements(report, lang):
    local = dataclasses.replace(report, language=lang)
    labels = load_catalogue(lang)["report"]
    note = html.escape(" ".join(labels["reverse_note"].split()).format(mark=MARK))
    items = local.findings.tables["items"]  # the questions in the report's language
    for factor in factors_present(report):
        table = str(local.factors.items_table(factor))
        part = items[items["factor"] == factor]
        for _, r in part.drop_duplicates("item").iterrows():
            text = html.escape(r["text"], quote=False)
            assert text in table, r["item"]
            assert (f"{text}\u00a0{MARK}" in table) == bool(r["reverse"]), r["item"]
        assert (note in table) == bool(part["reverse"].any()), factor
    annex = str(local.annex.items_table())  # a statement once, the groups side by side
    assert annex.count(f"\u00a0{MARK}") == int(items.drop_duplicates("item")["reverse"].sum())
    assert note in annex
