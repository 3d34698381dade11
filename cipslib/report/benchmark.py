"""The benchmark report's building blocks: ``benchmark.json`` (:mod:`cipslib.benchmark`) in one
language, one call per notebook cell (``notebooks/benchmark_report.ipynb``).

Every figure is the file's: estimates and quartiles already under disclosure control (a hidden
cell carries its reason and is written "<10" or "–"); administrations appear under the codes their
packages give, the own administration (``--own``) marked. The words are the catalogue's
``benchmark`` section; factor names, group labels and indicator texts are the shipped codebook's
and indicator file's.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from ..analysis.disclosure import hidden_label, hidden_mark
from ..analysis.scoring import load_indicators
from ..errors import CipsError
from ..inputs.codebook import Codebook, load_codebook
from ..text.catalogue import load_catalogue
from ..text.numbers import NumberFormat
from ..text.typography import tidy
from .charts import peer_ranges
from .context import HTML, table_html

SECTIONS = (
    "about",
    "standing",
    "change",
    "administrations",
    "indicators",
    "drivers",
    "groups",
    "method",
)
"""The benchmark report's numbered sections, in order."""
FEW = "few administrations"
"""The reason of a peer figure left out: fewer administrations than quartiles need."""
TABLES = ("estimates", "peers", "change", "improving", "pooled", "pooled_change")


@dataclass
class BenchmarkReport:
    """The figures of a benchmark (``benchmark.json``) in the words of one language.

    Examples
    --------
    >>> r = BenchmarkReport.load("reports/benchmark/benchmark.json", "en")  # doctest: +SKIP
    >>> r.groups                                                              # doctest: +SKIP
    ['official', 'private']
    """

    data: dict[str, Any]
    language: str = "en"
    cb: Codebook | None = None

    @classmethod
    def load(cls, path: str | Path, language: str = "en") -> BenchmarkReport:
        """The report of the benchmark written to ``path`` (``benchmark.json`` or its folder)."""
        path = Path(path)
        path = path / "benchmark.json" if path.is_dir() else path
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CipsError(f"{path}: not a benchmark file ({exc})") from None
        missing = [k for k in ("packages", *TABLES) if k not in data]
        if missing:
            raise CipsError(f"{path}: not a benchmark file (it lacks {', '.join(missing)})")
        return cls(data, language, load_codebook())

    # -- the figures --------------------------------------------------------------------------
    def table(self, name: str) -> pd.DataFrame:
        return pd.DataFrame(self.data[name])

    @property
    def own(self) -> str | None:
        return self.data.get("own")

    @property
    def groups(self) -> list[str]:
        present = set(self.table("estimates").get("instrument", pd.Series(dtype=str)))
        return [g for g in self.cb.group_names if g in present] + sorted(
            present - set(self.cb.group_names)
        )

    @cached_property
    def measures(self) -> pd.DataFrame:
        return pd.DataFrame(self.data["measures"]).set_index("measure")

    def _factor_rows(self, t: pd.DataFrame) -> pd.DataFrame:
        t = t[t["measure"].str.startswith("factor_index.")].copy()
        t["factor"] = t["measure"].str.split(".").str[1].astype(int)
        return t.sort_values("factor")

    # -- words --------------------------------------------------------------------------------
    @cached_property
    def tpl(self) -> dict[str, Any]:
        return load_catalogue(self.language)

    @cached_property
    def words(self) -> dict[str, Any]:
        return self.tpl["benchmark"]

    @cached_property
    def fmt(self) -> NumberFormat:
        return NumberFormat.of(self.tpl)

    def text(self, key: str, **kw) -> str:
        return tidy(self.words[key].format(**kw) if kw else self.words[key])

    def col(self, key: str) -> str:
        return self.words["col"][key]

    def group_label(self, group: str) -> str:
        return self.cb.group_label(group, self.language) if group in self.cb.group_names else group

    def measure_name(self, measure: str) -> str:
        kind, ref = measure.split(".", 1)
        if kind == "factor_index":
            return f"{ref}. {self.cb.factor_name(int(ref), self.language)}"
        ind = self._indicators.get(ref)
        return ind.text.get(self.language, ref) if ind is not None else ref

    @cached_property
    def _indicators(self) -> dict:
        return load_indicators(self.cb)

    def _hidden(self, reason) -> str:
        if reason == FEW:
            return "–"
        return hidden_mark(reason, self.data["min_cell"])

    def _value(self, v, reason=None, decimals: int = 1) -> str:
        return self._hidden(reason) if v is None or pd.isna(v) else self.fmt.number(v, decimals)

    def _table(self, frame: pd.DataFrame, caption: str | None = None) -> HTML:
        body = table_html(frame, hidden_label(self.data["min_cell"]), "cips", None)
        cap = f'<p class="caption">{html.escape(caption)}</p>' if caption else ""
        return HTML(f'<div class="table-scroll">{body}</div>{cap}')

    def paragraph(self, text: str) -> HTML:
        return HTML(f"<p>{html.escape(text)}</p>")

    # -- pages --------------------------------------------------------------------------------
    def title_page(self) -> HTML:
        """Kind of report, title, what was pooled, the contents."""
        p = pd.DataFrame(self.data["packages"])
        cycles = sorted(p["cycle"].astype(str).unique())
        twice = int((p.groupby("administration").size() >= 2).sum())
        subtitle = self.text(
            "subtitle",
            administrations=self.fmt.count(p["administration"].nunique()),
            twice=self.fmt.count(twice),
            packages=self.fmt.count(len(p)),
            respondents=self.fmt.count(int(p["respondents"].sum())),
            cycles=f"{cycles[0]}–{cycles[-1]}" if len(cycles) > 1 else cycles[0],
        )
        own = self.text("own", own=self.own) if self.own else ""
        own = f'<p class="notice">{html.escape(own)}</p>' if own else ""
        toc = "".join(
            f'<li><a href="#{k}">{i + 1}. {html.escape(self.words["sections"][k])}</a></li>'
            for i, k in enumerate(SECTIONS)
        )
        return HTML(
            '<section class="title-page">'
            f'<p class="kicker">{html.escape(self.text("kicker"))}</p>'
            f"<h1>{html.escape(self.text('title'))}</h1>"
            f'<p class="subtitle">{html.escape(subtitle)}</p>{own}'
            f'<nav class="toc"><h2 class="toc-title">{html.escape(self.tpl["report"]["contents"])}'
            f"</h2><ol>{toc}</ol></nav></section>"
        )

    def heading(self, key: str) -> HTML:
        number = SECTIONS.index(key) + 1
        return HTML(f'<h2 id="{key}">{number}. {html.escape(self.words["sections"][key])}</h2>')

    def about(self) -> HTML:
        """What the benchmark pools, and how to read it."""
        return HTML("".join(str(self.paragraph(self.text(k))) for k in ("about_1", "about_2")))

    def packages_table(self) -> HTML:
        p = pd.DataFrame(self.data["packages"]).sort_values(["administration", "cycle"])
        rows = pd.DataFrame(
            {
                self.col("administration"): p["administration"],
                self.col("cycle"): p["cycle"].astype(str),
                self.col("respondents"): [self.fmt.count(n) for n in p["respondents"]],
                self.col("checksum"): [s[:12] for s in p["sha256"]],
            }
        )
        return self._table(rows, self.text("packages_caption"))

    # -- standing ---------------------------------------------------------------------------
    def _peers(self, group: str, measure_kind: str = "factor_index.") -> pd.DataFrame:
        p = self.table("peers")
        return p[
            (p["iteration"] == "latest")
            & (p["instrument"] == group)
            & p["measure"].str.startswith(measure_kind)
        ]

    def _latest(self, group: str) -> pd.DataFrame:
        e = self.table("estimates")
        return e[(e["instrument"] == group) & e["latest"].astype(bool)]

    def peer_chart(self, group: str):
        """Each factor's peer quartiles, median, every administration and the own one."""
        peers = self._factor_rows(self._peers(group))
        latest = self._factor_rows(self._latest(group))
        shown = latest[latest["hidden"].isna()]
        own = shown[shown["administration"] == self.own] if self.own else None
        return peer_ranges(peers, self.cb, self.words, group, self.language, dots=shown, own=own)

    def peer_table(self, group: str, kind: str = "factor_index.") -> HTML:
        """Median and quartiles of the administrations (latest iteration), and the own index."""
        peers = self._peers(group, kind)
        if kind == "factor_index.":
            peers = self._factor_rows(peers)
        own = self._latest(group).set_index("measure") if self.own else None
        rows = []
        for _, r in peers.iterrows():
            row = {
                self.col("measure"): self.measure_name(r["measure"]),
                self.col("administrations"): self.fmt.count(r["administrations"]),
                self.col("q1"): self._value(r["q1"], r["hidden"]),
                self.col("median"): self._value(r["median"], r["hidden"]),
                self.col("q3"): self._value(r["q3"], r["hidden"]),
            }
            if own is not None:
                mine = own[own["administration"] == self.own]
                o = mine.loc[r["measure"]] if r["measure"] in mine.index else None
                row[self.text("own_column", own=self.own)] = (
                    "–" if o is None else self._value(o["estimate"], o["hidden"])
                )
            rows.append(row)
        return self._table(
            pd.DataFrame(rows), self.text("peers_caption", min_peers=self.data["min_peers"])
        )

    # -- change -------------------------------------------------------------------------------
    def improving_table(self) -> HTML:
        """Per factor and group: administrations with two iterations, how many improved."""
        t = self._factor_rows(self.table("improving"))
        rows = []
        for factor, part in t.groupby("factor", sort=True):
            row = {self.col("measure"): self.measure_name(f"factor_index.{factor}")}
            for _, r in part.iterrows():
                g = self.group_label(r["instrument"])
                row[f"{g}: {self.col('improving')}"] = (
                    f"{self.fmt.count(r['improving'])} / {self.fmt.count(r['administrations'])}"
                )
                row[f"{g}: {self.col('significantly')}"] = self.fmt.count(
                    r["improving_significantly"]
                )
            rows.append(row)
        return self._table(pd.DataFrame(rows), self.text("improving_caption"))

    def pooled_change_table(self, group: str) -> HTML:
        """The pooled index of the administrations with two iterations, earlier and later."""
        t = self.table("pooled_change")
        t = self._factor_rows(t[t["instrument"] == group])
        rows = [
            {
                self.col("measure"): self.measure_name(r["measure"]),
                self.col("earlier"): self._value(r["estimate_earlier"], r["hidden"]),
                self.col("later"): self._value(r["estimate_later"], r["hidden"]),
                self.col("change"): (
                    self._hidden(r["hidden"])
                    if pd.isna(r["difference"])
                    else self.fmt.number(r["difference"], 1, signed=True)
                    + ("*" if r["significant"] else "")
                ),
                self.col("ci"): (
                    "" if pd.isna(r["ci_low"]) else self.fmt.interval(r["ci_low"], r["ci_high"], 1)
                ),
            }
            for _, r in t.iterrows()
        ]
        return self._table(
            pd.DataFrame(rows), self.text("pooled_caption", group=self.group_label(group))
        )

    # -- administrations one by one -------------------------------------------------------------
    def administrations_table(self, group: str) -> HTML:
        """Each administration's ten factor indices (its latest iteration), own first."""
        t = self._factor_rows(self._latest(group))
        if t.empty:
            return HTML("")
        cells = t.assign(
            cell=[self._value(v, h, 0) for v, h in zip(t["estimate"], t["hidden"], strict=True)]
        ).pivot(index=["administration", "cycle"], columns="factor", values="cell")
        cells.columns = [str(k) for k in cells.columns]
        cells = cells.reset_index()
        cells.insert(1, "cycle", cells.pop("cycle").astype(str))
        if self.own:
            mine = cells["administration"] == self.own
            cells = pd.concat([cells[mine], cells[~mine]])
        cells = cells.rename(
            columns={"administration": self.col("administration"), "cycle": self.col("cycle")}
        )
        return self._table(cells, self.text("administrations_caption"))

    # -- respondent-level analyses ----------------------------------------------------------------
    def _outcome_name(self, outcome: str) -> str:
        if outcome == "overall":
            return self.words["overall"]
        return self.measure_name(f"indicator.{outcome}")

    def drivers_tables(self, group: str) -> list[HTML]:
        """Per outcome: each factor's fixed-effects coefficient (odds ratio for a yes/no outcome)
        with its CI, and its share of the explained variance."""
        d = pd.DataFrame(self.data.get("drivers") or [])
        if d.empty or group not in set(d["instrument"]):
            return [self.paragraph(self._left_out_text())]
        out = []
        for outcome, part in d[d["instrument"] == group].groupby("outcome", sort=False):
            odds = part["family"].iloc[0] == "binomial"
            lo, hi = ("or_ci_low", "or_ci_high") if odds else ("ci_low", "ci_high")
            rows = pd.DataFrame(
                {
                    self.col("measure"): [
                        self.measure_name(f"factor_index.{k}") for k in part["factor"]
                    ],
                    self.col("odds_ratio" if odds else "beta"): [
                        self.fmt.number(v, 2) for v in part["odds_ratio" if odds else "beta"]
                    ],
                    self.col("ci95"): [
                        self.fmt.interval(a, b, 2) for a, b in zip(part[lo], part[hi], strict=True)
                    ],
                    self.col("importance"): [self.fmt.number(v, 1) for v in part["importance"]],
                }
            )
            caption = self.text(
                "drivers_caption_odds" if odds else "drivers_caption",
                outcome=self._outcome_name(outcome),
                n=self.fmt.count(int(part["n"].iloc[0])),
                administrations=self.fmt.count(int(part["administrations"].iloc[0])),
                r2=self.fmt.number(100 * part["r_squared"].iloc[0], 0),
            )
            out.append(self._table(rows, caption))
        return out

    def _left_out_text(self) -> str:
        left = self.data.get("left_out") or []
        return self.text("not_computed", why="; ".join(left)) if left else self.text("none")

    def groups_tables(self, group: str) -> list[HTML]:
        """Per respondent variable the packages carry: each factor's pooled index by level, the
        difference with its CI and Holm-corrected p-value, and the difference within
        administrations."""
        d = pd.DataFrame(self.data.get("group_differences") or [])
        if d.empty or group not in set(d["instrument"]):
            return [self.paragraph(self._left_out_text())]
        out = []
        for (_var, a, b), part in d[d["instrument"] == group].groupby(
            ["variable", "a", "b"], sort=False
        ):
            la, lb = self._level(a), self._level(b)
            rows = pd.DataFrame(
                {
                    self.col("measure"): [
                        self.measure_name(f"factor_index.{k}") for k in part["factor"]
                    ],
                    la: [
                        self._value(v, h)
                        for v, h in zip(part["estimate_a"], part["hidden"], strict=True)
                    ],
                    lb: [
                        self._value(v, h)
                        for v, h in zip(part["estimate_b"], part["hidden"], strict=True)
                    ],
                    self.col("difference"): [
                        self._hidden(h) if pd.isna(v) else self.fmt.number(v, 1, signed=True)
                        for v, h in zip(part["difference"], part["hidden"], strict=True)
                    ],
                    self.col("p_holm"): [self._p(p) for p in part["p_holm"]],
                    self.col("within"): [
                        "" if pd.isna(v) else self.fmt.number(v, 1, signed=True)
                        for v in part["within_difference"]
                    ],
                    self.col("within_p"): [self._p(p) for p in part["within_p_holm"]],
                }
            )
            caption = self.text(
                "groups_caption",
                a=la,
                b=lb,
                administrations=self.fmt.count(int(part["administrations"].iloc[0])),
            )
            out.append(self._table(rows, caption))
        return out

    def _level(self, level: str) -> str:
        return (self.words.get("levels") or {}).get(level, level)

    def _p(self, p) -> str:
        return "" if p is None or pd.isna(p) else self.fmt.p(p)

    def method(self) -> HTML:
        """How the estimates, peers and change are computed; what is hidden."""
        figures = {"min_cell": self.data["min_cell"], "min_peers": self.data["min_peers"]}
        keys = (
            "method_estimates",
            "method_peers",
            "method_change",
            "method_drivers",
            "method_groups",
            "method_hidden",
        )
        return HTML("".join(str(self.paragraph(self.text(k, **figures))) for k in keys))
