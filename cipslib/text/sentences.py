"""Sentences of the key findings, in every language a report on the codebook can be written in,
filled from a finding's numbers only."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..inputs.codebook import Codebook
from .catalogue import load_catalogue, report_languages
from .numbers import NumberFormat
from .typography import tidy


class SentenceWriter:
    """Fills the templates of every report language (a catalogue, the codebook's wording and every
    indicator's text in it) for one finding."""

    def __init__(self, cb: Codebook, inds: dict[str, Any]):
        self.cb = cb
        self.inds = inds
        self.langs = report_languages(cb, [ind.text for ind in inds.values()])
        self.tpl = {lang: load_catalogue(lang) for lang in self.langs}
        self.fmt = {lang: NumberFormat.of(self.tpl[lang]) for lang in self.langs}

    def measure_name(self, lang: str, row: pd.Series) -> str:
        t = self.tpl[lang]["measures"]
        kind = row["kind"]
        factor = (
            self.cb.factor_name(int(row["factor"]), lang) if pd.notna(row.get("factor")) else ""
        )
        group = self.cb.group_members(row["group"], lang)
        if kind == "indicator":
            return t["indicator"].format(text=self.inds[row["ref"]].text[lang], group=group)
        if kind == "item_fav":  # a reverse-worded statement is favourable when disagreed with
            item = self.cb.item(row["item"])
            template = t["item_fav_reverse" if item["reverse"] else "item_fav"]
            return template.format(text=item[f"text_{lang}"], group=group)
        return t[kind].format(factor=factor, group=group)

    def sentence(self, kind: str, build) -> dict[str, str]:
        out = {}
        for lang in self.langs:
            fields = build(lang, self.fmt[lang], self.tpl[lang])
            text = tidy(self.tpl[lang]["sentences"][kind])
            out[lang] = text.format(**fields)
            out[lang] = out[lang][0].upper() + out[lang][1:]
        return out
