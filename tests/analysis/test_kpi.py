"""PMM KPI export: definitions checked against the codebook, values from the findings, CSV and
XLSX."""

from __future__ import annotations

import pandas as pd
import pytest

import cipslib
from cipslib.analysis.kpi import kpi_table, load_kpis, write_kpis
from cipslib.analysis.scoring import load_indicators
from cipslib.cli import main

from ..conftest import ROOT

KPI_FILE = ROOT / "params" / "pmm_kpis.yaml"


@pytest.fixture(scope="module")
def indicators(codebook):
    return load_indicators(codebook)


def test_shipped_kpis_load(codebook, indicators):
    kpis = load_kpis(KPI_FILE, codebook, indicators)
    assert len(kpis) >= 6
    assert {k.dimension for k in kpis.values()} >= {"Organizational Development"}


def test_kpi_values_come_from_the_findings(codebook, indicators, tmp_path, findings_2024):
    f24 = findings_2024  # 2024 has no previous cycle
    kpis = load_kpis(KPI_FILE, codebook, indicators)
    table = kpi_table([f24], kpis, codebook, indicators)
    row = table[table["kpi"] == "INT-01"].iloc[0]
    ref = f24.measure("indicator.bribe_refuse_or_ignore", "private")
    assert row["value"] == pytest.approx(ref["estimate"]) and row["n"] == ref["n"]
    assert row["ci_low"] < row["value"] < row["ci_high"]
    assert row["baseline"] == pytest.approx(row["value"]) and row["change_from_baseline"] == 0
    assert "Refuse" in row["numerator"] and "valid answer" in row["denominator"]
    csv, xlsx = write_kpis(table, tmp_path)
    back = pd.read_csv(csv, encoding="utf-8-sig")
    assert list(back["kpi"]) == list(table["kpi"])
    sheet = pd.read_excel(xlsx, sheet_name="kpis")
    assert sheet["value"].iloc[0] == pytest.approx(table["value"].iloc[0])


def _write(tmp_path, body: str):
    path = tmp_path / "kpis.yaml"
    path.write_text(body, encoding="utf-8")
    return path


GOOD = """kpis:
  K1:
    name: x
    dimension: Organizational Development
    outcome: y
    formula: {measure: MEASURE, group: GROUP}
    direction: higher
    source: CIPS
    reference_year: 2024
    frequency: annual
    disclosure: public
"""


def test_unknown_indicator_in_a_formula_is_a_clear_error(codebook, indicators, tmp_path):
    path = _write(
        tmp_path, GOOD.replace("MEASURE", "indicator.safe_reportin").replace("GROUP", "official")
    )
    with pytest.raises(cipslib.CipsDataError) as err:
        load_kpis(path, codebook, indicators)
    text = str(err.value)
    assert "unknown indicator 'indicator.safe_reportin'" in text and str(path) in text
    assert "indicator.safe_reporting" in text  # a suggestion


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("Organizational Development", "Integrity", "unknown dimension"),
        ("disclosure: public", "disclosure: secret", "unknown disclosure"),
        ("reference_year: 2024", "reference_year: soon", "must be a year"),
        ("    source: CIPS\n", "", "'source' is missing"),
        ("GROUP", "customs", "group must be one of .*expected official or private"),
    ],
)
def test_bad_kpi_settings(codebook, indicators, tmp_path, old, new, message):
    body = GOOD.replace("MEASURE", "factor_index.1").replace(old, new).replace("GROUP", "official")
    with pytest.raises(cipslib.CipsDataError, match=message):
        load_kpis(_write(tmp_path, body), codebook, indicators)


def test_indicator_not_asked_of_the_group(codebook, indicators, tmp_path):
    body = GOOD.replace("MEASURE", "indicator.oc_pressure_any").replace("GROUP", "private")
    with pytest.raises(cipslib.CipsDataError, match="not asked of the private group"):
        load_kpis(_write(tmp_path, body), codebook, indicators)


@pytest.mark.slow
def test_cips_kpi_command(tmp_path, capsys):
    assert main(["kpi", str(ROOT / "params" / "2024.yaml"), "--out", str(tmp_path / "kpi")]) == 0
    assert (tmp_path / "kpi" / "kpis.csv").exists() and (tmp_path / "kpi" / "kpis.xlsx").exists()
    bad = _write(tmp_path, GOOD.replace("MEASURE", "nope.1").replace("GROUP", "official"))
    assert (
        main(
            [
                "kpi",
                str(ROOT / "params" / "2024.yaml"),
                "--kpis",
                str(bad),
                "--out",
                str(tmp_path / "kpi2"),
            ]
        )
        == 2
    )
    printed = capsys.readouterr()
    assert (
        "unknown indicator 'nope.1'" in printed.err and "Traceback" not in printed.err + printed.out
    )
    assert not (tmp_path / "kpi2").exists()


@pytest.mark.slow
def test_cips_findings_command(tmp_path, capsys):
    assert main(["findings", str(ROOT / "params" / "2024.yaml"), "--out", str(tmp_path)]) == 0
    assert (tmp_path / "findings.json").exists()
    assert "would refuse or ignore a request for a bribe" in capsys.readouterr().out
