"""Numbers and dates as a language writes them. The decimal mark, the thousands separator, the
percent format and the date formats come from Babel's locale data (CLDR), for the locale a
catalogue names in ``numbers: locale:``; a catalogue may override the percent pattern and the minus
sign where its typography differs from CLDR's. Confidence intervals and p-values are written with
the catalogue's ``range`` and ``p_value``. Numbers are rounded only here, at the last step (half
to even on the binary value, as Python's ``round``), and Babel only writes the rounded number."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from functools import lru_cache
from typing import Any

import numpy as np
from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_interval
from babel.numbers import NumberPattern, parse_pattern

DEFAULT_LOCALE = "en"
P_SMALLEST = 0.001
"""The smallest p-value written as a number: below it, "p < 0.001"."""


def known_locale(name: str) -> bool:
    """Whether Babel has locale data for ``name`` (``en_GB``, ``uk``, ``fr``, ``pt_BR``...).

    Examples
    --------
    >>> known_locale("fr"), known_locale("uk_UA"), known_locale("xx")
    (True, True, False)
    """
    try:
        Locale.parse(str(name).replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return False
    return True


@lru_cache(maxsize=32)
def _locale(name: str) -> Locale:
    return Locale.parse(str(name).replace("-", "_"))


@lru_cache(maxsize=256)
def _pattern(base: str, decimals: int) -> NumberPattern:
    """A CLDR pattern with exactly ``decimals`` fraction digits: its own fraction part (``.###``)
    replaced, the digits inserted after the last ``0`` of its integer part."""
    integer = re.sub(r"\.[0#]*", "", base.split(";")[0], count=1)
    frac = "." + "0" * decimals if decimals > 0 else ""
    return parse_pattern(re.sub(r"0(?=[^0#]*$)", "0" + frac, integer, count=1))


@lru_cache(maxsize=65536)
def _apply(locale: str, pattern: str, value: float, decimals: int, scale: int) -> str:
    """Babel writes a number already rounded (exactly, as a decimal): it never rounds again."""
    return _pattern(pattern, decimals).apply(Decimal(repr(value)) / scale, _locale(locale))


class NumberFormat:
    """Rounds and writes numbers the way a language does.

    ``spec`` is a catalogue's ``numbers`` section: ``locale`` (a Babel locale, default ``en``),
    and optionally ``percent`` (a CLDR percent pattern replacing the locale's, e.g.
    ``"#,##0\\u00a0%"``), ``minus`` (the minus sign; default the locale's), ``range`` (an interval,
    ``"{}–{}"``), ``p_value`` (``{equal: "p = {}", below: "p < {}"}``) and ``decimals`` (per unit:
    ``percent``, ``index``, ``points``).

    Examples
    --------
    >>> en, fr = NumberFormat({"locale": "en_GB"}), NumberFormat({"locale": "fr", "minus": "−"})
    >>> en.count(4091), en.value(41.27, "%"), en.number(-3.25, 1)
    ('4,091', '41%', '-3.2')
    >>> fr.count(4091), fr.percent(41.27, 1), fr.number(-3.25, 1, signed=True)
    ('4\\u202f091', '41,3\\xa0%', '−3,2')
    """

    def __init__(self, spec: dict[str, Any], to: str = "to"):
        self.words_to = to  # the word between the ends of an interval that has a negative end
        self.locale = _locale(str(spec.get("locale") or DEFAULT_LOCALE))
        self.decimal_pattern = self.locale.decimal_formats[None].pattern
        self.percent_pattern = str(spec.get("percent") or self.locale.percent_formats[None].pattern)
        self.range_fmt = spec.get("range", "{}–{}")
        self.minus = spec.get("minus") or self.locale.number_symbols["latn"]["minusSign"]
        self.decimals = dict(spec.get("decimals") or {})
        self.p_fmt = {"equal": "p = {}", "below": "p < {}"} | dict(spec.get("p_value") or {})

    @classmethod
    def of(cls, catalogue: dict[str, Any]) -> NumberFormat:
        """The number format of a language catalogue: its ``numbers`` and its word for "to"."""
        return cls(catalogue.get("numbers") or {}, (catalogue.get("words") or {}).get("to", "to"))

    def _write(self, pattern: str, x: float, decimals: int, signed: bool, scale: int = 1) -> str:
        if x is None or not np.isfinite(x):
            return "–"
        r = round(float(x), decimals)
        if r == 0:
            r = 0.0
        sign = self.minus if r < 0 else ("+" if signed and r > 0 else "")
        return sign + _apply(str(self.locale), pattern, abs(r), decimals, scale)

    def number(self, x: float, decimals: int = 0, signed: bool = False) -> str:
        return self._write(self.decimal_pattern, x, decimals, signed)

    def count(self, n: float) -> str:
        return self.number(n, 0)

    def percent(self, x: float, decimals: int | None = None, signed: bool = False) -> str:
        """A percentage (``x`` in percent: 41.3 is "41%" or "41 %") with the unit's decimals or
        ``decimals``."""
        d = self.decimals.get("percent", 0) if decimals is None else decimals
        return self._write(self.percent_pattern, x, d, signed, scale=100)

    def value(self, x: float, unit: str, signed: bool = False) -> str:
        if unit == "%":
            return self.percent(x, signed=signed)
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
        if p < P_SMALLEST:
            text = self.p_fmt["below"].format(self.number(P_SMALLEST, 3))
        else:
            text = self.p_fmt["equal"].format(self.number(p, 3))
        return text.replace(" ", "\u00a0")

    def date(self, value: dt.date | str | None) -> str:
        """A date in the language's long form ("1 January 2025", "1 січня 2025 р.", "1 janvier
        2025"); a text that is no ISO date is returned as it is, and nothing as "–".

        Examples
        --------
        >>> NumberFormat({"locale": "fr"}).date("2025-01-01")
        '1 janvier 2025'
        """
        day = _as_date(value)
        if day is None:
            return "–" if value in (None, "") else str(value)
        return format_date(day, "long", locale=self.locale)

    def dates(self, start: dt.date | str | None, end: dt.date | str | None) -> str:
        """A period, as the language writes one ("15–30 Sept 2025", "15–30 sept. 2025"); either
        end missing or no date gives what there is.

        Examples
        --------
        >>> NumberFormat({"locale": "en_GB"}).dates("2025-09-15", "2025-09-30")
        '15–30 Sept 2025'
        """
        first, last = _as_date(start), _as_date(end)
        if first is None or last is None:
            given = [str(v) for v in (start, end) if v not in (None, "")]
            return self.range_fmt.format(*given) if len(given) == 2 else "".join(given) or "–"
        return format_interval(first, last, "yMMMd", locale=self.locale)


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def format_ci(fmt: NumberFormat, low: float, high: float, unit: str) -> str:
    if unit == "%":
        return fmt.range_fmt.format(
            fmt.number(low, fmt.decimals.get("percent", 0)), fmt.value(high, unit)
        )
    return fmt.interval(low, high, fmt.decimals.get("points" if unit == "points" else "index", 0))
