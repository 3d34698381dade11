"""A language is a catalogue file plus the texts of the codebook, indicators and KPIs in it: a new
one needs no code. Here a catalogue ``xx.yaml`` in a folder of one's own (``CIPS_CATALOGUES``) and
texts in ``xx`` render a report."""

from __future__ import annotations

import html
import json
import re
import shutil

import pytest
import yaml

from cipslib.analysis.scoring import load_indicators
from cipslib.errors import CipsDataError
from cipslib.inputs.codebook import load_codebook, shipped_codebook_path
from cipslib.inputs.params import load_params
from cipslib.inputs.yamlfile import read_yaml
from cipslib.report.render import render
from cipslib.text.catalogue import catalogues_dir, load_catalogue
from cipslib.text.sentences import render_finding

from ..conftest import ROOT

XX = "xx"


def _with_xx(node):
    """Every text given in English also given in ``xx``: the English words, marked."""
    if isinstance(node, dict):
        out = {k: _with_xx(v) for k, v in node.items()}
        if isinstance(node.get("en"), str):
            out[XX] = f"{node['en']} [xx]"
        return out
    if isinstance(node, list):
        return [_with_xx(v) for v in node]
    return node


def _catalogue(folder):
    """en.yaml copied as xx.yaml with some words changed."""
    text = (catalogues_dir() / "en.yaml").read_text(encoding="utf-8")
    text = text.replace("    summary: Summary\n", "    summary: Xummary\n")
    text = re.sub(r"^language: en$", "language: xx", text, flags=re.M)
    path = folder / "xx.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _yaml(path, doc):
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def xx_params(tmp_path, monkeypatch):
    """A catalogue folder named by CIPS_CATALOGUES, a codebook, indicators and KPIs with texts in
    xx, and the 2025 params pointing at them with ``language: xx``."""
    folder = tmp_path / "catalogues"
    folder.mkdir()
    _catalogue(folder)
    monkeypatch.setenv("CIPS_CATALOGUES", str(folder))
    read = lambda p: yaml.safe_load(p.read_text(encoding="utf-8"))  # noqa: E731
    codebook = _yaml(tmp_path / "codebook.yaml", _with_xx(read(shipped_codebook_path())))
    indicators = _yaml(
        tmp_path / "indicators.yaml",
        _with_xx(read(shipped_codebook_path().parent / "indicators.yaml")),
    )
    kpis = _yaml(tmp_path / "kpis.yaml", _with_xx(read(ROOT / "params" / "pmm_kpis.yaml")))
    params = read(ROOT / "params" / "2025.yaml")
    params |= {
        "codebook": str(codebook),
        "indicators": str(indicators),
        "kpis": str(kpis),
        "language": XX,
        "previous": str(ROOT / "params" / "2024.yaml"),
        "population": {g: str(ROOT / "params" / p) for g, p in params["population"].items()},
        "title": {"en": "CIPS 2025", XX: "CIPS 2025 [xx]"},
    }
    return _yaml(tmp_path / "2025.yaml", params)


def test_a_new_catalogue_and_texts_render_a_report_with_no_code_change(xx_params, tmp_path):
    assert load_catalogue(XX)["report"]["sections"]["summary"] == "Xummary"
    assert load_codebook(load_params(xx_params).codebook_path).languages[-1] == XX
    folder = render(xx_params, formats=["html"], out=tmp_path / "out", progress=False)
    page = next(folder.glob("*.html")).read_text(encoding="utf-8")
    assert 'lang="xx"' in page and "Xummary" in page
    assert "CIPS 2025 [xx]" in page
    assert "Leadership and Commitment [xx]" in page  # a factor's name, from the codebook
    assert "Central office [xx]" in page  # a level of a respondent variable
    assert "Would refuse or report an offered bribe [xx]" in page  # an indicator
    assert "Traders who would refuse or ignore a bribe request [xx]" in page  # a KPI
    # findings.json holds keys and numbers: the xx words are looked up when the page is written
    doc = json.loads(next(folder.glob("findings.json")).read_text(encoding="utf-8"))
    held = json.dumps([doc["tables"], doc["key_findings"], doc["story"]], ensure_ascii=False)
    assert "[xx]" not in held
    p = load_params(xx_params)
    cb = load_codebook(p.codebook_path)
    inds = load_indicators(cb, p.indicators)
    first = render_finding(doc["key_findings"][0], cb, inds, XX)
    assert "[xx]" in first and html.escape(first, quote=False) in page


def test_a_catalogue_that_lacks_texts_is_refused_naming_them(tmp_path, monkeypatch):
    folder = tmp_path / "catalogues"
    folder.mkdir()
    doc = read_yaml(_catalogue(folder), "catalogue")  # YAML 1.2, as cipslib reads it: yes is a word
    del doc["report"]["sections"]["summary"], doc["words"]["to"]
    _yaml(folder / "xx.yaml", doc)
    monkeypatch.setenv("CIPS_CATALOGUES", str(folder))
    with pytest.raises(CipsDataError) as err:
        load_catalogue(XX)
    assert "lacks 2 text(s) of en.yaml: report.sections.summary, words.to" in str(err.value)


def test_a_report_language_needs_a_catalogue_and_the_codebooks_wording(xx_params, tmp_path):
    from cipslib.report.render import check_language

    params = load_params(xx_params)
    check_language(params, XX)  # catalogue and wording: fine
    with pytest.raises(CipsDataError) as err:
        check_language(params, "de")
    text = str(err.value)
    assert "no language catalogue 'de.yaml'" in text and "CIPS_CATALOGUES=" in text
    assert "the codebook gives no 'de' wording" in text
    shutil.copy(catalogues_dir() / "en.yaml", tmp_path / "catalogues" / "de.yaml")
    with pytest.raises(CipsDataError) as err:
        check_language(params, "de")
    assert "no language catalogue" not in str(err.value)
