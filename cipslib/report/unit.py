"""Building blocks of a unit's report (a region, an office): its factor indices and experience
indicators against the rest of the administration and against its own previous cycle.

A unit report is read beside the national one and uses its words, numbers and layout: the figures
are domain estimates of the national design (:mod:`cipslib.analysis.units`), so nothing is
re-weighted per unit. Which units get a report, and which groups a report shows, follow that
module's anonymity plan; a withheld unit is named on the index page only, without figures.

A batch renders every unit in one kernel: the national notebook builds the national report with
the unit figures and keeps it in the kernel's :data:`national_reports`, and every unit report
reads it from there (:class:`NationalReports`).
"""

from __future__ import annotations

import dataclasses
import html
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..analysis.keyfindings import strongest_and_weakest
from ..analysis.units import UnitFigures
from ..errors import CipsDataError, Problem
from ..inputs.params import CycleParams, load_params
from ..text.catalogue import load_catalogue
from ..text.numbers import NumberFormat
from ..text.typography import tidy
from .blocks import Report
from .context import HTML
from .dashboard import format_rate

UNIT_SECTIONS = ("summary", "unit_factors", "experience", "subgroups", "method")
"""The unit report's numbered sections, in order."""


class NationalReports:
    """The national reports with unit figures that unit reports are read beside, kept by what
    identifies one (:meth:`key`: cycle, data, variable, language and pooling), so that a batch
    computes the national design and findings once: the national notebook keeps the report it
    built (:meth:`keep`), and each unit report asks for the one it needs (:meth:`get`). The
    owner decides how long they live: a render's kernel keeps its batch's in
    :data:`national_reports`; a script or a test makes its own.

    Examples
    --------
    >>> from cipslib.inputs.params import load_params
    >>> NationalReports.key(load_params("params/2025.yaml"), "region", "en")[2:]
    ('region', 'en', True)
    >>> len(NationalReports())
    0
    """

    def __init__(self) -> None:
        self._reports: dict[tuple, Report] = {}

    def __len__(self) -> int:
        return len(self._reports)

    @staticmethod
    def key(params: CycleParams, by: str, language: str) -> tuple:
        """What identifies a national report with unit figures."""
        return (params.cycle, str(params.data_path), by, language, params.units["pool"])

    def keep(self, report: Report) -> Report:
        """Keep ``report`` for the unit reports that follow, when it has unit figures (the
        latest for its key); return it."""
        if report.units is not None:
            self._reports[self.key(report.params, report.units.by, report.language)] = report
        return report

    def get(self, params: CycleParams | str | Path, by: str, language: str | None) -> Report:
        """The national report with the figures of every unit of ``by``: the one kept for the
        same cycle, data, language and pooling; else one kept in another language, in this one
        (only the words differ); else a new one, kept."""
        p = params if isinstance(params, CycleParams) else load_params(params)
        lang = language or p.language
        key = self.key(p, by, lang)
        if key in self._reports:
            return self._reports[key]
        for other, report in list(self._reports.items()):
            if other == self.key(p, by, other[3]):
                return self.keep(dataclasses.replace(report, language=lang))
        return self.keep(Report.build(p, language, units_by=by))


national_reports = NationalReports()
"""The national reports the unit reports of a render read, kept in the render's kernel: the
findings report notebook keeps the one it builds, each unit report notebook run on the same
kernel reads it (a kernel of its own, with ``--jobs``, builds it once)."""


def national_report(
    params: CycleParams | str | Path,
    by: str,
    language: str | None,
    reports: NationalReports | None = None,
) -> Report:
    """The national report with the figures of every unit of ``by``: from ``reports`` (the one
    kept there, or a new one kept there), or a new one.

    Examples
    --------
    >>> report = national_report("params/2025.yaml", "region", "en", national_reports)
    >>> report.units.units[:2]
    ['central_office', 'west']
    >>> national_report("params/2025.yaml", "region", "en", national_reports) is report
    True
    >>> uk = national_report("params/2025.yaml", "region", "uk", national_reports)
    >>> uk.findings.analysed is report.findings.analysed, uk.findings.language
    (True, 'uk')
    """
    if reports is not None:
        return reports.get(params, by, language)
    p = params if isinstance(params, CycleParams) else load_params(params)
    return Report.build(p, language, units_by=by)


@dataclass
class UnitReport:
    """One unit's report, on the national report it is read beside.

    Examples
    --------
    >>> unit = UnitReport.build("params/2025.yaml", "region", "west", "en", national_reports)
    >>> unit.name, unit.groups
    ('Western region', ('official', 'private'))
    """

    national: Report
    unit: str

    @classmethod
    def build(
        cls,
        params: CycleParams | str | Path,
        by: str,
        unit: str,
        language: str | None = None,
        reports: NationalReports | None = None,
    ) -> UnitReport:
        """The report of ``unit``, beside the national report from ``reports`` (a batch's, see
        :class:`NationalReports`), or a new one without."""
        national = national_report(params, by, language, reports)
        reports = national.units.plan.reports
        if unit not in reports:
            raise CipsDataError(
                [
                    Problem(
                        str(national.params.source or "params"),
                        f"no report for the unit '{unit}' of '{by}'",
                        value=unit,
                        expected="one of " + ", ".join(reports),
                    )
                ]
            )
        return cls(national, unit)

    # -- what the report shows
    # ------------------------------------------------------------------------
    @property
    def figures(self) -> UnitFigures:
        return self.national.units

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        return self.figures.report(self.unit)

    @property
    def groups(self) -> tuple[str, ...]:
        """The groups this unit's report shows (each with at least ``min_cell`` respondents)."""
        return self.figures.plan.reports[self.unit]

    @property
    def name(self) -> str:
        return self.national.unit_name(self.unit)

    @property
    def title(self) -> str:
        return f"{self.national.title}: {self.name}"

    def respondents(self) -> dict[str, int]:
        """Respondents of the unit per group shown (the pool: its withheld units together)."""
        data = self.national.current.data
        cells = self.figures.plan.assign(data[self.figures.by], data["group"])
        groups = data["group"].astype(object).to_numpy()
        return {g: int(((cells == self.unit) & (groups == g)).sum()) for g in self.groups}

    def response_rates(self) -> dict[str, str]:
        """The unit's response rate per group shown, in words ("response rate 40.9%", or that
        it cannot be computed: no population count of the unit in the group's figures)."""
        t = self.figures.response
        out = {}
        for g in self.groups:
            row = t[(t["unit"] == self.unit) & (t["group"] == g)] if not t.empty else t
            rate = row["rate"].iloc[0] if len(row) else np.nan
            out[g] = (
                self._text("response_rate_phrase", rate=format_rate(self.national.fmt, rate))
                if pd.notna(rate)
                else self._text("unit_response_none")
            )
        return out

    def save(self, output_dir: str | Path | None) -> list[Path]:
        """Write the unit's tables (``tables.xlsx``: a contents sheet, then estimates, differences,
        changes, subgroups and, where computed, response; hidden cells read "<10") into
        ``output_dir`` (the render's folder of the unit)."""
        if not output_dir:
            return []
        from .annex import AnnexTables, unique_sheet_name, write_tables_xlsx

        r = self.national
        annex = AnnexTables(r)
        titles = r.labels.get("unit_tables", {})
        taken = {annex.words["contents"].lower()}
        sheets = []
        for name, table in self.tables.items():
            if table is None or table.empty:
                continue
            sheet = annex.sheet(name, table.assign(unit=self.name))
            sheet.title = titles.get(name, sheet.title)
            sheet.name = unique_sheet_name(sheet.name, taken)
            sheets.append(sheet)
        out = Path(output_dir)
        out.mkdir(parents=True, exist_ok=True)
        return [write_tables_xlsx(r, out / "tables.xlsx", sheets)]

    def _text(self, key: str, **kw) -> str:
        return self.national.text(key, **kw)

    def _rows(self, table: str, group: str, kind: str) -> pd.DataFrame:
        t = self.tables[table]
        if t.empty:
            return t
        return t[(t["group"] == group) & (t["kind"] == kind)]

    # -- sections
    # ------------------------------------------------------------------------------------
    def title_page(self) -> HTML:
        return self.national.front.title_page(
            kicker=self._text("unit_kind"),
            title=self.title,
            sections=UNIT_SECTIONS,
            respondents=self.respondents(),
            rates=self.response_rates(),
        )

    def heading(self, key: str) -> HTML:
        return self.national.heading(key, UNIT_SECTIONS)

    def summary(self) -> HTML:
        """A few generated sentences per group: strongest and weakest factor, the significant
        differences from the rest (Holm) and the changes since the unit's previous cycle."""
        parts = [sentence for g in self.groups for sentence in self._summary_of(g)]
        return HTML("".join(str(self.national.paragraph(p)) for p in parts))

    def _summary_of(self, group: str) -> list[str]:
        r, fmt = self.national, self.national.fmt
        name = lambda k: r.cb.factor_name(int(k), r.language)  # noqa: E731
        extremes = strongest_and_weakest(self._rows("estimates", group, "factor_index"), "estimate")
        out = []
        if extremes is not None:
            hi, lo = extremes
            out.append(
                self._text(
                    "unit_strong_weak",
                    group=r.group_label(group),
                    strongest=name(hi["factor"]),
                    high=fmt.value(hi["estimate"], "index"),
                    weakest=name(lo["factor"]),
                    low=fmt.value(lo["estimate"], "index"),
                )
            )
        diff = self._rows("differences", group, "factor_index")
        sig = diff[diff["significant"]] if not diff.empty else diff
        listed = "; ".join(
            f"{name(x['factor'])} {fmt.value(x['difference'], 'points', signed=True)}"
            for _, x in sig.sort_values("difference", ascending=False).iterrows()
        )
        out.append(
            self._text(
                "unit_vs_rest",
                up=int((sig["difference"] > 0).sum()) if len(sig) else 0,
                down=int((sig["difference"] < 0).sum()) if len(sig) else 0,
                total=len(diff),
                listed=f" ({listed})" if listed else "",
            )
        )
        ch = self._rows("changes", group, "factor_index")
        if self.figures.previous_cycle is None or ch.empty:
            out.append(self._text("unit_no_previous"))
        else:
            s = ch[ch["significant"]]
            out.append(
                self._text(
                    "unit_changes",
                    previous=self.figures.previous_cycle,
                    up=int((s["change"] > 0).sum()),
                    down=int((s["change"] < 0).sum()),
                    total=len(ch),
                )
            )
        return out

    def factor_chart(self, group: str):
        from .charts import unit_dots

        r = self.national
        return unit_dots(
            self.figures, self.unit, r.cb, group, r.labels, r.language, unit_name=self.name
        )

    def _group_name(self, group: str) -> str:
        """The group's name inside a sentence ("officials"): its label with a small first letter."""
        return self.national.cb.group_lower(group, self.national.language)

    def factors_table(self, group: str) -> HTML:
        """Per factor: the unit's index with its CI and n, the rest's, the difference with its CI
        and Holm-adjusted p, and the unit's index in its previous cycle with its n and the change
        since then; captioned with the unit and the group."""
        return self._comparison_table(group, "factor_index", 0)

    def experience_table(self, group: str) -> HTML:
        """The group's experience indicators (%): the unit against the rest and its last
        cycle."""
        return self._comparison_table(group, "indicator", 0)

    def _comparison_table(self, group: str, kind: str, decimals: int) -> HTML:
        r = self.national
        est = self._rows("estimates", group, kind)
        if est.empty:
            return HTML("")
        diff = self._rows("differences", group, kind).set_index("measure")
        ch = self._rows("changes", group, kind)
        ch = ch.set_index("measure") if not ch.empty else ch
        previous = self.figures.previous_cycle if not ch.empty else None
        first = r.col("factor") if kind == "factor_index" else r.col("indicator")
        columns = [
            first,
            f"{self.figures.cycle} ({r.col('ci')})",
            r.col("n"),
            r.col("rest"),
            f"{r.col('difference')} ({r.col('ci')})",
        ]
        if previous is not None:
            columns += [str(previous), r.col("n"), f"{r.col('change')} ({r.col('ci')})"]
        rows = []
        for _, e in est.iterrows():
            shown = (
                f"{r._num(e['estimate'], decimals)} ({r._ci(e['ci_low'], e['ci_high'])})"
                if pd.notna(e["estimate"])
                else r._hidden()
            )
            d = diff.loc[e["measure"]] if e["measure"] in diff.index else None
            row = [
                self._label(e),
                r._marked(shown, e),
                r._n(e["n"]),
                r._num(d["estimate_rest"], decimals) if d is not None else "–",
                self._signed(d, "difference"),
            ]
            if previous is not None:
                c = ch.loc[e["measure"]] if e["measure"] in ch.index else None
                row += [
                    r._num(c["estimate_prev"], decimals) if c is not None else "–",
                    r._n(c["n_prev"]) if c is not None else "–",
                    self._signed(c, "change"),
                ]
            rows.append(row)
        what = "unit_caption_factors" if kind == "factor_index" else "unit_caption_indicators"
        marked = pd.concat([est, ch.reset_index()] if previous is not None else [est])
        notes = [
            self._text(
                what, unit=self.name, group=self._group_name(group), cycle=self.figures.cycle
            ),
            self._text("unit_table_note"),
            self._text("unit_change_note", previous=previous) if previous is not None else "",
            r._precision_note(marked),
        ]
        table = r._table(
            pd.DataFrame(rows, columns=columns), " ".join(x for x in notes if x), "cips compare"
        )
        return HTML(f'<div class="table-with-caption">{table}</div>')

    def _label(self, row: pd.Series) -> str:
        r = self.national
        if row["kind"] == "indicator":
            inds = r.findings.tables["experience"]
            match = inds[inds["indicator"] == row["ref"]]
            return str(match["text"].iloc[0]) if len(match) else str(row["ref"])
        return r.cb.factor_name(int(row["factor"]), r.language)

    def _signed(self, row, column: str) -> str:
        """A difference or change with its CI, * when significant and † when of low precision
        ("–" when there is none)."""
        r = self.national
        if row is None or pd.isna(row.get(column, np.nan)):
            return "–"
        mark = " *" if bool(row.get("significant", False)) else ""
        value = r.fmt.number(row[column], 1, signed=True)
        return r._marked(f"{value} ({r._ci(row['ci_low'], row['ci_high'], 1)}){mark}", row)

    def subgroup_tables(self) -> HTML:
        """The unit's factor indices by level of the subgroup variables (e.g. role), each with its
        95% CI, the levels in the codebook's order and a last row with their n; hidden cells read
        "<10" (primary and secondary suppression across units and levels)."""
        r = self.national
        sub = self.tables["subgroups"]
        if sub.empty:
            return r.paragraph(self._text("unit_no_subgroups"))
        parts = []
        sub = sub[sub["kind"] == "factor_index"]
        for (group, variable), part in sub.groupby(["group", "variable"], sort=False):
            title = f"{r.group_label(group)}: {r.cb.variables[variable].labels[r.language]}"
            parts += [str(r.subheading(title)), str(self._subgroup_table(group, variable, part))]
        return HTML("".join(parts))

    def _subgroup_table(self, group: str, variable: str, part: pd.DataFrame) -> HTML:
        r = self.national
        known = list(r.cb.variables[variable].levels) if variable in r.cb.variables else []
        present = list(dict.fromkeys(part["level"]))
        levels = [lv for lv in known if lv in present] + [lv for lv in present if lv not in known]
        names = [r.cb.level_label(variable, lv, r.language) if lv in known else lv for lv in levels]
        cells = part.set_index(["factor", "level"])
        rows = []
        for k in sorted(part["factor"].unique()):
            row = [r.cb.factor_name(int(k), r.language)]
            for lv in levels:
                if (k, lv) not in cells.index or pd.isna(cells.loc[(k, lv), "estimate"]):
                    row.append(r._hidden())
                    continue
                c = cells.loc[(k, lv)]
                row.append(
                    r._marked(f"{r._num(c['estimate'])} ({r._ci(c['ci_low'], c['ci_high'])})", c)
                )
            rows.append(row)
        counts = []
        for lv in levels:
            n = part.loc[(part["level"] == lv) & part["estimate"].notna(), "n"]
            lo, hi = (n.min(), n.max()) if len(n) else (np.nan, np.nan)
            counts.append(r._n(lo) if lo == hi or pd.isna(lo) else f"{r._n(lo)}–{r._n(hi)}")
        rows.append([r.col("n"), *counts])
        frame = pd.DataFrame(rows, columns=[r.col("factor"), *names])
        caption = [
            self._text(
                "unit_caption_subgroups",
                unit=self.name,
                group=self._group_name(group),
                variable=r._by_label(variable),
            ),
            r._precision_note(part),
        ]
        table = r._table(frame, " ".join(x for x in caption if x), "cips compare")
        return HTML(f'<div class="table-with-caption">{table}</div>')

    def method(self) -> HTML:
        r = self.national
        return HTML(
            str(r.paragraph(self._text("unit_method", min_cell=r.params.min_cell)))
            + str(r.paragraph(self._text("unit_weighting_text", variables=self._weighting())))
            + str(
                r.paragraph(
                    r.text("suppression_text", min_cell=r.params.min_cell, hidden=r._hidden())
                )
            )
        )

    def _weighting(self) -> str:
        """The variables each group shown is raked on, e.g. "officials: region, position and years
        of service; private sector: type of business"."""
        r = self.national
        pops = r.current.populations
        parts = []
        for g in self.groups:
            if g not in pops:
                continue
            names = [r._by_label(v) for v in pops[g].margins]
            parts.append(f"{self._group_name(g)}: {r._listing(names)}")
        return "; ".join(parts) or "–"


def index_body(units: dict, national_link: str, unit_links: dict[str, dict | str]) -> str:
    """The index page's body from the national report's ``units.json``
    (:meth:`Report.units_document`): the national report; a table of every unit report with its
    respondents and response rate per group and its links (``unit_links``: per unit, the
    ``html``, ``pdf`` and ``xlsx`` files and the report in each other language by its code, or
    one link); and the units (or groups of a unit) that got no report, by name only: no figure,
    no count.

    Examples
    --------
    >>> doc = national_report("params/2025.yaml", "region", "en", national_reports).units_document()
    >>> body = index_body(doc, "findings.html", {"west": "units/west/west.html"})
    >>> "units/west/west.html" in body and "Western region" in body
    True
    >>> "<td>Western region</td><td>1,068</td><td>40.9%</td>" in body
    True
    """
    catalogue = load_catalogue(units["language"])
    t = catalogue["report"]
    fmt = NumberFormat.of(catalogue)
    words = {k: tidy(t[k]) for k in t if k.startswith("unit_index")}
    groups = dict(units.get("groups") or {})  # the codebook's order and labels
    names = {u["unit"]: u["name"] for u in units["units"]}
    shown = [u for u in units["units"] if u["unit"] in unit_links]
    present = {g for u in shown for g in u["groups"]}
    in_order = [g for g in groups if g in present] + sorted(present - set(groups))
    esc = html.escape

    def link(href: str, text: str, lang: str | None = None) -> str:
        hreflang = f' hreflang="{esc(lang)}"' if lang else ""
        return f'<a href="{esc(href)}"{hreflang}>{esc(text)}</a>'

    def files(links: dict | str) -> str:
        if isinstance(links, str):
            return link(links, words["unit_index_html"])
        out = [link(links[k], words[f"unit_index_{k}"]) for k in ("html", "pdf") if k in links]
        for lang in units.get("languages", []):
            if lang in links:
                other = load_catalogue(lang)["report"]["language_name"]
                out.append(link(links[lang], other, lang))
        if "xlsx" in links:
            out.append(link(links["xlsx"], words["unit_index_workbook"]))
        return " · ".join(out)

    head = [words["unit_index_unit"]]
    for g in in_order:
        head += [
            words["unit_index_respondents"].format(group=groups.get(g, g)),
            words["unit_index_rate"].format(group=groups.get(g, g)),
        ]
    head.append(words["unit_index_files"])
    rows = []
    for u in shown:
        cells = [esc(u["name"])]
        for g in in_order:
            n = (u.get("respondents") or {}).get(g)
            rate = (u.get("response_rate") or {}).get(g)
            cells += [
                fmt.count(n) if g in u["groups"] and n is not None else "–",
                format_rate(fmt, rate) if g in u["groups"] and rate is not None else "–",
            ]
        cells.append(files(unit_links[u["unit"]]))
        rows.append("".join(f"<td>{c}</td>" for c in cells))
    table = (
        '<div class="table-scroll"><table class="cips units-index"><thead><tr>'
        + "".join(f"<th>{esc(h)}</th>" for h in head)
        + "</tr></thead><tbody>"
        + "".join(f"<tr>{r}</tr>" for r in rows)
        + f'</tbody></table></div><p class="caption">{esc(words["unit_index_rate_note"])}</p>'
    )
    parts = [
        f'<p class="kicker">{esc(words["unit_index_kind"])}</p>',
        f"<h1>{esc(units['title'])}</h1>",
        f"<p>{link(national_link, words['unit_index_national'])}</p>",
        f"<h2>{esc(words['unit_index_units'])}</h2>{table}",
    ]
    if units["withheld"]:
        listed = "; ".join(
            w["name"] + (f" ({groups.get(w['group'], w['group'])})" if w["unit"] in names else "")
            for w in units["withheld"]
        )
        parts.append(
            f"<h2>{esc(words['unit_index_withheld'])}</h2>"
            + "<p>"
            + esc(words["unit_index_withheld_text"].format(min_cell=units["min_cell"]))
            + f"</p><p>{esc(listed)}</p>"
        )
    return "".join(parts)


__all__ = [
    "UNIT_SECTIONS",
    "NationalReports",
    "UnitReport",
    "index_body",
    "national_report",
    "national_reports",
]
