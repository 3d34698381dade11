"""Packages are checked before they are pooled: a tampered table (checksum), a column the
descriptor declares but the table lacks, another core version, an old package version, answer
codes off the core scale, an administration's cycle given twice, a folder without a package, each
refused naming the package folder, and all of them at once in one error; cips benchmark exits 2
with the problems and no traceback."""

from __future__ import annotations

import contextlib
import io
import json
import shutil

import pytest

from cipslib.benchmark.pool import open_pool
from cipslib.cli import main
from cipslib.errors import CipsDataError

from .helpers import make, read, rewrite


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    folder = tmp_path_factory.mktemp("good")
    return [make(folder, "A01", 2021, 120, seed=1), make(folder, "B02", 2023, 150, seed=2)]


def _copy(package, to, name):
    out = to / name
    shutil.copytree(package, out)
    return out


def _problems(packages) -> list:
    with pytest.raises(CipsDataError) as err:
        open_pool(packages)
    return err.value.problems


def test_good_packages_are_pooled_in_one_view_read_in_place(good):
    with open_pool(good) as pool:
        assert [p.administration for p in pool.packages] == ["A01", "B02"]
        assert pool.con.sql("SELECT count(*) FROM pool").fetchall()[0][0] == 270
        assert "LEAD_COMMITMENT" in pool.items
        plan = pool.con.sql("EXPLAIN SELECT count(*) FROM pool").fetchall()[0][1]
        assert "READ_PARQUET" in plan.upper()


def test_a_tampered_table_fails_its_checksum(good, tmp_path):
    bad = _copy(good[0], tmp_path, "tampered")
    table = read(bad)
    table.loc[0, "weight"] += 1
    rewrite(bad, table, checksum=False)
    (problem,) = _problems([bad, good[1]])
    assert problem.file == str(bad) and "checksum" in problem.message


def test_a_declared_column_the_table_lacks(good, tmp_path):
    bad = _copy(good[0], tmp_path, "lacking")
    rewrite(bad, read(bad).drop(columns="LEAD_EXAMPLE"))
    (problem,) = _problems([bad])
    assert problem.file == str(bad) and problem.column == "LEAD_EXAMPLE"
    assert "declares" in problem.message


def test_a_package_made_against_another_core_or_version(good, tmp_path):
    other = _copy(good[0], tmp_path, "other-core")
    rewrite(other, core="sha256:0123456789abcdef")
    old = _copy(good[1], tmp_path, "old")
    path = old / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    descriptor["version"] = "1"
    path.write_text(json.dumps(descriptor), encoding="utf-8")
    core, version = _problems([other, old])
    assert core.file == str(other) and core.column == "cips.core"
    assert core.value == "sha256:0123456789abcdef" and core.expected.startswith("sha256:")
    assert version.file == str(old) and version.column == "version" and version.value == "1"


def test_answer_codes_off_the_core_scale_and_bad_weights(good, tmp_path):
    bad = _copy(good[0], tmp_path, "codes")
    table = read(bad)
    table.loc[3, "LEAD_COMMITMENT"] = 7.0
    table.loc[4, "REG_CLEAR"] = 2.5
    table.loc[5, "weight"] = 0.0
    rewrite(bad, table)
    problems = _problems([bad])
    assert {p.column for p in problems} == {"LEAD_COMMITMENT", "REG_CLEAR", "weight"}
    assert all(p.file == str(bad) for p in problems)


def test_everything_wrong_at_once_in_one_error(good, tmp_path):
    tampered = _copy(good[0], tmp_path, "tampered")
    table = read(tampered)
    table.loc[0, "weight"] += 1
    rewrite(tampered, table, checksum=False)
    lacking = _copy(good[1], tmp_path, "lacking")
    rewrite(lacking, read(lacking).drop(columns=["weight"]))
    other = _copy(good[1], tmp_path, "other")
    rewrite(other, core="sha256:feedfeedfeedfeed", administration="C03")
    twice = _copy(good[1], tmp_path, "twice")
    empty = tmp_path / "empty"
    empty.mkdir()
    problems = _problems([tampered, lacking, other, good[1], twice, empty])
    by_folder = {}
    for p in problems:
        by_folder.setdefault(p.file, []).append(p)
    assert set(by_folder) == {str(f) for f in (tampered, lacking, other, twice, empty)}
    assert any("checksum" in p.message for p in by_folder[str(tampered)])
    assert any(p.column == "weight" for p in by_folder[str(lacking)])
    assert any(p.column == "cips.core" for p in by_folder[str(other)])
    assert any("also in" in p.message and str(good[1]) in p.message for p in by_folder[str(twice)])
    assert "no datapackage.json" in by_folder[str(empty)][0].message
    # the administration's rows say B02 while its metadata now say C03
    assert any(p.column == "administration" for p in by_folder[str(other)])


def test_cips_benchmark_exits_2_with_the_problems_and_no_traceback(good, tmp_path):
    bad = _copy(good[0], tmp_path, "tampered")
    table = read(bad)
    table.loc[0, "weight"] += 1
    rewrite(bad, table, checksum=False)
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["benchmark", str(bad), str(good[1]), "--out", str(tmp_path / "out")])
    assert code == 2
    assert str(bad) in err.getvalue() and "checksum" in err.getvalue()
    assert "Traceback" not in err.getvalue()
    assert not (tmp_path / "out" / "benchmark.json").exists()


def test_a_descriptor_frictionless_refuses(good, tmp_path):
    bad = _copy(good[0], tmp_path, "descriptor")
    path = bad / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    descriptor["name"] = "Not a valid name!"
    descriptor["resources"][0]["schema"]["fields"][5]["type"] = "bogus"
    path.write_text(json.dumps(descriptor), encoding="utf-8")
    problems = _problems([bad])
    assert all(p.file == str(bad) for p in problems)
    notes = [p.message for p in problems if "not a valid data package" in p.message]
    assert any("bogus" in n for n in notes) and any("name" in n for n in notes)
