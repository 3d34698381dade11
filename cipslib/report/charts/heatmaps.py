"""Factor indices by subgroup level as a heatmap (:func:`subgroup_heatmap`), with the marks of the
levels significantly above or below the rest of their group (:func:`subgroup_marks`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.patches import Rectangle

from ...analysis.disclosure import COMPLEMENTARY, COMPLEMENTARY_MARK, hidden_label
from ...inputs.codebook import Codebook
from ...text.typography import tidy
from .layout import _Frame
from .style import INK, NOTE_INK, _base, _chart_label, _label, _numbers, _own_figure, styled

HIGHER, LOWER = "▲", "▼"
"""Marks of a subgroup level significantly higher or lower than the rest of its group."""


def subgroup_marks(fnd, group: str, variable: str) -> dict[tuple[int, str], str]:
    """(factor, level) -> :data:`HIGHER` or :data:`LOWER` for each subgroup level whose factor
    index differs significantly (Holm-adjusted) from the rest of its group; with two levels,
    tested against each other, both are marked.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> tests = pd.DataFrame({"group": ["official"], "variable": ["role"], "level": ["manager"],
    ...     "versus": ["non_manager"], "measure": ["factor_index.1"], "difference": [11.9],
    ...     "significant": [True], "factor": [1]})
    >>> subgroup_marks(SimpleNamespace(tables={"subgroup_tests": tests}), "official", "role")
    {(1, 'manager'): '▲', (1, 'non_manager'): '▼'}
    """
    tests = fnd.tables.get("subgroup_tests")
    if tests is None or tests.empty:
        return {}
    t = tests[(tests["group"] == group) & (tests["variable"] == variable)]
    t = t[t["significant"].fillna(False).astype(bool)]
    t = t[t["measure"].astype(str).str.startswith("factor_index.")]
    marks = {}
    for _, r in t.iterrows():
        up = float(r["difference"]) > 0
        factor = int(r["factor"])
        marks[(factor, str(r["level"]))] = HIGHER if up else LOWER
        if r.get("versus") not in (None, "rest") and pd.notna(r.get("versus")):
            marks[(factor, str(r["versus"]))] = LOWER if up else HIGHER
    return marks


@styled
def subgroup_heatmap(
    fnd, cb: Codebook, group: str, variable: str, labels: dict, lang: str = "en", ax=None
):
    """Factor index by subgroup level. A hidden cell is blank and reads "<10", or "x" where it is
    hidden only so that another cannot be worked out (the findings' ``hidden`` says
    "complementary"); a level significantly higher or lower than the rest of its group
    (Holm-adjusted) carries ▲ or ▼ beside its index and a dark frame."""
    sub = fnd.tables["subgroups"]
    if sub.empty:
        return None
    t = sub[
        (sub["group"] == group) & (sub["variable"] == variable) & (sub["kind"] == "factor_index")
    ]
    if t.empty:
        return None
    levels = [lev for lev in cb.variables[variable].levels if lev in set(t["level"])]
    wide = t.pivot_table(index="factor", columns="level", values="estimate", dropna=False).reindex(
        columns=levels
    )
    marks = subgroup_marks(fnd, group, variable)
    ns = t.groupby("level")["n"].max().reindex(levels)
    fig, ax, own = _own_figure(ax)
    frame = _Frame(fig, [ax], own)
    fmt = _numbers(lang)
    ax.set_facecolor("#f2f2f2")  # a hidden or empty cell
    sns.heatmap(
        wide,
        ax=ax,
        cmap="Blues",
        vmin=30,
        vmax=80,
        annot=_cell_texts(wide, marks),
        fmt="",
        cbar=False,
        linewidths=0.5,
        linecolor="white",
        annot_kws={"fontsize": 7.5},
    )
    min_cell = fnd.meta["min_cell"]
    shown_marks = _hidden_cells(ax, t, wide, min_cell)
    _framed_cells(ax, wide, marks)
    names = [frame.fit(f"{int(k)}. {cb.factor_name(int(k), lang)}", 2.7, 8) for k in wide.index]
    ax.set_yticks(np.arange(len(wide)) + 0.5, names, rotation=0, fontsize=8)
    ax.set_xticks(np.arange(len(levels)) + 0.5, [""] * len(levels))
    ax.tick_params(length=0)
    ax.set_xlabel("")
    ax.set_ylabel("")
    pitch = frame.pitch(ax, minimum=0.32)
    (width,) = frame.place_columns()
    column = width / max(len(levels), 1) - 0.08
    ax.set_xticks(
        np.arange(len(levels)) + 0.5,
        [
            frame.fit(cb.level_label(variable, lev, lang), column, 7)
            + "\n"
            + _base(fmt, ns[lev], min_cell)
            for lev in levels
        ],
        rotation=0,
        fontsize=7,
    )
    return frame.finish(
        f"{cb.group_label(group, lang)}: {cb.variables[variable].labels.get(lang, variable)}",
        _chart_label(labels, "read_heatmap"),
        _heatmap_note(labels, bool(marks), bool(shown_marks), min_cell),
        plot_height=pitch * len(wide),
    )


def _cell_texts(wide: pd.DataFrame, marks: dict) -> np.ndarray:
    """Each cell's text: its index and, for a level marked by :func:`subgroup_marks`, the mark;
    blank where the index is hidden.

    >>> wide = pd.DataFrame({"a": [61.4, None], "b": [48.0, 55.5]}, index=[1, 2])
    >>> _cell_texts(wide, {(1, "b"): LOWER}).tolist()
    [['61', '48 ▼'], ['', '56']]
    """
    return np.array(
        [
            [
                ""
                if pd.isna(wide.loc[k, lev])
                else f"{wide.loc[k, lev]:.0f}"
                + (f" {marks[(int(k), lev)]}" if (int(k), lev) in marks else "")
                for lev in wide.columns
            ]
            for k in wide.index
        ],
        dtype=object,
    )


def _hidden_cells(ax, t: pd.DataFrame, wide: pd.DataFrame, min_cell: int) -> set[str]:
    """Marks the hidden cells of the heatmap of ``wide`` (rows of the subgroups table ``t``):
    "x" where the findings hid a cell only so that another cannot be worked out, "<10"
    otherwise; returns the marks shown."""
    levels = list(wide.columns)
    hidden = (
        t.pivot_table(index="factor", columns="level", values="suppressed", aggfunc="max")
        .reindex(columns=levels)
        .fillna(False)
        .astype(bool)
    )
    why = (
        dict(zip(zip(t["factor"].astype(int), t["level"], strict=True), t["hidden"], strict=True))
        if "hidden" in t.columns
        else {}
    )
    shown = set()
    for i, j in zip(
        *np.nonzero(hidden.reindex(index=wide.index).fillna(False).to_numpy()), strict=True
    ):
        reason = why.get((int(wide.index[i]), levels[j]))
        mark = COMPLEMENTARY_MARK if reason == COMPLEMENTARY else hidden_label(min_cell)
        shown.add(mark)
        ax.text(j + 0.5, i + 0.5, mark, ha="center", va="center", fontsize=7, color=NOTE_INK)
    return shown


def _framed_cells(ax, wide: pd.DataFrame, marks: dict) -> None:
    """A dark frame around each shown cell of a level marked by :func:`subgroup_marks`."""
    for i, k in enumerate(wide.index):
        for j, lev in enumerate(wide.columns):
            if (int(k), lev) in marks and pd.notna(wide.loc[k, lev]):
                ax.add_patch(
                    Rectangle(
                        (j + 0.04, i + 0.06),
                        0.92,
                        0.88,
                        fill=False,
                        edgecolor=INK,
                        linewidth=1.1,
                        zorder=3,
                    )
                )


def _heatmap_note(labels: dict, marked: bool, hidden: bool, min_cell: int) -> str:
    """The heatmap's note: the method, then what the marks mean when the chart shows them
    (``marked``: significance marks; ``hidden``: hidden cells)."""
    note = [_label(labels, "caption_heatmap")]
    if marked:
        note.append(_label(labels, "heatmap_note_marks").format(up=HIGHER, down=LOWER))
    if hidden:
        note.append(
            _label(labels, "heatmap_note_hidden").format(
                hidden=hidden_label(min_cell), min_cell=min_cell, mark=COMPLEMENTARY_MARK
            )
        )
    return " ".join(tidy(n) for n in note)
