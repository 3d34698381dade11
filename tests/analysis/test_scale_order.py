"""Scale order, not code numbers: renumbering a scale's codes while keeping their listed order
leaves every figure unchanged."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

import cipslib
from cipslib.analysis.findings import Options, compute_findings
from cipslib.analysis.prepare import prepare_data
from cipslib.analysis.scoring import load_indicators, shipped_indicators_path
from cipslib.inputs.codebook import shipped_codebook_path
from cipslib.inputs.population import load_population
from cipslib.inputs.synthetic import simulate_cycle

from ..conftest import ROOT, write_csv
from ..findings_helpers import sentence

# new code of each agree5 code: strongly disagree .. strongly agree become 3, 1, 5, 2, 4
RENUMBER = {1: 3, 2: 1, 3: 5, 4: 2, 5: 4}


def _renumbered_codebook(path) -> None:
    spec = yaml.safe_load(shipped_codebook_path().read_text(encoding="utf-8"))
    agree = spec["scales"]["agree5"]
    agree["codes"] = {RENUMBER[c]: labels for c, labels in agree["codes"].items()}
    agree["neutral"] = RENUMBER[agree["neutral"]]
    agree["favourable"] = [RENUMBER[c] for c in agree["favourable"]]
    path.write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _renumbered_indicators(path, codebook) -> None:
    spec = yaml.safe_load(shipped_indicators_path().read_text(encoding="utf-8"))
    items = codebook.items
    for ind in spec["indicators"].values():
        row = items[(items["key"] == ind["item"]) | (items["id"] == ind["item"])].iloc[0]
        if row["scale"] == "agree5":
            ind["codes"] = [RENUMBER[c] for c in ind["codes"]]
    path.write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _findings(tmp_path, name, codebook, frame, indicators):
    path = write_csv(frame, tmp_path / f"{name}.csv")
    loaded = cipslib.load_cycle(path, codebook, 2025)
    pops = {
        g: load_population(ROOT / "params" / "population" / f, codebook)
        for g, f in (("official", "scs_staff.yaml"), ("private", "private_frame.yaml"))
    }
    prepared = prepare_data(loaded, pops)
    return compute_findings(prepared, options=Options(min_cell=10), indicators=indicators)


@pytest.mark.slow
def test_renumbering_a_scale_leaves_every_figure_unchanged(tmp_path, codebook, raw2025):
    _renumbered_codebook(tmp_path / "codebook.yaml")
    renumbered = cipslib.load_codebook(tmp_path / "codebook.yaml")
    assert not renumbered.scales["agree5"].in_code_order
    _renumbered_indicators(tmp_path / "indicators.yaml", codebook)

    frame = raw2025.copy()
    moved = frame.copy()
    for iid in codebook.items.loc[codebook.items["scale"] == "agree5", "id"]:
        if iid in moved:
            moved[iid] = moved[iid].map(lambda v: RENUMBER.get(v, v) if pd.notna(v) else v)

    ours = _findings(tmp_path, "ours", codebook, frame, load_indicators(codebook))
    theirs = _findings(
        tmp_path,
        "theirs",
        renumbered,
        moved,
        load_indicators(renumbered, tmp_path / "indicators.yaml"),
    )
    assert set(ours.tables) == set(theirs.tables)
    compared = 0
    for name, a in ours.tables.items():
        b = theirs.tables[name]
        if name == "distributions":  # the codes themselves differ; the rest must not
            agree = a["item"].map(lambda i: codebook.item(i)["scale"] == "agree5")
            a = a.assign(code=np.where(agree, a["code"].map(RENUMBER), a["code"]))
        if not isinstance(a, pd.DataFrame):
            continue
        if "codes" in a:  # an indicator's answer codes, renumbered with the scale
            a, b = a.drop(columns="codes"), b.drop(columns="codes")
        pd.testing.assert_frame_equal(
            a.reset_index(drop=True),
            b.reset_index(drop=True),
            check_exact=False,
            rtol=0,
            atol=1e-9,
            check_dtype=False,
        )
        compared += 1
    assert compared >= 10
    assert [sentence(ours, k) for k in ours.key_findings] == [
        sentence(theirs, k) for k in theirs.key_findings
    ]


@pytest.mark.slow
def test_check_says_when_code_numbers_are_not_in_scale_order(tmp_path, codebook):
    from ..test_cli import cips

    _renumbered_codebook(tmp_path / "codebook.yaml")
    frame = simulate_cycle(2024, codebook).head(60)
    for iid in codebook.items.loc[codebook.items["scale"] == "agree5", "id"]:
        if iid in frame:
            frame[iid] = frame[iid].map(lambda v: RENUMBER.get(v, v) if pd.notna(v) else v)
    data = write_csv(frame, tmp_path / "export.csv")
    r = cips("check", str(data), "--cycle", "2024", "--codebook", str(tmp_path / "codebook.yaml"))
    assert r.returncode == 0, r.stderr
    assert (
        "scale 'agree5': the code numbers are not in the scale's listed order; scores follow the "
        "listed order (least to most favourable): 3 Strongly disagree < 1 Disagree < "
        "5 Neither agree nor disagree < 2 Agree < 4 Strongly agree"
    ) in r.stdout
    assert "scale 'experience3'" not in r.stdout
    plain = cips("check", "params/2024.yaml")
    assert "not in the scale's listed order" not in plain.stdout
