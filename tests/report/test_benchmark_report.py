"""The benchmark report and the national report's "How we compare": what they print and draw is
what benchmark.json and the benchmark summary hold, checked against figures computed here from
the estimates (numpy percentiles of the administrations' published indices)."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from cipslib.benchmark.demo import write_demo_packages
from cipslib.benchmark.output import benchmark
from cipslib.errors import CipsDataError
from cipslib.inputs.params import load_params
from cipslib.report import BenchmarkReport, Report

from ..conftest import PARAMS


@pytest.fixture(scope="module")
def bench_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("bench")
    paths = write_demo_packages(root / "packages")
    benchmark([p.parent for p in paths], root / "out", own="A07")
    return root / "out"


@pytest.fixture(scope="module")
def data(bench_dir):
    return json.loads((bench_dir / "benchmark.json").read_text(encoding="utf-8"))


def _latest_published(data, group: str, measure: str) -> np.ndarray:
    e = pd.DataFrame(data["estimates"])
    e = e[(e["instrument"] == group) & (e["measure"] == measure) & e["latest"].astype(bool)]
    return e.loc[e["hidden"].isna(), "estimate"].to_numpy(dtype=float)


def test_peer_chart_draws_the_quartiles_and_every_published_administration(bench_dir, data):
    report = BenchmarkReport.load(bench_dir, "en")
    fig = report.peer_chart("official")
    ax = fig.axes[0]
    bars = sorted((round(b.get_y() + b.get_height() / 2), b) for b in ax.patches)
    for row, bar in bars:
        values = _latest_published(data, "official", f"factor_index.{row + 1}")
        q1, q3 = np.percentile(values, [25, 75])  # linear interpolation, as the method says
        assert bar.get_x() == pytest.approx(q1, abs=1e-9)
        assert bar.get_width() == pytest.approx(q3 - q1, abs=1e-9)
    dots = [c for c in ax.collections if len(c.get_offsets()) > 20]
    drawn = np.asarray(dots[0].get_offsets())
    expected = sum(
        len(_latest_published(data, "official", f"factor_index.{k}")) for k in range(1, 11)
    )
    assert len(drawn) == expected


def test_peer_table_prints_the_median_and_the_own_index(bench_dir, data):
    report = BenchmarkReport.load(bench_dir, "en")
    page = str(report.peer_table("private"))
    values = _latest_published(data, "private", "factor_index.5")
    median = np.median(values)
    e = pd.DataFrame(data["estimates"])
    own = e[
        (e["administration"] == "A07")
        & (e["instrument"] == "private")
        & (e["measure"] == "factor_index.5")
        & e["latest"].astype(bool)
    ].iloc[0]
    row = page.split("5. Reform and Modernization")[1].split("</tr>")[0]
    assert f"<td>{median:.1f}</td>" in row
    own_cell = "<10" if isinstance(own["hidden"], str) else f"{own['estimate']:.1f}"
    assert row.rstrip().endswith(f"<td>{own_cell.replace('<', '&lt;')}</td>")


def test_benchmark_report_speaks_each_shipped_language(bench_dir):
    fr = BenchmarkReport.load(bench_dir, "fr")
    assert "administrations" in str(fr.title_page())
    assert "Médiane" in str(fr.peer_table("official"))
    uk = BenchmarkReport.load(bench_dir, "uk")
    assert "Медіана" in str(uk.peer_table("official"))


def test_how_we_compare_shows_the_report_beside_the_peers(bench_dir, tmp_path):
    summary = json.loads((bench_dir / "benchmark-summary.json").read_text(encoding="utf-8"))
    report = Report.build(PARAMS / "2025.yaml", "en")
    params = dataclasses.replace(report.params, benchmark=bench_dir / "benchmark-summary.json")
    report = dataclasses.replace(report, params=params)
    fac = report.findings.tables["factors"]
    own = fac[(fac["group"] == "official") & (fac["factor"] == 2)].iloc[0]
    peers = next(r for r in summary["peers"] if r["group"] == "official" and r["factor"] == 2)
    row = str(report.compare.table("official")).split("2. Regulatory Framework")[1]
    row = row.split("</tr>")[0]
    cells = [c.split("<")[0] for c in row.split("<td>")[1:]]
    assert cells[:4] == [
        f"{own['index']:.0f}",
        f"{peers['q1']:.0f}",
        f"{peers['median']:.0f}",
        f"{peers['q3']:.0f}",
    ]
    fig = report.compare.chart("official")
    bar = sorted(fig.axes[0].patches, key=lambda b: b.get_y())[1]
    assert bar.get_x() == pytest.approx(peers["q1"]) and bar.get_width() == pytest.approx(
        peers["q3"] - peers["q1"]
    )
    from cipslib.report.display import figure_alt

    assert "this report" in figure_alt(fig) and "each dot" not in figure_alt(fig)
    assert report.compare.page()[0].text.startswith("<h3")
    without = Report.build(PARAMS / "2025.yaml", "en")
    assert without.compare.page() == []


def test_a_bad_benchmark_summary_is_refused_naming_the_file(tmp_path):
    bad = tmp_path / "summary.json"
    bad.write_text('{"peers": [{"group": "official", "factor": 1}]}', encoding="utf-8")
    text = (PARAMS / "2025.yaml").read_text(encoding="utf-8")
    params = tmp_path / "2025.yaml"
    params.write_text(text + f"\nbenchmark: {bad}\n", encoding="utf-8")
    with pytest.raises(CipsDataError) as err:
        load_params(params)
    assert "summary.json" in str(err.value) and "lacks administrations, q1, median, q3" in str(
        err.value
    )


@pytest.mark.slow
def test_cips_benchmark_renders_the_report_and_keeps_it_when_a_package_is_bad(
    bench_dir, tmp_path, capsys
):
    from cipslib.cli import main

    folders = sorted(p for p in (bench_dir.parent / "packages").iterdir() if p.is_dir())
    out = tmp_path / "bench"
    args = ["benchmark", *map(str, folders), "--out", str(out), "--own", "A07"]
    assert main([*args, "--lang", "fr", "--format", "html"]) == 0
    page = (out / "benchmark_report_fr.html").read_text(encoding="utf-8")
    assert "La position des administrations" in page and "Where the administrations" not in page
    assert {p.name for p in out.iterdir()} >= {"benchmark.json", "benchmark-summary.json"}
    before = sorted(p.name for p in out.iterdir())
    bad = tmp_path / "bad"
    import shutil

    shutil.copytree(folders[0], bad)
    (bad / "responses.parquet").write_bytes(b"not the table")
    capsys.readouterr()
    assert main([*args[:-4], str(bad), "--out", str(out), "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert "bad" in err and "Traceback" not in err
    assert sorted(p.name for p in out.iterdir()) == before
