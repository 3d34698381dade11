"""The bad-input matrix: every case gives exit code 2 and one message naming the file (and, where it
applies, the row, column and value and what was expected); nothing looks like a traceback; reports/
is untouched."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyreadstat
import pytest
import yaml

from cipslib.cli import main
from cipslib.inputs.codebook import shipped_codebook_path

from ..conftest import ROOT, write_csv

POP = ROOT / "params" / "population"


@pytest.fixture(scope="module")
def base_export(raw2024, tmp_path_factory):
    return raw2024.copy()


def _params(tmp, **over):
    raw = {
        "cycle": 2024,
        "data": str(tmp / "data.csv"),
        "population": {
            "official": str(POP / "scs_staff.yaml"),
            "private": str(POP / "private_frame.yaml"),
        },
        "previous": None,
        "output": str(tmp / "reports"),
    }
    raw.update(over)
    path = tmp / "cycle.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def _csv(tmp, frame, name="data.csv", **kw):
    return write_csv(frame, tmp / name, **kw)


def _pop_variant(tmp, edit, name="staff.yaml", source=POP / "scs_staff.yaml"):
    raw = yaml.safe_load(source.read_text(encoding="utf-8"))
    edit(raw)
    path = tmp / name
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def _codebook_variant(tmp, replace_from, replace_to):
    text = shipped_codebook_path().read_text(encoding="utf-8")
    assert replace_from in text
    path = tmp / "codebook.yaml"
    path.write_text(text.replace(replace_from, replace_to, 1), encoding="utf-8")
    return path


def _set(frame, column, row, value):
    frame = frame.copy()
    frame[column] = frame[column].astype(object)
    frame.iloc[row, frame.columns.get_loc(column)] = value
    return frame


# each case: (id, builder(tmp, export) -> params path, words the message must contain)
def c_empty(tmp, d):
    (tmp / "data.csv").write_bytes(b"")
    return _params(tmp)


def c_header_only(tmp, d):
    _csv(tmp, d.head(0))
    return _params(tmp)


def c_wrong_delimiter(tmp, d):
    _csv(tmp, d, sep="|")
    return _params(tmp)


def c_cp1251_as_utf8(tmp, d):
    d = d.copy()
    d["comment"] = "Черги на кордоні"
    path = _csv(tmp, d, encoding="cp1251")
    path.write_text(path.read_bytes().decode("utf-8", errors="replace"), encoding="utf-8")
    return _params(tmp)


def c_binary(tmp, d):
    (tmp / "data.csv").write_bytes(np.random.default_rng(2).bytes(5000))
    return _params(tmp)


def c_xlsx_no_sheet(tmp, d):
    with pd.ExcelWriter(tmp / "data.xlsx") as w:
        d.to_excel(w, sheet_name="Sheet1", index=False)
        d.head(1).to_excel(w, sheet_name="Other", index=False)
    return _params(tmp, data=str(tmp / "data.xlsx"))


def c_xlsx_named_sheet_missing(tmp, d):
    d.to_excel(tmp / "data.xlsx", sheet_name="responses", index=False)
    return _params(tmp, data=str(tmp / "data.xlsx"), sheet="answers")


def c_corrupt_xlsx(tmp, d):
    (tmp / "data.xlsx").write_bytes(b"PK\x03\x04 broken")
    return _params(tmp, data=str(tmp / "data.xlsx"))


def c_excel_as_csv(tmp, d):
    d.to_excel(tmp / "data.csv", index=False)
    return _params(tmp)


def c_sav_unknown_labels(tmp, d):
    d = d.copy()
    d["comment"] = d["comment"].astype(str)
    pyreadstat.write_sav(
        d, tmp / "data.sav", variable_value_labels={"role": {1.0: "Boss", 2.0: "Staff"}}
    )
    return _params(tmp, data=str(tmp / "data.sav"))


def c_duplicate_columns(tmp, d):
    path = _csv(tmp, d)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[0] = lines[0].replace("lead_02", "lead_01")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return _params(tmp)


def c_code_out_of_range(tmp, d):
    row = int(np.flatnonzero((d["group"] == 1).to_numpy())[3])
    _csv(tmp, _set(d, "lead_01", row, 7))
    return _params(tmp)


def c_text_in_numeric(tmp, d):
    _csv(tmp, _set(d, "lead_02", 5, "mostly agree"))
    return _params(tmp)


def c_no_group_column(tmp, d):
    _csv(tmp, d.drop(columns=["group"]))
    return _params(tmp)


def c_missing_item_column(tmp, d):
    _csv(tmp, d.drop(columns=["reg_01"]))
    return _params(tmp)


def c_missing_required_variable(tmp, d):
    _csv(tmp, d.drop(columns=["region"]))
    return _params(tmp)


def c_unknown_group_code(tmp, d):
    _csv(tmp, _set(d, "group", 4, 7))
    return _params(tmp)


def c_duplicate_ids(tmp, d):
    _csv(tmp, _set(d, "respondent_id", 6, d["respondent_id"].iloc[5]))
    return _params(tmp)


def c_other_cycle_row(tmp, d):
    _csv(tmp, _set(d, "cycle", 8, 2019))
    return _params(tmp)


def c_group_type_mismatch(tmp, d):
    row = int(np.flatnonzero((d["group"] == 1).to_numpy())[0])
    _csv(tmp, _set(d, "respondent_type", row, 2))
    return _params(tmp)


def c_unsupported_type(tmp, d):
    (tmp / "data.txt").write_text("hello", encoding="utf-8")
    return _params(tmp, data=str(tmp / "data.txt"))


def c_missing_data_file(tmp, d):
    return _params(tmp, data=str(tmp / "nowhere.csv"))


def c_group_without_respondents(tmp, d):
    """Population figures for officials, but the file holds only private-sector respondents."""
    _csv(tmp, d[d["group"] == 2])
    return _params(tmp, population={"official": str(POP / "scs_staff.yaml")})


def c_official_missing_role(tmp, d):
    row = int(np.flatnonzero((d["group"] == 1).to_numpy())[2])
    _csv(tmp, _set(d, "role", row, ""))
    return _params(tmp)


def c_broken_codebook(tmp, d):
    _csv(tmp, d)
    (tmp / "codebook.yaml").write_text("items:\n  - id: [unclosed\n", encoding="utf-8")
    return _params(tmp, codebook=str(tmp / "codebook.yaml"))


def c_codebook_unknown_scale(tmp, d):
    _csv(tmp, d)
    _codebook_variant(tmp, "scale: agree5", "scale: agree7")
    return _params(tmp, codebook=str(tmp / "codebook.yaml"))


def c_codebook_comma_in_wording(tmp, d):
    _csv(tmp, d)
    _codebook_variant(tmp, 'uk: "Ні так, ні ні"', "uk: Ні так, ні ні")
    return _params(tmp, codebook=str(tmp / "codebook.yaml"))


def c_codebook_missing(tmp, d):
    _csv(tmp, d)
    return _params(tmp, codebook=str(tmp / "no_codebook.yaml"))


def c_margins_disagree(tmp, d):
    _csv(tmp, d)
    pop = _pop_variant(
        tmp, lambda r: r["margins"]["role"].update(manager=r["margins"]["role"]["manager"] + 500)
    )
    return _params(tmp, population={"official": str(pop)})


def c_margin_level_not_in_data(tmp, d):
    _csv(tmp, d[~((d["group"] == 1) & (d["region"] == 1))])
    return _params(tmp)


def c_data_level_not_in_margins(tmp, d):
    _csv(tmp, d)

    def drop(r):
        n = r["margins"]["tenure"].pop("lt5")
        r["margins"]["tenure"]["gt10"] += n

    pop = _pop_variant(tmp, drop)
    return _params(tmp, population={"official": str(pop)})


def c_negative_count(tmp, d):
    _csv(tmp, d)

    def neg(r):
        r["margins"]["role"]["manager"] = -5

    return _params(tmp, population={"official": str(_pop_variant(tmp, neg))})


def c_population_broken_yaml(tmp, d):
    _csv(tmp, d)
    (tmp / "staff.yaml").write_text("group: official\nmargins: {role: [1, 2\n", encoding="utf-8")
    return _params(tmp, population={"official": str(tmp / "staff.yaml")})


def c_population_missing(tmp, d):
    _csv(tmp, d)
    return _params(tmp, population={"official": str(tmp / "none.yaml")})


def c_population_unknown_variable(tmp, d):
    _csv(tmp, d)
    return _params(
        tmp,
        population={
            "official": str(
                _pop_variant(tmp, lambda r: r["margins"].update(grade={"a": 4956, "b": 4956}))
            )
        },
    )


def c_population_wrong_group(tmp, d):
    _csv(tmp, d)
    return _params(tmp, population={"customs": str(POP / "scs_staff.yaml")})


def c_params_broken_yaml(tmp, d):
    path = tmp / "cycle.yaml"
    path.write_text("cycle: 2024\ndata: [oops\n", encoding="utf-8")
    return path


def c_params_unknown_key(tmp, d):
    _csv(tmp, d)
    return _params(tmp, colour="blue")


def c_params_wrong_type(tmp, d):
    _csv(tmp, d)
    return _params(tmp, min_cell="ten")


def c_params_no_cycle(tmp, d):
    _csv(tmp, d)
    path = _params(tmp)
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw.pop("cycle")
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


def c_params_bad_language(tmp, d):
    _csv(tmp, d)
    return _params(tmp, language="xx")


def c_params_previous_missing(tmp, d):
    _csv(tmp, d)
    return _params(tmp, previous=str(tmp / "2023.yaml"))


def c_params_bad_quality(tmp, d):
    _csv(tmp, d)
    return _params(tmp, quality={"speeder_ratio": 3})


def c_params_bad_threshold(tmp, d):
    _csv(tmp, d)
    return _params(tmp, thresholds={"significance": 5})


def c_params_not_a_mapping(tmp, d):
    path = tmp / "cycle.yaml"
    path.write_text("- just\n- a list\n", encoding="utf-8")
    return path


def c_params_min_cell_zero(tmp, d):
    _csv(tmp, d)
    return _params(tmp, min_cell=0)


CASES = [
    (c_empty, "empty"),
    (c_header_only, "no respondents"),
    (c_wrong_delimiter, "single column"),
    (c_cp1251_as_utf8, "Windows-1251"),
    (c_binary, "binary"),
    (c_xlsx_no_sheet, "responses"),
    (c_xlsx_named_sheet_missing, "answers"),
    (c_corrupt_xlsx, "Excel"),
    (c_excel_as_csv, "Excel"),
    (c_sav_unknown_labels, "Boss"),
    (c_duplicate_columns, "twice"),
    (c_code_out_of_range, "lead_01"),
    (c_text_in_numeric, "unknown answer label"),
    (c_no_group_column, "group"),
    (c_missing_item_column, "reg_01"),
    (c_missing_required_variable, "region"),
    (c_unknown_group_code, "group"),
    (c_duplicate_ids, "respondent_id"),
    (c_other_cycle_row, "2019"),
    (c_group_type_mismatch, "respondent_type"),
    (c_unsupported_type, ".txt"),
    (c_missing_data_file, "does not exist"),
    (c_group_without_respondents, "official"),
    (c_official_missing_role, "role"),
    (c_broken_codebook, "YAML"),
    (c_codebook_unknown_scale, "agree7"),
    (c_codebook_comma_in_wording, "comma"),
    (c_codebook_missing, "does not exist"),
    (c_margins_disagree, "role"),
    (c_margin_level_not_in_data, "central_office"),
    (c_data_level_not_in_margins, "lt5"),
    (c_negative_count, "manager"),
    (c_population_broken_yaml, "YAML"),
    (c_population_missing, "does not exist"),
    (c_population_unknown_variable, "grade"),
    (c_population_wrong_group, "customs"),
    (c_params_broken_yaml, "YAML"),
    (c_params_unknown_key, "colour"),
    (c_params_wrong_type, "min_cell"),
    (c_params_no_cycle, "cycle"),
    (c_params_bad_language, "xx"),
    (c_params_previous_missing, "previous"),
    (c_params_bad_quality, "speeder_ratio"),
    (c_params_bad_threshold, "significance"),
    (c_params_not_a_mapping, "mapping"),
    (c_params_min_cell_zero, "min_cell"),
]


@pytest.mark.parametrize(("build", "words"), CASES, ids=[c[0].__name__[2:] for c in CASES])
def test_bad_input_exits_2_with_one_clear_message(build, words, base_export, tmp_path, capsys):
    params = build(tmp_path, base_export)
    code = main(["check", str(params)])
    out, err = capsys.readouterr()
    assert code == 2, err
    assert words in err, err
    assert not [
        line for line in err.splitlines() if line.strip() and line in out
    ]  # errors go to stderr only
    assert "Traceback" not in out + err and 'File "' not in out + err
    assert str(tmp_path) in err  # the message names the file
    assert not (tmp_path / "reports").exists()


def test_the_matrix_is_large_enough():
    assert len(CASES) >= 40


@pytest.mark.slow
def test_render_of_bad_data_exits_2_and_leaves_reports_untouched(base_export, tmp_path, capsys):
    reports = tmp_path / "reports"
    (reports / "2024").mkdir(parents=True)
    (reports / "2024" / "findings.json").write_text("{}", encoding="utf-8")
    params = c_code_out_of_range(tmp_path, base_export)
    code = main(["render", str(params), "--out", str(reports), "--quiet", "--format", "html"])
    out, err = capsys.readouterr()
    assert code == 2 and "lead_01" in err and "Traceback" not in err and out == ""
    assert sorted(p.name for p in reports.iterdir()) == ["2024"]
    assert (reports / "2024" / "findings.json").read_text(encoding="utf-8") == "{}"


def test_render_into_an_unwritable_folder_exits_2(tmp_path, capsys):
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x", encoding="utf-8")
    code = main(
        ["render", str(ROOT / "params" / "2024.yaml"), "--out", str(blocker / "reports"), "--quiet"]
    )
    out, err = capsys.readouterr()
    assert code == 2 and "cannot write to the output folder" in err and out == ""
