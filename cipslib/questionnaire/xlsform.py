"""The questionnaire as an XLSForm, the form standard KoboToolbox, ODK, SurveyCTO, Ona and ArcGIS
Survey123 import: the codebook's other face.

One form per questionnaire (instrument) and cycle, holding every language of the codebook:

* ``survey``: the respondent's group and the respondent variables (``calculate`` where the form
  knows the answer, ``select_one`` where the respondent chooses; a variable asked of some
  respondent types only is ``relevant`` to them), then one group per factor of the ten (``factor_1``
  ...) and one for the questions outside the factors, each question a ``select_one`` (or
  ``select_multiple``) of its scale named by its item id, ``relevant`` when the codebook routes it
  (``asked_if``);
* ``choices``: each scale's answers in the scale's order named by their codes, then its don't-know
  and refusal codes; each category variable's levels named by their codes;
* ``settings``: title, form id, version (the codebook file's checksum), default language.

Answers come back as the codebook's codes, under the item ids (Kobo writes them under group
paths such as ``factor_1/lead_01``, which ``cips check`` reads): an export needs no mapping.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pandas as pd

from ..inputs.codebook import Codebook
from ..text.catalogue import load_catalogue
from ..text.typography import tidy

SHEETS = ("survey", "choices", "settings")
OTHER_GROUP = "other_questions"
"""The group of the questions outside the ten factors (experience, outcome)."""


def xlsform_tables(
    cb: Codebook, instrument: str, cycle: int | None = None
) -> dict[str, pd.DataFrame]:
    """The ``survey``, ``choices`` and ``settings`` sheets of the form of ``instrument`` (the
    items asked in ``cycle``; None: the items of every cycle).

    Examples
    --------
    >>> from cipslib import load_codebook
    >>> form = xlsform_tables(load_codebook(), "private", 2025)
    >>> form["survey"]["type"].head(3).tolist()
    ['calculate', 'select_one respondent_type', 'select_one region']
    >>> form["settings"]["form_id"].item()
    'cips_private_2025'
    """
    if instrument not in cb.instruments:
        raise ValueError(f"'{instrument}' is not a questionnaire of the codebook")
    langs = cb.languages
    label = {lang: f"label::{_language_name(lang)} ({lang})" for lang in langs}
    survey: list[dict[str, Any]] = []
    choices: list[dict[str, Any]] = []
    lists: set[str] = set()

    def add_list(name: str, entries: list[tuple[Any, dict[str, str]]]) -> None:
        if name in lists:
            return
        lists.add(name)
        for code, texts in entries:
            choices.append(
                {"list_name": name, "name": str(code)}
                | {label[lang]: texts.get(lang, str(code)) for lang in langs}
            )

    survey += _respondent_rows(cb, instrument, label, add_list)
    items = cb.items_for(instrument, cycle)
    multiples = {m.id: m for m in cb.multiples.values() if instrument in m.instruments}
    shown_parents: set[str] = set()
    for factor, part in _by_factor(items):
        name = f"factor_{factor}" if factor is not None else OTHER_GROUP
        texts = (
            {lang: f"{factor}. {cb.factor_name(factor, lang)}" for lang in langs}
            if factor is not None
            else {lang: _catalogue_word(lang, "annex_items") for lang in langs}
        )
        survey.append({"type": "begin_group", "name": name} | _labels(label, texts))
        for _, item in part.iterrows():
            parent = item.get("parent")
            if isinstance(parent, str) and parent:
                if parent in shown_parents or parent not in multiples:
                    continue
                shown_parents.add(parent)
                m = multiples[parent]
                scale = cb.scales[m.scale]
                add_list(f"{m.id}_options", [(c, scale.labels[c]) for c in m.options])
                survey.append(
                    {"type": f"select_multiple {m.id}_options", "name": m.id}
                    | _labels(label, m.texts)
                )
                continue
            scale = cb.scales[item["scale"]]
            add_list(item["scale"], _scale_entries(scale))
            row = {"type": f"select_one {item['scale']}", "name": item["id"]}
            row |= _labels(label, {lang: item[f"text_{lang}"] for lang in langs})
            relevant = _relevant(item)
            if relevant:
                row["relevant"] = relevant
            survey.append(row)
        survey.append({"type": "end_group", "name": ""})
    title = cb.instruments[instrument]
    default = langs[0]
    digest = hashlib.sha256(Path(cb.path).read_bytes()).hexdigest()[:10]
    settings = pd.DataFrame(
        [
            {
                "form_title": title.get(default, instrument),
                "form_id": f"cips_{instrument}" + (f"_{cycle}" if cycle is not None else ""),
                "version": digest,
                "default_language": f"{_language_name(default)} ({default})",
            }
        ]
    )
    columns = ["type", "name", *label.values(), "relevant", "calculation"]
    survey_frame = pd.DataFrame(survey).reindex(columns=columns)
    choices_frame = pd.DataFrame(choices).reindex(columns=["list_name", "name", *label.values()])
    return {"survey": survey_frame, "choices": choices_frame, "settings": settings}


def write_xlsform(
    cb: Codebook, instrument: str, path: str | Path, cycle: int | None = None
) -> Path:
    """Write the form of :func:`xlsform_tables` as an .xlsx workbook (sheets survey, choices,
    settings) and return its path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tables = xlsform_tables(cb, instrument, cycle)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name in SHEETS:
            tables[name].to_excel(writer, sheet_name=name, index=False)
    return path


# -- parts ---------------------------------------------------------------------------------------
def _respondent_rows(cb: Codebook, instrument: str, label: dict, add_list) -> list[dict]:
    """The group (calculated), and each respondent variable the form asks or knows."""
    rows = [{"type": "calculate", "name": "group", "calculation": f"'{instrument}'"}]
    types = {
        name: level
        for name, level in getattr(cb.variables.get("respondent_type"), "levels", {}).items()
        if level.group in (None, instrument)
    }
    for name, var in cb.variables.items():
        if var.type != "category" or name == "group":
            continue
        if var.applies_to and not ({instrument} | set(types)) & set(var.applies_to):
            continue
        levels = {
            n: lv
            for n, lv in var.levels.items()
            if lv.group in (None, instrument)
            and (name != "respondent_type" or n in types)
            and (not lv.applies_to or ({instrument} | set(types)) & set(lv.applies_to))
        }
        if name == "mode":  # an electronic form is filled in online
            online = levels.get("online")
            if online is not None:
                rows.append({"type": "calculate", "name": name, "calculation": f"'{online.code}'"})
            continue
        if len(levels) == 1:
            (only,) = levels.values()
            rows.append({"type": "calculate", "name": name, "calculation": f"'{only.code}'"})
            continue
        add_list(name, [(lv.code, lv.labels) for lv in levels.values()])
        row = {"type": f"select_one {name}", "name": name} | _labels(label, var.labels)
        asked_of = [t for t in var.applies_to if t in types and t != instrument]
        if asked_of:
            row["relevant"] = " or ".join(
                f"${{respondent_type}} = '{types[t].code}'" for t in asked_of
            )
        rows.append(row)
    return rows


def _by_factor(items: pd.DataFrame):
    """The items in groups: factors 1 to 10, then the questions outside the factors."""
    factors = items["factor"]
    for k in sorted(int(f) for f in factors.dropna().unique()):
        yield k, items[factors == k]
    rest = items[factors.isna()]
    if len(rest):
        yield None, rest


def _scale_entries(scale) -> list[tuple[int, dict[str, str]]]:
    entries = [(code, texts) for code, texts in scale.labels.items()]
    for code in (scale.dont_know, scale.refusal):
        if code is not None:
            entries.append((code, scale.special_labels.get(code, {})))
    return entries


def _relevant(item: pd.Series) -> str:
    """The XLSForm condition of an item the codebook routes (``asked_if``)."""
    source, codes = item.get("asked_if_item"), item.get("asked_if_codes")
    if not isinstance(source, str) or not source or codes is None:
        return ""
    return " or ".join(f"${{{source}}} = '{int(c)}'" for c in codes)


def _labels(label: dict[str, str], texts: dict[str, str]) -> dict[str, str]:
    return {column: texts.get(lang, "") for lang, column in label.items()}


def _language_name(lang: str) -> str:
    try:
        return str(load_catalogue(lang)["report"]["language_name"])
    except Exception:  # a codebook language without a catalogue: its code names it
        return lang


def _catalogue_word(lang: str, key: str) -> str:
    try:
        return tidy(load_catalogue(lang)["report"][key])
    except Exception:
        return key


__all__ = ["OTHER_GROUP", "SHEETS", "write_xlsform", "xlsform_tables"]
