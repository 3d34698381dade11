"""Reports in Ukrainian as well as English: complete catalogues, Ukrainian numbers, no English
template text in the Ukrainian report, Cyrillic intact in the PDF."""

from __future__ import annotations

import re

import pytest
import yaml

from cipslib.analysis.scoring import load_indicators
from cipslib.inputs.codebook import load_codebook
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


def test_numbers_and_dates_come_from_babels_locale_data():
    """Each catalogue names a Babel locale; the decimal mark, thousands separator, percent format
    and dates are CLDR's, with the catalogue's own typography where it differs (the minus sign,
    Ukrainian's space before %)."""
    en, uk = (NumberFormat.of(load_catalogue(lang)) for lang in ("en", "uk"))
    assert str(en.locale) == "en_GB" and str(uk.locale) == "uk"
    assert (en.count(1234567), en.number(-0.04, 2), en.percent(41.25, 1)) == (
        "1,234,567",
        "−0.04",
        "41.2%",
    )
    assert (uk.count(1234567), uk.percent(41.25, 1)) == ("1\u00a0234\u00a0567", "41,2\u00a0%")
    assert en.date("2025-01-01") == "1 January 2025"
    assert uk.date("2025-01-01") == "1 січня 2025\u202fр."
    assert en.dates("2025-09-15", "2025-09-30") == "15–30 Sept 2025"
    assert uk.dates("2024-09-02", "2024-09-27") == "2–27 вер. 2024\u202fр."
    assert en.dates("2025-09-15", None) == "2025-09-15"


def test_a_catalogue_names_a_locale_babel_knows(tmp_path, monkeypatch):
    from cipslib.errors import CipsDataError

    doc = _catalogue("en") | {"language": "xx"}
    doc["numbers"] = doc["numbers"] | {"locale": "xx_YY"}
    (tmp_path / "xx.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("CIPS_CATALOGUES", str(tmp_path))
    with pytest.raises(CipsDataError, match="'locale' names no locale Babel knows"):
        load_catalogue("xx")


@pytest.fixture(scope="module")
def uk_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("uk")
    return render(
        ROOT / "params" / "2024.yaml", out=out, language="uk", progress=False, name="2024-uk"
    )


def _english_fragments():
    en = _catalogue("en")
    frags = set()
    words = {g: group.members["en"] for g, group in load_codebook().groups.items()}
    for _key, text in _leaves(
        {"report": en["report"], "sentences": en["sentences"], "groups": words}
    ):
        if not isinstance(text, str):
            continue
        for part in PLACEHOLDER.split(" ".join(text.split())):
            part = part.strip(" .,;:()")
            if len(part.split()) >= 2 and len(part) >= 10:
                frags.add(part)
    return frags


def test_no_english_template_text_in_the_ukrainian_report(uk_report):
    page = next(uk_report.glob("*.html")).read_text(encoding="utf-8")
    page = re.sub(r'src="data:[^"]*"', "", page)
    found = sorted(f for f in _english_fragments() if f in page)
    assert found == []
    assert 'lang="uk"' in page and "Резюме" in page


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
