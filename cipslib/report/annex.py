"""The report's full tables as one Excel workbook, ``tables.xlsx`` beside the report, in the
report's language: a contents sheet (title, publication date, contact, source, what the marks
mean, then one line per sheet with a link to it), then one sheet per findings table.

Each sheet is the findings table as a reader reads it (:class:`AnnexTables`): human column
headers from the language catalogue (``report.workbook.columns``), groups, subgroup levels,
factors, questions and measures by their names in the report's language, never their codes;
values rounded as the report prints them, with an Excel number format of that many decimals;
column widths that fit; above the table a title and a note with its source, its weighting, the
rounding and the marks it uses. A cell hidden by disclosure control reads as the report's hidden
label (``<10``), or ``x`` where it is hidden only to protect another (its ``hidden`` or
``hidden_<column>`` says "complementary"); ``†`` marks a low-precision estimate (its own column);
``–`` a figure that does not apply or does not exist. The precision columns (standard error,
degrees of freedom, effective n, half-width) stay, rounded one decimal finer than their estimate;
every figure unrounded is in ``findings.json`` beside the workbook, which the notes say.

The workbook is written directly as SpreadsheetML (inline strings, a small style sheet), not cell
by cell through openpyxl: a tenth of the time for the ~40,000 cells of a report. The same findings
give the same bytes (no creation time, fixed dates in the zip).
"""

from __future__ import annotations

import math
import re
import zipfile
from dataclasses import dataclass, field
from numbers import Number
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import numpy as np
import pandas as pd

from ..analysis.disclosure import COMPLEMENTARY, COMPLEMENTARY_MARK, hidden_label
from ..files import atomic_write
from ..text.typography import punctuate, space_before, tidy
from .localise import WORDING_COLUMNS

MAX_SHEET_NAME = 31  # Excel's limit
MAX_CELL_TEXT = 32767  # Excel's limit
LOW_PRECISION_MARK = "†"
NOT_APPLICABLE = "–"
"""What a cell reads when its figure does not apply or does not exist (a question the group was
not asked, a test without a p-value)."""


def shown_table(
    table: pd.DataFrame, hidden: str, complementary: str = COMPLEMENTARY_MARK
) -> pd.DataFrame:
    """A findings table as a reader gets it: the empty cells of suppressed records read ``hidden``,
    or ``complementary`` where the record's ``hidden`` (or the column's ``hidden_<column>``) says
    the cell is hidden only to protect another.

    Examples
    --------
    >>> t = pd.DataFrame({"estimate": [52.0, None, None], "n": [40, None, None],
    ...                   "suppressed": [False, True, True],
    ...                   "hidden": [None, "small", "complementary"]})
    >>> shown_table(t, "<10")["estimate"].tolist()
    [52.0, '<10', 'x']
    """
    out = table.copy()
    if "suppressed" not in out or out.empty:
        return out
    rows = out["suppressed"].fillna(False).astype(bool).to_numpy()
    reasons = {c for c in out.columns if c == "hidden" or c.startswith("hidden_")}
    for col in [c for c in out.columns if c not in reasons]:
        why = out.get(f"hidden_{col}", out.get("hidden"))
        empty = out[col].isna().to_numpy() & rows
        if why is not None:
            empty &= why.notna().to_numpy()
        if empty.any():
            protect = (
                (why == COMPLEMENTARY).to_numpy() if why is not None else np.zeros(len(out), bool)
            )
            out[col] = out[col].astype(object)
            out.loc[empty & ~protect, col] = hidden
            out.loc[empty & protect, col] = complementary
    return out


# -- the findings tables as a reader reads them ----------------------------------------------------

KIND_UNIT = {
    "factor_index": "index",
    "item_score": "index",
    "factor_fav": "%",
    "item_fav": "%",
    "indicator": "%",
    "option": "%",
    "gap": "points",
}
"""The unit of each kind of measure (``cipslib.analysis.measures``)."""

DECIMALS: dict[str, int | str] = {
    **dict.fromkeys(
        (
            "n",
            "n_a",
            "n_b",
            "n_prev",
            "n_asked",
            "sample_n",
            "population_n",
            "population",
            "favourable_n",
            "items",
            "df",
            "effective_sample_size",
            "effective_sample_size_prev",
            "all",
        ),
        0,
    ),
    **dict.fromkeys(
        (
            "favourable",
            "favourable_ci_low",
            "favourable_ci_high",
            "score",
            "score_ci_low",
            "score_ci_high",
            "index",
            "share",
            "exists",
            "effective",
        ),
        0,
    ),
    **dict.fromkeys(
        (
            "dont_know_rate",
            "refusal_rate",
            "half_width",
            "gap",
            "difference",
            "change",
            "sample_pct",
            "weighted_pct",
            "population_pct",
            "margin_of_error",
            "margin_of_error_unweighted",
            "importance",
            "importance_se",
            "importance_ci_low",
            "importance_ci_high",
        ),
        1,
    ),
    **dict.fromkeys(
        (
            "alpha",
            "alpha_ci_low",
            "alpha_ci_high",
            "item_rest_r",
            "hedges_g",
            "beta",
            "r_squared",
            "weight_min",
            "weight_max",
            "weight_cv",
            "deff_weighting",
            "t",
        ),
        2,
    ),
    **dict.fromkeys(("raw_weight", "raw_weight_se"), 3),
    "p_value": "p",
    "p_holm": "p",
    "cycle": "year",
}
"""Decimals of a findings column as the report prints it ("p": a p-value, 3 decimals and "<0.001";
"year": a whole number without a thousands separator). Columns in an estimate's unit (estimate,
its CI and standard error) follow :data:`MAIN` or the row's unit."""

MAIN = {
    "items": "favourable",
    "factors": "index",
    "reliability": "alpha",
    "alignment": "difference",
    "gaps": "gap",
    "subgroup_tests": "difference",
    "trends": "change",
    "decomposition": "estimate",
    "drivers": "beta",
}
"""The column whose confidence interval and standard error a table's ``ci_low``, ``ci_high`` and
``se`` are, where it is not the row's ``estimate``."""

DROPPED = ("suppressed", "hidden", "kind", "ref", "key", "item_key", "construct")
"""Columns a reader does not need: codes another column names, and the disclosure flags (the
hidden cells read "<10" or "x")."""

YES_NO = (
    "significant",
    "aligned",
    "low",
    "excludes",
    "headline",
    "reverse",
    "neutral",
)


@dataclass
class Column:
    """A column of a sheet: its header, its cells (numbers rounded, text, marks) and how numbers
    are shown: ``decimals`` per cell (None for text; "year" for a year)."""

    header: str
    cells: list
    decimals: list = field(default_factory=list)
    wide: bool = False  # long text, wrapped at a fixed width


@dataclass
class Sheet:
    """One sheet of the workbook: its findings table, name, title, notes and columns."""

    table: str
    name: str
    title: str
    notes: list[str]
    columns: list[Column]

    @property
    def rows(self) -> int:
        return len(self.columns[0].cells) if self.columns else 0


class AnnexTables:
    """The findings tables of a :class:`~cipslib.report.blocks.Report` as its reader reads them,
    in the report's language (:class:`Sheet` each; :meth:`sheets`).

    Examples
    --------
    >>> from cipslib.report import Report
    >>> annex = AnnexTables(Report.build("params/2024.yaml", "uk"))
    >>> sheet = annex.sheet("factors", annex.report.findings.tables["factors"])
    >>> sheet.name, [c.header for c in sheet.columns][:4]
    ('Чинники', ['Чинник', 'Група', 'Індекс (0–100)', 'Стандартна похибка'])
    >>> sheet.columns[0].cells[0], sorted(set(sheet.columns[1].cells))
    ('1. Лідерство та відданість', ['Посадові особи', 'Приватний сектор'])
    """

    def __init__(self, report):
        self.report = report
        self.cb = report.cb
        self.lang = report.language
        self.labels = report.labels
        self.words = report.labels["workbook"]
        self.fmt = report.fmt
        self.min_cell = report.params.min_cell
        self.hidden = hidden_label(self.min_cell)
        decimals = self.fmt.decimals
        self.unit_decimals = {
            "%": int(decimals.get("percent", 0)),
            "index": int(decimals.get("index", 0)),
            "points": int(decimals.get("points", 1)),
        }
        self._indicators: dict | None = None
        self.marks = space_before(report.tpl)

    # -- notes
    def marks_legend(self, marks: set[str] | None = None) -> str:
        """What the marks mean ("Marks: <10 fewer than 10 respondents, hidden; ..."), of
        ``marks`` only when given ("" when none is used)."""
        m = self.report.findings.meta
        known = [
            (
                self.hidden,
                self.words["mark_small"].format(mark=self.hidden, min_cell=self.min_cell),
            ),
            (
                COMPLEMENTARY_MARK,
                self.words["mark_complementary"].format(mark=COMPLEMENTARY_MARK),
            ),
            (
                LOW_PRECISION_MARK,
                self.words["mark_precision"].format(
                    mark=LOW_PRECISION_MARK,
                    min_n=self.fmt.number(m["min_n_effective"], 0),
                    points=self.fmt.number(m["max_half_width"], 0),
                ),
            ),
            (NOT_APPLICABLE, self.words["mark_dash"].format(mark=NOT_APPLICABLE)),
        ]
        used = [text for mark, text in known if marks is None or mark in marks]
        return f"{self.words['marks']} {'; '.join(used)}." if used else ""

    def source(self) -> str:
        """Where the figures come from: title, fieldwork and the respondents analysed."""
        r = self.report
        fw = r.params.fieldwork or {}
        groups = r.current.data["group"]
        counts = ", ".join(
            f"{r.group_label(g)} {r._n(int((groups == g).sum()))}"
            for g in r.cb.group_names
            if (groups == g).any()
        )
        mode = fw.get("mode")
        return self.words["source"].format(
            title=r.title,
            start=r.date(fw.get("start")),
            end=r.date(fw.get("end")),
            mode=r.text(f"mode_{mode}") if mode in ("online", "paper") else mode or "",
            respondents=counts,
        )

    def front(self) -> list[str]:
        """The lines of the contents sheet above its list of sheets."""
        r = self.report
        lines = [r.title]
        published, contact = r.publication_date(), r.contact()
        if published:
            lines.append(self.words["published"].format(date=published).replace("..", "."))
        if contact:
            lines.append(self.words["contact"].format(contact=contact).replace("..", "."))
        lines = [*lines, self.source(), self.words["rounding"], self.marks_legend()]
        return [self.punctuated(line) for line in lines]

    def punctuated(self, text: str) -> str:
        """A note the code puts together punctuated as the report's language does (French: a
        no-break space before ; and :, :mod:`cipslib.text.typography`)."""
        return punctuate(text, self.marks)

    # -- sheets
    def sheets(self) -> list[Sheet]:
        """A sheet for every non-empty findings table, in the findings' order, with names unique
        and valid in Excel."""
        out, taken = [], {self.words["contents"].lower()}
        for name, table in self.report.findings.tables.items():
            if table is None or table.empty:
                continue
            sheet = self.sheet(name, table)
            sheet.name = unique_sheet_name(sheet.name, taken)
            out.append(sheet)
        return out

    def sheet(self, name: str, table: pd.DataFrame) -> Sheet:
        """One findings table as a sheet."""
        shown = shown_table(table, self.hidden).reset_index(drop=True)
        records = shown.to_dict("records")
        columns, names = [], []
        for col in table.columns:
            if self._dropped(name, col, table):
                continue
            cells, decimals = self._cells(name, col, shown, table, records)
            header = (
                self.cb.group_label(col, self.lang)  # a column per group (the quality table)
                if col in self.cb.groups
                else (self.words.get("columns_by_table", {}).get(name) or {}).get(col)
                or self.words["columns"].get(col, col.replace("_", " ").capitalize())
            )
            wide = any(isinstance(c, str) and len(c) > 40 for c in cells)
            columns.append(Column(header, cells, decimals, wide))
            names.append(self._labeller(col) is not None)
        # what a row is about (group, factor, question, ...) first, then its figures
        columns = [c for c, named in zip(columns, names, strict=True) if named] + [
            c for c, named in zip(columns, names, strict=True) if not named
        ]
        title = self.labels.get("annex_tables", {}).get(name, name)
        sheet_name = self.words.get("sheets", {}).get(name, name)
        marks = {self.hidden, COMPLEMENTARY_MARK, LOW_PRECISION_MARK, NOT_APPLICABLE}
        used = {
            cell for c in columns for cell in c.cells if isinstance(cell, str) and cell in marks
        }
        weighting = self.words["weighting"].get(name, self.words["weighting"]["default"])
        notes = [
            self.source(),
            tidy(weighting),
            self.words["rounding"],
            self.marks_legend(used),
        ]
        notes = [self.punctuated(n) for n in notes if n]
        return Sheet(name, sheet_name, title, notes, columns)

    def _dropped(self, table_name: str, col: str, table: pd.DataFrame) -> bool:
        if col in DROPPED or col.startswith("hidden_"):
            return True
        if col in WORDING_COLUMNS:
            return True  # the words of another column (report/localise.py): shown in that column
        if col == "item" and "measure" in table.columns:  # the measure names the question
            return True
        return False

    def _cells(self, name: str, col: str, shown: pd.DataFrame, table: pd.DataFrame, rows: list):
        """The cells of a column and their decimals (``rows``: the shown table's records)."""
        values = shown[col].tolist()
        if col == "low_precision":
            flags = [
                bool(v) if not _missing(v) and not isinstance(v, str) else False for v in values
            ]
            return [LOW_PRECISION_MARK if f else "" for f in flags], [None] * len(values)
        label = self._labeller(col)
        if label is not None:
            named: dict = {}  # the same code in the same context reads the same
            cells = []
            for v, row in zip(values, rows, strict=True):
                if _is_mark(v, self) or _missing(v):
                    cells.append(v if _is_mark(v, self) else NOT_APPLICABLE)
                    continue
                key = (_hashable(v), *(_hashable(row.get(c)) for c in CONTEXT.get(col, ())))
                if key not in named:
                    named[key] = label(v, row)
                cells.append(named[key])
            return cells, [None] * len(values)
        if _is_bool_column(table[col]):
            yes, no = self.labels["answer_yes"], self.labels["answer_no"]
            cells = [
                v if _is_mark(v, self) else NOT_APPLICABLE if _missing(v) else yes if v else no
                for v in values
            ]
            return cells, [None] * len(values)
        decimals = self._decimals(name, col, table)
        cells = [_rounded(v, d, self) for v, d in zip(values, decimals, strict=True)]
        return cells, [
            None if isinstance(c, str) else d for c, d in zip(cells, decimals, strict=True)
        ]

    # -- numbers
    def _row_units(self, table: pd.DataFrame) -> list[str | None]:
        if "unit" in table.columns:
            return table["unit"].tolist()
        if "kind" in table.columns:
            return [KIND_UNIT.get(k) for k in table["kind"]]
        if "measure" in table.columns:
            return [KIND_UNIT.get(str(m).split(".")[0]) for m in table["measure"]]
        return [None] * len(table)

    def _decimals(self, name: str, col: str, table: pd.DataFrame) -> list:
        """Decimals of each cell of a numeric column, as the report prints the figure."""
        count = len(table)
        main = MAIN.get(name)
        by_unit = [self.unit_decimals.get(u, 1) for u in self._row_units(table)]
        if col in ("ci_low", "ci_high"):
            if main and main in table.columns and main != col:
                return self._decimals(name, main, table)
            return by_unit
        if col == "se":
            if name == "drivers":
                return [3] * count
            base = (
                self._decimals(name, main, table)
                if main and main in table.columns and main != "se"
                else by_unit
            )
            return [d + 1 if isinstance(d, int) else d for d in base]
        if col in ("estimate", "estimate_prev", "estimate_a", "estimate_b"):
            if name == "decomposition":
                return [self.unit_decimals["points"]] * count
            if name == "sample":
                return [1] * count
            if name == "alignment":
                return [self.unit_decimals["index"]] * count
            return by_unit
        if col in DECIMALS or col in self.cb.groups:  # counts per group (the quality table)
            return [DECIMALS.get(col, 0)] * count
        numbers = pd.to_numeric(table[col], errors="coerce").dropna()
        if numbers.empty or (numbers == numbers.round()).all():
            return [0] * count
        return [1 if numbers.abs().max() >= 10 else 2] * count

    # -- labels
    def _labeller(self, col: str):
        """How a column of codes reads as names (None for a column of figures)."""
        cb, lang = self.cb, self.lang
        labels = self.labels

        def level(v, row):
            variable = row.get("variable") or row.get("by")
            try:
                return cb.level_label(variable, v, lang)
            except KeyError:
                return str(v)

        def variable(v, row):
            return cb.variables[v].labels[lang] if v in cb.variables else str(v)

        simple = {
            "group": lambda v, row: cb.group_label(v, lang),
            "group_a": lambda v, row: cb.group_label(v, lang),
            "group_b": lambda v, row: cb.group_label(v, lang),
            "variable": variable,
            "by": variable,
            "level": level,
            "versus": lambda v, row: self.words["rest"] if v == "rest" else level(v, row),
            "factor": lambda v, row: self.factor(v),
            "item": lambda v, row: self.item_text(v, row),
            "exists_item": lambda v, row: self.item_text(v),
            "effective_item": lambda v, row: self.item_text(v),
            "outcome": lambda v, row: self.item_text(v),
            "indicator": lambda v, row: row.get("text") or self.indicator_text(v),
            "measure": lambda v, row: self.measure(v, row),
            "unit": lambda v, row: self.words["units"].get(v, str(v)),
            "comparison": lambda v, row: labels.get(f"comparison_{v}", str(v)),
            "part": lambda v, row: labels.get(f"part_{v}", str(v)),
            "screen": lambda v, row: labels.get("screens", {}).get(v, str(v)),
            "code": lambda v, row: row.get("label") or str(v),
            "codes": lambda v, row: self.answers(v, row),
            "question": lambda v, row: self.question(v),
            "option": lambda v, row: self.option(v, row),
        }
        return simple.get(col)

    def factor(self, k) -> str:
        try:
            return f"{int(k)}. {self.cb.factor_name(int(k), self.lang)}"
        except (KeyError, ValueError, TypeError):
            return str(k)

    def item_text(self, item, row: dict | None = None) -> str:
        """A question's wording in the report's language (by item id, or by cross-cycle key)."""
        if row is not None and row.get("text"):
            return str(row["text"])
        if not hasattr(self, "_wording"):
            items = self.cb.items
            texts = items[f"text_{self.lang}"].astype(str).tolist()
            self._wording = dict(zip(items["key"], texts, strict=True))
            self._wording |= dict(zip(items["id"], texts, strict=True))
        return self._wording.get(item, str(item))

    def indicator_text(self, indicator) -> str:
        if self._indicators is None:
            from ..analysis.scoring import load_indicators

            try:
                self._indicators = load_indicators(self.cb)
            except Exception:  # noqa: BLE001  (another indicator file: the id stays)
                self._indicators = {}
        found = self._indicators.get(indicator)
        return found.text.get(self.lang, indicator) if found is not None else str(indicator)

    def measure(self, measure, row: dict) -> str:
        """A measure id (``item_fav.LEAD_COMMITMENT``) as the reader names it ("% favourable:
        The leadership ...")."""
        kind, _, ref = str(measure).partition(".")
        template = self.words["measures"].get(kind)
        if template is None:
            return str(measure)
        if kind in ("factor_index", "factor_fav"):
            return template.format(factor=self.factor(ref))
        if kind == "gap":
            factor = row.get("factor")
            if _missing(factor):
                factor = self.cb.items.loc[self.cb.items["key"] == ref, "factor"].dropna()
                factor = factor.iloc[0] if len(factor) else ref
            return template.format(factor=self.factor(factor))
        if kind == "indicator":
            return template.format(text=self.indicator_text(ref))
        if kind == "option":
            question, _, code = ref.rpartition("__")
            return template.format(
                question=self.question_by_key(question),
                option=self.option(code, {"question": question}),
            )
        return template.format(text=self.item_text(ref))

    def answers(self, codes, row: dict) -> str:
        """The answers an indicator counts, by their labels."""
        codes = list(codes) if isinstance(codes, (list, tuple, np.ndarray)) else [codes]
        key = row.get("item_key")
        items = self.cb.items
        match = items[(items["key"] == key) | (items["id"] == key)]
        if match.empty:
            return ", ".join(map(str, codes))
        scale = self.cb.scales[match.iloc[0]["scale"]]
        out = []
        for code in codes:
            try:
                out.append(scale.label(int(code), self.lang))
            except (KeyError, ValueError):
                out.append(str(code))
        return self.punctuated("; ".join(out))

    def question(self, question) -> str:
        q = self.cb.multiples.get(question)
        return q.texts.get(self.lang, str(question)) if q is not None else str(question)

    def question_by_key(self, key) -> str:
        for qid, q in self.cb.multiples.items():
            if qid == key or getattr(q, "key", None) == key:
                return q.texts.get(self.lang, str(key))
        return str(key)

    def option(self, code, row: dict) -> str:
        question = self.cb.multiples.get(row.get("question"))
        if question is None:
            for q in self.cb.multiples.values():
                if getattr(q, "key", None) == row.get("question"):
                    question = q
        if question is None:
            return str(code)
        try:
            return self.cb.scales[question.scale].label(int(code), self.lang)
        except (KeyError, ValueError):
            return str(code)


CONTEXT = {
    "level": ("variable", "by"),
    "versus": ("variable",),
    "item": (),
    "indicator": (),
    "measure": ("factor",),
    "code": ("item", "code"),
    "codes": ("item_key",),
    "option": ("question",),
}
"""The other columns a column's names depend on (its codes are named once per combination)."""


def _hashable(v):
    if isinstance(v, (list, np.ndarray)):
        return tuple(v)
    try:
        hash(v)
    except TypeError:
        return str(v)
    return v


def _missing(v) -> bool:
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v))


def _is_mark(v, annex: AnnexTables) -> bool:
    return isinstance(v, str) and v in (annex.hidden, COMPLEMENTARY_MARK)


def _is_bool_column(values: pd.Series) -> bool:
    present = values.dropna()
    return not present.empty and all(isinstance(v, (bool, np.bool_)) for v in present)


def _rounded(v, decimals, annex: AnnexTables):
    """A figure as the report prints it: rounded to ``decimals`` (an int when 0), a p-value under
    0.001 as "<0.001" in the report's language, a missing one as "–", a mark as itself."""
    if isinstance(v, str):
        return v
    if _missing(v):
        return NOT_APPLICABLE
    if isinstance(v, (bool, np.bool_)):
        return annex.labels["answer_yes"] if v else annex.labels["answer_no"]
    if isinstance(v, (list, tuple, np.ndarray)):
        return ", ".join(map(str, v))
    try:
        x = float(v)
    except (TypeError, ValueError):
        return str(v)
    if not math.isfinite(x):
        return NOT_APPLICABLE
    if decimals == "p":
        return f"<{annex.fmt.number(0.001, 3)}" if x < 0.001 else round(x, 3)
    if decimals == "year" or decimals == 0:
        return int(round(x))
    return round(x, int(decimals))


_BAD_SHEET_CHARACTERS = re.compile(r"[\[\]:*?/\\]")


def unique_sheet_name(name: str, taken: set[str]) -> str:
    """A sheet name Excel accepts (at most 31 characters, none of []:*?/\\), unique in the
    workbook (case-insensitively)."""
    base = _BAD_SHEET_CHARACTERS.sub(" ", str(name)).strip().strip("'")[:MAX_SHEET_NAME] or "table"
    candidate, number = base, 2
    while candidate.lower() in taken:
        suffix = f" {number}"
        candidate = base[: MAX_SHEET_NAME - len(suffix)] + suffix
        number += 1
    taken.add(candidate.lower())
    return candidate


def write_tables_xlsx(report, path: str | Path, sheets: list[Sheet] | None = None) -> Path:
    """Write ``tables.xlsx`` for a :class:`~cipslib.report.blocks.Report`: the contents sheet,
    then one sheet per non-empty findings table (:class:`AnnexTables`, or the ``sheets`` made
    already), in the report's language.

    Examples
    --------
    >>> import tempfile
    >>> from openpyxl import load_workbook
    >>> from cipslib.report import Report
    >>> report = Report.build("params/2024.yaml")
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     book = load_workbook(write_tables_xlsx(report, Path(tmp) / "t.xlsx"))
    ...     book.sheetnames[:3], book["Factors"]["A6"].value, book["Factors"]["A7"].value
    (['Contents', 'Estimates', 'Questions'], 'Factor', '1. Leadership and Commitment')
    """
    annex = AnnexTables(report)
    sheets = annex.sheets() if sheets is None else sheets
    words = annex.words
    front = annex.front()
    contents: list[list] = [[line] for line in front]
    contents.append([])
    header_row = len(contents) + 1
    contents.append([words["sheet"], words["rows"], words["holds"]])
    contents += [[s.name, s.rows, s.title] for s in sheets]
    styles = [[_TITLE], *[[_NOTE]] * (len(front) - 1), [], [_HEADER] * 3]
    styles += [[_LINK, _INTEGER, _TEXT] for _ in sheets]
    links = {f"A{header_row + 1 + i}": f"{_quoted_sheet(s.name)}!A1" for i, s in enumerate(sheets)}
    widths = [
        max([len(words["sheet"]), *(len(s.name) for s in sheets)]) + 3,
        max(len(words["rows"]), 6) + 2,
        min(max([len(words["holds"]), *(len(s.title) for s in sheets)]) + 2, 100),
    ]
    parts = [
        (
            words["contents"],
            _sheet_xml(contents, styles, widths, frozen_rows=header_row, links=links),
            None,
        )
    ]
    for sheet in sheets:
        parts.append((sheet.name, *_table_sheet(sheet)))
    return atomic_write(Path(path), lambda target: _write_workbook(target, parts))


def _quoted_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _table_sheet(sheet: Sheet) -> tuple[bytes, str]:
    """The worksheet of a sheet (title, notes, an empty row, the header, the rows) and the range
    of its table (for the filter)."""
    rows: list[list] = [[sheet.title], *([note] for note in sheet.notes), []]
    styles: list[list] = [[_TITLE], *([_NOTE] for _ in sheet.notes), []]
    header_row = len(rows) + 1
    rows.append([c.header for c in sheet.columns])
    styles.append([_HEADER] * len(sheet.columns))
    cell_styles = [
        [
            _style_of(cell, d, column.wide)
            for cell, d in zip(column.cells, column.decimals, strict=True)
        ]
        for column in sheet.columns
    ]
    for i in range(sheet.rows):
        rows.append([c.cells[i] for c in sheet.columns])
        styles.append([s[i] for s in cell_styles])
    widths = [_width(c) for c in sheet.columns]
    last = f"{_letters(len(sheet.columns))}{header_row + sheet.rows}"
    area = f"A{header_row}:{last}"
    return _sheet_xml(rows, styles, widths, frozen_rows=header_row, filter_area=area), area


def _style_of(cell, decimals, wide: bool) -> int:
    if isinstance(cell, str) or cell is None:
        if decimals is None and wide:
            return _WRAPPED
        return _TEXT_RIGHT if decimals is not None or cell in (NOT_APPLICABLE,) else _TEXT
    if decimals == "year":
        return _YEAR
    if decimals == "p":
        return _DECIMALS[3]
    return _DECIMALS.get(int(decimals) if decimals is not None else 0, _DECIMALS[3])


def _shown_length(cell, decimals) -> int:
    if isinstance(cell, str):
        return max((len(line) for line in cell.split("\n")), default=0)
    if cell is None:
        return 0
    if decimals == "year":
        return len(str(cell))
    d = 3 if decimals == "p" else int(decimals or 0)
    return len(f"{cell:,.{d}f}")


def _width(column: Column) -> float:
    """A column's width in characters: its widest cell, and a header that wraps at its words; long
    text at most 60 (wrapped)."""
    longest = max(
        (_shown_length(c, d) for c, d in zip(column.cells, column.decimals, strict=True)),
        default=0,
    )
    words = column.header.split()
    header = min(len(column.header), max([12, *(len(w) for w in words)]))
    if column.wide:
        return 60.0
    return float(min(max(longest, header) + 2, 60))


# -- SpreadsheetML ---------------------------------------------------------------------------------

# characters XML 1.0 does not allow (openpyxl refuses them; here they are left out)
_ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037]")

# cell styles (indices into the style sheet's cellXfs)
_PLAIN, _TITLE, _NOTE, _HEADER, _TEXT, _WRAPPED = 0, 1, 2, 3, 4, 5
_DECIMALS = {0: 6, 1: 7, 2: 8, 3: 9}
_YEAR, _TEXT_RIGHT, _LINK = 10, 11, 12


def _cell(ref: str, value, style: int = _PLAIN) -> str:
    """One ``<c>`` element (a missing value is an empty cell; infinities read ``inf``; text is
    always text, never a formula)."""
    s = f' s="{style}"' if style else ""
    kind = type(value)
    if kind is float and math.isfinite(value) or kind is int:
        return f'<c r="{ref}"{s} t="n"><v>{value:.16g}</v></c>'
    if value is None:
        return f'<c r="{ref}"{s} />' if style else ""
    if isinstance(value, (bool, np.bool_)):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, Number) and not isinstance(value, complex):
        number = float(value) if not isinstance(value, (int, np.integer)) else value
        if isinstance(number, float) and math.isinf(number):
            value = "inf" if number > 0 else "-inf"
        else:
            return f'<c r="{ref}"{s} t="n"><v>{number:.16g}</v></c>'
    text = _ILLEGAL.sub("", str(value))[:MAX_CELL_TEXT]
    stripped = text.strip()
    space = ' xml:space="preserve"' if stripped and stripped != text else ""
    return f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>'


def _letters(n: int) -> str:
    """The column letters of the ``n``-th column (1 is A, 27 is AA)."""
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


_SHEET_START = (
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheetPr>'
    '<outlinePr summaryBelow="1" summaryRight="1" /><pageSetUpPr fitToPage="1" /></sheetPr>'
)
_SHEET_END = (
    '<pageMargins left="0.5" right="0.5" top="0.75" bottom="0.75" header="0.3" footer="0.3" />'
    '<pageSetup orientation="landscape" paperSize="9" fitToWidth="1" fitToHeight="0" />'
    "</worksheet>"
)


def _sheet_xml(
    rows: list,
    styles: list,
    widths: list[float],
    frozen_rows: int,
    links: dict[str, str] | None = None,
    filter_area: str | None = None,
) -> bytes:
    """A worksheet of ``rows`` (lists of cell values) from A1, each cell with its style from
    ``styles`` (same shape; missing: plain), the columns ``widths`` characters wide, the first
    ``frozen_rows`` frozen; ``links``: cell -> place in the workbook; ``filter_area``: the range
    that gets a filter."""
    width = max((len(r) for r in rows), default=1) or 1
    letters = [_letters(i) for i in range(1, width + 1)]
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{w:.1f}" customWidth="1" />'
        for i, w in enumerate(widths, start=1)
    )
    parts = [
        _SHEET_START,
        f'<dimension ref="A1:{letters[-1]}{max(len(rows), 1)}" />',
        f'<sheetViews><sheetView workbookViewId="0"><pane ySplit="{frozen_rows}" '
        f'topLeftCell="A{frozen_rows + 1}" activePane="bottomLeft" state="frozen" />'
        '<selection pane="bottomLeft" activeCell="A1" sqref="A1" /></sheetView></sheetViews>'
        '<sheetFormatPr baseColWidth="8" defaultRowHeight="15" />',
        f"<cols>{cols}</cols>" if cols else "",
        "<sheetData>",
    ]
    for number, row in enumerate(rows, start=1):
        if len(row):
            style_row = styles[number - 1] if number - 1 < len(styles) else []
            cells = "".join(
                _cell(f"{letters[i]}{number}", v, style_row[i] if i < len(style_row) else _PLAIN)
                for i, v in enumerate(row)
            )
            parts.append(f'<row r="{number}">{cells}</row>')
    parts.append("</sheetData>")
    if filter_area:
        parts.append(f'<autoFilter ref="{filter_area}" />')
    if links:
        parts.append(
            "<hyperlinks>"
            + "".join(
                f'<hyperlink ref="{ref}" location={quoteattr(place)} display='
                f"{quoteattr(place.rsplit('!', 1)[0].strip(chr(39)))} />"
                for ref, place in links.items()
            )
            + "</hyperlinks>"
        )
    parts.append(_SHEET_END)
    return "".join(parts).encode("utf-8")


_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_SPREADSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_APP = (
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    "<Application>Microsoft Excel Compatible / cipslib</Application></Properties>"
)
_CORE = (
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
    'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/'
    'dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>cipslib'
    "</dc:creator></cp:coreProperties>"
)
_TOP = '<alignment vertical="top" />'
_STYLES = (
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="3"><numFmt numFmtId="164" formatCode="#,##0.0" />'
    '<numFmt numFmtId="165" formatCode="#,##0.00" /><numFmt numFmtId="166" '
    'formatCode="#,##0.000" /></numFmts>'
    '<fonts count="5">'
    '<font><sz val="11" /><color theme="1" /><name val="Calibri" /><family val="2" />'
    '<scheme val="minor" /></font>'
    '<font><b /><sz val="11" /><color rgb="FF08306B" /><name val="Calibri" /><family val="2" />'
    '<scheme val="minor" /></font>'
    '<font><b /><sz val="13" /><color rgb="FF08306B" /><name val="Calibri" /><family val="2" />'
    '<scheme val="minor" /></font>'
    '<font><sz val="10" /><color rgb="FF595959" /><name val="Calibri" /><family val="2" />'
    '<scheme val="minor" /></font>'
    '<font><u /><sz val="11" /><color rgb="FF0563C1" /><name val="Calibri" /><family val="2" />'
    '<scheme val="minor" /></font></fonts>'
    '<fills count="3"><fill><patternFill /></fill><fill><patternFill patternType="gray125" />'
    '</fill><fill><patternFill patternType="solid"><fgColor rgb="FFDEEBF7" /><bgColor '
    'indexed="64" /></patternFill></fill></fills>'
    '<borders count="2"><border><left /><right /><top /><bottom /><diagonal /></border>'
    '<border><left /><right /><top /><bottom style="thin"><color rgb="FF6BAED6" /></bottom>'
    "<diagonal /></border></borders>"
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" /></cellStyleXfs>'
    '<cellXfs count="13">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" />'
    '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1" />'
    '<xf numFmtId="0" fontId="3" fillId="0" borderId="0" xfId="0" applyFont="1" />'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" '
    'applyBorder="1" applyAlignment="1"><alignment vertical="top" wrapText="1" /></xf>'
    f'<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">{_TOP}</xf>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
    '<alignment vertical="top" wrapText="1" /></xf>'
    '<xf numFmtId="3" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" '
    f'applyAlignment="1">{_TOP}</xf>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" '
    f'applyAlignment="1">{_TOP}</xf>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" '
    f'applyAlignment="1">{_TOP}</xf>'
    '<xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" '
    f'applyAlignment="1">{_TOP}</xf>'
    '<xf numFmtId="1" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" '
    f'applyAlignment="1">{_TOP}</xf>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
    '<alignment horizontal="right" vertical="top" /></xf>'
    '<xf numFmtId="0" fontId="4" fillId="0" borderId="0" xfId="0" applyFont="1" />'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0" /></cellStyles>'
    '<tableStyles count="0" defaultTableStyle="TableStyleMedium9" '
    'defaultPivotStyle="PivotStyleLight16" />'
)
_INTEGER = _DECIMALS[0]


def _write_workbook(path: Path, sheets: list[tuple[str, bytes, str | None]]) -> None:
    """The package: the worksheets (name, XML, the range of its filter or None), styles, theme,
    workbook and their relationships, each part dated 1980-01-01 (the zip format's first date),
    so the same sheets give the same bytes."""
    from openpyxl.styles.colors import COLOR_INDEX
    from openpyxl.writer.theme import theme_xml

    count = len(sheets)
    numbers = range(1, count + 1)
    types = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_SPREADSHEET}.worksheet'
        '+xml" />'
        for i in numbers
    )
    names = "".join(
        f'<sheet name={quoteattr(name)} sheetId="{i}" state="visible" r:id="rId{i}" />'
        for i, (name, _, _) in enumerate(sheets, start=1)
    )
    filters = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
        + escape(f"{_quoted_sheet(name)}!{_absolute(area)}")
        + "</definedName>"
        for i, (name, _, area) in enumerate(sheets)
        if area
    )
    links = "".join(
        f'<Relationship Type="{_OFFICE}/worksheet" Target="/xl/worksheets/sheet{i}.xml" '
        f'Id="rId{i}" />'
        for i in numbers
    )
    parts = [
        ("docProps/app.xml", _APP),
        ("docProps/core.xml", _CORE),
        ("xl/theme/theme1.xml", theme_xml),
        *((f"xl/worksheets/sheet{i}.xml", xml) for i, (_, xml, _) in enumerate(sheets, start=1)),
        (
            "xl/styles.xml",
            _STYLES
            + "<colors><indexedColors>"
            + "".join(f'<rgbColor rgb="{rgb}" />' for rgb in COLOR_INDEX[:64])
            + "</indexedColors></colors></styleSheet>",
        ),
        (
            "_rels/.rels",
            f'<Relationships xmlns="{_RELATIONSHIPS}"><Relationship Type="{_OFFICE}/officeDocument"'
            ' Target="xl/workbook.xml" Id="rId1" /><Relationship Type="http://schemas.openxmlformats'
            '.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml" '
            f'Id="rId2" /><Relationship Type="{_OFFICE}/extended-properties" '
            'Target="docProps/app.xml" Id="rId3" /></Relationships>',
        ),
        (
            "xl/workbook.xml",
            f'<workbook xmlns:r="{_OFFICE}" xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
            '2006/main"><workbookPr /><workbookProtection /><bookViews><workbookView '
            'visibility="visible" minimized="0" showHorizontalScroll="1" showVerticalScroll="1" '
            'showSheetTabs="1" tabRatio="800" firstSheet="0" activeTab="0" '
            f'autoFilterDateGrouping="1" /></bookViews><sheets>{names}</sheets>'
            f"<definedNames>{filters}</definedNames>"
            '<calcPr calcId="124519" fullCalcOnLoad="1" /></workbook>',
        ),
        (
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{_RELATIONSHIPS}">{links}<Relationship Type="{_OFFICE}/styles"'
            f' Target="styles.xml" Id="rId{count + 1}" /><Relationship Type="{_OFFICE}/theme" '
            f'Target="theme/theme1.xml" Id="rId{count + 2}" /></Relationships>',
        ),
        (
            "[Content_Types].xml",
            f'<Types xmlns="{_TYPES}"><Default Extension="rels" ContentType="application/vnd.'
            'openxmlformats-package.relationships+xml" /><Default Extension="xml" '
            'ContentType="application/xml" /><Override PartName="/xl/styles.xml" '
            f'ContentType="{_SPREADSHEET}.styles+xml" /><Override PartName="/xl/theme/theme1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.theme+xml" /><Override '
            'PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.'
            'core-properties+xml" /><Override PartName="/docProps/app.xml" ContentType="'
            'application/vnd.openxmlformats-officedocument.extended-properties+xml" />'
            f'{types}<Override PartName="/xl/workbook.xml" ContentType="{_SPREADSHEET}.sheet.main'
            '+xml" /></Types>',
        ),
    ]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            package.writestr(info, data)


def _absolute(area: str) -> str:
    """``A6:K90`` as ``$A$6:$K$90``."""
    return ":".join(re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", end) for end in area.split(":"))
