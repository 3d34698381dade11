"""The demo cycles reproduce what CIPS I (2024) and CIPS II (2025) published, and regenerate
exactly."""

from __future__ import annotations

import filecmp

import pandas as pd
import pytest
import yaml

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


def _renamed(value, names: dict[str, str]):
    """A codebook's YAML with the groups renamed wherever a group is named (keys and values)."""
    if isinstance(value, dict):
        return {names.get(k, k): _renamed(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_renamed(v, names) for v in value]
    return names.get(value, value) if isinstance(value, str) else value


def _write(path, raw) -> None:
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_the_generator_takes_its_groups_from_the_codebook(tmp_path, raw2024):
    """No group is named in the generator: a codebook whose staff group and other group have other
    names gives the same export with those names (the group variable's codes are the same), and a
    codebook without a staff group is refused clearly."""
    from cipslib.errors import CipsError
    from cipslib.inputs.codebook import load_codebook, shipped_codebook_path
    from cipslib.inputs.synthetic import demo_groups, simulate_cycle
    from cipslib.inputs.yamlfile import read_yaml

    raw = read_yaml(shipped_codebook_path(), "codebook")
    path = tmp_path / "renamed.yaml"
    names = {"official": "staff_members", "private": "traders"}
    _write(path, _renamed(raw, names))
    renamed = load_codebook(path)
    assert demo_groups(renamed) == {"staff": "staff_members", "other": "traders"}
    frame = simulate_cycle(2024, renamed)
    pd.testing.assert_frame_equal(frame, raw2024)
    assert renamed.variables["group"].levels["staff_members"].code == 1
    # the staff group is the one marked staff, whatever the order of the groups
    raw["groups"] = {"private": raw["groups"]["private"], "official": raw["groups"]["official"]}
    _write(path, raw)
    assert demo_groups(load_codebook(path)) == {"staff": "official", "other": "private"}
    del raw["groups"]["official"]["staff"]
    _write(path, raw)
    with pytest.raises(CipsError, match="need a staff group"):
        simulate_cycle(2024, load_codebook(path))
