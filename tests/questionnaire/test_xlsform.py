"""The questionnaire as an XLSForm: pyxform (the reference converter) turns it into an XForm
without errors or warnings, and an export of the form filled in the way KoboToolbox writes it
(group paths, its own columns, answers as choice names or as labels) is read back answer for
answer by ``cips check`` and ``load_cycle`` with no mapping written by hand."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cipslib import load_codebook, load_cycle
from cipslib.questionnaire.xlsform import write_xlsform, xlsform_tables

pyxform = pytest.importorskip("pyxform.xls2xform")

INSTRUMENTS = ("official", "private")
CONDITION = re.compile(r"\$\{(\w+)\} = '([^']*)'")


@pytest.fixture(scope="module")
def codebook():
    return load_codebook()


@pytest.mark.parametrize("instrument", INSTRUMENTS)
def test_pyxform_converts_the_form_without_warnings(codebook, instrument, tmp_path):
    path = write_xlsform(codebook, instrument, tmp_path / f"{instrument}.xlsx", 2025)
    warnings: list[str] = []
    result = pyxform.convert(str(path), warnings=warnings)
    assert warnings == []
    assert "<h:title>" in result.xform and "jr:itext" not in ""  # an XForm document
    for lang in codebook.languages:
        assert f'lang="{lang}"' in result.xform or f"({lang})" in result.xform


def test_the_form_asks_every_item_of_the_cycle_with_its_scale(codebook):
    form = xlsform_tables(codebook, "official", 2025)
    survey, choices = form["survey"], form["choices"]
    asked = codebook.items_for("official", 2025)
    singles = asked[asked["parent"].isna()]
    rows = survey.set_index("name")
    for _, item in singles.iterrows():
        assert rows.loc[item["id"], "type"] == f"select_one {item['scale']}"
        assert rows.loc[item["id"], "label::English (en)"] == item["text_en"]
        listed = choices[choices["list_name"] == item["scale"]]["name"].tolist()
        scale = codebook.scales[item["scale"]]
        extra = [str(c) for c in (scale.dont_know, scale.refusal) if c is not None]
        assert listed == [str(c) for c in scale.labels] + extra  # the scale's order
    routed = singles[singles["asked_if_item"].notna()]
    for _, item in routed.iterrows():
        condition = rows.loc[item["id"], "relevant"]
        assert set(CONDITION.findall(condition)) == {
            (item["asked_if_item"], str(int(c))) for c in item["asked_if_codes"]
        }
    assert form["settings"]["form_id"].item() == "cips_official_2025"


def _fill(form: dict[str, pd.DataFrame], n: int, seed: int, as_labels: bool):
    """n filled-in forms as KoboToolbox exports them: a column per question under its group path,
    Kobo's own columns, answers as choice names (or English labels); and the answers as codes."""
    rng = np.random.default_rng(seed)
    survey, choices = form["survey"], form["choices"]
    label = "label::English (en)"
    export, codes = [], []
    for i in range(n):
        row = {"start": "2025-09-20T10:00:00", "end": "2025-09-20T10:12:00"}
        answers: dict[str, str | None] = {}
        path: list[str] = []
        for _, q in survey.iterrows():
            kind, name = str(q["type"]), q["name"]
            if kind == "begin_group":
                path.append(name)
                continue
            if kind == "end_group":
                path.pop()
                continue
            column = "/".join([*path, name])
            relevant = q.get("relevant")
            if isinstance(relevant, str) and relevant:
                if not any(answers.get(v) == c for v, c in CONDITION.findall(relevant)):
                    row[column] = None
                    answers[name] = None
                    continue
            if kind == "calculate":
                value = str(q["calculation"]).strip("'")
                row[column], answers[name] = value, value
                continue
            options = choices[choices["list_name"] == kind.split()[1]]
            if kind.startswith("select_one"):
                if rng.random() < 0.05:  # skipped
                    row[column], answers[name] = None, None
                    continue
                pick = options.iloc[int(rng.integers(len(options)))]
                answers[name] = pick["name"]
                row[column] = pick[label] if as_labels else pick["name"]
            else:  # select_multiple: Kobo joins the selected names with spaces
                picked = options[rng.random(len(options)) < 0.4]
                answers[name] = " ".join(picked["name"])
                row[column] = " ".join(picked[label] if as_labels else picked["name"]) or None
        row |= {"_id": 1000 + i, "_uuid": f"uuid-{seed}-{i}", "_submission_time": "2025-09-20"}
        export.append(row)
        codes.append(answers)
    return pd.DataFrame(export), pd.DataFrame(codes)


@pytest.mark.parametrize("as_labels", [False, True], ids=["names", "labels"])
def test_an_export_of_the_form_is_read_answer_for_answer(codebook, tmp_path, as_labels):
    frames, expected = [], []
    for k, instrument in enumerate(INSTRUMENTS):
        export, codes = _fill(xlsform_tables(codebook, instrument, 2025), 40, k, as_labels)
        frames.append(export)
        expected.append(codes)
    export = pd.concat(frames, ignore_index=True)
    codes = pd.concat(expected, ignore_index=True)
    path = tmp_path / "kobo_export.csv"
    export.to_csv(path, index=False)
    loaded = load_cycle(path, codebook, 2025)
    data = loaded.data
    assert len(data) == len(export)
    assert list(data["group"].astype(str)) == list(codes["group"])
    singles = codebook.items_for(None, 2025)
    singles = singles[singles["parent"].isna()]
    compared = 0
    for _, item in singles.iterrows():
        if item["id"] not in codes:
            continue
        scale = codebook.scales[item["scale"]]
        given = pd.to_numeric(codes[item["id"]], errors="coerce")
        # a substantive answer is its code; don't know and refusal are missing, with their reason
        want = given.where(given.isin(list(scale.labels)))
        got = pd.to_numeric(data[item["id"]], errors="coerce")
        assert want.fillna(-1).tolist() == got.fillna(-1).tolist(), item["id"]
        for code, reason in ((scale.dont_know, "dont_know"), (scale.refusal, "refusal")):
            if code is not None:
                assert ((given == code) == (loaded.reasons[item["id"]] == reason)).all()
        compared += int(given.notna().sum())
    assert compared > 40 * 30


def test_cips_questionnaire_writes_each_form_and_cips_check_reads_its_export(codebook, tmp_path):
    import contextlib
    import io

    from cipslib.cli import main

    tmp_path = str(tmp_path)
    with contextlib.redirect_stdout(io.StringIO()):
        code = main(
            ["questionnaire", "--instrument", "all", "--cycle", "2025", "--out", str(tmp_path)]
        )
    assert code == 0
    tmp_path = Path(tmp_path)
    forms = sorted(p.name for p in tmp_path.glob("*.xlsx"))
    assert forms == ["official_2025.xlsx", "private_2025.xlsx"]
    read = pd.read_excel(tmp_path / "official_2025.xlsx", sheet_name=None)
    pd.testing.assert_frame_equal(
        read["survey"].fillna(""),
        xlsform_tables(codebook, "official", 2025)["survey"].fillna("").astype(object),
        check_dtype=False,
    )
    export, _ = _fill(xlsform_tables(codebook, "official", 2025), 30, 5, as_labels=False)
    export.to_csv(tmp_path / "export.csv", index=False)
    with (
        contextlib.redirect_stdout(io.StringIO()),
        contextlib.redirect_stderr(io.StringIO()) as err,
    ):
        code = main(["check", str(tmp_path / "export.csv"), "--cycle", "2025"])
    assert code == 0, err.getvalue()
    with contextlib.redirect_stderr(io.StringIO()) as err:
        code = main(["questionnaire", "--instrument", "staff", "--out", str(tmp_path / "x.xlsx")])
    assert code == 2 and "no questionnaire 'staff'" in err.getvalue()
