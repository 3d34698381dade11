"""The change since the previous cycle: the series over every cycle (three or more), each factor
in both cycles with its change (raw, weighted, standardised) and the raw change decomposed into
composition and change within groups.
"""

from __future__ import annotations

import html

import pandas as pd

from ..context import HTML, SIGNIFICANT_MARK, Section


class Trends(Section):
    """The change since the previous cycle, the series and the decomposition. A report has one
    as ``report.trends``; :mod:`cipslib.report.sections` shows each in use."""

    def series_table(self, group: str) -> HTML:
        """Each factor's index in every cycle of the chain, weighted to the latest population
        (standardised) and unweighted (raw); empty with fewer than three cycles."""
        s = self.r.findings.tables.get("series")
        if s is None or s.empty or group not in set(s["group"]):
            return HTML("")
        s = s[s["group"] == group]
        rows = []
        for k, part in s.groupby("factor"):
            row = {self.r.col("factor"): self.r.cb.factor_name(int(k), self.r.language)}
            for cycle, by_cycle in part.groupby("cycle"):
                values = by_cycle.set_index("comparison")
                for comparison in ("standardised", "raw"):
                    name = self.r.text(f"comparison_{comparison}")
                    row[f"{cycle}: {name}"] = self.r._num(values.loc[comparison, "estimate"])
            rows.append(row)
        title = self.r.subheading(self.r.text("series_title", group=self.r.group_label(group)))
        table = self.r._table(
            pd.DataFrame(rows), self.r.text("series_note", cycle=self.r.findings.cycle)
        )
        return HTML(f"{title}{table}")

    def page(self, group: str) -> list:
        """A group's change: the series over every cycle (with three or more), the change since the
        previous cycle, and its decomposition into composition and change within groups."""
        return [
            self.series_chart(group),
            self.series_table(group),
            self.chart(group),
            self.table(group),
            self.decomposition_table(group),
        ]

    def _significant_note(self) -> str:
        alpha = self.r.findings.meta.get("significance", 0.05)
        return self.r.text(
            "significant_note", mark=SIGNIFICANT_MARK, alpha=self.r.fmt.number(alpha, 2)
        )

    def _change(self, row, decimals: int = 1) -> str:
        """A change with its CI, the significance mark when significant and the low-precision mark
        when its row carries the flag."""
        if pd.isna(row.get("change", row.get("estimate"))):
            return self.r._hidden()
        value = row["change"] if "change" in row else row["estimate"]
        text = (
            f"{self.r.fmt.number(value, decimals, signed=True)} "
            f"({self.r._ci(row['ci_low'], row['ci_high'], decimals)})"
        )
        if bool(row.get("significant", False)):
            text = f"{text} {SIGNIFICANT_MARK}"
        return self.r._marked(text, row)

    def comparisons(self) -> tuple[str, ...]:
        """The comparisons the trend tables show: raw, weighted and standardised, or raw and
        weighted when both cycles were weighted to the same population figures (then the
        standardised change is the weighted one)."""
        if self.r.findings.meta.get("trend_same_population", False):
            return ("raw", "weighted")
        return ("raw", "weighted", "standardised")

    def table(self, group: str) -> HTML:
        """A group's factor indices in the previous and this cycle (each with its n) and their
        change with its 95% CI and significance, one row per comparison; captioned with the group
        and, when the weighted and standardised changes are one, saying why only one is shown."""
        r = self.r
        tr = r.findings.tables.get("trends")
        if tr is None or tr.empty:
            return r.paragraph(r.text("no_previous"))
        t = tr[(tr["group"] == group) & (tr["kind"] == "factor_index")]
        if t.empty:
            return HTML("")
        same = bool(r.findings.meta.get("trend_same_population", False))
        comparisons = self.comparisons()
        prev, cur = r.findings.previous_cycle, r.findings.cycle
        columns = [
            r.col("factor"),
            r.col("comparison"),
            str(prev),
            r.col("n"),
            str(cur),
            r.col("n"),
            f"{r.col('change')} ({r.col('ci')})",
        ]
        factors = [self._factor_rows(k, part, same) for k, part in t.groupby("factor")]
        kw = {"group": r.group_label(group), "previous": prev, "current": cur}
        caption = [
            r.text("trend_caption", **kw),
            r.text("trend_same_population" if same else "trend_comparisons", **kw),
            self._significant_note(),
            r._precision_note(t[t["comparison"].isin(comparisons)]),
        ]
        return self._grouped_table(columns, factors, " ".join(c for c in caption if c), "trend")

    def _factor_rows(self, factor, part: pd.DataFrame, same: bool) -> list[list[str]]:
        """A factor's rows of the change table, one per comparison shown: the factor's name and
        the n on the first only; with the same population figures in both cycles, the weighted
        row says it is the standardised one too."""
        r = self.r
        by = part.set_index("comparison")
        shown = [c for c in self.comparisons() if c in by.index]
        rows = []
        for i, comparison in enumerate(shown):
            x = by.loc[comparison]
            label = "comparison_weighted_same" if same and comparison == "weighted" else ""
            rows.append(
                [
                    r.cb.factor_name(int(factor), r.language) if i == 0 else "",
                    r.text(label or f"comparison_{comparison}"),
                    r._num(x["estimate_prev"], 1),
                    r._n(x["n_prev"]) if i == 0 else "",
                    r._num(x["estimate"], 1),
                    r._n(x["n"]) if i == 0 else "",
                    self._change(x),
                ]
            )
        return rows

    def _grouped_table(
        self, columns: list[str], groups: list[list[list[str]]], caption: str, cls: str
    ) -> HTML:
        """A table whose rows come in groups (a factor's comparisons), each group a ``<tbody>``
        that a page break does not split, the caption kept with the last rows."""
        esc = html.escape
        head = "".join(f"<th>{esc(c)}</th>" for c in columns)
        bodies = "".join(
            "<tbody>"
            + "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in rows)
            + "</tbody>"
            for rows in groups
        )
        table = (
            f'<table border="0" class="dataframe cips {cls}"><thead><tr>{head}</tr></thead>'
            f"{bodies}</table>"
        )
        return HTML(
            f'<div class="table-with-caption"><div class="table-scroll">{table}</div>'
            f'<p class="caption">{esc(caption)}</p></div>'
        )

    def decomposition_table(self, group: str) -> HTML:
        """A group's raw change split into composition and within-group change, each with its 95%
        CI and significance; the caption names the group and, where the within-group change is
        significant but the standardised change is not, says why the two differ."""
        d = self.r.findings.tables.get("decomposition")
        if d is None or d.empty:
            return HTML("")
        d = d[(d["group"] == group) & (d["kind"] == "factor_index")]
        if d.empty:
            return HTML("")
        rows = []
        for k, part in d.groupby("factor"):
            row = {self.r.col("factor"): self.r.cb.factor_name(int(k), self.r.language)}
            for _, r in part.iterrows():
                row[self.r.text(f"part_{r['part']}")] = self._change(r)
            rows.append(row)
        by = self.r._by_label(d["by"].iloc[0])
        caption = [
            self.r.text("decomposition_caption", group=self.r.group_label(group), by=by),
            self._significant_note(),
            self.within_not_standardised(group),
        ]
        table = self.r._table(
            pd.DataFrame(rows), " ".join(c for c in caption if c), cls="cips decomposition"
        )
        return HTML(f'<div class="table-with-caption">{table}</div>')

    def within_not_standardised(self, group: str) -> str:
        """Why the change within groups of the decomposition can be significant where the
        standardised change is not ("" when no factor of the group is so): the within-group part
        is unweighted and holds only the decomposition variable constant, at the respondents'
        average mix of the two cycles; the standardised change weights both cycles to the same
        population figures, on every weighting variable, with fewer effective respondents."""
        r = self.r
        found = self._within_not_standardised(group)
        if found is None:
            return ""
        odd, var = found
        weakest = odd.loc[odd["effective_sample_size_prev"].idxmin()]
        wider = bool(
            (
                (odd["ci_high"] - odd["ci_low"]) > (odd["ci_high_within"] - odd["ci_low_within"])
            ).all()
        )
        kw = {
            "n_eff_prev": r.fmt.count(weakest["effective_sample_size_prev"]),
            "n_prev": r._n(weakest["n_prev"]),
            "n_eff": r.fmt.count(weakest["effective_sample_size"]),
            "n": r._n(weakest["n"]),
            "previous": r.findings.previous_cycle,
            "current": r.findings.cycle,
        }
        names = [r.cb.factor_name(int(k), r.language) for k in odd["factor"]]
        mix = self._decomposition_mix(group, var)
        sample = population = ""
        if mix is not None:
            sample = f" ({mix[0]})"
            population = " (" + r.text("decomposition_mix", shares=mix[1], **kw) + ")"
        return r.text(
            "decomposition_within_note",
            factors=r._listing(names),
            by=r._by_label(var),
            sample=sample,
            population=population,
            why=r.text("decomposition_wider" if wider else "decomposition_not_wider", **kw),
        )

    def _within_not_standardised(self, group: str) -> tuple[pd.DataFrame, str] | None:
        """The group's factors whose change within groups is significant and whose standardised
        change is not (their decomposition and trend rows side by side, in factor order) and the
        decomposition variable; None when there is none."""
        d = self.r.findings.tables.get("decomposition")
        tr = self.r.findings.tables.get("trends")
        if d is None or d.empty or tr is None or tr.empty:
            return None
        within = d[(d["group"] == group) & (d["kind"] == "factor_index") & (d["part"] == "within")]
        comparison = self.comparisons()[-1]
        std = tr[
            (tr["group"] == group)
            & (tr["kind"] == "factor_index")
            & (tr["comparison"] == comparison)
        ]
        both = within.merge(std, on="factor", suffixes=("_within", ""))
        odd = both[both["significant_within"] & ~both["significant"]]
        if odd.empty:
            return None
        return odd.sort_values("factor"), str(within["by"].iloc[0])

    def _decomposition_mix(self, group: str, var: str) -> tuple[str, str] | None:
        """The levels of the decomposition variable at their average share among the two cycles'
        respondents of the group (the within-group part's weights) and at their weighted share in
        this cycle (as the standardised change counts them), e.g. ("manager 54%, non-manager 46%",
        "manager 21%, non-manager 79%"); None without a previous cycle, or when a level has 1 to
        min_cell - 1 respondents in either cycle (its share would give its count away)."""
        if self.r.previous is None or var not in self.r.cb.variables:
            return None
        shares = []
        for prepared in (self.r.previous, self.r.current):
            data = prepared.data
            if var not in data.columns:
                return None
            in_group = (data["group"] == group).to_numpy()
            cells = data.loc[in_group, var].astype(object)
            counts = cells.value_counts()
            if ((counts > 0) & (counts < self.r.params.min_cell)).any() or cells.isna().any():
                return None
            shares.append(counts / counts.sum())
        weights = pd.Series(self.r.current.design.weights.to_numpy()[in_group], index=cells.index)
        weighted = weights.groupby(cells).sum()
        sample = (shares[0].add(shares[1], fill_value=0)) / 2
        population = weighted / weighted.sum()
        levels = [lv for lv in self.r.cb.variables[var].levels if lv in sample.index]

        def listed(values: pd.Series) -> str:
            return ", ".join(
                f"{self.r.cb.level_label(var, lv, self.r.language).lower()} "
                f"{self.r.fmt.value(100 * values.get(lv, 0.0), '%')}"
                for lv in levels
            )

        return listed(sample), listed(population)

    def chart(self, group: str):
        from ..charts import trend_dumbbell

        return trend_dumbbell(self.r.findings, self.r.cb, group, self.r.labels, self.r.language)

    def series_chart(self, group: str):
        """The factor indices over every cycle (three or more); None without a series."""
        from ..charts import series_lines

        return series_lines(self.r.findings, self.r.cb, group, self.r.labels, self.r.language)
