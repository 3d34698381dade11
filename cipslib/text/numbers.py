"""Numbers as a language writes them: decimal mark, thousands separator, percent sign, confidence
intervals and p-values. Numbers are rounded only here, at the last step."""

from __future__ import annotations

from typing import Any

import numpy as np


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
        text = (
            f"{abs(r):,.{decimals}f}".replace(",", "\x00")
            .replace(".", self.decimal)
            .replace("\x00", self.thousands)
        )
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


def format_ci(fmt: NumberFormat, low: float, high: float, unit: str) -> str:
    if unit == "%":
        return fmt.range_fmt.format(
            fmt.number(low, fmt.decimals.get("percent", 0)), fmt.value(high, unit)
        )
    d = fmt.decimals.get("points" if unit == "points" else "index", 0)
    if low < 0 < high or low < 0:
        return (
            f"{fmt.number(low, d, signed=True)} {fmt.words_to} {fmt.number(high, d, signed=True)}"
        )
    return fmt.range_fmt.format(fmt.number(low, d), fmt.number(high, d))
