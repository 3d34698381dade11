"""Loading a cycle's survey export through the codebook, with every problem reported at once.

:func:`load_responses` returns the tidy answers (one row per respondent, categorical dtypes);
:func:`load_cycle` returns the same together with the reason each missing answer is missing (don't
know, refusal, no answer, not asked) and a load report. Conventions:

* Identifier columns (e-mail, IP address, names, phone, free text, timestamps) are dropped at load
  and the report lists them. Columns the codebook does not know are dropped too (with a warning):
  nothing that was not declared in the codebook travels further.
* "Don't know" and refusal codes become missing values; their counts are kept in the report and
  their positions in :attr:`CycleData.reasons`, so their rates can be reported beside each estimate.
* Answers to a question the respondent was not asked (another questionnaire, or routed past it) are
  cleared with a warning.
* Rows that are entirely empty (common at the end of spreadsheets) are skipped and counted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import CipsDataError, Problem, ProblemList
from ..files import atomic_write
from .codebook import Codebook, Scale, load_codebook, normalise_name
from .matching import AmbiguousColumn, AnswerReader, ColumnMatch, ColumnMatcher, as_int, as_number
from .multiple import MultipleChoiceReader
from .readers import RawTable, clean_column, read_table
from .tools import system_column
from .variables import RespondentVariableReading

REASONS = ("dont_know", "refusal", "no_answer", "not_asked")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.I)
IP_RE = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")
MAX_ROWS_LISTED = 5


@dataclass
class LoadReport:
    """What happened while loading a file."""

    file: str
    cycle: int
    format: str
    encoding: str | None
    delimiter: str | None
    rows_read: int
    empty_rows_skipped: int
    dropped_identifiers: list[str]
    dropped_unknown: list[str]
    warnings: list[Problem]
    nonresponse: pd.DataFrame
    columns: list[ColumnMatch] = field(default_factory=list)
    generated_ids: bool = False
    constants: dict[str, str] = field(default_factory=dict)
    tool_metadata: list[str] = field(default_factory=list)

    def mapping(self) -> pd.DataFrame:
        """The export's columns as they were read: codebook target, its kind and the matching
        rule (``id``, ``key``, ``alias``, ``text``); dropped and ignored columns follow."""
        rows = [(m.column, m.target, m.kind, m.rule) for m in self.columns]
        rows += [(c, None, "identifier (dropped)", None) for c in self.dropped_identifiers]
        rows += [(c, None, "survey tool metadata (ignored)", None) for c in self.tool_metadata]
        rows += [(c, None, "not in the codebook (ignored)", None) for c in self.dropped_unknown]
        return pd.DataFrame(rows, columns=["column", "target", "kind", "rule"])

    def summary(self) -> str:
        lines = [
            f"{self.file}: {self.rows_read} respondents read ({self.format}"
            + (f", {self.encoding}" if self.encoding else "")
            + ")"
        ]
        if self.empty_rows_skipped:
            lines.append(f"  {self.empty_rows_skipped} empty rows skipped")
        if self.dropped_identifiers:
            lines.append("  identifier columns dropped: " + ", ".join(self.dropped_identifiers))
        if self.dropped_unknown:
            lines.append(
                "  columns not in the codebook dropped: " + ", ".join(self.dropped_unknown)
            )
        if self.tool_metadata:
            lines.append("  survey tool metadata ignored: " + ", ".join(self.tool_metadata))
        if self.generated_ids:
            lines.append("  no respondent id column: ids generated from the row numbers")
        for name, value in self.constants.items():
            lines.append(f"  no '{name}' column: '{value}' from the params for every respondent")
        lines += [f"  warning: {w}" for w in self.warnings]
        return "\n".join(lines)


@dataclass
class CycleData:
    """A loaded cycle: the tidy answers, why missing answers are missing, and the load report.

    Examples
    --------
    >>> from cipslib import demo_cycle
    >>> cd = demo_cycle(2024)
    >>> cd.report.file.endswith("cips_2024.csv")
    True
    """

    data: pd.DataFrame
    reasons: pd.DataFrame
    report: LoadReport
    codebook: Codebook = field(repr=False)

    @property
    def cycle(self) -> int:
        return self.report.cycle


def load_responses(
    path: str | Path,
    codebook: Codebook | str | Path | None = None,
    cycle: int | None = None,
    *,
    sheet: str | None = None,
    constants: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Load a survey export and return one row per respondent.

    Parameters
    ----------
    path : CSV, XLSX, SPSS ``.sav`` or Parquet file.
    codebook : a :class:`~cipslib.codebook.Codebook`, a path to one, or None for the shipped
    codebook. cycle : survey year. If None, the file's ``cycle`` column must hold a single year.
    sheet : for Excel files with several sheets, the sheet to read (default: the one named
    "responses").
    constants : values of respondent variables the file has no column for, e.g. ``{"mode":
    "online"}`` (level name, code or label). Without a respondent id column every row gets a
    generated id ``row-<row number>``; nothing downstream depends on ids.

    Returns
    -------
    DataFrame with the respondent variables (categorical, levels from the codebook) and one column
    per item asked in the cycle (categorical of integer answer codes; ordered for ordinal scales).
    Don't know, refusal and unanswered are missing values. ``df.attrs["cips"]`` records the source
    file, the cycle, the columns dropped and the count of don't-know and refusal answers per item.

    Raises
    ------
    CipsDataError listing every problem found (file, row, column, value, what was expected).

    Examples
    --------
    >>> from cipslib import load_codebook
    >>> from cipslib.inputs.demo import demo_path
    >>> data = load_responses(demo_path(2024), load_codebook(), cycle=2024)
    >>> data.shape[0], str(data["group"].dtype)
    (925, 'category')
    """
    return load_cycle(path, codebook, cycle, sheet=sheet, constants=constants).data


def save_responses(data: pd.DataFrame, path: str | Path) -> Path:
    """Write loaded responses (the output of :func:`load_responses`) to CSV (UTF-8), XLSX or
    Parquet, so that loading the file again gives the same frame. Respondent variables are written
    as level names, answers as codes; don't know and refusal were already missing values and stay
    empty (their reasons are not kept).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from cipslib import demo_data
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = save_responses(demo_data(2024), Path(tmp) / "clean.csv")
    ...     path.stat().st_size > 10_000
    True
    """
    path = Path(path)
    out = pd.DataFrame(index=data.index)
    for col in data.columns:
        s = data[col]
        if isinstance(s.dtype, pd.CategoricalDtype):
            cats = pd.Index(s.cat.categories)
            s = s.astype("Int64") if pd.api.types.is_numeric_dtype(cats) else s.astype(object)
        out[col] = s
    writers = {
        ".csv": lambda p: out.to_csv(p, index=False, encoding="utf-8"),
        ".parquet": lambda p: out.to_parquet(p, index=False),
        ".pq": lambda p: out.to_parquet(p, index=False),
        ".xlsx": lambda p: out.to_excel(p, sheet_name="responses", index=False),
    }
    suffix = path.suffix.lower()
    if suffix not in writers:
        raise CipsDataError(
            [Problem(str(path), "responses can be saved as .csv, .xlsx or .parquet", value=suffix)]
        )
    return atomic_write(path, writers[suffix])


def load_cycle(
    path: str | Path,
    codebook: Codebook | str | Path | None = None,
    cycle: int | None = None,
    *,
    sheet: str | None = None,
    constants: Mapping[str, str] | None = None,
) -> CycleData:
    """Like :func:`load_responses`, but also return the missing-answer reasons and the load
    report.

    Examples
    --------
    >>> from cipslib import load_codebook
    >>> from cipslib.inputs.demo import demo_path
    >>> cd = load_cycle(demo_path(2024), load_codebook(), 2024)
    >>> cd.report.dropped_identifiers
    ['comment']
    """
    cb = codebook if isinstance(codebook, Codebook) else load_codebook(codebook)
    raw = read_table(path, sheet=sheet)
    return _Interpreter(raw, cb, cycle, constants).run()


# ------------------------------------------------------------------------------------------------
def _rows_text(rows: list[int]) -> str:
    shown = ", ".join(str(r) for r in rows[:MAX_ROWS_LISTED])
    more = len(rows) - MAX_ROWS_LISTED
    return shown + (f" and {more} more" if more > 0 else "")


class _Interpreter(RespondentVariableReading):
    """Turns a RawTable into tidy data through the codebook, collecting problems as it goes."""

    def __init__(
        self,
        raw: RawTable,
        codebook: Codebook,
        cycle: int | None,
        constants: Mapping[str, str] | None = None,
    ):
        self.raw = raw
        self.cb = codebook
        self.cycle = cycle
        self.constants = {k: v for k, v in (constants or {}).items() if v is not None}
        self.mapping: list[ColumnMatch] = []
        self.tool_metadata: list[str] = []
        self.file = raw.file
        self.problems = ProblemList()
        for name in self.constants:
            if name not in codebook.variables:
                self.problems.add(
                    self.file,
                    f"a value is given for '{name}' (params 'constants' or --set), but the "
                    "codebook has no such respondent variable",
                    value=name,
                    expected="one of " + ", ".join(codebook.variables),
                )

    # -- entry ------------------------------------------------------------------------------------
    def run(self) -> CycleData:
        raw = self.raw
        cells = pd.DataFrame(
            {c: clean_column(raw.frame[c]) for c in raw.frame.columns},
            index=raw.frame.index,
            columns=raw.frame.columns,
        )
        nonempty = (
            cells.notna().any(axis=1) if len(cells.columns) else pd.Series(False, index=cells.index)
        )
        empty_rows = int((~nonempty).sum())
        cells = cells[nonempty].reset_index(drop=True)
        self.rows = [n for n, keep in zip(raw.row_numbers, nonempty, strict=True) if keep]
        if cells.empty:
            raise CipsDataError(
                [
                    Problem(
                        self.file,
                        "the file has a header but no respondents",
                        expected="one row per respondent below the header",
                    )
                ]
            )
        self._resolve_cycle(self._cycle_column(cells))
        cycle = int(self.cycle)  # type: ignore[arg-type]
        variables, items, dropped_ids, dropped_unknown = self._map_columns(cells, cycle)
        expected_items = self.cb.items_for(cycle=cycle)
        out: dict[str, Any] = {}
        for name, var in self.cb.variables.items():
            out[name] = self._variable(name, var, variables.get(name))
        groups = out["group"]
        self._check_consistency(out)
        self._check_required_columns(variables, items, expected_items, groups, out)
        data = pd.DataFrame(out)
        reasons: dict[str, pd.Series] = {}
        for _, item in expected_items.iterrows():
            values, why = self._item(item, items.get(item["id"]), data)
            data[item["id"]] = values
            reasons[item["id"]] = why
        self._apply_routing(data, reasons, expected_items)
        self.problems.raise_if_errors()
        reasons_df = pd.DataFrame(reasons, index=data.index)
        for col in reasons_df:
            reasons_df[col] = pd.Categorical(reasons_df[col], categories=list(REASONS))
        nonresp = pd.DataFrame({r: (reasons_df == r).sum() for r in REASONS}).rename_axis("item")
        report = LoadReport(
            self.file,
            cycle,
            raw.format,
            raw.encoding,
            raw.delimiter,
            len(data),
            empty_rows,
            dropped_ids,
            dropped_unknown,
            self.problems.warnings,
            nonresp,
            self.mapping,
            "respondent_id" not in variables,
            {k: v for k, v in self.constants.items() if k not in variables},
            self.tool_metadata,
        )
        data.attrs["cips"] = {
            "file": self.file,
            "cycle": cycle,
            "dropped_identifiers": list(dropped_ids),
            "dropped_unknown": list(dropped_unknown),
            "nonresponse": {
                i: {"dont_know": int(r.dont_know), "refusal": int(r.refusal)}
                for i, r in nonresp.iterrows()
            },
        }
        return CycleData(data, reasons_df, report, self.cb)

    # -- columns ----------------------------------------------------------------------------------
    def _map_columns(self, cells: pd.DataFrame, cycle: int):
        """Columns of the export recognised as respondent variables and the cycle's items (see
        :mod:`cipslib.inputs.matching`), identifier columns dropped, the rest ignored."""
        cb, file = self.cb, self.file
        matcher = ColumnMatcher(cb, cycle)
        other_cycles = {normalise_name(i) for i in cb.items["id"]}
        claimed: dict[str, str] = {}
        seen: dict[str, int] = {}
        variables: dict[str, pd.Series] = {}
        items: dict[str, pd.Series] = {}
        dropped_ids: list[str] = []
        dropped_unknown: list[str] = []
        mapping: list[ColumnMatch] = []
        choices = MultipleChoiceReader(cb, cycle)
        joined: dict[str, pd.Series] = {}
        per_option: dict[str, dict[int, pd.Series]] = {}
        for pos, name in enumerate(self.raw.columns):
            col = cells[pos]
            norm = normalise_name(name)
            if not norm:
                if col.notna().any():
                    self.problems.add(
                        file,
                        f"column number {pos + 1} has values but no name in the header",
                        row=1,
                        expected="a column name from the codebook",
                    )
                continue
            if norm in seen:
                self.problems.add(
                    file,
                    f"the column name '{name}' appears twice (columns {seen[norm] + 1} "
                    f"and {pos + 1})",
                    row=1,
                    expected="each column once",
                )
                continue
            seen[norm] = pos
            try:
                found = matcher.match(name)
                if found.target is None and self.raw.text(pos):
                    by_text = matcher.match(self.raw.text(pos))
                    found = ColumnMatch(str(name), by_text.target, by_text.kind, by_text.rule)
            except AmbiguousColumn as exc:
                self.problems.add(
                    file,
                    f"the column '{name}' matches two entries of the codebook: {exc}",
                    row=1,
                    expected="an alias in the codebook that names one of them",
                )
                continue
            if found.target is not None:
                if found.target in claimed:
                    self.problems.add(
                        file,
                        f"the columns '{claimed[found.target]}' and '{name}' both match "
                        f"{found.kind} '{found.target}'",
                        row=1,
                        expected="each question once",
                    )
                    continue
                claimed[found.target] = str(name)
                if found.kind == "multiple":
                    joined[found.target] = col
                else:
                    (variables if found.kind == "variable" else items)[found.target] = col
                mapping.append(found)
            elif option := choices.option_of(name) or choices.option_of(self.raw.text(pos)):
                qid, code = option
                per_option.setdefault(qid, {})[code] = col
                option_id = cb.multiples[qid].options[code]
                mapping.append(ColumnMatch(str(name), option_id, "item", "option"))
            elif cb.is_identifier(name) or self._looks_identifying(col):
                dropped_ids.append(str(name))
            elif (system := system_column(name)) is not None:
                (dropped_ids if system.kind == "identifier" else self.tool_metadata).append(
                    str(name)
                )
            else:
                dropped_unknown.append(str(name))
                if normalise_name(name) in other_cycles:
                    self.problems.warn(
                        file,
                        f"item '{name}' is not on the {cycle} questionnaire in the codebook; its "
                        "column was ignored",
                        column=str(name),
                    )
        if dropped_unknown:
            self.problems.warn(
                file, "columns not in the codebook were dropped: " + ", ".join(dropped_unknown)
            )
        self.mapping = mapping
        items |= self._multiple_choices(choices, joined, per_option, cells.index)
        return variables, items, dropped_ids, dropped_unknown

    def _multiple_choices(self, choices, joined, per_option, index) -> dict[str, pd.Series]:
        """Each option's answers of the multiple-choice questions found, as "1"/"0"/None cells;
        cells that are no option are problems."""
        out: dict[str, pd.Series] = {}
        for qid, col in joined.items():
            question = self.cb.multiples[qid]
            read, bad = choices.joined(question, col)
            out |= read
            for value, positions in bad.items():
                self._bad(
                    qid,
                    [self.rows[p] for p in positions],
                    value,
                    "a part of the answer is none of the question's options",
                    "the options' labels or codes, separated by "
                    + (repr(question.separator) if question.separator else "; or , or a space"),
                )
        for qid, columns in per_option.items():
            if qid in joined:
                continue
            question = self.cb.multiples[qid]
            read, bad = choices.per_option(question, columns, index)
            out |= read
            for code, wrong in bad.items():
                for value, positions in wrong.items():
                    self._bad(
                        question.options[code],
                        [self.rows[p] for p in positions],
                        value,
                        "not a selected or unselected option",
                        "1 or 0, true or false, yes or no, the option, or empty",
                    )
        return out

    @staticmethod
    def _looks_identifying(col: pd.Series) -> bool:
        values = col.dropna().astype(str).head(200)
        if values.empty:
            return False
        hits = values.map(lambda v: bool(EMAIL_RE.match(v) or IP_RE.match(v))).mean()
        return bool(hits > 0.5)

    def _cycle_column(self, cells: pd.DataFrame) -> pd.Series | None:
        """The column read as the ``cycle`` variable (its items depend on the cycle, so it is found
        before the others), or None."""
        matcher = ColumnMatcher(self.cb, None)
        for pos, name in enumerate(self.raw.columns):
            try:
                if matcher.match(name).target == "cycle":
                    return cells[pos]
            except AmbiguousColumn:
                continue  # reported when all columns are mapped
        return None

    def _resolve_cycle(self, col: pd.Series | None) -> None:
        if self.cycle is None:
            years = sorted({as_int(v) for v in col.dropna()} - {None}) if col is not None else []
            if len(years) != 1:
                raise CipsDataError(
                    [
                        Problem(
                            self.file,
                            "the survey cycle is not given and the file does not "
                            "hold exactly one year in a 'cycle' column",
                            value=years or None,
                            expected="cycle=YEAR (e.g. 2025)",
                        )
                    ]
                )
            self.cycle = years[0]
        try:
            self.cycle = int(self.cycle)
        except (TypeError, ValueError):
            raise CipsDataError(
                [
                    Problem(
                        self.file,
                        "the survey cycle must be a year",
                        value=self.cycle,
                        expected="a year such as 2025",
                    )
                ]
            ) from None

    # -- problems and names --------------------------------------------------------------------
    def _bad(self, column: str, rows: list[int], value: Any, message: str, expected: str) -> None:
        extra = f" (rows {_rows_text(rows)})" if len(rows) > 1 else ""
        self.problems.add(
            self.file,
            message + extra,
            row=rows[0],
            value=value,
            expected=expected,
            **self.at(column),
        )

    def at(self, target: str) -> dict[str, str | None]:
        """Where a problem with an item or respondent variable lies: the export's own column
        header, and the codebook entry it was read as when the header names it otherwise (``column
        'CSAT' (item q05)``)."""
        header = self._raw_name(target)
        if normalise_name(header) == normalise_name(target):
            return {"column": header, "column_note": None}
        kind = "variable" if target in self.cb.variables else "item"
        return {"column": header, "column_note": f"{kind} {target}"}

    def _raw_name(self, name: str) -> str:
        """The export's header of the column read as ``name``."""
        for match in self.mapping:
            if match.target == name:
                return match.column
        for col in self.raw.columns:
            if normalise_name(col) == normalise_name(name):
                return col
        return name

    def _check_required_columns(self, variables, items, expected_items, groups, out) -> None:
        present_groups = set(pd.Series(groups).dropna().astype(str))
        present_types = set(pd.Series(out["respondent_type"]).dropna().astype(str))
        for name, var in self.cb.variables.items():
            if name in variables or name in self.constants or not var.required:
                continue
            if var.type == "id":  # generated from the row numbers
                continue
            if var.applies_to and not (set(var.applies_to) & (present_groups | present_types)):
                continue
            label = var.labels.get("en") or next(iter(var.labels.values()), name)
            self.problems.add(
                self.file,
                f"the required column '{name}' is missing",
                row=1,
                expected=f"a column '{name}' ({label})",
            )
        for _, item in expected_items.iterrows():
            if item["id"] in items or not (set(item["instruments"]) & present_groups):
                continue
            self.problems.add(
                self.file,
                f"the column for item '{item['id']}' is missing: the codebook says "
                f"it was asked in {self.cycle}",
                row=1,
                expected=f"a column '{item['id']}' ({item[f'text_{self.cb.languages[0]}']}); "
                f"if the {self.cycle} questionnaire did not ask it, give the item 'cycles:' "
                f"without {self.cycle} in the codebook",
            )
        if not present_groups:
            self.problems.add(
                self.file,
                "no respondent has a group",
                expected=" or ".join(self.cb.group_names),
                **self.at("group"),
            )

    # -- items ------------------------------------------------------------------------------------
    def _item(self, item: pd.Series, col: pd.Series | None, data: pd.DataFrame):
        iid = item["id"]
        scale: Scale = self.cb.scales[item["scale"]]
        n = len(data)
        asked = data["group"].astype(object).isin(item["instruments"]).to_numpy()
        codes = np.full(n, np.nan)
        why = np.array([None] * n, dtype=object)
        if col is None:
            why[:] = np.where(asked, "no_answer", "not_asked")
            return self._item_categorical(scale, codes), why
        self._check_value_labels(iid, scale)
        valid = set(scale.codes)
        expected = (
            f"{min(valid)}-{max(valid)}"
            if scale.type == "ordinal"
            else ", ".join(map(str, sorted(valid)))
        )
        meaning = {"dont_know": "don't know", "refusal": "prefer not to say"}
        meaning["not_asked"] = "not applicable"
        extra = [f"{c} {meaning[r]}" for c, r in scale.missing_reasons.items()]
        expected += (", or " + ", ".join(extra)) if extra else ""
        reader = AnswerReader(scale)
        stray, text, out_of_range = self._read_answers(col, reader, scale, asked, codes, why)
        labels = " | ".join(dict.fromkeys(reader.expected_labels(g) for g in self.cb.languages))
        for value, rows in text.items():
            self._bad(
                iid,
                rows,
                value,
                "unknown answer label",
                f"a code ({expected}) or a label: {labels}"[:600],
            )
        for value, rows in out_of_range.items():
            self._bad(iid, rows, value, f"answer code not on the '{scale.name}' scale", expected)
        if stray:
            self.problems.warn(
                self.file,
                f"{stray} respondents answered '{iid}' although it is not on their "
                "questionnaire; those answers were cleared",
                **self.at(iid),
            )
        return self._item_categorical(scale, codes), why

    def _read_answers(self, col, reader, scale, asked, codes, why):
        """Fill ``codes`` (answers on the scale) and ``why`` (the reason an answer is missing) from
        one column, each distinct answer read once; returns the number of answers to a question not
        on the respondent's questionnaire, and the rows of unknown labels and of codes off the
        scale, by answer in the order of their first row."""
        index, answers = pd.factorize(col.to_numpy(dtype=object))
        read = np.array([reader.code(v) for v in answers] + [None], dtype=object)[index]
        given = index >= 0
        known = given & (read != None)  # noqa: E711 (elementwise)
        why[~given] = np.where(asked[~given], "no_answer", "not_asked")
        why[known & ~asked] = "not_asked"
        take = known & asked
        code = np.where(take, read, np.nan).astype(float)
        in_scale = take & np.isin(code, list(scale.codes))
        codes[in_scale] = code[in_scale]
        special = scale.missing_reasons
        for value, reason in special.items():
            why[take & (code == value) & ~in_scale] = reason
        beyond = take & ~in_scale & ~np.isin(code, list(special))
        text: dict[str, list[int]] = {}
        out_of_range: dict[str, list[int]] = {}
        for i in np.flatnonzero((given & ~known) | beyond):
            v = answers[index[i]]
            unreadable = not known[i] and as_number(v) is None
            (text if unreadable else out_of_range).setdefault(v, []).append(self.rows[i])
        return int((known & ~asked).sum()), text, out_of_range

    @staticmethod
    def _item_categorical(scale: Scale, codes: np.ndarray) -> pd.Categorical:
        values = pd.array(codes, dtype="Float64").astype("Int64")
        return pd.Categorical(values, categories=list(scale.codes), ordered=scale.type == "ordinal")

    def _check_value_labels(self, iid: str, scale: Scale) -> None:
        """An SPSS export whose labels contradict the codebook (e.g. a reversed scale) is an
        error."""
        labels = self.raw.value_labels.get(self._raw_name(iid))
        if not labels:
            return
        known: dict[str, int] = {}
        for code in (*scale.codes, *scale.missing_codes):
            for text in (scale.labels.get(code) or scale.special_labels.get(code, {})).values():
                known[normalise_name(text)] = code
        for raw_code, text in labels.items():
            code = as_int(str(raw_code))
            meant = known.get(normalise_name(text))
            if meant is not None and code is not None and meant != code:
                ours = (
                    scale.label(code)
                    if code in (*scale.codes, *scale.missing_codes)
                    else "no answer"
                )
                self.problems.add(
                    self.file,
                    f"the file labels code {code} as '{text}', which is code {meant} "
                    f"in the codebook's '{scale.name}' scale: the export may use another coding",
                    **self.at(iid),
                    expected=f"code {code} = '{ours}'",
                )

    def _apply_routing(
        self, data: pd.DataFrame, reasons: dict[str, np.ndarray], items: pd.DataFrame
    ) -> None:
        for _, item in items[items["asked_if_item"].notna()].iterrows():
            src = item["asked_if_item"]
            if src not in data:
                continue
            routed = (
                data[src].astype("Float64").isin(list(item["asked_if_codes"])).to_numpy(dtype=bool)
            )
            iid = item["id"]
            answered = data[iid].notna().to_numpy()
            skipped = ~routed & (reasons[iid] != "not_asked")
            stray = int((answered & ~routed).sum())
            if stray:
                self.problems.warn(
                    self.file,
                    f"{stray} respondents answered '{iid}' although the routing "
                    f"({src} = {list(item['asked_if_codes'])}) skipped it; those answers were "
                    "cleared",
                    **self.at(iid),
                )
                data[iid] = data[iid].where(routed)
            reasons[iid] = np.where(skipped, "not_asked", reasons[iid])
