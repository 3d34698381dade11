"""Properties that must hold for any input (hypothesis)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cipslib
from cipslib.analysis.disclosure import suppress_counts, suppress_estimates
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
