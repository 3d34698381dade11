"""Recognising a survey export's columns and answers through the codebook.

Survey tools export a column per question headed by the question's code, its full text, or both
(LimeSurvey's ``CODE [text]`` and ``CODE. text``), and answers as codes or as the labels the
respondent clicked, in the survey's language. A column is recognised, in this order of rules, by:

1. ``id``: the item's or respondent variable's id;
2. ``key``: the item's cross-cycle key;
3. ``alias``: one of the ``aliases`` the codebook lists for it;
4. ``text``: its question text (items) or label (variables) in any codebook language.

Ids, keys and aliases compare as :func:`~cipslib.inputs.codebook.normalise_name` does (case, spaces,
dots and hyphens ignored); texts compare after :func:`normalise_text` (case, runs of whitespace,
quotes, trailing punctuation and a numbering prefix such as ``12.``, ``Q12)`` or ``lead_01.``
ignored). Only the items asked in the file's cycle are candidates, so a key shared by a 2024 and a
2025 wording means this cycle's item. Two candidates for one column are an error naming both.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from .codebook import Codebook, normalise_name

RULES = ("id", "key", "alias", "text")
_QUOTES = dict.fromkeys(map(ord, "\"'`“”„«»‘’‚‹›"))
_TRAILING = re.compile(r"[\s.:;,!?*…]+$")
_NUMBERING = re.compile(r"^\s*(?:q(?:uestion)?\s*)?\d+(?:\.\d+)*\s*[.):]\s*", re.IGNORECASE)
_CODE_BRACKET = re.compile(r"^\s*([^\s\[\]]+)\s*\[(.+)\]\s*$")  # LimeSurvey: CODE [text]
_CODE_DOT = re.compile(r"^\s*([A-Za-z][\w\-]*)\.\s+(.+)$")  # LimeSurvey: CODE. text


def normalise_text(text: object) -> str:
    """A question text or answer label in the form used for matching.

    Examples
    --------
    >>> normalise_text('  12. «Senior managers set   an example»? ')
    'senior managers set an example'
    >>> normalise_text("Q3) Don't know")
    'dont know'
    """
    s = str(text).casefold().translate(_QUOTES)
    s = _NUMBERING.sub("", s)
    s = re.sub(r"\s+", " ", s).strip()
    return _TRAILING.sub("", s)


@dataclass(frozen=True)
class ColumnMatch:
    """How one column of an export was read: the codebook ``target`` (an item or respondent
    variable), its ``kind`` (``item``, ``variable``) and the ``rule`` that matched; ``target`` is
    None for a column that was not recognised."""

    column: str
    target: str | None = None
    kind: str | None = None
    rule: str | None = None


class AmbiguousColumn(Exception):
    """A column that two codebook entries claim by the same rule."""

    def __init__(self, column: str, rule: str, candidates: list[tuple[str, str]]):
        self.column, self.rule, self.candidates = column, rule, candidates
        names = " and ".join(f"{kind} '{name}'" for kind, name in candidates)
        super().__init__(f"the column matches {names} by its {rule}")


class ColumnMatcher:
    """Matches export column headers to the items of one cycle and the respondent variables
    (``cycle`` None: the respondent variables only).

    Examples
    --------
    >>> from cipslib import load_codebook
    >>> m = ColumnMatcher(load_codebook(), 2025)
    >>> m.match("LEAD_EXAMPLE")
    ColumnMatch(column='LEAD_EXAMPLE', target='lead_02', kind='item', rule='key')
    >>> m.match("2. Senior managers in Customs set a personal example of integrity").rule
    'text'
    >>> m.match("lead_02 [Senior managers set an example]").target
    'lead_02'
    >>> m.match("factor_1/lead_02").target
    'lead_02'
    """

    def __init__(self, codebook: Codebook, cycle: int | None):
        self.index: dict[str, dict[str, set[tuple[str, str]]]] = {
            rule: defaultdict(set) for rule in RULES
        }
        for name, var in codebook.variables.items():
            self._add("id", name, ("variable", name))
            for alias in var.aliases:
                self._add("alias", alias, ("variable", name))
            for label in var.labels.values():
                self._add("text", label, ("variable", name))
        items = codebook.items_for(cycle=cycle) if cycle is not None else codebook.items[:0]
        for question in codebook.multiples.values():
            if cycle is None or not (question.cycles is None or cycle in question.cycles):
                continue
            target = ("multiple", question.id)
            for rule, values in (
                ("id", [question.id]),
                ("key", [question.key]),
                ("alias", question.aliases),
                ("text", question.texts.values()),
            ):
                for value in values:
                    self._add(rule, value, target)
        for _, item in items[items["parent"].isna()].iterrows():
            target = ("item", item["id"])
            self._add("id", item["id"], target)
            self._add("key", item["key"], target)
            for alias in item["aliases"]:
                self._add("alias", alias, target)
            for lang in codebook.languages:
                self._add("text", item[f"text_{lang}"], target)

    def _add(self, rule: str, value: object, target: tuple[str, str]) -> None:
        if value is None or str(value).strip() == "":
            return
        key = normalise_text(value) if rule == "text" else normalise_name(value)
        self.index[rule][key].add(target)

    def _lookup(self, rule: str, value: str) -> set[tuple[str, str]]:
        key = normalise_text(value) if rule == "text" else normalise_name(value)
        return self.index[rule].get(key, set())

    def match(self, column: str) -> ColumnMatch:
        """The codebook entry a column header names, by the first rule that finds one; raises
        :class:`AmbiguousColumn` when that rule finds two."""
        header = str(column)
        codes, texts = [header], [header]
        if "/" in header:  # KoboToolbox and ODK: group/name
            codes.append(header.rsplit("/", 1)[1])
        for pattern in (_CODE_BRACKET, _CODE_DOT):
            found = pattern.match(header)
            if found:
                codes.append(found.group(1))
                texts.append(found.group(2))
        for rule in RULES:
            for value in texts if rule == "text" else codes:
                hits = self._lookup(rule, value)
                if len(hits) > 1:
                    raise AmbiguousColumn(header, rule, sorted(hits))
                if hits:
                    kind, target = next(iter(hits))
                    return ColumnMatch(header, target, kind, rule)
        return ColumnMatch(header)


class AnswerReader:
    """Reads one column's answers: codes (numbers, also written as text: ``4``, ``4.0``) or labels
    in any codebook language, compared after :func:`normalise_text`, don't-know and refusal labels
    included.

    Examples
    --------
    >>> from cipslib import load_codebook
    >>> r = AnswerReader(load_codebook().scales["agree5"])
    >>> [r.code(v) for v in ("4", "4.0", "Погоджуюся", "strongly agree.", "Важко відповісти", "?")]
    [4, 4, 4, 5, 8, None]
    """

    def __init__(self, scale):
        self.labels: dict[str, int] = {}
        self.by_language: dict[str, list[str]] = defaultdict(list)
        for code in (*scale.codes, *scale.missing_codes):
            texts = scale.labels.get(code) or scale.special_labels.get(code, {})
            for lang, text in texts.items():
                self.labels.setdefault(normalise_text(text), code)
                self.by_language[lang].append(str(text))

    def code(self, value: str) -> int | None:
        """The answer code of a cell, or None when it is neither a code nor a known label."""
        if as_number(value) is not None:
            return as_int(value)
        return self.labels.get(normalise_text(value))

    def expected_labels(self, language: str) -> str:
        """The labels of one language, for messages."""
        return "; ".join(self.by_language.get(language, []))


def as_number(value: str) -> float | None:
    """A cell's number (decimal point or comma), or None when it is text.

    Examples
    --------
    >>> as_number("4,5"), as_number("Agree")
    (4.5, None)
    """
    try:
        return float(str(value).replace(",", ".").strip())
    except ValueError:
        return None


def as_int(value: str) -> int | None:
    """A cell's whole number (``"4"``, ``"4.0"``, ``"4,0"``), or None.

    Examples
    --------
    >>> as_int("4.0"), as_int("4.5"), as_int("four")
    (4, None, None)
    """
    number = as_number(value)
    return int(number) if number is not None and number.is_integer() else None
