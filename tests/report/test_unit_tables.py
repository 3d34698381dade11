"""The unit reports' tables (2025 demo, units by region): every table names its unit and group; a
change whose CI runs more than ±10 points carries †; the unit's previous figure is shown with its n;
subgroup tables have a CI per cell, their n and the codebook's order of levels; the method names
the weighting variables instead of pointing at a table that is not there; each unit has a workbook;
the index lists each unit with its respondents, response rate and links."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest
from openpyxl import load_workbook

from cipslib.inputs.codebook import load_codebook
from cipslib.report.unit import NationalReports, UnitReport, index_body, national_report

from ..conftest import ROOT
from .tables import tables

PARAMS = ROOT / "params" / "2025.yaml"

pytestmark = pytest.mark.slow  # the national report with unit figures and a report per region


@pytest.fixture(scope="module")
def reports():
    """The national reports this module's unit reports are read beside (built once)."""
    return NationalReports()


@pytest.fixture(scope="module")
def national(reports):
    return national_report(PARAMS, "region", "en", reports)


@pytest.fixture(scope="module")
def units(national, reports):
    return [UnitReport.build(PARAMS, "region", u, "en", reports) for u in national.units.units]


def test_the_unit_reports_read_the_national_report_their_batch_kept(reports, national, units):
    assert all(unit.national is national for unit in units)
    assert national_report(PARAMS, "region", "en", reports) is national
    # another language: the same figures, kept in their turn; only the words differ
    uk = national_report(PARAMS, "region", "uk", reports)
    assert uk.language == "uk" and uk.units is national.units
    assert uk.findings.analysed is national.findings.analysed
    assert national_report(PARAMS, "region", "uk", reports) is uk
    # a report without unit figures is not kept; one with them is, under its own key
    other = NationalReports()
    assert other.keep(dataclasses.replace(national, units=None)) is not None and len(other) == 0
    other.keep(national)
    assert other.get(PARAMS, "region", "en") is national and len(other) == 1


def _group_name(group, language="en"):
    return load_codebook().groups[group].lower(language)


def _comparison_tables(unit):
    for group in unit.groups:
        for kind, make in (
            ("factor_index", unit.factors_table),
            ("indicator", unit.experience_table),
        ):
            (table,) = tables(make(group))
            yield group, kind, table


def test_every_unit_table_names_its_unit_and_group(units):
    for unit in units:
        for group, _, table in _comparison_tables(unit):
            assert table["caption"].startswith(f"{unit.name}, {_group_name(group)}: ")
        subgroups = tables(unit.subgroup_tables())
        assert subgroups
        groups = unit.tables["subgroups"].groupby(["group", "variable"], sort=False).size()
        for (group, _), table in zip(groups.index, subgroups, strict=True):
            assert table["caption"].startswith(f"{unit.name}, {_group_name(group)}: ")


def test_the_previous_figure_and_its_n_stand_beside_the_change(units):
    unit = next(u for u in units if u.unit == "west")
    fmt = unit.national.fmt
    checked = 0
    for group, kind, table in _comparison_tables(unit):
        assert table["header"][5:] == ["2024", "n", "Change (95% CI)"]
        ch = unit.tables["changes"]
        ch = ch[(ch["group"] == group) & (ch["kind"] == kind)].set_index("measure")
        est = unit._rows("estimates", group, kind)
        for (_, e), row in zip(est.iterrows(), table["rows"], strict=True):
            assert row[2] == unit.national._n(e["n"])  # this cycle's n, not the previous one's
            if e["measure"] not in ch.index:
                assert row[5:] == ["–", "–", "–"]
                continue
            c = ch.loc[e["measure"]]
            assert row[5] == fmt.number(c["estimate_prev"], 0)
            assert row[6] == fmt.count(c["n_prev"])
            assert row[7].startswith(fmt.number(c["change"], 1, signed=True) + " (")
            checked += 1
    assert checked >= 20


def test_a_change_with_a_ci_wider_than_10_points_carries_the_mark(units):
    marked = 0
    for unit in units:
        ch = unit.tables["changes"]
        for group, kind, table in _comparison_tables(unit):
            if len(table["header"]) < 8:
                continue  # no previous cycle for this unit (the pool of other units)
            part = ch[(ch["group"] == group) & (ch["kind"] == kind)].set_index("measure")
            est = unit._rows("estimates", group, kind)
            for (_, e), row in zip(est.iterrows(), table["rows"], strict=True):
                if e["measure"] not in part.index:
                    continue
                c = part.loc[e["measure"]]
                if (c["ci_high"] - c["ci_low"]) / 2 > 10:
                    assert row[7].endswith("†"), (unit.unit, e["measure"], row[7])
                    marked += 1
                assert row[7].endswith("†") == bool(c["low_precision"])
            if any(r[7].endswith("†") for r in table["rows"]):
                assert "† low precision" in table["caption"]
    assert marked > 0  # the 2024 regions had few respondents: wide intervals exist


def test_subgroup_tables_give_ci_and_n_with_the_levels_in_codebook_order(units, codebook):
    for unit in units:
        sub = unit.tables["subgroups"]
        sub = sub[sub["kind"] == "factor_index"]
        pairs = sub.groupby(["group", "variable"], sort=False).size().index
        for (group, variable), table in zip(pairs, tables(unit.subgroup_tables()), strict=True):
            levels = list(codebook.variables[variable].levels)
            present = set(sub.loc[(sub["group"] == group) & (sub["variable"] == variable), "level"])
            expected = [codebook.level_label(variable, lv, "en") for lv in levels if lv in present]
            assert table["header"] == ["Factor", *expected]
            *rows, n_row = table["rows"]
            assert len(rows) == 10 and n_row[0] == "n"
            for row in rows:
                for cell in row[1:]:
                    assert cell == "<10" or re.fullmatch(r"\d+ \(\d+–\d+\)( †)?", cell), cell
            for cell in n_row[1:]:
                assert cell == "<10" or re.fullmatch(r"[\d,]+(–[\d,]+)?", cell), cell


def test_the_method_names_the_weighting_variables(units):
    unit = next(u for u in units if u.unit == "west")
    text = str(unit.method())
    assert "shown below" not in text
    assert "officials: customs region, position and years of service in Customs" in text
    assert "private sector: type of business" in text


def test_each_unit_has_a_workbook_of_its_tables(units, tmp_path):
    unit = next(u for u in units if u.unit == "west")
    (path,) = unit.save(tmp_path)
    book = load_workbook(path)
    assert book.sheetnames == [
        "Contents",
        "Estimates",
        "Unit vs rest",
        "Change since last cycle",
        "Subgroups",
        "Response rate",
    ]
    cells = {c.value for row in book["Change since last cycle"].iter_rows() for c in row}
    assert {"Estimate", "Previous cycle", "n", "n, previous cycle", "Change"} <= cells
    assert "Western region" in cells and "west" not in cells
    assert "Response rate, %" in {c.value for row in book["Response rate"].iter_rows() for c in row}


def test_the_index_lists_each_unit_with_its_respondents_rate_and_links(national):
    response = national.units.response
    doc = json.loads(json.dumps(national.units_document()))
    assert doc["languages"] == ["uk", "fr"]
    west = next(u for u in doc["units"] if u["unit"] == "west")
    data = national.current.data
    for g in ("official", "private"):
        expect = int(((data["region"] == "west") & (data["group"] == g)).sum())
        assert west["respondents"][g] == expect
    rate = response[(response["unit"] == "west") & (response["group"] == "official")]["rate"]
    assert west["response_rate"] == {"official": float(rate.iloc[0]), "private": None}
    assert all("respondents" not in w for w in doc["withheld"])
    links = {
        u["unit"]: {
            "html": f"units/{u['unit']}/r.html",
            "pdf": f"units/{u['unit']}/r.pdf",
            "uk": f"units/{u['unit']}/uk/r.html",
            "xlsx": f"units/{u['unit']}/tables.xlsx",
        }
        for u in doc["units"]
    }
    body = index_body(doc, "findings.html", links)
    (table,) = tables(body)
    assert table["header"] == [
        "Unit",
        "Officials: respondents",
        "Officials: response rate",
        "Private sector: respondents",
        "Private sector: response rate",
        "Report",
    ]
    row = next(r for r in table["rows"] if r[0] == "Western region")
    fmt = national.fmt
    assert row[1:5] == [
        fmt.count(west["respondents"]["official"]),
        f"{float(rate.iloc[0]):.1f}%",
        fmt.count(west["respondents"]["private"]),
        "–",
    ]
    assert row[5] == "HTML · PDF · Українська · Tables (XLSX)"
    central = next(r for r in table["rows"] if r[0] == "Central office")
    assert central[3:5] == ["–", "–"]  # no private-sector report for the central office
    for kind in ("r.html", "r.pdf", "uk/r.html", "tables.xlsx"):
        assert f'href="units/west/{kind}"' in body
