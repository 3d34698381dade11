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
    role: the codebook's groups are compared by the variables it has), a previous cycle: the
    Ukrainian report, HTML and PDF, says what it leaves out."""
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
    assert "by role" not in out  # no role variable, so no decomposition by it
    code, _, err = cips("render", params, "--out", tmp_path / "reports", "--quiet", "--lang", "uk")
    assert code == 0, err
    folder = tmp_path / "reports" / "2025-uk"
    html = _texts(next(folder.glob("*.html")).read_text(encoding="utf-8"))
    assert "Чого цей звіт не містить" in html
    assert "«role»" not in html
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


def test_groups_are_compared_by_the_codebooks_variables_and_a_missing_one_is_refused(tmp_path):
    """Without role, tenure or business type in the codebook, no group is compared by them (its
    defaults are the variables the codebook has); the params naming one is refused."""
    folder = tmp_path / "in"
    params = write_cycle(_small(variables=frozenset()), folder)
    cb = load_codebook(folder / "codebook.yaml")
    omitted = load_definitions(load_params(params), cb).omitted
    assert not [o for o in omitted if o.reason in ("subgroup_variable", "decompose_variable")]
    for g in cb.group_names:
        assert not {"role", "tenure", "business_type"} & set(cb.subgroups_of(g))
    params = write_cycle(
        _small(variables=frozenset()),
        folder,
        analysis={"subgroups": {"official": ["region", "role"]}},
    )
    code, _, err = cips("check", params)
    assert code == 2 and "'analysis: subgroups: official' names 'role'" in err
    params = write_cycle(
        _small(variables=frozenset()), folder, analysis={"subgroups": {"staff": ["region"]}}
    )
    code, _, err = cips("check", params)
    assert code == 2 and "names the group 'staff', which the codebook does not have" in err


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


def test_findings_json_is_the_same_from_cips_findings_and_cips_render(tmp_path):
    """Both commands take the one analysis path, with the same unit setting: the same file, byte
    for byte but the software versions' block."""
    q = Questionnaire(
        scales=(AGREE5, YES_NO),
        items=(*(ItemSpec("perception", 0, 1) for _ in range(3)), ItemSpec("experience", 1)),
        n=60,
    )
    params = write_cycle(q, tmp_path / "in", previous=True, units={"by": "region", "pool": True})
    code, _, err = cips("findings", params, "--out", tmp_path / "findings", "--show", "0")
    assert code == 0, err
    code, _, err = cips("render", params, "--out", tmp_path / "reports", "--format", "html")
    assert code == 0, err
    found = (tmp_path / "findings" / "findings.json").read_text(encoding="utf-8")
    rendered = (tmp_path / "reports" / "2025" / "findings.json").read_text(encoding="utf-8")
    assert found == rendered
    assert json.loads(found)["cycle"] == 2025


def test_three_groups_of_any_names_render_a_report_and_unit_reports(tmp_path):
    """Groups named staff, business and agencies (three questionnaires; the staff marked in the
    codebook's groups section): the report and a unit report per region render with no code
    naming a group, every pair of groups is compared with Holm's adjustment, and the report
    names the groups in the codebook's words only."""
    groups = ("staff", "business", "agencies")
    q = Questionnaire(
        groups=groups,
        instruments=groups,
        staff="staff",
        group_section=True,
        scales=(AGREE5, YES_NO),
        items=tuple(ItemSpec("perception", 0, k % 3 + 1) for k in range(9))
        + (ItemSpec("mechanism", 0, 2), ItemSpec("experience", 1), ItemSpec("outcome", 0)),
        n=60,
    )
    params = write_cycle(q, tmp_path / "in", previous=True, units={"by": "region", "pool": True})
    code, _, err = cips("check", params)
    assert code == 0, err
    code, _, err = cips("render", params, "--out", tmp_path / "reports", "--format", "html")
    assert code == 0, err
    folder = tmp_path / "reports" / "2025"
    page = _texts(next(folder.glob("findings_report_2025.html")).read_text(encoding="utf-8"))
    for label in ("Staff", "Business", "Agencies", "staff respondents", "agencies respondents"):
        assert label in page, label
    for other in ("Officials", "officials", "private sector", "Private sector"):
        assert other not in page, other
    assert "Staff vs Business" in page and "Business vs Agencies" in page
    fnd = json.loads((folder / "findings.json").read_text(encoding="utf-8"))
    al = fnd["tables"]["alignment"]
    pairs = {(r["group_a"], r["group_b"]) for r in al}
    assert pairs == {("staff", "business"), ("staff", "agencies"), ("business", "agencies")}
    for factor in {r["factor"] for r in al}:
        rows = sorted((r for r in al if r["factor"] == factor), key=lambda r: r["p_value"])
        # Holm: the k-th smallest p-value times (3 - k + 1), kept increasing, at most 1
        running = 0.0
        for k, r in enumerate(rows):
            running = max(running, min(1.0, r["p_value"] * (len(rows) - k)))
            assert r["p_holm"] == pytest.approx(running, abs=1e-12)
    units = json.loads((folder / "units.json").read_text(encoding="utf-8"))
    assert list(units["groups"]) == list(groups)
    unit_pages = list((folder / "units").rglob("*.html"))
    assert unit_pages, "a unit report per region"
    unit_text = _texts(unit_pages[0].read_text(encoding="utf-8"))
    assert "Officials" not in unit_text and any(g.title() in unit_text for g in groups)
