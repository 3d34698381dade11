"""Differences by a respondent variable in the pooled packages: the index by level, the
difference between levels with the SE of their joint linearisation, its p-value and Holm's
adjustment, and the gap within administrations, all against a hand computation in numpy; only
the packages that carry the variable take part, and a level under min_cell is hidden."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cipslib.benchmark.groups import group_differences
from cipslib.errors import CipsDataError

FACTORS = [f"f{k}" for k in range(1, 11)]


def _frame(seed: int = 11) -> pd.DataFrame:
    """Officials of three administrations that carry gender (one with two iterations, a few
    respondents without a gender), one that does not; women rate f8 lower; private-sector
    respondents with only six women."""
    rng = np.random.default_rng(seed)
    parts = []
    packages = [("A01", 2020, 30), ("A01", 2023, 26), ("A02", 2021, 24), ("A03", 2021, 20)]
    packages.append(("A04", 2021, 25))
    for admin, cycle, n in packages:
        gender = np.where(np.arange(n) % 3 == 0, "female", "male").astype(object)
        if admin == "A01":
            gender[:2] = None
        if admin == "A04":
            gender[:] = None
        part = pd.DataFrame(rng.normal(60, 15, (n, 10)), columns=FACTORS)
        part["f8"] -= 10 * (gender == "female")
        part["f3"] += {"A01": 0, "A02": 8, "A03": -6, "A04": 30}[admin]
        part.loc[rng.random(n) < 0.1, "f2"] = np.nan
        part["gender"] = gender
        part["administration"], part["cycle"] = admin, cycle
        part["instrument"] = part["stratum"] = "official"
        part["weight"] = rng.uniform(1, 4, n)
        parts.append(part)
    private = pd.DataFrame(rng.normal(55, 15, (40, 10)), columns=FACTORS)
    private["gender"] = np.where(np.arange(40) < 6, "female", "male").astype(object)
    private["administration"], private["cycle"] = "A02", 2021
    private["instrument"] = private["stratum"] = "private"
    private["weight"] = rng.uniform(1, 4, 40)
    parts.append(private)
    return pd.concat(parts, ignore_index=True)


@pytest.fixture(scope="module")
def frame():
    return _frame()


@pytest.fixture(scope="module")
def result(frame):
    return group_differences(frame, "gender")


def _hand(frame: pd.DataFrame, column: str):
    """Means of women and men, their difference and its SE by the stratified linearisation,
    over the officials of the administrations that carry gender."""
    sub = frame[(frame["instrument"] == "official") & (frame["administration"] != "A04")]
    y, w = sub[column].to_numpy(), sub["weight"].to_numpy()
    valid = ~np.isnan(y)
    strata = (sub["administration"] + sub["cycle"].astype(str)).to_numpy()
    out, u = {}, {}
    for level in ("female", "male"):
        m = valid & (sub["gender"] == level).to_numpy()
        mean = w[m] @ y[m] / w[m].sum()
        u[level] = np.where(m, w * (np.nan_to_num(y) - mean) / w[m].sum(), 0.0)
        out[level] = (mean, int(m.sum()))

    def se(scores):
        var = 0.0
        for h in np.unique(strata):
            s = scores[strata == h]
            var += len(s) / (len(s) - 1) * ((s - s.mean()) ** 2).sum()
        return np.sqrt(var)

    df = len(sub) - len(np.unique(strata))
    return out, se(u["female"]), se(u["female"] - u["male"]), df, sub, strata


def _holm(p: np.ndarray) -> np.ndarray:
    order = np.argsort(p)
    adjusted = np.empty_like(p)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, (len(p) - rank) * p[i])
        adjusted[i] = min(running, 1.0)
    return adjusted


def test_levels_and_differences_against_the_hand_computation(frame, result):
    levels = result.levels[result.levels["instrument"] == "official"]
    diffs = result.differences[result.differences["instrument"] == "official"]
    assert list(diffs[["a", "b"]].drop_duplicates().itertuples(index=False)) == [("female", "male")]
    p_values = []
    for k, column in enumerate(FACTORS, start=1):
        out, se_female, se_diff, df, _, _ = _hand(frame, column)
        row = levels[(levels["factor"] == k) & (levels["level"] == "female")].iloc[0]
        assert row["estimate"] == pytest.approx(out["female"][0], abs=1e-9)
        assert row["se"] == pytest.approx(se_female, rel=1e-9)
        assert row["n"] == out["female"][1] and row["df"] == df
        q = stats.t.ppf(0.975, df)
        assert row["ci_low"] == pytest.approx(out["female"][0] - q * se_female, abs=1e-9)
        d = diffs[diffs["factor"] == k].iloc[0]
        difference = out["female"][0] - out["male"][0]
        assert d["difference"] == pytest.approx(difference, abs=1e-9)
        assert d["se"] == pytest.approx(se_diff, rel=1e-9)
        p = 2 * stats.t.sf(abs(difference / se_diff), df)
        assert d["p_value"] == pytest.approx(p, rel=1e-9)
        assert d["ci_high"] == pytest.approx(difference + q * se_diff, abs=1e-9)
        assert (d["n_a"], d["n_b"]) == (out["female"][1], out["male"][1])
        p_values.append(p)
    assert diffs["p_holm"].to_numpy() == pytest.approx(_holm(np.array(p_values)), rel=1e-9)
    assert diffs.loc[diffs["p_holm"].idxmin(), "factor"] == 8  # the gap built in
    assert (diffs["administrations"] == 3).all()


def test_the_gap_within_administrations_against_weighted_least_squares(frame, result):
    diffs = result.differences[result.differences["instrument"] == "official"]
    for k, column in enumerate(FACTORS, start=1):
        _, _, _, _, sub, strata = _hand(frame, column)
        y, w = sub[column].to_numpy(), sub["weight"].to_numpy()
        used = ~np.isnan(y) & sub["gender"].notna().to_numpy()
        fe = (sub["administration"] + sub["cycle"].astype(str)).to_numpy()
        dummies = pd.get_dummies(pd.Series(fe[used]), drop_first=True, dtype=float).to_numpy()
        female = (sub["gender"] == "female").to_numpy(dtype=float)[used]
        x = np.column_stack([np.ones(used.sum()), female, dummies])
        ww = w[used] / w[used].mean()
        beta = np.linalg.solve(x.T @ (x * ww[:, None]), x.T @ (ww * y[used]))
        scores = np.zeros((len(sub), x.shape[1]))
        a_inv = np.linalg.inv(x.T @ (x * ww[:, None]))
        scores[used] = (x * (ww * (y[used] - x @ beta))[:, None]) @ a_inv
        var = 0.0
        for h in np.unique(strata):
            s = scores[strata == h, 1]
            var += len(s) / (len(s) - 1) * ((s - s.mean()) ** 2).sum()
        d = diffs[diffs["factor"] == k].iloc[0]
        assert d["within_difference"] == pytest.approx(beta[1], abs=1e-9)
        assert d["within_se"] == pytest.approx(np.sqrt(var), rel=1e-9)
        df = used.sum() - len(np.unique(strata[used])) + 1 - x.shape[1]
        p = 2 * stats.t.sf(abs(beta[1] / np.sqrt(var)), df)
        assert d["within_p_value"] == pytest.approx(p, rel=1e-9)


def test_a_level_under_min_cell_is_hidden(result):
    levels = result.levels[result.levels["instrument"] == "private"]
    women = levels[levels["level"] == "female"]
    assert (women["n"] == 6).all() and women["estimate"].isna().all()
    assert women["hidden"].str.contains("fewer than 10").all()
    assert levels.loc[levels["level"] == "male", "estimate"].notna().all()
    diffs = result.differences[result.differences["instrument"] == "private"]
    assert diffs[["difference", "se", "p_value", "p_holm", "within_difference"]].isna().all().all()
    shown = group_differences(_frame(), "gender", min_cell=5).differences
    assert shown.loc[shown["instrument"] == "private", "difference"].notna().all()


def test_only_packages_that_carry_the_variable_take_part(frame, result):
    changed = frame.copy()
    changed.loc[changed["administration"] == "A04", "f8"] += 40  # no gender: must not matter
    again = group_differences(changed, "gender")
    pd.testing.assert_frame_equal(again.differences, result.differences)
    with pytest.raises(CipsDataError, match="'gender'"):
        group_differences(frame.drop(columns="gender"), "gender")
