"""Reports in Ukrainian as well as English: complete catalogues, Ukrainian numbers, no English
template text in the Ukrainian report, Cyrillic intact in the PDF."""

from __future__ import annotations

import re

import pytest
import yaml

from cipslib.analysis.scoring import load_indicators
from cipslib.report.render import render
from cipslib.text.catalogue import catalogues_dir, load_catalogue
from cipslib.text.numbers import NumberFormat

from ..conftest import ROOT

PLACEHOLDER = re.compile(r"\{[^}]*\}")


def _leaves(node, path=()):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _leaves(v, (*path, str(k)))
    else:
        yield path, node


def _catalogue(lang):
    return yaml.safe_load((catalogues_dir() / f"{lang}.yaml").read_text(encoding="utf-8"))


def test_every_string_has_a_ukrainian_entry():
    en, uk = dict(_leaves(_catalogue("en"))), dict(_leaves(_catalogue("uk")))
    missing = sorted(".".join(k) for k in en if k not in uk)
    assert missing == []
    empty = sorted(
        ".".join(k)
        for k, v in uk.items()
        if isinstance(v, str)
        and v == ""
        or (isinstance(v, str) and k[0] != "numbers" and not v.strip())
    )
    assert empty == []
    # placeholders match, so every number still reaches the sentence (a word like "rose" may be left
    # out where the language's grammar puts the direction in the sign of the change)
    for key, text in en.items():
        if isinstance(text, str) and key[0] in ("sentences", "measures"):
            assert set(PLACEHOLDER.findall(text)) - {"{direction}"} == set(
                PLACEHOLDER.findall(uk[key])
            ), key


def test_codebook_and_indicators_have_ukrainian_wording(codebook):
    assert (codebook.items["text_uk"].str.strip() != "").all()
    for k in range(1, 11):
        assert codebook.factor_name(k, "uk") and codebook.factor_name(
            k, "uk"
        ) != codebook.factor_name(k, "en")
    for name, var in codebook.variables.items():
        for level in var.levels.values():
            assert level.labels["uk"].strip(), (name, level)
    for scale in codebook.scales.values():
        for code in scale.labels:
            assert scale.label(code, "uk").strip()
    assert all(ind.text["uk"].strip() for ind in load_indicators(codebook).values())


def test_ukrainian_numbers():
    f = NumberFormat(load_catalogue("uk")["numbers"])
    assert f.count(4091) == "4\u00a0091"
    assert f.number(12.46, 1) == "12,5"
    assert f.value(88.4, "%") == "88\u00a0%"
    assert (
        f.value(-3.25, "points", signed=True) == "−3,2"
        or f.value(-3.25, "points", signed=True) == "−3,3"
    )
    en = NumberFormat(load_catalogue("en")["numbers"])
    assert en.count(4091) == "4,091" and en.value(88.4, "%") == "88%"


@pytest.fixture(scope="module")
def uk_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("uk")
    return render(
        ROOT / "params" / "2024.yaml", out=out, language="uk", progress=False, name="2024-uk"
    )


def _english_fragments():
    en = _catalogue("en")
    frags = set()
    for _key, text in _leaves(
        {"report": en["report"], "sentences": en["sentences"], "groups": en["groups"]}
    ):
        if not isinstance(text, str):
            continue
        for part in PLACEHOLDER.split(" ".join(text.split())):
            part = part.strip(" .,;:()")
            if len(part.split()) >= 2 and len(part) >= 10:
                frags.add(part)
    return frags


@pytest.mark.slow
def test_no_english_template_text_in_the_ukrainian_report(uk_report):
    page = next(uk_report.glob("*.html")).read_text(encoding="utf-8")
    page = re.sub(r'src="data:[^"]*"', "", page)
    found = sorted(f for f in _english_fragments() if f in page)
    assert found == []
    assert 'lang="uk"' in page and "Резюме" in page


@pytest.mark.slow
def test_ukrainian_pdf_text_is_intact(uk_report):
    from pypdf import PdfReader

    text = " ".join(p.extract_text() for p in PdfReader(next(uk_report.glob("*.pdf"))).pages)
    for words in (
        "Резюме",
        "посадових осіб митниці",
        "Лідерство",
        "Додаток: повні таблиці",
    ):
        assert words in re.sub(r"\s+", " ", text), words
