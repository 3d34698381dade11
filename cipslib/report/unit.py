"""Building blocks of a unit's report (a region, an office): its factor indices and experience
indicators against the rest of the administration and against its own previous cycle.

A unit report is read beside the national one and uses its words, numbers and layout: the figures
are domain estimates of the national design (:mod:`cipslib.analysis.units`), so nothing is
re-weighted per unit. Which units get a report, and which groups a report shows, follow that
module's anonymity plan; a withheld unit is named on the index page only, without figures.

A batch renders every unit in one kernel: :func:`national_report` builds the national report and
the unit figures once per process and every unit report reuses them.
"""

from __future__ import annotations

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
from .blocks import HTML, WITH_UNITS, Report
from .dashboard import format_rate

UNIT_SECTIONS = ("summary", "unit_factors", "experience", "subgroups", "method")
"""The unit report's numbered sections, in order."""


def national_report(params: CycleParams | str | Path, by: str, language: str | None) -> Report:
    """The national report with the figures of every unit of ``by``: the one this process built
    last for the same cycle, data, language and pooling (a batch's national notebook builds it,
    its unit reports reuse it), else a new one.

    Examples
    --------
    >>> report = national_report("params/2025.yaml", "region", "en")
    >>> report.units.units[:2]
    ['central_office', 'west']
    >>> national_report("params/2025.yaml", "region", "en") is report
    True
    """
    p = params if isinstance(params, CycleParams) else load_params(params)
    key = Report.units_key(p, by, language or p.language)
    return WITH_UNITS.get(key) or Report.build(p, language, units_by=by)


@dataclass
class UnitReport:
    """One unit's report, on the national report it is read beside.

    Examples
    --------
    >>> unit = UnitReport.build("params/2025.yaml", "region", "west")
    >>> unit.name, unit.groups
    ('Western region', ('official', 'private'))
    """

    national: Report
    unit: str

    @classmethod
    def build(
        cls, params: CycleParams | str | Path, by: str, unit: str, language: str | None = None
    ) -> UnitReport:
        national = national_report(params, by, language)
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
        return self.national.title_page(
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
                    group=r.text(group),
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

    def factors_table(self, group: str) -> HTML:
        """Per factor: the unit's index with its CI and n, the rest's, the difference with its CI
        and Holm-adjusted p, and the change since the unit's previous cycle."""
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
        rows = []
        for _, e in est.iterrows():
            row = {r.col("group"): r.text(group), r.col("indicator"): self._label(e)}
            row[self.name] = r._marked(
                f"{r._num(e['estimate'], decimals)} ({r._ci(e['ci_low'], e['ci_high'])})"
                if pd.notna(e["estimate"])
                else r._hidden(),
                e,
            )
            row[r.col("n")] = r._n(e["n"])
            d = diff.loc[e["measure"]] if e["measure"] in diff.index else None
            row[r.col("rest")] = r._num(d["estimate_rest"], decimals) if d is not None else "–"
            row[r.col("difference")] = self._signed(d, "difference", "p_holm")
            c = ch.loc[e["measure"]] if not ch.empty and e["measure"] in ch.index else None
            row[f"{r.col('change')} {self.figures.previous_cycle or ''}".strip()] = self._signed(
                c, "change", "p_value"
            )
            rows.append(row)
        frame = pd.DataFrame(rows).drop(columns=[r.col("group")])
        if kind == "factor_index":
            frame = frame.rename(columns={r.col("indicator"): r.col("factor")})
        note = " ".join(x for x in (self._text("unit_table_note"), r._precision_note(est)) if x)
        return r._table(frame, note)

    def _label(self, row: pd.Series) -> str:
        r = self.national
        if row["kind"] == "indicator":
            inds = r.findings.tables["experience"]
            match = inds[inds["indicator"] == row["ref"]]
            return str(match[f"text_{r.language}"].iloc[0]) if len(match) else str(row["ref"])
        return r.cb.factor_name(int(row["factor"]), r.language)

    def _signed(self, row, column: str, p_column: str) -> str:
        """A difference or change with its CI, and * when significant ("–" when there is none)."""
        r = self.national
        if row is None or pd.isna(row.get(column, np.nan)):
            return "–"
        mark = " *" if bool(row.get("significant", False)) else ""
        value = r.fmt.number(row[column], 1, signed=True)
        return f"{value} ({r._ci(row['ci_low'], row['ci_high'], 1)}){mark}"

    def subgroup_tables(self) -> HTML:
        """The unit's factor indices by level of the subgroup variables (e.g. role), hidden cells
        read "<10" (primary and secondary suppression across units and levels)."""
        r = self.national
        sub = self.tables["subgroups"]
        if sub.empty:
            return r.paragraph(self._text("unit_no_subgroups"))
        parts = []
        sub = sub[sub["kind"] == "factor_index"]
        for (group, variable), part in sub.groupby(["group", "variable"], sort=False):
            wide = part.assign(
                shown=[
                    r._marked(r._num(v), row)
                    for v, (_, row) in zip(part["estimate"], part.iterrows(), strict=True)
                ],
                level_name=[r.cb.level_label(variable, lv, r.language) for lv in part["level"]],
            ).pivot_table(index="factor", columns="level_name", values="shown", aggfunc="first")
            wide.columns.name = None
            wide.index = [r.cb.factor_name(int(k), r.language) for k in wide.index]
            wide = wide.reset_index().rename(columns={"index": r.col("factor")})
            title = f"{r.text(group)}: {r.cb.variables[variable].labels[r.language]}"
            parts += [str(r.subheading(title)), str(r._table(wide.fillna(r._hidden())))]
        return HTML("".join(parts))

    def method(self) -> HTML:
        r = self.national
        return HTML(
            str(r.paragraph(self._text("unit_method", min_cell=r.params.min_cell)))
            + str(r.paragraph(r.text("weighting_text")))
            + str(
                r.paragraph(
                    r.text("suppression_text", min_cell=r.params.min_cell, hidden=r._hidden())
                )
            )
        )


def index_body(units: dict, national_link: str, unit_links: dict[str, str]) -> str:
    """The index page's body from the national report's ``units.json``
    (:meth:`Report.units_document`): the national report, every unit report with its
    respondents and response rate per group (as its own report shows them), and the units (or
    groups of a unit) that got no report, by name only: no figure, no count.

    Examples
    --------
    >>> doc = national_report("params/2025.yaml", "region", "en").units_document()
    >>> body = index_body(doc, "findings.html", {"west": "units/west/west.html"})
    >>> "units/west/west.html" in body and "Western region" in body
    True
    >>> "Officials: respondents 1,068, response rate 40.9%" in body
    True
    """
    catalogue = load_catalogue(units["language"])
    t = catalogue["report"]
    words = {k: " ".join(str(t[k]).split()) for k in t if k.startswith("unit_index")}
    groups = {g: t[g] for g in ("official", "private")}
    names = {u["unit"]: u["name"] for u in units["units"]}
    fmt = NumberFormat.of(catalogue)

    def shown(u: dict) -> str:
        counts, rates = u.get("respondents") or {}, u.get("response_rate") or {}
        if not counts:  # a units.json without figures: the groups only
            return ", ".join(groups.get(g, g) for g in u["groups"])
        parts = []
        for g in u["groups"]:
            n, rate = fmt.count(counts[g]), rates.get(g)
            if rate is None:
                parts.append(words["unit_index_group_no_rate"].format(group=groups.get(g, g), n=n))
                continue
            phrase = " ".join(str(t["response_rate_phrase"]).split())
            rate = phrase.format(rate=format_rate(fmt, rate))
            parts.append(words["unit_index_group"].format(group=groups.get(g, g), n=n, rate=rate))
        return "; ".join(parts)

    items = "".join(
        f'<li><a href="{html.escape(unit_links[u["unit"]])}">{html.escape(u["name"])}</a> '
        f"({html.escape(shown(u))})</li>"
        for u in units["units"]
        if u["unit"] in unit_links
    )
    parts = [
        f'<p class="kicker">{html.escape(words["unit_index_kind"])}</p>',
        f"<h1>{html.escape(units['title'])}</h1>",
        f'<p><a href="{html.escape(national_link)}">{html.escape(words["unit_index_national"])}'
        "</a></p>",
        f"<h2>{html.escape(words['unit_index_units'])}</h2><ul>{items}</ul>",
    ]
    without_rate = any(
        g in (u.get("respondents") or {}) and (u.get("response_rate") or {}).get(g) is None
        for u in units["units"]
        if u["unit"] in unit_links
        for g in u["groups"]
    )
    if without_rate:
        parts.append(f'<p class="caption">{html.escape(words["unit_index_no_rate"])}</p>')
    if units["withheld"]:
        listed = "; ".join(
            w["name"] + (f" ({groups.get(w['group'], w['group'])})" if w["unit"] in names else "")
            for w in units["withheld"]
        )
        parts.append(
            f"<h2>{html.escape(words['unit_index_withheld'])}</h2>"
            + "<p>"
            + html.escape(words["unit_index_withheld_text"].format(min_cell=units["min_cell"]))
            + f"</p><p>{html.escape(listed)}</p>"
        )
    return "".join(parts)


__all__ = ["UNIT_SECTIONS", "UnitReport", "index_body", "national_report"]
