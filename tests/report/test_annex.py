"""The annex as a reader gets it: tables.xlsx in the report's language (human headers, names not
codes, values rounded as printed with their number formats, column widths, a note per sheet with
source, weighting and the marks it uses), the quality and methodology note with the publication
date and contact from the params, tables with group captions, the subgroup heatmaps with their
significance and both hidden marks, driver points named, and the Ukrainian report's layout in the
PDF (no table past the margin, no heading at a page's foot, p-values on one line, the annex on
landscape pages) and on screen (no print-only space, charts readable at 390 px, tables that
scroll)."""

from __future__ import annotations

import dataclasses
import re
from types import SimpleNamespace

import pandas as pd
import pytest
from openpyxl import load_workbook

from cipslib.analysis.disclosure import COMPLEMENTARY_MARK
from cipslib.errors import CipsDataError
from cipslib.inputs.params import load_params, validate_params
from cipslib.report.annex import AnnexTables, write_tables_xlsx
from cipslib.report.charts import HIGHER, LOWER, driver_grid, subgroup_heatmap, subgroup_marks
from cipslib.report.context import table_html
from cipslib.report.render import find_chromium, render
from cipslib.text.catalogue import load_catalogue

from ..conftest import ROOT

LANGUAGES = ("en", "uk", "fr")
CYRILLIC = re.compile("[А-Яа-яІіЇїЄєҐґ]")


@pytest.fixture(scope="module")
def report(report_2025_en):
    """The 2025 demo report in English (with 2024 as its previous cycle)."""
    return report_2025_en


@pytest.fixture(scope="module")
def workbooks(report, tmp_path_factory):
    """tables.xlsx of the 2025 demo in English, Ukrainian and French."""
    folder = tmp_path_factory.mktemp("workbooks")
    return {
        lang: write_tables_xlsx(dataclasses.replace(report, language=lang), folder / f"{lang}.xlsx")
        for lang in LANGUAGES
    }


def _rows(sheet) -> tuple[list[tuple], int]:
    """A sheet's rows and the index of its header row (the last frozen row)."""
    rows = list(sheet.iter_rows(values_only=True))
    return rows, int(re.sub(r"\D", "", sheet.freeze_panes)) - 2


def _codes(report) -> set[str]:
    """Codes a reader must never see: groups, respondent variables and their levels, measures."""
    cb = report.cb
    codes = {"official", "private", "rest"} | set(cb.variables)
    for variable in cb.variables.values():
        codes |= set(variable.levels)
    return codes


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_workbook_speaks_the_report_language(report, workbooks, lang):
    book = load_workbook(workbooks[lang])
    words = load_catalogue(lang)["report"]["workbook"]
    tables = [name for name, t in report.findings.tables.items() if not t.empty]
    assert book.sheetnames == [words["contents"], *(words["sheets"][t] for t in tables)]
    columns = {c for t in report.findings.tables.values() for c in t.columns} - {"n", "t"}
    codes = _codes(report)
    for name in book.sheetnames[1:]:
        rows, head = _rows(book[name])
        header = rows[head]
        assert not columns & set(header), (name, columns & set(header))
        assert not [h for h in header if "_" in str(h)], (name, header)
        if lang == "uk":
            latin = {h for h in header if not CYRILLIC.search(str(h))}
            assert latin <= {"n", "t", "p", "R²"}, (name, latin)
        for row in rows[head + 1 :]:
            shown = {str(v) for v in row if isinstance(v, str)}
            assert not shown & codes, (name, shown & codes)
            assert not [v for v in shown if re.match(r"^[a-z_]+\.[A-Za-z0-9_]+$", v)], (name, row)


def test_the_workbook_rounds_as_the_report_prints(report, workbooks):
    book = load_workbook(workbooks["en"])
    words = load_catalogue("en")["report"]["workbook"]
    sheet = book[words["sheets"]["items"]]
    rows, head = _rows(sheet)
    header = list(rows[head])
    items = report.findings.tables["items"].reset_index(drop=True)
    favourable = header.index(words["columns"]["favourable"])
    dont_know = header.index(words["columns"]["dont_know_rate"])
    for i, r in items.iterrows():
        cells = sheet[head + 2 + i]
        assert cells[favourable].value == int(round(r["favourable"]))
        assert cells[favourable].number_format == "#,##0"
        assert cells[dont_know].value == round(r["dont_know_rate"], 1)
        assert cells[dont_know].number_format == "#,##0.0"
    # p-values: three decimals, or "<0.001" as the report writes it
    rows, head = _rows(book[words["sheets"]["alignment"]])
    p = list(rows[head]).index(words["columns"]["p_value"])
    shown = [row[p] for row in rows[head + 1 :]]
    assert all(v == "<0.001" or round(v, 3) == v for v in shown) and "<0.001" in shown
    # every column has a width that fits it; long wording wraps at a fixed width
    widths = [sheet.column_dimensions[c.column_letter].width for c in sheet[head + 1]]
    assert all(6 <= w <= 60 for w in widths)
    assert widths[header.index(words["columns"]["item"])] == 60


def test_each_sheet_has_its_note(report, workbooks):
    """Above each table: its title, the source, the weighting, the rounding and the marks it
    uses, and only those."""
    book = load_workbook(workbooks["en"])
    words = load_catalogue("en")["report"]["workbook"]
    annex = AnnexTables(report)
    contents = [r[0] for r in book[words["contents"]].iter_rows(values_only=True) if r[0]]
    assert contents[:3] == [
        report.title,
        "Published: 20 November 2025.",
        f"Contact: {report.contact()}.",
    ]
    assert annex.source() in contents and annex.marks_legend() in contents
    for name, table in report.findings.tables.items():
        if table.empty:
            continue
        rows, head = _rows(book[words["sheets"][name]])
        notes = [r[0] for r in rows[:head] if r[0]]
        weighting = " ".join(words["weighting"].get(name, words["weighting"]["default"]).split())
        assert notes[:4] == [
            report.labels["annex_tables"][name],
            annex.source(),
            weighting,
            words["rounding"],
        ]
        cells = {v for row in rows[head + 1 :] for v in row if isinstance(v, str)}
        marks = notes[4] if len(notes) > 4 else ""
        for mark in ("<10", COMPLEMENTARY_MARK, "†", "–"):
            assert (f"{mark} " in marks) == (mark in cells), (name, mark)
    # the quality screens hide small counts and a count that would give one away
    rows, head = _rows(book[words["sheets"]["quality"]])
    cells = {v for row in rows[head + 1 :] for v in row}
    assert {"<10", COMPLEMENTARY_MARK} <= cells


def test_the_publication_settings_are_checked(tmp_path):
    good = validate_params(
        {"cycle": 2025, "publication": {"date": "2025-11-20", "contact": {"en": "a", "uk": "б"}}}
    )
    assert good.publication == {"date": "2025-11-20", "contact": {"en": "a", "uk": "б"}}
    assert validate_params({"cycle": 2025}).publication == {"date": None, "contact": None}
    with pytest.raises(CipsDataError) as err:
        validate_params(
            {"cycle": 2025, "publication": {"date": "20.11.2025", "contact": {"xx": "x"}, "by": 1}}
        )
    text = str(err.value)
    assert "publication 'date' must be a date" in text and "YYYY-MM-DD" in text
    assert "publication 'contact'" in text and "unknown publication setting 'by'" in text


@pytest.mark.parametrize(
    ("lang", "date"),
    [("en", "20 November 2025"), ("uk", "20 листопада 2025\u202fр."), ("fr", "20 novembre 2025")],
)
def test_the_quality_note_and_the_title_page_give_the_publication(report, lang, date):
    local = dataclasses.replace(report, language=lang)
    contact = load_params(ROOT / "params" / "2025.yaml").publication["contact"][lang]
    note = str(local.method.quality_note())
    rows = load_catalogue(lang)["report"]["quality_note_rows"]
    for key in ("coverage", "questionnaire", "fieldwork", "weighting", "suppression", "precision"):
        assert f'<th scope="row">{rows[key]}</th>' in note.replace("&quot;", '"'), key
    assert date in note and contact in note and "&lt;10" in note and "†" in note
    assert f"{date}" in str(local.front.title_page()) and contact in str(local.front.title_page())
    assert str(local.method.quality_note()) in str(local.method.body())
    # without publication settings, neither a date nor a contact is printed
    bare = dataclasses.replace(
        local, params=dataclasses.replace(local.params, publication={"date": None})
    )
    assert date not in str(bare.front.title_page()) and rows["publication"] not in str(
        bare.method.quality_note()
    )


def test_tables_caption_their_column_groups_and_row_groups():
    frame = pd.DataFrame(
        {
            "Group": ["Officials", "Officials", "Private sector"],
            "Factor": ["A", "B", "A"],
            "2024: Index": [1, 2, 3],
            "2024: n": [10, 20, 30],
            "p": ["p\u00a0<\u00a00.001", None, "53–56"],
        }
    )
    page = table_html(frame, "<10", group_by="Group")
    assert page.count('<tr class="row-group">') == 2 and "<td>Officials</td>" not in page
    assert '<th scope="colgroup" colspan="2">2024</th>' in page
    assert '<th scope="col" rowspan="2">Factor</th>' in page and "<td>&lt;10</td>" in page
    assert '<td><span class="nowrap">53–56</span></td>' in page


def test_the_heatmap_marks_hidden_cells_and_significant_levels(report):
    """A cell hidden to protect another reads "x", a small one "<10"; levels that differ
    significantly from the rest of their group carry ▲ or ▼."""
    sub = report.findings.tables["subgroups"].copy()
    rows = (sub["group"] == "private") & (sub["variable"] == "respondent_type")
    small = rows & (sub["level"] == "association")
    protect = rows & (sub["level"] == "civil_society")
    for where, why in ((small, "small"), (protect, "complementary")):
        sub.loc[where, ["estimate", "ci_low", "ci_high", "n"]] = None
        sub.loc[where, "suppressed"] = True
        sub.loc[where, "hidden"] = why
    fnd = SimpleNamespace(
        tables={**report.findings.tables, "subgroups": sub}, meta=report.findings.meta
    )
    fig = subgroup_heatmap(fnd, report.cb, "private", "respondent_type", report.labels, "en")
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts.count("<10") == 10 and texts.count(COMPLEMENTARY_MARK) == 10
    marks = subgroup_marks(report.findings, "private", "respondent_type")
    assert marks and set(marks.values()) <= {HIGHER, LOWER}
    shown = [t for t in texts if t.endswith((HIGHER, LOWER))]
    assert len(shown) == sum(level not in ("association", "civil_society") for _, level in marks)
    note = " ".join(t.get_text() for t in fig.texts)
    assert f"{HIGHER} / {LOWER}" in " ".join(note.split()) and "x: hidden" in " ".join(note.split())
    # the two-level role: both levels marked, in opposite directions
    role = subgroup_marks(report.findings, "official", "role")
    assert {role[(k, "manager")] for k in range(1, 11)} == {HIGHER}
    assert {role[(k, "non_manager")] for k in range(1, 11)} == {LOWER}
    # and the line under the chart counts them instead of listing them
    note = str(report.subgroups.note("official", "role"))
    assert "10 of 10 differences" in note and "Holm" in note and "+11" not in note


@pytest.mark.parametrize("lang", LANGUAGES)
def test_driver_points_are_named(report, lang):
    local = dataclasses.replace(report, language=lang)
    fig = local.drivers.chart("official")
    texts = {" ".join(t.get_text().replace("-\n", "-").split()) for t in fig.axes[0].texts}
    for k in range(1, 11):
        assert local.cb.factor_name(k, lang) in texts, k
    assert not {str(k) for k in range(1, 11)} & texts
    assert driver_grid(None, local.cb, "official", local.labels, lang) is None


# -- the Ukrainian report, printed and on screen ----------------------------------------------
@pytest.fixture(scope="module")
def uk_render(tmp_path_factory):
    """The 2025 demo report rendered in Ukrainian, HTML and PDF."""
    out = tmp_path_factory.mktemp("uk2025")
    return render(
        ROOT / "params" / "2025.yaml", out=out, language="uk", progress=False, name="2025-uk"
    )


@pytest.mark.slow
def test_the_ukrainian_pdf_keeps_every_column_and_heading_on_its_page(uk_render):
    """The ten-factors table keeps its last column ("Збіг оцінок") inside the margin; no page
    ends with a heading; a p-value is never split across lines; the annex is in the PDF, on
    landscape pages."""
    from pypdf import PdfReader

    from .layout import pages, problems

    html_path = next(uk_render.glob("*.html"))
    laid = pages(html_path)  # laid out once, for both checks
    assert problems(html_path, laid) == []
    reader = PdfReader(next(uk_render.glob("*.pdf")))
    assert len(laid) == len(reader.pages)
    texts = [page.extract_text() for page in reader.pages]
    factors = next(i for i, t in enumerate(texts) if "3. Десять чинників коротко" in t and i)
    assert "Збіг" in texts[factors] and "оцінок" in texts[factors]
    split = re.compile(r"\bp[ \u00a0]*\n[ \u00a0]*[<=]|\bp[ \u00a0]*[<=][ \u00a0]*\n[ \u00a0]*\d")
    assert not [t for t in texts if split.search(t)]
    assert sum("p\u00a0<\u00a00,001" in t or "p < 0,001" in t for t in texts) >= 2
    annex = next(i for i, t in enumerate(texts) if t.strip().startswith("12. Додаток"))
    assert "Д1. Усі питання" in texts[annex]
    assert all(page.landscape for page in laid[annex:])
    assert not any(page.landscape for page in laid[:annex])


@pytest.mark.slow
@pytest.mark.skipif(
    find_chromium() is None, reason="needs Debian's chromium (installed by .ci/run)"
)
def test_the_ukrainian_html_on_a_wide_and_a_narrow_screen(uk_render):
    from playwright.sync_api import sync_playwright

    from .browser import CHROMIUM_ARGS

    page = next(uk_render.glob("*.html"))
    facts = """() => {
      const title = document.querySelector('.title-page').getBoundingClientRect().height;
      const charts = Array.from(document.querySelectorAll('img')).map(img => {
        const box = img.parentElement;
        return {width: img.getBoundingClientRect().width, natural: img.naturalWidth,
                scrolls: getComputedStyle(box).overflowX === 'auto',
                wider: box.scrollWidth > box.clientWidth};
      });
      const tables = Array.from(document.querySelectorAll('table.cips')).map(t => ({
        scrolls: getComputedStyle(t.parentElement).overflowX === 'auto',
        wider: t.parentElement.scrollWidth > t.parentElement.clientWidth,
        shadow: getComputedStyle(t.parentElement).backgroundImage.includes('gradient')}));
      return {title, charts, tables, page: document.documentElement.scrollWidth,
              viewport: document.documentElement.clientWidth};
    }"""
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS)
        try:
            seen = {}
            for width in (1366, 390):
                context = browser.new_context(viewport={"width": width, "height": 900})
                tab = context.new_page()
                tab.goto(page.resolve().as_uri(), wait_until="load")
                seen[width] = tab.evaluate(facts)
                context.close()
        finally:
            browser.close()
    wide, narrow = seen[1366], seen[390]
    # the title block is as tall as its text on screen (its A4 page height is for print only)
    assert wide["title"] < 450 and narrow["title"] < 900, (wide["title"], narrow["title"])
    assert narrow["page"] <= narrow["viewport"]
    # at 390 px a chart is shown pixel for pixel (its text as large as drawn, 10-12.5 px) in a
    # box that scrolls sideways
    assert narrow["charts"] and all(
        c["width"] == c["natural"] >= 600 and c["scrolls"] and c["wider"] for c in narrow["charts"]
    )
    assert all(c["width"] <= 720 and not c["wider"] for c in wide["charts"])
    # tables scroll sideways, and one wider than the screen shows it with shadows at its edges
    assert all(t["scrolls"] and t["shadow"] for t in narrow["tables"])
    assert any(t["wider"] for t in narrow["tables"])
