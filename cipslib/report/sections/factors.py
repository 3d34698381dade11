"""The ten factors of the Revised Arusha Declaration: the factor chart and table (each group's
index, and how far the groups agree), the words-vs-action gap, and a page per factor (its
heading, lead sentences, likert chart and items table).
"""

from __future__ import annotations

import html

import pandas as pd

from ..context import HTML, Section, factors_present


class Factors(Section):
    """The factors: chart, table, gaps and a page per factor. A report has one as
    ``report.factors``; :mod:`cipslib.report.sections` shows each in use."""

    def table(self) -> HTML:
        """Each group's factor indices side by side; with two groups, their difference, its
        p-value, Hedges' g and whether they are aligned in the same row (more groups: every pair
        in a table of its own, :meth:`pairs_table`)."""
        al = self.r.findings.tables["alignment"]
        one_pair = not al.empty and al[["group_a", "group_b"]].drop_duplicates().shape[0] == 1
        al = al.set_index("factor") if one_pair else pd.DataFrame()
        fac = self.r.findings.tables["factors"]
        if fac.empty:
            return HTML("")
        rows = []
        for k in sorted(fac["factor"].unique()):
            row = {self.r.col("factor"): f"{k}. {self.r.cb.factor_name(int(k), self.r.language)}"}
            for g in self.r.cb.group_names:
                r = fac[(fac["factor"] == k) & (fac["group"] == g)]
                if r.empty:
                    continue
                r = r.iloc[0]
                name = self.r.group_label(g)
                row[f"{name}: {self.r.col('index')}"] = self.r._marked(self.r._num(r["index"]), r)
                row[f"{name}: {self.r.col('ci')}"] = self.r._ci(r["ci_low"], r["ci_high"])
                row[f"{name}: {self.r.col('n')}"] = self.r._n(r["n"])
            if k in al.index:
                row |= self._pair_cells(al.loc[k])
            rows.append(row)
        tables = [
            self.r._table(
                pd.DataFrame(rows),
                " ".join(
                    [self._aligned_note() if one_pair else "", self.r._precision_note(fac)]
                ).strip(),
            )
        ]
        if not one_pair:
            tables.append(self.pairs_table())
        return HTML("".join(str(t) for t in tables))

    def pairs_table(self) -> HTML:
        """Every pair of groups on every factor: the difference, its Holm-adjusted p-value over
        the pairs of the factor, Hedges' g and whether the two are aligned."""
        al = self.r.findings.tables["alignment"]
        if al.empty:
            return HTML("")
        rows = []
        for _, a in al.iterrows():
            pair = self.r.text(
                "pair", a=self.r.group_label(a["group_a"]), b=self.r.group_label(a["group_b"])
            )
            rows.append(
                {
                    self.r.col("factor"): (
                        f"{a['factor']}. {self.r.cb.factor_name(int(a['factor']), self.r.language)}"
                    ),
                    self.r.col("groups"): pair,
                    **self._pair_cells(a),
                }
            )
        return self.r._table(
            pd.DataFrame(rows), self._aligned_note(), group_by=self.r.col("factor")
        )

    def _pair_cells(self, a: pd.Series) -> dict[str, str]:
        p = a["p_holm"]
        return {
            self.r.col("difference"): self.r._num(a["difference"], 1),
            self.r.col("p_value"): self.r.fmt.p(p) if pd.notna(p) else self.r._hidden(),
            self.r.col("hedges_g"): self.r._num(a["hedges_g"], 2),
            self.r.col("aligned"): self.r.text("answer_yes" if a["aligned"] else "answer_no"),
        }

    def _aligned_note(self) -> str:
        points = self.r.fmt.number(self.r.findings.meta["aligned_difference"], 0)
        return self.r.text("aligned_note", points=points)

    def heading(self, factor: int) -> HTML:
        """The heading that opens a factor's page."""
        name = f"{factor}. {self.r.cb.factor_name(factor, self.r.language)}"
        first = " first" if factor == factors_present(self.r)[0] else ""
        return HTML(f'<h3 class="factor-page{first}" id="factor-{factor}">{html.escape(name)}</h3>')

    def lead(self, factor: int) -> HTML:
        """One sentence per group: the factor's index with its CI and n."""
        fac = self.r.findings.tables["factors"]
        parts = []
        for _, r in fac[fac["factor"] == factor].iterrows():
            if r["suppressed"] or pd.isna(r["index"]):
                continue
            parts.append(
                self.r.text(
                    "factor_lead",
                    group=self.r.group_label(r["group"]),
                    index=self.r._marked(self.r._num(r["index"]), r),
                    ci=self.r._ci(r["ci_low"], r["ci_high"]),
                    n=self.r._n(r["n"]),
                )
            )
        gaps = self.r.findings.tables["gaps"]
        if not gaps.empty:
            for _, r in gaps[(gaps["factor"] == factor) & ~gaps["suppressed"]].iterrows():
                parts.append(
                    self.r.text(
                        "factor_gap",
                        group=self.r.group_label(r["group"]),
                        exists=self.r._pct(r["exists"]),
                        effective=self.r._pct(r["effective"]),
                        gap=self.r._num(r["gap"], 1),
                        ci=self.r._ci(r["ci_low"], r["ci_high"], 1),
                        n=self.r._n(r["n"]),
                    )
                )
        return self.r.paragraph(" ".join(parts)) if parts else HTML("")

    def page(self, factor: int) -> list:
        """A factor's page: its heading, lead sentences, the likert chart of both groups and the
        items table."""
        return [
            self.heading(factor),
            self.lead(factor),
            self.likert(factor),
            self.items_table(factor),
        ]

    def items_table(self, factor: int, group: str | None = None) -> HTML:
        """A factor's items: per group the share of favourable answers with its CI (one group, or
        every group side by side; the chart beside it gives each n). Don't-know and refusal rates
        and the n are in the annex."""
        it = self.r.findings.tables["items"]
        it = it[it["factor"] == factor]
        if group is not None:
            it = it[it["group"] == group]
        rows: dict[str, dict[str, str]] = {}
        for _, r in it.iterrows():
            row = rows.setdefault(r["item"], {self.r.col("item"): self.r._statement(r)})
            g = self.r.group_label(r["group"])
            shown = self.r._pct(r["favourable"])
            if pd.notna(r["favourable"]):
                shown = f"{shown} ({self.r._ci(r['ci_low'], r['ci_high'])})"
            row[f"{g}: {self.r.col('favourable')} ({self.r.col('ci')})"] = self.r._marked(shown, r)
        frame = pd.DataFrame(list(rows.values())).fillna("–")
        return self.r._table(frame, self.r._notes(it))

    def gap_table(self, factor: int | None = None) -> HTML:
        g = self.r.findings.tables["gaps"]
        if g.empty:
            return HTML("")
        if factor is not None:
            g = g[g["factor"] == factor]
        rows = [
            {
                self.r.col("factor"): self.r.cb.factor_name(int(r["factor"]), self.r.language),
                self.r.col("group"): self.r.group_label(r["group"]),
                self.r.col("exists"): self.r._pct(r["exists"]),
                self.r.col("effective"): self.r._pct(r["effective"]),
                self.r.col("gap"): self.r._num(r["gap"], 1),
                self.r.col("ci"): self.r._ci(r["ci_low"], r["ci_high"], 1),
                self.r.col("n"): self.r._n(r["n"]),
            }
            for _, r in g.iterrows()
        ]
        return self.r._table(pd.DataFrame(rows), self.r.text("gap_text")) if rows else HTML("")

    def likert(self, factor: int, group: str | None = None):
        """A factor's statements: every group in one chart (a panel each), or one ``group``."""
        from ..charts import likert_bars, likert_pair

        if group is None:
            return likert_pair(self.r.findings, self.r.cb, factor, self.r.labels, self.r.language)
        return likert_bars(
            self.r.findings, self.r.cb, factor, group, self.r.labels, self.r.language
        )

    def chart(self):
        from ..charts import factor_dots

        return factor_dots(self.r.findings, self.r.cb, self.r.labels, self.r.language)

    def gap_chart(self):
        from ..charts import gap_chart

        return gap_chart(self.r.findings, self.r.cb, self.r.labels, self.r.language)
