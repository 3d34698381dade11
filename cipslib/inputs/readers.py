"""Reading survey exports into a raw table of cell values, whatever the file format.

Supported: CSV (UTF-8, UTF-8 with BOM, or cp1251, which Ukrainian Excel exports often use; comma,
semicolon or tab separated), Excel ``.xlsx``, SPSS ``.sav``/``.zsav`` (with value labels) and
Parquet. Nothing here interprets the answers: :mod:`cipslib.loading` does that through the codebook.
What this module guarantees is that a broken file gives a :class:`~cipslib.errors.CipsDataError`
naming the file and the row, never a parser traceback.
"""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import CipsDataError, Problem

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
SPSS_SUFFIXES = (".sav", ".zsav")
PARQUET_SUFFIXES = (".parquet", ".pq")
DELIMITERS = (",", ";", "\t")
DATA_SHEET_NAMES = ("responses", "data", "відповіді", "дані")


@dataclass
class RawTable:
    """Cells of a data file before interpretation.

    ``frame`` has positional columns ``0..k-1`` (so duplicated names survive for checking);
    ``columns`` holds the names as written in the file. ``row_numbers`` gives, for each frame row,
    the row number a person sees in the file. ``value_labels`` holds SPSS value labels by column
    name.
    """

    file: str
    format: str
    columns: list[str]
    frame: pd.DataFrame
    row_numbers: list[int]
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    value_labels: dict[str, dict[float, str]] = field(default_factory=dict)
    texts: list[str | None] = field(default_factory=list)
    tool: str | None = None
    missing_values: dict[str, list[float]] = field(default_factory=dict)

    def text(self, position: int) -> str | None:
        """The question text of the column at ``position``, when the export gives one."""
        return self.texts[position] if position < len(self.texts) else None

    def below_header(self, rows: int, **changes) -> RawTable:
        """The table without its first ``rows`` body rows (header rows of a survey tool)."""
        return replace(
            self,
            frame=self.frame.iloc[rows:].reset_index(drop=True),
            row_numbers=self.row_numbers[rows:],
            **changes,
        )


def clean_cell(v: Any) -> str | None:
    """A cell as trimmed text; None for empty cells. Whole floats lose their '.0'."""
    if v is None:
        return None
    if isinstance(v, float):
        if math.isnan(v):
            return None
        return str(int(v)) if v.is_integer() else repr(v)
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        return str(int(v))
    s = str(v).strip()
    return s or None


# value kinds for which equal values (1 and 1.0, but not True) always give the same text
_SAME_TEXT_WHEN_EQUAL = {"string", "empty", "floating", "integer", "mixed-integer-float", "decimal"}


def clean_column(values: pd.Series) -> pd.Series:
    """:func:`clean_cell` of every cell of a column, each distinct value cleaned once.

    Examples
    --------
    >>> clean_column(pd.Series([" Agree ", 4.0, None, "", 4])).tolist()
    ['Agree', '4', None, None, '4']
    """
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind not in _SAME_TEXT_WHEN_EQUAL:
        return pd.Series([clean_cell(v) for v in values], index=values.index, dtype=object)
    index, distinct = pd.factorize(values.to_numpy(dtype=object))
    cleaned = np.array([clean_cell(v) for v in distinct] + [None], dtype=object)
    return pd.Series(cleaned[index], index=values.index, dtype=object)


def _fail(file: str, message: str, **kw) -> CipsDataError:
    return CipsDataError([Problem(file, message, **kw)])


def read_table(path: str | Path, sheet: str | None = None) -> RawTable:
    """Read a data file into a :class:`RawTable`; the format follows the file's extension and
    content."""
    path = Path(path)
    file = str(path)
    if not path.exists():
        raise _fail(file, "the data file does not exist")
    if path.is_dir():
        raise _fail(file, "expected a data file but this is a folder")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise _fail(
            file,
            "unsupported file type",
            value=path.suffix or "(no extension)",
            expected="one of " + ", ".join(SUPPORTED),
        )
    head = path.read_bytes()[:8]
    if path.stat().st_size == 0:
        raise _fail(file, "the file is empty", expected="a header row and one row per respondent")
    sniffed = _sniff_format(head)
    if suffix in CSV_SUFFIXES and sniffed is not None:
        raise _fail(
            file,
            f"this is not a text CSV file: its content is a {sniffed} file",
            expected=f"rename it with the right extension ({_SUFFIX_OF[sniffed]})",
        )
    return READERS[suffix](path, sheet)


_SUFFIX_OF = {"Excel": ".xlsx", "SPSS": ".sav", "Parquet": ".parquet"}
# what SurveyMonkey writes under a single-answer question in its second header row
SECOND_HEADER_WORDS = ("response", "open-ended response", "відповідь", "відкрита відповідь")


def _header_rows(table: RawTable) -> RawTable:
    """The table read through the first survey tool's header convention that recognises it."""
    for convention in HEADER_CONVENTIONS.values():
        read = convention(table)
        if read is not None:
            return read
    return table


def _first_row(table: RawTable, row: int = 0) -> list[str | None]:
    if len(table.frame) <= row:
        return []
    return [None if pd.isna(v) else str(v).strip() or None for v in table.frame.iloc[row]]


def _surveymonkey(table: RawTable) -> RawTable | None:
    """SurveyMonkey writes two header rows: the question, then "Response" (single answer) or the
    option (several answers or a grid; the question cell is then left empty after its first
    option). When most filled cells of the first row below the header are such words, or some are
    and that row names every column the header leaves unnamed, the two rows are read as one header:
    the question (carried over empty cells), then the option where there is one."""
    second = _first_row(table)
    filled = [v for v in second if v]
    words = [v for v in filled if v.casefold() in SECOND_HEADER_WORDS]
    unnamed = [pos for pos, name in enumerate(table.columns) if not str(name).strip()]
    options_fill_gaps = bool(unnamed) and all(pos < len(second) and second[pos] for pos in unnamed)
    if not words or (len(words) * 2 < len(filled) and not options_fill_gaps):
        return None
    names, question = [], ""
    for first, sub in zip(table.columns, second, strict=True):
        question = str(first).strip() or question
        option = sub if sub and sub.casefold() not in SECOND_HEADER_WORDS else ""
        names.append(f"{question} {option}".strip() if str(first).strip() or option else question)
    return table.below_header(1, columns=names, tool="surveymonkey")


def _qualtrics(table: RawTable) -> RawTable | None:
    """Qualtrics writes three header rows: column names, question texts, then ``{"ImportId":
    ...}``. When most filled cells of the second row below the header are such import ids, the
    names are kept, the texts become the columns' question texts and both rows leave the data."""
    third = [v for v in _first_row(table, 1) if v]
    ids = [v for v in third if QUALTRICS_IMPORT_ID.match(v)]
    if not third or len(ids) * 2 < len(third):
        return None
    return table.below_header(2, texts=_first_row(table), tool="qualtrics")


# survey tools' header conventions, tried in this order
HEADER_CONVENTIONS = {"qualtrics": _qualtrics, "surveymonkey": _surveymonkey}
"""Survey tools' header rows, tried in order on a CSV or Excel export: name -> reader of the
table as that tool writes it (None when the table is not that tool's)."""
QUALTRICS_IMPORT_ID = re.compile(r"^\{\s*['\"]ImportId['\"]\s*:")


def _sniff_format(head: bytes) -> str | None:
    if head.startswith(b"PK\x03\x04"):
        return "Excel"
    if head.startswith((b"$FL2", b"$FL3")):
        return "SPSS"
    if head.startswith(b"PAR1"):
        return "Parquet"
    return None


def decode_text(data: bytes, file: str) -> tuple[str, str]:
    """Decode CSV bytes: UTF-8 with BOM, UTF-8, else cp1251. Returns (text, encoding)."""
    if b"\x00" in data[:65536]:
        raise _fail(
            file,
            "the file holds binary data, not CSV text",
            expected="a CSV file saved as text (UTF-8 or Windows-1251)",
        )
    if data.startswith(b"\xef\xbb\xbf"):
        text, encoding = data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    else:
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            try:
                text, encoding = data.decode("cp1251"), "cp1251"
            except UnicodeDecodeError as exc:
                raise _fail(
                    file,
                    f"the file is neither UTF-8 nor Windows-1251 text (byte {exc.start})",
                    expected="a CSV file saved as UTF-8 or Windows-1251",
                ) from None
    if "\ufffd" in text:
        line = text[: text.index("\ufffd")].count("\n") + 1
        raise _fail(
            file,
            "the file contains replacement characters (�): it was probably converted from "
            "Windows-1251 to UTF-8 incorrectly, and the original letters are lost",
            row=line,
            expected="the original export, or one re-saved as UTF-8 from the original",
        )
    controls = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in "\r\n\t")
    if controls > max(3, len(text[:65536]) // 200):
        raise _fail(
            file,
            "the file holds binary data, not CSV text",
            expected="a CSV file saved as text (UTF-8 or Windows-1251)",
        )
    return text, encoding


def _read_csv(path: Path) -> RawTable:
    file = str(path)
    try:
        text, encoding = decode_text(path.read_bytes(), file)
    except UnicodeDecodeError as exc:  # a BOM followed by bytes that are not UTF-8
        raise _fail(
            file, f"the file starts with a UTF-8 marker but is not UTF-8 (byte {exc.start})"
        ) from None
    if not text.strip():
        raise _fail(file, "the file is empty", expected="a header row and one row per respondent")
    header_line = text.lstrip("\r\n").splitlines()[0]
    counts = {d: header_line.count(d) for d in DELIMITERS}
    delimiter = max(DELIMITERS, key=lambda d: counts[d])
    if counts[delimiter] == 0:
        others = [d for d in "|:" if d in header_line]
        hint = f" (it seems to use {others[0]!r})" if others else ""
        raise _fail(
            file,
            f"the header row has a single column{hint}",
            row=1,
            value=header_line[:60],
            expected="columns separated by commas, semicolons or tabs",
        )
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    # drop blank lines, remembering the line numbers a person sees
    numbered = [(i + 1, r) for i, r in enumerate(rows) if any(c.strip() for c in r)]
    header_no, header = numbered[0]
    width = len(header)
    problems = []
    body, numbers = [], []
    for line_no, r in numbered[1:]:
        if len(r) != width:
            if len(r) > width and not any(c.strip() for c in r[width:]):
                r = r[:width]
            elif len(r) < width:
                r = r + [""] * (width - len(r))
            else:
                problems.append(
                    Problem(
                        file,
                        f"the row has {len(r)} fields but the header has {width}",
                        row=line_no,
                        expected="the same number of fields on every row "
                        "(check for a separator inside an unquoted value)",
                    )
                )
                continue
        body.append(r)
        numbers.append(line_no)
    if problems:
        raise CipsDataError(problems)
    frame = pd.DataFrame(body, columns=range(width), dtype=object)
    return RawTable(
        file,
        "csv",
        [h.strip() for h in header],
        frame,
        numbers,
        encoding=encoding,
        delimiter=delimiter,
    )


def _read_excel(path: Path, sheet: str | None) -> RawTable:
    import openpyxl

    file = str(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise _fail(
            file,
            f"this is not a readable Excel workbook ({type(exc).__name__})",
            expected="an .xlsx file saved by Excel or a survey tool",
        ) from None
    try:
        names = wb.sheetnames
        if sheet is not None:
            chosen = next((n for n in names if n.strip().lower() == sheet.strip().lower()), None)
            if chosen is None:
                raise _fail(file, f"the workbook has no sheet named '{sheet}'", value=names)
        elif len(names) == 1:
            chosen = names[0]
        else:
            chosen = next((n for n in names if n.strip().lower() in DATA_SHEET_NAMES), None)
            if chosen is None:
                raise _fail(
                    file,
                    "the workbook has several sheets and none is named 'responses'",
                    value=names,
                    expected="a sheet named 'responses' (or give the sheet name)",
                )
        ws = wb[chosen]
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
    finally:
        wb.close()
    numbered = [
        (i + 1, r) for i, r in enumerate(rows) if any(c is not None and str(c).strip() for c in r)
    ]
    if not numbered:
        raise _fail(
            file,
            f"the sheet '{chosen}' is empty",
            expected="a header row and one row per respondent",
        )
    header_no, header = numbered[0]
    while header and (header[-1] is None or not str(header[-1]).strip()):
        header = header[:-1]
    width = len(header)
    body = [list(r[:width]) + [None] * max(0, width - len(r)) for _, r in numbered[1:]]
    frame = pd.DataFrame(body, columns=range(width), dtype=object)
    return RawTable(
        file,
        "xlsx",
        ["" if h is None else str(h).strip() for h in header],
        frame,
        [n for n, _ in numbered[1:]],
        sheet=chosen,
    )


def _read_spss(path: Path) -> RawTable:
    import pyreadstat

    file = str(path)
    try:
        df, meta = pyreadstat.read_sav(str(path), apply_value_formats=False, user_missing=True)
    except Exception as exc:  # pyreadstat raises its own ReadstatError and plain exceptions
        raise _fail(
            file,
            f"this is not a readable SPSS file ({str(exc).strip() or type(exc).__name__})",
            expected="a .sav file exported by SPSS or a survey tool",
        ) from None
    columns = [str(c) for c in df.columns]
    frame = df.astype(object).where(df.notna(), None)
    frame.columns = range(len(columns))
    labels = {str(k): dict(v) for k, v in (meta.variable_value_labels or {}).items()}
    texts = [(meta.column_names_to_labels or {}).get(c) or None for c in df.columns]
    missing = {str(k): list(v) for k, v in (meta.missing_user_values or {}).items()}
    for name, ranges in (meta.missing_ranges or {}).items():
        points = [r["lo"] for r in ranges if r["lo"] == r["hi"]]
        missing.setdefault(str(name), []).extend(p for p in points if p not in missing[str(name)])
    return RawTable(
        file,
        "sav",
        columns,
        frame,
        list(range(1, len(frame) + 1)),
        value_labels=labels,
        texts=texts,
        missing_values=missing,
    )


def _read_parquet(path: Path) -> RawTable:
    file = str(path)
    try:
        df = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several unrelated exception types
        raise _fail(file, f"this is not a readable Parquet file ({type(exc).__name__})") from None
    columns = [str(c) for c in df.columns]
    frame = df.astype(object).where(df.notna(), None)
    frame.columns = range(len(columns))
    return RawTable(file, "parquet", columns, frame, list(range(1, len(frame) + 1)))


READERS: dict[str, Callable[[Path, str | None], RawTable]] = {
    **dict.fromkeys(CSV_SUFFIXES, lambda path, sheet: _header_rows(_read_csv(path))),
    **dict.fromkeys(EXCEL_SUFFIXES, lambda path, sheet: _header_rows(_read_excel(path, sheet))),
    **dict.fromkeys(SPSS_SUFFIXES, lambda path, sheet: _read_spss(path)),
    **dict.fromkeys(PARQUET_SUFFIXES, lambda path, sheet: _read_parquet(path)),
}
"""The file formats cipslib reads: extension -> reader of the file (and the Excel sheet)."""
SUPPORTED = tuple(READERS)
