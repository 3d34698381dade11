"""The pooled SQL's estimates equal SurveyDesign's on the same rows (to 1e-9): per
administration, cycle and instrument, every factor index and indicator, with reverse-worded
items, packages lacking items (a factor scored on the items a package holds, at least half of them
answered) and many answers missing; the pooled estimates of the administrations with two
iterations likewise (strata: administration x stratum). On the demo cycles' packages made by
cips share, in the slow tier."""

from __future__ import annotations

import contextlib
import io

import pandas as pd
import pytest

from cipslib.benchmark.estimates import estimates, measures, stratum_sums
from cipslib.benchmark.output import compute_benchmark
from cipslib.benchmark.peers import iterations, pooled_estimates
from cipslib.benchmark.pool import open_pool
from cipslib.cli import main

from ..conftest import ROOT
from .helpers import assert_same, make, package_reference, read, reference, rewrite, scored

KEYS = ["administration", "cycle", "instrument", "measure"]


@pytest.fixture(scope="module")
def packages(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pool")
    return [
        make(folder, "A01", 2021, 400, seed=1),
        make(folder, "A01", 2023, 350, seed=2),
        # a questionnaire without three of the first factor's items, many answers missing
        make(
            folder,
            "B02",
            2021,
            300,
            seed=3,
            drop=("LEAD_EXAMPLE", "LEAD_COMPLAINTS_ACTED", "LEAD_SUPERVISOR_ACTS"),
            missing=0.45,
        ),
        make(folder, "B02", 2023, 320, seed=4),
        make(folder, "C03", 2023, 200, seed=5, counts={"official": 150, "private": 50}),
    ]


def _sums(packages):
    with open_pool(packages) as pool:
        chosen = measures(pool)
        return pool, chosen, stratum_sums(pool, chosen)


def test_every_estimate_is_survey_designs(packages):
    pool, chosen, sums = _sums(packages)
    mine = estimates(sums, chosen)
    ref = pd.concat([package_reference(p) for p in packages], ignore_index=True)
    assert_same(mine, ref, KEYS)
    assert set(mine["measure"]) == {m.id for m in chosen}
    assert len(chosen) == 10 + 17  # ten factors and the shipped indicators
    # the half rule bites on B02 2021: fewer factor scores than respondents of the instrument
    b = scored(read(packages[2]))
    assert b["factor_index.1"].isna().sum() > b["factor_index.1"].notna().sum() * 0.05


def test_a_factor_is_scored_on_the_items_the_package_holds(packages):
    frame = scored(read(packages[2]))
    officials = frame[frame["instrument"] == "official"]
    table = read(packages[2])[lambda t: t["instrument"] == "official"]
    held = ["LEAD_COMMITMENT", "LEAD_PROGRAMME_EXISTS", "LEAD_PROGRAMME_EFFECTIVE"]
    answered = table[held].notna().sum(axis=1)
    # two of the three items it holds (not three of six) make a score
    assert (officials["factor_index.1"].notna() == (answered >= 2)).all()


def test_the_pooled_estimates_are_survey_designs(packages):
    pool, chosen, sums = _sums(packages)
    iters = iterations(pool.packages)
    shares = {m.id for m in chosen if m.proportion}
    mine = pooled_estimates(sums, iters, shares)
    assert set(mine["set"]) == {"earlier", "later"}
    for name, cycle in (("earlier", 2021), ("later", 2023)):
        frames = [scored(read(p)) for p in packages[:4] if f"-{cycle}" in p.name]
        frame = pd.concat(frames, ignore_index=True)
        frame["design_stratum"] = frame["administration"] + "|" + frame["stratum"]
        ref = reference(frame, strata="design_stratum").assign(set=name)
        assert_same(mine[mine["set"] == name], ref, ["set", "instrument", "measure"])
        assert (mine.loc[mine["set"] == name, "administrations"] == 2).all()


@pytest.mark.slow
def test_cips_share_packages_of_the_demo_cycles_are_estimated_as_survey_design_does(
    tmp_path_factory,
):
    folder = tmp_path_factory.mktemp("demo-packages")
    made = []
    for cycle in (2024, 2025):
        out = folder / f"A01-{cycle}"
        with contextlib.redirect_stdout(io.StringIO()):
            code = main(
                ["share", str(ROOT / "params" / f"{cycle}.yaml"), "--as", "A01", "--out", str(out)]
            )
        assert code == 0
        made.append(out)
    # a second administration: the same cycles' answers of a subsample, under another code
    for cycle, package in zip((2024, 2025), list(made), strict=True):
        table = read(package)
        table = table.sample(frac=0.6, random_state=cycle).reset_index(drop=True)
        table["administration"] = "A02"
        other = folder / f"A02-{cycle}"
        other.mkdir()
        (other / "datapackage.json").write_text(
            (package / "datapackage.json").read_text(encoding="utf-8"), encoding="utf-8"
        )
        rewrite(other, table, administration="A02", respondents=len(table))
        made.append(other)
    result = compute_benchmark(made, min_cell=1)
    mine = result.tables["estimates"]
    ref = pd.concat([package_reference(p) for p in made], ignore_index=True)
    assert_same(mine, ref, KEYS)
    pooled = result.tables["pooled"]
    for name, cycle in (("earlier", 2024), ("later", 2025)):
        frame = pd.concat([scored(read(p)) for p in made if p.name.endswith(str(cycle))])
        frame["design_stratum"] = frame["administration"] + "|" + frame["stratum"]
        ref = reference(frame.reset_index(drop=True), strata="design_stratum").assign(set=name)
        assert_same(pooled[pooled["set"] == name], ref, ["set", "instrument", "measure"])


def test_scores_of_codes_out_of_order_are_the_scales_points():
    """A scale whose codes do not rise by one along it is scored by CASE, to the same doubles as
    Scale.points (reversed: 100 minus them); its off-scale codes are found too."""
    import duckdb

    from cipslib.benchmark.estimates import _score_sql
    from cipslib.benchmark.pool import _bad_code_sql
    from cipslib.inputs.codebook import Scale

    scale = Scale("odd", "ordinal", {1: {}, 7: {}, 3: {}, 2: {}}, (2,))
    core = type("Core", (), {"scales": {"odd": scale}})()
    codes = [1.0, 7.0, 3.0, 2.0, None]
    con = duckdb.connect()
    con.register("answers", pd.DataFrame({"K": codes}))
    for reverse in (False, True):
        row = pd.Series({"key": "K", "scale": "odd", "reverse": reverse})
        got = con.sql(f"SELECT {_score_sql(core, row)} AS s FROM answers").df()["s"]
        want = [100.0 - scale.points[c] if reverse else scale.points[c] for c in codes[:4]]
        assert got[:4].tolist() == want and pd.isna(got[4])
    bad = _bad_code_sql("K", scale.codes)
    assert not con.sql(f"SELECT {bad} FROM answers").fetchall()[0][0]
    con.register("others", pd.DataFrame({"K": [1.0, 4.0]}))
    assert con.sql(f"SELECT {bad} FROM others").fetchall()[0][0]
