"""Findings of the demo cycles: the published Ukrainian figures, internal consistency,
findings.json."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests

from cipslib.analysis.findings import SCHEMA_VERSION
from cipslib.survey.inference import holm
from cipslib.text.catalogue import available_languages
from cipslib.text.sentences import render_story

from ..conftest import ROOT
from ..findings_helpers import sentence


def _ind(fnd, indicator, group):
    row = fnd.measure(f"indicator.{indicator}", group)
    assert row is not None and not row["suppressed"]
    return row


@pytest.mark.parametrize(
    ("indicator", "group", "low", "high"),
    [
        ("bribe_refuse_or_ignore", "private", 86, 92),  # 89% would refuse or ignore a bribe request
        ("unsafe_reporting", "private", 20, 30),  # over 20% did not feel safe reporting
        ("investigation_positive", "private", 100, 100),  # 100% positive investigation experience
        ("investigation_positive", "official", 100, 100),
        ("never_violate", "private", 62, 72),  # two thirds never violate Customs rules
        ("violate_complexity", "private", 28, 38),  # one third cite regulatory complexity
        ("complex_rules_hurt", "private", 60, 70),  # 65% say complex rules hurt their business
        ("bribe_may_help", "private", 42, 52),  # 47% think a bribe may help
    ],
)
def test_published_2024_figures(findings_2024, indicator, group, low, high):
    assert low <= _ind(findings_2024, indicator, group)["estimate"] <= high


@pytest.mark.parametrize(
    ("indicator", "low", "high"),
    [
        ("oc_pressure_any", 18, 22),
        ("oc_pressure_psychological", 12, 16),
        ("oc_pressure_physical", 4.5, 7.5),
    ],
)
def test_published_2025_organised_crime_pressure(findings_2025, indicator, low, high):
    assert low <= _ind(findings_2025, indicator, "official")["estimate"] <= high


def test_2024_officials_and_private_aligned_on_most_factors(findings_2024):
    al = findings_2024.tables["alignment"]
    assert al["aligned"].sum() >= 6
    fac = findings_2024.tables["factors"]
    top = fac[fac["group"] == "official"].nlargest(3, "index")["factor"].tolist()
    assert 1 in top or 5 in top  # positive on leadership and modernisation


def test_2025_private_improved_and_officials_declined_less_than_raw(findings_2025):
    tr = findings_2025.tables["trends"]
    fac = tr[tr["kind"] == "factor_index"]
    private = fac[(fac["group"] == "private") & (fac["comparison"] == "weighted")]
    assert (private["change"] > 0).sum() >= 8 and private["significant"].sum() >= 6
    off = fac[fac["group"] == "official"].pivot_table(
        index="factor", columns="comparison", values="change"
    )
    assert (off["raw"] < 0).all()
    assert (off["standardised"] > off["raw"]).all()  # most of the raw decline is who answered
    assert off["raw"].mean() < 2 * off["standardised"].mean()


def test_2025_short_tenure_less_positive(findings_2025):
    sub = findings_2025.tables["subgroups"]
    t = sub[
        (sub["group"] == "official")
        & (sub["variable"] == "tenure")
        & (sub["kind"] == "factor_index")
    ]
    wide = t.pivot_table(index="factor", columns="level", values="estimate")
    assert (wide["lt5"] < wide["gt10"]).all()
    tests = findings_2025.tables["subgroup_tests"]
    lt5 = tests[(tests["variable"] == "tenure") & (tests["level"] == "lt5")]
    assert lt5["significant"].sum() >= 8 and (lt5["difference"] < 0).all()
    assert (lt5["p_holm"] >= lt5["p_value"]).all()


def test_words_vs_action_gap_in_every_pair(findings_2025):
    gaps = findings_2025.tables["gaps"]
    assert len(gaps) == 14
    assert (gaps["gap"] > 0).all() and gaps["significant"].all()
    assert np.allclose(gaps["exists"] - gaps["effective"], gaps["gap"], atol=1e-9)


def test_gap_se_uses_the_paired_difference(findings_2025, prepared_2025):
    """The SE of the gap is that of the respondent-level difference; treating the two shares as
    independent samples would give a different (here larger) SE."""
    p = prepared_2025
    gaps = findings_2025.tables["gaps"]
    row = gaps[(gaps["group"] == "official") & (gaps["exists_item"] == "lead_05")].iloc[0]
    both = p.data["lead_05"].notna() & p.data["lead_06"].notna() & (p.data["group"] == "official")
    d = p.design
    y = pd.DataFrame(
        {
            "e": (p.data["lead_05"].astype(float) >= 4).astype(float).where(both),
            "f": (p.data["lead_06"].astype(float) >= 4).astype(float).where(both),
        }
    )
    est = d.summarise(y, {"o": both.to_numpy()})
    independent_se = 100 * np.sqrt((est["se"] ** 2).sum())
    assert row["gap"] == pytest.approx(
        100 * (est["estimate"].iloc[0] - est["estimate"].iloc[1]), rel=1e-9
    )
    assert row["se"] < 0.9 * independent_se


def test_summarise_and_contrast_agree_with_the_tested_estimators(prepared_2024):
    p = prepared_2024
    d = p.design
    data = d.data.assign(y=pd.to_numeric(d.data["lead_01"].astype("Float64")).astype(float))
    d2 = type(d).__new__(type(d))
    d2.__dict__.update(d.__dict__)
    d2.data = data
    one = d2.mean("y", by="group")
    many = d2.summarise(
        data[["y"]], {g: (data["group"] == g).to_numpy() for g in ("official", "private")}
    )
    assert np.allclose(one["estimate"], many["estimate"]) and np.allclose(one["se"], many["se"])
    diff = d2.difference("y", "group", "official", "private")
    con = d2.contrast(
        data[["y"]],
        (data["group"] == "official").to_numpy(),
        (data["group"] == "private").to_numpy(),
    )
    assert con["difference"].iloc[0] == pytest.approx(diff["difference"])
    assert con["se"].iloc[0] == pytest.approx(diff["se"])


def test_holm_matches_statsmodels():
    rng = np.random.default_rng(3)
    for m in (1, 2, 7, 30):
        p = rng.random(m) ** 3
        assert np.allclose(holm(p), multipletests(p, method="holm")[1])
        ties = np.round(p, 1)  # equal p-values keep equal adjusted values
        assert np.allclose(holm(ties), multipletests(ties, method="holm")[1])
    # a missing p-value stays missing and the others form the family
    with_gap = np.array([0.01, np.nan, 0.04, 0.03])
    expected = multipletests(with_gap[~np.isnan(with_gap)], method="holm")[1]
    assert np.isnan(holm(with_gap)[1]) and np.allclose(holm(with_gap)[[0, 2, 3]], expected)


def test_reliability_matches_the_textbook_formula(findings_2024, prepared_2024):
    p = prepared_2024
    rel = findings_2024.tables["reliability"]
    row = rel[(rel["group"] == "official") & (rel["factor"] == 1)].iloc[0]
    ids = ["lead_01", "lead_02", "lead_03", "lead_05", "lead_06"]
    x = p.data.loc[p.data["group"] == "official", ids].astype(float).dropna()
    k = len(ids)
    alpha = k / (k - 1) * (1 - x.var(ddof=1).sum() / x.sum(axis=1).var(ddof=1))
    assert row["alpha"] == pytest.approx(alpha, rel=1e-9) and row["n"] == len(x)
    assert row["alpha_ci_low"] < alpha < row["alpha_ci_high"]


def test_hedges_g_matches_the_formula(findings_2024, prepared_2024):
    p = prepared_2024
    from cipslib.analysis.measures import build_measures
    from cipslib.analysis.scoring import load_indicators

    m = build_measures(p.data, p.codebook, load_indicators(p.codebook)).values["factor_index.3"]
    x = m[(p.data["group"] == "official").to_numpy()].dropna()
    y = m[(p.data["group"] == "private").to_numpy()].dropna()
    nx, ny = len(x), len(y)
    sp = np.sqrt(((nx - 1) * x.var() + (ny - 1) * y.var()) / (nx + ny - 2))
    g = (x.mean() - y.mean()) / sp * (1 - 3 / (4 * (nx + ny) - 9))
    al = findings_2024.tables["alignment"].set_index("factor")
    assert al.loc[3, "hedges_g"] == pytest.approx(g, rel=1e-3)


def test_key_findings_are_ranked_records_built_from_their_numbers(findings_2024):
    kf = findings_2024.key_findings
    assert [k["rank"] for k in kf] == list(range(1, len(kf) + 1))
    bribe = next(k for k in kf if k.get("indicator") == "bribe_refuse_or_ignore")
    expected = (
        f"{round(bribe['estimate'])}% (95% CI {round(bribe['ci_low'])}–{round(bribe['ci_high'])}%, "
        f"n = {int(bribe['n'])}) of private-sector respondents "
        "would refuse or ignore a request for a bribe."
    )
    assert bribe["template"] == "sentences.indicator" and "text" not in bribe
    assert sentence(findings_2024, bribe) == expected
    kinds = {k["kind"] for k in kf}
    assert {"indicator", "gap", "weakest", "strongest", "aligned"} <= kinds


def test_key_findings_mention_changes_and_composition(findings_2025):
    kinds = [k["kind"] for k in findings_2025.key_findings]
    assert "change" in kinds and "composition" in kinds
    comp = next(k for k in findings_2025.key_findings if k["kind"] == "composition")
    assert comp["group"] == "official" and abs(comp["composition"]) > abs(comp["within"])


def test_findings_json_is_complete_and_documented(findings_2025, tmp_path):
    path = findings_2025.to_json(tmp_path / "findings.json")
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert (
        doc["schema_version"] == SCHEMA_VERSION
        and doc["cycle"] == 2025
        and doc["previous_cycle"] == 2024
    )
    documented = (ROOT / "docs" / "findings.md").read_text(encoding="utf-8")
    for name, records in doc["tables"].items():
        assert f"`{name}`" in documented, f"table {name} is not documented"
        for column in records[0] if records else {}:
            assert re.search(rf"`{re.escape(column)}`", documented), (
                f"column {name}.{column} is not documented"
            )
    for finding in doc["key_findings"]:
        for field in finding:
            assert f"`{field}`" in documented, f"key-finding field {field} is not documented"
    assert "respondent_id" not in path.read_text(encoding="utf-8")
    # byte-identical on a second write
    again = findings_2025.to_json(tmp_path / "again.json")
    assert again.read_bytes() == path.read_bytes()


def test_precision_is_kept_with_every_estimate_and_low_precision_never_leads(findings_2024):
    """Kish's effective n of the respondents behind each estimate and the CI half-width; the 2024
    officials (85% managers raked to the staff's 20%) lose most of their sample to the weights."""
    est = findings_2024.tables["estimates"]
    shown = est[~est["suppressed"]]
    assert shown["effective_sample_size"].notna().all() and shown["half_width"].notna().all()
    assert est.loc[est["suppressed"], ["effective_sample_size", "half_width"]].isna().all().all()
    assert (shown["effective_sample_size"] <= shown["n"] + 1e-9).all()
    half = (shown["ci_high"] - shown["ci_low"]) / 2
    assert np.allclose(shown["half_width"], half)
    rule = (shown["effective_sample_size"] < 30) | (shown["half_width"] > 10)
    assert (shown["low_precision"] == rule).all() and rule.any()
    officials = shown[(shown["group"] == "official") & (shown["kind"] == "item_fav")]
    assert (officials["effective_sample_size"] < 0.3 * officials["n"]).all()
    low = {(r["measure"], r["group"]) for _, r in shown[shown["low_precision"]].iterrows()}
    for k in findings_2024.key_findings:
        assert (k.get("measure"), k.get("group")) not in low, k["text"]["en"]
    for name in ("items", "factors", "experience", "subgroups"):
        assert {"effective_sample_size", "half_width", "low_precision"} <= set(
            findings_2024[name].columns
        )
    sub = findings_2024["subgroups"]
    assert sub.loc[sub["suppressed"], ["effective_sample_size", "half_width"]].isna().all().all()
    assert sub.loc[~sub["suppressed"], "low_precision"].any()


def _strings(value):
    """Every string in a JSON value, keys included."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, str):
        yield value


def test_findings_json_holds_keys_and_numbers_not_words(findings_2025, tmp_path):
    """No column or field per language, no sentence and no wording of the codebook or the
    indicators: findings.json is the same whatever language a report is written in."""
    text = findings_2025.to_json(tmp_path / "findings.json").read_text(encoding="utf-8")
    doc = json.loads(text)
    cb = findings_2025.inputs.current.codebook
    inds = findings_2025.inputs.definitions.indicators
    languages = sorted({*available_languages(), *cb.languages})
    per_language = re.compile(r"_(?:" + "|".join(languages) + r")$")
    for name, records in doc["tables"].items():
        columns = {c for r in records for c in r}
        assert not {c for c in columns if per_language.search(c)}, name
        assert not columns & {"text", "label", "factor_name"}, name
    findings_strings = [*_strings(doc["key_findings"]), *_strings(doc["story"])]
    assert not any(per_language.search(s) or " " in s for s in findings_strings)
    assert all(k["template"] == f"sentences.{k['kind']}" for k in doc["key_findings"])
    assert {p["template"] for p in doc["story"]} >= {"story.factors", "story.changes"}
    # the words a report shows are nowhere in the file: sentences, story, questions, indicators,
    # factor names, answer labels
    words = set()
    for lang in cb.languages:
        words |= {sentence(findings_2025, k, lang) for k in findings_2025.key_findings}
        words.add(render_story(findings_2025.story, cb, inds, lang))
        words |= set(cb.items[f"text_{lang}"]) | {i.text[lang] for i in inds.values()}
        words |= {cb.factor_name(k, lang) for k in cb.factors}
        words |= {s.label(c, lang) for s in cb.scales.values() for c in s.labels}
    words = {w for w in words if len(w) > 12}
    assert len(words) > 300
    found = [w for w in words if json.dumps(w, ensure_ascii=False)[1:-1] in text]
    assert not found, found[:3]
