from __future__ import annotations

import pytest
import yaml

import cipslib
from cipslib import CipsDataError

from ..conftest import ROOT

PARAMS = ROOT / "params"


def test_demo_params_load():
    for year in (2024, 2025):
        p = cipslib.load_params(PARAMS / f"{year}.yaml")
        assert p.cycle == year and p.data_path.exists()
        assert set(p.population) == {"official", "private"}
    assert cipslib.load_params(PARAMS / "2025.yaml").previous == (PARAMS / "2024.yaml").resolve()


def test_population_files_match_the_published_figures(codebook):
    staff = cipslib.load_population(PARAMS / "population" / "scs_staff.yaml", codebook)
    assert staff.illustrative and 9_500 <= staff.total <= 10_500
    assert 600 <= staff.margins["region"]["central_office"] <= 700
    assert len(staff.margins["region"]) == 6
    assert staff.shares("role")["manager"] < 0.5
    private = cipslib.load_population(PARAMS / "population" / "private_frame.yaml", codebook)
    assert set(private.margins["business_type"]) == set(codebook.variables["business_type"].levels)


def write(tmp_path, data, name="p.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_unknown_params_key_lists_the_valid_keys(tmp_path):
    with pytest.raises(CipsDataError) as err:
        cipslib.load_params(write(tmp_path, {"cycle": 2025, "colour": "blue"}))
    text = str(err.value)
    assert "unknown setting 'colour'" in text and "min_cell" in text and "population" in text


def test_wrong_types_in_params(tmp_path):
    with pytest.raises(CipsDataError) as err:
        cipslib.load_params(
            write(
                tmp_path,
                {
                    "cycle": "twenty",
                    "min_cell": "ten",
                    "language": "de",
                    "quality": {"speeder_ratio": 3, "exclude": ["lazy"]},
                },
            )
        )
    text = str(err.value)
    assert "'cycle' has the wrong type" in text and "'min_cell' has the wrong type" in text
    assert "unknown report language" in text and "speeder_ratio" in text and "lazy" in text


def test_params_paths_must_exist(tmp_path):
    with pytest.raises(CipsDataError) as err:
        cipslib.load_params(
            write(
                tmp_path,
                {"cycle": 2025, "data": "missing.csv", "population": {"official": "nope.yaml"}},
            )
        )
    assert "data file does not exist" in str(err.value) and "population file" in str(err.value)


def test_population_margins_must_agree(tmp_path, codebook):
    data = {
        "group": "official",
        "total": 100,
        "margins": {"role": {"manager": 20, "non_manager": 80}, "tenure": {"lt5": 50, "gt10": 40}},
    }
    with pytest.raises(CipsDataError, match="margin 'tenure' adds up to 90 but 'total' is 100"):
        cipslib.load_population(write(tmp_path, data), codebook)


def test_population_bad_counts_and_levels(tmp_path, codebook):
    data = {
        "group": "official",
        "total": 100,
        "margins": {"role": {"manager": -20, "boss": 120}, "shoe_size": {"big": 100}},
    }
    with pytest.raises(CipsDataError) as err:
        cipslib.load_population(write(tmp_path, data), codebook)
    text = str(err.value)
    assert (
        "counts must be positive" in text
        and "unknown level 'boss'" in text
        and "'shoe_size'" in text
    )


def test_broken_yaml(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("cycle: 2025\nquality: [unclosed\n")
    with pytest.raises(CipsDataError, match="not valid YAML"):
        cipslib.load_params(path)


def test_real_cycle_template_is_valid_apart_from_its_data_file(tmp_path):
    import yaml

    from cipslib.inputs.params import validate_params

    template = ROOT / "params" / "templates" / "real-cycle.yaml"
    raw = yaml.safe_load(template.read_text(encoding="utf-8"))
    with pytest.raises(cipslib.CipsDataError) as err:
        validate_params(raw, str(template), base=template.parent)
    assert len(err.value.problems) == 1 and "data file does not exist" in str(err.value)
    raw["data"] = "demo"
    raw["cycle"] = 2025
    p = validate_params(raw, str(template), base=template.parent)
    assert p.population["official"].name == "scs_staff.yaml" and p.thresholds["alpha_min"] == 0.6
