"""Numbers as a language writes them: decimal mark, thousands separator, percent sign, confidence
intervals and p-values. Numbers are rounded only here, at the last step."""

from __future__ import annotations

from typing import Any

import numpy as np


class NumberFormat:
    """Rounds and writes numbers the way a language does (decimal mark, thousands, percent sign)."""

    def __init__(self, spec: dict[str, Any], to: str = "to"):
        self.words_to = to  # the word between the ends of an interval that has a negative end
        self.decimal = spec.get("decimal", ".")
        self.thousands = spec.get("thousands", ",")
        self.percent_fmt = spec.get("percent", "{}%")
        self.range_fmt = spec.get("range", "{}–{}")
        self.minus = spec.get("minus", "-")
        self.decimals = dict(spec.get("decimals") or {})
        self.p_fmt = {"equal": "p = {}", "below": "p < {}"} | dict(spec.get("p_value") or {})

    @classmethod
    def of(cls, catalogue: dict[str, Any]) -> NumberFormat:
        """The number format of a language catalogue: its ``numbers`` and its word for "to"."""
        return cls(catalogue.get("numbers") or {}, (catalogue.get("words") or {}).get("to", "to"))

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

    def interval(self, low: float, high: float, decimals: int = 0) -> str:
        """An interval with ``decimals`` decimals: "12–18", or with signs and the word for "to"
        when an end is negative ("−0.04 to +0.03"), where a dash would read as a minus.

        Examples
        --------
        >>> f = NumberFormat({})
        >>> f.interval(12.04, 18.3), f.interval(-0.041, 0.03, 2)
        ('12–18', '-0.04 to +0.03')
        """
        if low < 0:
            ends = (self.number(v, decimals, signed=True) for v in (low, high))
            return f" {self.words_to} ".join(ends)
        return self.range_fmt.format(self.number(low, decimals), self.number(high, decimals))

    def p(self, p: float) -> str:
        """A p-value, kept on one line (no-break spaces): "p = 0.012", "p < 0.001".

        Examples
        --------
        >>> NumberFormat({}).p(0.0004) == "p\u00a0<\u00a00.001"
        True
        """
        if p is None or not np.isfinite(p):
            return "–"
        if p < 0.001:
            text = self.p_fmt["below"].format(self.number(0.001, 3))
        else:
            text = self.p_fmt["equal"].format(self.number(p, 3))
        return text.replace(" ", "\u00a0")


def format_ci(fmt: NumberFormat, low: float, high: float, unit: str) -> str:
    if unit == "%":
        return fmt.range_fmt.format(
            fmt.number(low, fmt.decimals.get("percent", 0)), fmt.value(high, unit)
        )
    return fmt.interval(low, high, fmt.decimals.get("points" if unit == "points" else "index", 0))
