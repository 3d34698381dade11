"""Loading survey exports in every supported format, and a clear error for every kind of bad
input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyreadstat
import pytest

import cipslib
from cipslib import CipsDataError
from cipslib.inputs.demo import demo_path

from ..conftest import write_csv


@pytest.fixture
def small(raw2024) -> pd.DataFrame:
    return raw2024.head(60).copy()


def load(path, cycle=2024):
    return cipslib.load_responses(path, cycle=cycle)


def error_text(path, cycle=2024, **kw) -> str:
    with pytest.raises(CipsDataError) as err:
        cipslib.load_responses(path, cycle=cycle, **kw)
    return str(err.value)


# -- formats -------------------------------------------------------------------------------------
def test_tidy_result_dtypes(demo2025, codebook):
    d = demo2025.data
    for var in ("group", "respondent_type", "region", "role", "tenure", "business_type", "mode"):
        assert isinstance(d[var].dtype, pd.CategoricalDtype)
        assert list(d[var].cat.categories) == list(codebook.variables[var].levels)
    assert d["tenure"].cat.ordered
    assert isinstance(d["lead_01"].dtype, pd.CategoricalDtype) and d["lead_01"].cat.ordered
    assert list(d["lead_01"].cat.categories) == [1, 2, 3, 4, 5]
    assert d["respondent_id"].is_unique
    assert (d["cycle"] == 2025).all()
    # 2025 questionnaire: the renamed item is present under its new id only
    assert "tra_01" in d and "tra_01_v1" not in d


def test_dont_know_and_refusal_become_missing_but_are_counted(demo2025):
    d, reasons = demo2025.data, demo2025.reasons
    nr = demo2025.report.nonresponse
    for item in ("hrm_02", "bribe_helps"):
        dk = reasons[item] == "dont_know"
        assert dk.sum() == nr.loc[item, "dont_know"] > 0
        assert d.loc[dk, item].isna().all()
    assert d.attrs["cips"]["nonresponse"]["hrm_02"]["dont_know"] == nr.loc["hrm_02", "dont_know"]
    # officials were not asked private-only items
    off = d["group"] == "official"
    assert (reasons.loc[off, "bribe_response"] == "not_asked").all()


def test_routing_marks_skipped_questions_as_not_asked(demo2024):
    d, r = demo2024.data, demo2024.reasons
    not_involved = d["investigation_involved"].astype("Float64") == 2
    assert (r.loc[not_involved, "investigation_experience"] == "not_asked").all()


@pytest.mark.parametrize(
    "encoding,sep", [("utf-8", ","), ("utf-8-sig", ";"), ("cp1251", ";"), ("utf-8", "\t")]
)
def test_csv_encodings_and_delimiters_give_the_same_data(tmp_path, small, encoding, sep):
    small = small.copy()
    small["comment"] = "Черги на кордоні"
    reference = load(write_csv(small, tmp_path / "ref.csv"))
    other = load(write_csv(small, tmp_path / "x.csv", sep=sep, encoding=encoding))
    pd.testing.assert_frame_equal(reference, other, check_like=False)


def test_xlsx_sav_parquet_round_trip(tmp_path, small):
    reference = load(write_csv(small, tmp_path / "ref.csv"))
    small.to_excel(tmp_path / "x.xlsx", index=False, sheet_name="responses")
    small.to_parquet(tmp_path / "x.parquet")
    sav = small.copy()
    sav["comment"] = sav["comment"].astype(str)
    sav["respondent_id"] = sav["respondent_id"].astype(str)
    pyreadstat.write_sav(sav, tmp_path / "x.sav")
    for name in ("x.xlsx", "x.parquet", "x.sav"):
        pd.testing.assert_frame_equal(reference, load(tmp_path / name), obj=name)


def test_category_values_may_be_codes_names_or_labels(tmp_path, small):
    reference = load(write_csv(small, tmp_path / "ref.csv"))
    named = small.copy()
    named["group"] = named["group"].map({1: "official", 2: "Private sector and public"})
    named["region"] = named["region"].map(
        {1: "Центральний апарат", 2: "west", 3: "North", 4: "centre", 5: "south", 6: "EAST"}
    )
    pd.testing.assert_frame_equal(reference, load(write_csv(named, tmp_path / "named.csv")))


def test_identifier_columns_are_dropped_and_reported(tmp_path, small):
    small = small.copy()
    small["E-mail"] = "someone@example.org"
    small["Phone"] = "+380 44 000 0000"
    small["contact"] = "a@b.org"  # not named like an identifier, but holds e-mails
    small["extra_column"] = "x"  # unknown to the codebook
    cd = cipslib.load_cycle(write_csv(small, tmp_path / "x.csv"), cycle=2024)
    assert set(cd.report.dropped_identifiers) == {"comment", "E-mail", "Phone", "contact"}
    assert cd.report.dropped_unknown == ["extra_column"]
    assert not {"E-mail", "Phone", "contact", "extra_column", "comment"} & set(cd.data.columns)
    assert any("extra_column" in str(w) for w in cd.report.warnings)


def test_trailing_empty_rows_are_skipped(tmp_path, small):
    path = write_csv(small, tmp_path / "x.csv")
    path.write_text(path.read_text() + ",,,\n\n")
    cd = cipslib.load_cycle(path, cycle=2024)
    assert len(cd.data) == 60


def test_cycle_can_come_from_the_file(tmp_path, small):
    d = cipslib.load_responses(write_csv(small, tmp_path / "x.csv"))
    assert (d["cycle"] == 2024).all()


# -- bad input -----------------------------------------------------------------------------------
def test_empty_file(tmp_path):
    (tmp_path / "x.csv").write_bytes(b"")
    assert "empty" in error_text(tmp_path / "x.csv")


def test_header_only(tmp_path, small):
    write_csv(small.head(0), tmp_path / "x.csv")
    assert "no respondents" in error_text(tmp_path / "x.csv")


def test_wrong_delimiter(tmp_path, small):
    write_csv(small, tmp_path / "x.csv", sep="|")
    text = error_text(tmp_path / "x.csv")
    assert "single column" in text and "'|'" in text and "row 1" in text


def test_binary_garbage(tmp_path):
    (tmp_path / "x.csv").write_bytes(np.random.default_rng(1).bytes(4000))
    assert "binary data" in error_text(tmp_path / "x.csv")


def test_cp1251_file_mangled_through_utf8(tmp_path, small):
    small = small.copy()
    small["comment"] = "Черги"
    path = write_csv(small, tmp_path / "x.csv", encoding="cp1251")
    path.write_text(path.read_bytes().decode("utf-8", errors="replace"), encoding="utf-8")
    text = error_text(path)
    assert "replacement characters" in text and "Windows-1251" in text


def test_excel_file_with_csv_extension(tmp_path, small):
    small.to_excel(tmp_path / "x.csv", index=False)
    assert "Excel file" in error_text(tmp_path / "x.csv")


def test_xlsx_without_the_expected_sheet(tmp_path, small):
    with pd.ExcelWriter(tmp_path / "x.xlsx") as w:
        small.to_excel(w, sheet_name="Sheet1", index=False)
        small.head(2).to_excel(w, sheet_name="Notes", index=False)
    text = error_text(tmp_path / "x.xlsx")
    assert "none is named 'responses'" in text and "Sheet1" in text
    assert "no sheet named 'answers'" in error_text(tmp_path / "x.xlsx", sheet="answers")


def test_corrupt_xlsx(tmp_path):
    (tmp_path / "x.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    assert "not a readable Excel workbook" in error_text(tmp_path / "x.xlsx")


def test_sav_with_unknown_value_labels(tmp_path, small):
    sav = small.copy()
    sav["comment"] = sav["comment"].astype(str)
    pyreadstat.write_sav(
        sav,
        tmp_path / "x.sav",
        variable_value_labels={"role": {1.0: "Supervisor", 2.0: "Inspector"}},
    )
    text = error_text(tmp_path / "x.sav")
    assert "value label" in text and "Supervisor" in text and "'role'" in text


def test_sav_with_a_reversed_scale(tmp_path, small):
    sav = small.copy()
    sav["comment"] = sav["comment"].astype(str)
    reversed_labels = {
        5.0: "Strongly disagree",
        4.0: "Disagree",
        3.0: "Neither agree nor disagree",
        2.0: "Agree",
        1.0: "Strongly agree",
    }
    pyreadstat.write_sav(
        sav, tmp_path / "x.sav", variable_value_labels={"lead_01": reversed_labels}
    )
    assert "another coding" in error_text(tmp_path / "x.sav")


def test_duplicated_column_names(tmp_path, small):
    path = write_csv(small, tmp_path / "x.csv")
    lines = path.read_text().splitlines()
    lines[0] = lines[0].replace("lead_02", "lead_01")
    path.write_text("\n".join(lines) + "\n")
    text = error_text(path)
    assert "'lead_01' appears twice" in text


def test_codes_out_of_range_name_rows_and_values(tmp_path, small):
    small = small.copy()
    officials = np.flatnonzero((small["group"] == 1).to_numpy())
    small.loc[officials[0], "lead_01"] = 7
    small.loc[officials[1], "lead_01"] = 7
    small.loc[officials[2], "reg_01"] = 0
    text = error_text(write_csv(small, tmp_path / "x.csv"))
    assert f"row {officials[0] + 2}, column 'lead_01'" in text and "rows" in text
    assert "found '7'" in text and "expected 1-5, or 8 don't know, 9 prefer not to say" in text
    assert "column 'reg_01'" in text and "found '0'" in text


def test_text_in_a_numeric_column(tmp_path, small):
    small = small.astype({"lead_01": object})
    small.loc[5, "lead_01"] = "agreed a lot"
    small["duration_s"] = "600"
    small.loc[7, "duration_s"] = "ten minutes"
    text = error_text(write_csv(small, tmp_path / "x.csv"))
    assert "row 7, column 'lead_01': unknown answer label (found 'agreed a lot'" in text
    assert (
        "or a label: Strongly disagree; Disagree;" in text and "Категорично не погоджуюся" in text
    )
    assert "row 9, column 'duration_s': text in a numeric column (found 'ten minutes'" in text


def test_each_kind_of_answer_is_read_once_per_distinct_value(tmp_path, small):
    """Codes written several ways, labels in either language, don't know and refusal, answers to a
    question not on the respondent's questionnaire, and the rows of every bad answer."""
    small = small.astype({"lead_01": object, "lead_04": object})
    official = np.flatnonzero((small["group"] == 1).to_numpy())
    private = np.flatnonzero((small["group"] == 2).to_numpy())
    answers = ["4", "4.0", "4,0", "Погоджуюся", "strongly agree.", "8", "Важко відповісти", "9"]
    for row, value in zip(official, answers, strict=False):
        small.loc[row, "lead_01"] = value
    small.loc[official[:3], "lead_04"] = "2"  # lead_04 is asked of the private sector only
    path = write_csv(small, tmp_path / "x.csv")
    cd = cipslib.load_cycle(path, cycle=2024)
    read = cd.data.set_index("respondent_id")["lead_01"]
    ids = small["respondent_id"].to_numpy()
    assert [read[ids[r]] for r in official[:5]] == [4, 4, 4, 4, 5]
    why = cd.reasons.set_index(cd.data["respondent_id"])["lead_01"]
    assert [why[ids[r]] for r in official[5:8]] == ["dont_know", "dont_know", "refusal"]
    assert cd.data.set_index("respondent_id").loc[ids[official[:3]], "lead_04"].isna().all()
    assert any("3 respondents answered 'lead_04'" in str(w) for w in cd.report.warnings)

    small.loc[official[0], "lead_01"] = "4.5"
    small.loc[official[1], "lead_01"] = "maybe"
    small.loc[official[2], "lead_01"] = "6"
    small.loc[official[3], "lead_01"] = "maybe"
    small.loc[private[0], "lead_01"] = "maybe"  # not asked, and not an answer: still an error
    text = error_text(write_csv(small, tmp_path / "y.csv"))
    rows = sorted(r + 2 for r in (official[1], official[3], private[0]))
    assert f"rows {rows[0]}, {rows[1]}, {rows[2]}" in text and "found 'maybe'" in text
    assert f"row {official[0] + 2}, column 'lead_01'" in text and "found '4.5'" in text
    assert f"row {official[2] + 2}, column 'lead_01'" in text and "found '6'" in text


def test_no_group_column(tmp_path, small):
    text = error_text(write_csv(small.drop(columns=["group"]), tmp_path / "x.csv"))
    assert "required column 'group' is missing" in text


def test_missing_item_column(tmp_path, small):
    text = error_text(write_csv(small.drop(columns=["aud_02"]), tmp_path / "x.csv"))
    assert "item 'aud_02' is missing" in text


def test_duplicate_ids(tmp_path, small):
    small = small.copy()
    small.loc[10, "respondent_id"] = small.loc[3, "respondent_id"]
    text = error_text(write_csv(small, tmp_path / "x.csv"))
    assert "used more than once" in text and "rows 5, 12" in text


def test_row_of_another_cycle(tmp_path, small):
    small = small.copy()
    small.loc[4, "cycle"] = 2023
    assert "row 6, column 'cycle': the row belongs to another survey cycle" in error_text(
        write_csv(small, tmp_path / "x.csv")
    )


def test_inconsistent_group_and_type(tmp_path, small):
    small = small.copy()
    official = int(np.flatnonzero((small["group"] == 1).to_numpy())[0])
    small.loc[official, "respondent_type"] = 2
    assert "does not belong to the respondent group" in error_text(
        write_csv(small, tmp_path / "x.csv")
    )


def test_every_problem_is_reported_at_once(tmp_path, small):
    small = small.copy()
    small.loc[1, "lead_01"] = 6
    small.loc[2, "region"] = 9
    small.loc[3, "respondent_id"] = small.loc[4, "respondent_id"]
    with pytest.raises(CipsDataError) as err:
        load(write_csv(small.drop(columns=["aud_02"]), tmp_path / "x.csv"))
    assert len(err.value.problems) == 4


def test_missing_file_and_unsupported_type(tmp_path):
    assert "does not exist" in error_text(tmp_path / "nope.csv")
    (tmp_path / "x.json").write_text("{}")
    assert "unsupported file type" in error_text(tmp_path / "x.json")


def test_input_file_is_not_modified(tmp_path):
    import hashlib

    before = hashlib.sha256(demo_path(2025).read_bytes()).hexdigest()
    cipslib.demo_data(2025)
    assert hashlib.sha256(demo_path(2025).read_bytes()).hexdigest() == before


def test_declared_missing_codes_are_counted_by_their_meaning(tmp_path, codebook):
    import yaml

    from cipslib.inputs.codebook import shipped_codebook_path
    from cipslib.inputs.synthetic import simulate_cycle

    spec = yaml.safe_load(shipped_codebook_path().read_text(encoding="utf-8"))
    spec["scales"]["agree5"]["missing"] = {
        0: {
            "meaning": "not_asked",
            "en": "Not applicable",
            "uk": "Не застосовується",
            "fr": "Sans objet",
        },
        98: {"en": "Cannot say", "uk": "Не можу сказати", "fr": "Ne peut pas dire"},
    }
    (tmp_path / "cb.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    cb = cipslib.load_codebook(tmp_path / "cb.yaml")
    assert cb.scales["agree5"].missing_reasons == {
        8: "dont_know",
        9: "refusal",
        0: "not_asked",
        98: "dont_know",
    }
    frame = simulate_cycle(2024, codebook).head(40).copy()
    frame["lead_01"] = frame["lead_01"].astype(object)
    officials = frame.index[frame["group"] == 1][:6]
    frame.loc[officials[:2], "lead_01"] = 0
    frame.loc[officials[2:5], "lead_01"] = 98
    frame.loc[officials[5], "lead_01"] = "Cannot say"
    loaded = cipslib.load_cycle(write_csv(frame, tmp_path / "x.csv"), cb, 2024)
    why = loaded.reasons.loc[officials, "lead_01"].tolist()
    assert why == ["not_asked"] * 2 + ["dont_know"] * 4
    assert loaded.data.loc[officials, "lead_01"].isna().all()
    frame.loc[officials[0], "lead_01"] = 97
    with pytest.raises(cipslib.CipsDataError) as err:
        cipslib.load_cycle(write_csv(frame, tmp_path / "y.csv"), cb, 2024)
    assert "0 not applicable, 98 don't know" in str(err.value)
