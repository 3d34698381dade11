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
from .blocks import HTML, Report, groups_present, params_path
from .charts import share_bars

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
        return r.title_page(
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
            f"<li>{html.escape(k['text'][r.language])}</li>"
            for k in r.findings.key_findings
            if k["kind"] in ("across_factors", "change", "composition")
        )
        return HTML(f'<ol class="key-findings">{items}</ol>') if items else HTML("")

    def composition_table(self) -> HTML:
        """Who answered in each cycle (officials: share of managers and by tenure), against the
        population."""
        r = self.report
        rows = []
        for cycle, prepared in ((r.previous.cycle, r.previous), (r.current.cycle, r.current)):
            data = prepared.data[prepared.data["group"] == "official"]
            for var in ("role", "tenure"):
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
        """The share of managers among the officials who answered in each cycle, against the
        population."""
        r = self.report
        cycles = []
        shares = []
        for prepared in (r.previous, r.current):
            off = prepared.data[prepared.data["group"] == "official"]
            cycles.append(f"{prepared.cycle} (n\u00a0=\u00a0{r._n(len(off))})")
            shares.append(100 * (off["role"] == "manager").mean())
        pop = r.current.populations.get("official")
        if pop is not None and "role" in pop.margins:
            cycles.append(r.text("population"))
            shares.append(100 * pop.shares("role").get("manager", np.nan))
        chart = r.labels.get("chart") or {}
        return share_bars(
            cycles,
            shares,
            "%",  # the title says of what
            title=chart.get("title_composition", ""),
            caption=chart.get("read_composition", ""),
        )

    def side_by_side(self) -> HTML:
        r = self.report
        tr = r.findings.tables["trends"]
        t = tr[(tr["kind"] == "factor_index") & (tr["comparison"] == "weighted")]
        rows = []
        for _, x in t.sort_values(["group", "factor"]).iterrows():
            rows.append(
                {
                    r.col("group"): r.text(x["group"]),
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
        return self.report.trend_chart(group)

    def trend_table(self, group: str) -> HTML:
        return self.report.trend_table(group)

    def decomposition_table(self, group: str) -> HTML:
        return self.report.decomposition_table(group)

    def method(self) -> HTML:
        r = self.report
        by = r.findings.meta["decompose_by"].get("official", "role")
        return r.paragraph(r.text("trend_text", by=r.cb.variables[by].labels[r.language].lower()))
