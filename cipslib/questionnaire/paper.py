"""The questionnaire on paper (and on a web page): a printable form of one questionnaire in one
language, from the codebook.

The page opens with the questionnaire's title, the introduction and the promise of anonymity (the
params' ``questionnaire:`` texts, else the catalogue's), then "About you" (the respondent variables
the questionnaire asks, one tick box per level), then one section per factor and one for the
questions outside the factors. Questions are numbered through; each answer has a tick box, and in
small print the code a data-entry clerk types; don't know and refusal come last, apart. A question
the codebook routes says in words when to answer it ("Answer only if you answered “Yes” to
question 12."). Every word around the questions is the language catalogue's ``questionnaire``
section; the questions and answers are the codebook's.
"""

from __future__ import annotations

import html
from typing import Any

import pandas as pd

from ..errors import CipsError
from ..inputs.codebook import Codebook
from ..text.catalogue import load_catalogue
from ..text.typography import punctuate, punctuate_html, space_before, tidy
from .xlsform import _by_factor, _respondent_rows

CSS = """
@page { size: A4; margin: 16mm 15mm 16mm 15mm;
        @bottom-right { content: counter(page) " / " counter(pages); font-size: 8pt; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 10pt; color: #222; line-height: 1.35;
       max-width: 190mm; margin: 0 auto; padding: 4mm; }
h1 { font-size: 16pt; color: #08306b; margin: 0 0 3mm; }
h2 { font-size: 12pt; color: #08306b; border-bottom: 1px solid #9ecae1; margin: 6mm 0 2mm;
     break-after: avoid; }
p.intro { margin: 0 0 2mm; }
p.promise { border-left: 3px solid #08519c; background: #f4f8fc; padding: 2mm 3mm; }
p.how { font-style: italic; color: #444; }
div.q { break-inside: avoid; margin: 0 0 3mm; }
p.text { margin: 0 0 1mm; padding-left: 9mm; font-weight: bold; }
p.text span.n { display: inline-block; width: 9mm; margin-left: -9mm; color: #08519c; }
p.route { margin: 0 0 1mm 9mm; font-style: italic; color: #555; font-size: 9pt; }
ul.answers { list-style: none; margin: 0 0 0 9mm; padding: 0; display: flex; flex-wrap: wrap;
             gap: 1mm 5mm; }
ul.answers li { white-space: nowrap; }
ul.answers li.apart { margin-left: 4mm; color: #555; }
span.box { display: inline-block; width: 3.2mm; height: 3.2mm; border: 0.8px solid #222;
           margin-right: 1.2mm; vertical-align: -0.4mm; }
span.code { font-size: 6.5pt; color: #888; margin-left: 0.8mm; vertical-align: super; }
@media screen and (max-width: 600px) { ul.answers { display: block; } }
"""


def paper_html(
    cb: Codebook,
    instrument: str,
    language: str,
    cycle: int | None = None,
    texts: dict[str, Any] | None = None,
) -> str:
    """The printable questionnaire of ``instrument`` in ``language`` as a self-contained HTML page
    (the items asked in ``cycle``; None: every item). ``texts`` may give ``intro`` and
    ``anonymity`` (each a text, or a mapping language -> text), as a params file's
    ``questionnaire:`` does.

    Examples
    --------
    >>> from cipslib import load_codebook
    >>> page = paper_html(load_codebook(), "private", "en", 2025)
    >>> "Your answers are anonymous" in page, page.count('class="q"') > 40
    (True, True)
    """
    if instrument not in cb.instruments:
        raise ValueError(f"'{instrument}' is not a questionnaire of the codebook")
    words = _words(language)
    given = texts or {}
    esc = html.escape
    parts = [
        f"<h1>{esc(cb.instruments[instrument].get(language, instrument))}</h1>",
        f'<p class="intro">{esc(_text(given.get("intro"), language) or words["intro"])}</p>',
        f'<p class="promise">{esc(_text(given.get("anonymity"), language) or words["anonymity"])}'
        "</p>",
        f'<p class="how">{esc(words["how"])}</p>',
    ]
    number = iter(range(1, 10_000))
    numbers: dict[str, int] = {}
    about = [
        r for r in _respondent_rows(cb, instrument, {}, lambda *a: None) if r["type"] != "calculate"
    ]
    if about:
        parts.append(f"<h2>{esc(words['about_you'])}</h2>")
        for row in about:
            var = cb.variables[row["name"]]
            levels = [
                (lv.code, lv.labels.get(language, n))
                for n, lv in var.levels.items()
                if lv.group in (None, instrument)
            ]
            route = ""
            if row.get("relevant"):
                route = words["route_type"]
            n = next(number)
            numbers[row["name"]] = n
            parts.append(_question(n, var.labels.get(language, row["name"]), levels, [], route))
    items = cb.items_for(instrument, cycle)
    for factor, part in _by_factor(items):
        title = (
            f"{factor}. {cb.factor_name(factor, language)}"
            if factor is not None
            else words["other"]
        )
        parts.append(f"<h2>{esc(title)}</h2>")
        for _, item in part.iterrows():
            parts.append(_item(cb, item, language, words, number, numbers))
    marks = _marks(language)  # French: a no-break space before : ; ! ?
    body = punctuate_html("".join(p for p in parts if p), marks)
    title = punctuate(esc(cb.instruments[instrument].get(language, instrument)), marks)
    return (
        f'<!DOCTYPE html><html lang="{esc(language)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title><style>{CSS}</style></head><body>{body}</body></html>"
    )


def write_paper(
    cb: Codebook,
    instrument: str,
    language: str,
    path,
    cycle: int | None = None,
    texts: dict[str, Any] | None = None,
):
    """Write :func:`paper_html` as ``.html``, or as a PDF (WeasyPrint) when ``path`` ends in
    ``.pdf``; returns the path."""
    from pathlib import Path

    path = Path(path)
    page = paper_html(cb, instrument, language, cycle, texts)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".pdf":
        from weasyprint import HTML

        HTML(string=page).write_pdf(str(path))
    else:
        path.write_text(page, encoding="utf-8")
    return path


# -- parts ---------------------------------------------------------------------------------------
def _item(cb: Codebook, item: pd.Series, lang: str, words: dict, number, numbers: dict) -> str:
    parent = item.get("parent")
    if isinstance(parent, str) and parent:  # an option of a select-all-that-apply question
        if parent in numbers:
            return ""
        m = cb.multiples[parent]
        scale = cb.scales[m.scale]
        n = next(number)
        numbers[parent] = n
        answers = [(c, scale.labels[c].get(lang, str(c))) for c in m.options]
        return _question(n, m.texts.get(lang, parent), answers, [], "", words["tick_all"])
    scale = cb.scales[item["scale"]]
    answers = [(c, t.get(lang, str(c))) for c, t in scale.labels.items()]
    apart = [
        (c, scale.special_labels.get(c, {}).get(lang, str(c)))
        for c in (scale.dont_know, scale.refusal)
        if c is not None
    ]
    route = ""
    source = item.get("asked_if_item")
    if isinstance(source, str) and source and source in numbers:
        shown = cb.scales[cb.item(source)["scale"]]
        chosen = [
            f"“{shown.labels.get(int(c), {}).get(lang, str(c))}”" for c in item["asked_if_codes"]
        ]
        route = words["route"].format(
            answers=f" {words['or']} ".join(chosen), number=numbers[source]
        )
    n = next(number)
    numbers[item["id"]] = n
    return _question(n, item[f"text_{lang}"], answers, apart, route)


def _question(n: int, text: str, answers, apart, route: str, how: str = "") -> str:
    esc = html.escape

    def box(code, label, cls=""):
        return (
            f'<li{cls}><span class="box"></span>{esc(str(label))}'
            f'<span class="code">{esc(str(code))}</span></li>'
        )

    listed = "".join(box(c, t) for c, t in answers)
    listed += "".join(box(c, t, ' class="apart"') for c, t in apart)
    extra = f' <span class="how">({esc(how)})</span>' if how else ""
    routed = f'<p class="route">{esc(route)}</p>' if route else ""
    return (
        f'<div class="q"><p class="text"><span class="n">{n}.</span>{esc(str(text))}{extra}</p>'
        f'{routed}<ul class="answers">{listed}</ul></div>'
    )


def _words(lang: str) -> dict[str, str]:
    section = load_catalogue(lang).get("questionnaire") or load_catalogue("en")["questionnaire"]
    return {k: tidy(v) for k, v in section.items()}


def _marks(lang: str) -> str:
    """The marks the language spaces (none for a codebook language without a catalogue)."""
    try:
        return space_before(load_catalogue(lang))
    except CipsError:
        return ""


def _text(value, lang: str) -> str:
    if isinstance(value, dict):
        return str(value.get(lang) or "")
    return str(value or "")


__all__ = ["CSS", "paper_html", "write_paper"]
