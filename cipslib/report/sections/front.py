"""The front of the report: the title page, the one-page dashboard after it and the executive
summary (the ranked key findings and their story).
"""

from __future__ import annotations

import html
from collections.abc import Mapping

from ...analysis.keyfindings import rule_fields
from ...analysis.omissions import sections_left_out
from ..context import HTML, SECTIONS, Section, groups_present
from ..dashboard import rate_phrase


class Front(Section):
    """The title page, the dashboard and the summary. A report has one as ``report.front``;
    :mod:`cipslib.report.sections` shows each in use."""

    def _published(self) -> str:
        """The title page's line with the publication date and the contact ("" with neither)."""
        rows = self.r.labels["quality_note_rows"]
        parts = []
        if self.r.publication_date():
            parts.append(self.r.text("published_on", date=self.r.publication_date()))
        if self.r.contact():
            parts.append(f"{rows['contact']}: {self.r.contact()}")
        if not parts:
            return ""
        text = ". ".join(part.rstrip(".") for part in parts)
        return f'<p class="published">{html.escape(text)}.</p>'

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
        r = self.r
        if respondents is None:
            groups = r.current.data["group"]
            respondents = {g: int((groups == g).sum()) for g in groups_present(r)}
            rates = {g: rate_phrase(r, g) for g in respondents}
        demo = (
            f'<p class="notice">{html.escape(r.text("demo_notice"))}</p>'
            if r.params.data == "demo"
            else ""
        )
        return HTML(
            '<section class="title-page">'
            f'<p class="kicker">{html.escape(kicker or r.text("report_kind"))}</p>'
            f"<h1>{html.escape(title or r.title)}</h1>"
            f"{self._subtitle(respondents, rates)}{self._published()}{demo}"
            f"{self._contents(sections)}"
            "</section>"
        )

    def _subtitle(self, respondents: Mapping[str, int], rates: Mapping[str, str] | None) -> str:
        """The title page's line of fieldwork dates and mode, and respondents per group."""
        r = self.r
        fw = r.params.fieldwork or {}
        mode = fw.get("mode")
        mode = r.text("mode_online") if mode == "online" else r.text("mode_paper") if mode else ""
        counts = ", ".join(
            f"{r.group_label(g)} {r._n(n)}" + (f" ({rates[g]})" if rates and g in rates else "")
            for g, n in respondents.items()
        )
        dates = r.fmt.dates(fw.get("start"), fw.get("end"))
        return (
            f'<p class="subtitle">{html.escape(r.text("fieldwork"))}: '
            f"{html.escape(dates)}, {html.escape(mode)}. "
            f"{html.escape(r.text('respondents'))}: {html.escape(counts)}.</p>"
        )

    def _contents(self, sections) -> str:
        """The title page's numbered contents, a link to each section."""
        toc = "".join(
            f'<li><a href="#{k}">{i + 1}. {html.escape(self.r.section_title(k))}</a></li>'
            for i, k in enumerate(sections)
        )
        title = html.escape(self.r.text("contents"))
        return f'<nav class="toc"><h2 class="toc-title">{title}</h2><ol>{toc}</ol></nav>'

    def dashboard(self) -> HTML:
        """Page 2: the one-page dashboard (response rate and respondents per group, the ten
        factor indices with their change since the previous cycle, the headline experience
        indicators; :mod:`cipslib.report.dashboard`)."""
        from ..dashboard import dashboard

        return HTML(dashboard(self.r, groups_present(self.r)))

    def summary(self) -> HTML:
        """The executive summary: the ranked key findings marked for it (at most eight) and the
        paragraph that tells their story (nothing when there is none: the heading says why)."""
        if "summary" in sections_left_out(self.r.omitted):
            return HTML("")
        items = "".join(
            f"<li>{html.escape(k['text'])}</li>"
            for k in self.r.findings.key_findings
            if k.get("summary")
        )
        story = self.r.findings.story_text
        lead = html.escape(self.r.text("summary_lead", **rule_fields(self.r.language)))
        return HTML(
            f'<p class="lead">{lead}</p><ol class="key-findings">{items}</ol>'
            f'<h3 class="story-title">{html.escape(self.r.text("story_title"))}</h3>'
            f'<p class="story">{html.escape(story)}</p>'
        )
