"""The report's shared context: the findings of one cycle in one language, and the helpers every
section of the report writes with.

A :class:`ReportContext` holds what a section needs (the params, the prepared cycles, the
findings, the language, the unit figures and the indicator and KPI definitions) and writes with
it: words from the language catalogue (:meth:`~ReportContext.text`, :meth:`~ReportContext.col`),
numbers rounded only here and in the language's format (``_pct``, ``_num``, ``_ci``, ``_n``),
hidden cells as disclosure control marks them ("<10", "x"), tables (``_table``,
:func:`table_html`) and headings. A section of the report (:mod:`cipslib.report.sections`) is
a :class:`Section` made on a context; :class:`~cipslib.report.blocks.Report` is the context
with its sections.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..analysis.disclosure import COMPLEMENTARY, COMPLEMENTARY_MARK, hidden_mark
from ..analysis.findings import Findings
from ..analysis.omissions import omission_text, sections_left_out
from ..analysis.prepare import Definitions, PreparedCycle
from ..analysis.units import UnitFigures
from ..inputs.codebook import Codebook
from ..inputs.params import CycleParams
from ..text.catalogue import load_catalogue, report_languages
from ..text.numbers import NumberFormat
from ..text.typography import tidy
from .localise import localise

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


@dataclass
class ReportContext:
    """The findings of one cycle with the language they are reported in, and the helpers that
    write them: what every section of the report shares.

    Examples
    --------
    >>> from cipslib.report import Report
    >>> r = Report.build("params/2024.yaml", "uk")
    >>> str(r.heading("factors"))[:40]
    '<h2 id="factors">3. Десять чинників коро'
    >>> r._ci(61.04, 64.4), r._n(1234), r._num(None)
    ('61–64', '1\xa0234', '<10')
    >>> from cipslib.report.sections import Factors      # a section, made on the context
    >>> str(Factors(r).heading(3)) == str(r.factors.heading(3))
    True
    """

    params: CycleParams
    current: PreparedCycle
    previous: PreparedCycle | None
    findings: Findings
    language: str = "en"
    units: UnitFigures | None = None
    definitions: Definitions | None = None

    def __post_init__(self):
        # the findings' keys in this report's words, looked up once (report/localise.py)
        inds = self.definitions.indicators if self.definitions is not None else None
        self.findings = localise(self.findings, self.cb, self.language, inds)

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
        text = row["text"]
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

    @property
    def title(self) -> str:
        """The report title in the report's language (params ``title`` may give one per
        language)."""
        t = self.params.title
        if isinstance(t, dict):
            return str(t.get(self.language) or t.get("en") or next(iter(t.values()), ""))
        return t or f"CIPS {self.params.cycle}"

    def _factor_label(self, factor) -> str:
        """A factor as a table's row names it: its number and name ("3. Transparency")."""
        return f"{int(factor)}. {self.cb.factor_name(int(factor), self.language)}"

    def _by_label(self, by: str) -> str:
        """A respondent variable's name inside a sentence: its first letter in lower case unless
        it starts an abbreviation ("years of service in Customs")."""
        text = self.cb.variables[by].labels[self.language] if by in self.cb.variables else by
        return text if text[:2].isupper() else text[:1].lower() + text[1:]

    def _listing(self, names: list[str]) -> str:
        """Names listed in a sentence: "a, b and c" in the report's language."""
        if len(names) <= 1:
            return names[0] if names else ""
        return f"{', '.join(names[:-1])} {self.tpl['words']['and']} {names[-1]}"


class Section:
    """A section of the report, made on the report's shared context ``r`` (a
    :class:`ReportContext`): each of its methods returns what a notebook cell shows (HTML, a
    figure, or a list of them)."""

    def __init__(self, r: ReportContext):
        self.r = r


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
    head = _table_head([str(c) for c in columns])
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


def _table_head(columns: list[str]) -> str:
    """A table's header rows: one, or two where columns share a group caption."""
    runs = _column_groups(columns)
    esc = lambda text: html.escape(str(text), quote=False)  # noqa: E731
    if not any(group is not None for group, _ in runs):
        return "<tr>" + "".join(f'<th scope="col">{esc(c)}</th>' for c in columns) + "</tr>"
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
    return f"<tr>{top}</tr><tr>{below}</tr>"


def factors_present(report: ReportContext) -> list[int]:
    """The Revised Arusha Declaration factors the report's findings cover, in order.

    Examples
    --------
    >>> from cipslib.report import Report
    >>> factors_present(Report.build("params/2024.yaml"))
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    """
    return [int(k) for k in sorted(report.findings.tables["factors"]["factor"].unique())]


def groups_present(report: ReportContext) -> list[str]:
    """The codebook's respondent groups (its instruments) that have respondents in this cycle.

    Examples
    --------
    >>> from cipslib.report import Report
    >>> groups_present(Report.build("params/2024.yaml"))
    ['official', 'private']
    """
    present = set(report.current.data["group"].dropna().astype(str))
    return [g for g in report.cb.group_names if g in present]


def subgroup_variables(report: ReportContext) -> list[tuple[str, str]]:
    """(group, respondent variable) pairs with a subgroup table, in the findings' order.

    Examples
    --------
    >>> from cipslib.report import Report
    >>> subgroup_variables(Report.build("params/2024.yaml"))[:2]
    [('official', 'region'), ('official', 'role')]
    """
    s = report.findings.tables["subgroups"]
    if s.empty:
        return []
    return list(dict.fromkeys(zip(s["group"], s["variable"], strict=True)))


__all__ = [
    "HTML",
    "LOW_PRECISION_MARK",
    "ReportContext",
    "SECTIONS",
    "SIGNIFICANT_MARK",
    "Section",
    "factors_present",
    "groups_present",
    "subgroup_variables",
    "table_html",
]
