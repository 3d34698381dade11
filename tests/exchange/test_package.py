"""The exchange package: frictionless validates it and a changed table fails its checksum; it holds
no identifier, unit, process variable or free text; every combination of the respondent variables
the sender allows has at least min_cell respondents within its instrument (levels merged and listed
otherwise); the final weights and answer codes are those of the analysis; the same inputs give the
same bytes."""

from __future__ import annotations

import contextlib
import io
import json

import pandas as pd
import pyarrow.parquet as pq
import pytest

from cipslib.analysis.prepare import prepare_inputs
from cipslib.cli import main
from cipslib.exchange.package import NEVER_SHARED, share_table, validate_package, write_package

from ..any_codebook import ItemSpec, Questionnaire, ScaleSpec, write_cycle
from ..conftest import ROOT

AGREE5 = ScaleSpec("ordinal", 5, neutral=True, dont_know=True, refusal=True, favourable=2)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("pkg")
    share = share_table(ROOT / "params" / "2024.yaml", "A01", allow=("role", "tenure"))
    return share, write_package(share, out)


def test_frictionless_validates_it_and_a_changed_table_fails(demo, tmp_path):
    _, path = demo
    assert validate_package(path) == []
    copy = tmp_path / "copy"
    copy.mkdir()
    for f in path.parent.iterdir():
        (copy / f.name).write_bytes(f.read_bytes())
    table = pq.read_table(copy / "responses.parquet").to_pandas()
    table.loc[0, "weight"] += 1
    table.to_parquet(copy / "responses.parquet", index=False)
    assert any("checksum" in p for p in validate_package(copy / "datapackage.json"))


def test_it_holds_no_identifier_unit_or_free_text(demo):
    share, path = demo
    columns = set(pq.read_table(path.parent / "responses.parquet").column_names)
    never = (set(NEVER_SHARED) - {"cycle"}) | {"email", "ip_address", "comment", "submitted_at"}
    assert not columns & never  # the cycle travels as the package's own column
    assert {
        "administration",
        "cycle",
        "instrument",
        "stratum",
        "weight",
        "role",
        "tenure",
    } <= columns
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    assert descriptor["cips"]["administration"] == "A01"
    text = (path.parent / "README.md").read_text(encoding="utf-8")
    assert "central_office" not in text and "@" not in text


def test_weights_and_answers_are_the_analysis_ones(demo):
    share, path = demo
    table = pq.read_table(path.parent / "responses.parquet").to_pandas()
    current = prepare_inputs(ROOT / "params" / "2024.yaml", with_previous=False).current
    cb = current.codebook
    # the weights: the design's, and the staff's add up to the staff figures' total
    assert sorted(table["weight"]) == pytest.approx(sorted(current.design.weights))
    staff = table[table["instrument"] == "official"]["weight"].sum()
    assert staff == pytest.approx(current.populations["official"].total)
    # an item's column is named by its key and holds the same answer codes
    key = cb.item("lead_01")["key"]
    mine = pd.to_numeric(current.data["lead_01"], errors="coerce").value_counts().sort_index()
    theirs = table[key].value_counts().sort_index()
    assert mine.to_dict() == {k: v for k, v in theirs.to_dict().items()}


def test_small_combinations_are_merged_until_k_anonymous(tmp_path):
    q = Questionnaire(scales=(AGREE5,), items=(ItemSpec("perception", 0, 1),) * 3, n=40)
    params = write_cycle(q, tmp_path / "in", min_cell=10)
    share = share_table(params, "B02", allow=("role", "tenure"))
    t = share.table
    kept = [v for v in ("role", "tenure") if v in t.columns]
    counts = t.groupby(["instrument", *kept], dropna=False).size()
    assert (counts >= 10).all(), counts
    assert share.merges or share.dropped  # 20 officials in 2 x 3 cells cannot stay as they are
    path = write_package(share, tmp_path / "out")
    readme = (tmp_path / "out" / "README.md").read_text(encoding="utf-8")
    for m in share.merges:
        assert m["into"] in readme
    assert validate_package(path) == []


def test_the_same_inputs_give_the_same_bytes_and_cips_share_checks(tmp_path):
    params = ROOT / "params" / "2024.yaml"
    outputs = []
    for k in range(2):
        out = tmp_path / f"p{k}"
        with contextlib.redirect_stdout(io.StringIO()):
            assert (
                main(["share", str(params), "--as", "A01", "--allow", "role", "--out", str(out)])
                == 0
            )
        outputs.append({f.name: f.read_bytes() for f in out.iterdir()})
    assert outputs[0] == outputs[1]
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(
            ["share", str(params), "--as", "A01", "--allow", "region", "--out", str(tmp_path / "x")]
        )
    assert code == 2 and "region" in err.getvalue()
