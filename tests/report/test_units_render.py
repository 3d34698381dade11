"""One report per unit from one command: the 2025 demo renders the national report, a report per
region and the index; a test-built cycle where one region has 6 officials publishes no report
for it, and nothing published lets its figures be worked out by subtraction."""

from __future__ import annotations

import json
import os
import re

import pytest
import yaml

from cipslib.cli import main

from ..conftest import ROOT, write_csv

pytestmark = pytest.mark.slow  # each fixture renders a national report and one per region


@pytest.fixture(scope="module")
def demo_units(tmp_path_factory):
    out = tmp_path_factory.mktemp("units")
    assert main(["render", str(ROOT / "params" / "2025.yaml"), "--by", "region",
                 "--format", "html", "--out", str(out), "--quiet"]) == 0  # fmt: skip
    return out / "2025"


def test_the_demo_renders_the_national_report_a_report_per_region_and_the_index(
    demo_units, codebook
):
    regions = list(codebook.variables["region"].levels)
    for region in regions:
        page = demo_units / "units" / region / f"unit_report_2025_{region}.html"
        assert page.exists(), region
        text = page.read_text(encoding="utf-8")
        name = codebook.level_label("region", region, "en")
        assert f"(demo data): {name}</h1>" in text  # the unit's name is in its title
        assert "Traceback" not in text and "<script" not in text
        # the same report in Ukrainian beside it, and the unit's tables
        other = page.parent / "uk" / page.name
        assert 'lang="uk"' in other.read_text(encoding="utf-8")
        assert codebook.level_label("region", region, "uk") in other.read_text(encoding="utf-8")
        assert (page.parent / "tables.xlsx").exists()
    index = (demo_units / "index.html").read_text(encoding="utf-8")
    assert 'href="findings_report_2025.html"' in index
    for region in regions:
        assert f'href="units/{region}/unit_report_2025_{region}.html"' in index
        assert f'href="units/{region}/uk/unit_report_2025_{region}.html" hreflang="uk"' in index
        assert f'href="units/{region}/tables.xlsx"' in index
    doc = json.loads((demo_units / "units.json").read_text(encoding="utf-8"))
    assert doc["withheld"] == []
    assert not re.search(r'"n"', json.dumps(doc))  # no sizes: respondents of published units only
    # the central office has no private-sector respondents: its report shows officials only
    central = next(u for u in doc["units"] if u["unit"] == "central_office")
    assert central["groups"] == ["official"]


@pytest.fixture(scope="module")
def small_region(codebook, raw2025, tmp_path_factory):
    """The 2025 demo cycle with only 6 officials left in the central office."""
    tmp = tmp_path_factory.mktemp("small")
    frame = raw2025.copy()
    code = codebook.variables["region"].levels["central_office"].code
    central = frame.index[(frame["region"] == code) & (frame["group"] == 1)]
    frame = frame.drop(central[6:]).reset_index(drop=True)
    write_csv(frame, tmp / "cips_small.csv")
    params = yaml.safe_load((ROOT / "params" / "2025.yaml").read_text(encoding="utf-8"))
    params.update(
        data="cips_small.csv",
        previous=None,
        population={g: str(ROOT / "params" / p) for g, p in params["population"].items()},
        kpis=str(ROOT / "params" / "pmm_kpis.yaml"),
    )
    path = tmp / "2025.yaml"
    path.write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    out = tmp / "reports"
    assert main(["render", str(path), "--by", "region", "--format", "html", "--out", str(out),
                 "--quiet"]) == 0  # fmt: skip
    return out / "2025"


def test_a_region_with_6_officials_gets_no_report(small_region):
    assert not (small_region / "units" / "central_office").exists()
    doc = json.loads((small_region / "units.json").read_text(encoding="utf-8"))
    withheld = {(w["group"], w["unit"]) for w in doc["withheld"]}
    assert ("official", "central_office") in withheld
    index = (small_region / "index.html").read_text(encoding="utf-8")
    assert "Central office" in index and "Not reported" in index
    assert not re.search(r"Central office[^<]*\d", index)  # named, without a figure


def test_nothing_published_lets_the_small_region_be_recovered(small_region):
    """National officials minus the officials of every published unit report is either nothing
    or at least min_cell respondents spread over more than one withheld unit (or pooled)."""
    doc = json.loads((small_region / "units.json").read_text(encoding="utf-8"))
    fnd = json.loads((small_region / "findings.json").read_text(encoding="utf-8"))
    total = next(r["n"] for r in fnd["tables"]["weighting"] if r["group"] == "official")
    official_withheld = [w["unit"] for w in doc["withheld"] if w["group"] == "official"]
    pooled = any(u["unit"] == "other_units" for u in doc["units"])
    assert len(official_withheld) >= 2 or pooled
    # the national region table hides every withheld unit's officials and shows the others
    sub = [
        r
        for r in fnd["tables"]["subgroups"]
        if r["group"] == "official" and r["variable"] == "region"
    ]
    for r in sub:
        if r["level"] in official_withheld:
            assert r["suppressed"] and r["n"] is None and r["estimate"] is None
    shown = {}
    for r in sub:
        if not r["suppressed"] and r["measure"] == "factor_index.1":
            shown[r["level"]] = r["n"]
    remainder = total - sum(shown.values())
    assert remainder == 0 or remainder >= 10
    assert "central_office" not in shown


def test_two_kernels_give_the_same_unit_reports(demo_units, tmp_path):
    """--jobs 2 runs the units on two kernels side by side: the pages are the same bytes, and the
    process's working folder is the one it had (threads must not change it under each other)."""
    before = os.getcwd()
    assert main(["render", str(ROOT / "params" / "2025.yaml"), "--by", "region", "--jobs", "2",
                 "--format", "html", "--out", str(tmp_path), "--quiet"]) == 0  # fmt: skip
    for page in (demo_units / "units").glob("*/*.html"):
        again = tmp_path / "2025" / page.relative_to(demo_units)
        assert again.read_bytes() == page.read_bytes(), page.name
    assert os.getcwd() == before
