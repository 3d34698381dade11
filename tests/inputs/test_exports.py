"""Real survey-tool exports: labels as answers, question text or tool codes as headers, the tools'
own columns, constants from the params. Each export is built from the 2025 demo cycle (generated,
not typed) and must read exactly as the coded file does."""

from __future__ import annotations

import csv
import json
import shutil

import pandas as pd
import pytest

import cipslib
from cipslib.cli import main
from cipslib.inputs.demo import demo_path

from ..conftest import ROOT
from . import exports

CYCLE = 2025


@pytest.fixture(scope="module")
def coded(raw2025):
    return raw2025.copy()


@pytest.fixture(scope="module")
def reference(codebook):
    return cipslib.load_cycle(demo_path(CYCLE), codebook, CYCLE)


def _same_answers(loaded, reference):
    a = loaded.data.drop(columns="respondent_id")
    b = reference.data.drop(columns="respondent_id")
    assert list(a.columns) == list(b.columns)
    for col in a.columns:
        assert a[col].astype(object).equals(b[col].astype(object)), col
    assert loaded.reasons.equals(reference.reasons)


def _params(tmp_path, data_name, **extra):
    params = tmp_path / "params"
    shutil.copytree(ROOT / "params", params)
    text = (params / "2025.yaml").read_text(encoding="utf-8")
    text = text.replace("data: demo", f"data: {data_name}")
    for key, value in extra.items():
        text += f"{key}: {value}\n"
    (params / "2025.yaml").write_text(text, encoding="utf-8")
    return params / "2025.yaml"


def _findings(path):
    found = json.loads(path.read_text(encoding="utf-8"))
    found.pop("software")
    found["meta"].pop("data_file")
    return found


@pytest.fixture(scope="module")
def coded_findings(tmp_path_factory, findings_2025):
    out = tmp_path_factory.mktemp("coded")
    findings_2025.to_json(out / "findings.json")
    return _findings(out / "findings.json")


@pytest.mark.slow
def test_google_forms_ukrainian_csv_gives_the_same_findings(
    tmp_path, codebook, coded, coded_findings, capsys
):
    frame = exports.google_forms(coded, codebook, CYCLE, "uk")
    assert "Позначка часу" == frame.columns[0] and "respondent_id" not in frame
    params = _params(tmp_path, "../responses.csv")
    frame.to_csv(tmp_path / "responses.csv", index=False, encoding="utf-8-sig")
    assert main(["findings", str(params), "--out", str(tmp_path / "out"), "--show", "0"]) == 0
    assert _findings(tmp_path / "out" / "findings.json") == coded_findings
    assert main(["check", str(params)]) == 0
    printed = capsys.readouterr().out
    assert "ids generated from the row numbers" in printed and "'online' from the params" in printed
    assert "Позначка часу -> identifier (dropped)" in printed
    assert "Адреса електронної пошти -> identifier (dropped)" in printed
    assert "-> item lead_02 (by text)" in printed


@pytest.mark.slow
def test_english_xlsx_with_question_keys_gives_the_same_findings(
    tmp_path, codebook, coded, coded_findings
):
    frame = exports.keyed(coded, codebook, CYCLE, "en")
    assert "LEAD_EXAMPLE" in frame and frame["LEAD_EXAMPLE"].dropna().iloc[0] in (
        "Strongly disagree",
        "Disagree",
        "Neither agree nor disagree",
        "Agree",
        "Strongly agree",
        "Don't know",
        "Prefer not to say",
    )
    frame.to_excel(tmp_path / "responses.xlsx", sheet_name="responses", index=False)
    params = _params(tmp_path, "../responses.xlsx")
    assert main(["findings", str(params), "--out", str(tmp_path / "out"), "--show", "0"]) == 0
    assert _findings(tmp_path / "out" / "findings.json") == coded_findings


@pytest.mark.slow
def test_google_forms_in_windows_1251(tmp_path, codebook, coded, reference):
    frame = exports.google_forms(coded, codebook, CYCLE, "uk")
    path = tmp_path / "responses.csv"
    frame.to_csv(path, index=False, encoding="cp1251", sep=";")
    loaded = cipslib.load_cycle(path, codebook, CYCLE, constants={"mode": "online"})
    assert loaded.report.encoding == "cp1251"
    _same_answers(loaded, reference)


@pytest.mark.slow
@pytest.mark.parametrize("codes", [True, False], ids=["codes", "labels"])
def test_limesurvey_code_and_text_headers(tmp_path, codebook, coded, reference, codes):
    frame = exports.limesurvey(coded, codebook, CYCLE, codes=codes)
    assert "lead_02 [Senior managers in Customs set a personal example of integrity.]" in frame
    path = tmp_path / "results-survey123.csv"
    frame.to_csv(path, index=False, encoding="utf-8")
    loaded = cipslib.load_cycle(path, codebook, CYCLE)
    _same_answers(loaded, reference)
    rules = loaded.report.mapping().set_index("column")["rule"]
    header = "lead_02 [Senior managers in Customs set a personal example of integrity.]"
    assert rules[header] == "id"
    assert rules["interviewtime"] == "alias" and rules["id"] == "alias"


@pytest.mark.slow
def test_kobotoolbox_like_xlsx_with_labels(tmp_path, codebook, coded, reference):
    frame = exports.labelled(
        coded,
        codebook,
        CYCLE,
        "uk",
        lambda c: {"respondent_id": "_uuid", "submitted_at": "_submission_time"}.get(c, c),
    )
    frame.to_excel(tmp_path / "kobo.xlsx", index=False)
    _same_answers(cipslib.load_cycle(tmp_path / "kobo.xlsx", codebook, CYCLE), reference)


@pytest.mark.slow
def test_parquet_with_labels(tmp_path, codebook, coded, reference):
    frame = exports.labelled(coded, codebook, CYCLE, "en", lambda c: c)
    frame.to_parquet(tmp_path / "responses.parquet", index=False)
    _same_answers(cipslib.load_cycle(tmp_path / "responses.parquet", codebook, CYCLE), reference)


@pytest.mark.slow
def test_surveymonkey_two_header_rows(tmp_path, codebook, coded, reference):
    rows = exports.survey_monkey(coded, codebook, CYCLE)
    path = tmp_path / "surveymonkey.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    loaded = cipslib.load_cycle(path, codebook, CYCLE)
    _same_answers(loaded, reference)


@pytest.mark.slow
def test_mixed_codes_and_labels_in_one_column(tmp_path, codebook, coded, reference):
    frame = exports.labelled(coded, codebook, CYCLE, "en", lambda c: c)
    numeric = coded["lead_01"].map(lambda v: None if pd.isna(v) else f"{v:.1f}")
    frame.loc[::2, "lead_01"] = numeric[::2]  # "4.0" is code 4
    frame.to_csv(tmp_path / "mixed.csv", index=False)
    _same_answers(cipslib.load_cycle(tmp_path / "mixed.csv", codebook, CYCLE), reference)


@pytest.mark.slow
def test_unknown_labels_are_all_reported(tmp_path, codebook, coded, capsys):
    frame = exports.labelled(coded, codebook, CYCLE, "en", lambda c: c)
    frame.loc[3, "lead_01"] = "Somewhat agree"
    frame.loc[8, "region"] = "Atlantis"
    frame.to_csv(tmp_path / "bad.csv", index=False)
    assert main(["check", str(tmp_path / "bad.csv"), "--cycle", str(CYCLE)]) == 2
    err = capsys.readouterr().err
    assert "row 5, column 'lead_01': unknown answer label (found 'Somewhat agree'" in err
    assert "Strongly disagree; Disagree; Neither agree nor disagree; Agree; Strongly agree" in err
    assert "row 10, column 'region': unknown value (found 'Atlantis'" in err


@pytest.mark.slow
def test_a_column_two_items_claim_is_an_error(tmp_path, codebook, coded):
    text = (ROOT / "cipslib" / "data" / "codebook.yaml").read_text(encoding="utf-8")
    for key in ("LEAD_EXAMPLE", "LEAD_SUPERVISOR_ACTS"):
        text = text.replace(f"    key: {key}\n", f"    key: {key}\n    aliases: [Q7]\n", 1)
    (tmp_path / "cb.yaml").write_text(text, encoding="utf-8")
    cb = cipslib.load_codebook(tmp_path / "cb.yaml")
    frame = exports.labelled(coded, cb, CYCLE, "en", lambda c: "Q7" if c == "lead_02" else c)
    frame.to_csv(tmp_path / "x.csv", index=False)
    with pytest.raises(cipslib.CipsDataError) as err:
        cipslib.load_cycle(tmp_path / "x.csv", cb, CYCLE)
    assert "'Q7' matches two entries" in str(err.value)
    assert "item 'lead_02'" in str(err.value) and "item 'lead_03'" in str(err.value)


@pytest.mark.slow
def test_a_drafted_codebook_once_completed_reads_the_export(tmp_path, codebook, coded, capsys):
    """`cips codebook draft` on a Google-Forms-like export: one item per answer column, the shipped
    scales recognised from the label sets, respondent variables with their levels, TODO marks; once
    a person completes the TODOs, `cips check` reads the export with it."""
    import yaml

    frame = exports.google_forms(coded, codebook, CYCLE, "uk")
    export = tmp_path / "responses.csv"
    frame.to_csv(export, index=False, encoding="utf-8-sig")
    draft = tmp_path / "draft.yaml"
    assert main(["codebook", "draft", str(export), "--out", str(draft), "--language", "uk"]) == 0
    text = draft.read_text(encoding="utf-8")
    asked = codebook.items_for(cycle=CYCLE)
    doc = yaml.safe_load(text)
    assert len(doc["items"]) == len(asked)
    assert set(doc["scales"]) == set(asked["scale"])
    assert {"group", "region", "role", "tenure"} <= set(doc["respondent_variables"])
    assert "factor: 0  # TODO" in text and "reverse: false  # TODO" in text
    assert main(["check", str(export), "--codebook", str(draft), "--cycle", str(CYCLE)]) == 2
    assert "needs its Revised Arusha Declaration factor" in capsys.readouterr().err

    # a person completes the TODOs (here from the questionnaire the export was made with)
    by_text = {row["text_uk"]: row for _, row in asked.iterrows()}
    draft_id = {by_text[item["aliases"][0]]["id"]: item["id"] for item in doc["items"]}
    for item in doc["items"]:
        row = by_text[item["aliases"][0]]
        item["instruments"] = list(row["instruments"])
        item["construct"] = row["construct"]
        item["reverse"] = bool(row["reverse"])
        item["text"]["en"] = row["text_en"]
        if pd.isna(row["factor"]):
            del item["factor"]
        else:
            item["factor"] = int(row["factor"])
        if isinstance(row["twin"], str):
            item["twin"] = draft_id[row["twin"]]
        if isinstance(row["asked_if_item"], str):
            item["asked_if"] = {
                "item": draft_id[row["asked_if_item"]],
                "codes": list(row["asked_if_codes"]),
            }
    draft.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert (
        main(
            [
                "check",
                str(export),
                "--codebook",
                str(draft),
                "--cycle",
                str(CYCLE),
                "--set",
                "mode=online",
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "-> item q02 (by alias)" in printed


@pytest.mark.parametrize(("cycle", "item"), [(2024, "tra_01_v1"), (2025, "tra_01")])
def test_a_key_shared_by_two_wordings_means_this_cycles_item(codebook, cycle, item):
    from cipslib.inputs.matching import ColumnMatcher

    assert ColumnMatcher(codebook, cycle).match("TRA_INFO").target == item
    assert ColumnMatcher(codebook, cycle).match("tra-info").rule == "key"


def test_headers_are_matched_whatever_their_punctuation_and_numbering(codebook):
    from cipslib.inputs.matching import ColumnMatcher

    m = ColumnMatcher(codebook, 2025)
    text = codebook.item("lead_02")["text_en"]
    for header in (
        f"12. {text}",
        f"Q12) {text.upper()}",
        f"“{text[:-1]}”?",
        f"  {text}  ",
        f"lead_02. {text}",
        f"LEAD_EXAMPLE [{text}]",
    ):
        assert m.match(header).target == "lead_02", header
    assert m.match("Some other question").target is None


@pytest.mark.slow
def test_qualtrics_three_header_rows_and_metadata(tmp_path, codebook, coded, reference, capsys):
    rows = exports.qualtrics(coded, codebook, CYCLE)
    path = tmp_path / "qualtrics.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    loaded = cipslib.load_cycle(path, codebook, CYCLE, constants={"mode": "online"})
    _same_answers(loaded, reference)
    report = loaded.report
    assert {"IPAddress", "RecipientEmail", "LocationLatitude"} <= set(report.dropped_identifiers)
    assert {"Status", "Progress", "Finished", "UserLanguage"} <= set(report.tool_metadata)
    assert report.dropped_unknown == []
    rules = report.mapping().set_index("column")
    assert rules.loc["Q1", "rule"] == "text" and rules.loc["Q1", "target"] is not None
    assert loaded.report.rows_read == len(coded)
    assert not any("not in the codebook" in str(w) for w in report.warnings)


def test_kobotoolbox_group_paths_and_system_columns(tmp_path, codebook, coded, reference):
    frame = exports.kobo_groups(coded, codebook, CYCLE)
    assert "factor_1/lead_01" in frame
    frame.to_csv(tmp_path / "kobo.csv", index=False)
    loaded = cipslib.load_cycle(tmp_path / "kobo.csv", codebook, CYCLE)
    report = loaded.report
    assert report.mapping().set_index("column").loc["factor_1/lead_01", "target"] == "lead_01"
    assert {"_index", "_status", "__version__", "_validation_status", "meta/instanceID"} <= set(
        report.tool_metadata
    )
    assert "_submitted_by" in report.dropped_identifiers
    assert report.dropped_unknown == []
    _same_answers(loaded, reference)


@pytest.mark.slow
def test_messages_name_the_exports_own_column(tmp_path, codebook, coded, capsys):
    frame = exports.keyed(coded, codebook, CYCLE, "en")
    frame.loc[3, "LEAD_COMMITMENT"] = "Somewhat agree"
    frame.to_csv(tmp_path / "bad.csv", index=False)
    assert main(["check", str(tmp_path / "bad.csv"), "--cycle", str(CYCLE)]) == 2
    err = capsys.readouterr().err
    assert "row 5, column 'LEAD_COMMITMENT' (item lead_01): unknown answer label" in err
    # each language's labels once: English and Ukrainian differ, so both are listed
    assert err.count("Strongly disagree; Disagree; Neither agree nor disagree") == 1
