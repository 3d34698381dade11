"""Respondent-level scores: what each answer counts for before it is weighted.

Conventions (the report's method section repeats them):

* **% favourable** of an item: 1 if the answer is one of the item's favourable codes (agree or
  strongly agree; for reverse-coded items disagree or strongly disagree), 0 for any other valid
  answer. Don't know, refusal and "not asked" are missing and leave the base; their rates are
  reported beside the estimate.
* **0-100 score** of an ordinal item: the answer's position in the scale's listed order (least to
  most favourable, as the codebook lists the codes; the code numbers play no part), reverse-coded
  items turned first, so strongly disagree = 0 and strongly agree = 100 on a five-point scale.
* **Factor score** of a respondent: the mean 0-100 score of their valid items in the factor (items
  of their own questionnaire), when at least half of those items were answered; otherwise missing.
  The factor's % favourable per respondent is the share of their valid items answered favourably,
  under the same rule. The factor index is the weighted mean of the factor scores.
* **Words vs action** for a mechanism pair: the respondent-level difference favourable(exists) minus
  favourable(effective), over respondents with a valid answer to both, so the SE of the gap accounts
  for the same people answering both questions.
* **Indicators** (``data/indicators.yaml``, or the file the params' ``indicators`` name): 1 if the
  answer is one of the indicator's codes, 0 for another valid answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ProblemList
from ..inputs.codebook import CONSTRUCTS_WITH_FACTOR, Codebook
from ..inputs.languages import text_languages
from ..inputs.yamlfile import read_definitions
from .omissions import Omission

INDICATOR_KEYS = ("item", "codes", "groups", "headline", "importance", "section", "text")
INDICATOR_SECTIONS = ("experience", "security")
"""The report sections an indicator is shown in: experience and behaviour, or staff security."""


@dataclass(frozen=True)
class Indicator:
    """An experience or behaviour indicator: share of valid answers to ``item`` that are in
    ``codes``."""

    id: str
    item: str
    codes: tuple[int, ...]
    groups: tuple[str, ...]
    headline: bool
    text: dict[str, str]
    importance: float = 1.0
    section: str = "experience"


def shipped_indicators_path() -> Path:
    return Path(str(resources.files("cipslib") / "data" / "indicators.yaml"))


def load_indicators(
    codebook: Codebook, path: str | Path | None = None, omitted: list[Omission] | None = None
) -> dict[str, Indicator]:
    """Read the indicator definitions and check them against the codebook (items exist, codes on
    scale).

    ``path`` is the user's own definitions file (params ``indicators``), where an item the
    codebook lacks, or a code off its scale, is an error naming the file. None reads the shipped
    definitions, written for the shipped questionnaire: against another codebook an indicator
    whose item it lacks, or whose codes are not on that item's scale, is left out (and listed in
    ``omitted`` when given).
    """
    shipped = path is None
    path = Path(path) if path is not None else shipped_indicators_path()
    file = str(path)
    specs = read_definitions(path, "indicators", "indicators")
    problems = ProblemList()
    items = codebook.items
    out: dict[str, Indicator] = {}
    # every indicator gives its text in each language the file uses (a report language needs it)
    langs = text_languages(s.get("text") for s in specs.values() if isinstance(s, dict))
    langs = langs or list(codebook.languages)
    for iid, spec in specs.items():
        where = f"indicator '{iid}'"
        if not isinstance(spec, dict):
            problems.add(file, f"{where}: expected a mapping with {', '.join(INDICATOR_KEYS)}")
            continue
        unknown = sorted(set(spec) - set(INDICATOR_KEYS))
        if unknown:
            problems.add(
                file, f"{where}: unknown setting '{unknown[0]}'", expected=", ".join(INDICATOR_KEYS)
            )
        ref = spec.get("item")
        rows = items[(items["key"] == ref) | (items["id"] == ref)]
        if rows.empty and shipped:
            _leave_out(omitted, "indicator_item", iid, item=ref)
            continue
        if rows.empty:
            problems.add(
                file,
                f"{where}: item '{ref}' is not in the codebook",
                expected="an item id or cross-cycle key of the codebook",
            )
            continue
        scale = codebook.scale_of(rows.iloc[0]["id"])
        codes = spec.get("codes")
        if not isinstance(codes, list) or not codes or not all(isinstance(c, int) for c in codes):
            problems.add(file, f"{where}: 'codes' must list answer codes", value=codes)
            continue
        bad = [c for c in codes if c not in scale.labels]
        if bad and shipped:
            _leave_out(omitted, "indicator_codes", iid, item=ref, codes=list(codes))
            continue
        if bad:
            problems.add(
                file,
                f"{where}: code {bad[0]} is not an answer of scale '{scale.name}'",
                value=bad[0],
                expected="one of " + ", ".join(map(str, scale.labels)),
            )
        asked = set()
        for inst in rows["instruments"]:
            asked |= set(inst)
        groups = spec.get("groups") or sorted(asked)
        if not isinstance(groups, list) or any(g not in codebook.instruments for g in groups):
            problems.add(
                file,
                f"{where}: 'groups' lists the codebook's respondent groups",
                value=groups,
                expected=" and/or ".join(codebook.instruments),
            )
            continue
        importance = spec.get("importance", 1)
        if (
            isinstance(importance, bool)
            or not isinstance(importance, int | float)
            or importance < 0
        ):
            problems.add(
                file,
                f"{where}: 'importance' weighs the indicator in the summary ranking",
                value=importance,
                expected="a number >= 0 (default 1)",
            )
            continue
        section = spec.get("section", "experience")
        if section not in INDICATOR_SECTIONS:
            problems.add(
                file,
                f"{where}: 'section' is the report section that shows the indicator",
                value=section,
                expected=" or ".join(INDICATOR_SECTIONS),
            )
            continue
        text = spec.get("text") or {}
        for lang in langs:
            if not isinstance(text, dict) or not str(text.get(lang) or "").strip():
                problems.add(file, f"{where}: the '{lang}' text is missing")
        out[str(iid)] = Indicator(
            str(iid),
            str(rows.iloc[0]["key"]),
            tuple(codes),
            tuple(groups),
            bool(spec.get("headline", False)),
            {lang: str(text.get(lang, "")) for lang in langs} if isinstance(text, dict) else {},
            float(importance),
            section,
        )
    problems.raise_if_errors()
    return out


def _leave_out(omitted: list[Omission] | None, reason: str, iid, **details) -> None:
    if omitted is not None:
        omitted.append(Omission("experience", reason, str(iid), details=details))


def answer_codes(series: pd.Series) -> np.ndarray:
    """Answer codes as floats (NaN for missing), from a categorical of integer codes or numbers."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        cats = pd.to_numeric(pd.Index(series.cat.categories), errors="coerce").to_numpy(dtype=float)
        codes = series.cat.codes.to_numpy()
        return np.where(codes >= 0, cats[np.maximum(codes, 0)] if len(cats) else np.nan, np.nan)
    return (
        pd.to_numeric(series, errors="coerce")
        .astype("Float64")
        .to_numpy(dtype=float, na_value=np.nan)
    )


def scored_items(data: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """The codebook rows of the factor items (perception and mechanism) present in the data."""
    items = codebook.items
    return items[
        items["construct"].isin(CONSTRUCTS_WITH_FACTOR) & items["id"].isin(data.columns)
    ].reset_index(drop=True)


def item_scores(
    data: pd.DataFrame, codebook: Codebook, items: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per respondent and item (by default the factor items): favourable (1/0/NaN) and the 0-100
    score (NaN when not ordinal)."""
    fav, score = {}, {}
    items = scored_items(data, codebook) if items is None else items
    for _, item in items.iterrows():
        scale = codebook.scale_of(item["id"])
        y = answer_codes(data[item["id"]])
        valid = ~np.isnan(y)
        fav[item["id"]] = np.where(valid, np.isin(y, item["favourable"]).astype(float), np.nan)
        if scale.type == "ordinal":
            points = pd.Series(y).map(scale.points).to_numpy(dtype=float)
            score[item["id"]] = 100.0 - points if item["reverse"] else points
        else:
            score[item["id"]] = np.full(len(y), np.nan)
    return pd.DataFrame(fav, index=data.index), pd.DataFrame(score, index=data.index)


def factor_scores(
    data: pd.DataFrame, codebook: Codebook, fav: pd.DataFrame, score: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per respondent and factor: the factor score (0-100) and the share of favourable answers.

    A respondent's items are the factor items of their own questionnaire present in the data; at
    least half of them must have a valid answer, otherwise both values are missing.
    """
    items = scored_items(data, codebook)
    groups = data["group"].astype(object).to_numpy()
    index, favshare = {}, {}
    for k in sorted(items["factor"].dropna().unique()):
        in_factor = items[items["factor"] == k]
        out_i = np.full(len(data), np.nan)
        out_f = np.full(len(data), np.nan)
        for g in codebook.instruments:
            members = groups == g
            ids = [
                i
                for i, inst in zip(in_factor["id"], in_factor["instruments"], strict=True)
                if g in inst
            ]
            if not members.any() or not ids:
                continue
            s = score.loc[members, ids].to_numpy()
            f = fav.loc[members, ids].to_numpy()
            answered = (~np.isnan(f)).sum(axis=1)
            scored = (~np.isnan(s)).sum(axis=1)
            enough = (answered * 2 >= len(ids)) & (answered > 0)
            out_i[members] = np.where(
                enough & (scored > 0), np.nansum(s, axis=1) / np.maximum(scored, 1), np.nan
            )
            out_f[members] = np.where(
                enough, np.nansum(f, axis=1) / np.maximum(answered, 1), np.nan
            )
        index[int(k)] = out_i
        favshare[int(k)] = out_f
    return pd.DataFrame(index, index=data.index), pd.DataFrame(favshare, index=data.index)


def gap_scores(codebook: Codebook, fav: pd.DataFrame) -> pd.DataFrame:
    """Per respondent and mechanism pair (column: the exists item's id): favourable(exists) minus
    favourable(effective), missing unless both were answered."""
    items = codebook.items
    pairs = items[
        (items["construct"] == "mechanism_exists")
        & items["id"].isin(fav.columns)
        & items["twin"].isin(fav.columns)
    ]
    return pd.DataFrame(
        {row["id"]: (fav[row["id"]] - fav[row["twin"]]).to_numpy() for _, row in pairs.iterrows()},
        index=fav.index,
    )


def indicator_values(
    data: pd.DataFrame, codebook: Codebook, indicators: dict[str, Indicator]
) -> pd.DataFrame:
    """Per respondent and indicator: 1 if the answer is one of its codes, 0 for another valid
    answer."""
    out = {}
    items = codebook.items
    for ind in indicators.values():
        ids = [i for i in items.loc[items["key"] == ind.item, "id"] if i in data.columns]
        if not ids:
            continue
        y = answer_codes(data[ids[0]])
        out[ind.id] = np.where(np.isnan(y), np.nan, np.isin(y, ind.codes).astype(float))
    return pd.DataFrame(out, index=data.index)


def item_for_key(codebook: Codebook, key: str, columns) -> str | None:
    """The id of the item with cross-cycle ``key`` that is among ``columns`` (the cycle's data)."""
    ids = [i for i in codebook.items.loc[codebook.items["key"] == key, "id"] if i in columns]
    return ids[0] if ids else None
