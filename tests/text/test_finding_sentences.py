"""Key findings are data (a template key, keys and numbers); their sentences and the summary's
story are written at render time in the report's language, and read as the sentences the findings
used to carry (``sentences_2025.json``, written before the change)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cipslib.inputs.codebook import load_codebook
from cipslib.text.sentences import Words, measure_name, render_finding, render_story

EXPECTED = json.loads((Path(__file__).parent / "sentences_2025.json").read_text(encoding="utf-8"))
LANGUAGES = ("en", "uk", "fr")


@pytest.fixture(scope="module")
def words(findings_2025):
    return findings_2025.inputs.current.codebook, findings_2025.inputs.definitions.indicators


def test_the_2025_key_findings_read_as_before_in_every_language(findings_2025, words):
    cb, inds = words
    found = findings_2025.key_findings
    assert [(k["rank"], k["kind"], k.get("measure"), k.get("group")) for k in found] == [
        (k["rank"], k["kind"], k["measure"], k["group"]) for k in EXPECTED["key_findings"]
    ]
    for finding, expected in zip(found, EXPECTED["key_findings"], strict=True):
        assert "text" not in finding and finding["template"] == f"sentences.{finding['kind']}"
        for lang in LANGUAGES:
            assert render_finding(finding, cb, inds, lang) == expected["text"][lang]


def test_the_2025_story_reads_as_before_in_every_language(findings_2025, words):
    cb, inds = words
    for lang in LANGUAGES:
        assert render_story(findings_2025.story, cb, inds, lang) == EXPECTED["story"][lang]


def test_a_finding_read_back_from_findings_json_reads_the_same(findings_2025, words, tmp_path):
    """The report may write the sentences from the file: missing values are null, numbers plain."""
    cb, inds = words
    doc = json.loads(findings_2025.to_json(tmp_path / "findings.json").read_text("utf-8"))
    for k, expected in zip(doc["key_findings"], EXPECTED["key_findings"], strict=True):
        assert render_finding(k, cb, inds, "fr") == expected["text"]["fr"]
    assert render_story(doc["story"], cb, inds, "uk") == EXPECTED["story"]["uk"]


def test_sentences_are_filled_from_the_finding_alone():
    """A constructed finding: the words come from the codebook and the catalogue, the numbers are
    rounded and written as each language writes them, the first letter is a capital."""
    cb = load_codebook()
    finding = {
        "kind": "not_aligned",
        "template": "sentences.not_aligned",
        "factor": 3,
        "group_a": "official",
        "group_b": "private",
        "estimate_a": 58.46,
        "estimate_b": 66.5,
        "difference": -8.04,
        "ci_low": -10.26,
        "ci_high": -5.81,
        "p_value": 0.0123,
        "n_a": 4012,
        "n_b": 998,
    }
    assert render_finding(finding, cb, {}, "en") == (
        "Officials and private-sector respondents differ on Transparency: index 58 for officials "
        "against 66 for private-sector respondents (−8.0 points, 95% CI −10.3 to −5.8, "
        "p\u00a0=\u00a00.012; n = 4,012 and 998)."
    )
    uk = render_finding(finding, cb, {}, "uk")
    assert uk.startswith("Оцінки посадових осіб") and "«Прозорість»" in uk
    assert "−8,0 п. п." in uk and "n = 4\u00a0012 і 998" in uk
    fr = render_finding(finding, cb, {}, "fr")
    assert "Transparence" in fr and "−8,0" in fr and "4\u202f012" in fr


def test_a_measure_is_named_from_its_id():
    w = Words(load_codebook(), {}, "uk")
    assert measure_name("factor_index.8", "official", w) == w.catalogue["measures"][
        "factor_index"
    ].format(factor=w.factor(8), group=w.group("official"))
