"""The exchange package: frictionless validates it and a changed table fails its checksum; it holds
no identifier, unit, process variable or free text; every combination of the respondent variables
the sender allows has at least min_cell respondents within its instrument (levels merged and listed
otherwise); the final weights and answer codes are those of the analysis; the same inputs give the
same bytes."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from cipslib.analysis.prepare import prepare_inputs
from cipslib.cli import main
from cipslib.exchange.package import (
    NEVER_SHARED,
    PACKAGE_VERSION,
    core_version,
    share_table,
    validate_package,
    write_package,
)
from cipslib.inputs.codebook import load_codebook, shipped_codebook_path
from cipslib.inputs.demo import demo_path

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


# -- the core: its version, and the codes a package holds -----------------------------------------
def _own_codebook(tmp_path) -> Path:
    """The shipped codebook as an administration might keep it: agree/disagree coded 0-4, one item
    worded the other way round (reverse-coded where the core's is not), one on a 4-point scale."""
    text = shipped_codebook_path().read_text(encoding="utf-8")
    head, rest = text.split("  agree5:\n", 1)
    block, tail = rest.split("  yes_no:\n", 1)
    for code in range(1, 6):
        block = block.replace(f"      {code}: {{en:", f"      {code - 1}: {{en:")
    block = block.replace("neutral: 3", "neutral: 2").replace(
        "favourable: [4, 5]", "favourable: [3, 4]"
    )
    agree4 = (
        "  agree4:\n    type: ordinal\n    codes:\n"
        + "".join(f"      {c}: {{en: A{c}, uk: A{c}, fr: A{c}}}\n" for c in range(1, 5))
        + "    favourable: [3, 4]\n"
        + "    dont_know: {code: 8, en: DK, uk: DK, fr: DK}\n"
        + "    refusal: {code: 9, en: R, uk: R, fr: R}\n"
    )
    text = head + "  agree5:\n" + block + agree4 + "  yes_no:\n" + tail
    text = text.replace("  - id: reg_01\n", "  - id: reg_01\n    reverse: true\n", 1)
    guidance = text.index("  - id: reg_05\n")
    scale_at = text.index("scale: agree5", guidance)
    text = text[:scale_at] + "scale: agree4" + text[scale_at + len("scale: agree5") :]
    path = tmp_path / "codebook.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_core_version_follows_the_core_and_nothing_else(tmp_path):
    shipped = shipped_codebook_path().read_text(encoding="utf-8")
    reworded = tmp_path / "reworded.yaml"
    reworded.write_text(shipped.replace("genuinely committed", "truly committed"), encoding="utf-8")
    assert core_version(load_codebook(reworded)) == core_version()
    assert core_version(load_codebook(_own_codebook(tmp_path))) != core_version()
    refactored = tmp_path / "factor.yaml"
    at = shipped.index("  - id: lead_02\n")
    factor = shipped.index("factor: 1", at)
    refactored.write_text(shipped[:factor] + "factor: 2" + shipped[factor + 9 :], encoding="utf-8")
    assert core_version(load_codebook(refactored)) != core_version()


def test_an_administrations_own_codes_become_the_core_scales(tmp_path, demo):
    """The 2024 demo kept with its own codebook (agree/disagree coded 0-4, reg_01 worded the other
    way round, reg_05 on four answers): the package holds the same codes as the one made with the
    shipped codebook, and leaves reg_05 out, saying why."""
    shipped_share, path = demo
    core = load_codebook()
    codebook = _own_codebook(tmp_path)
    own = load_codebook(codebook)
    data = pd.read_csv(
        demo_path(2024), sep=";", dtype=str, keep_default_na=False, encoding="cp1251"
    )
    agree = [i for i in own.items["id"] if i in data.columns and own.item(i)["scale"] == "agree5"]
    for col in agree:
        values = pd.to_numeric(data[col], errors="coerce")
        valid = values.between(1, 5)
        new = values - 1
        if col == "reg_01":
            new = 4 - new
        data.loc[valid, col] = new[valid].astype(int).astype(str)
    guidance = pd.to_numeric(data["reg_05"], errors="coerce")
    data.loc[guidance == 5, "reg_05"] = "4"
    data.to_csv(tmp_path / "cips_2024.csv", sep=";", index=False, encoding="cp1251")
    params = ROOT / "params" / "2024.yaml"
    text = params.read_text(encoding="utf-8")
    text = text.replace("data: demo", f"data: {tmp_path / 'cips_2024.csv'}")
    text = text.replace("codebook: null", f"codebook: {codebook}")
    text = text.replace("population/", f"{ROOT / 'params' / 'population'}/")
    (tmp_path / "2024.yaml").write_text(text, encoding="utf-8")
    share = share_table(tmp_path / "2024.yaml", "A01", allow=("role", "tenure"))
    assert share.meta["core"] == core_version(core) == shipped_share.meta["core"]
    assert share.meta["left_out"] == [
        {"item": "REG_GUIDANCE", "scale": "agree4", "core_scale": "agree5"}
    ]
    theirs = shipped_share.table.drop(columns="REG_GUIDANCE")
    assert list(share.table.columns) == list(theirs.columns)
    columns = list(theirs.columns)  # rows in content order, which REG_GUIDANCE was part of

    def by_content(t):
        return t.sort_values(columns, kind="stable").reset_index(drop=True)

    pd.testing.assert_frame_equal(by_content(share.table), by_content(theirs))
    out = write_package(share, tmp_path / "package")
    assert "REG_GUIDANCE" in (tmp_path / "package" / "README.md").read_text(encoding="utf-8")
    assert json.loads(out.read_text(encoding="utf-8"))["version"] == str(PACKAGE_VERSION)
