"""The report the notebooks show: :class:`Report`, the findings of one cycle in one language with
the report's sections on it.

The notebooks stay thin: a cell is one call on a section of a :class:`Report`, e.g.
``report.factors.table()`` or ``report.factors.likert(3, "official")``. Each section is a room of
its own in :mod:`cipslib.report.sections` (``front``, ``method``, ``factors``, ``drivers``,
``experience``, ``subgroups``, ``trends``, ``kpis``, ``annex``); what they share (the findings,
the language, the words and number formats, tables and headings) is the report itself, a
:class:`~cipslib.report.context.ReportContext`. All text comes from the language catalogue
(``cipslib/text/catalogues/<lang>.yaml``) and every number from the
:class:`~cipslib.findings.Findings`, rounded only when written. Tables pass through the
findings' disclosure control: a hidden cell reads "<10".
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from ..analysis.pipeline import analyse
from ..analysis.units import OTHER_UNITS
from ..files import atomic_write
from ..inputs.params import CycleParams, load_params
from .annex import write_tables_xlsx
from .context import ReportContext
from .dashboard import unit_response_figures
from .sections import (
    Annex,
    Compare,
    Drivers,
    Experience,
    Factors,
    Front,
    Kpis,
    Method,
    Subgroups,
    Trends,
)


@dataclass
class Report(ReportContext):
    """The findings of one cycle with the language it is reported in, and its sections: a
    notebook cell shows what a section's method returns.

    Examples
    --------
    >>> report = Report.build("params/2024.yaml", "uk")
    >>> str(report.heading("factors"))[:40]
    '<h2 id="factors">3. Десять чинників коро'
    >>> fig = report.factors.chart()          # a matplotlib figure; show(fig) displays it as PNG
    >>> len(fig.axes)
    1
    """

    @classmethod
    def build(
        cls,
        params: CycleParams | str | Path,
        language: str | None = None,
        units_by: str | None = None,
    ) -> Report:
        """The report of a cycle, on its findings (:func:`cipslib.analysis.pipeline.analyse`, the
        one path of every command): with unit reports (``units_by``, or the params' ``units:
        by:``) the unit figures are computed too, and the national subgroup tables hide every
        cell the unit reports withhold."""
        p = params if isinstance(params, CycleParams) else load_params(params)
        if language and language != p.language:  # checked like the params' own language
            p = dataclasses.replace(p, language=language)
        fnd = analyse(p, units_by)
        inputs = fnd.inputs
        return cls(
            p, inputs.current, inputs.previous, fnd, p.language, fnd.units, inputs.definitions
        )

    def save(self, output_dir: str | Path | None) -> list[Path]:
        """Write findings.json, the full tables (tables.xlsx) and the KPI tables into
        ``output_dir`` (the render's temporary folder)."""
        if not output_dir:
            return []
        from ..analysis.kpi import write_kpis

        out = Path(output_dir)
        out.mkdir(parents=True, exist_ok=True)
        paths = [self.findings.to_json(out / "findings.json")]
        paths.append(write_tables_xlsx(self, out / "tables.xlsx", self.annex.sheets()))
        k = self.kpis.frame()
        if not k.empty:
            paths += write_kpis(k, out)
        if self.units is not None:
            paths.append(self.save_units(out / "units.json"))
        return paths

    def unit_name(self, unit: str) -> str:
        """A unit's name in the report's language ("Other units" for the pool)."""
        if unit == OTHER_UNITS:
            return self.text("unit_other")
        return str(self.cb.level_label(self.units.by, unit, self.language))

    def units_document(self) -> dict[str, Any]:
        """Which units get a report (with the groups each shows, its respondents per group and,
        where the findings have it, its response rate) and which do not, by name only: no counts
        for a withheld unit, so its size stays hidden. The renderer reads it to run the unit
        reports, in the report's language and in each other language of the codebook, and to
        write the index page."""
        plan = self.units.plan
        name = self.unit_name
        others = [lang for lang in self.languages if lang != self.language]
        in_other = {lang: dataclasses.replace(self, language=lang) for lang in others}
        data = self.current.data
        cells = plan.assign(data[self.units.by], data["group"])
        groups = data["group"].astype(object).to_numpy()
        response = unit_response_figures(self.units)
        return {
            "cycle": self.params.cycle,
            "by": self.units.by,
            "title": self.title,
            "language": self.language,
            "languages": others,
            "titles": {lang: r.title for lang, r in in_other.items()},
            "min_cell": self.params.min_cell,
            "groups": {g: self.cb.group_label(g, self.language) for g in self.cb.group_names},
            "units": [
                {
                    "unit": u,
                    "name": name(u),
                    "names": {lang: r.unit_name(u) for lang, r in in_other.items()},
                    "groups": list(gs),
                    "respondents": {g: int(((cells == u) & (groups == g)).sum()) for g in gs},
                    "response_rate": {
                        g: response.get(u, {}).get("response_rate", {}).get(g) for g in gs
                    },
                }
                for u, gs in plan.reports.items()
            ],
            "withheld": [
                {"unit": u, "name": name(u), "group": g}
                for g, u in zip(plan.withheld["group"], plan.withheld["unit"], strict=True)
            ],
        }

    def save_units(self, path: Path) -> Path:
        import json

        text = json.dumps(self.units_document(), ensure_ascii=False, indent=1, default=str)
        return atomic_write(path, lambda p: p.write_text(text + "\n", encoding="utf-8"))

    # -- the sections, each made once (:mod:`cipslib.report.sections`)
    # ------------------------------------------------------------------------------------
    @cached_property
    def front(self) -> Front:
        """The title page, the dashboard and the executive summary."""
        return Front(self)

    @cached_property
    def method(self) -> Method:
        """Who answered (about) and how the figures are made (method), with their tables."""
        return Method(self)

    @cached_property
    def factors(self) -> Factors:
        """The factor chart and table, the words-vs-action gap and a page per factor."""
        return Factors(self)

    @cached_property
    def compare(self) -> Compare:
        """How the factor indices compare with a benchmark's peers (params ``benchmark:``)."""
        return Compare(self)

    @cached_property
    def drivers(self) -> Drivers:
        """The key drivers of the overall integrity rating."""
        return Drivers(self)

    @cached_property
    def experience(self) -> Experience:
        """The experience indicators, the multiple-choice questions and staff security."""
        return Experience(self)

    @cached_property
    def subgroups(self) -> Subgroups:
        """The factors by the levels of each respondent variable."""
        return Subgroups(self)

    @cached_property
    def trends(self) -> Trends:
        """The change since the previous cycle, the series and the decomposition."""
        return Trends(self)

    @cached_property
    def kpis(self) -> Kpis:
        """The PMM KPIs (computed once)."""
        return Kpis(self)

    @cached_property
    def annex(self) -> Annex:
        """The annex and the sheets of tables.xlsx (made once)."""
        return Annex(self)


def params_path(params_file: str | Path, params_dir: str | Path | None = None) -> Path:
    """Where a notebook's ``params_file`` is: as given when absolute, else in ``params_dir``, or in
    ``./params`` or ``../params`` (papermill runs the kernel in the folder it was started from).

    Examples
    --------
    >>> params_path("2025.yaml", "params").name
    '2025.yaml'
    """
    path = Path(params_file)
    if path.is_absolute():
        return path
    if params_dir:
        return Path(params_dir) / path
    for folder in (Path.cwd() / "params", Path.cwd().parent / "params"):
        if (folder / path).exists():
            return folder / path
    return Path.cwd() / path


__all__ = ["Report", "params_path"]
