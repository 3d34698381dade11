"""The ranking rule of the key findings: classes in a fixed order, importance × size × certainty
within a class, one finding per figure, a group's change on most factors as one finding, and the
text that states the rule, on the demo cycles and on constructed candidates."""

from __future__ import annotations

import itertools
import json
import re

import pytest
import yaml

from cipslib.analysis import keyfindings as kf
from cipslib.analysis.scoring import Indicator, load_indicators
from cipslib.text.catalogue import available_languages, catalogues_dir

from ..conftest import ROOT
from ..findings_helpers import sentence


@pytest.fixture(scope="module")
def inds(codebook):
    return load_indicators(codebook)


def _position(finding) -> int:
    return [c.name for c in kf.CLASSES].index(finding["class"])


def test_demo_order_follows_the_stated_rule(findings_2024, findings_2025):
    """Class first, in the table's order, then score; bribery and the safety to report above the
    officials-vs-private differences."""
    for fnd in (findings_2024, findings_2025):
        found = fnd.key_findings
        assert [k["rank"] for k in found] == list(range(1, len(found) + 1))
        for a, b in itertools.pairwise(found):
            assert (_position(a), -a["score"]) <= (_position(b), -b["score"]), (
                sentence(fnd, a),
                sentence(fnd, b),
            )
        first = {k["class"]: k["rank"] for k in reversed(found)}
        last = {k["class"]: k["rank"] for k in found}
        assert last["bribery"] < first["reporting"] and last["reporting"] < first["organised_crime"]
        assert last["reporting"] < first["between_groups"]
        summary = [k for k in found if k["summary"]]
        assert len(summary) == kf.SUMMARY_MAX
        assert [k["class"] for k in summary][:4] == ["bribery", "bribery", "reporting", "reporting"]
        for k in found:
            if k["kind"] == "not_aligned":
                assert k["class"] == "between_groups"
            if k.get("indicator") in ("bribe_refuse_or_ignore", "bribe_offer_refuse_or_report"):
                assert k["class"] == "bribery"
            if k.get("indicator") == "unsafe_reporting":
                assert k["class"] == "reporting"
    # 2025: the officials-vs-private differences, which ranked first, now follow the experience
    # indicators the method puts first
    classes = [k["class"] for k in findings_2025.key_findings if k["summary"]]
    assert classes == [
        "bribery",
        "bribery",
        "reporting",
        "reporting",
        "organised_crime",
        "between_groups",
        "between_groups",
        "change_across_factors",
    ]


def test_no_two_key_findings_share_a_subject(findings_2024, findings_2025, inds):
    for fnd in (findings_2024, findings_2025):
        said: dict = {}
        for k in fnd.key_findings:
            for subject in kf.subjects(k["kind"], k, inds):
                assert subject not in said, (sentence(fnd, k), said[subject])
                said[subject] = sentence(fnd, k)
        # independently: one finding per indicator question and group, per words-vs-action gap and
        # group, and per factor level in a group
        questions = [
            (inds[k.get("indicator") or k["measure"].split(".")[1]].item, k["group"])
            for k in fnd.key_findings
            if k["kind"] == "indicator" or str(k.get("measure", "")).startswith("indicator.")
        ]
        assert len(questions) == len(set(questions))
        levels = [
            (k["factor"], g)
            for k in fnd.key_findings
            if k["kind"] in ("weakest", "strongest", "not_aligned")
            for g in ((k["group"],) if "group" in k else (k["group_a"], k["group_b"]))
        ]
        assert len(levels) == len(set(levels))
        texts = [sentence(fnd, k) for k in fnd.key_findings]
        assert len(texts) == len(set(texts))
    # 2025: the officials' rise in organised-crime pressure is one finding (its change), not also
    # its level; the officials' weakest factor is the first officials-vs-private difference
    oc = [k for k in findings_2025.key_findings if k["class"] == "organised_crime"]
    assert [(k["kind"], k["measure"]) for k in oc] == [("change", "indicator.oc_pressure_any")]
    hrm = next(k for k in findings_2025.key_findings if k["kind"] == "not_aligned")
    assert hrm["factor"] == 8 and not any(
        k["kind"] == "weakest" and k["group"] == "official" for k in findings_2025.key_findings
    )


def test_the_private_sector_rise_on_every_factor_is_one_finding(findings_2025):
    tr = findings_2025.tables["trends"]
    std = tr[
        (tr["comparison"] == "standardised")
        & (tr["kind"] == "factor_index")
        & (tr["group"] == "private")
    ]
    assert len(std) == 10 and std["significant"].all() and (std["change"] > 0).all()
    low, high = std["change"].min(), std["change"].max()
    assert 7 < low < high < 11
    across = [k for k in findings_2025.key_findings if k["kind"] == "across_factors"]
    assert len(across) == 1
    k = across[0]
    assert k["class"] == "change_across_factors" and k["summary"]
    assert (k["group"], k["direction"], k["count"], k["total"]) == ("private", "rose", 10, 10)
    assert sorted(k["factors"]) == list(range(1, 11))
    assert k["change_min"] == pytest.approx(low) and k["change_max"] == pytest.approx(high)
    assert k["p_value"] == pytest.approx(std["p_value"].max())
    assert k["n"] == std["n"].min() and k["n_prev"] == std["n_prev"].min()
    assert (k["max_n"], k["max_prev_n"]) == (std["n"].max(), std["n_prev"].max())
    en = sentence(findings_2025, k)
    assert en.startswith(
        "Among private-sector respondents, all 10 factor indices rose significantly"
    )
    assert f"by +{low:.1f} to +{high:.1f} points" in en
    spans = [f"{int(std[c].min()):,}–{int(std[c].max()):,}" for c in ("n_prev", "n")]
    assert f"n = {spans[0]} and {spans[1]})." in en
    uk = sentence(findings_2025, k, "uk")
    assert "індекси всіх 10 чинників статистично значущо змінилися" in uk
    assert f"+{low:.1f}".replace(".", ",") in uk and f"+{high:.1f}".replace(".", ",") in uk
    # the ten factors get no finding of their own, but other changes still do
    assert not any(
        k["kind"] == "change"
        and k["group"] == "private"
        and k["measure"].startswith("factor_index")
        for k in findings_2025.key_findings
    )
    officials = [
        k
        for k in findings_2025.key_findings
        if k["kind"] == "change" and k["group"] == "official" and k["class"] == "change"
    ]
    assert [k["measure"] for k in officials] == ["factor_index.10"]


def test_findings_json_carries_class_rank_and_score(findings_2025, tmp_path):
    doc = json.loads(findings_2025.to_json(tmp_path / "findings.json").read_text(encoding="utf-8"))
    names = {c.name for c in kf.CLASSES}
    for rank, k in enumerate(doc["key_findings"], start=1):
        assert k["rank"] == rank and k["class"] in names
        parts = k["score_parts"]
        assert set(parts) == {"importance", "size", "certainty"}
        assert k["score"] == pytest.approx(parts["importance"] * parts["size"] * parts["certainty"])
        assert 0 <= parts["size"] <= 1 and 0 <= parts["certainty"] <= 1
    documented = (ROOT / "docs" / "findings.md").read_text(encoding="utf-8")
    for field in ("`class`", "`score_parts`", "`across_factors`", "`change_min`", "`change_max`"):
        assert field in documented


def _indicator(iid: str, item: str, importance: float = 1.0) -> Indicator:
    return Indicator(iid, item, (1,), ("official", "private"), True, {"en": iid}, importance)


INDS = {
    "bribe": _indicator("bribe", "EXP_BRIBE_RESPONSE", 3),
    "unsafe": _indicator("unsafe", "EXP_SAFE_REPORTING", 3),
    "safe": _indicator("safe", "EXP_SAFE_REPORTING", 1),
    "rules": _indicator("rules", "EXP_RULE_COMPLIANCE"),
}


def _level(iid: str, group: str = "official", estimate: float = 50.0) -> dict:
    return {"kind": "indicator", "indicator": iid, "group": group, "estimate": estimate}


def _change(measure: str, group: str, change: float, p: float) -> dict:
    return {"kind": "change", "measure": measure, "group": group, "change": change, "p_value": p}


def _apart(factor: int, difference: float, p: float) -> dict:
    return {
        "kind": "not_aligned",
        "measure": f"factor_index.{factor}",
        "factor": factor,
        "group_a": "official",
        "group_b": "private",
        "difference": difference,
        "p_value": p,
    }


def test_constructed_candidates_follow_the_rule():
    """Huge officials-vs-private differences and a factor change rank below small experience
    findings of an earlier class; within a class the score decides; the same figure is kept once."""
    candidates = [
        _apart(8, -40.0, 1e-9),  # score 1
        _apart(5, -10.0, 1e-9),  # 0.5
        _change("factor_index.3", "private", 30.0, 1e-9),  # class change, score 1
        {
            "kind": "across_factors",
            "group": "private",
            "factors": [1, 2, 4, 5, 6, 7, 8, 9, 10],
            "change_min": 6.0,
            "change_max": 9.0,
            "p_value": 0.01,
        },
        {"kind": "weakest", "measure": "factor_index.8", "group": "official", "factor": 8},
        {"kind": "weakest", "measure": "factor_index.2", "group": "private", "factor": 2},
        _level("rules", "private"),  # experience, 0.5
        _level("unsafe", "official"),  # reporting, 1.5
        _change("indicator.safe", "official", 4.0, 0.04),  # the same question as unsafe: dropped
        _level("bribe", "private"),  # bribery, 1.5
        _change("indicator.bribe", "official", 12.0, 1e-6),  # bribery, 3 × 0.6 = 1.8
        _level("bribe", "official"),  # its level: stated by the change above, dropped
        {"kind": "low_reliability", "group": "official", "factor": 4, "alpha": 0.5},
        {
            "kind": "aligned",
            "group_a": "official",
            "group_b": "private",
            "count": 3,
            "total": 10,
            "factors": [1, 2, 3],
        },
    ]
    ranked = kf.rank_findings(candidates, INDS)
    order = [
        (k["kind"], k.get("indicator") or k.get("measure") or k.get("group"), k.get("group"))
        for k in ranked
    ]
    assert order == [
        ("change", "indicator.bribe", "official"),
        ("indicator", "bribe", "private"),
        ("indicator", "unsafe", "official"),
        ("not_aligned", "factor_index.8", None),
        ("not_aligned", "factor_index.5", None),
        ("across_factors", "private", "private"),
        ("change", "factor_index.3", "private"),
        ("weakest", "factor_index.2", "private"),
        ("indicator", "rules", "private"),
        ("aligned", None, None),
        ("low_reliability", "official", "official"),
    ]
    assert [k["rank"] for k in ranked] == list(range(1, 12))
    assert [k["class"] for k in ranked] == [
        "bribery",
        "bribery",
        "reporting",
        "between_groups",
        "between_groups",
        "change_across_factors",
        "change",
        "weakest",
        "experience",
        "alignment",
        "reliability",
    ]
    # dropped: the officials' weakest factor (factor 8, whose officials' level the first difference
    # states), the change in feeling safe (the question of the unsafe share) and the officials'
    # bribery level (stated by its change)
    assert ranked[0]["score_parts"] == pytest.approx(
        {"importance": 3.0, "size": 0.6, "certainty": 1.0}
    )
    across = ranked[5]
    assert across["score_parts"]["size"] == pytest.approx(6.0 / kf.FULL_SIZE)
    assert across["score_parts"]["certainty"] < 1
    assert [k["summary"] for k in ranked] == [True] * 8 + [False] * 3


def test_summary_takes_at_most_two_of_a_class_and_never_the_method_class():
    candidates = [_level("bribe", g, e) for g, e in (("official", 1), ("private", 2))]
    candidates += [_change("indicator.bribe", "official", 15.0, 1e-6)]  # drops the official level
    candidates += [_level("unsafe", g) for g in ("official", "private")]
    candidates += [_apart(k, -3.0 * k, 1e-6) for k in range(1, 6)]
    candidates += [
        {"kind": "low_reliability", "group": "official", "factor": 4, "alpha": 0.5},
    ]
    ranked = kf.rank_findings(candidates, INDS)
    assert len(ranked) == len(candidates) - 1
    summary = [k["class"] for k in ranked if k["summary"]]
    assert summary == ["bribery", "bribery", "reporting", "reporting"] + ["between_groups"] * 2
    apart = [k["factor"] for k in ranked if k["kind"] == "not_aligned"]
    assert apart == [5, 4, 3, 2, 1]  # the larger difference first
    assert not ranked[-1]["summary"] and ranked[-1]["class"] == "reliability"


def test_every_kind_has_a_class_and_every_class_a_name_in_every_language():
    kinds = {kind for c in kf.CLASSES for kind in c.kinds}
    sentences = yaml.safe_load((catalogues_dir() / "en.yaml").read_text(encoding="utf-8"))
    assert set(sentences["sentences"]) == kinds
    for lang in available_languages():
        cat = yaml.safe_load((catalogues_dir() / f"{lang}.yaml").read_text(encoding="utf-8"))
        assert list(cat["classes"]) == [c.name for c in kf.CLASSES], lang


@pytest.mark.parametrize("lang", available_languages())
def test_the_method_text_lists_the_classes_in_rank_order(lang):
    cat = yaml.safe_load((catalogues_dir() / f"{lang}.yaml").read_text(encoding="utf-8"))
    fields = kf.rule_fields(lang)
    text = " ".join(cat["report"]["ranking_text"].split()).format(**fields)
    lead = " ".join(cat["report"]["summary_lead"].split()).format(**fields)
    shown = [c for c in kf.CLASSES if c.summary]
    at = [text.index(f"({i}) {cat['classes'][c.name]}") for i, c in enumerate(shown, start=1)]
    assert at == sorted(at)
    assert f"({len(shown) + 1})" not in text
    for c in kf.CLASSES:
        if not c.summary:
            assert cat["classes"][c.name] in text
    for c in kf.CLASSES[:3]:
        assert cat["classes"][c.name] in lead
    numbers = set(re.findall(r"\d+(?:[.,]\d+)?", text))
    assert {"8", "2", "20"} <= numbers and ("0.5" in numbers or "0,5" in numbers)
    assert "{" not in text and "{" not in lead


def test_the_documentation_lists_the_classes_in_rank_order():
    documented = (ROOT / "docs" / "findings.md").read_text(encoding="utf-8")
    section = documented[documented.index("## Key findings") :]
    at = [section.index(f"`{c.name}`") for c in kf.CLASSES]
    assert at == sorted(at)
