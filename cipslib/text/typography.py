"""A language's punctuation rules for text that code puts together ("Fieldwork: ..." from a heading
and a value). The catalogue's texts carry their own typography; a catalogue's
``typography: space_before`` lists the marks that take a no-break space before them (French:
``:;!?``), and the report applies it to the text it writes, in the HTML page and in the charts, as
the last step. English and Ukrainian set none."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

NBSP = "\u00a0"
_SPACES = " \u00a0\u202f\u2009"
_SKIP = re.compile(r"(<(style|script)\b.*?</\2\s*>|<[^>]*>|&#?\w+;)", re.S | re.I)


def space_before(catalogue: dict[str, Any]) -> str:
    """The marks that take a no-break space before them in a catalogue's language ("" for none).

    Examples
    --------
    >>> space_before({"typography": {"space_before": ":;!?"}}), space_before({})
    (':;!?', '')
    """
    return str((catalogue.get("typography") or {}).get("space_before") or "")


@lru_cache(maxsize=8)
def _rule(marks: str) -> re.Pattern[str]:
    # a mark that ends a word (after a letter, digit or closing sign, before a space or the end),
    # with the plain space a writer may have put before it
    return re.compile(rf"(?<=[^{_SPACES}])[ ]?([{re.escape(marks)}])(?=[\s<]|$)")


def punctuate(text: str, marks: str) -> str:
    """``text`` with a no-break space before each of ``marks`` that closes a word; a no-break
    space already there stays, a plain one becomes one, "https://" and "10:30" stay as they are.

    Examples
    --------
    >>> punctuate("Collecte: 15–30 sept. ; voir https://x.org à 10:30 !", ":;!?")
    'Collecte\\xa0: 15–30 sept.\\xa0; voir https://x.org à 10:30\\xa0!'
    >>> punctuate("Fieldwork: 15–30 Sept", "")
    'Fieldwork: 15–30 Sept'
    """
    if not marks or not text:
        return text
    return _rule(marks).sub(NBSP + r"\1", text)


def punctuate_html(page: str, marks: str) -> str:
    """:func:`punctuate` on the text of an HTML page, never on its tags, attributes, style sheets,
    scripts or character references (``&lt;``).

    Examples
    --------
    >>> punctuate_html('<p style="x:y">Note: <b>p &lt; 0,1</b></p><style>a:b {}</style>', ":;")
    '<p style="x:y">Note\\xa0: <b>p &lt; 0,1</b></p><style>a:b {}</style>'
    """
    if not marks:
        return page
    # split() gives text, then per tag (a whole style or script element, a character reference) the
    # tag and its name
    parts = _SKIP.split(page)
    return "".join(
        punctuate(part, marks) if i % 3 == 0 else part for i, part in enumerate(parts) if i % 3 != 2
    )


_RUNS = re.compile(r"[ \t\r\n]+")


def tidy(text: str) -> str:
    """A catalogue text on one line: runs of spaces and line breaks (a folded YAML text) become one
    space; no-break spaces stay (``str.split()`` would take them for spaces).

    Examples
    --------
    >>> tidy("  IC à 95\\u00a0%\\n  (n = 4\\u202f091) ")
    'IC à 95\\xa0% (n = 4\\u202f091)'
    """
    return _RUNS.sub(" ", str(text)).strip()
