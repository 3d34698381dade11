"""Key findings: a ranked list of records, each with its numbers and a sentence built from them only.

Sentences come from templates kept as data (``data/templates/<language>.yaml``); adding a language is adding
a file. Numbers are rounded only here, at the last step, following the template's ``numbers`` settings.

Ranking (rank 1 first): the headline experience indicators (bribery, reporting safety, organised-crime
pressure), the largest significant words-vs-action gaps, the largest significant changes since the previous
cycle on the composition-standardised comparison (and, where who answered drove the raw change, the
decomposition), the weakest and strongest factor of each group, the alignment of officials and the private
sector, and factors whose items do not form a reliable scale. Within a kind, larger effects come first.
Suppressed estimates never become findings.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .codebook import Codebook
from .errors import CipsDataError, Problem
from .yamlfile import read_yaml

if TYPE_CHECKING:
    from .findings import Findings, Options
    from .scoring import Indicator

TEMPLATE_KEYS = ("indicator", "gap", "change", "composition", "weakest", "strongest", "aligned", "not_aligned",
                 "low_reliability")
MAX_GAPS = 3
MAX_CHANGES = 4


def templates_dir() -> Path:
    return Path(str(resources.files("cipslib") / "data" / "templates"))


def available_languages() -> list[str]:
    return sorted(p.stem for p in templates_dir().glob("*.yaml"))


@lru_cache(maxsize=8)
def load_templates(language: str = "en") -> dict[str, Any]:
    """The sentence templates of a language, checked for every sentence key."""
    path = templates_dir() / f"{language}.yaml"
    if not path.exists():
        raise CipsDataError([Problem(str(path), f"there are no sentence templates for language '{language}'",
                                     expected="one of " + ", ".join(available_languages()))])
    raw = read_yaml(path, "sentence templates")
    missing = [k for k in TEMPLATE_KEYS if k not in (raw.get("sentences") or {})]
    if missing:
        raise CipsDataError([Problem(str(path), f"the template '{missing[0]}' is missing",
                                     expected="templates for " + ", ".join(TEMPLATE_KEYS))])
    return raw


class NumberFormat:
    """Rounds and writes numbers the way a language does (decimal mark, thousands, percent sign)."""

    def __init__(self, spec: dict[str, Any]):
        self.decimal = spec.get("decimal", ".")
        self.thousands = spec.get("thousands", ",")
        self.percent_fmt = spec.get("percent", "{}%")
        self.range_fmt = spec.get("range", "{}–{}")
        self.minus = spec.get("minus", "-")
        self.decimals = dict(spec.get("decimals") or {})
        self.p_fmt = {"equal": "p = {}", "below": "p < {}"} | dict(spec.get("p_value") or {})

    def number(self, x: float, decimals: int = 0, signed: bool = False) -> str:
        if x is None or not np.isfinite(x):
            return "–"
        r = round(float(x), decimals)
        if r == 0:
            r = 0.0
        text = f"{abs(r):,.{decimals}f}".replace(",", "\x00").replace(".", self.decimal).replace("\x00",
                                                                                                 self.thousands)
        sign = self.minus if r < 0 else ("+" if signed and r > 0 else "")
        return sign + text

    def count(self, n: float) -> str:
        return self.number(n, 0)

    def value(self, x: float, unit: str, signed: bool = False) -> str:
        if unit == "%":
            return self.percent_fmt.format(self.number(x, self.decimals.get("percent", 0), signed))
        if unit == "points":
            return self.number(x, self.decimals.get("points", 1), signed)
        return self.number(x, self.decimals.get("index", 0), signed)

    words_to = "to"

    def p(self, p: float) -> str:
        if p is None or not np.isfinite(p):
            return "–"
        if p < 0.001:
            return self.p_fmt["below"].format(self.number(0.001, 3))
        return self.p_fmt["equal"].format(self.number(p, 3))


def _fmt_ci(fmt: NumberFormat, low: float, high: float, unit: str) -> str:
    if unit == "%":
        return fmt.range_fmt.format(fmt.number(low, fmt.decimals.get("percent", 0)), fmt.value(high, unit))
    d = fmt.decimals.get("points" if unit == "points" else "index", 0)
    if low < 0 < high or low < 0:
        return f"{fmt.number(low, d, signed=True)} {fmt.words_to} {fmt.number(high, d, signed=True)}"
    return fmt.range_fmt.format(fmt.number(low, d), fmt.number(high, d))


class _Writer:
    """Fills the templates of every available language for one finding."""

    def __init__(self, cb: Codebook, inds: dict[str, Indicator]):
        self.cb = cb
        self.inds = inds
        self.langs = available_languages()
        self.tpl = {lang: load_templates(lang) for lang in self.langs}
        self.fmt = {lang: NumberFormat(self.tpl[lang]["numbers"]) for lang in self.langs}
        for lang in self.langs:
            self.fmt[lang].words_to = (self.tpl[lang].get("words") or {}).get("to", "to")

    def measure_name(self, lang: str, row: pd.Series) -> str:
        t = self.tpl[lang]["measures"]
        kind = row["kind"]
        factor = self.cb.factor_name(int(row["factor"]), lang) if pd.notna(row.get("factor")) else ""
        group = self.tpl[lang]["groups"][row["group"]]
        if kind == "indicator":
            return t["indicator"].format(text=self.inds[row["ref"]].text[lang], group=group)
        if kind == "item_fav":
            return t["item_fav"].format(text=self.cb.item(row["item"])[f"text_{lang}"], group=group)
        return t[kind].format(factor=factor, group=group)

    def sentence(self, kind: str, build) -> dict[str, str]:
        out = {}
        for lang in self.langs:
            fields = build(lang, self.fmt[lang], self.tpl[lang])
            text = " ".join(self.tpl[lang]["sentences"][kind].split())
            out[lang] = text.format(**fields)
            out[lang] = out[lang][0].upper() + out[lang][1:]
        return out


def key_findings(fnd: Findings, cb: Codebook, inds: dict[str, Indicator], opt: Options) -> list[dict[str, Any]]:
    """The ranked key findings of a cycle (see the module docstring for the order)."""
    w = _Writer(cb, inds)
    out: list[dict[str, Any]] = []

    def add(kind: str, record: dict[str, Any], build) -> None:
        out.append({"rank": len(out) + 1, "kind": kind, **record, "text": w.sentence(kind, build)})

    # 1. experience headlines
    exp = fnd.tables["experience"]
    order = {k: i for i, k in enumerate(inds)}
    exp = exp.assign(_order=exp["indicator"].map(order)).sort_values(["_order", "group"], kind="stable")
    for _, r in exp[exp["headline"] & ~exp["suppressed"]].iterrows():
        add("indicator", {"measure": r["measure"] if "measure" in r else f"indicator.{r['indicator']}",
                          "indicator": r["indicator"], "group": r["group"], "estimate": r["estimate"],
                          "ci_low": r["ci_low"], "ci_high": r["ci_high"], "n": r["n"], "unit": "%"},
            lambda lang, f, t, r=r: {"value": f.value(r["estimate"], "%"),
                                     "ci": _fmt_ci(f, r["ci_low"], r["ci_high"], "%"), "n": f.count(r["n"]),
                                     "group": t["groups"][r["group"]], "text": inds[r["indicator"]].text[lang]})
    # 2. words vs action
    gaps = fnd.tables["gaps"]
    if not gaps.empty:
        sig = gaps[gaps["significant"] & ~gaps["suppressed"] & (gaps["gap"] > 0)]
        for _, r in sig.sort_values("gap", ascending=False).head(MAX_GAPS).iterrows():
            add("gap", {"measure": f"gap.{cb.item(r['exists_item'])['key']}", "group": r["group"],
                        "factor": int(r["factor"]), "estimate": r["gap"], "ci_low": r["ci_low"],
                        "ci_high": r["ci_high"], "n": r["n"], "p_value": r["p_value"], "exists": r["exists"],
                        "effective": r["effective"], "unit": "points"},
                lambda lang, f, t, r=r: {"factor": cb.factor_name(int(r["factor"]), lang),
                                         "group": t["groups"][r["group"]], "exists": f.value(r["exists"], "%"),
                                         "effective": f.value(r["effective"], "%"),
                                         "gap": f.value(r["gap"], "points"),
                                         "ci": _fmt_ci(f, r["ci_low"], r["ci_high"], "points"),
                                         "n": f.count(r["n"])})
    # 3. changes since the previous cycle
    if "trends" in fnd.tables:
        tr = fnd.tables["trends"]
        std = tr[(tr["comparison"] == "standardised") & tr["significant"]
                 & tr["kind"].isin(["factor_index", "indicator"])]
        keep = np.array([k != "indicator" or (ref in inds and g in inds[ref].groups)
                         for k, ref, g in zip(std["kind"], std["ref"], std["group"], strict=True)], dtype=bool)
        std = std.loc[keep]
        std = std.reindex(std["t"].abs().sort_values(ascending=False).index).head(MAX_CHANGES)
        for _, r in std.iterrows():
            unit = "%" if r["kind"] == "indicator" else "index"
            add("change", {"measure": r["measure"], "group": r["group"], "estimate": r["estimate"],
                           "estimate_prev": r["estimate_prev"], "change": r["change"], "ci_low": r["ci_low"],
                           "ci_high": r["ci_high"], "n": r["n"], "n_prev": r["n_prev"], "p_value": r["p_value"],
                           "comparison": "standardised", "unit": unit},
                lambda lang, f, t, r=r, unit=unit: {
                    "measure": w.measure_name(lang, r),
                    "direction": t["words"]["rose" if r["change"] > 0 else "fell"],
                    "previous": f.value(r["estimate_prev"], unit), "value": f.value(r["estimate"], unit),
                    "previous_cycle": fnd.previous_cycle, "cycle": fnd.cycle,
                    "change": f.value(r["change"], "points", signed=True),
                    "ci": _fmt_ci(f, r["ci_low"], r["ci_high"], "points"), "p": f.p(r["p_value"])})
        dec = fnd.tables.get("decomposition", pd.DataFrame())
        if not dec.empty:
            wide = dec.pivot_table(index=["measure", "group", "by", "kind", "factor"], columns="part",
                                   values="estimate", observed=True).reset_index()
            wide = wide[(wide["kind"] == "factor_index") & (wide["total"].abs() >= 1)
                        & (wide["composition"].abs() > wide["within"].abs())]
            for g, part in wide.groupby("group"):
                r = part.reindex(part["composition"].abs().sort_values(ascending=False).index).iloc[0]
                cell = dec[(dec["measure"] == r["measure"]) & (dec["group"] == g) & (dec["part"] == "composition")]
                add("composition", {"measure": r["measure"], "group": g, "by": r["by"], "change": r["total"],
                                    "composition": r["composition"], "within": r["within"],
                                    "p_value": float(cell["p_value"].iloc[0]), "unit": "points"},
                    lambda lang, f, t, r=r, g=g: {
                        "measure": w.measure_name(lang, r),
                        "raw": f.value(r["total"], "points", signed=True),
                        "composition": f.value(r["composition"], "points", signed=True),
                        "within": f.value(r["within"], "points", signed=True),
                        "by": cb.variables[r["by"]].labels.get(lang, r["by"]).lower()
                        if r["by"] in cb.variables else r["by"]})
    # 4. weakest and strongest factors
    fac = fnd.tables["factors"]
    for g, part in fac[~fac["suppressed"]].groupby("group", sort=True):
        part = part.dropna(subset=["index"])
        if len(part) < 2:
            continue
        for kind, r in (("weakest", part.loc[part["index"].idxmin()]), ("strongest", part.loc[part["index"].idxmax()])):
            add(kind, {"measure": f"factor_index.{int(r['factor'])}", "group": g, "factor": int(r["factor"]),
                       "estimate": r["index"], "ci_low": r["ci_low"], "ci_high": r["ci_high"], "n": r["n"],
                       "unit": "index"},
                lambda lang, f, t, r=r, g=g: {"factor": cb.factor_name(int(r["factor"]), lang),
                                              "group": t["groups"][g], "value": f.value(r["index"], "index"),
                                              "ci": _fmt_ci(f, r["ci_low"], r["ci_high"], "index"),
                                              "n": f.count(r["n"])})
    # 5. alignment of officials and the private sector
    al = fnd.tables["alignment"]
    if not al.empty and not al["suppressed"].all():
        shown = al[~al["suppressed"]]
        aligned = shown[shown["aligned"]]
        add("aligned", {"count": int(len(aligned)), "total": int(len(shown)),
                        "factors": [int(k) for k in aligned["factor"]]},
            lambda lang, f, t: {"count": len(aligned), "total": len(shown),
                                "factors": ", ".join(cb.factor_name(int(k), lang) for k in aligned["factor"])
                                or t["words"]["none"]})
        apart = shown[shown["significant"]]
        if not apart.empty:
            r = apart.loc[apart["difference"].abs().idxmax()]
            add("not_aligned", {"measure": f"factor_index.{int(r['factor'])}", "factor": int(r["factor"]),
                                "official": r["official"], "private": r["private"], "difference": r["difference"],
                                "ci_low": r["ci_low"], "ci_high": r["ci_high"], "p_value": r["p_value"],
                                "n_official": r["n_official"], "n_private": r["n_private"], "unit": "index"},
                lambda lang, f, t, r=r: {"factor": cb.factor_name(int(r["factor"]), lang),
                                         "official": f.value(r["official"], "index"),
                                         "private": f.value(r["private"], "index"),
                                         "difference": f.value(r["difference"], "points", signed=True),
                                         "ci": _fmt_ci(f, r["ci_low"], r["ci_high"], "points"),
                                         "p": f.p(r["p_value"])})
    # 6. unreliable factor scales
    rel = fnd.tables["reliability"]
    for _, r in rel[rel["low"]].iterrows():
        add("low_reliability", {"group": r["group"], "factor": int(r["factor"]), "alpha": r["alpha"],
                                "n": r["n"]},
            lambda lang, f, t, r=r: {"factor": cb.factor_name(int(r["factor"]), lang),
                                     "group": t["groups"][r["group"]], "alpha": f.number(r["alpha"], 2)})
    return out
