"""The factors by subgroup: a heatmap per group and respondent variable with the levels that
differ significantly from the rest of their group marked, and the annex's table of it.
"""

from __future__ import annotations

import html

import pandas as pd

from ..context import HTML, Section


class Subgroups(Section):
    """The factors by subgroup: heatmaps, their notes and tables. A report has one as
    ``report.subgroups``; :mod:`cipslib.report.sections` shows each in use."""

    def table(self, group: str, variable: str) -> HTML:
        """A group's factor indices by the levels of a respondent variable (the annex): a row per
        factor, a column per level, each cell the index with its 95% CI and ▲ or ▼ where the level
        differs significantly from the rest of its group (Holm-adjusted), as on the heatmap; the
        last row gives each level's n."""
        from ..charts import HIGHER, LOWER, subgroup_marks

        r = self.r
        s = r.findings.tables["subgroups"]
        if s.empty:
            return HTML("")
        s = s[(s["group"] == group) & (s["variable"] == variable) & (s["kind"] == "factor_index")]
        if s.empty:
            return HTML("")
        marks = subgroup_marks(r.findings, group, variable)
        present = set(s["level"])
        levels = [lev for lev in r.cb.variables[variable].levels if lev in present]
        name = {lev: r.cb.level_label(variable, lev, r.language) for lev in levels}
        factor = r.col("factor")
        rows = self._factor_rows(s, marks, name)
        table = [rows[k] for k in sorted(rows)]
        table.append({factor: r.col("n"), **self._level_counts(s, name)})
        frame = pd.DataFrame(table).reindex(columns=[factor, *name.values()])
        caption = " ".join(
            x
            for x in (
                r.text("annex_subgroups_note", up=HIGHER, down=LOWER) if marks else "",
                r._precision_note(s),
                r._complementary_note(s.get("hidden")),
            )
            if x
        )
        title = f"{r.group_label(group)}: {r.cb.variables[variable].labels[r.language]}"
        return r._table(frame.fillna("–"), caption or None, title=title)

    def _factor_rows(
        self, s: pd.DataFrame, marks: dict, name: dict[str, str]
    ) -> dict[int, dict[str, str]]:
        """A subgroup table's row per factor: each level's index with its 95% CI and mark."""
        r = self.r
        factor = r.col("factor")
        rows: dict[int, dict[str, str]] = {}
        for _, x in s.iterrows():
            k, lev = int(x["factor"]), x["level"]
            row = rows.setdefault(k, {factor: r._factor_label(k)})
            if pd.isna(x["estimate"]):
                row[name[lev]] = r._hidden(x.get("hidden"))
            else:
                mark = f"\u00a0{marks[(k, lev)]}" if (k, lev) in marks else ""
                shown = f"{r._num(x['estimate'])}\u00a0({r._ci(x['ci_low'], x['ci_high'])})"
                row[name[lev]] = r._marked(shown + mark, x)
        return rows

    def _level_counts(self, s: pd.DataFrame, name: dict[str, str]) -> dict[str, str]:
        """A subgroup table's last row: each level's n (the largest of its factors)."""
        counts = {}
        for lev, label in name.items():
            part = s[s["level"] == lev]
            counts[label] = (
                self.r._n(part["n"].max())
                if part["n"].notna().any()
                else self.r._hidden(part["hidden"].iloc[0] if "hidden" in part else None)
            )
        return counts

    def note(self, group: str, variable: str) -> HTML:
        """Under a subgroup heatmap: how many levels differ significantly from the rest of their
        group (marked on the chart), or that none does."""
        from ..charts import HIGHER, LOWER

        tests = self.r.findings.tables["subgroup_tests"]
        if not tests.empty:
            tests = tests[(tests["group"] == group) & (tests["variable"] == variable)]
        count = int(tests["significant"].fillna(False).astype(bool).sum()) if len(tests) else 0
        text = (
            self.r.text("subgroup_marked", count=count, total=len(tests), up=HIGHER, down=LOWER)
            if count
            else self.r.text("subgroup_none")
        )
        return HTML(f'<p class="caption">{html.escape(text)}</p>')

    def page(self, group: str, variable: str) -> list:
        """A group's factors by the levels of a respondent variable: the heatmap and the line of
        significant differences."""
        return [self.heatmap(group, variable), self.note(group, variable)]

    def heatmap(self, group: str, variable: str):
        from ..charts import subgroup_heatmap

        return subgroup_heatmap(
            self.r.findings, self.r.cb, group, variable, self.r.labels, self.r.language
        )
