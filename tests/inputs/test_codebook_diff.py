"""cips codebook diff: the items added, removed, reworded, re-scaled, moved and asked of other
groups between two codebooks, matched by their cross-cycle key; and an export that lacks an item the
codebook says was asked is refused with the fix named."""

from __future__ import annotations

import contextlib
import io

import yaml

from cipslib.cli import main
from cipslib.inputs.codebook import load_codebook, shipped_codebook_path
from cipslib.inputs.codebook_diff import diff_codebooks

from ..conftest import ROOT


def _changed(tmp_path):
    raw = yaml.safe_load(shipped_codebook_path().read_text(encoding="utf-8"))
    items = {i["id"]: i for i in raw["items"]}
    items["lead_01"]["text"]["en"] = "Leadership is committed to fighting corruption."
    items["lead_02"]["scale"] = "yes_no"
    items["lead_03"]["factor"] = 9
    items["tra_02"]["instruments"] = ["official"]
    raw["items"] = [i for i in raw["items"] if i["id"] != "hrm_05"]
    new = dict(items["lead_01"], id="lead_99", key="LEAD_NEW")
    raw["items"].append(new)
    path = tmp_path / "new.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_every_kind_of_change_is_listed(tmp_path):
    old, new = load_codebook(), load_codebook(_changed(tmp_path))
    d = diff_codebooks(old, new)
    found = {(r.change, r.key) for r in d.itertuples()}
    key = {i: old.item(i)["key"] for i in ("lead_01", "lead_02", "lead_03", "tra_02", "hrm_05")}
    assert ("added", "LEAD_NEW") in found
    assert ("removed", key["hrm_05"]) in found
    assert ("reworded", key["lead_01"]) in found
    assert ("moved", key["lead_03"]) in found
    assert ("asked_of", key["tra_02"]) in found
    assert ("rescaled", key["lead_02"]) in found
    moved = d[d["change"] == "moved"].iloc[0]
    assert (moved["old"], moved["new"]) == ("1", "9")
    assert diff_codebooks(old, old).empty
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert (
            main(["codebook", "diff", str(shipped_codebook_path()), str(tmp_path / "new.yaml")])
            == 0
        )
    assert "reworded:" in out.getvalue() and "Leadership is committed" in out.getvalue()


def test_a_missing_item_names_the_cycles_fix(tmp_path, demo2025):
    from cipslib import load_cycle

    data = demo2025.data.drop(columns=["overall_integrity"])
    path = tmp_path / "cips_2025.csv"
    data.to_csv(path, index=False)
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["check", str(path), "--cycle", "2025"])
    assert code == 2
    assert "the column for item 'overall_integrity' is missing" in err.getvalue()
    assert "give the item 'cycles:' without 2025" in err.getvalue()
    assert load_cycle  # the same loader as cips check


def test_a_2024_export_without_the_overall_rating_loads_with_the_shipped_codebook(tmp_path):
    """The overall rating is new in 2025 (``cycles: [2025]`` in the shipped codebook): an export of
    the 2024 questionnaire, which has no column for it, loads, and cips check passes and says the
    key drivers are left out because 2024 did not ask it."""
    from cipslib import load_cycle
    from cipslib.inputs.demo import demo_path

    assert load_codebook().item("overall_integrity")["cycles"] == (2025,)
    shipped = demo_path(2024).read_text(encoding="cp1251").splitlines()
    header = shipped[0].split(";")
    assert "overall_integrity" not in header and "rel_05" in header
    # the same answers as a survey tool's UTF-8 export with commas
    export = tmp_path / "export_2024.csv"
    export.write_text("\n".join(line.replace(";", ",") for line in shipped), encoding="utf-8")
    loaded = load_cycle(export, cycle=2024)
    assert len(loaded.data) == len(shipped) - 1 == 925
    assert "overall_integrity" not in loaded.data
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        assert main(["check", str(ROOT / "params" / "2024.yaml")]) == 0, err.getvalue()
    assert "left out of the findings and the report:" in out.getvalue()
    assert (
        "the overall integrity rating (“Overall, the Customs Service is an organisation of "
        "integrity”) was not asked in the 2024 questionnaire" in out.getvalue()
    )
