"""Design-based GLMs agree with R's svyglm: linear and logistic models on the API samples under
raking, stratification, clustering, post-stratification and GREG calibration, in domains and with
missing predictors.

The reference file is made by tests/reference/make_r_glm.R (R 4.2.2, survey 4.1.1)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cipslib.survey import DesignError, SurveyDesign, glm

REF = Path(__file__).parents[1] / "reference"
FITS = {f["id"]: f for f in json.loads((REF / "r_svyglm.json").read_text())["fits"]}
TYPES = {"E": 4421, "H": 755, "M": 1018}
SCHWIDE = {"No": 1072, "Yes": 5122}


def read_api(name: str) -> pd.DataFrame:
    """An API sample as make_r_glm.R reads it: dots in names turned into underscores, 0/1
    outcomes."""
    data = pd.read_csv(REF / "api" / f"{name}.csv")
    data.columns = [c.replace(".", "_") for c in data.columns]
    data["sch_wide01"] = (data["sch_wide"] == "Yes").astype(float)
    data["comp_imp01"] = (data["comp_imp"] == "Yes").astype(float)
    return data


@pytest.fixture(scope="module")
def designs() -> dict[str, SurveyDesign]:
    clus = read_api("apiclus1")
    clus["stypeH"] = (clus["stype"] == "H").astype(float)
    clus["stypeM"] = (clus["stype"] == "M").astype(float)
    dclus1 = SurveyDesign(clus, weights="pw", psu="dnum", fpc="fpc")
    return {
        "srs_rake": SurveyDesign(read_api("apisrs"), fpc="fpc").rake(
            {"stype": TYPES, "sch_wide": SCHWIDE}
        ),
        "strat": SurveyDesign(read_api("apistrat"), weights="pw", strata="stype", fpc="fpc"),
        "clus1": dclus1,
        "clus1_ps": dclus1.poststratify("stype", TYPES),
        "clus1_greg": dclus1.calibrate(
            {"stypeH": 755, "stypeM": 1018, "api99": 3914069}, population_size=6194
        ),
    }


def fit_like_r(designs, ref) -> pd.DataFrame:
    d = designs[ref["design"]]
    domain = None
    if ref["domain"] is not None:
        domain = d.data.eval(ref["domain"].replace("'", '"')).to_numpy()
    return d.glm(ref["formula"], family=ref["family"], domain=domain)


def r_name(term: str) -> str:
    """formulaic's term name in R's spelling: 'stype[T.H]' -> 'stypeH', 'Intercept' ->
    '(Intercept)'."""
    return "(Intercept)" if term == "Intercept" else term.replace("[T.", "").replace("]", "")


@pytest.mark.parametrize("ref_id", sorted(FITS))
def test_svyglm_agrees_with_r(designs, ref_id):
    ref = FITS[ref_id]
    out = fit_like_r(designs, ref)
    assert [r_name(t) for t in out["term"]] == ref["terms"]
    assert (out["df"] == ref["df_residual"]).all()
    assert out.attrs["n"] == ref["n"]
    np.testing.assert_allclose(out["estimate"], ref["estimate"], rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(out["se"], ref["se"], rtol=1e-6, atol=0)
    np.testing.assert_allclose(out["t"], ref["t"], rtol=1e-6, atol=0)
    np.testing.assert_allclose(out["p"], ref["p"], rtol=1e-5, atol=1e-14)
    np.testing.assert_allclose(out["ci_low"], ref["ci_low"], rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(out["ci_high"], ref["ci_high"], rtol=1e-6, atol=1e-9)
    if ref["family"] == "binomial":
        np.testing.assert_allclose(out["odds_ratio"], np.exp(ref["estimate"]), rtol=1e-8)
        np.testing.assert_allclose(out["or_ci_low"], np.exp(ref["ci_low"]), rtol=1e-6)
        np.testing.assert_allclose(out["or_ci_high"], np.exp(ref["ci_high"]), rtol=1e-6)
    else:
        assert "odds_ratio" not in out.columns


@pytest.mark.parametrize("ref_id", sorted(i for i in FITS if FITS[i]["family"] == "binomial"))
def test_logistic_fits_near_r_with_its_default_convergence(designs, ref_id):
    """R's default glm.control (deviance change 1e-8) stops one IRLS step short of the converged
    fit; its standard errors then differ from the converged ones by up to about 1e-4."""
    ref = FITS[ref_id]
    out = fit_like_r(designs, ref)
    np.testing.assert_allclose(out["estimate"], ref["estimate_default_control"], rtol=1e-5)
    np.testing.assert_allclose(out["se"], ref["se_default_control"], rtol=1e-3)


def test_the_function_and_the_verb_agree(designs):
    d = designs["clus1_ps"]
    a = glm(d, "sch_wide01 ~ ell + stype", family="binomial", level=0.9)
    b = d.glm("sch_wide01 ~ ell + stype", family="binomial", level=0.9)
    pd.testing.assert_frame_equal(a, b)
    assert list(a.columns) == [
        "term",
        "estimate",
        "se",
        "t",
        "df",
        "p",
        "ci_low",
        "ci_high",
        "odds_ratio",
        "or_ci_low",
        "or_ci_high",
    ]
    vcov = np.asarray(a.attrs["vcov"])
    assert vcov.shape == (4, 4)
    np.testing.assert_allclose(np.sqrt(np.diag(vcov)), a["se"])
    both = pd.concat([a, d.glm("sch_wide01 ~ ell", family="binomial")], ignore_index=True)
    assert len(both) == 6
    narrower = d.glm("sch_wide01 ~ ell + stype", family="binomial", level=0.8)
    assert ((narrower["ci_high"] - narrower["ci_low"]) < (a["ci_high"] - a["ci_low"])).all()


def test_rows_missing_a_predictor_are_dropped(designs):
    d = designs["clus1"]
    data = d.data
    complete = data["avg_ed"].notna().to_numpy()
    assert not complete.all()
    with_na = d.glm("api00 ~ ell + avg_ed")
    assert with_na.attrs["n"] == complete.sum()
    # the same as fitting the domain of complete rows: out of the fit, kept in the design
    pd.testing.assert_frame_equal(with_na, d.glm("api00 ~ ell + avg_ed", domain=complete))
    # the point estimates are those of the complete rows alone
    alone = SurveyDesign(data[complete], weights="pw", psu="dnum", fpc="fpc").glm(
        "api00 ~ ell + avg_ed"
    )
    np.testing.assert_allclose(with_na["estimate"], alone["estimate"], rtol=1e-10)
    # a row missing only a variable the model does not use stays in
    assert d.glm("api00 ~ ell").attrs["n"] == len(data)


def test_domain_by_column_name_and_missing_as_outside(designs):
    d = designs["strat"]
    data = d.data.assign(
        yes=(d.data["comp_imp"] == "Yes"),
        yes_na=(d.data["comp_imp"] == "Yes").astype(object).where(d.data.index % 10 != 0, None),
    )
    nd = SurveyDesign(data, weights="pw", strata="stype", fpc="fpc")
    by_name = nd.glm("api00 ~ ell + meals", domain="yes")
    by_mask = nd.glm("api00 ~ ell + meals", domain=data["yes"].to_numpy())
    pd.testing.assert_frame_equal(by_name, by_mask)
    with_na = nd.glm("api00 ~ ell + meals", domain="yes_na")
    inside = (data["yes"] & (data.index % 10 != 0)).to_numpy()
    pd.testing.assert_frame_equal(with_na, nd.glm("api00 ~ ell + meals", domain=inside))


def test_categorical_predictor_reference_and_unused_levels():
    data = read_api("apistrat")
    data["stype_cat"] = pd.Categorical(data["stype"], categories=["M", "E", "H", "X"])
    d = SurveyDesign(data, weights="pw", strata="stype", fpc="fpc")
    out = d.glm("api00 ~ ell + stype_cat")
    assert list(out["term"]) == ["Intercept", "ell", "stype_cat[T.E]", "stype_cat[T.H]"]
    plain = d.glm("api00 ~ ell + stype")
    # same model, another reference level: the same fitted ell slope and standard error
    np.testing.assert_allclose(out["estimate"].iloc[1], plain["estimate"].iloc[1], rtol=1e-10)
    np.testing.assert_allclose(out["se"].iloc[1], plain["se"].iloc[1], rtol=1e-10)


def test_boolean_outcome_and_formula_expressions(designs):
    d = designs["strat"]
    a = d.glm("sch_wide01 ~ ell + stype", family="binomial")
    b = d.glm("I(sch_wide == 'Yes') ~ ell + stype", family="binomial")
    np.testing.assert_allclose(a["estimate"], b["estimate"], rtol=1e-12)
    np.testing.assert_allclose(a["se"], b["se"], rtol=1e-12)


@pytest.mark.parametrize(
    "formula,family,match",
    [
        ("api00 ~ ell + nonesuch", "gaussian", "nonesuch"),
        ("nonesuch ~ ell", "gaussian", "nonesuch"),
        ("api00 ~ ell +", "gaussian", "cannot be parsed"),
        ("api00 ell", "gaussian", "formula"),
        ("~ ell", "gaussian", "no outcome"),
        ("api00 ~ ell", "binomial", "must be 0/1"),
        ("sch_wide ~ ell", "binomial", "not numeric"),
        ("api00 ~ ell + I(2 * ell)", "gaussian", "singular"),
        ("api00 ~ ell", "poisson", "unknown family"),
    ],
)
def test_errors(designs, formula, family, match):
    with pytest.raises(DesignError, match=match):
        designs["strat"].glm(formula, family=family)


def test_error_details(designs):
    d = designs["strat"]
    with pytest.raises(DesignError) as err:
        d.glm("api00 ~ ell + nonesuch")
    assert err.value.column == "nonesuch"
    with pytest.raises(DesignError) as err:
        d.glm("api00 ~ ell", family="binomial")
    assert err.value.column == "api00" and err.value.value not in (0.0, 1.0)
    with pytest.raises(DesignError, match="domain column"):
        d.glm("api00 ~ ell", domain="nonesuch")
    with pytest.raises(DesignError, match="boolean"):
        d.glm("api00 ~ ell", domain="stype")
    with pytest.raises(DesignError, match="one value per respondent"):
        d.glm("api00 ~ ell", domain=np.ones(3, dtype=bool))
    with pytest.raises(DesignError, match="confidence level"):
        d.glm("api00 ~ ell", level=95)


def test_separation_warns_as_r_does():
    data = pd.DataFrame({"y": [0.0, 0, 0, 1, 1, 1], "x": [1.0, 2, 3, 4, 5, 6]})
    with pytest.warns(RuntimeWarning, match="numerically 0 or 1"):
        SurveyDesign(data).glm("y ~ x", family="binomial")
