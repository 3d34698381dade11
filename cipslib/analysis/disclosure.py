"""Disclosure control: no table or chart shows a group of fewer than ``min_cell`` respondents, and
no hidden cell can be worked out from what is published.

A table of counts is its cells and the sums it publishes: a row or column total, or a total printed
in another table or in the text (:class:`Sum`). :func:`protect_counts` decides which cells are
hidden and why:

* **Small** (primary suppression, reason ``"small"``): a count of 1 to ``min_cell - 1``. It reads
  ``"<10"`` for the default ``min_cell`` (:func:`hidden_label`).
* **Zeros are shown.** An empty cell has no respondent to disclose, so a count of 0 is never
  small; and it is never hidden to protect another cell either: a hidden zero is no cover (the
  reader knows what the hidden cells of a sum add up to, all of it in the small cell).
* **Complementary** (secondary suppression, reason ``"complementary"``): a cell hidden only so that
  a hidden cell cannot be worked out from the published sums. It is not necessarily small, so it
  reads :data:`COMPLEMENTARY_MARK` ("x"), explained in a note, never "<10".

The rule for complementary cells: no hidden cell may be **determined** by the published cells
and sums. With ``A`` the published sums' coefficients restricted to the hidden cells, hidden cell
``j`` is determined exactly when the unit vector ``e_j`` lies in the row space of ``A`` (every
other cell of the table is known). For a single sum this means 0 or at least 2 hidden cells among
its cells (its parts and, when the table holds it, its total); where sums overlap (rows and
columns) two per line is not always enough, so the test is made on the whole system. While a
hidden cell is determined, one more cell is hidden, smallest first: for the first hidden cell
that is the only hidden one of a sum (else the first determined one), the smallest positive cell
shown (the first in the table's order on a tie) of such a sum; else, of the sums holding it, then
of the whole table, the smallest whose hiding leaves it open (or the smallest). Cells printed
elsewhere (``published``) are never chosen. Since every hidden cell is positive, a hidden cell
that is not determined can move both ways without any cell turning negative: even with
non-negativity the reader is left a range, not a value. (A range only: a cell read as small lies
in 1 .. ``min_cell - 1`` whatever is hidden around it.)

A figure the reader knows only as a bound of a sum (the respondents excluded by any of several
screens, when one respondent can be flagged by several: ``excluded <= sum of the screens``) is
declared as an exact sum. When the parts do not overlap it is one; when they do, every set of
values that satisfies the equality satisfies the bound, so a hidden cell the equality leaves open,
the bound leaves open too.

A small cell that published figures alone give away, whatever this table hides (e.g. a group's
count when the other groups' counts and their total are all printed elsewhere), cannot be protected
by this table: it is hidden here and listed in :attr:`Protection.exposed`.

Hidden groups still count in their parent totals: totals are computed from all respondents and never
recomputed from the cells shown.

:func:`suppress_estimates` applies the single-sum rule to the estimates of subgroups shown beside
their group's estimate (the respondent counts as cell sizes); :func:`suppress_counts` is
:func:`protect_counts` for a plain table with its row and/or column totals.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import CipsDataError, Problem

SMALL = "small"
COMPLEMENTARY = "complementary"
COMPLEMENTARY_MARK = "x"
"""What a complementary cell reads in a table (a small one reads :func:`hidden_label`)."""


def hidden_label(min_cell: int) -> str:
    """What a small hidden cell reads in a table, e.g. "<10"."""
    return f"<{min_cell}"


def hidden_mark(reason: str | None, min_cell: int) -> str:
    """What a hidden cell reads: "x" when it is hidden to protect another, else "<min_cell".

    Examples
    --------
    >>> hidden_mark("small", 10), hidden_mark("complementary", 10), hidden_mark(None, 5)
    ('<10', 'x', '<5')
    """
    return COMPLEMENTARY_MARK if reason == COMPLEMENTARY else hidden_label(min_cell)


# -- the mechanism on flat arrays
def _check_min_cell(min_cell) -> None:
    if isinstance(min_cell, bool) or not isinstance(min_cell, (int, np.integer)) or min_cell < 1:
        raise CipsDataError(
            [
                Problem(
                    "suppression", "min_cell must be a whole number of at least 1", value=min_cell
                )
            ]
        )


def _check_counts(n: np.ndarray) -> None:
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


def constraint_matrix(size: int, sums: Sequence[tuple[Sequence[int], int | None]]) -> np.ndarray:
    """One row per published sum over ``size`` cells: +1 on its parts, -1 on its total when the
    table holds it (``None``: printed elsewhere, a known number)."""
    a = np.zeros((len(sums), size))
    for i, (parts, total) in enumerate(sums):
        for j in parts:
            a[i, j] += 1.0
        if total is not None:
            a[i, total] -= 1.0
    return a


def determined(a: np.ndarray, hidden: np.ndarray) -> np.ndarray:
    """Which hidden cells the published values fix: cell ``j`` is fixed when ``e_j`` lies in the
    row space of the sums restricted to the hidden cells, i.e. when every solution of the sums
    has the same value there (the null space of the restricted matrix is 0 at ``j``).

    Examples
    --------
    >>> a = constraint_matrix(3, [([0, 1], 2)])  # x0 + x1 = x2, all three published but hidden
    >>> determined(a, np.array([True, False, False])).tolist()
    [True, False, False]
    >>> determined(a, np.array([True, True, False])).tolist()
    [False, False, False]
    """
    out = np.zeros(len(hidden), dtype=bool)
    cols = np.flatnonzero(hidden)
    if not len(cols):
        return out
    sub = a[:, cols]
    sub = sub[np.abs(sub).sum(axis=1) > 0]
    if not len(sub):
        return out
    _, s, vt = np.linalg.svd(sub)
    rank = int((s > max(sub.shape) * np.finfo(float).eps * max(s.max(), 1.0)).sum())
    null = vt[rank:]
    free = np.abs(null).max(axis=0) > 1e-9 if len(null) else np.zeros(len(cols), dtype=bool)
    out[cols] = ~free
    return out


@dataclass(frozen=True)
class Decision:
    """Why each cell of a flat table is hidden: ``reason`` is None, "small" or "complementary";
    ``exposed`` marks small cells that published figures give away whatever the table hides."""

    reason: np.ndarray
    exposed: np.ndarray

    @property
    def hidden(self) -> np.ndarray:
        return np.array([r is not None for r in self.reason], dtype=bool)


def protect(
    counts: Sequence[float] | np.ndarray,
    sums: Sequence[tuple[Sequence[int], int | None]],
    min_cell: int = 10,
    published: Sequence[bool] | np.ndarray | None = None,
) -> Decision:
    """Primary and complementary suppression of cells (flat, by position) under published sums
    ``(parts, total)`` (``total`` a cell or None when printed elsewhere); see the module.

    Examples
    --------
    >>> # 8 + 31 + 69 = 108: the 8 is small, so the smallest other part is hidden with it
    >>> d = protect([8, 31, 69, 108], [([0, 1, 2], 3)])
    >>> d.reason.tolist()
    ['small', 'complementary', None, None]
    """
    _check_min_cell(min_cell)
    n = np.asarray(counts, dtype=float).ravel()
    _check_counts(n)
    size = len(n)
    pub = np.zeros(size, dtype=bool) if published is None else np.asarray(published, dtype=bool)
    sums = [(list(parts), total) for parts, total in sums]
    a = constraint_matrix(size, sums)
    small = (n > 0) & (n < min_cell)
    reason = np.full(size, None, dtype=object)
    if not small.any():  # nothing to hide, nothing to protect
        return Decision(reason, np.zeros(size, dtype=bool))
    eligible = (n > 0) & ~small & ~pub
    never = determined(a, small | eligible)
    exposed = never & small
    candidates = eligible & ~never
    hidden = small.copy()
    lines = [set(parts) | ({total} if total is not None else set()) for parts, total in sums]
    while True:
        fixed = determined(a, hidden) & ~exposed
        if not fixed.any():
            break
        # a hidden cell alone in a sum first (the subtraction a reader does at sight), then any
        alone = [j for j in np.flatnonzero(fixed) if any(_alone(line, hidden, j) for line in lines)]
        j = int(alone[0]) if alone else int(np.flatnonzero(fixed)[0])
        hidden[_partner(a, n, hidden, candidates, lines, j)] = True
    reason[hidden] = COMPLEMENTARY
    reason[small] = SMALL
    return Decision(reason, exposed)


def _alone(line: set[int], hidden: np.ndarray, j: int) -> bool:
    """Whether ``j`` is the only hidden cell of a sum's cells."""
    return j in line and sum(bool(hidden[k]) for k in line) == 1


def _smallest(n: np.ndarray, pool: np.ndarray) -> int | None:
    idx = np.flatnonzero(pool)
    if not len(idx):
        return None
    return int(idx[np.lexsort((idx, n[idx]))[0]])


def _partner(a, n, hidden, candidates, lines, j) -> int:
    """The cell to hide next for the determined hidden cell ``j`` (see the module)."""
    open_ = candidates & ~hidden
    alone = np.zeros(len(n), dtype=bool)
    holding = np.zeros(len(n), dtype=bool)
    for line in lines:
        if j not in line:
            continue
        members = np.zeros(len(n), dtype=bool)
        members[list(line)] = True
        holding |= members
        if _alone(line, hidden, j):
            alone |= members
    pick = _smallest(n, open_ & alone)
    if pick is not None:
        return pick
    for pool in (open_ & holding, open_):
        order = np.flatnonzero(pool)
        order = order[np.lexsort((order, n[order]))]
        for k in order:  # the smallest that frees j, if one alone does
            trial = hidden.copy()
            trial[k] = True
            if not determined(a, trial)[j]:
                return int(k)
        if len(order):
            return int(order[0])
    raise AssertionError("a determined hidden cell with no cell left to hide")  # pragma: no cover


# -- tables
@dataclass(frozen=True)
class Sum:
    """A sum a table publishes: its ``parts`` (cells of the table, as ``(row, column)`` labels)
    add up to ``total``, a cell of the table, or ``None`` when the total is printed elsewhere
    (another table, the text)."""

    parts: tuple[tuple[Hashable, Hashable], ...]
    total: tuple[Hashable, Hashable] | None = None


def row_sums(table: pd.DataFrame, parts: Sequence[Hashable], total: Hashable | None) -> list[Sum]:
    """Each row's cells in the columns ``parts`` add up to its cell in column ``total`` (or, with
    None, to a total printed elsewhere)."""
    return [
        Sum(tuple((r, c) for c in parts), (r, total) if total is not None else None)
        for r in table.index
    ]


def column_sums(
    table: pd.DataFrame, parts: Sequence[Hashable], total: Hashable | None
) -> list[Sum]:
    """Each column's cells in the rows ``parts`` add up to its cell in row ``total`` (or, with
    None, to a total printed elsewhere)."""
    return [
        Sum(tuple((r, c) for r in parts), (total, c) if total is not None else None)
        for c in table.columns
    ]


@dataclass(frozen=True)
class Protection:
    """Which cells of a table of counts are hidden and why (``reasons``: None, "small" or
    "complementary"), and the small cells published figures give away anyway (``exposed``)."""

    reasons: pd.DataFrame
    exposed: pd.DataFrame

    @property
    def hidden(self) -> pd.DataFrame:
        return self.reasons.notna()

    @property
    def small(self) -> pd.DataFrame:
        return self.reasons.eq(SMALL)

    @property
    def complementary(self) -> pd.DataFrame:
        return self.reasons.eq(COMPLEMENTARY)

    def labels(self, counts: pd.DataFrame, min_cell: int) -> pd.DataFrame:
        """The table as printed: whole numbers, hidden cells read their mark."""
        out = counts.astype(object)
        for reason in (SMALL, COMPLEMENTARY):
            out = out.mask(self.reasons.eq(reason), hidden_mark(reason, min_cell))
        return out


def protect_counts(
    counts: pd.DataFrame,
    min_cell: int = 10,
    *,
    sums: Iterable[Sum] = (),
    published: Iterable[tuple[Hashable, Hashable]] = (),
) -> Protection:
    """Primary and complementary suppression of a table of respondent counts that publishes
    ``sums``; cells in ``published`` are printed elsewhere too and never hidden to protect another.

    Examples
    --------
    >>> t = pd.DataFrame({"official": [8, 31, 69, 108], "private": [2, 10, 21, 33]},
    ...                  index=["duplicate", "speeder", "incomplete", "excluded"])
    >>> parts = ["duplicate", "speeder", "incomplete"]
    >>> p = protect_counts(t, 10, sums=column_sums(t, parts, "excluded"))
    >>> p.labels(t, 10)["official"].tolist(), p.labels(t, 10)["private"].tolist()
    (['<10', 'x', 69, 108], ['<10', 'x', 21, 33])
    """
    _check_min_cell(min_cell)
    rows, cols = list(counts.index), list(counts.columns)
    if len(set(rows)) < len(rows) or len(set(cols)) < len(cols):
        raise CipsDataError([Problem("suppression", "row and column labels must be unique")])
    r_at, c_at = {r: i for i, r in enumerate(rows)}, {c: i for i, c in enumerate(cols)}

    def at(cell) -> int:
        r, c = cell
        if r not in r_at or c not in c_at:
            raise CipsDataError(
                [Problem("suppression", "a sum names a cell the table does not have", value=cell)]
            )
        return r_at[r] * len(cols) + c_at[c]

    flat = [([at(p) for p in s.parts], at(s.total) if s.total is not None else None) for s in sums]
    pub = np.zeros(len(rows) * len(cols), dtype=bool)
    for cell in published:
        pub[at(cell)] = True
    n = pd.DataFrame(counts).to_numpy(dtype=float)
    d = protect(n.ravel(), flat, min_cell, pub)
    shape = (len(rows), len(cols))
    return Protection(
        pd.DataFrame(
            d.reason.reshape(shape), index=counts.index, columns=counts.columns, dtype=object
        ),
        pd.DataFrame(d.exposed.reshape(shape), index=counts.index, columns=counts.columns),
    )


# -- a plain table with its totals
@dataclass(frozen=True)
class Suppression:
    """Which cells (and which line totals) of a table of counts are hidden, and why."""

    cells: pd.DataFrame  # True where the cell is hidden
    primary: pd.DataFrame  # True where hidden because the cell itself is small
    row_totals: pd.Series  # True where a row total is hidden
    col_totals: pd.Series  # True where a column total is hidden
    reasons: pd.DataFrame | None = None  # None, "small" or "complementary" per cell
    row_reasons: pd.Series | None = None
    col_reasons: pd.Series | None = None
    grand_total: str | None = None  # why the grand total is hidden (both totals shown), or None

    @property
    def n_primary(self) -> int:
        return int(self.primary.to_numpy().sum())

    @property
    def n_secondary(self) -> int:
        return int(self.cells.to_numpy().sum()) - self.n_primary


def suppress_counts(
    counts: pd.DataFrame, min_cell: int = 10, *, row_totals: bool = True, col_totals: bool = True
) -> Suppression:
    """Primary and complementary suppression of a table of respondent counts with its totals.

    ``row_totals`` / ``col_totals`` say whether the table shows the total of each row / column; only
    shown totals allow a hidden cell to be worked out, so only they are sums of the table. A line
    total is a cell like any other (small ones are hidden; one may be hidden to protect another
    when the line has no smaller cell to hide); with both, the grand total is shown and is never
    hidden to protect another.
    """
    _check_min_cell(min_cell)
    body = counts.to_numpy(dtype=float)
    _check_counts(body)
    r, c = body.shape
    cells = [body.ravel()]
    sums: list[tuple[list[int], int | None]] = []
    row_at = col_at = None
    size = r * c
    if row_totals:
        row_at = size + np.arange(r)
        cells.append(body.sum(axis=1))
        sums += [(list(range(i * c, i * c + c)), int(row_at[i])) for i in range(r)]
        size += r
    if col_totals:
        col_at = size + np.arange(c)
        cells.append(body.sum(axis=0))
        sums += [(list(range(j, r * c, c)), int(col_at[j])) for j in range(c)]
        size += c
    grand = None
    if row_totals and col_totals:
        grand = size
        cells.append(np.array([body.sum()]))
        sums += [(list(map(int, row_at)), grand), (list(map(int, col_at)), grand)]
        size += 1
    published = np.zeros(size, dtype=bool)
    if grand is not None:
        published[grand] = True
    d = protect(np.concatenate(cells), sums, min_cell, published)
    reason = d.reason
    body_reason = pd.DataFrame(
        reason[: r * c].reshape(r, c), index=counts.index, columns=counts.columns, dtype=object
    )
    row_reason = pd.Series(
        reason[row_at] if row_at is not None else [None] * r, index=counts.index, dtype=object
    )
    col_reason = pd.Series(
        reason[col_at] if col_at is not None else [None] * c, index=counts.columns, dtype=object
    )
    return Suppression(
        body_reason.notna(),
        body_reason.eq(SMALL),
        row_reason.notna(),
        col_reason.notna(),
        body_reason,
        row_reason,
        col_reason,
        reason[grand] if grand is not None else None,
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
    a line with one hidden subgroup gets a second one hidden (the single-sum rule of the module: one
    line, one sum, so two hidden cells suffice). Hidden rows keep their labels; their values and
    their ``n`` become missing and ``suppressed`` is True. With ``family``, ``hidden`` says why:
    "small" or "complementary" (None when shown). Without ``family`` every row is its own line
    (primary only).
    """
    out = table.copy()
    if out.empty:
        out["suppressed"] = pd.Series(dtype=bool)
        if family:
            out["hidden"] = pd.Series(dtype=object)
        return out
    n = pd.to_numeric(out[n_column], errors="coerce").fillna(0).to_numpy(dtype=float)
    small = (n > 0) & (n < min_cell)
    hidden = small.copy()
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
    if family:
        why = np.where(small, SMALL, np.where(hidden, COMPLEMENTARY, None))
        out["hidden"] = pd.Series(why, index=out.index, dtype=object)
    return out


def format_count_table(
    counts: pd.DataFrame,
    min_cell: int = 10,
    *,
    row_totals: bool = True,
    col_totals: bool = True,
    total_label: str = "Total",
) -> pd.DataFrame:
    """A table of counts ready to show: small cells read "<min_cell", cells hidden to protect them
    "x"; totals from all respondents."""
    sup = suppress_counts(counts, min_cell, row_totals=row_totals, col_totals=col_totals)
    mark = lambda reasons, values: values.mask(reasons.eq(SMALL), hidden_label(min_cell)).mask(  # noqa: E731
        reasons.eq(COMPLEMENTARY), COMPLEMENTARY_MARK
    )
    shown = mark(sup.reasons, counts.astype(int).astype(object))
    if row_totals:
        shown[total_label] = mark(sup.row_reasons, counts.sum(axis=1).astype(int).astype(object))
    if col_totals:
        col = mark(sup.col_reasons, counts.sum(axis=0).astype(int).astype(object))
        if row_totals:
            grand = int(counts.to_numpy().sum())
            col[total_label] = hidden_mark(sup.grand_total, min_cell) if sup.grand_total else grand
        shown.loc[total_label] = col
    return shown
