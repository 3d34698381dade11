"""The one-page dashboard that opens the report, right after the title page: who took part (the
response rate and respondents per group, against the population figures), the ten factor indices
per group with their change since the previous cycle and its significance, and the headline
experience indicators.

Every number comes from the findings (``response``, ``factors``, ``experience`` and ``trends``);
every word from the language catalogue; numbers are written by the language's
:class:`~cipslib.text.numbers.NumberFormat`. A change is the standardised one (both cycles
weighted to the same population figures), the comparison the key findings use; it is marked as a
significant rise or fall when its p-value is below the params' ``significance``.
"""

from __future__ import annotations

import html
from typing import Any

import pandas as pd

from ..text.numbers import NumberFormat

Report = Any
"""A :class:`cipslib.report.blocks.Report` (this module is imported by it, so it does not import
it back)."""

RATE_DECIMALS = 1
"""Decimals of a response rate: a rate of a few percent (a business frame) needs one."""
NONE = "–"
"""What a cell reads when there is nothing to show (no previous cycle, a question not asked)."""


def format_rate(fmt: NumberFormat, rate: float | None) -> str:
    """A response rate as the language writes a percentage, with one decimal ("–" when there is
    none).

    Examples
    --------
    >>> format_rate(NumberFormat({}), 41.2732), format_rate(NumberFormat({}), None)
    ('41.3%', '–')
    >>> format_rate(NumberFormat({"locale": "fr"}), 1.628)
    '1,6\\xa0%'
    """
    if rate is None or pd.isna(rate):
        return NONE
    return fmt.percent(rate, RATE_DECIMALS)


def group_response(report: Report, group: str) -> pd.Series | None:
    """The ``response`` table's row of a group (None when the findings have none)."""
    t = report.findings.tables.get("response")
    if t is None or t.empty:
        return None
    rows = t[(t["group"] == group) & t["variable"].isna()]
    return rows.iloc[0] if len(rows) else None


def rate_phrase(report: Report, group: str) -> str:
    """The response rate of a group in words, for a line of text ("response rate 41.3%", or that it
    cannot be computed).

    Examples
    --------
    >>> from cipslib.report.blocks import Report
    >>> rate_phrase(Report.build("params/2025.yaml"), "official")
    'response rate 41.3%'
    """
    r = group_response(report, group)
    if r is None or pd.isna(r["population"]):
        return report.text("response_rate_none_short")
    if pd.isna(r["rate"]):
        return report.text("response_rate_phrase", rate=report._hidden(r["hidden"]))
    return report.text("response_rate_phrase", rate=format_rate(report.fmt, r["rate"]))


def _tile(report: Report, group: str) -> str:
    r = group_response(report, group)
    name = html.escape(report.group_label(group))
    if r is None or pd.isna(r["population"]):
        n = r["respondents"] if r is not None else float("nan")
        big, lines = NONE, [report.text("response_rate_none")]
        lines.append(report.text("response_respondents", n=report._n(n)))
    else:
        big = (
            format_rate(report.fmt, r["rate"])
            if pd.notna(r["rate"])
            else report._hidden(r["hidden"])
        )
        lines = [
            report.text(
                "response_of",
                n=report._n(r["in_scope"], r["hidden"]),
                population=report.fmt.count(r["population"]),
            )
        ]
        lines.append(report.text("response_respondents", n=report._n(r["respondents"])))
        if r["reference_date"]:
            lines.append(
                report.text("response_reference", date=report.fmt.date(r["reference_date"]))
            )
    small = "".join(f"<span>{html.escape(x)}</span>" for x in lines)
    return (
        f'<div class="tile"><p class="tile-group">{name}</p>'
        f'<p class="tile-value">{html.escape(big)} '
        f'<span class="tile-label">{html.escape(report.text("response_rate"))}</span></p>'
        f'<p class="tile-note">{small}</p></div>'
    )


def _changes(report: Report, kind: str) -> pd.DataFrame:
    """The standardised changes of one kind of measure (empty without a previous cycle)."""
    tr = report.findings.tables.get("trends")
    if tr is None or tr.empty:
        return pd.DataFrame(columns=["measure", "group"])
    return tr[(tr["kind"] == kind) & (tr["comparison"] == "standardised")]


def change_cell(report: Report, row: pd.Series | None) -> str:
    """A change in points with its mark: the catalogue's rise or fall mark when significant, the
    low-precision mark when imprecise, "–" when there is no change to show.

    Examples
    --------
    >>> from cipslib.report.blocks import Report
    >>> report = Report.build("params/2024.yaml", "uk")
    >>> change_cell(report, pd.Series({"change": 4.26, "significant": True}))
    '▲\xa0+4,3'
    >>> change_cell(report, pd.Series({"change": -0.5, "low_precision": True}))
    '−0,5 †'
    >>> change_cell(report, None)
    '–'
    """
    if row is None or pd.isna(row.get("change")):
        return NONE
    value = report.fmt.number(row["change"], 1, signed=True)
    if bool(row.get("significant", False)):
        mark = report.text("mark_up") if row["change"] > 0 else report.text("mark_down")
        value = f"{mark}\u00a0{value}"
    return report._marked(value, row)


def _lookup(changes: pd.DataFrame, measure: str, group: str) -> pd.Series | None:
    rows = changes[(changes["measure"] == measure) & (changes["group"] == group)]
    return rows.iloc[0] if len(rows) else None


def _table(first: str, groups: list[str], sub: list[str], body: list[list[str]]) -> str:
    """A table with a two-row header: ``first`` over the row labels, then per group its name over
    the columns ``sub``."""
    esc = html.escape
    top = f'<th rowspan="2">{esc(first)}</th>' + "".join(
        f'<th colspan="{len(sub)}" class="group-head">{esc(g)}</th>' for g in groups
    )
    second = "".join(f'<th class="num">{esc(h)}</th>' for _ in groups for h in sub)
    rows = "".join(
        f"<tr><td>{esc(row[0])}</td>"
        + "".join(f'<td class="num">{esc(c)}</td>' for c in row[1:])
        + "</tr>"
        for row in body
    )
    return (
        '<div class="table-scroll"><table class="cips dashboard-table">'
        f"<thead><tr>{top}</tr><tr>{second}</tr></thead><tbody>{rows}</tbody></table></div>"
    )


def _estimate(report: Report, value, lo, hi, unit: str, row) -> str:
    if pd.isna(value):
        return report._hidden()
    shown = report._pct(value) if unit == "%" else report._num(value)
    return report._marked(f"{shown} ({report._ci(lo, hi)})", row)


def _group_cells(report: Report, rows: pd.DataFrame, value: str, unit: str, change) -> list:
    """Per group of a dashboard row: the estimate with its CI, n and the change since the previous
    cycle ("–" for a group the row has no figure of); ``change(group)`` finds the change."""
    cells = []
    for g, r in rows.items():
        if r is None:
            cells += [NONE, NONE, NONE]
            continue
        cells += [
            _estimate(report, r[value], r["ci_low"], r["ci_high"], unit, r),
            report._n(r["n"]),
            change_cell(report, change(g)),
        ]
    return cells


def _by_group(part: pd.DataFrame, groups: list[str]) -> dict:
    """The row of each group in ``part`` (None where it has none), in the order of ``groups``."""
    return {g: next((r for _, r in part[part["group"] == g].iterrows()), None) for g in groups}


def factor_table(report: Report, groups: list[str]) -> str:
    """The ten factor indices per group with their 95% CI, n and change since the previous
    cycle."""
    fac = report.findings.tables["factors"]
    changes = _changes(report, "factor_index")
    sub = [f"{report.col('index')} ({report.col('ci')})", report.col("n"), report.col("change")]
    body = []
    for k in sorted(fac["factor"].unique()):
        row = [f"{int(k)}. {report.cb.factor_name(int(k), report.language)}"]
        row += _group_cells(
            report,
            _by_group(fac[fac["factor"] == k], groups),
            "index",
            "index",
            lambda g, k=k: _lookup(changes, f"factor_index.{int(k)}", g),
        )
        body.append(row)
    return _table(report.col("factor"), [report.group_label(g) for g in groups], sub, body)


def indicator_table(report: Report, groups: list[str]) -> str:
    """The headline experience indicators (``headline: true``), one row each, per group the %
    with its 95% CI, n and change since the previous cycle ("–" where a group was not asked)."""
    e = report.findings.tables["experience"]
    e = e[e["headline"].astype(bool)] if not e.empty else e
    changes = _changes(report, "indicator")
    sub = [f"% ({report.col('ci')})", report.col("n"), report.col("change")]
    body = []
    for ind in dict.fromkeys(e["indicator"]):
        part = e[e["indicator"] == ind]
        text = str(part.iloc[0]["text"])
        row = [text[:1].upper() + text[1:]]
        row += _group_cells(
            report,
            _by_group(part, groups),
            "estimate",
            "%",
            lambda g, ind=ind: _lookup(changes, f"indicator.{ind}", g),
        )
        body.append(row)
    if not body:
        return ""
    return _table(report.col("indicator"), [report.group_label(g) for g in groups], sub, body)


def _notes(report: Report) -> str:
    previous = report.findings.previous_cycle
    if previous is None:
        change = report.text("dashboard_no_previous", none=NONE)
    else:
        up, down = report.text("mark_up"), report.text("mark_down")
        change = report.text(
            "dashboard_change_note",
            previous=previous,
            up=up,
            down=down,
            alpha=report.fmt.number(report.findings.meta["significance"], 2),
        )
        for mark in (up, down):  # a mark stays on the line of the words it stands for
            change = change.replace(f"{mark} ", f"{mark}\u00a0")
    tables = [report.findings.tables["factors"], report.findings.tables["experience"]]
    precision = next((report._precision_note(t) for t in tables if report._precision_note(t)), "")
    return " ".join(
        x for x in (change, report.text("dashboard_not_asked", none=NONE), precision) if x
    )


def dashboard(report: Report, groups: list[str]) -> str:
    """The dashboard's HTML (see the module) for the respondent ``groups`` present: one A4 page in
    the PDF."""
    tiles = "".join(_tile(report, g) for g in groups)
    title = html.escape(report.text("dashboard_title"))
    parts = [
        f'<h2 class="dashboard-title" id="dashboard">{title}</h2>',
        f'<div class="tiles">{tiles}</div>',
        f'<p class="caption">{html.escape(report.text("response_note"))}</p>',
        f"<h3>{html.escape(report.text('dashboard_factors'))}</h3>",
        factor_table(report, groups),
        f"<h3>{html.escape(report.text('dashboard_indicators'))}</h3>",
        indicator_table(report, groups),
        f'<p class="caption">{html.escape(_notes(report))}</p>',
    ]
    return f'<section class="dashboard">{"".join(parts)}</section>'


def response_method(report: Report) -> str:
    """The method's paragraph on the response rate: its definition, the population figures it
    divides by (with their reference dates) and what it does not mean for an opt-in survey."""
    m = report.findings.meta.get("populations", {})
    figures = "; ".join(
        report.text(
            "response_method_figures",
            group=report.group_label(g),
            title=(p.get("titles") or {}).get(report.language) or p.get("title") or "",
            date=report.fmt.date(p.get("reference_date")) if p.get("reference_date") else NONE,
        )
        for g, p in m.items()
    )
    return report.text("response_method", figures=figures or NONE)


def unit_response_figures(figures) -> dict[str, dict[str, dict[str, float | None]]]:
    """Per unit report: ``respondents`` and ``response_rate`` (%, None when it cannot be computed)
    per group it shows, from :attr:`cipslib.analysis.units.UnitFigures.response` (for
    ``units.json`` and the index page).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> t = pd.DataFrame({"unit": ["west"], "group": ["official"], "respondents": [1068.0],
    ...                   "population": [2611.0], "rate": [40.9]})
    >>> unit_response_figures(SimpleNamespace(response=t))
    {'west': {'respondents': {'official': 1068}, 'response_rate': {'official': 40.9}}}
    """
    t = getattr(figures, "response", None)
    out: dict[str, dict[str, dict]] = {}
    if t is None or t.empty:
        return out
    for _, r in t.iterrows():
        u = out.setdefault(str(r["unit"]), {"respondents": {}, "response_rate": {}})
        u["respondents"][r["group"]] = int(r["respondents"])
        u["response_rate"][r["group"]] = None if pd.isna(r["rate"]) else float(r["rate"])
    return out


__all__ = [
    "change_cell",
    "dashboard",
    "format_rate",
    "group_response",
    "indicator_table",
    "factor_table",
    "rate_phrase",
    "response_method",
    "unit_response_figures",
]
