"""The findings in a report's language: the one place where the keys of the findings (item ids,
factor numbers, indicator ids, answer codes) become the words a report shows.

The analysis stage writes no language (:class:`~cipslib.analysis.findings.Findings`): its tables
hold keys and numbers, its key findings and story are data. :func:`localise` looks the words up
once, when a report is made, in the codebook, the indicators and the language catalogue: the
tables get the wording columns of :data:`WORDING` (``text``, ``factor_name``, ``label``), each key
finding its ``text`` (:func:`~cipslib.text.sentences.render_finding`) and the findings the
summary's closing paragraph (``story_text``). ``findings.json`` stays the analysed findings'.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..analysis.findings import Findings
from ..analysis.scoring import load_indicators
from ..inputs.codebook import Codebook
from ..text.sentences import Words, render_story, write_finding

Lookup = Callable[[pd.DataFrame, Words], list[str]]


def _item_text(table: pd.DataFrame, w: Words) -> list[str]:
    return [str(w.cb.item(i)[f"text_{w.language}"]) for i in table["item"]]


def _indicator_text(table: pd.DataFrame, w: Words) -> list[str]:
    return [
        i.text.get(w.language, "") if (i := w.indicators.get(k)) is not None else str(k)
        for k in table["indicator"]
    ]


def _answer_label(table: pd.DataFrame, w: Words) -> list[str]:
    return [
        w.cb.scale_of(i).label(int(c), w.language)
        for i, c in zip(table["item"], table["code"], strict=True)
    ]


def _factor_name(table: pd.DataFrame, w: Words) -> list[str]:
    return [w.factor(k) for k in table["factor"]]


WORDING: dict[str, tuple[str, str, Lookup]] = {
    "items": ("text", "item", _item_text),
    "experience": ("text", "indicator", _indicator_text),
    "distributions": ("label", "code", _answer_label),
    "factors": ("factor_name", "factor", _factor_name),
    "reliability": ("factor_name", "factor", _factor_name),
    "gaps": ("factor_name", "factor", _factor_name),
}
"""Per findings table: the wording column a report adds, the key column it names (the wording
goes right after it) and how it is looked up."""
WORDING_COLUMNS = frozenset(column for column, _, _ in WORDING.values())
"""The columns :func:`localise_table` adds: the words of another column, in the report's
language."""


def localise_table(name: str, table: pd.DataFrame, words: Words) -> pd.DataFrame:
    """A findings table with its wording column (:data:`WORDING`) in the language of ``words``
    (a copy; a table without one, or without its key column, comes back as it is).

    Examples
    --------
    >>> from cipslib.inputs.codebook import load_codebook
    >>> t = pd.DataFrame({"factor": [1, 8], "group": "official", "index": [61.7, 46.7]})
    >>> localise_table("factors", t, Words(load_codebook(), {}, "fr"))["factor_name"].tolist()
    ['Conduite et engagement des responsables', 'Gestion des ressources humaines']
    """
    if name not in WORDING or WORDING[name][1] not in table.columns:
        return table
    column, after, lookup = WORDING[name]
    out = table.drop(columns=[column], errors="ignore")
    values = lookup(out, words) if len(out) else []
    out.insert(
        out.columns.get_loc(after) + 1, column, pd.Series(values, index=out.index, dtype=object)
    )
    return out


@dataclass
class LocalisedFindings(Findings):
    """A cycle's findings with the words of one report language: the tables with their wording
    columns, each key finding with its ``text``, the story as ``story_text``. ``analysed`` is
    the findings they were made from, which :meth:`to_dict` (and so ``findings.json``) writes:
    a rendered report's findings.json holds no words of its language."""

    language: str = "en"
    story_text: str = ""
    analysed: Findings | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return self.analysed.to_dict()


def _indicators_of(findings: Findings, codebook: Codebook) -> Mapping[str, Any]:
    """The indicator definitions the findings were computed with (else the shipped ones)."""
    inputs = findings.inputs
    if inputs is not None and inputs.definitions is not None:
        return inputs.definitions.indicators
    return load_indicators(codebook)


def localise(
    findings: Findings,
    codebook: Codebook,
    language: str,
    indicators: Mapping[str, Any] | None = None,
) -> LocalisedFindings:
    """The findings in ``language`` (:class:`LocalisedFindings`): the wording of every table
    (:func:`localise_table`), each key finding's sentence and the summary's closing paragraph,
    looked up in ``codebook``, ``indicators`` (by default those the findings were computed with)
    and the language's catalogue. Findings already localised are localised again from the
    findings they were made from.

    Examples
    --------
    >>> from cipslib import analyse, load_codebook
    >>> fnd = analyse("params/2024.yaml")
    >>> uk = localise(fnd, load_codebook(), "uk")
    >>> uk.key_findings[0]["text"][:31]
    '90\\xa0% (95 % ДІ 87–93\\xa0%, n = 457)'
    >>> localise(uk, load_codebook(), "en").tables["factors"]["factor_name"].iloc[0]
    'Leadership and Commitment'
    >>> uk.to_dict() == fnd.to_dict()
    True
    """
    analysed = findings.analysed if isinstance(findings, LocalisedFindings) else findings
    inds = indicators if indicators is not None else _indicators_of(analysed, codebook)
    w = Words(codebook, inds, language)
    base = {f.name: getattr(analysed, f.name) for f in dataclasses.fields(Findings)}
    base["tables"] = {n: localise_table(n, t, w) for n, t in analysed.tables.items()}
    base["key_findings"] = [{**k, "text": write_finding(k, w)} for k in analysed.key_findings]
    story = render_story(analysed.story, codebook, inds, language)
    return LocalisedFindings(**base, language=language, story_text=story, analysed=analysed)
