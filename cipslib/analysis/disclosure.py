"""Disclosure control: no table or chart shows a group of fewer than ``min_cell`` respondents.

* **Primary suppression**: a cell resting on 1 to ``min_cell - 1`` respondents is hidden (an empty
  cell, 0 respondents, has nothing to hide and is shown as empty).
* **Secondary suppression**: when a row (or column) of a table is shown with its total, a single
  hidden cell could be worked out as the total minus the cells shown. So wherever exactly one cell
  of a line is hidden, the smallest other cell of that line is hidden too (or, if there is none, the
  line's total), repeated until no line has exactly one hidden cell. For estimates (means,
  percentages) of subgroups shown beside their group's overall estimate the same rule applies along
  the subgroups, with the respondent counts as cell sizes.
* Hidden groups still count in their parent totals: totals are computed from all respondents and
  never recomputed from the cells shown.

Hidden cells read ``HIDDEN`` ("<10" for the default ``min_cell``) in rendered tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import CipsDataError, Problem


def hidden_label(min_cell: int) -> str:
    """What a hidden cell reads in a table, e.g. "<10"."""
    return f"<{min_cell}"


@dataclass(frozen=True)
class Suppression:
    """Which cells (and which line totals) of a table of counts are hidden, and why."""

    cells: pd.DataFrame  # True where the cell is hidden
    primary: pd.DataFrame  # True where hidden because the cell itself is small
    row_totals: pd.Series  # True where a row total is hidden
    col_totals: pd.Series  # True where a column total is hidden

    @property
    def n_primary(self) -> int:
        return int(self.primary.to_numpy().sum())

    @property
    def n_secondary(self) -> int:
        return int(self.cells.to_numpy().sum()) - self.n_primary


def _check(counts: pd.DataFrame, min_cell: int) -> np.ndarray:
    if not isinstance(min_cell, (int, np.integer)) or min_cell < 1:
        raise CipsDataError(
            [
                Problem(
                    "suppression", "min_cell must be a whole number of at least 1", value=min_cell
                )
            ]
        )
    n = counts.to_numpy(dtype=float)
    if np.isnan(n).any() or (n < 0).any():
        raise CipsDataError(
            [
                Problem(
                    "suppression",
                    "cell counts must be numbers of at least 0",
                    expected="a respondent count in every cell",
                )
            ]
        )
    return n


def _protect_line(n: np.ndarray, hidden: np.ndarray) -> int | None:
    """Index of the cell to hide so that a line with one hidden cell gets a second, or None."""
    candidates = np.flatnonzero(~hidden)
    if len(candidates) == 0:
        return None
    positive = candidates[n[candidates] > 0]
    pool = positive if len(positive) else candidates
    return int(pool[np.argmin(n[pool])])


def suppress_counts(
    counts: pd.DataFrame, min_cell: int = 10, *, row_totals: bool = True, col_totals: bool = True
) -> Suppression:
    """Primary and secondary suppression of a table of respondent counts.

    ``row_totals`` / ``col_totals`` say whether the table shows the total of each row / column; only
    shown totals allow a hidden cell to be worked out, so only they trigger secondary suppression.
    """
    n = _check(counts, min_cell)
    primary = (n > 0) & (n < min_cell)
    hidden = primary.copy()
    row_hidden = np.zeros(n.shape[0], dtype=bool)
    col_hidden = np.zeros(n.shape[1], dtype=bool)
    changed = True
    while changed:
        changed = False
        lines = []
        if row_totals:
            lines += [("row", i) for i in range(n.shape[0])]
        if col_totals:
            lines += [("col", j) for j in range(n.shape[1])]
        for kind, i in lines:
            line_n = n[i, :] if kind == "row" else n[:, i]
            line_h = hidden[i, :] if kind == "row" else hidden[:, i]
            total_hidden = row_hidden[i] if kind == "row" else col_hidden[i]
            if line_h.sum() != 1 or total_hidden:
                continue
            j = _protect_line(line_n, line_h)
            if j is None:
                if kind == "row":
                    row_hidden[i] = True
                else:
                    col_hidden[i] = True
            elif kind == "row":
                hidden[i, j] = True
            else:
                hidden[j, i] = True
            changed = True
    frame = lambda a: pd.DataFrame(a, index=counts.index, columns=counts.columns)  # noqa: E731
    return Suppression(
        frame(hidden),
        frame(primary),
        pd.Series(row_hidden, index=counts.index),
        pd.Series(col_hidden, index=counts.columns),
    )


def suppress_estimates(
    table: pd.DataFrame,
    min_cell: int = 10,
    *,
    family: Sequence[str] = (),
    n_column: str = "n",
    value_columns: Sequence[str] | None = None,
    total_shown: bool = True,
) -> pd.DataFrame:
    """Hide the estimates of a tidy table whose base is below ``min_cell``, with secondary
    suppression.

    Rows sharing the values of ``family`` are the subgroups of one line (e.g. the regions for one
    factor among officials); when ``total_shown`` the line's overall estimate is shown elsewhere, so
    a line with one hidden subgroup gets a second one hidden. Hidden rows keep their labels; their
    values and their ``n`` become missing and ``suppressed`` is True. Without ``family`` every row
    is its own line (primary only).
    """
    out = table.copy()
    if out.empty:
        out["suppressed"] = pd.Series(dtype=bool)
        return out
    n = pd.to_numeric(out[n_column], errors="coerce").fillna(0).to_numpy(dtype=float)
    hidden = (n > 0) & (n < min_cell)
    if family and total_shown:
        # one line per family, its total shown: a line with exactly one hidden cell gets its
        # smallest other cell hidden too (a positive one if there is one); a line with nothing else
        # to hide is hidden whole
        keys = pd.MultiIndex.from_frame(out[list(family)].astype(str)).factorize()[0]
        frame = pd.DataFrame({"key": keys, "n": n, "hidden": hidden, "pos": np.arange(len(out))})
        count = frame.groupby("key")["hidden"].transform("sum").to_numpy()
        lonely = frame[(count == 1) & ~frame["hidden"].to_numpy()].copy()
        lonely["rank"] = np.where(lonely["n"] > 0, lonely["n"], np.inf)
        partners = lonely.sort_values(["rank", "pos"], kind="stable").groupby("key")["pos"].first()
        hidden[partners.to_numpy()] = True
        single = frame.loc[count == 1, "key"].unique()
        whole = np.setdiff1d(single, partners.index.to_numpy())
        hidden |= np.isin(keys, whole)
    values = (
        list(value_columns)
        if value_columns is not None
        else [
            c
            for c in out.columns
            if c not in (*family, n_column) and pd.api.types.is_numeric_dtype(out[c])
        ]
    )
    for c in [*values, n_column]:
        if c in out.columns:
            out[c] = out[c].astype(float)
            out.loc[hidden, c] = np.nan
    out["suppressed"] = hidden
    return out


def format_count_table(
    counts: pd.DataFrame,
    min_cell: int = 10,
    *,
    row_totals: bool = True,
    col_totals: bool = True,
    total_label: str = "Total",
) -> pd.DataFrame:
    """A table of counts ready to show: hidden cells read "<min_cell", totals from all
    respondents."""
    sup = suppress_counts(counts, min_cell, row_totals=row_totals, col_totals=col_totals)
    label = hidden_label(min_cell)
    shown = counts.astype(int).astype(object).mask(sup.cells, label)
    if row_totals:
        totals = counts.sum(axis=1).astype(int).astype(object)
        shown[total_label] = totals.mask(sup.row_totals, label)
    if col_totals:
        col = counts.sum(axis=0).astype(int).astype(object).mask(sup.col_totals, label)
        if row_totals:
            col[total_label] = int(counts.to_numpy().sum())
        shown.loc[total_label] = col
    return shown
