"""The demo exchange packages: 25 administrations (17 with two iterations) whose pooled totals are
the published A-CIP figures, written by the exchange writer so that each validates, the same seed
giving the same bytes; answers on the shipped codebook's scales, weights raked to each
administration's staff figures, improvement in all ten factors pooled (not everywhere), and a
gender gap where gender travels."""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from dataclasses import replace

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from cipslib.benchmark.demo import (
    SEED,
    _core_items,
    _people,
    _weights,
    demo_plan,
    demo_share,
    main,
    write_demo_packages,
)
from cipslib.benchmark.drivers import respondent_scores
from cipslib.exchange.package import validate_package, write_package
from cipslib.inputs.codebook import load_codebook
from cipslib.inputs.synthetic import OTHER, STAFF, demo_groups

FACTORS = [f"f{k}" for k in range(1, 11)]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    start = time.perf_counter()
    paths = write_demo_packages(out)
    seconds = time.perf_counter() - start
    tables = {
        p.parent.name: pq.read_table(p.parent / "responses.parquet").to_pandas() for p in paths
    }
    return paths, tables, seconds


@pytest.fixture(scope="module")
def pooled(demo):
    return pd.concat(demo[1].values(), ignore_index=True)


@pytest.fixture(scope="module")
def scores(pooled):
    return respondent_scores(pooled)


def _mean(frame: pd.DataFrame, column: str) -> float:
    valid = frame[column].notna()
    w = frame.loc[valid, "weight"].to_numpy()
    return float(w @ frame.loc[valid, column].to_numpy() / w.sum())


def test_the_pooled_totals_are_the_published_ones(demo, pooled):
    paths, tables, _ = demo
    assert len(paths) == 42
    cycles = pooled.groupby("administration")["cycle"].agg(lambda c: tuple(sorted(set(c))))
    assert len(cycles) == 25
    assert Counter(len(c) for c in cycles) == {2: 17, 1: 8}
    assert all(c[-1] == 2023 and c[0] in (2020, 2021) for c in cycles if len(c) == 2)
    assert (cycles.map(lambda c: c[0]) == 2020).sum() == 10
    counts = pooled["instrument"].value_counts()
    assert counts["official"] > 11_000
    assert 8_500 <= counts["private"] < 8_700
    first = pooled[pooled["cycle"] == 2020]["instrument"].value_counts()
    assert first.to_dict() == {"official": 3_019, "private": 2_793}  # the ten of early 2020
    keys = [i["key"] for i in _core_items(load_codebook())]
    answers = int(pooled[keys].notna().to_numpy().sum())
    assert 850_000 < answers < 1_000_000  # "nearly a million data points"
    sizes = pooled.groupby(["administration", "cycle", "instrument"]).size()
    assert sizes.min() >= 30 and (sizes <= 60).sum() >= 4  # small groups: disclosure matters
    assert sizes.max() > 10 * sizes.min()


def test_every_package_is_what_the_exchange_writer_writes(demo):
    paths, tables, _ = demo
    cb = load_codebook()
    keys = [i["key"] for i in _core_items(cb)]
    for path in paths:
        descriptor = json.loads(path.read_text(encoding="utf-8"))
        data = (path.parent / "responses.parquet").read_bytes()
        assert descriptor["resources"][0]["sha256"] == hashlib.sha256(data).hexdigest()
        table = tables[path.parent.name]
        fields = [f["name"] for f in descriptor["resources"][0]["schema"]["fields"]]
        assert fields == list(table.columns)
        head = ["administration", "cycle", "instrument", "stratum", "weight"]
        assert fields[:5] == head and fields[-len(keys) :] == keys
        assert set(fields) - set(head) - set(keys) <= {"gender"}
        meta = descriptor["cips"]
        code, cycle = path.parent.name.split("-")
        assert (meta["administration"], meta["cycle"]) == (code, int(cycle))
        assert meta["respondents"] == len(table) and meta["min_cell"] == 10
        assert (table["stratum"] == table["instrument"]).all()


def test_packages_pass_validation(demo):
    paths, tables, _ = demo
    smallest = min(paths, key=lambda p: len(tables[p.parent.name]))
    assert validate_package(smallest) == []


@pytest.mark.slow
def test_packages_with_and_without_gender_pass_validation(demo):
    paths, tables, _ = demo
    with_gender = [p for p in paths if "gender" in tables[p.parent.name]]
    without = [p for p in paths if "gender" not in tables[p.parent.name]]
    for group in (with_gender, without):
        path = min(group, key=lambda p: len(tables[p.parent.name]))
        assert validate_package(path) == []


def test_the_same_seed_gives_the_same_bytes(demo, tmp_path):
    paths, _, seconds = demo
    assert seconds < 60  # a few seconds on an idle machine
    cb = load_codebook()
    items = _core_items(cb)
    plan = demo_plan(SEED)
    for admin in plan.administrations[:2] + plan.administrations[-1:]:
        cycle = admin.cycles[-1]
        share = demo_share(admin, cycle, plan.sizes[(admin.code, cycle)], cb, items)
        again = write_package(share, tmp_path / f"{admin.code}-{cycle}").parent
        original = next(p.parent for p in paths if p.parent.name == again.name)
        for name in ("responses.parquet", "datapackage.json", "README.md"):
            assert (again / name).read_bytes() == (original / name).read_bytes()
    other = demo_plan(SEED + 1)
    assert other.sizes != plan.sizes


def test_answers_follow_the_codebook(pooled):
    cb = load_codebook()
    groups = demo_groups(cb)  # the answer model's parts (staff, other) -> the codebook's groups
    for item in _core_items(cb):
        codes = pooled[item["key"]].dropna()
        scale = cb.scales[cb.item(item["id"])["scale"]]
        assert set(codes.astype(int)) <= set(scale.codes), item["key"]
        asked = pooled["instrument"].isin([groups[part] for part in item["instruments"]])
        assert pooled.loc[~asked, item["key"]].isna().all(), item["key"]
        if item["factor"] is not None:  # don't know left out: a few percent missing
            share = pooled.loc[asked, item["key"]].isna().mean()
            assert 0.01 < share < 0.2, item["key"]
    # a reverse-worded item goes against the others of its factor
    r = pooled[["REG_CLEAR", "REG_DISCRETION", "REG_CONSISTENT"]].corr()
    assert r.loc["REG_CLEAR", "REG_DISCRETION"] < 0 < r.loc["REG_CLEAR", "REG_CONSISTENT"]
    involved = pooled["EXP_INVESTIGATION_INVOLVED"] == 1
    assert pooled.loc[~involved, "EXP_INVESTIGATION_EXPERIENCE"].isna().all()
    assert pooled.loc[involved, "EXP_INVESTIGATION_EXPERIENCE"].notna().all()


def test_weights_are_raked_to_the_staff_figures(demo):
    _, tables, _ = demo
    plan = demo_plan(SEED)
    admins = {a.code: a for a in plan.administrations}
    for name, table in tables.items():
        admin = admins[name.split("-")[0]]
        w = table.groupby("instrument")["weight"]
        assert w.sum()["official"] == pytest.approx(admin.staff, rel=1e-9)
        assert w.sum()["private"] == pytest.approx(admin.frame, rel=1e-9)
        assert (w.std() > 0).all()
    # the raked officials reproduce the staff margins they were raked to
    admin = plan.administrations[4]
    rng = np.random.default_rng([admin.seed, admin.cycles[0]])
    people = _people(admin, plan.sizes[(admin.code, admin.cycles[0])], rng)
    w = pd.Series(_weights(admin, people), index=people.index)
    off = people["instrument"] == STAFF
    managers = w[off & (people["role"] == "manager")].sum()
    assert managers == pytest.approx(round(admin.manager_share * admin.staff), abs=1)
    assert (people.loc[off, "role"] == "manager").mean() > admin.manager_share  # over-sampled


def test_pooled_improvement_on_all_ten_factors_not_everywhere(scores):
    twice = scores.groupby("administration")["cycle"].transform("nunique") == 2
    s = scores[twice]
    declines = 0
    for instrument, part in s.groupby("instrument"):
        first, second = part[part["cycle"] < 2023], part[part["cycle"] == 2023]
        for f in FACTORS:
            assert _mean(second, f) > _mean(first, f), (instrument, f)
        for _, admin in part.groupby("administration"):
            early, late = admin[admin["cycle"] < 2023], admin[admin["cycle"] == 2023]
            declines += sum(_mean(late, f) < _mean(early, f) for f in FACTORS)
    total = 2 * 17 * 10
    assert 0 < declines < 0.25 * total  # most improve; a few get worse on some factors
    levels = scores.groupby("administration").apply(lambda a: _mean(a, "f1"))
    assert levels.max() - levels.min() > 10  # administrations differ in level


def test_gender_travels_for_about_half_with_a_gap(pooled, scores):
    carriers = pooled.groupby("administration")["gender"].agg(lambda g: g.notna().any())
    assert 10 <= carriers.sum() <= 15
    assert set(pooled["gender"].dropna()) == {"female", "male"}
    cells = pooled.dropna(subset=["gender"]).groupby(["administration", "cycle", "instrument"])
    assert (cells["gender"].value_counts() >= 10).all()
    women, men = scores[scores["gender"] == "female"], scores[scores["gender"] == "male"]
    assert _mean(women, "f8") < _mean(men, "f8") - 3
    assert abs(_mean(women, "f4") - _mean(men, "f4")) < 2


def test_a_small_package_leaves_gender_out_as_cips_share_does():
    cb = load_codebook()
    plan = demo_plan(SEED)
    admin = next(a for a in plan.administrations if a.female is not None)
    small = replace(admin, female={STAFF: 0.2, OTHER: 0.5})
    share = demo_share(small, admin.cycles[0], {STAFF: 40, OTHER: 40}, cb, _core_items(cb))
    assert "gender" not in share.table.columns and share.dropped == ["gender"]


@pytest.mark.slow
def test_the_module_writes_them_from_the_command_line(tmp_path, capsys):
    assert main(["--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "42 packages of 25 administrations" in out and "11,214 official" in out
    assert len(list(tmp_path.glob("*/datapackage.json"))) == 42


def test_a_folder_that_cannot_be_written_is_refused(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert main(["--out", str(blocker)]) == 2
    assert "cannot write the demo packages" in capsys.readouterr().err
