"""The printed questionnaire: every question of the cycle numbered once with a box per answer and
its code, routing said in words with the number of the question it depends on, the params'
introduction and promise of anonymity, in each language, in HTML and in a searchable PDF."""

from __future__ import annotations

import html
import re

import pytest
from pypdf import PdfReader

from cipslib import load_codebook
from cipslib.questionnaire.paper import paper_html, write_paper

QUESTION = re.compile(r'<span class="n">(\d+)\.</span>([^<]*)<')


@pytest.fixture(scope="module")
def codebook():
    return load_codebook()


@pytest.mark.parametrize("lang", ["en", "uk"])
@pytest.mark.parametrize("instrument", ["official", "private"])
def test_every_question_is_numbered_once_with_its_answers(codebook, instrument, lang):
    page = paper_html(codebook, instrument, lang, 2025)
    numbered = [(n, html.unescape(t)) for n, t in QUESTION.findall(page)]
    assert [int(n) for n, _ in numbered] == list(range(1, len(numbered) + 1))
    texts = [t for _, t in numbered]
    items = codebook.items_for(instrument, 2025)
    for _, item in items[items["parent"].isna()].iterrows():
        assert texts.count(item[f"text_{lang}"]) == 1, item["id"]
    # each answer of a scale question has a box and its code in small print
    boxes = page.count('class="box"')
    codes = re.findall(r'<span class="code">(\d+)</span>', page)
    assert boxes == len(codes) > 5 * len(items)


def test_routing_names_the_question_and_answer_it_depends_on(codebook):
    page = html.unescape(paper_html(codebook, "official", "en", 2025))
    routed = codebook.items_for("official", 2025)
    routed = routed[routed["asked_if_item"].notna()]
    assert len(routed)
    numbers = {t: int(n) for n, t in QUESTION.findall(page)}
    for _, item in routed.iterrows():
        source = codebook.item(item["asked_if_item"])
        answers = [
            codebook.scales[source["scale"]].labels[int(c)]["en"] for c in item["asked_if_codes"]
        ]
        expected = (
            f"Answer only if you answered “{answers[0]}” to question "
            f"{numbers[source['text_en'].replace(chr(39), '&#x27;')]}."
        )
        assert expected.replace("“", "&quot;").replace("”", "&quot;") in page or expected in page


def test_the_params_texts_and_a_searchable_pdf(codebook, tmp_path):
    texts = {
        "intro": {"en": "Welcome to the 2026 survey.", "uk": "Вітаємо."},
        "anonymity": "No names.",
    }
    page = paper_html(codebook, "private", "en", 2025, texts)
    assert "Welcome to the 2026 survey." in page and "No names." in page
    assert "Your answers are anonymous" not in page  # the catalogue's only without the params'
    pdf = write_paper(codebook, "official", "uk", tmp_path / "official_uk.pdf", 2025)
    text = " ".join(p.extract_text() for p in PdfReader(pdf).pages)
    text = " ".join(text.split())
    first = codebook.items_for("official", 2025).iloc[0]["text_uk"]
    assert first[:30] in text and "Ваші відповіді анонімні" in text
