"""Building blocks of the report notebooks: each call returns something a notebook cell displays.

The notebooks stay thin: a cell is one call on a :class:`Report`, e.g. ``report.factors_table()`` or
``report.likert(3, "official")``. All text comes from the language catalogue
(``cipslib/text/catalogues/<lang>.yaml``) and every number from the
:class:`~cipslib.findings.Findings`, rounded only here. Tables pass through the findings' disclosure
control: a hidden cell reads "<10".
"""

from __future__ import annotations

import dataclasses
import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..analysis.disclosure import COMPLEMENTARY, COMPLEMENTARY_MARK, hidden_mark
from ..analysis.drivers import outcome_item
from ..analysis.findings import Findings
from ..analysis.keyfindings import rule_fields
from ..analysis.omissions import combined, omission_text, sections_left_out
from ..analysis.pipeline import analyse
from ..analysis.prepare import Definitions, PreparedCycle
from ..analysis.scoring import load_indicators
from ..analysis.units import (
    OTHER_UNITS,
    UnitFigures,
)
from ..files import atomic_write
from ..inputs.codebook import Codebook
from ..inputs.params import (
    CycleParams,
    load_params,
)
from ..text.catalogue import load_catalogue, report_languages
from ..text.numbers import NumberFormat
from ..text.typography import tidy
from .annex import AnnexTables, write_tables_xlsx
from .dashboard import rate_phrase, response_method, unit_response_figures

LOW_PRECISION_MARK = "†"
SIGNIFICANT_MARK = "*"
SECTIONS = (
    "summary",
    "about",
    "factors",
    "factor_detail",
    "drivers",
    "experience",
    "security",
    "subgroups",
    "trend",
    "kpis",
    "method",
    "annex",
)
"""The report's numbered sections, in order. The annex (every question, gap and subgroup, in the
words of tables.xlsx beside the report) is in the HTML and in the PDF."""


class HTML:
    """A block of HTML that Jupyter displays as such (no IPython import needed at module level)."""

    def __init__(self, text: str):
        self.text = text

    def _repr_html_(self) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text


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


WITH_UNITS: dict[tuple, Report] = {}
"""The national reports built with unit figures in this process (the latest per cycle, data,
variable, language and pooling): a batch's unit reports read the one its national notebook built
instead of computing it again."""


@dataclass
class Report:
    """The findings of one cycle with the language it is reported in.

    Examples
    --------
    >>> report = Report.build("params/2024.yaml", "uk")
    >>> str(report.heading("factors"))[:40]
    '<h2 id="factors">3. Десять чинників коро'
    >>> fig = report.factor_chart()          # a matplotlib figure; show(fig) displays it as PNG
    >>> len(fig.axes)
    1
    """

    params: CycleParams
    current: PreparedCycle
    previous: PreparedCycle | None
    findings: Findings
    language: str = "en"
    units: UnitFigures | None = None
    definitions: Definitions | None = None

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
        report = cls(
            p,
            inputs.current,
            inputs.previous,
            fnd,
            p.language,
            fnd.units,
            inputs.definitions,
        )
        if fnd.units is not None:  # the unit reports of a batch run in this process and reuse it
            WITH_UNITS[report.units_key(p, fnd.units.by, report.language)] = report
        return report

    @staticmethod
    def units_key(params: CycleParams, by: str, language: str) -> tuple:
        """What identifies a national report with unit figures within one process."""
        return (params.cycle, str(params.data_path), by, language, params.units["pool"])

    # -- text helpers
    # --------------------------------------------------------------------------------
    @property
    def cb(self) -> Codebook:
        return self.current.codebook

    @property
    def languages(self) -> list[str]:
        """Every language this report can be written in: a catalogue, the codebook's wording and
        the texts of its indicators and KPIs."""
        defs = self.definitions
        texts = [] if defs is None else [i.text for i in defs.indicators.values()]
        names = [] if defs is None else [k.names for k in defs.kpis.values() if k.names]
        return report_languages(self.cb, texts, names)

    @property
    def tpl(self) -> dict[str, Any]:
        return load_catalogue(self.language)

    @property
    def labels(self) -> dict[str, Any]:
        return self.tpl["report"]

    @property
    def fmt(self) -> NumberFormat:
        return NumberFormat.of(self.tpl)

    def text(self, key: str, **kw) -> str:
        """A text of the language catalogue's ``report`` section, its whitespace tidied and its
        ``{placeholders}`` filled from ``kw``; a value that ends with a period (a date written
        "1 січня 2025 р.") takes the place of the full stop after its placeholder."""
        text = tidy(self.labels[key])
        for name, value in kw.items():
            if isinstance(value, str) and value.endswith(".") and not value.endswith(".."):
                text = text.replace(f"{{{name}}}.", f"{{{name}}}")
        return text.format(**kw) if kw else text

    def col(self, key: str) -> str:
        return self.labels["col"][key]

    def group_label(self, group: str) -> str:
        """A respondent group as a heading, column or legend names it, in the codebook's words."""
        return self.cb.group_label(group, self.language)

    def group_members(self, group: str) -> str:
        """A group's members as the language's sentences name them (the codebook's words)."""
        return self.cb.group_members(group, self.language)

    def section_title(self, key: str) -> str:
        return self.labels["sections"][key]

    def heading(self, key: str, sections: tuple[str, ...] = SECTIONS) -> HTML:
        """A section's numbered heading; in the national report, when the findings leave the
        section out, why."""
        number = sections.index(key) + 1
        head = f'<h2 id="{key}">{number}. {html.escape(self.section_title(key))}</h2>'
        left_out = sections_left_out(self.omitted).get(key) if sections == SECTIONS else None
        if left_out is not None:
            reason = omission_text(left_out, self.language, self.cb)
            note = self.text("omitted_section", reason=reason)
            head += f'<p class="omitted">{html.escape(note)}</p>'
        if (
            key == "trend"
            and sections == SECTIONS
            and self.findings.meta.get("trend_items_left_out")
        ):
            head += str(self.paragraph(self._trend_items_left_out()))
        return HTML(head)

    def _trend_items_left_out(self) -> str:
        """Which factor questions only one of the two cycles asked: the trends leave them out."""
        listed = [
            self.text(
                "trend_item_left_out",
                text=self.cb.item(d["item"])[f"text_{self.language}"],
                cycle=d["cycle"],
            )
            for d in self.findings.meta["trend_items_left_out"]
        ]
        return self.text("trend_items_left_out", items="; ".join(listed))

    @property
    def omitted(self) -> list[dict[str, Any]]:
        """What the findings leave out, and why (:mod:`cipslib.analysis.omissions`)."""
        return list(self.findings.meta.get("omitted", []))

    def omitted_list(self) -> HTML:
        """The method section's list of what the report leaves out and why, section by section
        (empty when it leaves out nothing)."""
        if not self.omitted:
            return HTML("")
        order = {k: i for i, k in enumerate(SECTIONS)}
        entries = sorted(
            combined(self.omitted),
            key=lambda o: (order.get(o["section"], len(order)), not o.get("whole", False)),
        )
        items = "".join(
            f"<li>{html.escape(self.section_title(o['section']))}: "
            f"{html.escape(omission_text(o, self.language, self.cb))}</li>"
            for o in entries
        )
        return HTML(
            f"{self.subheading(self.text('omitted_title'), 'omitted')}"
            f"{self.paragraph(self.text('omitted_lead'))}"
            f'<ul class="omitted">{items}</ul>'
        )

    def subheading(self, text: str, anchor: str | None = None) -> HTML:
        a = f' id="{anchor}"' if anchor else ""
        return HTML(f"<h3{a}>{html.escape(text)}</h3>")

    def paragraph(self, text: str) -> HTML:
        return HTML(f"<p>{html.escape(text)}</p>")

    def _hidden(self, reason: str | None = None) -> str:
        """What a hidden cell reads: "<10", or "x" for a cell hidden to protect another."""
        return hidden_mark(reason, self.params.min_cell)

    def _pct(self, v) -> str:
        return self.fmt.value(v, "%") if pd.notna(v) else self._hidden()

    def _num(self, v, decimals: int = 0, reason: str | None = None) -> str:
        return self.fmt.number(v, decimals) if pd.notna(v) else self._hidden(reason)

    def _ci(self, lo, hi, decimals: int = 0, reason: str | None = None) -> str:
        if pd.isna(lo) or pd.isna(hi):
            return self._hidden(reason)
        return self.fmt.interval(lo, hi, decimals)

    def _marked(self, text: str, row) -> str:
        """A shown estimate, with the low-precision mark when its row carries the flag."""
        return f"{text} {LOW_PRECISION_MARK}" if bool(row.get("low_precision", False)) else text

    def _precision_note(self, table: pd.DataFrame) -> str:
        """The footnote explaining the low-precision mark, for a table that shows it ("" if not)."""
        if "low_precision" not in table or not table["low_precision"].fillna(False).any():
            return ""
        m = self.findings.meta
        return self.text(
            "precision_note",
            mark=LOW_PRECISION_MARK,
            min_n=self.fmt.number(m["min_n_effective"], 0),
            points=self.fmt.number(m["max_half_width"], 0),
        )

    def _statement(self, row) -> str:
        """An item's wording, with the reverse-wording mark when its row is reverse-coded."""
        text = row[f"text_{self.language}"]
        return f"{text}\u00a0{self.text('reverse_mark')}" if bool(row.get("reverse")) else text

    def _notes(self, table: pd.DataFrame) -> str | None:
        """The footnotes of an items table: what its reverse-wording and low-precision marks mean
        (None when it shows neither)."""
        notes = []
        if "reverse" in table and table["reverse"].fillna(False).astype(bool).any():
            notes.append(self.text("reverse_note", mark=self.text("reverse_mark")))
        notes.append(self._precision_note(table))
        return " ".join(n for n in notes if n) or None

    def _n(self, v, reason: str | None = None) -> str:
        return self.fmt.count(v) if pd.notna(v) else self._hidden(reason)

    def _complementary_note(self, *reasons) -> str:
        """The note explaining the "x" mark, for a table that shows it ("" if not)."""
        shown = any((pd.Series(r, dtype=object) == COMPLEMENTARY).any() for r in reasons)
        return self.text("complementary_note", mark=COMPLEMENTARY_MARK) if shown else ""

    def _table(
        self,
        frame: pd.DataFrame,
        caption: str | None = None,
        cls: str = "cips",
        group_by: str | None = None,
        title: str | None = None,
    ) -> HTML:
        """A table in a box that scrolls sideways on a narrow screen. Columns named "Group:
        header" share a caption over their group (a header row above theirs); ``group_by``: a
        column whose value captions a run of rows (a row across the table), not repeated in
        every row; ``title``: the table's title above it. Missing cells read as hidden ("<10")."""
        body = table_html(frame, self._hidden(), cls, group_by)
        head = f'<p class="table-title">{html.escape(title)}</p>' if title else ""
        cap = f'<p class="caption">{html.escape(caption)}</p>' if caption else ""
        return HTML(f'{head}<div class="table-scroll">{body}</div>{cap}')

    def date(self, value) -> str:
        """A date (``2025-11-20`` or a date) in the long form of the language's Babel locale
        ("20 November 2025", "20 листопада 2025 р.", "20 novembre 2025"); anything else as it is,
        nothing as ""."""
        return "" if value in (None, "") else self.fmt.date(value)

    def publication_date(self) -> str:
        """The params' publication date in the report's language ("" without one)."""
        day = (self.params.publication or {}).get("date")
        return self.date(day) if day else ""

    def contact(self) -> str:
        """The params' contact line in the report's language ("" without one)."""
        contact = (self.params.publication or {}).get("contact")
        if isinstance(contact, dict):
            return str(
                contact.get(self.language) or contact.get("en") or next(iter(contact.values()), "")
            )
        return str(contact or "")

    def _published(self) -> str:
        """The title page's line with the publication date and the contact ("" with neither)."""
        rows = self.labels["quality_note_rows"]
        parts = []
        if self.publication_date():
            parts.append(self.text("published_on", date=self.publication_date()))
        if self.contact():
            parts.append(f"{rows['contact']}: {self.contact()}")
        if not parts:
            return ""
        text = ". ".join(part.rstrip(".") for part in parts)
        return f'<p class="published">{html.escape(text)}.</p>'

    @property
    def title(self) -> str:
        """The report title in the report's language (params ``title`` may give one per
        language)."""
        t = self.params.title
        if isinstance(t, dict):
            return str(t.get(self.language) or t.get("en") or next(iter(t.values()), ""))
        return t or f"CIPS {self.params.cycle}"

    # -- sections
    # ------------------------------------------------------------------------------------
    def title_page(
        self,
        kicker: str | None = None,
        title: str | None = None,
        sections=SECTIONS,
        respondents: Mapping[str, int] | None = None,
        rates: Mapping[str, str] | None = None,
    ) -> HTML:
        """Page 1: kind of report, title, fieldwork, respondents (by default the cycle's, per
        group, with each group's response rate), the demo notice and the contents (a sidebar on
        wide screens). ``rates`` gives a group's response rate in words when ``respondents`` are
        given."""
        p = self.params
        fw = p.fieldwork or {}
        mode = (
            self.text("mode_online")
            if fw.get("mode") == "online"
            else self.text("mode_paper")
            if fw.get("mode")
            else ""
        )
        if respondents is None:
            groups = self.current.data["group"]
            respondents = {g: int((groups == g).sum()) for g in groups_present(self)}
            rates = {g: rate_phrase(self, g) for g in respondents}
        counts = ", ".join(
            f"{self.group_label(g)} {self._n(n)}"
            + (f" ({rates[g]})" if rates and g in rates else "")
            for g, n in respondents.items()
        )
        demo = (
            f'<p class="notice">{html.escape(self.text("demo_notice"))}</p>'
            if p.data == "demo"
            else ""
        )
        toc = "".join(
            f'<li><a href="#{k}">{i + 1}. {html.escape(self.section_title(k))}</a></li>'
            for i, k in enumerate(sections)
        )
        return HTML(
            '<section class="title-page">'
            f'<p class="kicker">{html.escape(kicker or self.text("report_kind"))}</p>'
            f"<h1>{html.escape(title or self.title)}</h1>"
            f'<p class="subtitle">{html.escape(self.text("fieldwork"))}: '
            f"{html.escape(self.fmt.dates(fw.get('start'), fw.get('end')))}, {html.escape(mode)}. "
            f"{html.escape(self.text('respondents'))}: {html.escape(counts)}.</p>"
            f"{self._published()}{demo}"
            f'<nav class="toc"><h2 class="toc-title">{html.escape(self.text("contents"))}</h2>'
            f"<ol>{toc}</ol></nav>"
            "</section>"
        )

    def dashboard(self) -> HTML:
        """Page 2: the one-page dashboard (response rate and respondents per group, the ten
        factor indices with their change since the previous cycle, the headline experience
        indicators; :mod:`cipslib.report.dashboard`)."""
        from .dashboard import dashboard

        return HTML(dashboard(self, groups_present(self)))

    def summary(self) -> HTML:
        """The executive summary: the ranked key findings marked for it (at most eight) and the
        paragraph that tells their story (nothing when there is none: the heading says why)."""
        if "summary" in sections_left_out(self.omitted):
            return HTML("")
        items = "".join(
            f"<li>{html.escape(k['text'][self.language])}</li>"
            for k in self.findings.key_findings
            if k.get("summary")
        )
        story = self.findings.story.get(self.language, "")
        lead = html.escape(self.text("summary_lead", **rule_fields(self.language)))
        return HTML(
            f'<p class="lead">{lead}</p><ol class="key-findings">{items}</ol>'
            f'<h3 class="story-title">{html.escape(self.text("story_title"))}</h3>'
            f'<p class="story">{html.escape(story)}</p>'
        )

    def about(self) -> HTML:
        """Who answered: respondents read, analysed and excluded."""
        m = self.findings.meta
        kept = m["respondents_analysed"]
        # read and excluded as the quality table shows them (hidden where a small count could
        # otherwise be worked out, e.g. the excluded as read minus analysed)
        q = self.findings.tables["quality"].set_index("screen")
        read, excluded = (
            self._n(q.loc[row, "all"], q.loc[row].get("hidden_all"))
            for row in ("respondents", "excluded")
        )
        return self.paragraph(
            f"{self.text('respondents')}: {self._n(kept)} "
            f"({self.text('read')} {read}; {excluded} {self.text('excluded')}). "
            f"{self._about_weighting()}"
        )

    def _weighted_groups(self) -> tuple[list[str], list[str]]:
        """The groups present weighted to population figures, and those left unweighted (no
        population figures in the params)."""
        groups = groups_present(self)
        weighted = [g for g in groups if g in self.current.populations]
        return weighted, [g for g in groups if g not in weighted]

    def _about_weighting(self) -> str:
        weighted, unweighted = self._weighted_groups()
        names = lambda gs: self._listing([self.group_label(g) for g in gs])  # noqa: E731
        if not unweighted:
            return self.text("about_text")
        if not weighted:
            return self.text("about_text_unweighted", groups=names(unweighted))
        return self.text(
            "about_text_partly", weighted=names(weighted), unweighted=names(unweighted)
        )

    def _weighting_paragraphs(self) -> list[HTML]:
        """How each group is weighted: raked to its population figures, or unweighted when the
        params give it none."""
        weighted, unweighted = self._weighted_groups()
        parts = [self.paragraph(self.text("weighting_text"))] if weighted else []
        if unweighted:
            names = self._listing([self.group_label(g) for g in unweighted])
            parts.append(self.paragraph(self.text("weighting_text_unweighted", groups=names)))
        return parts

    def quality_note(self) -> HTML:
        """The quality and methodology note: coverage, questionnaire, fieldwork, weighting,
        anonymity, precision marks, what "–" means, the publication date and the contact (the
        last two from the params' ``publication``), one line each."""
        m, f, lang = self.findings.meta, self.fmt, self.language
        groups = groups_present(self)
        populations = m.get("populations") or {}
        coverage = []
        for g in groups:
            pop = populations.get(g)
            if pop and pop.get("total"):
                coverage.append(
                    self.text(
                        "quality_population",
                        group=self.group_label(g),
                        total=self._n(pop["total"]),
                        date=self.date(pop.get("reference_date", "")),
                        illustrative=self.text("quality_illustrative")
                        if pop.get("illustrative")
                        else "",
                    )
                )
        q = self.findings.tables["quality"].set_index("screen")
        read, excluded = (
            self._n(q.loc[row, "all"], q.loc[row].get("hidden_all"))
            for row in ("respondents", "excluded")
        )
        rows = {
            "coverage": self.text(
                "quality_coverage",
                groups="; ".join(coverage) or self.title,
                analysed=self._n(m["respondents_analysed"]),
                read=read,
                excluded=excluded,
            )
        }
        items = self.findings.tables["items"]
        experience = self.findings.tables["experience"]
        counts = {g: int((items["group"] == g).sum()) if not items.empty else 0 for g in groups}
        codebook = m.get("codebook")
        if isinstance(codebook, dict):  # one title per language
            title = codebook.get(lang) or codebook.get("en") or next(iter(codebook.values()), "")
        else:
            title = codebook
        rows["questionnaire"] = self.text(
            "quality_questionnaire",
            title=title or "CIPS",
            counts=self._listing(
                [
                    self.text(
                        "quality_statements", n=self._n(counts[g]), group=self.group_members(g)
                    )
                    for g in groups
                    if counts[g]
                ]
            ),
            experience=self._n(experience["item_key"].nunique() if not experience.empty else 0),
        )
        fw = self.params.fieldwork or {}
        mode = fw.get("mode")
        rows["fieldwork"] = self.text(
            "quality_fieldwork",
            start=self.date(fw.get("start", "")),
            end=self.date(fw.get("end", "")),
            mode=self.text(f"mode_{mode}") if mode in ("online", "paper") else mode or "",
        )
        sample = self.findings.tables["sample"]
        by_group = []
        for g in groups if not sample.empty else []:  # no sample table: nobody weighted
            names = [
                self.cb.variables[v].labels[lang] if v in self.cb.variables else v
                for v in dict.fromkeys(sample.loc[sample["group"] == g, "variable"])
            ]
            names = [n[:1].lower() + n[1:] if n[1:2].islower() else n for n in names]
            if names:
                joined = ", ".join(names[:-1]) + (
                    f" {self.tpl['words']['and']} {names[-1]}" if len(names) > 1 else names[-1]
                )
                by_group.append(
                    self.text(
                        "quality_weighting_group", group=self.group_label(g), variables=joined
                    )
                )
        rows["weighting"] = self.text("quality_weighting", variables="; ".join(by_group) or "–")
        rows["suppression"] = self.text(
            "quality_suppression",
            hidden=self._hidden(),
            min_cell=self.params.min_cell,
            mark=COMPLEMENTARY_MARK,
        )
        rows["precision"] = self.text(
            "quality_precision",
            mark=LOW_PRECISION_MARK,
            min_n=f.number(m["min_n_effective"], 0),
            points=f.number(m["max_half_width"], 0),
        )
        rows["dash"] = self.text("quality_dash")
        if self.publication_date():
            rows["publication"] = self.publication_date()
        if self.contact():
            rows["contact"] = self.contact()
        names = self.labels["quality_note_rows"]
        body = "".join(
            f'<tr><th scope="row">{html.escape(names[k])}</th><td>{html.escape(v)}</td></tr>'
            for k, v in rows.items()
        )
        return HTML(
            f'<section class="quality-note"><h3 id="quality-note">'
            f"{html.escape(self.text('quality_note'))}</h3>"
            f'<table class="quality-note"><tbody>{body}</tbody></table></section>'
        )

    def method(self) -> HTML:
        """How the figures are made: the quality and methodology note, then weighting, opt-in
        caveat, scores, suppression, precision and the ranking of the key findings."""
        m = self.findings.meta
        parts = [
            self.quality_note(),
            *self._weighting_paragraphs(),
            self.paragraph(response_method(self)),
            self.paragraph(self.text("optin_text")),
            self.paragraph(self.text("scores_text")),
            self.paragraph(
                self.text("suppression_text", min_cell=self.params.min_cell, hidden=self._hidden())
                + " "
                + self.text("complementary_text", mark=COMPLEMENTARY_MARK)
            ),
            self.paragraph(
                self.text(
                    "precision_text",
                    mark=LOW_PRECISION_MARK,
                    min_n=self.fmt.number(m["min_n_effective"], 0),
                    points=self.fmt.number(m["max_half_width"], 0),
                )
            ),
            self.paragraph(self.text("ranking_text", **rule_fields(self.language))),
            self.omitted_list(),
        ]
        return HTML("".join(str(p) for p in parts))

    def weighting_table(self) -> HTML:
        w = self.findings.tables["weighting"]
        rows = []
        for _, r in w.iterrows():
            rows.append(
                {
                    self.col("group"): self.group_label(r["group"]),
                    self.col("n"): self._n(r["n"]),
                    self.col("n_eff"): self._num(r.get("effective_sample_size")),
                    self.col("deff"): self._num(r.get("deff_weighting"), 2),
                    self.col("moe"): self._num(r.get("margin_of_error"), 1),
                }
            )
        return self._table(pd.DataFrame(rows))

    def sample_table(self) -> HTML:
        s = self.findings.tables["sample"]
        if s.empty:
            return HTML("")
        rows = [
            {
                self.col("group"): self.group_label(r["group"]),
                self.col("variable"): self.cb.variables[r["variable"]].labels[self.language],
                self.col("level"): self.cb.level_label(r["variable"], r["level"], self.language),
                self.col("n"): self._n(r["sample_n"], r.get("hidden")),
                self.col("sample"): self._num(r["sample_pct"], 1, r.get("hidden")),
                self.col("weighted"): self._num(r["weighted_pct"], 1),
                self.col("population"): self._num(r["population_pct"], 1),
            }
            for _, r in s.iterrows()
        ]
        return self._table(
            pd.DataFrame(rows),
            self._complementary_note(s.get("hidden")) or None,
            group_by=self.col("group"),
        )

    def factors_table(self) -> HTML:
        """Each group's factor indices side by side; with two groups, their difference, its
        p-value, Hedges' g and whether they are aligned in the same row (more groups: every pair
        in a table of its own, :meth:`pairs_table`)."""
        al = self.findings.tables["alignment"]
        one_pair = not al.empty and al[["group_a", "group_b"]].drop_duplicates().shape[0] == 1
        al = al.set_index("factor") if one_pair else pd.DataFrame()
        fac = self.findings.tables["factors"]
        if fac.empty:
            return HTML("")
        rows = []
        for k in sorted(fac["factor"].unique()):
            row = {self.col("factor"): f"{k}. {self.cb.factor_name(int(k), self.language)}"}
            for g in self.cb.group_names:
                r = fac[(fac["factor"] == k) & (fac["group"] == g)]
                if r.empty:
                    continue
                r = r.iloc[0]
                name = self.group_label(g)
                row[f"{name}: {self.col('index')}"] = self._marked(self._num(r["index"]), r)
                row[f"{name}: {self.col('ci')}"] = self._ci(r["ci_low"], r["ci_high"])
                row[f"{name}: {self.col('n')}"] = self._n(r["n"])
            if k in al.index:
                row |= self._pair_cells(al.loc[k])
            rows.append(row)
        tables = [
            self._table(
                pd.DataFrame(rows),
                " ".join(
                    [self._aligned_note() if one_pair else "", self._precision_note(fac)]
                ).strip(),
            )
        ]
        if not one_pair:
            tables.append(self.pairs_table())
        return HTML("".join(str(t) for t in tables))

    def pairs_table(self) -> HTML:
        """Every pair of groups on every factor: the difference, its Holm-adjusted p-value over
        the pairs of the factor, Hedges' g and whether the two are aligned."""
        al = self.findings.tables["alignment"]
        if al.empty:
            return HTML("")
        rows = []
        for _, a in al.iterrows():
            pair = self.text(
                "pair", a=self.group_label(a["group_a"]), b=self.group_label(a["group_b"])
            )
            rows.append(
                {
                    self.col("factor"): (
                        f"{a['factor']}. {self.cb.factor_name(int(a['factor']), self.language)}"
                    ),
                    self.col("groups"): pair,
                    **self._pair_cells(a),
                }
            )
        return self._table(pd.DataFrame(rows), self._aligned_note(), group_by=self.col("factor"))

    def _pair_cells(self, a: pd.Series) -> dict[str, str]:
        p = a["p_holm"]
        return {
            self.col("difference"): self._num(a["difference"], 1),
            self.col("p_value"): self.fmt.p(p) if pd.notna(p) else self._hidden(),
            self.col("hedges_g"): self._num(a["hedges_g"], 2),
            self.col("aligned"): self.text("answer_yes" if a["aligned"] else "answer_no"),
        }

    def _aligned_note(self) -> str:
        points = self.fmt.number(self.findings.meta["aligned_difference"], 0)
        return self.text("aligned_note", points=points)

    def factor_heading(self, factor: int) -> HTML:
        """The heading that opens a factor's page."""
        name = f"{factor}. {self.cb.factor_name(factor, self.language)}"
        first = " first" if factor == factors_present(self)[0] else ""
        return HTML(f'<h3 class="factor-page{first}" id="factor-{factor}">{html.escape(name)}</h3>')

    def factor_lead(self, factor: int) -> HTML:
        """One sentence per group: the factor's index with its CI and n."""
        fac = self.findings.tables["factors"]
        parts = []
        for _, r in fac[fac["factor"] == factor].iterrows():
            if r["suppressed"] or pd.isna(r["index"]):
                continue
            parts.append(
                self.text(
                    "factor_lead",
                    group=self.group_label(r["group"]),
                    index=self._marked(self._num(r["index"]), r),
                    ci=self._ci(r["ci_low"], r["ci_high"]),
                    n=self._n(r["n"]),
                )
            )
        gaps = self.findings.tables["gaps"]
        if not gaps.empty:
            for _, r in gaps[(gaps["factor"] == factor) & ~gaps["suppressed"]].iterrows():
                parts.append(
                    self.text(
                        "factor_gap",
                        group=self.group_label(r["group"]),
                        exists=self._pct(r["exists"]),
                        effective=self._pct(r["effective"]),
                        gap=self._num(r["gap"], 1),
                        ci=self._ci(r["ci_low"], r["ci_high"], 1),
                        n=self._n(r["n"]),
                    )
                )
        return self.paragraph(" ".join(parts)) if parts else HTML("")

    def factor_page(self, factor: int) -> list:
        """A factor's page: its heading, lead sentences, the likert chart of both groups and the
        items table."""
        return [
            self.factor_heading(factor),
            self.factor_lead(factor),
            self.likert(factor),
            self.items_table(factor),
        ]

    def items_table(self, factor: int, group: str | None = None) -> HTML:
        """A factor's items: per group the share of favourable answers with its CI (one group, or
        every group side by side; the chart beside it gives each n). Don't-know and refusal rates
        and the n are in the annex."""
        it = self.findings.tables["items"]
        it = it[it["factor"] == factor]
        if group is not None:
            it = it[it["group"] == group]
        rows: dict[str, dict[str, str]] = {}
        for _, r in it.iterrows():
            row = rows.setdefault(r["item"], {self.col("item"): self._statement(r)})
            g = self.group_label(r["group"])
            shown = self._pct(r["favourable"])
            if pd.notna(r["favourable"]):
                shown = f"{shown} ({self._ci(r['ci_low'], r['ci_high'])})"
            row[f"{g}: {self.col('favourable')} ({self.col('ci')})"] = self._marked(shown, r)
        frame = pd.DataFrame(list(rows.values())).fillna("–")
        return self._table(frame, self._notes(it))

    def _factor_label(self, factor) -> str:
        return f"{int(factor)}. {self.cb.factor_name(int(factor), self.language)}"

    def annex_items_table(self) -> HTML:
        """Every question, factor by factor (a caption row each), the groups side by side: %
        favourable, its 95% CI, n, and the don't-know and refusal rates (the annex)."""
        it = self.findings.tables["items"]
        if it.empty:
            return HTML("")
        groups = [g for g in groups_present(self) if g in set(it["group"])]
        fields = ("favourable", "ci", "n", "dont_know", "refusal")
        columns = ["_factor", self.col("item")] + [
            f"{self.group_label(g)}: {self.col(x)}" for g in groups for x in fields
        ]
        rows: dict[str, dict[str, str]] = {}
        for _, r in it.sort_values("factor", kind="stable").iterrows():
            row = rows.setdefault(
                r["item"],
                {"_factor": self._factor_label(r["factor"]), self.col("item"): self._statement(r)},
            )
            g = self.group_label(r["group"])
            row[f"{g}: {self.col('favourable')}"] = self._marked(self._num(r["favourable"]), r)
            row[f"{g}: {self.col('ci')}"] = self._ci(r["ci_low"], r["ci_high"])
            row[f"{g}: {self.col('n')}"] = self._n(r["n"])
            row[f"{g}: {self.col('dont_know')}"] = self._num(r["dont_know_rate"], 1)
            row[f"{g}: {self.col('refusal')}"] = self._num(r["refusal_rate"], 1)
        frame = pd.DataFrame(list(rows.values())).reindex(columns=columns).fillna("–")
        return self._table(frame, self._notes(it), group_by="_factor")

    def annex_gaps_table(self) -> HTML:
        """Words vs action in every factor, the groups side by side: % saying the mechanism
        exists, % saying it works, the gap with its 95% CI and n (the annex)."""
        g = self.findings.tables["gaps"]
        if g.empty:
            return HTML("")
        groups = [x for x in groups_present(self) if x in set(g["group"])]
        fields = ("exists", "effective", "gap", "ci", "n")
        columns = [self.col("factor")] + [
            f"{self.group_label(x)}: {self.col(f)}" for x in groups for f in fields
        ]
        rows: dict[int, dict[str, str]] = {}
        for _, r in g.iterrows():
            row = rows.setdefault(
                int(r["factor"]), {self.col("factor"): self._factor_label(r["factor"])}
            )
            name = self.group_label(r["group"])
            row[f"{name}: {self.col('exists')}"] = self._num(r["exists"])
            row[f"{name}: {self.col('effective')}"] = self._num(r["effective"])
            row[f"{name}: {self.col('gap')}"] = self._num(r["gap"], 1)
            row[f"{name}: {self.col('ci')}"] = self._ci(r["ci_low"], r["ci_high"], 1)
            row[f"{name}: {self.col('n')}"] = self._n(r["n"])
        frame = pd.DataFrame([rows[k] for k in sorted(rows)]).reindex(columns=columns)
        return self._table(frame.fillna("–"), self.text("gap_text"))

    def gap_table(self, factor: int | None = None) -> HTML:
        g = self.findings.tables["gaps"]
        if g.empty:
            return HTML("")
        if factor is not None:
            g = g[g["factor"] == factor]
        rows = [
            {
                self.col("factor"): self.cb.factor_name(int(r["factor"]), self.language),
                self.col("group"): self.group_label(r["group"]),
                self.col("exists"): self._pct(r["exists"]),
                self.col("effective"): self._pct(r["effective"]),
                self.col("gap"): self._num(r["gap"], 1),
                self.col("ci"): self._ci(r["ci_low"], r["ci_high"], 1),
                self.col("n"): self._n(r["n"]),
            }
            for _, r in g.iterrows()
        ]
        return self._table(pd.DataFrame(rows), self.text("gap_text")) if rows else HTML("")

    def _drivers_with_index(self) -> pd.DataFrame:
        """The key-driver table with each factor's current index of the group."""
        d = self.findings.tables.get("drivers", pd.DataFrame())
        if d.empty:
            return d
        fac = self.findings.tables["factors"][["factor", "group", "index"]]
        return d.merge(fac, on=["factor", "group"], how="left")

    def drivers_text(self) -> HTML:
        """What the key-driver analysis is, then per group one sentence on what goes most with the
        overall rating and which of those factors scores lowest (association, not cause)."""
        if "drivers" in sections_left_out(self.omitted):
            return HTML("")
        d = self._drivers_with_index()
        outcome = outcome_item(self.cb, self.params.drivers.get("outcome"), self.params.cycle)
        statement = "" if outcome is None else outcome[f"text_{self.language}"]
        parts = [self.text("drivers_intro", outcome=str(statement).rstrip("."))]
        for group in groups_present(self):
            part = d[d["group"] == group] if not d.empty else d
            if part.empty:
                parts.append(self.text("drivers_too_few", group=self.group_label(group)))
                continue
            top = part.sort_values("importance", ascending=False).head(2)
            act = part[
                (part["importance"] > part["importance"].mean())
                & (part["index"] < part["index"].mean())
            ]
            name = lambda k: self.cb.factor_name(int(k), self.language)  # noqa: E731
            parts.append(
                self.text(
                    "drivers_sentence",
                    group=self.group_members(group),
                    first=name(top["factor"].iloc[0]),
                    second=name(top["factor"].iloc[1]),
                    share=self.fmt.value(top["importance"].sum(), "%"),
                    r2=self.fmt.number(part["r_squared"].iloc[0], 2),
                    act=", ".join(name(k) for k in act["factor"]) or self.text("drivers_act_none"),
                )
            )
        return HTML("".join(str(self.paragraph(p)) for p in parts))

    def driver_page(self, group: str) -> list:
        """A group's key drivers: the action grid and the table."""
        return [self.driver_chart(group), self.drivers_table(group)]

    def drivers_table(self, group: str) -> HTML:
        """A group's key drivers, most important first: importance (% of R²) with its CI, the
        standardised coefficient with its CI, and the factor's current index."""
        d = self._drivers_with_index()
        part = d[d["group"] == group] if not d.empty else d
        if part.empty:
            return HTML("")
        rows = [
            {
                self.col("factor"): self.cb.factor_name(int(r["factor"]), self.language),
                self.col("importance"): (
                    f"{self._num(r['importance'], 1)} "
                    f"({self._ci(r['importance_ci_low'], r['importance_ci_high'], 1)})"
                ),
                self.col("beta"): self.fmt.number(r["beta"], 2, signed=True),
                self.col("ci"): self._ci(r["ci_low"], r["ci_high"], 2),
                self.col("index"): self._num(r["index"]),
            }
            for _, r in part.sort_values("importance", ascending=False).iterrows()
        ]
        first = part.iloc[0]
        caption = self.text(
            "drivers_note",
            group=self.group_label(group),
            r2=self.fmt.number(first["r_squared"], 2),
            n=self._n(first["n"]),
        )
        return self._table(pd.DataFrame(rows), caption)

    def experience_table(self, indicators: list[str] | None = None) -> HTML:
        e = self.findings.tables["experience"]
        if indicators is not None and not e.empty:
            e = e[e["indicator"].isin(indicators)]
        if e.empty:
            return HTML("")
        rows = [
            {
                self.col("group"): self.group_label(r["group"]),
                self.col("indicator"): r[f"text_{self.language}"],
                self.col("estimate"): self._marked(self._pct(r["estimate"]), r),
                self.col("ci"): self._ci(r["ci_low"], r["ci_high"]),
                self.col("n"): self._n(r["n"]),
            }
            for _, r in e.iterrows()
        ]
        return self._table(
            pd.DataFrame(rows), self._precision_note(e) or None, group_by=self.col("group")
        )

    def choices_table(self) -> list[HTML]:
        """The multiple-choice questions: per question and group the % of those who answered
        that selected each option, with its CI and n (nothing when the questionnaire has
        none)."""
        sel = self.findings.tables.get("selections")
        if sel is None or sel.empty:
            return []
        out = []
        for qid, rows in sel.groupby("question", sort=False):
            question = self.cb.multiples[qid]
            scale = self.cb.scales[question.scale]
            table = pd.DataFrame(
                [
                    {
                        self.col("group"): self.group_label(r["group"]),
                        self.col("option"): scale.label(int(r["option"]), self.language),
                        self.col("selected"): self._marked(self._pct(r["estimate"]), r),
                        self.col("ci"): self._ci(r["ci_low"], r["ci_high"]),
                        self.col("n"): self._n(r["n"]),
                    }
                    for _, r in rows.iterrows()
                ]
            )
            caption = " ".join(
                x
                for x in (
                    f"{question.texts[self.language]} {self.text('choices_note')}",
                    self._precision_note(rows),
                )
                if x
            )
            out.append(self._table(table, caption))
        return out

    def security(self) -> HTML:
        """The staff-security section: the indicators the indicator file puts in it (``section:
        security``: organised-crime pressure, the safety to report); empty when the findings have
        none of them (the heading says why)."""
        table = self.experience_table(list(self.findings.meta.get("security_indicators", [])))
        if not str(table):
            return HTML("")
        return HTML(f"{self.paragraph(self.text('security_text'))}{table}")

    def subgroup_table(self, group: str, variable: str) -> HTML:
        """A group's factor indices by the levels of a respondent variable (the annex): a row per
        factor, a column per level, each cell the index with its 95% CI and ▲ or ▼ where the level
        differs significantly from the rest of its group (Holm-adjusted), as on the heatmap; the
        last row gives each level's n."""
        from .charts import HIGHER, LOWER, subgroup_marks

        s = self.findings.tables["subgroups"]
        if s.empty:
            return HTML("")
        s = s[(s["group"] == group) & (s["variable"] == variable) & (s["kind"] == "factor_index")]
        if s.empty:
            return HTML("")
        marks = subgroup_marks(self.findings, group, variable)
        present = set(s["level"])
        levels = [lev for lev in self.cb.variables[variable].levels if lev in present]
        name = {lev: self.cb.level_label(variable, lev, self.language) for lev in levels}
        factor = self.col("factor")
        rows: dict[int, dict[str, str]] = {}
        for _, r in s.iterrows():
            k, lev = int(r["factor"]), r["level"]
            row = rows.setdefault(k, {factor: self._factor_label(k)})
            if pd.isna(r["estimate"]):
                row[name[lev]] = self._hidden(r.get("hidden"))
            else:
                mark = f"\u00a0{marks[(k, lev)]}" if (k, lev) in marks else ""
                shown = f"{self._num(r['estimate'])}\u00a0({self._ci(r['ci_low'], r['ci_high'])})"
                row[name[lev]] = self._marked(shown + mark, r)
        counts = {}
        for lev in levels:
            part = s[s["level"] == lev]
            counts[name[lev]] = (
                self._n(part["n"].max())
                if part["n"].notna().any()
                else self._hidden(part["hidden"].iloc[0] if "hidden" in part else None)
            )
        table = [rows[k] for k in sorted(rows)]
        table.append({factor: self.col("n"), **counts})
        frame = pd.DataFrame(table).reindex(columns=[factor, *name.values()])
        up = sum(m == HIGHER for m in marks.values())
        caption = " ".join(
            x
            for x in (
                self.text("annex_subgroups_note", up=HIGHER, down=LOWER) if up or marks else "",
                self._precision_note(s),
                self._complementary_note(s.get("hidden")),
            )
            if x
        )
        title = f"{self.group_label(group)}: {self.cb.variables[variable].labels[self.language]}"
        return self._table(frame.fillna("–"), caption or None, title=title)

    def subgroup_note(self, group: str, variable: str) -> HTML:
        """Under a subgroup heatmap: how many levels differ significantly from the rest of their
        group (marked on the chart), or that none does."""
        from .charts import HIGHER, LOWER

        tests = self.findings.tables["subgroup_tests"]
        if not tests.empty:
            tests = tests[(tests["group"] == group) & (tests["variable"] == variable)]
        count = int(tests["significant"].fillna(False).astype(bool).sum()) if len(tests) else 0
        text = (
            self.text("subgroup_marked", count=count, total=len(tests), up=HIGHER, down=LOWER)
            if count
            else self.text("subgroup_none")
        )
        return HTML(f'<p class="caption">{html.escape(text)}</p>')

    def subgroup_page(self, group: str, variable: str) -> list:
        """A group's factors by the levels of a respondent variable: the heatmap and the line of
        significant differences."""
        return [self.heatmap(group, variable), self.subgroup_note(group, variable)]

    def series_table(self, group: str) -> HTML:
        """Each factor's index in every cycle of the chain, weighted to the latest population
        (standardised) and unweighted (raw); empty with fewer than three cycles."""
        s = self.findings.tables.get("series")
        if s is None or s.empty or group not in set(s["group"]):
            return HTML("")
        s = s[s["group"] == group]
        rows = []
        for k, part in s.groupby("factor"):
            row = {self.col("factor"): self.cb.factor_name(int(k), self.language)}
            for cycle, by_cycle in part.groupby("cycle"):
                values = by_cycle.set_index("comparison")
                for comparison in ("standardised", "raw"):
                    name = self.text(f"comparison_{comparison}")
                    row[f"{cycle}: {name}"] = self._num(values.loc[comparison, "estimate"])
            rows.append(row)
        title = self.subheading(self.text("series_title", group=self.group_label(group)))
        table = self._table(pd.DataFrame(rows), self.text("series_note", cycle=self.findings.cycle))
        return HTML(f"{title}{table}")

    def trend_page(self, group: str) -> list:
        """A group's change: the series over every cycle (with three or more), the change since the
        previous cycle, and its decomposition into composition and change within groups."""
        return [
            self.series_chart(group),
            self.series_table(group),
            self.trend_chart(group),
            self.trend_table(group),
            self.decomposition_table(group),
        ]

    def _significant_note(self) -> str:
        alpha = self.findings.meta.get("significance", 0.05)
        return self.text("significant_note", mark=SIGNIFICANT_MARK, alpha=self.fmt.number(alpha, 2))

    def _change(self, row, decimals: int = 1) -> str:
        """A change with its CI, the significance mark when significant and the low-precision mark
        when its row carries the flag."""
        if pd.isna(row.get("change", row.get("estimate"))):
            return self._hidden()
        value = row["change"] if "change" in row else row["estimate"]
        text = (
            f"{self.fmt.number(value, decimals, signed=True)} "
            f"({self._ci(row['ci_low'], row['ci_high'], decimals)})"
        )
        if bool(row.get("significant", False)):
            text = f"{text} {SIGNIFICANT_MARK}"
        return self._marked(text, row)

    def trend_comparisons(self) -> tuple[str, ...]:
        """The comparisons the trend tables show: raw, weighted and standardised, or raw and
        weighted when both cycles were weighted to the same population figures (then the
        standardised change is the weighted one)."""
        if self.findings.meta.get("trend_same_population", False):
            return ("raw", "weighted")
        return ("raw", "weighted", "standardised")

    def trend_table(self, group: str) -> HTML:
        """A group's factor indices in the previous and this cycle (each with its n) and their
        change with its 95% CI and significance, one row per comparison; captioned with the group
        and, when the weighted and standardised changes are one, saying why only one is shown."""
        tr = self.findings.tables.get("trends")
        if tr is None or tr.empty:
            return self.paragraph(self.text("no_previous"))
        t = tr[(tr["group"] == group) & (tr["kind"] == "factor_index")]
        if t.empty:
            return HTML("")
        same = bool(self.findings.meta.get("trend_same_population", False))
        comparisons = self.trend_comparisons()
        prev, cur = self.findings.previous_cycle, self.findings.cycle
        columns = [
            self.col("factor"),
            self.col("comparison"),
            str(prev),
            self.col("n"),
            str(cur),
            self.col("n"),
            f"{self.col('change')} ({self.col('ci')})",
        ]
        factors = []
        for k, part in t.groupby("factor"):
            by = part.set_index("comparison")
            shown = [c for c in comparisons if c in by.index]
            rows = []
            for i, comparison in enumerate(shown):
                r = by.loc[comparison]
                label = "comparison_weighted_same" if same and comparison == "weighted" else ""
                rows.append(
                    [
                        self.cb.factor_name(int(k), self.language) if i == 0 else "",
                        self.text(label or f"comparison_{comparison}"),
                        self._num(r["estimate_prev"], 1),
                        self._n(r["n_prev"]) if i == 0 else "",
                        self._num(r["estimate"], 1),
                        self._n(r["n"]) if i == 0 else "",
                        self._change(r),
                    ]
                )
            factors.append(rows)
        kw = {"group": self.group_label(group), "previous": prev, "current": cur}
        caption = [
            self.text("trend_caption", **kw),
            self.text("trend_same_population" if same else "trend_comparisons", **kw),
            self._significant_note(),
            self._precision_note(t[t["comparison"].isin(comparisons)]),
        ]
        return self._grouped_table(columns, factors, " ".join(c for c in caption if c), "trend")

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

    def _by_label(self, by: str) -> str:
        """A respondent variable's name inside a sentence: its first letter in lower case unless
        it starts an abbreviation ("years of service in Customs")."""
        text = self.cb.variables[by].labels[self.language] if by in self.cb.variables else by
        return text if text[:2].isupper() else text[:1].lower() + text[1:]

    def decomposition_table(self, group: str) -> HTML:
        """A group's raw change split into composition and within-group change, each with its 95%
        CI and significance; the caption names the group and, where the within-group change is
        significant but the standardised change is not, says why the two differ."""
        d = self.findings.tables.get("decomposition")
        if d is None or d.empty:
            return HTML("")
        d = d[(d["group"] == group) & (d["kind"] == "factor_index")]
        if d.empty:
            return HTML("")
        rows = []
        for k, part in d.groupby("factor"):
            row = {self.col("factor"): self.cb.factor_name(int(k), self.language)}
            for _, r in part.iterrows():
                row[self.text(f"part_{r['part']}")] = self._change(r)
            rows.append(row)
        by = self._by_label(d["by"].iloc[0])
        caption = [
            self.text("decomposition_caption", group=self.group_label(group), by=by),
            self._significant_note(),
            self.within_not_standardised(group),
        ]
        table = self._table(
            pd.DataFrame(rows), " ".join(c for c in caption if c), cls="cips decomposition"
        )
        return HTML(f'<div class="table-with-caption">{table}</div>')

    def within_not_standardised(self, group: str) -> str:
        """Why the change within groups of the decomposition can be significant where the
        standardised change is not ("" when no factor of the group is so): the within-group part
        is unweighted and holds only the decomposition variable constant, at the respondents'
        average mix of the two cycles; the standardised change weights both cycles to the same
        population figures, on every weighting variable, with fewer effective respondents."""
        d = self.findings.tables.get("decomposition")
        tr = self.findings.tables.get("trends")
        if d is None or d.empty or tr is None or tr.empty:
            return ""
        within = d[(d["group"] == group) & (d["kind"] == "factor_index") & (d["part"] == "within")]
        comparison = self.trend_comparisons()[-1]
        std = tr[
            (tr["group"] == group)
            & (tr["kind"] == "factor_index")
            & (tr["comparison"] == comparison)
        ]
        both = within.merge(std, on="factor", suffixes=("_within", ""))
        odd = both[both["significant_within"] & ~both["significant"]]
        if odd.empty:
            return ""
        odd = odd.sort_values("factor")
        weakest = odd.loc[odd["effective_sample_size_prev"].idxmin()]
        wider = bool(
            (
                (odd["ci_high"] - odd["ci_low"]) > (odd["ci_high_within"] - odd["ci_low_within"])
            ).all()
        )
        var = str(within["by"].iloc[0])
        by = self._by_label(var)
        kw = {
            "n_eff_prev": self.fmt.count(weakest["effective_sample_size_prev"]),
            "n_prev": self._n(weakest["n_prev"]),
            "n_eff": self.fmt.count(weakest["effective_sample_size"]),
            "n": self._n(weakest["n"]),
            "previous": self.findings.previous_cycle,
            "current": self.findings.cycle,
        }
        names = [self.cb.factor_name(int(k), self.language) for k in odd["factor"]]
        mix = self._decomposition_mix(group, var)
        sample = population = ""
        if mix is not None:
            sample = f" ({mix[0]})"
            population = " (" + self.text("decomposition_mix", shares=mix[1], **kw) + ")"
        return self.text(
            "decomposition_within_note",
            factors=self._listing(names),
            by=by,
            sample=sample,
            population=population,
            why=self.text("decomposition_wider" if wider else "decomposition_not_wider", **kw),
        )

    def _listing(self, names: list[str]) -> str:
        if len(names) <= 1:
            return names[0] if names else ""
        return f"{', '.join(names[:-1])} {self.tpl['words']['and']} {names[-1]}"

    def _decomposition_mix(self, group: str, var: str) -> tuple[str, str] | None:
        """The levels of the decomposition variable at their average share among the two cycles'
        respondents of the group (the within-group part's weights) and at their weighted share in
        this cycle (as the standardised change counts them), e.g. ("manager 54%, non-manager 46%",
        "manager 21%, non-manager 79%"); None without a previous cycle, or when a level has 1 to
        min_cell - 1 respondents in either cycle (its share would give its count away)."""
        if self.previous is None or var not in self.cb.variables:
            return None
        shares = []
        for prepared in (self.previous, self.current):
            data = prepared.data
            if var not in data.columns:
                return None
            in_group = (data["group"] == group).to_numpy()
            cells = data.loc[in_group, var].astype(object)
            counts = cells.value_counts()
            if ((counts > 0) & (counts < self.params.min_cell)).any() or cells.isna().any():
                return None
            shares.append(counts / counts.sum())
        weights = pd.Series(self.current.design.weights.to_numpy()[in_group], index=cells.index)
        weighted = weights.groupby(cells).sum()
        sample = (shares[0].add(shares[1], fill_value=0)) / 2
        population = weighted / weighted.sum()
        levels = [lv for lv in self.cb.variables[var].levels if lv in sample.index]

        def listed(values: pd.Series) -> str:
            return ", ".join(
                f"{self.cb.level_label(var, lv, self.language).lower()} "
                f"{self.fmt.value(100 * values.get(lv, 0.0), '%')}"
                for lv in levels
            )

        return listed(sample), listed(population)

    def quality_table(self) -> HTML:
        q = self.findings.tables["quality"]
        counts = (*self.cb.group_names, "all")
        rows = [
            {
                self.col("screen"): self.labels.get("screens", {}).get(r["screen"], r["screen"]),
                self.col("excludes"): self.text("answer_yes")
                if r["excludes"]
                else self.text("answer_no"),
                **{
                    self.col(c) if c == "all" else self.group_label(c): self._n(
                        r.get(c), r.get(f"hidden_{c}")
                    )
                    for c in counts
                },
            }
            for _, r in q.iterrows()
        ]
        note = self._complementary_note(*(q.get(f"hidden_{c}") for c in counts))
        return self._table(pd.DataFrame(rows), note or None)

    def reliability_table(self) -> HTML:
        rel = self.findings.tables["reliability"]
        if rel.empty:
            return HTML("")
        rows = [
            {
                self.col("factor"): self.cb.factor_name(int(r["factor"]), self.language),
                self.col("group"): self.group_label(r["group"]),
                self.col("items"): int(r["items"]),
                self.col("alpha"): self._num(r["alpha"], 2),
                self.col("ci"): self._ci(r["alpha_ci_low"], r["alpha_ci_high"], 2),
                self.col("n"): self._n(r["n"]),
                self.col("low"): self.text("answer_yes") if r["low"] else self.text("answer_no"),
            }
            for _, r in rel.iterrows()
        ]
        return self._table(
            pd.DataFrame(rows),
            self.text("alpha_note", alpha=self.fmt.number(self.findings.meta["alpha_min"], 1)),
            group_by=self.col("group"),
        )

    def kpi_frame(self) -> pd.DataFrame:
        """The PMM KPI table of this cycle (computed once; the report shows it and ``save`` writes
        it)."""
        if "_kpi_frame" not in self.__dict__:
            self.__dict__["_kpi_frame"] = self._compute_kpis()
        return self.__dict__["_kpi_frame"]

    def _compute_kpis(self) -> pd.DataFrame:
        from ..analysis.kpi import kpi_table, load_kpis

        if self.definitions is not None:
            indicators, kpis = self.definitions.indicators, self.definitions.kpis
        else:  # a Report made by hand
            path = self.params.kpis
            if path is None or not path.exists():
                return pd.DataFrame()
            indicators = load_indicators(self.cb)
            kpis = load_kpis(path, self.cb, indicators, [])
        if not kpis:
            return pd.DataFrame()
        self.__dict__["_kpis"] = dict(kpis)
        cycles = [
            Findings(cycle, None, {}, {"estimates": est})
            for cycle, est in self.findings.history.items()
        ]
        table = kpi_table([*cycles, self.findings], kpis, self.cb, indicators)
        if not table.empty:  # kpis.csv and kpis.xlsx name the KPIs in the report's language
            table["name"] = [kpis[k].name_in(self.language) for k in table["kpi"]]
        return table

    def kpi_table(self) -> HTML:
        k = self.kpi_frame()
        if k.empty:
            return HTML("")
        rows = []
        for kpi, part in k.groupby("kpi", sort=False):
            first = part.iloc[0]
            known = self.__dict__.get("_kpis", {}).get(kpi)
            name = known.name_in(self.language) if known is not None else first["name"]
            row = {self.col("kpi"): kpi, self.col("name"): name}
            for _, r in part.sort_values("cycle").iterrows():
                value = self._num(r["value"], 1)
                if pd.notna(r["value"]):
                    value = f"{value} ({self._ci(r['ci_low'], r['ci_high'], 1)})"
                row[f"{r['cycle']}: {self.col('value')} ({self.col('ci')})"] = value
            row[f"{self.col('n')} ({self.findings.cycle})"] = self._n(part.iloc[-1]["n"])
            rows.append(row)
        return self._table(pd.DataFrame(rows).fillna("–"), self.text("kpi_note"))

    def annex_sheets(self) -> list:
        """The sheets of tables.xlsx (:class:`cipslib.report.annex.AnnexTables`), made once."""
        if "_annex_sheets" not in self.__dict__:
            self.__dict__["_annex_sheets"] = AnnexTables(self).sheets()
        return self.__dict__["_annex_sheets"]

    def annex_workbook_table(self) -> HTML:
        """What tables.xlsx holds: a line per sheet (name, rows, contents)."""
        words = self.labels["workbook"]
        frame = pd.DataFrame(
            [
                {words["sheet"]: s.name, words["rows"]: self._n(s.rows), words["holds"]: s.title}
                for s in self.annex_sheets()
            ]
        )
        return self._table(frame)

    def annex(self) -> HTML:
        """The annex, in the HTML and in the PDF, in the words of tables.xlsx: every question,
        every words-vs-action gap, every subgroup with its 95% CI and n, and what the workbook
        holds."""
        number = iter(range(1, 100))

        def part(key: str, anchor: str) -> HTML:
            text = self.text("annex_table", number=next(number), title=self.text(key))
            return HTML(f'<h3 class="annex-part" id="{anchor}">{html.escape(text)}</h3>')

        parts = [self.paragraph(self.text("annex_intro"))]
        items = self.annex_items_table()
        if str(items):
            parts += [part("annex_items", "annex-items"), items]
        gaps = self.annex_gaps_table()
        if str(gaps):
            parts += [part("annex_gaps", "annex-gaps"), gaps]
        pairs = subgroup_variables(self)
        if pairs:
            parts.append(part("annex_subgroups", "annex-subgroups"))
            parts += [self.subgroup_table(group, variable) for group, variable in pairs]
        parts += [part("annex_workbook", "annex-workbook"), self.annex_workbook_table()]
        return HTML("".join(str(p) for p in parts))

    # -- charts
    # --------------------------------------------------------------------------------------
    def likert(self, factor: int, group: str | None = None):
        """A factor's statements: every group in one chart (a panel each), or one ``group``."""
        from .charts import likert_bars, likert_pair

        if group is None:
            return likert_pair(self.findings, self.cb, factor, self.labels, self.language)
        return likert_bars(self.findings, self.cb, factor, group, self.labels, self.language)

    def factor_chart(self):
        from .charts import factor_dots

        return factor_dots(self.findings, self.cb, self.labels, self.language)

    def heatmap(self, group: str, variable: str):
        from .charts import subgroup_heatmap

        return subgroup_heatmap(self.findings, self.cb, group, variable, self.labels, self.language)

    def trend_chart(self, group: str):
        from .charts import trend_dumbbell

        return trend_dumbbell(self.findings, self.cb, group, self.labels, self.language)

    def gap_chart(self):
        from .charts import gap_chart

        return gap_chart(self.findings, self.cb, self.labels, self.language)

    def sample_chart(self, group: str):
        from .charts import sample_composition

        return sample_composition(self.findings, group, self.cb, self.labels, self.language)

    def series_chart(self, group: str):
        """The factor indices over every cycle (three or more); None without a series."""
        from .charts import series_lines

        return series_lines(self.findings, self.cb, group, self.labels, self.language)

    def driver_chart(self, group: str):
        """The key drivers of the overall integrity rating as an action grid; None without a
        driver analysis."""
        from .charts import driver_grid

        drivers = self.findings.tables.get("drivers")
        if drivers is not None and not drivers.empty and "index" not in drivers.columns:
            factors = self.findings.tables["factors"][["group", "factor", "index"]]
            drivers = drivers.merge(factors, on=["group", "factor"], how="left")
        return driver_grid(drivers, self.cb, group, self.labels, self.language)

    # -- outputs
    # -------------------------------------------------------------------------------------
    def save(self, output_dir: str | Path | None) -> list[Path]:
        """Write findings.json, the full tables (tables.xlsx) and the KPI tables into
        ``output_dir`` (the render's temporary folder)."""
        if not output_dir:
            return []
        from ..analysis.kpi import write_kpis

        out = Path(output_dir)
        out.mkdir(parents=True, exist_ok=True)
        paths = [self.findings.to_json(out / "findings.json")]
        paths.append(write_tables_xlsx(self, out / "tables.xlsx", self.annex_sheets()))
        k = self.kpi_frame()
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


_INTERVAL = re.compile(r"\d[–-]\d")


def _cell_text(value, missing: str) -> str:
    """A cell's HTML: an interval ("53–56", "64 (61–67) ▲") kept on one line, so that a narrow
    column does not break it at its dash."""
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return html.escape(missing, quote=False)
    text = html.escape(str(value), quote=False)
    if len(text) <= 24 and " " not in text and _INTERVAL.search(text):
        return f'<span class="nowrap">{text}</span>'
    return text


def _column_groups(columns: list[str]) -> list[tuple[str | None, list[str]]]:
    """Runs of columns under one group caption: "Officials: Index", "Officials: n" -> ("Officials",
    ["Index", "n"]); a column without a "group: " prefix is a run of its own (group None)."""
    runs: list[tuple[str | None, list[str]]] = []
    for column in columns:
        group, sep, rest = str(column).partition(": ")
        if not sep or not rest:
            runs.append((None, [str(column)]))
        elif runs and runs[-1][0] == group:
            runs[-1][1].append(rest)
        else:
            runs.append((group, [rest]))
    return runs


def table_html(
    frame: pd.DataFrame, missing: str = "", cls: str = "cips", group_by: str | None = None
) -> str:
    """A table's HTML: one header row, or two where columns share a group caption ("Officials:
    Index" and "Officials: n" under one "Officials"); with ``group_by``, a caption row across the
    table wherever that column's value changes (the column itself not shown).

    Examples
    --------
    >>> frame = pd.DataFrame({"Factor": ["A"], "Officials: Index": [62], "Officials: n": [4090]})
    >>> page = table_html(frame)
    >>> page.count("<tr>"), '<th scope="colgroup" colspan="2">Officials</th>' in page
    (3, True)
    >>> twice = pd.DataFrame([[62, 4090, 61, 440]], columns=["2025", "n", "2024", "n"])
    >>> "<td>4090</td><td>61</td><td>440</td>" in table_html(twice)
    True
    """
    columns = [c for c in frame.columns if c != group_by]
    if group_by is not None:  # each group's rows together, in the order the groups come
        first = {v: i for i, v in enumerate(dict.fromkeys(frame[group_by]))}
        frame = frame.sort_values(group_by, key=lambda s: s.map(first), kind="stable")
    runs = _column_groups([str(c) for c in columns])
    grouped = any(group is not None for group, _ in runs)
    esc = lambda text: html.escape(str(text), quote=False)  # noqa: E731
    if grouped:
        top = "".join(
            f'<th scope="col" rowspan="2">{esc(names[0])}</th>'
            if group is None
            else f'<th scope="colgroup" colspan="{len(names)}">{esc(group)}</th>'
            for group, names in runs
        )
        below = "".join(
            f'<th scope="col">{esc(name)}</th>'
            for group, names in runs
            if group is not None
            for name in names
        )
        head = f"<tr>{top}</tr><tr>{below}</tr>"
    else:
        head = "<tr>" + "".join(f'<th scope="col">{esc(c)}</th>' for c in columns) + "</tr>"
    # cells by position: two columns may share a header (this cycle's n and the previous one's)
    shown = [i for i, c in enumerate(frame.columns) if c != group_by]
    by = list(frame.columns).index(group_by) if group_by is not None else None
    rows, current = [], object()
    for values in frame.itertuples(index=False, name=None):
        if by is not None and values[by] != current:
            current = values[by]
            rows.append(
                f'<tr class="row-group"><th scope="rowgroup" colspan="{len(columns)}">'
                f"{_cell_text(current, missing)}</th></tr>"
            )
        rows.append(
            "<tr>" + "".join(f"<td>{_cell_text(values[i], missing)}</td>" for i in shown) + "</tr>"
        )
    return f'<table class="{cls}"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>'


def factors_present(report: Report) -> list[int]:
    """The Revised Arusha Declaration factors the report's findings cover, in order.

    Examples
    --------
    >>> factors_present(Report.build("params/2024.yaml"))
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    """
    return [int(k) for k in sorted(report.findings.tables["factors"]["factor"].unique())]


def groups_present(report: Report) -> list[str]:
    """The codebook's respondent groups (its instruments) that have respondents in this cycle.

    Examples
    --------
    >>> groups_present(Report.build("params/2024.yaml"))
    ['official', 'private']
    """
    present = set(report.current.data["group"].dropna().astype(str))
    return [g for g in report.cb.group_names if g in present]


def subgroup_variables(report: Report) -> list[tuple[str, str]]:
    """(group, respondent variable) pairs with a subgroup table, in the findings' order.

    Examples
    --------
    >>> subgroup_variables(Report.build("params/2024.yaml"))[:2]
    [('official', 'region'), ('official', 'role')]
    """
    s = report.findings.tables["subgroups"]
    if s.empty:
        return []
    return list(dict.fromkeys(zip(s["group"], s["variable"], strict=True)))


__all__ = [
    "HTML",
    "Report",
    "params_path",
    "SECTIONS",
    "factors_present",
    "groups_present",
    "subgroup_variables",
]
