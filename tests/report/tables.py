"""Reading the report's HTML tables back in tests: header, rows and caption of each table."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser


class _Tables(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables: list[dict] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._head = False

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append({"header": [], "rows": []})
        elif tag == "thead":
            self._head = True
        elif tag == "tbody":
            self._head = False
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(re.sub(r"[ \t\r\n]+", " ", "".join(self._cell)).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            key = "header" if self._head else "rows"
            if self._head:
                self.tables[-1]["header"] = self._row
            else:
                self.tables[-1][key].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def tables(page: str) -> list[dict]:
    """Every ``<table>`` of an HTML fragment: ``header`` (cells), ``rows`` (lists of cells) and
    ``caption``, the text of the caption paragraph that follows the table ("" if none)."""
    parser = _Tables()
    parser.feed(str(page))
    parts = re.split(r"</table>", str(page))[1:]
    for table, after in zip(parser.tables, parts, strict=False):
        m = re.match(r'\s*</div>\s*<p class="caption">(.*?)</p>', after, re.S)
        table["caption"] = html.unescape(re.sub(r"<[^>]+>", "", m.group(1))) if m else ""
    return parser.tables
