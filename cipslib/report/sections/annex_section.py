"""The annex, in the HTML and in the PDF, in the words of tables.xlsx beside the report: every
question, every words-vs-action gap, every subgroup, and what the workbook holds.
"""

from __future__ import annotations

import html

import pandas as pd

from ..annex import AnnexTables
from ..context import HTML, ReportContext, Section, groups_present, subgroup_variables
from .subgroups import Subgroups


class Annex(Section):
    """The annex and the sheets of tables.xlsx. A report has one as ``report.annex``;
    :mod:`cipslib.report.sections` shows each in use."""

    def __init__(self, r: ReportContext):
        super().__init__(r)
        self._sheets: list | None = None

    def items_table(self) -> HTML:
        """Every question, factor by factor (a caption row each), the groups side by side: %
        favourable, its 95% CI, n, and the don't-know and refusal rates (the annex)."""
        it = self.r.findings.tables["items"]
        if it.empty:
            return HTML("")
        groups = [g for g in groups_present(self.r) if g in set(it["group"])]
        fields = ("favourable", "ci", "n", "dont_know", "refusal")
        columns = ["_factor", self.r.col("item")] + [
            f"{self.r.group_label(g)}: {self.r.col(x)}" for g in groups for x in fields
        ]
        rows: dict[str, dict[str, str]] = {}
        for _, r in it.sort_values("factor", kind="stable").iterrows():
            row = rows.setdefault(
                r["item"],
                {
                    "_factor": self.r._factor_label(r["factor"]),
                    self.r.col("item"): self.r._statement(r),
                },
            )
            g = self.r.group_label(r["group"])
            row[f"{g}: {self.r.col('favourable')}"] = self.r._marked(
                self.r._num(r["favourable"]), r
            )
            row[f"{g}: {self.r.col('ci')}"] = self.r._ci(r["ci_low"], r["ci_high"])
            row[f"{g}: {self.r.col('n')}"] = self.r._n(r["n"])
            row[f"{g}: {self.r.col('dont_know')}"] = self.r._num(r["dont_know_rate"], 1)
            row[f"{g}: {self.r.col('refusal')}"] = self.r._num(r["refusal_rate"], 1)
        frame = pd.DataFrame(list(rows.values())).reindex(columns=columns).fillna("–")
        return self.r._table(frame, self.r._notes(it), group_by="_factor")

    def gaps_table(self) -> HTML:
        """Words vs action in every factor, the groups side by side: % saying the mechanism
        exists, % saying it works, the gap with its 95% CI and n (the annex)."""
        g = self.r.findings.tables["gaps"]
        if g.empty:
            return HTML("")
        groups = [x for x in groups_present(self.r) if x in set(g["group"])]
        fields = ("exists", "effective", "gap", "ci", "n")
        columns = [self.r.col("factor")] + [
            f"{self.r.group_label(x)}: {self.r.col(f)}" for x in groups for f in fields
        ]
        rows: dict[int, dict[str, str]] = {}
        for _, r in g.iterrows():
            row = rows.setdefault(
                int(r["factor"]), {self.r.col("factor"): self.r._factor_label(r["factor"])}
            )
            name = self.r.group_label(r["group"])
            row[f"{name}: {self.r.col('exists')}"] = self.r._num(r["exists"])
            row[f"{name}: {self.r.col('effective')}"] = self.r._num(r["effective"])
            row[f"{name}: {self.r.col('gap')}"] = self.r._num(r["gap"], 1)
            row[f"{name}: {self.r.col('ci')}"] = self.r._ci(r["ci_low"], r["ci_high"], 1)
            row[f"{name}: {self.r.col('n')}"] = self.r._n(r["n"])
        frame = pd.DataFrame([rows[k] for k in sorted(rows)]).reindex(columns=columns)
        return self.r._table(frame.fillna("–"), self.r.text("gap_text"))

    def sheets(self) -> list:
        """The sheets of tables.xlsx (:class:`cipslib.report.annex.AnnexTables`), made once."""
        if self._sheets is None:
            self._sheets = AnnexTables(self.r).sheets()
        return self._sheets

    def workbook_table(self) -> HTML:
        """What tables.xlsx holds: a line per sheet (name, rows, contents)."""
        words = self.r.labels["workbook"]
        frame = pd.DataFrame(
            [
                {words["sheet"]: s.name, words["rows"]: self.r._n(s.rows), words["holds"]: s.title}
                for s in self.sheets()
            ]
        )
        return self.r._table(frame)

    def body(self) -> HTML:
        """The annex, in the HTML and in the PDF, in the words of tables.xlsx: every question,
        every words-vs-action gap, every subgroup with its 95% CI and n, and what the workbook
        holds."""
        number = iter(range(1, 100))

        def part(key: str, anchor: str) -> HTML:
            text = self.r.text("annex_table", number=next(number), title=self.r.text(key))
            return HTML(f'<h3 class="annex-part" id="{anchor}">{html.escape(text)}</h3>')

        parts = [self.r.paragraph(self.r.text("annex_intro"))]
        items = self.items_table()
        if str(items):
            parts += [part("annex_items", "annex-items"), items]
        gaps = self.gaps_table()
        if str(gaps):
            parts += [part("annex_gaps", "annex-gaps"), gaps]
        pairs = subgroup_variables(self.r)
        if pairs:
            parts.append(part("annex_subgroups", "annex-subgroups"))
            parts += [Subgroups(self.r).table(group, variable) for group, variable in pairs]
        parts += [part("annex_workbook", "annex-workbook"), self.workbook_table()]
        return HTML("".join(str(p) for p in parts))
