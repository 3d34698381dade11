"""Anonymity: canaries planted in identifier, free-text and unknown columns appear in no artefact;
the disclosure audit passes on the demo report and on a deliberately small dataset; inputs are never
modified."""

from __future__ import annotations

import hashlib
import zipfile

import numpy as np
import pytest

from cipslib.analysis.audit import audit_findings, audit_html, audit_report
from cipslib.report.render import render

from ..conftest import ROOT, write_csv

CANARY = "ZQXCANARY"


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _params(folder, data, population_official, extra="", private=True):
    path = folder / "cycle.yaml"
    frame = (
        f"  private: {ROOT / 'params' / 'population' / 'private_frame.yaml'}\n" if private else ""
    )
    path.write_text(
        f"cycle: 2025\ntitle: Canary test\ndata: {data}\n"
        f"population:\n  official: {population_official}\n"
        f"{frame}previous: null\n"
        f"fieldwork: {{start: 2025-09-15, end: 2025-09-30, mode: online}}\n"
        f"kpis: {ROOT / 'params' / 'pmm_kpis.yaml'}\n{extra}",
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def canary_report(raw2025, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("canary")
    raw = raw2025.copy()
    raw["respondent_id"] = [f"{CANARY}-ID-{i:05d}" for i in range(len(raw))]
    raw["comment"] = [f"{CANARY}-TEXT {i}" for i in range(len(raw))]
    raw["email"] = [f"{CANARY}{i}@example.org" for i in range(len(raw))]
    raw["ip_address"] = f"{CANARY}-IP"
    raw["interviewer_note"] = f"{CANARY}-EXTRA"
    data = write_csv(raw, tmp / "export.csv")
    params = _params(tmp, data, ROOT / "params" / "population" / "scs_staff.yaml")
    before = {p: _sha(p) for p in (data, params)}
    folder = render(params, out=tmp / "reports", progress=False)
    return folder, before


@pytest.mark.slow
def test_canaries_appear_in_no_artefact(canary_report):
    from pypdf import PdfReader

    folder, _ = canary_report
    names = sorted(p.name for p in folder.iterdir())
    assert {"findings.json", "kpis.csv", "kpis.xlsx"} <= set(names) and any(
        n.endswith(".pdf") for n in names
    )
    for path in folder.iterdir():
        if path.suffix in (".json", ".csv", ".html", ".ipynb"):
            assert CANARY not in path.read_text(encoding="utf-8"), path.name
        elif path.suffix == ".pdf":
            text = " ".join(page.extract_text() for page in PdfReader(path).pages)
            assert CANARY not in text and CANARY.encode() not in path.read_bytes()
        elif path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as z:
                assert all(CANARY.encode() not in z.read(name) for name in z.namelist())


@pytest.mark.slow
def test_no_raw_rows_and_inputs_unchanged(canary_report):
    folder, before = canary_report
    assert all(_sha(p) == h for p, h in before.items())
    page = next(folder.glob("*.html")).read_text(encoding="utf-8")
    assert "R2025-" not in page and "respondent_id" not in page


@pytest.mark.slow
def test_demo_report_passes_the_disclosure_audit(canary_report):
    folder, _ = canary_report
    assert audit_report(folder, 10, identifiers=[f"{CANARY}-ID-00001"]) == []


@pytest.fixture(scope="module")
def small_report(raw2025, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("small")
    raw = raw2025.copy()
    rng = np.random.default_rng(5)
    off = rng.choice(np.flatnonzero((raw["group"] == 1).to_numpy()), 45, replace=False)
    prv = rng.choice(np.flatnonzero((raw["group"] == 2).to_numpy()), 15, replace=False)
    small = raw.iloc[np.sort(np.concatenate([off, prv]))].drop(columns=["duration_s"])
    small["mode"] = 1
    data = write_csv(small, tmp / "small.csv")
    roles = tmp / "roles.yaml"
    roles.write_text(
        "group: official\ntitle: staff by role\nsource: test\nillustrative: true\ntotal: 9912\n"
        "margins:\n  role: {manager: 2031, non_manager: 7881}\n",
        encoding="utf-8",
    )
    params = _params(tmp, data, roles, "quality: {exclude: []}\n", private=False)
    return render(params, formats=["html"], out=tmp / "reports", progress=False)


@pytest.mark.slow
def test_small_dataset_report_passes_the_audit_with_many_hidden_cells(small_report):
    import json

    assert audit_report(small_report, 10) == []
    doc = json.loads((small_report / "findings.json").read_text(encoding="utf-8"))
    hidden = sum(r.get("suppressed") is True for t in doc["tables"].values() for r in t)
    assert hidden >= 50
    page = next(small_report.glob("*.html")).read_text(encoding="utf-8")
    assert "&lt;10" in page
    from openpyxl import load_workbook

    book = load_workbook(small_report / "tables.xlsx", read_only=True)
    cells = [v for row in book["Subgroups"].iter_rows(values_only=True) for v in row]
    assert "<10" in cells  # hidden cells read as the report's label


def test_the_audit_catches_what_it_should():
    doc = {
        "tables": {
            "items": [{"n": 7, "suppressed": False}],
            "subgroups": [
                {"group": "official", "variable": "region", "measure": "m", "suppressed": True},
                {"group": "official", "variable": "region", "measure": "m", "suppressed": False},
            ],
        },
        "key_findings": [{"rank": 1, "n": 4}],
    }
    problems = audit_findings(doc, 10)
    assert len(problems) == 3
    assert audit_html("<p>(n = 9)</p>", 10) and audit_html("<td>n = 1,234</td>", 10) == []
    assert audit_html("<p>ID-77</p>", 10, ["ID-77"])
