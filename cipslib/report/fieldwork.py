"""The fieldwork monitor's page and files: ``fieldwork.html`` (one page with the daily chart),
``fieldwork.json`` and one CSV per table, from
:func:`cipslib.analysis.fieldwork.fieldwork_status`. Every word is the catalogue's ``fieldwork``
section; every count is the disclosure-controlled one."""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path

import numpy as np
import pandas as pd

from ..analysis.disclosure import hidden_mark
from ..analysis.fieldwork import Fieldwork
from ..files import atomic_write
from ..inputs.codebook import Codebook
from ..text.catalogue import load_catalogue
from ..text.numbers import NumberFormat
from ..text.typography import punctuate, punctuate_html, space_before, tidy
from .dashboard import format_rate
from .display import figure_png

CSS = """
body { font-family: "DejaVu Sans", sans-serif; font-size: 10pt; color: #222; max-width: 1000px;
       margin: 0 auto; padding: 16px; }
h1 { font-size: 17pt; color: #08306b; margin: 0 0 4px; } h2 { font-size: 12pt; color: #08306b; }
p.kicker { color: #555; margin: 0; } p.note { color: #555; font-size: 9pt; }
div.cards { display: flex; flex-wrap: wrap; gap: 12px; }
div.card { border-left: 4px solid #08519c; background: #f4f8fc; padding: 8px 12px;
           min-width: 200px; }
div.card b { font-size: 15pt; }
table { border-collapse: collapse; font-size: 9pt; margin: 4px 0 8px; }
th, td { border-bottom: 1px solid #ddd; padding: 3px 8px; text-align: right; }
th.t, td.t { text-align: left; }
div.scroll { overflow-x: auto; } img { max-width: 100%; height: auto; }
"""


def write_fieldwork(
    fw: Fieldwork, out: str | Path, cb: Codebook, language: str = "en"
) -> list[Path]:
    """Write ``fieldwork.html``, ``fieldwork.json`` and a CSV per table into ``out``."""
    out = Path(out)
    texts = {
        "fieldwork.html": page(fw, cb, language),
        "fieldwork.json": json.dumps(fw.to_dict(), ensure_ascii=False, indent=1, allow_nan=False)
        + "\n",
    }
    texts |= {f"fieldwork_{k}.csv": t.to_csv(index=False) for k, t in fw.tables.items()}
    return [
        atomic_write(out / name, lambda p, t=text: p.write_text(t, encoding="utf-8"))
        for name, text in texts.items()
    ]


class _Page:
    """The words, number format and marks of one monitor page."""

    def __init__(self, fw: Fieldwork, cb: Codebook, lang: str):
        tpl = load_catalogue(lang)
        self.fw, self.cb, self.lang = fw, cb, lang
        self.words = {k: tidy(v) for k, v in tpl["fieldwork"].items()}
        self.marks = space_before(tpl)  # punctuation the language spaces (French: a no-break space)
        self.fmt = NumberFormat.of(tpl)

    def count(self, n, reason=None) -> str:
        return hidden_mark(reason, self.fw.min_cell) if pd.isna(n) else self.fmt.count(n)

    def rate(self, value) -> str:
        return format_rate(self.fmt, None if pd.isna(value) else value)

    def variable(self, var: str) -> str:
        v = self.cb.variables.get(var)
        return v.labels.get(self.lang, var) if v is not None else str(var)

    def level(self, var: str, level) -> str:
        return self.cb.level_label(var, level, self.lang) if var in self.cb.variables else level

    def cards(self) -> str:
        """Per group: response rate, respondents, R-indicator and CV."""
        resp = self.fw.tables["response"]
        rep = self.fw.tables["representativeness"].set_index("group")
        cards = []
        for _, r in resp[resp["variable"].isna()].iterrows():
            g, w = r["group"], self.words
            lines = [w["card"].format(respondents=self.count(r["in_scope"], r.get("hidden")))]
            if g in rep.index and pd.notna(rep.loc[g, "r_indicator"]):
                r_value = self.fmt.number(rep.loc[g, "r_indicator"], 2)
                lines.append(w["card_r"].format(r=r_value, cv=self.fmt.number(rep.loc[g, "cv"], 2)))
            text = "<br>".join(html.escape(x) for x in lines)
            name = html.escape(self.cb.group_label(g, self.lang))
            rate = html.escape(self.rate(r["rate"]))
            cards.append(f'<div class="card">{name}<br><b>{rate}</b><br>{text}</div>')
        return f'<div class="cards">{"".join(cards)}</div>'

    def margins(self) -> str:
        resp = self.fw.tables["response"]
        rows = [
            [
                self.cb.group_label(r["group"], self.lang),
                self.variable(r["variable"]),
                self.level(r["variable"], r["level"]),
                self.count(r["in_scope"], r.get("hidden")),
                self.fmt.count(r["population"]),
                self.rate(r["rate"]),
            ]
            for _, r in resp[resp["variable"].notna()].iterrows()
        ]
        head = ("group", "variable", "level", "respondents", "population", "rate")
        return _table([self.words[k] for k in head], rows, text=3)

    def units(self) -> str:
        units, w, by = self.fw.tables["units"], self.words, self.fw.by
        rows = [
            [
                self.level(by, u["unit"]),
                self.cb.group_label(u["group"], self.lang),
                self.count(u["respondents"], u["hidden"]),
                w["yes"] if u["report"] else w["not_yet"],
                "–" if pd.isna(u["half_width"]) else "±" + self.fmt.number(u["half_width"], 1),
            ]
            for _, u in units.iterrows()
        ]
        head = ("unit", "group", "respondents", "report", "half_width")
        return (
            f"<h2>{html.escape(w['units'].format(by=self.variable(by)))}</h2>"
            + _table([w[k] for k in head], rows, text=2)
            + _note(w["units_note"].format(min_cell=self.fw.min_cell))
        )

    def daily(self) -> str:
        chart = daily_chart(self.fw.tables["daily"], self.words, self.fw.min_cell)
        png = base64.b64encode(figure_png(chart)).decode()
        alt = html.escape(self.words["daily"])
        return f'<h2>{alt}</h2><img alt="{alt}" src="data:image/png;base64,{png}">'


def page(fw: Fieldwork, cb: Codebook, lang: str) -> str:
    """The monitor's one page."""
    p = _Page(fw, cb, lang)
    w, esc = p.words, html.escape
    title = esc(w["title"].format(cycle=fw.cycle))
    read = w["read"].format(read=p.fmt.count(fw.read), kept=p.fmt.count(fw.respondents))
    parts = [f'<p class="kicker">{esc(w["kicker"])}</p><h1>{title}</h1><p>{esc(read)}</p>']
    parts += [p.cards(), _note(w["r_note"]), f"<h2>{esc(w['by_margin'])}</h2>", p.margins()]
    if not fw.tables["units"].empty:
        parts.append(p.units())
    if not fw.tables["daily"].empty:
        parts.append(p.daily())
    parts += [_note(n) for n in fw.notes]
    small = hidden_mark("small", fw.min_cell)
    parts.append(_note(w["marks"].format(small=small, min_cell=fw.min_cell)))
    body, title = punctuate_html("".join(parts), p.marks), punctuate(title, p.marks)
    return (
        f'<!DOCTYPE html><html lang="{esc(lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title><style>{CSS}</style></head><body>{body}</body></html>"
    )


def _note(text: str) -> str:
    return f'<p class="note">{html.escape(text)}</p>'


def daily_chart(daily: pd.DataFrame, words: dict, min_cell: int):
    """Submissions per day as bars; a hidden day has no bar and its mark above the axis."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.2, 2.6))
    ax = fig.subplots()
    x = np.arange(len(daily))
    values = daily["submissions"].to_numpy(dtype=float)
    ax.bar(x[~np.isnan(values)], values[~np.isnan(values)], color="#08519c", width=0.7)
    for i in np.flatnonzero(np.isnan(values)):
        ax.text(
            i,
            0,
            hidden_mark(daily["hidden"].iloc[i], min_cell),
            ha="center",
            va="bottom",
            fontsize=7,
        )
    step = max(1, len(daily) // 10)
    ax.set_xticks(x[::step], [d[5:] for d in daily["date"].iloc[::step]], fontsize=7)
    ax.tick_params(axis="y", labelsize=7)
    ax.set_ylabel(words["submissions"], fontsize=8)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    return fig


def _table(head: list[str], rows: list[list[str]], text: int = 1) -> str:
    """A table whose first ``text`` columns are words (left-aligned), the others figures."""
    esc = html.escape

    def cells(tag: str, values) -> str:
        return "".join(
            f"<{tag}{' class=t' if i < text else ''}>{esc(str(v))}</{tag}>"
            for i, v in enumerate(values)
        )

    body = "".join(f"<tr>{cells('td', r)}</tr>" for r in rows)
    return (
        f'<div class="scroll"><table><thead><tr>{cells("th", head)}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


__all__ = ["daily_chart", "page", "write_fieldwork"]
