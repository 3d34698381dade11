"""Properties that must hold for any input (hypothesis)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cipslib
from cipslib.analysis.disclosure import (
    column_sums,
    hidden_mark,
    protect,
    protect_counts,
    row_sums,
    suppress_counts,
    suppress_estimates,
)
from cipslib.survey.design import SurveyDesign

from .conftest import write_csv

FAST = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@st.composite
def survey(draw):
    n = draw(st.integers(30, 300))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    a_levels = draw(st.integers(2, 4))
    b_levels = draw(st.integers(2, 3))
    frame = pd.DataFrame(
        {
            "a": rng.integers(0, a_levels, n).astype(str),
            "b": rng.integers(0, b_levels, n).astype(str),
            "y": rng.normal(50, 10, n),
        }
    )
    # every level present at least once
    frame.loc[: a_levels - 1, "a"] = [str(i) for i in range(a_levels)]
    frame.loc[: b_levels - 1, "b"] = [str(i) for i in range(b_levels)]
    total = draw(st.integers(1_000, 100_000))
    shares_a = rng.dirichlet(np.ones(a_levels) * 2)
    shares_b = rng.dirichlet(np.ones(b_levels) * 2)
    margins = {
        "a": {str(i): float(total * s) for i, s in enumerate(shares_a)},
        "b": {str(i): float(total * s) for i, s in enumerate(shares_b)},
    }
    return frame, margins


@FAST
@given(survey())
def test_raking_hits_every_margin_and_weights_stay_positive(case):
    frame, margins = case
    d = SurveyDesign(frame).rake(margins, max_iter=500, tol=1e-9)
    w = d.weights
    assert (w > 0).all() and np.isfinite(w).all()
    for var, targets in margins.items():
        achieved = w.groupby(frame[var]).sum()
        for level, target in targets.items():
            assert abs(achieved[level] - target) <= 1e-6 * sum(targets.values())


@FAST
@given(survey(), st.integers(0, 2**31 - 1))
def test_estimates_do_not_depend_on_row_order(case, seed):
    frame, margins = case
    d1 = SurveyDesign(frame).rake(margins, max_iter=500)
    perm = np.random.default_rng(seed).permutation(len(frame))
    shuffled = frame.iloc[perm].reset_index(drop=True)
    d2 = SurveyDesign(shuffled).rake(margins, max_iter=500)
    m1, m2 = d1.mean("y", by="a"), d2.mean("y", by="a")
    assert np.allclose(m1["estimate"], m2["estimate"], rtol=1e-9)
    assert np.allclose(m1["se"], m2["se"], rtol=1e-6)


@FAST
@given(
    st.lists(st.lists(st.integers(0, 40), min_size=2, max_size=6), min_size=1, max_size=6).filter(
        lambda rows: len({len(r) for r in rows}) == 1
    ),
    st.integers(1, 15),
    st.booleans(),
    st.booleans(),
)
def test_suppression_never_shows_a_small_cell_or_a_recoverable_one(
    rows, min_cell, row_totals, col_totals
):
    counts = pd.DataFrame(rows)
    sup = suppress_counts(counts, min_cell, row_totals=row_totals, col_totals=col_totals)
    n = counts.to_numpy()
    hidden = sup.cells.to_numpy()
    assert not ((n > 0) & (n < min_cell) & ~hidden).any()
    if row_totals:
        for i in range(n.shape[0]):
            assert hidden[i].sum() != 1 or sup.row_totals.iloc[i]
    if col_totals:
        for j in range(n.shape[1]):
            assert hidden[:, j].sum() != 1 or sup.col_totals.iloc[j]
    # and no hidden cell or total is fixed by the rest: the table with its totals as cells
    r, c = n.shape
    values, why, sums = [*n.ravel()], [*sup.reasons.to_numpy().ravel()], []
    row_at, col_at = [], []
    if row_totals:
        row_at = list(range(len(values), len(values) + r))
        values += [*n.sum(axis=1)]
        why += [*sup.row_reasons]
        sums += [(list(range(i * c, i * c + c)), row_at[i]) for i in range(r)]
    if col_totals:
        col_at = list(range(len(values), len(values) + c))
        values += [*n.sum(axis=0)]
        why += [*sup.col_reasons]
        sums += [(list(range(j, r * c, c)), col_at[j]) for j in range(c)]
    if row_totals and col_totals:  # the grand total, shown
        sums += [(row_at, len(values)), (col_at, len(values))]
        values.append(n.sum())
        why.append(sup.grand_total)
    _check_protection(
        values, sums, min_cell, why, np.zeros(len(values), bool), np.zeros(len(values), bool)
    )


def _feasible_ranges(n, sums, hidden):
    """Smallest and largest value each hidden cell can take given the cells shown, the published
    sums ``(parts, total)`` (``total`` a cell, or None for a total printed elsewhere, which the
    reader knows) and every cell at least 0: linear programming, independent of the rank test the
    mechanism uses."""
    from scipy.optimize import linprog

    cells = np.flatnonzero(hidden)
    at = {int(k): i for i, k in enumerate(cells)}
    a_eq, b_eq = [], []
    for parts, total in sums:
        row, rhs = np.zeros(len(cells)), 0.0
        terms = [(1.0, j) for j in parts] + ([(-1.0, total)] if total is not None else [])
        if total is None:
            rhs += float(sum(n[j] for j in parts))  # the published total
        for sign, j in terms:
            if hidden[j]:
                row[at[j]] += sign
            else:
                rhs -= sign * n[j]
        if row.any():
            a_eq.append(row)
            b_eq.append(rhs)
    out = {}
    for k, i in at.items():
        if not a_eq:
            out[k] = (0.0, np.inf)
            continue
        c = np.zeros(len(cells))
        c[i] = 1.0
        lo = linprog(c, A_eq=np.array(a_eq), b_eq=b_eq, bounds=(0, None), method="highs")
        hi = linprog(-c, A_eq=np.array(a_eq), b_eq=b_eq, bounds=(0, None), method="highs")
        assert lo.status == 0, "the true table must be feasible"
        out[k] = (lo.fun, np.inf if hi.status == 3 else -hi.fun)
    return out


def _check_protection(n, sums, min_cell, reason, exposed, published):
    """(a) every count of 1 to min_cell - 1 is hidden as small, no zero is hidden; (b) no hidden
    cell is fixed by what is published, except the small ones listed as exposed (given away by
    figures printed elsewhere, and only then); (c) the other hidden cells are marked complementary
    ("x"), are never published elsewhere, and are not small."""
    n = np.asarray(n, dtype=float)
    reason = np.asarray(reason, dtype=object)
    hidden = np.array([r is not None for r in reason])
    small = (n > 0) & (n < min_cell)
    assert hidden[small].all() and not hidden[n == 0].any()
    assert all(r == "small" for r in reason[small])
    comp = hidden & ~small
    assert all(r == "complementary" for r in reason[comp])
    assert (n[comp] >= min_cell).all() and not (comp & published).any()
    assert {hidden_mark(r, min_cell) for r in reason[comp]} <= {"x"}
    assert {hidden_mark(r, min_cell) for r in reason[small]} <= {f"<{min_cell}"}
    ranges = _feasible_ranges(n, sums, hidden)
    for j, (lo, hi) in ranges.items():
        if exposed[j]:
            # given away by figures printed elsewhere: cells, or totals that are not cells
            assert small[j] and hi - lo < 1e-6
            assert published.any() or any(total is None for _, total in sums)
        else:
            assert hi - lo > 1e-6, (j, n[j], lo, hi)


COUNT = st.one_of(st.integers(0, 12), st.integers(0, 60))


@FAST
@given(
    st.lists(COUNT, min_size=1, max_size=8),
    st.integers(1, 15),
    st.booleans(),
    st.lists(st.booleans(), min_size=9, max_size=9),
)
def test_no_hidden_part_of_a_published_total_can_be_worked_out(
    parts, min_cell, total_in_table, printed
):
    """One sum: parts and their total, the total in the table or printed elsewhere; some cells
    printed elsewhere too (never hidden to protect another)."""
    n = [*parts, sum(parts)] if total_in_table else list(parts)
    sums = [(list(range(len(parts))), len(parts) if total_in_table else None)]
    published = np.array(printed[: len(n)])
    d = protect(n, sums, min_cell, published)
    _check_protection(n, sums, min_cell, d.reason, d.exposed, published)
    if total_in_table and not published.any():
        assert not d.exposed.any()


@FAST
@given(
    st.integers(1, 5),
    st.integers(1, 5),
    st.data(),
    st.integers(1, 15),
    st.sampled_from(["cell", "elsewhere", "none"]),
    st.sampled_from(["cell", "elsewhere", "none"]),
    st.booleans(),
)
def test_no_hidden_cell_of_a_table_with_row_and_column_totals_can_be_worked_out(
    rows, cols, data, min_cell, row_total, col_total, print_totals
):
    """Rows and columns with their totals (in the table, printed elsewhere or not published), the
    grand total with both; with ``print_totals`` the totals in the table are printed elsewhere too.
    Overlapping sums: the LP check catches what two hidden cells per line would miss."""
    body = np.array(
        data.draw(st.lists(COUNT, min_size=rows * cols, max_size=rows * cols)), dtype=float
    ).reshape(rows, cols)
    table = pd.DataFrame(body, columns=[f"c{j}" for j in range(cols)])
    parts_r, parts_c = list(table.columns), list(table.index)
    if row_total == "cell":
        table["total"] = body.sum(axis=1)
    if col_total == "cell":
        table.loc["total"] = table.sum(axis=0)
    sums = []
    if row_total != "none":
        sums += row_sums(table.loc[parts_c], parts_r, "total" if row_total == "cell" else None)
    if col_total != "none":
        sums += column_sums(table[parts_r], parts_c, "total" if col_total == "cell" else None)
    if row_total == "cell" and col_total != "none":
        sums += column_sums(table[["total"]], parts_c, "total" if col_total == "cell" else None)
    if col_total == "cell" and row_total != "none":
        sums += row_sums(table.loc[["total"]], parts_r, "total" if row_total == "cell" else None)
    totals = [(r, c) for r in table.index for c in table.columns if "total" in (r, c)]
    printed = totals if print_totals else []
    prot = protect_counts(table, min_cell, sums=sums, published=printed)
    # the same question on flat positions, for the independent check
    at = {
        (r, c): i * len(table.columns) + j
        for i, r in enumerate(table.index)
        for j, c in enumerate(table.columns)
    }
    flat = [([at[p] for p in s.parts], at[s.total] if s.total is not None else None) for s in sums]
    published = np.zeros(table.size, dtype=bool)
    published[[at[p] for p in printed]] = True
    _check_protection(
        table.to_numpy().ravel(),
        flat,
        min_cell,
        prot.reasons.to_numpy().ravel(),
        prot.exposed.to_numpy().ravel(),
        published,
    )
    if not print_totals and "elsewhere" not in (row_total, col_total):
        assert not prot.exposed.to_numpy().any()
    labels = prot.labels(table, min_cell)
    assert (labels[prot.complementary] == "x").sum().sum() == prot.complementary.sum().sum()


@FAST
@given(st.lists(st.integers(0, 60), min_size=1, max_size=8), st.integers(1, 12))
def test_suppressed_estimates_never_show_a_small_base(ns, min_cell):
    t = pd.DataFrame({"line": "x", "level": range(len(ns)), "estimate": 1.0, "n": ns})
    out = suppress_estimates(t, min_cell, family=["line"], value_columns=["estimate"])
    shown = out[~out["suppressed"]]
    assert ((shown["n"] == 0) | (shown["n"] >= min_cell)).all()
    if out["suppressed"].sum() == 1:
        # only when the line holds a single respondent group: its total is that cell, itself under
        # min_cell
        assert (np.array(ns) > 0).sum() == 1


@pytest.mark.slow
@settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.integers(0, 2**31 - 1), st.sampled_from(["csv", "parquet"]))
def test_load_save_load_is_lossless(raw2024, tmp_path, seed, fmt):
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(len(raw2024), 80, replace=False))
    first_path = write_csv(raw2024.iloc[rows], tmp_path / f"first{seed}.csv")
    first = cipslib.load_responses(first_path, cycle=2024)
    saved = tmp_path / f"saved{seed}.{fmt}"
    cipslib.save_responses(first, saved)
    second = cipslib.load_responses(saved, cycle=2024)
    pd.testing.assert_frame_equal(
        first.reset_index(drop=True), second.reset_index(drop=True), check_like=True
    )
