"""Peers, change, the share improving and disclosure control of a benchmark: the peer median and
quartiles are those of the published estimates with each administration once (its latest
iteration); change is an administration's latest iteration minus the one before, its SE and test
those of independent samples; a cell on fewer than min_cell respondents is hidden, and no hidden
cell follows from a published pooled total or a package's size minus published cells; the files
written hold no hidden value and the summary no administration's figure."""

from __future__ import annotations

import contextlib
import io
import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cipslib.analysis.disclosure import constraint_matrix, determined
from cipslib.benchmark.output import JSON_NAME, SUMMARY_NAME, benchmark
from cipslib.cli import main

from .helpers import make

SMALL_PRIVATE = 6


@pytest.fixture(scope="module")
def pool(tmp_path_factory):
    folder = tmp_path_factory.mktemp("peers")
    made = [
        make(folder, "A01", 2019, 300, seed=1, lean=-0.2),
        make(folder, "A01", 2021, 300, seed=2, lean=0.0),
        make(folder, "A01", 2023, 300, seed=3, lean=0.5),
        make(folder, "B02", 2021, 250, seed=4),
        make(folder, "B02", 2023, 0, seed=5, counts={"official": 200, "private": SMALL_PRIVATE}),
        make(folder, "C03", 2021, 260, seed=6, lean=0.3),
        make(folder, "C03", 2023, 240, seed=7, lean=-0.3),
        make(folder, "D04", 2023, 280, seed=8),
        make(folder, "E05", 2023, 270, seed=9),
    ]
    out = folder / "out"
    result = benchmark(made, out, own="C03")
    return result, out


def _shown(t: pd.DataFrame) -> pd.DataFrame:
    return t[t["hidden"].isna()]


def test_small_cells_are_hidden_with_their_reason(pool):
    result, _ = pool
    est = result.tables["estimates"]
    small = est[(est["administration"] == "B02") & (est["cycle"] == 2023)]
    small = small[small["instrument"] == "private"]
    assert len(small) and (small["hidden"] == "small").all()
    assert small[["estimate", "se", "ci_low", "ci_high", "n"]].isna().all().all()
    assert (est["hidden"] == "complementary").any()
    assert (_shown(est)["n"] >= 10).all()


def test_no_hidden_cell_follows_from_a_published_sum(pool):
    result, _ = pool
    est, pooled = result.tables["estimates"], result.tables["pooled"]
    sets = {("A01", 2021): "earlier", ("A01", 2023): "later", ("B02", 2021): "earlier"}
    sets |= {("B02", 2023): "later", ("C03", 2021): "earlier", ("C03", 2023): "later"}
    est = est.assign(
        set=[sets.get(k) for k in zip(est["administration"], est["cycle"], strict=True)]
    )
    instruments = {m.id: set(m.instruments) for m in result.measures}
    checked = 0
    for measure, rows in est.groupby("measure"):
        rows = rows.reset_index(drop=True)
        lines = []
        for (_, _), g in rows.groupby(["administration", "cycle"]):
            if set(g["instrument"]) <= instruments[measure] and len(instruments[measure]) > 1:
                lines.append(list(g.index))  # the package's size bounds its cells
        published = _shown(pooled[pooled["measure"] == measure])
        for _, p in published.iterrows():
            lines.append(
                list(
                    rows.index[(rows["set"] == p["set"]) & (rows["instrument"] == p["instrument"])]
                )
            )
            assert (
                p["n"] == rows.loc[lines[-1], "n"].sum()
                or rows.loc[lines[-1], "hidden"].notna().any()
            )
        hidden = rows["hidden"].notna().to_numpy()
        for line in lines:
            assert hidden[line].sum() != 1, (measure, rows.loc[line])
        a = constraint_matrix(len(rows), [(line, None) for line in lines])
        assert not (determined(a, hidden) & ~rows["exposed"].to_numpy()).any(), measure
        checked += hidden.any()
    assert checked  # some measure had a hidden cell to protect


def test_change_is_the_latest_iteration_minus_the_one_before(pool):
    result, _ = pool
    est, change = result.tables["estimates"], result.tables["change"]
    a01 = change[(change["administration"] == "A01") & (change["measure"] == "factor_index.4")]
    row = a01[a01["instrument"] == "official"].iloc[0]
    assert (row["cycle_earlier"], row["cycle_later"]) == (2021, 2023)
    pick = est[(est["administration"] == "A01") & (est["measure"] == "factor_index.4")]
    pick = pick[pick["instrument"] == "official"].set_index("cycle")
    e, lt = pick.loc[2021], pick.loc[2023]
    assert row["difference"] == pytest.approx(lt["estimate"] - e["estimate"], abs=1e-12)
    assert row["se"] == pytest.approx(np.hypot(lt["se"], e["se"]), abs=1e-12)
    va, vb = lt["se"] ** 2, e["se"] ** 2
    df = (va + vb) ** 2 / (va**2 / lt["df"] + vb**2 / e["df"])
    p = 2 * stats.t.sf(abs(row["difference"] / row["se"]), df)
    assert row["p_value"] == pytest.approx(p, rel=1e-9)
    assert bool(row["significant"]) == (p < 0.05)
    # an administration with one iteration has no change; a hidden estimate hides its change
    assert not change["administration"].isin(["D04", "E05"]).any()
    b02 = change[(change["administration"] == "B02") & (change["instrument"] == "private")]
    assert (b02["hidden"] == "small").all() and b02["difference"].isna().all()


def test_the_share_improving_counts_published_changes(pool):
    result, _ = pool
    change, improving = result.tables["change"], result.tables["improving"]
    assert set(improving["measure"]) == {f"factor_index.{k}" for k in range(1, 11)}
    for _, r in improving.iterrows():
        c = _shown(
            change[(change["instrument"] == r["instrument"]) & (change["measure"] == r["measure"])]
        )
        assert r["administrations"] == len(c)
        assert r["improving"] == (c["difference"] > 0).sum()
        assert r["improving_significantly"] == ((c["difference"] > 0) & c["significant"]).sum()
        assert r["share_improving"] == pytest.approx(r["improving"] / len(c))


def test_peers_count_each_administration_once(pool):
    result, _ = pool
    est, peers = result.tables["estimates"], result.tables["peers"]
    for iteration, chosen in (("latest", est["latest"]), ("1", est["iteration"] == 1)):
        rows = _shown(est[chosen & (est["instrument"] == "official")])
        rows = rows[rows["measure"] == "factor_index.7"]
        assert rows["administration"].is_unique and len(rows) >= 3
        peer = peers[(peers["iteration"] == iteration) & (peers["instrument"] == "official")]
        peer = peer[peer["measure"] == "factor_index.7"].iloc[0]
        q1, median, q3 = np.percentile(rows["estimate"], [25, 50, 75])
        assert peer["administrations"] == len(rows)
        assert peer["median"] == pytest.approx(median, abs=1e-12)
        assert (peer["q1"], peer["q3"]) == (
            pytest.approx(q1, abs=1e-12),
            pytest.approx(q3, abs=1e-12),
        )
    # B02's small private group is not among the private peers of 2023
    latest = peers[(peers["iteration"] == "latest") & (peers["instrument"] == "private")]
    assert (latest["administrations"] <= 4).all()


def test_the_files_hold_no_hidden_value_and_the_summary_no_administration(pool):
    result, out = pool
    figures = json.loads((out / JSON_NAME).read_text(encoding="utf-8"))
    assert figures["own"] == "C03"
    assert {e["administration"] for e in figures["estimates"] if e["own"]} == {"C03"}
    assert [p["folder"] for p in figures["packages"]][:3] == ["A01-2019", "A01-2021", "A01-2023"]
    for row in figures["estimates"]:
        if row["hidden"]:
            assert row["estimate"] is None and row["n"] is None and row["se"] is None
    hidden = pd.DataFrame(figures["hidden"])
    assert set(hidden["reason"]) >= {"small", "complementary"}
    text = (out / SUMMARY_NAME).read_text(encoding="utf-8")
    summary = json.loads(text)
    assert len(summary["peers"]) == 20  # two groups x ten factors
    assert summary["administrations"] == 5 and summary["cycles"] == [2019, 2021, 2023]
    assert not any(code in text for code in ("A01", "B02", "C03", "D04", "E05"))
    first = summary["peers"][0]
    assert (first["group"], first["factor"]) == ("official", 1)
    assert first["q1"] <= first["median"] <= first["q3"]


def test_few_administrations_make_no_peer_distribution(tmp_path):
    made = [make(tmp_path, "A01", 2023, 120, seed=1), make(tmp_path, "B02", 2023, 120, seed=2)]
    result = benchmark(made, tmp_path / "out")
    peers = result.tables["peers"]
    assert (peers["hidden"] == "few administrations").all() and peers["median"].isna().all()
    assert result.tables["pooled"].empty and result.tables["change"].empty


def test_cips_benchmark_prints_a_summary_and_names_an_unknown_own_code(pool, tmp_path):
    result, _ = pool
    folders = [str(p.folder) for p in result.packages]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["benchmark", *folders, "--out", str(tmp_path), "--min-cell", "5"])
    assert code == 0 and (tmp_path / JSON_NAME).exists() and (tmp_path / SUMMARY_NAME).exists()
    assert "9 packages, 5 administrations (3 with two iterations or more)" in out.getvalue()
    assert json.loads((tmp_path / JSON_NAME).read_text(encoding="utf-8"))["min_cell"] == 5
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["benchmark", *folders, "--out", str(tmp_path), "--own", "Z99"])
    assert code == 2 and "Z99" in err.getvalue() and "Traceback" not in err.getvalue()
