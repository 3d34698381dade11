"""Select-all-that-apply questions: one column of joined options or one column per option, read
into one 0/1 answer per option, and each option's % selecting with its CI."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

import cipslib
from cipslib.analysis.findings import Options, compute_findings
from cipslib.analysis.prepare import prepare_data
from cipslib.inputs.codebook import shipped_codebook_path
from cipslib.inputs.population import load_population

from ..conftest import ROOT, write_csv

OPTIONS = {1: "Complex rules", 2: "Delays at the border", 3: "Fees, charges and costs", 4: "None"}


@pytest.fixture(scope="module")
def choice_codebook(tmp_path_factory):
    folder = tmp_path_factory.mktemp("choices")
    spec = yaml.safe_load(shipped_codebook_path().read_text(encoding="utf-8"))
    spec["scales"]["obstacles"] = {
        "type": "nominal",
        "codes": {c: {"en": t, "uk": f"{t} (uk)", "fr": f"{t} (fr)"} for c, t in OPTIONS.items()},
        "dont_know": {"code": 8, "en": "Don't know", "uk": "Важко відповісти", "fr": "Ne sait pas"},
    }
    spec["items"].append(
        {
            "id": "obstacles",
            "key": "EXP_OBSTACLES",
            "instruments": ["private"],
            "construct": "experience",
            "scale": "obstacles",
            "multiple": True,
            "text": {
                "en": "What makes complying hard?",
                "uk": "Що ускладнює дотримання?",
                "fr": "Qu’est-ce qui rend le respect des règles difficile ?",
            },
        }
    )
    path = folder / "codebook.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return cipslib.load_codebook(path)


@pytest.fixture(scope="module")
def export(raw2025):
    """The 2025 demo export and each private respondent's selected options (None: no answer)."""
    frame = raw2025.copy()
    rng = np.random.default_rng(11)
    chosen = []
    for group in frame["group"]:
        if group != 2 or rng.random() < 0.1:
            chosen.append(None)
            continue
        picked = {c for c, p in zip((1, 2, 3), (0.6, 0.35, 0.2), strict=True) if rng.random() < p}
        chosen.append(picked or {4})
    return frame, chosen


def _load(tmp_path, cb, frame, name):
    return cipslib.load_cycle(write_csv(frame, tmp_path / name), cb, 2025)


def _expected(chosen, code):
    return [np.nan if c is None else float(code in c) for c in chosen]


def test_joined_labels_in_one_column(tmp_path, choice_codebook, export):
    frame, chosen = export
    frame = frame.copy()
    frame["What makes complying hard?"] = [
        None if c is None else ", ".join(OPTIONS[k] for k in sorted(c)) for c in chosen
    ]
    loaded = _load(tmp_path, choice_codebook, frame, "joined.csv")
    for code in OPTIONS:
        got = (
            loaded.data[f"obstacles__{code}"]
            .astype("Float64")
            .to_numpy(dtype=float, na_value=np.nan)
        )
        np.testing.assert_array_equal(got, _expected(chosen, code))
    mapping = loaded.report.mapping().set_index("column")
    assert mapping.loc["What makes complying hard?", "target"] == "obstacles"


def test_one_column_per_option(tmp_path, choice_codebook, export):
    frame, chosen = export
    kobo = frame.copy()
    for code in OPTIONS:  # KoboToolbox: question/option holding 1 or 0
        kobo[f"obstacles/{code}"] = [None if c is None else int(code in c) for c in chosen]
    monkey = frame.copy()
    for code, label in OPTIONS.items():  # SurveyMonkey: the option when selected, else empty
        monkey[f"What makes complying hard? {label}"] = [
            label if c is not None and code in c else None for c in chosen
        ]
    for layout, name in ((kobo, "kobo.csv"), (monkey, "monkey.csv")):
        loaded = _load(tmp_path, choice_codebook, layout, name)
        for code in OPTIONS:
            got = loaded.data[f"obstacles__{code}"].astype("Float64")
            np.testing.assert_array_equal(
                got.to_numpy(dtype=float, na_value=np.nan), _expected(chosen, code)
            )


def test_a_part_that_is_no_option_is_reported(tmp_path, choice_codebook, export):
    frame, chosen = export
    frame = frame.copy()
    cells = [None if c is None else "; ".join(OPTIONS[k] for k in sorted(c)) for c in chosen]
    first = next(i for i, c in enumerate(cells) if c)
    cells[first] = "Complex rules; Weather"
    frame["obstacles"] = cells
    with pytest.raises(cipslib.CipsDataError) as err:
        _load(tmp_path, choice_codebook, frame, "bad.csv")
    assert f"row {first + 2}, column 'obstacles': a part of the answer is none" in str(err.value)
    assert "found 'Complex rules; Weather'" in str(err.value)


@pytest.mark.slow
def test_each_option_is_a_share_selecting_with_its_ci(tmp_path, choice_codebook, export):
    frame, chosen = export
    frame = frame.copy()
    frame["obstacles"] = [None if c is None else " | ".join(map(str, sorted(c))) for c in chosen]
    loaded = _load(tmp_path, choice_codebook, frame, "codes.csv")
    pops = {
        g: load_population(ROOT / "params" / "population" / f, choice_codebook)
        for g, f in (("official", "scs_staff.yaml"), ("private", "private_frame.yaml"))
    }
    prepared = prepare_data(loaded, pops)
    findings = compute_findings(prepared, options=Options(min_cell=10))
    sel = findings.tables["selections"]
    assert sel["group"].unique().tolist() == ["private"]
    assert sel["option"].tolist() == [1, 2, 3, 4]
    # independently: the weighted share of private respondents who answered that chose option 2
    w = prepared.design.weights.to_numpy()
    answered = prepared.data["obstacles__2"].notna().to_numpy()
    private = (prepared.data["group"] == "private").to_numpy() & answered
    chose = prepared.data["obstacles__2"].astype("Float64").fillna(0).to_numpy(dtype=float) == 1
    expected = 100 * w[private & chose].sum() / w[private].sum()
    row = sel[sel["option"] == 2].iloc[0]
    assert row["estimate"] == pytest.approx(expected, abs=1e-9)
    assert row["ci_low"] < row["estimate"] < row["ci_high"] and row["n"] == private.sum()
    assert sel["estimate"].sum() > 100  # several options per respondent

    from cipslib.report.blocks import Report

    for language in ("en", "uk"):
        params = cipslib.load_params(ROOT / "params" / "2025.yaml")
        report = Report(params, prepared, None, findings, language)
        (table,) = report.experience.choices()
        html = str(table)
        assert choice_codebook.multiples["obstacles"].texts[language] in html
        assert (
            "Fees, charges and costs" if language == "en" else "Delays at the border (uk)"
        ) in html
        assert f"<td>{report._pct(row['estimate'])}</td>" in html
