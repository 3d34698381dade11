"""What a cycle's findings leave out, and why.

A codebook need not hold every question of the shipped questionnaire: a shipped indicator whose item
it lacks, a KPI resting on such an indicator, a subgroup variable it does not define, a section
without the questions it needs (no factor items, no overall rating, a single respondent group) are
left out rather than failing the report. Each is an :class:`Omission`; the findings list them in
``meta["omitted"]``, ``cips check`` prints them and the report's method section says what was left
out and why, in its language (``report.omitted.<reason>`` of the language catalogue). A section
left out as a whole (``whole``) says so under its heading too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..text.catalogue import load_catalogue
from ..text.typography import tidy

REASONS = (
    "no_key_findings",
    "indicator_item",
    "indicators_item",
    "indicator_codes",
    "kpi_indicator",
    "kpi_factor",
    "no_kpis",
    "no_kpi_file",
    "subgroup_variable",
    "subgroup_levels",
    "no_subgroups",
    "decompose_variable",
    "no_factor_items",
    "single_group",
    "no_outcome",
    "outcome_not_asked",
    "drivers_too_few",
    "no_indicators",
    "no_security",
    "no_security_section",
)
"""Why something is left out: each is a sentence of the catalogues' ``report.omitted``."""


@dataclass(frozen=True)
class Omission:
    """One thing left out of the findings: the report ``section`` (a key of
    :data:`cipslib.report.context.SECTIONS`) it belongs to, the ``reason`` (one of :data:`REASONS`),
    what is left out (``name``: an indicator, a KPI, a variable; empty for a whole section),
    whether the whole section is left out, and the values the reason's sentence names.

    Examples
    --------
    >>> o = Omission("experience", "indicator_item", "safe_reporting",
    ...              details={"item": "EXP_SAFE_REPORTING"})
    >>> o.to_dict()["item"]
    'EXP_SAFE_REPORTING'
    >>> omission_text(o.to_dict(), "en")
    'the indicator “safe_reporting” was left out: the codebook has no question EXP_SAFE_REPORTING'
    """

    section: str
    reason: str
    name: str = ""
    whole: bool = False
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "section": self.section,
            "reason": self.reason,
            "name": self.name,
            "whole": self.whole,
            **self.details,
        }


def omission_text(omission: dict[str, Any], language: str = "en", codebook=None) -> str:
    """The sentence that says why something was left out, in ``language``; a group named as the
    ``codebook`` names its members (else by its name)."""
    tpl = load_catalogue(language)
    values = {
        k: v.get(language, next(iter(v.values()), "")) if isinstance(v, dict) else v
        for k, v in omission.items()
        if k not in ("section", "reason", "whole")
    }
    if "group" in values and codebook is not None:
        values["group"] = codebook.group_members(values["group"], language)
    if isinstance(values.get("codes"), (list, tuple)):
        values["codes"] = ", ".join(map(str, values["codes"]))
    if isinstance(values.get("names"), (list, tuple)):
        quote = tpl["report"]["omitted_quote"]
        values["names"] = ", ".join(quote.format(n) for n in values["names"])
    text = tpl["report"]["omitted"][omission["reason"]]
    return tidy(text).format(**values)


def combined(omitted: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The omissions as they are listed: the indicators left out for lack of the same item in one
    entry (reason ``indicators_item``, their ``names`` listed), the others as they are.

    Examples
    --------
    >>> o = [{"section": "experience", "reason": "indicator_item", "name": n, "whole": False,
    ...       "item": "EXP_BRIBE_RESPONSE"} for n in ("bribe_report", "bribe_comply")]
    >>> [(x["reason"], x["names"]) for x in combined(o)]
    [('indicators_item', ['bribe_report', 'bribe_comply'])]
    >>> omission_text(combined(o)[0], "uk")[:40]
    'показники «bribe_report», «bribe_comply»'

    """
    out: list[dict[str, Any]] = []
    by_item: dict[str, dict[str, Any]] = {}
    for o in omitted:
        if o["reason"] != "indicator_item":
            out.append(o)
            continue
        first = by_item.get(o["item"])
        if first is None:
            by_item[o["item"]] = entry = dict(o, names=[o["name"]])
            out.append(entry)
        else:
            first["names"].append(o["name"])
    for entry in by_item.values():
        if len(entry["names"]) > 1:
            entry["reason"] = "indicators_item"
        else:
            del entry["names"]
    return out


def sections_left_out(omitted: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The sections left out as a whole, each with (the first of) its reasons.

    Examples
    --------
    >>> sections_left_out([{"section": "drivers", "reason": "no_outcome", "whole": True}])
    {'drivers': {'section': 'drivers', 'reason': 'no_outcome', 'whole': True}}
    """
    out: dict[str, dict[str, Any]] = {}
    for o in omitted:
        if o.get("whole"):
            out.setdefault(o["section"], o)
    return out
