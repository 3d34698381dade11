"""Any questionnaire a codebook can describe is checked, analysed and rendered, or refused as bad
input (exit 2, every problem named): never an internal error. What a questionnaire cannot give is
left out, and the report says so. ``cips check``, ``cips findings`` and ``cips render`` accept and
refuse the same inputs."""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cipslib.analysis.omissions import REASONS, omission_text
from cipslib.analysis.prepare import load_definitions, prepare_inputs
from cipslib.cli import main
from cipslib.inputs.codebook import load_codebook
from cipslib.inputs.params import load_params
from cipslib.report.blocks import resolve_params
from cipslib.report.render import _notebook_params

from .any_codebook import (
    ItemSpec,
    Questionnaire,
    ScaleSpec,
    questionnaires,
    write_cycle,
)

AGREE5 = ScaleSpec("ordinal", 5, neutral=True, dont_know=True, refusal=True, favourable=2)
YES_NO = ScaleSpec("nominal", 2, dont_know=True)


def cips(*args: str) -> tuple[int, str, str]:
    """Run ``cips`` in this process: exit code, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return code, out.getvalue(), err.getvalue()


def _no_internal_error(code: int, err: str) -> None:
    assert code in (0, 2), err
    assert "Traceback" not in err and "internal error" not in err, err


@pytest.mark.slow
@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(questionnaires(), st.booleans())
def test_check_and_findings_never_fail_inside_and_agree(tmp_path_factory, q, with_previous):
    folder = tmp_path_factory.mktemp("any")
    params = write_cycle(q, folder, previous=with_previous)
    checked, _, check_err = cips("check", params)
    _no_internal_error(checked, check_err)
    found, _, err = cips("findings", params, "--out", folder / "out")
    _no_internal_error(found, err)
    assert found == checked, (check_err, err)  # the same inputs accepted, the same refused
    if found == 0:
        fnd = json.loads((folder / "out" / "findings.json").read_text(encoding="utf-8"))
        for o in fnd["meta"]["omitted"]:
            assert o["reason"] in REASONS
            assert omission_text(o, "en") and omission_text(o, "uk")


def _texts(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.mark.slow
def test_a_nominal_only_questionnaire_renders_and_says_what_it_leaves_out(tmp_path):
    """Yes/no questions only (no ordinal scale, so no factor index), no overall rating, no shipped
    indicator item, no KPI file: HTML and PDF, each left-out section saying why."""
    q = Questionnaire(
        scales=(YES_NO,),
        items=tuple(ItemSpec("perception", 0, k % 10 + 1) for k in range(6))
        + (ItemSpec("experience", 0),),
        n=40,
    )
    params = write_cycle(q, tmp_path / "in")
    code, _, err = cips("render", params, "--out", tmp_path / "reports", "--quiet")
    assert code == 0, err
    folder = tmp_path / "reports" / "2025"
    html = _texts(next(folder.glob("*.html")).read_text(encoding="utf-8"))
    for section in ("3. The ten factors at a glance", "5. What goes with the overall integrity"):
        assert f"{section}" in html
    assert html.count("This section could not be built") == 8  # 1, 3-8 and the KPIs
    assert "no perception or mechanism question on an ordinal (agree-disagree) scale" in html
    assert "the codebook has no overall integrity rating" in html
    assert "no finding rests on enough respondents" in html
    assert "What this report leaves out" in html
    assert "the params setting indicators" in html
    assert (folder / "findings_report_2025.pdf").stat().st_size > 10_000

    from pypdf import PdfReader

    pdf = " ".join(p.extract_text() for p in PdfReader(folder / "findings_report_2025.pdf").pages)
    assert "This section could not be built" in " ".join(pdf.split())


@pytest.mark.slow
def test_a_questionnaire_without_role_or_tenure_renders_in_ukrainian(tmp_path):
    """No role, tenure or business type (so no subgroups by them and no trend decomposition by
    role), a previous cycle: the Ukrainian report, HTML and PDF, says what it leaves out."""
    q = Questionnaire(
        variables=frozenset({"duration_s"}),
        scales=(AGREE5, YES_NO),
        items=tuple(ItemSpec("perception", 0, k % 3 + 1) for k in range(9))
        + (ItemSpec("mechanism", 0, 2), ItemSpec("experience", 1), ItemSpec("outcome", 0)),
        n=60,
    )
    params = write_cycle(q, tmp_path / "in", previous=True)
    checked, out, err = cips("check", params)
    assert checked == 0, err
    assert "managers among" not in out  # no role variable
    assert "subgroups by “role” were left out" in out
    code, _, err = cips("render", params, "--out", tmp_path / "reports", "--quiet", "--lang", "uk")
    assert code == 0, err
    folder = tmp_path / "reports" / "2025-uk"
    html = _texts(next(folder.glob("*.html")).read_text(encoding="utf-8"))
    assert "Чого цей звіт не містить" in html
    assert "підгрупи за «role» не включено" in html
    assert "Цей розділ неможливо побудувати" in html  # the drivers: too few respondents
    assert "9. Зміни порівняно з попереднім циклом" in html
    assert next(folder.glob("*.pdf")).stat().st_size > 10_000


def _indicators_file(folder: Path, item: str) -> Path:
    path = folder / "my_indicators.yaml"
    spec = {"item": item, "codes": [1], "text": {"en": "say yes", "uk": "кажуть так"}}
    path.write_text(
        yaml.safe_dump({"schema_version": 1, "indicators": {"said_yes": spec}}, allow_unicode=True),
        encoding="utf-8",
    )
    return path


def _small(**kw) -> Questionnaire:
    return Questionnaire(
        scales=(AGREE5, YES_NO),
        items=(*(ItemSpec("perception", 0, 1) for _ in range(3)), ItemSpec("experience", 1)),
        n=30,
        **kw,
    )


@pytest.mark.slow
def test_own_indicators_are_used_and_an_unknown_item_in_them_is_refused_everywhere(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    _indicators_file(folder, "K_Q04")
    params = write_cycle(_small(), folder, indicators="my_indicators.yaml")
    inputs = prepare_inputs(params)
    assert list(inputs.definitions.indicators) == ["said_yes"]
    assert not [o for o in inputs.definitions.omitted if o.section == "experience"]

    _indicators_file(folder, "EXP_SAFE_REPORTING")
    for command in ("check", "findings", "render"):
        extra = ["--out", tmp_path / command] if command != "check" else []
        code, out, err = cips(command, params, *extra)
        assert code == 2, (command, err)
        assert "my_indicators.yaml" in err and "'EXP_SAFE_REPORTING' is not in the codebook" in err
        assert "cipslib/data" not in err and "Traceback" not in err
    assert not (tmp_path / "render" / "2025").exists()  # nothing half-written


def test_kpis_on_left_out_indicators_are_left_out_and_unknown_items_refused(tmp_path):
    folder = tmp_path / "in"
    params = write_cycle(_small(kpis=True), folder)
    d = prepare_inputs(params).definitions
    reasons = {(o.section, o.reason) for o in d.omitted}
    assert ("kpis", "kpi_indicator") in reasons and ("kpis", "kpi_factor") in reasons
    # the index of factor 1, the only factor with items, is kept
    assert "F-1" in d.kpis and "F-2" not in d.kpis
    assert {k.measure for k in d.kpis.values()} == {"factor_index.1"}
    kpis = yaml.safe_load((folder / "kpis.yaml").read_text(encoding="utf-8"))
    kpis["kpis"]["F-1"]["formula"]["measure"] = "item_fav.NO_SUCH_KEY"
    (folder / "kpis.yaml").write_text(yaml.safe_dump(kpis, allow_unicode=True), encoding="utf-8")
    code, _, err = cips("check", params)
    assert code == 2 and "kpis.yaml" in err and "NO_SUCH_KEY" in err


def test_subgroup_variables_left_out_by_default_refused_when_named(tmp_path):
    folder = tmp_path / "in"
    params = write_cycle(_small(variables=frozenset()), folder)
    omitted = load_definitions(load_params(params), load_codebook(folder / "codebook.yaml")).omitted
    assert {o.name for o in omitted if o.reason == "subgroup_variable"} == {
        "role",
        "tenure",
        "business_type",
    }
    params = write_cycle(
        _small(variables=frozenset()),
        folder,
        analysis={"subgroups": {"official": ["region", "role"]}},
    )
    code, _, err = cips("check", params)
    assert code == 2 and "'analysis: subgroups: official' names 'role'" in err


def test_units_by_a_variable_the_codebook_lacks_is_refused_by_check_too(tmp_path):
    params = write_cycle(_small(variables=frozenset()), tmp_path / "in", units={"by": "role"})
    code, _, err = cips("check", params)
    assert code == 2 and "the unit reports are by 'role'" in err


def test_no_ordinal_item_and_no_perception_item_pass_the_quality_screens(tmp_path):
    """A yes/no questionnaire (nothing to straight-line) and one without perception items (nobody
    is incomplete for lack of them)."""
    for items in ((ItemSpec("perception", 0, 2),) * 3, (ItemSpec("experience", 0),)):
        q = Questionnaire(scales=(YES_NO,), items=items, n=20)
        params = write_cycle(q, tmp_path / str(len(items)))
        prepared = prepare_inputs(params).current
        flags = prepared.quality.flags
        assert not flags["straightliner"].any() and not flags["incomplete"].any()
        assert len(prepared.data) == 40


def test_render_parameters_are_the_params_file_settings(tmp_path):
    """Settings the params file leaves out take their defaults, not the notebook's example values,
    and an empty kpis stays empty."""
    params = write_cycle(_small(), tmp_path / "in")  # no previous; kpis: null
    values = _notebook_params(params)
    assert values["previous"] is None and values["kpis"] is None
    resolved = resolve_params(values, params.parent)
    assert resolved.previous is None and resolved.kpis is None
    loaded = load_params(params)
    assert (resolved.cycle, resolved.codebook_path, resolved.data_path) == (
        loaded.cycle,
        loaded.codebook_path,
        loaded.data_path,
    )
