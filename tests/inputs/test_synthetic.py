"""The demo cycles reproduce what CIPS I (2024) and CIPS II (2025) published, and regenerate
exactly."""

from __future__ import annotations

import filecmp

import pandas as pd
import pytest

from cipslib.inputs.demo import DEMO_FILES, demo_dir
from cipslib.inputs.synthetic import write_demo_files

TOL = 0.03  # sampling tolerance around a published share


def share(series: pd.Series, codes) -> float:
    s = series.dropna().astype(int)
    return float(s.isin(codes).mean())


def by_group(cycle_data, group):
    d = cycle_data.data
    return d[d["group"] == group]


def test_sample_sizes_and_composition(demo2024, demo2025):
    d24, d25 = demo2024.data, demo2025.data
    assert (d24["group"] == "official").sum() == 448
    assert (d24["group"] == "private").sum() == 477
    assert (d25["group"] == "official").sum() == 4199
    assert (d25["group"] == "private").sum() >= 1000
    assert set(d25.loc[d25["group"] == "private", "respondent_type"]) == {
        "business",
        "association",
        "civil_society",
        "citizen",
    }
    assert (d24["mode"] == "paper").all() and (d25["mode"] == "online").all()
    for d, target in ((d24, 0.85), (d25, 0.23)):
        off = d[d["group"] == "official"]
        assert (off["role"] == "manager").mean() == pytest.approx(target, abs=0.005)


def test_published_2024_figures(demo2024):
    p = by_group(demo2024, "private")
    assert share(p["bribe_response"], [1, 2]) == pytest.approx(0.89, abs=TOL)
    assert share(p["safe_reporting"], [2]) > 0.20
    assert share(demo2024.data["investigation_experience"], [3]) == 1.0
    assert share(p["rule_compliance"], [1]) == pytest.approx(2 / 3, abs=TOL)
    assert share(p["rule_compliance"], [2]) == pytest.approx(1 / 3, abs=TOL)
    assert share(p["complex_rules_hurt"], [4, 5]) == pytest.approx(0.65, abs=TOL)
    assert share(p["bribe_helps"], [4, 5]) == pytest.approx(0.47, abs=TOL)


def test_published_2025_figures(demo2025):
    o = by_group(demo2025, "official")
    assert share(o["oc_pressure"], [2, 3]) == pytest.approx(0.20, abs=TOL)
    assert share(o["oc_pressure"], [2]) == pytest.approx(0.14, abs=TOL)
    assert share(o["oc_pressure"], [3]) == pytest.approx(0.06, abs=0.02)


def _fav(frame, items):
    return pd.concat(
        [frame[i].astype("Float64").isin([4, 5]).where(frame[i].notna()) for i in items]
    ).mean()


PERCEPTION = [
    "lead_01",
    "lead_02",
    "reg_01",
    "tra_02",
    "aut_01",
    "ref_01",
    "aud_03",
    "coc_04",
    "mor_03",
    "rel_03",
]


def test_structure_of_attitudes(demo2024, demo2025, codebook):
    o = by_group(demo2025, "official")
    assert (
        _fav(o[o["role"] == "non_manager"], PERCEPTION)
        < _fav(o[o["role"] == "manager"], PERCEPTION) - 0.05
    )
    assert (
        _fav(o[o["tenure"] == "lt5"], PERCEPTION)
        < _fav(o[o["tenure"] == "gt10"], PERCEPTION) - 0.05
    )
    for _, row in codebook.items_for(construct="mechanism_exists").iterrows():
        d = demo2025.data
        assert _fav(d, [row["id"]]) > _fav(d, [row["twin"]])
    # private sector improves; officials decline raw but hardly within role
    p24, p25 = by_group(demo2024, "private"), by_group(demo2025, "private")
    assert _fav(p25, PERCEPTION) > _fav(p24, PERCEPTION) + 0.02
    o24 = by_group(demo2024, "official")
    assert _fav(o, PERCEPTION) < _fav(o24, PERCEPTION) - 0.05
    for role in ("manager", "non_manager"):
        assert (
            abs(_fav(o[o["role"] == role], PERCEPTION) - _fav(o24[o24["role"] == role], PERCEPTION))
            < 0.05
        )


def test_identifiers_are_in_the_export_but_dropped_at_load(demo2024, demo2025):
    assert demo2024.report.dropped_identifiers == ["comment"]
    assert set(demo2025.report.dropped_identifiers) == {
        "comment",
        "email",
        "ip_address",
        "submitted_at",
    }
    for cd in (demo2024, demo2025):
        assert not {"comment", "email", "ip_address"} & set(cd.data.columns)


def test_demo_files_regenerate_byte_for_byte(tmp_path):
    write_demo_files(tmp_path)
    for name in DEMO_FILES.values():
        assert filecmp.cmp(tmp_path / name, demo_dir() / name, shallow=False), name
