"""Sentences of the key findings and of the summary's closing paragraph, written at render time in
the report's language from a finding's keys and numbers only.

A key finding (and each part of the story) is data: its ``template`` (the catalogue key of its
sentence, ``sentences.<kind>`` or ``story.<part>``) and its fields as keys (a factor number, a
group, an indicator id, a measure id, a variable) and raw numbers. :func:`render_finding` and
:func:`render_story` look the words up in the codebook, the indicators and the language catalogue,
write the numbers through :mod:`.numbers` (rounded only here, the last step) and fill the
template: the analysis stage writes no language.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pandas as pd

from ..inputs.codebook import Codebook
from .catalogue import load_catalogue
from .numbers import P_SMALLEST, NumberFormat, format_ci
from .typography import tidy


@dataclass(frozen=True)
class Words:
    """What a sentence is written with in one language: the codebook's wording, the indicators'
    texts (``indicators``: id -> an object whose ``text`` maps a language to its text), the
    language's catalogue and number format."""

    cb: Codebook
    indicators: Mapping[str, Any]
    language: str

    @cached_property
    def catalogue(self) -> dict[str, Any]:
        return load_catalogue(self.language)

    @cached_property
    def fmt(self) -> NumberFormat:
        return NumberFormat.of(self.catalogue)

    @property
    def words(self) -> dict[str, str]:
        return self.catalogue["words"]

    def group(self, group: str) -> str:
        """A group's members as sentences name them ("private-sector respondents")."""
        return self.cb.group_members(group, self.language)

    def factor(self, factor: Any) -> str:
        return self.cb.factor_name(int(factor), self.language)

    def indicator(self, indicator: str) -> str:
        found = self.indicators.get(indicator)
        return found.text.get(self.language, indicator) if found is not None else str(indicator)

    def variable(self, variable: str) -> str:
        """A respondent variable as a sentence names it, lower-cased ("position")."""
        if variable in self.cb.variables:
            return self.cb.variables[variable].labels.get(self.language, variable).lower()
        return str(variable)

    def template(self, key: str) -> str:
        """The catalogue text of a dotted key (``sentences.gap``), its whitespace tidied."""
        section, _, name = key.partition(".")
        return tidy(self.catalogue[section][name])


def _item_row(cb: Codebook, ref: str) -> pd.Series:
    """An item by its id or its cross-cycle key."""
    try:
        return cb.item(ref)
    except KeyError:
        rows = cb.items[cb.items["key"] == ref]
        if rows.empty:
            raise
        return rows.iloc[0]


def measure_name(measure: str, group: str, w: Words) -> str:
    """A measure id (``factor_index.3``, ``indicator.ID``, ``item_fav.KEY``) as a sentence names it
    for a group, in the catalogue's ``measures`` words.

    Examples
    --------
    >>> from cipslib.inputs.codebook import load_codebook
    >>> measure_name("factor_index.8", "official", Words(load_codebook(), {}, "en"))
    'the Human Resource Management index among officials'
    """
    t = w.catalogue["measures"]
    kind, _, ref = measure.partition(".")
    members = w.group(group)
    if kind == "indicator":
        return t["indicator"].format(text=w.indicator(ref), group=members)
    if kind == "item_fav":  # a reverse-worded statement is favourable when disagreed with
        item = _item_row(w.cb, ref)
        template = t["item_fav_reverse" if item["reverse"] else "item_fav"]
        return template.format(text=item[f"text_{w.language}"], group=members)
    return t[kind].format(factor=w.factor(ref), group=members)


def _count_span(f: NumberFormat, low: float, high: float | None) -> str:
    """One count, or the range from the smallest to the largest, e.g. ``1,007–1,012``."""
    a, b = f.count(low), f.count(low if high is None else high)
    return a if a == b else f.range_fmt.format(a, b)


def _indicator(k: Mapping[str, Any], w: Words) -> dict[str, Any]:
    f = w.fmt
    return {
        "value": f.value(k["estimate"], "%"),
        "ci": format_ci(f, k["ci_low"], k["ci_high"], "%"),
        "n": f.count(k["n"]),
        "group": w.group(k["group"]),
        "text": w.indicator(k["indicator"]),
    }


def _gap(k: Mapping[str, Any], w: Words) -> dict[str, Any]:
    f = w.fmt
    return {
        "factor": w.factor(k["factor"]),
        "group": w.group(k["group"]),
        "exists": f.value(k["exists"], "%"),
        "effective": f.value(k["effective"], "%"),
        "gap": f.value(k["estimate"], "points"),
        "ci": format_ci(f, k["ci_low"], k["ci_high"], "points"),
        "n": f.count(k["n"]),
    }


def _across_factors(k: Mapping[str, Any], w: Words) -> dict[str, Any]:
    f, words, p = w.fmt, w.words, float(k["p_value"])
    how_many = words["all_of"] if k["count"] == k["total"] else words["count_of"]
    return {
        "group": w.group(k["group"]),
        "how_many": how_many.format(count=k["count"], total=k["total"]),
        "direction": words[k["direction"]],
        "previous_cycle": k["previous_cycle"],
        "low": f.value(k["change_min"], "points", signed=True),
        "high": f.value(k["change_max"], "points", signed=True),
        # below the smallest p written, "p < 0.001" holds for each factor; else the largest p
        "p": f.p(p) if p < P_SMALLEST else words["p_at_most"].format(f.number(p, 3)),
        "n_prev": _count_span(f, k["n_prev"], k.get("max_prev_n")),
        "n": _count_span(f, k["n"], k.get("max_n")),
    }


def _change(k: Mapping[str, Any], w: Words) -> dict[str, Any]:
    f, unit = w.fmt, k["unit"]
    return {
        "measure": measure_name(k["measure"], k["group"], w),
        "direction": w.words["rose" if k["change"] > 0 else "fell"],
        "previous": f.value(k["estimate_prev"], unit),
        "value": f.value(k["estimate"], unit),
        "previous_cycle": k["previous_cycle"],
        "cycle": k["cycle"],
        "change": f.value(k["change"], "points", signed=True),
        "ci": format_ci(f, k["ci_low"], k["ci_high"], "points"),
        "p": f.p(k["p_value"]),
        "n_prev": f.count(k["n_prev"]),
        "n": f.count(k["n"]),
    }


def _composition(k: Mapping[str, Any], w: Words) -> dict[str, Any]:
    f = w.fmt
    return {
        "measure": measure_name(k["measure"], k["group"], w),
        "raw": f.value(k["change"], "points", signed=True),
        "composition": f.value(k["composition"], "points", signed=True),
        "ci": format_ci(f, k["ci_low"], k["ci_high"], "points"),
        "within": f.value(k["within"], "points", signed=True),
        "n_prev": f.count(k["n_prev"]),
        "n": f.count(k["n"]),
        "by": w.variable(k["by"]),
    }


def _level(k: Mapping[str, Any], w: Words) -> dict[str, Any]:
    """The weakest or the strongest factor of a group."""
    f = w.fmt
    return {
        "factor": w.factor(k["factor"]),
        "group": w.group(k["group"]),
        "value": f.value(k["estimate"], "index"),
        "ci": format_ci(f, k["ci_low"], k["ci_high"], "index"),
        "n": f.count(k["n"]),
    }


def _pair(k: Mapping[str, Any], w: Words) -> dict[str, str]:
    """How a sentence names the two groups of a comparison: their members."""
    return {"group_a": w.group(k["group_a"]), "group_b": w.group(k["group_b"])}


def _aligned(k: Mapping[str, Any], w: Words) -> dict[str, Any]:
    names = ", ".join(w.factor(factor) for factor in k["factors"]) or w.words["none"]
    return {**_pair(k, w), "count": k["count"], "total": k["total"], "factors": names}


def _not_aligned(k: Mapping[str, Any], w: Words) -> dict[str, Any]:
    f = w.fmt
    return {
        **_pair(k, w),
        "factor": w.factor(k["factor"]),
        "value_a": f.value(k["estimate_a"], "index"),
        "value_b": f.value(k["estimate_b"], "index"),
        "difference": f.value(k["difference"], "points", signed=True),
        "ci": format_ci(f, k["ci_low"], k["ci_high"], "points"),
        "p": f.p(k["p_value"]),
        "n_a": f.count(k["n_a"]),
        "n_b": f.count(k["n_b"]),
    }


def _low_reliability(k: Mapping[str, Any], w: Words) -> dict[str, Any]:
    return {
        "factor": w.factor(k["factor"]),
        "group": w.group(k["group"]),
        "alpha": w.fmt.number(k["alpha"], 2),
    }


FINDING_FIELDS: dict[str, Callable[[Mapping[str, Any], Words], dict[str, Any]]] = {
    "indicator": _indicator,
    "gap": _gap,
    "across_factors": _across_factors,
    "change": _change,
    "composition": _composition,
    "weakest": _level,
    "strongest": _level,
    "aligned": _aligned,
    "not_aligned": _not_aligned,
    "low_reliability": _low_reliability,
}
"""Per kind of key finding: the words and numbers its sentence is filled with."""


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def write_finding(finding: Mapping[str, Any], w: Words) -> str:
    """:func:`render_finding` with the words of a language already gathered (for many findings)."""
    fields = FINDING_FIELDS[finding["kind"]](finding, w)
    key = finding.get("template") or f"sentences.{finding['kind']}"
    return _capital(w.template(key).format(**fields))


def render_finding(
    finding: Mapping[str, Any], codebook: Codebook, indicators: Mapping[str, Any], language: str
) -> str:
    """A key finding's sentence in ``language``: its template (``finding["template"]``, the
    catalogue key ``sentences.<kind>``) filled from its keys and numbers, with the codebook's
    group, factor and question words, the indicators' texts and the catalogue's number format.

    Examples
    --------
    >>> from cipslib.inputs.codebook import load_codebook
    >>> finding = {"kind": "weakest", "template": "sentences.weakest", "factor": 8,
    ...            "group": "official", "estimate": 46.71, "ci_low": 45.9, "ci_high": 47.52,
    ...            "n": 4091}
    >>> render_finding(finding, load_codebook(), {}, "en")
    'Human Resource Management is the weakest factor among officials: index 47 out of 100 (95% CI 46–48, n = 4,091).'
    """  # noqa: E501
    return write_finding(finding, Words(codebook, indicators, language))


def _story_changes(part: Mapping[str, Any], w: Words) -> dict[str, Any]:
    line = w.template("story.change_group")
    groups = [
        line.format(group=w.group(g["group"]), total=g["total"], up=g["up"], down=g["down"])
        for g in part["groups"]
    ]
    return {"previous_cycle": part["previous_cycle"], "changes": "; ".join(groups)}


STORY_FIELDS: dict[str, Callable[[Mapping[str, Any], Words], dict[str, Any]]] = {
    "story.factors": lambda p, w: {
        "group": w.group(p["group"]),
        "strongest": w.factor(p["strongest"]),
        "high": w.fmt.value(p["high"], "index"),
        "weakest": w.factor(p["weakest"]),
        "low": w.fmt.value(p["low"], "index"),
    },
    "story.differ": lambda p, w: {
        **_pair(p, w),
        "count": p["count"],
        "total": p["total"],
        "factor": w.factor(p["factor"]),
        "difference": w.fmt.value(p["difference"], "points", signed=True),
    },
    "story.differ_none": lambda p, w: {**_pair(p, w), "total": p["total"]},
    "story.gap": lambda p, w: {
        "factor": w.factor(p["factor"]),
        "group": w.group(p["group"]),
        "gap": w.fmt.value(p["gap"], "points"),
    },
    "story.changes": _story_changes,
    "story.composition": lambda p, w: {
        "group": w.group(p["group"]),
        "count": p["count"],
        "measure": measure_name(p["measure"], p["group"], w),
        "raw": w.fmt.value(p["raw"], "points", signed=True),
        "composition": w.fmt.value(p["composition"], "points", signed=True),
        "by": w.variable(p["by"]),
    },
    "story.no_composition": lambda p, w: {},
}
"""Per part of the summary's closing paragraph (its template key): what it is filled with."""


def render_story(
    parts: Sequence[Mapping[str, Any]],
    codebook: Codebook,
    indicators: Mapping[str, Any],
    language: str,
) -> str:
    """The paragraph that closes the executive summary in ``language``: each part (its
    ``template``, a key of the catalogue's ``story``, and its keys and numbers) filled, begun
    with a capital and joined.

    Examples
    --------
    >>> from cipslib.inputs.codebook import load_codebook
    >>> parts = [{"template": "story.gap", "factor": 1, "group": "official", "gap": 27.61},
    ...          {"template": "story.no_composition"}]
    >>> render_story(parts, load_codebook(), {}, "en")  # doctest: +NORMALIZE_WHITESPACE
    'The widest gap between words and action is in Leadership and Commitment among officials
    (27.6 points). The unweighted changes are not mostly a matter of who answered.'
    """
    w = Words(codebook, indicators, language)
    return " ".join(
        _capital(w.template(p["template"]).format(**STORY_FIELDS[p["template"]](p, w)))
        for p in parts
    )
