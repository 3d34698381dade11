"""Who answered and how the figures are made: the about section (respondents, sample against
population), the method section (the quality and methodology note, weighting, scores,
suppression, precision, ranking, what the report leaves out) and its tables (weighting,
quality screens, reliability).
"""

from __future__ import annotations

import html

import pandas as pd

from ...analysis.disclosure import COMPLEMENTARY_MARK
from ...analysis.keyfindings import rule_fields
from ...analysis.omissions import combined, omission_text
from ..context import HTML, LOW_PRECISION_MARK, SECTIONS, Section, groups_present
from ..dashboard import response_method


class Method(Section):
    """Who answered and how the figures are made. A report has one as ``report.method``;
    :mod:`cipslib.report.sections` shows each in use."""

    def omitted_list(self) -> HTML:
        """The method section's list of what the report leaves out and why, section by section
        (empty when it leaves out nothing)."""
        if not self.r.omitted:
            return HTML("")
        order = {k: i for i, k in enumerate(SECTIONS)}
        entries = sorted(
            combined(self.r.omitted),
            key=lambda o: (order.get(o["section"], len(order)), not o.get("whole", False)),
        )
        items = "".join(
            f"<li>{html.escape(self.r.section_title(o['section']))}: "
            f"{html.escape(omission_text(o, self.r.language, self.r.cb))}</li>"
            for o in entries
        )
        return HTML(
            f"{self.r.subheading(self.r.text('omitted_title'), 'omitted')}"
            f"{self.r.paragraph(self.r.text('omitted_lead'))}"
            f'<ul class="omitted">{items}</ul>'
        )

    def about(self) -> HTML:
        """Who answered: respondents read, analysed and excluded."""
        r = self.r
        read, excluded = self._read_and_excluded()
        return r.paragraph(
            f"{r.text('respondents')}: {r._n(r.findings.meta['respondents_analysed'])} "
            f"({r.text('read')} {read}; {excluded} {r.text('excluded')}). "
            f"{self._about_weighting()}"
        )

    def _read_and_excluded(self) -> tuple[str, str]:
        """The respondents read and excluded as the quality table shows them (hidden where a
        small count could otherwise be worked out, e.g. the excluded as read minus analysed)."""
        q = self.r.findings.tables["quality"].set_index("screen")
        read, excluded = (
            self.r._n(q.loc[row, "all"], q.loc[row].get("hidden_all"))
            for row in ("respondents", "excluded")
        )
        return read, excluded

    def _weighted_groups(self) -> tuple[list[str], list[str]]:
        """The groups present weighted to population figures, and those left unweighted (no
        population figures in the params)."""
        groups = groups_present(self.r)
        weighted = [g for g in groups if g in self.r.current.populations]
        return weighted, [g for g in groups if g not in weighted]

    def _about_weighting(self) -> str:
        weighted, unweighted = self._weighted_groups()
        names = lambda gs: self.r._listing([self.r.group_label(g) for g in gs])  # noqa: E731
        if not unweighted:
            return self.r.text("about_text")
        if not weighted:
            return self.r.text("about_text_unweighted", groups=names(unweighted))
        return self.r.text(
            "about_text_partly", weighted=names(weighted), unweighted=names(unweighted)
        )

    def _weighting_paragraphs(self) -> list[HTML]:
        """How each group is weighted: raked to its population figures, or unweighted when the
        params give it none."""
        weighted, unweighted = self._weighted_groups()
        parts = [self.r.paragraph(self.r.text("weighting_text"))] if weighted else []
        if unweighted:
            names = self.r._listing([self.r.group_label(g) for g in unweighted])
            parts.append(self.r.paragraph(self.r.text("weighting_text_unweighted", groups=names)))
        return parts

    def quality_note(self) -> HTML:
        """The quality and methodology note: coverage, questionnaire, fieldwork, weighting,
        anonymity, precision marks, what "–" means, the publication date and the contact (the
        last two from the params' ``publication``), one line each."""
        r, m = self.r, self.r.findings.meta
        rows = {
            "coverage": self._coverage_line(),
            "questionnaire": self._questionnaire_line(),
            "fieldwork": self._fieldwork_line(),
            "weighting": self._weighting_line(),
            "suppression": r.text(
                "quality_suppression",
                hidden=r._hidden(),
                min_cell=r.params.min_cell,
                mark=COMPLEMENTARY_MARK,
            ),
            "precision": r.text(
                "quality_precision",
                mark=LOW_PRECISION_MARK,
                min_n=r.fmt.number(m["min_n_effective"], 0),
                points=r.fmt.number(m["max_half_width"], 0),
            ),
            "dash": r.text("quality_dash"),
        }
        if r.publication_date():
            rows["publication"] = r.publication_date()
        if r.contact():
            rows["contact"] = r.contact()
        names = r.labels["quality_note_rows"]
        body = "".join(
            f'<tr><th scope="row">{html.escape(names[k])}</th><td>{html.escape(v)}</td></tr>'
            for k, v in rows.items()
        )
        return HTML(
            f'<section class="quality-note"><h3 id="quality-note">'
            f"{html.escape(r.text('quality_note'))}</h3>"
            f'<table class="quality-note"><tbody>{body}</tbody></table></section>'
        )

    def _coverage_line(self) -> str:
        """The quality note's coverage: each group's population, the respondents analysed, read
        and excluded."""
        r, m = self.r, self.r.findings.meta
        populations = m.get("populations") or {}
        coverage = []
        for g in groups_present(r):
            pop = populations.get(g)
            if pop and pop.get("total"):
                coverage.append(
                    r.text(
                        "quality_population",
                        group=r.group_label(g),
                        total=r._n(pop["total"]),
                        date=r.date(pop.get("reference_date", "")),
                        illustrative=r.text("quality_illustrative")
                        if pop.get("illustrative")
                        else "",
                    )
                )
        read, excluded = self._read_and_excluded()
        return r.text(
            "quality_coverage",
            groups="; ".join(coverage) or r.title,
            analysed=r._n(m["respondents_analysed"]),
            read=read,
            excluded=excluded,
        )

    def _questionnaire_line(self) -> str:
        """The quality note's questionnaire: its title, the statements each group was asked and
        the experience questions."""
        r = self.r
        groups = groups_present(r)
        items = r.findings.tables["items"]
        experience = r.findings.tables["experience"]
        counts = {g: int((items["group"] == g).sum()) if not items.empty else 0 for g in groups}
        codebook = r.findings.meta.get("codebook")
        if isinstance(codebook, dict):  # one title per language
            lang = r.language
            title = codebook.get(lang) or codebook.get("en") or next(iter(codebook.values()), "")
        else:
            title = codebook
        statements = [
            r.text("quality_statements", n=r._n(counts[g]), group=r.group_members(g))
            for g in groups
            if counts[g]
        ]
        return r.text(
            "quality_questionnaire",
            title=title or "CIPS",
            counts=r._listing(statements),
            experience=r._n(experience["item_key"].nunique() if not experience.empty else 0),
        )

    def _fieldwork_line(self) -> str:
        """The quality note's fieldwork: its dates and mode."""
        r = self.r
        fw = r.params.fieldwork or {}
        mode = fw.get("mode")
        return r.text(
            "quality_fieldwork",
            start=r.date(fw.get("start", "")),
            end=r.date(fw.get("end", "")),
            mode=r.text(f"mode_{mode}") if mode in ("online", "paper") else mode or "",
        )

    def _weighting_line(self) -> str:
        """The quality note's weighting: the variables each weighted group is raked on."""
        r = self.r
        sample = r.findings.tables["sample"]
        by_group = []
        for g in groups_present(r) if not sample.empty else []:  # no sample table: none weighted
            names = [
                r.cb.variables[v].labels[r.language] if v in r.cb.variables else v
                for v in dict.fromkeys(sample.loc[sample["group"] == g, "variable"])
            ]
            names = [n[:1].lower() + n[1:] if n[1:2].islower() else n for n in names]
            if names:
                joined = ", ".join(names[:-1]) + (
                    f" {r.tpl['words']['and']} {names[-1]}" if len(names) > 1 else names[-1]
                )
                by_group.append(
                    r.text("quality_weighting_group", group=r.group_label(g), variables=joined)
                )
        return r.text("quality_weighting", variables="; ".join(by_group) or "–")

    def body(self) -> HTML:
        """How the figures are made: the quality and methodology note, then weighting, opt-in
        caveat, scores, suppression, precision and the ranking of the key findings."""
        m = self.r.findings.meta
        parts = [
            self.quality_note(),
            *self._weighting_paragraphs(),
            self.r.paragraph(response_method(self.r)),
            self.r.paragraph(self.r.text("optin_text")),
            self.r.paragraph(self.r.text("scores_text")),
            self.r.paragraph(
                self.r.text(
                    "suppression_text", min_cell=self.r.params.min_cell, hidden=self.r._hidden()
                )
                + " "
                + self.r.text("complementary_text", mark=COMPLEMENTARY_MARK)
            ),
            self.r.paragraph(
                self.r.text(
                    "precision_text",
                    mark=LOW_PRECISION_MARK,
                    min_n=self.r.fmt.number(m["min_n_effective"], 0),
                    points=self.r.fmt.number(m["max_half_width"], 0),
                )
            ),
            self.r.paragraph(self.r.text("ranking_text", **rule_fields(self.r.language))),
            self.omitted_list(),
        ]
        return HTML("".join(str(p) for p in parts))

    def weighting_table(self) -> HTML:
        w = self.r.findings.tables["weighting"]
        rows = []
        for _, r in w.iterrows():
            rows.append(
                {
                    self.r.col("group"): self.r.group_label(r["group"]),
                    self.r.col("n"): self.r._n(r["n"]),
                    self.r.col("n_eff"): self.r._num(r.get("effective_sample_size")),
                    self.r.col("deff"): self.r._num(r.get("deff_weighting"), 2),
                    self.r.col("moe"): self.r._num(r.get("margin_of_error"), 1),
                }
            )
        return self.r._table(pd.DataFrame(rows))

    def sample_table(self) -> HTML:
        s = self.r.findings.tables["sample"]
        if s.empty:
            return HTML("")
        rows = [
            {
                self.r.col("group"): self.r.group_label(r["group"]),
                self.r.col("variable"): self.r.cb.variables[r["variable"]].labels[self.r.language],
                self.r.col("level"): self.r.cb.level_label(
                    r["variable"], r["level"], self.r.language
                ),
                self.r.col("n"): self.r._n(r["sample_n"], r.get("hidden")),
                self.r.col("sample"): self.r._num(r["sample_pct"], 1, r.get("hidden")),
                self.r.col("weighted"): self.r._num(r["weighted_pct"], 1),
                self.r.col("population"): self.r._num(r["population_pct"], 1),
            }
            for _, r in s.iterrows()
        ]
        return self.r._table(
            pd.DataFrame(rows),
            self.r._complementary_note(s.get("hidden")) or None,
            group_by=self.r.col("group"),
        )

    def quality_table(self) -> HTML:
        q = self.r.findings.tables["quality"]
        counts = (*self.r.cb.group_names, "all")
        rows = [
            {
                self.r.col("screen"): self.r.labels.get("screens", {}).get(
                    r["screen"], r["screen"]
                ),
                self.r.col("excludes"): self.r.text("answer_yes")
                if r["excludes"]
                else self.r.text("answer_no"),
                **{
                    self.r.col(c) if c == "all" else self.r.group_label(c): self.r._n(
                        r.get(c), r.get(f"hidden_{c}")
                    )
                    for c in counts
                },
            }
            for _, r in q.iterrows()
        ]
        note = self.r._complementary_note(*(q.get(f"hidden_{c}") for c in counts))
        return self.r._table(pd.DataFrame(rows), note or None)

    def reliability_table(self) -> HTML:
        rel = self.r.findings.tables["reliability"]
        if rel.empty:
            return HTML("")
        rows = [
            {
                self.r.col("factor"): self.r.cb.factor_name(int(r["factor"]), self.r.language),
                self.r.col("group"): self.r.group_label(r["group"]),
                self.r.col("items"): int(r["items"]),
                self.r.col("alpha"): self.r._num(r["alpha"], 2),
                self.r.col("ci"): self.r._ci(r["alpha_ci_low"], r["alpha_ci_high"], 2),
                self.r.col("n"): self.r._n(r["n"]),
                self.r.col("low"): self.r.text("answer_yes")
                if r["low"]
                else self.r.text("answer_no"),
            }
            for _, r in rel.iterrows()
        ]
        return self.r._table(
            pd.DataFrame(rows),
            self.r.text(
                "alpha_note", alpha=self.r.fmt.number(self.r.findings.meta["alpha_min"], 1)
            ),
            group_by=self.r.col("group"),
        )

    def sample_chart(self, group: str):
        from ..charts import sample_composition

        return sample_composition(self.r.findings, group, self.r.cb, self.r.labels, self.r.language)
