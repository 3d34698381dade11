"""Experience and behaviour: the experience indicators (bribe requests, reactions, reporting),
the multiple-choice questions, and the staff-security section (the indicators the indicator
file puts in it).
"""

from __future__ import annotations

import pandas as pd

from ..context import HTML, Section


class Experience(Section):
    """The experience indicators, the multiple-choice questions and staff security. A report has
    one as ``report.experience``; :mod:`cipslib.report.sections` shows each in use."""

    def table(self, indicators: list[str] | None = None) -> HTML:
        e = self.r.findings.tables["experience"]
        if indicators is not None and not e.empty:
            e = e[e["indicator"].isin(indicators)]
        if e.empty:
            return HTML("")
        rows = [
            {
                self.r.col("group"): self.r.group_label(r["group"]),
                self.r.col("indicator"): r["text"],
                self.r.col("estimate"): self.r._marked(self.r._pct(r["estimate"]), r),
                self.r.col("ci"): self.r._ci(r["ci_low"], r["ci_high"]),
                self.r.col("n"): self.r._n(r["n"]),
            }
            for _, r in e.iterrows()
        ]
        return self.r._table(
            pd.DataFrame(rows), self.r._precision_note(e) or None, group_by=self.r.col("group")
        )

    def choices(self) -> list[HTML]:
        """The multiple-choice questions: per question and group the % of those who answered
        that selected each option, with its CI and n (nothing when the questionnaire has
        none)."""
        sel = self.r.findings.tables.get("selections")
        if sel is None or sel.empty:
            return []
        out = []
        for qid, rows in sel.groupby("question", sort=False):
            question = self.r.cb.multiples[qid]
            scale = self.r.cb.scales[question.scale]
            table = pd.DataFrame(
                [
                    {
                        self.r.col("group"): self.r.group_label(r["group"]),
                        self.r.col("option"): scale.label(int(r["option"]), self.r.language),
                        self.r.col("selected"): self.r._marked(self.r._pct(r["estimate"]), r),
                        self.r.col("ci"): self.r._ci(r["ci_low"], r["ci_high"]),
                        self.r.col("n"): self.r._n(r["n"]),
                    }
                    for _, r in rows.iterrows()
                ]
            )
            caption = " ".join(
                x
                for x in (
                    f"{question.texts[self.r.language]} {self.r.text('choices_note')}",
                    self.r._precision_note(rows),
                )
                if x
            )
            out.append(self.r._table(table, caption))
        return out

    def security(self) -> HTML:
        """The staff-security section: the indicators the indicator file puts in it (``section:
        security``: organised-crime pressure, the safety to report); empty when the findings have
        none of them (the heading says why)."""
        table = self.table(list(self.r.findings.meta.get("security_indicators", [])))
        if not str(table):
            return HTML("")
        return HTML(f"{self.r.paragraph(self.r.text('security_text'))}{table}")
