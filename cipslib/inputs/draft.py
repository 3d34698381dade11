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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .codebook import Codebook, load_codebook, normalise_name
from .matching import AmbiguousColumn, ColumnMatcher, as_int, as_number, normalise_text
from .readers import RawTable, clean_cell, read_table
from .tools import system_column

MAX_LABELS = 15  # more distinct texts than this: free text, not answers
MAX_POINTS = 11  # a numeric column with at most this many whole values (0-10) is a rating
TODO = "TODO"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.I)
_IP = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")
_PHONE = re.compile(r"^\+?\d[\d\s()\-]{7,}\d$")
_DATE_OR_TIME = re.compile(
    r"^(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./]\d{1,2}[./]\d{2,4})([ T]\d{1,2}:\d{2}.*)?$"
    r"|^\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$"
)
_UUID = re.compile(r"^(uuid:)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
# an answer label that is the middle of an agree/disagree scale, in the words tools use
_NEUTRAL = re.compile(
    r"^(neutral|neutre|neutro|undecided|no opinion|neither .+ nor .+|ni .+ ni .+|nem .+ nem .+"
    r"|ні .+ ні .+|ні так,? ні ні)$"
)


def _values(column) -> list[str]:
    return [v for v in (clean_cell(x) for x in column) if v is not None]


def _looks_identifying(values: list[str]) -> bool:
    """Values that identify a person or a submission: e-mails, IP addresses, phone numbers, UUIDs,
    or texts nearly all different (names, free text, ids)."""
    sample = values[:500]
    patterns = (_EMAIL, _IP, _PHONE, _UUID)
    if _share(sample, lambda v: any(p.match(v) for p in patterns)) > 0.5:
        return True
    if not _numeric(sample):
        distinct = len(set(sample))
        return distinct > MAX_LABELS and distinct * 2 > len(sample)
    return False


def _scale_for(labels: list[str], template: Codebook) -> tuple[str, str | None] | None:
    """The shipped scale whose labels (in some language, don't know and refusal included) cover
    ``labels``, and the one label it does not know that names its neutral answer ("Neutral",
    "Neither agree nor disagree" in other words), if any."""
    wanted = {normalise_text(x): x for x in labels}
    for name, scale in template.scales.items():
        known = {
            normalise_text(text)
            for code in (*scale.codes, *scale.missing_codes)
            for text in (scale.labels.get(code) or scale.special_labels.get(code, {})).values()
        }
        unknown = [w for w in wanted if w not in known]
        neutral = None
        if len(unknown) == 1 and scale.neutral is not None and _NEUTRAL.match(unknown[0]):
            neutral = wanted[unknown[0]]
            unknown = []
        if not unknown and len(wanted) >= min(2, len(known)):
            return name, neutral
    return None


def draft_codebook(path: str | Path, *, sheet: str | None = None, language: str = "en") -> str:
    """YAML text of a draft codebook for the export at ``path``, its question texts taken as
    ``language``; ``TODO`` marks what a person must complete.

    A column becomes a respondent variable when its name (or an alias) is one, or its question
    text is one and its values are that variable's levels; an identifier when its name is one
    or its values identify (e-mails, IP addresses, phone numbers, UUIDs, texts nearly all
    different); a survey tool's metadata is left out; a column of answers becomes an item, its
    scale taken from the SPSS value labels, from a shipped scale whose labels it uses, or from its
    labels or whole numbers (a rating of at most 11 points); other numeric columns are left out.

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
    matcher = ColumnMatcher(template, None)
    variables: dict[str, Any] = {}
    answer_columns: list[_Answers] = []
    left_out: dict[str, list[str]] = {
        "identifier": [],
        "metadata": [],
        "dates": [],
        "numeric": [],
    }
    for pos, header in enumerate(raw.columns):
        values = _values(raw.frame[pos])
        if not str(header).strip() or not values:
            continue
        text = raw.text(pos)
        variable = _variable_of(matcher, template, header, text, values)
        system = system_column(header)
        if variable is not None and variable not in variables:
            variables[variable] = _variable_spec(template, variable, header)
        elif not template.is_identifier(header) and (joined := _joined_options(values)):
            answer_columns.append(_Answers(str(header), text, values, raw, pos, joined))
        elif template.is_identifier(header) or _looks_identifying(values):
            left_out["identifier"].append(str(header))
        elif system is not None:
            left_out[system.kind].append(str(header))
        elif _share(values, _DATE_OR_TIME.match) > 0.5:
            left_out["dates"].append(str(header))
        elif _labelled(raw, header, values) or _is_rating(values) or not _numeric(values):
            answer_columns.append(_Answers(str(header), text, values, raw, pos))
        else:
            left_out["numeric"].append(str(header))
    scales, items = _scales_and_items(answer_columns, template, language)
    for name in template.variables:
        if name not in variables and template.variables[name].required:
            variables[name] = _variable_spec(template, name, None)
    doc = {
        "schema_version": 1,
        "title": {
            lang: f"{TODO}: title of the questionnaire"
            for lang in _text_languages(template, language)
        },
        "instruments": {k: dict(v) for k, v in template.instruments.items()},
        **_groups(template),
        "scales": scales,
        "factors": {k: dict(v) for k, v in template.factors.items()},
        "respondent_variables": variables,
        "identifiers": {
            "names": sorted(
                template.identifier_names | {normalise_name(c) for c in left_out["identifier"]}
            ),
            "patterns": [p.pattern for p in template.identifier_patterns],
        },
        "items": items,
    }
    body = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=1_000_000)
    return _left_out_comment(left_out) + _with_todo_comments(body)


_LEFT_OUT = {
    "identifier": "identifier columns (dropped when the export is read)",
    "metadata": "the survey tool's own columns (ignored when the export is read)",
    "dates": "dates and times (left out)",
    "numeric": "numeric columns that are not answers on a scale (add them by hand if they are)",
}


def _left_out_comment(left_out: dict[str, list[str]]) -> str:
    lines = [
        f"# {_LEFT_OUT[kind]}: {', '.join(columns)}"
        for kind, columns in left_out.items()
        if columns
    ]
    return "\n".join(lines) + "\n" if lines else ""


def _share(values: list[str], test) -> float:
    sample = values[:500]
    return sum(bool(test(v)) for v in sample) / len(sample)


def _numeric(values: list[str]) -> bool:
    return all(as_number(v) is not None for v in values)


def _labelled(raw: RawTable, header: str, values: list[str]) -> bool:
    """An SPSS column whose value labels name most of its answers (not an age or a count with a
    few labelled codes)."""
    labels = raw.value_labels.get(header)
    if not labels:
        return False
    codes = {as_int(str(c)) for c in labels}
    return _share(values, lambda v: as_int(v) in codes) >= 0.8


def _is_rating(values: list[str]) -> bool:
    """Whole numbers with at most :data:`MAX_POINTS` distinct values spanning at most 10."""
    numbers = {as_int(v) for v in values}
    if None in numbers or len(numbers) > MAX_POINTS:
        return False
    return max(numbers) - min(numbers) <= MAX_POINTS - 1


def _variable_of(matcher, template: Codebook, header, text, values) -> str | None:
    """The respondent variable a column is: by its name or an alias, or by its question text when
    its values are the variable's levels (a column headed "Position" is ``role`` only if it holds
    the levels of ``role``)."""
    for candidate in (header, text):
        if not candidate:
            continue
        try:
            found = matcher.match(candidate)
        except AmbiguousColumn:
            continue
        if found.target is None:
            continue
        if found.rule != "text" or _fits(template.variables[found.target], values):
            return found.target
    return None


def _fits(var, values: list[str]) -> bool:
    """Whether most distinct values are the variable's levels (codes, names or labels)."""
    if var.type != "category":
        return var.type != "number" or all(as_number(v) is not None for v in values)
    known = {str(lv.code) for lv in var.levels.values()}
    for lv in var.levels.values():
        known |= {normalise_text(lv.name), *(normalise_text(t) for t in lv.labels.values())}
    distinct = set(values)
    hits = sum(v in known or normalise_text(v) in known for v in distinct)
    return hits >= 0.8 * len(distinct)


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


_MISSING_WORDS = {  # answer labels that are not answers, by the meaning a scale's `missing:` gives
    "refusal": re.compile(r"refus|prefer not|rather not|no answer|sans r[ée]ponse|не бажаю|declin"),
    "not_asked": re.compile(
        r"not applicable|^n/?a$|^nap$|inapplicable|sans objet|no aplica|não se aplica|не застосов"
    ),
    "dont_know": re.compile(
        r"don.?t know|do not know|^dk$|cannot say|can.?t say|ne sais pas|no s[eé]|n[aã]o sei"
        r"|не знаю|важко відповісти"
    ),
}


def _missing_meaning(label: str) -> str | None:
    text = normalise_text(label)
    return next((m for m, words in _MISSING_WORDS.items() if words.search(text)), None)


@dataclass
class _Answers:
    """A column of answers: its header, question text (if the export gives one) and values."""

    header: str
    text: str | None
    values: list[str]
    raw: RawTable
    pos: int
    joined: tuple[str, list[str]] | None = None  # (separator, options) of a multiple choice

    def scale(self, template: Codebook, language: str) -> tuple[Any, str | None, dict[str, Any]]:
        """(a key equal for columns on the same scale, the shipped scale's name or None, the
        scale's codebook entry); the export's labels are taken as ``language``."""
        languages = list(template.languages)
        if self.joined is not None:
            options = self.joined[1]
            return (
                ("options", tuple(options)),
                None,
                {
                    "type": "nominal",
                    "codes": {
                        i: dict.fromkeys(languages, label) for i, label in enumerate(options, 1)
                    },
                },
            )
        if _labelled(self.raw, self.header, self.values):
            return self._labelled_scale(languages)
        if all(as_number(v) is not None for v in self.values):
            points = sorted({as_int(v) for v in self.values})
            codes = range(points[0], points[-1] + 1)
            return (
                ("points", tuple(codes)),
                None,
                {
                    "type": f"ordinal  # {TODO}: ordinal or nominal",
                    "codes": {c: dict.fromkeys(languages, str(c)) for c in codes},
                    "favourable": f"[]  # {TODO}: list the favourable codes",
                },
            )
        counts = Counter(self.values)
        found = _scale_for(list(counts), template)
        if found is not None:
            name, neutral = found
            spec = _template_scale(template, name)
            if neutral is not None:
                spec["codes"][template.scales[name].neutral][language] = neutral
            return ("shipped", name, neutral), name, spec
        labels = sorted(counts, key=lambda v: (-counts[v], v))
        return (
            ("labels", frozenset(normalise_text(v) for v in counts)),
            None,
            {
                "type": f"ordinal  # {TODO}: ordinal or nominal",
                "codes": {
                    i: dict.fromkeys(languages, label) for i, label in enumerate(labels, start=1)
                },
                "favourable": f"[]  # {TODO}: order the codes from least to most favourable, "
                "then list the favourable ones",
            },
        )

    def _labelled_scale(self, languages):
        """A scale from SPSS value labels: labelled codes in code order (a TODO to check that
        order), user-missing codes and labels such as "don't know" or "not applicable" as
        ``missing:``, codes found without a label labelled by their number."""
        user_missing = {as_int(str(v)) for v in self.raw.missing_values.get(self.header, [])}
        labels = {as_int(str(k)): str(v) for k, v in self.raw.value_labels[self.header].items()}
        labels |= {c: str(c) for c in (as_int(v) for v in self.values) if c not in labels}
        codes, missing = {}, {}
        for code, label in sorted((c, t) for c, t in labels.items() if c is not None):
            meaning = _missing_meaning(label) or ("dont_know" if code in user_missing else None)
            if meaning is not None:
                missing[code] = {"meaning": meaning, **dict.fromkeys(languages, label)}
            else:
                codes[code] = dict.fromkeys(languages, label)
        spec: dict[str, Any] = {
            "type": f"ordinal  # {TODO}: ordinal or nominal; list the codes from least to most "
            "favourable",
            "codes": codes,
            "favourable": f"[]  # {TODO}: list the favourable codes",
        }
        if missing:
            spec["missing"] = missing
        key = ("labelled", tuple((c, t[languages[0]]) for c, t in codes.items()), tuple(missing))
        return key, None, spec


def _groups(template: Codebook) -> dict:
    """The template's groups section as the draft's, without what names the template's variables
    (each group is then compared by the draft's own)."""
    groups = template.raw.get("groups") or {}
    kept = {"staff", "label", "members"}
    return (
        {"groups": {g: {k: v for k, v in spec.items() if k in kept} for g, spec in groups.items()}}
        if groups
        else {}
    )


def _text_languages(template: Codebook, language: str) -> list[str]:
    """The languages of a draft's question texts: the export's and English (a TODO to translate),
    in the shipped codebook's order; the shipped scales, factors and variables keep all of theirs
    (a language the items do not give is not read)."""
    return [lang for lang in template.languages if lang in (language, "en")] or list(
        template.languages
    )


def _scales_and_items(answer_columns: list[_Answers], template: Codebook, language: str):
    """One scale per distinct scale (shipped scales reused), one item per answer column."""
    scales: dict[str, Any] = {}
    scale_of_key: dict[Any, str] = {}
    items = []
    for n, column in enumerate(answer_columns, start=1):
        key, shipped, spec = column.scale(template, language)
        name = scale_of_key.get(key)
        if name is None:
            name = shipped or f"scale_{len([s for s in scales if s.startswith('scale_')]) + 1}"
            scales[name] = spec
            scale_of_key[key] = name
        text = column.text or column.header
        item: dict[str, Any] = {
            "id": f"q{n:02d}",
            "key": f"Q{n:02d}",
            "aliases": [column.header],
            "instruments": f"[{', '.join(template.group_names)}]  # {TODO}: who was asked",
        }
        if column.joined is not None:  # select all that apply: an experience question
            item |= {
                "construct": "experience",
                "scale": name,
                "multiple": True,
                "separator": column.joined[0],
            }
        else:
            item |= {
                "factor": f"0  # {TODO}: the Revised Arusha Declaration factor, 1-10",
                "construct": f"perception  # {TODO}: perception, mechanism_exists, "
                "mechanism_effective or experience",
                "scale": name,
                "reverse": f"false  # {TODO}: true when agreeing is unfavourable",
            }
        item["text"] = {
            lang: text if lang == language else f"{TODO}: {text}"
            for lang in _text_languages(template, language)
        }
        items.append(item)
    return scales, items


def _joined_options(values: list[str]) -> tuple[str, list[str]] | None:
    """(separator, options) when a column holds the options of a select-all-that-apply question
    joined in one cell (Google Forms: ``"Quizzes, Homework"``): most values holding the separator
    are made of options also given alone, so a label that contains a comma is not taken apart."""
    distinct = list(dict.fromkeys(values))
    for sep in (", ", ";", "; "):
        parts = {v: [p.strip() for p in v.split(sep) if p.strip()] for v in distinct}
        several = [v for v in distinct if len(parts[v]) > 1]
        if not several:
            continue
        alone = {v for v in distinct if len(parts[v]) == 1}
        made_of_options = [v for v in several if all(p in alone for p in parts[v])]
        if len(made_of_options) * 2 >= len(several) and len(made_of_options) >= 2:
            options = list(dict.fromkeys(p for v in distinct for p in parts[v]))
            return sep.strip(), options
    return None


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
