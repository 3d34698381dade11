"""Reports in Ukrainian and French as well as English: complete catalogues, the codebook, indicators
and KPIs in every language, Ukrainian and French numbers, French typography, no English template
text in the Ukrainian and French reports, Cyrillic and French text intact in the PDF."""

from __future__ import annotations

import html
import re

import pytest
import yaml

from cipslib.analysis.kpi import load_kpis
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


TRANSLATED = ("uk", "fr")
NBSP = "\u00a0"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_string_has_a_translated_entry(lang):
    en, uk = dict(_leaves(_catalogue("en"))), dict(_leaves(_catalogue(lang)))
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
            ) - {"{direction}"}, key


@pytest.mark.parametrize("lang", TRANSLATED)
def test_codebook_indicators_and_kpis_have_the_languages_wording(codebook, lang):
    assert (codebook.items[f"text_{lang}"].str.strip() != "").all()
    for k in range(1, 11):
        assert codebook.factor_name(k, lang) and codebook.factor_name(
            k, lang
        ) != codebook.factor_name(k, "en")
    for name, var in codebook.variables.items():
        assert var.labels[lang].strip(), name
        for level in var.levels.values():
            assert level.labels[lang].strip(), (name, level)
    for scale in codebook.scales.values():
        for code in scale.labels:
            assert scale.label(code, lang).strip()
    indicators = load_indicators(codebook)
    assert all(ind.text[lang].strip() for ind in indicators.values())
    kpis = load_kpis(ROOT / "params" / "pmm_kpis.yaml", codebook, indicators)
    assert all(k.names[lang].strip() and k.names[lang] != k.name for k in kpis.values())


def _french_texts(codebook):
    """Every French text cipslib ships: the catalogue, the codebook, the indicators, the KPIs and
    the demo params' titles, contacts and population sources."""
    skip = ("numbers", "typography")  # settings, not texts
    yield from ((".".join(k), v) for k, v in _leaves(_catalogue("fr")) if k[0] not in skip)
    for _, row in codebook.items.iterrows():
        yield row["id"], row["text_fr"]
    for k, names in codebook.factors.items():
        yield f"factor {k}", names["fr"]
    for name, group in codebook.groups.items():
        yield f"group {name}", group.label["fr"]
        yield f"group {name} members", group.members["fr"]
    for name, var in codebook.variables.items():
        yield name, var.labels["fr"]
        yield from ((f"{name}.{lv}", level.labels["fr"]) for lv, level in var.levels.items())
    for name, scale in codebook.scales.items():
        yield from ((f"{name}.{c}", t["fr"]) for c, t in scale.labels.items())
        yield from ((f"{name}.{c}", t["fr"]) for c, t in scale.special_labels.items())
    indicators = load_indicators(codebook)
    yield from ((i, ind.text["fr"]) for i, ind in indicators.items())
    kpis = load_kpis(ROOT / "params" / "pmm_kpis.yaml", codebook, indicators)
    yield from ((k, kpi.names["fr"]) for k, kpi in kpis.items())
    for cycle in (2024, 2025):
        params = yaml.safe_load((ROOT / "params" / f"{cycle}.yaml").read_text(encoding="utf-8"))
        yield f"{cycle}.yaml title", params["title"]["fr"]
        yield f"{cycle}.yaml contact", params["publication"]["contact"]["fr"]
    for path in (ROOT / "params" / "population").glob("*.yaml"):
        yield path.name, yaml.safe_load(path.read_text(encoding="utf-8"))["source"]["fr"]


def test_french_typography_throughout(codebook):
    """A no-break space before : ; ! ?, between a number and %, inside « », the typographic
    apostrophe, in every French text shipped."""
    wrong = re.compile(r"( [:;!?»]|\d %|\d%|« |\S[;!?»]|[^\s{]:(?!\S)|')")
    found = {
        key: wrong.findall(text)
        for key, text in _french_texts(codebook)
        if isinstance(text, str) and wrong.search(text)
    }
    assert found == {}
    texts = dict(_french_texts(codebook))
    assert texts["factor 1"] == "Conduite et engagement des responsables"
    assert "Déclaration" not in texts["factor 1"]


def test_french_numbers_and_dates():
    f = NumberFormat.of(load_catalogue("fr"))
    assert f.percent(41.27, 1) == f"41,3{NBSP}%" and f.value(88.4, "%") == f"88{NBSP}%"
    assert f.count(4091) == "4\u202f091" and f.number(12.46, 1) == "12,5"
    assert f.value(-3.25, "points", signed=True) in ("−3,2", "−3,3")
    assert f.interval(-0.041, 0.03, 2) == "−0,04 à +0,03"
    assert f.date("2025-01-01") == "1 janvier 2025"
    assert f.dates("2025-09-15", "2025-09-30") == "15–30 sept. 2025"


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
    sections = ("report", "sentences", "story", "measures", "classes")
    for _key, text in _leaves({**{k: en[k] for k in sections}, "groups": words}):
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


@pytest.fixture(scope="module")
def fr_report(tmp_path_factory):
    """The 2025 report rendered in French with ``cips render --lang fr``."""
    from cipslib.cli import main

    out = tmp_path_factory.mktemp("fr")
    params = str(ROOT / "params" / "2025.yaml")
    assert main(["render", params, "--lang", "fr", "--out", str(out), "--quiet"]) == 0
    return out / "2025-fr"


def test_no_english_in_the_french_report(fr_report, codebook):
    page = next(fr_report.glob("*.html")).read_text(encoding="utf-8")
    assert 'lang="fr"' in page and "Synthèse" in page
    page = re.sub(r'src="data:[^"]*"', "", page)
    page = re.sub(r"<style>.*?</style>", "", page, flags=re.S)
    found = sorted(f for f in _english_fragments() if f in page)
    assert found == []
    english = [t for t in codebook.items["text_en"] if t in page]
    english += [n for k, n in codebook.factors.items() if n["en"] in page]
    assert english == []


def test_french_typography_in_the_report(fr_report):
    """The page's text (what the PDF is made from) has a no-break space before every : ; ! ? and %,
    in the catalogue's texts and in those the code puts together ("Collecte : ...")."""
    page = next(fr_report.glob("*.html")).read_text(encoding="utf-8")
    page = re.sub(r"<(style|script)\b.*?</\1>", "", page, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", "\n", page))
    # a plain space (or none) before a high sign, before % after a number, inside « »
    assert re.findall(r"\S[ ]?[:;!?](?=\s)|\d [%»]|\S »|« ", text) == []
    for words in (
        f"Collecte{NBSP}: 15–30 sept. 2025",
        f"taux de réponse 41,3{NBSP}%",
        f"IC à 95{NBSP}%",
        "4\u202f091",
    ):
        assert words in text, words


def test_french_pdf_text_is_intact(fr_report):
    from pypdf import PdfReader

    pdf = next(fr_report.glob("*.pdf"))
    text = " ".join(p.extract_text() for p in PdfReader(pdf).pages)
    flat = re.sub(r"\s+", " ", text)  # the PDF's text may give a no-break space as a space
    for words in (
        "Collecte : 15–30 sept. 2025",
        "taux de réponse 41,3 %",
        "Synthèse",
        "agents des douanes",
        "Conduite et engagement des responsables",
        "Esprit de corps et culture de l’organisation",
        "IC à 95 %",
        "Annexe : tableaux complets",
        "Méthode et qualité des données",
    ):
        assert words in flat, words


def test_the_french_workbook(fr_report):
    """tables.xlsx of the French report: French sheet names, headers and notes, the notes the code
    puts together ("Signes : ... ; ...") punctuated as French is."""
    from openpyxl import load_workbook

    book = load_workbook(fr_report / "tables.xlsx", read_only=True)
    words = load_catalogue("fr")["report"]["workbook"]
    assert book.sheetnames[:3] == [words["contents"], "Estimations", "Questions"]
    front = [r[0] for r in book[words["contents"]].iter_rows(values_only=True) if r[0]]
    assert front[1] == f"Date de publication{NBSP}: 20 novembre 2025."
    assert (
        f"Collecte du 15 septembre 2025 au 30 septembre 2025 (questionnaire en ligne){NBSP};"
        in (front[3])
    )
    cells = [
        v
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for v in row
        if isinstance(v, str)
    ]
    assert [c for c in cells if re.search(r"\S[ ]?[:;](?=\s)|\d [%»]|\S »|« ", c)] == []
    assert f"IC à 95{NBSP}%, borne inférieure" in cells


def test_no_catalogue_gives_a_key_twice():
    """YAML keeps the last of two equal keys without a word: a catalogue must not have any."""
    import yaml

    class Strict(yaml.SafeLoader):
        pass

    def mapping(loader, node, deep=False):
        keys = [loader.construct_object(k, deep=deep) for k, _ in node.value]
        twice = sorted({k for k in keys if keys.count(k) > 1}, key=str)
        assert not twice, f"line {node.start_mark.line + 1}: {twice}"
        return yaml.SafeLoader.construct_mapping(loader, node, deep)

    Strict.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    for path in sorted(catalogues_dir().glob("*.yaml")):
        yaml.load(path.read_text(encoding="utf-8"), Loader=Strict)
