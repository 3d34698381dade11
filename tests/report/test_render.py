"""Rendering the yearly report: papermill execution, HTML without code, PDF text, a real browser,
atomic and reproducible output."""

from __future__ import annotations

import hashlib
import json
import re
import shutil

import nbformat
import papermill as pm
import pytest

from cipslib.analysis.scoring import load_indicators
from cipslib.cli import main
from cipslib.inputs.codebook import load_codebook
from cipslib.report.context import SECTIONS
from cipslib.report.render import find_chromium, notebook_to_html, render
from cipslib.text.catalogue import load_catalogue
from cipslib.text.sentences import render_finding, render_story

from ..conftest import ROOT

SECTION_TITLES = (
    "Summary",
    "About the survey",
    "The ten factors at a glance",
    "The factors one by one",
    "What goes with the overall integrity rating",
    "Experience and behaviour",
    "Staff security",
    "Subgroups",
    "Change since the previous cycle",
    "Performance Measurement Mechanism KPIs",
    "Method and data quality",
    "Annex: full tables",
)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    folder = render(ROOT / "params" / "2025.yaml", out=out, progress=False)
    return folder


def _html(folder):
    return next(folder.glob("*.html")).read_text(encoding="utf-8")


@pytest.mark.slow
def test_report_folder_is_complete(rendered):
    names = sorted(p.name for p in rendered.iterdir())
    assert names == [
        "findings.json",
        "findings_report_2025.html",
        "findings_report_2025.ipynb",
        "findings_report_2025.pdf",
        "kpis.csv",
        "kpis.xlsx",
        "tables.xlsx",
    ]
    assert not [
        p for p in rendered.parent.iterdir() if p.name.startswith(".")
    ]  # no temporary leftovers


@pytest.mark.slow
def test_the_full_tables_workbook(rendered):
    """tables.xlsx: a contents sheet, then one sheet per findings table, in the report's words,
    with the precision columns (standard error, effective n, half-width, low precision)."""
    from openpyxl import load_workbook

    book = load_workbook(rendered / "tables.xlsx", read_only=True)
    fnd = json.loads((rendered / "findings.json").read_text(encoding="utf-8"))
    tables = [name for name, rows in fnd["tables"].items() if rows]
    words = load_catalogue("en")["report"]["workbook"]
    assert book.sheetnames == [words["contents"], *(words["sheets"][t] for t in tables)]
    contents = [r for r in book[words["contents"]].iter_rows(values_only=True) if any(r)]
    header = contents.index((words["sheet"], words["rows"], words["holds"]))
    assert [r[0] for r in contents[header + 1 :]] == book.sheetnames[1:]
    assert all(r[2] for r in contents[header + 1 :])  # every table is described
    items = list(book[words["sheets"]["items"]].iter_rows(values_only=True))
    head = next(i for i, r in enumerate(items) if r[0] == words["columns"]["item"])
    columns = words["columns"]
    for key in ("se", "effective_sample_size", "half_width", "low_precision"):
        assert columns[key] in items[head], key
    assert len(items) - head - 1 == len(fnd["tables"]["items"])


@pytest.mark.slow
def test_html_has_every_section_and_no_code(rendered):
    page = _html(rendered)
    for i, title in enumerate(SECTION_TITLES, start=1):
        assert f"{i}. {title}" in page
    assert len(SECTIONS) == len(SECTION_TITLES)
    for forbidden in (
        "Traceback",
        "Error",
        "import cipslib",
        "show(",
        "report.front.title_page",
        "jp-InputArea",
        "<script",
        "http://",
        "https://",
        "stderr",
        "R2025-",
    ):
        assert forbidden not in page, forbidden


@pytest.mark.slow
def test_html_has_the_expected_charts(rendered):
    page = _html(rendered)
    fnd = json.loads((rendered / "findings.json").read_text(encoding="utf-8"))
    factors = {r["factor"] for r in fnd["tables"]["factors"]}
    groups = {r["group"] for r in fnd["tables"]["factors"]}
    subgroup_charts = {(r["group"], r["variable"]) for r in fnd["tables"]["subgroups"]}
    driver_groups = {r["group"] for r in fnd["tables"]["drivers"]}
    # sample per group, factor chart, gap chart, one two-group chart per factor, the subgroup
    # heatmaps, the trend per group and the driver grid per group with a driver analysis
    expected = (
        len(groups) + 2 + len(factors) + len(subgroup_charts) + len(groups) + len(driver_groups)
    )
    assert page.count("<img") == expected
    assert page.count('src="data:image/png;base64,') == expected


def _flat(text: str) -> str:
    """Text with its whitespace as single spaces and none after an en dash (a line may break after
    the dash of a range such as 435–470)."""
    return re.sub(r"(?<=–) ", "", re.sub(r"\s+", " ", text))


@pytest.mark.slow
def test_pdf_has_pages_and_the_key_findings(rendered):
    from pypdf import PdfReader

    reader = PdfReader(next(rendered.glob("*.pdf")))
    assert 15 < len(reader.pages) <= 40
    first = re.sub(r"\s+", " ", reader.pages[0].extract_text())
    assert "INTEGRITY FINDINGS REPORT" in first and "Customs Integrity Perception Survey" in first
    pages = [_flat(page.extract_text()) for page in reader.pages]
    fnd = json.loads((rendered / "findings.json").read_text(encoding="utf-8"))
    summary = [f for f in fnd["key_findings"] if f["summary"]]
    assert 5 <= len(summary) <= 8
    assert [f["rank"] for f in fnd["key_findings"]] == list(range(1, len(fnd["key_findings"]) + 1))
    # the executive summary: on the pages after the title page and the dashboard, at most two,
    # with the story
    summary_pages = " ".join(pages[2:4])
    cb = load_codebook()  # the demo's; findings.json holds the keys, the report writes the words
    inds = load_indicators(cb)
    for finding in summary:
        sentence = _flat(render_finding(finding, cb, inds, "en"))
        assert sentence in summary_pages, sentence
    story = _flat(render_story(fnd["story"], cb, inds, "en"))
    assert story[:200] in summary_pages
    for finding in fnd["key_findings"]:
        if not finding["summary"]:
            assert _flat(render_finding(finding, cb, inds, "en")) not in summary_pages
    # one page per factor: each factor heading opens a page
    for factor in {r["factor"] for r in fnd["tables"]["factors"]}:
        name = cb.factor_name(factor, "en")
        opens = f"{factor}. {name}"
        if factor == 1:  # the first factor follows the section heading on its page
            opens = f"4. The factors one by one {opens}"
        assert any(p.strip().startswith(opens) for p in pages), name
    # the annex is in the PDF, on landscape pages, and names what tables.xlsx holds
    annex = next(i for i, p in enumerate(pages) if p.strip().startswith("12. Annex: full tables"))
    assert "A1. Every question" in pages[annex] and "tables.xlsx" in pages[annex]
    assert "A4. What tables.xlsx holds" in " ".join(pages[annex:])
    sizes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]
    assert all(w > h for w, h in sizes[annex:]) and all(w < h for w, h in sizes[:annex])


@pytest.mark.slow
def test_pdf_layout_keeps_tables_inside_the_margins_and_headings_with_their_text(rendered):
    """The PDF engine's layout: nothing runs past a page's margins, and no page ends with a
    heading, a table's title or a row group's caption."""
    from .layout import problems

    assert problems(next(rendered.glob("*.html"))) == []


@pytest.mark.slow
def test_pdf_second_page_is_the_dashboard(rendered):
    """Page 2 holds the whole dashboard (response rate, the ten factors, the headline indicators
    and its notes) and nothing else: the summary opens page 3."""
    from pypdf import PdfReader

    reader = PdfReader(next(rendered.glob("*.pdf")))
    second, third = (_flat(reader.pages[i].extract_text()) for i in (1, 2))
    fnd = json.loads((rendered / "findings.json").read_text(encoding="utf-8"))
    official = next(
        r for r in fnd["tables"]["response"] if r["group"] == "official" and r["variable"] is None
    )
    assert second.strip().startswith("At a glance")
    assert f"{official['rate']:.1f}% response rate" in second
    assert f"{official['in_scope']:,.0f} of {official['population']:,.0f} in scope" in second
    cb = load_codebook()
    for r in fnd["tables"]["factors"]:
        assert f"{r['factor']}. {cb.factor_name(r['factor'], 'en')}" in second
    inds = load_indicators(cb)
    headline = {
        inds[r["indicator"]].text["en"] for r in fnd["tables"]["experience"] if r["headline"]
    }
    for text in headline:
        assert _flat(text[:1].upper() + text[1:]) in second
    assert "no mark: no significant change" in second  # the dashboard's last note
    assert third.strip().startswith("1. Summary") and "At a glance" not in third


@pytest.mark.slow
@pytest.mark.skipif(
    find_chromium() is None, reason="needs Debian's chromium (installed by .ci/run)"
)
def test_html_in_a_real_browser(rendered):
    from .browser import inspect_page

    shot = ROOT / "tests" / "artifacts" / "report_2025.png"
    shot.parent.mkdir(exist_ok=True)
    shot.unlink(missing_ok=True)
    by_width = inspect_page(
        find_chromium(), next(rendered.glob("*.html")), shot, widths=(1280, 390)
    )
    for width, result in by_width.items():
        assert result["errors"] == [], width
        assert result["images"] > 20 and result["images_loaded"] == result["images"], width
        assert result["images_without_alt"] == 0, width
        assert result["scripts"] == 0
        for i, title in enumerate(SECTION_TITLES, start=1):
            assert f"{i}. {title}" in result["headings"], (width, title)
        assert result["too_wide"] == [] and result["page_width"] <= result["viewport_width"], (
            width,
            result,
        )
    assert shot.stat().st_size > 10_000


@pytest.mark.slow
def test_two_renders_give_identical_html(rendered, tmp_path):
    again = render(ROOT / "params" / "2025.yaml", formats=["html"], out=tmp_path, progress=False)
    first = hashlib.sha256(next(rendered.glob("*.html")).read_bytes()).hexdigest()
    second = hashlib.sha256(next(again.glob("*.html")).read_bytes()).hexdigest()
    assert first == second
    assert (again / "findings.json").read_bytes() == (rendered / "findings.json").read_bytes()


@pytest.mark.slow
def test_papermill_cli_style_parameters_work(tmp_path):
    """papermill notebooks/findings_report.ipynb out.ipynb -p params_file 2024.yaml, from the
    repository root (the params file is found in ./params)."""
    out = tmp_path / "out.ipynb"
    pm.execute_notebook(
        str(ROOT / "notebooks" / "findings_report.ipynb"),
        str(out),
        parameters={"params_file": "2024.yaml"},
        cwd=str(ROOT),
        kernel_name="python3",
        progress_bar=False,
    )
    nb = nbformat.read(out, as_version=4)
    page = notebook_to_html(nb, "t")
    assert "1. Summary" in page and "CIPS" in page or "Customs Integrity" in page
    assert "Change since the previous cycle" in page and "There is no previous cycle" in page


def _yaml_params(path):
    """The params file as ``papermill -f`` reads it (dates stay text)."""
    from papermill.iorw import read_yaml_file

    return read_yaml_file(str(path))


@pytest.mark.slow
def test_comparison_notebook(tmp_path):
    folder = render(
        ROOT / "params" / "2025.yaml",
        formats=["html"],
        out=tmp_path,
        progress=False,
        notebook="cycle_comparison.ipynb",
        name="comparison-2024-2025",
    )
    page = next(folder.glob("*.html")).read_text(encoding="utf-8")
    assert "CIPS 2024 – 2025" in page and page.count("<img") >= 3
    assert "Traceback" not in page and "Error" not in page


@pytest.mark.slow
def test_bad_previous_cycle_keeps_the_previous_report(rendered, tmp_path, capsys):
    out = tmp_path / "reports"
    shutil.copytree(rendered, out / "2025")
    before = {p.name: p.read_bytes() for p in (out / "2025").iterdir()}
    bad = tmp_path / "params"
    shutil.copytree(ROOT / "params", bad)
    (bad / "2024.yaml").write_text(
        (bad / "2024.yaml").read_text(encoding="utf-8").replace("data: demo", "data: missing.csv"),
        encoding="utf-8",
    )
    code = main(
        ["render", str(bad / "2025.yaml"), "--out", str(out), "--quiet", "--format", "html"]
    )
    printed = capsys.readouterr().err
    assert code == 2 and "missing.csv" in printed and "Traceback" not in printed
    assert {p.name: p.read_bytes() for p in (out / "2025").iterdir()} == before
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


@pytest.mark.slow
def test_a_failing_cell_is_reported_with_its_number(tmp_path, monkeypatch, capsys):
    import cipslib.report.render as r
    import cipslib.report.render.run as run

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [
        nbformat.v4.new_code_cell(
            "params_file = None\noutput_dir = None\nlanguage = 'en'\nparams_dir = None",
            metadata={"tags": ["parameters"]},
        ),
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_code_cell("raise ValueError('boom')"),
    ]
    path = tmp_path / "broken.ipynb"
    nbformat.write(nb, path)
    monkeypatch.setattr(run, "notebook_path", lambda name="": path)  # where render() looks it up
    out = tmp_path / "reports"
    with pytest.raises(r.RenderError) as err:
        r.render(
            ROOT / "params" / "2024.yaml",
            out=out,
            progress=False,
            notebook="broken.ipynb",
            name="x",
        )
    assert (
        "cell" in str(err.value)
        and "ValueError: boom" in str(err.value)
        and not err.value.bad_input
    )
    assert not (out / "x").exists() and not [p for p in out.iterdir() if p.name.startswith(".")]


def test_unknown_params_key_is_rejected_before_running(tmp_path, capsys):
    bad = tmp_path / "p.yaml"
    bad.write_text("cycle: 2025\ncolour: blue\n", encoding="utf-8")
    assert main(["render", str(bad), "--out", str(tmp_path / "r")]) == 2
    printed = capsys.readouterr().err
    assert "unknown setting 'colour'" in printed and "min_cell" in printed
    assert not (tmp_path / "r" / "2025").exists()


@pytest.mark.slow
@pytest.mark.skipif(
    find_chromium() is None, reason="needs Debian's chromium (installed by .ci/run)"
)
def test_chromium_pdf_engine(rendered, tmp_path):
    from pypdf import PdfReader

    from cipslib.report.render import html_to_pdf

    pdf = html_to_pdf(next(rendered.glob("*.html")), tmp_path / "chromium.pdf", engine="chromium")
    reader = PdfReader(pdf)
    assert len(reader.pages) > 20
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages[:3]))
    assert (
        "INTEGRITY FINDINGS REPORT" in text
        and "would refuse or ignore a request for a bribe" in text
    )
