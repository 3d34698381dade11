"""The one-page dashboard after the title page: response rate and respondents per group, the ten
factor indices with their change since the previous cycle, the headline experience indicators;
the response rate in the method, on a unit report's title page and on the index page."""

from __future__ import annotations

import dataclasses
import html
import re

import pytest

from cipslib.report.dashboard import format_rate

from ..conftest import ROOT


def _text(block) -> str:
    """The block's text, tags and runs of ordinary white space as single spaces (no-break spaces
    kept)."""
    return html.unescape(re.sub(r"[ \t\n]+", " ", re.sub(r"<[^>]+>", " ", str(block))))


def test_the_dashboard_shows_the_response_rate_in_the_languages_format(report_2025_en):
    t = report_2025_en.findings.tables["response"]
    official = t[(t["group"] == "official") & t["variable"].isna()].iloc[0]
    rate = official["rate"]
    en = _text(report_2025_en.front.dashboard())
    assert f"{rate:.1f}%" == "41.3%" and "41.3% response rate" in en
    assert f"{int(official['in_scope']):,} of {int(official['population']):,} in scope" in en
    uk = _text(dataclasses.replace(report_2025_en, language="uk").front.dashboard())
    assert "41,3\u00a0% рівень участі" in uk and "4\u00a0091 з 9\u00a0912" in uk
    assert format_rate(report_2025_en.fmt, rate) == "41.3%"


def test_the_dashboard_shows_the_factors_changes_and_headline_indicators(report_2025_en):
    block = str(report_2025_en.front.dashboard())
    text = _text(block)
    fnd = report_2025_en.findings
    for name in fnd.tables["factors"]["factor_name"].unique():
        assert name in text
    headline = fnd.tables["experience"]
    for words in headline.loc[headline["headline"].astype(bool), "text"].unique():
        assert words[:1].upper() + words[1:] in text
    # a significant change carries the catalogue's mark, a change that is not significant none
    tr = fnd.tables["trends"]
    std = tr[(tr["comparison"] == "standardised") & (tr["kind"] == "factor_index")]
    up = std[std["significant"] & (std["change"] > 0)]
    assert len(up) and "▲\u00a0+" in block and "significant rise" in text
    quiet = std[~std["significant"]].iloc[0]
    assert report_2025_en.fmt.number(quiet["change"], 1, signed=True) in text
    # one section, with its page break after it in print
    assert block.startswith('<section class="dashboard">') and "Change: since 2024" in text


def test_without_a_previous_cycle_every_change_reads_a_dash(report_2024_en):
    text = _text(report_2024_en.front.dashboard())
    assert "there is no previous cycle to compare with" in text
    assert "▲" not in text and "▼" not in text
    assert re.search(r"1\. Leadership and Commitment \d+ \(\d+–\d+\) [\d,]+ – ", text)


def test_the_method_defines_the_response_rate(report_2025_en):
    text = _text(report_2025_en.method.body())
    assert "The response rate is the number of respondents retained after the quality" in text
    assert "reference date 1 January 2025" in text and "not a probability sample" in text


@pytest.mark.slow
def test_unit_reports_and_the_index_page_give_each_units_response_rate():
    import yaml

    from cipslib.report.unit import UnitReport, index_body

    staff = yaml.safe_load((ROOT / "params" / "population" / "scs_staff.yaml").read_text())
    unit = UnitReport.build(ROOT / "params" / "2025.yaml", "region", "west", "en")
    n = unit.respondents()["official"]
    rate = f"{100 * n / staff['margins']['region']['west']:.1f}%"
    title = _text(unit.title_page())
    assert f"Officials {n:,} (response rate {rate})" in title
    assert "no response rate: no population count per unit" in title  # no regions in the frame
    doc = unit.national.units_document()
    links = {u["unit"]: f"units/{u['unit']}.html" for u in doc["units"]}
    page = str(index_body(doc, "findings.html", links))
    assert f"<td>Western region</td><td>{n:,}</td><td>{rate}</td>" in page
    assert "where it cannot be given (no population figures for" in _text(page)
    west = next(u for u in doc["units"] if u["unit"] == "west")
    assert west["respondents"]["official"] == n and west["response_rate"]["private"] is None
