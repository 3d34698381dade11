"""A first codebook for a new questionnaire, drafted from a survey export.

:func:`draft_codebook` reads the export's columns and answers and writes what it can infer: one item
per answer column (its header as the item's text and alias, so the export is recognised as it is),
one scale per distinct set of answer labels (the same labels, in any order, are one scale; a set
that is a scale of the shipped codebook reuses it), respondent variables with their levels
(recognised from the shipped codebook where they match), the ten Revised Arusha Declaration factors,
the instruments and the identifier list. Where a person must decide (the factor of each item, its
construct, reverse coding, the order and favourable codes of a new scale, the second language) the
draft says ``TODO``.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from .codebook import Codebook, load_codebook
from .matching import ColumnMatcher, as_number, normalise_text
from .readers import clean_cell, read_table

MAX_LABELS = 15  # more distinct texts than this: free text, not answers
TODO = "TODO"


def _values(column) -> list[str]:
    return [v for v in (clean_cell(x) for x in column) if v is not None]


def _scale_for(labels: list[str], template: Codebook) -> str | None:
    """The shipped scale whose labels (in some language, don't know and refusal included) cover
    ``labels``."""
    wanted = {normalise_text(x) for x in labels}
    for name, scale in template.scales.items():
        known = {
            normalise_text(text)
            for code in (*scale.codes, *scale.missing_codes)
            for text in (scale.labels.get(code) or scale.special_labels.get(code, {})).values()
        }
        if wanted <= known and len(wanted) >= min(2, len(known)):
            return name
    return None


def draft_codebook(path: str | Path, *, sheet: str | None = None, language: str = "en") -> str:
    """YAML text of a draft codebook for the export at ``path``, its question texts taken as
    ``language``; ``TODO`` marks what a person must complete.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     export = Path(tmp) / "export.csv"
    ...     _ = export.write_text("Timestamp,Rules are clear,Staff are honest\\n"
    ...                           "2025-09-16,Agree,Disagree\\n2025-09-17,Strongly agree,Agree\\n")
    ...     text = draft_codebook(export)
    >>> "scale: agree5" in text and "  - Rules are clear" in text and "factor: 0  # TODO" in text
    True
    """
    template = load_codebook()
    raw = read_table(path, sheet=sheet)
    variables_matcher = ColumnMatcher(template, None)
    variables: dict[str, Any] = {}
    answer_columns: list[tuple[str, list[str]]] = []
    ignored: list[str] = []
    for pos, header in enumerate(raw.columns):
        values = _values(raw.frame[pos])
        if not str(header).strip() or not values:
            continue
        found = variables_matcher.match(header)
        if found.target is not None:
            variables[found.target] = _variable_spec(template, found.target, header)
        elif template.is_identifier(header):
            ignored.append(str(header))
        elif all(as_number(v) is not None for v in values) or len(set(values)) > MAX_LABELS:
            ignored.append(str(header))
        else:
            answer_columns.append((str(header), values))
    scales, items = _scales_and_items(answer_columns, template, language)
    for name in template.variables:
        if name not in variables and template.variables[name].required:
            variables[name] = _variable_spec(template, name, None)
    doc = {
        "schema_version": 1,
        "title": {lang: f"{TODO}: title of the questionnaire" for lang in template.languages},
        "instruments": {k: dict(v) for k, v in template.instruments.items()},
        "scales": scales,
        "factors": {k: dict(v) for k, v in template.factors.items()},
        "respondent_variables": variables,
        "identifiers": {
            "names": sorted(template.identifier_names | {normalise_text(c) for c in ignored}),
            "patterns": [p.pattern for p in template.identifier_patterns],
        },
        "items": items,
    }
    return _with_todo_comments(
        yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=1_000_000)
    )


def _variable_spec(template: Codebook, name: str, header: str | None) -> dict[str, Any]:
    var = template.variables[name]
    spec: dict[str, Any] = {"type": var.type, "required": var.required}
    if var.applies_to:
        spec["applies_to"] = list(var.applies_to)
    if var.ordered:
        spec["ordered"] = True
    if var.minimum is not None:
        spec["minimum"] = var.minimum
    spec |= dict(var.labels)
    if header is not None and normalise_text(header) not in {
        normalise_text(x) for x in (name, *var.labels.values())
    }:
        spec["aliases"] = [header]
    elif header is None:
        spec["note"] = f"{TODO}: not in the export: add the column, or give it in the params"
    if var.levels:
        spec["levels"] = {
            lv.name: {"code": lv.code, **lv.labels}
            | ({"applies_to": list(lv.applies_to)} if lv.applies_to else {})
            | ({"group": lv.group} if lv.group else {})
            for lv in var.levels.values()
        }
    return spec


def _scales_and_items(answer_columns, template: Codebook, language: str):
    """One scale per distinct label set (shipped scales reused), one item per answer column."""
    scales: dict[str, Any] = {}
    scale_of_set: dict[frozenset, str] = {}
    items = []
    for n, (header, values) in enumerate(answer_columns, start=1):
        counts = Counter(values)
        label_set = frozenset(normalise_text(v) for v in counts)
        name = scale_of_set.get(label_set)
        if name is None:
            name = _scale_for(list(counts), template)
            if name is not None:
                scales[name] = _template_scale(template, name)
            else:
                name = f"scale_{len([s for s in scales if s.startswith('scale_')]) + 1}"
                labels = sorted(counts, key=lambda v: (-counts[v], v))
                scales[name] = {
                    "type": f"ordinal  # {TODO}: ordinal or nominal",
                    "codes": {
                        i: {lang: label for lang in template.languages}
                        for i, label in enumerate(labels, start=1)
                    },
                    "favourable": f"[]  # {TODO}: order the codes from least to most "
                    "favourable, then list the favourable ones",
                }
            scale_of_set[label_set] = name
        items.append(
            {
                "id": f"q{n:02d}",
                "key": f"Q{n:02d}",
                "aliases": [header],
                "instruments": f"[official, private]  # {TODO}: who was asked",
                "factor": f"0  # {TODO}: the Revised Arusha Declaration factor, 1-10",
                "construct": f"perception  # {TODO}: perception, mechanism_exists, "
                "mechanism_effective or experience",
                "scale": name,
                "reverse": f"false  # {TODO}: true when agreeing is unfavourable",
                "text": {
                    lang: header if lang == language else f"{TODO}: {header}"
                    for lang in template.languages
                },
            }
        )
    return scales, items


def _template_scale(template: Codebook, name: str) -> dict[str, Any]:
    scale = template.scales[name]
    spec: dict[str, Any] = {
        "type": scale.type,
        "codes": {code: dict(labels) for code, labels in scale.labels.items()},
    }
    if scale.neutral is not None:
        spec["neutral"] = scale.neutral
    spec["favourable"] = list(scale.favourable)
    for kind in ("dont_know", "refusal"):
        code = getattr(scale, kind)
        if code is not None:
            spec[kind] = {"code": code, **scale.special_labels.get(code, {})}
    return spec


def _with_todo_comments(text: str) -> str:
    """YAML cannot carry comments: values written as ``'X  # TODO: ...'`` become ``X  # TODO:
    ...``."""
    return re.sub(r"""(:\s*)'([^'\n]*?  # TODO:[^'\n]*)'""", r"\1\2", text)
