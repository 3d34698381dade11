"""Reading the respondent variables of an export (who answered: group, type, region, role, tenure,
ids, cycle, numbers) through the codebook, and checking them against each other.

:class:`RespondentVariableReading` is the loader's part that does it: it reads ``self.cb`` (the
codebook), ``self.rows`` (file row numbers), ``self.cycle``, ``self.constants`` (values the params
give for columns the file lacks), ``self.raw`` (for SPSS value labels) and reports through
``self._bad`` and ``self.problems``, as :class:`~cipslib.inputs.loading._Interpreter` provides them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .codebook import RespondentVariable, normalise_name
from .matching import as_int, normalise_text
from .readers import clean_cell


class RespondentVariableReading:
    """Respondent variables: categories by code, name or label; ids; the cycle; numbers."""

    def _variable(
        self, name: str, var: RespondentVariable, col: pd.Series | None
    ) -> pd.Series | pd.Categorical:
        n = len(self.rows)
        if col is None and name in self.constants:
            col = pd.Series([str(self.constants[name])] * n, dtype=object)
        if var.type == "category":
            cats = list(var.levels)
            if col is None:
                return pd.Categorical([None] * n, categories=cats, ordered=var.ordered)
            mapped = self._map_levels(name, var, col)
            return pd.Categorical(mapped, categories=cats, ordered=var.ordered)
        if col is None:
            if name == "cycle":
                return pd.Series([self.cycle] * n, dtype="Int64")
            if name == "respondent_id":  # no id column: ids from the row numbers
                return pd.Series([f"row-{r}" for r in self.rows], dtype="string")
            return pd.Series([np.nan] * n, dtype="float64")
        if var.type == "id":
            return self._ids(name, col)
        if var.type == "year":
            return self._years(name, col)
        return self._numbers(name, var, col)

    def _level_lookup(self, var: RespondentVariable) -> dict[str, str]:
        """Level name by code, by name and by label in any language (labels compared after
        :func:`~cipslib.inputs.matching.normalise_text`)."""
        lookup: dict[str, str] = {}
        for level in var.levels.values():
            lookup[str(level.code)] = level.name
            lookup[normalise_name(level.name)] = level.name
            for label in level.labels.values():
                lookup[normalise_name(label)] = level.name
                lookup[normalise_text(label)] = level.name
        return lookup

    def _map_levels(self, name: str, var: RespondentVariable, col: pd.Series) -> list[str | None]:
        lookup = self._level_lookup(var)
        value_labels = self.raw.value_labels.get(self._raw_name(name), {})
        label_of = {clean_cell(k): str(v) for k, v in value_labels.items()}
        expected = ", ".join(f"{lv.code}={lv.name}" for lv in var.levels.values())
        out: list[str | None] = []
        bad: dict[str, list[int]] = {}
        bad_labels: dict[str, list[int]] = {}
        for value, row in zip(col, self.rows, strict=True):
            if value is None:
                out.append(None)
                continue
            level = None
            if value in label_of:
                level = lookup.get(normalise_name(label_of[value]))
                if level is None:
                    bad_labels.setdefault(f"{value} = '{label_of[value]}'", []).append(row)
                    out.append(None)
                    continue
            if level is None:
                key = str(as_int(value)) if as_int(value) is not None else normalise_name(value)
                level = lookup.get(key) or lookup.get(normalise_text(value))
            if level is None:
                bad.setdefault(value, []).append(row)
            out.append(level)
        for value, rows in bad.items():
            self._bad(name, rows, value, "unknown value", expected)
        for value, rows in bad_labels.items():
            self._bad(
                name, rows, value, "the SPSS value label is not a level of this variable", expected
            )
        return out

    def _ids(self, name: str, col: pd.Series) -> pd.Series:
        ids = pd.Series(list(col), dtype="string")
        missing = [r for r, v in zip(self.rows, col, strict=True) if v is None]
        if missing:
            self._bad(
                name,
                missing,
                None,
                "the respondent identifier is empty",
                "an identifier on every row",
            )
        dup = ids[ids.notna() & ids.duplicated(keep=False)]
        for value, idx in dup.groupby(dup, sort=True).groups.items():
            rows = [self.rows[i] for i in idx]
            self._bad(
                name,
                rows,
                value,
                "the respondent identifier is used more than once",
                "a different identifier on every row",
            )
        return ids

    def _years(self, name: str, col: pd.Series) -> pd.Series:
        values = []
        wrong: dict[str, list[int]] = {}
        for v, row in zip(col, self.rows, strict=True):
            year = as_int(v) if v is not None else self.cycle
            if year != self.cycle:
                wrong.setdefault(str(v), []).append(row)
            values.append(self.cycle)
        for value, rows in wrong.items():
            self._bad(name, rows, value, "the row belongs to another survey cycle", f"{self.cycle}")
        return pd.Series(values, dtype="Int64")

    def _numbers(self, name: str, var: RespondentVariable, col: pd.Series) -> pd.Series:
        values: list[float] = []
        text: dict[str, list[int]] = {}
        low: dict[str, list[int]] = {}
        for v, row in zip(col, self.rows, strict=True):
            if v is None:
                values.append(np.nan)
                continue
            try:
                x = float(v.replace(",", ".").replace(" ", ""))
            except ValueError:
                text.setdefault(v, []).append(row)
                values.append(np.nan)
                continue
            if var.minimum is not None and x < float(var.minimum):
                low.setdefault(v, []).append(row)
            values.append(x)
        for value, rows in text.items():
            self._bad(name, rows, value, "text in a numeric column", "a number")
        for value, rows in low.items():
            self._bad(name, rows, value, "the number is too small", f"at least {var.minimum}")
        return pd.Series(values, dtype="float64")

    def _check_consistency(self, out: dict[str, Any]) -> None:
        """Group against respondent type, and levels or variables that only apply to some
        respondents."""
        cb = self.cb
        group = pd.Series(out["group"])
        rtype = pd.Series(out["respondent_type"])
        rt_var = cb.variables["respondent_type"]
        implied = rtype.map({k: lv.group for k, lv in rt_var.levels.items()}).astype(object)
        clash = implied.notna() & group.notna() & (implied.astype(str) != group.astype(str))
        for pos in np.flatnonzero(clash.to_numpy()):
            self.problems.add(
                self.file,
                "the respondent type does not belong to the respondent group",
                row=self.rows[pos],
                **self.at("respondent_type"),
                value=str(rtype[pos]),
                expected=f"a type of the group '{group[pos]}'",
            )
        fill_group = group.isna() & implied.notna()
        if fill_group.any():
            out["group"] = pd.Categorical(
                group.astype(object).where(~fill_group, implied), categories=out["group"].categories
            )
        who = {
            "group": pd.Series(out["group"]).astype(object),
            "respondent_type": rtype.astype(object),
        }
        for name, var in cb.variables.items():
            if var.type != "category":
                continue
            values = pd.Series(out[name]).astype(object)
            for level in var.levels.values():
                if not level.applies_to:
                    continue
                allowed = who["group"].isin(level.applies_to) | who["respondent_type"].isin(
                    level.applies_to
                )
                bad = (values == level.name) & ~allowed
                rows = [self.rows[i] for i in np.flatnonzero(bad.to_numpy())]
                if rows:
                    self._bad(
                        name,
                        rows,
                        level.name,
                        "this level only applies to " + " and ".join(level.applies_to),
                        "another level",
                    )
            if var.applies_to:
                applies = who["group"].isin(var.applies_to) | who["respondent_type"].isin(
                    var.applies_to
                )
                stray = values.notna() & ~applies
                if stray.any():
                    self.problems.warn(
                        self.file,
                        f"{int(stray.sum())} respondents outside "
                        f"{' and '.join(var.applies_to)} have a value in '{name}'; it was "
                        "cleared",
                        **self.at(name),
                    )
                    cleared = values.where(~stray)
                    out[name] = pd.Categorical(
                        cleared, categories=out[name].categories, ordered=var.ordered
                    )
                gaps = values.isna() & applies
                if gaps.any() and var.required:
                    self.problems.warn(
                        self.file,
                        f"{int(gaps.sum())} of the {int(applies.sum())} respondents "
                        f"asked '{name}' did not answer it",
                        **self.at(name),
                    )
