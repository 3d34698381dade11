"""`cips codebook draft` on exports as survey tools write them: what becomes an item, a respondent
variable, an identifier or nothing, and scales from SPSS value labels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyreadstat
import yaml

from cipslib.cli import main
from cipslib.inputs.draft import draft_codebook

AGREE_FR = {
    1.0: "Plutôt en accord",  # an alphabetical autorecode: codes do not follow the scale
    2.0: "Plutôt en désaccord",
    3.0: "Tout à fait en accord",
    4.0: "Tout à fait en désaccord",
    8.0: "Ne sais pas",
    9.0: "Sans réponse",
    0.0: "NAP",
}


def _spss_export(path, n=40, seed=3):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "ID": np.arange(1, n + 1, dtype=float),
            "AGE": rng.integers(21, 64, n).astype(float),
            "Q1": rng.choice([1.0, 2.0, 3.0, 4.0, 8.0], n),
            "Q2": rng.choice([1.0, 2.0, 3.0, 4.0, 9.0, 0.0], n),
            "SAT": rng.integers(0, 11, n).astype(float),
            "POS": rng.choice([1.0, 2.0, 3.0], n),
            "EMAIL": [f"agent{i}@douane.example" for i in range(n)],
        }
    )
    pyreadstat.write_sav(
        frame,
        str(path),
        column_labels={
            "ID": "Identifiant",
            "AGE": "Âge",
            "Q1": "La hiérarchie donne l'exemple en matière d'intégrité",
            "Q2": "Les règles douanières sont claires",
            "SAT": "Satisfaction globale (0-10)",
            "POS": "Position",
            "EMAIL": "Adresse e-mail",
        },
        variable_value_labels={
            "Q1": AGREE_FR,
            "Q2": AGREE_FR,
            "POS": {1.0: "Inspecteur", 2.0: "Chef de bureau", 3.0: "Directeur"},
        },
        missing_ranges={"Q1": [0.0, 8.0, 9.0], "Q2": [0.0, 8.0, 9.0]},
    )
    return frame


def test_spss_draft_uses_variable_and_value_labels(tmp_path):
    _spss_export(tmp_path / "enquete.sav")
    text = draft_codebook(tmp_path / "enquete.sav", language="en")
    doc = yaml.safe_load(text)
    items = {item["aliases"][0]: item for item in doc["items"]}
    # the questions are items (not identifiers), their text the variable label
    assert set(items) == {"Q1", "Q2", "SAT", "POS"}
    assert items["Q1"]["text"]["en"] == "La hiérarchie donne l'exemple en matière d'intégrité"
    # one scale from the value labels, in code order, with the missing codes by their meaning
    assert items["Q1"]["scale"] == items["Q2"]["scale"]
    scale = doc["scales"][items["Q1"]["scale"]]
    assert {c: t["en"] for c, t in scale["codes"].items()} == {
        1: "Plutôt en accord",
        2: "Plutôt en désaccord",
        3: "Tout à fait en accord",
        4: "Tout à fait en désaccord",
    }
    assert {c: m["meaning"] for c, m in scale["missing"].items()} == {
        0: "not_asked",
        8: "dont_know",
        9: "refusal",
    }
    # a 0-10 rating is an item on a numeric scale; age is left out but is no identifier
    assert list(doc["scales"][items["SAT"]["scale"]]["codes"]) == list(range(11))
    names = set(doc["identifiers"]["names"])
    assert "age" not in names and "q1" not in names and "email" in names
    assert "# numeric columns that are not answers on a scale" in text and "AGE" in text
    # "Position" holding job titles is not the codebook's role (manager / non-manager)
    assert (
        "role" not in doc["respondent_variables"]
        or "aliases" not in (doc["respondent_variables"]["role"])
    )


def test_draft_then_check_reads_the_spss_answers(tmp_path, capsys):
    frame = _spss_export(tmp_path / "enquete.sav")
    draft = tmp_path / "draft.yaml"
    assert main(["codebook", "draft", str(tmp_path / "enquete.sav"), "--out", str(draft)]) == 0
    printed = capsys.readouterr().out
    assert "then run: cips check" in printed and "--codebook" in printed
    doc = yaml.safe_load(draft.read_text(encoding="utf-8"))
    for item in doc["items"]:
        item.update(instruments=["official"], construct="perception", reverse=False)
        item["text"] = {"en": item["text"]["en"], "uk": item["text"]["en"]}
        item["factor"] = 1
    for name in ("role", "tenure"):  # not asked in this survey
        doc["respondent_variables"].pop(name)
    for scale in doc["scales"].values():
        scale["type"] = "ordinal"
        codes = list(scale["codes"])
        scale["favourable"] = codes[-1:]
        if set(codes) == {1, 2, 3, 4}:  # a person puts the codes in the scale's order
            scale["codes"] = {c: scale["codes"][c] for c in (4, 2, 1, 3)}
            scale["favourable"] = [1, 3]
    draft.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    args = ["check", str(tmp_path / "enquete.sav"), "--codebook", str(draft), "--cycle", "2025"]
    sets = ["--set", "group=official", "--set", "respondent_type=official", "--set", "mode=paper"]
    code = main([*args, *sets, "--set", "region=central_office"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "respondents: official 40" in out
    assert "scale 'scale_1': the code numbers are not in the scale's listed order" in out
    assert "nan (by nan)" not in out
    dk = int((frame["Q1"] == 8).sum())  # Q2 has no 8; its 0 is "not applicable", not counted
    refusals = int((frame["Q2"] == 9).sum())
    assert f"answers recorded as don't know: {dk}; refusals: {refusals}" in out


def test_neutral_in_other_words_is_the_agree_scale(tmp_path):
    export = tmp_path / "forms.csv"
    rows = ["Timestamp,Email address,Rules are clear,Staff are honest"]
    answers = ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"]
    for i in range(20):
        rows.append(
            f"2025-09-{i % 28 + 1:02d},p{i}@example.org,{answers[i % 5]},{answers[(i + 2) % 5]}"
        )
    export.write_text("\n".join(rows) + "\n", encoding="utf-8")
    doc = yaml.safe_load(draft_codebook(export))
    assert [item["scale"] for item in doc["items"]] == ["agree5", "agree5"]
    assert doc["scales"]["agree5"]["codes"][3]["en"] == "Neutral"
    assert doc["scales"]["agree5"]["codes"][5]["en"] == "Strongly agree"
