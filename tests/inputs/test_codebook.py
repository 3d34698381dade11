from __future__ import annotations

import copy

import pytest
import yaml

import cipslib
from cipslib.inputs.codebook import CONSTRUCTS_WITH_FACTOR, shipped_codebook_path


def test_items_table_has_the_documented_columns(codebook):
    for col in (
        "id",
        "instrument",
        "factor",
        "construct",
        "scale",
        "reverse",
        "text_en",
        "text_uk",
        "key",
        "favourable",
        "dont_know",
        "refusal",
    ):
        assert col in codebook.items.columns
    assert codebook.items["id"].is_unique
    assert (codebook.items["text_uk"].str.len() > 0).all()


@pytest.mark.parametrize("instrument", ["official", "private"])
@pytest.mark.parametrize("cycle", [2024, 2025])
def test_every_factor_has_at_least_three_items(codebook, instrument, cycle):
    items = codebook.items_for(instrument, cycle, construct=CONSTRUCTS_WITH_FACTOR)
    counts = items.groupby("factor").size()
    assert sorted(counts.index) == list(range(1, 11))
    assert (counts >= 3).all()


def test_mechanism_pairs(codebook):
    exists = codebook.items_for(construct="mechanism_exists")
    assert exists["factor"].nunique() >= 5
    for _, row in exists.iterrows():
        twin = codebook.item(row["twin"])
        assert twin["construct"] == "mechanism_effective" and twin["factor"] == row["factor"]


def test_experience_items_and_their_options(codebook):
    ids = set(codebook.items_for(construct="experience")["id"])
    assert {
        "bribe_response",
        "safe_reporting",
        "investigation_involved",
        "investigation_experience",
        "rule_compliance",
        "complex_rules_hurt",
        "bribe_helps",
        "corruption_level",
        "oc_pressure",
    } <= ids
    bribe = codebook.scale_of("bribe_response")
    labels = [bribe.label(c).lower() for c in bribe.codes] + [bribe.label(bribe.refusal).lower()]
    for word in ("refuse", "ignore", "report", "comply", "prefer not to say"):
        assert any(word in lab for lab in labels)
    oc = codebook.scale_of("oc_pressure")
    oc_labels = [oc.label(c) for c in oc.codes]
    assert oc_labels[0] == "No"
    assert "psychological" in oc_labels[1] and "physical" in oc_labels[2]
    assert oc.refusal is not None


def test_reverse_coded_items_have_mirrored_favourable_codes(codebook):
    assert codebook.item("reg_02")["favourable"] == (1, 2)
    assert codebook.item("reg_01")["favourable"] == (4, 5)


def test_renamed_item_keeps_its_cross_cycle_key(codebook):
    old, new = codebook.item("tra_01_v1"), codebook.item("tra_01")
    assert old["key"] == new["key"]
    assert 2024 in old["cycles"] and 2025 in new["cycles"]


def test_respondent_variables_are_canonical(codebook):
    v = codebook.variables
    assert set(v["group"].levels) == {"official", "private"}
    assert set(v["respondent_type"].levels) == {
        "official",
        "business",
        "association",
        "civil_society",
        "citizen",
    }
    assert set(v["role"].levels) == {"manager", "non_manager"}
    assert list(v["tenure"].levels) == ["lt5", "5to10", "gt10"]
    assert set(v["business_type"].levels) == {"importer_exporter", "broker", "carrier", "other"}
    assert set(v["mode"].levels) == {"paper", "online"}
    assert len([lv for lv in v["region"].levels if lv != "central_office"]) == 5


def test_identifier_detection(codebook):
    for col in (
        "Email",
        "E-mail",
        "ip_address",
        "IP",
        "Full Name",
        "phone",
        "comment",
        "free_text",
    ):
        assert codebook.is_identifier(col), col
    for col in ("region", "lead_01", "tenure", "business_type"):
        assert not codebook.is_identifier(col), col


def _broken_codebook(tmp_path):
    raw = yaml.safe_load(shipped_codebook_path().read_text(encoding="utf-8"))
    bad = copy.deepcopy(raw)
    bad["items"][1]["id"] = bad["items"][0]["id"]  # duplicate id
    bad["items"][2]["scale"] = "agree7"  # unknown scale
    bad["items"][3]["factor"] = 11  # factor out of range
    exists = next(i for i in bad["items"] if i["construct"] == "mechanism_exists")
    del exists["twin"]  # exists without effective twin
    del bad["items"][6]["text"]["uk"]  # a language missing
    path = tmp_path / "codebook.yaml"
    path.write_text(yaml.safe_dump(bad, allow_unicode=True), encoding="utf-8")
    return path


def test_every_codebook_problem_is_reported_at_once(tmp_path):
    with pytest.raises(cipslib.CipsDataError) as err:
        cipslib.load_codebook(_broken_codebook(tmp_path))
    text = str(err.value)
    assert "used twice" in text
    assert "unknown scale" in text and "agree7" in text
    assert "factor" in text and "11" in text
    assert "twin" in text
    assert "'uk' wording is missing" in text
    assert len(err.value.problems) >= 5


def test_broken_yaml_names_the_line(tmp_path):
    path = tmp_path / "cb.yaml"
    path.write_text("items:\n  - id: a\n    text: {en: 'unclosed\n", encoding="utf-8")
    with pytest.raises(cipslib.CipsDataError) as err:
        cipslib.load_codebook(path)
    assert "not valid YAML" in str(err.value) and str(path) in str(err.value)


def test_missing_codebook_file(tmp_path):
    with pytest.raises(cipslib.CipsDataError, match="does not exist"):
        cipslib.load_codebook(tmp_path / "nope.yaml")


def test_unquoted_comma_in_inline_wording_is_caught(tmp_path):
    text = shipped_codebook_path().read_text(encoding="utf-8")
    text = text.replace('uk: "Ні так, ні ні",', "uk: Ні так, ні ні,")
    path = tmp_path / "cb.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(cipslib.CipsDataError) as err:
        cipslib.load_codebook(path)
    assert "comma" in str(err.value) and "ні ні" in str(err.value)


def test_labels_are_whole(codebook):
    assert codebook.scales["agree5"].label(3, "uk") == "Ні так, ні ні"


def test_yaml_words_yes_and_no_stay_strings(tmp_path):
    """A level named 'no' keeps its name; 'required: yes' is reported instead of read as a
    boolean."""
    text = shipped_codebook_path().read_text(encoding="utf-8")
    text = text.replace("      non_manager: {code: 2,", "      no: {code: 2,")
    path = tmp_path / "cb.yaml"
    path.write_text(text, encoding="utf-8")
    assert list(cipslib.load_codebook(path).variables["role"].levels) == ["manager", "no"]
    path.write_text(
        text.replace(
            "    required: true\n    applies_to: [official]",
            "    required: yes\n    applies_to: [official]",
            1,
        ),
        encoding="utf-8",
    )
    with pytest.raises(cipslib.CipsDataError) as err:
        cipslib.load_codebook(path)
    assert "'required' must be true or false" in str(err.value) and "'yes'" in str(err.value)


def _only(node, langs):
    """The codebook with its texts in ``langs`` only."""
    if isinstance(node, dict):
        return {
            k: _only(v, langs)
            for k, v in node.items()
            if not (isinstance(v, str) and k in ("en", "uk", "fr") and k not in langs)
        }
    if isinstance(node, list):
        return [_only(v, langs) for v in node]
    return node


def test_the_codebooks_languages_are_those_its_texts_give(tmp_path, codebook):
    """A codebook may carry fewer languages than the catalogues; its items table has a text column
    per language it carries. A report in a language it lacks is refused, naming the codebook."""
    from cipslib.inputs.languages import language_problems

    raw = yaml.safe_load(shipped_codebook_path().read_text(encoding="utf-8"))
    path = tmp_path / "en_only.yaml"
    path.write_text(yaml.safe_dump(_only(raw, ("en",)), allow_unicode=True), encoding="utf-8")
    english = cipslib.load_codebook(path)
    assert english.languages == ("en",) and not english.warnings
    assert [c for c in english.items.columns if c.startswith("text_")] == ["text_en"]
    assert set(codebook.languages) >= {"en", "uk"}
    assert {f"text_{lang}" for lang in codebook.languages} <= set(codebook.items.columns)
    problems = language_problems("uk", english.languages, "params.yaml", str(path))
    assert [p.file for p in problems] == [str(path)]
    assert "the codebook gives no 'uk' wording" in problems[0].message


def _also(node, lang):
    """The codebook with every English text given in ``lang`` too."""
    if isinstance(node, dict):
        out = {k: _also(v, lang) for k, v in node.items()}
        return out | ({lang: node["en"]} if isinstance(node.get("en"), str) else {})
    return [_also(v, lang) for v in node] if isinstance(node, list) else node


def test_a_codebook_language_without_a_catalogue_is_a_warning(tmp_path):
    raw = yaml.safe_load(shipped_codebook_path().read_text(encoding="utf-8"))
    raw = _also(raw, "de")  # texts in a language no catalogue has
    path = tmp_path / "cb.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    cb = cipslib.load_codebook(path)
    assert "de" in cb.languages and "text_de" in cb.items.columns
    (warning,) = [w for w in cb.warnings if "'de'" in w.message]
    assert "no language catalogue" in warning.message and "no report" in warning.message
    raw["items"][0]["text"].pop("de")  # one item without it: the 'de' wording is missing there
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(cipslib.CipsDataError, match="'de' wording is missing"):
        cipslib.load_codebook(path)
