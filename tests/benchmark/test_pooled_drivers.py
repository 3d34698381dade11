"""Pooled key drivers with administration fixed effects: the coefficients are those of a weighted
least-squares (or logistic) fit with the same dummies, the standard errors those of the survey
stage's svyglm and of the stratified sandwich written out here, the relative weights add up to the
within-administration R²; respondent scores from a package equal the national measures."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from cipslib.analysis.measures import build_measures
from cipslib.analysis.scoring import load_indicators
from cipslib.benchmark.drivers import (
    BREACH_INDICATORS,
    FACTORS,
    pooled_design,
    pooled_drivers,
    respondent_scores,
)
from cipslib.errors import CipsDataError
from cipslib.inputs.codebook import load_codebook
from cipslib.survey import SurveyDesign


def _frame(seed: int = 7, n: int = 90) -> pd.DataFrame:
    """Four administrations (two with two iterations), two instruments, correlated factor indices,
    levels that differ by administration, an outcome driven by f8 and f1, a 0/1 breach indicator
    driven by f3, a few missing values."""
    rng = np.random.default_rng(seed)
    packages = [("A01", 2020), ("A01", 2023), ("A02", 2020), ("A02", 2023), ("A03", 2021)]
    packages.append(("A04", 2021))
    parts = []
    for i, (admin, cycle) in enumerate(packages):
        for instrument in ("official", "private"):
            m = n + 10 * i
            common = rng.normal(0, 1, (m, 1))
            x = 55 + 8 * i + 12 * (0.6 * common + rng.normal(0, 1, (m, 10)))
            part = pd.DataFrame(x, columns=list(FACTORS))
            part["overall"] = 5 * i + 0.5 * part["f8"] + 0.2 * part["f1"] + rng.normal(0, 12, m)
            p = 1 / (1 + np.exp(0.08 * (part["f3"] - 55 - 8 * i)))
            part["bribe_may_help"] = (rng.random(m) < p).astype(float)
            part["administration"], part["cycle"] = admin, cycle
            part["instrument"] = part["stratum"] = instrument
            part["weight"] = rng.uniform(0.5, 3.0, m) * (1 + i)
            parts.append(part)
    frame = pd.concat(parts, ignore_index=True)
    for column in ("f2", "overall", "bribe_may_help"):
        frame.loc[rng.random(len(frame)) < 0.03, column] = np.nan
    return frame


@pytest.fixture(scope="module")
def frame():
    return _frame()


@pytest.fixture(scope="module")
def table(frame):
    return pooled_drivers(frame, ["overall", "bribe_may_help"])


def _standardised(sub: pd.DataFrame, outcome: str, standardise_outcome: bool):
    complete = sub[[*FACTORS, outcome]].notna().all(axis=1).to_numpy()
    w = sub["weight"].to_numpy()[complete]
    z = sub.loc[complete, [*FACTORS, outcome]].to_numpy(dtype=float)
    cols = slice(None) if standardise_outcome else slice(0, len(FACTORS))
    mean = (w @ z / w.sum())[cols]
    sd = np.sqrt(w @ (z - w @ z / w.sum()) ** 2 / w.sum())[cols]
    z[:, cols] = (z[:, cols] - mean) / sd
    fe = (sub["administration"] + "|" + sub["cycle"].astype(str)).to_numpy()[complete]
    dummies = pd.get_dummies(pd.Series(fe), drop_first=True, dtype=float).to_numpy()
    x = np.column_stack([np.ones(len(z)), z[:, : len(FACTORS)], dummies])
    return complete, w, x, z[:, -1]


def _sandwich_se(sub, complete, w, x, residual, v) -> np.ndarray:
    """Stratified with-replacement variance of the linearised coefficients (strata:
    administration × cycle × stratum, every respondent a PSU; rows outside the fit score 0)."""
    a_inv = np.linalg.inv(x.T @ (x * (w * v)[:, None]))
    scores = np.zeros((len(sub), x.shape[1]))
    scores[complete] = (x * (w * residual)[:, None]) @ a_inv
    strata = (sub["administration"] + sub["cycle"].astype(str) + sub["stratum"]).to_numpy()
    var = np.zeros((x.shape[1], x.shape[1]))
    for h in np.unique(strata):
        u = scores[strata == h]
        centred = u - u.mean(axis=0)
        var += len(u) / (len(u) - 1) * centred.T @ centred
    return np.sqrt(np.diag(var))[1 : 1 + len(FACTORS)]


@pytest.mark.parametrize("instrument", ["official", "private"])
def test_linear_coefficients_are_weighted_least_squares_with_the_dummies(frame, table, instrument):
    sub = frame[frame["instrument"] == instrument].reset_index(drop=True)
    complete, w, x, y = _standardised(sub, "overall", True)
    fit = sm.WLS(y, x, weights=w).fit()
    mine = table[(table["instrument"] == instrument) & (table["outcome"] == "overall")]
    assert mine["beta"].to_numpy() == pytest.approx(fit.params[1:11], abs=1e-9)
    residual = y - x @ fit.params
    se = _sandwich_se(sub, complete, w / w.mean(), x, residual, np.ones(len(y)))
    assert mine["se"].to_numpy() == pytest.approx(se, rel=1e-8)
    assert (mine["n"] == complete.sum()).all() and (mine["fixed_effects"] == 6).all()
    assert mine["family"].eq("gaussian").all() and mine["odds_ratio"].isna().all()
    # the top driver is the one the outcome was made of
    assert mine.loc[mine["beta"].idxmax(), "factor"] == 8


@pytest.mark.parametrize("instrument", ["official", "private"])
def test_standard_errors_are_the_survey_stages_glm_on_the_same_rows(frame, table, instrument):
    sub = frame[frame["instrument"] == instrument].reset_index(drop=True)
    complete, w, x, y = _standardised(sub, "overall", True)
    columns = {c: np.full(len(sub), np.nan) for c in (*FACTORS, "y")}
    for j, c in enumerate(FACTORS):
        columns[c][complete] = x[:, 1 + j]
    columns["y"][complete] = y
    data = sub.assign(
        fe=sub["administration"] + "|" + sub["cycle"].astype(str),
        st=sub["administration"] + "|" + sub["cycle"].astype(str) + "|" + sub["stratum"],
        **columns,
    )
    fit = SurveyDesign(data, weights="weight", strata="st").glm(
        "y ~ " + " + ".join(FACTORS) + " + C(fe)", domain=complete
    )
    fit = fit.set_index("term").loc[list(FACTORS)]
    mine = table[(table["instrument"] == instrument) & (table["outcome"] == "overall")]
    assert mine["se"].to_numpy() == pytest.approx(fit["se"].to_numpy(), rel=1e-9)
    assert mine["p_value"].to_numpy() == pytest.approx(fit["p"].to_numpy(), rel=1e-9, abs=1e-300)
    assert (mine["df"] == fit["df"].iloc[0]).all()


def test_the_breach_indicator_gets_the_logistic_model(frame, table):
    sub = frame[frame["instrument"] == "official"].reset_index(drop=True)
    complete, w, x, y = _standardised(sub, "bribe_may_help", False)
    fit = sm.GLM(y, x, family=sm.families.Binomial(), var_weights=w / w.mean()).fit(tol=1e-12)
    mine = table[(table["instrument"] == "official") & (table["outcome"] == "bribe_may_help")]
    assert mine["family"].eq("binomial").all()
    assert mine["beta"].to_numpy() == pytest.approx(fit.params[1:11], abs=1e-7)
    assert mine["odds_ratio"].to_numpy() == pytest.approx(np.exp(fit.params[1:11]), rel=1e-7)
    mu = fit.predict(x)
    se = _sandwich_se(sub, complete, w / w.mean(), x, y - mu, mu * (1 - mu))
    assert mine["se"].to_numpy() == pytest.approx(se, rel=1e-6)
    assert mine.loc[mine["beta"].idxmin(), "factor"] == 3  # fewer breaches where f3 is high


def test_relative_weights_add_up_to_the_within_administration_r2(frame, table):
    sub = frame[frame["instrument"] == "private"].reset_index(drop=True)
    complete = sub[[*FACTORS, "overall"]].notna().all(axis=1).to_numpy()
    part = sub[complete]
    w = part["weight"].to_numpy()
    values = part[[*FACTORS, "overall"]].to_numpy(dtype=float)
    fe = (part["administration"] + part["cycle"].astype(str)).to_numpy()
    for level in np.unique(fe):
        rows = fe == level
        values[rows] -= w[rows] @ values[rows] / w[rows].sum()
    x, y = values[:, :-1], values[:, -1]
    beta = np.linalg.lstsq(x * np.sqrt(w)[:, None], y * np.sqrt(w), rcond=None)[0]
    r2 = 1 - w @ (y - x @ beta) ** 2 / (w @ y**2)
    mine = table[(table["instrument"] == "private") & (table["outcome"] == "overall")]
    assert mine["raw_weight"].sum() == pytest.approx(r2, abs=1e-9)
    assert mine["r_squared"].iloc[0] == pytest.approx(r2, abs=1e-9)
    assert mine["importance"].sum() == pytest.approx(100.0)
    assert (mine["importance_se"] > 0).all()
    assert mine.loc[mine["importance"].idxmax(), "factor"] == 8


def test_equal_weighting_counts_each_administration_the_same(frame):
    design = pooled_design(frame, "equal")
    key = [frame["administration"], frame["cycle"], frame["instrument"]]
    assert design.weights.groupby(key).sum().to_numpy() == pytest.approx(1.0)
    population = pooled_drivers(frame, ["overall"])
    equal = pooled_drivers(frame, ["overall"], weighting="equal")
    assert not np.allclose(population["beta"], equal["beta"])


def test_one_effect_per_administration_when_asked(frame):
    t = pooled_drivers(frame, ["overall"], by_cycle=False)
    assert (t["fixed_effects"] == 4).all() and (t["administrations"] == 4).all()


def test_small_groups_and_bad_input(frame):
    assert pooled_drivers(frame, ["overall"], min_n_effective=10_000).empty
    with pytest.raises(CipsDataError) as err:
        pooled_drivers(frame.drop(columns="f4"), ["overall", "witnessed"], weighting="most")
    text = str(err.value)
    assert "'f4'" in text and "'witnessed'" in text and "most" in text


def test_respondent_scores_of_a_package_are_the_national_measures(prepared_2025):
    data, cb = prepared_2025.data, prepared_2025.codebook
    measures = build_measures(data, cb, load_indicators(cb)).values
    items = cb.items[cb.items["id"].isin(data.columns) & cb.items["parent"].isna()]
    table = pd.DataFrame(
        {
            "administration": "A01",
            "cycle": 2025,
            "instrument": data["group"].astype(str).to_numpy(),
            "stratum": data["group"].astype(str).to_numpy(),
            "weight": prepared_2025.design.weights.to_numpy(),
        }
    )
    for iid, key in zip(items["id"], items["key"], strict=True):
        table[key] = pd.to_numeric(data[iid], errors="coerce").to_numpy(dtype=float)
    scores = respondent_scores(table, cb)
    for k in range(1, 11):
        expected = measures[f"factor_index.{k}"].to_numpy()
        assert np.allclose(scores[f"f{k}"], expected, equal_nan=True, atol=1e-12)
    for name in BREACH_INDICATORS:
        expected = measures[f"indicator.{name}"].to_numpy()
        assert np.allclose(scores[name], expected, equal_nan=True)
    overall = pd.to_numeric(data["overall_integrity"], errors="coerce").to_numpy(dtype=float)
    assert np.allclose(scores["overall"], (overall - 1) * 25, equal_nan=True)


def test_a_factor_counts_the_items_a_package_holds():
    nan = np.nan
    t = pd.DataFrame(
        {
            "administration": ["A01", "A01", "A02"],
            "cycle": 2021,
            "instrument": "official",
            "stratum": "official",
            "weight": 1.0,
            "LEAD_COMMITMENT": [5.0, 2.0, 4.0],
            "LEAD_EXAMPLE": [nan, 4.0, nan],  # A02 does not hold it
            "LEAD_PROGRAMME_EXISTS": [nan, 3.0, nan],
            "EXP_BRIBE_HELPS": [5.0, 1.0, 4.0],
        }
    )
    definitions = load_indicators(load_codebook())
    mine = {"bribe_may_help": replace(definitions["bribe_may_help"], groups=("private",))}
    s = respondent_scores(t, indicators=mine)
    # A01: one of three held items answered is not enough; A02 holds one and answered it
    assert s["f1"].tolist()[1:] == [50.0, 75.0] and np.isnan(s["f1"].iloc[0])
    assert s["bribe_may_help"].isna().all()  # asked of officials, reported for the private sector
    assert respondent_scores(t)["bribe_may_help"].tolist() == [1.0, 0.0, 1.0]
    assert s["overall"].isna().all() and s["administration"].tolist() == ["A01", "A01", "A02"]


@pytest.mark.slow
def test_the_demo_packages_drivers(tmp_path):
    from cipslib.benchmark.demo import write_demo_packages

    paths = write_demo_packages(tmp_path)
    pooled = pd.concat([pd.read_parquet(p.parent / "responses.parquet") for p in paths])
    t = pooled_drivers(respondent_scores(pooled.reset_index(drop=True)))
    for (instrument, outcome), part in t.groupby(["instrument", "outcome"]):
        assert part["importance"].sum() == pytest.approx(100.0)
        assert (part["fixed_effects"] == 42).all()
        if outcome in BREACH_INDICATORS:  # Transparency, Audit and Investigation, HRM
            assert set(part.nsmallest(3, "beta")["factor"]) == {3, 6, 8}, instrument
        else:
            assert {8, 9} & set(part.nlargest(3, "beta")["factor"]), instrument
