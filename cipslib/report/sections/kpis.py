"""The integrity KPIs of the WCO Performance Measurement Mechanism (the params' ``kpis``): the
table the report shows and ``save`` writes (kpis.csv, kpis.xlsx).
"""

from __future__ import annotations

import pandas as pd

from ...analysis.findings import Findings
from ...analysis.scoring import load_indicators
from ..context import HTML, ReportContext, Section


class Kpis(Section):
    """The PMM KPIs. A report has one as ``report.kpis``; :mod:`cipslib.report.sections` shows
    each in use."""

    def __init__(self, r: ReportContext):
        super().__init__(r)
        self._frame: pd.DataFrame | None = None
        self._kpis: dict = {}

    def frame(self) -> pd.DataFrame:
        """The PMM KPI table of this cycle (computed once; the report shows it and ``save`` writes
        it)."""
        if self._frame is None:
            self._frame = self._compute()
        return self._frame

    def _compute(self) -> pd.DataFrame:
        from ...analysis.kpi import kpi_table, load_kpis

        if self.r.definitions is not None:
            indicators, kpis = self.r.definitions.indicators, self.r.definitions.kpis
        else:  # a Report made by hand
            path = self.r.params.kpis
            if path is None or not path.exists():
                return pd.DataFrame()
            indicators = load_indicators(self.r.cb)
            kpis = load_kpis(path, self.r.cb, indicators, [])
        if not kpis:
            return pd.DataFrame()
        self._kpis = dict(kpis)
        cycles = [
            Findings(cycle, None, {}, {"estimates": est})
            for cycle, est in self.r.findings.history.items()
        ]
        table = kpi_table([*cycles, self.r.findings], kpis, self.r.cb, indicators)
        if not table.empty:  # kpis.csv and kpis.xlsx name the KPIs in the report's language
            table["name"] = [kpis[k].name_in(self.r.language) for k in table["kpi"]]
        return table

    def table(self) -> HTML:
        k = self.frame()
        if k.empty:
            return HTML("")
        rows = []
        for kpi, part in k.groupby("kpi", sort=False):
            first = part.iloc[0]
            known = self._kpis.get(kpi)
            name = known.name_in(self.r.language) if known is not None else first["name"]
            row = {self.r.col("kpi"): kpi, self.r.col("name"): name}
            for _, r in part.sort_values("cycle").iterrows():
                value = self.r._num(r["value"], 1)
                if pd.notna(r["value"]):
                    value = f"{value} ({self.r._ci(r['ci_low'], r['ci_high'], 1)})"
                row[f"{r['cycle']}: {self.r.col('value')} ({self.r.col('ci')})"] = value
            row[f"{self.r.col('n')} ({self.r.findings.cycle})"] = self.r._n(part.iloc[-1]["n"])
            rows.append(row)
        return self.r._table(pd.DataFrame(rows).fillna("–"), self.r.text("kpi_note"))
