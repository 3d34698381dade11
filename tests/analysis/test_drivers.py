"""Key drivers: Johnson's relative weights against general dominance and R², the design-based
standardised coefficients against the correlation algebra, and the demo cycles' driver tables."""

from __future__ import annotations

import copy
import json
from itertools import combinations

import numpy as np
import pandas as pd
import pytest

from cipslib.analysis.drivers import outcome_item, relative_weights, relative_weights_with_errors
from cipslib.errors import CipsDataError

from ..conftest import ROOT


def _r2(corr: np.ndarray, subset: tuple[int, ...]) -> float:
    """R² of the outcome (last row/column) on a subset of predictors, from a correlation matrix."""
    if not subset:
        return 0.0
    s = list(subset)
    r = corr[s, -1]
    return float(r @ np.linalg.solve(corr[np.ix_(s, s)], r))


def _general_dominance(corr: np.ndarray) -> np.ndarray:
    """Budescu's general dominance weights: each predictor's R² increment averaged over the
    subsets of the others, first within each subset size, then over sizes."""
    p = corr.shape[0] - 1
    out = np.zeros(p)
    for j in range(p):
        others = [k for k in range(p) if k != j]
        by_size = [
            np.mean([_r2(corr, (*s, j)) - _r2(corr, s) for s in combinations(others, size)])
            for size in range(p)
        ]
        out[j] = np.mean(by_size)
    return out


def _random_corr(seed: int, p: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    latent = rng.normal(size=(500, 1))
    x = 0.7 * latent + rng.normal(size=(500, p))
    y = x @ rng.uniform(0, 1, p) + rng.normal(scale=2.0, size=500)
    return np.corrcoef(np.column_stack([x, y]), rowvar=False)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_relative_weights_add_up_to_r2_and_follow_general_dominance(seed):
    corr = _random_corr(seed, 6)
    weights = relative_weights(corr[:-1, :-1], corr[:-1, -1])
    assert weights.sum() == pytest.approx(_r2(corr, tuple(range(6))), abs=1e-10)
    dominance = _general_dominance(corr)
    assert dominance.sum() == pytest.approx(weights.sum(), abs=1e-10)
    # Johnson's weights approximate general dominance closely (LeBreton et al. 2004)
    assert np.abs(weights - dominance).max() < 0.01
    assert list(np.argsort(weights)) == list(np.argsort(dominance))


@pytest.fixture(scope="module")
def drivers2025(findings_2025):
    return findings_2025["drivers"]


def test_demo_driver_tables(drivers2025):
    d = drivers2025
    assert set(d["group"]) == {"official", "private"}
    for _, part in d.groupby("group"):
        assert sorted(part["factor"]) == list(range(1, 11))
        assert part["importance"].sum() == pytest.approx(100.0)
        assert part["raw_weight"].sum() == pytest.approx(part["r_squared"].iloc[0])
        assert (part["effective_sample_size"] >= 100).all()
        assert ((part["ci_low"] < part["beta"]) & (part["beta"] < part["ci_high"])).all()
    # the demo's overall rating is driven hardest by human resources and morale among officials
    top = d[d["group"] == "official"].nlargest(2, "importance")["factor"]
    assert set(top) == {8, 9}


def test_standardised_coefficients_match_the_weighted_correlation_algebra(
    drivers2025, prepared_2025
):
    """The design-based fit on weighted z-scores gives the weighted least-squares coefficients,
    which are R_xx^-1 r_xy of the weighted correlations; R² is their product with r_xy."""
    from cipslib.analysis.measures import build_measures
    from cipslib.analysis.scoring import item_scores, load_indicators

    prepared = prepared_2025
    cb = prepared.codebook
    m = build_measures(prepared.data, cb, load_indicators(cb))
    item = outcome_item(cb, None)
    y = item_scores(prepared.data, cb, cb.items[cb.items["id"] == item["id"]])[1][item["id"]]
    x = m.values[[f"factor_index.{k}" for k in range(1, 11)]]
    frame = np.column_stack([x.to_numpy(), y.to_numpy()])
    keep = (prepared.data["group"] == "private").to_numpy() & ~np.isnan(frame).any(axis=1)
    w = prepared.design.weights.to_numpy()[keep]
    cov = np.cov(frame[keep], rowvar=False, aweights=w)
    corr = cov / np.sqrt(np.outer(np.diag(cov), np.diag(cov)))
    beta = np.linalg.solve(corr[:-1, :-1], corr[:-1, -1])
    got = drivers2025[drivers2025["group"] == "private"].sort_values("factor")
    assert np.allclose(got["beta"], beta, atol=1e-8)
    assert got["r_squared"].iloc[0] == pytest.approx(float(beta @ corr[:-1, -1]))
    assert got["n"].iloc[0] == keep.sum()


def test_a_group_under_the_effective_n_minimum_has_no_drivers(drivers2025, prepared_2025):
    """Each group's effective n is Kish's over its respondents with the outcome and every factor
    index; with the minimum set between the two groups' the smaller is left out."""
    from cipslib.analysis.drivers import key_drivers
    from cipslib.analysis.measures import build_measures
    from cipslib.analysis.scoring import load_indicators

    prepared = prepared_2025
    cb = prepared.codebook
    m = build_measures(prepared.data, cb, load_indicators(cb))
    rating = pd.to_numeric(prepared.data["overall_integrity"].astype(object), errors="coerce")
    complete = (
        rating.isin([1, 2, 3, 4, 5]).to_numpy()
        & m.values[[f"factor_index.{k}" for k in range(1, 11)]].notna().all(axis=1).to_numpy()
    )
    groups = prepared.data["group"].astype(str).to_numpy()
    weights = prepared.design.weights.to_numpy()
    n_eff = drivers2025.groupby("group")["effective_sample_size"].first()
    for group in ("official", "private"):
        w = weights[complete & (groups == group)]
        assert n_eff[group] == pytest.approx(w.sum() ** 2 / (w**2).sum(), rel=1e-9)
    masks = {g: groups == g for g in ("official", "private")}
    t = key_drivers(
        prepared.design, prepared.data, cb, m.values, masks, min_n_effective=n_eff.mean()
    )
    assert set(t["group"]) == {n_eff.idxmax()}


def test_2024_did_not_ask_the_outcome_so_has_no_drivers(findings_2024, prepared_2024):
    """The overall rating is new in 2025 (its ``cycles:``): 2024 has no driver table, and the
    findings say why, naming the question."""
    assert "overall_integrity" not in prepared_2024.data
    assert findings_2024["drivers"].empty
    left_out = [o for o in findings_2024.meta["omitted"] if o["section"] == "drivers"]
    assert len(left_out) == 1
    o = left_out[0]
    assert (o["reason"], o["whole"], o["item"], o["cycle"]) == (
        "outcome_not_asked",
        True,
        "OVERALL_INTEGRITY",
        2024,
    )
    assert o["question"]["en"] == "Overall, the Customs Service is an organisation of integrity"


def test_an_unknown_outcome_is_a_clear_error(codebook):
    with pytest.raises(CipsDataError, match="drivers 'outcome' is not an item"):
        outcome_item(codebook, "NO_SUCH_ITEM")
    assert outcome_item(codebook, "OVERALL_INTEGRITY")["id"] == "overall_integrity"


def test_the_outcome_is_the_version_the_cycle_asked(codebook):
    """Two versions of the overall rating under one key: each cycle's drivers use its own."""
    from cipslib.analysis.drivers import outcome_omission

    cb = copy.copy(codebook)
    row = codebook.items[codebook.items["id"] == "overall_integrity"].iloc[0]
    old = row.copy()
    old["id"], old["cycles"], old["text_en"] = "overall_v1", (2023, 2024), "Customs is honest."
    cb.items = pd.concat([old.to_frame().T, codebook.items], ignore_index=True)
    assert outcome_item(cb, None, 2024)["id"] == "overall_v1"
    assert outcome_item(cb, "OVERALL_INTEGRITY", 2025)["id"] == "overall_integrity"
    assert outcome_omission(cb, None, 2024) is None
    gone = outcome_omission(cb, "OVERALL_INTEGRITY", 2022)
    assert (gone.reason, gone.details["cycle"]) == ("outcome_not_asked", 2022)


# -- standard errors of the relative weights, against R ----------------------------------------
REF = ROOT / "tests" / "reference"


def synthetic_drivers(n: int = 600, seed: int = 17) -> pd.DataFrame:
    """Respondents of two groups with a role and a tenure band, three correlated predictors and an
    outcome on 0-100 scales, some outcomes missing: the data of make_r_drivers.R."""
    rng = np.random.default_rng(seed)
    role = rng.choice(["manager", "non_manager"], n, p=[0.45, 0.55])
    tenure = rng.choice(["lt5", "5to10", "gt10"], n, p=[0.3, 0.3, 0.4])
    group = rng.choice(["A", "B"], n, p=[0.7, 0.3])
    common = rng.normal(size=n) + 0.4 * (role == "manager")
    x = np.column_stack([common * a + rng.normal(size=n) for a in (1.0, 0.7, 0.4)])
    y = x @ np.array([0.5, 0.3, 0.1]) + rng.normal(size=n) * 1.2
    frame = pd.DataFrame(50 + 12 * x, columns=["x1", "x2", "x3"]).round(3)
    frame["y"] = np.where(rng.random(n) < 0.05, np.nan, np.round(50 + 12 * y, 3))
    frame.insert(0, "group", group)
    frame.insert(0, "tenure", tenure)
    frame.insert(0, "role", role)
    return frame


def write_drivers_csv(path=REF / "drivers_synthetic.csv"):
    """Write the CSV that make_r_drivers.R reads (run once; the file is stored)."""
    synthetic_drivers().to_csv(path, index=False)
    return path


@pytest.mark.parametrize("domain", ["all", "A"])
def test_relative_weights_with_errors_equal_r_svyvar_with_the_delta_method(domain):
    ref = json.loads((REF / "r_drivers.json").read_text())
    data = pd.read_csv(REF / "drivers_synthetic.csv")
    pop = ref["populations"]
    from cipslib.survey import SurveyDesign

    design = SurveyDesign(data).rake({"role": pop["role"], "tenure": pop["tenure"]}, tol=1e-12)
    values = data[["x1", "x2", "x3", "y"]].to_numpy(dtype=float)
    mask = ~np.isnan(values).any(axis=1) & ((data["group"] == domain) | (domain == "all"))
    expected = ref["domains"][domain]
    estimates, errors = relative_weights_with_errors(design, values, mask.to_numpy())
    assert np.allclose(errors[:3], expected["raw_weight_se"], rtol=1e-7, atol=0)
    assert np.allclose(errors[3:], expected["importance_se"], rtol=1e-7, atol=0)
    w = design.weights.to_numpy()[mask]
    z = values[mask]
    corr = np.cov(z.T, aweights=w)
    corr = corr / np.sqrt(np.outer(np.diag(corr), np.diag(corr)))
    raw = relative_weights(corr[:3, :3], corr[:3, 3])
    assert np.allclose(raw, expected["raw_weight"], rtol=1e-9, atol=0)
    assert np.allclose(estimates[:3], raw, rtol=1e-12, atol=0)
    assert np.allclose(estimates[3:], expected["importance"], rtol=1e-9, atol=0)
