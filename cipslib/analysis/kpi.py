"""PMM KPI export: the integrity KPIs of the WCO Performance Measurement Mechanism computed from
CIPS.

The mapping from CIPS to KPIs is configuration (``params/pmm_kpis.yaml``): each KPI names a cipslib
measure (``indicator.ID``, ``factor_index.K``, ``factor_fav.K``, ``item_fav.KEY``, ``gap.KEY``; see
``docs/findings.md``) and the respondent group, plus the PMM dimension, expected outcome, data
source, reference year, frequency and disclosure level. :func:`kpi_table` evaluates them on the
findings of one or more cycles; :func:`write_kpis` writes CSV and XLSX. Values carry their 95% CI
and n; a value resting on fewer than ``min_cell`` respondents is left empty.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ProblemList
from ..files import atomic_write
from ..inputs.codebook import CONSTRUCTS_WITH_FACTOR, Codebook
from ..inputs.languages import text_languages
from ..inputs.yamlfile import read_definitions
from .omissions import Omission
from .scoring import Indicator

PMM_DIMENSIONS = (
    "Trade Facilitation and Economic Competitiveness",
    "Revenue Collection",
    "Enforcement, Security and Protection of Society",
    "Organizational Development",
)
DISCLOSURE = ("public", "internal", "restricted")
FREQUENCIES = ("annual", "biennial", "per cycle")
KPI_KEYS = (
    "name",
    "dimension",
    "outcome",
    "formula",
    "direction",
    "source",
    "reference_year",
    "frequency",
    "disclosure",
)
COLUMNS = [
    "kpi",
    "name",
    "dimension",
    "outcome",
    "measure",
    "group",
    "numerator",
    "denominator",
    "unit",
    "direction",
    "source",
    "reference_year",
    "frequency",
    "disclosure",
    "cycle",
    "value",
    "se",
    "ci_low",
    "ci_high",
    "n",
    "suppressed",
    "baseline",
    "change_from_baseline",
]


@dataclass(frozen=True)
class Kpi:
    """One KPI definition."""

    id: str
    name: str
    dimension: str
    outcome: str
    measure: str
    group: str
    direction: str
    source: str
    reference_year: int
    frequency: str
    disclosure: str
    names: dict[str, str] = field(default_factory=dict)
    """The name in each language when ``name`` is given as {en: ..., fr: ...} (empty when it is
    one text for every language); ``name`` is the English one, or the first given."""

    def name_in(self, language: str) -> str:
        """The KPI's name in ``language`` (its one name when it has no name per language)."""
        return self.names.get(language) or self.name


def _names(problems: ProblemList, file: str, where: str, name, langs: list[str]) -> dict[str, str]:
    """A KPI's name per language: one text for all (an empty mapping), or a mapping with each
    language that the file's names use."""
    if isinstance(name, dict):
        missing = [lang for lang in langs if not str(name.get(lang) or "").strip()]
        if missing:
            problems.add(
                file,
                f"{where}: the name has no '{missing[0]}' text",
                expected="a text, or one per language: " + ", ".join(langs),
            )
        return {lang: str(name.get(lang, "")) for lang in langs}
    return {}


def known_measures(codebook: Codebook, indicators: dict[str, Indicator]) -> dict[str, str]:
    """Every measure id a KPI may use, with its unit."""
    items = codebook.items
    scored = items[items["construct"].isin(CONSTRUCTS_WITH_FACTOR)]
    out = {f"item_fav.{k}": "%" for k in scored["key"]}
    out |= {f"item_score.{k}": "index" for k in scored["key"]}
    for k in sorted(scored["factor"].dropna().unique()):
        out[f"factor_index.{int(k)}"] = "index"
        out[f"factor_fav.{int(k)}"] = "%"
    out |= {
        f"gap.{k}": "points" for k in items.loc[items["construct"] == "mechanism_exists", "key"]
    }
    out |= {f"indicator.{i}": "%" for i in indicators}
    return out


def load_kpis(
    path: str | Path,
    codebook: Codebook,
    indicators: dict[str, Indicator],
    omitted: list[Omission] | None = None,
) -> dict[str, Kpi]:
    """Read and check the KPI definitions; every problem is reported at once.

    With ``omitted`` (what the findings leave out, e.g. the shipped indicators whose items the
    codebook lacks), a KPI resting on a left-out indicator, or on the index of a factor the codebook
    has no question in, is left out too and added to it; without, both are errors.
    """
    path = Path(path)
    file = str(path)
    specs = read_definitions(path, "KPI definitions", "kpis")
    problems = ProblemList()
    measures = known_measures(codebook, indicators)
    left_out = {
        f"indicator.{o.name}": o.name
        for o in omitted or ()
        if o.reason in ("indicator_item", "indicator_codes")
    }
    out = {}
    langs = text_languages(s.get("name") for s in specs.values() if isinstance(s, dict))
    for kid, spec in specs.items():
        where = f"KPI '{kid}'"
        if not isinstance(spec, dict):
            problems.add(file, f"{where}: expected a mapping with " + ", ".join(KPI_KEYS))
            continue
        for key in sorted(set(spec) - set(KPI_KEYS)):
            problems.add(
                file, f"{where}: unknown setting '{key}'", expected="one of " + ", ".join(KPI_KEYS)
            )
        for key in sorted(set(KPI_KEYS) - set(spec)):
            problems.add(file, f"{where}: the setting '{key}' is missing")
        formula = spec.get("formula")
        measure = formula.get("measure") if isinstance(formula, dict) else None
        group = formula.get("group") if isinstance(formula, dict) else None
        if not isinstance(formula, dict):
            problems.add(
                file,
                f"{where}: 'formula' must be a mapping {{measure: ..., group: ...}}",
                value=formula,
            )
        elif (
            omitted is not None
            and measure not in measures
            and _left_out(omitted, str(kid), str(measure), left_out)
        ):
            continue
        elif measure not in measures:
            close = [m for m in measures if str(measure).split(".")[-1].lower() in m.lower()][:5]
            problems.add(
                file,
                f"{where}: unknown indicator '{measure}' in the formula",
                value=measure,
                expected="a cipslib measure id such as indicator.safe_reporting or factor_index.1"
                + (f" (did you mean {', '.join(close)}?)" if close else ""),
            )
        if isinstance(formula, dict) and group not in codebook.instruments:
            problems.add(
                file,
                f"{where}: the formula's group must be one of the codebook's respondent groups",
                value=group,
                expected=" or ".join(codebook.instruments),
            )
        if (
            isinstance(formula, dict)
            and measure in measures
            and str(measure).startswith("indicator.")
        ):
            ind = indicators[measure.split(".", 1)[1]]
            if group in codebook.instruments and group not in ind.groups:
                problems.add(
                    file,
                    f"{where}: '{measure}' is not asked of the {group} group",
                    value=group,
                    expected=" or ".join(ind.groups),
                )
        checks = (
            ("dimension", PMM_DIMENSIONS),
            ("disclosure", DISCLOSURE),
            ("frequency", FREQUENCIES),
            ("direction", ("higher", "lower")),
        )
        for key, allowed in checks:
            if key in spec and spec[key] not in allowed:
                problems.add(
                    file,
                    f"{where}: unknown {key} '{spec[key]}'",
                    value=spec[key],
                    expected="one of " + "; ".join(allowed),
                )
        year = spec.get("reference_year")
        if "reference_year" in spec and (isinstance(year, bool) or not isinstance(year, int)):
            problems.add(file, f"{where}: 'reference_year' must be a year", value=year)
        names = _names(problems, file, where, spec.get("name"), langs)
        if not problems.errors:
            out[str(kid)] = Kpi(
                str(kid),
                names.get("en") or next(iter(names.values()), str(spec.get("name"))),
                spec["dimension"],
                str(spec["outcome"]),
                measure,
                group,
                spec["direction"],
                str(spec["source"]),
                int(year),
                spec["frequency"],
                spec["disclosure"],
                names,
            )
    problems.raise_if_errors()
    return out


def _left_out(
    omitted: list[Omission], kid: str, measure: str, indicators_left_out: dict[str, str]
) -> bool:
    """Whether a KPI's unknown measure rests on something the findings leave out (a left-out
    indicator, or the index of a factor without items); if so, the KPI is added to ``omitted``."""
    if measure in indicators_left_out:
        omitted.append(
            Omission(
                "kpis", "kpi_indicator", kid, details={"indicator": indicators_left_out[measure]}
            )
        )
        return True
    kind, _, ref = measure.partition(".")
    if kind in ("factor_index", "factor_fav") and ref.isdigit() and 1 <= int(ref) <= 10:
        omitted.append(Omission("kpis", "kpi_factor", kid, details={"factor": int(ref)}))
        return True
    return False


def _describe(
    measure: str, group: str, codebook: Codebook, indicators: dict[str, Indicator]
) -> tuple[str, str]:
    """Numerator and denominator of a measure in words."""
    who = codebook.group_members(group, "en")
    kind, ref = measure.split(".", 1)
    if kind == "indicator":
        ind = indicators[ref]
        iid = codebook.items.loc[codebook.items["key"] == ind.item, "id"].iloc[0]
        scale = codebook.scale_of(iid)
        answers = " or ".join(f'"{scale.label(c)}"' for c in ind.codes)
        return (
            f"{who} answering {answers} to {ind.item}",
            f"{who} with a valid answer to {ind.item} (don't know and refusal excluded)",
        )
    if kind == "gap":
        return (
            f"{who} agreeing that the mechanism exists ({ref}) "
            "minus those agreeing it is effective",
            f"{who} who answered both questions",
        )
    if kind in ("factor_index", "item_score"):
        return (
            f"weighted sum of the 0-100 scores of {who}",
            f"weighted number of {who} with a score",
        )
    return (f"{who} with favourable answers", f"{who} with valid answers")


def kpi_table(
    findings: Sequence, kpis: dict[str, Kpi], codebook: Codebook, indicators: dict[str, Indicator]
) -> pd.DataFrame:
    """The KPI values for each cycle's findings (one row per KPI and cycle), with the reference-year
    value as baseline when that cycle is among the findings."""
    by_cycle = {f.cycle: f for f in findings}
    units = known_measures(codebook, indicators)
    rows = []
    for k in kpis.values():
        numerator, denominator = _describe(k.measure, k.group, codebook, indicators)
        base = by_cycle.get(k.reference_year)
        base_row = base.measure(k.measure, k.group) if base is not None else None
        baseline = (
            float(base_row["estimate"])
            if base_row is not None and pd.notna(base_row["estimate"])
            else np.nan
        )
        for cycle in sorted(by_cycle):
            r = by_cycle[cycle].measure(k.measure, k.group)
            value = float(r["estimate"]) if r is not None and pd.notna(r["estimate"]) else np.nan
            rows.append(
                {
                    "kpi": k.id,
                    "name": k.name,
                    "dimension": k.dimension,
                    "outcome": k.outcome,
                    "measure": k.measure,
                    "group": k.group,
                    "numerator": numerator,
                    "denominator": denominator,
                    "unit": units[k.measure],
                    "direction": k.direction,
                    "source": k.source,
                    "reference_year": k.reference_year,
                    "frequency": k.frequency,
                    "disclosure": k.disclosure,
                    "cycle": cycle,
                    "value": value,
                    "se": float(r["se"]) if r is not None and pd.notna(r["se"]) else np.nan,
                    "ci_low": float(r["ci_low"])
                    if r is not None and pd.notna(r["ci_low"])
                    else np.nan,
                    "ci_high": float(r["ci_high"])
                    if r is not None and pd.notna(r["ci_high"])
                    else np.nan,
                    "n": int(r["n"]) if r is not None and pd.notna(r["n"]) else None,
                    "suppressed": bool(r["suppressed"]) if r is not None else True,
                    "baseline": baseline,
                    "change_from_baseline": value - baseline,
                }
            )
    return pd.DataFrame(rows, columns=COLUMNS)


def write_kpis(table: pd.DataFrame, out_dir: str | Path, stem: str = "kpis") -> list[Path]:
    """Write the KPI table as CSV (UTF-8 with BOM, for Excel) and XLSX, each atomically; returns the
    paths."""
    out_dir = Path(out_dir)

    def write_csv(path: Path) -> None:
        table.to_csv(
            path, index=False, encoding="utf-8-sig", float_format="%.6g", lineterminator="\n"
        )

    def write_xlsx(path: Path) -> None:
        with pd.ExcelWriter(path, engine="openpyxl") as writer:
            table.to_excel(writer, sheet_name="kpis", index=False)
            sheet = writer.sheets["kpis"]
            for col in sheet.columns:
                width = max(len(str(c.value)) if c.value is not None else 0 for c in col)
                sheet.column_dimensions[col[0].column_letter].width = min(max(10, width + 2), 60)

    return [
        atomic_write(out_dir / f"{stem}.csv", write_csv),
        atomic_write(out_dir / f"{stem}.xlsx", write_xlsx),
    ]
