"""The cycle comparison notebook's building blocks: two cycles side by side, composition
explained."""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import CipsDataError, Problem
from ..inputs.params import load_params
from .blocks import Report, params_path
from .charts import share_bars
from .context import HTML, groups_present

SECTIONS = ("summary", "composition", "side_by_side", "trend", "method")
"""The comparison report's numbered sections, in order."""


@dataclass
class Comparison:
    """A cycle and its previous cycle, through the later cycle's :class:`~cipslib.report.Report`.

    Examples
    --------
    >>> comparison = Comparison.build("2025.yaml", "params")
    >>> comparison.groups()
    ['official', 'private']
    """

    report: Report

    @classmethod
    def build(
        cls,
        params_file: str | Path,
        params_dir: str | Path | None = None,
        language: str | None = None,
    ) -> Comparison:
        path = params_path(params_file, params_dir)
        params = load_params(path)
        if params.previous is None:
            raise CipsDataError(
                [
                    Problem(
                        str(path),
                        "the params file names no previous cycle to compare with",
                        expected="previous: <params file of the earlier cycle>",
                    )
                ]
            )
        return cls(Report.build(params, language))

    def groups(self) -> list[str]:
        return groups_present(self.report)

    def title_page(self) -> HTML:
        r = self.report
        prev = r.previous.cycle if r.previous is not None else "?"
        return r.front.title_page(
            kicker=r.text("comparison_title"),
            title=f"CIPS {prev} – {r.params.cycle}",
            sections=SECTIONS,
        )

    def heading(self, key: str) -> HTML:
        return self.report.heading(key, SECTIONS)

    def summary(self) -> HTML:
        """The changes among the key findings (net of composition, and where the raw change is
        who answered), ranked."""
        r = self.report
        items = "".join(
            f"<li>{html.escape(k['text'])}</li>"
            for k in r.findings.key_findings
            if k["kind"] in ("across_factors", "change", "composition")
        )
        return HTML(f'<ol class="key-findings">{items}</ol>') if items else HTML("")

    def _composed(self) -> tuple[str, str] | None:
        """The group whose composition the comparison shows (the staff, else the first group)
        and the variable its trend is decomposed by."""
        r = self.report
        group = r.cb.staff_group or next(iter(r.cb.group_names), None)
        by = r.findings.meta["decompose_by"].get(group) if group else None
        return (group, by) if by in r.cb.variables else None

    def composition_table(self) -> HTML:
        """Who answered in each cycle (the staff, by the variable its trend is decomposed by),
        against the population."""
        r = self.report
        composed = self._composed()
        if composed is None:
            return HTML("")
        group, var = composed
        rows = []
        for cycle, prepared in ((r.previous.cycle, r.previous), (r.current.cycle, r.current)):
            data = prepared.data[prepared.data["group"] == group]
            if var not in data.columns:
                continue
            counts = data[var].value_counts()
            total = counts.sum()
            for lev, n in counts.items():
                rows.append(
                    {
                        r.col("cycle"): cycle,
                        r.col("variable"): r.cb.variables[var].labels[r.language],
                        r.col("level"): r.cb.level_label(var, lev, r.language),
                        r.col("n"): r._n(n if n >= r.params.min_cell else np.nan),
                        r.col("sample"): r._num(
                            100 * n / total if n >= r.params.min_cell else np.nan, 1
                        ),
                    }
                )
        return r._table(pd.DataFrame(rows))

    def composition_chart(self):
        """The share of the first level of the staff's decomposition variable (managers) among
        its respondents in each cycle, against the population."""
        r = self.report
        composed = self._composed()
        if composed is None:
            return None
        group, var = composed
        level = next(iter(r.cb.variables[var].levels), None)
        cycles, shares = [], []
        for prepared in (r.previous, r.current):
            members = prepared.data[prepared.data["group"] == group]
            cycles.append(f"{prepared.cycle} (n\u00a0=\u00a0{r._n(len(members))})")
            shares.append(100 * (members[var] == level).mean() if var in members else np.nan)
        pop = r.current.populations.get(group)
        if pop is not None and var in pop.margins:
            cycles.append(r.text("population"))
            shares.append(100 * pop.shares(var).get(level, np.nan))
        chart = r.labels.get("chart") or {}
        title = chart.get("title_composition", "").format(
            group=r.group_label(group),
            level=r.cb.level_label(var, level, r.language) if level else "",
        )
        return share_bars(
            cycles,
            shares,
            "%",  # the title says of what
            title=title,
            caption=chart.get("read_composition", ""),
        )

    def side_by_side(self) -> HTML:
        r = self.report
        tr = r.findings.tables["trends"]
        t = tr[(tr["kind"] == "factor_index") & (tr["comparison"] == "weighted")]
        rows = []
        order = {g: i for i, g in enumerate(r.cb.group_names)}
        t = t.assign(_order=t["group"].map(order)).sort_values(["_order", "factor"])
        for _, x in t.iterrows():
            rows.append(
                {
                    r.col("group"): r.group_label(x["group"]),
                    r.col("factor"): r.cb.factor_name(int(x["factor"]), r.language),
                    f"{r.col('index')} {r.previous.cycle}": r._num(x["estimate_prev"]),
                    f"{r.col('index')} {r.current.cycle}": r._num(x["estimate"]),
                    r.col("change"): r.fmt.number(x["change"], 1, signed=True),
                    r.col("ci"): r._ci(x["ci_low"], x["ci_high"], 1),
                    r.col("p_value"): r.fmt.p(x["p_value"]),
                }
            )
        return r._table(pd.DataFrame(rows))

    def trend_chart(self, group: str):
        return self.report.trends.chart(group)

    def trend_table(self, group: str) -> HTML:
        return self.report.trends.table(group)

    def decomposition_table(self, group: str) -> HTML:
        return self.report.trends.decomposition_table(group)

    def method(self) -> HTML:
        r = self.report
        composed = self._composed()
        by = r.cb.variables[composed[1]].labels[r.language].lower() if composed else "–"
        return r.paragraph(r.text("trend_text", by=by))
